//! Visibility and allow rules, rendered as `networking.k8s.io/v1` NetworkPolicies.
//!
//! A workload gets two policies: `<name>-ingress` (who may connect to it, from its
//! [`Visibility`] plus `allow_from`) and `<name>-egress` (DNS plus `allow_to`, unless the spec
//! says `egress: open`). Tenancy uses [`default_deny`], [`allow_dns`] and
//! [`allow_from_ingress_controller`] for namespace-wide policies.
//!
//! DNS egress goes to pods labelled `k8s-app: kube-dns` in `kube-system` on UDP and TCP 53:
//! k3s labels CoreDNS so (k3s-io/k3s `manifests/coredns.yaml`) and GKE's kube-dns carries the
//! same label (kubernetes/kubernetes `cluster/addons/dns/kube-dns/kube-dns.yaml.base`).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{ErrorKind, FieldPath, Problems};
use crate::labels::{self, AppLabels};
use crate::names::{self, DnsLabel, LabelKey, LabelValue, PortName};

/// The label every namespace carries with its own name (set by the API server since 1.21).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Namespace of the cluster DNS pods.
pub const DNS_NAMESPACE: &str = "kube-system";
/// Label key of the cluster DNS pods (CoreDNS on k3s, kube-dns on GKE).
pub const DNS_POD_LABEL_KEY: &str = "k8s-app";
/// Label value of the cluster DNS pods.
pub const DNS_POD_LABEL_VALUE: &str = "kube-dns";
/// The DNS port, allowed on UDP and TCP.
pub const DNS_PORT: i32 = 53;
/// Name of the namespace-wide default-deny policy.
pub const DEFAULT_DENY_NAME: &str = "default-deny";
/// Name of the namespace-wide DNS egress policy.
pub const ALLOW_DNS_NAME: &str = "allow-dns";
/// Name of the namespace-wide policy admitting the ingress controller.
pub const ALLOW_INGRESS_CONTROLLER_NAME: &str = "allow-from-ingress-controller";
/// Longest name this module gives a NetworkPolicy (a DNS label, so it can also be a label value).
const MAX_NAME: usize = 63;

/// Who may open connections to a workload (on its declared ports).
///
/// Every variant is rendered as one `<name>-ingress` NetworkPolicy selecting the workload's
/// pods with `policyTypes: [Ingress]`; anything not listed below is dropped. `allow_from`
/// peers are added on top of every variant. A workload without ports gets no visibility rule.
///
/// - `public`: pods in the ingress controller's namespace (`Target::ingress_namespace`,
///   matched by `kubernetes.io/metadata.name`) and pods in the workload's own namespace.
///   Required for workloads with a route.
/// - `internal`: pods in any namespace of the cluster (`namespaceSelector: {}`); nothing from
///   outside the cluster (node or external addresses) unless `allow_from` lists a CIDR.
/// - `private`: pods in the workload's own namespace only (`podSelector: {}`).
/// - `restricted`: only the `allow_from` peers.
///
/// Default: `internal` — what a plain ClusterIP Service means, while everything outside the
/// cluster stays shut.
///
/// ```
/// use k3score::network::{render, NetworkSpec, Visibility, WorkloadPort};
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let spec = NetworkSpec { visibility: Visibility::Private, ..Default::default() };
/// let app = AppLabels::new("orders".parse().unwrap());
/// let policies = render(&spec, &app, &[WorkloadPort::tcp(8080)], &ctx);
/// let ingress = policies[0].spec.as_ref().unwrap().ingress.as_ref().unwrap();
/// let peer = &ingress[0].from.as_ref().unwrap()[0];
/// assert!(peer.namespace_selector.is_none());
/// assert_eq!(peer.pod_selector.as_ref().unwrap().match_labels, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Ingress controller namespace and own namespace.
    Public,
    /// Any pod of the cluster.
    #[default]
    Internal,
    /// Own namespace only.
    Private,
    /// Only the `allow_from` peers.
    Restricted,
}

/// Where a workload may open connections to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EgressMode {
    /// Cluster DNS plus the `allow_to` peers, nothing else.
    #[default]
    Restricted,
    /// Anything: rendered as an explicit allow-all egress rule, so the opt-out is visible in the
    /// spec and in the output (and still wins over a namespace default-deny).
    Open,
}

/// A transport protocol of a port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// TCP.
    #[default]
    #[serde(alias = "TCP")]
    Tcp,
    /// UDP.
    #[serde(alias = "UDP")]
    Udp,
    /// SCTP.
    #[serde(alias = "SCTP")]
    Sctp,
}

impl Protocol {
    /// The Kubernetes spelling (`TCP`, `UDP`, `SCTP`).
    #[must_use]
    pub fn as_k8s(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// A port in an allow rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PeerPort {
    /// A TCP port number (`443`).
    Number(u16),
    /// A port with a protocol and optionally a range end.
    Spec(PortSpec),
}

/// A port with its protocol (`{port: 53, protocol: udp}`) or a range (`end_port`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
            protocol: Some(protocol.as_k8s().to_owned()),
            end_port: end_port.map(i32::from),
        }
    }

    fn validate(&self, path: &FieldPath, problems: &mut Problems) {
        let (port, _, end_port) = self.parts();
        if port == 0 {
            problems.push(
                path.clone(),
                ErrorKind::Invalid("port must be between 1 and 65535".into()),
            );
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

/// One port or a list of ports (`port: 443` or `ports: [80, 443]`).
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum OneOrMany {
    One(PeerPort),
    Many(Vec<PeerPort>),
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PeerPort>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(port) => vec![port],
        OneOrMany::Many(ports) => ports,
    })
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`), host bits zero.
///
/// ```
/// use k3score::network::Cidr;
/// assert!("10.0.0.0/8".parse::<Cidr>().is_ok());
/// assert!("10.0.0.1/8".parse::<Cidr>().is_err());
/// assert!("10.0.0.0".parse::<Cidr>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn bits(self) -> (u128, u32) {
        match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn mask(prefix: u8, width: u32) -> u128 {
        let host = width - u32::from(prefix);
        let all = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        if host >= 128 {
            0
        } else {
            all & !((1u128 << host) - 1)
        }
    }

    /// Whether `other` lies inside this network (same family, longer or equal prefix).
    #[must_use]
    pub fn contains(&self, other: &Cidr) -> bool {
        let (a, width) = self.bits();
        let (b, other_width) = other.bits();
        width == other_width
            && other.prefix >= self.prefix
            && (b & Self::mask(self.prefix, width)) == a
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let bad = |reason: &str| ErrorKind::Invalid(format!("invalid CIDR {value:?}: {reason}"));
        let (addr, prefix) = value
            .split_once('/')
            .ok_or_else(|| bad("expected <address>/<prefix>"))?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| bad("not an IPv4 or IPv6 address"))?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| bad("the prefix is not a number"))?;
        let cidr = Cidr { addr, prefix };
        let (bits, width) = cidr.bits();
        if u32::from(prefix) > width {
            return Err(bad(&format!("the prefix must be at most {width}")));
        }
        if bits & !Self::mask(prefix, width) != 0 {
            return Err(bad("host bits are set; use the network address"));
        }
        Ok(cidr)
    }
}

impl TryFrom<String> for Cidr {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, ErrorKind> {
        value.parse()
    }
}

impl From<Cidr> for String {
    fn from(value: Cidr) -> String {
        value.to_string()
    }
}

impl JsonSchema for Cidr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "IPv4 or IPv6 network in CIDR notation, e.g. 10.0.0.0/8",
            "pattern": "^[0-9a-fA-F:.]+/[0-9]{1,3}$",
        })
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "OneOrMany")]
    pub ports: Vec<PeerPort>,
}

impl Peer {
    /// Checks the peer, recording every problem under `path`.
    pub fn validate(&self, path: &FieldPath, problems: &mut Problems) {
        let selects_pods =
            self.namespace.is_some() || self.app.is_some() || !self.pod_labels.is_empty();
        if !selects_pods && self.cidr.is_none() {
            problems.push(
                path.clone(),
                ErrorKind::Missing("one of namespace, app, pod_labels or cidr".into()),
            );
        }
        if selects_pods && self.cidr.is_some() {
            problems.push(
                path.field("cidr"),
                ErrorKind::Conflict(
                    "cidr cannot be combined with namespace, app or pod_labels".into(),
                ),
            );
        }
        match &self.cidr {
            None if !self.except.is_empty() => {
                problems.push(
                    path.field("except"),
                    ErrorKind::Conflict("except needs a cidr".into()),
                );
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
            port.validate(&path.field("ports").index(i), problems);
        }
    }

    fn to_k8s(&self) -> NetworkPolicyPeer {
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
            namespace_selector: self
                .namespace
                .as_ref()
                .map(|ns| namespace_selector(ns.as_str())),
            pod_selector: (!pod_labels.is_empty()).then(|| LabelSelector {
                match_labels: Some(pod_labels),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn ports_k8s(&self) -> Vec<NetworkPolicyPort> {
        self.ports.iter().map(PeerPort::to_k8s).collect()
    }
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

impl NetworkSpec {
    /// Checks the spec, recording every problem under `path`.
    pub fn validate(&self, path: &FieldPath, problems: &mut Problems) {
        for (i, peer) in self.allow_from.iter().enumerate() {
            peer.validate(&path.field("allow_from").index(i), problems);
        }
        for (i, peer) in self.allow_to.iter().enumerate() {
            peer.validate(&path.field("allow_to").index(i), problems);
        }
        if self.egress == EgressMode::Open && !self.allow_to.is_empty() {
            problems.push(
                path.field("allow_to"),
                ErrorKind::Conflict(
                    "allow_to has no effect with egress: open; remove one of them".into(),
                ),
            );
        }
    }
}

/// A port the workload listens on, by number or by container port name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    /// A port number.
    Number(u16),
    /// A named container port.
    Name(PortName),
}

/// A port the workload listens on, with its protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadPort {
    /// The port.
    pub port: PortRef,
    /// Its protocol.
    pub protocol: Protocol,
}

impl WorkloadPort {
    /// A TCP port number.
    #[must_use]
    pub fn tcp(port: u16) -> Self {
        Self {
            port: PortRef::Number(port),
            protocol: Protocol::Tcp,
        }
    }

    /// A UDP port number.
    #[must_use]
    pub fn udp(port: u16) -> Self {
        Self {
            port: PortRef::Number(port),
            protocol: Protocol::Udp,
        }
    }

    /// A named TCP container port.
    #[must_use]
    pub fn named(name: PortName) -> Self {
        Self {
            port: PortRef::Name(name),
            protocol: Protocol::Tcp,
        }
    }

    fn to_k8s(&self) -> NetworkPolicyPort {
        NetworkPolicyPort {
            port: Some(match &self.port {
                PortRef::Number(n) => IntOrString::Int(i32::from(*n)),
                PortRef::Name(name) => IntOrString::String(name.to_string()),
            }),
            protocol: Some(self.protocol.as_k8s().to_owned()),
            end_port: None,
        }
    }
}

impl From<u16> for WorkloadPort {
    fn from(port: u16) -> Self {
        Self::tcp(port)
    }
}

fn namespace_selector(namespace: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(
            NAMESPACE_NAME_LABEL.to_owned(),
            namespace.to_owned(),
        )])),
        ..Default::default()
    }
}

fn all_pods() -> LabelSelector {
    LabelSelector::default()
}

fn selector_of(labels: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels),
        ..Default::default()
    }
}

fn metadata(name: String, namespace: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_owned()),
        labels: Some(labels),
        ..Default::default()
    }
}

fn managed_labels() -> BTreeMap<String, String> {
    BTreeMap::from([(labels::MANAGED_BY.to_owned(), labels::MANAGER.to_owned())])
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn dns_rule() -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(namespace_selector(DNS_NAMESPACE)),
            pod_selector: Some(selector_of(BTreeMap::from([(
                DNS_POD_LABEL_KEY.to_owned(),
                DNS_POD_LABEL_VALUE.to_owned(),
            )]))),
            ..Default::default()
        }]),
        ports: Some(
            [Protocol::Udp, Protocol::Tcp]
                .into_iter()
                .map(|protocol| NetworkPolicyPort {
                    port: Some(IntOrString::Int(DNS_PORT)),
                    protocol: Some(protocol.as_k8s().to_owned()),
                    end_port: None,
                })
                .collect(),
        ),
    }
}

fn policy(
    name: String,
    namespace: &str,
    labels: BTreeMap<String, String>,
    pod_selector: LabelSelector,
    ingress: Option<Vec<NetworkPolicyIngressRule>>,
    egress: Option<Vec<NetworkPolicyEgressRule>>,
) -> NetworkPolicy {
    let mut types = Vec::new();
    if ingress.is_some() {
        types.push("Ingress".to_owned());
    }
    if egress.is_some() {
        types.push("Egress".to_owned());
    }
    NetworkPolicy {
        metadata: metadata(name, namespace, labels),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(pod_selector),
            policy_types: Some(types),
            ingress,
            egress,
        }),
    }
}

/// The `<name>-ingress` and `<name>-egress` NetworkPolicies of one workload.
///
/// `ports` are the ports the workload listens on; visibility rules admit peers on those ports
/// only. An `allow_from` peer without ports gets the workload's ports (every port if the
/// workload declares none). The egress policy allows cluster DNS (UDP/TCP 53 to `k8s-app:
/// kube-dns` in `kube-system`) plus `allow_to`, or everything with `egress: open`.
///
/// ```
/// use k3score::network::{render, NetworkSpec, Visibility, WorkloadPort};
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let spec = NetworkSpec { visibility: Visibility::Public, ..Default::default() };
/// let policies = render(&spec, &AppLabels::new("web".parse().unwrap()), &[WorkloadPort::tcp(8080)], &ctx);
/// assert_eq!(policies[0].metadata.name.as_deref(), Some("web-ingress"));
/// let from = policies[0].spec.as_ref().unwrap().ingress.as_ref().unwrap()[0].from.clone().unwrap();
/// let ns = from[0].namespace_selector.as_ref().unwrap().match_labels.as_ref().unwrap();
/// assert_eq!(ns["kubernetes.io/metadata.name"], "kube-system"); // Traefik on k3s
/// let egress = policies[1].spec.as_ref().unwrap().egress.as_ref().unwrap();
/// assert_eq!(egress[0].ports.as_ref().unwrap()[0].protocol.as_deref(), Some("UDP"));
/// ```
#[must_use]
pub fn render(
    spec: &NetworkSpec,
    app: &AppLabels,
    ports: &[WorkloadPort],
    ctx: &Context,
) -> Vec<NetworkPolicy> {
    let name = app.name().as_str();
    let namespace = ctx.namespace.as_str();
    let workload_ports: Vec<NetworkPolicyPort> = ports.iter().map(WorkloadPort::to_k8s).collect();

    let mut ingress = Vec::new();
    let visibility_peers = match spec.visibility {
        Visibility::Public => vec![
            NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector(ctx.target.ingress_namespace.as_str())),
                ..Default::default()
            },
            NetworkPolicyPeer {
                pod_selector: Some(all_pods()),
                ..Default::default()
            },
        ],
        Visibility::Internal => vec![NetworkPolicyPeer {
            namespace_selector: Some(all_pods()),
            ..Default::default()
        }],
        Visibility::Private => vec![NetworkPolicyPeer {
            pod_selector: Some(all_pods()),
            ..Default::default()
        }],
        Visibility::Restricted => Vec::new(),
    };
    if !visibility_peers.is_empty() && !workload_ports.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(visibility_peers),
            ports: Some(workload_ports.clone()),
        });
    }
    for peer in &spec.allow_from {
        let own = peer.ports_k8s();
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![peer.to_k8s()]),
            ports: non_empty(own).or_else(|| non_empty(workload_ports.clone())),
        });
    }

    let egress = match spec.egress {
        EgressMode::Open => vec![NetworkPolicyEgressRule::default()],
        EgressMode::Restricted => std::iter::once(dns_rule())
            .chain(spec.allow_to.iter().map(|peer| NetworkPolicyEgressRule {
                to: Some(vec![peer.to_k8s()]),
                ports: non_empty(peer.ports_k8s()),
            }))
            .collect(),
    };

    let labels = app.labels();
    vec![
        policy(
            names::bounded(name, "-ingress", MAX_NAME),
            namespace,
            labels.clone(),
            selector_of(app.selector()),
            Some(ingress),
            None,
        ),
        policy(
            names::bounded(name, "-egress", MAX_NAME),
            namespace,
            labels,
            selector_of(app.selector()),
            None,
            Some(egress),
        ),
    ]
}

/// Admits every pod of namespace `from` to the workload `app` on `ports` (every port if empty).
///
/// For the KEDA HTTP interceptor (in `ctx.target.keda.namespace`), which must reach scaled
/// workloads whatever their visibility. Named `<name>-from-<from>`.
///
/// ```
/// use k3score::network::{allow_from_namespace, WorkloadPort};
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let app = AppLabels::new("fn-hello".parse().unwrap());
/// let p = allow_from_namespace(&app, &ctx.target.keda.namespace, &[WorkloadPort::tcp(8080)], &ctx);
/// assert_eq!(p.metadata.name.as_deref(), Some("fn-hello-from-keda"));
/// ```
#[must_use]
pub fn allow_from_namespace(
    app: &AppLabels,
    from: &DnsLabel,
    ports: &[WorkloadPort],
    ctx: &Context,
) -> NetworkPolicy {
    let rule = NetworkPolicyIngressRule {
        from: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(namespace_selector(from.as_str())),
            ..Default::default()
        }]),
        ports: non_empty(ports.iter().map(WorkloadPort::to_k8s).collect()),
    };
    policy(
        names::bounded(app.name().as_str(), &format!("-from-{from}"), MAX_NAME),
        ctx.namespace.as_str(),
        app.labels(),
        selector_of(app.selector()),
        Some(vec![rule]),
        None,
    )
}

/// `default-deny`: isolates every pod of `namespace` for ingress and egress.
///
/// ```
/// let p = k3score::network::default_deny(&"shop".parse().unwrap());
/// let spec = p.spec.unwrap();
/// assert_eq!(spec.policy_types.unwrap(), ["Ingress", "Egress"]);
/// assert!(spec.ingress.unwrap().is_empty() && spec.egress.unwrap().is_empty());
/// ```
#[must_use]
pub fn default_deny(namespace: &DnsLabel) -> NetworkPolicy {
    policy(
        DEFAULT_DENY_NAME.to_owned(),
        namespace.as_str(),
        managed_labels(),
        all_pods(),
        Some(Vec::new()),
        Some(Vec::new()),
    )
}

/// `allow-dns`: lets every pod of `namespace` query cluster DNS (UDP/TCP 53 to `k8s-app: kube-dns`).
#[must_use]
pub fn allow_dns(namespace: &DnsLabel) -> NetworkPolicy {
    policy(
        ALLOW_DNS_NAME.to_owned(),
        namespace.as_str(),
        managed_labels(),
        all_pods(),
        None,
        Some(vec![dns_rule()]),
    )
}

/// `allow-from-ingress-controller`: admits the target's ingress controller namespace to every
/// pod of `namespace`, on every port.
///
/// NetworkPolicies add up, so this also opens `private` and `restricted` workloads to the
/// controller; per-workload `public` visibility is the narrower way.
#[must_use]
pub fn allow_from_ingress_controller(namespace: &DnsLabel, ctx: &Context) -> NetworkPolicy {
    let rule = NetworkPolicyIngressRule {
        from: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(namespace_selector(ctx.target.ingress_namespace.as_str())),
            ..Default::default()
        }]),
        ports: None,
    };
    policy(
        ALLOW_INGRESS_CONTROLLER_NAME.to_owned(),
        namespace.as_str(),
        managed_labels(),
        all_pods(),
        Some(vec![rule]),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;
    use crate::yaml::from_yaml;

    fn ctx() -> Context {
        Context::new(Target::gcp(), "shop".parse().unwrap())
    }

    fn app() -> AppLabels {
        AppLabels::new("orders".parse().unwrap())
    }

    fn errors(spec: &NetworkSpec) -> Vec<String> {
        let mut problems = Problems::default();
        spec.validate(&FieldPath::root().field("security"), &mut problems);
        problems.finish(()).map_or_else(
            |e| e.iter().map(ToString::to_string).collect(),
            |()| Vec::new(),
        )
    }

    fn ingress(p: &NetworkPolicy) -> Vec<NetworkPolicyIngressRule> {
        p.spec.clone().unwrap().ingress.unwrap()
    }

    #[test]
    fn visibility_peers() {
        let ports = [
            WorkloadPort::tcp(8080),
            WorkloadPort::named("metrics".parse().unwrap()),
        ];
        let render_with = |visibility| {
            let spec = NetworkSpec {
                visibility,
                ..Default::default()
            };
            ingress(&render(&spec, &app(), &ports, &ctx())[0])
        };
        let public = render_with(Visibility::Public);
        let from = public[0].from.clone().unwrap();
        assert_eq!(from.len(), 2);
        assert_eq!(
            from[0]
                .namespace_selector
                .clone()
                .unwrap()
                .match_labels
                .unwrap()[NAMESPACE_NAME_LABEL],
            "haproxy-controller"
        );
        assert_eq!(from[1].pod_selector, Some(LabelSelector::default()));
        let ports_out = public[0].ports.clone().unwrap();
        assert_eq!(
            ports_out[1].port,
            Some(IntOrString::String("metrics".into()))
        );

        let internal = render_with(Visibility::Internal);
        assert_eq!(
            internal[0].from.clone().unwrap()[0].namespace_selector,
            Some(LabelSelector::default())
        );
        assert!(internal[0].from.clone().unwrap()[0].pod_selector.is_none());

        let private = render_with(Visibility::Private);
        assert!(
            private[0].from.clone().unwrap()[0]
                .namespace_selector
                .is_none()
        );

        assert!(render_with(Visibility::Restricted).is_empty());
    }

    #[test]
    fn allow_from_and_to_peers() {
        let spec: NetworkSpec = from_yaml(
            "visibility: restricted\n\
             allow_from: [{namespace: monitoring, app: prometheus, ports: [9090]}, {app: web}]\n\
             allow_to: [{namespace: payments, port: 443}, {cidr: 0.0.0.0/0, except: [10.0.0.0/8], ports: [{port: 53, protocol: udp}]}]\n",
        )
        .unwrap();
        assert!(errors(&spec).is_empty(), "{:?}", errors(&spec));
        let policies = render(&spec, &app(), &[WorkloadPort::tcp(8080)], &ctx());
        let rules = ingress(&policies[0]);
        assert_eq!(rules.len(), 2);
        let peer = &rules[0].from.clone().unwrap()[0];
        assert_eq!(
            peer.namespace_selector
                .clone()
                .unwrap()
                .match_labels
                .unwrap()[NAMESPACE_NAME_LABEL],
            "monitoring"
        );
        assert_eq!(
            peer.pod_selector.clone().unwrap().match_labels.unwrap()[labels::NAME],
            "prometheus"
        );
        assert_eq!(
            rules[0].ports.clone().unwrap()[0].port,
            Some(IntOrString::Int(9090))
        );
        // No ports on the peer: the workload's ports.
        assert_eq!(
            rules[1].ports.clone().unwrap()[0].port,
            Some(IntOrString::Int(8080))
        );

        let egress = policies[1].spec.clone().unwrap();
        assert_eq!(egress.policy_types.unwrap(), ["Egress"]);
        let egress = egress.egress.unwrap();
        assert_eq!(egress.len(), 3);
        assert_eq!(egress[0], dns_rule());
        let block = egress[2].to.clone().unwrap()[0].ip_block.clone().unwrap();
        assert_eq!(block.cidr, "0.0.0.0/0");
        assert_eq!(block.except.unwrap(), ["10.0.0.0/8"]);
        assert_eq!(
            egress[2].ports.clone().unwrap()[0].protocol.as_deref(),
            Some("UDP")
        );
    }

    #[test]
    fn open_egress_is_an_explicit_allow_all() {
        let spec = NetworkSpec {
            egress: EgressMode::Open,
            ..Default::default()
        };
        let policies = render(&spec, &app(), &[], &ctx());
        assert_eq!(
            policies[1].spec.clone().unwrap().egress.unwrap(),
            vec![NetworkPolicyEgressRule::default()]
        );
        // No ports: nothing listens, so visibility admits nobody.
        assert!(ingress(&policies[0]).is_empty());
    }

    #[test]
    fn names_are_bounded_and_deterministic() {
        let long = AppLabels::new("a".repeat(60).parse().unwrap());
        let policies = render(&NetworkSpec::default(), &long, &[], &ctx());
        let name = policies[0].metadata.name.clone().unwrap();
        assert!(name.len() <= 63 && name.ends_with("-ingress"), "{name}");
        assert_eq!(
            render(&NetworkSpec::default(), &long, &[], &ctx()),
            policies
        );
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
            [
                "security.allow_to: conflict: allow_to has no effect with egress: open; remove one of them"
            ]
        );
    }

    #[test]
    fn cidr_parsing() {
        assert!("2001:db8::/32".parse::<Cidr>().is_ok());
        assert!("0.0.0.0/0".parse::<Cidr>().is_ok());
        assert!(
            "10.0.0.0/33"
                .parse::<Cidr>()
                .unwrap_err()
                .to_string()
                .contains("at most 32")
        );
        assert!("::1/129".parse::<Cidr>().is_err());
        assert!("x/8".parse::<Cidr>().is_err());
        let wide: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(wide.contains(&"10.2.0.0/16".parse().unwrap()));
        assert!(!wide.contains(&"2001:db8::/32".parse().unwrap()));
        assert!(from_yaml::<Peer>("{cidr: 10.0.0.1/8}").is_err());
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

    #[test]
    fn namespace_policies() {
        let ns: DnsLabel = "team-a".parse().unwrap();
        let deny = default_deny(&ns).spec.unwrap();
        assert_eq!(deny.pod_selector, Some(LabelSelector::default()));
        let dns = allow_dns(&ns).spec.unwrap();
        assert_eq!(dns.policy_types.unwrap(), ["Egress"]);
        let ingress_ctl = allow_from_ingress_controller(&ns, &ctx());
        assert_eq!(ingress_ctl.metadata.namespace.as_deref(), Some("team-a"));
        assert!(ingress(&ingress_ctl)[0].ports.is_none());
        let keda = allow_from_namespace(&app(), &"keda".parse().unwrap(), &[], &ctx());
        assert!(ingress(&keda)[0].ports.is_none());
    }
}
