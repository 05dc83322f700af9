//! The `Store` controller: one level-triggered, idempotent reconcile per store.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;

use crate::resource::Store;
use crate::state::State;

/// Why a reconcile failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or could not be reached.
    #[error("API server: {0}")]
    Kube(#[from] kube::Error),
}

/// Reconciles one store.
async fn reconcile(_store: Arc<Store>, state: Arc<State>) -> Result<Action, Error> {
    let _timer = state.metrics.count_and_measure();
    Ok(Action::await_change())
}

/// Requeues a failed reconcile after a pause.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature kube's Controller::run asks for"
)]
fn error_policy(_store: Arc<Store>, error: &Error, state: Arc<State>) -> Action {
    tracing::warn!(%error, "reconcile failed");
    state.metrics.reconcile_errors.inc();
    Action::requeue(Duration::from_secs(5))
}

/// Runs the controller until the process is asked to stop.
pub async fn run(state: State) {
    let stores = Api::<Store>::all(state.client.clone());
    let concurrency = state.config.concurrency;
    Controller::new(stores, watcher::Config::default().any_semantic())
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .shutdown_on_signal()
        .run(reconcile, error_policy, Arc::new(state))
        .for_each(|result| async move {
            if let Err(error) = result {
                tracing::debug!(%error, "reconcile");
            }
        })
        .await;
}
