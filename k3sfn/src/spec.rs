//! The function project model: what `functions.yaml`, the builder and discovery produce.

use std::collections::BTreeSet;

use k3score::Errors;
use k3score::exposure::Host;
use k3score::identity::ServiceAccountSpec;
use k3score::names::{Dns1035Label, DnsLabel, DnsSubdomain};
use k3score::network::{NetworkSpec, Peer, Visibility};
use k3score::patch::{ExtraObject, Patch};
use k3score::resources::Resources;
use k3score::workload::{
    ConfigFile, ContainerSecurity, Env, EnvFrom, ImagePullPolicy, Lifecycle, Metadata, Placement, Sidecar,
};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::handler::Handler;
use crate::trigger::{HttpTrigger, QueueDefaults, QueueTrigger, ScheduleTrigger, Trigger};

/// Default container port of HTTP functions (`K3SFN_PORT`).
pub const DEFAULT_PORT: u16 = 8080;
/// Default `max_replicas` of HTTP and queue functions.
pub const DEFAULT_MAX_REPLICAS: i32 = 10;
/// Default source folders, relative to `functions.yaml`, that callers scan for decorators.
pub const DEFAULT_SOURCES: &str = "src";

/// The spec-file kind tag (`kind: Functions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum FunctionsKind {
    /// `kind: Functions`.
    #[default]
    Functions,
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

/// A function project: shared image and defaults, and its functions.
///
/// `functions.yaml` uses snake_case keys and rejects unknown ones; the [`ProjectBuilder`]
/// reaches the same validation ([`Project::validate`]) through its `build()`; functions found
/// by [`crate::discover`] join with [`Project::with_discovered`].
///
/// ```
/// use k3sfn::{Function, HttpTrigger, Project, ProjectBuilder, Trigger};
/// let built = ProjectBuilder::default()
///     .name("shop".parse::<k3score::names::Dns1035Label>().unwrap())
///     .image("ghcr.io/acme/shop-fn:1.0.0")
///     .functions(vec![Function::new("hello".parse().unwrap(), "main:hello".parse().unwrap(),
///         Trigger::Http(HttpTrigger::new("/hello")))])
///     .build()
///     .unwrap();
/// let from_yaml: Project = k3score::yaml::from_yaml(
///     "kind: Functions\nname: shop\nimage: ghcr.io/acme/shop-fn:1.0.0\nfunctions:\n  \
///      - {name: hello, handler: 'main:hello', trigger: {http: {path: /hello}}}\n").unwrap();
/// assert_eq!(built.functions, from_yaml.functions);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Project {
    /// The file kind tag (`Functions`). Default: `Functions`.
    #[serde(default)]
    pub kind: FunctionsKind,
    /// The project's name: object names are `<project>-<function>`, the default route host is
    /// the project name. Starts with a letter (DNS-1035).
    pub name: Dns1035Label,
    /// The image every function runs, unless the function names its own. Default: none (each
    /// function must then set `image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The entrypoint of the function runtime. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments of the runtime. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Folders (relative to `functions.yaml`) scanned for decorated `.py`, `.ts` and `.js`
    /// files by callers of [`crate::discover`]; each must exist. Default: `src`, when that
    /// folder exists (a project that declares every function inline needs none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
    /// Port HTTP functions listen on (`K3SFN_PORT`). Default: 8080.
    #[serde(default = "default_port")]
    pub port: u16,
    /// Default host of HTTP routes. Default: the project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
    /// Environment of every function (a function's `env` adds to and overrides it). Names
    /// starting with `K3SFN_` are reserved. Default: none.
    #[serde(default, skip_serializing_if = "Env::is_empty")]
    pub env: Env,
    /// Whole Secrets and ConfigMaps as environment of every function. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    /// Requests and limits of every function (a function's `resources` replaces them).
    /// Default: none.
    #[serde(default)]
    pub resources: Resources,
    /// Pod and container security contexts. Default: Pod Security `restricted`.
    #[serde(default)]
    pub security_context: ContainerSecurity,
    /// The ServiceAccount: by default one per function (named like its objects); with
    /// `create: true` and a `name`, one shared account rendered once. Default: one per function.
    #[serde(default)]
    pub service_account: ServiceAccountSpec,
    /// Network defaults (`visibility` is each function's default). Default: `internal`,
    /// egress to DNS only.
    #[serde(default)]
    pub security: NetworkSpec,
    /// Redis Sentinel defaults of queue triggers. Default: none.
    #[serde(default)]
    pub queue: QueueDefaults,
    /// The functions.
    #[serde(default)]
    pub functions: Vec<Function>,
    /// RFC 6902 patches of any object of the project, by kind and name (no opt-outs).
    /// Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the project's namespace unless they name one.
    /// Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

k3score::builder! {
    /// Builds a [`Project`] in Rust; [`ProjectBuilder::build`] runs [`Project::validate`].
    pub struct ProjectBuilder for Project {
        required { name: Dns1035Label }
        defaulted {
            kind: FunctionsKind = Default::default(),
            command: Vec<String> = Default::default(),
            args: Vec<String> = Default::default(),
            sources: Option<Vec<String>> = None,
            port: u16 = DEFAULT_PORT,
            env: Env = Default::default(),
            env_from: Vec<EnvFrom> = Default::default(),
            resources: Resources = Default::default(),
            security_context: ContainerSecurity = Default::default(),
            service_account: ServiceAccountSpec = Default::default(),
            security: NetworkSpec = Default::default(),
            queue: QueueDefaults = Default::default(),
            functions: Vec<Function> = Default::default(),
            patches: Vec<Patch> = Default::default(),
            objects: Vec<ExtraObject> = Default::default(),
        }
        optional { image: String, host: Host }
    }
}

impl ProjectBuilder {
    /// Builds the project and runs [`Project::validate`], the same validation files get.
    pub fn build(&self) -> Result<Project, Errors> {
        let project = self.build_unchecked()?;
        project.validate()?;
        Ok(project)
    }
}

/// One function: a handler, its trigger, and overrides of the project defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Function {
    /// The function's name, unique in the project (discovery: the source name in kebab case).
    pub name: DnsLabel,
    /// `module:function` passed to the runtime as `K3SFN_HANDLER`.
    pub handler: Handler,
    /// What starts it.
    pub trigger: Trigger,
    /// Who may call it: `public` (a route through the ingress controller; HTTP only),
    /// `internal`, `private` or `restricted`. Default: the project's `security.visibility`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Extra peers the function may connect to, on top of the project's. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_to: Vec<Peer>,
    /// This function's image. Default: the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// This function's runtime arguments. Default: the project's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment added to (and overriding) the project's. Default: none.
    #[serde(default, skip_serializing_if = "Env::is_empty")]
    pub env: Env,
    /// Requests and limits. Default: the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Fewest replicas (HTTP and queue). Default: 0 (scale to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
    /// Most replicas (HTTP and queue). Default: 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<i32>,
    /// Target in-flight requests per replica (HTTP). Default: KEDA HTTP's 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<i32>,
    /// Labels and annotations of the function's Deployment or CronJob. Default: none. Example:
    /// `metadata: {annotations: {argocd.argoproj.io/sync-wave: "1"}}`.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Labels and annotations of its pod template. Default: none. Example:
    /// `pod: {annotations: {prometheus.io/scrape: "true"}}`.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub pod: Metadata,
    /// Secrets with registry credentials. Default: none. Example: `image_pull_secrets: [regcred]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<DnsSubdomain>,
    /// When the images are pulled. Default: Kubernetes'. Example: `image_pull_policy: always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<ImagePullPolicy>,
    /// Node selector, tolerations, spreading, node affinity, priority and runtime class.
    /// Default: none. Example: `placement: {node_selector: {kubernetes.io/arch: arm64}}`.
    #[serde(default)]
    pub placement: Placement,
    /// Containers beside the function (Kubernetes native sidecars). Default: none. Example:
    /// `sidecars: [{name: proxy, image: ghcr.io/acme/proxy:1.0}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<Sidecar>,
    /// Hooks after start and before stop. Default: none. Example:
    /// `lifecycle: {pre_stop: {sleep: 5s}}`.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Files mounted read-only from a ConfigMap of the function (`from` is read relative to
    /// the spec file). Default: none. Example: `config_files: [{path: /etc/fn/config.yaml, content: "a: 1"}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_files: Vec<ConfigFile>,
    /// The escape hatch: RFC 6902 patches of this function's rendered objects, by kind and name
    /// (`<project>-<function>`), checked after they apply (with the project's
    /// `security_context` opt-outs). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// Extra objects of kinds the suite knows, in the project's namespace unless they name one.
    /// Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ExtraObject>,
}

impl Function {
    /// A function with every default.
    #[must_use]
    pub fn new(name: DnsLabel, handler: Handler, trigger: Trigger) -> Self {
        Self {
            name,
            handler,
            trigger,
            visibility: None,
            allow_to: Vec::new(),
            image: None,
            args: Vec::new(),
            env: Env::new(),
            resources: None,
            min_replicas: None,
            max_replicas: None,
            concurrency: None,
            metadata: Metadata::default(),
            pod: Metadata::default(),
            image_pull_secrets: Vec::new(),
            image_pull_policy: None,
            placement: Placement::default(),
            sidecars: Vec::new(),
            lifecycle: Lifecycle::default(),
            config_files: Vec::new(),
            patches: Vec::new(),
            objects: Vec::new(),
        }
    }

    /// An HTTP function on `path`.
    ///
    /// ```
    /// let f = k3sfn::Function::http("list-orders".parse().unwrap(), "orders:list_orders".parse().unwrap(), "/orders");
    /// assert_eq!(f.trigger.kind(), "http");
    /// ```
    #[must_use]
    pub fn http(name: DnsLabel, handler: Handler, path: impl Into<String>) -> Self {
        Self::new(name, handler, Trigger::Http(HttpTrigger::new(path)))
    }

    /// A queue function consuming `list`.
    #[must_use]
    pub fn queue(name: DnsLabel, handler: Handler, list: impl Into<String>) -> Self {
        Self::new(name, handler, Trigger::Queue(QueueTrigger::new(list)))
    }

    /// A scheduled function.
    #[must_use]
    pub fn schedule(name: DnsLabel, handler: Handler, cron: impl Into<String>) -> Self {
        Self::new(name, handler, Trigger::Schedule(ScheduleTrigger::new(cron)))
    }

    /// The same function with another visibility.
    #[must_use]
    pub fn with_visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = Some(visibility);
        self
    }
}

impl Project {
    /// The image a function runs, if any.
    #[must_use]
    pub fn image_of<'a>(&'a self, function: &'a Function) -> Option<&'a str> {
        function.image.as_deref().or(self.image.as_deref())
    }

    /// The distinct image references of the project: functions sharing the project image
    /// produce one reference (what a build tool builds and pushes).
    ///
    /// ```
    /// let p: k3sfn::Project = k3score::yaml::from_yaml("name: shop\nimage: acme/fn:1\nfunctions:\n\
    ///   - {name: a, handler: 'm:a', trigger: {http: {path: /a}}}\n\
    ///   - {name: b, handler: 'm:b', trigger: {queue: {list: b}}}\n").unwrap();
    /// assert_eq!(p.images().into_iter().collect::<Vec<_>>(), ["acme/fn:1"]);
    /// ```
    #[must_use]
    pub fn images(&self) -> BTreeSet<&str> {
        self.functions.iter().filter_map(|f| self.image_of(f)).collect()
    }

    /// The visibility of `function` in effect.
    #[must_use]
    pub fn visibility_of(&self, function: &Function) -> Visibility {
        function.visibility.unwrap_or(self.security.visibility)
    }

    /// The same project with `functions` (from [`crate::discover`]) appended; names found
    /// in both are reported by [`Project::validate`].
    #[must_use]
    pub fn with_discovered(mut self, functions: Vec<Function>) -> Self {
        self.functions.extend(functions);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "schema")]
    fn json_schema_describes_the_file() {
        let schema = schemars::schema_for!(Project);
        let json = k3score::yaml::to_json(&schema).unwrap();
        for key in [
            "\"functions\"",
            "\"trigger\"",
            "\"schedule\"",
            "\"concurrency_policy\"",
            "\"Functions\"",
        ] {
            assert!(json.contains(key), "{key} missing from the schema");
        }
    }

    #[test]
    fn defaults() {
        let p: Project = k3score::yaml::from_yaml("name: shop\n").unwrap();
        assert_eq!(
            (p.kind, p.port, p.sources.as_deref()),
            (FunctionsKind::Functions, 8080, None)
        );
        let f =
            Function::queue("a".parse().unwrap(), "m:a".parse().unwrap(), "jobs").with_visibility(Visibility::Private);
        assert_eq!(p.visibility_of(&f), Visibility::Private);
        let g = Function::queue("b".parse().unwrap(), "m:b".parse().unwrap(), "jobs");
        assert_eq!(p.visibility_of(&g), Visibility::Internal);
        assert!(p.images().is_empty());
    }
}
