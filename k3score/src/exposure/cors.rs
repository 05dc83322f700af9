//! CORS: allowed origins, methods and headers, rendered as a Traefik `headers` middleware,
//! `haproxy.org/cors-*` annotations or a Gateway API `CORS` filter.

use std::collections::BTreeSet;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::policy::{checked_string, invalid};
use crate::error::{ErrorKind, PathRef, Problems, Validate};

/// `*`, or `http(s)://host[:port]` where host may start with `*.` (Gateway API `CORSOrigin`
/// pattern, gateway-api v1.6.1 standard CRD; REFERENCE §9).
fn check_origin(value: &str) -> Result<String, ErrorKind> {
    const WHAT: &str = "CORS origin";
    if value == "*" {
        return Ok(value.to_owned());
    }
    let Some((scheme, authority)) = value.split_once("://") else {
        return Err(invalid(WHAT, value, "must be `*` or scheme://host[:port]"));
    };
    if scheme != "http" && scheme != "https" {
        return Err(invalid(WHAT, value, "scheme must be http or https"));
    }
    if value.len() > 253 {
        return Err(invalid(WHAT, value, "must be at most 253 characters"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port {
        match port.parse::<u32>() {
            Ok(1..=65_535) if port.len() <= 5 => {}
            _ => {
                return Err(invalid(WHAT, value, "port must be a number from 1 to 65535"));
            }
        }
    }
    let labels = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if host != "*" && !labels.split('.').all(label_ok) {
        return Err(invalid(
            WHAT,
            value,
            "host must be a DNS name (optionally starting with `*.`) or an IPv4 address, without path",
        ));
    }
    Ok(value.to_owned())
}

checked_string!(
    /// A CORS origin: `*` (any), or `http(s)://host[:port]`; the host may start with `*.`.
    ///
    /// ```
    /// use k3score::exposure::Origin;
    /// let o: Origin = "https://*.example.com".parse().unwrap();
    /// assert_eq!(o.to_regex(), r"^https://.+\.example\.com$");
    /// assert!("example.com".parse::<Origin>().is_err());
    /// assert!("https://example.com/app".parse::<Origin>().is_err());
    /// ```
    Origin, check_origin, "`*` or http(s)://host[:port]; the host may start with `*.`",
    r"^(\*|https?://((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:[0-9]{1,5})?)$"
);

impl Origin {
    /// Whether this is `*` (every origin).
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.0 == "*"
    }

    /// Whether the host has a wildcard (`https://*.example.com`, `https://*`).
    #[must_use]
    pub fn has_wildcard_host(&self) -> bool {
        self.0.contains("://*")
    }

    /// An anchored regular expression (RE2 and PCRE compatible) matching this origin; a
    /// wildcard matches any number of labels, as the Gateway API defines it.
    #[must_use]
    pub fn to_regex(&self) -> String {
        if self.is_any() {
            return "^.*$".to_owned();
        }
        let (scheme, authority) = self.0.split_once("://").unwrap_or(("https", &self.0));
        let authority = match authority.strip_prefix('*') {
            Some(rest) => format!(".+{}", rest.replace('.', r"\.")),
            None => authority.replace('.', r"\."),
        };
        format!("^{scheme}://{authority}$")
    }
}

/// HTTP header names limited to letters, digits, `-`, `_` and `.` (or `*` alone): a subset of
/// the Gateway API `HTTPHeaderName` token that needs no escaping in HAProxy's configuration.
fn check_header(value: &str) -> Result<String, ErrorKind> {
    const WHAT: &str = "header name";
    if value == "*" {
        return Ok(value.to_owned());
    }
    if value.is_empty() || value.len() > 256 {
        return Err(invalid(WHAT, value, "must be 1 to 256 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(invalid(
            WHAT,
            value,
            "must consist of letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(value.to_owned())
}

checked_string!(
    /// An HTTP header name (`Content-Type`, `X-Request-Id`) or `*`.
    HeaderName, check_header, "an HTTP header name (letters, digits, '-', '_', '.') or `*`",
    r"^(\*|[A-Za-z0-9._-]{1,256})$"
);

/// An HTTP method for CORS, or `*` for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub enum HttpMethod {
    /// `GET`
    #[serde(rename = "GET")]
    Get,
    /// `HEAD`
    #[serde(rename = "HEAD")]
    Head,
    /// `POST`
    #[serde(rename = "POST")]
    Post,
    /// `PUT`
    #[serde(rename = "PUT")]
    Put,
    /// `DELETE`
    #[serde(rename = "DELETE")]
    Delete,
    /// `CONNECT`
    #[serde(rename = "CONNECT")]
    Connect,
    /// `OPTIONS`
    #[serde(rename = "OPTIONS")]
    Options,
    /// `TRACE`
    #[serde(rename = "TRACE")]
    Trace,
    /// `PATCH`
    #[serde(rename = "PATCH")]
    Patch,
    /// `*`: every method.
    #[serde(rename = "*")]
    Any,
}

impl HttpMethod {
    /// The method as written on the wire (`GET`, `*`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Connect => "CONNECT",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Trace => "TRACE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Any => "*",
        }
    }
}

/// The CORS-safelisted methods, allowed when `allow_methods` is not given.
pub const DEFAULT_CORS_METHODS: [HttpMethod; 3] = [HttpMethod::Get, HttpMethod::Head, HttpMethod::Post];

fn default_cors_methods() -> Vec<HttpMethod> {
    DEFAULT_CORS_METHODS.to_vec()
}

/// Cross-origin resource sharing: which browser origins may call the route.
///
/// ```
/// use k3score::exposure::Cors;
/// let cors: Cors = k3score::yaml::from_yaml("allow_origins: ['https://shop.example.com']").unwrap();
/// assert_eq!(cors.allow_methods.len(), 3); // GET, HEAD, POST
/// assert!(!cors.allow_credentials);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins (1 to 64); `*` must stand alone.
    pub allow_origins: Vec<Origin>,
    /// Allowed methods; `*` must stand alone. Default: `GET`, `HEAD`, `POST`.
    #[serde(default = "default_cors_methods")]
    pub allow_methods: Vec<HttpMethod>,
    /// Request headers the browser may send (at most 64); `*` must stand alone.
    /// Default: none (HAProxy then allows every header, its own default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<HeaderName>,
    /// Response headers scripts may read (at most 64; not supported by HAProxy). Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<HeaderName>,
    /// Seconds a browser may cache a preflight answer (at least 1). Default: the controller's
    /// (5s for HAProxy and the Gateway API, unset for Traefik).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Whether requests may carry credentials; not allowed with the `*` origin. Default: false.
    #[serde(default)]
    pub allow_credentials: bool,
}

impl Cors {
    /// CORS for `origins` with the default methods and no extra headers.
    #[must_use]
    pub fn new(origins: Vec<Origin>) -> Self {
        Self {
            allow_origins: origins,
            allow_methods: default_cors_methods(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age: None,
            allow_credentials: false,
        }
    }
}

impl Validate for Cors {
    /// Records every problem of this CORS block under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let origins: Vec<&str> = self.allow_origins.iter().map(Origin::as_str).collect();
        check_list(path.field("allow_origins"), "origin", &origins, 1, 64, problems);
        let methods: Vec<&str> = self.allow_methods.iter().map(|m| m.as_str()).collect();
        check_list(path.field("allow_methods"), "method", &methods, 1, 10, problems);
        let headers: Vec<&str> = self.allow_headers.iter().map(HeaderName::as_str).collect();
        check_list(path.field("allow_headers"), "header", &headers, 0, 64, problems);
        let exposed: Vec<&str> = self.expose_headers.iter().map(HeaderName::as_str).collect();
        check_list(path.field("expose_headers"), "header", &exposed, 0, 64, problems);
        if self.max_age.is_some_and(|age| age == 0 || i32::try_from(age).is_err()) {
            problems.push(
                path.field("max_age"),
                ErrorKind::Invalid("max_age must be from 1 to 2147483647 seconds".into()),
            );
        }
        if self.allow_credentials && self.allow_origins.iter().any(Origin::is_any) {
            problems.push(
                path.field("allow_credentials"),
                ErrorKind::Conflict("allow_credentials cannot be used with the `*` origin; list the origins".into()),
            );
        }
    }
}

/// Checks list length, case-insensitive duplicates and a lone `*`.
fn check_list(path: PathRef<'_>, what: &'static str, items: &[&str], min: usize, max: usize, problems: &mut Problems) {
    if items.len() < min || items.len() > max {
        problems.push(
            path,
            ErrorKind::Invalid(format!("must have {min} to {max} entries, has {}", items.len())),
        );
    }
    if items.len() > 1 && items.contains(&"*") {
        problems.push(
            path,
            ErrorKind::Conflict("`*` cannot be combined with other entries".into()),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.to_ascii_lowercase()) {
            problems.push(
                path.index(i),
                ErrorKind::Duplicate {
                    what,
                    name: (*item).to_owned(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_follow_the_gateway_pattern() {
        for ok in [
            "*",
            "https://a.example.com",
            "http://localhost:3000",
            "https://*.example.com",
            "https://*",
            "http://10.0.0.1:8080",
        ] {
            assert!(ok.parse::<Origin>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "example.com",
            "ftp://a.com",
            "https://a.com/",
            "https://a.com:0",
            "https://a.com:99999",
            "https://a..com",
            "https://a_b.com",
        ] {
            assert!(bad.parse::<Origin>().is_err(), "{bad}");
        }
        let o: Origin = "http://localhost:3000".parse().unwrap();
        assert_eq!(o.to_regex(), "^http://localhost:3000$");
        assert!(!o.has_wildcard_host());
    }

    #[test]
    fn cors_problems_have_paths() {
        let mut cors = Cors::new(vec!["*".parse().unwrap(), "https://a.com".parse().unwrap()]);
        cors.allow_credentials = true;
        cors.max_age = Some(0);
        cors.allow_headers = vec!["X-A".parse().unwrap(), "x-a".parse().unwrap()];
        cors.allow_methods = vec![];
        let mut problems = Problems::default();
        cors.validate(PathRef::ROOT.field("cors"), &mut problems);
        let text = problems.finish(()).unwrap_err().to_string();
        assert_eq!(
            text,
            "cors.allow_origins: conflict: `*` cannot be combined with other entries\n\
             cors.allow_methods: must have 1 to 10 entries, has 0\n\
             cors.allow_headers[1]: duplicate header \"x-a\"\n\
             cors.max_age: max_age must be from 1 to 2147483647 seconds\n\
             cors.allow_credentials: conflict: allow_credentials cannot be used with the `*` origin; list the origins"
        );
        assert!("X Y".parse::<HeaderName>().is_err());
    }
}
