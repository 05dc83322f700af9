//! The `k3sgen` command, run as a process over the example specs and bad inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `k3sgen args...` in `dir` without colour.
fn k3sgen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_k3sgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the k3sgen binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn examples() -> PathBuf {
    crate::workspace().join("examples")
}

/// What the render example did for one file (spec or function folder), through the library.
fn rendered_by_library(path: &Path, target: &str, vars: &std::collections::BTreeMap<String, String>) -> String {
    let target = k3score::Target::preset(target).expect("preset");
    let file = if path.is_dir() {
        path.join("functions.yaml")
    } else {
        path.to_owned()
    };
    let spec = k3sgen::parse_spec(&std::fs::read_to_string(&file).unwrap()).expect("example parses");
    let sources = k3sgen::read_sources(&spec, file.parent().unwrap()).expect("sources");
    let spec = k3sgen::discover_functions(spec, &sources).expect("discovery");
    let bundle = k3sgen::render_spec(&spec, &target, "default", vars).expect("example renders");
    bundle.to_yaml().expect("YAML")
}

#[test]
fn renders_the_example_specs_like_the_library_for_every_preset() {
    let dir = examples();
    let vars = k3score::dotenv::parse(&std::fs::read_to_string(dir.join("specs/local.env")).unwrap()).unwrap();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir.join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    inputs.push(dir.join("functions"));
    for target in ["local", "dev", "gcp"] {
        let out = tempfile::tempdir().unwrap();
        let mut args = vec!["render", "--target", target, "--vars", "specs/local.env", "--out"];
        args.push(out.path().to_str().unwrap());
        let relative: Vec<String> = inputs
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        args.extend(relative.iter().map(String::as_str));
        let run = k3sgen(&dir, &args);
        assert!(run.status.success(), "{target}: {}", text(&run.stderr));
        for input in &inputs {
            let name = input.file_stem().unwrap().to_string_lossy();
            let written = std::fs::read_to_string(out.path().join(format!("{name}.yaml"))).unwrap();
            assert_eq!(written, rendered_by_library(input, target, &vars), "{target}: {name}");
        }
        assert!(out.path().join(k3sgen::OUTPUT_MARKER).is_file());
    }
}

#[test]
fn stdout_is_one_stream_with_component_headers() {
    let run = k3sgen(
        &examples(),
        &[
            "render",
            "specs/tenant.yaml",
            "specs/store.yaml",
            "--vars",
            "specs/local.env",
        ],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.starts_with("# component: tenant\napiVersion: v1\nkind: Namespace\n"),
        "{stdout}"
    );
    assert!(stdout.contains("---\n# component: store\n"), "{stdout}");
    let json = k3sgen(&examples(), &["render", "specs/tenant.yaml", "--format", "json"]);
    assert!(json.status.success());
    assert!(text(&json.stdout).starts_with('['));
}

#[test]
fn check_passes_over_the_examples() {
    let dir = examples();
    let run = k3sgen(&dir, &["check", "--vars", "specs/local.env", "specs", "functions"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("ok: 26 component(s) checked"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn check_reports_every_problem_with_its_place_and_exits_1() {
    let data = crate::workspace().join("k3sgen/tests/data");
    let run = k3sgen(&data, &["check", "bad"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    for expected in [
        "bad/ports.yaml:7:",
        "bad/ports.yaml:10:",
        "bad/syntax.yaml:",
        "bad/typo.yaml:3:",
        "bad/unknown-kind.yaml:1:7: error: kind: ",
        "bad/stack/compose.yaml:",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing in:\n{stderr}");
    }
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour with NO_COLOR or without a terminal"
    );
    let json = k3sgen(&data, &["check", "bad", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    crate::golden(
        &crate::workspace().join("k3sgen/tests/golden/check-bad.json"),
        &text(&json.stdout),
    );
}

#[test]
fn check_reports_every_mistake_of_every_kind_as_json() {
    // One file per spec kind, each with mistakes of every layer (messages.rs checks the list).
    let data = crate::workspace().join("k3sgen/tests/data");
    let json = k3sgen(&data, &["check", "mistakes", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    crate::golden(
        &crate::workspace().join("k3sgen/tests/golden/check-mistakes.json"),
        &text(&json.stdout),
    );
}

#[test]
fn warnings_are_denied_on_request() {
    let dir = examples().join("compose/flask-redis");
    let allowed = k3sgen(&dir, &["check", "compose.yaml"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert!(
        text(&allowed.stderr).contains("compose.yaml:"),
        "warnings name the file"
    );
    let denied = k3sgen(&dir, &["check", "--deny-warnings", "compose.yaml"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(text(&denied.stderr).contains("(warnings denied)"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = examples();
    assert_eq!(k3sgen(&dir, &["render", "--target", "mars"]).status.code(), Some(2));
    let missing = k3sgen(&dir, &["check", "specs/nope.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("specs/nope.yaml"),
        "{}",
        text(&missing.stderr)
    );
    assert_eq!(k3sgen(&dir, &["explain", "App.nope"]).status.code(), Some(2));
}

#[test]
fn stale_files_are_removed_from_the_output_folder() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("rendered");
    let dir = examples();
    let path = target.to_str().unwrap();
    let first = k3sgen(
        &dir,
        &[
            "render",
            "--vars",
            "specs/local.env",
            "--out",
            path,
            "specs/tenant.yaml",
            "specs/store.yaml",
        ],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = k3sgen(&dir, &["render", "--out", path, "specs/tenant.yaml"]);
    assert!(second.status.success());
    assert!(target.join("tenant.yaml").is_file());
    assert!(!target.join("store.yaml").exists(), "the store is no longer rendered");
}

#[test]
fn starters_render_as_they_are() {
    let out = tempfile::tempdir().unwrap();
    for kind in k3sgen::starter::KINDS {
        let made = k3sgen(out.path(), &["new", kind, &format!("my-{kind}")]);
        assert!(made.status.success(), "{kind}: {}", text(&made.stderr));
        let again = k3sgen(out.path(), &["new", kind, &format!("my-{kind}")]);
        assert_eq!(again.status.code(), Some(2), "never overwrites");
    }
    std::fs::write(out.path().join("local.env"), "postgres-password.password=x\n").unwrap();
    let run = k3sgen(out.path(), &["check", "--vars", "local.env", "--deny-warnings", "."]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(k3sgen(out.path(), &["new", "app", "Not_A_Name"]).status.code(), Some(2));
}

#[test]
fn schema_and_explain() {
    let out = tempfile::tempdir().unwrap();
    let run = k3sgen(out.path(), &["schema", "schemas"]);
    assert!(run.status.success());
    for file in [
        "app.json",
        "apps.json",
        "functions.json",
        "gateway.json",
        "store.json",
        "tenant.json",
    ] {
        let schema = std::fs::read_to_string(out.path().join("schemas").join(file)).unwrap();
        assert!(schema.contains("\"$schema\""), "{file}");
    }
    let explain = k3sgen(out.path(), &["explain", "App.scaling"]);
    assert!(explain.status.success());
    let stdout = text(&explain.stdout);
    assert!(stdout.starts_with("App.scaling: "), "{stdout}");
    assert!(stdout.contains("hpa"), "{stdout}");
}

#[test]
fn help_shows_examples_for_every_subcommand() {
    for sub in ["render", "check", "schema", "explain", "new"] {
        let run = k3sgen(&examples(), &[sub, "--help"]);
        assert!(run.status.success());
        assert!(text(&run.stdout).contains("Examples:"), "{sub}");
    }
}

#[test]
fn a_bad_thread_count_is_refused_from_the_flag_and_from_k3s_jobs() {
    let spec = examples().join("specs/tenant.yaml");
    let spec = spec.to_str().unwrap();
    let flag = k3sgen(&examples(), &["render", spec, "--jobs", "0"]);
    assert_eq!(flag.status.code(), Some(2), "{}", text(&flag.stderr));
    let env = Command::new(env!("CARGO_BIN_EXE_k3sgen"))
        .args(["render", spec])
        .env("NO_COLOR", "1")
        .env("K3S_JOBS", "many")
        .output()
        .expect("the k3sgen binary runs");
    let stderr = text(&env.stderr);
    assert_eq!(env.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("many") && stderr.contains("--jobs"), "{stderr}");
    assert!(env.stdout.is_empty(), "nothing is rendered with a bad K3S_JOBS");
    let good = Command::new(env!("CARGO_BIN_EXE_k3sgen"))
        .args(["render", spec])
        .env("K3S_JOBS", "3")
        .output()
        .expect("the k3sgen binary runs");
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert_eq!(
        text(&good.stdout),
        text(&k3sgen(&examples(), &["render", spec, "-j", "1"]).stdout)
    );
}
