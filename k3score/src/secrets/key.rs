//! Keys inside Secrets and ConfigMaps, and references to one key of a Secret.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::names::DnsSubdomain;

/// Checks a ConfigMap or Secret data key: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`,
/// `..` or starting with `..` (REFERENCE §12, V1, V5).
pub fn check_data_key(value: &str) -> Result<(), ErrorKind> {
    let bad = |reason: &str| ErrorKind::InvalidName {
        grammar: "Secret/ConfigMap key",
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    if value.is_empty() || value.len() > 253 {
        return Err(bad("must be 1 to 253 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(bad("must consist of letters, digits, '-', '_' and '.'"));
    }
    if value == "." || value.starts_with("..") {
        return Err(bad("must not be '.' or start with '..'"));
    }
    Ok(())
}

/// A key inside a Secret or ConfigMap (`password`, `settings.json`).
///
/// ```
/// use k3score::secrets::DataKey;
/// assert!("settings.json".parse::<DataKey>().is_ok());
/// assert!("a/b".parse::<DataKey>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde_derive::Serialize)]
#[serde(into = "String")]
pub struct DataKey(String);

impl<'de> serde::Deserialize<'de> for DataKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::checked_string(d, check_data_key, Self)
    }
}

impl DataKey {
    /// Checks `value` against the key grammar.
    pub fn new(value: impl Into<String>) -> Result<Self, ErrorKind> {
        let value = value.into();
        check_data_key(&value)?;
        Ok(Self(value))
    }

    /// The key as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DataKey {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        Self::new(value)
    }
}

impl TryFrom<String> for DataKey {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, ErrorKind> {
        Self::new(value)
    }
}

impl From<DataKey> for String {
    fn from(value: DataKey) -> String {
        value.0
    }
}

impl fmt::Display for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DataKey {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("DataKey")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Secret/ConfigMap key",
            "pattern": "^[-._a-zA-Z0-9]+$",
            "maxLength": 253,
        })
    }
}

/// `{secret: NAME, key: KEY}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct SecretKeyRef {
    /// The Secret's name.
    pub secret: DnsSubdomain,
    /// The key. Default: the secret's single value, stored under the key `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<DataKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_keys() {
        for ok in ["a", "settings.json", "A_B-c.d", ".env", "x..y"] {
            assert!(check_data_key(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "..x", "a/b", "a b", &"k".repeat(254)] {
            assert!(check_data_key(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<DataKey>("\"a:b\"").is_err());
        assert_eq!(
            serde_json::to_string(&"k.json".parse::<DataKey>().unwrap()).unwrap(),
            "\"k.json\""
        );
    }

    #[test]
    fn secret_key_refs_read_as_secret_refs() {
        use crate::secrets::{SecretItem, SecretRef};
        // `workload::SecretKeyRef` is a re-export kept for older code: the same type.
        let keyed: crate::workload::SecretKeyRef =
            serde_json::from_str(r#"{"secret": "db", "key": "password"}"#).unwrap();
        assert_eq!(
            SecretRef::from(&keyed).item,
            SecretItem::Key("password".parse().unwrap())
        );
        let whole: SecretKeyRef = serde_json::from_str(r#"{"secret": "db"}"#).unwrap();
        let whole = SecretRef::from(&whole);
        assert_eq!((whole.secret.as_str(), whole.item), ("db", SecretItem::Value));
        assert!(serde_json::from_str::<SecretKeyRef>(r#"{"secret": "db", "name": "x"}"#).is_err());
    }
}
