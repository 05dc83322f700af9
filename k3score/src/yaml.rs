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

/// Parses a spec from YAML text. Syntax and shape errors carry the field path (tracked with
/// `serde_path_to_error`) and the line and column.
///
/// ```
/// use k3score::yaml::from_yaml;
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Port { name: k3score::names::PortName }
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Spec { ports: Vec<Port> }
/// let err = from_yaml::<Spec>("ports:\n  - name: http\n  - name: a-very-long-port-name\n").unwrap_err();
/// assert_eq!(err.path.to_string(), "ports[1].name");
/// assert!(err.to_string().contains("line 3"), "{err}");
/// ```
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let mut track = serde_path_to_error::Track::new();
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track))
    });
    result.map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = clean_message(&e.to_string());
        let path = field_path(&track.path());
        Error::new(path, ErrorKind::Syntax { line, column, message })
    })
}

/// serde-saphyr's first line, without its own `error: line L column C:` prefix.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let rest = first.strip_prefix("error: ").unwrap_or(first);
    match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((position, text)) if position.contains("column") => text.to_owned(),
        _ => rest.to_owned(),
    }
}

fn field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment;
    path.iter().fold(FieldPath::root(), |acc, segment| match segment {
        Segment::Seq { index } => acc.index(*index),
        Segment::Map { key } => acc.field(key.clone()),
        Segment::Enum { variant } => acc.field(variant.clone()),
        Segment::Unknown => acc,
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
