//! Rendering a [`Translation`] for a target: the apps together (shared secrets once), then the
//! compose-specific objects, then the pod-template patches.

use std::collections::BTreeMap;

use k3sapp::{AppSet, AppsKind};
use k3score::error::Segment;
use k3score::labels::{MANAGED_BY, MANAGER, PART_OF};
use k3score::secrets::{SecretRef, render_secret_refs};
use k3score::{Bundle, Context, Error, Errors, FieldPath, Object, Problems};
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodTemplateSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::Warning;
use crate::project::Project;
use crate::translate::{PodPatch, Translation};

/// A rendered project: the objects and everything that was not translated.
#[derive(Debug)]
pub struct Rendered {
    /// Every object, ready to apply.
    pub bundle: Bundle,
    /// Compose settings that were not translated, by key.
    pub warnings: Vec<Warning>,
    /// Tiltfile snippets (`docker_build`, `k8s_yaml`, `k8s_resource`) for the services with a
    /// `build:` section, for a manifest written to `<project>.yaml` beside the Tiltfile; `None`
    /// when no service builds. See [`Translation::tiltfile`].
    pub tiltfile: Option<String>,
}

impl Project {
    /// Translates the services enabled by `profiles` and renders them for `ctx.target`.
    ///
    /// # Errors
    /// Every problem, with compose paths (`services.web.ports[0]`).
    pub fn render(&self, ctx: &Context, profiles: &[&str]) -> Result<Rendered, Errors> {
        self.translate(profiles)?.render(ctx)
    }
}

impl Translation {
    /// The Tiltfile for the services with a `build:` section: one Tilt `docker_build` per
    /// image (build context relative to the project folder, where the Tiltfile goes), one
    /// `k8s_yaml(manifest)` for the whole project (Tilt refuses the same objects twice) and a
    /// `k8s_resource` per service forwarding its first port. `None` when no service builds.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let compose = "services:\n  api: {build: ./api, user: '1000'}\n  web: {build: ./web, user: '1000'}\n";
    /// let project = k3scompose::Project::parse(compose, &BTreeMap::new(), &BTreeMap::new()).unwrap();
    /// let tiltfile = project.translate(&[]).unwrap().tiltfile("compose.yaml").unwrap();
    /// assert!(tiltfile.contains("docker_build(\n    'compose-api',\n    './api',\n)"));
    /// assert_eq!(tiltfile.matches("k8s_yaml('compose.yaml')").count(), 1);
    /// ```
    #[must_use]
    pub fn tiltfile(&self, manifest: &str) -> Option<String> {
        let mut loaded = false;
        let snippets: Vec<String> = self
            .apps
            .iter()
            .filter_map(|app| {
                let build = app.build.as_ref()?;
                let snippet = build.tiltfile(
                    app.name.as_str(),
                    &app.image,
                    manifest,
                    app.ports.first().map(|p| p.port),
                );
                Some(
                    snippet
                        .lines()
                        .filter(|line| !line.starts_with("k8s_yaml(") || !std::mem::replace(&mut loaded, true))
                        .map(|line| format!("{line}\n"))
                        .collect(),
                )
            })
            .collect();
        (!snippets.is_empty()).then(|| snippets.join("\n"))
    }
}

impl Translation {
    /// Renders the apps together (secrets shared by several services appear once), plus
    /// ConfigMaps, PVCs and compose secrets, and applies the pod patches.
    ///
    /// # Errors
    /// Every problem; app errors carry the compose service path (`services.web.image`).
    pub fn render(&self, ctx: &Context) -> Result<Rendered, Errors> {
        let set = AppSet {
            kind: AppsKind::Apps,
            namespace: None,
            apps: self.apps.clone(),
            patches: Vec::new(),
            objects: Vec::new(),
        };
        let mut problems = Problems::default();
        let bundle = set.render(ctx).map_err(|e| self.compose_paths(e));
        let mut objects: Vec<Object> = problems
            .take(bundle)
            .map(|b| b.into_iter().collect())
            .unwrap_or_default();
        let labels = self.labels();
        let meta = |name: &str| ObjectMeta {
            name: Some(name.to_owned()),
            namespace: ctx.ns(),
            labels: Some(labels.clone()),
            ..Default::default()
        };
        for cm in self.config_maps.values() {
            objects.push(
                ConfigMap {
                    metadata: meta(cm.name.as_str()),
                    data: Some(cm.data.clone()),
                    ..Default::default()
                }
                .into(),
            );
        }
        for claim in self.claims.values() {
            objects.push(
                PersistentVolumeClaim {
                    metadata: meta(claim.name.as_str()),
                    spec: Some(PersistentVolumeClaimSpec {
                        access_modes: Some(vec![claim.access_mode.as_str().to_owned()]),
                        resources: Some(VolumeResourceRequirements {
                            requests: Some(BTreeMap::from([("storage".to_owned(), claim.size.to_quantity())])),
                            ..Default::default()
                        }),
                        storage_class_name: claim.storage_class.clone().or_else(|| ctx.target.storage_class.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
                .into(),
            );
        }
        // Compose secrets: local values from their files (or `<name>.value` in the context),
        // ExternalSecrets on cloud targets.
        let mut secret_ctx = ctx.clone();
        let mut refs = Vec::new();
        for secret in self.secrets.values() {
            if let Some(value) = &secret.value {
                secret_ctx
                    .secret_values
                    .entry(format!("{}.{}", secret.name, k3score::secrets::VALUE_KEY))
                    .or_insert_with(|| value.clone());
            }
            refs.push(SecretRef::value(secret.name.clone()).at(secret.path.clone()));
        }
        let existing: Vec<String> = objects.iter().map(Object::key).collect();
        if let Some(secrets) = problems.take(render_secret_refs(&refs, &labels, &secret_ctx)) {
            for object in secrets {
                if !existing.contains(&object.key()) {
                    objects.push(object);
                }
            }
        }
        for object in &mut objects {
            self.patch(object);
        }
        let bundle: Bundle = problems.finish(objects)?.into_iter().collect();
        bundle.check_unique()?;
        let project = self
            .apps
            .first()
            .and_then(|a| a.part_of.as_deref())
            .unwrap_or(crate::DEFAULT_PROJECT_NAME);
        Ok(Rendered {
            bundle,
            warnings: self.warnings.clone(),
            tiltfile: self.tiltfile(&format!("{project}.yaml")),
        })
    }

    fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::from([(MANAGED_BY.to_owned(), MANAGER.to_owned())]);
        if let Some(part_of) = self.apps.first().and_then(|a| a.part_of.clone()) {
            labels.insert(PART_OF.to_owned(), part_of);
        }
        labels
    }

    /// `apps[2].image` → `services.<name>.image`.
    fn compose_paths(&self, errors: Errors) -> Errors {
        Errors(
            errors
                .0
                .into_iter()
                .map(|e| {
                    let segments = e.path.segments();
                    match segments {
                        [Segment::Field(apps), Segment::Index(i), rest @ ..] if apps == "apps" => {
                            let service = self.services.get(*i).cloned().unwrap_or_default();
                            let mut path = FieldPath::root().field("services").field(service);
                            for (i, s) in rest.iter().enumerate() {
                                path = match s {
                                    // The app's `env` is the service's `environment`.
                                    Segment::Field(f) if i == 0 && f == "env" => path.field("environment"),
                                    // The escape hatch is in the service's `x-k3s`.
                                    Segment::Field(f) if i == 0 && (f == "patches" || f == "objects") => {
                                        path.field("x-k3s").field(f.clone())
                                    }
                                    Segment::Field(f) => path.field(f.clone()),
                                    Segment::Index(i) => path.index(*i),
                                };
                            }
                            Error::new(path, e.kind)
                        }
                        _ => e,
                    }
                })
                .collect(),
        )
    }

    // `spec` is an `Option` before Kubernetes 1.37: `.into()` is identity on 1.37 only.
    #[allow(clippy::useless_conversion)]
    fn patch(&self, object: &mut Object) {
        let name = object.meta().name.clone().unwrap_or_default();
        let Some(patch) = self.patches.get(&name) else { return };
        match object {
            Object::Deployment(d) => {
                add_annotations(&mut d.metadata, patch);
                if let Some(spec) = Option::from(d.spec.clone()) {
                    let mut spec: k8s_openapi::api::apps::v1::DeploymentSpec = spec;
                    patch_pod(&mut spec.template, patch);
                    d.spec = spec.into();
                }
            }
            Object::StatefulSet(s) => {
                add_annotations(&mut s.metadata, patch);
                if let Some(spec) = Option::from(s.spec.clone()) {
                    let mut spec: k8s_openapi::api::apps::v1::StatefulSetSpec = spec;
                    patch_pod(&mut spec.template, patch);
                    s.spec = spec.into();
                }
            }
            Object::DaemonSet(d) => {
                add_annotations(&mut d.metadata, patch);
                if let Some(spec) = Option::from(d.spec.clone()) {
                    let mut spec: k8s_openapi::api::apps::v1::DaemonSetSpec = spec;
                    patch_pod(&mut spec.template, patch);
                    d.spec = spec.into();
                }
            }
            Object::Job(j) => {
                add_annotations(&mut j.metadata, patch);
                if let Some(spec) = j.spec.as_mut() {
                    patch_pod(&mut spec.template, patch);
                }
            }
            Object::CronJob(c) => {
                add_annotations(&mut c.metadata, patch);
                if let Some(spec) = Option::from(c.spec.clone()) {
                    let mut spec: k8s_openapi::api::batch::v1::CronJobSpec = spec;
                    if let Some(job) = spec.job_template.spec.as_mut() {
                        patch_pod(&mut job.template, patch);
                    }
                    c.spec = spec.into();
                }
            }
            Object::Service(s) => add_annotations(&mut s.metadata, patch),
            _ => {}
        }
    }
}

fn add_annotations(meta: &mut ObjectMeta, patch: &PodPatch) {
    if !patch.annotations.is_empty() {
        meta.annotations
            .get_or_insert_with(BTreeMap::new)
            .extend(patch.annotations.clone());
    }
}

fn patch_pod(template: &mut PodTemplateSpec, patch: &PodPatch) {
    let Some(pod) = template.spec.as_mut() else { return };
    if let Some(hostname) = &patch.hostname {
        pod.hostname = Some(hostname.clone());
    }
    if patch.run_as_root {
        let ctx = pod.security_context.get_or_insert_with(Default::default);
        ctx.run_as_non_root = Some(false);
        ctx.run_as_user = Some(0);
    }
    for container in &mut pod.containers {
        let sc = container.security_context.get_or_insert_with(Default::default);
        if patch.run_as_root {
            sc.run_as_non_root = Some(false);
        }
        if patch.privileged {
            sc.privileged = Some(true);
            sc.allow_privilege_escalation = Some(true);
        }
    }
}
