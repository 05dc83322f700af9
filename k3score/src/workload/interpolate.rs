//! Variable interpolation: the one mechanism behind `${VAR}` in spec env values and the
//! Compose forms (`${VAR:-default}` and friends) of compose files, with the rules as a
//! [`Policy`].
//!
//! | form | [`Policy::WORKLOAD`] | [`Policy::COMPOSE`] |
//! |---|---|---|
//! | `${VAR}` | the value; undefined → [`ErrorKind::UndefinedVariable`] | the value; unset → empty string, reported in [`Interpolated::unset`] (a warning) |
//! | `$VAR` | literal text (`$HOME` stays for the container's shell) | like `${VAR}` |
//! | `${VAR:-default}`, `${VAR-default}` | error: no operators | `default` when VAR is unset or empty (`:-`) / unset (`-`) |
//! | `${VAR:?message}`, `${VAR?message}` | error: no operators | error `message` when VAR is unset or empty (`:?`) / unset (`?`) |
//! | `${VAR:+alt}`, `${VAR+alt}` | error: no operators | `alt` when VAR is set and not empty (`:+`) / set (`+`), else empty |
//! | `$$` | a literal `$` | a literal `$` |
//! | any other `$` | literal text (`$5`, `$(K8S_VAR)`) | error: write `$$` |
//!
//! The Compose column follows the Compose Specification, "Interpolation"; defaults and
//! alternatives are interpolated themselves (`${A:-${B:-x}}`). Every problem of a text is
//! reported, not only the first.

use std::collections::BTreeMap;

use crate::error::{ErrorKind, PathRef, Problems};

/// The rules of one kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Compose forms: `$VAR` without braces, the `:-` `-` `:?` `?` `:+` `+` operators, and a
    /// stray `$` is an error. Without them only `${VAR}` and `$$` are special.
    pub compose_forms: bool,
    /// Whether a variable read without a default must be defined (an error if not), or reads
    /// as an empty string and is listed in [`Interpolated::unset`].
    pub require_defined: bool,
}

impl Policy {
    /// Spec env values: `${VAR}` must be defined; no operators; other `$` are literal.
    pub const WORKLOAD: Policy = Policy {
        compose_forms: false,
        require_defined: true,
    };
    /// Compose files: every Compose form; unset variables read as empty (a warning).
    pub const COMPOSE: Policy = Policy {
        compose_forms: true,
        require_defined: false,
    };
}

/// An interpolated text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interpolated {
    /// The text with every reference replaced.
    pub value: String,
    /// Variables read without a default that were not set (only under a policy that does not
    /// require them), in order of first use.
    pub unset: Vec<String>,
}

/// Interpolates `text` with `variables` under `policy`.
///
/// # Errors
/// Every problem of the text: malformed references, operators the policy does not allow,
/// undefined variables the policy requires, `?` forms whose variable is missing.
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::workload::{interpolate, Policy};
/// let vars = BTreeMap::from([("TAG".to_owned(), "1.27".to_owned())]);
/// let out = interpolate("nginx:${TAG}-${VARIANT:-alpine} $$5", &vars, Policy::COMPOSE).unwrap();
/// assert_eq!(out.value, "nginx:1.27-alpine $5");
/// let errors = interpolate("${TAG} ${HOST} ${PORT}", &vars, Policy::WORKLOAD).unwrap_err();
/// assert_eq!(errors.len(), 2);
/// ```
pub fn interpolate(
    text: &str,
    variables: &BTreeMap<String, String>,
    policy: Policy,
) -> Result<Interpolated, Vec<ErrorKind>> {
    let mut run = Run {
        vars: variables,
        policy,
        unset: Vec::new(),
        errors: Vec::new(),
    };
    let value = run.text(text);
    if run.errors.is_empty() {
        Ok(Interpolated {
            value,
            unset: run.unset,
        })
    } else {
        Err(run.errors)
    }
}

/// Interpolates `text` under [`Policy::WORKLOAD`], recording every problem at `path`; `None`
/// if anything was recorded.
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::workload::substitute;
/// use k3score::{PathRef, Problems};
/// let vars = BTreeMap::from([("DB_HOST".to_owned(), "postgres".to_owned())]);
/// let mut problems = Problems::default();
/// let out = substitute("postgres://${DB_HOST}:5432 costs $$5", &vars, PathRef::ROOT, &mut problems);
/// assert_eq!(out.as_deref(), Some("postgres://postgres:5432 costs $5"));
/// ```
pub fn substitute(
    text: &str,
    variables: &BTreeMap<String, String>,
    path: PathRef<'_>,
    problems: &mut Problems,
) -> Option<String> {
    match interpolate(text, variables, Policy::WORKLOAD) {
        Ok(done) => Some(done.value),
        Err(errors) => {
            for kind in errors {
                problems.push(path, kind);
            }
            None
        }
    }
}

/// Records malformed `${...}` syntax in `text` at `path`. Variables are not looked up:
/// undefined ones are reported at render time, when the variables are known.
pub(crate) fn check_syntax(text: &str, path: PathRef<'_>, problems: &mut Problems) {
    let policy = Policy {
        require_defined: false,
        ..Policy::WORKLOAD
    };
    if let Err(errors) = interpolate(text, &BTreeMap::new(), policy) {
        for kind in errors {
            problems.push(path, kind);
        }
    }
}

struct Run<'a> {
    vars: &'a BTreeMap<String, String>,
    policy: Policy,
    unset: Vec<String>,
    errors: Vec<ErrorKind>,
}

impl Run<'_> {
    fn text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(r) = after.strip_prefix('$') {
                out.push('$');
                rest = r;
            } else if let Some(r) = after.strip_prefix('{') {
                let Some(end) = closing_brace(r) else {
                    self.errors.push(ErrorKind::Invalid(format!(
                        "unterminated ${{ in {text:?}; write $${{ for a literal ${{"
                    )));
                    return out;
                };
                let value = self.braced(&r[..end]);
                out.push_str(&value);
                rest = &r[end + 1..];
            } else if self.policy.compose_forms {
                let len = name_len(after);
                if len == 0 || after.starts_with(|c: char| c.is_ascii_digit()) {
                    let next = after.chars().next().map(String::from).unwrap_or_default();
                    self.errors.push(ErrorKind::Invalid(format!(
                        "\"${next}\" is not a variable reference; write $$ for a literal $"
                    )));
                    out.push('$');
                    rest = after;
                } else {
                    let value = self.lookup(&after[..len]);
                    out.push_str(&value);
                    rest = &after[len..];
                }
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    /// The value of a defined variable, or (recorded as undefined / unset) an empty string.
    fn lookup(&mut self, name: &str) -> String {
        if let Some(value) = self.vars.get(name) {
            return value.clone();
        }
        if self.policy.require_defined {
            self.errors.push(ErrorKind::UndefinedVariable(name.to_owned()));
        } else if !self.unset.iter().any(|u| u == name) {
            self.unset.push(name.to_owned());
        }
        String::new()
    }

    /// `inner` is the text between `${` and its `}`.
    fn braced(&mut self, inner: &str) -> String {
        let len = name_len(inner);
        let name = &inner[..len];
        let op = &inner[len..];
        // A reference names a variable of letters, digits and '_' not starting with a digit
        // (Compose Specification, "Interpolation"; the same for spec env values).
        let bad_name = name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit());
        if bad_name || (!op.is_empty() && !self.policy.compose_forms) {
            let why = if self.policy.compose_forms {
                "names are letters, digits and '_', optionally followed by :-, -, :?, ?, :+ or +"
            } else {
                "names are letters, digits and '_' (no defaults or operators)"
            };
            self.errors.push(ErrorKind::Invalid(format!(
                "\"${{{inner}}}\" is not a variable reference: {why}"
            )));
            return String::new();
        }
        if op.is_empty() {
            return self.lookup(name);
        }
        let value = self.vars.get(name).cloned();
        let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
        let (colon, rest) = match op.strip_prefix(':') {
            Some(rest) => (true, rest),
            None => (false, op),
        };
        // `:` tests "set and not empty", no `:` tests "set".
        let set = if colon { non_empty } else { value.is_some() };
        let (operator, argument) = rest.split_at(rest.chars().next().map_or(0, char::len_utf8));
        match operator {
            "-" if set => value.unwrap_or_default(),
            "-" => self.text(argument),
            "?" if set => value.unwrap_or_default(),
            "?" => {
                let message = self.text(argument);
                self.errors.push(ErrorKind::Invalid(if message.is_empty() {
                    format!("required variable {name} is missing a value")
                } else {
                    format!("required variable {name} is missing a value: {message}")
                }));
                String::new()
            }
            "+" if set => self.text(argument),
            "+" => String::new(),
            _ => {
                self.errors.push(ErrorKind::Invalid(format!(
                    "\"${{{inner}}}\" is not a variable reference: after the name comes :-, -, :?, ?, :+ or +"
                )));
                String::new()
            }
        }
    }
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

#[cfg(test)]
mod tests;
