//! Every bundle `.ci/render-examples` wrote, server-side applied to a real API server.
//!
//! ```sh
//! bash .ci/render-examples /tmp/rendered
//! ../shared/kube/cluster start && ../shared/kube/cluster crds && eval "$(../shared/kube/cluster env)"
//! K3S_RENDERED_EXAMPLES=/tmp/rendered cargo test -p k3s-examples --test it every_example -- --ignored --nocapture
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kube::api::DynamicObject;

use crate::cluster::{Bundle, Cluster, Report};

/// Bundles applied at the same time (bundles with cluster-scoped objects take turns). On the
/// 2-core machine under load 5-8, 2634 objects took 201 s with 6 and 192 s with 12: the API
/// server is CPU-bound there; more cores let more bundles through.
const PARALLEL: usize = 12;

/// Every `*.yaml` file under `dir` (one bundle per file, objects in apply order), sorted by path.
fn read_bundles(dir: &Path) -> Vec<Bundle> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap_or_else(|e| panic!("{}: {e}", current.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{}: {e}", current.display())).path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let objects: Vec<DynamicObject> =
                serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.strip_prefix(dir).unwrap_or(&path).display().to_string();
            Bundle { name, objects }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn every_rendered_bundle_is_accepted_by_the_api_server() {
    let dir: PathBuf = std::env::var_os("K3S_RENDERED_EXAMPLES")
        .unwrap_or_else(|| {
            panic!("K3S_RENDERED_EXAMPLES is not set: run `bash .ci/render-examples DIR` and set it to DIR")
        })
        .into();
    let bundles = read_bundles(&dir);
    assert!(!bundles.is_empty(), "no *.yaml bundle under {}", dir.display());
    let cluster = Arc::new(Cluster::connect().await);
    let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, bundle) in bundles.into_iter().enumerate() {
        let (cluster, permits) = (Arc::clone(&cluster), Arc::clone(&permits));
        tasks.spawn(async move {
            // The permit covers applying and deleting, not the wait for the namespace controller
            // to finalize the bundle's namespaces (seconds each), which runs alongside.
            let permit = permits.acquire_owned().await.expect("semaphore open");
            let (mut report, deleted) = cluster.apply_then_delete(index, &bundle).await;
            drop(permit);
            for message in cluster.wait_gone(&deleted).await {
                report.problems.push(format!("{}: {message}", bundle.name));
            }
            for problem in &report.problems {
                eprintln!("{problem}");
            }
            report
        });
    }
    let mut report = Report::default();
    while let Some(done) = tasks.join_next().await {
        report.merge(done.expect("bundle task panicked"));
    }
    println!("{}", report.summary());
    assert!(
        report.problems.is_empty() && report.applied() > 0,
        "{} problem(s) (printed above as each bundle finished)",
        report.problems.len()
    );
}
