//! Rendering: the per-workload ingress and egress policies and the namespace-wide ones.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::peer::namespace_selector;
use super::{
    DNS_NAMESPACE, DNS_POD_LABEL_KEY, DNS_POD_LABEL_VALUE, DNS_PORT, EgressMode, MAX_NAME, NetworkSpec, Visibility,
};
use crate::context::Context;
use crate::labels::{self, AppLabels};
use crate::names::{self, DnsLabel, PortName};
use crate::ports::{PortRef, Protocol};

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
            port: Some(self.port.to_int_or_string()),
            protocol: Some(self.protocol.as_str().to_owned()),
            end_port: None,
        }
    }
}

impl From<u16> for WorkloadPort {
    fn from(port: u16) -> Self {
        Self::tcp(port)
    }
}

pub(super) fn all_pods() -> LabelSelector {
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

pub(super) fn managed_labels() -> BTreeMap<String, String> {
    BTreeMap::from([(labels::MANAGED_BY.to_owned(), labels::MANAGER.to_owned())])
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

pub(super) fn dns_rule() -> NetworkPolicyEgressRule {
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
                    protocol: Some(protocol.as_str().to_owned()),
                    end_port: None,
                })
                .collect(),
        ),
    }
}

pub(super) fn policy(
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
    // A listed policy type without rules denies that direction. An empty rule list is left
    // out rather than written as `[]`: the API server stores no empty list, so a manifest
    // with `ingress: []` differs from the stored object and every server-side apply of it
    // bumps the policy's generation (seen against Kubernetes 1.36).
    NetworkPolicy {
        metadata: metadata(name, namespace, labels),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(pod_selector),
            policy_types: Some(types),
            ingress: ingress.and_then(non_empty),
            egress: egress.and_then(non_empty),
        }),
    }
}

/// The `<name>-ingress` and `<name>-egress` NetworkPolicies of one workload.
///
/// `ports` are the ports the workload listens on; visibility rules admit peers on those ports
/// only. `routed` are the ports the workload's routes reach through the ingress controller:
/// `public` admits the controller's namespace on those alone, so metrics or admin ports stay
/// closed to it (its own namespace keeps every port); pass none for a workload whose routes go
/// through the KEDA HTTP interceptor (see [`allow_from_namespace`]). An `allow_from` peer
/// without ports gets the workload's ports (every port if the workload declares none). The egress policy allows cluster DNS (UDP/TCP 53 to `k8s-app:
/// kube-dns` in `kube-system`) plus `allow_to`, or everything with `egress: open`.
///
/// ```
/// use k3score::network::{render, NetworkSpec, Visibility, WorkloadPort};
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let spec = NetworkSpec { visibility: Visibility::Public, ..Default::default() };
/// let ports = [WorkloadPort::tcp(8080), WorkloadPort::tcp(9090)];
/// let routed = [WorkloadPort::tcp(8080)];
/// let policies = render(&spec, &AppLabels::new("web".parse().unwrap()), &ports, &routed, &ctx);
/// assert_eq!(policies[0].metadata.name.as_deref(), Some("web-ingress"));
/// let rule = &policies[0].spec.as_ref().unwrap().ingress.as_ref().unwrap()[0];
/// let ns = rule.from.as_ref().unwrap()[0].namespace_selector.as_ref().unwrap().match_labels.as_ref().unwrap();
/// assert_eq!(ns["kubernetes.io/metadata.name"], "kube-system"); // Traefik on k3s
/// assert_eq!(rule.ports.as_ref().unwrap().len(), 1, "the routed port only");
/// let egress = policies[1].spec.as_ref().unwrap().egress.as_ref().unwrap();
/// assert_eq!(egress[0].ports.as_ref().unwrap()[0].protocol.as_deref(), Some("UDP"));
/// ```
#[must_use]
pub fn render(
    spec: &NetworkSpec,
    app: &AppLabels,
    ports: &[WorkloadPort],
    routed: &[WorkloadPort],
    ctx: &Context,
) -> Vec<NetworkPolicy> {
    let name = app.name().as_str();
    let namespace = ctx.namespace.as_str();
    let workload_ports: Vec<NetworkPolicyPort> = ports.iter().map(WorkloadPort::to_k8s).collect();

    let mut ingress = Vec::new();
    if spec.visibility == Visibility::Public && !workload_ports.is_empty() && !routed.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector(ctx.target.ingress_namespace.as_str())),
                ..Default::default()
            }]),
            ports: Some(routed.iter().map(WorkloadPort::to_k8s).collect()),
        });
    }
    let visibility_peers = match spec.visibility {
        Visibility::Public | Visibility::Private => vec![NetworkPolicyPeer {
            pod_selector: Some(all_pods()),
            ..Default::default()
        }],
        Visibility::Internal => vec![NetworkPolicyPeer {
            namespace_selector: Some(all_pods()),
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
pub fn allow_from_namespace(app: &AppLabels, from: &DnsLabel, ports: &[WorkloadPort], ctx: &Context) -> NetworkPolicy {
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

/// Every IPv4 and IPv6 source: what `allow_from_anywhere` admits.
pub const ANYWHERE: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// Admits every source address (`0.0.0.0/0` and `::/0`) to the workload `app` on `ports`:
/// for a `load_balancer` or `node_port` Service, whose traffic comes from outside the cluster
/// through the nodes (with the client's or a node's address, depending on the Service's
/// `externalTrafficPolicy` and the load balancer). Named `<name>-from-anywhere`; its
/// `kubernetes.io/description` annotation says so in the render.
///
/// ```
/// use k3score::network::{allow_from_anywhere, WorkloadPort};
/// use k3score::{labels::AppLabels, Context, Target};
/// let ctx = Context::new(Target::local(), "iot".parse().unwrap());
/// let p = allow_from_anywhere(&AppLabels::new("mqtt".parse().unwrap()), &[WorkloadPort::tcp(1883)], &ctx);
/// let rule = &p.spec.unwrap().ingress.unwrap()[0];
/// let cidrs: Vec<_> = rule.from.as_ref().unwrap().iter().map(|p| p.ip_block.clone().unwrap().cidr).collect();
/// assert_eq!(cidrs, ["0.0.0.0/0", "::/0"]);
/// ```
#[must_use]
pub fn allow_from_anywhere(app: &AppLabels, ports: &[WorkloadPort], ctx: &Context) -> NetworkPolicy {
    let rule = NetworkPolicyIngressRule {
        from: Some(
            ANYWHERE
                .iter()
                .map(|cidr| NetworkPolicyPeer {
                    ip_block: Some(k8s_openapi::api::networking::v1::IPBlock {
                        cidr: (*cidr).to_owned(),
                        except: None,
                    }),
                    ..Default::default()
                })
                .collect(),
        ),
        ports: non_empty(ports.iter().map(WorkloadPort::to_k8s).collect()),
    };
    let mut policy = policy(
        names::bounded(app.name().as_str(), "-from-anywhere", MAX_NAME),
        ctx.namespace.as_str(),
        app.labels(),
        selector_of(app.selector()),
        Some(vec![rule]),
        None,
    );
    // Said in the render itself, with the well-known `kubernetes.io/description` annotation
    // ("describing specific behaviour of given object", Kubernetes' Well-Known Labels,
    // Annotations and Taints).
    policy.metadata.annotations = Some(BTreeMap::from([(
        DESCRIPTION_ANNOTATION.to_owned(),
        ANYWHERE_DESCRIPTION.to_owned(),
    )]));
    policy
}

/// The well-known annotation describing an object's behaviour.
pub const DESCRIPTION_ANNOTATION: &str = "kubernetes.io/description";

/// What [`allow_from_anywhere`] says of itself in [`DESCRIPTION_ANNOTATION`].
pub const ANYWHERE_DESCRIPTION: &str = "The app's Service is a load_balancer or node_port Service: its ports are open to \
     every source address (0.0.0.0/0 and ::/0), since outside traffic reaches the pods through the nodes.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{PathRef, Problems, Validate};
    use crate::network::NAMESPACE_NAME_LABEL;
    use crate::target::Target;
    use crate::yaml::from_yaml;

    fn ctx() -> Context {
        Context::new(Target::gcp(), "shop".parse().unwrap())
    }

    fn app() -> AppLabels {
        AppLabels::new("orders".parse().unwrap())
    }

    fn ingress(p: &NetworkPolicy) -> Vec<NetworkPolicyIngressRule> {
        p.spec.clone().unwrap().ingress.unwrap_or_default()
    }

    #[test]
    fn visibility_peers() {
        let ports = [WorkloadPort::tcp(8080), WorkloadPort::named("metrics".parse().unwrap())];
        let render_with = |visibility| {
            let spec = NetworkSpec {
                visibility,
                ..Default::default()
            };
            ingress(&render(&spec, &app(), &ports, &ports[..1], &ctx())[0])
        };
        let public = render_with(Visibility::Public);
        assert_eq!(public.len(), 2);
        let from = public[0].from.clone().unwrap();
        assert_eq!(
            from[0].namespace_selector.clone().unwrap().match_labels.unwrap()[NAMESPACE_NAME_LABEL],
            "haproxy-controller"
        );
        // The ingress controller reaches the routed port only; the metrics port stays closed.
        let routed: Vec<_> = public[0].ports.iter().flatten().map(|p| p.port.clone()).collect();
        assert_eq!(routed, [Some(IntOrString::Int(8080))]);
        assert_eq!(
            public[1].from.clone().unwrap()[0].pod_selector,
            Some(LabelSelector::default())
        );
        let ports_out = public[1].ports.clone().unwrap();
        assert_eq!(ports_out[1].port, Some(IntOrString::String("metrics".into())));
        // Public without routes: the own namespace only.
        let spec = NetworkSpec {
            visibility: Visibility::Public,
            ..Default::default()
        };
        let unrouted = ingress(&render(&spec, &app(), &ports, &[], &ctx())[0]);
        assert_eq!(unrouted.len(), 1);
        assert!(unrouted[0].from.clone().unwrap()[0].namespace_selector.is_none());

        let internal = render_with(Visibility::Internal);
        assert_eq!(
            internal[0].from.clone().unwrap()[0].namespace_selector,
            Some(LabelSelector::default())
        );
        assert!(internal[0].from.clone().unwrap()[0].pod_selector.is_none());

        let private = render_with(Visibility::Private);
        assert!(private[0].from.clone().unwrap()[0].namespace_selector.is_none());

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
        let mut problems = Problems::default();
        spec.validate(PathRef::ROOT, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let policies = render(&spec, &app(), &[WorkloadPort::tcp(8080)], &[], &ctx());
        let rules = ingress(&policies[0]);
        assert_eq!(rules.len(), 2);
        let peer = &rules[0].from.clone().unwrap()[0];
        assert_eq!(
            peer.namespace_selector.clone().unwrap().match_labels.unwrap()[NAMESPACE_NAME_LABEL],
            "monitoring"
        );
        assert_eq!(
            peer.pod_selector.clone().unwrap().match_labels.unwrap()[labels::NAME],
            "prometheus"
        );
        assert_eq!(rules[0].ports.clone().unwrap()[0].port, Some(IntOrString::Int(9090)));
        // No ports on the peer: the workload's ports.
        assert_eq!(rules[1].ports.clone().unwrap()[0].port, Some(IntOrString::Int(8080)));

        let egress = policies[1].spec.clone().unwrap();
        assert_eq!(egress.policy_types.unwrap(), ["Egress"]);
        let egress = egress.egress.unwrap();
        assert_eq!(egress.len(), 3);
        assert_eq!(egress[0], dns_rule());
        let block = egress[2].to.clone().unwrap()[0].ip_block.clone().unwrap();
        assert_eq!(block.cidr, "0.0.0.0/0");
        assert_eq!(block.except.unwrap(), ["10.0.0.0/8"]);
        assert_eq!(egress[2].ports.clone().unwrap()[0].protocol.as_deref(), Some("UDP"));
    }

    #[test]
    fn denied_directions_are_listed_without_an_empty_rule_list() {
        // Against a real API server, `ingress: []` made every server-side apply bump the
        // generation (the server stores no empty list); the denial is the listed type alone.
        let policies = render(&NetworkSpec::default(), &app(), &[], &[], &ctx());
        let spec = policies[0].spec.clone().unwrap();
        assert_eq!(spec.policy_types.unwrap(), ["Ingress"]);
        assert_eq!(spec.ingress, None);
        let deny = crate::network::default_deny(&"shop".parse().unwrap());
        let mut bundle = crate::Bundle::new();
        bundle.push(deny);
        let yaml = bundle.to_yaml().unwrap();
        assert!(yaml.contains("policyTypes:\n  - Ingress\n  - Egress\n"), "{yaml}");
        assert!(!yaml.contains("ingress:") && !yaml.contains("egress:"), "{yaml}");
    }

    #[test]
    fn open_egress_is_an_explicit_allow_all() {
        let spec = NetworkSpec {
            egress: EgressMode::Open,
            ..Default::default()
        };
        let policies = render(&spec, &app(), &[], &[], &ctx());
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
        let policies = render(&NetworkSpec::default(), &long, &[], &[], &ctx());
        let name = policies[0].metadata.name.clone().unwrap();
        assert!(name.len() <= 63 && name.ends_with("-ingress"), "{name}");
        assert_eq!(render(&NetworkSpec::default(), &long, &[], &[], &ctx()), policies);
    }
}
