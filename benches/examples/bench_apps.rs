//! Whole-process measurement for comparison with other tools:
//! `cargo run --release --example bench_apps -- N [--stream] > out.yaml` writes the YAML of the
//! N apps to stdout, as `k3sgen render` does (through `k3score::YamlWriter`, in 64 KiB
//! chunks, never the whole text in memory), and one JSON line to stderr
//! `{"n":..,"mode":..,"jobs":..,"objects":..,"bytes":..,"parse_ms":..,"render_ms":..,"yaml_ms":..,"peak_rss_kb":..}`.
//! Like the `k3sgen` command, it allocates with mimalloc.
//! `jobs` is the thread count (`K3S_JOBS`, else every core; see `k3score::par`). `parse_ms` is
//! the wall time of reading the N spec texts (`k3s_benches::apps`, on `jobs` threads).
//!
//! Without `--stream` the apps render into one `Bundle` (`AppSet::render`, on `jobs` threads), which
//! is then serialized (`Bundle::to_yaml`): `render_ms` and `yaml_ms` are the wall times of the
//! two steps. With `--stream`, `AppSet::render_map` renders the apps on `jobs` threads and each
//! thread writes its app's YAML into a `String` of its own, appended to the output in app
//! order. The two figures then add up to the wall time of that step: `yaml_ms` is the time
//! spent in `Bundle::write_yaml` summed over the threads and divided by `jobs` (its share of
//! the wall time while every thread is busy), `render_ms` the rest (validation, render,
//! appending). With one job they are the plain sequential split.

use std::io::StdoutLock;
use std::time::{Duration, Instant};

use k3sapp::AppSet;
use k3score::{Context, YamlWriter};

/// The allocator of the `k3sgen` command (k3sgen/src/main.rs), so that this measures what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    let stream = args.iter().any(|a| a == "--stream");
    let start = Instant::now();
    let apps = k3s_benches::apps(n);
    let parsed = start.elapsed();
    let ctx = k3s_benches::context();
    let mut out = YamlWriter::new(std::io::stdout().lock());
    let (objects, rendered, serialized) = if stream {
        render_stream(&apps, &ctx, &mut out)
    } else {
        let start = Instant::now();
        let bundle = exit_on_error(apps.render(&ctx));
        let rendered = start.elapsed();
        let start = Instant::now();
        let yaml = bundle.to_yaml().expect("typed objects serialize");
        written(out.documents(&yaml));
        (bundle.len(), rendered, start.elapsed())
    };
    let bytes = out.written();
    written(out.finish().map(drop));
    eprintln!(
        "{{\"n\":{n},\"mode\":\"{}\",\"jobs\":{},\"objects\":{objects},\"bytes\":{},\"parse_ms\":{:.2},\"render_ms\":{:.2},\"yaml_ms\":{:.2},\"peak_rss_kb\":{}}}",
        if stream { "stream" } else { "bundle" },
        ctx.jobs.count(),
        bytes,
        parsed.as_secs_f64() * 1000.0,
        rendered.as_secs_f64() * 1000.0,
        serialized.as_secs_f64() * 1000.0,
        k3s_benches::peak_rss_kb().unwrap_or(0)
    );
}

/// The streaming render into `out`: objects, render time and YAML time (see the module doc).
/// Never inlined, so that `benches/whole-process.sh` finds it in the callgrind profile whatever
/// the optimizer does; with `K3S_JOBS=1` everything it does runs inside it.
#[inline(never)]
fn render_stream(apps: &AppSet, ctx: &Context, out: &mut YamlWriter<StdoutLock<'_>>) -> (usize, Duration, Duration) {
    let mut objects = 0;
    let mut serialized = Duration::ZERO;
    let start = Instant::now();
    let write = |bundle: k3score::Bundle| {
        let begin = Instant::now();
        let text = bundle.to_yaml().expect("typed objects serialize");
        (bundle.len(), text, begin.elapsed())
    };
    let result = apps.render_map(ctx, write, |(count, text, took)| {
        objects += count;
        written(out.documents(&text));
        serialized += took;
    });
    exit_on_error(result);
    let serialized = serialized / u32::try_from(ctx.jobs.count()).unwrap_or(u32::MAX);
    (objects, start.elapsed().saturating_sub(serialized), serialized)
}

/// Stops the process when stdout cannot be written (a closed pipe, a full disk).
fn written(result: std::io::Result<()>) {
    if let Err(error) = result {
        eprintln!("bench_apps: writing the YAML: {error}");
        std::process::exit(2);
    }
}

fn exit_on_error<T>(result: Result<T, k3score::Errors>) -> T {
    result.unwrap_or_else(|errors| {
        eprintln!("{errors}");
        std::process::exit(1);
    })
}
