//! Golden bundles for routes and targets.
//!
//! Routes: `tests/golden/exposure/{traefik,haproxy,gateway_api}.yaml` (src/exposure/tests.rs)
//! already pin a route with every feature each controller supports, on TLS targets and behind
//! the KEDA interceptor. The goldens here add the other half: a plain route to the app's own
//! Service on a target without TLS, once per ingress controller.
//!
//! Targets: one app (a secret env ref, a created volume, a route) under `local`, `dev` and
//! `gcp`: Secret vs ExternalSecret, the target's storage class, a route with and without TLS.

use crate::common::{app_bundle, ctx, golden, label, secret_values, web};
use k3score::exposure::{self, Backend, Expose, Host, Route};
use k3score::ports::PortRef;
use k3score::scaling::Scaling;
use k3score::secrets::SecretKeyRef;
use k3score::workload::{EnvValue, Volume};
use k3score::{Bundle, Context, Ingress, Target};
use serde_json::json;

/// `orders` on 8080 under `/api`, prefix stripped, with the app's labels.
fn plain_route() -> Route {
    Route {
        strip_prefix: true,
        ..Route::new(
            label("orders"),
            label("orders").into(),
            Backend::new("orders".parse().unwrap(), PortRef::Number(8080)),
        )
        .with_paths(["/api"])
    }
}

fn routes(target: Target) -> Bundle {
    let ctx = ctx(target);
    crate::common::bundle_of(exposure::render_routes(&[plain_route()], &ctx).unwrap())
}

#[test]
fn traefik_route_without_tls() {
    let bundle = routes(Target::local());
    golden("routes", "traefik_plain", &bundle);
    let route = crate::common::find(&bundle, "IngressRoute", "orders");
    assert_eq!(route["spec"]["entryPoints"], json!(["web"]));
    assert!(route["spec"].get("tls").is_none());
    assert_eq!(
        route["spec"]["routes"][0]["middlewares"],
        json!([{"name": "orders-strip-prefix"}])
    );
}

#[test]
fn haproxy_route_without_tls() {
    let target = Target::local().with_ingress(Ingress::haproxy(), label("haproxy-controller"));
    let bundle = routes(target);
    golden("routes", "haproxy_plain", &bundle);
    let ingress = crate::common::find(&bundle, "Ingress", "orders");
    assert_eq!(ingress["spec"]["ingressClassName"], "haproxy");
    assert!(ingress["spec"].get("tls").is_none());
    assert_eq!(
        ingress["metadata"]["annotations"]["haproxy.org/path-rewrite"],
        r"^(/api)(/(.*))?$ /\3"
    );
}

#[test]
fn gateway_api_route_without_tls() {
    let gateway = Ingress::gateway_api("shared", "infra").unwrap();
    let bundle = routes(Target::local().with_ingress(gateway, label("infra")));
    golden("routes", "gateway_api_plain", &bundle);
    // The backend is in the route's namespace: no ReferenceGrant.
    assert_eq!(crate::common::kinds(&bundle), ["HTTPRoute"]);
    let route = crate::common::find(&bundle, "HTTPRoute", "orders");
    assert_eq!(
        route["spec"]["parentRefs"],
        json!([{"name": "shared", "namespace": "infra"}])
    );
}

/// The app of the target goldens: a secret env ref, a created 10Gi volume, one route.
fn app_on(target: Target) -> (Bundle, Context) {
    let values = secret_values([("API_KEY", "local-api-key")]);
    let ctx = ctx(target).with_secret_values(values);
    let mut w = web("orders");
    let api_key = EnvValue::Secret(SecretKeyRef {
        secret: "orders-api-key".parse().unwrap(),
        key: None,
    });
    w.env.insert("API_KEY".parse().unwrap(), api_key);
    w.env.insert("LOG_LEVEL".parse().unwrap(), "info".into());
    let data: Volume = k3score::yaml::from_yaml("{name: data, mount_path: /data, pvc: {size: 10Gi}}").unwrap();
    w.volumes.push(data);
    let mut bundle = app_bundle(&w, &Scaling::None, &ctx);
    let expose: Expose = k3score::yaml::from_yaml("{paths: [/api]}").unwrap();
    let route = expose
        .to_route(w.name.clone(), "orders".parse().unwrap(), PortRef::Number(8080))
        .with_labels(w.labels.clone());
    for object in exposure::render_routes(&[route], &ctx).unwrap() {
        bundle.push(object);
    }
    (bundle, ctx)
}

#[test]
fn local_target_uses_dotenv_secrets_local_path_and_plain_http() {
    let (bundle, _) = app_on(Target::local());
    golden("targets", "local", &bundle);
    let secret = crate::common::find(&bundle, "Secret", "orders-api-key");
    // "local-api-key", base64.
    assert_eq!(secret["data"]["value"], "bG9jYWwtYXBpLWtleQ==");
    let pvc = crate::common::find(&bundle, "PersistentVolumeClaim", "orders-data");
    assert_eq!(pvc["spec"]["storageClassName"], "local-path");
    let route = crate::common::find(&bundle, "IngressRoute", "orders");
    assert!(route["spec"].get("tls").is_none());
    assert!(
        route["spec"]["routes"][0]["match"]
            .as_str()
            .unwrap()
            .contains("orders.localhost")
    );
}

#[test]
fn dev_target_uses_external_secrets_default_storage_and_tls() {
    let (bundle, _) = app_on(Target::dev());
    golden("targets", "dev", &bundle);
    let es = crate::common::find(&bundle, "ExternalSecret", "orders-api-key");
    assert_eq!(
        es["spec"]["secretStoreRef"],
        json!({"name": "dev-secrets", "kind": "ClusterSecretStore"})
    );
    let pvc = crate::common::find(&bundle, "PersistentVolumeClaim", "orders-data");
    assert!(pvc["spec"].get("storageClassName").is_none());
    let route = crate::common::find(&bundle, "IngressRoute", "orders");
    assert_eq!(route["spec"]["entryPoints"], json!(["websecure"]));
    assert!(route["spec"]["tls"]["secretName"].is_string());
}

#[test]
fn gcp_target_uses_gcp_store_standard_rwo_and_haproxy_tls() {
    let (bundle, _) = app_on(Target::gcp());
    golden("targets", "gcp", &bundle);
    let es = crate::common::find(&bundle, "ExternalSecret", "orders-api-key");
    assert_eq!(es["spec"]["secretStoreRef"]["name"], "gcp-secrets");
    assert!(bundle.iter().all(|o| o.kind() != "Secret"));
    let pvc = crate::common::find(&bundle, "PersistentVolumeClaim", "orders-data");
    assert_eq!(pvc["spec"]["storageClassName"], "standard-rwo");
    let ingress = crate::common::find(&bundle, "Ingress", "orders");
    assert_eq!(ingress["spec"]["tls"][0]["hosts"], json!(["orders.example.com"]));
    assert_eq!(
        ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        "letsencrypt"
    );
}

#[test]
fn custom_target_from_the_builder() {
    let keda = k3score::target::Keda {
        namespace: label("autoscaling"),
        http_api: k3score::KedaHttpApi::HttpScaledObject,
    };
    let target = k3score::TargetBuilder::default()
        .name(label("staging"))
        .ingress(Ingress::gateway_api("shared", "infra").unwrap())
        .ingress_namespace(label("infra"))
        .secrets(k3score::SecretBackend::ExternalSecrets {
            store: "vault-secrets".parse().unwrap(),
            refresh_interval: "15m".into(),
        })
        .base_domain("staging.acme.io".parse::<k3score::names::DnsSubdomain>().unwrap())
        .tls_issuer(Some("letsencrypt".to_owned()))
        .storage_class(Some("fast-ssd".to_owned()))
        .keda(keda)
        .build()
        .unwrap();
    let (bundle, _) = app_on(target);
    golden("targets", "custom", &bundle);
    let es = crate::common::find(&bundle, "ExternalSecret", "orders-api-key");
    assert_eq!(es["spec"]["refreshInterval"], "15m");
    assert_eq!(es["spec"]["secretStoreRef"]["name"], "vault-secrets");
    let pvc = crate::common::find(&bundle, "PersistentVolumeClaim", "orders-data");
    assert_eq!(pvc["spec"]["storageClassName"], "fast-ssd");
    let route = crate::common::find(&bundle, "HTTPRoute", "orders");
    assert_eq!(route["spec"]["hostnames"], json!(["orders.staging.acme.io"]));
}

#[test]
fn wildcard_hosts_stay_within_253_characters() {
    let name = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    assert_eq!(name.len(), 253);
    assert!(name.parse::<Host>().is_ok());
    // Kubernetes IsWildcardDNS1123Subdomain and the HTTPRoute CRD (`maxLength: 253`) count the `*.`.
    let wildcard = format!("*.{name}");
    assert!(
        wildcard.parse::<Host>().is_err(),
        "{} characters accepted",
        wildcard.len()
    );
}
