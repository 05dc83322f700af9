//! k3scompose end to end: the WordPress + MySQL compose project (embedded, with its secret
//! files) rendered for the `local` target. Warnings go to stderr, YAML to stdout.

use std::collections::BTreeMap;

use k3score::{Context, Target};
use k8s_openapi::api::apps::v1::Deployment;

const COMPOSE: &str = include_str!("compose/wordpress-mysql/compose.yaml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The library does no I/O: every file the project refers to comes in through this map.
    let files = BTreeMap::from([
        (
            "db_password.txt".to_owned(),
            include_str!("compose/wordpress-mysql/db_password.txt").to_owned(),
        ),
        (
            "db_root_password.txt".to_owned(),
            include_str!("compose/wordpress-mysql/db_root_password.txt").to_owned(),
        ),
    ]);
    let project = k3scompose::Project::parse(COMPOSE, &files, &BTreeMap::new())?;
    let rendered = project.render(&Context::new(Target::local(), "blog".parse()?), &[])?;
    for warning in &rendered.warnings {
        eprintln!("warning: {warning}"); // what compose says that Kubernetes does not do
    }
    let wordpress = rendered
        .bundle
        .get::<Deployment>("wordpress")
        .ok_or("no Deployment named wordpress")?;
    eprintln!("wordpress: {:?}", wordpress.metadata.labels);
    println!("{}", rendered.bundle.to_yaml()?);
    Ok(())
}
