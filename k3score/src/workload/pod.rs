//! The plain render input [`Workload`], its validation, and [`RenderedWorkload`].

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::config_files::ConfigFile;
use super::container::{InitContainer, RestartPolicy, check_image};
use super::env::{Env, EnvFrom, secret_refs};
use super::lifecycle::Lifecycle;
use super::meta::{ImagePullPolicy, Metadata, check_labels};
use super::placement::Placement;
use super::probe::Probes;
use super::security::ContainerSecurity;
use super::sidecar::Sidecar;
use super::volume::{Volume, check_absolute};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::identity::ServiceAccountSpec;
use crate::labels::AppLabels;
use crate::names::{DnsLabel, DnsSubdomain, bounded};
use crate::object::Object;
use crate::ports::Port;
use crate::resources::Resources;
use crate::secrets::SecretRef;

/// Everything needed to render one workload's pod template and its companion objects.
///
/// Not a spec type: the app, function and compose crates read their own specs (which embed
/// the shared blocks by field) and fill this struct. [`Workload::new`] gives the defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// The workload's name: container, ServiceAccount and created PVC names derive from it.
    pub name: DnsLabel,
    /// Recommended labels (selector and metadata).
    pub labels: AppLabels,
    /// The image reference.
    pub image: String,
    /// The entrypoint. Default: the image's.
    pub command: Vec<String>,
    /// Arguments. Default: the image's.
    pub args: Vec<String>,
    /// Working directory (absolute). Default: the image's.
    pub working_dir: Option<String>,
    /// Ports the container listens on.
    pub ports: Vec<Port>,
    /// Environment variables.
    pub env: Env,
    /// Whole Secrets and ConfigMaps as environment variables.
    pub env_from: Vec<EnvFrom>,
    /// Volumes and their mounts.
    pub volumes: Vec<Volume>,
    /// Startup, readiness and liveness probes.
    pub probes: Probes,
    /// Requests, limits and GPUs.
    pub resources: Resources,
    /// Security contexts (`security_context` in YAML). Default: restricted.
    pub security: ContainerSecurity,
    /// The ServiceAccount. Default: one of its own, no token.
    pub service_account: ServiceAccountSpec,
    /// Seconds between SIGTERM and SIGKILL. Default: Kubernetes' 30.
    pub termination_grace_period: Option<i64>,
    /// Containers run to completion before the main one.
    pub init_containers: Vec<InitContainer>,
    /// The pod's restart policy. Default: Kubernetes' `Always`.
    pub restart_policy: Option<RestartPolicy>,
    /// Extra pod template labels (not part of the selector).
    pub pod_labels: BTreeMap<String, String>,
    /// Labels and annotations of the workload object (`metadata` in YAML).
    pub metadata: Metadata,
    /// Labels and annotations of the pod template (`pod` in YAML).
    pub pod: Metadata,
    /// Secrets holding registry credentials (`imagePullSecrets`).
    pub image_pull_secrets: Vec<DnsSubdomain>,
    /// When the kubelet pulls the images. Default: Kubernetes' (`Always` for `:latest`).
    pub image_pull_policy: Option<ImagePullPolicy>,
    /// Node selector, tolerations, spreading, node affinity, priority and runtime class.
    pub placement: Placement,
    /// Native sidecars.
    pub sidecars: Vec<Sidecar>,
    /// The main container's lifecycle hooks.
    pub lifecycle: Lifecycle,
    /// Files mounted from a ConfigMap of the workload.
    pub config_files: Vec<ConfigFile>,
}

/// The output of [`Workload::render`].
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedWorkload {
    /// The pod template for a Deployment, StatefulSet, Job or CronJob.
    pub pod_template: PodTemplateSpec,
    /// The ServiceAccount (if created) and the PersistentVolumeClaims of created volumes
    /// (for [`Workload::render`] only).
    pub objects: Vec<Object>,
    /// Claim templates of created volumes (for [`Workload::render_stateful`] only).
    pub volume_claim_templates: Vec<PersistentVolumeClaim>,
}

/// Lower-case letters and digits of `path`, other runs as one `-`.
fn slug(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// `writable-<slug>`, or `writable-<hash>` for a path without letters or digits (`/_`).
pub(super) fn writable_volume_name(path: &str) -> String {
    match slug(path) {
        s if s.is_empty() => format!("writable-{:08x}", crate::names::stable_hash(path) as u32),
        s => bounded(&format!("writable-{s}"), "", 63),
    }
}

impl Workload {
    /// A workload with every default: no ports, env or volumes; restricted security; its own
    /// ServiceAccount; labels from the name, with the image tag as version.
    ///
    /// ```
    /// use k3score::workload::Workload;
    /// let w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    /// assert_eq!(w.labels.labels()["app.kubernetes.io/version"], "1.4.2");
    /// ```
    #[must_use]
    pub fn new(name: DnsLabel, image: impl Into<String>) -> Self {
        let image = image.into();
        let labels = AppLabels::for_image(name.clone(), &image);
        Self {
            name,
            labels,
            image,
            command: Vec::new(),
            args: Vec::new(),
            working_dir: None,
            ports: Vec::new(),
            env: Env::new(),
            env_from: Vec::new(),
            volumes: Vec::new(),
            probes: Probes::default(),
            resources: Resources::default(),
            security: ContainerSecurity::default(),
            service_account: ServiceAccountSpec::default(),
            termination_grace_period: None,
            init_containers: Vec::new(),
            restart_policy: None,
            pod_labels: BTreeMap::new(),
            metadata: Metadata::default(),
            pod: Metadata::default(),
            image_pull_secrets: Vec::new(),
            image_pull_policy: None,
            placement: Placement::default(),
            sidecars: Vec::new(),
            lifecycle: Lifecycle::default(),
            config_files: Vec::new(),
        }
    }

    /// The secrets this workload reads through `env` and `env_from`, with their paths.
    #[must_use]
    pub fn secret_refs(&self) -> Vec<SecretRef> {
        let mut refs = secret_refs(&self.env, &self.env_from);
        let sidecars = PathRef::ROOT.field("sidecars");
        for (i, sidecar) in self.sidecars.iter().enumerate() {
            refs.extend(sidecar.secret_refs(sidecars.index(i)));
        }
        refs
    }

    /// The ports of the pod: the main container's, then each sidecar's (the Service exposes
    /// them all). A Service may target a sidecar's port by name: the endpoint controllers look
    /// up named ports in restartable init containers since Kubernetes 1.32
    /// (kubernetes/kubernetes#127976), older than the 1.33 sidecars need.
    pub fn pod_ports(&self) -> impl Iterator<Item = &Port> {
        self.ports
            .iter()
            .chain(self.sidecars.iter().flat_map(|s| s.ports.iter()))
    }

    /// The name of the ConfigMap holding [`Workload::config_files`].
    #[must_use]
    pub fn config_map_name(&self) -> String {
        bounded(self.name.as_str(), "-config-files", 253)
    }

    /// The workload object's metadata: `name`, the namespace, `labels` (ours:
    /// [`AppLabels::labels`] of [`Workload::labels`], which callers have built already for the
    /// other objects) with [`Workload::metadata`]'s, and its annotations.
    #[must_use]
    pub fn object_meta(
        &self,
        name: &str,
        namespace: Option<String>,
        mut labels: BTreeMap<String, String>,
    ) -> ObjectMeta {
        labels.extend(self.metadata.labels.clone());
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace,
            labels: Some(labels),
            annotations: (!self.metadata.annotations.is_empty()).then(|| self.metadata.annotations.clone()),
            ..Default::default()
        }
    }

    /// The `emptyDir` volumes for writable paths, as (volume name, path, index in
    /// `writable_paths`); paths where a volume is mounted are skipped (the volume wins).
    pub(crate) fn writable_volumes(&self) -> Vec<(String, &str, usize)> {
        self.security
            .writable_paths
            .iter()
            .enumerate()
            .filter(|(_, path)| !self.volumes.iter().any(|v| &v.mount_path == *path))
            .map(|(i, path)| (writable_volume_name(path), path.as_str(), i))
            .collect()
    }

    /// The name of the PVC created for `volume` by [`Workload::render`].
    #[must_use]
    pub fn claim_name(&self, volume: &DnsLabel) -> String {
        bounded(self.name.as_str(), &format!("-{volume}"), 63)
    }

    /// Records the problems of the pod-template settings beyond the main container
    /// (`metadata`, `pod`, `image_pull_secrets`, `placement`, `lifecycle`, `sidecars`,
    /// `config_files`), under `path`; part of [`Workload::validate`], for callers that check
    /// the rest themselves (functions).
    pub fn validate_template(&self, path: PathRef<'_>, problems: &mut Problems) {
        self.metadata.validate(path.field("metadata"), &self.labels, problems);
        self.pod.validate(path.field("pod"), &self.labels, problems);
        let secrets = path.field("image_pull_secrets");
        for (i, secret) in self.image_pull_secrets.iter().enumerate() {
            if self.image_pull_secrets[..i].contains(secret) {
                problems.push(
                    secrets.index(i),
                    ErrorKind::Duplicate {
                        what: "image pull secret",
                        name: secret.to_string(),
                    },
                );
            }
        }
        self.validate_placement(path, problems);
        self.lifecycle.validate(path.field("lifecycle"), &self.ports, problems);
        // Every app is validated: the sets below are built only for the blocks that use them.
        if !self.sidecars.is_empty() {
            let mut containers = BTreeSet::from([self.name.as_str()]);
            containers.extend(self.init_containers.iter().map(|c| c.name.as_str()));
            self.validate_sidecars(path, &mut containers, problems);
        }
        if !self.config_files.is_empty() {
            let volumes: BTreeSet<&str> = self.volumes.iter().map(|v| v.name.as_str()).collect();
            super::config_files::validate(&self.config_files, &volumes, path.field("config_files"), problems);
        }
    }

    fn validate_ports(&self, path: PathRef<'_>, problems: &mut Problems) {
        for (i, port) in self.ports.iter().enumerate() {
            let ports = path.field("ports");
            let ppath = ports.index(i);
            let earlier = &self.ports[..i];
            if port.port == 0 {
                problems.push(
                    ppath.field("port"),
                    ErrorKind::Invalid("must be between 1 and 65535".into()),
                );
            }
            if earlier.iter().any(|p| p.name == port.name) {
                problems.push(
                    ppath.field("name"),
                    ErrorKind::Duplicate {
                        what: "port name",
                        name: port.name.to_string(),
                    },
                );
            }
            if earlier
                .iter()
                .any(|p| p.port == port.port && p.protocol == port.protocol)
            {
                problems.push(
                    ppath.field("port"),
                    ErrorKind::Duplicate {
                        what: "port",
                        name: format!("{}/{}", port.port, port.protocol.as_str()),
                    },
                );
            }
        }
    }

    fn validate_volumes(&self, path: PathRef<'_>, problems: &mut Problems) {
        for (i, volume) in self.volumes.iter().enumerate() {
            let volumes = path.field("volumes");
            let vpath = volumes.index(i);
            volume.validate(vpath, problems);
            let earlier = &self.volumes[..i];
            if earlier.iter().any(|v| v.name == volume.name) {
                problems.push(
                    vpath.field("name"),
                    ErrorKind::Duplicate {
                        what: "volume name",
                        name: volume.name.to_string(),
                    },
                );
            }
            if earlier.iter().any(|v| v.mount_path == volume.mount_path) {
                problems.push(
                    vpath.field("mount_path"),
                    ErrorKind::Duplicate {
                        what: "mount path",
                        name: volume.mount_path.clone(),
                    },
                );
            }
        }
        let mut names: BTreeSet<String> = self.volumes.iter().map(|v| v.name.to_string()).collect();
        for (name, wpath, i) in self.writable_volumes() {
            if !names.insert(name.clone()) {
                problems.push(
                    path.field("security_context").field("writable_paths").index(i),
                    ErrorKind::Conflict(format!(
                        "{wpath:?} needs the volume name {name:?}, which is already used"
                    )),
                );
            }
        }
        let sidecars = path.field("sidecars");
        for (name, wpath, s, i) in self.sidecar_writable_volumes() {
            if !names.insert(name.clone()) {
                let spath = sidecars.index(s);
                problems.push(
                    spath.field("security_context").field("writable_paths").index(i),
                    ErrorKind::Conflict(format!(
                        "{wpath:?} needs the volume name {name:?}, which is already used"
                    )),
                );
            }
        }
    }
}

impl Validate for Workload {
    /// Records every problem of the workload and its blocks, with paths under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        check_image(&self.image, path.field("image"), problems);
        if let Some(dir) = &self.working_dir {
            problems.check(path.field("working_dir"), check_absolute(dir));
        }
        self.validate_ports(path, problems);
        for (name, value) in &self.env {
            value.validate(path.field("env").field(name.as_str()), problems);
        }
        for (i, from) in self.env_from.iter().enumerate() {
            if self.env_from[..i].contains(from) {
                let name = match from {
                    EnvFrom::Secret(n) | EnvFrom::ConfigMap(n) => n.to_string(),
                };
                problems.push(
                    path.field("env_from").index(i),
                    ErrorKind::Duplicate {
                        what: "env_from source",
                        name,
                    },
                );
            }
        }
        self.validate_volumes(path, problems);
        self.probes.validate(path.field("probes"), &self.ports, problems);
        self.resources.validate(path.field("resources"), problems);
        self.security.validate(path.field("security_context"), problems);
        self.service_account.validate(path.field("service_account"), problems);
        let mut containers = BTreeSet::from([self.name.as_str()]);
        for (i, init) in self.init_containers.iter().enumerate() {
            let containers_path = path.field("init_containers");
            let ipath = containers_path.index(i);
            init.validate(ipath, problems);
            if !containers.insert(init.name.as_str()) {
                problems.push(
                    ipath.field("name"),
                    ErrorKind::Duplicate {
                        what: "container name",
                        name: init.name.to_string(),
                    },
                );
            }
        }
        if self.termination_grace_period.is_some_and(|s| s < 0) {
            problems.push(
                path.field("termination_grace_period"),
                ErrorKind::Invalid("must not be negative".into()),
            );
        }
        check_labels(&self.pod_labels, path.field("pod_labels"), &self.labels, problems);
        self.validate_template(path, problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::PortRef;
    use crate::workload::{EnvValue, Probe, ProbeAction};

    fn errors(w: &Workload) -> Vec<String> {
        w.problems_at(PathRef::ROOT).messages()
    }

    fn port(name: &str, n: u16) -> Port {
        Port::tcp(name.parse().unwrap(), n)
    }

    #[test]
    fn defaults_are_valid() {
        let w = Workload::new("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
        assert!(errors(&w).is_empty());
        assert_eq!(w.writable_volumes(), [("writable-tmp".to_owned(), "/tmp", 0)]);
        assert_eq!(w.claim_name(&"data".parse().unwrap()), "orders-data");
        assert_eq!(slug("/var/Cache//nginx/"), "var-cache-nginx");
    }

    #[test]
    fn ports_probes_and_image() {
        let mut w = Workload::new("orders".parse().unwrap(), "");
        w.ports = vec![port("http", 8080), port("http", 9090), port("admin", 8080)];
        w.probes.readiness = Some(Probe::new(ProbeAction::Tcp(PortRef::Name("metrics".parse().unwrap()))));
        w.working_dir = Some("app".into());
        assert_eq!(
            errors(&w),
            [
                "image: missing: an image reference like ghcr.io/acme/orders:1.4.2",
                "working_dir: \"app\" must be an absolute path",
                "ports[1].name: duplicate port name \"http\"",
                "ports[2].port: duplicate port \"8080/TCP\"",
                "probes.readiness.tcp: port \"metrics\" names no port in ports",
            ]
        );
    }

    #[test]
    fn volumes_env_labels_and_containers() {
        let mut w = Workload::new("orders".parse().unwrap(), "busybox");
        let vol = |name: &str, path: &str| -> Volume {
            serde_json::from_str(&format!(
                r#"{{"name": "{name}", "mount_path": "{path}", "empty_dir": {{}}}}"#
            ))
            .unwrap()
        };
        w.volumes = vec![vol("data", "/data"), vol("data", "/data"), vol("writable-cache", "/x")];
        w.security.writable_paths = vec!["/tmp".into(), "/cache".into(), "/data".into()];
        w.env.insert("URL".parse().unwrap(), EnvValue::from("${HOST"));
        w.env_from = vec![
            EnvFrom::ConfigMap("c".parse().unwrap()),
            EnvFrom::ConfigMap("c".parse().unwrap()),
        ];
        w.init_containers = vec![InitContainer {
            name: "orders".parse().unwrap(),
            image: "busybox".into(),
            command: vec![],
            args: vec![],
        }];
        w.termination_grace_period = Some(-1);
        w.pod_labels = BTreeMap::from([
            ("app.kubernetes.io/name".to_owned(), "other".to_owned()),
            ("tier".to_owned(), "bad value".to_owned()),
        ]);
        assert_eq!(
            errors(&w),
            [
                "env.URL: unterminated ${ in \"${HOST\"; write $${ for a literal ${",
                "env_from[1]: duplicate env_from source \"c\"",
                "volumes[1].name: duplicate volume name \"data\"",
                "volumes[1].mount_path: duplicate mount path \"/data\"",
                "security_context.writable_paths[1]: conflict: \"/cache\" needs the volume name \"writable-cache\", which is already used",
                "init_containers[0].name: duplicate container name \"orders\"",
                "termination_grace_period: must not be negative",
                "pod_labels.app.kubernetes.io/name: conflict: app.kubernetes.io/name is a selector label and must stay \"orders\"",
                "pod_labels.tier: invalid label value \"bad value\": must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
            ]
        );
    }

    #[test]
    fn nested_blocks_report_under_the_prefix() {
        let mut w = Workload::new("orders".parse().unwrap(), "busybox");
        w.resources = serde_json::from_str(r#"{"memory": "1Gi", "limits": {"memory": "512Mi"}}"#).unwrap();
        w.security.run_as_user = Some(0);
        w.service_account.create = false;
        w.service_account.workload_identity = Some(crate::identity::WorkloadIdentity::Gcp("x".into()));
        let errs = w
            .problems_at(PathRef::ROOT.field("apps").index(0))
            .finish(())
            .unwrap_err()
            .paths();
        assert_eq!(
            errs,
            [
                "apps[0].resources.limits.memory",
                "apps[0].security_context.run_as_user",
                "apps[0].service_account.workload_identity.gcp",
                "apps[0].service_account.workload_identity",
            ]
        );
    }
}
