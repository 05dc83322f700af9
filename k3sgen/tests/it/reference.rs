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
