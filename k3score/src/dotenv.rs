//! `.env` files: the explicit source of `${VAR}` values and local secret values.
//!
//! Grammar (the subset docker compose and most tools agree on): one `KEY=VALUE` per line,
//! optional `export ` prefix, `#` comments and blank lines ignored, values optionally in
//! single quotes (taken literally) or double quotes (`\n`, `\"`, `\\` escapes), unquoted
//! values trimmed and cut at ` #`. Keys are environment variable names, or `SECRET.KEY`
//! (letters, digits, `_`, `.` and `-`, not starting with a digit) so that one file can
//! also carry the values of local secrets (see `secrets`). Reading the file is the
//! caller's job: parsing is pure.

use std::collections::BTreeMap;

use crate::error::{ErrorKind, FieldPath, Problems, Result};

/// A `.env` key: an environment variable name or a `SECRET.KEY` pair.
fn check_key(key: &str) -> Result<(), ErrorKind> {
    let valid = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ErrorKind::InvalidName {
            grammar: ".env key",
            value: key.to_owned(),
            reason: "must be letters, digits, '_', '.' or '-', starting with a letter or '_'".into(),
        })
    }
}

/// Parses `.env` text into a map; every bad line is reported with its line number.
///
/// ```
/// let vars = k3score::dotenv::parse("# db\nDB_HOST=postgres\nexport MODE='a b'\nMSG=\"hi\\nthere\"\n").unwrap();
/// assert_eq!(vars["DB_HOST"], "postgres");
/// assert_eq!(vars["MODE"], "a b");
/// assert_eq!(vars["MSG"], "hi\nthere");
/// assert!(k3score::dotenv::parse("not a pair\n").is_err());
/// ```
pub fn parse(text: &str) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    let mut problems = Problems::default();
    for (i, raw) in text.lines().enumerate() {
        let path = FieldPath::root().field(format!("line {}", i + 1));
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            problems.push(path, ErrorKind::Invalid(format!("expected KEY=VALUE, got {raw:?}")));
            continue;
        };
        let key = key.trim();
        if let Err(kind) = check_key(key) {
            problems.push(path, kind);
            continue;
        }
        match unquote(value.trim()) {
            Ok(value) => {
                values.insert(key.to_owned(), value);
            }
            Err(reason) => problems.push(path, ErrorKind::Invalid(reason)),
        }
    }
    problems.finish(values)
}

fn unquote(value: &str) -> std::result::Result<String, String> {
    if let Some(rest) = value.strip_prefix('\'') {
        return rest
            .strip_suffix('\'')
            .map(str::to_owned)
            .ok_or_else(|| "unterminated single quote".to_owned());
    }
    if let Some(rest) = value.strip_prefix('"') {
        let inner = rest
            .strip_suffix('"')
            .ok_or_else(|| "unterminated double quote".to_owned())?;
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return Ok(out);
    }
    if value.starts_with('#') {
        return Ok(String::new());
    }
    let cut = value.find(" #").map_or(value, |i| &value[..i]);
    Ok(cut.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_line_is_reported() {
        let err = parse("A=1\nnope\n1B=2\nC='x\n").unwrap_err();
        assert_eq!(err.len(), 3);
        assert!(err.to_string().starts_with("line 2: expected KEY=VALUE"), "{err}");
        assert!(err.to_string().contains("line 3: invalid .env key"), "{err}");
        assert!(err.to_string().contains("line 4: unterminated single quote"), "{err}");
    }

    #[test]
    fn comments_and_empty_values() {
        let v = parse("A= # nothing\nB=x # trailing\nC=\norders-db.password=pw\n").unwrap();
        assert_eq!(v["orders-db.password"], "pw");
        assert_eq!(v["A"], "");
        assert_eq!(v["B"], "x");
        assert_eq!(v["C"], "");
    }
}
