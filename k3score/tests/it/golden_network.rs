//! Golden bundles for each visibility (`public`, `internal`, `private`, `restricted`) and for
//! `egress: open`: the `<app>-ingress` and `<app>-egress` NetworkPolicies of one workload.

use crate::common::{ctx, golden, label};
use k3score::Bundle;
use k3score::labels::AppLabels;
use k3score::network::{self, EgressMode, NetworkSpec, Visibility, WorkloadPort};
use k3score::{Context, Target, Validate};
use serde_json::{Value, json};

fn policies(spec: &NetworkSpec, ctx: &Context) -> Bundle {
    spec.problems_at(k3score::PathRef::ROOT.field("security"))
        .finish(())
        .unwrap();
    let app = AppLabels::new(label("orders")).with_part_of("shop");
    let ports = [WorkloadPort::named("http".parse().unwrap()), WorkloadPort::tcp(9090)];
    // The route reaches `http` only; 9090 (metrics) is not routed.
    crate::common::bundle_of(network::render(spec, &app, &ports, &ports[..1], ctx))
}

fn spec(visibility: Visibility) -> NetworkSpec {
    NetworkSpec {
        visibility,
        ..Default::default()
    }
}

/// The `from` peers of the ingress policy's first rule.
fn first_from(bundle: &Bundle) -> Value {
    crate::common::find(bundle, "NetworkPolicy", "orders-ingress")["spec"]["ingress"][0]["from"].clone()
}

#[test]
fn public_admits_the_ingress_controller_namespace_on_routed_ports() {
    // gcp: the HAProxy controller runs in `haproxy-controller`.
    let bundle = policies(&spec(Visibility::Public), &ctx(Target::gcp()));
    golden("network", "public", &bundle);
    let rules = &crate::common::find(&bundle, "NetworkPolicy", "orders-ingress")["spec"]["ingress"];
    assert_eq!(
        rules[0],
        json!({
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "haproxy-controller"}}}],
            "ports": [{"port": "http", "protocol": "TCP"}]
        }),
        "the controller reaches the routed port only, not 9090"
    );
    assert_eq!(rules[1]["from"], json!([{"podSelector": {}}]));
    assert_eq!(
        rules[1]["ports"].as_array().unwrap().len(),
        2,
        "the own namespace: every port"
    );
}

#[test]
fn internal_admits_every_namespace() {
    let bundle = policies(&spec(Visibility::Internal), &ctx(Target::local()));
    golden("network", "internal", &bundle);
    assert_eq!(first_from(&bundle), json!([{"namespaceSelector": {}}]));
}

#[test]
fn private_admits_the_own_namespace_only() {
    let bundle = policies(&spec(Visibility::Private), &ctx(Target::local()));
    golden("network", "private", &bundle);
    assert_eq!(first_from(&bundle), json!([{"podSelector": {}}]));
}

#[test]
fn restricted_admits_only_allow_from() {
    let spec: NetworkSpec = k3score::yaml::from_yaml(
        "visibility: restricted\n\
         allow_from:\n\
         - {namespace: monitoring, app: prometheus, port: 9090}\n\
         - {app: storefront}\n\
         - {cidr: 10.0.0.0/8, except: [10.1.0.0/16], ports: [{port: 8080}]}\n\
         allow_to:\n\
         - {namespace: payments, port: 443}\n\
         - {app: postgres, ports: [5432]}\n\
         - {cidr: 203.0.113.0/24, ports: [{port: 6379, protocol: tcp}, {port: 30000, end_port: 32767}]}\n",
    )
    .unwrap();
    let bundle = policies(&spec, &ctx(Target::local()));
    golden("network", "restricted", &bundle);
    let ingress = &crate::common::find(&bundle, "NetworkPolicy", "orders-ingress")["spec"]["ingress"];
    // One rule per allow_from peer and none for the visibility itself.
    assert_eq!(ingress.as_array().unwrap().len(), 3);
    // A peer without ports gets the workload's ports.
    assert_eq!(
        ingress[1]["ports"],
        json!([{"port": "http", "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}])
    );
    let egress = &crate::common::find(&bundle, "NetworkPolicy", "orders-egress")["spec"]["egress"];
    // DNS first, then one rule per allow_to peer.
    assert_eq!(egress.as_array().unwrap().len(), 4);
    assert_eq!(egress[0]["to"][0]["podSelector"]["matchLabels"]["k8s-app"], "kube-dns");
}

#[test]
fn egress_open_is_an_explicit_allow_all_rule() {
    // `allow_to` with `egress: open` is a validation error, so the open case has its own golden.
    let spec = NetworkSpec {
        egress: EgressMode::Open,
        ..spec(Visibility::Internal)
    };
    let bundle = policies(&spec, &ctx(Target::local()));
    golden("network", "egress_open", &bundle);
    let egress = crate::common::find(&bundle, "NetworkPolicy", "orders-egress");
    assert_eq!(egress["spec"]["egress"], json!([{}]));
    assert_eq!(egress["spec"]["policyTypes"], json!(["Egress"]));
}
