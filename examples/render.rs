//! Render any spec files for a target.
//!
//! ```sh
//! cargo run --example render -- --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] \
//!     [--vars FILE.env] [--out DIR] FILE...
//! ```
//!
//! Spec files name their kind at the top (`kind: App`, `kind: Apps`). YAML goes to stdout
//! (or one file per input into `--out`), problems to stderr with their field paths, and the
//! exit status is 1 on any problem.

use k3s_examples::{CliError, emit, parse_options, parse_spec, render_spec, run};

fn main() {
    run(|| {
        let options = parse_options(std::env::args().skip(1))?;
        if options.files.is_empty() {
            return Err(CliError::Usage(
                "render --target <local|dev|gcp> [--ingress traefik|haproxy|gateway-api] [--vars FILE.env] [--out DIR] FILE...".into(),
            ));
        }
        let mut components = Vec::new();
        for path in &options.files {
            let text = std::fs::read_to_string(path).map_err(|e| CliError::Io(path.clone(), e))?;
            let spec = parse_spec(&text).map_err(|e| CliError::Spec(path.clone(), e))?;
            let bundle = render_spec(&spec, &options.target, "default", &options.vars)
                .map_err(|e| CliError::Spec(path.clone(), e))?;
            let name = path
                .file_stem()
                .map_or_else(|| "spec".to_owned(), |s| s.to_string_lossy().into_owned());
            components.push((name, bundle));
        }
        emit(&components, options.out.as_deref())
    });
}
