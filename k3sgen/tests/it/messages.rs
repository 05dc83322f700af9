//! Every problem of a file at once, in plain words: one file per spec kind (and a compose
//! project) with mistakes of every layer, and every error input of the tests run through the
//! real entry point with its messages checked for Rust or library wording.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k3score::{Context, Target};
use k3sgen::{Diagnostic, Severity};

pub(crate) fn data() -> PathBuf {
    crate::workspace().join("k3sgen/tests/data")
}

/// The error diagnostics of checking `paths` for the local target.
pub(crate) fn check(paths: &[PathBuf]) -> Vec<Diagnostic> {
    let inputs = k3sgen::discover(paths).expect("inputs are readable");
    let ctx = Context::new(Target::local(), "default".parse().unwrap());
    let generated = k3sgen::generate(&inputs, &ctx);
    assert!(generated.failures.is_empty(), "{:?}", generated.failures);
    generated
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// `(path, line)` of every diagnostic about `file`.
fn places(diagnostics: &[Diagnostic], file: &str) -> Vec<(String, u64)> {
    diagnostics
        .iter()
        .filter(|d| d.file.ends_with(file))
        .map(|d| (d.path.clone(), d.line))
        .collect()
}

#[test]
fn every_mistake_of_every_kind_is_reported_with_its_path_and_line() {
    let diagnostics = check(&[data().join("mistakes")]);
    let expected: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::from([
        (
            "app.yaml",
            vec![
                ("ports[1].name", 7),
                ("ports[2].name", 8),
                ("ports[2].port", 8),
                ("resources.cpu", 9),
                ("scaling.hpa.max", 11),
                ("security.visibility", 13),
            ],
        ),
        (
            "apps.yaml",
            vec![
                ("namespace", 3),
                ("apps[1].name", 6),
                ("apps[2].resources.memory", 9),
                ("apps[2].expose.host", 10),
            ],
        ),
        (
            "fns.yaml",
            vec![
                ("functions[0].trigger.schedule.cron", 8),
                ("functions[1].name", 9),
                ("functions[2].handler", 13),
                ("functions[2].trigger.http.path", 14),
            ],
        ),
        (
            "gateway.yaml",
            vec![
                ("rate_limit.requests", 4),
                ("routes[1].paths[0]", 7),
                ("routes[2].rewrite_to", 11),
                ("routes[3].cors.allow_origins[0]", 18),
            ],
        ),
        (
            "platform.yaml",
            vec![
                ("project", 3),
                ("charts[0].source.helm.version", 7),
                ("charts[1].name", 8),
                ("charts[1].namespace", 9),
            ],
        ),
        (
            "tenant.yaml",
            vec![
                ("prefix", 4),
                ("labels.platform.k3s.io/tenant", 5),
                ("quota.cpu", 6),
                ("quota.limits_memory", 6),
                ("provisioner", 7),
            ],
        ),
        (
            "store.yaml",
            vec![("id", 3), ("api_image", 4), ("postgres_image", 5), ("size", 6)],
        ),
        (
            "stack/compose.yaml",
            vec![
                ("services.web.deploy.resources.limits.memory", 6),
                ("services.web.deploy.resources.limits.cpus", 6),
                ("services.web.healthcheck.interval", 7),
                ("services.web.user", 8),
                ("services.api.depends_on.db", 11),
                ("services.api.volumes[0]", 12),
            ],
        ),
    ]);
    let mut missing = Vec::new();
    for (file, wanted) in &expected {
        let found = places(&diagnostics, file);
        assert!(found.len() >= 4, "{file}: only {found:?}");
        for (path, line) in wanted {
            if !found.iter().any(|(p, l)| p == path && l == line) {
                missing.push(format!("{file}: {path} at line {line} (found {found:?})"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Writes `files` (name, content) into a fresh folder and checks each on its own.
pub(crate) fn check_texts(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let mut diagnostics = Vec::new();
    for path in &paths {
        diagnostics.extend(check(std::slice::from_ref(path)));
    }
    diagnostics
}

/// A document that expands to more nodes than the reader allows (aliases of aliases).
fn alias_bomb() -> String {
    let mut text = String::from("kind: App\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let previous = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![previous; 10].join(", ")));
    }
    text
}

/// Error inputs beyond the data files: one mistake each, in every layer the reader has.
const SINGLE_MISTAKES: &[(&str, &str)] = &[
    ("empty.yaml", "# nothing here yet\n"),
    ("blank.yaml", ""),
    ("list.yaml", "- a\n- b\n"),
    ("scalar.yaml", "just text\n"),
    (
        "old-compose.yml",
        "web:\n  image: nginx\n  links: [db]\ndb:\n  image: postgres\n",
    ),
    ("no-kind.yaml", "title: my notes\nitems: [a, b]\n"),
    (
        "cron.yaml",
        "kind: Functions\nname: f\nimage: a:1\nfunctions:\n  - {name: a, handler: 'm:a', trigger: {schedule: {cron: '0 0 * 13 *'}}}\n",
    ),
    (
        "port.yaml",
        "kind: App\nname: web\nimage: a:1\nports: [{name: http, port: 70000}]\n",
    ),
    (
        "port-text.yaml",
        "kind: App\nname: web\nimage: a:1\nports: [{name: http, port: eighty}]\n",
    ),
    ("replicas.yaml", "kind: App\nname: web\nimage: a:1\nreplicas: many\n"),
    (
        "replicas-float.yaml",
        "kind: App\nname: web\nimage: a:1\nreplicas: 1.5\n",
    ),
    ("name-list.yaml", "kind: App\nname: [web]\nimage: a:1\n"),
    (
        "ports-map.yaml",
        "kind: App\nname: web\nimage: a:1\nports: {http: 80}\n",
    ),
    (
        "two-modes.yaml",
        "kind: App\nname: web\nimage: a:1\nscaling: {hpa: {max: 3}, keda_http: {max: 3}}\n",
    ),
    (
        "unknown-mode.yaml",
        "kind: App\nname: web\nimage: a:1\nscaling: {kpa: {max: 3}}\n",
    ),
    ("missing.yaml", "kind: App\nname: web\n"),
    ("typo.yaml", "kind: App\nname: web\nimgae: a:1\n"),
    ("bool.yaml", "kind: Tenant\nid: a\nallow_ingress_controller: maybe\n"),
    ("twice.yaml", "kind: App\nname: web\nname: api\nimage: a:1\n"),
    ("syntax.yaml", "kind: App\nname: web\n  image: a:1\n"),
    (
        "duration.yaml",
        "kind: Gateway\nname: e\nroutes: [{name: a, host: shop, backend: {service: a, port: 80}, timeout: soon}]\n",
    ),
    (
        "cidr.yaml",
        "kind: App\nname: web\nimage: a:1\nsecurity: {allow_from: [{cidr: 10.0.0.1/8}]}\n",
    ),
    (
        "pdb.yaml",
        "kind: App\nname: web\nimage: a:1\npdb: {max_unavailable: -1}\n",
    ),
    (
        "version.yaml",
        "kind: Platform\ncharts: [{name: a, namespace: a, source: {helm: {repo: 'https://x.io', chart: a, version: [1]}}}]\n",
    ),
    (
        "fn-sources/fns.yaml",
        "kind: Functions\nname: f\nimage: a:1\nsources: [src, handlers]\n",
    ),
    (
        "fn-inline/fns.yaml",
        "kind: Functions\nname: f\nimage: a:1\nfunctions: [{name: a, handler: 'm:a', trigger: {http: {path: /a}}}]\n",
    ),
];

/// Wording that belongs to Rust or to a library, not to a message for a person.
const LEAKS: &[&str] = &[
    "Some(",
    "None",
    "::",
    "expected struct",
    "expected enum",
    "invalid type: ",
    "invalid value: ",
    "budget breached",
    "Nodes {",
    "u8",
    "u16",
    "u32",
    "u64",
    "i32",
    "i64",
    "f64",
    "usize",
    "Component error",
    "String",
    "Vec<",
    "Option<",
    "No such file or directory",
    "unexpected end of input",
];

/// A backticked word that looks like a Rust type (`PortName`) or path (`k3score::x`).
fn backticked_rust_name(message: &str) -> Option<&str> {
    message.split('`').skip(1).step_by(2).find(|word| {
        word.contains("::")
            || (word.starts_with(|c: char| c.is_ascii_uppercase())
                && word.chars().any(|c| c.is_ascii_lowercase())
                && word.chars().all(|c| c.is_ascii_alphanumeric()))
    })
}

#[test]
fn no_message_shows_rust_or_library_wording() {
    let mut diagnostics = check(&[data().join("mistakes"), data().join("bad")]);
    let bomb = alias_bomb();
    let mut inputs: Vec<(&str, &str)> = SINGLE_MISTAKES.to_vec();
    inputs.push(("bomb.yaml", &bomb));
    diagnostics.extend(check_texts(&inputs));
    let mut leaks = Vec::new();
    for d in &diagnostics {
        for leak in LEAKS {
            if d.message.contains(leak) {
                leaks.push(format!("{d} (contains {leak:?})"));
            }
        }
        if let Some(word) = backticked_rust_name(&d.message) {
            leaks.push(format!("{d} (backticked {word:?})"));
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    // Every single-mistake input is reported (the inline function project is valid).
    let reported = |name: &str| diagnostics.iter().any(|d| d.file.ends_with(name));
    for (name, _) in &inputs {
        assert_eq!(reported(name), *name != "fn-inline/fns.yaml", "{name}");
    }
}

/// The message `check` gives for one file.
fn messages_of(name: &str, text: &str) -> Vec<String> {
    check_texts(&[(name, text)])
        .into_iter()
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn the_issues_wordings() {
    let first = |name: &str, text: &str| messages_of(name, text).join("\n");
    let empty = first("empty.yaml", "");
    assert!(
        empty.ends_with("empty.yaml:1:1: error: empty file: expected a spec with a top-level kind: (App, Apps, Functions, Gateway, Platform, Tenant, Store) or a compose file"),
        "{empty}"
    );
    let not_spec = first("notes.yaml", "title: my notes\nitems: [a, b]\n");
    assert!(
        not_spec.contains("not a spec file: it has no top-level kind: (App, Apps, Functions"),
        "{not_spec}"
    );
    // A list or a single value at the top is not a spec; neither is a mapping whose `name:` is
    // empty and which has no `kind:`.
    for (name, text) in [
        ("list.yaml", "- a\n- b\n"),
        ("scalar.yaml", "hello\n"),
        ("number.yaml", "42\n"),
    ] {
        let top = first(name, text);
        assert!(
            top.contains("error: expected a spec (key: value lines with a top-level kind: App, Apps"),
            "{name}: {top}"
        );
    }
    let unnamed = first("unnamed.yaml", "name:\nreplicas: 2\n");
    assert!(
        unnamed.contains("not a spec file: it has no top-level kind:"),
        "{unnamed}"
    );
    // An old compose file under another name is recognised as one and says what to change.
    let legacy = first("old.yml", "web:\n  image: nginx\n");
    assert!(
        legacy.contains("this looks like a legacy (version 1) compose file"),
        "{legacy}"
    );
    let port = first("port.yaml", SINGLE_MISTAKES[7].1);
    assert!(
        port.ends_with(":4:28: error: ports[0].port: must be 1 to 65535, is 70000"),
        "{port}"
    );
    let cron = first("cron.yaml", SINGLE_MISTAKES[6].1);
    assert!(
        cron.contains(
            "functions[0].trigger.schedule.cron: invalid cron expression \"0 0 * 13 *\": month 13 is out of 1-12"
        ),
        "{cron}"
    );
    let bomb = first("bomb.yaml", &alias_bomb());
    assert!(
        bomb.contains("the document expands to more than 250000 nodes (YAML aliases?)"),
        "{bomb}"
    );
    let sources = first("fns.yaml", SINGLE_MISTAKES[24].1);
    assert!(
        sources.ends_with(":4:10: error: sources[0]: the folder \"src\" does not exist (next to the spec file)\n")
            || sources.contains("sources[0]: the folder \"src\" does not exist"),
        "{sources}"
    );
    assert!(
        sources.contains("sources[1]: the folder \"handlers\" does not exist"),
        "{sources}"
    );
}

/// Files the tests above read exist (a renamed data file must not make them vacuous).
#[test]
fn data_files_exist() {
    for file in ["mistakes/app.yaml", "mistakes/stack/compose.yaml", "bad/ports.yaml"] {
        assert!(Path::new(&data().join(file)).is_file(), "{file}");
    }
}
