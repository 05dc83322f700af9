//! The `Cleanup` path: `Deleting`, delete the store's namespace and cluster-scoped objects,
//! and let the finalizer go only once they are gone.

use kube::ResourceExt;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;

use super::apply::{self, DeleteOne, ListOwned};
use super::provision::namespace_of;
use super::{Context, Error};
use crate::resource::{Phase, Store, StoreStatus};

/// Deletes what the store owns outside its namespace and the namespace itself (which takes
/// everything inside with it). Only objects with the store's ownership label are touched:
/// a namespace that was never ours (a store that failed on a conflict) stays.
pub(super) async fn cleanup(store: &Store, ctx: &Context) -> Result<Action, Error> {
    let id = store.name_any();
    if let Err(error) = k3splatform::store::store_id(&id) {
        // A name that is not a store id (a Store made before the CRD had its rule): the Apply
        // path refused it before writing anything, so there is nothing to tear down, and its
        // label selector would not even parse. Let the finalizer go.
        ctx.event(
            store,
            EventType::Normal,
            "Deleted",
            "Delete",
            format!("store {id} had nothing to tear down: {error}"),
        )
        .await;
        return Ok(Action::await_change());
    }
    let namespace = namespace_of(&id);
    if store.status.as_ref().and_then(|s| s.phase) != Some(Phase::Deleting) {
        ctx.event(
            store,
            EventType::Normal,
            "Deleting",
            "Delete",
            format!("deleting namespace {namespace} and the store's cluster-scoped objects"),
        )
        .await;
        let status = StoreStatus {
            phase: Some(Phase::Deleting),
            message: None,
            ..store.status.clone().unwrap_or_default()
        };
        ctx.write_status(store, &status).await?;
    }
    let client = &ctx.state.client;
    let selector = apply::selector(&id);
    let mut remaining = Vec::new();
    for kind in ctx.kinds.iter().filter(|k| k.namespace().is_none()) {
        let list = ListOwned {
            client,
            namespace: &namespace,
            selector: &selector,
        };
        for object in apply::visit(kind, list).await? {
            if object.meta().deletion_timestamp.is_none() {
                apply::visit(&object, DeleteOne { client }).await?;
            }
            remaining.push(object.key());
        }
    }
    if !remaining.is_empty() {
        return Err(Error::TeardownPending(remaining.join(", ")));
    }
    ctx.event(
        store,
        EventType::Normal,
        "Deleted",
        "Delete",
        format!("namespace {namespace} and every object of store {id} are gone"),
    )
    .await;
    Ok(Action::await_change())
}
