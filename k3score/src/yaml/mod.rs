//! The one place YAML is read and written.
//!
//! Reading goes through serde-saphyr (with field paths from `serde_path_to_error`); writing
//! goes through this crate's own block-style emitter (`yaml/emit.rs`), which writes straight into
//! one `String` and quotes every string a YAML 1.1 or 1.2 reader could take for something else
//! (`yes`, `on`, `1.0`, `2024-01-02`, ...), so kubectl and PyYAML alike read back what was meant.

mod emit;
mod message;
mod one_or_many;
pub mod recover;
mod scalar;
mod skip;
mod subset;

pub use one_or_many::{OneOrMany, one_or_many};
pub use recover::{checked_string, recover};

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Errors, FieldPath};

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

/// Parses a spec from YAML text. Every bad value (a name, quantity, port number ...) and
/// every problem of shape (an unknown key, a list where a mapping belongs, text where a number
/// belongs, a number out of range) is reported, each with its field path (tracked with
/// `serde_path_to_error`) and its line and column, an unknown key or value with the closest
/// allowed one when one is close ([`crate::suggest`]); parsing stops only at broken YAML or a
/// missing field, reported after the problems found before it. See [`recover`](mod@recover).
///
/// ```
/// use k3score::yaml::from_yaml;
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Port { name: k3score::names::PortName }
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Spec { ports: Vec<Port> }
/// let text = "ports:\n  - name: http\n  - name: a-very-long-port-name\n  - name: Not_A_Name\n";
/// let errors = from_yaml::<Spec>(text).unwrap_err();
/// assert_eq!(errors.len(), 2);
/// assert_eq!(errors.0[0].path.to_string(), "ports[1].name");
/// assert!(errors.0[0].to_string().contains("line 3"), "{errors}");
/// assert_eq!(errors.0[1].path.to_string(), "ports[2].name");
/// ```
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Errors> {
    from_yaml_checked(text, |_| Ok(()))
}

/// How many bad values one file reports at most (each costs one more parse of the file).
const MAX_BAD_VALUES: usize = 100;
/// How many times one file is parsed at most.
const MAX_PARSES: usize = MAX_BAD_VALUES;

/// [`from_yaml`], and when values were bad, also `validate` (the spec's semantic checks)
/// run on the value with placeholders in place of the bad values: the problems it finds
/// are reported with the bad values, except those at or under a bad value's path, or at the
/// mapping an unknown key was taken out of (they are consequences of the placeholder). Sorted by where they are is the caller's choice
/// (only the bad values carry a line and column here).
///
/// ```
/// use k3score::{ErrorKind, Errors, Error, FieldPath};
/// #[derive(Debug, serde::Deserialize)]
/// struct Spec { name: k3score::names::DnsLabel, replicas: i32 }
/// let check = |spec: &Spec| -> Result<(), Errors> {
///     let mut errors = vec![Error::new(FieldPath::root().field("name"), ErrorKind::Invalid("placeholder".into()))];
///     if spec.replicas < 1 {
///         errors.push(Error::new(FieldPath::root().field("replicas"), ErrorKind::Invalid("must be at least 1".into())));
///     }
///     Err(Errors(errors))
/// };
/// let errors = k3score::yaml::from_yaml_checked("name: Web_1\nreplicas: 0\n", check).unwrap_err();
/// let paths: Vec<String> = errors.paths();
/// assert_eq!(paths, ["name", "replicas"]);
/// ```
pub fn from_yaml_checked<T: DeserializeOwned>(
    text: &str,
    validate: impl FnOnce(&T) -> Result<(), Errors>,
) -> Result<T, Errors> {
    if let Some(value) = read_fast(text) {
        return Ok(value);
    }
    let mut text = Cow::Borrowed(text);
    let mut bad: Vec<Error> = Vec::new();
    // Bad leaves found so far: the next parse recovers that many.
    let mut leaves = 0;
    // Values replaced in the text (unknown enum values, empty stand-ins): problems under
    // them are consequences.
    let mut replaced: Vec<FieldPath> = Vec::new();
    // Entries blanked out for a value of the wrong shape: the text before, and the stand-in
    // to use instead should the field be required.
    let mut removed: Vec<Removed> = Vec::new();
    // Unknown keys blanked out, with the key meant when one is close: their mapping's type
    // refusing what is left (a hook with none of its actions once `slep` is gone) and a
    // required field missing for the misspelling are consequences.
    let mut unknown: Vec<(FieldPath, Option<String>)> = Vec::new();
    for _ in 0..MAX_PARSES {
        let (result, stopped) = recover::with_allowance(leaves, || parse_once::<T>(&text));
        let Failure {
            error,
            fix,
            missing,
            refusal,
            unknown_field,
        } = match result {
            Ok(value) if bad.is_empty() => return Ok(value),
            Ok(value) => {
                // Under a bad value, or about the mapping an unknown key was taken out of
                // (`config_files[0]` has no `content` once `contnt` is gone).
                let consequence = |e: &Error| {
                    bad.iter().any(|first| e.path.starts_with(&first.path))
                        || unknown.iter().any(|(key, _)| is_parent(&e.path, key))
                };
                let semantic: Vec<Error> = validate(&value)
                    .err()
                    .map(|errors| errors.0.into_iter().filter(|e| !consequence(e)).collect())
                    .unwrap_or_default();
                bad.extend(semantic);
                return Err(Errors(bad));
            }
            Err(failure) => *failure,
        };
        // A required field whose value was blanked out for its shape: put an empty value of
        // the right shape there instead (the text is taken back to before the blanking; the
        // problems found since are found again).
        if let Some(field) = &missing
            && let Some(at) = removed.iter().position(|r| r.path == error.path.field(field.clone()))
        {
            let back = removed.swap_remove(at);
            removed.truncate(at);
            replaced.truncate(back.replaced);
            text = Cow::Owned(back.stand_in.apply(&back.before));
            replaced.push(back.path);
            continue;
        }
        // A bad value swallowed by an untagged enum can leave `stopped` set although the
        // parse failed for another reason: that reason repeats, report it once.
        let known = bad.contains(&error);
        let emptied = refusal && unknown.iter().any(|(key, _)| is_parent(&error.path, key));
        // A required field missing because it was misspelt (`imgae` for `image`).
        let misspelt = missing.is_some_and(|field| {
            unknown
                .iter()
                .any(|(key, meant)| is_parent(&error.path, key) && meant.as_deref() == Some(field.as_str()))
        });
        let consequence = emptied || misspelt || replaced.iter().any(|path| error.path.starts_with(path));
        if stopped {
            if known && bad.last() == Some(&error) {
                return Err(Errors(bad));
            }
            leaves += 1;
        } else if let Some(fix) = fix.filter(|_| emptied || !consequence) {
            if unknown_field {
                unknown.push((error.path.clone(), error.kind.suggestion().map(str::to_owned)));
            }
            if let Some((path, stand_in)) = &fix.removed {
                removed.push(Removed {
                    path: path.clone(),
                    before: text.clone().into_owned(),
                    stand_in: stand_in.clone(),
                    replaced: replaced.len(),
                });
            } else {
                replaced.push(error.path.clone());
            }
            text = Cow::Owned(fix.apply(&text));
        } else {
            if !known && !consequence {
                bad.push(error);
            }
            return Err(Errors(bad));
        }
        if !known && !consequence {
            bad.push(error);
            if bad.len() >= MAX_BAD_VALUES {
                return Err(Errors(bad));
            }
        }
    }
    Err(Errors(bad))
}

/// Whether `parent` is the mapping `key` is in.
fn is_parent(parent: &FieldPath, key: &FieldPath) -> bool {
    key.segments().len() == parent.segments().len() + 1 && key.starts_with(parent)
}

/// An entry blanked out for a value of the wrong shape.
struct Removed {
    /// The field's path.
    path: FieldPath,
    /// The text before the blanking.
    before: String,
    /// The edit of `before` that puts an empty value of the right shape there instead.
    stand_in: Box<message::Fix>,
    /// How many values had been replaced before.
    replaced: usize,
}

/// Why one parse failed: the problem, the edit of the text that lets the next parse go on
/// (if any) and, for a missing field, its name.
struct Failure {
    error: Error,
    fix: Option<message::Fix>,
    missing: Option<String>,
    /// Whether the problem is a value its type refused as a whole.
    refusal: bool,
    /// Whether the problem is an unknown key.
    unknown_field: bool,
}

/// One parse with path tracking; a failure has its path and position, and the edit that
/// lets the next parse go on past it when there is one.
fn parse_once<T: DeserializeOwned>(text: &str) -> Result<T, Box<Failure>> {
    let mut track = serde_path_to_error::Track::new();
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track))
    });
    result.map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = message::plain(&e);
        let suggestion = message::suggestion(&e);
        let path = field_path(&track.path());
        let fix = message::Fix::for_error(&e, text, &path);
        let missing = message::missing_field(&e);
        let refusal = message::is_refusal(&e);
        let unknown_field = message::is_unknown_field(&e);
        let kind = ErrorKind::Syntax {
            line,
            column,
            message,
            suggestion,
        };
        Box::new(Failure {
            error: Error::new(path, kind),
            fix,
            missing,
            refusal,
            unknown_field,
        })
    })
}

/// The happy path of [`from_yaml`], which needs no field paths: the reader of the spec subset
/// (`yaml/subset`). `None` outside the subset or when it fails (`from_yaml` then parses with
/// serde-saphyr, tracking paths): a valid spec parses once.
///
/// There is no serde-saphyr parse without `serde_path_to_error` in between (as there was at
/// first): it made every caller of `from_yaml::<T>` compile serde-saphyr's deserializer for
/// `T`'s whole type tree once more, about a third of a `build.rs` that reads one spec, to save
/// about 6 % of parsing on the rare valid spec outside the subset (issue 18, compile time).
fn read_fast<T: DeserializeOwned>(text: &str) -> Option<T> {
    if !FAST_READER.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    subset::from_subset(text)
}

/// Process-wide, not per thread: the parses of a test that turns it off may run on worker
/// threads (`k3score::par`, e.g. k3sgen's `generate`).
static FAST_READER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns [`from_yaml`]'s happy path off (`false`: every parse goes through serde-saphyr with
/// path tracking, as before issue 18) or on again, for the whole process (threads started by
/// [`crate::par`] included): for the tests that check that both give the same results, not
/// for other use.
#[doc(hidden)]
pub fn set_fast_reader(on: bool) {
    FAST_READER.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Only the subset reader (`None` outside the subset): for the tests that compare it with
/// serde-saphyr, not for other use.
#[doc(hidden)]
pub fn from_yaml_subset<T: DeserializeOwned>(text: &str) -> Option<T> {
    subset::from_subset(text)
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
        match &err.0[0].kind {
            ErrorKind::Syntax { line, .. } => assert!(*line >= 1),
            other => panic!("unexpected {other:?}"),
        }
    }
}
