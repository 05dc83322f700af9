//! Property test: the parser and translator never panic on arbitrary YAML-ish input.
//!
//! Run: `cargo test -p k3scompose --test it fuzz`; longer: `PROPTEST_CASES=100000 cargo test -p
//! k3scompose --test it fuzz --release`.

use std::collections::BTreeMap;

use k3scompose::Project;
use k3score::{Context, Target};
use proptest::prelude::*;

const FRAGMENTS: [&str; 30] = [
    "services:\n",
    "  web:\n",
    "    image: nginx\n",
    "    ports: [\"8080:80\", 90]\n",
    "    ports:\n      - target: 80\n",
    "    environment: [A=1, B]\n",
    "    environment: {A: ${X:-1}}\n",
    "    volumes: [data:/data, ./x:/x:ro]\n",
    "    healthcheck: {test: [CMD-SHELL, ok], interval: 1m30s}\n",
    "    depends_on: [db]\n",
    "    user: \"0\"\n",
    "    extends: web\n",
    "    x-k3s: {allow_privileged: true}\n",
    "    command: \"a 'b\"\n",
    "    deploy: {resources: {limits: {memory: 1g}}}\n",
    "  db: &db\n",
    "    <<: *db\n",
    "volumes:\n  data:\n",
    "include: [other.yaml]\n",
    "    secrets: [s]\n",
    "secrets: {s: {file: s.txt}}\n",
    "    tmpfs: /run:size=1m\n",
    "    profiles: [p]\n",
    "  $${weird}: ~\n",
    "    ports: !reset []\n",
    "    environment: !override {A: 2}\n",
    "  web: !reset\n",
    "    labels: {kompose.service.expose: \"true\", kompose.hpa.replicas.max: \"3\"}\n",
    "    user: postgres\n",
    "  data: {external: {name: x}}\n",
];

fn run(text: &str) {
    let files = BTreeMap::from([
        ("s.txt".to_owned(), "x".to_owned()),
        ("other.yaml".to_owned(), text.to_owned()),
        // Merged into every project as an override file.
        ("compose.override.yaml".to_owned(), text.to_owned()),
    ]);
    if let Ok(project) = Project::parse(text, &files, &BTreeMap::new()) {
        let _ = project.render(&Context::new(Target::local(), "fuzz".parse().unwrap()), &["p"]);
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\n]{0,200}") {
        run(&text);
    }

    #[test]
    fn compose_fragments_never_panic(parts in prop::collection::vec(0..FRAGMENTS.len(), 0..16), noise in "[ -~]{0,8}") {
        let mut text: String = parts.iter().map(|i| FRAGMENTS[*i]).collect();
        text.push_str(&noise);
        run(&text);
    }
}
