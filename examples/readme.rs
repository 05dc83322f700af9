//! The README's Rust example, compiled and run in CI so the README cannot drift.

use k3sapp::App;
use k3score::{Context, Target};
use k8s_openapi::api::apps::v1::Deployment;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app: App = k3score::yaml::from_yaml(
        r#"
name: orders
image: ghcr.io/acme/orders:1.4.2
ports: [{name: http, port: 8080}]
resources: {cpu: 250m, memory: 256Mi}
env: {LOG_LEVEL: info, DATABASE_URL: "postgres://${DB_HOST}:5432/orders"}
scaling: {hpa: {min: 2, max: 10, cpu: 70}}
probes: {readiness: {http: /ready, port: http}}
expose: {host: orders, paths: [/api], strip_prefix: true}
"#,
    )?;
    let ctx = Context::new(Target::local(), "shop".parse()?).with_variable("DB_HOST", "postgres");
    let bundle = app.render(&ctx)?; // every problem at once, with field paths
    let deployment = bundle.get::<Deployment>("orders").unwrap();
    assert!(deployment.metadata.labels.is_some());
    println!("{}", bundle.to_yaml()?); // Deployment, Service, HPA, PDB, NetworkPolicies, IngressRoute ...
    Ok(())
}
