//! Whole-process measurement for comparison with other tools:
//! `cargo run --release --example bench_apps -- N [--stream]` prints one JSON line
//! `{"n":..,"mode":..,"objects":..,"bytes":..,"parse_ms":..,"render_ms":..,"yaml_ms":..,"peak_rss_kb":..}`.
//! `parse_ms` is reading the N spec texts (`k3s_benches::apps`).
//!
//! Without `--stream` the apps render into one `Bundle` (`AppSet::render`), which is then
//! serialized (`Bundle::to_yaml`). With `--stream`, `AppSet::render_each` hands over one app's
//! objects at a time and each is appended to the output as YAML at once; `yaml_ms` is then the
//! time spent serializing inside the stream and `render_ms` the rest.

use std::time::{Duration, Instant};

use k3sapp::AppSet;
use k3score::Context;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    let stream = args.iter().any(|a| a == "--stream");
    let start = Instant::now();
    let apps = k3s_benches::apps(n);
    let parsed = start.elapsed();
    let ctx = k3s_benches::context();
    let (objects, yaml, rendered, serialized) = if stream {
        render_stream(&apps, &ctx)
    } else {
        let start = Instant::now();
        let bundle = exit_on_error(apps.render(&ctx));
        let rendered = start.elapsed();
        let start = Instant::now();
        let yaml = bundle.to_yaml().expect("typed objects serialize");
        (bundle.len(), yaml, rendered, start.elapsed())
    };
    println!(
        "{{\"n\":{n},\"mode\":\"{}\",\"objects\":{objects},\"bytes\":{},\"parse_ms\":{:.2},\"render_ms\":{:.2},\"yaml_ms\":{:.2},\"peak_rss_kb\":{}}}",
        if stream { "stream" } else { "bundle" },
        yaml.len(),
        parsed.as_secs_f64() * 1000.0,
        rendered.as_secs_f64() * 1000.0,
        serialized.as_secs_f64() * 1000.0,
        k3s_benches::peak_rss_kb().unwrap_or(0)
    );
}

/// The streaming render: objects, YAML, render time and YAML time. Never inlined, so that
/// `benches/whole-process.sh` finds it in the callgrind profile whatever the optimizer does.
#[inline(never)]
fn render_stream(apps: &AppSet, ctx: &Context) -> (usize, String, Duration, Duration) {
    let mut yaml = String::new();
    let mut objects = 0;
    let mut serialized = Duration::ZERO;
    let start = Instant::now();
    let result = apps.render_each(ctx, |bundle| {
        let begin = Instant::now();
        objects += bundle.len();
        bundle.write_yaml(&mut yaml).expect("typed objects serialize");
        serialized += begin.elapsed();
    });
    exit_on_error(result);
    (objects, yaml, start.elapsed() - serialized, serialized)
}

fn exit_on_error<T>(result: Result<T, k3score::Errors>) -> T {
    result.unwrap_or_else(|errors| {
        eprintln!("{errors}");
        std::process::exit(1);
    })
}
