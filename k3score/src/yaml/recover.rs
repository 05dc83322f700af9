//! Recovering leaves: a bad value does not stop [`from_yaml`](super::from_yaml).
//!
//! A leaf type (a name, quantity, duration, port number, handler ...) checks its text while
//! it is deserialized. Outside `from_yaml` (serde_json, other formats) a bad value is an
//! error as usual. Inside, the parse runs with a *recovery allowance* of `k`: the first `k`
//! bad values are replaced by a placeholder (the unchecked text, or a neutral value) and
//! parsing goes on; the next one fails as usual, so serde's own machinery gives its field
//! path and serde-saphyr its line and column. `from_yaml` records that problem, raises the
//! allowance and parses again, until the document parses through or fails for a reason
//! that is not a leaf. A problem of shape (an unknown field, a value of the wrong type) is
//! edited out of the text instead (`skip.rs`) and the text parsed again; only broken YAML, a
//! missing field and a layout the edits do not understand end the read. A valid document
//! parses once, as before: the check of a good value never looks at the allowance.
//!
//! Placeholders never leave `from_yaml`: any recorded problem makes it an `Err`.
//! [`from_yaml_checked`](super::from_yaml_checked) also runs the semantic validation on the
//! placeholder-bearing value so that one run reports every problem of a file.

use std::cell::Cell;

use serde::de::{Deserialize, Deserializer};

use crate::error::ErrorKind;

/// The state of the innermost `from_yaml` run on this thread.
#[derive(Clone, Copy, Debug)]
pub(super) struct Allowance {
    /// How many bad leaves may still be replaced by a placeholder.
    pub(super) left: usize,
    /// Whether the parse stopped at a bad leaf (the allowance was used up).
    pub(super) stopped: bool,
}

thread_local! {
    static ALLOWANCE: Cell<Option<Allowance>> = const { Cell::new(None) };
}

/// Runs `parse` with `allowance` bad leaves to recover; returns its result and whether it
/// stopped at a bad leaf. Nested runs (a leaf parsing YAML itself) keep their own state.
pub(super) fn with_allowance<R>(left: usize, parse: impl FnOnce() -> R) -> (R, bool) {
    let outer = ALLOWANCE.replace(Some(Allowance { left, stopped: false }));
    let result = parse();
    let inner = ALLOWANCE.replace(outer);
    (result, inner.is_some_and(|a| a.stopped))
}

/// The result of a leaf's check, as its `Deserialize` impl returns it: the value; or, when
/// `from_yaml` still allows recovering, `placeholder()` (the problem is reported by
/// `from_yaml`); or the problem as the deserializer's error.
///
/// ```
/// use k3score::ErrorKind;
/// use k3score::yaml::recover;
/// // Outside `from_yaml` a bad value is an error, as with `#[serde(try_from)]`.
/// let bad: Result<u8, serde_json::Error> = recover(Err(ErrorKind::Invalid("too big".into())), || 0);
/// assert_eq!(bad.unwrap_err().to_string(), "too big");
/// ```
pub fn recover<T, E: serde::de::Error>(checked: Result<T, ErrorKind>, placeholder: impl FnOnce() -> T) -> Result<T, E> {
    let kind = match checked {
        Ok(value) => return Ok(value),
        Err(kind) => kind,
    };
    let recovered = ALLOWANCE.with(|cell| match cell.get() {
        Some(Allowance { left, .. }) if left > 0 => {
            cell.set(Some(Allowance {
                left: left - 1,
                stopped: false,
            }));
            true
        }
        Some(Allowance { left, .. }) => {
            cell.set(Some(Allowance { left, stopped: true }));
            false
        }
        None => false,
    });
    if recovered {
        Ok(placeholder())
    } else {
        Err(E::custom(kind))
    }
}

/// Deserializes a checked string newtype: reads a string, `check`s it and wraps it with
/// `wrap`; a bad value goes through [`recover`] with the unchecked text as its placeholder.
/// One allocation per value on the good path, as with `#[serde(try_from = "String")]`.
///
/// ```
/// use k3score::ErrorKind;
/// #[derive(Debug)]
/// struct Short(String);
/// impl<'de> serde::Deserialize<'de> for Short {
///     fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
///         let check = |s: &str| if s.len() <= 3 { Ok(()) } else { Err(ErrorKind::Invalid("too long".into())) };
///         k3score::yaml::checked_string(d, check, Short)
///     }
/// }
/// assert_eq!(serde_json::from_str::<Short>("\"abc\"").unwrap().0, "abc");
/// assert!(serde_json::from_str::<Short>("\"abcd\"").is_err());
/// let err = k3score::yaml::from_yaml::<Vec<Short>>("[abcd, ok, toolong]").unwrap_err();
/// assert_eq!(err.len(), 2, "{err}");
/// ```
pub fn checked_string<'de, D, T>(
    d: D,
    check: impl FnOnce(&str) -> Result<(), ErrorKind>,
    wrap: impl FnOnce(String) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = String::deserialize(d)?;
    match check(&raw) {
        Ok(()) => Ok(wrap(raw)),
        Err(kind) => recover(Err(kind), || wrap(raw)),
    }
}

#[cfg(test)]
mod tests {
    use crate::names::DnsLabel;
    use crate::yaml::from_yaml;

    #[derive(Debug, serde_derive::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Spec {
        a: DnsLabel,
        #[serde(default)]
        b: Option<DnsLabel>,
        #[serde(default)]
        c: Option<DnsLabel>,
        #[serde(default)]
        n: Option<u8>,
    }

    fn paths(text: &str) -> Vec<String> {
        from_yaml::<Spec>(text).unwrap_err().paths()
    }

    #[test]
    fn every_bad_value_is_reported_in_document_order() {
        assert_eq!(paths("a: A_1\nb: B_2\nc: C_3\n"), ["a", "b", "c"]);
        assert!(from_yaml::<Spec>("a: web\nb: api\n").is_ok());
    }

    /// `(path, line, column)` of every problem.
    fn places(text: &str) -> Vec<(String, u64, u64)> {
        from_yaml::<Spec>(text)
            .unwrap_err()
            .iter()
            .map(|e| match e.kind {
                crate::ErrorKind::Syntax { line, column, .. } => (e.path.to_string(), line, column),
                _ => (e.path.to_string(), 0, 0),
            })
            .collect()
    }

    fn place(path: &str, line: u64, column: u64) -> (String, u64, u64) {
        (path.to_owned(), line, column)
    }

    /// Issue 27: a problem of shape (an unknown field, a list or mapping where a value belongs,
    /// a value serde-saphyr cannot read as the field's type) no longer ends the read: it is
    /// reported, the entry is read as absent, and the bad values after it are reported too.
    #[test]
    fn a_problem_of_shape_does_not_end_the_read() {
        assert_eq!(
            places("a: A_1\nx: 1\nb: B_2\n"),
            [place("a", 1, 4), place("x", 2, 1), place("b", 3, 4)]
        );
        assert_eq!(
            places("a: A_1\nb: [B_2]\nc: C_3\n"),
            [place("a", 1, 4), place("b", 2, 4), place("c", 3, 4)]
        );
        assert_eq!(
            places("a: A_1\nn: 300\nc: C_3\n"),
            [place("a", 1, 4), place("n", 2, 4), place("c", 3, 4)]
        );
        assert_eq!(
            places("{a: A_1, n: many, x: {y: 1}, c: C_3}"),
            [
                place("a", 1, 5),
                place("n", 1, 13),
                place("x", 1, 19),
                place("c", 1, 33)
            ]
        );
        // A required field of the wrong shape gets an empty stand-in (whose own problems are
        // consequences, not reported).
        assert_eq!(places("a: [x]\nb: B_2\n"), [place("a", 1, 4), place("b", 2, 4)]);
        // A missing field is found at the end of its mapping (the root here) and still ends it.
        assert_eq!(paths("b: B_2\n"), ["b", "(root)"]);
    }

    #[test]
    fn the_parses_are_capped() {
        let text: String = (0..150).map(|i| format!("x{i}: 1\n")).collect();
        let errors = from_yaml::<Spec>(&format!("a: web\n{text}")).unwrap_err();
        assert_eq!(errors.len(), 100);
    }

    #[test]
    fn outside_from_yaml_a_bad_value_is_an_error() {
        assert!(serde_json::from_str::<Spec>(r#"{"a": "A_1"}"#).is_err());
        assert!(serde_json::from_str::<Spec>(r#"{"a": "a-1"}"#).is_ok());
    }
}
