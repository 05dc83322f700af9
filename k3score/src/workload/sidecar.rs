//! Sidecars (`sidecars:`): Kubernetes native sidecars, init containers with
//! `restartPolicy: Always` that start before the app and run beside it.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, EnvVar, SecurityContext, VolumeMount};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::env::{Env, EnvFrom, secret_refs};
use super::probe::Probes;
use super::security::ContainerSecurity;
use super::volume::check_absolute;
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names::DnsLabel;
use crate::ports::Port;
use crate::resources::Resources;
use crate::secrets::SecretRef;
use crate::target::{KubeVersion, Target};

/// The first release where native sidecars are GA: KEP-753 (`SidecarContainers`) was alpha in
/// 1.28, beta (on by default) in 1.29 and GA in 1.33 (kubernetes/enhancements#753).
pub const SIDECARS_SINCE: KubeVersion = KubeVersion::new(1, 33);

/// A container beside the app (a log shipper, a proxy). It gets the same restricted security
/// defaults as the app's container; its ports join the app's Service.
///
/// ```
/// use k3score::workload::Sidecar;
/// let s: Sidecar = serde_json::from_str(r#"{"name": "logs", "image": "fluent/fluent-bit:3.2",
///     "volumes": [{"name": "logs", "mount_path": "/var/log/app", "read_only": true}]}"#).unwrap();
/// assert!(s.volumes[0].read_only);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Sidecar {
    /// The container's name, unique in the pod. Example: `name: log-shipper`.
    pub name: DnsLabel,
    /// The image reference. Example: `image: fluent/fluent-bit:3.2.4`.
    pub image: String,
    /// The entrypoint. Default: the image's. Example: `command: [/fluent-bit/bin/fluent-bit]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments. Default: the image's. Example: `args: [--config, /etc/fb.yaml]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Ports it listens on; the app's Service exposes them too. Default: none. Example:
    /// `ports: [{name: proxy, port: 15000}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// Environment variables (like the app's). Default: none. Example: `env: {TOKEN: {secret: loki-token}}`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub env: Env,
    /// Whole Secrets and ConfigMaps as environment variables. Default: none. Example:
    /// `env_from: [{config_map: shipper-env}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    /// Requests and limits (no GPUs). Default: none. Example: `resources: {cpu: 20m, memory: 32Mi}`.
    #[serde(default)]
    pub resources: Resources,
    /// Probes on its own ports. Default: none. Example: `probes: {readiness: {tcp: proxy}}`.
    #[serde(default)]
    pub probes: Probes,
    /// Mounts of the app's volumes, by name. Default: none. Example:
    /// `volumes: [{name: logs, mount_path: /var/log/app, read_only: true}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Mount>,
    /// Its security context. Default: Pod Security `restricted` with a writable `/tmp`.
    /// Example: `security_context: {run_as_user: 10002}`.
    #[serde(default)]
    pub security_context: ContainerSecurity,
}

/// A mount of one of the app's volumes in a sidecar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Mount {
    /// The name of a volume in the app's `volumes`. Example: `name: logs`.
    pub name: DnsLabel,
    /// Where it is mounted: an absolute path. Example: `mount_path: /var/log/app`.
    pub mount_path: String,
    /// Mount read-only. Default: false. Example: `read_only: true`.
    #[serde(default)]
    pub read_only: bool,
    /// Mount only this relative path of the volume. Default: the whole volume. Example:
    /// `sub_path: nginx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
}

impl Sidecar {
    /// Records every problem of the sidecar under `path` (`sidecars[0]`): its image, ports,
    /// env, probes, resources (GPUs belong to the app), security context (`fs_group` is
    /// pod-wide: the app's), and mounts of volumes the app does not have (`volumes` are the
    /// app's volume names). Not [`Validate`]: the check needs the app's volumes.
    pub fn validate(&self, path: PathRef<'_>, volumes: &BTreeSet<&str>, problems: &mut Problems) {
        super::container::check_image(&self.image, path.field("image"), problems);
        for (name, value) in &self.env {
            value.validate(path.field("env").field(name.as_str()), problems);
        }
        self.probes.validate(path.field("probes"), &self.ports, problems);
        self.resources.validate(path.field("resources"), problems);
        if self.resources.gpu.is_some() {
            problems.push(
                path.field("resources").field("gpu"),
                ErrorKind::Invalid("GPUs belong to the app's container, not a sidecar".into()),
            );
        }
        let security = path.field("security_context");
        self.security_context.validate(security, problems);
        if self.security_context.fs_group.is_some() {
            problems.push(
                security.field("fs_group"),
                ErrorKind::Invalid("fs_group is pod-wide: set it in the app's security_context".into()),
            );
        }
        let mounts = path.field("volumes");
        let mut paths = BTreeSet::new();
        for (i, mount) in self.volumes.iter().enumerate() {
            let mpath = mounts.index(i);
            if !volumes.contains(mount.name.as_str()) {
                problems.push(
                    mpath.field("name"),
                    ErrorKind::Invalid(format!("{:?} is not one of the app's volumes", mount.name.as_str())),
                );
            }
            if problems
                .check(mpath.field("mount_path"), check_absolute(&mount.mount_path))
                .is_some()
                && !paths.insert(mount.mount_path.as_str())
            {
                problems.push(
                    mpath.field("mount_path"),
                    ErrorKind::Duplicate {
                        what: "mount path",
                        name: mount.mount_path.clone(),
                    },
                );
            }
        }
    }

    /// The secrets the sidecar reads, with paths under `path` (`sidecars[0].env.TOKEN`).
    #[must_use]
    pub fn secret_refs(&self, path: PathRef<'_>) -> Vec<SecretRef> {
        let prefix = path.to_path();
        secret_refs(&self.env, &self.env_from)
            .into_iter()
            .map(|r| {
                let nested = r.path.under(&prefix);
                r.at(nested)
            })
            .collect()
    }

    /// Records a sidecar when the target's oldest Kubernetes predates [`SIDECARS_SINCE`].
    pub fn check_target(path: PathRef<'_>, target: &Target, problems: &mut Problems) {
        if target.min_kubernetes < SIDECARS_SINCE {
            problems.push(
                path,
                ErrorKind::Unsupported {
                    feature: "native sidecars".into(),
                    by: format!("Kubernetes {} (the target's min_kubernetes)", target.min_kubernetes),
                    why: format!("they need Kubernetes {SIDECARS_SINCE} (SidecarContainers GA); raise min_kubernetes"),
                },
            );
        }
    }

    /// Its security context: the restricted defaults plus its own user and group.
    fn container_context(&self) -> SecurityContext {
        SecurityContext {
            run_as_user: self.security_context.run_as_user,
            run_as_group: self.security_context.run_as_group,
            ..self.security_context.container_context()
        }
    }

    /// The init container (`restartPolicy: Always`), given its rendered env and mounts
    /// (`None` when a probe port cannot be resolved, see [`Sidecar::validate`]).
    pub(crate) fn to_container(&self, env: Vec<EnvVar>, mounts: Vec<VolumeMount>) -> Option<Container> {
        let probe = |p: &Option<super::Probe>| match p {
            Some(p) => p.to_k8s(&self.ports).map(Some),
            None => Some(None),
        };
        let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
        let resources = Some(self.resources.requirements()).filter(|r| r.requests.is_some() || r.limits.is_some());
        Some(Container {
            name: self.name.to_string(),
            image: Some(self.image.clone()),
            command: non_empty(self.command.clone()),
            args: non_empty(self.args.clone()),
            ports: (!self.ports.is_empty()).then(|| self.ports.iter().map(Port::to_container_port).collect()),
            env: (!env.is_empty()).then_some(env),
            env_from: (!self.env_from.is_empty())
                .then(|| self.env_from.iter().map(EnvFrom::to_env_from_source).collect()),
            volume_mounts: (!mounts.is_empty()).then_some(mounts),
            resources,
            security_context: Some(self.container_context()),
            startup_probe: probe(&self.probes.startup)?,
            readiness_probe: probe(&self.probes.readiness)?,
            liveness_probe: probe(&self.probes.liveness)?,
            restart_policy: Some("Always".to_owned()),
            ..Default::default()
        })
    }

    /// Its mounts of the app's volumes.
    pub(crate) fn mounts(&self) -> Vec<VolumeMount> {
        self.volumes
            .iter()
            .map(|m| VolumeMount {
                name: m.name.to_string(),
                mount_path: m.mount_path.clone(),
                read_only: m.read_only.then_some(true),
                sub_path: m.sub_path.clone(),
                ..Default::default()
            })
            .collect()
    }
}
