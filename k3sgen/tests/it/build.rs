//! The build.rs entry point, called as a build script would (with an explicit out dir).

use k3sgen::build::{Build, BuildError};

#[test]
fn writes_one_file_per_component_and_removes_stale_ones() {
    let out = tempfile::tempdir().expect("temp dir");
    let specs = crate::workspace().join("examples/specs");
    let build = || {
        Build::new(specs.join("tenant.yaml"))
            .path(specs.join("store.yaml"))
            .vars(specs.join("local.env"))
            .out_dir(out.path())
    };
    std::fs::write(out.path().join(k3sgen::OUTPUT_MARKER), "").expect("marker");
    std::fs::write(out.path().join("gone.yaml"), "stale").expect("stale file");
    let written = build().run().expect("the example specs render");
    let names: Vec<_> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["tenant.yaml", "store.yaml"]);
    assert!(
        !out.path().join("gone.yaml").exists(),
        "a stale component file is removed"
    );
    let tenant = std::fs::read_to_string(out.path().join("tenant.yaml")).expect("written");
    assert!(tenant.contains("kind: Namespace\n"), "{tenant}");
}

#[test]
fn a_folder_it_does_not_own_keeps_its_other_files() {
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::write(out.path().join("notes.yaml"), "mine").expect("a user's file");
    let specs = crate::workspace().join("examples/specs");
    Build::new(specs.join("tenant.yaml"))
        .out_dir(out.path())
        .run()
        .expect("renders");
    assert!(out.path().join("notes.yaml").exists());
    assert!(!out.path().join(k3sgen::OUTPUT_MARKER).exists());
}

#[test]
fn fails_with_every_problem_and_its_place() {
    let out = tempfile::tempdir().expect("temp dir");
    let bad = crate::workspace().join("k3sgen/tests/data/bad");
    let Err(BuildError::Invalid(diagnostics)) = Build::new(&bad).out_dir(out.path()).run() else {
        panic!("bad specs must fail the build");
    };
    let text = BuildError::Invalid(diagnostics.clone()).to_string();
    assert!(text.contains("ports.yaml:7:"), "{text}");
    assert!(text.contains("ports.yaml:10:"), "{text}");
    assert!(text.contains("typo.yaml:3:"), "{text}");
    assert!(diagnostics.len() >= 5, "{text}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written on failure"
    );
}

#[test]
fn the_oldest_kubernetes_and_the_thread_count_reach_the_render() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("web.yaml");
    std::fs::write(&spec, "kind: App\nname: web\nimage: nginx:1.27\nenv:\n  1ST_VALUE: x\n").expect("spec");
    let build = |out: &str| {
        Build::new(&spec)
            .jobs(k3score::par::Jobs::ONE)
            .out_dir(dir.path().join(out))
    };
    build("new").run().expect("the newest Kubernetes takes the name");
    let old = k3score::target::OLDEST_SUPPORTED_KUBERNETES;
    let Err(BuildError::Invalid(diagnostics)) = build("old").min_kubernetes(old).run() else {
        panic!("Kubernetes {old} refuses the name");
    };
    let text = BuildError::Invalid(diagnostics).to_string();
    assert!(text.contains("web.yaml:5:") && text.contains("1.34"), "{text}");
}
