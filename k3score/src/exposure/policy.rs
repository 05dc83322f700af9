//! Per-route policies: rate limit, basic auth and the client allow list (CORS is in `cors`).
//!
//! Each is a spec type with its own validation; the renderers translate them into Traefik
//! middlewares (REFERENCE §4b), HAProxy annotations (§5a) or Gateway API filters (§9).

use std::net::IpAddr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::duration::Duration;
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names::DnsSubdomain;

/// Declares a validated string newtype: `FromStr`/serde through `$check`, `Display`, JSON Schema.
macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $check:ident, $description:literal, $pattern:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde_derive::Serialize)]
        #[serde(into = "String")]
        pub struct $name(String);

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as ::serde::Deserialize>::deserialize(d)?;
                match $check(&raw) {
                    Ok(canonical) => Ok(Self(canonical)),
                    Err(kind) => $crate::yaml::recover(Err(kind), || Self(raw)),
                }
            }
        }

        impl $name {
            /// The value as a string slice.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::ErrorKind;
            fn from_str(value: &str) -> Result<Self, $crate::error::ErrorKind> {
                $check(value).map(Self)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::ErrorKind;
            fn try_from(value: String) -> Result<Self, $crate::error::ErrorKind> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "schema")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "description": $description, "pattern": $pattern })
            }
        }
    };
}
pub(crate) use checked_string;

pub(crate) fn invalid(what: &str, value: &str, reason: &str) -> ErrorKind {
    ErrorKind::Invalid(format!("invalid {what} {value:?}: {reason}"))
}

/// An IPv4/IPv6 address or CIDR range, re-serialized in canonical form.
fn check_cidr(value: &str) -> Result<String, ErrorKind> {
    const WHAT: &str = "IP address or CIDR";
    let (addr, prefix) = match value.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (value, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| invalid(WHAT, value, "not an IPv4 or IPv6 address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    match prefix {
        None => Ok(addr.to_string()),
        Some(prefix) => match prefix.parse::<u8>() {
            Ok(bits) if bits <= max && !prefix.starts_with('+') => Ok(format!("{addr}/{bits}")),
            _ => Err(invalid(WHAT, value, &format!("prefix length must be 0 to {max}"))),
        },
    }
}

checked_string!(
    /// A client address or range for the allow list: `10.0.0.0/8`, `192.168.1.7`, `2001:db8::/32`.
    ///
    /// ```
    /// use k3score::exposure::Cidr;
    /// assert_eq!("10.0.0.0/8".parse::<Cidr>().unwrap().as_str(), "10.0.0.0/8");
    /// assert!("10.0.0.0/33".parse::<Cidr>().is_err());
    /// assert!("example.com".parse::<Cidr>().is_err());
    /// ```
    Cidr, check_cidr, "an IPv4/IPv6 address or CIDR range", r"^[0-9a-fA-F:.]+(/[0-9]{1,3})?$"
);

fn default_period() -> Duration {
    Duration::SECOND
}

/// Requests allowed per client IP address and time window.
///
/// ```
/// use k3score::exposure::RateLimit;
/// let limit: RateLimit = k3score::yaml::from_yaml("requests: 100").unwrap();
/// assert_eq!(limit.per.to_string(), "1s");
/// assert_eq!(limit.effective_burst(), 100);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per client IP in each window; at least 1.
    pub requests: u32,
    /// The window. Default: `1s`.
    #[serde(default = "default_period")]
    pub per: Duration,
    /// Requests that may arrive at once (Traefik only: HAProxy counts requests per window,
    /// which is a burst of `requests`). Default: `requests`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
}

impl RateLimit {
    /// `requests` per second, no explicit burst.
    #[must_use]
    pub fn per_second(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::SECOND,
            burst: None,
        }
    }

    /// The burst to render: `burst`, or `requests` when unset.
    #[must_use]
    pub fn effective_burst(&self) -> u32 {
        self.burst.unwrap_or(self.requests)
    }
}

impl Validate for RateLimit {
    /// Records every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if self.requests == 0 {
            problems.push(
                path.field("requests"),
                ErrorKind::Invalid("requests must be at least 1 (remove rate_limit to disable it)".into()),
            );
        }
        self.per.validate(path.field("per"), problems);
        if self.burst == Some(0) {
            problems.push(
                path.field("burst"),
                ErrorKind::Invalid("burst must be at least 1".into()),
            );
        }
    }
}

/// The key of the Opaque Secret Traefik reads htpasswd lines from (REFERENCE §4b, format B).
pub const TRAEFIK_USERS_KEY: &str = "users";

/// HTTP basic authentication against a Secret in the route's namespace.
///
/// The Secret is created by the caller (through the `secrets` module) in the format the
/// target's controller expects:
/// - **Traefik**: an Opaque Secret with exactly one key, [`TRAEFIK_USERS_KEY`] (`users`), holding
///   htpasswd lines `name:hash` (MD5, SHA1 or bcrypt, e.g. `htpasswd -nbB`) (REFERENCE §4b, TR4, TR6).
/// - **HAProxy**: one key per user name whose value is a crypt(3) hash (e.g. `openssl passwd -1`);
///   plain-text passwords are rejected (REFERENCE §5a, HP1).
/// - **Gateway API**: not available in the standard HTTPRoute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BasicAuth {
    /// Name of the Secret with the credentials, in the route's namespace.
    pub secret: DnsSubdomain,
    /// Realm shown by browsers: letters, digits, spaces, `.`, `_`, `-` (HAProxy shows spaces
    /// as `-`). Default: the controller's (`traefik`, `Protected Content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

impl BasicAuth {
    /// Basic auth against `secret` with the controller's default realm.
    #[must_use]
    pub fn new(secret: DnsSubdomain) -> Self {
        Self { secret, realm: None }
    }
}

impl Validate for BasicAuth {
    /// Records every problem under `path`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Some(realm) = &self.realm {
            let ok = realm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-'));
            if realm.trim().is_empty() || realm.len() > 64 || !ok {
                problems.push(
                    path.field("realm"),
                    ErrorKind::Invalid(format!(
                        "invalid realm {realm:?}: use 1 to 64 letters, digits, spaces, '.', '_' or '-'"
                    )),
                );
            }
        }
    }
}

/// Records duplicate addresses of an allow list (routes' `allow_list`, a gateway WAF's
/// `allow_cidrs`) at `path[i]`.
pub fn validate_allow_list(list: &[Cidr], path: PathRef<'_>, problems: &mut Problems) {
    for (i, cidr) in list.iter().enumerate() {
        if list[..i].contains(cidr) {
            problems.push(
                path.index(i),
                ErrorKind::Duplicate {
                    what: "address",
                    name: cidr.to_string(),
                },
            );
        }
    }
}

/// Records a request-body limit that is 0 or beyond what the controllers store (an `i64`).
pub fn validate_body_size(size: crate::quantity::Bytes, path: PathRef<'_>, problems: &mut Problems) {
    if size.as_bytes() == 0 || i64::try_from(size.as_bytes()).is_err() {
        problems.push(
            path,
            ErrorKind::Invalid("max_body_size must be above 0 and below 8Ei".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_are_canonical() {
        assert_eq!("2001:DB8::/32".parse::<Cidr>().unwrap().as_str(), "2001:db8::/32");
        assert_eq!("192.168.1.7".parse::<Cidr>().unwrap().as_str(), "192.168.1.7");
        assert!("::/129".parse::<Cidr>().is_err());
        assert!("1.2.3.4/+8".parse::<Cidr>().is_err());
    }

    #[test]
    fn rate_limit_and_auth_validation() {
        let mut problems = Problems::default();
        let limit = RateLimit {
            requests: 0,
            per: Duration::from_secs(0),
            burst: Some(0),
        };
        limit.validate(PathRef::ROOT.field("rate_limit"), &mut problems);
        let auth = BasicAuth {
            secret: "creds".parse().unwrap(),
            realm: Some("a\"b".into()),
        };
        auth.validate(PathRef::ROOT.field("basic_auth"), &mut problems);
        let errors = problems.finish(()).unwrap_err();
        let paths: Vec<String> = errors.paths();
        assert_eq!(
            paths,
            [
                "rate_limit.requests",
                "rate_limit.per",
                "rate_limit.burst",
                "basic_auth.realm"
            ]
        );
        assert!(serde_json::from_str::<RateLimit>(r#"{"requests": 1, "burts": 2}"#).is_err());
    }
}
