//! Errors that name the field they concern, collected all at once.
//!
//! Every validation in the suite reports into a [`Problems`] collector so a
//! user sees every mistake in a spec file in one run, each with the path of
//! the offending field (`apps[0].ports[1].name`).

use std::borrow::Cow;
use std::fmt;

mod validate;

pub use validate::Validate;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A named field or map key (`name`, `DATABASE_URL`); field names are static, so building
    /// a path during validation allocates only for map keys.
    Field(Cow<'static, str>),
    /// A position in a list (`[1]`).
    Index(usize),
}

/// The path of a field inside a spec, printed as `apps[0].ports[1].name`.
///
/// ```
/// use k3score::FieldPath;
/// let path = FieldPath::root().field("ports").index(1).field("name");
/// assert_eq!(path.to_string(), "ports[1].name");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The empty path: the spec itself.
    #[must_use]
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path followed by a field or map key.
    #[must_use]
    pub fn field(&self, name: impl Into<Cow<'static, str>>) -> Self {
        let mut next = Vec::with_capacity(self.0.len() + 1);
        next.extend_from_slice(&self.0);
        next.push(Segment::Field(name.into()));
        Self(next)
    }

    /// This path followed by a list index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut next = Vec::with_capacity(self.0.len() + 1);
        next.extend_from_slice(&self.0);
        next.push(Segment::Index(index));
        Self(next)
    }

    /// `prefix` followed by this path (used when a spec is nested in a larger one).
    #[must_use]
    pub fn under(&self, prefix: &FieldPath) -> Self {
        let mut segments = prefix.0.clone();
        segments.extend(self.0.iter().cloned());
        Self(segments)
    }

    /// The segments of the path, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this path is `prefix` or lies under it (`ports[1].name` is under `ports[1]`).
    ///
    /// ```
    /// use k3score::FieldPath;
    /// let port = FieldPath::root().field("ports").index(1);
    /// assert!(port.field("name").starts_with(&port));
    /// assert!(!FieldPath::root().field("ports").starts_with(&port));
    /// ```
    #[must_use]
    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// Whether this is the root path.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Field(name) if i == 0 => f.write_str(name)?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A [`FieldPath`] under construction, borrowed from the stack: validation walks a spec with
/// these and builds an owned [`FieldPath`] only when it records a problem, so checking a valid
/// spec allocates no path.
///
/// ```
/// use k3score::{ErrorKind, FieldPath, PathRef, Problems};
/// let mut problems = Problems::default();
/// let ports = PathRef::ROOT.field("ports");
/// let port = ports.index(1);
/// problems.push(port.field("name"), ErrorKind::Invalid("too long".into()));
/// assert_eq!(port.field("name").to_string(), "ports[1].name");
/// let errors = problems.finish(()).unwrap_err();
/// assert_eq!(errors.0[0].path, FieldPath::root().field("ports").index(1).field("name"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PathRef<'a>(Link<'a>);

#[derive(Clone, Copy, Debug)]
enum Link<'a> {
    /// The empty path.
    Root,
    /// An owned path.
    Base(&'a FieldPath),
    /// The parent followed by a field or map key.
    Field(&'a PathRef<'a>, &'a str),
    /// The parent followed by a list index.
    Index(&'a PathRef<'a>, usize),
}

impl PathRef<'_> {
    /// The empty path: the spec itself. A constant, so `PathRef::ROOT.field("apps")` may be
    /// kept in a `let`.
    pub const ROOT: PathRef<'static> = PathRef(Link::Root);

    /// This path followed by a field or map key.
    #[must_use]
    pub fn field<'b>(&'b self, name: &'b str) -> PathRef<'b> {
        PathRef(Link::Field(self, name))
    }

    /// This path followed by a list index.
    #[must_use]
    pub fn index(&self, index: usize) -> PathRef<'_> {
        PathRef(Link::Index(self, index))
    }

    /// The owned path (allocates: for recording a problem or keeping the path).
    #[must_use]
    pub fn to_path(self) -> FieldPath {
        let mut tail = Vec::new();
        let mut link = self.0;
        let base = loop {
            match link {
                Link::Root => break &[][..],
                Link::Base(base) => break &base.0[..],
                Link::Field(parent, name) => {
                    tail.push(Segment::Field(Cow::Owned(name.to_owned())));
                    link = parent.0;
                }
                Link::Index(parent, index) => {
                    tail.push(Segment::Index(index));
                    link = parent.0;
                }
            }
        };
        let mut segments = Vec::with_capacity(base.len() + tail.len());
        segments.extend_from_slice(base);
        segments.extend(tail.into_iter().rev());
        FieldPath(segments)
    }
}

impl<'a> From<&'a FieldPath> for PathRef<'a> {
    fn from(path: &'a FieldPath) -> Self {
        PathRef(Link::Base(path))
    }
}

impl<'a> From<&PathRef<'a>> for PathRef<'a> {
    fn from(path: &PathRef<'a>) -> Self {
        *path
    }
}

impl From<PathRef<'_>> for FieldPath {
    fn from(path: PathRef<'_>) -> Self {
        path.to_path()
    }
}

impl fmt::Display for PathRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_path().fmt(f)
    }
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A name does not follow the Kubernetes grammar it must follow.
    #[error("invalid {grammar} {value:?}: {reason}")]
    InvalidName {
        /// The grammar (`DNS-1123 label`, `IANA port name`, ...).
        grammar: &'static str,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A quantity (`250m`, `512Mi`) could not be parsed or is out of range.
    #[error("invalid quantity {value:?}: {reason}")]
    InvalidQuantity {
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A value is syntactically fine but not allowed here.
    #[error("{0}")]
    Invalid(String),
    /// A required value is missing.
    #[error("missing: {0}")]
    Missing(String),
    /// Two values conflict (min above max, a field set twice, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The same name is used twice where names must be unique.
    #[error("duplicate {what} {name:?}")]
    Duplicate {
        /// What kind of thing is duplicated (`port name`, `object`).
        what: &'static str,
        /// The duplicated name.
        name: String,
    },
    /// A `${VAR}` reference names a variable that is not in the variables map.
    #[error("undefined variable ${{{0}}}")]
    UndefinedVariable(String),
    /// A local secret has no value in the provided `.env` map.
    #[error("secret {secret:?} has no value for key {key:?} in the provided values")]
    MissingSecretValue {
        /// The secret name.
        secret: String,
        /// The missing key.
        key: String,
    },
    /// The target (its ingress controller, secret backend ...) cannot express a feature.
    #[error("{feature} is not supported by {by}: {why}")]
    Unsupported {
        /// The feature asked for.
        feature: String,
        /// Who cannot do it (`HAProxy`, `the local target`).
        by: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// The input is not valid YAML or does not match the spec's shape.
    #[error("{message}{}", position(*line, *column))]
    Syntax {
        /// 1-based line, 0 when unknown (the caller then places it by its path).
        line: u64,
        /// 1-based column, 0 when unknown.
        column: u64,
        /// The parser's message.
        message: String,
        /// For an unknown key or value: the allowed one closest to it, when one is close
        /// (`replicas` for `replica`; see [`crate::suggest`]), for editors to offer as the fix.
        suggestion: Option<String>,
    },
    /// Serializing output failed.
    #[error("serialization failed: {0}")]
    Serialize(String),
}

/// ` (line L, column C)`, or nothing when the position is unknown.
fn position(line: u64, column: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line}, column {column})")
    }
}

impl ErrorKind {
    /// The allowed key or value closest to an unknown one, when one is close.
    ///
    /// ```
    /// let errors = k3score::yaml::from_yaml::<k3score::resources::Resources>("cpus: 1\n").unwrap_err();
    /// assert_eq!(errors.0[0].kind.suggestion(), Some("cpu"));
    /// ```
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            Self::Syntax { suggestion, .. } => suggestion.as_deref(),
            _ => None,
        }
    }
}

/// One problem: where it is and what it is.
///
/// ```
/// use k3score::{Error, ErrorKind, FieldPath};
/// let err = Error::new(FieldPath::root().field("env").field("DATABASE_URL"),
///     ErrorKind::UndefinedVariable("DB_HOST".into()));
/// assert_eq!(err.to_string(), "env.DATABASE_URL: undefined variable ${DB_HOST}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", path_prefix(path))]
pub struct Error {
    /// The field the problem concerns.
    pub path: FieldPath,
    /// What is wrong.
    #[source]
    pub kind: ErrorKind,
}

/// `path: `, or nothing for a problem with the whole input (a YAML syntax error).
fn path_prefix(path: &FieldPath) -> String {
    if path.is_root() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

impl Error {
    /// A problem at `path`.
    #[must_use]
    pub fn new(path: FieldPath, kind: ErrorKind) -> Self {
        Self { path, kind }
    }

    /// The same problem, with its path nested under `prefix`.
    #[must_use]
    pub fn under(self, prefix: &FieldPath) -> Self {
        Self {
            path: self.path.under(prefix),
            kind: self.kind,
        }
    }
}

/// Every problem found in one validation or render, in the order found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    /// The problems, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Error> {
        self.0.iter()
    }

    /// How many problems there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no problem.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same problems with their paths nested under `prefix`.
    #[must_use]
    pub fn under(self, prefix: &FieldPath) -> Self {
        Self(self.0.into_iter().map(|e| e.under(prefix)).collect())
    }

    /// Every problem as printed (`ports[1].name: invalid ...`), in the order found: what a
    /// report lists and what a test compares.
    ///
    /// ```
    /// use k3score::{Error, ErrorKind, Errors, FieldPath};
    /// let errors = Errors::from(Error::new(FieldPath::root().field("replicas"), ErrorKind::Missing("a count".into())));
    /// assert_eq!(errors.messages(), ["replicas: missing: a count"]);
    /// ```
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        messages(&self.0)
    }

    /// The path of every problem as printed (`ports[1].name`), in the order found.
    ///
    /// ```
    /// let errors = k3score::yaml::from_yaml::<k3score::resources::Resources>("cpu: x\nmemry: 1\n").unwrap_err();
    /// assert_eq!(errors.paths(), ["cpu", "memry"]);
    /// ```
    #[must_use]
    pub fn paths(&self) -> Vec<String> {
        self.0.iter().map(|e| e.path.to_string()).collect()
    }
}

/// Each error as printed, in order.
fn messages(errors: &[Error]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

impl From<Error> for Errors {
    fn from(error: Error) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for Errors {
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

impl std::error::Error for Errors {}

impl<'a> IntoIterator for &'a Errors {
    type Item = &'a Error;
    type IntoIter = std::slice::Iter<'a, Error>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The result type of validation and rendering: every problem at once.
pub type Result<T, E = Errors> = std::result::Result<T, E>;

/// Collects problems during validation, so that all of them are reported together.
///
/// ```
/// use k3score::{ErrorKind, FieldPath, Problems};
/// let mut problems = Problems::default();
/// let root = FieldPath::root();
/// problems.push(root.field("replicas"), ErrorKind::Invalid("must be at least 1".into()));
/// problems.push(root.field("image"), ErrorKind::Missing("an image reference".into()));
/// let errors = problems.finish(()).unwrap_err();
/// assert_eq!(errors.len(), 2);
/// ```
#[derive(Debug, Default)]
pub struct Problems(Vec<Error>);

impl Problems {
    /// Records a problem at `path` (a [`FieldPath`], or a [`PathRef`] made owned only here).
    pub fn push(&mut self, path: impl Into<FieldPath>, kind: ErrorKind) {
        self.0.push(Error::new(path.into(), kind));
    }

    /// Records an already-built error.
    pub fn push_error(&mut self, error: Error) {
        self.0.push(error);
    }

    /// Records every problem of `errors`.
    pub fn extend(&mut self, errors: Errors) {
        self.0.extend(errors.0);
    }

    /// Keeps the value of `result`, or records its problem at `path` and returns `None`
    /// (`path` is a `&FieldPath` or a [`PathRef`]: only an error makes it owned).
    pub fn check<'p, T>(&mut self, path: impl Into<PathRef<'p>>, result: Result<T, ErrorKind>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(kind) => {
                self.push(path.into(), kind);
                None
            }
        }
    }

    /// Keeps the value of `result`, or records all of its problems and returns `None`.
    pub fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.extend(errors);
                None
            }
        }
    }

    /// Whether no problem has been recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem recorded so far as printed (`path: what`), in order; empty when none
    /// (see [`Errors::messages`]).
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        messages(&self.0)
    }

    /// `Ok(value)` if nothing was recorded, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Errors(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_spec_files() {
        let p = FieldPath::root().field("apps").index(2).field("scaling").field("max");
        assert_eq!(p.to_string(), "apps[2].scaling.max");
        let inner = FieldPath::root().field("ports").index(0);
        assert_eq!(
            inner.under(&FieldPath::root().field("apps").index(1)).to_string(),
            "apps[1].ports[0]"
        );
        assert_eq!(FieldPath::root().to_string(), "(root)");
    }

    #[test]
    fn problems_collect_everything() {
        let mut problems = Problems::default();
        let ok: Option<u8> = problems.check(&FieldPath::root().field("a"), Ok(1));
        assert_eq!(ok, Some(1));
        let bad: Option<u8> = problems.check(&FieldPath::root().field("b"), Err(ErrorKind::Missing("b".into())));
        assert_eq!(bad, None);
        problems.push(FieldPath::root().field("c"), ErrorKind::Invalid("no".into()));
        let errors = problems.finish(()).unwrap_err();
        assert_eq!(errors.to_string(), "b: missing: b\nc: no");
    }
}
