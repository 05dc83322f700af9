//! The store endpoints: create, list, get, delete, and a store's activity log.
//!
//! Every action on the cluster is made with the orchestrator's own identity (the client in
//! [`State`](crate::state::State)); who may ask for it is decided before, per request.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use k8s_openapi::api::events::v1::Event;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Resource};

use super::ApiState;
use super::error::ApiError;
use super::request::CreateStore;
use super::view::{EventView, StoreView};
use crate::resource::Store;

/// Kubernetes' reason for a create of a name that exists.
const ALREADY_EXISTS: &str = "AlreadyExists";
/// Where `kube`'s event recorder publishes the Events of cluster-scoped objects.
pub(crate) const EVENTS_NAMESPACE: &str = "default";

fn stores(state: &ApiState) -> Api<Store> {
    Api::all(state.state.client.clone())
}

/// `POST /api/stores`: `201` with the new store, `400` with every problem, `409` if the id
/// is taken.
pub(crate) async fn create(State(state): State<ApiState>, body: Bytes) -> Result<Response, ApiError> {
    let text = String::from_utf8_lossy(&body);
    let request = CreateStore::parse(&text).map_err(ApiError::Invalid)?;
    let created = match stores(&state).create(&PostParams::default(), &request.to_store()).await {
        Ok(store) => store,
        Err(kube::Error::Api(status)) if status.reason == ALREADY_EXISTS => {
            return Err(ApiError::Conflict(request.id));
        }
        Err(error) => return Err(error.into()),
    };
    tracing::info!(store = %request.id, "store created through the API");
    let location = format!("/api/stores/{}", request.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(StoreView::of(&created)),
    )
        .into_response())
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
/// is gone (`204` when it was gone at once).
pub(crate) async fn delete(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    match stores(&state).delete(&id, &DeleteParams::background()).await {
        Ok(either) => {
            tracing::info!(store = %id, "store deletion asked through the API");
            Ok(match either.left() {
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
