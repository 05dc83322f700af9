//! Size profiles of the store workload: `small` for laptops and dev clusters, `large` for
//! production.

use k3score::quantity::{Bytes, Cpu};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// Target names that get the [`SizeProfile::Small`] profile by default.
pub const SMALL_TARGETS: [&str; 2] = ["local", "dev"];

/// A named set of resource sizes.
///
/// ```
/// use k3splatform::SizeProfile;
/// assert_eq!(SizeProfile::for_target("local"), SizeProfile::Small);
/// assert_eq!(SizeProfile::for_target("gcp"), SizeProfile::Large);
/// assert_eq!(SizeProfile::Large.sizes().api_replicas, 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SizeProfile {
    /// One API replica, 100m/256Mi API, 250m/512Mi Postgres, 5Gi of storage.
    Small,
    /// Two API replicas, 500m/1Gi API, 1 CPU/2Gi Postgres, 50Gi of storage.
    Large,
}

impl SizeProfile {
    /// The profile of a target: `small` for `local` and `dev`, `large` for every other
    /// target (production-like clusters such as `gcp`).
    #[must_use]
    pub fn for_target(target: &str) -> Self {
        if SMALL_TARGETS.contains(&target) {
            SizeProfile::Small
        } else {
            SizeProfile::Large
        }
    }

    /// The sizes of the profile.
    #[must_use]
    pub fn sizes(self) -> Sizes {
        match self {
            SizeProfile::Small => Sizes {
                api_replicas: 1,
                api_cpu: Cpu::millis(100),
                api_cpu_limit: Cpu::millis(500),
                api_memory: Bytes::mebibytes(256),
                postgres_cpu: Cpu::millis(250),
                postgres_cpu_limit: Cpu::cores(1),
                postgres_memory: Bytes::mebibytes(512),
                postgres_storage: Bytes::gibibytes(5),
                default_cpu: Cpu::millis(50),
                default_cpu_limit: Cpu::millis(200),
                default_memory: Bytes::mebibytes(64),
                max_pods: 10,
            },
            SizeProfile::Large => Sizes {
                api_replicas: 2,
                api_cpu: Cpu::millis(500),
                api_cpu_limit: Cpu::cores(2),
                api_memory: Bytes::gibibytes(1),
                postgres_cpu: Cpu::cores(1),
                postgres_cpu_limit: Cpu::cores(2),
                postgres_memory: Bytes::gibibytes(2),
                postgres_storage: Bytes::gibibytes(50),
                default_cpu: Cpu::millis(100),
                default_cpu_limit: Cpu::millis(500),
                default_memory: Bytes::mebibytes(128),
                max_pods: 20,
            },
        }
    }
}

/// Resource sizes of one store. Memory limits equal memory requests (no overcommit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// API replicas.
    pub api_replicas: i32,
    /// API CPU request.
    pub api_cpu: Cpu,
    /// API CPU limit.
    pub api_cpu_limit: Cpu,
    /// API memory request and limit.
    pub api_memory: Bytes,
    /// Postgres CPU request.
    pub postgres_cpu: Cpu,
    /// Postgres CPU limit.
    pub postgres_cpu_limit: Cpu,
    /// Postgres memory request and limit.
    pub postgres_memory: Bytes,
    /// The Postgres volume.
    pub postgres_storage: Bytes,
    /// LimitRange default CPU request of containers without resources.
    pub default_cpu: Cpu,
    /// LimitRange default CPU limit.
    pub default_cpu_limit: Cpu,
    /// LimitRange default memory request and limit.
    pub default_memory: Bytes,
    /// Most pods in the namespace.
    pub max_pods: u32,
}
