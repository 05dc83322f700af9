//! Compose interpolation (`${VAR:-default}` and friends), applied to every scalar string of the
//! YAML tree before the typed model is parsed, exactly as the Compose Specification's
//! "Interpolation" section describes:
//!
//! | form | value |
//! |---|---|
//! | `$VAR`, `${VAR}` | the value; unset → empty string and a warning |
//! | `${VAR:-default}` | `default` when VAR is unset or empty |
//! | `${VAR-default}` | `default` when VAR is unset |
//! | `${VAR:?err}` | error `err` when VAR is unset or empty |
//! | `${VAR?err}` | error `err` when VAR is unset |
//! | `${VAR:+alt}` | `alt` when VAR is set and not empty, else empty |
//! | `${VAR+alt}` | `alt` when VAR is set, else empty |
//! | `$$` | a literal `$` |
//!
//! Defaults and alternatives are interpolated themselves (`${A:-${B:-x}}`).

use std::collections::BTreeMap;

use k3score::{ErrorKind, FieldPath, Problems};

use crate::Warning;
use crate::tree::Node;

/// Interpolates `text`; the unset variables read without a default are pushed to `unset`.
///
/// # Errors
/// A message for malformed syntax or a `?` form whose variable is missing.
pub(crate) fn interpolate(
    text: &str,
    vars: &BTreeMap<String, String>,
    unset: &mut Vec<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let end =
                closing_brace(r).ok_or_else(|| format!("invalid interpolation format: unterminated \"${{{r}\""))?;
            out.push_str(&braced(&r[..end], vars, unset)?);
            rest = &r[end + 1..];
        } else {
            let len = name_len(after);
            if len == 0 || after.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!(
                    "invalid interpolation format: \"${}\" (write $$ for a literal $)",
                    after.chars().next().map(String::from).unwrap_or_default()
                ));
            }
            out.push_str(&lookup(&after[..len], vars, unset));
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The index of the `}` closing a `${`, counting nested braces.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn name_len(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len())
}

fn lookup(name: &str, vars: &BTreeMap<String, String>, unset: &mut Vec<String>) -> String {
    if let Some(value) = vars.get(name) {
        value.clone()
    } else {
        if !unset.iter().any(|u| u == name) {
            unset.push(name.to_owned());
        }
        String::new()
    }
}

fn braced(inner: &str, vars: &BTreeMap<String, String>, unset: &mut Vec<String>) -> Result<String, String> {
    let len = name_len(inner);
    let name = &inner[..len];
    if len == 0 || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("invalid interpolation format: \"${{{inner}}}\""));
    }
    let value = vars.get(name);
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let op = &inner[len..];
    let required = |message: &str| {
        let message = interpolate(message, vars, &mut Vec::new()).unwrap_or_else(|_| message.to_owned());
        if message.is_empty() {
            format!("required variable {name} is missing a value")
        } else {
            format!("required variable {name} is missing a value: {message}")
        }
    };
    if op.is_empty() {
        return Ok(lookup(name, vars, unset));
    }
    let pick = |cond: bool, other: &str, unset: &mut Vec<String>| -> Result<String, String> {
        if cond {
            Ok(value.cloned().unwrap_or_default())
        } else {
            interpolate(other, vars, unset)
        }
    };
    if let Some(default) = op.strip_prefix(":-") {
        pick(non_empty, default, unset)
    } else if let Some(default) = op.strip_prefix('-') {
        pick(value.is_some(), default, unset)
    } else if let Some(message) = op.strip_prefix(":?") {
        if non_empty {
            Ok(value.cloned().unwrap_or_default())
        } else {
            Err(required(message))
        }
    } else if let Some(message) = op.strip_prefix('?') {
        value.cloned().ok_or_else(|| required(message))
    } else if let Some(alt) = op.strip_prefix(":+") {
        if non_empty {
            interpolate(alt, vars, unset)
        } else {
            Ok(String::new())
        }
    } else if let Some(alt) = op.strip_prefix('+') {
        if value.is_some() {
            interpolate(alt, vars, unset)
        } else {
            Ok(String::new())
        }
    } else {
        Err(format!("invalid interpolation format: \"${{{inner}}}\""))
    }
}

/// Interpolates every string scalar of `node` in place; errors and warnings name the key.
pub(crate) fn interpolate_tree(
    node: &mut Node,
    path: &FieldPath,
    vars: &BTreeMap<String, String>,
    problems: &mut Problems,
    warnings: &mut Vec<Warning>,
) {
    match node {
        Node::Str(text) if text.contains('$') => {
            let mut unset = Vec::new();
            match interpolate(text, vars, &mut unset) {
                Ok(value) => *text = value,
                Err(message) => problems.push(path.clone(), ErrorKind::Invalid(message)),
            }
            for name in unset {
                warnings.push(Warning::new(
                    path.clone(),
                    format!("variable {name} is not set; using an empty string"),
                ));
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                interpolate_tree(item, &path.index(i), vars, problems, warnings);
            }
        }
        Node::Map(map) => {
            for (key, value) in map.iter_mut() {
                interpolate_tree(value, &path.field(key.clone()), vars, problems, warnings);
            }
        }
        Node::Null | Node::Bool(_) | Node::Int(_) | Node::Float(_) | Node::Str(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("SET".to_owned(), "value".to_owned()),
            ("EMPTY".to_owned(), String::new()),
            ("TAG".to_owned(), "1.27".to_owned()),
        ])
    }

    fn run(text: &str) -> Result<(String, Vec<String>), String> {
        let mut unset = Vec::new();
        interpolate(text, &vars(), &mut unset).map(|s| (s, unset))
    }

    fn ok(text: &str) -> String {
        run(text).unwrap().0
    }

    #[test]
    fn plain_forms() {
        assert_eq!(ok("nginx:$TAG"), "nginx:1.27");
        assert_eq!(ok("nginx:${TAG}-alpine"), "nginx:1.27-alpine");
        assert_eq!(ok("$SET.$TAG"), "value.1.27");
        assert_eq!(ok("no variables"), "no variables");
        assert_eq!(
            run("a${MISSING}b").unwrap(),
            ("ab".to_owned(), vec!["MISSING".to_owned()])
        );
        assert_eq!(run("$MISSING").unwrap().1, ["MISSING"]);
    }

    #[test]
    fn escape() {
        assert_eq!(ok("$$"), "$");
        assert_eq!(ok("$${SET}"), "${SET}");
        assert_eq!(ok("cost: $$5 $$$SET"), "cost: $5 $value");
    }

    #[test]
    fn colon_dash_default() {
        assert_eq!(ok("${SET:-d}"), "value");
        assert_eq!(ok("${EMPTY:-d}"), "d");
        assert_eq!(ok("${MISSING:-d}"), "d");
        assert!(run("${MISSING:-d}").unwrap().1.is_empty());
    }

    #[test]
    fn dash_default() {
        assert_eq!(ok("${SET-d}"), "value");
        assert_eq!(ok("${EMPTY-d}"), "");
        assert_eq!(ok("${MISSING-d}"), "d");
        assert_eq!(ok("${MISSING-}"), "");
    }

    #[test]
    fn colon_question_required() {
        assert_eq!(ok("${SET:?must be set}"), "value");
        assert_eq!(
            run("${EMPTY:?must be set}").unwrap_err(),
            "required variable EMPTY is missing a value: must be set"
        );
        assert_eq!(
            run("${MISSING:?}").unwrap_err(),
            "required variable MISSING is missing a value"
        );
    }

    #[test]
    fn question_required() {
        assert_eq!(ok("${EMPTY?err}"), "");
        assert_eq!(
            run("${MISSING?set it in .env}").unwrap_err(),
            "required variable MISSING is missing a value: set it in .env"
        );
    }

    #[test]
    fn alternatives() {
        assert_eq!(ok("${SET:+alt}"), "alt");
        assert_eq!(ok("${EMPTY:+alt}"), "");
        assert_eq!(ok("${MISSING:+alt}"), "");
        assert_eq!(ok("${SET+alt}"), "alt");
        assert_eq!(ok("${EMPTY+alt}"), "alt");
        assert_eq!(ok("${MISSING+alt}"), "");
        assert_eq!(ok("${SET:+--tag=$TAG}"), "--tag=1.27");
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(ok("${MISSING:-${TAG}}"), "1.27");
        assert_eq!(ok("${MISSING:-${ALSO_MISSING:-deep}}"), "deep");
        assert_eq!(ok("${MISSING:-$SET/x}"), "value/x");
        assert_eq!(ok("${MISSING:-{literal}}"), "{literal}");
        assert_eq!(run("${MISSING:-${NOPE}}").unwrap().1, ["NOPE"]);
    }

    #[test]
    fn malformed() {
        assert!(run("${SET").unwrap_err().contains("unterminated"));
        assert!(run("${}").unwrap_err().contains("invalid interpolation format"));
        assert!(run("${SET:x}").unwrap_err().contains("invalid interpolation format"));
        assert!(run("100$").unwrap_err().contains("write $$"));
        assert!(run("$ 5").unwrap_err().contains("write $$"));
        assert!(run("${1A}").is_err());
    }

    #[test]
    fn tree_errors_name_key_and_variable() {
        let mut node = Node::parse(
            "services:\n  db:\n    environment:\n      PW: ${DB_PASSWORD:?set DB_PASSWORD}\n      X: $UNSET_ONE\n",
        )
        .unwrap();
        let mut problems = Problems::default();
        let mut warnings = Vec::new();
        interpolate_tree(&mut node, &FieldPath::root(), &vars(), &mut problems, &mut warnings);
        let errors = problems.finish(()).unwrap_err();
        assert_eq!(
            errors.to_string(),
            "services.db.environment.PW: required variable DB_PASSWORD is missing a value: set DB_PASSWORD"
        );
        assert_eq!(
            warnings[0].to_string(),
            "services.db.environment.X: variable UNSET_ONE is not set; using an empty string"
        );
    }
}
