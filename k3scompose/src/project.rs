//! The public entry point: a loaded compose [`Project`].

use std::collections::BTreeMap;

use k3score::{Error, ErrorKind, Errors, FieldPath};

use crate::Warning;
use crate::load::{Loader, typed};
use crate::model::ComposeFile;
use crate::values::dns_name;

/// The project name used when the compose file has no top-level `name:`.
pub const DEFAULT_PROJECT_NAME: &str = "compose";
/// The main compose file's path inside the `files` map given to [`Project::parse`] (paths of
/// bind mounts, env files, includes and extends are relative to its directory, the project root).
pub const MAIN_FILE: &str = "compose.yaml";
/// The `.env` file read from the `files` map for interpolation variables.
pub const DOTENV_FILE: &str = ".env";

/// A parsed compose project: interpolated, with `include` and `extends` resolved.
///
/// The library does no filesystem I/O: the caller passes the main file's text, every other
/// project file it refers to (included and extended files, `env_file`s, bind-mounted files,
/// secret and config files, `.env`) keyed by their path relative to the project directory
/// (`nginx/nginx.conf`, no leading `./`), and the variables (the shell environment, usually).
/// Explicit variables win over `.env` values, as in docker compose.
#[derive(Debug)]
pub struct Project {
    pub(crate) name: String,
    pub(crate) file: ComposeFile,
    pub(crate) files: BTreeMap<String, String>,
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) warnings: Vec<Warning>,
}

impl Project {
    /// Parses a project.
    ///
    /// # Errors
    /// Every problem found, each with the compose key it concerns (`services.db.environment.PW:
    /// required variable DB_PASSWORD is missing a value`), YAML syntax errors, legacy files
    /// without `services:`, unknown keys and malformed short syntax.
    pub fn parse(
        main: &str,
        files: &BTreeMap<String, String>,
        vars: &BTreeMap<String, String>,
    ) -> Result<Project, Errors> {
        let mut effective = match files.get(DOTENV_FILE) {
            Some(text) => k3score::dotenv::parse(text).map_err(|e| e.under(&FieldPath::root().field(DOTENV_FILE)))?,
            None => BTreeMap::new(),
        };
        effective.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut loader = Loader {
            files,
            vars: &effective,
            warnings: Vec::new(),
        };
        let node = loader.load(main, MAIN_FILE, &FieldPath::root(), 0)?;
        let file = typed(&node)?;
        let mut warnings = loader.warnings;
        let mut errors = Vec::new();
        for key in file.other.keys() {
            if key == "include" || key.starts_with("x-") {
                continue;
            }
            errors.push(Error::new(
                FieldPath::root().field(key.clone()),
                ErrorKind::Invalid("unknown top-level key (compose files have services, volumes, networks, secrets, configs, name, include and x- extensions)".into()),
            ));
        }
        if !errors.is_empty() {
            return Err(Errors(errors));
        }
        if file.version.is_some() {
            warnings.push(Warning::new(FieldPath::root().field("version"), "obsolete: ignored"));
        }
        let name = file
            .name
            .as_deref()
            .map_or_else(|| DEFAULT_PROJECT_NAME.to_owned(), |n| dns_name(n, 63));
        Ok(Project {
            name,
            file,
            files: files.clone(),
            vars: effective,
            warnings,
        })
    }

    /// The same project under another name (the image name of build-only services is
    /// `<project>-<service>`). Default: the file's `name:`, else [`DEFAULT_PROJECT_NAME`].
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = dns_name(name, 63);
        self
    }

    /// The project name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service names, sorted.
    #[must_use]
    pub fn service_names(&self) -> Vec<&str> {
        self.file.services.keys().map(String::as_str).collect()
    }

    /// Warnings found while loading (unset variables, obsolete `version`, ...).
    #[must_use]
    pub fn load_warnings(&self) -> &[Warning] {
        &self.warnings
    }
}
