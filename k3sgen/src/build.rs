//! The `build.rs` entry point: render spec files into `OUT_DIR` at build time, rebuild when
//! any input changes, and fail the build with the same readable problems the command prints.
//!
//! ```no_run
//! // build.rs (with k3sgen as a build-dependency, `default-features = false`, and
//! // k8s-openapi with a version feature such as `latest`), in its `fn main`:
//! let written = k3sgen::build::Build::new("specs")
//!     .target("local")
//!     .vars("specs/local.env")
//!     .run_or_exit();
//! // written: $OUT_DIR/manifests/<component>.yaml, one per spec file
//! # let _ = written;
//! // src/main.rs or lib.rs:
//! // const ORDERS: &str = include_str!(concat!(env!("OUT_DIR"), "/manifests/orders.yaml"));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use k3score::par::Jobs;
use k3score::target::KubeVersion;
use k3score::{Context, Target};

use crate::settings::{Settings, SettingsError};
use crate::{Diagnostic, Error, Format, Severity};

/// What to render and where (see the module docs).
#[derive(Clone, Debug)]
#[must_use]
pub struct Build {
    paths: Vec<PathBuf>,
    target: String,
    ingress: Option<String>,
    namespace: String,
    vars: Vec<PathBuf>,
    jobs: Jobs,
    min_kubernetes: Option<KubeVersion>,
    out: Option<PathBuf>,
    format: Format,
    deny_warnings: bool,
}

impl Build {
    /// Renders `path` (a spec file, compose project, function folder, or a folder of them)
    /// for the `local` target into namespace `default`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            paths: vec![path.into()],
            target: "local".to_owned(),
            ingress: None,
            namespace: "default".to_owned(),
            vars: Vec::new(),
            jobs: Jobs::AUTO,
            min_kubernetes: None,
            out: None,
            format: Format::Yaml,
            deny_warnings: false,
        }
    }

    /// Renders `path` too.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.paths.push(path.into());
        self
    }

    /// The target preset: `local`, `dev` or `gcp`.
    pub fn target(mut self, preset: &str) -> Self {
        preset.clone_into(&mut self.target);
        self
    }

    /// Another ingress controller: `traefik`, `haproxy` or `gateway-api`.
    pub fn ingress(mut self, name: &str) -> Self {
        self.ingress = Some(name.to_owned());
        self
    }

    /// The namespace for specs that do not name their own.
    pub fn namespace(mut self, namespace: &str) -> Self {
        namespace.clone_into(&mut self.namespace);
        self
    }

    /// A `.env` file with `${VAR}` values and local secret values (later files win).
    pub fn vars(mut self, file: impl Into<PathBuf>) -> Self {
        self.vars.push(file.into());
        self
    }

    /// Threads for reading, rendering and writing (the output is the same for any count).
    /// Default: [`Jobs::AUTO`], `K3S_JOBS` or every core.
    pub fn jobs(mut self, jobs: Jobs) -> Self {
        self.jobs = jobs;
        self
    }

    /// The oldest Kubernetes release the output must work on, instead of the target's.
    pub fn min_kubernetes(mut self, version: KubeVersion) -> Self {
        self.min_kubernetes = Some(version);
        self
    }

    /// The folder to write to instead of `$OUT_DIR/manifests`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out = Some(dir.into());
        self
    }

    /// JSON instead of YAML files.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Fail on warnings too.
    pub fn deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    /// Renders and writes one file per component; prints `cargo:rerun-if-changed` for every
    /// file and folder read (including the `.env` files), so the build script runs again
    /// when one changes or a spec file is added. Returns the files written.
    pub fn run(self) -> Result<Vec<PathBuf>, BuildError> {
        for path in self.paths.iter().chain(&self.vars) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let ctx = self.context()?;
        let inputs = crate::discover(&self.paths).map_err(BuildError::Failed)?;
        let generated = crate::generate(&inputs, &ctx);
        for path in &generated.read {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        if let Some(error) = generated.failures.into_iter().next() {
            return Err(BuildError::Failed(error));
        }
        let blocking = |d: &Diagnostic| d.severity == Severity::Error || self.deny_warnings;
        if generated.diagnostics.iter().any(blocking) {
            return Err(BuildError::Invalid(generated.diagnostics));
        }
        for warning in &generated.diagnostics {
            println!("cargo:warning={warning}");
        }
        let out = match self.out {
            Some(dir) => dir,
            None => out_dir()?.join("manifests"),
        };
        crate::write_dir_on(self.jobs, &generated.components, &out, self.format).map_err(BuildError::Failed)
    }

    /// [`run`](Self::run), printing the problems to stderr (cargo shows them) and exiting
    /// with status 1 on failure.
    #[must_use]
    pub fn run_or_exit(self) -> Vec<PathBuf> {
        match self.run() {
            Ok(written) => written,
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        }
    }

    /// The settings (preset, ingress controller, namespace, `.env` files, threads, oldest
    /// Kubernetes) as a render context.
    fn context(&self) -> Result<Context, BuildError> {
        let usage = |e: k3score::ErrorKind| BuildError::Failed(Error::Usage(e.to_string()));
        let mut settings = Settings::new(Target::preset(&self.target).map_err(usage)?);
        settings.ingress = self.ingress.as_deref().map(str::parse).transpose().map_err(usage)?;
        self.namespace.clone_into(&mut settings.namespace);
        settings.var_files.clone_from(&self.vars);
        settings.jobs = self.jobs;
        settings.min_kubernetes = self.min_kubernetes;
        settings.context().map_err(BuildError::from)
    }
}

/// The `.env` files merged in order (later files win): the `${VAR}` values and local secret
/// values of a render (what [`Settings::context`] reads).
pub fn read_vars(files: &[PathBuf]) -> Result<BTreeMap<String, String>, BuildError> {
    crate::settings::read_var_files(files).map_err(BuildError::from)
}

fn out_dir() -> Result<PathBuf, BuildError> {
    std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
        BuildError::Failed(Error::Usage(
            "OUT_DIR is not set: call Build::run from a build script, or set Build::out_dir".into(),
        ))
    })
}

/// Why a [`Build`] failed.
#[derive(Debug)]
pub enum BuildError {
    /// The inputs have problems (every one, with file, line, column and field path).
    Invalid(Vec<Diagnostic>),
    /// Bad settings, or a file that could not be read or written.
    Failed(Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Invalid(diagnostics) => {
                let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
                writeln!(f, "k3sgen: the spec files have {errors} problem(s):")?;
                for diagnostic in diagnostics {
                    writeln!(f, "  {diagnostic}")?;
                }
                Ok(())
            }
            BuildError::Failed(error) => write!(f, "k3sgen: {}", error.to_string().trim_end()),
        }
    }
}

impl std::error::Error for BuildError {}

/// A bad namespace is bad usage, an unreadable `.env` file a failure, a `.env` file with
/// problems invalid input.
impl From<SettingsError> for BuildError {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::Namespace { .. } => BuildError::Failed(Error::Usage(error.to_string())),
            SettingsError::Unreadable(path, error) => BuildError::Failed(Error::Io(path, error)),
            SettingsError::Vars(diagnostics) => BuildError::Invalid(diagnostics),
        }
    }
}
