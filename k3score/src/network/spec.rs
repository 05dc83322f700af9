//! The network block of a workload spec and its validation.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::{Peer, Visibility};
use crate::error::{ErrorKind, PathRef, Problems, Validate};

/// Where a workload may open connections to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EgressMode {
    /// Cluster DNS plus the `allow_to` peers, nothing else.
    #[default]
    Restricted,
    /// Anything: rendered as an explicit allow-all egress rule, so the opt-out is visible in the
    /// spec and in the output (and still wins over a namespace default-deny).
    Open,
}

/// The network block of a workload spec: visibility and allow rules.
///
/// ```
/// use k3score::network::{EgressMode, NetworkSpec, Visibility};
/// let spec: NetworkSpec = k3score::yaml::from_yaml(
///     "{visibility: public, allow_to: [{namespace: payments, port: 443}]}").unwrap();
/// assert_eq!(spec.visibility, Visibility::Public);
/// assert_eq!(spec.egress, EgressMode::Restricted);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NetworkSpec {
    /// Who may connect (see [`Visibility`]). Default: `internal`.
    #[serde(default)]
    pub visibility: Visibility,
    /// Extra peers allowed in, on top of the visibility. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_from: Vec<Peer>,
    /// Peers the workload may connect to, besides cluster DNS. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_to: Vec<Peer>,
    /// Egress mode. Default: `restricted` (DNS plus `allow_to` only).
    #[serde(default)]
    pub egress: EgressMode,
}

impl Validate for NetworkSpec {
    /// Checks the spec, recording every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        for (i, peer) in self.allow_from.iter().enumerate() {
            peer.validate(path.field("allow_from").index(i), problems);
        }
        for (i, peer) in self.allow_to.iter().enumerate() {
            peer.validate(path.field("allow_to").index(i), problems);
        }
        if self.egress == EgressMode::Open && !self.allow_to.is_empty() {
            problems.push(
                path.field("allow_to"),
                ErrorKind::Conflict("allow_to has no effect with egress: open; remove one of them".into()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{PeerPort, PortSpec};
    use crate::ports::Protocol;
    use crate::yaml::from_yaml;

    fn errors(spec: &NetworkSpec) -> Vec<String> {
        spec.problems_at(PathRef::ROOT.field("security")).messages()
    }

    #[test]
    fn peer_errors_have_paths() {
        let spec: NetworkSpec = from_yaml(
            "allow_from: [{}, {namespace: a, cidr: 10.0.0.0/8}, {except: [10.1.0.0/16]}]\n\
             allow_to: [{cidr: 10.0.0.0/8, except: [192.168.0.0/16], ports: [0, {port: 90, end_port: 80}]}, \
             {app: x, pod_labels: {app.kubernetes.io/name: y}}]\n",
        )
        .unwrap();
        assert_eq!(
            errors(&spec),
            [
                "security.allow_from[0]: missing: one of namespace, app, pod_labels or cidr",
                "security.allow_from[1].cidr: conflict: cidr cannot be combined with namespace, app or pod_labels",
                "security.allow_from[2]: missing: one of namespace, app, pod_labels or cidr",
                "security.allow_from[2].except: conflict: except needs a cidr",
                "security.allow_to[0].except[0]: 192.168.0.0/16 is not a strict part of 10.0.0.0/8",
                "security.allow_to[0].ports[0]: port must be between 1 and 65535",
                "security.allow_to[0].ports[1].end_port: end_port 80 must not be below port 90",
                "security.allow_to[1].pod_labels.app.kubernetes.io/name: conflict: set either app or this label, not both",
            ]
        );
        let open = NetworkSpec {
            egress: EgressMode::Open,
            allow_to: vec![Peer {
                namespace: Some("a".parse().unwrap()),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            errors(&open),
            ["security.allow_to: conflict: allow_to has no effect with egress: open; remove one of them"]
        );
    }

    #[test]
    fn serde_shapes() {
        assert!(from_yaml::<NetworkSpec>("{visibility: secret}").is_err());
        assert!(from_yaml::<NetworkSpec>("{visiblity: public}").is_err());
        let spec: NetworkSpec = from_yaml("{}").unwrap();
        assert_eq!(spec.visibility, Visibility::Internal);
        let peer: Peer = from_yaml("{app: web, ports: [80, {port: 53, protocol: UDP}]}").unwrap();
        assert_eq!(
            peer.ports[1],
            PeerPort::Spec(PortSpec {
                port: 53,
                protocol: Protocol::Udp,
                end_port: None
            })
        );
    }
}
