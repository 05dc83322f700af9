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
    assert_eq!(
        places,
        [
            ("app.yaml", 9, 63, "patches[0].ops[1].value"),
            ("app.yaml", 12, 93, "patches[1].ops[0].value"),
            ("app.yaml", 16, 9, "patches[2].ops[1]"),
            ("app.yaml", 17, 13, "patches[3].target"),
            ("apps.yaml", 9, 52, "patches[0].ops[0].value"),
            ("apps.yaml", 11, 65, "objects[0].dta"),
            ("compose.yaml", 8, 71, "services.web.x-k3s.patches[0].ops[0].value"),
            ("gateway.yaml", 6, 13, "patches[0].target"),
        ]
    );
    let message = |path: &str| &errors.iter().find(|e| e.3 == path).unwrap().4;
    assert!(
        message("patches[0].ops[1].value").starts_with("/spec/template/spec/notAField is not a field of Deployment")
    );
    assert!(message("patches[1].ops[0].value").contains("a privileged container breaks Pod Security `restricted`"));
    assert!(message("patches[2].ops[1]").starts_with("test failed: /spec/ports/0/port is 8080"));
    assert!(message("patches[3].target").starts_with("no Deployment named \"order\" here"));
    assert!(message("patches[0].ops[0].value").starts_with("a patch cannot change /metadata/name"));
}
