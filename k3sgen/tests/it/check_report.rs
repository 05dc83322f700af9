//! The `k3sgen check` report and verdict as a library contract: the JSON `check --format json`
//! prints (its shape, field by field) and the verdict for a clean file, a file with errors, one
//! with warnings, and a file that cannot be read.

use std::path::{Path, PathBuf};

use k3score::{Context, Target};
use k3sgen::{CheckReport, Generated, Input, InputKind, Verdict};
use serde_json::Value;

fn generated(paths: &[PathBuf]) -> Generated {
    let inputs = k3sgen::discover(paths).expect("the inputs exist");
    k3sgen::generate(&inputs, &Context::new(Target::local(), "default".parse().unwrap()))
}

fn json(report: &CheckReport) -> (String, Value) {
    let text = report.to_json().expect("a report serializes");
    let value = serde_json::from_str(&text).expect("the report is JSON");
    (text, value)
}

/// The top-level keys in the order they are printed, and every diagnostic's keys.
fn assert_shape(text: &str, value: &Value) {
    let positions: Vec<usize> = ["\"diagnostics\":", "\"errors\":", "\"warnings\":"]
        .iter()
        .map(|key| text.find(key).unwrap_or_else(|| panic!("{key} missing in {text}")))
        .collect();
    assert!(
        positions.is_sorted(),
        "diagnostics, errors, warnings in that order: {text}"
    );
    assert_eq!(value.as_object().unwrap().len(), 3, "{text}");
    for diagnostic in value["diagnostics"].as_array().unwrap() {
        let keys: Vec<&str> = diagnostic.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = vec!["column", "file", "line", "message", "path", "severity"];
        if diagnostic.get("suggestion").is_some() {
            expected.push("suggestion");
            expected.sort_unstable();
        }
        assert_eq!(keys, expected, "{diagnostic}");
        assert!(
            diagnostic["line"].is_u64() && diagnostic["column"].is_u64(),
            "{diagnostic}"
        );
        assert!(["error", "warning"].contains(&diagnostic["severity"].as_str().unwrap()));
    }
}

/// The counts agree with the diagnostics.
fn assert_counts(value: &Value) -> (u64, u64) {
    let of = |severity: &str| {
        value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == severity)
            .count() as u64
    };
    let (errors, warnings) = (value["errors"].as_u64().unwrap(), value["warnings"].as_u64().unwrap());
    assert_eq!((errors, warnings), (of("error"), of("warning")), "{value}");
    (errors, warnings)
}

#[test]
fn a_clean_file_reports_nothing_and_passes() {
    let run = generated(&[crate::workspace().join("examples/specs/tenant.yaml")]);
    let report = CheckReport::new(&run);
    let (text, value) = json(&report);
    assert_eq!(
        text,
        "{\n  \"diagnostics\": [],\n  \"errors\": 0,\n  \"warnings\": 0\n}"
    );
    assert_shape(&text, &value);
    for deny in [false, true] {
        let verdict = Verdict::of(&run, deny);
        assert_eq!(verdict, Verdict::Passed { warnings: 0 });
        assert_eq!(verdict.exit_status(), 0);
    }
}

#[test]
fn a_file_with_errors_reports_each_with_its_place_and_fails() {
    let run = generated(&[crate::workspace().join("k3sgen/tests/data/bad/ports.yaml")]);
    let (text, value) = json(&CheckReport::new(&run));
    assert_shape(&text, &value);
    assert_eq!(assert_counts(&value), (2, 0));
    let first = &value["diagnostics"][0];
    assert!(first["file"].as_str().unwrap().ends_with("bad/ports.yaml"), "{first}");
    assert_eq!((&first["line"], &first["column"]), (&Value::from(7), &Value::from(12)));
    assert_eq!(first["path"], "ports[1].name");
    assert_eq!(first["message"], "duplicate port name \"http\"");
    assert_eq!(first["severity"], "error");
    let verdict = Verdict::of(&run, false);
    assert_eq!(
        verdict,
        Verdict::Failed {
            errors: 2,
            warnings: 0,
            warnings_denied: false
        }
    );
    assert_eq!(
        (verdict.exit_status(), verdict.to_string().as_str()),
        (1, "2 error(s), 0 warning(s)")
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let run = generated(&[crate::workspace().join("examples/compose/nginx-static")]);
    let (text, value) = json(&CheckReport::new(&run));
    assert_shape(&text, &value);
    let (errors, warnings) = assert_counts(&value);
    assert_eq!(errors, 0, "{text}");
    assert!(warnings > 0, "{text}");
    assert!(
        value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["file"].as_str().unwrap().ends_with("compose.yaml")),
        "{text}"
    );
    let warnings = usize::try_from(warnings).unwrap();
    assert_eq!(Verdict::of(&run, false), Verdict::Passed { warnings });
    let denied = Verdict::of(&run, true);
    assert_eq!(
        denied,
        Verdict::Failed {
            errors: 0,
            warnings,
            warnings_denied: true
        }
    );
    assert_eq!(denied.exit_status(), 1);
    assert!(
        denied.to_string().ends_with(" warning(s) (warnings denied)"),
        "{denied}"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_an_error_for_the_whole_file() {
    let missing = Path::new("/nonexistent/k3sgen/app.yaml").to_owned();
    let input = Input {
        kind: InputKind::Spec,
        files: vec![missing.clone()],
        name: "app".to_owned(),
    };
    let run = k3sgen::generate(&[input], &Context::new(Target::local(), "default".parse().unwrap()));
    assert_eq!(run.failures.len(), 1, "{:?}", run.failures);
    let report = CheckReport::new(&run);
    let (text, value) = json(&report);
    assert_shape(&text, &value);
    assert_eq!(assert_counts(&value), (1, 0));
    let diagnostic = &value["diagnostics"][0];
    assert_eq!(diagnostic["file"], missing.to_str().unwrap());
    assert_eq!(
        (&diagnostic["line"], &diagnostic["path"]),
        (&Value::from(0), &Value::from(""))
    );
    assert!(!diagnostic["message"].as_str().unwrap().is_empty(), "{diagnostic}");
}
