//! k3sgen's integration tests: the command run as a process, the build.rs entry point, and
//! the generated spec reference.

mod build;
mod check_report;
mod cli;
mod escape_hatch;
mod fast_reader;
mod jobs;
mod kinds;
mod messages;
mod reference;
mod shapes;

use std::path::{Path, PathBuf};

/// The workspace root (the k3sgen crate's parent).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("k3sgen sits in the workspace")
        .to_owned()
}

/// Whether golden files should be rewritten instead of compared (`K3SGEN_BLESS=1`).
fn bless() -> bool {
    std::env::var_os("K3SGEN_BLESS").is_some()
}

/// Compares `actual` with the file at `path`, or writes it there when blessing.
fn golden(path: &Path, actual: &str) {
    if bless() {
        std::fs::write(path, actual).expect("golden file is writable");
        return;
    }
    let expected =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e} (K3SGEN_BLESS=1 writes it)", path.display()));
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{} differs (K3SGEN_BLESS=1 rewrites it)",
        path.display()
    );
}
