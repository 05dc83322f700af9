//! Golden files: every feature row × controller. A row a controller supports renders to
//! `tests/golden/<controller>/<row>.yaml`; one it cannot express fails, and the error (with its
//! path) is the golden `<row>.err`. Either way the outcome must agree with the support table.

use k3score::exposure::{RouteFeature, supports};
use k3sgateway::{Gateway, WafFeature, waf_support};

const BASE: &str = "{name: orders, host: orders, paths: [/api], backend: {service: orders, port: 8080}";

fn route(extra: &str) -> String {
    if extra.is_empty() {
        format!("{BASE}}}")
    } else {
        format!("{BASE}, {extra}}}")
    }
}

fn one(extra: &str) -> String {
    format!("name: edge\nroutes:\n  - {}\n", route(extra))
}

/// The row name and spec of a route feature.
fn feature_row(feature: RouteFeature) -> (&'static str, String) {
    use RouteFeature as F;
    match feature {
        F::Host => ("host", one("")),
        F::WildcardHost => (
            "wildcard-host",
            one("host: '*.apps.example.com'").replace("host: orders, ", ""),
        ),
        F::PrefixPath => ("prefix-path", one("").replace("[/api]", "[/api, /v1/orders]")),
        F::ExactPath => (
            "exact-path",
            one("").replace("[/api]", "[{path: /health, kind: exact}]"),
        ),
        F::NamedPort => ("named-port", one("").replace("port: 8080", "port: http")),
        F::CrossNamespaceBackend => (
            "cross-namespace-backend",
            one("").replace("port: 8080", "namespace: payments, port: 8080"),
        ),
        F::NamedPortAcrossNamespaces => (
            "named-port-across-namespaces",
            one("").replace("port: 8080", "namespace: payments, port: http"),
        ),
        F::StripPrefix => ("strip-prefix", one("strip_prefix: true")),
        F::RewriteTo => ("rewrite-to", one("rewrite_to: /v2")),
        F::Timeout => ("timeout", one("timeout: 1m30s")),
        F::RateLimit => ("rate-limit", one("rate_limit: {requests: 100, per: 1m}")),
        F::RateLimitBurst => ("rate-limit-burst", one("rate_limit: {requests: 10, burst: 20}")),
        F::BasicAuth => ("basic-auth", one("basic_auth: {secret: orders-users, realm: Orders}")),
        F::Cors => (
            "cors",
            one(
                "cors: {allow_origins: ['https://shop.example.com', 'https://*.shop.example.com'], allow_methods: [GET, POST], allow_headers: [Content-Type], max_age: 600, allow_credentials: true}",
            ),
        ),
        F::CorsExposeHeaders => (
            "cors-expose-headers",
            one("cors: {allow_origins: ['https://shop.example.com'], expose_headers: [X-Request-Id]}"),
        ),
        F::AllowList => ("allow-list", one("allow_list: [10.0.0.0/8, 192.168.1.7]")),
        F::MaxBodySize => ("max-body-size", one("max_body_size: 1Mi")),
        F::Tls => ("tls", one("tls: true")),
    }
}

fn waf_row(feature: WafFeature) -> (&'static str, String) {
    let two = format!(
        "routes:\n  - {}\n  - {{name: admin, host: admin, backend: {{service: admin, port: 80}}, allow_list: [10.1.0.0/16]}}\n",
        route("")
    );
    match feature {
        WafFeature::AllowCidrs => (
            "waf-allow-cidrs",
            format!("name: edge\nwaf: {{allow_cidrs: [10.0.0.0/8]}}\n{two}"),
        ),
        WafFeature::MaxBodySize => (
            "waf-max-body-size",
            format!(
                "name: edge\nwaf: {{max_body_size: 8Mi}}\nroutes:\n  - {{name: shop, host: shop, backend: {{service: shop, port: 80}}}}\n  - {}\n",
                route("max_body_size: 1Mi")
            ),
        ),
        WafFeature::Coraza => (
            "waf-coraza",
            format!(
                "name: edge\nwaf: {{managed_rules: {{engine: coraza, directives: ['SecRuleRemoveById 920350']}}}}\n{two}"
            ),
        ),
        WafFeature::Modsecurity => (
            "waf-modsecurity",
            format!(
                "name: edge\nwaf: {{managed_rules: {{engine: modsecurity, url: 'http://modsecurity-crs.waf.svc:8080'}}}}\n{two}"
            ),
        ),
    }
}

/// Gateway composition rows, with whether each controller renders them.
fn composition_rows() -> Vec<(&'static str, String, [bool; 3])> {
    vec![
        (
            "global-rate-limit",
            "name: edge\nrate_limit: {requests: 100, per: 1m}\nroutes:\n  - {name: shop, host: shop, backend: {service: shop, port: 80}}\n  - {name: search, host: shop, paths: [/search], backend: {service: search, port: 80}, rate_limit: {requests: 5}}\n".into(),
            [true, true, false],
        ),
        (
            "global-cors",
            "name: edge\ncors: {allow_origins: ['https://shop.example.com']}\nroutes:\n  - {name: shop, host: api, backend: {service: shop, port: 80}}\n  - {name: partners, host: api, paths: [/partners], backend: {service: partners, port: 80}, cors: {allow_origins: ['https://partner.example.org'], allow_methods: ['*']}}\n".into(),
            [true, true, true],
        ),
        (
            "several-hosts",
            "name: edge\nroutes:\n  - {name: shop, host: shop, backend: {service: shop, port: 80}, timeout: 30s}\n  - {name: shop-www, host: www.shop.example.com, backend: {service: shop, port: 80}, timeout: 30s}\n  - {name: docs, host: docs, paths: [/guide, {path: /faq, kind: exact}], backend: {service: docs, port: 8080}, timeout: 30s}\n  - {name: api, host: api, paths: [/v1], strip_prefix: true, backend: {service: api, port: 8080}}\n".into(),
            [true, true, true],
        ),
        (
            "traefik-chain",
            "name: edge\nrate_limit: {requests: 100}\ncors: {allow_origins: ['https://shop.example.com']}\nwaf: {allow_cidrs: [10.0.0.0/8], max_body_size: 2Mi, managed_rules: {engine: coraza}}\nroutes:\n  - {name: orders, host: orders, paths: [/api], strip_prefix: true, backend: {service: orders, port: 8080}, basic_auth: {secret: orders-users}, timeout: 10s}\n".into(),
            [true, false, false],
        ),
    ]
}

fn render_row(row: &str, yaml: &str, expected: [bool; 3]) {
    let gateway = Gateway::from_yaml(yaml).unwrap_or_else(|e| panic!("{row}: {e}"));
    for ((dir, target), supported) in crate::common::targets().iter().zip(expected) {
        match gateway.render(&crate::common::ctx(target)) {
            Ok(bundle) => {
                assert!(supported, "{row} rendered on {dir} although the table says it cannot");
                crate::common::golden(&format!("{dir}/{row}.yaml"), &bundle.to_yaml().unwrap());
            }
            Err(errors) => {
                assert!(!supported, "{row} failed on {dir}: {errors}");
                assert!(errors.iter().all(|e| !e.path.is_root()), "{errors}");
                crate::common::golden(&format!("{dir}/{row}.err"), &format!("{errors}\n"));
            }
        }
    }
}

#[test]
fn every_route_feature_on_every_controller() {
    for feature in RouteFeature::ALL {
        let (row, yaml) = feature_row(feature);
        let [t, h, g] = crate::common::targets().map(|(_, target)| {
            // The feature a row asks for, plus the features every row uses (host, prefix path,
            // TLS on the gcp preset).
            let ctx = crate::common::ctx(&target);
            let gateway = Gateway::from_yaml(&yaml).unwrap();
            gateway.effective_routes().iter().all(|r| {
                k3score::exposure::features(r, &ctx)
                    .iter()
                    .all(|(f, _)| supports(*f, &target.ingress).is_supported())
            })
        });
        // The row's own feature decides when it is the only one in question.
        for (ok, (_, target)) in [t, h, g].iter().zip(crate::common::targets()) {
            if supports(feature, &target.ingress).is_supported() {
                assert!(ok, "{row}");
            }
        }
        render_row(row, &yaml, [t, h, g]);
    }
}

#[test]
fn every_waf_feature_on_every_controller() {
    for feature in WafFeature::ALL {
        let (row, yaml) = waf_row(feature);
        let expected = crate::common::targets().map(|(_, t)| waf_support(feature, &t.ingress).is_supported());
        render_row(row, &yaml, expected);
    }
}

#[test]
fn gateway_composition() {
    for (row, yaml, expected) in composition_rows() {
        render_row(row, &yaml, expected);
    }
}
