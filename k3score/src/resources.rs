//! Container resources: CPU, memory and ephemeral-storage requests and limits, and GPUs.
//!
//! One [`Resources`] block is shared by apps, functions and compose services:
//!
//! ```yaml
//! resources: {cpu: 250m, memory: 256Mi, limits: {memory: 512Mi}, gpu: {count: 1, product: nvidia-l4}}
//! ```
//!
//! It renders to a container's `resources` ([`Resources::requirements`]) and to the pod's
//! GPU placement ([`Resources::scheduling`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ResourceRequirements, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::quantity::{Bytes, Cpu};

/// Resource name of CPU in requests and limits.
pub const CPU: &str = "cpu";
/// Resource name of memory in requests and limits.
pub const MEMORY: &str = "memory";
/// Resource name of ephemeral (node-local, container-writable) storage.
pub const EPHEMERAL_STORAGE: &str = "ephemeral-storage";
/// Node label GKE sets on GPU nodes to the accelerator type (REFERENCE §10, G5, G6).
pub const GKE_ACCELERATOR_LABEL: &str = "cloud.google.com/gke-accelerator";
/// Taint key of NVIDIA GPU nodes (the device plugin's example and GKE's GPU pool auto-taint; G4, G6).
pub const NVIDIA_GPU_TAINT: &str = "nvidia.com/gpu";

/// Requests, limits and GPUs of one container.
///
/// `cpu`, `memory` and `ephemeral_storage` are *requests* (what the scheduler reserves);
/// `limits` caps usage. When no memory limit is given, the memory limit equals the memory
/// request: memory is incompressible, so a container that grows past its request can only
/// be OOM-killed or evict its neighbours, and a limit at the request makes it fail alone
/// and predictably (the pod is `Guaranteed` for memory). CPU gets no limit unless one is
/// given: CPU is compressible, a busy container is only throttled, and CFS limits throttle
/// even when the node is idle.
///
/// ```
/// use k3score::resources::Resources;
/// let resources: Resources = serde_json::from_str(r#"{"cpu": "250m", "memory": "256Mi"}"#).unwrap();
/// let req = resources.requirements();
/// assert_eq!(req.requests.as_ref().unwrap()["cpu"].0, "250m");
/// let limits = req.limits.unwrap();
/// assert_eq!(limits["memory"].0, "256Mi"); // memory limit = request by default
/// assert!(!limits.contains_key("cpu"));    // no CPU limit by default
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Resources {
    /// CPU request (`250m`, `0.5`, `2`). Default: none (the namespace's LimitRange applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Memory request (`256Mi`). Also the memory limit unless `limits.memory` is set. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
    /// Ephemeral storage request (`1Gi`): logs, writable layers and disk `emptyDir`s. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<Bytes>,
    /// Explicit limits. Default: memory limit = memory request, nothing else limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// GPUs for the container. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<Gpu>,
}

/// Explicit limits; each must be at least the matching request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Limits {
    /// CPU limit (the container is throttled above it). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Memory limit (the container is OOM-killed above it). Default: the memory request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
    /// Ephemeral storage limit (the pod is evicted above it). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<Bytes>,
}

/// GPUs requested by a container (REFERENCE §10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Gpu {
    /// Whole GPUs (extended resources cannot be fractional or overcommitted). Default: 1.
    #[serde(default = "Gpu::default_count")]
    pub count: u32,
    /// The device plugin that exposes the GPUs. Default: `nvidia`.
    #[serde(default)]
    pub vendor: GpuVendor,
    /// NVIDIA only: the GKE accelerator type (`nvidia-l4`, `nvidia-tesla-t4`), rendered as the
    /// node selector `cloud.google.com/gke-accelerator`. Default: any GPU node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// NVIDIA only: tolerate the `nvidia.com/gpu:NoSchedule` taint of GPU nodes. Default: true.
    #[serde(default = "Gpu::default_tolerate")]
    pub tolerate: bool,
}

impl Gpu {
    /// The default GPU count.
    pub const DEFAULT_COUNT: u32 = 1;

    fn default_count() -> u32 {
        Self::DEFAULT_COUNT
    }

    fn default_tolerate() -> bool {
        true
    }

    /// `count` GPUs of `vendor`, any product, tolerating the vendor's taint.
    #[must_use]
    pub fn new(count: u32, vendor: GpuVendor) -> Self {
        Self {
            count,
            vendor,
            product: None,
            tolerate: true,
        }
    }
}

impl Default for Gpu {
    fn default() -> Self {
        Self::new(Self::DEFAULT_COUNT, GpuVendor::default())
    }
}

/// GPU vendors and the extended resource their device plugin exposes (REFERENCE §10, G1, G2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GpuVendor {
    /// NVIDIA device plugin: `nvidia.com/gpu`.
    #[default]
    Nvidia,
    /// AMD device plugin: `amd.com/gpu`.
    Amd,
    /// Intel device plugin, `i915` kernel driver: `gpu.intel.com/i915`.
    Intel,
}

impl GpuVendor {
    /// The extended resource name used in `resources.limits`.
    #[must_use]
    pub fn resource_name(self) -> &'static str {
        match self {
            GpuVendor::Nvidia => "nvidia.com/gpu",
            GpuVendor::Amd => "amd.com/gpu",
            GpuVendor::Intel => "gpu.intel.com/i915",
        }
    }
}

/// Pod-level placement derived from [`Resources`]: node selector and tolerations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scheduling {
    /// `spec.nodeSelector` entries.
    pub node_selector: BTreeMap<String, String>,
    /// `spec.tolerations` entries.
    pub tolerations: Vec<Toleration>,
}

impl Scheduling {
    /// Whether there is nothing to add to the pod spec.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_empty() && self.tolerations.is_empty()
    }
}

fn insert<T: ToString>(map: &mut BTreeMap<String, Quantity>, name: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(name.to_owned(), Quantity(value.to_string()));
    }
}

fn non_empty(map: BTreeMap<String, Quantity>) -> Option<BTreeMap<String, Quantity>> {
    (!map.is_empty()).then_some(map)
}

impl Resources {
    /// The container's `resources`: requests from `cpu`/`memory`/`ephemeral_storage`, limits
    /// from `limits` plus the memory default (see the type docs), and GPUs in `limits` only
    /// (the API server copies extended-resource limits into requests; G1, G3).
    ///
    /// ```
    /// use k3score::resources::{Gpu, GpuVendor, Resources};
    /// let resources = Resources { gpu: Some(Gpu::new(2, GpuVendor::Amd)), ..Default::default() };
    /// let req = resources.requirements();
    /// assert_eq!(req.limits.unwrap()["amd.com/gpu"].0, "2");
    /// assert!(req.requests.is_none());
    /// ```
    #[must_use]
    pub fn requirements(&self) -> ResourceRequirements {
        let mut requests = BTreeMap::new();
        insert(&mut requests, CPU, self.cpu);
        insert(&mut requests, MEMORY, self.memory);
        insert(&mut requests, EPHEMERAL_STORAGE, self.ephemeral_storage);
        let limits = self.limits.clone().unwrap_or_default();
        let mut limit_map = BTreeMap::new();
        insert(&mut limit_map, CPU, limits.cpu);
        insert(&mut limit_map, MEMORY, limits.memory.or(self.memory));
        insert(&mut limit_map, EPHEMERAL_STORAGE, limits.ephemeral_storage);
        if let Some(gpu) = &self.gpu {
            insert(&mut limit_map, gpu.vendor.resource_name(), Some(gpu.count));
        }
        ResourceRequirements {
            requests: non_empty(requests),
            limits: non_empty(limit_map),
            ..Default::default()
        }
    }

    /// The same requirements without GPUs (for init containers, which must not hold GPUs
    /// the main container needs at the same time).
    #[must_use]
    pub fn without_gpu(&self) -> Resources {
        Resources {
            gpu: None,
            ..self.clone()
        }
    }

    /// Node selector and tolerations for GPUs.
    ///
    /// NVIDIA: the toleration `nvidia.com/gpu Exists NoSchedule` (unless `tolerate: false`) and,
    /// when `product` is set, the GKE node selector `cloud.google.com/gke-accelerator: <product>`
    /// (G4, G5, G6). AMD and Intel: nothing. Their device plugins document no standard taint
    /// or node label, so any taint on such nodes is cluster-specific. Add it in the app's
    /// own tolerations.
    ///
    /// ```
    /// use k3score::resources::{Gpu, Resources};
    /// let gpu = Gpu { product: Some("nvidia-l4".into()), ..Gpu::default() };
    /// let scheduling = Resources { gpu: Some(gpu), ..Default::default() }.scheduling();
    /// assert_eq!(scheduling.node_selector["cloud.google.com/gke-accelerator"], "nvidia-l4");
    /// assert_eq!(scheduling.tolerations[0].key.as_deref(), Some("nvidia.com/gpu"));
    /// ```
    #[must_use]
    pub fn scheduling(&self) -> Scheduling {
        let mut scheduling = Scheduling::default();
        let Some(gpu) = &self.gpu else {
            return scheduling;
        };
        match gpu.vendor {
            GpuVendor::Nvidia => {
                if gpu.tolerate {
                    scheduling.tolerations.push(Toleration {
                        key: Some(NVIDIA_GPU_TAINT.to_owned()),
                        operator: Some("Exists".to_owned()),
                        effect: Some("NoSchedule".to_owned()),
                        ..Default::default()
                    });
                }
                if let Some(product) = &gpu.product {
                    scheduling
                        .node_selector
                        .insert(GKE_ACCELERATOR_LABEL.to_owned(), product.clone());
                }
            }
            GpuVendor::Amd | GpuVendor::Intel => {}
        }
        scheduling
    }
}

impl Validate for Resources {
    /// Records every problem: limits below requests, a zero memory request (it would become a
    /// zero memory limit), a GPU count of 0, and a GPU product for a vendor other than NVIDIA.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if self.memory.is_some_and(|m| m.as_bytes() == 0) {
            problems.push(
                path.field("memory"),
                ErrorKind::Invalid("memory request must be greater than 0".into()),
            );
        }
        if let Some(limits) = &self.limits {
            let lpath = path.field("limits");
            check_limit(lpath.field("cpu"), "cpu", self.cpu, limits.cpu, problems);
            check_limit(lpath.field("memory"), "memory", self.memory, limits.memory, problems);
            check_limit(
                lpath.field("ephemeral_storage"),
                "ephemeral_storage",
                self.ephemeral_storage,
                limits.ephemeral_storage,
                problems,
            );
            if limits.memory.is_some_and(|m| m.as_bytes() == 0) {
                problems.push(
                    lpath.field("memory"),
                    ErrorKind::Invalid("memory limit must be greater than 0".into()),
                );
            }
        }
        if let Some(gpu) = &self.gpu {
            gpu.validate(path.field("gpu"), problems);
        }
    }
}

fn check_limit<T: Ord + std::fmt::Display + Copy>(
    path: PathRef<'_>,
    what: &str,
    request: Option<T>,
    limit: Option<T>,
    problems: &mut Problems,
) {
    if let (Some(request), Some(limit)) = (request, limit)
        && limit < request
    {
        problems.push(
            path,
            ErrorKind::Conflict(format!("limit {limit} is below the {what} request {request}")),
        );
    }
}

impl Validate for Gpu {
    /// Records a zero count, and a product for AMD or Intel (the product selects a GKE
    /// accelerator node label, which exists for NVIDIA GPUs only).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if self.count == 0 {
            problems.push(path.field("count"), ErrorKind::Invalid("must be at least 1".into()));
        }
        if let Some(product) = &self.product {
            match self.vendor {
                GpuVendor::Nvidia => {
                    problems.check(path.field("product"), crate::names::check_label_value(product));
                    if product.is_empty() {
                        problems.push(
                            path.field("product"),
                            ErrorKind::Missing("an accelerator type like nvidia-l4".into()),
                        );
                    }
                }
                GpuVendor::Amd | GpuVendor::Intel => problems.push(
                    path.field("product"),
                    ErrorKind::Unsupported {
                        feature: "gpu.product".into(),
                        by: format!("the {} GPU vendor", self.vendor.resource_name()),
                        why: "it selects the GKE node label cloud.google.com/gke-accelerator, set for NVIDIA GPUs only"
                            .into(),
                    },
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(resources: &Resources) -> Vec<String> {
        resources.problems_at(PathRef::ROOT.field("resources")).messages()
    }

    #[test]
    fn requests_and_default_memory_limit() {
        let r: Resources = serde_json::from_str(
            r#"{"cpu": "250m", "memory": "256Mi", "ephemeral_storage": "1Gi", "limits": {"cpu": 1}}"#,
        )
        .unwrap();
        let req = r.requirements();
        let requests = req.requests.unwrap();
        assert_eq!(requests["cpu"].0, "250m");
        assert_eq!(requests["memory"].0, "256Mi");
        assert_eq!(requests["ephemeral-storage"].0, "1Gi");
        let limits = req.limits.unwrap();
        assert_eq!(limits["cpu"].0, "1");
        assert_eq!(limits["memory"].0, "256Mi");
        assert!(!limits.contains_key("ephemeral-storage"));
    }

    #[test]
    fn explicit_memory_limit_wins_and_empty_is_empty() {
        let r = Resources {
            memory: Some(Bytes::mebibytes(256)),
            limits: Some(Limits {
                memory: Some(Bytes::mebibytes(512)),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(r.requirements().limits.unwrap()["memory"].0, "512Mi");
        assert_eq!(Resources::default().requirements(), ResourceRequirements::default());
        assert!(Resources::default().scheduling().is_empty());
    }

    #[test]
    fn gpus_go_to_limits_with_vendor_names() {
        for (vendor, name) in [
            (GpuVendor::Nvidia, "nvidia.com/gpu"),
            (GpuVendor::Amd, "amd.com/gpu"),
            (GpuVendor::Intel, "gpu.intel.com/i915"),
        ] {
            let r = Resources {
                gpu: Some(Gpu::new(3, vendor)),
                ..Default::default()
            };
            let req = r.requirements();
            assert_eq!(req.limits.unwrap()[name].0, "3");
            assert!(req.requests.is_none());
            assert!(r.without_gpu().requirements().limits.is_none());
        }
    }

    #[test]
    fn nvidia_scheduling_and_opt_out() {
        let gpu: Gpu = serde_json::from_str(r#"{"product": "nvidia-tesla-t4"}"#).unwrap();
        assert_eq!(gpu.count, 1);
        assert!(gpu.tolerate);
        let s = Resources {
            gpu: Some(gpu.clone()),
            ..Default::default()
        }
        .scheduling();
        assert_eq!(s.node_selector[GKE_ACCELERATOR_LABEL], "nvidia-tesla-t4");
        let t = &s.tolerations[0];
        assert_eq!(
            (t.operator.as_deref(), t.effect.as_deref()),
            (Some("Exists"), Some("NoSchedule"))
        );
        let quiet = Resources {
            gpu: Some(Gpu {
                tolerate: false,
                product: None,
                ..gpu
            }),
            ..Default::default()
        };
        assert!(quiet.scheduling().is_empty());
        let amd = Resources {
            gpu: Some(Gpu::new(1, GpuVendor::Amd)),
            ..Default::default()
        };
        assert!(amd.scheduling().is_empty());
    }

    #[test]
    fn limits_below_requests_are_reported_with_paths() {
        let r: Resources = serde_json::from_str(
            r#"{"cpu": "2", "memory": "1Gi", "ephemeral_storage": "2Gi",
                "limits": {"cpu": "500m", "memory": "512Mi", "ephemeral_storage": "1Gi"}}"#,
        )
        .unwrap();
        assert_eq!(
            errors(&r),
            [
                "resources.limits.cpu: conflict: limit 500m is below the cpu request 2",
                "resources.limits.memory: conflict: limit 512Mi is below the memory request 1Gi",
                "resources.limits.ephemeral_storage: conflict: limit 1Gi is below the ephemeral_storage request 2Gi",
            ]
        );
    }

    #[test]
    fn gpu_and_zero_problems() {
        let r = Resources {
            memory: Some(Bytes::from_bytes(0)),
            gpu: Some(Gpu {
                count: 0,
                vendor: GpuVendor::Intel,
                product: Some("arc".into()),
                tolerate: true,
            }),
            ..Default::default()
        };
        let errs = errors(&r);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("resources.memory: "));
        assert_eq!(errs[1], "resources.gpu.count: must be at least 1");
        assert!(
            errs[2].starts_with("resources.gpu.product: gpu.product is not supported"),
            "{}",
            errs[2]
        );
        let bad_label = Resources {
            gpu: Some(Gpu {
                product: Some("nvidia l4".into()),
                ..Gpu::default()
            }),
            ..Default::default()
        };
        assert!(errors(&bad_label)[0].starts_with("resources.gpu.product: invalid label value"));
    }

    #[test]
    fn yaml_rejects_unknown_fields_and_bad_quantities() {
        assert!(serde_json::from_str::<Resources>(r#"{"cpus": 1}"#).is_err());
        assert!(serde_json::from_str::<Resources>(r#"{"memory": "lots"}"#).is_err());
        assert!(serde_json::from_str::<Resources>(r#"{"gpu": {"vendor": "matrox"}}"#).is_err());
    }
}
