//! Route hosts: DNS names with an optional `*.` wildcard, completed with the target's domain.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize;
use serde_derive::Serialize;

use crate::error::ErrorKind;
use crate::names::{DnsLabel, check_dns1123_subdomain};
use crate::target::Target;

/// A route host: a DNS-1123 subdomain, optionally starting with `*.`; a short name without
/// dots (`orders`) is completed with the target's base domain.
///
/// ```
/// use k3score::{Target, exposure::Host};
/// let host: Host = "orders".parse().unwrap();
/// assert_eq!(host.resolve(&Target::dev()), "orders.dev.example.com");
/// assert!("*.shop.example.com".parse::<Host>().unwrap().is_wildcard());
/// assert!("Orders".parse::<Host>().is_err());
/// assert!("10.0.0.1".parse::<Host>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Host(String);

impl<'de> Deserialize<'de> for Host {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::checked_string(d, check_host, Self)
    }
}

/// Checks a (possibly completed) host: `*.` prefix allowed, DNS labels of at most 63 characters,
/// not an IP address (Ingress and HTTPRoute hosts are names).
pub fn check_host(value: &str) -> Result<(), ErrorKind> {
    let name = value.strip_prefix("*.").unwrap_or(value);
    check_dns1123_subdomain(name)?;
    let bad = |reason: &str| ErrorKind::InvalidName {
        grammar: "host name",
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    // The API server counts the `*.` too (`IsWildcardDNS1123Subdomain`).
    if value.len() > 253 {
        return Err(bad("must be at most 253 characters, `*.` included"));
    }
    if name.split('.').any(|label| label.len() > 63) {
        return Err(bad("each dot-separated label must be at most 63 characters"));
    }
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Err(bad("must be a name, not an IP address"));
    }
    Ok(())
}

impl Host {
    /// The host as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the host starts with `*.`.
    #[must_use]
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }

    /// The full host name on `target` (short names get the base domain).
    #[must_use]
    pub fn resolve(&self, target: &Target) -> String {
        target.host(&self.0)
    }
}

impl FromStr for Host {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        check_host(value)?;
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for Host {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, ErrorKind> {
        value.parse()
    }
}

impl From<Host> for String {
    fn from(value: Host) -> String {
        value.0
    }
}

impl From<DnsLabel> for Host {
    /// A short host named like the app; completed with the base domain.
    fn from(value: DnsLabel) -> Host {
        Host(value.to_string())
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for Host {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Host")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "host name (DNS-1123 subdomain, optional `*.` prefix); a name without dots gets the target's base domain",
            "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            "maxLength": 253
        })
    }
}
