//! Allow-rule peers: pods by namespace and labels, or an address range, with ports.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{IPBlock, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize as _;
use serde_derive::{Deserialize, Serialize};

use super::{Cidr, NAMESPACE_NAME_LABEL};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::labels;
use crate::names::{DnsLabel, LabelKey, LabelValue};
use crate::ports::{Protocol, port_number};

/// A port in an allow rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum PeerPort {
    /// A TCP port number (`443`).
    Number(u16),
    /// A port with a protocol and optionally a range end.
    Spec(PortSpec),
}

/// Read by shape (a number or a mapping) rather than as an untagged enum, so a bad port says
/// what is wrong (`must be 1 to 65535, is 70000`, or what is expected) instead of "did not
/// match any variant", with its own path and line.
impl<'de> serde::Deserialize<'de> for PeerPort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::IntoDeserializer;
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PeerPort;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a port number like 443, or a port with its protocol like {port: 53, protocol: udp}")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PeerPort, E> {
                port_number(v.into_deserializer()).map(PeerPort::Number)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PeerPort, E> {
                port_number(v.into_deserializer()).map(PeerPort::Number)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PeerPort, A::Error> {
                PortSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PeerPort::Spec)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A port with its protocol (`{port: 53, protocol: udp}`) or a range (`end_port`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct PortSpec {
    /// The port number (1-65535).
    pub port: u16,
    /// The protocol. Default: `tcp`.
    #[serde(default)]
    pub protocol: Protocol,
    /// Last port of a range starting at `port`. Default: none (a single port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_port: Option<u16>,
}

impl PeerPort {
    fn parts(&self) -> (u16, Protocol, Option<u16>) {
        match self {
            PeerPort::Number(port) => (*port, Protocol::Tcp, None),
            PeerPort::Spec(spec) => (spec.port, spec.protocol, spec.end_port),
        }
    }

    fn to_k8s(&self) -> NetworkPolicyPort {
        let (port, protocol, end_port) = self.parts();
        NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(port))),
            protocol: Some(protocol.as_str().to_owned()),
            end_port: end_port.map(i32::from),
        }
    }
}

impl Validate for PeerPort {
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let (port, _, end_port) = self.parts();
        if port == 0 {
            problems.push(path, ErrorKind::Invalid("port must be between 1 and 65535".into()));
        }
        if let Some(end) = end_port
            && end < port
        {
            problems.push(
                path.field("end_port"),
                ErrorKind::Invalid(format!("end_port {end} must not be below port {port}")),
            );
        }
    }
}

/// The other side of an allow rule: pods (by namespace and labels) or an address range.
///
/// `namespace` alone means every pod of that namespace; `app`/`pod_labels` alone mean those
/// pods in the workload's own namespace; both together mean those pods in that namespace.
/// `cidr` stands alone. Without `ports` the rule covers the workload's ports (`allow_from`)
/// or every port (`allow_to`).
///
/// ```
/// use k3score::network::Peer;
/// let peer: Peer = k3score::yaml::from_yaml("{namespace: payments, port: 443}").unwrap();
/// assert_eq!(peer.ports.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Peer {
    /// Namespace of the peer pods. Default: the workload's namespace when `app`/`pod_labels`
    /// is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
    /// Shorthand for the pod label `app.kubernetes.io/name: <app>`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<DnsLabel>,
    /// Labels the peer pods must all carry. Default: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<LabelKey, LabelValue>,
    /// An address range instead of pods. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<Cidr>,
    /// Ranges inside `cidr` to leave out. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<Cidr>,
    /// Ports of the rule (`port: 443` is accepted for one). Default: see the type docs.
    #[serde(
        default,
        alias = "port",
        deserialize_with = "crate::yaml::one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "crate::yaml::OneOrMany<PeerPort>"))]
    pub ports: Vec<PeerPort>,
}

impl Peer {
    pub(super) fn to_k8s(&self) -> NetworkPolicyPeer {
        if let Some(cidr) = &self.cidr {
            let except: Vec<String> = self.except.iter().map(ToString::to_string).collect();
            return NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: cidr.to_string(),
                    except: (!except.is_empty()).then_some(except),
                }),
                ..Default::default()
            };
        }
        let mut pod_labels: BTreeMap<String, String> = self
            .pod_labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(app) = &self.app {
            pod_labels.insert(labels::NAME.to_owned(), app.to_string());
        }
        NetworkPolicyPeer {
            namespace_selector: self.namespace.as_ref().map(|ns| namespace_selector(ns.as_str())),
            pod_selector: (!pod_labels.is_empty()).then(|| LabelSelector {
                match_labels: Some(pod_labels),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    pub(super) fn ports_k8s(&self) -> Vec<NetworkPolicyPort> {
        self.ports.iter().map(PeerPort::to_k8s).collect()
    }
}

impl Validate for Peer {
    /// Checks the peer, recording every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let selects_pods = self.namespace.is_some() || self.app.is_some() || !self.pod_labels.is_empty();
        if !selects_pods && self.cidr.is_none() {
            problems.push(
                path,
                ErrorKind::Missing("one of namespace, app, pod_labels or cidr".into()),
            );
        }
        if selects_pods && self.cidr.is_some() {
            problems.push(
                path.field("cidr"),
                ErrorKind::Conflict("cidr cannot be combined with namespace, app or pod_labels".into()),
            );
        }
        match &self.cidr {
            None if !self.except.is_empty() => {
                problems.push(path.field("except"), ErrorKind::Conflict("except needs a cidr".into()));
            }
            Some(cidr) => {
                for (i, except) in self.except.iter().enumerate() {
                    if !cidr.contains(except) || except == cidr {
                        problems.push(
                            path.field("except").index(i),
                            ErrorKind::Invalid(format!("{except} is not a strict part of {cidr}")),
                        );
                    }
                }
            }
            None => {}
        }
        if self.app.is_some() && self.pod_labels.keys().any(|k| k.as_str() == labels::NAME) {
            problems.push(
                path.field("pod_labels").field(labels::NAME),
                ErrorKind::Conflict("set either app or this label, not both".into()),
            );
        }
        for (i, port) in self.ports.iter().enumerate() {
            port.validate(path.field("ports").index(i), problems);
        }
    }
}

/// Selects the namespace `namespace` by its `kubernetes.io/metadata.name` label.
pub(super) fn namespace_selector(namespace: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(
            NAMESPACE_NAME_LABEL.to_owned(),
            namespace.to_owned(),
        )])),
        ..Default::default()
    }
}
