//! The one place YAML is read and written.
//!
//! Reading goes through serde-saphyr (with field paths from `serde_path_to_error`); writing
//! goes through this crate's own block-style emitter (`yaml/emit.rs`), which writes straight into
//! one `String` and quotes every string a YAML 1.1 or 1.2 reader could take for something else
//! (`yes`, `on`, `1.0`, `2024-01-02`, ...), so kubectl and PyYAML alike read back what was meant.

mod emit;
mod scalar;
mod subset;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, FieldPath};

/// Serializes one value as a YAML document (no leading `---`).
///
/// ```
/// let labels = std::collections::BTreeMap::from([("version", "1.0"), ("tier", "web")]);
/// assert_eq!(k3score::yaml::to_yaml(&labels).unwrap(), "tier: web\nversion: \"1.0\"\n");
/// ```
pub fn to_yaml<T: Serialize + ?Sized>(value: &T) -> Result<String, ErrorKind> {
    let mut out = String::new();
    write_yaml(&mut out, value)?;
    Ok(out)
}

/// Appends one value as a YAML document (no leading `---`) to `out`, for callers that write
/// many documents into one buffer.
pub fn write_yaml<T: Serialize + ?Sized>(out: &mut String, value: &T) -> Result<(), ErrorKind> {
    emit::write(out, value).map_err(|e| ErrorKind::Serialize(e.to_string()))
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
    if let Some(value) = read_fast(text) {
        return Ok(value);
    }
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

/// The happy path of [`from_yaml`], which needs no field paths: the reader of the spec subset
/// (`yaml/subset`), else serde-saphyr without `serde_path_to_error`. `None` when either fails
/// (`from_yaml` then parses again, tracking paths, for its error): a valid spec parses once.
fn read_fast<T: DeserializeOwned>(text: &str) -> Option<T> {
    if !FAST_READER.get() {
        return None;
    }
    subset::from_subset(text).or_else(|| serde_saphyr::with_deserializer_from_str(text, |de| T::deserialize(de)).ok())
}

thread_local! {
    static FAST_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Turns [`from_yaml`]'s happy path off (`false`: every parse goes through serde-saphyr with
/// path tracking, as before issue 18) or on again, on this thread: for the tests that check
/// that both give the same results, not for other use.
#[doc(hidden)]
pub fn set_fast_reader(on: bool) {
    FAST_READER.set(on);
}

/// Only the subset reader (`None` outside the subset): for the tests that compare it with
/// serde-saphyr, not for other use.
#[doc(hidden)]
pub fn from_yaml_subset<T: DeserializeOwned>(text: &str) -> Option<T> {
    subset::from_subset(text)
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
