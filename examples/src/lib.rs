//! Shared plumbing of the example programs: command-line options and exit handling. Spec-file
//! recognition, functions discovery, compose conversion, rendering and output live in
//! [`k3sgen`], re-exported here so the examples read as before.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3score::Target;

pub use k3sgen::Error as CliError;
pub use k3sgen::{
    COMPOSE_FILE_NAMES, ComposeOutput, Spec, discover_functions, emit, is_compose, parse_spec, read_sources, read_tree,
    render_compose, render_compose_text, render_spec, with_ingress,
};

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
