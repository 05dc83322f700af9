//! Docker compose projects: recognise them and render them with their warnings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k3score::{Bundle, Context, Errors, Target};

use crate::{Error, read_tree};

/// File names docker compose looks for, in its order of preference.
pub const COMPOSE_FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Whether `path`/`text` is a compose file: by its name, or by its content (a top-level
/// `services:`, or services at the top level of a legacy version 1 file; see
/// [`k3scompose::looks_like_compose`]).
///
/// ```
/// use std::path::Path;
/// assert!(k3sgen::is_compose(Path::new("stack/docker-compose.yml"), ""));
/// assert!(k3sgen::is_compose(Path::new("web.yaml"), "services:\n  web: {}\n"));
/// assert!(!k3sgen::is_compose(Path::new("web.yaml"), "kind: App\nname: web\n"));
/// ```
#[must_use]
pub fn is_compose(path: &Path, text: &str) -> bool {
    let named = path
        .file_name()
        .is_some_and(|n| COMPOSE_FILE_NAMES.iter().any(|c| n.to_string_lossy() == *c));
    named || k3scompose::looks_like_compose(text)
}

/// The folder `path` is in (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A rendered compose project.
#[derive(Debug)]
pub struct ComposeOutput {
    /// The objects.
    pub bundle: Bundle,
    /// Settings that were not translated, with their compose keys.
    pub warnings: Vec<k3scompose::Warning>,
    /// The Tiltfile for the services built from source, if any.
    pub tiltfile: Option<String>,
}

/// Renders the compose project made of `paths` (every file beside the first is available to
/// `include`, `extends`, `env_file`, configs and bind mounts): several files are merged in
/// order, as `docker compose -f a -f b` does; a single file gets the override file beside it
/// ([`k3scompose::with_override`]), as docker compose without `-f`. The Tiltfile loads the
/// objects from `manifest`.
pub fn render_compose(
    paths: &[PathBuf],
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
    manifest: &str,
) -> Result<ComposeOutput, Error> {
    let (first, names, files) = compose_files(paths)?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let spec_error = |e| Error::Spec(first.to_owned(), e);
    let project = k3scompose::Project::parse_files(&names, &files, vars).map_err(spec_error)?;
    render_project(&project, target, namespace, vars, manifest).map_err(spec_error)
}

/// A compose project's files: the first path given, the file names in merge order (relative
/// to the first file's folder; a single file gets its override file), and every file of that
/// folder by relative name.
pub(crate) type ComposeFiles<'a> = (&'a Path, Vec<String>, BTreeMap<String, String>);

/// Reads the [`ComposeFiles`] of `paths`.
pub(crate) fn compose_files(paths: &[PathBuf]) -> Result<ComposeFiles<'_>, Error> {
    let first = paths.first().ok_or_else(|| Error::Usage("no compose file".into()))?;
    let dir = folder_of(first);
    let files: BTreeMap<String, String> = read_tree(dir)?.into_iter().collect();
    let mut names = Vec::new();
    for path in paths {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if !files.contains_key(&name) {
            return Err(Error::Usage(format!(
                "{}: not found, or not in the first compose file's folder (or below it)",
                path.display()
            )));
        }
        names.push(name);
    }
    if let [only] = names.as_slice() {
        names = k3scompose::with_override(only, &files);
    }
    Ok((first, names, files))
}

fn render_project(
    project: &k3scompose::Project,
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
    manifest: &str,
) -> Result<ComposeOutput, Errors> {
    render_project_in(project, &crate::spec::context(target, namespace, vars)?, manifest)
}

/// Renders a parsed compose project for `ctx`.
pub(crate) fn render_project_in(
    project: &k3scompose::Project,
    ctx: &Context,
    manifest: &str,
) -> Result<ComposeOutput, Errors> {
    let translation = project.translate(&[])?;
    let rendered = translation.render(ctx)?;
    Ok(ComposeOutput {
        bundle: rendered.bundle,
        warnings: rendered.warnings,
        tiltfile: translation.tiltfile(manifest),
    })
}

/// Renders a compose project from its main file's text and the project's other files
/// (keyed by path relative to the project folder).
pub fn render_compose_text(
    main: &str,
    files: &BTreeMap<String, String>,
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
) -> Result<(Bundle, Vec<String>), Errors> {
    let project = k3scompose::Project::parse(main, files, vars)?;
    let out = render_project(&project, target, namespace, vars, "compose.yaml")?;
    Ok((out.bundle, out.warnings.iter().map(ToString::to_string).collect()))
}
