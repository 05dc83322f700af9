//! A realistic 5-service compose project (Celery on RabbitMQ with Redis and Flower, from
//! `examples/compose/rabbitmq-celery`): parse + translate + render, and the same plus YAML.

use std::collections::BTreeMap;

use k3score::{Context, Target};

/// The allocator of the `k3sgen` command, so that these figures are what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const COMPOSE: &str = include_str!("../../examples/compose/rabbitmq-celery/compose.yaml");

fn main() {
    divan::main();
}

fn convert() -> k3scompose::Rendered {
    let none = BTreeMap::new();
    let project = k3scompose::Project::parse(COMPOSE, &none, &none).unwrap();
    let ctx = Context::new(Target::gcp(), "bench".parse().unwrap());
    project.render(&ctx, &[]).unwrap()
}

#[divan::bench(sample_count = 100)]
fn parse_and_render() -> k3scompose::Rendered {
    convert()
}

#[divan::bench(sample_count = 100)]
fn parse_render_and_yaml() -> String {
    convert().bundle.to_yaml().unwrap()
}
