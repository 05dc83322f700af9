//! Bad input: every class gets an error naming its field path, and all problems come at once.

use k3score::ErrorKind;
use k3sgateway::Gateway;

fn gateway(yaml: &str) -> Gateway {
    Gateway::from_yaml(yaml).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn overlapping_identical_routes() {
    let g = gateway(
        "name: edge\nroutes:\n  - {name: a, host: shop, paths: [/api, /x], backend: {service: a, port: 80}}\n  - {name: b, host: shop, paths: [/y, /api], backend: {service: b, port: 80}}\n  - {name: c, host: shop, paths: [{path: /api, kind: exact}], backend: {service: c, port: 80}}\n",
    );
    let errors = g.validate().unwrap_err();
    assert_eq!(errors.paths(), ["routes[1].paths[1]"]);
    assert_eq!(
        errors.to_string(),
        "routes[1].paths[1]: duplicate route match \"shop/api (prefix), already matched by routes[0] (a)\""
    );
}

#[test]
fn overlap_after_host_resolution() {
    // `shop` and `shop.localhost` differ as written but are the same host on the local target.
    let g = gateway(
        "name: edge\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}}\n  - {name: b, host: shop.localhost, backend: {service: b, port: 80}}\n",
    );
    assert!(g.validate().is_ok());
    let target = k3score::Target::local();
    let errors = g.render(&crate::common::ctx(&target)).unwrap_err();
    assert_eq!(errors.paths(), ["routes[1].paths[0]"]);
}

#[test]
fn duplicate_route_names() {
    let g = gateway(
        "name: edge\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}}\n  - {name: a, host: api, backend: {service: b, port: 80}}\n",
    );
    assert_eq!(g.validate().unwrap_err().paths(), ["routes[1].name"]);
}

#[test]
fn rewrite_without_a_prefix_match() {
    let g = gateway(
        "name: edge\nroutes:\n  - {name: a, host: shop, paths: [{path: /health, kind: exact}], rewrite_to: /v2, backend: {service: a, port: 80}}\n  - {name: b, host: shop, paths: [{path: /ready, kind: exact}], strip_prefix: true, backend: {service: b, port: 80}}\n",
    );
    let errors = g.validate().unwrap_err();
    assert_eq!(errors.paths(), ["routes[0].paths[0].kind", "routes[1].paths[0].kind"]);
    assert!(
        errors.to_string().contains("rewrite_to needs prefix matches"),
        "{errors}"
    );
}

#[test]
fn rate_limit_of_zero_per_route_and_global() {
    let g = gateway(
        "name: edge\nrate_limit: {requests: 0}\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}}\n  - {name: b, host: api, backend: {service: b, port: 80}, rate_limit: {requests: 0, burst: 0}}\n",
    );
    assert_eq!(
        g.validate().unwrap_err().paths(),
        [
            "rate_limit.requests",
            "routes[1].rate_limit.requests",
            "routes[1].rate_limit.burst"
        ]
    );
}

#[test]
fn cors_origin_that_is_not_an_origin() {
    let err = Gateway::from_yaml(
        "name: edge\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}, cors: {allow_origins: ['https://ok.example.com', 'shop.example.com']}}\n",
    )
    .unwrap_err();
    assert_eq!(err.paths(), ["routes[0].cors.allow_origins[1]"]);
    assert!(
        err.to_string().contains("invalid CORS origin \"shop.example.com\""),
        "{err}"
    );
    let global =
        Gateway::from_yaml("name: edge\ncors: {allow_origins: ['https://a.com/app']}\nroutes: []\n").unwrap_err();
    // The bad origin does not hide the other problem of the file.
    assert_eq!(global.paths(), ["cors.allow_origins[0]", "routes"]);
}

#[test]
fn unknown_fields_are_rejected_with_their_path() {
    let err = Gateway::from_yaml(
        "name: edge\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}, timout: 5s}\n",
    )
    .unwrap_err();
    assert_eq!(err.paths(), ["routes[0].timout"]);
    assert!(err.to_string().contains("timout"), "{err}");
}

#[test]
fn features_a_controller_cannot_express() {
    let g = gateway(
        "name: edge\nrate_limit: {requests: 10}\nwaf: {allow_cidrs: [10.0.0.0/8], managed_rules: {engine: coraza}}\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}, rate_limit: {requests: 5, burst: 10}}\n  - {name: b, host: api, backend: {service: b, port: http}, basic_auth: {secret: creds}}\n  - {name: c, host: docs, backend: {service: c, port: 80}}\n",
    );
    let [_, (_, haproxy), (_, gateway_api)] = crate::common::targets();
    let errors = g.render(&crate::common::ctx(&haproxy)).unwrap_err();
    assert_eq!(errors.paths(), ["routes[0].rate_limit.burst", "waf.managed_rules"]);
    match &errors.0[1].kind {
        ErrorKind::Unsupported { by, why, .. } => {
            assert_eq!(by, "HAProxy");
            assert!(why.contains("per-Ingress WAF annotation"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    // Global policies are reported once, at the gateway-level field they come from.
    let errors = g.render(&crate::common::ctx(&gateway_api)).unwrap_err();
    assert_eq!(
        errors.paths(),
        [
            "routes[0].rate_limit",
            "routes[0].rate_limit.burst",
            "waf.allow_cidrs",
            "routes[1].backend.port",
            "rate_limit",
            "routes[1].basic_auth",
            "waf.managed_rules"
        ]
    );
}

#[test]
fn route_policies_may_only_narrow_the_waf() {
    let g = gateway(
        "name: edge\nwaf: {allow_cidrs: [10.0.0.0/8], max_body_size: 1Mi}\nroutes:\n  - {name: a, host: shop, backend: {service: a, port: 80}, allow_list: [10.2.0.0/16, 192.168.0.0/16], max_body_size: 2Mi}\n",
    );
    assert_eq!(
        g.validate().unwrap_err().paths(),
        ["routes[0].allow_list[1]", "routes[0].max_body_size"]
    );
}

#[test]
fn waf_problems() {
    let g = gateway(
        "name: edge\nwaf: {allow_cidrs: [10.0.0.0/8, 10.0.0.0/8], max_body_size: 0, managed_rules: {engine: modsecurity}}\nroutes: []\n",
    );
    assert_eq!(
        g.validate().unwrap_err().paths(),
        [
            "routes",
            "waf.allow_cidrs[1]",
            "waf.max_body_size",
            "waf.managed_rules.url"
        ]
    );
}
