//! The store endpoints: create, list, get, delete, and a store's activity log.
//!
//! Every action on the cluster is made with the orchestrator's own identity (the client in
//! [`State`](crate::state::State)); who may ask for it is decided before, per request. Who
//! asked is recorded: a store created through the API carries the user in its
//! [`REQUESTED_BY`] annotation, and creation and deletion each publish an Event on the store
//! naming the user (the log lines name them too; the token is never logged).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::events::{Event as Note, EventType};
use kube::{Api, Resource};

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::request::CreateStore;
use super::view::{EventView, StoreView};
use crate::resource::REQUESTED_BY;
use crate::resource::Store;

/// Kubernetes' reason for a create of a name that exists.
const ALREADY_EXISTS: &str = "AlreadyExists";
/// Where `kube`'s event recorder publishes the Events of cluster-scoped objects.
pub(crate) const EVENTS_NAMESPACE: &str = "default";

fn stores(state: &ApiState) -> Api<Store> {
    Api::all(state.state.client.clone())
}

/// `POST /api/stores`: `201` with the new store, `400` with every problem, `409` if the id
/// is taken. The store is annotated with the caller ([`REQUESTED_BY`]).
pub(crate) async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let text = String::from_utf8_lossy(&body);
    let request = CreateStore::parse(&text).map_err(ApiError::Invalid)?;
    let mut store = request.to_store();
    store.metadata.annotations = Some(BTreeMap::from([(REQUESTED_BY.to_owned(), caller.user.clone())]));
    let created = match stores(&state).create(&PostParams::default(), &store).await {
        Ok(store) => store,
        Err(kube::Error::Api(status)) if status.reason == ALREADY_EXISTS => {
            return Err(ApiError::Conflict(request.id));
        }
        Err(error) => return Err(error.into()),
    };
    tracing::info!(store = %request.id, user = %caller.user, "store created through the API");
    let note = format!("store {} requested by {} through the API", request.id, caller.user);
    record(&state, created.object_ref(&()), "Requested", "Create", note).await;
    let location = format!("/api/stores/{}", request.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(StoreView::of(&created)),
    )
        .into_response())
}

/// Publishes a Normal Event on a store as the orchestrator; a failure is logged, not answered.
async fn record(state: &ApiState, store: ObjectReference, reason: &str, action: &str, note: String) {
    let event = Note {
        type_: EventType::Normal,
        reason: reason.to_owned(),
        note: Some(note),
        action: action.to_owned(),
        secondary: None,
    };
    if let Err(error) = state.state.recorder().publish(&event, &store).await {
        tracing::warn!(store = ?store.name, reason, %error, "cannot publish event");
    }
}

/// `GET /api/stores`: every store, by id.
pub(crate) async fn list(State(state): State<ApiState>) -> Result<Json<Vec<StoreView>>, ApiError> {
    let list = stores(&state).list(&ListParams::default()).await?;
    let mut views: Vec<StoreView> = list.items.iter().map(|store| state.hub.view(store)).collect();
    views.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(views))
}

/// `GET /api/stores/{id}`.
pub(crate) async fn get(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<StoreView>, ApiError> {
    match stores(&state).get_opt(&id).await? {
        Some(store) => Ok(Json(state.hub.view(&store))),
        None => Err(ApiError::NotFound(id)),
    }
}

/// `DELETE /api/stores/{id}`: `202` with the store, which shows `Deleting` until its namespace
/// is gone (`204` when it was gone at once). An Event names the caller.
pub(crate) async fn delete(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match stores(&state).delete(&id, &DeleteParams::background()).await {
        Ok(either) => {
            tracing::info!(store = %id, user = %caller.user, "store deletion asked through the API");
            let store = either.left();
            let reference = store.as_ref().map_or_else(
                || ObjectReference {
                    api_version: Some(Store::api_version(&()).into_owned()),
                    kind: Some(Store::kind(&()).into_owned()),
                    name: Some(id.clone()),
                    ..ObjectReference::default()
                },
                |store| store.object_ref(&()),
            );
            let note = format!("deletion of store {id} requested by {} through the API", caller.user);
            record(&state, reference, "DeletionRequested", "Delete", note).await;
            Ok(match store {
                // The finalizer holds it: the controller tears it down, the store shows `Deleting`.
                Some(store) => (StatusCode::ACCEPTED, Json(StoreView::of(&store))).into_response(),
                // No finalizer (the controller never saw it): gone already.
                None => StatusCode::NO_CONTENT.into_response(),
            })
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Err(ApiError::NotFound(id)),
        Err(error) => Err(error.into()),
    }
}

/// `GET /api/stores/{id}/events`: the store's activity log, oldest first. Events of an
/// earlier store with the same id are left out (they point to another UID).
pub(crate) async fn events(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let Some(store) = stores(&state).get_opt(&id).await? else {
        return Err(ApiError::NotFound(id));
    };
    let uid = store.metadata.uid.clone();
    let selector = format!("regarding.kind={},regarding.name={id}", Store::kind(&()));
    let api: Api<Event> = Api::namespaced(state.state.client.clone(), EVENTS_NAMESPACE);
    let list = api.list(&ListParams::default().fields(&selector)).await?;
    let mut events: Vec<&Event> = list
        .items
        .iter()
        .filter(|event| {
            event.regarding.as_ref().is_some_and(|r| {
                r.api_version.as_deref() == Some(&Store::api_version(&())) && (uid.is_none() || r.uid == uid)
            })
        })
        .collect();
    events.sort_by_key(|event| first_time(event));
    Ok(Json(events.into_iter().map(EventView::of).collect()))
}

/// When an event first happened, for ordering.
fn first_time(event: &Event) -> Option<jiff::Timestamp> {
    event
        .event_time
        .as_ref()
        .map(|t| t.0)
        .or_else(|| event.deprecated_first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
}
