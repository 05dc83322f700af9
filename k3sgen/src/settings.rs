//! The settings of a render (target, ingress controller, namespace, variables, threads, oldest
//! Kubernetes) and the one place they become a [`Context`]: the `k3sgen` command, the
//! `build.rs` entry point ([`Build`](crate::build::Build)) and [`render_spec`](crate::render_spec)
//! all go through [`Settings::context`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use k3score::par::Jobs;
use k3score::target::{Ingress, KubeVersion};
use k3score::{Context, ErrorKind, Target};

use crate::{Diagnostic, Severity};

/// What a render needs besides the spec files, as people give it.
///
/// ```
/// use k3sgen::Settings;
/// let mut settings = Settings::new(k3score::Target::preset("gcp")?);
/// settings.ingress = Some("traefik".parse()?);
/// settings.namespace = "shop".to_owned();
/// settings.variables.insert("DB_HOST".to_owned(), "postgres".to_owned());
/// let ctx = settings.context()?;
/// assert_eq!(ctx.target.ingress, k3score::Ingress::traefik());
/// assert_eq!(ctx.target.ingress_namespace.as_str(), "kube-system");
/// assert_eq!((ctx.namespace.as_str(), ctx.variables["DB_HOST"].as_str()), ("shop", "postgres"));
/// assert_eq!(ctx.secret_values, ctx.variables);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The target: a preset ([`Target::preset`]) or any other.
    pub target: Target,
    /// Another ingress controller than the target's, in its usual namespace
    /// ([`Ingress::controller_namespace`]); parsed from its name with `"haproxy".parse()`.
    pub ingress: Option<Ingress>,
    /// The namespace for specs that do not name their own (a DNS label, checked by
    /// [`context`](Self::context)). Default: `default`.
    pub namespace: String,
    /// `.env` files with `${VAR}` values and local secret values, read in order (later files
    /// win).
    pub var_files: Vec<PathBuf>,
    /// `${VAR}` values and local secret values given directly; they win over the files'.
    pub variables: BTreeMap<String, String>,
    /// Threads for reading, rendering and writing; the output is the same for any count.
    /// Default: [`Jobs::AUTO`].
    pub jobs: Jobs,
    /// The oldest Kubernetes release the output must work on, instead of the target's
    /// [`min_kubernetes`](Target::min_kubernetes).
    pub min_kubernetes: Option<KubeVersion>,
}

impl Settings {
    /// Renders for `target` into namespace `default`, with no variables, on every core.
    #[must_use]
    pub fn new(target: Target) -> Self {
        Self {
            target,
            ingress: None,
            namespace: "default".to_owned(),
            var_files: Vec::new(),
            variables: BTreeMap::new(),
            jobs: Jobs::AUTO,
            min_kubernetes: None,
        }
    }

    /// The render context: the target with the other ingress controller and oldest Kubernetes
    /// release, if set; the namespace checked; the `.env` files read and `variables` laid over
    /// them, as both the `${VAR}` values and the local secret values; the thread count.
    pub fn context(self) -> Result<Context, SettingsError> {
        let mut target = self.target;
        if let Some(ingress) = self.ingress {
            let namespace = ingress.controller_namespace();
            target = target.with_ingress(ingress, namespace);
        }
        if let Some(version) = self.min_kubernetes {
            target.min_kubernetes = version;
        }
        let namespace = self.namespace.parse().map_err(|problem| SettingsError::Namespace {
            value: self.namespace.clone(),
            problem,
        })?;
        let mut vars = read_var_files(&self.var_files)?;
        vars.extend(self.variables);
        Ok(Context::new(target, namespace)
            .with_variables(vars.clone())
            .with_secret_values(vars)
            .with_jobs(self.jobs))
    }
}

/// The `.env` files merged in order (later files win).
pub(crate) fn read_var_files(files: &[PathBuf]) -> Result<BTreeMap<String, String>, SettingsError> {
    let mut vars = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError::Unreadable(path.clone(), e))?;
        match k3score::dotenv::parse(&text) {
            Ok(values) => vars.extend(values),
            Err(errors) => {
                return Err(SettingsError::Vars(Diagnostic::from_errors(
                    path,
                    None,
                    &errors,
                    Severity::Error,
                )));
            }
        }
    }
    Ok(vars)
}

/// Why [`Settings::context`] failed.
#[derive(Debug)]
pub enum SettingsError {
    /// The namespace is not a DNS label.
    Namespace {
        /// The namespace as given.
        value: String,
        /// What is wrong with it.
        problem: ErrorKind,
    },
    /// A `.env` file could not be read.
    Unreadable(PathBuf, std::io::Error),
    /// A `.env` file has problems (every one, with its line).
    Vars(Vec<Diagnostic>),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Namespace { value, problem } => write!(f, "namespace {value:?}: {problem}"),
            SettingsError::Unreadable(path, error) => write!(f, "{}: {error}", path.display()),
            SettingsError::Vars(diagnostics) => {
                let mut lines = diagnostics.iter();
                if let Some(first) = lines.next() {
                    write!(f, "{first}")?;
                }
                lines.try_for_each(|line| write!(f, "\n{line}"))
            }
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Unreadable(_, error) => Some(error),
            // The message already says what is wrong with the namespace.
            SettingsError::Namespace { .. } | SettingsError::Vars(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reaches_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a.env"), dir.path().join("b.env"));
        std::fs::write(&first, "A=1\nB=1\n").unwrap();
        std::fs::write(&second, "B=2\nC=2\n").unwrap();
        let mut settings = Settings::new(Target::dev());
        settings.ingress = Some(Ingress::haproxy());
        settings.namespace = "shop".to_owned();
        settings.var_files = vec![first, second];
        settings.variables.insert("C".to_owned(), "3".to_owned());
        settings.jobs = Jobs::ONE;
        settings.min_kubernetes = Some(k3score::target::OLDEST_SUPPORTED_KUBERNETES);
        let ctx = settings.context().unwrap();
        assert_eq!(ctx.target.name.as_str(), "dev");
        assert_eq!(ctx.target.ingress, Ingress::haproxy());
        assert_eq!(ctx.target.ingress_namespace.as_str(), "haproxy-controller");
        assert_eq!(ctx.target.min_kubernetes, k3score::target::OLDEST_SUPPORTED_KUBERNETES);
        assert_eq!(ctx.namespace.as_str(), "shop");
        let expected: BTreeMap<String, String> = [("A", "1"), ("B", "2"), ("C", "3")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!((&ctx.variables, &ctx.secret_values), (&expected, &expected));
        assert_eq!(ctx.jobs, Jobs::ONE);
        let plain = Settings::new(Target::dev()).context().unwrap();
        assert_eq!(plain.target, Target::dev());
        assert_eq!((plain.namespace.as_str(), plain.jobs), ("default", Jobs::AUTO));
    }

    #[test]
    fn bad_settings_say_which_and_why() {
        let mut settings = Settings::new(Target::local());
        settings.namespace = "Shop".to_owned();
        let error = settings.clone().context().unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("namespace \"Shop\": invalid DNS-1123 label"),
            "{error}"
        );
        settings.namespace = "shop".to_owned();
        settings.var_files = vec![PathBuf::from("/nonexistent/k3sgen.env")];
        let error = settings.clone().context().unwrap_err();
        assert!(matches!(error, SettingsError::Unreadable(..)), "{error}");
        assert!(error.to_string().starts_with("/nonexistent/k3sgen.env: "), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.env");
        std::fs::write(&bad, "A=1\nnot a line\n").unwrap();
        settings.var_files = vec![bad];
        let error = settings.context().unwrap_err();
        let SettingsError::Vars(diagnostics) = &error else {
            panic!("{error}")
        };
        assert_eq!(diagnostics.len(), 1);
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
