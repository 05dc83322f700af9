//! The `App` spec: one description of a long-running app, from YAML or the builder.

use std::collections::BTreeMap;

use k3score::Errors;
use k3score::exposure::Expose;
use k3score::identity::ServiceAccountSpec;
use k3score::monitoring::Monitoring;
use k3score::names::DnsLabel;
use k3score::names::DnsSubdomain;
use k3score::network::NetworkSpec;
use k3score::patch::{ExtraObject, Patch};
use k3score::ports::Port;
use k3score::resources::Resources;
use k3score::scaling::Scaling;
use k3score::workload::{
    ConfigFile, ContainerSecurity, CronJobSettings, Env, EnvFrom, ImagePullPolicy, InitContainer, JobSettings,
    Lifecycle, Metadata, Placement, Probes, ServiceSettings, Sidecar, Strategy, Volume, WorkloadKind,
};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::pdb::Pdb;
use crate::tilt::Build;

/// The spec-file kind tag of an app file (`kind: App`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AppKind {
    /// `kind: App`.
    #[default]
    App,
}

/// The spec-file kind tag of a file with several apps (`kind: Apps`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum AppsKind {
    /// `kind: Apps`.
    #[default]
    Apps,
}

/// A long-running app.
///
/// Spec files use snake_case keys and reject unknown ones; the [`AppBuilder`] reaches the same
/// validation ([`App::validate`]) through its `build()`.
///
/// ```
/// use k3sapp::{App, AppBuilder};
/// use k3score::ports::Port;
///
/// let app = AppBuilder::default()
///     .name("orders".parse::<k3score::names::DnsLabel>().unwrap())
///     .image("ghcr.io/acme/orders:1.4.2")
///     .ports(vec![Port::tcp("http".parse().unwrap(), 8080)])
///     .build()
///     .unwrap();
/// let from_yaml: App = k3score::yaml::from_yaml(
///     "name: orders\nimage: ghcr.io/acme/orders:1.4.2\nports: [{name: http, port: 8080}]\n").unwrap();
/// assert_eq!(app, from_yaml);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct App {
    /// The file kind tag (`App`), optional in files that hold one app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppKind>,
    /// The app's name: object names derive from it. It names the Service too, so it must
    /// start with a letter (DNS-1035).
    pub name: DnsLabel,
    /// The controller: `deployment`, `stateful`, `daemon_set`, `job` or `cron_job`. Default:
    /// `deployment`. Example: `workload: daemon_set`.
    #[serde(default)]
    pub workload: WorkloadKind,
    /// Job settings of a `job` or `cron_job` workload. Default: Kubernetes'. Example: `job:
    /// {backoff_limit: 2, active_deadline: 600, ttl_after_finished: 3600}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobSettings>,
    /// The schedule of a `cron_job` workload, required there. Example: `cron_job: {schedule:
    /// "0 3 * * *", time_zone: Europe/Paris, concurrency: forbid}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_job: Option<CronJobSettings>,
    /// How pods are replaced: `{rolling: {max_surge, max_unavailable}}` or `recreate`
    /// (deployment), `{rolling: {partition}}` or `on_delete` (stateful), `{rolling: {max_surge,
    /// max_unavailable}}` or `on_delete` (daemon_set). Default: Kubernetes' rolling update.
    /// Example: `strategy: {rolling: {max_surge: 1, max_unavailable: 0}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// Seconds a new pod must be ready before it counts as available (`minReadySeconds`).
    /// Default: 0. Example: `min_ready: 10`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready: Option<i32>,
    /// Old revisions kept for rollbacks (`revisionHistoryLimit`). Default: Kubernetes' 10.
    /// Example: `revision_history: 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history: Option<i32>,
    /// The image reference.
    pub image: String,
    /// `app.kubernetes.io/part-of` (the project or platform). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// The entrypoint. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Working directory. Default: the image's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Named ports; the Service exposes all of them. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// The Service's type and settings. Default: a ClusterIP Service (headless for stateful
    /// apps). A `load_balancer` or `node_port` Service opens its ports to every source
    /// (`0.0.0.0/0`, `::/0`) in the app's NetworkPolicy. Example: `service: {type:
    /// load_balancer, external_traffic: local}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceSettings>,
    /// Metrics scraped by Prometheus: a prometheus-operator ServiceMonitor, and the target's
    /// monitoring namespace may reach that port (only). Default: none. Example: `monitoring:
    /// {port: metrics, path: /metrics, interval: 30s}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<Monitoring>,
    /// Environment variables: literals with `${VAR}`, secret, config map and field refs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: Env,
    /// Whole Secrets and ConfigMaps as environment variables. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    /// Volumes and their mounts. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// Startup, readiness and liveness probes. Default: none.
    #[serde(default)]
    pub probes: Probes,
    /// Requests, limits, ephemeral storage and GPUs. Default: none.
    #[serde(default)]
    pub resources: Resources,
    /// Pod and container security contexts. Default: Pod Security `restricted`.
    #[serde(default)]
    pub security_context: ContainerSecurity,
    /// The ServiceAccount. Default: one of its own, without an API token.
    #[serde(default)]
    pub service_account: ServiceAccountSpec,
    /// Visibility and allow rules, rendered as NetworkPolicies. Default: `internal`
    /// (`public` when the app has routes and no visibility is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<NetworkSpec>,
    /// Replica count when no autoscaler owns it. Default: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Autoscaling. Default: none.
    #[serde(default)]
    pub scaling: Scaling,
    /// The PodDisruptionBudget. Default: `max_unavailable: 1` when at least two replicas
    /// run (fixed count or autoscaler minimum), none otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdb: Option<Pdb>,
    /// HTTP routes through the target's ingress controller; one route or a list.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "k3score::yaml::one_or_many"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "k3score::yaml::OneOrMany<Expose>"))]
    pub expose: Vec<Expose>,
    /// Init containers, run to completion before the app. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<InitContainer>,
    /// Seconds between SIGTERM and SIGKILL. Default: Kubernetes' 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period: Option<i64>,
    /// How to build the image from source (Tilt). Default: none (a prebuilt image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// Labels and annotations of the Deployment or StatefulSet, merged with ours; a label may
    /// not change a selector label. Default: none. Example:
    /// `metadata: {annotations: {argocd.argoproj.io/sync-wave: "1"}}`.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Labels and annotations of the pod template, merged with ours (Prometheus, Reloader,
    /// Argo CD, Velero annotations); a label may not change a selector label. Default: none.
    /// Example: `pod: {annotations: {prometheus.io/scrape: "true"}, labels: {tier: web}}`.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub pod: Metadata,
    /// Secrets with registry credentials (`kubernetes.io/dockerconfigjson`). Default: none.
    /// Example: `image_pull_secrets: [regcred]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<DnsSubdomain>,
    /// When the images are pulled: `always`, `if_not_present` or `never`. Default: Kubernetes'.
    /// Example: `image_pull_policy: if_not_present`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<ImagePullPolicy>,
    /// Node selector, tolerations, spreading, node affinity, priority and runtime class; GPU
    /// settings add theirs. Default: none. Example:
    /// `placement: {node_selector: {kubernetes.io/arch: arm64}, spread: zone}`.
    #[serde(default)]
    pub placement: Placement,
    /// Containers beside the app (Kubernetes native sidecars, Kubernetes 1.33+), with the
    /// app's restricted defaults; their ports join the Service. Default: none. Example:
    /// `sidecars: [{name: logs, image: fluent/fluent-bit:3.2, volumes: [{name: logs, mount_path: /logs}]}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<Sidecar>,
    /// Hooks after start and before stop: `sleep`, `exec` or `http` each. Default: none.
    /// Example: `lifecycle: {pre_stop: {sleep: 5s}}`.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Files mounted read-only from a ConfigMap of the app (`from` is read relative to the
    /// spec file); pods roll when they change (`checksum/config`). Default: none. Example:
    /// `config_files: [{path: /etc/app/config.yaml, from: ./config.yaml}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_files: Vec<ConfigFile>,
    /// The escape hatch: RFC 6902 patches of the app's rendered objects, by kind and name
    /// (`[{target: {kind: Deployment, name: orders}, ops: [{op: add, path: /spec/template/spec/dnsConfig, value: {..}}]}]`),
    /// each checked after it applies (typed round trip, Pod Security `restricted` with this
    /// app's `security_context` opt-outs). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows (`[{apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {..}}]`),
    /// in the app's namespace unless they name one. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

k3score::builder! {
    /// Builds an [`App`] in Rust; [`AppBuilder::build`] runs the same validation as spec files.
    pub struct AppBuilder for App {
        required { name: DnsLabel, image: String }
        defaulted {
            kind: Option<AppKind> = Default::default(),
            workload: WorkloadKind = Default::default(),
            job: Option<JobSettings> = Default::default(),
            cron_job: Option<CronJobSettings> = Default::default(),
            strategy: Option<Strategy> = Default::default(),
            min_ready: Option<i32> = Default::default(),
            revision_history: Option<i32> = Default::default(),
            part_of: Option<String> = Default::default(),
            command: Vec<String> = Default::default(),
            args: Vec<String> = Default::default(),
            working_dir: Option<String> = Default::default(),
            ports: Vec<Port> = Default::default(),
            service: Option<ServiceSettings> = Default::default(),
            monitoring: Option<Monitoring> = Default::default(),
            env: Env = Default::default(),
            env_from: Vec<EnvFrom> = Default::default(),
            volumes: Vec<Volume> = Default::default(),
            probes: Probes = Default::default(),
            resources: Resources = Default::default(),
            security_context: ContainerSecurity = Default::default(),
            service_account: ServiceAccountSpec = Default::default(),
            security: Option<NetworkSpec> = Default::default(),
            replicas: Option<i32> = Default::default(),
            scaling: Scaling = Default::default(),
            pdb: Option<Pdb> = Default::default(),
            expose: Vec<Expose> = Default::default(),
            init_containers: Vec<InitContainer> = Default::default(),
            termination_grace_period: Option<i64> = Default::default(),
            build as build_config: Option<Build> = Default::default(),
            metadata: Metadata = Default::default(),
            pod: Metadata = Default::default(),
            image_pull_secrets: Vec<DnsSubdomain> = Default::default(),
            image_pull_policy: Option<ImagePullPolicy> = Default::default(),
            placement: Placement = Default::default(),
            sidecars: Vec<Sidecar> = Default::default(),
            lifecycle: Lifecycle = Default::default(),
            config_files: Vec<ConfigFile> = Default::default(),
            patches: Vec<Patch> = Default::default(),
            objects: Vec<ExtraObject> = Default::default(),
        }
        optional {  }
    }
}

impl AppBuilder {
    /// Builds the app and runs [`App::validate`], the same validation spec files get.
    pub fn build(&self) -> Result<App, Errors> {
        let app = self.build_unchecked()?;
        app.validate()?;
        Ok(app)
    }
}

/// Reads an app from its YAML spec: the same as [`k3score::yaml::from_yaml`]`::<App>`, every
/// bad value reported with its field path and line.
///
/// With the feature `reader` (on by default): the reader for `App` is then compiled here, once,
/// rather than in each crate that reads one (a `build.rs` calling `from_yaml::<App>` reuses it in
/// debug builds: issue 18, compile time).
///
/// ```
/// let app: k3sapp::App = "name: orders\nimage: ghcr.io/acme/orders:1.4.2\n".parse().unwrap();
/// assert_eq!(app.name.as_str(), "orders");
/// let errors = "name: Orders\nimage: x\n".parse::<k3sapp::App>().unwrap_err();
/// assert_eq!(errors.0[0].path.to_string(), "name");
/// ```
#[cfg(feature = "reader")]
impl std::str::FromStr for App {
    type Err = Errors;

    fn from_str(text: &str) -> Result<Self, Errors> {
        k3score::yaml::from_yaml(text)
    }
}

/// Several apps rendered together into one namespace (`kind: Apps`).
///
/// Names must be unique; errors name the app (`apps[2].scaling.max`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AppSet {
    /// The file kind tag (`Apps`).
    pub kind: AppsKind,
    /// The namespace. Default: the caller's choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
    /// The apps.
    pub apps: Vec<App>,
    /// RFC 6902 patches of any object of the set, by kind and name (as an app's `patches`,
    /// without an app's opt-outs). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the set's namespace unless they name one.
    /// Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}
