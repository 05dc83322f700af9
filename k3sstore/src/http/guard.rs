//! The middleware in front of every `/api` route, in this order:
//!
//! 1. the `{id}` path segment must be a store id (`400`), before anything else, so nothing
//!    that is not a store name reaches the access review or the API server (a percent-encoded
//!    `?`, `/`, `#` or `..` would otherwise change the API server's URL);
//! 2. in `--insecure-no-auth` mode, `Host` and `Origin` must name the listen address (`403`,
//!    against DNS rebinding and other web pages), and a `POST` must be
//!    `Content-Type: application/json` (`415`) in every mode, which no plain HTML form can send;
//! 3. the bearer token is authenticated (`401`): a token seen recently is answered from the
//!    recent answers ([`auth::Reviews`]); a new one first counts against the client address's
//!    token-review limit (`429`), then goes to a `TokenReview`;
//! 4. the request counts against the client's rate limits (`429`);
//! 5. the route's action on `stores` is authorized (`403`), and the [`Caller`] handed to the
//!    handler.
//!
//! The client is the authenticated user; without one (`--insecure-no-auth`, or a token the
//! cluster refused) it is the client address, so failed sign-ins are limited too.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::{self, Action, Caller, Known};
use super::error::ApiError;
use super::{ApiState, Peer};

/// Runs before every `/api` handler (as a route layer, so the route is known).
pub(crate) async fn guard(
    State(state): State<ApiState>,
    route: MatchedPath,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let id = params.iter().find(|(name, _)| *name == "id").map(|(_, value)| value);
    if let Some(id) = id
        && let Err(error) = check_id(id)
    {
        tracing::info!(route = route.as_str(), status = %error.status(), "request refused: not a store id");
        return error.into_response();
    }
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
        .get::<ConnectInfo<Peer>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.0.ip().to_string());
    let checked = same_origin(&state, request.headers()).and_then(|()| json_body(request.method(), request.headers()));
    let admitted = match checked {
        Ok(()) => admit(&state, request.headers(), &address, &action).await,
        Err(error) => Err(error),
    };
    match admitted {
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

/// The `{id}` path segment (percent-decoded) as a store id ([`k3splatform::store::store_id`],
/// the rule the CRD's CEL rule and the create request follow), or a `400` that says why not.
pub(crate) fn check_id(id: &str) -> Result<(), ApiError> {
    k3splatform::store::store_id(id)
        .map(drop)
        .map_err(|kind| ApiError::BadId {
            id: id.to_owned(),
            reason: kind.to_string(),
        })
}

/// In `--insecure-no-auth` mode: `Host` must be the address the server listens on (or
/// `localhost` with its port), and `Origin`, when sent, that same host. A web page on another
/// origin, or a DNS name rebound to 127.0.0.1, is refused.
fn same_origin(state: &ApiState, headers: &HeaderMap) -> Result<(), ApiError> {
    if !state.state.config.insecure_no_auth {
        return Ok(());
    }
    let local = state.local;
    let allowed = [
        local.to_string(),
        format!("localhost:{}", local.port()),
        match local {
            SocketAddr::V4(_) => format!("127.0.0.1:{}", local.port()),
            SocketAddr::V6(_) => format!("[::1]:{}", local.port()),
        },
    ];
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
        return Err(ApiError::CrossOrigin(format!(
            "--insecure-no-auth answers requests for {} only, not for Host {host:?}",
            allowed.join(", ")
        )));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let ok = ["http://", "https://"].iter().any(|scheme| {
            origin
                .strip_prefix(scheme)
                .is_some_and(|rest| allowed.iter().any(|a| a.eq_ignore_ascii_case(rest)))
        });
        if !ok {
            return Err(ApiError::CrossOrigin(format!(
                "--insecure-no-auth answers pages of http://{host} only, not of Origin {origin:?}"
            )));
        }
    }
    Ok(())
}

/// A `POST` must say its body is JSON (`application/json`, parameters allowed).
fn json_body(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if method != Method::POST {
        return Ok(());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::NotJson(content_type.to_owned()))
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
    let authenticated = match auth::bearer(headers) {
        Err(missing) => Err(missing),
        Ok(token) => match state.reviews.known(token, Instant::now()) {
            Known::Caller(caller) => Ok(caller),
            Known::Refused => Err(auth::refused()),
            Known::Unknown => match state.limiter.check_review(address) {
                Ok(()) => {
                    let audience = state.state.config.audience.as_deref();
                    auth::review(client, &state.reviews, token, audience).await
                }
                Err(limited) => return Err(limited),
            },
        },
    };
    let caller = match authenticated {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids_that_are_not_store_ids_are_refused_with_the_reason() {
        check_id("acme").unwrap();
        check_id("shop-2").unwrap();
        for bad in [
            "acme?dryRun=All&x=",
            "acme?watch=true",
            "acme/status",
            "..",
            "acme#x",
            "Acme",
            "",
            &"a".repeat(64),
            &"a".repeat(58),
        ] {
            let error = check_id(bad).unwrap_err();
            assert_eq!(error.status(), 400, "{bad}");
            let body = error.body();
            assert_eq!(body.error, "invalid");
            assert!(body.message.contains("not a store id"), "{bad}: {}", body.message);
        }
    }

    #[test]
    fn a_post_must_be_json() {
        let mut headers = HeaderMap::new();
        assert_eq!(json_body(&Method::POST, &headers).unwrap_err().status(), 415);
        json_body(&Method::GET, &headers).unwrap();
        json_body(&Method::DELETE, &headers).unwrap();
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(json_body(&Method::POST, &headers).unwrap_err().status(), 415);
        headers.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        json_body(&Method::POST, &headers).unwrap();
    }
}
