//! k3sgateway end to end from Rust: a gateway with three routes and a global rate limit,
//! rendered for the `gcp` target (HAProxy, TLS); look up the typed Ingress, print the YAML.

use k3score::exposure::{Backend, RateLimit, Route};
use k3score::ports::PortRef;
use k3score::{Context, Target};
use k3sgateway::Gateway;
use k8s_openapi::api::networking::v1::Ingress;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = |service: &str, port| -> Result<Backend, Box<dyn std::error::Error>> {
        Ok(Backend::new(service.parse()?, PortRef::Number(port)))
    };
    let gateway = Gateway::new(
        "edge".parse()?,
        vec![
            Route::new("shop".parse()?, "shop".parse()?, backend("shop", 80)?),
            Route::new("api".parse()?, "shop".parse()?, backend("api", 8080)?).with_paths(["/api"]),
            Route::new("admin".parse()?, "admin".parse()?, backend("admin", 8080)?),
        ],
    )
    .with_rate_limit(RateLimit::per_second(50));
    gateway.validate()?;

    let bundle = gateway.render(&Context::new(Target::gcp(), "web".parse()?))?;
    // Routes with equal annotation sets share one Ingress named `edge-<hash>`.
    let ingress = bundle.all::<Ingress>().next().ok_or("no Ingress")?;
    let rules = ingress
        .spec
        .as_ref()
        .and_then(|spec| spec.rules.as_ref())
        .map_or(0, Vec::len);
    eprintln!(
        "Ingress {} has {rules} host rule(s)",
        ingress.metadata.name.as_deref().unwrap_or_default()
    );
    println!("{}", bundle.to_yaml()?);
    Ok(())
}
