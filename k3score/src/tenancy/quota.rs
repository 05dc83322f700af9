//! Namespace totals (`ResourceQuota`) and per-container defaults (`LimitRange`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::managed_meta;
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names::DnsLabel;
use crate::quantity::{Bytes, Cpu};

/// Name of the ResourceQuota.
pub const QUOTA_NAME: &str = "quota";
/// Name of the LimitRange.
pub const LIMITS_NAME: &str = "container-defaults";

/// Namespace totals (`ResourceQuota.spec.hard`). Unset fields are not limited.
///
/// ```
/// use k3score::tenancy::Quota;
/// let quota: Quota = k3score::yaml::from_yaml("{cpu: 4, memory: 8Gi, pvcs: 5}").unwrap();
/// let hard = quota.render(&"team-a".parse().unwrap()).spec.unwrap().hard.unwrap();
/// assert_eq!(hard["requests.memory"].0, "8Gi");
/// assert_eq!(hard["persistentvolumeclaims"].0, "5");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Quota {
    /// Sum of CPU requests (`requests.cpu`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Sum of memory requests (`requests.memory`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
    /// Sum of CPU limits (`limits.cpu`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_cpu: Option<Cpu>,
    /// Sum of memory limits (`limits.memory`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits_memory: Option<Bytes>,
    /// Sum of volume claims (`requests.storage`). Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Bytes>,
    /// Pods. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Services. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<u32>,
    /// PersistentVolumeClaims. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvcs: Option<u32>,
    /// Secrets. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<u32>,
    /// ConfigMaps. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configmaps: Option<u32>,
}

/// Per-container defaults and ceilings (`LimitRange`, type `Container`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct LimitDefaults {
    /// CPU request of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_request_cpu: Option<Cpu>,
    /// Memory request of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_request_memory: Option<Bytes>,
    /// CPU limit of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_limit_cpu: Option<Cpu>,
    /// Memory limit of containers that set none. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_limit_memory: Option<Bytes>,
    /// Highest CPU limit a container may have. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cpu: Option<Cpu>,
    /// Highest memory limit a container may have. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory: Option<Bytes>,
}

fn cpu_above(a: Option<Cpu>, b: Option<Cpu>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a > b)
}

fn bytes_above(a: Option<Bytes>, b: Option<Bytes>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.as_bytes() > b.as_bytes())
}

/// Records a conflict at `path.field(field)` for every `(field, is_above, message)` that holds.
fn conflicts(path: PathRef<'_>, checks: &[(&'static str, bool, &str)], problems: &mut Problems) {
    for (field, above, message) in checks {
        if *above {
            problems.push(path.field(field), ErrorKind::Conflict((*message).to_owned()));
        }
    }
}

fn quantities(pairs: Vec<(&str, Option<Quantity>)>) -> Option<BTreeMap<String, Quantity>> {
    let map: BTreeMap<String, Quantity> = pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect();
    (!map.is_empty()).then_some(map)
}

fn count(n: Option<u32>) -> Option<Quantity> {
    n.map(|n| Quantity(n.to_string()))
}

fn cpu_and_memory(cpu: Option<Cpu>, memory: Option<Bytes>) -> Option<BTreeMap<String, Quantity>> {
    quantities(vec![
        ("cpu", cpu.map(Cpu::to_quantity)),
        ("memory", memory.map(Bytes::to_quantity)),
    ])
}

impl Quota {
    /// Records every compute quota the API server would enforce on containers that `limits`
    /// gives no default for: with `requests.cpu` (or `memory`, `limits.cpu`, `limits.memory`)
    /// in a ResourceQuota, the quota admission refuses every pod with a container that does not
    /// set that resource (Kubernetes docs, "Resource Quotas": "users must specify requests or
    /// limits for those values"). A LimitRange default fills it in; a default limit also
    /// defaults the request (`SetDefaults_LimitRangeItem`, `pkg/apis/core/v1/defaults.go`).
    ///
    /// Each problem is recorded at `quota_path.<field>` and names the `limits` field to set.
    pub fn validate_defaults(
        &self,
        quota_path: PathRef<'_>,
        limits_path: PathRef<'_>,
        limits: Option<&LimitDefaults>,
        problems: &mut Problems,
    ) {
        let none = LimitDefaults::default();
        let l = limits.unwrap_or(&none);
        let cpu_limit = l.default_limit_cpu.is_some();
        let memory_limit = l.default_limit_memory.is_some();
        let checks = [
            (
                "cpu",
                self.cpu.is_some(),
                l.default_request_cpu.is_some() || cpu_limit,
                "default_request_cpu",
                "CPU request",
            ),
            (
                "memory",
                self.memory.is_some(),
                l.default_request_memory.is_some() || memory_limit,
                "default_request_memory",
                "memory request",
            ),
            (
                "limits_cpu",
                self.limits_cpu.is_some(),
                cpu_limit,
                "default_limit_cpu",
                "CPU limit",
            ),
            (
                "limits_memory",
                self.limits_memory.is_some(),
                memory_limit,
                "default_limit_memory",
                "memory limit",
            ),
        ];
        for (field, quoted, defaulted, default_field, what) in checks {
            if quoted && !defaulted {
                let default_path = limits_path.field(default_field);
                problems.push(
                    quota_path.field(field),
                    ErrorKind::Conflict(format!(
                        "the API server refuses every pod with a container that sets no {what} \
                         in a namespace with this quota; set {default_path} as well so the \
                         LimitRange gives those containers a default"
                    )),
                );
            }
        }
    }

    /// The ResourceQuota `quota` in `namespace`.
    #[must_use]
    pub fn render(&self, namespace: &DnsLabel) -> ResourceQuota {
        ResourceQuota {
            metadata: managed_meta(QUOTA_NAME, namespace.as_str()),
            spec: Some(ResourceQuotaSpec {
                hard: quantities(vec![
                    ("requests.cpu", self.cpu.map(Cpu::to_quantity)),
                    ("requests.memory", self.memory.map(Bytes::to_quantity)),
                    ("limits.cpu", self.limits_cpu.map(Cpu::to_quantity)),
                    ("limits.memory", self.limits_memory.map(Bytes::to_quantity)),
                    ("requests.storage", self.storage.map(Bytes::to_quantity)),
                    ("pods", count(self.pods)),
                    ("services", count(self.services)),
                    ("persistentvolumeclaims", count(self.pvcs)),
                    ("secrets", count(self.secrets)),
                    ("configmaps", count(self.configmaps)),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

impl Validate for Quota {
    /// Checks the quota (not empty, requests within limits), recording problems under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if *self == Quota::default() {
            problems.push(path, ErrorKind::Missing("at least one quota".into()));
        }
        let checks = [
            (
                "cpu",
                cpu_above(self.cpu, self.limits_cpu),
                "cpu requests above limits_cpu",
            ),
            (
                "memory",
                bytes_above(self.memory, self.limits_memory),
                "memory requests above limits_memory",
            ),
        ];
        conflicts(path, &checks, problems);
    }
}

impl LimitDefaults {
    /// Checks the defaults (not empty, request <= limit <= max, within `quota` when given),
    /// recording problems under `path`. Not [`Validate`]: the check needs the namespace's
    /// quota.
    pub fn validate(&self, path: PathRef<'_>, quota: Option<&Quota>, problems: &mut Problems) {
        if *self == LimitDefaults::default() {
            problems.push(path, ErrorKind::Missing("at least one default or maximum".into()));
        }
        let request_above = "default request above the default limit (or max)";
        let checks = [
            (
                "default_request_cpu",
                cpu_above(self.default_request_cpu, self.default_limit_cpu.or(self.max_cpu)),
                request_above,
            ),
            (
                "default_request_memory",
                bytes_above(
                    self.default_request_memory,
                    self.default_limit_memory.or(self.max_memory),
                ),
                request_above,
            ),
            (
                "default_limit_cpu",
                cpu_above(self.default_limit_cpu, self.max_cpu),
                "above max_cpu",
            ),
            (
                "default_limit_memory",
                bytes_above(self.default_limit_memory, self.max_memory),
                "above max_memory",
            ),
        ];
        conflicts(path, &checks, problems);
        if let Some(q) = quota {
            let whole = "a single container's default exceeds the namespace quota";
            let checks = [
                ("default_request_cpu", cpu_above(self.default_request_cpu, q.cpu), whole),
                (
                    "default_request_memory",
                    bytes_above(self.default_request_memory, q.memory),
                    whole,
                ),
                (
                    "default_limit_cpu",
                    cpu_above(self.default_limit_cpu, q.limits_cpu),
                    whole,
                ),
                (
                    "default_limit_memory",
                    bytes_above(self.default_limit_memory, q.limits_memory),
                    whole,
                ),
            ];
            conflicts(path, &checks, problems);
        }
    }

    /// The LimitRange `container-defaults` in `namespace` (type `Container`).
    #[must_use]
    pub fn render(&self, namespace: &DnsLabel) -> LimitRange {
        LimitRange {
            metadata: managed_meta(LIMITS_NAME, namespace.as_str()),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".to_owned(),
                    default: cpu_and_memory(self.default_limit_cpu, self.default_limit_memory),
                    default_request: cpu_and_memory(self.default_request_cpu, self.default_request_memory),
                    max: cpu_and_memory(self.max_cpu, self.max_memory),
                    ..Default::default()
                }],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::from_yaml;

    fn errors(quota: &str, limits: &str) -> Vec<String> {
        let quota: Option<Quota> = from_yaml(quota).unwrap();
        let limits: Option<LimitDefaults> = from_yaml(limits).unwrap();
        let mut problems = Problems::default();
        if let Some(q) = &quota {
            q.validate(PathRef::ROOT.field("quota"), &mut problems);
        }
        if let Some(l) = &limits {
            l.validate(PathRef::ROOT.field("limits"), quota.as_ref(), &mut problems);
        }
        problems.messages()
    }

    #[test]
    fn renders_limit_range() {
        let limits: LimitDefaults = from_yaml(
            "{default_request_cpu: 100m, default_request_memory: 128Mi, default_limit_cpu: 500m, \
             default_limit_memory: 512Mi, max_cpu: 2, max_memory: 2Gi}",
        )
        .unwrap();
        let v = serde_json::to_value(limits.render(&"team-a".parse().unwrap())).unwrap();
        assert_eq!(v["metadata"]["namespace"], "team-a");
        let item = &v["spec"]["limits"][0];
        assert_eq!(item["type"], "Container");
        assert_eq!(item["defaultRequest"]["cpu"], "100m");
        assert_eq!(item["default"]["memory"], "512Mi");
        assert_eq!(item["max"]["memory"], "2Gi");
        let only_max = LimitDefaults {
            max_cpu: Some(Cpu::cores(1)),
            ..Default::default()
        };
        let v = serde_json::to_value(only_max.render(&"a".parse().unwrap())).unwrap();
        assert!(v["spec"]["limits"][0].get("default").is_none());
    }

    #[test]
    fn errors_have_paths() {
        assert_eq!(
            errors(
                "{cpu: 2, limits_cpu: 1, memory: 2Gi, limits_memory: 1Gi}",
                "{default_request_cpu: '3', default_limit_cpu: 500m, default_limit_memory: 4Gi, max_memory: 1Gi}"
            ),
            [
                "quota.cpu: conflict: cpu requests above limits_cpu",
                "quota.memory: conflict: memory requests above limits_memory",
                "limits.default_request_cpu: conflict: default request above the default limit (or max)",
                "limits.default_limit_memory: conflict: above max_memory",
                "limits.default_request_cpu: conflict: a single container's default exceeds the namespace quota",
                "limits.default_limit_memory: conflict: a single container's default exceeds the namespace quota",
            ]
        );
        assert_eq!(
            errors("{}", "{}"),
            [
                "quota: missing: at least one quota",
                "limits: missing: at least one default or maximum"
            ]
        );
        // Equal amounts in different notations are not a conflict.
        assert!(errors("{memory: 1Gi, limits_memory: '1073741824'}", "null").is_empty());
        assert!(from_yaml::<Quota>("{cpus: 1}").is_err());
    }
}
