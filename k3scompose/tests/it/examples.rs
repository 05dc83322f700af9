//! Every project under `examples/compose/<stack>/` converts for the local and gcp targets, or
//! fails with the specific error listed here; none panics.

use std::collections::BTreeMap;
use std::path::PathBuf;

use k3scompose::{MAIN_FILE, Project};
use k3score::{Context, Target};

/// Stacks that must fail, with a part of the expected error.
const EXPECTED_FAILURES: [(&str, &str); 3] = [
    (
        "elasticsearch-kibana",
        "services.es01.environment.discovery.type: invalid environment variable name \"discovery.type\"",
    ),
    (
        "legacy-v1",
        "services: missing: this looks like a legacy (version 1) compose file",
    ),
    (
        "vault-dev-privileged",
        "services.vault.cap_add[0]: conflict: IPC_LOCK conflicts with Pod Security `restricted`",
    ),
];

fn stacks() -> Vec<(String, BTreeMap<String, String>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/compose");
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
