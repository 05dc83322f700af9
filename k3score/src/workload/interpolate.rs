//! `${VAR}` substitution in env values.

use std::collections::BTreeMap;

use crate::error::{ErrorKind, FieldPath, Problems};
use crate::names::check_env_var_name;

/// Replaces `${VAR}` with `variables[VAR]` and `$$` with `$`, recording an
/// [`ErrorKind::UndefinedVariable`] for each unknown variable and an error for malformed
/// syntax at `path`. Returns `None` if anything was recorded.
///
/// ```
/// use std::collections::BTreeMap;
/// use k3score::workload::substitute;
/// use k3score::{FieldPath, Problems};
/// let vars = BTreeMap::from([("DB_HOST".to_owned(), "postgres".to_owned())]);
/// let mut problems = Problems::default();
/// let out = substitute("postgres://${DB_HOST}:5432 costs $$5", &vars, &FieldPath::root(), &mut problems);
/// assert_eq!(out.as_deref(), Some("postgres://postgres:5432 costs $5"));
/// ```
pub fn substitute(
    text: &str,
    variables: &BTreeMap<String, String>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut ok = true;
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let Some(end) = r.find('}') else {
                problems.push(
                    path.clone(),
                    ErrorKind::Invalid(format!("unterminated ${{ in {text:?}; write $${{ for a literal ${{")),
                );
                return None;
            };
            let name = &r[..end];
            if check_env_var_name(name).is_err() {
                problems.push(
                    path.clone(),
                    ErrorKind::Invalid(format!(
                        "${{{name}}}: variable names are letters, digits and '_' (no defaults or operators)"
                    )),
                );
                ok = false;
            } else if let Some(value) = variables.get(name) {
                out.push_str(value);
            } else {
                problems.push(path.clone(), ErrorKind::UndefinedVariable(name.to_owned()));
                ok = false;
            }
            rest = &r[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    ok.then_some(out)
}

/// Records malformed `${...}` syntax in `text` at `path`. Variables are not looked up:
/// undefined ones are reported at render time, when the variables are known.
pub(crate) fn check_syntax(text: &str, path: &FieldPath, problems: &mut Problems) {
    // Define every well-formed name, so that only syntax errors remain.
    let defined = text
        .split("${")
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
        .filter(|name| check_env_var_name(name).is_ok())
        .map(|name| (name, String::new()))
        .collect();
    substitute(text, &defined, path, problems);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<String, String> {
        let vars = BTreeMap::from([("A".to_owned(), "1".to_owned()), ("B_2".to_owned(), "two".to_owned())]);
        let mut problems = Problems::default();
        let path = FieldPath::root().field("env").field("X");
        let out = substitute(text, &vars, &path, &mut problems);
        problems.finish(out.unwrap_or_default()).map_err(|e| e.to_string())
    }

    #[test]
    fn substitution_rules() {
        assert_eq!(run("plain").unwrap(), "plain");
        assert_eq!(run("${A}-${B_2}").unwrap(), "1-two");
        assert_eq!(run("$${A} $$ $5 $(K8S) end$").unwrap(), "${A} $ $5 $(K8S) end$");
        assert_eq!(
            run("${MISSING} ${ALSO}").unwrap_err(),
            "env.X: undefined variable ${MISSING}\nenv.X: undefined variable ${ALSO}"
        );
        assert!(run("${A").unwrap_err().starts_with("env.X: unterminated ${"));
        assert!(run("${A:-x}").unwrap_err().contains("no defaults"));
        assert!(run("${}").is_err());
    }
}
