//! The live stream of store changes (`GET /api/watch/stores`, server-sent events), fed by
//! one kube watcher + reflector per process: no polling.
//!
//! A client first gets a `snapshot` (every store), then `applied` and `deleted` events; after
//! the watcher re-lists (a dropped watch), or when the client fell behind, it gets a fresh
//! `snapshot` that replaces what it had.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
use super::view::StoreView;
use crate::resource::Store;

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

/// The watcher's cache and the channel its changes are fanned out on. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    reader: Reader<Store>,
    changes: broadcast::Sender<Change>,
    ready: Arc<AtomicBool>,
    shutdown: watch::Receiver<bool>,
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
        };
        let task = hub.clone();
        tokio::spawn(async move { task.follow(Api::all(client), writer).await });
        hub
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
                Some(Ok(watcher::Event::Apply(store))) => Change::Applied(StoreView::of(&store)),
                Some(Ok(watcher::Event::Delete(store))) => Change::Deleted(StoreView::of(&store)),
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
        let mut views: Vec<StoreView> = self.reader.state().iter().map(|s| StoreView::of(s)).collect();
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
