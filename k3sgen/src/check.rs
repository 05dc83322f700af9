//! What `k3sgen check` reports: every diagnostic with the counts ([`CheckReport`], the
//! `--format json` output), and the [`Verdict`] that decides the exit status of `check` and
//! `render`.

use serde_derive::Serialize;

use crate::{Diagnostic, Error, Generated, Severity};

/// `k3sgen check --format json`: every diagnostic (errors and warnings, each with file, line,
/// column, field path, message, severity and, when one is close, a suggestion), then the
/// number of errors and of warnings.
///
/// ```
/// let inputs = k3sgen::discover(&["../examples/specs/tenant.yaml"])?;
/// let ctx = k3score::Context::new(k3score::Target::local(), "default".parse()?);
/// let report = k3sgen::CheckReport::new(&k3sgen::generate(&inputs, &ctx));
/// assert_eq!(report.to_json()?, "{\n  \"diagnostics\": [],\n  \"errors\": 0,\n  \"warnings\": 0\n}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The diagnostics, in the order the run found them; a file that could not be read is an
    /// error for the whole file.
    pub diagnostics: Vec<Diagnostic>,
    /// How many of them are errors.
    pub errors: usize,
    /// How many of them are warnings.
    pub warnings: usize,
}

impl CheckReport {
    /// The report of a run: its diagnostics, then its failures (files that could not be read)
    /// as errors.
    #[must_use]
    pub fn new(generated: &Generated) -> Self {
        let mut diagnostics = generated.diagnostics.clone();
        diagnostics.extend(generated.failures.iter().map(|failure| match failure {
            Error::Io(path, error) => Diagnostic::file(path, error.to_string(), Severity::Error),
            other => Diagnostic::file("", other.to_string().trim_end(), Severity::Error),
        }));
        let count = |severity| diagnostics.iter().filter(|d| d.severity == severity).count();
        Self {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            diagnostics,
        }
    }

    /// The report as pretty-printed JSON (two-space indent, no trailing newline), as `k3sgen
    /// check --format json` prints it.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

/// Whether a run stops: with errors, or with warnings when they are denied.
///
/// ```
/// use k3sgen::Verdict;
/// assert_eq!(Verdict::new(0, 2, false), Verdict::Passed { warnings: 2 });
/// let denied = Verdict::new(0, 2, true);
/// assert_eq!(denied.exit_status(), 1);
/// assert_eq!(denied.to_string(), "0 error(s), 2 warning(s) (warnings denied)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No errors, and no warnings or warnings allowed.
    Passed {
        /// The warnings there are.
        warnings: usize,
    },
    /// Errors, or warnings that were denied.
    Failed {
        /// The errors.
        errors: usize,
        /// The warnings.
        warnings: usize,
        /// Whether warnings were denied (and there are some).
        warnings_denied: bool,
    },
}

impl Verdict {
    /// Fails with errors, or with warnings when `deny_warnings`.
    #[must_use]
    pub fn new(errors: usize, warnings: usize, deny_warnings: bool) -> Self {
        let warnings_denied = deny_warnings && warnings > 0;
        if errors > 0 || warnings_denied {
            Verdict::Failed {
                errors,
                warnings,
                warnings_denied,
            }
        } else {
            Verdict::Passed { warnings }
        }
    }

    /// The verdict on a run's diagnostics.
    #[must_use]
    pub fn of(generated: &Generated, deny_warnings: bool) -> Self {
        Self::new(
            generated.count(Severity::Error),
            generated.count(Severity::Warning),
            deny_warnings,
        )
    }

    /// Whether the run passed.
    #[must_use]
    pub fn passed(self) -> bool {
        matches!(self, Verdict::Passed { .. })
    }

    /// The command's exit status: 0 passed, 1 failed (invalid input).
    #[must_use]
    pub fn exit_status(self) -> u8 {
        match self {
            Verdict::Passed { .. } => 0,
            Verdict::Failed { .. } => 1,
        }
    }
}

/// `N error(s), M warning(s)`, with ` (warnings denied)` when they were; `M warning(s)` for a
/// run that passed.
impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Verdict::Passed { warnings } => write!(f, "{warnings} warning(s)"),
            Verdict::Failed {
                errors,
                warnings,
                warnings_denied,
            } => {
                let denied = if warnings_denied { " (warnings denied)" } else { "" };
                write!(f, "{errors} error(s), {warnings} warning(s){denied}")
            }
        }
    }
}
