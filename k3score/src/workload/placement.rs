//! Where pods may run (`placement:`): node selector, tolerations, spreading, node affinity,
//! priority and runtime class.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm,
    Toleration as K8sToleration, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::labels::AppLabels;
use crate::names::{DnsSubdomain, check_label_key, check_label_value};

/// Where the pods may run. Every part is optional; the GPU settings of `resources` add their
/// node selector and toleration to these.
///
/// ```yaml
/// placement:
///   node_selector: {kubernetes.io/arch: arm64}
///   tolerations: [{key: dedicated, value: batch, effect: no_schedule}]
///   spread: zone
///   affinity: {node: {required: [{key: node.kubernetes.io/instance-type, operator: in, values: [m5.large]}]}}
///   priority_class: high
///   runtime_class: gvisor
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Placement {
    /// Node labels the node must have (`nodeSelector`). Default: none. Example:
    /// `node_selector: {kubernetes.io/arch: arm64}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate. Default: none. Example:
    /// `tolerations: [{key: dedicated, value: batch, effect: no_schedule}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Spread the app's pods over zones or nodes (max skew 1, `ScheduleAnyway`). Default:
    /// none. Example: `spread: zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
    /// Node affinity rules. Default: none. Example:
    /// `affinity: {node: {required: [{key: disktype, operator: in, values: [ssd]}]}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<AffinitySpec>,
    /// The PriorityClass of the pods (`priorityClassName`). Default: the cluster's default.
    /// Example: `priority_class: high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class: Option<DnsSubdomain>,
    /// The RuntimeClass of the pods (`runtimeClassName`, e.g. gVisor or Kata). Default: the
    /// node's runtime. Example: `runtime_class: gvisor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_class: Option<DnsSubdomain>,
}

/// A taint the pods tolerate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Toleration {
    /// The taint key. Default: none (with `operator: exists`, every taint). Example: `key: dedicated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// How the value is matched. Default: `equal`. Example: `operator: exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<TolerationOperator>,
    /// The taint value (`equal` only). Default: empty. Example: `value: batch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The taint effect. Default: every effect. Example: `effect: no_schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TaintEffect>,
    /// How long a `no_execute` taint is tolerated before eviction. Default: forever. Example:
    /// `seconds: 60`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i64>,
}

/// How a toleration matches a taint's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TolerationOperator {
    /// Key and value equal.
    Equal,
    /// The key exists, any value.
    Exists,
}

/// A taint effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaintEffect {
    /// New pods are not scheduled.
    NoSchedule,
    /// New pods are avoided.
    PreferNoSchedule,
    /// Running pods are evicted.
    NoExecute,
}

/// The topology the pods are spread over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// Zones (`topology.kubernetes.io/zone`).
    Zone,
    /// Nodes (`kubernetes.io/hostname`).
    Hostname,
}

impl Spread {
    /// The well-known node label of the topology.
    #[must_use]
    pub fn topology_key(self) -> &'static str {
        match self {
            Spread::Zone => "topology.kubernetes.io/zone",
            Spread::Hostname => "kubernetes.io/hostname",
        }
    }
}

/// Affinity rules (`affinity:`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AffinitySpec {
    /// Node affinity. Default: none. Example: `node: {required: [{key: disktype, operator: exists}]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeAffinitySpec>,
}

/// Node affinity: rules every node must match, and preferences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NodeAffinitySpec {
    /// Requirements a node must all meet. Default: none. Example:
    /// `required: [{key: kubernetes.io/os, operator: in, values: [linux]}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<NodeRequirement>,
    /// Weighted preferences. Default: none. Example:
    /// `preferred: [{weight: 50, key: disktype, operator: in, values: [ssd]}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<NodePreference>,
}

/// A requirement on a node label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NodeRequirement {
    /// The node label key. Example: `key: kubernetes.io/arch`.
    pub key: String,
    /// How the label is matched. Example: `operator: not_in`.
    pub operator: NodeOperator,
    /// The values (`in`, `not_in`). Default: none. Example: `values: [arm64]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A weighted node preference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NodePreference {
    /// 1 to 100. Example: `weight: 50`.
    pub weight: i32,
    /// The node label key. Example: `key: kubernetes.io/arch`.
    pub key: String,
    /// How the label is matched. Example: `operator: not_in`.
    pub operator: NodeOperator,
    /// The values (`in`, `not_in`). Default: none. Example: `values: [arm64]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// How a node label is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeOperator {
    /// The value is one of `values`.
    In,
    /// The value is none of `values` (or the label is missing).
    NotIn,
    /// The label exists.
    Exists,
    /// The label does not exist.
    DoesNotExist,
}

impl NodeOperator {
    fn as_str(self) -> &'static str {
        match self {
            NodeOperator::In => "In",
            NodeOperator::NotIn => "NotIn",
            NodeOperator::Exists => "Exists",
            NodeOperator::DoesNotExist => "DoesNotExist",
        }
    }
}

fn check_requirement(key: &str, operator: NodeOperator, values: &[String], path: PathRef<'_>, problems: &mut Problems) {
    problems.check(path.field("key"), check_label_key(key));
    match operator {
        NodeOperator::In | NodeOperator::NotIn if values.is_empty() => problems.push(
            path.field("values"),
            ErrorKind::Missing(format!("at least one value for operator {}", operator.as_str())),
        ),
        NodeOperator::Exists | NodeOperator::DoesNotExist if !values.is_empty() => problems.push(
            path.field("values"),
            ErrorKind::Invalid(format!("operator {} takes no values", operator.as_str())),
        ),
        _ => {}
    }
    let vpath = path.field("values");
    for (i, value) in values.iter().enumerate() {
        problems.check(vpath.index(i), check_label_value(value));
    }
}

fn expression(key: &str, operator: NodeOperator, values: &[String]) -> NodeSelectorRequirement {
    NodeSelectorRequirement {
        key: key.to_owned(),
        operator: operator.as_str().to_owned(),
        values: (!values.is_empty()).then(|| values.to_vec()),
    }
}

impl Placement {
    /// The pod's tolerations.
    #[must_use]
    pub fn tolerations(&self) -> Vec<K8sToleration> {
        self.tolerations
            .iter()
            .map(|t| K8sToleration {
                key: t.key.clone(),
                operator: t.operator.map(|o| {
                    match o {
                        TolerationOperator::Equal => "Equal",
                        TolerationOperator::Exists => "Exists",
                    }
                    .to_owned()
                }),
                value: t.value.clone(),
                effect: t.effect.map(|e| {
                    match e {
                        TaintEffect::NoSchedule => "NoSchedule",
                        TaintEffect::PreferNoSchedule => "PreferNoSchedule",
                        TaintEffect::NoExecute => "NoExecute",
                    }
                    .to_owned()
                }),
                toleration_seconds: t.seconds,
            })
            .collect()
    }

    /// The pod's `affinity`, if node rules are set.
    #[must_use]
    pub fn affinity(&self) -> Option<Affinity> {
        let node = self.affinity.as_ref()?.node.as_ref()?;
        if node.required.is_empty() && node.preferred.is_empty() {
            return None;
        }
        // One term: the requirements of a term are ANDed (terms are ORed).
        let required = (!node.required.is_empty()).then(|| NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(
                    node.required
                        .iter()
                        .map(|r| expression(&r.key, r.operator, &r.values))
                        .collect(),
                ),
                ..Default::default()
            }],
        });
        let preferred = node
            .preferred
            .iter()
            .map(|p| PreferredSchedulingTerm {
                weight: p.weight,
                preference: NodeSelectorTerm {
                    match_expressions: Some(vec![expression(&p.key, p.operator, &p.values)]),
                    ..Default::default()
                },
            })
            .collect::<Vec<_>>();
        Some(Affinity {
            node_affinity: Some(NodeAffinity {
                required_during_scheduling_ignored_during_execution: required,
                preferred_during_scheduling_ignored_during_execution: (!preferred.is_empty()).then_some(preferred),
            }),
            ..Default::default()
        })
    }

    /// The pod's `topologySpreadConstraints` for `spread`: max skew 1 over the topology key,
    /// counting the app's own pods (the selector of `app`), `ScheduleAnyway`; `None` (and
    /// no selector built) without `spread`.
    #[must_use]
    pub fn spread_constraints(&self, app: &AppLabels) -> Option<Vec<TopologySpreadConstraint>> {
        let spread = self.spread?;
        Some(vec![TopologySpreadConstraint {
            max_skew: 1,
            topology_key: spread.topology_key().to_owned(),
            when_unsatisfiable: "ScheduleAnyway".to_owned(),
            label_selector: Some(LabelSelector {
                match_labels: Some(app.selector()),
                ..Default::default()
            }),
            ..Default::default()
        }])
    }
}

impl Validate for Placement {
    /// Records malformed keys and values, operators without (or with extra) values, weights
    /// outside 1-100, and `seconds` on a toleration whose effect is not `no_execute`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let selector = path.field("node_selector");
        for (key, value) in &self.node_selector {
            let kpath = selector.field(key.as_str());
            problems.check(kpath, check_label_key(key));
            problems.check(kpath, check_label_value(value));
        }
        let tolerations = path.field("tolerations");
        for (i, t) in self.tolerations.iter().enumerate() {
            let tpath = tolerations.index(i);
            if let Some(key) = &t.key {
                problems.check(tpath.field("key"), check_label_key(key));
            }
            match t.operator {
                Some(TolerationOperator::Exists) if t.value.is_some() => problems.push(
                    tpath.field("value"),
                    ErrorKind::Invalid("operator exists matches any value: leave value out".into()),
                ),
                Some(TolerationOperator::Equal) | None if t.key.is_none() => problems.push(
                    tpath.field("key"),
                    ErrorKind::Missing("a taint key (or operator: exists to tolerate every taint)".into()),
                ),
                _ => {}
            }
            if t.seconds.is_some() && t.effect != Some(TaintEffect::NoExecute) {
                problems.push(
                    tpath.field("seconds"),
                    ErrorKind::Invalid("seconds applies to effect: no_execute only".into()),
                );
            }
        }
        let Some(node) = self.affinity.as_ref().and_then(|a| a.node.as_ref()) else {
            return;
        };
        let node_path = path.field("affinity");
        let node_path = node_path.field("node");
        let required = node_path.field("required");
        for (i, r) in node.required.iter().enumerate() {
            check_requirement(&r.key, r.operator, &r.values, required.index(i), problems);
        }
        let preferred = node_path.field("preferred");
        for (i, p) in node.preferred.iter().enumerate() {
            let ppath = preferred.index(i);
            check_requirement(&p.key, p.operator, &p.values, ppath, problems);
            if !(1..=100).contains(&p.weight) {
                problems.push(
                    ppath.field("weight"),
                    ErrorKind::Invalid(format!("weight must be between 1 and 100, is {}", p.weight)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(p: &Placement) -> Vec<String> {
        p.problems_at(PathRef::ROOT.field("placement")).messages()
    }

    #[test]
    fn renders_every_part() {
        let p: Placement = serde_json::from_str(
            r#"{"node_selector": {"kubernetes.io/arch": "arm64"},
                "tolerations": [{"key": "dedicated", "value": "batch", "effect": "no_schedule"},
                                {"key": "node.kubernetes.io/unreachable", "operator": "exists", "effect": "no_execute", "seconds": 30}],
                "spread": "zone",
                "affinity": {"node": {"required": [{"key": "disk", "operator": "in", "values": ["ssd"]}],
                                      "preferred": [{"weight": 50, "key": "zone", "operator": "exists"}]}},
                "priority_class": "high", "runtime_class": "gvisor"}"#,
        )
        .unwrap();
        assert!(errors(&p).is_empty());
        let t = p.tolerations();
        assert_eq!(t[0].operator, None);
        assert_eq!(t[1].operator.as_deref(), Some("Exists"));
        assert_eq!(t[1].toleration_seconds, Some(30));
        let node = p.affinity().unwrap().node_affinity.unwrap();
        let req = node.required_during_scheduling_ignored_during_execution.unwrap();
        assert_eq!(
            req.node_selector_terms[0].match_expressions.as_ref().unwrap()[0].operator,
            "In"
        );
        let pref = node.preferred_during_scheduling_ignored_during_execution.unwrap();
        assert_eq!(pref[0].preference.match_expressions.as_ref().unwrap()[0].values, None);
        let spread = p.spread_constraints(&AppLabels::new("web".parse().unwrap())).unwrap();
        assert_eq!(spread[0].topology_key, "topology.kubernetes.io/zone");
        assert_eq!(spread[0].when_unsatisfiable, "ScheduleAnyway");
        assert_eq!(Placement::default().affinity(), None);
    }

    #[test]
    fn error_paths() {
        let p: Placement = serde_json::from_str(
            r#"{"node_selector": {"kubernetes.io/arch": "arm 64"},
                "tolerations": [{"operator": "exists", "value": "x"}, {"value": "x", "seconds": 5}],
                "affinity": {"node": {"required": [{"key": "disk", "operator": "in"}],
                                      "preferred": [{"weight": 0, "key": "zone", "operator": "exists", "values": ["a"]}]}}}"#,
        )
        .unwrap();
        assert_eq!(
            errors(&p),
            [
                "placement.node_selector.kubernetes.io/arch: invalid label value \"arm 64\": must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
                "placement.tolerations[0].value: operator exists matches any value: leave value out",
                "placement.tolerations[1].key: missing: a taint key (or operator: exists to tolerate every taint)",
                "placement.tolerations[1].seconds: seconds applies to effect: no_execute only",
                "placement.affinity.node.required[0].values: missing: at least one value for operator In",
                "placement.affinity.node.preferred[0].values: operator Exists takes no values",
                "placement.affinity.node.preferred[0].weight: weight must be between 1 and 100, is 0",
            ]
        );
        assert!(serde_json::from_str::<Placement>(r#"{"spread": "rack"}"#).is_err());
        assert!(serde_json::from_str::<Placement>(r#"{"priority_class": "High"}"#).is_err());
    }
}
