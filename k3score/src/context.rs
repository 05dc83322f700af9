//! The inputs every renderer shares: target, namespace, variables, local secret values, and
//! how many threads a render of many items may use.

use std::collections::BTreeMap;

use crate::names::DnsLabel;
use crate::par::Jobs;
use crate::target::Target;

/// What a render needs besides the spec itself.
///
/// `variables` feed `${VAR}` substitution in env values; `secret_values` are the `.env`
/// values that become plain `Secret`s on targets with [`crate::SecretBackend::Local`].
/// Nothing that shapes the output is read from the process environment: render stays pure.
/// `jobs` (by default `K3S_JOBS` or the cores available, see [`crate::par`]) only decides how
/// many threads renders of many items (`k3sapp::AppSet`, `k3sgen::generate`) use; the output
/// is the same bytes for any value.
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
    /// Threads for renders of many items ([`Jobs::AUTO`] unless set).
    pub jobs: Jobs,
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
            jobs: Jobs::AUTO,
        }
    }

    /// Sets the thread count of renders of many items.
    ///
    /// ```
    /// use k3score::{Context, Target, par::Jobs};
    /// let ctx = Context::new(Target::local(), "shop".parse().unwrap()).with_jobs(Jobs::ONE);
    /// assert_eq!(ctx.jobs.count(), 1);
    /// ```
    #[must_use]
    pub fn with_jobs(mut self, jobs: Jobs) -> Self {
        self.jobs = jobs;
        self
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
