//! Namespace-wide policies used by tenancy: default deny, DNS, ingress controller.

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer};

use super::peer::namespace_selector;
use super::policy::{all_pods, dns_rule, managed_labels, policy};
use super::{ALLOW_DNS_NAME, ALLOW_INGRESS_CONTROLLER_NAME, DEFAULT_DENY_NAME};
use crate::context::Context;
use crate::names::DnsLabel;

/// `default-deny`: isolates every pod of `namespace` for ingress and egress.
///
/// ```
/// let p = k3score::network::default_deny(&"shop".parse().unwrap());
/// let spec = p.spec.unwrap();
/// assert_eq!(spec.policy_types.unwrap(), ["Ingress", "Egress"]);
/// // No rules: both directions denied (and no empty lists, which the API server drops).
/// assert!(spec.ingress.is_none() && spec.egress.is_none());
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
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    use super::*;
    use crate::labels::AppLabels;
    use crate::network::allow_from_namespace;
    use crate::target::Target;

    fn ctx() -> Context {
        Context::new(Target::gcp(), "shop".parse().unwrap())
    }

    fn app() -> AppLabels {
        AppLabels::new("orders".parse().unwrap())
    }

    fn ingress(p: &NetworkPolicy) -> Vec<NetworkPolicyIngressRule> {
        p.spec.clone().unwrap().ingress.unwrap()
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
