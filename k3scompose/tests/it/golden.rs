//! Golden tests: whole compose projects rendered for the local target.
//!
//! Inputs live in `tests/projects/<name>/`, outputs in `tests/golden/<name>.yaml` (warnings as
//! comments, then the bundle). `K3S_BLESS=1 cargo test -p k3scompose --test it golden` rewrites them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3scompose::{MAIN_FILE, Project};
use k3score::{Context, Target};
use pretty_assertions::assert_eq;

fn render(name: &str, profiles: &[&str], target: Target) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/projects")
        .join(name);
    let files = crate::common::read_dir(&dir);
    let vars = BTreeMap::from([("APP_VERSION".to_owned(), "2.1.0".to_owned())]);
    let project = Project::parse(&files[MAIN_FILE], &files, &vars).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ctx = Context::new(target, "demo".parse().unwrap());
    let out = project.render(&ctx, profiles).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut text = String::new();
    for warning in &out.warnings {
        text.push_str(&format!("# warning: {warning}\n"));
    }
    text.push_str(&out.bundle.to_yaml().unwrap());
    text
}

fn check(golden: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(golden);
    if std::env::var_os("K3S_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}; run with K3S_BLESS=1", path.display()));
    assert_eq!(expected, actual, "{golden} differs; rerun with K3S_BLESS=1 to accept");
}

#[test]
fn web_db_cache() {
    check("web-db-cache.yaml", &render("web-db-cache", &[], Target::local()));
}

#[test]
fn web_db_cache_gcp() {
    let text = render("web-db-cache", &[], Target::gcp());
    assert!(text.contains("kind: ExternalSecret"), "{text}");
    check("web-db-cache-gcp.yaml", &text);
}

#[test]
fn build_only() {
    check("build-only.yaml", &render("build-only", &[], Target::local()));
}

#[test]
fn profiles_and_extends() {
    let default = render("profiles-extends", &[], Target::local());
    let debug = render("profiles-extends", &["debug"], Target::local());
    assert!(!default.contains("name: adminer"), "{default}");
    assert!(debug.contains("name: adminer"), "{debug}");
    check("profiles-extends.yaml", &default);
    check("profiles-extends-debug.yaml", &debug);
}
