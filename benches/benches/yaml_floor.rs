//! Serialization alone of the same prebuilt objects: the floor render overhead is compared to.

use divan::Bencher;

/// The allocator of the `k3sgen` command, so that these figures are what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 1000, 10000], sample_count = 10)]
fn yaml_only(bencher: Bencher<'_, '_>, n: usize) {
    let bundle = k3s_benches::apps(n).render(&k3s_benches::context()).unwrap();
    bencher.bench_local(|| bundle.to_yaml().unwrap());
}
