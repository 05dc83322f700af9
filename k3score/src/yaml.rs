//! The one place YAML is read and written (serde-saphyr behind two functions).
//!
//! serde-saphyr quotes `yes`/`no`/`on`/`off` so kubectl keeps them strings; swapping the
//! YAML library later means changing this file only.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, FieldPath};

/// Serializes one value as a YAML document (no leading `---`).
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, ErrorKind> {
    serde_saphyr::to_string(value).map_err(|e| ErrorKind::Serialize(e.to_string()))
}

/// Serializes one value as pretty JSON.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ErrorKind> {
    serde_json::to_string_pretty(value).map_err(|e| ErrorKind::Serialize(e.to_string()))
}

/// Parses a spec from YAML text; syntax and shape errors carry line and column.
///
/// ```
/// use k3score::yaml::from_yaml;
/// #[derive(serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Spec { name: String }
/// let err = from_yaml::<Spec>("name: a\nnmae: b\n").unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = e.to_string();
        // serde-saphyr's message may repeat the location; keep its first line only.
        let message = message.lines().next().unwrap_or_default().to_owned();
        Error::new(FieldPath::root(), ErrorKind::Syntax { line, column, message })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn ambiguous_scalars_stay_strings() {
        let map = BTreeMap::from([("a", "yes"), ("b", "on"), ("c", "1.0"), ("d", "plain")]);
        let text = to_yaml(&map).unwrap();
        let back: BTreeMap<String, String> = from_yaml(&text).unwrap();
        assert_eq!(back["a"], "yes");
        assert_eq!(back["c"], "1.0");
        assert!(!text.contains("a: yes\n"), "{text}");
    }

    #[test]
    fn syntax_errors_have_locations() {
        let err = from_yaml::<BTreeMap<String, String>>("a: [1,\n").unwrap_err();
        match err.kind {
            ErrorKind::Syntax { line, .. } => assert!(line >= 1),
            other => panic!("unexpected {other:?}"),
        }
    }
}
