//! Who is asking, and may they: every `/api` request carries a bearer token, authenticated
//! with a `TokenReview` and authorized with a `SubjectAccessReview` on the `stores` resource,
//! so the cluster's RBAC decides who may create, list, get, delete or watch stores (as the
//! Kubernetes Dashboard lets RBAC decide). The orchestrator then acts with its own identity.
//!
//! The token is sent to the API server in the review and nowhere else: it is never logged,
//! never echoed in an answer, and kept only as its SHA-256.
//!
//! The answers are kept for a short time ([`Reviews`]) so that a client's requests do not each
//! cost two more API calls (a dashboard following a store, a script listing stores in a loop).
//! kube-apiserver does the same for its webhook authenticator and authorizer
//! (`--authentication-token-webhook-cache-ttl`, default 2 min;
//! `--authorization-webhook-cache-authorized-ttl`, default 5 min, unauthorized 30 s; see
//! <https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/>). Here:
//!
//! - A positive answer is used for [`REVIEW_TTL`] (1 minute): a revoked token or RoleBinding
//!   takes effect within that time (open watch streams are re-checked, [`super::watch`]).
//! - A refused token is refused again without asking for [`REFUSAL_TTL`] (10 s), so a client
//!   repeating a bad token costs nothing. A denied action is asked again every time, so a new
//!   RoleBinding takes effect at once.
//! - At most [`MAX_REVIEWS_IN_FLIGHT`] token reviews run at once; past that a request is
//!   answered `429` at once rather than queued.
//! - Each map holds at most [`super::ttl_map::MAX_ENTRIES`] answers.
//!
//! With `--audience`, the `TokenReview` asks for that audience and the answer must name it in
//! `status.audiences`. The API's reference: "A client of the TokenReview API that sets the
//! spec.audiences field should validate that a compatible audience identifier is returned in
//! the status.audiences field" (TokenReviewStatus, authentication.k8s.io/v1). Without it the
//! API server's own audience is asked for, so any token valid for the API server is accepted
//! (the Kubernetes Dashboard's convention).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, header};
use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec};
use kube::api::PostParams;
use kube::{Api, Client, Resource};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::error::{ApiError, Permission};
use super::ttl_map::TtlMap;
use crate::resource::Store;

/// How long a positive answer is used before the API server is asked again.
pub const REVIEW_TTL: Duration = Duration::from_secs(60);
/// How long a refused token is refused without asking the API server again.
pub const REFUSAL_TTL: Duration = Duration::from_secs(10);
/// Token reviews running at once, at most.
pub const MAX_REVIEWS_IN_FLIGHT: usize = 16;

/// The user name of every request in `--insecure-no-auth` mode.
pub const INSECURE_USER: &str = "insecure-no-auth";

/// An authenticated user, as the `TokenReview` named them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Caller {
    /// The user name (`alice`, `system:serviceaccount:ns:name`).
    pub user: String,
    /// The user's UID, when the authenticator gives one.
    pub uid: Option<String>,
    /// The user's groups.
    pub groups: Vec<String>,
    /// Extra attributes (scopes, credential ids), passed on to the access review.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Caller {
    /// The caller of every request when authentication is off (loopback demos only).
    #[must_use]
    pub fn insecure() -> Self {
        Caller {
            user: INSECURE_USER.to_owned(),
            uid: None,
            groups: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// What a request asks to do to stores: the verb, and the store when it concerns one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// `create`, `list`, `get`, `delete` or `watch`.
    pub verb: &'static str,
    /// The store id, for `get` and `delete`.
    pub name: Option<String>,
}

impl Action {
    /// The action of a route (`method` + its matched path) with its `{id}` parameter, if any.
    #[must_use]
    pub fn of(method: &Method, route: &str, id: Option<&str>) -> Option<Self> {
        // HEAD is answered as GET (axum runs the GET handler and drops the body), so it needs
        // the same permission.
        let verb = match (method.as_str(), route) {
            ("POST", "/api/stores") => "create",
            ("GET" | "HEAD", "/api/stores") => "list",
            ("GET" | "HEAD", "/api/stores/{id}" | "/api/stores/{id}/events") => "get",
            ("DELETE", "/api/stores/{id}") => "delete",
            ("GET" | "HEAD", "/api/watch/stores") => "watch",
            _ => return None,
        };
        Some(Action {
            verb,
            name: id.map(str::to_owned),
        })
    }

    /// The permission this action needs, as a `403` names it.
    #[must_use]
    pub fn permission(&self) -> Permission {
        Permission {
            verb: self.verb.to_owned(),
            resource: format!("{}.{}", Store::plural(&()), Store::group(&())),
            name: self.name.clone(),
        }
    }
}

/// The bearer token of a request, or why there is none.
pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let missing = || {
        ApiError::Unauthorized("no bearer token: send `Authorization: Bearer <token>` (a Kubernetes token)".to_owned())
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

/// The token reviews' recent answers and the cap on the reviews running at once.
#[derive(Debug)]
pub struct Reviews {
    /// Callers by token SHA-256.
    tokens: TtlMap<[u8; 32], Caller>,
    /// Refused tokens by SHA-256.
    refused: TtlMap<[u8; 32], ()>,
    /// Allowed `(caller, verb, store)` triples.
    allowed: TtlMap<(Caller, &'static str, Option<String>), ()>,
    /// One permit per token review running.
    in_flight: Semaphore,
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews {
            tokens: TtlMap::new(REVIEW_TTL),
            refused: TtlMap::new(REFUSAL_TTL),
            allowed: TtlMap::new(REVIEW_TTL),
            in_flight: Semaphore::new(MAX_REVIEWS_IN_FLIGHT),
        }
    }
}

/// What the recent answers say of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known {
    /// Authenticated recently as this caller.
    Caller(Caller),
    /// Refused recently.
    Refused,
    /// Not seen recently: a `TokenReview` has to tell.
    Unknown,
}

impl Reviews {
    /// What the recent answers say of `token`.
    pub fn known(&self, token: &str, now: Instant) -> Known {
        let digest = digest(token);
        if let Some(caller) = self.tokens.get(&digest, now) {
            Known::Caller(caller)
        } else if self.refused.get(&digest, now).is_some() {
            Known::Refused
        } else {
            Known::Unknown
        }
    }

    /// Keeps the caller the API server authenticated `token` as.
    pub fn authenticated(&self, token: &str, caller: &Caller, now: Instant) {
        self.tokens.insert(digest(token), caller.clone(), now);
    }

    /// Keeps that the API server refused `token`.
    pub fn refused(&self, token: &str, now: Instant) {
        self.refused.insert(digest(token), (), now);
    }

    /// Whether `caller` was recently allowed `action`.
    pub fn is_allowed(&self, caller: &Caller, action: &Action, now: Instant) -> bool {
        self.allowed
            .get(&(caller.clone(), action.verb, action.name.clone()), now)
            .is_some()
    }

    /// Keeps that the API server allowed `caller` to do `action`.
    pub fn allowed(&self, caller: &Caller, action: &Action, now: Instant) {
        self.allowed
            .insert((caller.clone(), action.verb, action.name.clone()), (), now);
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The answer to a token the cluster did not accept (for the audience asked, if any).
pub(crate) fn refused() -> ApiError {
    ApiError::Unauthorized(
        "the bearer token was not accepted by the cluster (expired, revoked, unknown or for another audience)"
            .to_owned(),
    )
}

/// Authenticates `token` with a `TokenReview` for `audience` (the API server's when `None`),
/// keeping the answer, good or bad, in `reviews`. At most [`MAX_REVIEWS_IN_FLIGHT`] run at
/// once; past that, `429`.
pub async fn review(
    client: &Client,
    reviews: &Reviews,
    token: &str,
    audience: Option<&str>,
) -> Result<Caller, ApiError> {
    let Ok(_permit) = reviews.in_flight.try_acquire() else {
        return Err(ApiError::RateLimited {
            limit: format!("token reviews: {MAX_REVIEWS_IN_FLIGHT} at once"),
            retry_after: 1,
        });
    };
    let review = TokenReview {
        spec: TokenReviewSpec {
            token: token.to_owned(),
            audiences: audience.map(|audience| vec![audience.to_owned()]),
        },
        ..TokenReview::default()
    };
    let reviewed = Api::<TokenReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await?;
    let status = reviewed.status.unwrap_or_default();
    let for_us = audience.is_none_or(|audience| {
        status
            .audiences
            .as_ref()
            .is_some_and(|given| given.iter().any(|a| a == audience))
    });
    match (status.authenticated, status.user) {
        (Some(true), Some(user)) if for_us => {
            let caller = Caller {
                user: user.username.unwrap_or_default(),
                uid: user.uid,
                groups: user.groups.unwrap_or_default(),
                extra: user.extra.unwrap_or_default(),
            };
            reviews.authenticated(token, &caller, Instant::now());
            Ok(caller)
        }
        _ => {
            reviews.refused(token, Instant::now());
            Err(refused())
        }
    }
}

/// Authorizes `action` for `caller` with a `SubjectAccessReview` on `stores` (or its recent
/// answer, when that allowed it).
pub async fn authorize(client: &Client, reviews: &Reviews, caller: &Caller, action: &Action) -> Result<(), ApiError> {
    if reviews.is_allowed(caller, action, Instant::now()) {
        return Ok(());
    }
    access_review(client, caller, action).await?;
    reviews.allowed(caller, action, Instant::now());
    Ok(())
}

/// Asks the API server, never the recent answers, whether `caller` may do `action`.
pub async fn access_review(client: &Client, caller: &Caller, action: &Action) -> Result<(), ApiError> {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(caller.user.clone()),
            uid: caller.uid.clone(),
            groups: Some(caller.groups.clone()),
            extra: Some(caller.extra.clone()),
            resource_attributes: Some(ResourceAttributes {
                group: Some(Store::group(&()).into_owned()),
                version: Some(Store::version(&()).into_owned()),
                resource: Some(Store::plural(&()).into_owned()),
                verb: Some(action.verb.to_owned()),
                name: action.name.clone(),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let reviewed = Api::<SubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await?;
    let status = reviewed.status.unwrap_or_default();
    if status.allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            user: caller.user.clone(),
            permission: action.permission(),
            reason: status.reason.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_bearer_token_is_read_and_other_schemes_refused() {
        assert_eq!(bearer(&headers("Bearer abc.def")).unwrap(), "abc.def");
        assert_eq!(bearer(&headers("bearer  abc ")).unwrap(), "abc");
        for bad in ["Basic YWxpY2U6eA==", "Bearer", "Bearer   ", "abc"] {
            let error = bearer(&headers(bad)).unwrap_err();
            assert!(matches!(error, ApiError::Unauthorized(_)), "{bad}: {error:?}");
            assert!(!error.to_string().contains("YWxp"), "the credential is echoed: {error}");
        }
        assert!(matches!(bearer(&HeaderMap::new()), Err(ApiError::Unauthorized(_))));
    }

    fn caller(user: &str) -> Caller {
        Caller {
            user: user.to_owned(),
            ..Caller::insecure()
        }
    }

    #[test]
    fn answers_expire_and_are_told_apart() {
        let reviews = Reviews::default();
        let now = Instant::now();
        let alice = caller("alice");
        reviews.authenticated("token-a", &alice, now);
        reviews.refused("token-x", now);
        assert_eq!(reviews.known("token-a", now), Known::Caller(alice.clone()));
        assert_eq!(reviews.known("token-b", now), Known::Unknown);
        assert_eq!(reviews.known("token-x", now), Known::Refused);
        assert_eq!(reviews.known("token-x", now + REFUSAL_TTL), Known::Unknown);
        assert_eq!(reviews.known("token-a", now + REVIEW_TTL), Known::Unknown);

        let get = Action {
            verb: "get",
            name: Some("acme".to_owned()),
        };
        reviews.allowed(&alice, &get, now);
        assert!(reviews.is_allowed(&alice, &get, now));
        assert!(!reviews.is_allowed(&caller("bob"), &get, now), "another user");
        let other_store = Action {
            name: Some("globex".to_owned()),
            ..get.clone()
        };
        assert!(!reviews.is_allowed(&alice, &other_store, now), "another store");
        let delete = Action {
            verb: "delete",
            ..get.clone()
        };
        assert!(!reviews.is_allowed(&alice, &delete, now), "another verb");
        let mut in_a_group = alice.clone();
        in_a_group.groups.push("admins".to_owned());
        assert!(!reviews.is_allowed(&in_a_group, &get, now), "other groups");
        assert!(!reviews.is_allowed(&alice, &get, now + REVIEW_TTL), "expired");
    }

    #[test]
    fn every_route_maps_to_a_verb_on_stores() {
        let cases = [
            (Method::POST, "/api/stores", None, "create"),
            (Method::GET, "/api/stores", None, "list"),
            (Method::GET, "/api/stores/{id}", Some("acme"), "get"),
            (Method::GET, "/api/stores/{id}/events", Some("acme"), "get"),
            (Method::DELETE, "/api/stores/{id}", Some("acme"), "delete"),
            (Method::GET, "/api/watch/stores", None, "watch"),
            (Method::HEAD, "/api/stores", None, "list"),
            (Method::HEAD, "/api/stores/{id}", Some("acme"), "get"),
        ];
        for (method, route, id, verb) in cases {
            let action = Action::of(&method, route, id).unwrap();
            assert_eq!(action.verb, verb, "{method} {route}");
            assert_eq!(action.name.as_deref(), id);
        }
        assert_eq!(Action::of(&Method::PUT, "/api/stores", None), None);
        let permission = Action::of(&Method::POST, "/api/stores", None).unwrap().permission();
        assert_eq!(permission.resource, "stores.platform.k3s.io");
    }
}
