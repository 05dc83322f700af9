//! The escape hatch through the real entry point: every problem of a file's `patches` and
//! `objects` (App, Apps, Gateway, a compose service's `x-k3s`) with its file, line, column and
//! path, the op's index included.

use std::path::PathBuf;

use k3score::{Context, Target};
use k3sgen::Severity;

/// `(file, line, column, path, message)` of every error of checking `tests/data/escape-hatch`.
fn errors() -> Vec<(String, u64, u64, String, String)> {
    let dir: PathBuf = crate::workspace().join("k3sgen/tests/data/escape-hatch");
    let inputs = k3sgen::discover(&[dir]).expect("inputs are readable");
    let ctx = Context::new(Target::local(), "default".parse().unwrap());
    let generated = k3sgen::generate(&inputs, &ctx);
    assert!(generated.failures.is_empty(), "{:?}", generated.failures);
    generated
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
            (file, d.line, d.column, d.path, d.message)
        })
        .collect()
}

#[test]
fn every_escape_hatch_problem_has_its_file_line_column_and_op() {
    let errors = errors();
    let places: Vec<(&str, u64, u64, &str)> = errors
        .iter()
        .map(|(file, line, column, path, _)| (file.as_str(), *line, *column, path.as_str()))
        .collect();
    for e in &errors {
        println!("{e:?}");
    }
    assert_eq!(places, Vec::<(&str, u64, u64, &str)>::new());
}
