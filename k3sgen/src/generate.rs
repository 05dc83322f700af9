//! Load paths (spec files of any kind, compose projects, function folders, or directories
//! holding any mix of them) and render them all for one [`Context`], collecting every
//! problem of every file instead of stopping at the first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k3score::{Bundle, Context, Errors};

use crate::compose::{compose_files, folder_of, render_project_in};
use crate::{COMPOSE_FILE_NAMES, Diagnostic, Error, Locator, Severity, discover_functions, is_compose};

/// The file a folder holding a function project is recognised by.
pub const FUNCTIONS_FILE: &str = "functions.yaml";

/// What an [`Input`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A spec file (`kind: App`, `Apps`, `Gateway`, `Platform`, `Tenant`, `Store`, or a
    /// `Functions` file on its own).
    Spec,
    /// A folder with a `functions.yaml` and the sources its functions are discovered in.
    Functions,
    /// A docker compose project (one file and its override file, or several `-f` files).
    Compose,
}

/// One thing to render: a component of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// What it is.
    pub kind: InputKind,
    /// The files read first: the spec file, the project's `functions.yaml`, or the compose
    /// files in merge order.
    pub files: Vec<PathBuf>,
    /// The component name: the spec file's stem, or the folder's name for function and
    /// compose projects.
    pub name: String,
}

impl Input {
    /// A compose project made of `files`, merged in order (`docker compose -f a -f b`).
    #[must_use]
    pub fn compose(files: Vec<PathBuf>) -> Self {
        let name = files
            .first()
            .and_then(|first| folder_name(folder_of(first)))
            .unwrap_or_else(|| "compose".to_owned());
        Self {
            kind: InputKind::Compose,
            files,
            name,
        }
    }
}

/// The inputs found at `paths`, in a stable order. A file is a compose file (by its name or
/// content) or a spec file; a folder with a `functions.yaml` is a function project, a folder
/// with a compose file (`compose.yaml`, ...) is a compose project (its other files are the
/// project's: overrides, includes, configs); any other folder is searched recursively, in
/// name order, for `.yaml`/`.yml` files and such folders. Names starting with `.` are skipped.
///
/// ```
/// let inputs = k3sgen::discover(&["../examples/functions"]).unwrap();
/// assert_eq!(inputs[0].kind, k3sgen::InputKind::Functions);
/// assert_eq!(inputs[0].name, "functions");
/// ```
pub fn discover(paths: &[impl AsRef<Path>]) -> Result<Vec<Input>, Error> {
    let mut inputs = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::Io(path.to_owned(), e))?;
        if meta.is_dir() {
            walk(path, &mut inputs)?;
        } else {
            inputs.push(file_input(path)?);
        }
    }
    Ok(inputs)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) -> Result<(), Error> {
    if dir.join(FUNCTIONS_FILE).is_file() {
        inputs.push(Input {
            kind: InputKind::Functions,
            files: vec![dir.join(FUNCTIONS_FILE)],
            name: folder_name(dir).unwrap_or_else(|| "functions".to_owned()),
        });
        return Ok(());
    }
    if let Some(main) = COMPOSE_FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()) {
        inputs.push(Input::compose(vec![main]));
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io(dir.to_owned(), e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::Io(dir.to_owned(), e))?.path();
        if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            paths.push(path);
        }
    }
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, inputs)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            inputs.push(file_input(&path)?);
        }
    }
    Ok(())
}

fn file_input(path: &Path) -> Result<Input, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(path.to_owned(), e))?;
    if is_compose(path, &text) {
        return Ok(Input::compose(vec![path.to_owned()]));
    }
    let name = path
        .file_stem()
        .map_or_else(|| "spec".to_owned(), |s| s.to_string_lossy().into_owned());
    Ok(Input {
        kind: InputKind::Spec,
        files: vec![path.to_owned()],
        name,
    })
}

/// A folder's own name (`.` resolved to the real folder).
fn folder_name(dir: &Path) -> Option<String> {
    let resolved = dir.canonicalize().ok();
    resolved
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

/// One rendered input.
#[derive(Clone, Debug)]
pub struct Component {
    /// Its name (the output file is `<name>.yaml`).
    pub name: String,
    /// The file it was read from (the first compose file, the project's `functions.yaml`).
    pub source: PathBuf,
    /// The objects.
    pub bundle: Bundle,
    /// A Tiltfile for compose services built from source, loading `<name>.yaml`.
    pub tiltfile: Option<String>,
}

/// Everything [`generate`] produced: the components that rendered, every problem and warning
/// of every input, and the files the result depends on.
#[derive(Debug, Default)]
pub struct Generated {
    /// The components that rendered without errors, in input order.
    pub components: Vec<Component>,
    /// Every problem and warning, in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read.
    pub failures: Vec<Error>,
    /// The files and folders read (for `cargo:rerun-if-changed`).
    pub read: Vec<PathBuf>,
}

impl Generated {
    /// How many diagnostics have `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    /// Whether every input rendered: no errors and no unreadable file.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.failures.is_empty() && self.count(Severity::Error) == 0
    }
}

/// Renders every input for `ctx` (its variables are also the local secret values' source
/// when the caller put them there). Problems do not stop the run: every input is tried and
/// every problem reported, each placed at its file, line and column.
///
/// The inputs are read and rendered on [`Context::jobs`] threads ([`k3score::par`]); the
/// result is the same for any thread count: components, diagnostics, failures and files read
/// all come in input order.
///
/// ```
/// use k3score::{Context, Target};
/// let inputs = k3sgen::discover(&["../examples/specs/tenant.yaml"]).unwrap();
/// let generated = k3sgen::generate(&inputs, &Context::new(Target::local(), "default".parse().unwrap()));
/// assert!(generated.is_ok(), "{:?}", generated.diagnostics);
/// assert_eq!(generated.components[0].name, "tenant");
/// ```
#[must_use]
pub fn generate(inputs: &[Input], ctx: &Context) -> Generated {
    // Each input's own findings, in the order one sequential pass would record them.
    let one = |i: usize| {
        let (input, mut found) = (&inputs[i], Generated::default());
        let component = match input.kind {
            InputKind::Spec | InputKind::Functions => spec_component(input, ctx, &mut found),
            InputKind::Compose => compose_component(input, ctx, &mut found),
        };
        found.components.extend(component);
        found
    };
    let mut out = Generated::default();
    k3score::par::map_in_order(ctx.jobs, inputs.len(), one, |found| {
        out.components.extend(found.components);
        out.diagnostics.extend(found.diagnostics);
        out.failures.extend(found.failures);
        out.read.extend(found.read);
    });
    check_names(&mut out);
    out
}

fn spec_component(input: &Input, ctx: &Context, out: &mut Generated) -> Option<Component> {
    let path = input.files.first()?;
    out.read.push(path.clone());
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            out.failures.push(Error::Io(path.clone(), e));
            return None;
        }
    };
    let problems = |out: &mut Generated, errors: &Errors| {
        out.diagnostics
            .extend(Diagnostic::from_errors(path, Some(&text), errors, Severity::Error));
    };
    let base = folder_of(path);
    let mut spec = match crate::spec::parse_spec_in(&text, Some((ctx, base))) {
        Ok(spec) => spec,
        Err(errors) => {
            problems(out, &errors);
            return None;
        }
    };
    if let Err(errors) = crate::read_config_files(&mut spec, base, &mut out.read) {
        problems(out, &errors);
        return None;
    }
    let mut sources = Vec::new();
    if let crate::Spec::Functions(project) = &spec {
        let folders = match crate::source_folders(project, base) {
            Ok(folders) => folders,
            Err(errors) => {
                problems(out, &errors);
                return None;
            }
        };
        for dir in folders {
            out.read.push(dir.clone());
            match crate::read_tree(&dir) {
                Ok(files) => sources.push(files),
                Err(error) => out.failures.push(error),
            }
        }
    }
    let rendered = discover_functions(spec, &sources).and_then(|spec| crate::render(&spec, ctx));
    match rendered {
        Ok(bundle) => Some(Component {
            name: input.name.clone(),
            source: path.clone(),
            bundle,
            tiltfile: None,
        }),
        Err(errors) => {
            problems(out, &errors);
            None
        }
    }
}

fn compose_component(input: &Input, ctx: &Context, out: &mut Generated) -> Option<Component> {
    let first = input.files.first()?;
    out.read.push(folder_of(first).to_owned());
    let (_, names, files) = match compose_files(&input.files) {
        Ok(loaded) => loaded,
        Err(error) => {
            out.failures.push(error);
            return None;
        }
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let main_text = names.first().and_then(|n| files.get(*n)).map(String::as_str);
    let rendered = k3scompose::Project::parse_files(&names, &files, &ctx.variables)
        .and_then(|project| render_project_in(&project, ctx, &format!("{}.yaml", input.name)));
    match rendered {
        Ok(rendered) => {
            let locator = main_text.and_then(Locator::new);
            out.diagnostics.extend(
                rendered
                    .warnings
                    .iter()
                    .map(|w| Diagnostic::warning(first, locator.as_ref(), &w.path, w.reason.clone())),
            );
            Some(Component {
                name: input.name.clone(),
                source: first.clone(),
                bundle: rendered.bundle,
                tiltfile: rendered.tiltfile,
            })
        }
        Err(errors) => {
            out.diagnostics
                .extend(Diagnostic::from_errors(first, main_text, &errors, Severity::Error));
            None
        }
    }
}

/// Two components with one name would overwrite each other's file.
fn check_names(out: &mut Generated) {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut clashes = Vec::new();
    for component in &out.components {
        if let Some(earlier) = seen.insert(&component.name, &component.source) {
            clashes.push(Diagnostic::file(
                &component.source,
                format!(
                    "component name {name:?} is also the name of {}; both would be written to {name}.yaml (rename one file or folder)",
                    earlier.display(),
                    name = component.name,
                ),
                Severity::Error,
            ));
        }
    }
    out.diagnostics.extend(clashes);
}
