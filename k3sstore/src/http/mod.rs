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
//! | `GET /api/watch/stores` | server-sent events: `snapshot`, `applied`, `deleted`; `closed` once the caller's permission is gone (re-checked every minute) |
//! | `/healthz`, `/readyz` | the process serves / the API server answers |
//! | `/metrics`, `/metrics/summary` | Prometheus text / the same numbers as JSON |
//! | `/`, `/stores/{id}`, `/assets/*` | the dashboard ([`dashboard`]) |
//!
//! Every `/api` request needs `Authorization: Bearer <token>`: the token is authenticated
//! with a `TokenReview` (`401` otherwise) and the route's action authorized with a
//! `SubjectAccessReview` on `stores` (`403` naming the user and the missing permission), see
//! [`auth`]. Each client (the authenticated user, else the client address) has rate limits,
//! `429` with `Retry-After` past them ([`limit`]). `--insecure-no-auth` turns that off and is refused unless the server listens on
//! loopback, and neither is plain HTTP unless asked for ([`check_listen`]).
//!
//! Every request is answered within [`REQUEST_TIMEOUT`] (`408` past it; the live stream's
//! headers count, not the stream), and at most [`MAX_CONCURRENT_REQUESTS`] are handled at once
//! (the next wait for one to finish), with tower's layers.

pub mod auth;
pub mod dashboard;
pub mod error;
mod guard;
pub mod limit;
mod ops;
pub mod request;
mod stores;
pub mod tls;
pub mod ttl_map;
pub mod view;
pub mod watch;

use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::serve::IncomingStream;
use tokio::sync::watch as signal;

pub use crate::resource::REQUESTED_BY;

use crate::state::{Config, State};
use watch::Hub;

/// The longest a request may take until its answer starts.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once, at most.
pub const MAX_CONCURRENT_REQUESTS: usize = 256;

/// What every handler gets: the shared [`State`], the store watch, the rate limiter and the
/// recent review answers.
#[derive(Clone, Debug)]
pub struct ApiState {
    /// The state shared with the controller.
    pub state: State,
    /// The store watch feeding the live stream.
    pub hub: Hub,
    /// The API's rate limits.
    pub limiter: std::sync::Arc<limit::Limiter>,
    /// Recent answers of the token and access reviews.
    pub reviews: std::sync::Arc<auth::Reviews>,
    /// The address the server listens on (`Host` and `Origin` are checked against it in
    /// `--insecure-no-auth` mode).
    pub local: std::net::SocketAddr,
}

/// The routes of a server listening on `local`. Starts the store watch, whose streams end
/// when `shutdown` turns true.
pub fn router(state: State, local: std::net::SocketAddr, shutdown: signal::Receiver<bool>) -> Router {
    let hub = Hub::start(state.client.clone(), shutdown);
    let limiter = std::sync::Arc::new(limit::Limiter::new(state.config.limits));
    let reviews = std::sync::Arc::new(auth::Reviews::default());
    let shared = ApiState {
        state,
        hub,
        limiter,
        reviews,
        local,
    };
    let api = Router::new()
        .route("/api/stores", get(stores::list).post(stores::create))
        .route("/api/stores/{id}", get(stores::get).delete(stores::delete))
        .route("/api/stores/{id}/events", get(stores::events))
        .route("/api/watch/stores", get(watch::stream))
        .route_layer(from_fn_with_state(shared.clone(), guard::guard));
    let routes = Router::new()
        .merge(api)
        .merge(dashboard::routes(!shared.state.config.insecure_no_auth))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/metrics/summary", get(ops::summary))
        .with_state(shared);
    bounded(routes, REQUEST_TIMEOUT, MAX_CONCURRENT_REQUESTS)
}

/// `router` with every request answered `408` past `timeout` and at most `concurrent`
/// handled at once.
fn bounded(router: Router, timeout: Duration, concurrent: usize) -> Router {
    router
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // One semaphore for every route (`ConcurrencyLimitLayer` would make one per route).
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(concurrent))
}

/// Refuses what would expose the API where it must not be: `--insecure-no-auth` on anything
/// but a loopback address, and plain HTTP (no `--tls-cert`) on anything but a loopback
/// address, where users' bearer tokens would cross the network in clear text, unless
/// `--insecure-plain-http` says TLS ends before this server (a mesh sidecar, say).
///
/// ```
/// use k3sstore::{Config, http::check_listen};
/// let mut config = Config::new(k3score::Target::preset("local").unwrap());
/// config.insecure_no_auth = true;
/// assert!(check_listen(&config).is_ok()); // 127.0.0.1:8080
/// config.listen = "0.0.0.0:8080".parse().unwrap();
/// assert!(check_listen(&config).is_err());
/// config.insecure_no_auth = false;
/// let plain = check_listen(&config).unwrap_err().to_string();
/// assert!(plain.contains("--tls-cert"), "{plain}");
/// config.tls = Some(("tls.crt".into(), "tls.key".into()));
/// assert!(check_listen(&config).is_ok());
/// config.tls = None;
/// config.insecure_plain_http = true;
/// assert!(check_listen(&config).is_ok());
/// ```
pub fn check_listen(config: &Config) -> std::io::Result<()> {
    check_address(config, config.listen)
}

fn check_address(config: &Config, address: std::net::SocketAddr) -> std::io::Result<()> {
    if address.ip().is_loopback() {
        return Ok(());
    }
    if config.insecure_no_auth {
        return Err(std::io::Error::other(format!(
            "--insecure-no-auth serves the API without authentication and only listens on loopback \
             (127.0.0.1 or ::1), not on {address}"
        )));
    }
    if config.tls.is_none() && !config.insecure_plain_http {
        return Err(std::io::Error::other(format!(
            "plain HTTP on {address} would carry users' bearer tokens in clear text: give \
             --tls-cert and --tls-key, listen on a loopback address, or say \
             --insecure-plain-http when TLS ends in front of this server"
        )));
    }
    Ok(())
}

/// The client address of a connection, plain or TLS (what the rate limits key on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub std::net::SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// Serves [`router`] on `listener` until `shutdown` resolves; open streams end then too.
/// With `tls` in the configuration, HTTPS with that certificate and key ([`tls`]).
pub async fn serve(
    state: State,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    check_address(&state.config, local)?;
    if state.config.insecure_no_auth {
        tracing::warn!("--insecure-no-auth: the API answers anyone who can reach this loopback address");
    }
    let files = match &state.config.tls {
        Some((cert, key)) => Some(tls::CertFiles::load(cert.clone(), key.clone())?),
        None => None,
    };
    let (stop, stopped) = signal::channel(false);
    let app = router(state, local, stopped).into_make_service_with_connect_info::<Peer>();
    let shutdown = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    match files {
        Some(files) => {
            let listener = tls::TlsListener::new(listener, files)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown).await
        }
        None => axum::serve(listener, app).with_graceful_shutdown(shutdown).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_that_never_answers_gets_408() {
        let never = Router::new().route("/never", get(futures::future::pending::<&'static str>));
        let app = bounded(never, Duration::from_millis(20), 4);
        let request = Request::get("/never").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    }

    #[tokio::test]
    async fn past_the_concurrency_limit_a_request_waits_for_one_to_finish() {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let released = std::sync::Arc::new(tokio::sync::Mutex::new(Some(released)));
        let entered = std::sync::Arc::new(tokio::sync::Notify::new());
        let inside = entered.clone();
        let held = Router::new()
            .route(
                "/held",
                get(move || async move {
                    inside.notify_one();
                    if let Some(released) = released.lock().await.take() {
                        let _ = released.await;
                    }
                    "done"
                }),
            )
            .route("/quick", get(|| async { "quick" }));
        let app = bounded(held, Duration::from_secs(3600), 1);
        let first = tokio::spawn(app.clone().oneshot(Request::get("/held").body(Body::empty()).unwrap()));
        // The first holds the only permit once its handler runs; the quick one then waits.
        entered.notified().await;
        let mut second = tokio::spawn(app.oneshot(Request::get("/quick").body(Body::empty()).unwrap()));
        let waited = tokio::time::timeout(Duration::from_millis(50), &mut second).await;
        assert!(
            waited.is_err(),
            "the second request was served while the first held the permit"
        );
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
        assert_eq!(second.await.unwrap().unwrap().status(), StatusCode::OK);
    }
}
