//! [`Project::render`]: per function a Deployment (+ Service, KEDA objects, route) or a
//! CronJob, NetworkPolicies, ServiceAccounts, and the project's secrets rendered once.

use std::collections::BTreeMap;

use k3score::exposure::{self, Backend, Host, Route};
use k3score::labels::{AppLabels, MANAGED_BY, MANAGER, PART_OF, image_version};
use k3score::names::{Dns1035Label, DnsLabel, bounded};
use k3score::network::{self, NetworkSpec, WorkloadPort};
use k3score::ports::{Port, PortRef};
use k3score::scaling::{KedaHttp, KedaQueue, ScalingContext, ServiceRef};
use k3score::secrets::{self, SecretRef};
use k3score::workload::{EnvValue, Workload};
use k3score::{Bundle, Context, ErrorKind, Errors, FieldPath, Object, Problems};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::env;
use crate::spec::{DEFAULT_MAX_REPLICAS, Function, Project};
use crate::trigger::{QueueTrigger, Trigger};

/// Longest name of a Deployment, Service or route of a function (a DNS label, REFERENCE §12).
pub const MAX_NAME: usize = 63;
pub use k3score::workload::MAX_CRONJOB_NAME;
/// The container port name of HTTP functions.
const HTTP_PORT_NAME: &str = "http";

/// Object name of `function` in `project`: `<project>-<function>`, cut to `max` characters
/// with a hash suffix when longer (deterministic, distinct inputs stay distinct).
///
/// ```
/// let name = k3sfn::object_name("shop", &"a".repeat(60), 52);
/// assert_eq!(name.len(), 52);
/// assert_eq!(name, k3sfn::object_name("shop", &"a".repeat(60), 52));
/// assert_eq!(k3sfn::object_name("shop", "hello", 63), "shop-hello");
/// ```
#[must_use]
pub fn object_name(project: &str, function: &str, max: usize) -> String {
    bounded(&format!("{project}-{function}"), "", max)
}

fn var(name: &str) -> k3score::names::EnvVarName {
    k3score::names::EnvVarName::new(name).unwrap_or_else(|_| unreachable!("static env var names are C identifiers"))
}

impl Project {
    /// The object name of `function` (a DNS-1035 label: the project name starts with a letter).
    pub(crate) fn name_of(&self, function: &Function) -> Result<Dns1035Label, ErrorKind> {
        let max = match function.trigger {
            Trigger::Schedule(_) => MAX_CRONJOB_NAME,
            Trigger::Http(_) | Trigger::Queue(_) => MAX_NAME,
        };
        Dns1035Label::new(object_name(self.name.as_str(), function.name.as_str(), max))
    }

    /// The recommended labels of `function`'s objects.
    fn labels_of(&self, name: &DnsLabel, function: &Function) -> AppLabels {
        let mut labels = AppLabels::new(name.clone())
            .with_part_of(self.name.to_string())
            .with_component(format!("function-{}", function.trigger.kind()));
        if let Some(version) = self.image_of(function).and_then(image_version) {
            labels = labels.with_version(version);
        }
        labels
    }

    /// The KEDA HTTP spec of an HTTP function (scale to zero by default).
    pub(crate) fn keda_http(&self, function: &Function) -> KedaHttp {
        KedaHttp {
            min: function.min_replicas.unwrap_or(0),
            max: function.max_replicas.unwrap_or(DEFAULT_MAX_REPLICAS),
            concurrency: function.concurrency,
            request_rate: None,
            scaledown_period: None,
        }
    }

    /// The KEDA queue spec of a queue function, with the project's Sentinel defaults.
    pub(crate) fn keda_queue(&self, function: &Function, queue: &QueueTrigger) -> KedaQueue {
        KedaQueue {
            min: function.min_replicas.unwrap_or(0),
            max: function.max_replicas.unwrap_or(DEFAULT_MAX_REPLICAS),
            addresses: if queue.addresses.is_empty() {
                self.queue.addresses.clone()
            } else {
                queue.addresses.clone()
            },
            master: queue
                .master
                .clone()
                .or_else(|| self.queue.master.clone())
                .unwrap_or_default(),
            list: queue.list.clone(),
            length: queue.length,
            activation_length: queue.activation_length,
            password: queue.password.clone().or_else(|| self.queue.password.clone()),
            sentinel_password: self.queue.sentinel_password.clone(),
        }
    }

    /// The pod-template input of `function`, named `name`.
    ///
    /// ```
    /// let p: k3sfn::Project = k3score::yaml::from_yaml("name: shop\nimage: acme/fn:1\nfunctions:\n\
    ///   - {name: hello, handler: 'main:hello', trigger: {http: {path: /hello}}}\n").unwrap();
    /// let w = p.workload(&p.functions[0], "shop-hello".parse().unwrap());
    /// assert_eq!(w.env[&"K3SFN_HANDLER".parse().unwrap()], "main:hello".into());
    /// assert_eq!(w.ports[0].port, 8080);
    /// ```
    #[must_use]
    pub fn workload(&self, function: &Function, name: DnsLabel) -> Workload {
        let mut env = self.env.clone();
        env.extend(function.env.clone());
        let mut set = |key: &str, value: EnvValue| {
            env.insert(var(key), value);
        };
        set(env::HANDLER, function.handler.as_str().into());
        set(env::FUNCTION, function.name.as_str().into());
        set(env::TRIGGER, function.trigger.kind().into());
        let mut ports = Vec::new();
        let mut restart_policy = None;
        match &function.trigger {
            Trigger::Http(http) => {
                set(env::PORT, self.port.to_string().as_str().into());
                set(env::PATH, http.path.as_str().into());
                if !http.methods.is_empty() {
                    let methods: Vec<&str> = http.methods.iter().map(|m| m.as_str()).collect();
                    set(env::METHODS, methods.join(",").as_str().into());
                }
                if let Ok(port_name) = HTTP_PORT_NAME.parse() {
                    ports.push(Port::tcp(port_name, self.port));
                }
            }
            Trigger::Queue(queue) => {
                let keda = self.keda_queue(function, queue);
                set(env::QUEUE_LIST, keda.list.as_str().into());
                set(env::QUEUE_ADDRESSES, keda.addresses.join(",").as_str().into());
                set(env::QUEUE_MASTER, keda.master.as_str().into());
                if let Some(secret) = keda.password {
                    set(env::REDIS_PASSWORD, EnvValue::Secret(secret));
                }
                if let Some(secret) = keda.sentinel_password {
                    set(env::SENTINEL_PASSWORD, EnvValue::Secret(secret));
                }
            }
            Trigger::Schedule(schedule) => restart_policy = Some(schedule.restart_policy),
        }
        let image = self.image_of(function).unwrap_or_default().to_owned();
        let mut service_account = self.service_account.clone();
        if let Some(shared) = self.shared_service_account() {
            service_account = k3score::identity::ServiceAccountSpec::existing(shared);
        }
        Workload {
            labels: self.labels_of(&name, function),
            command: self.command.clone(),
            args: if function.args.is_empty() {
                self.args.clone()
            } else {
                function.args.clone()
            },
            ports,
            env,
            env_from: self.env_from.clone(),
            resources: function.resources.clone().unwrap_or_else(|| self.resources.clone()),
            security: self.security_context.clone(),
            service_account,
            restart_policy,
            metadata: function.metadata.clone(),
            pod: function.pod.clone(),
            image_pull_secrets: function.image_pull_secrets.clone(),
            image_pull_policy: function.image_pull_policy,
            placement: function.placement.clone(),
            sidecars: function.sidecars.clone(),
            lifecycle: function.lifecycle.clone(),
            config_files: function.config_files.clone(),
            ..Workload::new(name, image)
        }
    }

    /// The ServiceAccount shared by every function (`create: true` with a `name`), if any.
    fn shared_service_account(&self) -> Option<k3score::names::DnsSubdomain> {
        self.service_account
            .create
            .then(|| self.service_account.name.clone())
            .flatten()
    }

    /// The route of a public HTTP function, through the target's controller to the KEDA
    /// HTTP interceptor (REFERENCE §2c): one route per function, named like its objects.
    fn route(&self, function: &Function, name: &DnsLabel, labels: &AppLabels, ctx: &Context) -> Option<Route> {
        let Trigger::Http(http) = &function.trigger else {
            return None;
        };
        if self.visibility_of(function) != network::Visibility::Public {
            return None;
        }
        let host = http
            .host
            .clone()
            .or_else(|| self.host.clone())
            .or_else(|| Host::try_from(self.name.to_string()).ok())?;
        Some(
            Route::new(name.clone(), host, Backend::keda_interceptor(&ctx.target))
                .with_paths([http.path.clone()])
                .with_labels(labels.clone()),
        )
    }

    /// Validates the project and renders every object of every function on `ctx.target`.
    ///
    /// ```
    /// use k3score::{Context, Target};
    /// use k8s_openapi::api::apps::v1::Deployment;
    /// use k8s_openapi::api::batch::v1::CronJob;
    /// let p: k3sfn::Project = k3score::yaml::from_yaml("name: shop\nimage: acme/fn:1\nfunctions:\n\
    ///   - {name: hello, handler: 'main:hello', trigger: {http: {path: /hello}}, visibility: public}\n\
    ///   - {name: nightly, handler: 'main:nightly', trigger: {schedule: {cron: '0 3 * * *'}}}\n").unwrap();
    /// let bundle = p.render(&Context::new(Target::local(), "shop".parse().unwrap())).unwrap();
    /// assert!(bundle.get::<Deployment>("shop-hello").is_some());
    /// assert!(bundle.get::<CronJob>("shop-nightly").is_some());
    /// assert!(bundle.iter().any(|o| o.kind() == "IngressRoute"));
    /// ```
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        self.validate()?;
        let mut problems = Problems::default();
        let mut objects: Vec<Object> = Vec::new();
        let mut refs: Vec<SecretRef> = Vec::new();
        if let Some(shared) = self.shared_service_account() {
            let labels = AppLabels::new(self.name.to_string().parse().unwrap_or_else(|_| unreachable!()))
                .with_part_of(self.name.to_string());
            let spec = k3score::identity::ServiceAccountSpec {
                name: Some(shared),
                ..self.service_account.clone()
            };
            objects.extend(spec.render(labels.name(), &labels, ctx).map(Object::from));
        }
        for (i, function) in self.functions.iter().enumerate() {
            let path = FieldPath::root().field("functions").index(i);
            let mut fn_problems = Problems::default();
            let mut rendered = self.render_function(function, ctx, &mut fn_problems, &mut refs, &path);
            if fn_problems.is_empty() {
                let opt_outs = k3score::patch::OptOuts::from(&self.security_context);
                let (extra, patches) = (&function.objects, &function.patches);
                let at = k3score::PathRef::ROOT;
                k3score::patch::apply_to(&mut rendered, extra, patches, ctx, &opt_outs, at, &mut fn_problems);
            }
            objects.extend(rendered);
            if let Err(errors) = fn_problems.finish(()) {
                problems.extend(errors.under(&path));
            }
        }
        // Secrets shared by several functions are rendered once, with every key they need.
        let labels = BTreeMap::from([
            (MANAGED_BY.to_owned(), MANAGER.to_owned()),
            (PART_OF.to_owned(), self.name.to_string()),
        ]);
        objects.extend(
            problems
                .take(secrets::render_secret_refs(&refs, &labels, ctx))
                .unwrap_or_default(),
        );
        let mut bundle: Bundle = problems.finish(objects)?.into_iter().collect();
        bundle.check_unique()?;
        bundle.escape_hatch(&self.objects, &self.patches, ctx)?;
        Ok(bundle)
    }

    /// Every object of one function but secrets; their refs go to `refs` (paths nested).
    fn render_function(
        &self,
        function: &Function,
        ctx: &Context,
        problems: &mut Problems,
        refs: &mut Vec<SecretRef>,
        path: &FieldPath,
    ) -> Vec<Object> {
        let Some(service_name) = problems.check(&FieldPath::root().field("name"), self.name_of(function)) else {
            return Vec::new();
        };
        let name = DnsLabel::new(service_name.as_str()).unwrap_or_else(|_| unreachable!("DNS-1035 is DNS-1123"));
        let workload = self.workload(function, name.clone());
        refs.extend(workload.secret_refs().into_iter().map(|r| {
            let nested = r.path.under(path);
            r.at(nested)
        }));
        let Some(rendered) = problems.take(workload.render(ctx)) else {
            return Vec::new();
        };
        let labels = workload.labels.clone();
        let mut objects = rendered.objects;
        let meta = workload.object_meta(name.as_str(), ctx.ns(), labels.labels());
        let sctx = ScalingContext::new(labels.clone(), ctx);
        let scaled = match &function.trigger {
            Trigger::Schedule(schedule) => {
                objects.push(crate::schedule::cron_job(schedule, meta, rendered.pod_template).into());
                Ok(Vec::new())
            }
            Trigger::Queue(queue) => {
                let keda = self.keda_queue(function, queue);
                refs.extend(keda.secret_refs(k3score::PathRef::from(path).field("trigger").field("queue")));
                objects.push(deployment(meta, &labels, rendered.pod_template).into());
                Ok(keda.render(&sctx))
            }
            Trigger::Http(http) => {
                objects.push(deployment(meta.clone(), &labels, rendered.pod_template).into());
                let port: Vec<Port> = workload.pod_ports().cloned().collect();
                objects.push(
                    Service {
                        metadata: ObjectMeta {
                            name: Some(service_name.to_string()),
                            namespace: ctx.ns(),
                            labels: Some(labels.labels()),
                            ..Default::default()
                        },
                        spec: Some(ServiceSpec {
                            selector: Some(labels.selector()),
                            ports: Some(port.iter().map(Port::to_service_port).collect()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }
                    .into(),
                );
                let route = self.route(function, &name, &labels, ctx);
                let hosts = match &route {
                    Some(route) => vec![route.host.resolve(&ctx.target)],
                    // Internal callers reach a scaled-to-zero function through the interceptor
                    // with this Host header (REFERENCE §2c).
                    None => vec![format!("{service_name}.{}.svc.cluster.local", ctx.namespace)],
                };
                let sctx = sctx
                    .with_service(ServiceRef {
                        name: service_name.to_string(),
                        port: PortRef::Number(self.port),
                    })
                    .with_hosts(hosts)
                    .with_paths(vec![http.path.clone()]);
                let mut scaled = self.keda_http(function).render(&sctx);
                if let (Ok(list), Some(route)) = (&mut scaled, route) {
                    let rendered =
                        exposure::render_routes(&[route], ctx).map_err(|e| e.under(&FieldPath::root().field("route")));
                    list.extend(problems.take(rendered).unwrap_or_default());
                }
                scaled
            }
        };
        objects.extend(problems.take(scaled).unwrap_or_default());
        objects.extend(
            self.network_policies(function, &labels, ctx)
                .into_iter()
                .map(Object::from),
        );
        objects
    }

    fn network_policies(
        &self,
        function: &Function,
        labels: &AppLabels,
        ctx: &Context,
    ) -> Vec<k8s_openapi::api::networking::v1::NetworkPolicy> {
        let spec = NetworkSpec {
            visibility: self.visibility_of(function),
            allow_to: self
                .security
                .allow_to
                .iter()
                .chain(&function.allow_to)
                .cloned()
                .collect(),
            ..self.security.clone()
        };
        let ports: Vec<WorkloadPort> = match function.trigger {
            Trigger::Http(_) => vec![WorkloadPort::tcp(self.port)],
            Trigger::Queue(_) | Trigger::Schedule(_) => Vec::new(),
        };
        // Routes of HTTP functions go to the KEDA HTTP interceptor, never to the function's
        // pods: the ingress controller reaches no port of them.
        let mut policies = network::render(&spec, labels, &ports, &[], ctx);
        if matches!(function.trigger, Trigger::Http(_)) {
            // The KEDA HTTP interceptor forwards every request (REFERENCE §2c).
            policies.push(network::allow_from_namespace(
                labels,
                &ctx.target.keda.namespace,
                &ports,
                ctx,
            ));
        }
        policies
    }
}

// `spec` is an `Option` in k8s 1.33 and required in 1.37: `.into()` compiles for both.
#[allow(clippy::useless_conversion)]
fn deployment(
    metadata: ObjectMeta,
    labels: &AppLabels,
    template: k8s_openapi::api::core::v1::PodTemplateSpec,
) -> Deployment {
    Deployment {
        metadata,
        // KEDA owns the replica count: leave it unset (REFERENCE §1a).
        spec: DeploymentSpec {
            replicas: None,
            selector: LabelSelector {
                match_labels: Some(labels.selector()),
                ..Default::default()
            },
            template,
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}
