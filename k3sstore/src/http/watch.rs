//! The live stream of store changes (`GET /api/watch/stores`, server-sent events), fed by
//! one kube watcher + reflector per process: no polling.
//!
//! A client first gets a `snapshot` (every store), then `applied` and `deleted` events; after
//! the watcher re-lists (a dropped watch), or when the client fell behind, it gets a fresh
//! `snapshot` that replaces what it had. A second watch on the stores' Events keeps each
//! store's latest one (`lastEvent`), and a new Event re-sends its store as `applied`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use kube::Api;
use kube::runtime::reflector::{self, Store as Reader};
use kube::runtime::{WatchStreamExt, watcher};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use super::ApiState;
use super::stores::EVENTS_NAMESPACE;
use super::view::{EventView, StoreView};
use crate::resource::Store;
use k8s_openapi::api::events::v1::Event as KubeEvent;
use kube::Resource;

/// How many changes a slow client may fall behind before it gets a fresh snapshot.
const BUFFER: usize = 256;

/// One change of the store list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Change {
    /// Every store (sent first, and again after a re-list).
    Snapshot(Vec<StoreView>),
    /// A store was created or changed.
    Applied(StoreView),
    /// A store is gone.
    Deleted(StoreView),
}

impl Change {
    /// The SSE event name: `snapshot`, `applied` or `deleted`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Change::Snapshot(_) => "snapshot",
            Change::Applied(_) => "applied",
            Change::Deleted(_) => "deleted",
        }
    }
}

/// The latest Event of each store (by UID) with its time.
type LastEvents = HashMap<String, (Option<jiff::Timestamp>, EventView)>;

/// The watcher's cache and the channel its changes are fanned out on. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    reader: Reader<Store>,
    changes: broadcast::Sender<Change>,
    ready: Arc<AtomicBool>,
    shutdown: watch::Receiver<bool>,
    /// The latest Event of each store, by the store's UID.
    last_events: Arc<Mutex<LastEvents>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("ready", &self.ready.load(Ordering::Relaxed))
            .field("subscribers", &self.changes.receiver_count())
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// Starts watching every `Store` with `client`; streams end when `shutdown` turns true.
    #[must_use]
    pub fn start(client: kube::Client, shutdown: watch::Receiver<bool>) -> Self {
        let (reader, writer) = reflector::store();
        let (changes, _) = broadcast::channel(BUFFER);
        let hub = Hub {
            reader,
            changes,
            ready: Arc::new(AtomicBool::new(false)),
            shutdown,
            last_events: Arc::default(),
        };
        let task = hub.clone();
        let events = Api::namespaced(client.clone(), EVENTS_NAMESPACE);
        tokio::spawn(async move { task.follow(Api::all(client), writer).await });
        let task = hub.clone();
        tokio::spawn(async move { task.follow_events(events).await });
        hub
    }

    /// Keeps the latest Event of each store and re-sends the store it concerns.
    async fn follow_events(self, api: Api<KubeEvent>) {
        let config = watcher::Config::default().fields(&format!("regarding.kind={}", Store::kind(&())));
        let mut stream = watcher(api, config).default_backoff().boxed();
        let mut shutdown = self.shutdown.clone();
        loop {
            let event = tokio::select! {
                event = stream.next() => event,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            match event {
                None => return,
                Some(Err(error)) => tracing::warn!(%error, "store Events watch (retrying with backoff)"),
                Some(Ok(watcher::Event::Apply(event) | watcher::Event::InitApply(event))) => {
                    if let Some(store) = self.record(&event) {
                        let _ = self.changes.send(Change::Applied(self.view(&store)));
                    }
                }
                Some(Ok(watcher::Event::InitDone)) if self.ready.load(Ordering::Relaxed) => {
                    let _ = self.changes.send(self.snapshot());
                }
                Some(Ok(watcher::Event::Delete(_) | watcher::Event::Init | watcher::Event::InitDone)) => {}
            }
        }
    }

    /// Records `event` as its store's latest if it is; the store, when the cache has it.
    fn record(&self, event: &KubeEvent) -> Option<Arc<Store>> {
        let regarding = event.regarding.as_ref()?;
        if regarding.api_version.as_deref() != Some(&Store::api_version(&())) {
            return None;
        }
        let uid = regarding.uid.clone()?;
        let time = EventView::last_time(event);
        let mut last = self
            .last_events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match last.get(&uid) {
            Some((seen, _)) if *seen > time => return None,
            _ => last.insert(uid.clone(), (time, EventView::of(event))),
        };
        drop(last);
        self.reader
            .find(|store| store.metadata.uid.as_deref() == Some(uid.as_str()))
    }

    /// The view of `store` with its latest Event.
    #[must_use]
    pub fn view(&self, store: &Store) -> StoreView {
        let mut view = StoreView::of(store);
        if let Some(uid) = &view.uid {
            let last = self
                .last_events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            view.last_event = last.get(uid).map(|(_, event)| event.clone());
        }
        view
    }

    async fn follow(self, api: Api<Store>, writer: reflector::store::Writer<Store>) {
        let mut stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .reflect(writer)
            .boxed();
        let mut shutdown = self.shutdown.clone();
        loop {
            let event = tokio::select! {
                event = stream.next() => event,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            let change = match event {
                None => return,
                Some(Err(error)) => {
                    tracing::warn!(%error, "store watch (retrying with backoff)");
                    continue;
                }
                Some(Ok(watcher::Event::Apply(store))) => Change::Applied(self.view(&store)),
                Some(Ok(watcher::Event::Delete(store))) => {
                    if let Some(uid) = &store.metadata.uid {
                        self.last_events
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .remove(uid);
                    }
                    Change::Deleted(StoreView::of(&store))
                }
                Some(Ok(watcher::Event::InitDone)) => {
                    self.ready.store(true, Ordering::Relaxed);
                    self.snapshot()
                }
                Some(Ok(watcher::Event::Init | watcher::Event::InitApply(_))) => continue,
            };
            // No subscriber is not an error: the change is in the cache for the next one.
            let _ = self.changes.send(change);
        }
    }

    /// Every store in the cache, by id.
    #[must_use]
    pub fn snapshot(&self) -> Change {
        let mut views: Vec<StoreView> = self.reader.state().iter().map(|s| self.view(s)).collect();
        views.sort_by(|a, b| a.id.cmp(&b.id));
        Change::Snapshot(views)
    }

    /// The changes from now on, starting with a snapshot when the cache is filled.
    pub fn subscribe(&self) -> impl Stream<Item = Change> + Send + use<> {
        let first = self.ready.load(Ordering::Relaxed).then(|| self.snapshot());
        let receiver = self.changes.subscribe();
        let hub = self.clone();
        let rest = futures::stream::unfold((receiver, hub), |(mut receiver, hub)| async move {
            let mut shutdown = hub.shutdown.clone();
            let next = tokio::select! {
                next = receiver.recv() => next,
                _ = shutdown.wait_for(|stop| *stop) => return None,
            };
            let change = match next {
                Ok(change) => change,
                Err(broadcast::error::RecvError::Lagged(_)) => hub.snapshot(),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((change, (receiver, hub)))
        });
        futures::stream::iter(first).chain(rest)
    }
}

/// `GET /api/watch/stores`: the change stream as server-sent events, a keep-alive comment
/// every 15 s.
pub(crate) async fn stream(State(state): State<ApiState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = state.hub.subscribe().map(|change| {
        let event = Event::default().event(change.name());
        Ok(event
            .json_data(&change)
            .unwrap_or_else(|_| Event::default().comment("unserializable change")))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
