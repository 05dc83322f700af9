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
    let project = Project::parse(&files[MAIN_FILE], &files, &vars()).unwrap_or_else(|e| panic!("{name}: {e}"));
    output(name, &project, profiles, target).0
}

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([("APP_VERSION".to_owned(), "2.1.0".to_owned())])
}

/// The warnings as comments, then the bundle; and the Tiltfile, if any.
fn output(name: &str, project: &Project, profiles: &[&str], target: Target) -> (String, Option<String>) {
    let ctx = Context::new(target, "demo".parse().unwrap());
    let out = project.render(&ctx, profiles).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut text = String::new();
    for warning in &out.warnings {
        text.push_str(&format!("# warning: {warning}\n"));
    }
    text.push_str(&out.bundle.to_yaml().unwrap());
    (text, out.tiltfile)
}

/// An example stack of `examples/compose` made of `paths` (the main file and its override
/// when empty), rendered for the local target into `golden/examples/<golden>.yaml`.
fn example(stack: &str, paths: &[&str], golden: &str) -> (String, Option<String>) {
    let files = crate::examples::stack(stack);
    let project = if paths.is_empty() {
        Project::parse(&files[MAIN_FILE], &files, &vars())
    } else {
        Project::parse_files(paths, &files, &vars())
    }
    .unwrap_or_else(|e| panic!("{stack}: {e}"));
    let (text, tiltfile) = output(stack, &project, &[], Target::local());
    check(&format!("examples/{golden}.yaml"), &text);
    (text, tiltfile)
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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/projects/build-only");
    let files = crate::common::read_dir(&dir);
    let project = Project::parse(&files[MAIN_FILE], &files, &vars()).unwrap();
    let tiltfile = output("build-only", &project, &[], Target::local()).1.unwrap();
    check("build-only.Tiltfile", &tiltfile);
}

#[test]
fn example_override_merged_automatically() {
    let (text, _) = example("override-dev-prod", &[], "override-dev-prod");
    assert!(
        text.contains("value: debug") && !text.contains("FEATURE_FLAGS"),
        "{text}"
    );
    assert!(text.contains("port: 9229") && text.contains("port: 8080"), "{text}");
    assert!(
        !text.contains("kind: PersistentVolumeClaim"),
        "!reset [] removes the cache volume: {text}"
    );
}

#[test]
fn example_override_files_in_order() {
    let (text, _) = example(
        "override-dev-prod",
        &["compose.yaml", "compose.prod.yaml"],
        "override-dev-prod-prod",
    );
    assert!(
        text.contains("image: ghcr.io/acme/shop-web:2.3.1") && text.contains("replicas: 3"),
        "{text}"
    );
    assert!(
        text.contains("port: 8443") && !text.contains("port: 8080"),
        "!override replaces the ports: {text}"
    );
    assert!(
        text.contains("value: checkout-v2") && text.contains("kind: PersistentVolumeClaim"),
        "{text}"
    );
}

#[test]
fn example_relaxed_env_names() {
    let (text, _) = example("opensearch-single-node", &[], "opensearch-single-node");
    assert!(
        text.contains("- name: discovery.type\n          value: single-node"),
        "{text}"
    );
}

#[test]
fn example_named_users() {
    let (text, _) = example("named-users", &[], "named-users");
    assert!(
        text.contains("# warning: services.db.user: \"mysql\" is a name"),
        "{text}"
    );
    assert!(
        text.contains("# warning: services.app.user: group \"www-data\" is a name"),
        "{text}"
    );
}

#[test]
fn example_external_legacy_names() {
    let (text, _) = example("external-legacy", &[], "external-legacy");
    assert!(
        text.contains("# warning: volumes.library.external.name: deprecated: read as `external: true` with `name: nas-media-library`"),
        "{text}"
    );
    assert!(text.contains("claimName: nas-media-library"), "{text}");
}

#[test]
fn example_build_without_image() {
    let (text, tiltfile) = example("monorepo-build", &[], "monorepo-build");
    assert!(text.contains("image: notes-api"), "{text}");
    let tiltfile = tiltfile.expect("a Tiltfile for the built services");
    assert!(
        tiltfile.contains("docker_build(\n    'notes-api',\n    './api',"),
        "{tiltfile}"
    );
    check("examples/monorepo-build.Tiltfile", &tiltfile);
}

#[test]
fn example_kompose_labels() {
    let (text, _) = example("kompose-labels", &[], "kompose-labels");
    assert!(
        !text.contains("services.reports: no ports"),
        "a cron job needs no Service: {text}"
    );
    for part in [
        "kind: HorizontalPodAutoscaler",
        "Host(`shop.example.com`) && PathPrefix(`/api`)",
        "kind: StatefulSet",
        "storageClassName: fast-ssd",
        "storage: 8Gi",
        "name: wait-for-volume",
        "path: /ready",
        "fsGroup: 70",
        "kind: CronJob",
        "schedule: 0 3 * * *",
        "concurrencyPolicy: Forbid",
        "type: LoadBalancer",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
}

#[test]
fn example_placement_sidecars() {
    let (text, _) = example("placement-sidecars", &[], "placement-sidecars");
    for part in [
        "kubernetes.io/arch: arm64",
        "kubernetes.io/os: linux",
        "pool: telemetry",
        "operator: NotIn",
        "- name: regcred",
        "imagePullPolicy: IfNotPresent",
        "restartPolicy: Always",
        "checksum/config:",
        "topologyKey: kubernetes.io/hostname",
        "# warning: services.collector.deploy.placement.constraints[4]: \"node.role==manager\" is not translated",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(!text.contains("kompose.image-pull-secret: not translated"), "{text}");
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
