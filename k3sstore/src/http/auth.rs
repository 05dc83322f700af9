//! Who is asking, and may they: every `/api` request carries a bearer token, authenticated
//! with a `TokenReview` and authorized with a `SubjectAccessReview` on the `stores` resource,
//! so the cluster's RBAC decides who may create, list, get, delete or watch stores (as the
//! Kubernetes Dashboard lets RBAC decide). The orchestrator then acts with its own identity.
//!
//! The token is sent to the API server in the review and nowhere else: it is never logged,
//! never echoed in an answer. Positive answers are kept for a minute ([`super::reviews`]), as
//! kube-apiserver keeps its webhooks' answers.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::{HeaderMap, Method, header};
use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec};
use kube::api::PostParams;
use kube::{Api, Client, Resource};

use super::error::{ApiError, Permission};
use super::reviews::Reviews;
use crate::resource::Store;

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
        let verb = match (method.as_str(), route) {
            ("POST", "/api/stores") => "create",
            ("GET", "/api/stores") => "list",
            ("GET", "/api/stores/{id}" | "/api/stores/{id}/events") => "get",
            ("DELETE", "/api/stores/{id}") => "delete",
            ("GET", "/api/watch/stores") => "watch",
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
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
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

/// Authenticates the request's bearer token with a `TokenReview` (or its recent answer).
pub async fn authenticate(client: &Client, reviews: &Reviews, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers)?;
    if let Some(caller) = reviews.caller(token, Instant::now()) {
        return Ok(caller);
    }
    let review = TokenReview {
        spec: TokenReviewSpec {
            token: token.to_owned(),
            audiences: None,
        },
        ..TokenReview::default()
    };
    let reviewed = Api::<TokenReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await?;
    let status = reviewed.status.unwrap_or_default();
    match (status.authenticated, status.user) {
        (Some(true), Some(user)) => {
            let caller = Caller {
                user: user.username.unwrap_or_default(),
                uid: user.uid,
                groups: user.groups.unwrap_or_default(),
                extra: user.extra.unwrap_or_default(),
            };
            reviews.authenticated(token, &caller, Instant::now());
            Ok(caller)
        }
        _ => Err(ApiError::Unauthorized(
            "the bearer token was not accepted by the cluster (expired, revoked or unknown)".to_owned(),
        )),
    }
}

/// Authorizes `action` for `caller` with a `SubjectAccessReview` on `stores` (or its recent
/// answer, when that allowed it).
pub async fn authorize(client: &Client, reviews: &Reviews, caller: &Caller, action: &Action) -> Result<(), ApiError> {
    if reviews.is_allowed(caller, action, Instant::now()) {
        return Ok(());
    }
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
        reviews.allowed(caller, action, Instant::now());
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

    #[test]
    fn every_route_maps_to_a_verb_on_stores() {
        let cases = [
            (Method::POST, "/api/stores", None, "create"),
            (Method::GET, "/api/stores", None, "list"),
            (Method::GET, "/api/stores/{id}", Some("acme"), "get"),
            (Method::GET, "/api/stores/{id}/events", Some("acme"), "get"),
            (Method::DELETE, "/api/stores/{id}", Some("acme"), "delete"),
            (Method::GET, "/api/watch/stores", None, "watch"),
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
