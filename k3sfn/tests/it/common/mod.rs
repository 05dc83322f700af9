//! Helpers shared by the k3sfn integration tests: fixtures, contexts and golden files.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k3score::{Bundle, Context, Target};
use k3sfn::Project;

/// The namespace every test renders into.
pub(crate) const NAMESPACE: &str = "shop";

/// `${VAR}` values and local secret values (never real credentials).
pub(crate) const VALUES: [(&str, &str); 3] = [
    ("DB_HOST", "postgres.shop.svc.cluster.local"),
    ("API_KEY", "dev-api-key"),
    ("redis-credentials.password", "dev-redis-password"),
];

/// A render context on `target` with the test values.
pub(crate) fn ctx(target: Target) -> Context {
    let values: BTreeMap<String, String> = VALUES.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Context::new(target, NAMESPACE.parse().unwrap())
        .with_variables(values.clone())
        .with_secret_values(values)
}

/// The path of a file under `k3sfn/tests/`.
pub(crate) fn test_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join(relative)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The project of `tests/fixtures/<name>.yaml`.
pub(crate) fn project(name: &str) -> Project {
    let text = read(&test_path(&format!("fixtures/{name}.yaml")));
    k3score::yaml::from_yaml(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `(relative path, text)` of every file under `dir`, sorted by path.
pub(crate) fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((relative, read(&path)));
            }
        }
    }
    out.sort();
    out
}

/// The example project `examples/functions`: its `functions.yaml` plus the functions
/// discovered in its `sources` folders.
pub(crate) fn example_project() -> Project {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/functions");
    let project: Project = k3score::yaml::from_yaml(&read(&root.join("functions.yaml"))).unwrap();
    let mut found = Vec::new();
    let default = vec![k3sfn::DEFAULT_SOURCES.to_owned()];
    for dir in project.sources.as_ref().unwrap_or(&default) {
        found.extend(k3sfn::discover(&sources(&root.join(dir))).unwrap_or_else(|e| panic!("{e}")));
    }
    project.with_discovered(found)
}

/// Renders, panicking with every problem.
pub(crate) fn render(project: &Project, target: Target) -> Bundle {
    project
        .render(&ctx(target))
        .unwrap_or_else(|e| panic!("render failed:\n{e}"))
}

/// Compares the bundle's YAML with `tests/golden/<name>.yaml`; `K3S_BLESS=1` rewrites it.
pub(crate) fn golden(name: &str, bundle: &Bundle) {
    let actual = bundle.to_yaml().unwrap();
    let path = test_path(&format!("golden/{name}.yaml"));
    if std::env::var_os("K3S_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with K3S_BLESS=1", path.display()));
    pretty_assertions::assert_eq!(expected, actual, "golden {name}");
}
