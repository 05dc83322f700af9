//! Warnings: compose settings that were not translated, returned next to the output.

use std::fmt;

use k3score::FieldPath;

/// A compose setting that was not translated (or translated differently), with the key it
/// concerns: `services.web.network_mode: not supported: ...`.
///
/// ```
/// use k3scompose::Warning;
/// use k3score::FieldPath;
/// let w = Warning::new(FieldPath::root().field("services").field("web").field("network_mode"), "not supported");
/// assert_eq!(w.to_string(), "services.web.network_mode: not supported");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// The compose key (`services.web.ports[0]`).
    pub path: FieldPath,
    /// What happened and what to do about it.
    pub reason: String,
}

impl Warning {
    /// A warning about `path`.
    #[must_use]
    pub fn new(path: FieldPath, reason: impl Into<String>) -> Self {
        Self {
            path,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}
