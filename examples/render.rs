//! Render any spec files for a target.
//!
//! ```sh
//! cargo run --example render -- --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] \
//!     [--vars FILE.env] [--out DIR] FILE_OR_FUNCTION_FOLDER...
//! ```
//!
//! Spec files name their kind at the top (`kind: App`, `Apps`, `Functions`, `Gateway`). A
//! folder stands for the function project in it: its `functions.yaml` plus the functions
//! discovered in the sources it lists. Compose files are recognised by name (`compose.yaml`,
//! `docker-compose.yml`, ...) or by a top-level `services:`; their warnings go to stderr.
//! YAML goes to stdout (or one file per input into `--out`), problems to stderr with their
//! field paths, and the exit status is 1 on any problem.

use std::path::Path;

use k3s_examples::{
    CliError, discover_functions, emit, is_compose, parse_options, parse_spec, read_sources, render_compose,
    render_spec, run,
};

fn main() {
    run(|| {
        let options = parse_options(std::env::args().skip(1))?;
        if options.files.is_empty() {
            return Err(CliError::Usage(
                "render --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] [--vars FILE.env] [--out DIR] FILE...".into(),
            ));
        }
        let mut components = Vec::new();
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
                let (bundle, warnings) = render_compose(&path, &options.target, "default", &options.vars)?;
                for warning in warnings {
                    eprintln!("{}: warning: {warning}", path.display());
                }
                // A compose project is named after its folder.
                let project = path
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned());
                components.push((project.unwrap_or(name), bundle));
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
