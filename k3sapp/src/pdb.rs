//! PodDisruptionBudgets: how many replicas voluntary disruptions (node drains) may take down.

pub use k3score::quantity::IntOrPercent;
use k3score::{ErrorKind, PathRef, Problems, Validate};
#[cfg(test)]
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

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
}

impl Validate for Pdb {
    /// Records every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
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
