//! The controller scenarios' helpers: a controller started in-process as the install
//! bundle's ServiceAccount for the stores of one test (label `k3sstore-test=<test>`, its own
//! Lease), store objects, waiting on phases, and a store's Events.

use std::time::Duration;

use k3score::Target;
use k3sstore::{Config, State, Store, StoreSpec};
use k8s_openapi::api::events::v1::Event;
use kube::api::{ListParams, PostParams};
use kube::runtime::wait::conditions;
use kube::{Api, Client, ResourceExt};
use tokio::task::JoinHandle;

use super::identity::controller_client;
use super::wait_until;

/// The label every test store carries.
pub const TEST_LABEL: &str = "k3sstore-test";

/// A controller running in-process; dropping or [`Running::kill`] aborts it like a crash.
pub struct Running {
    /// The controller's state (metrics, leadership).
    pub state: State,
    handle: JoinHandle<()>,
}

impl Running {
    /// Aborts the controller at once (no graceful shutdown, the Lease is not released).
    pub fn kill(self) {
        self.handle.abort();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Starts a controller as the ServiceAccount for the stores labelled `k3sstore-test=<test>`,
/// with its own Lease `<test>` and the given instance name.
pub async fn start_controller(admin: &Client, test: &str, instance: &str, deadline: Duration) -> Running {
    start_controller_as(controller_client(admin).await, test, instance, deadline)
}

/// [`start_controller`] with the given client (the ServiceAccount's, reaching the API server
/// some other way).
pub fn start_controller_as(client: Client, test: &str, instance: &str, deadline: Duration) -> Running {
    let config = Config {
        deadline,
        store_selector: Some(format!("{TEST_LABEL}={test}")),
        lease: (k3sstore::install::NAMESPACE.to_owned(), format!("test-{test}")),
        election: k3sstore::controller::leader::Timing::for_lease(Duration::from_secs(6)),
        instance: instance.to_owned(),
        ..Config::new(Target::local())
    };
    let state = State::new(client, config);
    let handle = tokio::spawn(k3sstore::controller::run(state.clone(), futures::future::pending()));
    Running { state, handle }
}

/// A store object labelled for `test`.
pub fn store(test: &str, id: &str) -> Store {
    let mut store = Store::new(id, StoreSpec::default());
    store.metadata.labels = Some([(TEST_LABEL.to_owned(), test.to_owned())].into());
    store
}

/// Creates `store` as admin.
pub async fn create(admin: &Client, store: &Store) -> Store {
    Api::<Store>::all(admin.clone())
        .create(&PostParams::default(), store)
        .await
        .expect("store created")
}

/// Deletes a store left by an earlier run (finalizer removed) and its namespace, and waits
/// until both are gone.
pub async fn forget(admin: &Client, id: &str) {
    let stores: Api<Store> = Api::all(admin.clone());
    for _ in 0..5 {
        let Ok(Some(mut store)) = stores.get_opt(id).await else {
            break;
        };
        let uid = store.uid().unwrap_or_default();
        store.metadata.finalizers = None;
        store.metadata.managed_fields = None;
        let _ = stores.replace(id, &PostParams::default(), &store).await;
        let _ = stores.delete(id, &Default::default()).await;
        if wait_until(&stores, id, Duration::from_secs(10), conditions::is_deleted(&uid))
            .await
            .is_ok()
        {
            break;
        }
    }
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(admin.clone());
    let ns = format!("store-{id}");
    if let Ok(Some(namespace)) = namespaces.get_opt(&ns).await {
        let _ = namespaces.delete(&ns, &Default::default()).await;
        let uid = namespace.uid().unwrap_or_default();
        if let Err(why) = wait_until(&namespaces, &ns, Duration::from_secs(90), conditions::is_deleted(&uid)).await {
            panic!("namespace {ns} of an earlier run not gone: {why}");
        }
    }
}

/// Waits up to `secs` for the store to satisfy `check`; panics with its last status.
pub async fn wait_store(
    admin: &Client,
    id: &str,
    secs: u64,
    what: &str,
    check: impl Fn(Option<&Store>) -> bool,
) -> Option<Store> {
    let stores: Api<Store> = Api::all(admin.clone());
    match wait_until(&stores, id, Duration::from_secs(secs), |s: Option<&Store>| check(s)).await {
        Ok(store) => store,
        Err(why) => {
            let last = stores.get_opt(id).await.ok().flatten();
            panic!("store {id}: not {what}: {why}; last: {:?}", last.map(|s| s.status));
        }
    }
}

/// The phase check for [`wait_store`].
pub fn phase_is(phase: k3sstore::Phase) -> impl Fn(Option<&Store>) -> bool {
    move |s| s.and_then(|s| s.status.as_ref()).and_then(|s| s.phase) == Some(phase)
}

/// The Events (`events.k8s.io/v1`, namespace `default`) about the stores with these `uids`,
/// oldest first (by `eventTime`).
pub async fn store_events(admin: &Client, uids: &[String]) -> Vec<Event> {
    let events: Api<Event> = Api::namespaced(admin.clone(), "default");
    let mut found: Vec<Event> = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| {
            e.regarding
                .as_ref()
                .and_then(|r| r.uid.as_ref())
                .is_some_and(|u| uids.contains(u))
        })
        .collect();
    found.sort_by_key(|e| e.event_time.as_ref().map(|t| t.0));
    found
}

/// The reasons of the store's Events, oldest first.
pub async fn event_reasons(admin: &Client, store: &Store) -> Vec<String> {
    let uids: Vec<String> = store.uid().into_iter().collect();
    store_events(admin, &uids)
        .await
        .into_iter()
        .filter_map(|e| e.reason)
        .collect()
}
