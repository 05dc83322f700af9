//! Whole-process measurement for comparison with other tools:
//! `cargo run --release --example bench_apps -- N` prints one JSON line
//! `{"n":..,"objects":..,"bytes":..,"render_ms":..,"yaml_ms":..,"peak_rss_kb":..}`.

use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let apps = k3s_benches::apps(n);
    let ctx = k3s_benches::context();
    let start = Instant::now();
    let bundle = match apps.render(&ctx) {
        Ok(bundle) => bundle,
        Err(errors) => {
            eprintln!("{errors}");
            std::process::exit(1);
        }
    };
    let rendered = start.elapsed();
    let start = Instant::now();
    let yaml = bundle.to_yaml().unwrap_or_default();
    let serialized = start.elapsed();
    println!(
        "{{\"n\":{n},\"objects\":{},\"bytes\":{},\"render_ms\":{:.2},\"yaml_ms\":{:.2},\"peak_rss_kb\":{}}}",
        bundle.len(),
        yaml.len(),
        rendered.as_secs_f64() * 1000.0,
        serialized.as_secs_f64() * 1000.0,
        k3s_benches::peak_rss_kb().unwrap_or(0)
    );
}
