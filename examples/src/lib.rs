//! Shared plumbing of the example programs: command-line options, spec-file detection and
//! output. The examples themselves stay short and show the crates' APIs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use k3sapp::{App, AppSet};
use k3score::target::Ingress;
use k3score::{Bundle, Context, Errors, Target};

/// A failure of an example program, printed to stderr before exiting with status 1.
#[derive(Debug)]
pub enum CliError {
    /// Bad command-line usage.
    Usage(String),
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// A spec had problems (every one, with its field path).
    Spec(PathBuf, Errors),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) => write!(f, "usage: {message}"),
            CliError::Io(path, error) => write!(f, "{}: {error}", path.display()),
            CliError::Spec(path, errors) => {
                for error in errors {
                    writeln!(f, "{}: {error}", path.display())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CliError {}

/// Options shared by `quickstart` and `render`.
#[derive(Clone, Debug)]
pub struct Options {
    /// The target (preset, possibly with another ingress controller).
    pub target: Target,
    /// Where to write one file per component; stdout when `None`.
    pub out: Option<PathBuf>,
    /// `${VAR}` values and local secret values from `--vars FILE.env`.
    pub vars: BTreeMap<String, String>,
    /// Positional arguments (spec files).
    pub files: Vec<PathBuf>,
    /// `-f FILE` compose files, merged in order into one project (`docker compose -f`).
    pub compose_files: Vec<PathBuf>,
}

/// Parses `--target`, `--ingress`, `--vars`, `--out`, `-f`/`--file` and positional files.
pub fn parse_options(args: impl IntoIterator<Item = String>) -> Result<Options, CliError> {
    let mut target = Target::local();
    let mut ingress: Option<String> = None;
    let mut out = None;
    let mut vars = BTreeMap::new();
    let mut files = Vec::new();
    let mut compose_files = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .ok_or_else(|| CliError::Usage(format!("{flag} needs a value")))
        };
        match arg.as_str() {
            "--target" => {
                let name = value("--target")?;
                target = Target::preset(&name).map_err(|e| CliError::Usage(e.to_string()))?;
            }
            "--ingress" => ingress = Some(value("--ingress")?),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "-f" | "--file" => compose_files.push(PathBuf::from(value("-f")?)),
            "--vars" => {
                let path = PathBuf::from(value("--vars")?);
                let text = std::fs::read_to_string(&path).map_err(|e| CliError::Io(path.clone(), e))?;
                vars = k3score::dotenv::parse(&text).map_err(|e| CliError::Spec(path, e))?;
            }
            flag if flag.starts_with("--") => return Err(CliError::Usage(format!("unknown option {flag}"))),
            file => files.push(PathBuf::from(file)),
        }
    }
    if let Some(name) = ingress {
        target = with_ingress(target, &name)?;
    }
    Ok(Options {
        target,
        out,
        vars,
        files,
        compose_files,
    })
}

/// The target with another ingress controller (`traefik`, `haproxy`, `gateway-api`).
pub fn with_ingress(target: Target, name: &str) -> Result<Target, CliError> {
    let (ingress, namespace) = match name {
        "traefik" => (Ingress::traefik(), "kube-system"),
        "haproxy" => (Ingress::haproxy(), "haproxy-controller"),
        "gateway-api" => (
            Ingress::gateway_api("shared-gateway", "gateway-system").map_err(|e| CliError::Usage(e.to_string()))?,
            "gateway-system",
        ),
        other => {
            return Err(CliError::Usage(format!(
                "unknown ingress {other:?}; use traefik, haproxy or gateway-api"
            )));
        }
    };
    Ok(target.with_ingress(ingress, namespace.parse().expect("static name")))
}

/// A parsed spec file of any kind the suite knows.
#[derive(Clone, Debug)]
pub enum Spec {
    /// `kind: App`
    App(Box<App>),
    /// `kind: Apps`
    Apps(AppSet),
    /// `kind: Gateway`
    Gateway(Box<k3sgateway::Gateway>),
    /// `kind: Functions` (functions listed in the file; add discovered ones with
    /// [`discover_functions`]).
    Functions(Box<k3sfn::Project>),
    /// `kind: Platform` (Helm charts through Argo CD)
    Platform(Box<k3splatform::Platform>),
    /// `kind: Tenant`
    Tenant(Box<k3splatform::Tenant>),
    /// `kind: Store`
    Store(Box<k3splatform::Store>),
}

#[derive(serde::Deserialize)]
struct KindProbe {
    #[serde(default)]
    kind: Option<String>,
}

/// Reads a spec from text, dispatching on its top-level `kind`.
pub fn parse_spec(text: &str) -> Result<Spec, Errors> {
    let probe: KindProbe = k3score::yaml::from_yaml(text)?;
    match probe.kind.as_deref() {
        Some("App") | None => Ok(Spec::App(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Apps") => Ok(Spec::Apps(k3score::yaml::from_yaml(text)?)),
        Some("Gateway") => Ok(Spec::Gateway(Box::new(k3sgateway::Gateway::from_yaml(text)?))),
        Some("Functions") => Ok(Spec::Functions(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Platform") => Ok(Spec::Platform(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Tenant") => Ok(Spec::Tenant(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Store") => Ok(Spec::Store(Box::new(k3score::yaml::from_yaml(text)?))),
        Some(other) => Err(k3score::Error::new(
            k3score::FieldPath::root().field("kind"),
            k3score::ErrorKind::Unsupported {
                feature: format!("kind {other:?}"),
                by: "this renderer".into(),
                why: "known kinds are App, Apps, Functions, Gateway, Platform, Tenant and Store".into(),
            },
        )
        .into()),
    }
}

/// Renders a spec into `namespace` (an `Apps` file may name its own).
pub fn render_spec(
    spec: &Spec,
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Bundle, Errors> {
    let ns = match spec {
        Spec::Apps(set) => set.namespace.as_ref().map_or(namespace, |n| n.as_str()),
        Spec::Gateway(gateway) => gateway.namespace.as_ref().map_or(namespace, |n| n.as_str()),
        Spec::App(_) | Spec::Functions(_) | Spec::Platform(_) | Spec::Tenant(_) | Spec::Store(_) => namespace,
    };
    let namespace = ns
        .parse()
        .map_err(|kind| Errors::from(k3score::Error::new(k3score::FieldPath::root().field("namespace"), kind)))?;
    let ctx = Context::new(target.clone(), namespace)
        .with_variables(vars.clone())
        .with_secret_values(vars.clone());
    match spec {
        Spec::App(app) => app.render(&ctx),
        Spec::Apps(set) => set.render(&ctx),
        Spec::Gateway(gateway) => gateway.render(&ctx),
        Spec::Functions(project) => project.render(&ctx),
        Spec::Platform(platform) => platform.render(&ctx),
        Spec::Tenant(tenant) => tenant.render(&ctx),
        Spec::Store(store) => store.render(&ctx),
    }
}

/// Every file under `dir` as `(path relative to dir, text)`, sorted; files that are not
/// UTF-8 text are skipped (discovery only reads `.py`, `.ts` and `.js` sources).
pub fn read_tree(dir: &Path) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| CliError::Io(current.clone(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| CliError::Io(current.clone(), e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, text));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Adds the functions discovered in `sources` (`(path, text)` per folder of
/// `project.sources`) to a `kind: Functions` spec; other specs are returned unchanged.
pub fn discover_functions(spec: Spec, sources: &[Vec<(String, String)>]) -> Result<Spec, Errors> {
    let Spec::Functions(project) = spec else {
        return Ok(spec);
    };
    let mut found = Vec::new();
    let mut problems = k3score::Problems::default();
    for files in sources {
        match k3sfn::discover(files) {
            Ok(functions) => found.extend(functions),
            Err(errors) => problems.push(
                k3score::FieldPath::root().field("sources"),
                k3score::ErrorKind::Invalid(errors.to_string()),
            ),
        }
    }
    problems.finish(())?;
    Ok(Spec::Functions(Box::new(project.with_discovered(found))))
}

/// The source folders of a `kind: Functions` spec read from `base` (the spec file's folder).
pub fn read_sources(spec: &Spec, base: &Path) -> Result<Vec<Vec<(String, String)>>, CliError> {
    match spec {
        Spec::Functions(project) => project.sources.iter().map(|dir| read_tree(&base.join(dir))).collect(),
        Spec::App(_) | Spec::Apps(_) | Spec::Gateway(_) | Spec::Platform(_) | Spec::Tenant(_) | Spec::Store(_) => {
            Ok(Vec::new())
        }
    }
}

/// Writes each `(component, bundle)` to `out/<component>.yaml`, or all to stdout as one
/// multi-document stream when `out` is `None`.
pub fn emit(components: &[(String, Bundle)], out: Option<&Path>) -> Result<(), CliError> {
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| CliError::Io(dir.to_owned(), e))?;
            for (name, bundle) in components {
                let path = dir.join(format!("{name}.yaml"));
                let yaml = bundle.to_yaml().map_err(|e| CliError::Spec(path.clone(), e.into()))?;
                std::fs::write(&path, yaml).map_err(|e| CliError::Io(path.clone(), e))?;
            }
        }
        None => {
            let mut first = true;
            for (name, bundle) in components {
                let yaml = bundle
                    .to_yaml()
                    .map_err(|e| CliError::Spec(PathBuf::from(name), e.into()))?;
                if yaml.is_empty() {
                    continue;
                }
                if !first {
                    println!("---");
                }
                first = false;
                print!("# component: {name}\n{yaml}");
            }
        }
    }
    Ok(())
}

/// Runs `main`, printing an error and exiting with status 1 on failure.
pub fn run(main: impl FnOnce() -> Result<(), CliError>) {
    if let Err(error) = main() {
        eprint!("{error}");
        if !matches!(error, CliError::Spec(..)) {
            eprintln!();
        }
        std::process::exit(1);
    }
}

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
#[must_use]
pub fn is_compose(path: &Path, text: &str) -> bool {
    let named = path
        .file_name()
        .is_some_and(|n| COMPOSE_FILE_NAMES.iter().any(|c| n.to_string_lossy() == *c));
    named || k3scompose::looks_like_compose(text)
}

/// A rendered compose project.
#[derive(Debug)]
pub struct ComposeOutput {
    /// The objects.
    pub bundle: Bundle,
    /// Settings that were not translated, with their compose keys.
    pub warnings: Vec<String>,
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
) -> Result<ComposeOutput, CliError> {
    let first = paths.first().ok_or_else(|| CliError::Usage("no compose file".into()))?;
    let dir = first.parent().unwrap_or(Path::new("."));
    let files: BTreeMap<String, String> = read_tree(dir)?.into_iter().collect();
    let mut names = Vec::new();
    for path in paths {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if !files.contains_key(&name) {
            return Err(CliError::Usage(format!(
                "{}: not found, or not in the first compose file's folder (or below it)",
                path.display()
            )));
        }
        names.push(name);
    }
    if let [only] = names.as_slice() {
        names = k3scompose::with_override(only, &files);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let spec_error = |e| CliError::Spec(first.clone(), e);
    let project = k3scompose::Project::parse_files(&names, &files, vars).map_err(spec_error)?;
    render_project(&project, target, namespace, vars, manifest).map_err(spec_error)
}

fn render_project(
    project: &k3scompose::Project,
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
    manifest: &str,
) -> Result<ComposeOutput, Errors> {
    let namespace = namespace
        .parse()
        .map_err(|kind| Errors::from(k3score::Error::new(k3score::FieldPath::root().field("namespace"), kind)))?;
    let ctx = Context::new(target.clone(), namespace)
        .with_variables(vars.clone())
        .with_secret_values(vars.clone());
    let translation = project.translate(&[])?;
    let rendered = translation.render(&ctx)?;
    Ok(ComposeOutput {
        bundle: rendered.bundle,
        warnings: rendered.warnings.iter().map(ToString::to_string).collect(),
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
    Ok((out.bundle, out.warnings))
}
