//! The HTTP server served next to the controller: the store API, its live stream of changes,
//! probes and metrics.
//!
//! | route | what |
//! |---|---|
//! | `POST /api/stores` | create a store from `{"id", "engine", "size"}`: `201`, `400` with every problem, `409` if the id is taken |
//! | `GET /api/stores` | every store |
//! | `GET /api/stores/{id}` | one store: phase, conditions, URL, namespace, failure message |
//! | `DELETE /api/stores/{id}` | delete a store: `202`, it turns `Deleting` |
//! | `GET /api/stores/{id}/events` | the store's activity log (its Kubernetes Events), oldest first |
//! | `GET /api/watch/stores` | server-sent events: `snapshot`, `applied`, `deleted` |
//! | `/healthz`, `/readyz` | the process serves / the API server answers |
//! | `/metrics`, `/metrics/summary` | Prometheus text / the same numbers as JSON |

pub mod error;
mod ops;
pub mod request;
mod stores;
pub mod view;
pub mod watch;

use axum::Router;
use axum::routing::get;
use tokio::sync::watch as signal;

use crate::state::State;
use watch::Hub;

/// What every handler gets: the shared [`State`] and the store watch.
#[derive(Clone, Debug)]
pub struct ApiState {
    /// The state shared with the controller.
    pub state: State,
    /// The store watch feeding the live stream.
    pub hub: Hub,
}

/// The routes. Starts the store watch, whose streams end when `shutdown` turns true.
pub fn router(state: State, shutdown: signal::Receiver<bool>) -> Router {
    let hub = Hub::start(state.client.clone(), shutdown);
    let api = Router::new()
        .route("/api/stores", get(stores::list).post(stores::create))
        .route("/api/stores/{id}", get(stores::get).delete(stores::delete))
        .route("/api/stores/{id}/events", get(stores::events))
        .route("/api/watch/stores", get(watch::stream));
    Router::new()
        .merge(api)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/metrics/summary", get(ops::summary))
        .with_state(ApiState { state, hub })
}

/// Serves [`router`] on `listener` until `shutdown` resolves; open streams end then too.
pub async fn serve(
    state: State,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = signal::channel(false);
    let app = router(state, stopped);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop.send(true);
    })
    .await
}
