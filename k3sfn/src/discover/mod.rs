//! Discovery: functions declared by trigger decorators in Python and TypeScript/JavaScript
//! sources, with a small hand-written lexer per language (comments and strings never match).
//!
//! | language | files | grammar |
//! |---|---|---|
//! | Python | `.py` | `@http("/orders", methods=["GET"], visibility="public")` (or `@k3sfn.http`) on the line(s) before a module-level `def`/`async def`; keyword arguments |
//! | TypeScript / JavaScript | `.ts` `.tsx` `.mts` `.cts` `.js` `.mjs` `.cjs` | `export const listOrders = http("/orders", { methods: ["GET"] })(handler)` at the top level; options in camelCase or snake_case |
//!
//! Arguments are literals only: strings, numbers, booleans, `None`/`null` and lists of them.
//! The first positional argument is the trigger's main value (`path`, `list`, `cron`); the
//! options are the [`crate::Function`] and trigger fields (`name`, `visibility`, `image`,
//! `min_replicas`, `max_replicas`, `concurrency`; http: `methods`, `host`; queue: `length`,
//! `activation_length`, `addresses`, `master`; schedule: `timezone`, `concurrency_policy`,
//! `successful_history`, `failed_history`, `starting_deadline`, `retries`, `restart_policy`).
//!
//! Source paths are relative to the source folder: `billing/jobs.py` has the module
//! `billing.jobs` (Python) and `billing/jobs.ts` the module `billing/jobs` (TypeScript); the
//! handler is `module:function`, the function name is the source name in kebab case
//! (`list_orders`, `listOrders` -> `list-orders`) unless `name` is given.

mod build;
mod literal;
mod python;
mod typescript;

use std::collections::BTreeMap;
use std::fmt;

use k3score::names::{DnsLabel, bounded};

use crate::spec::Function;
use literal::Arg;

/// One decorated function found by a language scanner.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    /// The source name (`list_orders`, `listOrders`).
    ident: String,
    /// Line of the decorator or export.
    line: usize,
    /// `http`, `queue` or `schedule`.
    trigger: String,
    /// Literal arguments.
    args: Vec<Arg>,
}

/// A discovery problem: `file:line: message`.
///
/// ```
/// let err = k3sfn::discover(&[("jobs.py", "@queue(QUEUE_NAME)\ndef work(msg): ...\n")]).unwrap_err();
/// assert_eq!(err.to_string(),
///     "jobs.py:1: arguments must be literals (strings, numbers, booleans, lists), found `QUEUE_NAME`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DiscoveryError {
    /// The source path as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Every discovery problem, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveryErrors(pub Vec<DiscoveryError>);

impl fmt::Display for DiscoveryErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DiscoveryErrors {}

/// The language of a source path, by extension; `None` for other files (ignored).
fn language(path: &str) -> Option<(Lang, &str)> {
    if path.ends_with(".d.ts") {
        return None;
    }
    let (stem, ext) = path.rsplit_once('.')?;
    match ext {
        "py" => Some((Lang::Python, stem)),
        "ts" | "tsx" | "mts" | "cts" | "js" | "mjs" | "cjs" => Some((Lang::TypeScript, stem)),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    Python,
    TypeScript,
}

/// The handler module of a source path without extension.
fn module(stem: &str, lang: Lang) -> String {
    let stem = stem.trim_start_matches("./");
    match lang {
        Lang::Python => {
            let dotted = stem.replace('/', ".");
            dotted.strip_suffix(".__init__").unwrap_or(&dotted).to_owned()
        }
        Lang::TypeScript => stem.to_owned(),
    }
}

/// A source name as a function name: kebab case (`list_orders`, `listOrders` ->
/// `list-orders`), cut to 63 characters with a hash suffix when longer.
///
/// ```
/// assert_eq!(k3sfn::to_function_name("list_orders").unwrap().as_str(), "list-orders");
/// assert_eq!(k3sfn::to_function_name("onOrderCreated").unwrap().as_str(), "on-order-created");
/// assert_eq!(k3sfn::to_function_name(&"x".repeat(80)).unwrap().as_str().len(), 63);
/// assert!(k3sfn::to_function_name("_").is_none());
/// ```
#[must_use]
pub fn to_function_name(ident: &str) -> Option<DnsLabel> {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in ident.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('-');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    let trimmed = out.trim_matches('-');
    DnsLabel::new(bounded(trimmed, "", 63).trim_end_matches('-')).ok()
}

/// Finds the functions declared in `sources` (`(path, text)` pairs; `.py`, `.ts`, `.js` ...,
/// other files are ignored). Pure: callers read the files.
///
/// Returns every function or every problem as `file:line: message`: non-literal arguments,
/// unknown options, invalid values, decorators on classes or methods, and function names
/// found twice (in one file or across files).
///
/// ```
/// let found = k3sfn::discover(&[
///     ("orders.py", "# @http(\"/commented-out\")\n@http(\"/orders\", methods=[\"GET\"])\ndef list_orders(req): ...\n"),
///     ("jobs.ts", "export const nightly = schedule(\"0 3 * * *\", { timezone: \"UTC\" })(async () => {});\n"),
/// ]).unwrap();
/// assert_eq!(found.len(), 2);
/// assert_eq!(found[0].handler.as_str(), "orders:list_orders");
/// assert_eq!(found[1].handler.as_str(), "jobs:nightly");
/// ```
pub fn discover<P: AsRef<str>, T: AsRef<str>>(sources: &[(P, T)]) -> Result<Vec<Function>, DiscoveryErrors> {
    let mut functions = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (path, text) in sources {
        let path = path.as_ref();
        let Some((lang, stem)) = language(path) else {
            continue;
        };
        let error = |(line, message): (usize, String)| DiscoveryError {
            file: path.to_owned(),
            line,
            message,
        };
        let scanned = match lang {
            Lang::Python => python::lex(text.as_ref()).map(|toks| python::scan(&toks)),
            Lang::TypeScript => typescript::lex(text.as_ref()).map(|toks| typescript::scan(&toks)),
        };
        let (found, problems) = match scanned {
            Ok(result) => result,
            Err(problem) => {
                errors.push(error(problem));
                continue;
            }
        };
        errors.extend(problems.into_iter().map(error));
        let module = module(stem, lang);
        for item in found {
            match build::function(&item, &module) {
                Ok(function) => {
                    let key = function.name.to_string();
                    if let Some((file, line)) = seen.get(&key) {
                        errors.push(error((
                            item.line,
                            format!("duplicate function name {key:?} (also at {file}:{line})"),
                        )));
                    } else {
                        seen.insert(key, (path.to_owned(), item.line));
                        functions.push(function);
                    }
                }
                Err(problems) => errors.extend(problems.into_iter().map(error)),
            }
        }
    }
    errors.sort_by_key(|e| (sources.iter().position(|(p, _)| p.as_ref() == e.file), e.line));
    if errors.is_empty() {
        Ok(functions)
    } else {
        Err(DiscoveryErrors(errors))
    }
}
