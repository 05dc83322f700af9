//! The speed work must not change a byte of output: the YAML of the 1000-app benchmark set, in
//! both modes of `bench_apps`, is compared against SHA-256 digests taken before the speed work
//! of issue 18 (commit `aeb4d8e`). A failure here means the output changed: find out why
//! before touching the digests. The stream is checked on 1, 2 and 3 threads (parse and render):
//! the thread count must not change a byte either.

use std::num::NonZeroUsize;

use k3score::par::Jobs;
use sha2::{Digest, Sha256};

/// SHA-256 of `Bundle::to_yaml` for `apps(1000)` (`bench_apps 1000`).
const BUNDLE_1000: &str = "d78fc16ffc582042fbd18dff0d29f904b5ea6cd80627130e0c98fdae5e9e933f";
/// SHA-256 of the `render_each` + `write_yaml` stream for `apps(1000)` (`bench_apps 1000 --stream`).
const STREAM_1000: &str = "b0bc53a68a49a72017afddc1f4dc8009da2ce515bbd37d39d7c0dd16abb2f84d";

fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn bundle_yaml_of_1000_apps_is_byte_identical() {
    let bundle = k3s_benches::apps(1000).render(&k3s_benches::context()).unwrap();
    let yaml = bundle.to_yaml().unwrap();
    assert_eq!(bundle.len(), 8000);
    assert_eq!(hex_digest(&yaml), BUNDLE_1000, "{} bytes", yaml.len());
}

#[test]
fn streamed_yaml_of_1000_apps_is_byte_identical_on_any_thread_count() {
    for threads in 1..=3 {
        let jobs = Jobs::fixed(NonZeroUsize::new(threads).unwrap());
        let ctx = k3s_benches::context().with_jobs(jobs);
        let apps = k3s_benches::apps_on(1000, jobs);
        // render_each: the bundles come back to this thread and are written here.
        let mut yaml = String::new();
        let mut objects = 0;
        apps.render_each(&ctx, |bundle| {
            objects += bundle.len();
            bundle.write_yaml(&mut yaml).unwrap();
        })
        .unwrap();
        assert_eq!(objects, 8000);
        assert_eq!(
            hex_digest(&yaml),
            STREAM_1000,
            "render_each, {threads} thread(s), {} bytes",
            yaml.len()
        );
        // render_map as bench_apps --stream does it: each worker writes its app's YAML.
        let mut yaml = String::new();
        let write = |bundle: k3score::Bundle| bundle.to_yaml().unwrap();
        apps.render_map(&ctx, write, |text| {
            if !yaml.is_empty() && !text.is_empty() {
                yaml.push_str("---\n");
            }
            yaml.push_str(&text);
        })
        .unwrap();
        assert_eq!(
            hex_digest(&yaml),
            STREAM_1000,
            "render_map, {threads} thread(s), {} bytes",
            yaml.len()
        );
    }
}
