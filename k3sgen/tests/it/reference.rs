//! docs/spec-reference.md is generated from the JSON Schemas and must not drift.

#[test]
fn spec_reference_matches_the_schemas() {
    let path = crate::workspace().join("docs/spec-reference.md");
    crate::golden(&path, &k3sgen::reference::markdown());
}

#[test]
fn explain_reads_fields_types_and_defaults_from_the_schema() {
    let hpa = k3sgen::explain("app.scaling.hpa").expect("a known field");
    assert_eq!(hpa.path, "App.scaling.hpa");
    let names: Vec<&str> = hpa.fields.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"min") && names.contains(&"max"), "{hpa}");
    let port = k3sgen::explain("App.ports.name").expect("list items are walked into");
    assert!(!port.description.is_empty(), "{port}");
    let err = k3sgen::explain("Deployment").unwrap_err();
    assert!(err.starts_with("unknown kind \"Deployment\""), "{err}");
}

/// The pod-template settings of issue 24: every field is explained, each with an example.
#[test]
fn explain_covers_the_pod_template_settings_with_examples() {
    for query in [
        "App.metadata",
        "App.pod.annotations",
        "App.image_pull_secrets",
        "App.image_pull_policy",
        "App.placement.node_selector",
        "App.placement.tolerations.seconds",
        "App.placement.spread",
        "App.placement.affinity.node.preferred.weight",
        "App.placement.priority_class",
        "App.placement.runtime_class",
        "App.sidecars.volumes.read_only",
        "App.sidecars.security_context",
        "App.lifecycle.pre_stop",
        "App.config_files.from",
        "Functions.functions.placement",
        "Apps.apps.sidecars",
    ] {
        let explained = k3sgen::explain(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert!(explained.description.contains("Example:"), "{query}: {explained}");
    }
}

/// The page is for people writing spec files: no rustdoc link syntax (``[`crate::x`]``) and no
/// generated type names (`OneOrMany2`, a schema name made unique with a number).
#[test]
fn the_reference_reads_as_prose() {
    let page = k3sgen::reference::markdown();
    let links: Vec<&str> = page.lines().filter(|l| has_bare_rustdoc_link(l)).collect();
    assert!(
        links.is_empty(),
        "rustdoc link syntax in the reference:\n{}",
        links.join("\n")
    );
    let numbered: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .filter(|name| name.ends_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(
        numbered.is_empty(),
        "generated type names in the reference: {numbered:?}"
    );
}

/// ``[`x`]`` not followed by `(#anchor)`: rustdoc's link syntax, meaningless on the page.
fn has_bare_rustdoc_link(line: &str) -> bool {
    line.match_indices("[`").any(|(i, _)| {
        let after = &line[i + 2..];
        after.find("`]").is_none_or(|end| !after[end + 2..].starts_with("(#"))
    })
}
