//! # k3sapp
//!
//! Long-running apps from one description. An [`App`] (a YAML spec file or the
//! [`AppBuilder`]) renders for a [`Target`] into a [`Bundle`] of typed objects: a Deployment
//! (or a StatefulSet for stateful apps), its Service, autoscaling (HPA or KEDA), a
//! PodDisruptionBudget, NetworkPolicies, routes through the target's ingress controller,
//! Secrets or ExternalSecrets, PVCs and a ServiceAccount, plus a Tiltfile snippet for the
//! inner loop. Every mechanism comes from `k3score`; this crate only composes them.
//!
//! ```
//! use k3sapp::App;
//! use k3score::{Context, Target};
//! use k8s_openapi::api::core::v1::Service;
//!
//! let app: App = k3score::yaml::from_yaml(r#"
//! name: orders
//! image: ghcr.io/acme/orders:1.4.2
//! ports: [{name: http, port: 8080}]
//! resources: {cpu: 250m, memory: 256Mi}
//! scaling: {hpa: {min: 2, max: 10, cpu: 70}}
//! expose: {host: orders, paths: [/api], strip_prefix: true}
//! "#).unwrap();
//! let bundle = app.render(&Context::new(Target::local(), "shop".parse().unwrap())).unwrap();
//! assert!(bundle.get::<Service>("orders").is_some());
//! let kinds: Vec<_> = bundle.in_apply_order().iter().map(|o| o.kind().into_owned()).collect();
//! assert_eq!(kinds.last().unwrap(), "IngressRoute");
//! ```
//!
//! | spec block | objects |
//! |---|---|
//! | `image`, `command`, `args`, `ports`, `env`, `volumes`, `probes`, `resources`, `security_context` | the pod template (k3score `workload`) |
//! | `workload: stateful` | StatefulSet + headless Service + volume claim templates |
//! | `workload: daemon_set` / `job` / `cron_job`, `job`, `cron_job` | DaemonSet, Job or CronJob (no Service for Jobs; no autoscaling or PDB) |
//! | `strategy`, `min_ready`, `revision_history` | the controller's update strategy, `minReadySeconds`, `revisionHistoryLimit` |
//! | `scaling` | HPA, KEDA ScaledObject / TriggerAuthentication / HTTP add-on objects |
//! | `pdb` | PodDisruptionBudget (default for two replicas or more) |
//! | `security` | NetworkPolicies (visibility, allow_from, allow_to, DNS) |
//! | `service_account` | ServiceAccount with workload identity |
//! | `expose` | IngressRoute + Middlewares, HAProxy Ingress, or HTTPRoute |
//! | `build` | a Tiltfile snippet ([`Build::tiltfile`]) |
//!
//! Large sets stream: [`AppSet::render_each`] validates every app, then hands over one
//! [`Bundle`] per app (after the secrets they share), so memory does not grow with the set.
//!
//! The crate has no features.

mod pdb;
mod render;
mod spec;
mod stream;
mod tilt;
mod validate;

pub use pdb::{IntOrPercent, Pdb};
pub use spec::{App, AppBuilder, AppKind, AppSet, AppsKind};
pub use tilt::{Build, LiveUpdate};
pub use validate::MAX_STATEFUL_NAME;

pub use k3score::workload::WorkloadKind;
pub use k3score::{Bundle, Context, Errors, Target};
