//! Shared helpers of the cluster tests: the cluster client, the orchestrator started in
//! process (controller + HTTP server), an HTTP client for the API, and the real node
//! (`../shared/kube/node`) whose kubelet makes stores ready.

#![allow(dead_code, reason = "each test module uses a part of the helpers")]

pub mod controller;
pub mod http;
pub mod identity;
pub mod node;
pub mod proxy;

use std::time::Duration;

use k3sstore::http::limit::Limits;
use k3sstore::{Config, State, Store};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::runtime::wait::{Condition, await_condition, conditions};
use kube::{Api, Client};
use tokio::sync::oneshot;

/// How long a test waits for the cluster or the controller before failing.
pub const WAIT: Duration = Duration::from_secs(60);
/// How long a test waits for what the node does (pods started and passing their probes, or
/// stopped and removed): longer, as the 2-core machine may be busy (in CI a store deleted
/// while the other test group ran on the node was still Deleting after 180 s).
pub const NODE_WAIT: Duration = Duration::from_secs(300);

/// The admin client of `../shared/kube/cluster` (`KUBECONFIG`); panics with the way to get one.
/// Also turns on the in-process controller's and server's logs when `RUST_LOG` is set
/// (`RUST_LOG=k3sstore=debug`), written where libtest captures a test's output.
pub async fn admin() -> Client {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .try_init();
    }
    assert!(
        std::env::var_os("KUBECONFIG").is_some(),
        "needs a cluster: start ../shared/kube/cluster and eval \"$(../shared/kube/cluster env)\""
    );
    Client::try_default().await.expect("a client from KUBECONFIG")
}

/// The static token of a test user (`alice`, `bob`) from `cluster env`.
pub fn token(user: &str) -> String {
    let name = format!("K3S_CLUSTER_TOKEN_{}", user.to_uppercase());
    std::env::var(&name).unwrap_or_else(|_| panic!("needs {name}: eval \"$(../shared/kube/cluster env)\""))
}

/// Installs (or updates) the `Store` CRD and waits until it is established.
pub async fn install_crd(client: &Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = k3sstore::resource::crd();
    let name = crd.metadata.name.clone().expect("CRD name");
    crds.patch(
        &name,
        &PatchParams::apply("k3sstore-tests").force(),
        &Patch::Apply(&crd),
    )
    .await
    .expect("apply the Store CRD");
    within(await_condition(crds, &name, conditions::is_crd_established()))
        .await
        .expect("the CRD established");
}

/// Awaits `future`, failing the test after [`WAIT`].
pub async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("nothing happened within {WAIT:?}"))
}

/// A store id unique to this run (`<prefix>-<pid><n>`), so reruns do not meet old stores.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// The orchestrator running in this test: the controller and the HTTP server on a free
/// loopback port. Stops when dropped.
pub struct Orchestrator {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The state both halves share (metrics, config).
    pub state: State,
    stop: Option<oneshot::Sender<()>>,
}

impl Orchestrator {
    /// Starts the controller and the API with `client` (the controller's identity) and `limits`.
    pub async fn start(client: Client, limits: Limits) -> Self {
        Self::with(client, |config| config.limits = limits).await
    }

    /// Starts the controller and the API with `client` and the default configuration as
    /// `change` leaves it.
    pub async fn with(client: Client, change: impl FnOnce(&mut Config)) -> Self {
        let target = k3score::Target::preset("local").expect("local target");
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("address"),
            // The stores of the controller scenarios (labelled) are their own controllers':
            // this one takes the others, so both kinds of test can run at once.
            store_selector: Some(format!("!{}", controller::TEST_LABEL)),
            ..Config::new(target)
        };
        change(&mut config);
        let state = State::new(client, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let shared = futures::future::FutureExt::shared(async {
            let _ = stopped.await;
        });
        tokio::spawn(k3sstore::http::serve(state.clone(), listener, shared.clone()));
        tokio::spawn(k3sstore::controller::run(state.clone(), shared));
        Orchestrator {
            base,
            state,
            stop: Some(stop),
        }
    }
}

impl Drop for Orchestrator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Waits up to `limit` for object `name` to satisfy `condition` (`None`: the object is gone),
/// watching again when a watch fails: kube's `await_condition` ends at the first watch error,
/// which a busy API server gives now and then, and a test must not mistake that for a
/// timeout. `Err` says what was last seen: the watch error, or that time ran out.
pub async fn wait_until<K>(
    api: &Api<K>,
    name: &str,
    limit: Duration,
    condition: impl Condition<K>,
) -> Result<Option<K>, String>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
{
    let deadline = tokio::time::Instant::now() + limit;
    let mut last_error = None;
    loop {
        let watch = await_condition(api.clone(), name, |o: Option<&K>| condition.matches_object(o));
        match tokio::time::timeout_at(deadline, watch).await {
            Ok(Ok(object)) => return Ok(object),
            Ok(Err(error)) => {
                eprintln!("wait for {name}: the watch failed ({error}); watching again");
                last_error = Some(error.to_string());
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(_) => {
                return Err(match last_error {
                    Some(error) => format!("timed out after {limit:?} (last watch error: {error})"),
                    None => format!("timed out after {limit:?}"),
                });
            }
        }
    }
}

/// Deletes store `id` if it exists and waits until it is gone (the controller removes its
/// finalizer once the namespace is gone).
pub async fn delete_store(client: &Client, id: &str) {
    let stores: Api<Store> = Api::all(client.clone());
    if stores.get_opt(id).await.expect("get store").is_none() {
        return;
    }
    let uid = stores.get(id).await.ok().and_then(|s| s.metadata.uid);
    let _ = stores.delete(id, &DeleteParams::background()).await;
    let uid = uid.unwrap_or_default();
    if let Err(why) = wait_until(&stores, id, NODE_WAIT, conditions::is_deleted(&uid)).await {
        panic!("store {id} not gone: {why}");
    }
}
