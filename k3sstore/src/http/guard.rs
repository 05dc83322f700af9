//! The middleware in front of every `/api` route: authenticate the bearer token (`401`),
//! count the request against the client's rate limits (`429`), authorize the route's action
//! on `stores` (`403`), then hand the [`Caller`] to the handler.
//!
//! The client is the authenticated user; without one (`--insecure-no-auth`, or a token the
//! cluster refused) it is the client address, so failed sign-ins are limited too.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiState;
use super::auth::{self, Action, Caller};
use super::error::ApiError;

/// Runs before every `/api` handler (as a route layer, so the route is known).
pub(crate) async fn guard(
    State(state): State<ApiState>,
    route: MatchedPath,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let id = params.iter().find(|(name, _)| *name == "id").map(|(_, value)| value);
    let Some(action) = Action::of(request.method(), route.as_str(), id) else {
        // Every /api route is in Action::of; a route missing there is refused, not let through.
        tracing::error!(route = route.as_str(), "no permission mapped for this route");
        return ApiError::Forbidden {
            user: String::new(),
            permission: auth::Action {
                verb: "unknown",
                name: None,
            }
            .permission(),
            reason: "this route has no permission mapped".to_owned(),
        }
        .into_response();
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
    match admit(&state, request.headers(), &address, &action).await {
        Ok(caller) => {
            let mut request = request;
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(route = route.as_str(), verb = action.verb, status = %error.status(), "request refused");
            error.into_response()
        }
    }
}

/// Who the caller is and whether they may do `action`.
async fn admit(state: &ApiState, headers: &HeaderMap, address: &str, action: &Action) -> Result<Caller, ApiError> {
    let creating = action.verb == "create";
    let by_address = format!("address:{address}");
    if state.state.config.insecure_no_auth {
        state.limiter.check(&by_address, creating)?;
        return Ok(Caller::insecure());
    }
    let client = &state.state.client;
    let caller = match auth::authenticate(client, &state.reviews, headers).await {
        Ok(caller) => caller,
        Err(refused) => {
            state.limiter.check(&by_address, creating)?;
            return Err(refused);
        }
    };
    state.limiter.check(&format!("user:{}", caller.user), creating)?;
    auth::authorize(client, &state.reviews, &caller, action).await?;
    Ok(caller)
}
