//! The build script rendered every spec for both targets, and the output is what the specs
//! ask for.

use k3s_build_example::MANIFESTS;

fn manifest(target: &str, component: &str) -> &'static str {
    MANIFESTS
        .iter()
        .find(|(t, c, _)| *t == target && *c == component)
        .map(|(_, _, yaml)| *yaml)
        .unwrap_or_else(|| panic!("{target}/{component} was not rendered"))
}

#[test]
fn every_spec_is_rendered_for_both_targets() {
    let mut names: Vec<_> = MANIFESTS.iter().map(|(t, c, _)| format!("{t}/{c}")).collect();
    names.sort();
    assert_eq!(names, ["gcp/team", "gcp/web", "local/team", "local/web"]);
}

#[test]
fn the_targets_differ_where_they_should() {
    let local = manifest("local", "web");
    let gcp = manifest("gcp", "web");
    // Locally the secret is a Secret from specs/local.env; in the cloud an ExternalSecret.
    assert!(
        local.contains("kind: Secret\n") && !local.contains("kind: ExternalSecret"),
        "{local}"
    );
    assert!(gcp.contains("kind: ExternalSecret\n"), "{gcp}");
    assert!(
        local.contains("value: http://api:8080"),
        "the ${{API_HOST}} variable: {local}"
    );
    assert!(manifest("local", "team").contains("kind: ResourceQuota\n"));
}
