//! Problems and warnings with their place: file, line, column and field path.

use std::fmt;
use std::path::{Path, PathBuf};

use k3score::{ErrorKind, Errors, FieldPath};

use crate::Locator;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde_derive::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is invalid; nothing is rendered for it.
    Error,
    /// Rendered, but something was not translated or deserves attention.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem or warning, with where it is.
///
/// ```
/// use k3sgen::{Diagnostic, Severity};
/// let text = "kind: App\nname: web\nimage: nginx\nports: [{name: http, port: 0}]\n";
/// let errors = k3sgen::parse_spec(text).and_then(|spec| {
///     k3sgen::render(&spec, &k3score::Context::new(k3score::Target::local(), "default".parse().unwrap()))
/// }).unwrap_err();
/// let diagnostics = Diagnostic::from_errors("web.yaml", Some(text), &errors, Severity::Error);
/// assert_eq!(diagnostics[0].line, 4);
/// assert!(diagnostics[0].to_string().starts_with("web.yaml:4:"), "{}", diagnostics[0]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde_derive::Serialize)]
pub struct Diagnostic {
    /// The file (or folder, for a function project's sources) concerned.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// The field path (`ports[1].name`), empty for the whole file.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
    /// For an unknown key or value: the allowed one closest to it (`replicas` for
    /// `replica`), for editors to offer as the fix; left out of JSON when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for the whole of `file`.
    #[must_use]
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>, severity: Severity) -> Self {
        Self {
            file: file.into(),
            line: 0,
            column: 0,
            path: String::new(),
            message: message.into(),
            severity,
            suggestion: None,
        }
    }

    /// One diagnostic per error of `errors`, placed in `text` (the file's content) by its
    /// field path; syntax errors keep the position the parser gave. Sorted by position
    /// (problems of the whole file first), in the order found where positions tie.
    #[must_use]
    pub fn from_errors(file: impl AsRef<Path>, text: Option<&str>, errors: &Errors, severity: Severity) -> Vec<Self> {
        let mut locator = None;
        let mut diagnostics: Vec<Self> = errors
            .iter()
            .map(|error| {
                // Syntax errors keep the parser's position when it has one (not when their
                // text was re-serialized, as compose files are).
                let (position, message) = match &error.kind {
                    ErrorKind::Syntax {
                        line, column, message, ..
                    } => ((*line > 0).then_some((*line, *column)), message.clone()),
                    other => (None, other.to_string()),
                };
                let (line, column) = position.unwrap_or_else(|| match text {
                    Some(text) => locator
                        .get_or_insert_with(|| Locator::new(text))
                        .as_ref()
                        .map_or((0, 0), |l| l.locate(&error.path)),
                    None => (0, 0),
                });
                Self {
                    file: file.as_ref().to_owned(),
                    line,
                    column,
                    path: path_text(&error.path),
                    message,
                    severity,
                    suggestion: error.kind.suggestion().map(str::to_owned),
                }
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.line, d.column));
        diagnostics
    }

    /// A warning about `path` (a compose key) in `text`.
    #[must_use]
    pub fn warning(file: impl AsRef<Path>, locator: Option<&Locator>, path: &FieldPath, message: String) -> Self {
        let (line, column) = locator.map_or((0, 0), |l| l.locate(path));
        Self {
            file: file.as_ref().to_owned(),
            line,
            column,
            path: path_text(path),
            message,
            severity: Severity::Warning,
            suggestion: None,
        }
    }
}

fn path_text(path: &FieldPath) -> String {
    if path.is_root() {
        String::new()
    } else {
        path.to_string()
    }
}

/// `file:line:column: severity: path: message`, leaving out what is unknown.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {}: ", self.severity.as_str())?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}
