//! Validated Kubernetes names: every grammar the API server enforces, as newtypes.
//!
//! Rules from kubernetes/apimachinery `pkg/util/validation/validation.go` and
//! `pkg/api/validate/content/kube.go` (REFERENCE.md §12). A value that crosses a
//! public API where Kubernetes has a grammar is one of these types, never a raw `String`.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::ErrorKind;

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn invalid(grammar: &'static str, value: &str, reason: impl Into<String>) -> ErrorKind {
    ErrorKind::InvalidName {
        grammar,
        value: value.to_owned(),
        reason: reason.into(),
    }
}

/// DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn check_dns1123_label(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "DNS-1123 label";
    if value.is_empty() {
        return Err(invalid(G, value, "must not be empty"));
    }
    if value.len() > 63 {
        return Err(invalid(
            G,
            value,
            format!("must be at most 63 characters, is {}", value.len()),
        ));
    }
    if !value.chars().all(|c| is_lower_alnum(c) || c == '-') {
        return Err(invalid(G, value, "must consist of lower-case letters, digits and '-'"));
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err(invalid(G, value, "must start and end with a letter or digit"));
    }
    Ok(())
}

/// DNS-1123 subdomain: DNS-1123 labels joined by `.`, at most 253 characters.
pub fn check_dns1123_subdomain(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "DNS-1123 subdomain";
    if value.is_empty() {
        return Err(invalid(G, value, "must not be empty"));
    }
    if value.len() > 253 {
        return Err(invalid(
            G,
            value,
            format!("must be at most 253 characters, is {}", value.len()),
        ));
    }
    for part in value.split('.') {
        if part.is_empty()
            || !part.chars().all(|c| is_lower_alnum(c) || c == '-')
            || part.starts_with('-')
            || part.ends_with('-')
        {
            return Err(invalid(
                G,
                value,
                "must be lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit",
            ));
        }
    }
    Ok(())
}

/// DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter.
pub fn check_dns1035_label(value: &str) -> Result<(), ErrorKind> {
    check_dns1123_label(value).map_err(|e| match e {
        ErrorKind::InvalidName { value, reason, .. } => ErrorKind::InvalidName {
            grammar: "DNS-1035 label",
            value,
            reason,
        },
        other => other,
    })?;
    if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid("DNS-1035 label", value, "must start with a lower-case letter"));
    }
    Ok(())
}

/// IANA service name (container port names): at most 15 characters of `[-a-z0-9]`,
/// at least one letter, no leading, trailing or double `-`.
pub fn check_port_name(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "IANA port name";
    if value.is_empty() || value.len() > 15 {
        return Err(invalid(
            G,
            value,
            format!("must be 1 to 15 characters, is {}", value.len()),
        ));
    }
    if !value.chars().all(|c| is_lower_alnum(c) || c == '-') {
        return Err(invalid(G, value, "must consist of lower-case letters, digits and '-'"));
    }
    if !value.chars().any(|c| c.is_ascii_lowercase()) {
        return Err(invalid(G, value, "must contain at least one letter"));
    }
    if value.starts_with('-') || value.ends_with('-') || value.contains("--") {
        return Err(invalid(G, value, "must not start or end with '-' or contain '--'"));
    }
    Ok(())
}

/// Environment variable name: a C identifier `[A-Za-z_][A-Za-z0-9_]*`, portable to every
/// supported Kubernetes version and every shell (REFERENCE.md §12, judgment).
pub fn check_env_var_name(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "environment variable name";
    let mut chars = value.chars();
    match chars.next() {
        None => Err(invalid(G, value, "must not be empty")),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => Err(invalid(G, value, "must start with a letter or '_'")),
        Some(_) if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Err(invalid(G, value, "must consist of letters, digits and '_'"))
        }
        Some(_) => Ok(()),
    }
}

/// Environment variable name as the API server checks it with relaxed validation
/// (`RelaxedEnvironmentVariableValidation`, KEP-4369): any printable ASCII character but `=`.
/// Which names a given Kubernetes release accepts is checked at render time
/// ([`crate::workload::check_env_name_for`]).
pub fn check_kubernetes_env_var_name(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "environment variable name";
    if value.is_empty() {
        return Err(invalid(G, value, "must not be empty"));
    }
    if !value.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'=') {
        return Err(invalid(
            G,
            value,
            "must consist of printable ASCII characters other than '='",
        ));
    }
    Ok(())
}

fn check_qualified_part(grammar: &'static str, value: &str, whole: &str) -> Result<(), ErrorKind> {
    if value.len() > 63 {
        return Err(invalid(grammar, whole, "name part must be at most 63 characters"));
    }
    let ok_inner = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    if !value.is_empty()
        && (!value.chars().all(ok_inner)
            || !value.starts_with(|c: char| c.is_ascii_alphanumeric())
            || !value.ends_with(|c: char| c.is_ascii_alphanumeric()))
    {
        return Err(invalid(
            grammar,
            whole,
            "must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
        ));
    }
    Ok(())
}

/// Label (and annotation) key: optional DNS-1123 subdomain prefix and `/`, then a name of
/// at most 63 characters `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
pub fn check_label_key(value: &str) -> Result<(), ErrorKind> {
    const G: &str = "label key";
    let (prefix, name) = match value.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, value),
    };
    if let Some(prefix) = prefix {
        check_dns1123_subdomain(prefix).map_err(|_| invalid(G, value, "prefix must be a DNS-1123 subdomain"))?;
    }
    if name.is_empty() {
        return Err(invalid(G, value, "name part must not be empty"));
    }
    check_qualified_part(G, name, value)
}

/// Label value: empty, or at most 63 characters with the label-name charset.
pub fn check_label_value(value: &str) -> Result<(), ErrorKind> {
    check_qualified_part("label value", value, value)
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $check:ident, $grammar:literal, $pattern:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde_derive::Serialize)]
        #[serde(into = "String")]
        pub struct $name(String);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::yaml::checked_string(d, $check, Self)
            }
        }

        impl $name {
            /// The name as a string slice.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Checks `value` against the grammar.
            pub fn new(value: impl Into<String>) -> Result<Self, ErrorKind> {
                let value = value.into();
                $check(&value)?;
                Ok(Self(value))
            }
        }

        impl FromStr for $name {
            type Err = ErrorKind;
            fn from_str(value: &str) -> Result<Self, ErrorKind> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ErrorKind;
            fn try_from(value: String) -> Result<Self, ErrorKind> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ErrorKind;
            fn try_from(value: &str) -> Result<Self, ErrorKind> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = schemars::json_schema!({
                    "type": "string",
                    "description": $grammar,
                    "maxLength": $max,
                });
                if !$pattern.is_empty() {
                    schema.insert("pattern".into(), $pattern.into());
                }
                schema
            }
        }
    };
}

name_type!(
    /// A DNS-1123 label (`orders`, `web-1`): container, volume, namespace and most object names.
    ///
    /// ```
    /// use k3score::names::DnsLabel;
    /// assert!("orders-api".parse::<DnsLabel>().is_ok());
    /// assert!("Orders".parse::<DnsLabel>().is_err());
    /// ```
    DnsLabel, check_dns1123_label, "DNS-1123 label", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 63
);
name_type!(
    /// A DNS-1123 subdomain (`orders.acme.example`): ConfigMap, Secret and host names.
    DnsSubdomain, check_dns1123_subdomain, "DNS-1123 subdomain", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", 253
);
name_type!(
    /// A DNS-1035 label: a DNS-1123 label that starts with a letter (Service names).
    ///
    /// ```
    /// use k3score::names::Dns1035Label;
    /// assert!("1api".parse::<Dns1035Label>().is_err());
    /// ```
    Dns1035Label, check_dns1035_label, "DNS-1035 label", "^[a-z]([-a-z0-9]*[a-z0-9])?$", 63
);
name_type!(
    /// An IANA service name (container port names): at most 15 characters, one letter at least.
    ///
    /// ```
    /// use k3score::names::PortName;
    /// assert!("http".parse::<PortName>().is_ok());
    /// assert!("a-very-long-port-name".parse::<PortName>().is_err());
    /// ```
    PortName, check_port_name, "IANA port name", "^[a-z0-9]([a-z0-9]|-[a-z0-9])*$", 15
);
name_type!(
    /// An environment variable name: printable ASCII but `=`, as the API server accepts since
    /// Kubernetes 1.34. Names beyond `[-._a-zA-Z][-._a-zA-Z0-9]*` are refused at render time for
    /// targets whose [`crate::Target::min_kubernetes`] is older
    /// ([`crate::workload::check_env_name_for`]).
    ///
    /// ```
    /// use k3score::names::EnvVarName;
    /// assert!("discovery.type".parse::<EnvVarName>().is_ok());
    /// assert!("A=B".parse::<EnvVarName>().is_err());
    /// ```
    EnvVarName, check_kubernetes_env_var_name, "environment variable name", "^[ -<>-~]+$", 4096
);
name_type!(
    /// A label or annotation key (`app.kubernetes.io/name`).
    LabelKey, check_label_key, "label key", "", 317
);
name_type!(
    /// A label value (at most 63 characters, may be empty).
    LabelValue, check_label_value, "label value", "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", 63
);

/// FNV-1a 64-bit hash: stable across runs, platforms and Rust versions (unlike `DefaultHasher`).
#[must_use]
pub fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Joins `base` and `suffix` into a name of at most `max` characters.
///
/// When the plain join is too long, `base` is cut and an 8-character hash of the full name
/// is inserted, so distinct inputs stay distinct and the result is deterministic. The result
/// keeps DNS-1123 shape when both inputs have it (no trailing `-` before the hash).
///
/// ```
/// use k3score::names::bounded;
/// assert_eq!(bounded("orders", "-metrics", 63), "orders-metrics");
/// let long = "a".repeat(70);
/// let name = bounded(&long, "-pdb", 63);
/// assert_eq!(name.len(), 63);
/// assert!(name.ends_with("-pdb"));
/// ```
#[must_use]
pub fn bounded(base: &str, suffix: &str, max: usize) -> String {
    let joined = format!("{base}{suffix}");
    if joined.len() <= max {
        return joined;
    }
    let hash = format!("{:08x}", stable_hash(&joined) as u32);
    // base cut + '-' + hash + suffix
    let keep = max.saturating_sub(suffix.len() + hash.len() + 1);
    let cut = base[..keep.min(base.len())].trim_end_matches(['-', '.']);
    format!("{cut}-{hash}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Argo CD's finalizer (in `k3scrd`, which has no name checks of its own) follows the API
    /// server's rule for finalizer names: a DNS subdomain, a `/`, a path.
    #[test]
    fn the_argocd_finalizer_is_domain_qualified_with_a_path() {
        let (domain, path) = crate::crd::argocd::FOREGROUND_DELETION_FINALIZER
            .split_once('/')
            .unwrap();
        assert!(domain.parse::<DnsSubdomain>().is_ok(), "{domain}");
        assert_eq!(path, "foreground");
    }

    #[test]
    fn label_rules() {
        assert!(check_dns1123_label("a").is_ok());
        assert!(check_dns1123_label("a-b-9").is_ok());
        assert!(check_dns1123_label("-a").is_err());
        assert!(check_dns1123_label("a_b").is_err());
        assert!(check_dns1123_label(&"a".repeat(64)).is_err());
        assert!(check_dns1123_label("").is_err());
        assert!(check_dns1035_label("9a").is_err());
        assert!(check_dns1035_label("a9").is_ok());
    }

    #[test]
    fn subdomain_rules() {
        assert!(check_dns1123_subdomain("a.b.c").is_ok());
        assert!(check_dns1123_subdomain("a..b").is_err());
        assert!(check_dns1123_subdomain(".a").is_err());
        assert!(check_dns1123_subdomain(&"a".repeat(254)).is_err());
    }

    #[test]
    fn port_name_rules() {
        assert!(check_port_name("http").is_ok());
        assert!(check_port_name("h2c-1").is_ok());
        assert!(check_port_name("8080").is_err());
        assert!(check_port_name("a--b").is_err());
        assert!(check_port_name("metrics-endpoint").is_err());
        let err = check_port_name("metrics-endpoint").unwrap_err();
        assert!(err.to_string().contains("1 to 15"), "{err}");
    }

    #[test]
    fn env_and_labels() {
        assert!(check_env_var_name("DATABASE_URL").is_ok());
        assert!(check_env_var_name("1X").is_err());
        assert!(check_env_var_name("A-B").is_err());
        for ok in ["discovery.type", "1X", "a b:c"] {
            assert!(check_kubernetes_env_var_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A=B", "tab\there", "é"] {
            assert!(check_kubernetes_env_var_name(bad).is_err(), "{bad}");
        }
        assert!(check_label_key("app.kubernetes.io/name").is_ok());
        assert!(check_label_key("tier").is_ok());
        assert!(check_label_key("Bad Prefix/x").is_err());
        assert!(check_label_key("x/").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("v1.2.3").is_ok());
        assert!(check_label_value("-v").is_err());
    }

    #[test]
    fn serde_validates() {
        let ok: DnsLabel = serde_json::from_str("\"web\"").unwrap();
        assert_eq!(ok.as_str(), "web");
        let err = serde_json::from_str::<DnsLabel>("\"Web\"").unwrap_err();
        assert!(err.to_string().contains("DNS-1123 label"), "{err}");
    }

    proptest! {
        #[test]
        fn bounded_stays_within_limits(base in "[a-z][a-z0-9-]{0,120}[a-z0-9]", suffix in "(-[a-z]{1,10})?") {
            let name = bounded(&base, &suffix, 63);
            prop_assert!(name.len() <= 63);
            prop_assert!(check_dns1123_label(&name).is_ok(), "{}", name);
            prop_assert_eq!(name.clone(), bounded(&base, &suffix, 63));
        }
    }
}
