//! k3sfn end to end from Rust: a function project with an HTTP, a queue and a schedule
//! function, rendered for the `local` target; look up the typed CronJob, print the YAML.

use k3score::{Context, Target};
use k3sfn::{Function, HttpTrigger, ProjectBuilder, QueueDefaults, QueueTrigger, ScheduleTrigger, Trigger};
use k8s_openapi::api::batch::v1::CronJob;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let project = ProjectBuilder::default()
        .name("shop".parse::<k3score::names::Dns1035Label>()?)
        .image("ghcr.io/acme/shop-fn:1.0.0")
        .queue(QueueDefaults {
            addresses: vec!["redis-sentinel.data:26379".to_owned()],
            master: Some("mymaster".to_owned()),
            ..QueueDefaults::default()
        })
        .functions(vec![
            Function {
                visibility: Some(k3score::network::Visibility::Public),
                ..Function::new(
                    "list-orders".parse()?,
                    "orders:list_orders".parse()?,
                    Trigger::Http(HttpTrigger::new("/orders")),
                )
            },
            Function::new(
                "on-order".parse()?,
                "orders:on_order".parse()?,
                Trigger::Queue(QueueTrigger::new("orders-created")),
            ),
            Function::new(
                "nightly-report".parse()?,
                "reports:nightly".parse()?,
                Trigger::Schedule(ScheduleTrigger::new("0 3 * * *")),
            ),
        ])
        .build()?;

    let bundle = project.render(&Context::new(Target::local(), "shop".parse()?))?;
    let cron = bundle
        .get::<CronJob>("shop-nightly-report")
        .ok_or("no CronJob shop-nightly-report")?;
    eprintln!("shop-nightly-report is a CronJob named {:?}", cron.metadata.name);
    println!("{}", bundle.to_yaml()?);
    Ok(())
}
