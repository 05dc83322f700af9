//! Render N apps (spec -> Bundle), render + YAML, and the streaming render
//! (`AppSet::render_each`, each app written as YAML as it is rendered), for N = 100, 1000, 10000.

use divan::Bencher;

/// The allocator of the `k3sgen` command, so that these figures are what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    // The bundle is returned with its YAML so that, as in `render`, dropping it is not timed.
    bencher.bench_local(|| {
        let bundle = apps.render(&ctx).unwrap();
        let yaml = bundle.to_yaml().unwrap();
        (bundle, yaml)
    });
}

#[divan::bench(args = [100, 1000, 10000], sample_count = 10)]
fn render_each_to_yaml(bencher: Bencher<'_, '_>, n: usize) {
    let apps = k3s_benches::apps(n);
    let ctx = k3s_benches::context();
    bencher.bench_local(|| {
        let mut yaml = String::new();
        apps.render_each(&ctx, |bundle| bundle.write_yaml(&mut yaml).unwrap())
            .unwrap();
        yaml
    });
}
