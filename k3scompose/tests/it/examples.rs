//! Every project under `examples/compose/<stack>/` converts for the local and gcp targets, or
//! fails with the specific error listed here; none panics.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3scompose::{MAIN_FILE, Project};
use k3score::{Context, Target};

/// Stacks that must fail, with a part of the expected error.
const EXPECTED_FAILURES: [(&str, &str); 2] = [
    (
        "legacy-v1",
        "services: missing: this looks like a legacy (version 1) compose file",
    ),
    (
        "vault-dev-privileged",
        "services.vault.cap_add[0]: conflict: IPC_LOCK conflicts with Pod Security `restricted`",
    ),
];

/// The example stacks' folder.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/compose")
}

/// Every file of one example stack.
pub(crate) fn stack(name: &str) -> BTreeMap<String, String> {
    crate::common::read_dir(&root().join(name))
}

fn stacks() -> Vec<(String, BTreeMap<String, String>)> {
    let root = root();
    let mut stacks: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join(MAIN_FILE).is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                crate::common::read_dir(&p),
            )
        })
        .collect();
    stacks.sort();
    stacks
}

#[test]
fn every_example_converts_or_fails_specifically() {
    let stacks = stacks();
    assert!(stacks.len() >= 20, "only {} example stacks", stacks.len());
    let mut converted = 0;
    for (name, files) in &stacks {
        let expected = EXPECTED_FAILURES.iter().find(|(n, _)| n == name).map(|(_, e)| *e);
        let result = Project::parse(&files[MAIN_FILE], files, &BTreeMap::new()).and_then(|project| {
            for target in [Target::local(), Target::gcp()] {
                // External secrets of the local target take their value from the context.
                let values = BTreeMap::from([(
                    "server-certificate.value".to_owned(),
                    "-----BEGIN CERTIFICATE-----".to_owned(),
                )]);
                let ctx = Context::new(target, "demo".parse().unwrap()).with_secret_values(values);
                let out = project.render(&ctx, &["tools"])?;
                assert!(!out.bundle.is_empty(), "{name}: empty bundle");
                out.bundle.to_yaml().unwrap();
            }
            Ok(())
        });
        match (result, expected) {
            (Ok(()), None) => converted += 1,
            (Err(errors), Some(part)) => assert!(errors.to_string().contains(part), "{name}: {errors}"),
            (Ok(()), Some(part)) => panic!("{name}: converted, expected an error containing {part:?}"),
            (Err(errors), None) => panic!("{name}: {errors}"),
        }
    }
    assert_eq!(converted, stacks.len() - EXPECTED_FAILURES.len());
}

#[test]
fn opting_out_makes_the_privileged_example_convert() {
    let (_, files) = stacks().into_iter().find(|(n, _)| n == "vault-dev-privileged").unwrap();
    let main = files[MAIN_FILE].replace(
        "cap_add: [IPC_LOCK]",
        "cap_add: [IPC_LOCK]\n    x-k3s: {allow_privileged: true}",
    );
    let project = Project::parse(&main, &files, &BTreeMap::new()).unwrap();
    let out = project
        .render(&Context::new(Target::local(), "demo".parse().unwrap()), &[])
        .unwrap();
    let yaml = out.bundle.to_yaml().unwrap();
    assert!(yaml.contains("- IPC_LOCK"), "{yaml}");
}

#[test]
fn expected_failures_file_lists_the_same_stacks() {
    let text = std::fs::read_to_string(root().join("EXPECTED-FAILURES")).unwrap();
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    // legacy-v1-by-content has no compose.yaml: legacy_v1_files_are_recognised_by_content.
    let mut expected: Vec<&str> = EXPECTED_FAILURES.iter().map(|(n, _)| *n).collect();
    expected.push("legacy-v1-by-content");
    expected.sort_unstable();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_unstable();
    assert_eq!(listed_sorted, expected);
}

#[test]
fn an_override_file_alone_names_its_main_file() {
    let files = stack("override-dev-prod");
    let errors = Project::parse_files(&["compose.override.yaml"], &files, &BTreeMap::new())
        .and_then(|p| p.render(&Context::new(Target::local(), "demo".parse().unwrap()), &[]))
        .unwrap_err()
        .to_string();
    assert!(
        errors.contains("services.web.image: missing: an image or a build section; compose.override.yaml looks like an override file: docker compose merges it into compose.yaml (convert both: -f compose.yaml -f compose.override.yaml)"),
        "{errors}"
    );
    // Passed as the main file, it is recognised by its content.
    let errors = Project::parse(&files["compose.override.yaml"], &BTreeMap::new(), &BTreeMap::new())
        .and_then(|p| p.render(&Context::new(Target::local(), "demo".parse().unwrap()), &[]))
        .unwrap_err()
        .to_string();
    assert!(
        errors.contains("this file looks like an override file: docker compose merges it into compose.yaml"),
        "{errors}"
    );
}

#[test]
fn legacy_v1_files_are_recognised_by_content() {
    let files = stack("legacy-v1-by-content");
    let text = &files["stack.yml"];
    assert!(k3scompose::looks_like_compose(text));
    let errors = Project::parse_files(&["stack.yml"], &files, &BTreeMap::new()).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "services: missing: this looks like a legacy (version 1) compose file: move the services under a top-level `services:` key"
    );
    for spec in ["specs/orders.yaml", "specs/store.yaml", "functions/functions.yaml"] {
        let text = std::fs::read_to_string(root().join("..").join(spec)).unwrap();
        assert!(!k3scompose::looks_like_compose(&text), "{spec}");
    }
}

#[test]
fn relaxed_env_names_follow_the_targets_kubernetes() {
    use k3score::target::KubeVersion;
    let files = stack("opensearch-single-node");
    let main = files[MAIN_FILE].replace("DISABLE_INSTALL_DEMO_CONFIG", "1ST_BOOT");
    let project = Project::parse(&main, &files, &BTreeMap::new()).unwrap();
    let at = |minor| {
        let target = Target {
            min_kubernetes: KubeVersion::new(1, minor),
            ..Target::local()
        };
        project.render(&Context::new(target, "demo".parse().unwrap()), &[])
    };
    let errors = at(33).unwrap_err().to_string();
    assert!(
        errors.contains("services.opensearch.environment.1ST_BOOT: environment variable name \"1ST_BOOT\" is not supported by Kubernetes 1.33"),
        "{errors}"
    );
    assert!(!errors.contains("discovery.type"), "{errors}");
    assert!(at(34).is_ok());
    // Dots are accepted by every release.
    let original = Project::parse(&files[MAIN_FILE], &files, &BTreeMap::new()).unwrap();
    let old = Target {
        min_kubernetes: KubeVersion::new(1, 33),
        ..Target::local()
    };
    assert!(
        original
            .render(&Context::new(old, "demo".parse().unwrap()), &[])
            .is_ok()
    );
}
