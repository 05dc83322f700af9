//! Render any spec files for a target.
//!
//! ```sh
//! cargo run --example render -- --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] \
//!     [--vars FILE.env] [--out DIR] [-f COMPOSE_FILE...] FILE_OR_FUNCTION_FOLDER...
//! ```
//!
//! Spec files name their kind at the top (`kind: App`, `Apps`, `Functions`, `Gateway`). A
//! folder stands for the function project in it: its `functions.yaml` plus the functions
//! discovered in the sources it lists. Compose files are recognised by name (`compose.yaml`,
//! `docker-compose.yml`, ...) or by content (a top-level `services:`, or a legacy version 1
//! file); the override file beside one (`compose.override.yaml`, ...) is merged into it, and
//! `-f a.yaml -f b.yaml` merges several files into one project, as docker compose does.
//! Their warnings go to stderr; with `--out`, services built from source (`build:`) also get
//! `<out>/<project>.Tiltfile` (Tilt `docker_build`s for the images; its build contexts are
//! relative to the compose project's folder, where it and the manifest go to run `tilt up`).
//! YAML goes to stdout (or one file per input into `--out`), problems to stderr with their
//! field paths, and the exit status is 1 on any problem.

use std::path::{Path, PathBuf};

use k3score::Bundle;

use k3s_examples::{
    CliError, Options, discover_functions, emit, is_compose, parse_options, parse_spec, read_sources, render_compose,
    render_spec, run,
};

/// One compose project as a component named after its folder; warnings go to stderr, the
/// Tiltfile of services built from source to `<out>/<component>.Tiltfile`.
fn compose_component(paths: &[PathBuf], first: &Path, options: &Options) -> Result<(String, Bundle), CliError> {
    let name = first
        .canonicalize()
        .ok()
        .and_then(|p| {
            p.parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "compose".to_owned());
    let out = render_compose(
        paths,
        &options.target,
        "default",
        &options.vars,
        &format!("{name}.yaml"),
    )?;
    for warning in out.warnings {
        eprintln!("{}: warning: {warning}", first.display());
    }
    if let (Some(tiltfile), Some(dir)) = (&out.tiltfile, &options.out) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::Io(dir.clone(), e))?;
        let path = dir.join(format!("{name}.Tiltfile"));
        std::fs::write(&path, tiltfile).map_err(|e| CliError::Io(path, e))?;
    }
    Ok((name, out.bundle))
}

fn main() {
    run(|| {
        let options = parse_options(std::env::args().skip(1))?;
        if options.files.is_empty() && options.compose_files.is_empty() {
            return Err(CliError::Usage(
                "render --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] [--vars FILE.env] [--out DIR] [-f COMPOSE_FILE...] FILE...".into(),
            ));
        }
        let mut components = Vec::new();
        if let Some(first) = options.compose_files.first() {
            components.push(compose_component(&options.compose_files, first, &options)?);
        }
        for given in &options.files {
            let path = if given.is_dir() {
                given.join("functions.yaml")
            } else {
                given.clone()
            };
            let text = std::fs::read_to_string(&path).map_err(|e| CliError::Io(path.clone(), e))?;
            let name = if given.is_dir() {
                given.file_name()
            } else {
                path.file_stem()
            };
            let name = name.map_or_else(|| "spec".to_owned(), |s| s.to_string_lossy().into_owned());
            if is_compose(&path, &text) {
                components.push(compose_component(std::slice::from_ref(&path), &path, &options)?);
                continue;
            }
            let spec = parse_spec(&text).map_err(|e| CliError::Spec(path.clone(), e))?;
            let sources = read_sources(&spec, path.parent().unwrap_or(Path::new(".")))?;
            let spec = discover_functions(spec, &sources).map_err(|e| CliError::Spec(path.clone(), e))?;
            let bundle = render_spec(&spec, &options.target, "default", &options.vars)
                .map_err(|e| CliError::Spec(path.clone(), e))?;
            components.push((name, bundle));
        }
        emit(&components, options.out.as_deref())
    });
}
