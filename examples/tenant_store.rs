//! k3splatform end to end from Rust: a Tenant and a Store (Postgres + API in a tenant of
//! its own) rendered for the `local` target; look up the typed Namespace, print the YAML.

use std::collections::BTreeMap;

use k3score::tenancy::{LimitDefaults, Quota};
use k3score::{Bundle, Context, Target};
use k3splatform::{Store, StoreKind, Tenant};
use k8s_openapi::api::core::v1::Namespace;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tenant = Tenant {
        quota: Some(Quota {
            cpu: Some("4".parse()?),
            memory: Some("8Gi".parse()?),
            ..Quota::default()
        }),
        // A quota on requests needs defaults for containers that set none.
        limits: Some(LimitDefaults {
            default_request_cpu: Some("100m".parse()?),
            default_request_memory: Some("128Mi".parse()?),
            ..LimitDefaults::default()
        }),
        allow_ingress_controller: true,
        ..Tenant::new("acme".parse()?)
    };
    let store = Store {
        kind: StoreKind::Store,
        id: "acme".parse()?,
        api_image: "ghcr.io/acme/medusa:2.8.4".to_owned(),
        postgres_image: k3splatform::store::DEFAULT_POSTGRES_IMAGE.to_owned(),
        size: None, // the target's profile: small on local
        patches: Vec::new(),
        objects: Vec::new(),
    };

    // The namespace in the context is unused: each renders into its own tenant namespace.
    // Locally the database password is a plain Secret from the `.env` values (in the cloud a
    // generated password behind an ExternalSecret).
    let ctx = Context::new(Target::local(), "unused".parse()?).with_secret_values(BTreeMap::from([(
        "postgres-password.password".to_owned(),
        "local-dev-only".to_owned(),
    )]));
    let mut bundle = Bundle::new();
    bundle.extend(tenant.render(&ctx)?);
    bundle.extend(store.render(&ctx)?);
    let namespace = bundle
        .get::<Namespace>(&tenant.namespace_name())
        .ok_or("no tenant Namespace")?;
    let labels = namespace.metadata.labels.clone().unwrap_or_default();
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    eprintln!("tenant namespace labels: {}", labels.join(", "));
    println!("{}", bundle.to_yaml()?);
    Ok(())
}
