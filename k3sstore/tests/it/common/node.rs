//! The real node of `../shared/kube/node`: its containers (`ctr`), a query against a store's
//! Postgres with the store's own credentials (a Job running `psql`), and the times of a
//! store's phases and pods.
//!
//! The node has no cluster DNS and no kube-proxy: the Job reaches Postgres by its pod IP.
//! `kubectl logs` does not work there either; the kubelet writes container logs under
//! `$K3S_CLUSTER_DIR/node/pod-logs`, which is where the query's output is read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use k3sstore::{Phase, Store};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, EnvVar, EnvVarSource, Pod, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{ListParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::time::Instant;

/// The Postgres image on the node (`node image-postgres`), a `Store`'s default; the psql Job
/// runs it too. The images are made by `.ci/node-images`.
pub const POSTGRES_IMAGE: &str = "docker.io/library/postgres:17.6";
/// An API whose process exits 3 at start (`CrashLoopBackOff`).
pub const CRASH_IMAGE: &str = "localhost/k3sstore-test/crash:1";
/// An API that serves another port than the store's: its probes never pass, the store stays
/// `Provisioning`.
pub const SILENT_IMAGE: &str = "localhost/k3sstore-test/silent:1";
/// An image no registry has (and the node cannot reach one).
pub const MISSING_IMAGE: &str = "registry.invalid/k3sstore-test/missing:1";

/// The node's folder (`$K3S_NODE_DIR`, else `$K3S_CLUSTER_DIR/node`).
pub fn dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("K3S_NODE_DIR") {
        return dir.into();
    }
    let cluster = std::env::var_os("K3S_CLUSTER_DIR")
        .expect("needs the node: export K3S_CLUSTER_DIR, `../shared/kube/node start` and its images");
    PathBuf::from(cluster).join("node")
}

/// `ctr -n k8s.io containers ls ARGS` on the node.
fn ctr(args: &[&str]) -> String {
    let socket = dir().join("containerd.sock");
    let out = std::process::Command::new("ctr")
        .arg("--address")
        .arg(&socket)
        .args(["-n", "k8s.io", "containers", "ls"])
        .args(args)
        .output()
        .expect("ctr (installed by `node start`)");
    assert!(out.status.success(), "ctr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The filter of the containers of pods in `namespace` (the kubelet's CRI labels).
fn in_namespace(namespace: &str) -> String {
    format!("labels.\"io.kubernetes.pod.namespace\"=={namespace}")
}

/// The ids of the containers the node's containerd holds for pods in `namespace`, pod
/// sandboxes included (`ctr -n k8s.io containers ls -q <filter>`).
pub fn containers(namespace: &str) -> BTreeSet<String> {
    ctr(&["-q", &in_namespace(namespace)])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// What `ctr -n k8s.io containers ls <filter>` prints for `namespace` (container, image,
/// runtime).
pub fn listing(namespace: &str) -> String {
    ctr(&[&in_namespace(namespace)])
}

/// Waits up to `secs` until the node holds no container of a pod in `namespace` (the
/// kubelet removes dead containers and sandboxes in its garbage collection, once a minute);
/// returns the ones left when the time is up.
pub async fn containers_gone(namespace: &str, secs: u64) -> BTreeSet<String> {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = containers(namespace);
        if left.is_empty() || Instant::now() > until {
            return left;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The first time each phase of store `id` was seen, from `start` (a watch from before the
/// store exists until `Ready` or `Failed`).
pub fn phase_clock(client: &Client, id: &str, start: Instant) -> tokio::task::JoinHandle<Vec<(Phase, Duration)>> {
    use futures::StreamExt;
    let stores: Api<Store> = Api::all(client.clone());
    let config = watcher::Config::default().fields(&format!("metadata.name={id}"));
    tokio::spawn(async move {
        let mut seen: Vec<(Phase, Duration)> = Vec::new();
        let mut events = std::pin::pin!(watcher(stores, config).applied_objects());
        while let Some(Ok(store)) = events.next().await {
            let Some(phase) = store.status.and_then(|s| s.phase) else {
                continue;
            };
            if !seen.iter().any(|(p, _)| *p == phase) {
                seen.push((phase, start.elapsed()));
            }
            if matches!(phase, Phase::Ready | Phase::Failed) {
                break;
            }
        }
        seen
    })
}

/// The transition times of the store's pods' conditions (`PodScheduled`, `Initialized`,
/// `ContainersReady`, `Ready`), in whole seconds after `created` (the server's clock, as the
/// kubelet writes them), per pod name.
pub async fn pod_times(client: &Client, id: &str, created: jiff::Timestamp) -> BTreeMap<String, Vec<(String, i64)>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &format!("store-{id}"));
    let mut out = BTreeMap::new();
    for pod in pods.list(&ListParams::default()).await.expect("list pods").items {
        let conditions = pod.status.and_then(|s| s.conditions).unwrap_or_default();
        let mut times: Vec<(String, i64)> = conditions
            .into_iter()
            .filter(|c| c.status == "True")
            .filter_map(|c| Some((c.type_, c.last_transition_time?.0.duration_since(created).as_secs())))
            .collect();
        times.sort_by_key(|(_, at)| *at);
        out.insert(pod.metadata.name.unwrap_or_default(), times);
    }
    out
}

/// The pod IP of `postgres-0` in store `id`'s namespace.
pub async fn postgres_ip(client: &Client, id: &str) -> String {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &format!("store-{id}"));
    pods.get("postgres-0")
        .await
        .expect("the Postgres pod")
        .status
        .and_then(|s| s.pod_ip)
        .expect("a pod IP")
}

/// Runs `sql` against store `id`'s database as its user, with the password from its Secret
/// (`postgres-password`, key `password`), from a Job in the store's namespace that runs the
/// Postgres image's `psql` against the pod IP. Returns `psql`'s output; panics with it when
/// the Job fails.
pub async fn psql(client: &Client, id: &str, name: &str, sql: &str) -> String {
    let namespace = format!("store-{id}");
    let ip = postgres_ip(client, id).await;
    let quantity = |q: &str| Quantity(q.to_owned());
    let resources: BTreeMap<String, Quantity> = [
        ("cpu".to_owned(), quantity("50m")),
        ("memory".to_owned(), quantity("64Mi")),
    ]
    .into();
    let container = Container {
        name: "psql".to_owned(),
        image: Some(POSTGRES_IMAGE.to_owned()),
        image_pull_policy: Some("Never".to_owned()),
        command: Some(
            [
                "psql",
                "-h",
                &ip,
                "-U",
                "store",
                "-d",
                "store",
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ]
            .map(str::to_owned)
            .to_vec(),
        ),
        env: Some(vec![EnvVar {
            name: "PGPASSWORD".to_owned(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: "postgres-password".to_owned(),
                    key: "password".to_owned(),
                    optional: None,
                }),
                ..EnvVarSource::default()
            }),
            value: None,
        }]),
        resources: Some(ResourceRequirements {
            requests: Some(resources.clone()),
            limits: Some(resources),
            ..ResourceRequirements::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                add: None,
            }),
            ..SecurityContext::default()
        }),
        ..Container::default()
    };
    let job = Job {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(0),
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    containers: vec![container],
                    restart_policy: Some("Never".to_owned()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(999),
                        run_as_group: Some(999),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".to_owned(),
                            localhost_profile: None,
                        }),
                        ..PodSecurityContext::default()
                    }),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        status: None,
    };
    let jobs: Api<Job> = Api::namespaced(client.clone(), &namespace);
    jobs.create(&PostParams::default(), &job)
        .await
        .expect("create the psql Job");
    let done = |j: Option<&Job>| {
        j.and_then(|j| j.status.as_ref())
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| {
                c.iter()
                    .any(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
            })
    };
    let finished = super::wait_until(&jobs, name, Duration::from_secs(120), done)
        .await
        .unwrap_or_else(|why| panic!("Job {namespace}/{name} not finished: {why}"))
        .expect("the Job");
    let output = job_log(client, &namespace, name).await;
    let complete = finished
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Complete" && c.status == "True");
    assert!(complete, "psql in Job {namespace}/{name} failed:\n{output}");
    output
}

/// The output of the Job's one container, from the kubelet's log files (the CRI format:
/// `<time> <stream> <tag> <text>` per line).
async fn job_log(client: &Client, namespace: &str, job: &str) -> String {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let listed = pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await
        .expect("the Job's pods");
    let pod = listed.items.first().expect("a pod of the Job");
    let folder = format!(
        "{namespace}_{}_{}",
        pod.metadata.name.as_deref().unwrap_or_default(),
        pod.metadata.uid.as_deref().unwrap_or_default()
    );
    let path = dir().join("pod-logs").join(folder).join("psql").join("0.log");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| format!("({}: {e})", path.display()));
    text.lines()
        .map(|line| line.splitn(4, ' ').nth(3).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Who and where the query runs: `store|store|<server version>` when the credentials work.
pub const IDENTITY_QUERY: &str = "select current_user, current_database(), current_setting('server_version')";

/// After store `id` was deleted: its namespace and pods are gone, its claim's volume is
/// `Released`, and the node holds none of its containers; prints what `ctr` listed.
pub async fn assert_gone(client: &Client, id: &str) {
    use k8s_openapi::api::core::v1::{Namespace, PersistentVolume};
    let namespace = format!("store-{id}");
    assert!(
        Api::<Namespace>::all(client.clone())
            .get_opt(&namespace)
            .await
            .expect("get namespace")
            .is_none(),
        "namespace {namespace} gone"
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    assert!(
        pods.list(&ListParams::default())
            .await
            .expect("list pods")
            .items
            .is_empty()
    );
    let volumes = Api::<PersistentVolume>::all(client.clone())
        .list(&ListParams::default())
        .await
        .expect("list volumes");
    let claimed: Vec<(String, Option<String>)> = volumes
        .items
        .iter()
        .filter(|v| {
            let claim = v.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
            claim.and_then(|c| c.namespace.as_deref()) == Some(namespace.as_str())
        })
        .map(|v| {
            let phase = v.status.as_ref().and_then(|s| s.phase.clone());
            (v.metadata.name.clone().unwrap_or_default(), phase)
        })
        .collect();
    assert_eq!(claimed.len(), 1, "one volume was claimed by {namespace}: {claimed:?}");
    assert_eq!(claimed[0].1.as_deref(), Some("Released"), "{claimed:?}");
    let waited = Instant::now();
    let left = containers_gone(&namespace, 150).await;
    println!(
        "  volume {} Released; the node's containers of {namespace} {:.0} s after the Store was gone:\n{}",
        claimed[0].0,
        waited.elapsed().as_secs_f64(),
        listing(&namespace)
    );
    assert!(left.is_empty(), "containers of store {id} left on the node: {left:?}");
}
