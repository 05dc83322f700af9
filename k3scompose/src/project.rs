//! The public entry point: a loaded compose [`Project`].

use std::collections::BTreeMap;

use k3score::{ErrorKind, Errors, FieldPath, Problems};

use crate::Warning;
use crate::keys::{ExtraKey, TOP_LEVEL_KEYS, extra_key, unknown_key};
use crate::load::{Loader, typed};
use crate::model::ComposeFile;
use crate::scalars::dns_name;
use crate::tree::Node;

/// The project name used when the compose file has no top-level `name:`.
pub const DEFAULT_PROJECT_NAME: &str = "compose";
/// The main compose file's path inside the `files` map given to [`Project::parse`] (paths of
/// bind mounts, env files, includes and extends are relative to its directory, the project root).
pub const MAIN_FILE: &str = "compose.yaml";
/// The `.env` file read from the `files` map for interpolation variables.
pub const DOTENV_FILE: &str = ".env";
/// Override files docker compose merges into the main file when no `-f` is given, in its
/// order of preference (compose-spec/compose-go `cli/options.go`, `DefaultOverrideFileNames`).
pub const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The files docker compose reads for the main file `main` when no `-f` is given: `main`,
/// then the first [`OVERRIDE_FILES`] entry present in `files` beside it (none when `main` is
/// itself an override file).
///
/// ```
/// use std::collections::BTreeMap;
/// let files = BTreeMap::from([("docker-compose.override.yml".to_owned(), String::new())]);
/// assert_eq!(k3scompose::with_override("docker-compose.yml", &files), ["docker-compose.yml", "docker-compose.override.yml"]);
/// assert_eq!(k3scompose::with_override("docker-compose.override.yml", &files), ["docker-compose.override.yml"]);
/// ```
#[must_use]
pub fn with_override(main: &str, files: &BTreeMap<String, String>) -> Vec<String> {
    let dir = crate::load::dir_of(main);
    let mut out = vec![main.to_owned()];
    if !OVERRIDE_FILES.iter().any(|f| main.ends_with(f)) {
        out.extend(
            OVERRIDE_FILES
                .iter()
                .map(|f| crate::load::join(dir, f))
                .find(|f| files.contains_key(f)),
        );
    }
    out
}

/// For an error about a service without an image: when the project is one override file
/// alone (by its name, or because no service has an image or a build), the file it would be
/// merged into.
pub(crate) fn override_hint(project: &Project) -> Option<String> {
    let [only] = project.sources.as_slice() else {
        return None;
    };
    let by_name = OVERRIDE_FILES.iter().find(|f| only.ends_with(*f)).map(|f| {
        let base = f.replace(".override", "");
        format!("{}{base}", &only[..only.len() - f.len()])
    });
    let by_content = project
        .file
        .services
        .values()
        .all(|s| s.image.is_none() && s.build.is_none());
    let base = by_name.or_else(|| by_content.then(|| MAIN_FILE.to_owned()))?;
    let shown = if *only == base { "this file" } else { only.as_str() };
    Some(format!(
        "{shown} looks like an override file: docker compose merges it into {base} (convert both: -f {base} -f {only})"
    ))
}

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
    /// The compose files merged into the project, in order.
    pub(crate) sources: Vec<String>,
}

impl Project {
    /// Parses a project whose main file (`main`) sits at [`MAIN_FILE`]; an override file of
    /// `files` ([`OVERRIDE_FILES`], the first found) is merged into it, as docker compose does
    /// when no `-f` is given.
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
        let mut sources = vec![(MAIN_FILE.to_owned(), main)];
        if let Some(over) = OVERRIDE_FILES.iter().find(|f| files.contains_key(**f)) {
            sources.push(((*over).to_owned(), files[*over].as_str()));
        }
        Self::load(&sources, files, vars)
    }

    /// Parses the project made of `paths` (keys of `files`, relative to the project folder),
    /// merged in order by the Compose Specification's merge rules, as `docker compose -f
    /// a.yaml -f b.yaml` does (no override file is added: see [`with_override`]).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let files = BTreeMap::from([
    ///     ("compose.yaml".to_owned(), "services:\n  web: {image: nginx, ports: ['80']}\n".to_owned()),
    ///     ("prod.yaml".to_owned(), "services:\n  web: {image: nginx:1.27, ports: !override ['443']}\n".to_owned()),
    /// ]);
    /// let project = k3scompose::Project::parse_files(&["compose.yaml", "prod.yaml"], &files, &BTreeMap::new()).unwrap();
    /// assert_eq!(project.service_names(), ["web"]);
    /// assert_eq!(project.sources(), ["compose.yaml", "prod.yaml"]);
    /// ```
    ///
    /// # Errors
    /// As [`Project::parse`]; a path missing from `files`. Syntax and interpolation errors of
    /// the second and later files are reported under their path
    /// (`prod.yaml.services.web.environment.DB`); problems of the merged model under the
    /// compose key alone (`services.web.ports[0]`).
    pub fn parse_files(
        paths: &[&str],
        files: &BTreeMap<String, String>,
        vars: &BTreeMap<String, String>,
    ) -> Result<Project, Errors> {
        let mut sources = Vec::new();
        let mut problems = Problems::default();
        for path in paths {
            match files.get(*path) {
                Some(text) => sources.push(((*path).to_owned(), text.as_str())),
                None => problems.push(
                    FieldPath::root().field((*path).to_owned()),
                    ErrorKind::Missing(format!("compose file {path:?} is not among the project files")),
                ),
            }
        }
        if paths.is_empty() {
            problems.push(FieldPath::root(), ErrorKind::Missing("a compose file".into()));
        }
        problems.finish(())?;
        Self::load(&sources, files, vars)
    }

    fn load(
        sources: &[(String, &str)],
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
        let mut problems = Problems::default();
        let mut merged: Option<Node> = None;
        for (i, (file, text)) in sources.iter().enumerate() {
            // The main file's errors are reported at the root, the others' under their path.
            let path = if i == 0 {
                FieldPath::root()
            } else {
                FieldPath::root().field(file.clone())
            };
            let Some(node) = problems.take(loader.load(text, file, &path, 0, i > 0)) else {
                continue;
            };
            merged = Some(match merged {
                Some(base) => crate::merge::merge_files(base, node),
                None => node,
            });
        }
        let merged = problems.finish(merged)?.unwrap_or(Node::Null);
        // Unknown top-level keys are found on the tree, so that a problem in a service does
        // not hide them (nor they the service's).
        let mut problems = Problems::default();
        if let Node::Map(top) = &merged {
            for key in top.keys() {
                if !TOP_LEVEL_KEYS.contains(&key.as_str()) && key != "include" && !key.starts_with("x-") {
                    let kind = unknown_key(key, TOP_LEVEL_KEYS, "top-level key");
                    problems.push(FieldPath::root().field(key.clone()), kind);
                }
            }
        }
        let merged = crate::merge::strip_tags(merged);
        let mut file = match typed(&merged) {
            Ok(file) => file,
            Err(errors) => {
                // The translation checks the service keys of a file read through; on a file
                // with problems they are checked here, so that neither hides the other.
                problems.extend(errors);
                unknown_service_keys(&merged, &mut problems);
                return problems.finish(()).and(Err(Errors::default()));
            }
        };
        let mut warnings = loader.warnings;
        crate::external::external_names(&mut file, &mut warnings, &mut problems);
        problems.finish(())?;
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
            sources: sources.iter().map(|(f, _)| f.clone()).collect(),
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

    /// The compose files merged into the project, in order (the main file first).
    #[must_use]
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Warnings found while loading (unset variables, obsolete `version`, ...).
    #[must_use]
    pub fn load_warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// The unknown keys of every service in `tree` (those [`extra_key`] finds no compose key).
fn unknown_service_keys(tree: &Node, problems: &mut Problems) {
    let Some(Node::Map(services)) = tree.as_map().and_then(|top| top.get("services")) else {
        return;
    };
    for (name, service) in services {
        let Some(service) = service.as_map() else { continue };
        for key in service.keys() {
            if crate::model::SERVICE_KEYS.contains(&key.as_str()) {
                continue;
            }
            if let ExtraKey::Unknown(kind) = extra_key(key) {
                let path = FieldPath::root()
                    .field("services")
                    .field(name.clone())
                    .field(key.clone());
                problems.push(path, kind);
            }
        }
    }
}
