//! The thread count (`Context::jobs`, `--jobs`) never changes a result: `generate`, `stream`
//! and `write_dir` give the same components, diagnostics, text and files on one thread as on
//! several, for valid examples and bad inputs alike.

use std::num::NonZeroUsize;

use k3score::par::Jobs;
use k3score::{Context, Target};
use k3sgen::Format;

use crate::workspace;

fn jobs(n: usize) -> Jobs {
    Jobs::fixed(NonZeroUsize::new(n).unwrap())
}

/// Everything `generate` returned, as text.
fn generated(jobs: Jobs) -> (k3sgen::Generated, String) {
    let root = workspace();
    let folders = [
        "examples/specs",
        "examples/functions",
        "examples/compose",
        "k3sgen/tests/data/bad",
        "k3sgen/tests/data/mistakes",
    ];
    let paths: Vec<_> = folders.iter().map(|f| root.join(f)).collect();
    let inputs = k3sgen::discover(&paths).expect("the folders exist");
    let vars =
        k3score::dotenv::parse(&std::fs::read_to_string(root.join("examples/specs/local.env")).unwrap()).unwrap();
    let ctx = Context::new(Target::local(), "default".parse().expect("valid name"))
        .with_variables(vars.clone())
        .with_secret_values(vars)
        .with_jobs(jobs);
    let generated = k3sgen::generate(&inputs, &ctx);
    let text = format!(
        "{:#?}\n{:#?}\n{:?}\n{:?}",
        generated
            .components
            .iter()
            .map(|c| format!("{} {} {:?}", c.name, c.source.display(), c.tiltfile))
            .collect::<Vec<_>>(),
        generated.diagnostics,
        generated.failures,
        generated.read
    );
    (generated, text)
}

#[test]
fn generate_gives_the_same_result_on_any_thread_count() {
    let (one, expected) = generated(Jobs::ONE);
    assert!(one.components.len() > 10 && !one.diagnostics.is_empty(), "{expected}");
    for threads in 2..=3 {
        let (_, actual) = generated(jobs(threads));
        pretty_assertions::assert_eq!(expected, actual, "{threads} threads");
    }
}

#[test]
fn stream_and_write_dir_give_the_same_output_on_any_thread_count() {
    let (generated, _) = generated(Jobs::ONE);
    let components = || generated.components.iter().map(|c| (c.name.as_str(), &c.bundle));
    for format in [Format::Yaml, Format::Json] {
        let expected = k3sgen::write_stream_on(Jobs::ONE, components(), format, Vec::new()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let written = k3sgen::write_dir_on(Jobs::ONE, &generated.components, dir.path(), format).unwrap();
        let files: Vec<String> = written.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        for threads in 2..=3 {
            let streamed = k3sgen::write_stream_on(jobs(threads), components(), format, Vec::new()).unwrap();
            assert!(
                streamed == expected,
                "{threads} threads, {format:?}: the streams differ"
            );
            let again = tempfile::tempdir().unwrap();
            let paths = k3sgen::write_dir_on(jobs(threads), &generated.components, again.path(), format).unwrap();
            let names = |paths: &[std::path::PathBuf]| -> Vec<_> {
                paths.iter().map(|p| p.file_name().unwrap().to_owned()).collect()
            };
            assert_eq!(names(&paths), names(&written));
            let texts: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
            assert_eq!(texts, files, "{threads} threads, {format:?}");
        }
    }
}
