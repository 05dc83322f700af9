//! PodDisruptionBudgets: how many replicas voluntary disruptions (node drains) may take down.

use std::fmt;
use std::str::FromStr;

use k3score::{ErrorKind, PathRef, Problems};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

/// A count (`1`) or a percentage of replicas (`"25%"`, at most 100%).
///
/// ```
/// use k3sapp::IntOrPercent;
/// assert_eq!("25%".parse::<IntOrPercent>().unwrap(), IntOrPercent::Percent(25));
/// assert!("120%".parse::<IntOrPercent>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum IntOrPercent {
    /// A number of pods.
    Int(u32),
    /// A percentage of the desired pods (0 to 100).
    Percent(u8),
}

impl IntOrPercent {
    /// The `IntOrString` Kubernetes expects.
    #[must_use]
    pub fn to_k8s(self) -> IntOrString {
        match self {
            IntOrPercent::Int(n) => IntOrString::Int(i32::try_from(n).unwrap_or(i32::MAX)),
            IntOrPercent::Percent(p) => IntOrString::String(format!("{p}%")),
        }
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for IntOrPercent {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let bad = || ErrorKind::Invalid(format!("{value:?} is neither a count nor a percentage up to 100%"));
        match value.strip_suffix('%') {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= 100)
                .map(IntOrPercent::Percent)
                .ok_or_else(bad),
            None => value.parse().map(IntOrPercent::Int).map_err(|_| bad()),
        }
    }
}

impl serde::Serialize for IntOrPercent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrPercent::Int(n) => s.serialize_u32(*n),
            IntOrPercent::Percent(_) => s.collect_str(self),
        }
    }
}

impl<'de> serde::Deserialize<'de> for IntOrPercent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IntOrPercent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count or a percentage such as \"25%\"")
            }
            // A bad value recovers (inside `from_yaml`) as 1; its problem is reported.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IntOrPercent, E> {
                let checked = u32::try_from(v)
                    .map(IntOrPercent::Int)
                    .map_err(|_| ErrorKind::Invalid(format!("must be at most {}, is {v}", u32::MAX)));
                k3score::yaml::recover(checked, || IntOrPercent::Int(1))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IntOrPercent, E> {
                let checked = u32::try_from(v)
                    .map(IntOrPercent::Int)
                    .map_err(|_| ErrorKind::Invalid(format!("must not be negative, is {v}")));
                k3score::yaml::recover(checked, || IntOrPercent::Int(1))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IntOrPercent, E> {
                k3score::yaml::recover(v.parse(), || IntOrPercent::Int(1))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The PodDisruptionBudget of an app: exactly one of `min_available` and `max_unavailable`
/// (Kubernetes rejects both, REFERENCE.md §3), or `disabled: true`.
///
/// ```yaml
/// pdb: {max_unavailable: 1}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Pdb {
    /// Pods that must stay available. Default: unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be unavailable. Default: unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrPercent>,
    /// No PDB at all, even with several replicas. Default: false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

impl Pdb {
    /// The default budget for apps with at least two replicas: one pod down at a time.
    pub const DEFAULT: Pdb = Pdb {
        min_available: None,
        max_unavailable: Some(IntOrPercent::Int(1)),
        disabled: false,
    };

    /// Records every problem under `path`.
    pub fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match (self.disabled, &self.min_available, &self.max_unavailable) {
            (false, Some(_), Some(_)) => problems.push(
                path,
                ErrorKind::Conflict("set min_available or max_unavailable, not both".into()),
            ),
            (false, None, None) => problems.push(
                path,
                ErrorKind::Missing("min_available or max_unavailable (or disabled: true)".into()),
            ),
            (true, Some(_), _) | (true, _, Some(_)) => problems.push(
                path.field("disabled"),
                ErrorKind::Conflict("a disabled PDB takes no budget".into()),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_budget() {
        let both: Pdb = k3score::yaml::from_yaml("{min_available: 1, max_unavailable: 25%}").unwrap();
        let mut problems = Problems::default();
        both.validate(PathRef::ROOT.field("pdb"), &mut problems);
        assert_eq!(
            problems.finish(()).unwrap_err().to_string(),
            "pdb: conflict: set min_available or max_unavailable, not both"
        );
        let mut problems = Problems::default();
        Pdb::DEFAULT.validate(PathRef::ROOT.field("pdb"), &mut problems);
        assert!(problems.is_empty());
    }

    #[test]
    fn int_or_percent_forms() {
        let p: Pdb = k3score::yaml::from_yaml("{max_unavailable: 50%}").unwrap();
        assert_eq!(p.max_unavailable.unwrap().to_k8s(), IntOrString::String("50%".into()));
        assert!(k3score::yaml::from_yaml::<Pdb>("{max_unavailable: -1}").is_err());
        assert!(k3score::yaml::from_yaml::<Pdb>("{max_unavailable: 101%}").is_err());
    }
}
