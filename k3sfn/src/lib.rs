//! # k3sfn
//!
//! Serverless functions from one description. A [`Project`] (a `functions.yaml` file, the
//! [`ProjectBuilder`], or functions [`discover`]ed from decorators in Python and TypeScript
//! sources) renders for a [`Target`] into a [`Bundle`] of typed objects. Every mechanism
//! comes from `k3score`; this crate only composes them.
//!
//! ```
//! use k3sfn::Project;
//! use k3score::{Context, Target};
//! use k8s_openapi::api::apps::v1::Deployment;
//!
//! let project: Project = k3score::yaml::from_yaml(r#"
//! kind: Functions
//! name: shop
//! image: ghcr.io/acme/shop-fn:1.0.0
//! queue: {addresses: ['redis-sentinel.data:26379'], master: mymaster}
//! "#).unwrap();
//! let found = k3sfn::discover(&[("orders.py", r#"
//! @http("/orders", methods=["GET", "POST"], visibility="public")
//! def list_orders(request): ...
//!
//! @queue("orders-created", max_replicas=20)
//! def on_order(msg): ...
//! "#)]).unwrap();
//! let project = project.with_discovered(found);
//! let bundle = project.render(&Context::new(Target::local(), "shop".parse().unwrap())).unwrap();
//! assert!(bundle.get::<Deployment>("shop-list-orders").is_some());
//! assert!(bundle.iter().any(|o| o.kind() == "ScaledObject" && o.name() == "shop-on-order"));
//! ```
//!
//! | function | objects |
//! |---|---|
//! | every function | pod template (k3score `workload`), ServiceAccount, `<name>-ingress`/`-egress` NetworkPolicies |
//! | `trigger: {http: ...}` | Deployment + Service; KEDA `InterceptorRoute` + `ScaledObject` (or `HTTPScaledObject` per `Target::keda`), min 0; NetworkPolicy admitting the KEDA namespace |
//! | `visibility: public` (HTTP) | one route per function to the KEDA interceptor: Traefik `IngressRoute`, HAProxy `Ingress` + `ExternalName` Service, or Gateway API `HTTPRoute` + `ReferenceGrant` |
//! | `trigger: {queue: ...}` | Deployment + KEDA `ScaledObject` (`redis-sentinel`) + `TriggerAuthentication` when a password is set |
//! | `trigger: {schedule: ...}` | CronJob (name at most 52 characters) |
//! | secrets in `env` / queue passwords | one Secret or ExternalSecret per secret for the whole project |
//!
//! Object names are `<project>-<function>`, cut with a hash suffix to 63 characters (52 for
//! CronJobs) by [`object_name`]. The runtime contract is in [`mod@env`]: the container gets
//! `K3SFN_HANDLER=module:function`, `K3SFN_TRIGGER` and the trigger's settings; `command`
//! and `args` are the project's (or the image's).
//!
//! Internal and private HTTP functions get no route: in-cluster callers reach them (also
//! from zero) through the interceptor with the Host `<name>.<namespace>.svc.cluster.local`.
//!
//! The crate has no features.

mod discover;
pub mod env;
mod handler;
mod render;
mod schedule;
mod spec;
mod trigger;
mod validate;

pub use discover::{DiscoveryError, DiscoveryErrors, discover, to_function_name};
pub use handler::{Handler, check_handler};
pub use render::{MAX_CRONJOB_NAME, MAX_NAME, object_name};
pub use spec::{DEFAULT_MAX_REPLICAS, DEFAULT_PORT, DEFAULT_SOURCES, Function, FunctionsKind, Project, ProjectBuilder};
pub use trigger::{
    ConcurrencyPolicy, DEFAULT_FAILED_HISTORY, DEFAULT_QUEUE_LENGTH, DEFAULT_SUCCESSFUL_HISTORY, HttpTrigger,
    QueueDefaults, QueueTrigger, ScheduleTrigger, Trigger,
};
pub use validate::RESERVED_ENV_PREFIX;

pub use k3score::{Bundle, Context, Errors, Target};
