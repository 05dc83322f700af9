//! Provisioning throughput against a real API server (issue 13, "Measured"): N stores created
//! at once, the time until all are `Ready` with the bench playing the kubelet, objects applied
//! per second and the process's peak RSS; next to the same objects applied by one
//! `kubectl apply --server-side` call (the API server's own speed on this machine).
//!
//! ```sh
//! ../shared/kube/cluster start && eval "$(../shared/kube/cluster env)"
//! cargo bench -p k3sstore --bench throughput -- 50 200
//! ```
//!
//! The controller runs in-process with the admin identity, so the RSS includes the bench's own
//! watchers (small next to the controller's caches).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k3score::Target;
use k3sstore::controller::apply::STORE_LABEL;
use k3sstore::{Config, Phase, State, Store, StoreSpec};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use serde::Serialize;

const LABEL: &str = "k3sstore-bench";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusApply<S> {
    api_version: &'static str,
    kind: &'static str,
    status: S,
}

/// Plays the kubelet: every labelled StatefulSet and Deployment is reported ready.
async fn kubelet(client: Client) {
    let params = PatchParams::apply("bench-kubelet").force();
    let sets: Api<StatefulSet> = Api::all(client.clone());
    let deployments: Api<Deployment> = Api::all(client.clone());
    let config = watcher::Config::default().labels(STORE_LABEL);
    let sets_loop = watcher::watcher(sets, config.clone())
        .applied_objects()
        .try_for_each_concurrent(8, |set| {
            let client = client.clone();
            let params = params.clone();
            async move {
                let ready = set.status.as_ref().and_then(|s| s.observed_generation) == set.metadata.generation;
                if !ready {
                    let ns = set.metadata.namespace.clone().unwrap_or_default();
                    let n = set.spec.replicas.unwrap_or(1);
                    let status = StatusApply {
                        api_version: "apps/v1",
                        kind: "StatefulSet",
                        status: StatefulSetStatus {
                            replicas: n,
                            ready_replicas: Some(n),
                            available_replicas: Some(n),
                            observed_generation: set.metadata.generation,
                            ..StatefulSetStatus::default()
                        },
                    };
                    let api: Api<StatefulSet> = Api::namespaced(client, &ns);
                    let _ = api.patch_status("postgres", &params, &Patch::Apply(&status)).await;
                }
                Ok(())
            }
        });
    let deployments_loop = watcher::watcher(deployments, config)
        .applied_objects()
        .try_for_each_concurrent(8, |d| {
            let client = client.clone();
            let params = params.clone();
            async move {
                let ready = d.status.as_ref().and_then(|s| s.observed_generation) == d.metadata.generation;
                if !ready {
                    let ns = d.metadata.namespace.clone().unwrap_or_default();
                    let n = d.spec.replicas.unwrap_or(1);
                    let status = StatusApply {
                        api_version: "apps/v1",
                        kind: "Deployment",
                        status: DeploymentStatus {
                            replicas: Some(n),
                            ready_replicas: Some(n),
                            available_replicas: Some(n),
                            updated_replicas: Some(n),
                            observed_generation: d.metadata.generation,
                            ..DeploymentStatus::default()
                        },
                    };
                    let api: Api<Deployment> = Api::namespaced(client, &ns);
                    let _ = api.patch_status("api", &params, &Patch::Apply(&status)).await;
                }
                Ok(())
            }
        });
    let _ = futures::future::join(sets_loop, deployments_loop).await;
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn clean(client: &Client, prefix: &str) {
    let stores: Api<Store> = Api::all(client.clone());
    let _ = stores
        .delete_collection(&DeleteParams::default(), &ListParams::default().labels(LABEL))
        .await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    loop {
        let left = stores
            .list(&ListParams::default().labels(LABEL))
            .await
            .map_or(0, |l| l.items.len());
        let ns_left = namespaces.list(&ListParams::default()).await.map_or(0, |l| {
            l.items
                .iter()
                .filter(|n| n.metadata.name.as_deref().is_some_and(|n| n.starts_with(prefix)))
                .count()
        });
        if left == 0 && ns_left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn controller_run(client: &Client, n: usize) -> (Duration, usize) {
    let stores: Api<Store> = Api::all(client.clone());
    let start = Instant::now();
    futures::stream::iter(0..n)
        .for_each_concurrent(16, |i| {
            let stores = stores.clone();
            async move {
                let mut store = Store::new(&format!("bench-{n}-{i}"), StoreSpec::default());
                store.metadata.labels = Some(BTreeMap::from([(LABEL.to_owned(), "1".to_owned())]));
                stores
                    .create(&PostParams::default(), &store)
                    .await
                    .expect("store created");
            }
        })
        .await;
    loop {
        let list = stores.list(&ListParams::default().labels(LABEL)).await.expect("list");
        let ready = list
            .items
            .iter()
            .filter(|s| s.status.as_ref().and_then(|s| s.phase) == Some(Phase::Ready))
            .count();
        if ready == n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let took = start.elapsed();
    let objects = k3sstore::controller::provision::sample_bundles()[0].len();
    (took, objects * n)
}

fn kubectl_run(n: usize) -> Option<Duration> {
    let spec = StoreSpec::default();
    let mut yaml = String::new();
    for i in 0..n {
        let platform = spec.to_platform(&format!("kubectl-{n}-{i}")).expect("valid");
        let ctx = k3score::Context::new(Target::local(), "unused".parse().expect("name")).with_secret_values(
            BTreeMap::from([("postgres-password.password".to_owned(), "bench".to_owned())]),
        );
        let bundle = platform.render(&ctx).expect("render");
        for object in bundle.in_apply_order() {
            yaml.push_str("---\n");
            k3score::yaml::write_yaml(&mut yaml, object).expect("yaml");
        }
    }
    let file = std::env::temp_dir().join(format!("k3sstore-bench-{n}.yaml"));
    std::fs::write(&file, yaml).ok()?;
    let start = Instant::now();
    let status = std::process::Command::new("kubectl")
        .args(["apply", "--server-side", "--force-conflicts", "-f"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    let took = start.elapsed();
    status.success().then_some(took)
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![50] } else { sizes };
    let client = Client::try_default().await.expect("a cluster from KUBECONFIG");
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    let crd = k3sstore::resource::crd();
    crds.patch(
        "stores.platform.k3s.io",
        &PatchParams::apply("bench").force(),
        &Patch::Apply(&crd),
    )
    .await
    .expect("CRD");
    let config = Config {
        store_selector: Some(LABEL.to_owned()),
        lease: ("default".to_owned(), "k3sstore-bench".to_owned()),
        ..Config::new(Target::local())
    };
    let state = State::new(client.clone(), config);
    tokio::spawn(k3sstore::controller::run(state, futures::future::pending()));
    tokio::spawn(kubelet(client.clone()));
    println!(
        "| N | controller: all Ready | objects | objects/s | peak RSS | kubectl apply --server-side | objects/s | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes {
        clean(&client, "store-bench-").await;
        let (took, objects) = controller_run(&client, n).await;
        let rss = peak_rss_mib();
        eprintln!(
            "N={n}: controller {:.1} s for {objects} objects, peak RSS {rss:.0} MiB; kubectl next",
            took.as_secs_f64()
        );
        clean(&client, "store-bench-").await;
        let kubectl = kubectl_run(n);
        let (k, kps, ratio) = match kubectl {
            Some(k) => (
                format!("{:.1} s", k.as_secs_f64()),
                format!("{:.0}", objects as f64 / k.as_secs_f64()),
                format!("{:.2}x", took.as_secs_f64() / k.as_secs_f64()),
            ),
            None => ("(kubectl failed or missing)".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        println!(
            "| {n} | {:.1} s | {objects} | {:.0} | {rss:.0} MiB | {k} | {kps} | {ratio} |",
            took.as_secs_f64(),
            objects as f64 / took.as_secs_f64()
        );
        // Remove the kubectl-applied namespaces (no controller owns them).
        let namespaces: Api<Namespace> = Api::all(client.clone());
        for i in 0..n {
            let _ = namespaces
                .delete(&format!("store-kubectl-{n}-{i}"), &DeleteParams::default())
                .await;
        }
        let roles: Api<k8s_openapi::api::rbac::v1::ClusterRole> = Api::all(client.clone());
        let bindings: Api<k8s_openapi::api::rbac::v1::ClusterRoleBinding> = Api::all(client.clone());
        for i in 0..n {
            let name = format!("store-kubectl-{n}-{i}-namespace");
            let _ = roles.delete(&name, &DeleteParams::default()).await;
            let _ = bindings.delete(&name, &DeleteParams::default()).await;
        }
    }
    clean(&client, "store-bench-").await;
}
