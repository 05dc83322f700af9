//! k3sapp end to end from Rust: build an `App` with the `AppBuilder`, render it for the
//! `local` target, look up the typed Deployment, print the YAML.

use std::collections::BTreeMap;

use k3sapp::AppBuilder;
use k3score::exposure::Expose;
use k3score::ports::{Port, PortRef};
use k3score::resources::{Limits, Resources};
use k3score::scaling::{Hpa, Scaling};
use k3score::workload::{EnvValue, Probe, ProbeAction, Probes};
use k3score::{Context, Target};
use k8s_openapi::api::apps::v1::Deployment;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ready = Probe {
        action: ProbeAction::Http {
            path: "/ready".to_owned(),
            port: Some(PortRef::Name("http".parse()?)),
            scheme: k3score::workload::Scheme::Http,
        },
        initial_delay: None,
        period: None,
        timeout: None,
        success_threshold: None,
        failure_threshold: None,
    };
    let app = AppBuilder::default()
        .name("orders".parse::<k3score::names::DnsLabel>()?)
        .image("ghcr.io/acme/orders:1.4.2")
        .ports(vec![Port::tcp("http".parse()?, 8080)])
        .env(BTreeMap::from([(
            "LOG_LEVEL".parse()?,
            EnvValue::Literal("info".to_owned()),
        )]))
        .resources(Resources {
            cpu: Some("250m".parse()?),
            memory: Some("256Mi".parse()?),
            limits: Some(Limits {
                cpu: Some("1".parse()?),
                ..Limits::default()
            }),
            ..Resources::default()
        })
        .probes(Probes {
            readiness: Some(ready),
            ..Probes::default()
        })
        .scaling(Scaling::Hpa(Hpa {
            min: 2,
            max: 10,
            cpu: Some(70),
            memory: None,
            behavior: None,
        }))
        .expose(vec![Expose {
            host: Some("orders".parse()?),
            ..Expose::default()
        }])
        .build()?; // the same validation as spec files, every problem with its field path

    let bundle = app.render(&Context::new(Target::local(), "shop".parse()?))?;
    let deployment = bundle.get::<Deployment>("orders").ok_or("no Deployment named orders")?;
    let pod = deployment.spec.template.spec.as_ref().ok_or("no pod spec")?;
    eprintln!(
        "orders runs image {:?}; the HPA owns the replica count",
        pod.containers[0].image
    );
    println!("{}", bundle.to_yaml()?);
    Ok(())
}
