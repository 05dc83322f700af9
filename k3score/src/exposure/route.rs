//! The `Route` model shared by apps, functions and gateways: paths, backend, rewrites, policies.

#[cfg(feature = "schema")]
use std::borrow::Cow;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::cors::Cors;
use super::duration::Duration;
use super::host::Host;
use super::policy::{BasicAuth, Cidr, RateLimit};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::labels::AppLabels;
use crate::names::{Dns1035Label, DnsLabel};
use crate::ports::PortRef;
use crate::quantity::Bytes;
use crate::target::Target;

/// Most paths one route may match: the Gateway API allows 16 rules per HTTPRoute and the
/// renderer may need one rule per path (REFERENCE §9, GW1).
pub const MAX_PATHS: usize = 16;

/// How a path is matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// The path and everything below it (`/api` matches `/api/orders`).
    #[default]
    Prefix,
    /// Exactly this path.
    Exact,
}

/// One path a route matches. In spec files a plain string is a prefix match:
/// `paths: [/api, {path: /health, kind: exact}]`.
///
/// ```
/// use k3score::exposure::{PathKind, PathMatch};
/// let paths: Vec<PathMatch> = k3score::yaml::from_yaml("[/api, {path: /health, kind: exact}]").unwrap();
/// assert_eq!(paths[0], PathMatch::prefix("/api"));
/// assert_eq!(paths[1].kind, PathKind::Exact);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "PathMatchRepr", into = "PathMatchRepr")]
pub struct PathMatch {
    /// The path: starts with `/`; no `//`, `/./`, `/../`, `%2f`, `#`, `?` or spaces.
    pub path: String,
    /// How it is matched. Default: `prefix`.
    pub kind: PathKind,
}

/// Spec-file forms of [`PathMatch`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged, deny_unknown_fields)]
enum PathMatchRepr {
    /// `/api`: a prefix match.
    Short(String),
    /// `{path: /health, kind: exact}`.
    Full {
        /// The path.
        path: String,
        /// How it is matched. Default: `prefix`.
        #[serde(default)]
        kind: PathKind,
    },
}

impl From<PathMatchRepr> for PathMatch {
    fn from(repr: PathMatchRepr) -> Self {
        match repr {
            PathMatchRepr::Short(path) => Self {
                path,
                kind: PathKind::Prefix,
            },
            PathMatchRepr::Full { path, kind } => Self { path, kind },
        }
    }
}

impl From<PathMatch> for PathMatchRepr {
    fn from(m: PathMatch) -> Self {
        match m.kind {
            PathKind::Prefix => PathMatchRepr::Short(m.path),
            PathKind::Exact => PathMatchRepr::Full {
                path: m.path,
                kind: m.kind,
            },
        }
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for PathMatch {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("PathMatch")
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PathMatchRepr::json_schema(generator)
    }
}

impl PathMatch {
    /// A prefix match.
    #[must_use]
    pub fn prefix(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind: PathKind::Prefix,
        }
    }

    /// An exact match.
    #[must_use]
    pub fn exact(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            kind: PathKind::Exact,
        }
    }

    /// The prefix without its trailing `/` (`/api/` -> `/api`, `/` -> ``), as rewrites use it.
    #[must_use]
    pub fn trimmed(&self) -> &str {
        self.path.trim_end_matches('/')
    }
}

/// Checks a URL path as the Gateway API and Ingress validations do (REFERENCE §9), plus a
/// conservative character set so the path is safe inside Traefik rules and HAProxy annotations.
pub fn check_path(path: &str) -> Result<(), ErrorKind> {
    let bad = |reason: &str| ErrorKind::Invalid(format!("invalid path {path:?}: {reason}"));
    if !path.starts_with('/') {
        return Err(bad("must start with '/'"));
    }
    if path.len() > 1024 {
        return Err(bad("must be at most 1024 characters"));
    }
    for seq in ["//", "/./", "/../", "%2f", "%2F"] {
        if path.contains(seq) {
            return Err(bad(&format!("must not contain {seq:?}")));
        }
    }
    if path.ends_with("/..") || path.ends_with("/.") {
        return Err(bad("must not end with '/.' or '/..'"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:@".contains(c);
    if let Some(c) = path.chars().find(|c| !allowed(*c)) {
        return Err(bad(&format!(
            "character {c:?} is not allowed (no spaces, '?', '#', quotes or backticks)"
        )));
    }
    Ok(())
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Backend {
    /// The Service name.
    pub service: Dns1035Label,
    /// The Service's namespace when it is not the route's (the KEDA interceptor in `keda`).
    /// Default: the route's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<DnsLabel>,
    /// The Service port, number or name (the Gateway API needs a number).
    pub port: PortRef,
}

impl Backend {
    /// The Service `service` on `port`, in the route's namespace.
    #[must_use]
    pub fn new(service: Dns1035Label, port: PortRef) -> Self {
        Self {
            service,
            namespace: None,
            port,
        }
    }

    /// The KEDA HTTP interceptor proxy of `target` (REFERENCE §2c, HA4).
    ///
    /// ```
    /// use k3score::{Target, exposure::Backend};
    /// let b = Backend::keda_interceptor(&Target::local());
    /// assert_eq!(b.service.as_str(), "keda-add-ons-http-interceptor-proxy");
    /// assert_eq!(b.namespace.unwrap().as_str(), "keda");
    /// ```
    #[must_use]
    pub fn keda_interceptor(target: &Target) -> Self {
        let service = Dns1035Label::new(crate::target::Keda::INTERCEPTOR_SERVICE).expect("static name");
        let port = u16::try_from(crate::target::Keda::INTERCEPTOR_PORT).unwrap_or(8080);
        Self {
            service,
            namespace: Some(target.keda.namespace.clone()),
            port: PortRef::Number(port),
        }
    }

    /// The backend namespace if it differs from `namespace`.
    #[must_use]
    pub fn foreign_namespace(&self, namespace: &DnsLabel) -> Option<&DnsLabel> {
        self.namespace.as_ref().filter(|ns| *ns != namespace)
    }
}

pub(crate) fn default_paths() -> Vec<PathMatch> {
    vec![PathMatch::prefix("/")]
}

/// One HTTP route: a host and paths sent to a backend, with optional rewrites and policies.
///
/// Build it with [`Route::new`] and struct update syntax, or read it from YAML (k3sgateway).
///
/// ```
/// use k3score::exposure::{Backend, Route};
/// use k3score::ports::PortRef;
/// let route = Route {
///     strip_prefix: true,
///     ..Route::new("orders".parse().unwrap(), "orders".parse().unwrap(),
///         Backend::new("orders".parse().unwrap(), PortRef::Name("http".parse().unwrap())))
///         .with_paths(["/api"])
/// };
/// assert_eq!(route.paths[0].path, "/api");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Route {
    /// Route name: object names derive from it (`<name>`, `<name>-cors`, `<name>-tls` ...).
    pub name: DnsLabel,
    /// The host; a short name gets the target's base domain.
    pub host: Host,
    /// Paths matched (1 to 16). Default: `[/]`.
    #[serde(default = "default_paths")]
    pub paths: Vec<PathMatch>,
    /// Where traffic goes.
    pub backend: Backend,
    /// Remove the matched prefix before forwarding (`/api/x` -> `/x`). Default: false.
    #[serde(default)]
    pub strip_prefix: bool,
    /// Replace the matched prefix with this path (`/api/x` -> `/v2/x`). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite_to: Option<String>,
    /// Time allowed for the backend to answer. Default: the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Requests per client IP and window. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// HTTP basic authentication. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Cross-origin resource sharing. Default: none (no CORS headers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// Client addresses allowed; empty allows everyone. Default: empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_list: Vec<Cidr>,
    /// Largest request body accepted. Default: the controller's (unlimited for Traefik).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_size: Option<Bytes>,
    /// Serve over TLS. Default: the target's choice (`Target::tls()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// Labels put on every rendered object (not part of spec files).
    /// Default: the recommended labels of an app named like the route.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub labels: Option<AppLabels>,
}

impl Route {
    /// A route for `host` (all paths) to `backend`, with every option at its default.
    #[must_use]
    pub fn new(name: DnsLabel, host: Host, backend: Backend) -> Self {
        Self {
            name,
            host,
            paths: default_paths(),
            backend,
            strip_prefix: false,
            rewrite_to: None,
            timeout: None,
            rate_limit: None,
            basic_auth: None,
            cors: None,
            allow_list: Vec::new(),
            max_body_size: None,
            tls: None,
            labels: None,
        }
    }

    /// The same route matching these path prefixes.
    #[must_use]
    pub fn with_paths<I: IntoIterator<Item = S>, S: Into<String>>(mut self, paths: I) -> Self {
        self.paths = paths.into_iter().map(PathMatch::prefix).collect();
        self
    }

    /// The same route with these object labels.
    #[must_use]
    pub fn with_labels(mut self, labels: AppLabels) -> Self {
        self.labels = Some(labels);
        self
    }

    /// The labels for rendered objects.
    #[must_use]
    pub fn object_labels(&self) -> std::collections::BTreeMap<String, String> {
        match &self.labels {
            Some(labels) => labels.labels(),
            None => AppLabels::new(self.name.clone()).labels(),
        }
    }

    /// Whether the route is served over TLS on `target`.
    #[must_use]
    pub fn uses_tls(&self, target: &Target) -> bool {
        self.tls.unwrap_or_else(|| target.tls())
    }

    /// The prefix replacement: `Some("/")` for `strip_prefix`, `rewrite_to`, or `None`.
    #[must_use]
    pub fn prefix_replacement(&self) -> Option<&str> {
        match (&self.rewrite_to, self.strip_prefix) {
            (Some(to), _) => Some(to.as_str()),
            (None, true) => Some("/"),
            (None, false) => None,
        }
    }

    /// The path prefixes as the backend receives them, after `strip_prefix` / `rewrite_to`:
    /// what a KEDA HTTP `InterceptorRoute` or `HTTPScaledObject` behind this route must match
    /// (it sees the rewritten request). Sorted, without duplicates.
    ///
    /// ```
    /// use k3score::exposure::{Backend, Route};
    /// use k3score::ports::PortRef;
    /// let route = Route { strip_prefix: true, ..Route::new("a".parse().unwrap(), "a".parse().unwrap(),
    ///     Backend::new("a".parse().unwrap(), PortRef::Number(80))).with_paths(["/api", "/v1"]) };
    /// assert_eq!(route.backend_paths(), ["/"]);
    /// ```
    #[must_use]
    pub fn backend_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .paths
            .iter()
            .map(|m| self.prefix_replacement().unwrap_or(&m.path).to_owned())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

impl Validate for Route {
    /// Records every problem of the route under `path` (target-independent checks).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let paths = path.field("paths");
        if self.paths.is_empty() || self.paths.len() > MAX_PATHS {
            problems.push(
                paths,
                ErrorKind::Invalid(format!("must list 1 to {MAX_PATHS} paths, lists {}", self.paths.len())),
            );
        }
        let rewrites = self.strip_prefix || self.rewrite_to.is_some();
        for (i, m) in self.paths.iter().enumerate() {
            problems.check(paths.index(i).field("path"), check_path(&m.path));
            if self.paths[..i].contains(m) {
                problems.push(
                    paths.index(i),
                    ErrorKind::Duplicate {
                        what: "path",
                        name: m.path.clone(),
                    },
                );
            }
            if rewrites && m.kind == PathKind::Exact {
                let field = if self.strip_prefix {
                    "strip_prefix"
                } else {
                    "rewrite_to"
                };
                problems.push(
                    paths.index(i).field("kind"),
                    ErrorKind::Conflict(format!("{field} needs prefix matches; this path is exact")),
                );
            }
        }
        if self.strip_prefix && self.rewrite_to.is_some() {
            problems.push(
                path.field("rewrite_to"),
                ErrorKind::Conflict("set strip_prefix or rewrite_to, not both (rewrite_to: / strips)".into()),
            );
        }
        if let Some(to) = &self.rewrite_to {
            let safe = to.chars().all(|c| c.is_ascii_alphanumeric() || "/-._~".contains(c));
            if let Err(kind) = check_path(to) {
                problems.push(path.field("rewrite_to"), kind);
            } else if !safe {
                problems.push(
                    path.field("rewrite_to"),
                    ErrorKind::Invalid(format!(
                        "invalid rewrite_to {to:?}: use letters, digits, '/', '-', '.', '_', '~'"
                    )),
                );
            }
        }
        if let PortRef::Number(0) = self.backend.port {
            problems.push(
                path.field("backend").field("port"),
                ErrorKind::Invalid("port must be 1 to 65535".into()),
            );
        }
        if let Some(timeout) = &self.timeout {
            timeout.validate(path.field("timeout"), problems);
        }
        if let Some(limit) = &self.rate_limit {
            limit.validate(path.field("rate_limit"), problems);
        }
        if let Some(auth) = &self.basic_auth {
            auth.validate(path.field("basic_auth"), problems);
        }
        if let Some(cors) = &self.cors {
            cors.validate(path.field("cors"), problems);
        }
        super::validate_allow_list(&self.allow_list, path.field("allow_list"), problems);
        if let Some(size) = self.max_body_size {
            super::validate_body_size(size, path.field("max_body_size"), problems);
        }
    }
}
