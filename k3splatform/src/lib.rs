//! # k3splatform
//!
//! The platform side of the suite, with the same typed approach as the app crates:
//!
//! | spec (`kind:`) | type | renders |
//! |---|---|---|
//! | one Helm chart | [`Chart`] | an Argo CD `Application` (`argoproj.io/v1alpha1`) in `argocd` |
//! | `Platform` | [`Platform`] | an `AppProject` (unless `default`) and one `Application` per chart |
//! | (options) | [`BootstrapOptions`] | [`bootstrap()`]: ESO, KEDA, KEDA HTTP, Traefik or HAProxy, the `ClusterSecretStore` |
//! | `Tenant` | [`Tenant`] | namespace `<prefix>-<id>` with quota, defaults, default-deny, provisioner RBAC |
//! | `Store` | [`Store`] | a tenant `store-<id>` with Postgres, a Medusa-style API and its route |
//!
//! Everything is pure: a spec plus a [`k3score::Context`] gives a [`k3score::Bundle`].
//!
//! ```
//! use k3splatform::{Tenant, Store};
//! use k3score::{Context, Target};
//! let tenant: Tenant = k3score::yaml::from_yaml("kind: Tenant\nid: acme\n").unwrap();
//! let ctx = Context::new(Target::gcp(), "unused".parse().unwrap());
//! assert!(tenant.render(&ctx).unwrap().iter().any(|o| o.kind() == "ClusterRole"));
//! let store: Store = k3score::yaml::from_yaml("kind: Store\nid: acme\napi_image: ghcr.io/acme/medusa:2.8.4\n").unwrap();
//! assert!(store.render(&ctx).unwrap().iter().any(|o| o.kind() == "Password"));
//! ```
//!
//! The crate has no features and picks no Kubernetes version.

pub mod bootstrap;
pub mod chart;
pub mod platform;
pub mod size;
pub mod store;
pub mod tenant;

pub use bootstrap::{BootstrapOptions, ChartRef, PlatformCharts, bootstrap};
pub use chart::{Chart, ChartSource, Retry, Sync};
pub use platform::{Platform, PlatformKind};
pub use size::{SizeProfile, Sizes};
pub use store::{Store, StoreKind};
pub use tenant::{NamespaceAccess, Tenant, TenantKind};
