//! The endpoints for operators and probes: `/healthz`, `/readyz`, `/metrics` (Prometheus
//! text, as prometheus-client encodes it) and `/metrics/summary` (JSON).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ApiState;
use crate::metrics::Summary;

/// The content type of prometheus-client's text encoding (OpenMetrics 1.0).
pub(crate) const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `/healthz`: the process serves.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: the API server answers.
pub(crate) async fn readyz(State(state): State<ApiState>) -> (StatusCode, String) {
    match state.state.client.apiserver_version().await {
        Ok(_) => (StatusCode::OK, "ok".to_owned()),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("API server unreachable: {err}"),
        ),
    }
}

/// `/metrics`: every metric in the Prometheus (OpenMetrics) text format.
pub(crate) async fn metrics(State(state): State<ApiState>) -> Response {
    match state.state.encode_metrics() {
        Ok(text) => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be encoded").into_response(),
    }
}

/// `/metrics/summary`: the numbers people look at, as JSON.
pub(crate) async fn summary(State(state): State<ApiState>) -> Json<Summary> {
    Json(state.state.metrics.summary())
}
