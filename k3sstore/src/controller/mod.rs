//! The `Store` controller: one level-triggered, idempotent reconcile per store, wrapped in
//! kube's `finalizer` helper so `Apply` and `Cleanup` are the only two paths
//! (kube-rs/controller-rs).
//!
//! The controller watches `Store` objects and, through the ownership label, the store
//! namespaces, StatefulSets and Deployments it applied: a workload turning ready or a
//! namespace going away triggers the store's reconcile. The one poll: while a store is not
//! ready, its pods are looked at every 10 s ([`pods`]), since a container that cannot start
//! changes no workload status.

pub mod apply;
pub mod leader;
pub mod pods;
pub mod provision;
pub mod render;
pub mod status;
mod teardown;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k3score::Object;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder};
use kube::runtime::finalizer::{Event as Finalize, finalizer};
use kube::runtime::reflector::{ObjectRef, Store as Cache};
use kube::runtime::watcher;
use kube::{Api, Resource, ResourceExt};
use serde::Serialize;

use crate::resource::{Phase, Store, StoreStatus};
use crate::state::State;

/// The finalizer that holds a deleted `Store` until its namespace and cluster-scoped objects
/// are gone.
pub const FINALIZER: &str = "stores.platform.k3s.io/teardown";

/// Why a reconcile did not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or could not be reached.
    #[error("API server: {0}")]
    Kube(#[from] kube::Error),
    /// The OS gave no randomness for a password.
    #[error("OS randomness: {0}")]
    Randomness(#[from] getrandom::Error),
    /// Teardown is waiting for objects to disappear (not a failure).
    #[error("teardown waiting: {0}")]
    TeardownPending(String),
    /// Adding or removing the finalizer failed, or one of its paths did.
    #[error("{0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
}

impl Error {
    fn is_pending(&self) -> bool {
        use kube::runtime::finalizer::Error as F;
        match self {
            Error::TeardownPending(_) => true,
            Error::Finalizer(inner) => matches!(&**inner, F::CleanupFailed(e) if e.is_pending()),
            Error::Kube(_) | Error::Randomness(_) => false,
        }
    }
}

/// What every reconcile gets: the shared state, the `Store` cache, the kinds a store can
/// contain, and the Event recorder.
pub struct Context {
    /// Client, metrics and configuration.
    pub state: State,
    /// The controller's cache of `Store` objects (for `active_stores`).
    pub stores: Cache<Store>,
    /// One sample object per kind a store can render (what pruning and teardown list).
    pub kinds: Vec<Object>,
    /// Publishes `events.k8s.io/v1` Events.
    pub recorder: Recorder,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("state", &self.state)
            .field("kinds", &self.kinds.len())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// Publishes an Event about `store`; a failure is logged, never fatal to the reconcile.
    async fn event(&self, store: &Store, type_: EventType, reason: &str, action: &str, note: String) {
        let event = Event {
            type_,
            reason: reason.to_owned(),
            note: Some(note),
            action: action.to_owned(),
            secondary: None,
        };
        if let Err(error) = self.recorder.publish(&event, &store.object_ref(&())).await {
            tracing::warn!(store = %store.name_any(), reason, %error, "cannot publish event");
        }
    }

    /// Writes `status` with server-side apply when it differs from what the store shows.
    async fn write_status(&self, store: &Store, status: &StoreStatus) -> Result<(), kube::Error> {
        if store.status.as_ref() == Some(status) {
            return Ok(());
        }
        let api: Api<Store> = Api::all(self.state.client.clone());
        let patch = StatusPatch {
            api_version: Store::api_version(&()).into_owned(),
            kind: Store::kind(&()).into_owned(),
            status,
        };
        let params = PatchParams::apply(&self.state.config.field_manager).force();
        api.patch_status(&store.name_any(), &params, &Patch::Apply(&patch))
            .await?;
        Ok(())
    }

    /// Sets `active_stores` from the cache.
    fn count_active(&self) {
        let mut counts: BTreeMap<Phase, i64> = BTreeMap::new();
        for store in self.stores.state() {
            let phase = if store.metadata.deletion_timestamp.is_some() {
                Phase::Deleting
            } else {
                store.status.as_ref().and_then(|s| s.phase).unwrap_or(Phase::Requested)
            };
            *counts.entry(phase).or_default() += 1;
        }
        self.state.metrics.set_active(&counts);
    }
}

/// The status subresource as server-side apply wants it: `apiVersion`, `kind`, `status`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusPatch<'a> {
    api_version: String,
    kind: String,
    status: &'a StoreStatus,
}

/// Reconciles one store.
async fn reconcile(store: Arc<Store>, ctx: Arc<Context>) -> Result<Action, Error> {
    let _timer = ctx.state.metrics.count_and_measure();
    let api: Api<Store> = Api::all(ctx.state.client.clone());
    let result = finalizer(&api, FINALIZER, store, |event| async {
        match event {
            Finalize::Apply(store) => provision::apply(&store, &ctx).await,
            Finalize::Cleanup(store) => teardown::cleanup(&store, &ctx).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)));
    ctx.count_active();
    result
}

/// Requeues a failed reconcile: teardown waits briefly, errors back off a little more.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature kube's Controller::run asks for"
)]
fn error_policy(store: Arc<Store>, error: &Error, ctx: Arc<Context>) -> Action {
    if error.is_pending() {
        return Action::requeue(Duration::from_secs(2));
    }
    tracing::warn!(store = %store.name_any(), %error, "reconcile failed");
    ctx.state.metrics.reconcile_errors.inc();
    Action::requeue(Duration::from_secs(5))
}

/// The store a labelled object belongs to.
fn owner<K: Resource>(object: &K) -> Option<ObjectRef<Store>> {
    object.labels().get(apply::STORE_LABEL).map(|id| ObjectRef::new(id))
}

/// Runs until `shutdown` resolves: waits for the leader Lease, reconciles while it holds
/// it, and campaigns again when it loses it. Only the leader reconciles; every replica
/// serves HTTP.
///
/// Losing the Lease stops reconciling at once: the controller future is dropped, and with it
/// every reconcile in flight at its next `await`, so no write is started after the loss (one
/// already on the wire may still land; the renew deadline's margin below the lease duration
/// is what keeps it before another replica starts). On shutdown the leader lets the
/// reconciles in flight finish, then gives the Lease up so another replica takes over at once.
pub async fn run(state: State, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    use futures::FutureExt;
    let shutdown = shutdown.shared();
    let mut elector = leader::Elector::new(&state);
    loop {
        let acquired = tokio::select! {
            () = shutdown.clone() => return,
            acquired = elector.acquire() => acquired,
        };
        state.set_leader(true);
        let mut reconciling = Box::pin(reconcile_until(state.clone(), shutdown.clone()));
        tokio::select! {
            () = elector.hold(acquired) => {
                state.set_leader(false);
                drop(reconciling);
            }
            () = &mut reconciling => {
                state.set_leader(false);
                elector.release().await;
                return;
            }
        }
    }
}

/// Reconciles stores until `stop` resolves (or the process gets SIGINT/SIGTERM).
pub async fn reconcile_until(state: State, stop: impl Future<Output = ()> + Send + Sync + 'static) {
    let client = state.client.clone();
    let owned = || watcher::Config::default().labels(apply::STORE_LABEL);
    let stores = match &state.config.store_selector {
        Some(selector) => watcher::Config::default().labels(selector),
        None => watcher::Config::default(),
    };
    let controller = Controller::new(Api::<Store>::all(client.clone()), stores)
        .with_config(kube::runtime::controller::Config::default().concurrency(state.config.concurrency))
        .watches(Api::<StatefulSet>::all(client.clone()), owned(), |o| owner(&o))
        .watches(Api::<Deployment>::all(client.clone()), owned(), |o| owner(&o))
        .watches(Api::<Namespace>::all(client.clone()), owned(), |o| owner(&o))
        .graceful_shutdown_on(stop);
    let ctx = Arc::new(Context {
        stores: controller.store(),
        kinds: provision::store_kinds(),
        recorder: state.recorder(),
        state,
    });
    controller
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(error) = result {
                tracing::debug!(%error, "reconcile");
            }
        })
        .await;
}
