//! The inputs every renderer shares: target, namespace, variables and local secret values.

use std::collections::BTreeMap;

use crate::names::DnsLabel;
use crate::target::Target;

/// What a render needs besides the spec itself.
///
/// `variables` feed `${VAR}` substitution in env values; `secret_values` are the `.env`
/// values that become plain `Secret`s on targets with [`crate::SecretBackend::Local`].
/// Nothing is read from the process environment: render stays pure.
///
/// ```
/// use k3score::{Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap())
///     .with_variable("DB_HOST", "postgres");
/// assert_eq!(ctx.variables["DB_HOST"], "postgres");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The cluster rendered for.
    pub target: Target,
    /// The namespace every namespaced object goes to.
    pub namespace: DnsLabel,
    /// Values for `${VAR}` references.
    pub variables: BTreeMap<String, String>,
    /// Values of local secrets, keyed `<secret>.<key>` or by env var name (see `secrets`).
    pub secret_values: BTreeMap<String, String>,
}

impl Context {
    /// A context with no variables and no secret values.
    #[must_use]
    pub fn new(target: Target, namespace: DnsLabel) -> Self {
        Self {
            target,
            namespace,
            variables: BTreeMap::new(),
            secret_values: BTreeMap::new(),
        }
    }

    /// Adds one `${VAR}` value.
    #[must_use]
    pub fn with_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// Replaces the variables map.
    #[must_use]
    pub fn with_variables(mut self, variables: BTreeMap<String, String>) -> Self {
        self.variables = variables;
        self
    }

    /// Replaces the local secret values.
    #[must_use]
    pub fn with_secret_values(mut self, values: BTreeMap<String, String>) -> Self {
        self.secret_values = values;
        self
    }

    /// The namespace as a string, for `metadata.namespace`.
    #[must_use]
    pub fn ns(&self) -> Option<String> {
        Some(self.namespace.to_string())
    }
}
