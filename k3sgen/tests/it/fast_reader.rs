//! `k3score::yaml::from_yaml` reads spec files with a fast reader of the plain YAML subset
//! before serde-saphyr (issue 18). It must never change a result: every example, fixture and
//! bad input of the repository renders to the same components and the same diagnostics with
//! it as without it, and most spec files are in the subset (so the comparison is not empty).

use k3score::{Context, Target};

use crate::workspace;

const FOLDERS: &[&str] = &[
    "examples/specs",
    "examples/functions",
    "examples/build-rs/specs",
    "examples/compose",
    "k3sapp/tests/fixtures",
    "k3sfn/tests/fixtures",
    "k3sgen/tests/data/bad",
    "k3sgen/tests/data/mistakes",
    "k3scompose/tests/projects",
];

fn generated(on: bool, target: &Target) -> String {
    let root = workspace();
    let paths: Vec<_> = FOLDERS.iter().map(|f| root.join(f)).collect();
    let inputs = k3sgen::discover(&paths).expect("the folders exist");
    let vars =
        k3score::dotenv::parse(&std::fs::read_to_string(root.join("examples/specs/local.env")).unwrap()).unwrap();
    let ctx = Context::new(target.clone(), "default".parse().expect("valid name"))
        .with_variables(vars.clone())
        .with_secret_values(vars);
    k3score::yaml::set_fast_reader(on);
    let generated = k3sgen::generate(&inputs, &ctx);
    k3score::yaml::set_fast_reader(true);
    let components: Vec<String> = generated
        .components
        .iter()
        .map(|c| format!("{} {}\n{}", c.name, c.source.display(), c.bundle.to_yaml().unwrap()))
        .collect();
    format!(
        "{components:#?}\n{:#?}\n{:?}",
        generated.diagnostics, generated.failures
    )
}

#[test]
fn every_example_and_fixture_gives_the_same_result_with_and_without_the_fast_reader() {
    for target in [Target::local(), Target::gcp()] {
        let fast = generated(true, &target);
        let saphyr = generated(false, &target);
        assert!(fast.len() > 100_000, "the inputs rendered: {} bytes", fast.len());
        pretty_assertions::assert_eq!(saphyr, fast);
    }
}

#[test]
fn most_spec_files_are_in_the_subset() {
    let mut total = 0;
    let mut fast = 0;
    for folder in ["examples/specs", "k3sapp/tests/fixtures", "k3sfn/tests/fixtures"] {
        for entry in std::fs::read_dir(workspace().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                total += 1;
                fast += usize::from(k3score::yaml::from_yaml_subset::<serde_json::Value>(&text).is_some());
            }
        }
    }
    assert!(
        total > 40 && fast * 10 >= total * 8,
        "{fast} of {total} spec files in the subset"
    );
}
