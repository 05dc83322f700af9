//! Golden files: every part of the platform rendered for `local` and `gcp` (and `dev` for
//! the Traefik bootstrap). `K3S_BLESS=1 cargo test -p k3splatform --test it golden` rewrites them.

use crate::common::{ctx, example, golden, target};
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
    golden(
        "bootstrap_local.yaml",
        &bootstrap(&ctx(target("local")), &BootstrapOptions::default()).unwrap(),
    );
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
    golden("bootstrap_gcp.yaml", &bootstrap(&ctx(target("gcp")), &options).unwrap());
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
    golden("bootstrap_dev.yaml", &bootstrap(&ctx(target("dev")), &options).unwrap());
}
