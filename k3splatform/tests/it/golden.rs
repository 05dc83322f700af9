//! Golden files: every part of the platform rendered for `local` and `gcp` (and `dev` for
//! the Traefik bootstrap). `K3S_BLESS=1 cargo test -p k3splatform --test it golden` rewrites them.

use crate::common::{ctx, example, golden, target};
use std::collections::BTreeMap;

use k3score::crd::argocd::v1alpha1::{Application, HelmValue};
use k3score::crd::helm_controller::v1::HelmChartConfig;
use k3score::identity::WorkloadIdentity;
use k3score::secrets::SecretStoreSpec;
use k3splatform::{BootstrapOptions, Platform, Store, Tenant, bootstrap};

fn store_account() -> &'static str {
    r#"service_account: {name: external-secrets, namespace: external-secrets}"#
}

#[test]
fn platform_local_and_gcp() {
    let platform: Platform = example("platform");
    for t in ["local", "gcp"] {
        golden(
            &format!("platform_{t}.yaml"),
            &platform.render(&ctx(target(t))).unwrap(),
        );
    }
}

#[test]
fn tenant_local_and_gcp() {
    let tenant: Tenant = example("tenant");
    for t in ["local", "gcp"] {
        golden(&format!("tenant_{t}.yaml"), &tenant.render(&ctx(target(t))).unwrap());
    }
}

#[test]
fn store_local_and_gcp() {
    let store: Store = example("store");
    for t in ["local", "gcp"] {
        golden(&format!("store_{t}.yaml"), &store.render(&ctx(target(t))).unwrap());
    }
}

#[test]
fn bootstrap_local() {
    let bundle = bootstrap(&ctx(target("local")), &BootstrapOptions::default()).unwrap();
    golden("bootstrap_local.yaml", &bundle);
    // k3s's own Traefik admits the cross-namespace route to the KEDA interceptor through its
    // HelmChartConfig; no TLS issuer, no cert-manager.
    let config = bundle
        .get::<HelmChartConfig>("traefik")
        .expect("a HelmChartConfig for k3s's Traefik");
    assert_eq!(config.metadata.namespace.as_deref(), Some("kube-system"));
    let values: BTreeMap<String, BTreeMap<String, BTreeMap<String, bool>>> =
        k3score::yaml::from_yaml(config.spec.values_content.as_deref().unwrap()).unwrap();
    assert!(values["providers"]["kubernetesCRD"]["allowCrossNamespace"]);
    assert!(bundle.get::<Application>("cert-manager").is_none());
}

#[test]
fn bootstrap_gcp_with_workload_identity() {
    let store: SecretStoreSpec =
        k3score::yaml::from_yaml(&format!("gcp: {{project_id: acme-prod, {}}}", store_account())).unwrap();
    let options = BootstrapOptions {
        secret_store: Some(store),
        external_secrets_identity: Some(WorkloadIdentity::Gcp(
            "external-secrets@acme-prod.iam.gserviceaccount.com".to_owned(),
        )),
        ..BootstrapOptions::default()
    };
    let bundle = bootstrap(&ctx(target("gcp")), &options).unwrap();
    golden("bootstrap_gcp.yaml", &bundle);
    // The target has a TLS issuer: cert-manager with its CRDs writes the routes' Certificates.
    let cert_manager = bundle.get::<Application>("cert-manager").expect("cert-manager");
    let source = cert_manager.spec.source.as_ref().unwrap();
    assert_eq!(source.chart.as_deref(), Some("cert-manager"));
    let helm = source.helm.as_ref().unwrap();
    assert_eq!(
        helm.values_object["crds"],
        HelmValue::Map(BTreeMap::from([("enabled".to_owned(), HelmValue::Bool(true))]))
    );
    assert!(bundle.get::<HelmChartConfig>("traefik").is_none(), "HAProxy target");
}

#[test]
fn bootstrap_dev_installs_traefik_and_vault_store() {
    let store: SecretStoreSpec = k3score::yaml::from_yaml(&format!(
        "vault: {{server: 'https://vault.acme.io:8200', path: secret, role: external-secrets, {}}}",
        store_account()
    ))
    .unwrap();
    let options = BootstrapOptions {
        secret_store: Some(store),
        ..BootstrapOptions::default()
    };
    let bundle = bootstrap(&ctx(target("dev")), &options).unwrap();
    golden("bootstrap_dev.yaml", &bundle);
    // The Traefik it installs admits the cross-namespace route to the KEDA interceptor.
    let traefik = bundle.get::<Application>("traefik").unwrap();
    let helm = traefik.spec.source.as_ref().unwrap().helm.as_ref().unwrap();
    let HelmValue::Map(providers) = &helm.values_object["providers"] else {
        panic!("providers")
    };
    let HelmValue::Map(crd) = &providers["kubernetesCRD"] else {
        panic!("kubernetesCRD")
    };
    assert_eq!(crd["allowCrossNamespace"], HelmValue::Bool(true));
    assert!(
        bundle.get::<HelmChartConfig>("traefik").is_none(),
        "k3s's Traefik is disabled on dev"
    );
}
