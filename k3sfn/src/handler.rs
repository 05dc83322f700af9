//! `module:function` handler references.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use k3score::ErrorKind;
use serde::Deserialize;
use serde_derive::Serialize;

/// Where the runtime finds a function: `module:function`.
///
/// The module is a Python dotted module (`orders.api`) or a TypeScript/JavaScript module path
/// without extension (`orders/api`): letters, digits, `_`, `-`, `.` and `/`, not starting with
/// `/` or `.`. The function is an identifier (`[A-Za-z_$][A-Za-z0-9_$]*`).
///
/// ```
/// use k3sfn::Handler;
/// let h: Handler = "orders.api:list_orders".parse().unwrap();
/// assert_eq!((h.module(), h.function()), ("orders.api", "list_orders"));
/// assert!("orders".parse::<Handler>().is_err());
/// assert!("orders:list-orders".parse::<Handler>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Handler(String);

impl<'de> Deserialize<'de> for Handler {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        k3score::yaml::checked_string(d, check_handler, Self)
    }
}

impl Handler {
    /// The handler as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The module part.
    #[must_use]
    pub fn module(&self) -> &str {
        self.0.split_once(':').map_or("", |(m, _)| m)
    }

    /// The function part.
    #[must_use]
    pub fn function(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, f)| f)
    }
}

/// Checks `module:function`.
pub fn check_handler(value: &str) -> Result<(), ErrorKind> {
    let bad = |reason: &str| ErrorKind::Invalid(format!("invalid handler {value:?}: {reason}"));
    let Some((module, function)) = value.split_once(':') else {
        return Err(bad("expected module:function"));
    };
    if module.is_empty()
        || module.starts_with(['/', '.'])
        || !module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        return Err(bad("the module must be letters, digits, '_', '-', '.' and '/'"));
    }
    let mut chars = function.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '$'));
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$')) {
        return Err(bad("the function must be an identifier"));
    }
    Ok(())
}

impl FromStr for Handler {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        check_handler(value)?;
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for Handler {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, ErrorKind> {
        value.parse()
    }
}

impl From<Handler> for String {
    fn from(value: Handler) -> String {
        value.0
    }
}

impl fmt::Display for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Handler {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Handler")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "module:function",
            "pattern": "^[A-Za-z0-9_-][A-Za-z0-9_./-]*:[A-Za-z_$][A-Za-z0-9_$]*$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_grammar() {
        for ok in [
            "orders:list_orders",
            "billing/jobs:onPayment",
            "a.b.c:$x",
            "web-api:handler",
        ] {
            assert!(ok.parse::<Handler>().is_ok(), "{ok}");
        }
        assert_eq!(
            "/abs:f".parse::<Handler>().unwrap_err().to_string(),
            "invalid handler \"/abs:f\": the module must be letters, digits, '_', '-', '.' and '/'"
        );
        assert_eq!(
            "m:1f".parse::<Handler>().unwrap_err().to_string(),
            "invalid handler \"m:1f\": the function must be an identifier"
        );
        let h: Handler = "a/b:c".parse().unwrap();
        assert_eq!(
            (h.module(), h.function(), h.to_string().as_str()),
            ("a/b", "c", "a/b:c")
        );
    }
}
