//! The HTTP server served next to the controller: health probes now; the store API,
//! server-sent events, `/metrics` and the dashboard come with the HTTP half of the crate.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use crate::state::State;

/// The routes: `/healthz` (the process serves) and `/readyz` (it can reach the API server).
pub fn router(state: State) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn readyz(axum::extract::State(state): axum::extract::State<State>) -> (StatusCode, String) {
    match state.client.apiserver_version().await {
        Ok(_) => (StatusCode::OK, "ok".to_owned()),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("API server unreachable: {err}"),
        ),
    }
}

/// Serves [`router`] on `listener` until `shutdown` resolves.
pub async fn serve(
    state: State,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
