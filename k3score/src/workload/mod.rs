//! The pod template shared by apps, functions and compose services.
//!
//! The spec blocks ([`Port`], [`Env`], [`EnvFrom`], [`Volume`], [`Probes`],
//! [`ContainerSecurity`], plus [`crate::resources::Resources`] and
//! [`crate::identity::ServiceAccountSpec`]) are what users write in YAML:
//!
//! ```yaml
//! image: ghcr.io/acme/orders:1.4.2
//! ports: [{name: http, port: 8080}]
//! env:
//!   DATABASE_URL: "postgres://${DB_HOST}:5432/orders"
//!   API_KEY: {secret: orders-api-key}
//! volumes: [{name: data, mount_path: /data, pvc: {size: 10Gi}}]
//! probes: {readiness: {http: /ready, port: http}}
//! security_context: {run_as_user: 10001}
//! ```
//!
//! The app crates declare fields of these types, then fill a plain [`Workload`] and call
//! [`Workload::render`] (Deployments, Jobs) or [`Workload::render_stateful`] (StatefulSets).
//! The pod it renders passes the Pod Security `restricted` profile unless the spec opts out
//! explicitly ([`ContainerSecurity::is_restricted`]).
//!
//! Error paths use the YAML keys of these blocks (`ports[1].name`, `env.API_KEY`,
//! `security_context.writable_paths[0]`); callers nest them with [`crate::Errors::under`].

mod config_files;
mod container;
mod controller;
mod env;
mod interpolate;
mod kind;
mod lifecycle;
mod meta;
mod placement;
mod pod;
mod probe;
mod render;
mod security;
mod service;
mod sidecar;
mod template;
mod volume;

/// Re-export of the port vocabulary, which lives in [`crate::ports`]: kept so
/// `k3score::workload::{Port, PortRef, Protocol}` keeps working.
#[doc(no_inline)]
pub use crate::ports::{Port, PortRef, Protocol};
/// Re-export of [`crate::secrets::SecretKeyRef`], where references to a Secret's key live:
/// kept so `k3score::workload::SecretKeyRef` keeps working.
#[doc(no_inline)]
pub use crate::secrets::SecretKeyRef;
pub use config_files::{CHECKSUM_ANNOTATION, CONFIG_FILES_VOLUME, ConfigFile, MAX_CONFIG_BYTES, checksum, config_key};
pub use container::{InitContainer, RestartPolicy};
pub use env::{
    ConfigMapKeyRef, Env, EnvFrom, EnvValue, FieldRef, RELAXED_ENV_NAMES_SINCE, check_env_name_for, check_field_path,
};
pub use interpolate::{Interpolated, Policy, interpolate, substitute};
pub use kind::{
    ConcurrencyPolicy, Controller, CronJobSettings, History, JobSettings, MAX_CRONJOB_NAME, RollingUpdate, Strategy,
    WorkloadKind,
};
pub use lifecycle::{Hook, Lifecycle, SLEEP_ACTION_SINCE};
pub use meta::{ImagePullPolicy, Metadata};
pub use placement::{
    AffinitySpec, NodeAffinitySpec, NodeOperator, NodePreference, NodeRequirement, Placement, Spread, TaintEffect,
    Toleration, TolerationOperator,
};
pub use pod::{RenderedWorkload, Workload};
pub use probe::{Probe, ProbeAction, Probes, Scheme};
pub use security::{Capability, ContainerSecurity};
pub use service::{ExternalTraffic, NODE_PORT_RANGE, ServiceSettings, ServiceType};
pub use sidecar::{Mount, SIDECARS_SINCE, Sidecar};
pub use volume::{AccessMode, EmptyDir, KeyPath, Medium, ObjectVolume, Pvc, Volume, VolumeSource};
