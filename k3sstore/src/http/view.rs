//! What the API shows of a store and of its activity log: flat JSON views of the `Store`
//! object and of its Kubernetes Events, the same in every answer and in the live stream.

use k3splatform::SizeProfile;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::ResourceExt;
use serde::Serialize;

use crate::resource::{Engine, Phase, Store};

/// One store as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreView {
    /// The store id (the `Store` object's name).
    pub id: String,
    /// The commerce engine.
    pub engine: Engine,
    /// The size profile asked for (the target's default when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<SizeProfile>,
    /// The phase: `status.phase`, `Requested` before the controller wrote one, `Deleting`
    /// once deletion started.
    pub phase: Phase,
    /// The store's URL, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The namespace the store lives in (`store-<id>`).
    pub namespace: String,
    /// Why the store failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `Provisioned` and `Ready`.
    pub conditions: Vec<Condition>,
    /// When the store was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Time>,
    /// The user who created it through the API (its `platform.k3s.io/requested-by`
    /// annotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// The Kubernetes object's UID (its Events point to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The store's latest Event, when the live watch has seen one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event: Option<EventView>,
}

impl StoreView {
    /// The view of `store`.
    #[must_use]
    pub fn of(store: &Store) -> Self {
        let id = store.name_any();
        let status = store.status.clone().unwrap_or_default();
        let phase = if store.metadata.deletion_timestamp.is_some() {
            Phase::Deleting
        } else {
            status.phase.unwrap_or(Phase::Requested)
        };
        StoreView {
            namespace: format!("{}-{id}", k3splatform::store::STORE_PREFIX),
            id,
            engine: store.spec.engine,
            size: store.spec.size,
            phase,
            url: status.url,
            message: status.message,
            conditions: status.conditions,
            created: store.metadata.creation_timestamp.clone(),
            requested_by: store.annotations().get(crate::resource::REQUESTED_BY).cloned(),
            uid: store.metadata.uid.clone(),
            last_event: None,
        }
    }
}

/// One entry of a store's activity log (an `events.k8s.io/v1` Event).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    /// When it last happened (the series' last time, else the event time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// The machine-readable reason (`Provisioning`, `Ready`, `Failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the controller did (`Apply`, `Delete`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// What happened, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many times it happened (1 unless the recorder folded repeats into a series).
    pub count: i32,
}

impl EventView {
    /// When `event` last happened (its series' last time, else its event time), for ordering.
    #[must_use]
    pub fn last_time(event: &Event) -> Option<jiff::Timestamp> {
        event
            .series
            .as_ref()
            .map(|s| s.last_observed_time.0)
            .or_else(|| event.event_time.as_ref().map(|t| t.0))
            .or_else(|| event.deprecated_last_timestamp.as_ref().map(|t| t.0))
            .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))
    }

    /// The view of `event`.
    #[must_use]
    pub fn of(event: &Event) -> Self {
        EventView {
            time: Self::last_time(event).map(|t| t.to_string()),
            type_: event.type_.clone(),
            reason: event.reason.clone(),
            action: event.action.clone(),
            note: event.note.clone(),
            count: event.series.as_ref().map_or(1, |s| s.count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{StoreSpec, StoreStatus};

    #[test]
    fn phase_is_requested_until_the_controller_writes_one_and_deleting_once_deleted() {
        let mut store = Store::new("acme", StoreSpec::default());
        let view = StoreView::of(&store);
        assert_eq!(view.phase, Phase::Requested);
        assert_eq!(view.namespace, "store-acme");
        store.status = Some(StoreStatus {
            phase: Some(Phase::Ready),
            url: Some("http://acme.localhost".to_owned()),
            ..StoreStatus::default()
        });
        assert_eq!(StoreView::of(&store).phase, Phase::Ready);
        store.metadata.deletion_timestamp = store
            .metadata
            .creation_timestamp
            .clone()
            .or(Some(Time(jiff::Timestamp::UNIX_EPOCH)));
        assert_eq!(StoreView::of(&store).phase, Phase::Deleting);
    }
}
