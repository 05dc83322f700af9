//! Discovery on real-looking Python and TypeScript files: what is found, what is ignored
//! (comments, strings, templates, regular expressions), and every error with `file:line`.

use crate::common::{ctx, test_path};
use k3score::Target;
use k3score::network::Visibility;
use k3sfn::{ConcurrencyPolicy, Function, Project, Trigger, discover};
use pretty_assertions::assert_eq;

fn fixture(path: &str) -> (String, String) {
    let text = std::fs::read_to_string(test_path(&format!("fixtures/{path}"))).unwrap();
    let name = path.split_once('/').map_or(path, |(_, file)| file);
    (name.to_owned(), text)
}

fn summary(functions: &[Function]) -> Vec<String> {
    functions
        .iter()
        .map(|f| format!("{} {} {}", f.name, f.handler, f.trigger.kind()))
        .collect()
}

fn errors(sources: &[(String, String)]) -> Vec<String> {
    discover(sources)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn python_fixture() {
    let found = discover(&[fixture("python/orders.py")]).unwrap();
    assert_eq!(
        summary(&found),
        [
            "list-orders orders:list_orders http",
            "on-order orders:on_order queue",
            "reconcile orders:reconcile schedule",
            "orders-health orders:health http",
        ]
    );
    let Trigger::Http(http) = &found[0].trigger else {
        panic!()
    };
    assert_eq!(http.path, "/orders");
    assert_eq!(http.methods.len(), 2);
    assert_eq!(found[0].visibility, Some(Visibility::Public));
    assert_eq!(found[0].max_replicas, Some(8));
    let Trigger::Queue(queue) = &found[1].trigger else {
        panic!()
    };
    assert_eq!((queue.list.as_str(), queue.length), ("orders-created", 20));
    assert_eq!(found[1].min_replicas, Some(1));
    let Trigger::Schedule(schedule) = &found[2].trigger else {
        panic!()
    };
    assert_eq!(schedule.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(schedule.concurrency_policy, ConcurrencyPolicy::Forbid);
    let Trigger::Http(health) = &found[3].trigger else {
        panic!()
    };
    assert_eq!(health.host.as_ref().map(|h| h.as_str()), Some("status"));
}

#[test]
fn python_errors() {
    assert_eq!(
        errors(&[fixture("python/bad.py")]),
        [
            "bad.py:6: arguments must be literals (strings, numbers, booleans, lists), found `QUEUE`",
            "bad.py:10: arguments must be literals (strings, numbers, booleans, lists), found an interpolated string (f-string or template with ${})",
            "bad.py:14: @http decorates a class; decorate a module-level def",
            "bad.py:20: @http must decorate a module-level def, not a method or nested def",
            "bad.py:24: schedule.cron: invalid cron expression \"every 5 minutes\": needs 5 fields (minute hour day-of-month month day-of-week), has 3",
            "bad.py:28: unknown option `retries` of http; known: path, methods, host, name, visibility, image, min_replicas, max_replicas, concurrency",
            "bad.py:32: `max_replicas` of http must be an integer, is a string",
            "bad.py:36: @http needs arguments, like @http(\"...\")",
            "bad.py:41: @queue after @http: a function has one trigger",
        ]
    );
}

#[test]
fn typescript_fixture() {
    let found = discover(&[fixture("typescript/billing.ts")]).unwrap();
    assert_eq!(
        summary(&found),
        [
            "create-invoice billing:createInvoice http",
            "on-payment billing:onPayment queue",
            "monthly-statements billing:monthlyStatements schedule",
        ]
    );
    assert_eq!(found[0].max_replicas, Some(5));
    assert_eq!(found[1].min_replicas, Some(1));
    let Trigger::Schedule(schedule) = &found[2].trigger else {
        panic!()
    };
    assert_eq!(schedule.successful_history, 2);
    assert_eq!(schedule.restart_policy, k3score::workload::RestartPolicy::Never);
}

#[test]
fn typescript_errors() {
    assert_eq!(
        errors(&[fixture("typescript/bad.ts")]),
        [
            "bad.ts:5: @http decorates a class; write `export const name = http(...)(handler)`",
            "bad.ts:9: decorators are not supported in TypeScript/JavaScript; write `export const name = http(...)(handler)`",
            "bad.ts:13: arguments must be literals (strings, numbers, booleans, lists), found `LIST`",
            "bad.ts:15: arguments must be literals (strings, numbers, booleans, lists), found an interpolated string (f-string or template with ${})",
            "bad.ts:17: missing handler: write `export const noHandler = http(...)(handler)`",
            "bad.ts:19: unknown option `every` of schedule; known: cron, timezone, concurrency_policy, successful_history, failed_history, starting_deadline, retries, restart_policy, name, visibility, image, min_replicas, max_replicas, concurrency",
            "bad.ts:19: schedule.timezone: invalid time zone \"Mars/Olympus\": use an IANA name like Europe/Paris, America/New_York or UTC",
        ]
    );
}

#[test]
fn duplicate_names_across_files() {
    let sources = [
        fixture("python/orders.py"),
        (
            "more/orders.py".to_owned(),
            "@http(\"/again\")\ndef list_orders(r): ...\n".to_owned(),
        ),
        (
            "listOrders.ts".to_owned(),
            "export const listOrders = http(\"/x\")(h);\n".to_owned(),
        ),
    ];
    assert_eq!(
        errors(&sources),
        [
            "more/orders.py:1: duplicate function name \"list-orders\" (also at orders.py:19)",
            "listOrders.ts:1: duplicate function name \"list-orders\" (also at orders.py:19)",
        ]
    );
}

#[test]
fn modules_and_ignored_files() {
    let found = discover(&[
        ("billing/jobs.py", "@schedule('@daily')\ndef nightly(): ..."),
        ("billing/__init__.py", "@queue('x')\ndef consume(m): ..."),
        ("web/api.mjs", "export const ping = http('/ping')(() => 'pong');"),
        ("README.md", "@http('/not-code')\ndef nope(): ..."),
        ("types.d.ts", "export const t = http('/types')(h);"),
    ])
    .unwrap();
    assert_eq!(
        summary(&found),
        [
            "nightly billing.jobs:nightly schedule",
            "consume billing:consume queue",
            "ping web/api:ping http"
        ]
    );
}

#[test]
fn lexer_errors_have_lines() {
    assert_eq!(
        errors(&[("a.py".to_owned(), "x = 1\ny = 'open\n".to_owned())]),
        ["a.py:2: unterminated string"]
    );
    assert_eq!(
        errors(&[("a.ts".to_owned(), "const a = 1;\n/* never closed\n".to_owned())]),
        ["a.ts:2: unterminated comment"]
    );
}

#[test]
fn discovered_functions_render() {
    let project: Project =
        k3score::yaml::from_yaml("name: shop\nimage: acme/fn:1\nqueue: {addresses: ['s:26379'], master: m}\n").unwrap();
    let found = discover(&[fixture("python/orders.py"), fixture("typescript/billing.ts")]).unwrap();
    let project = project.with_discovered(found);
    let bundle = project.render(&ctx(Target::local())).unwrap();
    assert_eq!(bundle.all::<k8s_openapi::api::batch::v1::CronJob>().count(), 2);
    // A YAML function named like a discovered one is a duplicate.
    let twice = project.clone().with_discovered(vec![project.functions[0].clone()]);
    assert_eq!(
        twice.validate().unwrap_err().to_string(),
        "functions[7].name: duplicate function name \"list-orders\"\n\
         functions[7].trigger.http.path: conflict: functions[0] already routes shop/orders"
    );
}
