//! # k3score
//!
//! The shared vocabulary and mechanisms of the k3s platform crates: validated names,
//! quantities, the pod template, security contexts and network policies, identity,
//! secrets, scaling, exposure (routes), tenancy, targets, and the typed output
//! [`Bundle`]. `k3sapp`, `k3sfn`, `k3scompose` and `k3sgateway` build on it and
//! re-implement none of it.
//!
//! Everything here is pure: rendering takes a spec and a [`Target`] and returns typed
//! `k8s-openapi` objects and typed custom resources; nothing talks to a cluster.
//!
//! ```
//! use k3score::{Bundle, Target};
//! use k3score::quantity::Cpu;
//!
//! let target = Target::local();
//! assert_eq!(target.host("orders"), "orders.localhost");
//! assert_eq!(Cpu::millis(250).to_quantity().0, "250m");
//! assert!(Bundle::new().to_yaml().unwrap().is_empty());
//! ```
//!
//! ## Modules
//!
//! | module | concern |
//! |---|---|
//! | [`error`] | field-path errors, all problems at once |
//! | [`names`], [`labels`] | Kubernetes name grammars, recommended labels, selectors |
//! | [`quantity`], [`resources`] | cpu / byte quantities, requests, limits, GPUs |
//! | [`ports`] | port vocabulary: container ports, protocols, references to a port by name or number |
//! | [`workload`] | the pod template: container, ports, env, volumes, probes, security contexts; the controller of every kind and the Service settings |
//! | [`network`] | visibility and allow rules as NetworkPolicies |
//! | [`identity`] | ServiceAccounts with workload identity |
//! | [`secrets`] | secret references as Secrets or ExternalSecrets; secret stores; generators |
//! | [`scaling`] | HPA, KEDA HTTP / queue / cron |
//! | [`monitoring`] | metrics scraped by Prometheus: ServiceMonitor and its NetworkPolicy |
//! | [`exposure`] | the `Route` model and its Traefik, HAProxy and Gateway API renderers |
//! | [`tenancy`] | namespace bundles: quotas, limits, default deny, RBAC |
//! | [`context`] | target, namespace, variables, secret values and thread count shared by renderers |
//! | [`par`] | mapping items on every core, results in input order (`K3S_JOBS`) |
//! | [`cron`] | cron expressions and time zones (KEDA cron, CronJobs) |
//! | [`dotenv`] | `.env` files for variables and local secret values |
//! | [`target`] | what differs between clusters; presets `local`, `dev`, `gcp` |
//! | [`object`], [`bundle`], [`yaml`] | the output model and its rendering |
//! | [`patch`] | the escape hatch: RFC 6902 `patches` and extra `objects`, validated |
//! | [`crd`] | typed custom resources: the crate `k3scrd`, re-exported (KEDA, External Secrets, Traefik, Gateway API, Argo CD, cert-manager, prometheus-operator) |
//!
//! The crate has no features. It never enables a Kubernetes version feature of
//! `k8s-openapi`: the final binary picks the version (1.33 to 1.37 are checked in CI).

mod builders;
pub mod bundle;
pub mod context;
/// Typed custom resources: the crate [`k3scrd`], re-exported so `k3score::crd::keda::v1alpha1::ScaledObject`
/// and `k3scrd::keda::v1alpha1::ScaledObject` name the same type.
pub use k3scrd as crd;
pub mod cron;
pub mod dotenv;
pub mod error;
pub mod exposure;
pub mod identity;
pub mod labels;
pub mod monitoring;
pub mod names;
pub mod network;
pub mod object;
pub mod par;
pub mod patch;
pub mod ports;
pub mod quantity;
pub mod resources;
pub mod scaling;
pub mod secrets;
pub mod suggest;
pub mod target;
pub mod tenancy;
pub mod workload;
pub mod writer;
pub mod yaml;

pub use bundle::Bundle;
pub use context::Context;
pub use error::{Error, ErrorKind, Errors, FieldPath, PathRef, Problems, Result, Validate};
pub use object::{Kind, Object};
pub use target::{Ingress, KedaHttpApi, SecretBackend, Target, TargetBuilder};
pub use writer::YamlWriter;
