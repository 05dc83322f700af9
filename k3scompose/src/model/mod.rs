//! The typed Compose Specification model, parsed after interpolation, `extends` and `include`.
//!
//! Keys the translator does not handle are either modelled (and reported) or land in an
//! `other` map: `x-` keys there are ignored, known compose keys are reported as not
//! supported, anything else is an error (compose itself rejects unknown keys).

mod syntax;

use std::collections::BTreeMap;

use k3sapp::WorkloadKind;
use k3score::exposure::Expose;
use k3score::monitoring::Monitoring;
use k3score::names::DnsSubdomain;
use k3score::network::{EgressMode, Visibility};
use k3score::quantity::Bytes;
use k3score::scaling::Scaling;
use k3score::workload::{
    AccessMode, ConfigFile, CronJobSettings, ImagePullPolicy, JobSettings, Lifecycle, Metadata, Placement,
    ServiceSettings, Sidecar, Strategy,
};
use k3score::yaml::OneOrMany;
use serde_derive::Deserialize;

pub(crate) use syntax::{BuildSpec, Command, DependsOn, EnvFile, FileRef, KeyValues, MountType, PortSpec, VolumeMount};

use crate::scalars::{External, Flag, Num, Text};
use crate::tree::Node;

/// A whole compose file.
#[derive(Debug, Deserialize)]
pub(crate) struct ComposeFile {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<Node>,
    #[serde(default)]
    pub(crate) services: BTreeMap<String, Service>,
    #[serde(default)]
    pub(crate) volumes: BTreeMap<String, Option<TopVolume>>,
    #[serde(default)]
    pub(crate) networks: BTreeMap<String, Option<TopNetwork>>,
    #[serde(default)]
    pub(crate) secrets: BTreeMap<String, TopFile>,
    #[serde(default)]
    pub(crate) configs: BTreeMap<String, TopFile>,
    /// `include`, `x-` extensions and unknown keys (those are reported from the tree, before
    /// this type is read: `Project::load`).
    #[serde(flatten)]
    pub(crate) _other: BTreeMap<String, Node>,
}

/// The keys of [`Service`] (its `other` map holds the rest), for "did you mean" on an unknown
/// service key; a test checks that each is a field.
pub(crate) const SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "volumes",
    "tmpfs",
    "secrets",
    "configs",
    "depends_on",
    "healthcheck",
    "deploy",
    "cpus",
    "mem_limit",
    "mem_reservation",
    "restart",
    "labels",
    "networks",
    "network_mode",
    "user",
    "cap_add",
    "cap_drop",
    "privileged",
    "read_only",
    "working_dir",
    "hostname",
    "stop_grace_period",
    "profiles",
    "x-k3s",
];

/// One service.
#[derive(Debug, Deserialize)]
pub(crate) struct Service {
    pub(crate) image: Option<String>,
    pub(crate) build: Option<BuildSpec>,
    pub(crate) command: Option<Command>,
    pub(crate) entrypoint: Option<Command>,
    pub(crate) environment: Option<KeyValues>,
    pub(crate) env_file: Option<OneOrMany<EnvFile>>,
    #[serde(default)]
    pub(crate) ports: Vec<PortSpec>,
    #[serde(default)]
    pub(crate) expose: Vec<Text>,
    #[serde(default)]
    pub(crate) volumes: Vec<VolumeMount>,
    pub(crate) tmpfs: Option<OneOrMany<String>>,
    #[serde(default)]
    pub(crate) secrets: Vec<FileRef>,
    #[serde(default)]
    pub(crate) configs: Vec<FileRef>,
    pub(crate) depends_on: Option<DependsOn>,
    pub(crate) healthcheck: Option<Healthcheck>,
    pub(crate) deploy: Option<Deploy>,
    pub(crate) cpus: Option<Text>,
    pub(crate) mem_limit: Option<Text>,
    pub(crate) mem_reservation: Option<Text>,
    pub(crate) restart: Option<String>,
    pub(crate) labels: Option<KeyValues>,
    pub(crate) networks: Option<ServiceNetworks>,
    pub(crate) network_mode: Option<String>,
    pub(crate) user: Option<Text>,
    #[serde(default)]
    pub(crate) cap_add: Vec<String>,
    #[serde(default)]
    pub(crate) cap_drop: Vec<String>,
    pub(crate) privileged: Option<Flag>,
    pub(crate) read_only: Option<Flag>,
    pub(crate) working_dir: Option<String>,
    pub(crate) hostname: Option<String>,
    pub(crate) stop_grace_period: Option<String>,
    #[serde(default)]
    pub(crate) profiles: Vec<String>,
    #[serde(rename = "x-k3s")]
    pub(crate) k3s: Option<ServiceExt>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// `networks` of a service: a list of names or a mapping of name to attachment options.
#[derive(Debug, Default)]
pub(crate) struct ServiceNetworks(pub(crate) Vec<(String, bool)>);

impl<'de> serde::Deserialize<'de> for ServiceNetworks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Node::deserialize(d)? {
            Node::Null => Ok(Self::default()),
            Node::Seq(items) => items
                .into_iter()
                .map(|n| {
                    n.scalar_text()
                        .map(|name| (name, false))
                        .ok_or_else(|| serde::de::Error::custom("networks items must be network names"))
                })
                .collect::<Result<_, _>>()
                .map(Self),
            Node::Map(map) => Ok(Self(
                map.into_iter()
                    .map(|(name, options)| {
                        let has_options = options.as_map().is_some_and(|m| !m.is_empty());
                        (name, has_options)
                    })
                    .collect(),
            )),
            _ => Err(serde::de::Error::custom("expected a list or a mapping of networks")),
        }
    }
}

/// `healthcheck`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Healthcheck {
    pub(crate) test: Option<Command>,
    pub(crate) interval: Option<String>,
    pub(crate) timeout: Option<String>,
    pub(crate) retries: Option<Num>,
    pub(crate) start_period: Option<String>,
    pub(crate) start_interval: Option<String>,
    pub(crate) disable: Option<Flag>,
}

/// `deploy`.
#[derive(Debug, Deserialize)]
pub(crate) struct Deploy {
    pub(crate) mode: Option<String>,
    pub(crate) replicas: Option<Num>,
    pub(crate) resources: Option<DeployResources>,
    pub(crate) update_config: Option<UpdateConfig>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// `deploy.update_config`: how the service's containers are replaced.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateConfig {
    pub(crate) parallelism: Option<Num>,
    pub(crate) order: Option<String>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// `deploy.resources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployResources {
    pub(crate) limits: Option<ResourceAmounts>,
    pub(crate) reservations: Option<ResourceAmounts>,
}

/// `deploy.resources.limits` / `.reservations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceAmounts {
    pub(crate) cpus: Option<Text>,
    pub(crate) memory: Option<Text>,
    pub(crate) pids: Option<Node>,
    pub(crate) devices: Option<Node>,
    pub(crate) generic_resources: Option<Node>,
}

/// A top-level volume.
#[derive(Debug, Deserialize)]
pub(crate) struct TopVolume {
    pub(crate) name: Option<String>,
    pub(crate) external: Option<External>,
    #[serde(rename = "x-k3s")]
    pub(crate) k3s: Option<VolumeExt>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// A top-level network.
#[derive(Debug, Deserialize)]
pub(crate) struct TopNetwork {
    pub(crate) name: Option<String>,
    pub(crate) external: Option<External>,
    pub(crate) internal: Option<Flag>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// A top-level secret or config.
#[derive(Debug, Deserialize)]
pub(crate) struct TopFile {
    pub(crate) file: Option<String>,
    pub(crate) environment: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) external: Option<External>,
    pub(crate) name: Option<String>,
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Node>,
}

/// The `x-k3s` extension of a service: what compose cannot say.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct ServiceExt {
    /// Follow `privileged`, root users and extra capabilities (leaves Pod Security `restricted`).
    #[serde(default)]
    pub(crate) allow_privileged: bool,
    /// HTTP routes through the target's ingress controller (read straight from the text,
    /// so that a problem in a route is reported and skipped like any other).
    #[serde(default, deserialize_with = "k3score::yaml::one_or_many")]
    pub(crate) expose: Vec<Expose>,
    /// Autoscaling.
    #[serde(default)]
    pub(crate) scaling: Scaling,
    /// Who may connect. Default: only the services sharing a network.
    pub(crate) visibility: Option<Visibility>,
    /// Egress. Default: DNS and the services sharing a network.
    pub(crate) egress: Option<EgressMode>,
    /// The controller: `deployment`, `stateful`, `daemon_set`, `job` or `cron_job`.
    pub(crate) workload: Option<WorkloadKind>,
    /// Labels and annotations of the workload object (the App's `metadata`).
    #[serde(default)]
    pub(crate) metadata: Metadata,
    /// Labels and annotations of the pod template (the App's `pod`).
    #[serde(default)]
    pub(crate) pod: Metadata,
    /// Registry credentials (the App's `image_pull_secrets`; Kompose's label adds to them).
    #[serde(default)]
    pub(crate) image_pull_secrets: Vec<DnsSubdomain>,
    /// When images are pulled (wins over Kompose's label).
    pub(crate) image_pull_policy: Option<ImagePullPolicy>,
    /// Placement (its node selector adds to `deploy.placement.constraints`).
    #[serde(default)]
    pub(crate) placement: Placement,
    /// Native sidecars.
    #[serde(default)]
    pub(crate) sidecars: Vec<Sidecar>,
    /// Lifecycle hooks of the service's container.
    #[serde(default)]
    pub(crate) lifecycle: Lifecycle,
    /// Files mounted from a ConfigMap of the service (inline `content`).
    #[serde(default)]
    pub(crate) config_files: Vec<ConfigFile>,
    /// The escape hatch: RFC 6902 patches of the service's rendered objects (as an App's).
    #[serde(default)]
    pub(crate) patches: Vec<k3score::patch::Patch>,
    /// Extra objects of kinds the suite knows (as an App's).
    #[serde(default)]
    pub(crate) objects: Vec<k3score::patch::ExtraObject>,
    /// Job settings (`job` and `cron_job` workloads).
    pub(crate) job: Option<JobSettings>,
    /// The schedule of a `cron_job` workload.
    pub(crate) cron_job: Option<CronJobSettings>,
    /// The update strategy (wins over `deploy.update_config`).
    pub(crate) strategy: Option<Strategy>,
    /// `minReadySeconds`.
    pub(crate) min_ready: Option<i32>,
    /// `revisionHistoryLimit`.
    pub(crate) revision_history: Option<i32>,
    /// The Service's type and settings.
    pub(crate) service: Option<ServiceSettings>,
    /// Metrics scraped by Prometheus (a ServiceMonitor).
    pub(crate) monitoring: Option<Monitoring>,
}

/// The `x-k3s` extension of a top-level volume.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct VolumeExt {
    /// Claim size. Default: [`crate::DEFAULT_VOLUME_SIZE`].
    pub(crate) size: Option<Bytes>,
    /// Storage class. Default: the target's.
    pub(crate) storage_class: Option<String>,
    /// Access mode. Default: `read_write_once`.
    pub(crate) access_mode: Option<AccessMode>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_keys_are_fields() {
        for key in SERVICE_KEYS {
            // A field takes the value or refuses it; a key that is no field lands in `other`.
            let service = k3score::yaml::from_yaml::<Service>(&format!("{key}: []\n"));
            assert!(service.is_err() || service.unwrap().other.is_empty(), "{key}");
        }
        let service = k3score::yaml::from_yaml::<Service>("imgae: []\n").unwrap();
        assert!(service.other.contains_key("imgae"));
    }
}
