//! Render N apps (spec -> Bundle), and render + YAML, for N = 100, 1000, 10000.

use divan::Bencher;

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 1000, 10000], sample_count = 10)]
fn render(bencher: Bencher<'_, '_>, n: usize) {
    let apps = k3s_benches::apps(n);
    let ctx = k3s_benches::context();
    bencher.bench_local(|| apps.render(&ctx).unwrap());
}

#[divan::bench(args = [100, 1000, 10000], sample_count = 10)]
fn render_and_yaml(bencher: Bencher<'_, '_>, n: usize) {
    let apps = k3s_benches::apps(n);
    let ctx = k3s_benches::context();
    bencher.bench_local(|| apps.render(&ctx).unwrap().to_yaml().unwrap());
}
