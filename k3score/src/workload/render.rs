//! Rendering a [`Workload`] into a restricted pod template and its companion objects.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar, KeyToPath, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, SecretVolumeSource,
    Volume as K8sVolume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::pod::{RenderedWorkload, Workload};
use super::volume::{KeyPath, Medium, Pvc, Volume, VolumeSource};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn items(items: &[KeyPath]) -> Option<Vec<KeyToPath>> {
    non_empty(
        items
            .iter()
            .map(|i| KeyToPath {
                key: i.key.to_string(),
                path: i.path.clone(),
                ..Default::default()
            })
            .collect(),
    )
}

impl Workload {
    /// Validates, then renders the pod template, the ServiceAccount and PVCs for created volumes
    /// (for Deployments, Jobs and CronJobs). The objects providing referenced secrets are
    /// rendered by the caller, once per namespace, from [`Workload::secret_refs`] with
    /// [`crate::secrets::render_secret_refs`], so secrets shared by workloads appear once.
    ///
    /// Every problem is returned at once, with paths relative to the workload (`env.DB_URL`).
    ///
    /// ```
    /// use k3score::ports::Port;
    /// use k3score::workload::Workload;
    /// use k3score::{Context, Target};
    ///
    /// let mut w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    /// w.ports.push(Port::tcp("http".parse().unwrap(), 8080));
    /// w.env.insert("DB_URL".parse().unwrap(), "postgres://${DB_HOST}/orders".into());
    /// let ctx = Context::new(Target::local(), "shop".parse().unwrap()).with_variable("DB_HOST", "db");
    /// let rendered = w.render(&ctx).unwrap();
    /// let pod = rendered.pod_template.spec.unwrap();
    /// let container = &pod.containers[0];
    /// assert_eq!(container.env.as_ref().unwrap()[0].value.as_deref(), Some("postgres://db/orders"));
    /// assert_eq!(container.security_context.as_ref().unwrap().allow_privilege_escalation, Some(false));
    /// assert_eq!(pod.automount_service_account_token, Some(false));
    /// assert_eq!(rendered.objects[0].kind(), "ServiceAccount");
    ///
    /// let err = w.render(&Context::new(Target::local(), "shop".parse().unwrap())).unwrap_err();
    /// assert_eq!(err.to_string(), "env.DB_URL: undefined variable ${DB_HOST}");
    /// ```
    pub fn render(&self, ctx: &Context) -> Result<RenderedWorkload, Errors> {
        self.render_with(ctx, false)
    }

    /// Like [`Workload::render`], for a StatefulSet: created volumes become
    /// `volume_claim_templates` (one claim per replica, named after the volume, with selector
    /// labels only because claim templates are immutable) instead of PVC objects.
    ///
    /// The pod template has no `volumes[]` entry for a claim template: the StatefulSet
    /// controller adds the replica's claim under the template's name (kubernetes
    /// `pkg/controller/statefulset/stateful_set_utils.go`, `updateStorage`), and the API server does
    /// not check a StatefulSet template's mounts against its volumes
    /// (`ValidatePodTemplateSpecForStatefulSet`, `pkg/apis/apps/validation/validation.go`).
    pub fn render_stateful(&self, ctx: &Context) -> Result<RenderedWorkload, Errors> {
        self.render_with(ctx, true)
    }

    /// [`Workload::render`] (or [`Workload::render_stateful`] when `stateful`) without running
    /// [`Workload::validate`] again, for callers that have just validated this very value with
    /// their own fields (an app does, then renders). Rendering an unvalidated workload this way
    /// never panics, but may give objects the API server rejects.
    pub fn render_validated(&self, ctx: &Context, stateful: bool) -> Result<RenderedWorkload, Errors> {
        let mut problems = Problems::default();
        let env = self.render_env(ctx, &mut problems);
        self.check_target(ctx, &mut problems);
        problems.finish(())?;
        self.render_parts(ctx, stateful, &env)
    }

    fn render_with(&self, ctx: &Context, stateful: bool) -> Result<RenderedWorkload, Errors> {
        let mut problems = Problems::default();
        self.validate(PathRef::ROOT, &mut problems);
        let env = self.render_env(ctx, &mut problems);
        self.check_target(ctx, &mut problems);
        problems.finish(())?;
        self.render_parts(ctx, stateful, &env)
    }

    fn render_parts(
        &self,
        ctx: &Context,
        stateful: bool,
        env: &[k8s_openapi::api::core::v1::EnvVar],
    ) -> Result<RenderedWorkload, Errors> {
        let mut volumes = Vec::new();
        let mut mounts = Vec::new();
        let mut objects: Vec<crate::Object> = Vec::new();
        let mut claim_templates = Vec::new();
        if let Some(sa) = self.service_account.render(&self.name, &self.labels, ctx) {
            objects.push(sa.into());
        }
        for volume in &self.volumes {
            mounts.push(VolumeMount {
                name: volume.name.to_string(),
                mount_path: volume.mount_path.clone(),
                read_only: volume.read_only.then_some(true),
                sub_path: volume.sub_path.clone(),
                ..Default::default()
            });
            match (&volume.source, stateful) {
                (VolumeSource::Pvc(pvc @ Pvc { size: Some(_), .. }), true) => {
                    // Claim templates are immutable: stable selector labels only, no version.
                    let labels = self.labels.selector();
                    claim_templates.push(claim(volume.name.to_string(), pvc, None, labels, ctx));
                }
                (VolumeSource::Pvc(pvc @ Pvc { size: Some(_), .. }), false) => {
                    let name = self.claim_name(&volume.name);
                    let labels = self.labels.labels();
                    objects.push(claim(name.clone(), pvc, ctx.ns(), labels, ctx).into());
                    volumes.push(pod_volume(volume, Some(name)));
                }
                _ => volumes.push(pod_volume(volume, None)),
            }
        }
        for (name, path, _) in self.writable_volumes() {
            volumes.push(K8sVolume {
                name: name.clone(),
                empty_dir: Some(EmptyDirVolumeSource::default()),
                ..Default::default()
            });
            mounts.push(VolumeMount {
                name,
                mount_path: path.to_owned(),
                ..Default::default()
            });
        }

        let files = (!self.config_files.is_empty()).then(|| {
            super::config_files::render(
                &self.config_files,
                self.config_map_name(),
                ctx.ns(),
                self.labels.labels(),
            )
        });
        let mut annotations = self.pod.annotations.clone();
        if let Some(files) = files {
            volumes.push(files.volume);
            mounts.extend(files.mounts);
            objects.push(files.config_map.into());
            annotations.insert(super::config_files::CHECKSUM_ANNOTATION.to_owned(), files.checksum);
        }
        let mut problems = Problems::default();
        let (sidecars, sidecar_volumes) = self.render_sidecars(ctx, &mut problems);
        problems.finish(())?;
        volumes.extend(sidecar_volumes);
        let pull_policy = self.image_pull_policy.map(|p| p.as_str().to_owned());

        let container_security = self.security.container_context();
        let env_from = non_empty(self.env_from.iter().map(super::EnvFrom::to_env_from_source).collect());
        let container = Container {
            name: self.name.to_string(),
            image: Some(self.image.clone()),
            command: non_empty(self.command.clone()),
            args: non_empty(self.args.clone()),
            working_dir: self.working_dir.clone(),
            ports: non_empty(self.ports.iter().map(super::Port::to_container_port).collect()),
            env: non_empty(env.to_vec()),
            env_from: env_from.clone(),
            volume_mounts: non_empty(mounts.clone()),
            resources: Some(self.resources.requirements()).filter(|r| r.requests.is_some() || r.limits.is_some()),
            security_context: Some(container_security.clone()),
            startup_probe: self.probe(self.probes.startup.as_ref(), "startup")?,
            readiness_probe: self.probe(self.probes.readiness.as_ref(), "readiness")?,
            liveness_probe: self.probe(self.probes.liveness.as_ref(), "liveness")?,
            lifecycle: self.lifecycle_hooks()?,
            image_pull_policy: pull_policy.clone(),
            ..Default::default()
        };
        let init_resources =
            Some(self.resources.without_gpu().requirements()).filter(|r| r.requests.is_some() || r.limits.is_some());
        let init_containers = sidecars
            .into_iter()
            .chain(self.init_containers.iter().map(|init| Container {
                name: init.name.to_string(),
                image: Some(init.image.clone()),
                command: non_empty(init.command.clone()),
                args: non_empty(init.args.clone()),
                env: non_empty(env.to_vec()),
                env_from: env_from.clone(),
                volume_mounts: non_empty(mounts.clone()),
                resources: init_resources.clone(),
                security_context: Some(container_security.clone()),
                image_pull_policy: pull_policy.clone(),
                ..Default::default()
            }))
            .collect();

        let mut labels = self.labels.labels();
        labels.extend(self.pod_labels.clone());
        labels.extend(self.service_account.pod_labels());
        labels.extend(self.pod.labels.clone());
        let scheduling = self.resources.scheduling();
        let mut spec = PodSpec {
            containers: vec![container],
            init_containers: non_empty(init_containers),
            volumes: non_empty(volumes),
            service_account_name: Some(self.service_account.service_account_name(&self.name)),
            automount_service_account_token: Some(self.service_account.automount_token),
            enable_service_links: Some(false),
            security_context: Some(self.security.pod_context()),
            termination_grace_period_seconds: self.termination_grace_period,
            restart_policy: self.restart_policy.map(|p| p.as_str().to_owned()),
            node_selector: (!scheduling.node_selector.is_empty()).then_some(scheduling.node_selector),
            tolerations: non_empty(scheduling.tolerations),
            ..Default::default()
        };
        self.apply_placement(&mut spec);
        Ok(RenderedWorkload {
            pod_template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: (!annotations.is_empty()).then_some(annotations),
                    ..Default::default()
                }),
                spec: Some(spec),
            },
            objects,
            volume_claim_templates: claim_templates,
        })
    }

    fn render_env(&self, ctx: &Context, problems: &mut Problems) -> Vec<EnvVar> {
        let root = PathRef::ROOT.field("env");
        self.env
            .iter()
            .filter_map(|(name, value)| {
                let path = root.field(name.as_str());
                problems.check(path, super::check_env_name_for(name, &ctx.target))?;
                value.to_env_var(name, &ctx.variables, path, problems)
            })
            .collect()
    }

    fn lifecycle_hooks(&self) -> Result<Option<k8s_openapi::api::core::v1::Lifecycle>, Errors> {
        if self.lifecycle.is_empty() {
            return Ok(None);
        }
        // Unreachable after validation; an error rather than a panic all the same.
        self.lifecycle.to_k8s(&self.ports).map(Some).ok_or_else(|| {
            Error::new(
                FieldPath::root().field("lifecycle"),
                ErrorKind::Invalid("port cannot be resolved".into()),
            )
            .into()
        })
    }

    fn probe(
        &self,
        probe: Option<&super::Probe>,
        field: &'static str,
    ) -> Result<Option<k8s_openapi::api::core::v1::Probe>, Errors> {
        let Some(probe) = probe else { return Ok(None) };
        // Unreachable after validation; an error rather than a panic all the same.
        probe.to_k8s(&self.ports).map(Some).ok_or_else(|| {
            Error::new(
                FieldPath::root().field("probes").field(field),
                ErrorKind::Invalid("port cannot be resolved".into()),
            )
            .into()
        })
    }
}

/// A claim of `pvc.size`, with the volume's storage class or the target's.
fn claim(
    name: String,
    pvc: &Pvc,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    ctx: &Context,
) -> PersistentVolumeClaim {
    let size = pvc
        .size
        .map(|s| BTreeMap::from([("storage".to_owned(), s.to_quantity())]));
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(name),
            namespace,
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![pvc.access_mode.unwrap_or_default().as_str().to_owned()]),
            resources: Some(VolumeResourceRequirements {
                requests: size,
                ..Default::default()
            }),
            storage_class_name: pvc.storage_class.clone().or_else(|| ctx.target.storage_class.clone()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The pod's `volumes[]` entry; `claim` is the created PVC's name for `pvc: {size}` volumes.
fn pod_volume(volume: &Volume, claim: Option<String>) -> K8sVolume {
    let mut out = K8sVolume {
        name: volume.name.to_string(),
        ..Default::default()
    };
    match &volume.source {
        VolumeSource::EmptyDir(e) => {
            out.empty_dir = Some(EmptyDirVolumeSource {
                medium: e.medium.map(|m| match m {
                    Medium::Memory => "Memory".to_owned(),
                }),
                size_limit: e.size.map(crate::quantity::Bytes::to_quantity),
                ..Default::default()
            });
        }
        VolumeSource::Pvc(pvc) => {
            out.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim
                    .or_else(|| pvc.claim.as_ref().map(ToString::to_string))
                    .unwrap_or_default(),
                read_only: volume.read_only.then_some(true),
            });
        }
        VolumeSource::Secret(s) => {
            out.secret = Some(SecretVolumeSource {
                secret_name: Some(s.name.to_string()),
                items: items(&s.items),
                ..Default::default()
            });
        }
        VolumeSource::ConfigMap(c) => {
            out.config_map = Some(ConfigMapVolumeSource {
                name: c.name.to_string(),
                items: items(&c.items),
                ..Default::default()
            });
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
