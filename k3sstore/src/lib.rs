//! # k3sstore
//!
//! The store provisioning platform that runs: a cluster-scoped [`resource::Store`] custom
//! resource, a `kube::runtime` controller that renders each store with
//! [`k3splatform::Store`] and applies it with server-side apply, Kubernetes Events as the
//! activity log, Prometheus metrics, and an HTTP API served by the same binary.
//!
//! | module | what |
//! |---|---|
//! | [`resource`] | the `Store` custom resource (`stores.platform.k3s.io`), spec, status, phases |
//! | [`state`] | [`state::State`]: client, metrics and configuration shared by controller and HTTP server |
//! | [`metrics`] | the Prometheus metrics and their JSON summary |
//! | [`controller`] | the reconcile loop |
//! | [`http`] | the HTTP server |
//! | [`install`] | the orchestrator's own install bundle (`k3sstore install`) |
//!
//! State lives in the cluster (the `Store` objects and their `status`), never in a side
//! database: a restarted orchestrator lists the stores and converges.

pub mod controller;
pub mod http;
pub mod install;
pub mod metrics;
pub mod resource;
pub mod state;

pub use resource::{Phase, Store, StoreSpec, StoreStatus};
pub use state::{Config, State};
