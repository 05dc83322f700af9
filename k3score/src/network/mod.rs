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

mod cidr;
mod namespace;
mod peer;
mod policy;
mod spec;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

pub use self::cidr::Cidr;
pub use self::namespace::{allow_dns, allow_from_ingress_controller, default_deny};
pub use self::peer::{Peer, PeerPort, PortSpec};
pub use self::policy::{
    ANYWHERE, ANYWHERE_DESCRIPTION, DESCRIPTION_ANNOTATION, WorkloadPort, allow_from_anywhere, allow_from_namespace,
    render,
};
pub use self::spec::{EgressMode, NetworkSpec};
/// Re-export of the port vocabulary, which lives in [`crate::ports`]: kept so
/// `k3score::network::{PortRef, Protocol}` keeps working.
#[doc(no_inline)]
pub use crate::ports::{PortRef, Protocol};

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
///   matched by `kubernetes.io/metadata.name`) on the ports the workload's routes reach, and
///   pods in the workload's own namespace on every port. Required for workloads with a route;
///   other ports (metrics, admin) stay closed to the controller unless `allow_from` names them.
///   Routes through the KEDA HTTP interceptor open the service port to the interceptor's
///   namespace instead.
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
/// let policies = render(&spec, &app, &[WorkloadPort::tcp(8080)], &[], &ctx);
/// let ingress = policies[0].spec.as_ref().unwrap().ingress.as_ref().unwrap();
/// let peer = &ingress[0].from.as_ref().unwrap()[0];
/// assert!(peer.namespace_selector.is_none());
/// assert_eq!(peer.pod_selector.as_ref().unwrap().match_labels, None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
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
