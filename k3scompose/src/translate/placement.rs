//! `deploy.placement` (Compose Specification, Swarm-style constraints) as the App's
//! `placement`: `node.labels.KEY==VALUE` becomes a node selector entry, `!=` a required
//! node-affinity rule; `node.platform.os` / `.arch` and `node.hostname` map to the well-known
//! node labels (`kubernetes.io/os`, `kubernetes.io/arch`, `kubernetes.io/hostname`).

use k3score::ErrorKind;
use k3score::workload::{AffinitySpec, NodeAffinitySpec, NodeOperator, NodeRequirement, Placement};

use super::ServiceCx;
use crate::model::Service;

/// The node label of a constraint's left side, or why it has none.
fn node_label(field: &str) -> Result<String, &'static str> {
    if let Some(label) = field.strip_prefix("node.labels.") {
        return Ok(label.to_owned());
    }
    match field {
        "node.platform.os" => Ok("kubernetes.io/os".to_owned()),
        "node.platform.arch" => Ok("kubernetes.io/arch".to_owned()),
        "node.hostname" => Ok("kubernetes.io/hostname".to_owned()),
        "node.role" => Err("Kubernetes schedules on worker nodes; the role of a Swarm node has no equivalent"),
        "node.id" => Err("node ids are Swarm's; use node.hostname or a node label"),
        _ => Err("only node.labels.*, node.platform.os / .arch and node.hostname are translated"),
    }
}

/// Docker's architecture names as Kubernetes spells them (`kubernetes.io/arch` uses GOARCH).
fn arch(value: &str) -> String {
    match value {
        "x86_64" => "amd64".to_owned(),
        "aarch64" => "arm64".to_owned(),
        other => other.to_owned(),
    }
}

impl ServiceCx<'_> {
    /// Adds `deploy.placement.constraints` to `placement` (what `x-k3s` sets wins) and warns
    /// about the parts of `deploy.placement` that are not translated.
    pub(super) fn constraints(&mut self, s: &Service, placement: &mut Placement) {
        let Some(node) = s.deploy.as_ref().and_then(|d| d.other.get("placement")) else {
            return;
        };
        let path = self.path.field("deploy").field("placement");
        let Some(map) = node.as_map() else {
            self.error(path, ErrorKind::Invalid("expected a mapping".into()));
            return;
        };
        for key in map
            .keys()
            .filter(|k| k.as_str() != "constraints" && !k.starts_with("x-"))
        {
            self.warn(
                path.field(key.clone()),
                "not translated: use x-k3s placement (spread, affinity)",
            );
        }
        let Some(constraints) = map.get("constraints") else {
            return;
        };
        let cpath = path.field("constraints");
        let crate::tree::Node::Seq(items) = constraints else {
            self.error(cpath, ErrorKind::Invalid("expected a list of constraints".into()));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let ipath = cpath.index(i);
            let Some(text) = item.scalar_text() else {
                self.error(
                    ipath,
                    ErrorKind::Invalid("expected a constraint like node.labels.disk==ssd".into()),
                );
                continue;
            };
            let (field, value, equal) = match (text.split_once("!="), text.split_once("==")) {
                (Some((f, v)), _) => (f.trim(), v.trim(), false),
                (None, Some((f, v))) => (f.trim(), v.trim(), true),
                (None, None) => {
                    self.error(
                        ipath,
                        ErrorKind::Invalid(format!("{text:?}: expected FIELD==VALUE or FIELD!=VALUE")),
                    );
                    continue;
                }
            };
            let key = match node_label(field) {
                Ok(key) => key,
                Err(why) => {
                    self.warn(ipath, format!("{text:?} is not translated: {why}"));
                    continue;
                }
            };
            let value = if key == "kubernetes.io/arch" {
                arch(value)
            } else {
                value.to_owned()
            };
            if equal {
                match placement.node_selector.entry(key) {
                    std::collections::btree_map::Entry::Occupied(set) => {
                        let why = format!("x-k3s placement.node_selector sets {} and wins", set.key());
                        self.warn(ipath, why);
                    }
                    std::collections::btree_map::Entry::Vacant(free) => {
                        free.insert(value);
                    }
                }
            } else {
                let affinity = placement.affinity.get_or_insert_with(AffinitySpec::default);
                let node = affinity.node.get_or_insert_with(NodeAffinitySpec::default);
                node.required.push(NodeRequirement {
                    key,
                    operator: NodeOperator::NotIn,
                    values: vec![value],
                });
            }
        }
    }
}
