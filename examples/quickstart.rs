//! The main job: render the built-in demo platform for a target.
//!
//! ```sh
//! cargo run --example quickstart                         # local target (k3d + Traefik), YAML on stdout
//! cargo run --example quickstart -- --target gcp         # HAProxy, External Secrets, TLS
//! cargo run --example quickstart -- --ingress gateway-api --out rendered/
//! ```

use std::collections::BTreeMap;

use k3s_examples::{
    CliError, Spec, discover_functions, emit, parse_options, parse_spec, render_compose_text, render_spec, run,
};

/// The demo platform: (component, spec file), embedded at compile time.
const PLATFORM: &[(&str, &str)] = &[
    ("orders", include_str!("specs/orders.yaml")),
    ("postgres", include_str!("specs/postgres.yaml")),
    ("storefront", include_str!("specs/storefront.yaml")),
    ("inference", include_str!("specs/inference.yaml")),
    ("reports", include_str!("specs/reports.yaml")),
    ("gateway", include_str!("specs/gateway.yaml")),
];

/// The function project: its spec and the sources its decorators are discovered in.
const FUNCTIONS: &str = include_str!("functions/functions.yaml");
const FUNCTION_SOURCES: &[(&str, &str)] = &[
    ("orders.py", include_str!("functions/src/orders.py")),
    ("billing.ts", include_str!("functions/src/billing.ts")),
];

/// A docker compose project (a Flask app and Redis), translated service by service.
const COMPOSE: &str = include_str!("compose/flask-redis/compose.yaml");

/// Variables and local secret values of the demo (placeholders, never real credentials).
const LOCAL_ENV: &str = include_str!("specs/local.env");

fn main() {
    run(|| {
        let options = parse_options(std::env::args().skip(1))?;
        if !options.files.is_empty() {
            return Err(CliError::Usage(
                "quickstart renders its built-in platform; use the `render` example for files".into(),
            ));
        }
        let vars = k3score::dotenv::parse(LOCAL_ENV).map_err(|e| CliError::Spec("local.env".into(), e))?;
        let mut components = Vec::new();
        for (name, text) in PLATFORM {
            let path = format!("specs/{name}.yaml");
            let spec: Spec = parse_spec(text).map_err(|e| CliError::Spec(path.clone().into(), e))?;
            let bundle =
                render_spec(&spec, &options.target, "shop", &vars).map_err(|e| CliError::Spec(path.into(), e))?;
            components.push(((*name).to_owned(), bundle));
        }
        let spec = parse_spec(FUNCTIONS).map_err(|e| CliError::Spec("functions/functions.yaml".into(), e))?;
        let sources = vec![
            FUNCTION_SOURCES
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                .collect(),
        ];
        let spec = discover_functions(spec, &sources).map_err(|e| CliError::Spec("functions/src".into(), e))?;
        let bundle = render_spec(&spec, &options.target, "shop", &vars)
            .map_err(|e| CliError::Spec("functions/functions.yaml".into(), e))?;
        components.push(("functions".to_owned(), bundle));
        let (bundle, warnings) = render_compose_text(COMPOSE, &BTreeMap::new(), &options.target, "shop", &vars)
            .map_err(|e| CliError::Spec("compose/flask-redis/compose.yaml".into(), e))?;
        for warning in warnings {
            eprintln!("compose/flask-redis: warning: {warning}");
        }
        components.push(("compose-flask-redis".to_owned(), bundle));
        emit(&components, options.out.as_deref())
    });
}
