//! What the API answers when a request cannot be served: a status code and a JSON body that
//! says why in plain words, with the field path of every problem in the request.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use k3score::Errors;
use serde::Serialize;

/// One problem with a request field (`{"path": "id", "reason": "..."}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The request field (`id`, `size`), empty for the body as a whole.
    pub path: String,
    /// What is wrong, in plain words.
    pub reason: String,
}

/// The permission a `403` names: `verb` on `resource` (`create` on `stores.platform.k3s.io`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// The verb (`create`, `list`, `get`, `delete`, `watch`).
    pub verb: String,
    /// The resource with its group (`stores.platform.k3s.io`).
    pub resource: String,
    /// The object name, when the request concerns one store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The JSON body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// A short machine-readable code (`invalid`, `unsupported_media_type`, `cross_origin`,
    /// `conflict`, `not_found`, `unauthorized`, `forbidden`, `rate_limited`, `cluster`).
    pub error: &'static str,
    /// What happened, in plain words.
    pub message: String,
    /// Every problem with the request's fields, all at once (`invalid` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// The authenticated user a `403` concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The permission a `403` found missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<Permission>,
}

/// An error answer of the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request body is not a valid store (`400`), every problem with its field path.
    #[error("invalid request: {0}")]
    Invalid(Errors),
    /// The `{id}` path segment is not a store id (`400`); nothing was asked of the cluster.
    #[error("{id:?} in the path is not a store id: {reason}")]
    BadId {
        /// The path segment, percent-decoded.
        id: String,
        /// Why it is not a store id.
        reason: String,
    },
    /// A `POST` whose body is not declared JSON (`415`).
    #[error("the body must be JSON: send `Content-Type: application/json`, not {0:?}")]
    NotJson(String),
    /// In `--insecure-no-auth` mode, a request for another host or from another origin (`403`).
    #[error("{0}")]
    CrossOrigin(String),
    /// A store with this id exists already (`409`).
    #[error("store {0:?} exists already")]
    Conflict(String),
    /// No store with this id (`404`).
    #[error("no store {0:?}")]
    NotFound(String),
    /// No or an invalid bearer token (`401`).
    #[error("{0}")]
    Unauthorized(String),
    /// The user may not do this (`403`).
    #[error("{user} may not {} {}", .permission.verb, .permission.resource)]
    Forbidden {
        /// The authenticated user name.
        user: String,
        /// The missing permission.
        permission: Permission,
        /// The authorizer's reason, when it gave one.
        reason: String,
    },
    /// Too many requests (`429`); try again after this many seconds.
    #[error("too many requests ({limit}); try again in {retry_after} s")]
    RateLimited {
        /// Which limit was hit, in words (`100 requests per 15m`).
        limit: String,
        /// Seconds until the next request is allowed (`Retry-After`).
        retry_after: u64,
    },
    /// The API server refused or could not be reached (`502`, or its own status for
    /// refusals such as `422`).
    #[error("API server: {0}")]
    Cluster(#[from] kube::Error),
}

impl ApiError {
    /// The status code of the answer.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid(_) | ApiError::BadId { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotJson(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::CrossOrigin(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Cluster(kube::Error::Api(status)) if (400..500).contains(&status.code) => {
                StatusCode::from_u16(status.code).unwrap_or(StatusCode::BAD_GATEWAY)
            }
            ApiError::Cluster(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The JSON body of the answer.
    #[must_use]
    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody {
            error: "",
            message: self.to_string(),
            problems: Vec::new(),
            user: None,
            permission: None,
        };
        body.error = match self {
            ApiError::Invalid(errors) => {
                body.message = format!("the store request has {} problem(s)", errors.len());
                body.problems = errors
                    .iter()
                    .map(|e| Problem {
                        path: e.path.to_string(),
                        reason: e.kind.to_string(),
                    })
                    .collect();
                "invalid"
            }
            ApiError::BadId { .. } => "invalid",
            ApiError::NotJson(_) => "unsupported_media_type",
            ApiError::CrossOrigin(_) => "cross_origin",
            ApiError::Conflict(_) => "conflict",
            ApiError::NotFound(_) => "not_found",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden {
                user,
                permission,
                reason,
            } => {
                if !reason.is_empty() {
                    body.message = format!("{self}: {reason}");
                }
                body.user = Some(user.clone());
                body.permission = Some(permission.clone());
                "forbidden"
            }
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Cluster(_) => "cluster",
        };
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        match &self {
            ApiError::RateLimited { retry_after, .. } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::Unauthorized(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Invalid(_)
            | ApiError::BadId { .. }
            | ApiError::NotJson(_)
            | ApiError::CrossOrigin(_)
            | ApiError::Conflict(_)
            | ApiError::NotFound(_)
            | ApiError::Forbidden { .. }
            | ApiError::Cluster(_) => {}
        }
        response
    }
}
