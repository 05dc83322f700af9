//! The live stream of store changes (`GET /api/watch/stores`, server-sent events), fed by
//! one kube watcher + reflector per process: no polling.
//!
//! A client first gets a `snapshot` (every store), then `applied` and `deleted` events; after
//! the watcher re-lists (a dropped watch), or when the client fell behind, it gets a fresh
//! `snapshot` that replaces what it had. A second watch on the stores' Events keeps each
//! store's latest one (`lastEvent`), and a new Event re-sends its store as `applied`.
//!
//! An open stream is re-checked every `reauthorize_every` (default 60 s, `run
//! --reauthorize-seconds`): its token with a new `TokenReview` and the caller's `watch`
//! permission with a new `SubjectAccessReview`, never from the recent answers. Once either is
//! refused the stream sends a last `closed` event saying why (`{"reason": "..."}`) and ends. An API server that does
//! not answer leaves the stream open (it is asked again at the next check).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use kube::Api;
use kube::runtime::reflector::{self, Store as Reader};
use kube::runtime::{WatchStreamExt, watcher};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use super::ApiState;
use super::auth::{self, Action, Caller};
use super::error::ApiError;
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
/// every 15 s, until the caller's permission is gone (then a `closed` event).
pub(crate) async fn stream(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let token = auth::bearer(&headers).ok().map(str::to_owned);
    let closed = recheck(state.clone(), caller, token);
    let events = until_closed(state.hub.subscribe(), closed).map(Ok);
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The SSE event of a change.
fn event_of(change: &Change) -> Event {
    Event::default()
        .event(change.name())
        .json_data(change)
        .unwrap_or_else(|_| Event::default().comment("unserializable change"))
}

/// The data of the last event of a stream whose permission is gone: `{"reason": "..."}`.
#[derive(Serialize)]
struct Closed {
    reason: String,
}

/// `changes` as events until `closed` resolves (then one `closed` event with its reason).
fn until_closed(
    changes: impl Stream<Item = Change> + Send + 'static,
    closed: impl Future<Output = String> + Send + 'static,
) -> impl Stream<Item = Event> + Send {
    let open = Some((changes.boxed(), futures::FutureExt::boxed(closed)));
    futures::stream::unfold(open, |open| async move {
        let (mut changes, mut closed) = open?;
        tokio::select! {
            change = changes.next() => {
                let event = event_of(&change?);
                Some((event, Some((changes, closed))))
            }
            reason = &mut closed => {
                let event = Event::default().event("closed");
                let event = event.json_data(Closed { reason }).unwrap_or_else(|_| Event::default().event("closed"));
                Some((event, None))
            }
        }
    })
}

/// Re-checks the caller every `reauthorize_every`; resolves with the reason once the token or
/// the `watch` permission is refused (never in `--insecure-no-auth` mode).
async fn recheck(state: ApiState, caller: Caller, token: Option<String>) -> String {
    let config = &state.state.config;
    if config.insecure_no_auth {
        return std::future::pending().await;
    }
    let client = &state.state.client;
    let watch = Action {
        verb: "watch",
        name: None,
    };
    loop {
        tokio::time::sleep(config.reauthorize_every).await;
        let authenticated = match &token {
            Some(token) => auth::review(client, &state.reviews, token, config.audience.as_deref()).await,
            None => Err(auth::refused()),
        };
        let checked = match authenticated {
            Ok(now) if now.user == caller.user => auth::access_review(client, &caller, &watch).await,
            Ok(now) => Err(ApiError::Unauthorized(format!("the token now names {}", now.user))),
            Err(error) => Err(error),
        };
        match checked {
            Ok(()) => {}
            Err(refused @ (ApiError::Unauthorized(_) | ApiError::Forbidden { .. })) => {
                tracing::info!(user = %caller.user, status = %refused.status(), "watch stream closed: {refused}");
                return refused.to_string();
            }
            Err(error) => tracing::warn!(user = %caller.user, %error, "watch stream re-check failed (kept open)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stream_ends_with_a_closed_event_once_the_check_says_so() {
        let (tx, rx) = tokio::sync::oneshot::channel::<String>();
        let changes = futures::stream::iter([Change::Snapshot(Vec::new())]).chain(futures::stream::pending());
        let closed = async move { rx.await.unwrap_or_default() };
        let mut events = Box::pin(until_closed(changes, closed));
        assert!(events.next().await.is_some(), "the snapshot");
        tx.send("alice may not watch stores.platform.k3s.io".to_owned())
            .unwrap();
        assert!(events.next().await.is_some(), "the closed event");
        assert!(events.next().await.is_none(), "the stream ended");
    }
}
