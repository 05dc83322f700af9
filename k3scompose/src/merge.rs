//! The Compose Specification's merge rules, for override files (`-f a.yaml -f b.yaml`,
//! `compose.override.yaml`) and `extends` alike (docker/docs
//! `content/reference/compose-file/merge.md`):
//!
//! - mappings are merged, the later value winning;
//! - sequences are appended (items already there are not repeated);
//! - `command`, `entrypoint` and `healthcheck.test` are replaced;
//! - `environment`, `labels`, `annotations`, `build.args`, ... (`KEY=VALUE` lists or mappings)
//!   are merged by key;
//! - `ports`, `volumes`, `secrets` and `configs` are unique resources: an entry with the same
//!   key (ports `{host_ip, target, published, protocol}`, the others `target`) replaces the
//!   earlier one, others are appended;
//! - `!reset` removes the value (whatever it is written as), `!override` replaces it whole.
//!
//! The YAML tags are read by [`crate::tree::Node::parse`] into marker mappings
//! ([`RESET`], [`OVERRIDE`]) so that interpolation sees an ordinary tree; [`strip_tags`]
//! applies what is left once every file is merged.

use std::collections::BTreeMap;

use crate::model::{FileRef, PortSpec, VolumeMount};
use crate::tree::{Node, NodeDeserializer, OVERRIDE, RESET};
use serde::Deserialize;

/// Service keys whose value is replaced, not appended (Merge, "Shell commands").
const REPLACED: [&str; 3] = ["command", "entrypoint", "test"];
/// Keys whose `KEY=VALUE` lists or mappings are merged by key.
const KEYED: [&str; 7] = [
    "environment",
    "labels",
    "annotations",
    "args",
    "sysctls",
    "extra_hosts",
    "driver_opts",
];
/// Keys written as a list of names or a mapping of name to options: a list merged with a
/// mapping becomes a mapping.
const LIST_OR_MAP: [&str; 2] = ["depends_on", "networks"];

/// Whether `node` is a `!reset` marker.
pub(crate) fn is_reset(node: &Node) -> bool {
    node.as_map().is_some_and(|m| m.contains_key(RESET))
}

/// The value of an `!override` marker.
fn overridden(node: Node) -> Result<Node, Node> {
    match node {
        Node::Map(mut map) if map.len() == 1 && map.contains_key(OVERRIDE) => {
            Ok(map.remove(OVERRIDE).unwrap_or(Node::Null))
        }
        other => Err(other),
    }
}

/// Merges two whole compose files (top-level sections, each service, each volume, ...).
pub(crate) fn merge_files(base: Node, over: Node) -> Node {
    merge("", base, over)
}

/// Merges `over` into `base`; `key` is the mapping key both were found under.
pub(crate) fn merge(key: &str, base: Node, over: Node) -> Node {
    let over = match overridden(over) {
        Ok(value) => return value,
        Err(over) => over,
    };
    if is_reset(&over) {
        return over;
    }
    if KEYED.contains(&key) {
        return merge_maps(key_values(base), key_values(over));
    }
    if REPLACED.contains(&key) {
        return over;
    }
    match (base, over) {
        (Node::Map(a), Node::Map(b)) => merge_maps(a, b),
        (Node::Seq(a), Node::Seq(b)) => Node::Seq(merge_seqs(key, a, b)),
        (Node::Seq(a), Node::Map(b)) if LIST_OR_MAP.contains(&key) => merge_maps(list_to_map(key, &a), b),
        (Node::Map(a), Node::Seq(b)) if LIST_OR_MAP.contains(&key) => merge_maps(a, list_to_map(key, &b)),
        (_, over) => over,
    }
}

fn merge_maps(mut a: BTreeMap<String, Node>, b: BTreeMap<String, Node>) -> Node {
    for (k, v) in b {
        if is_reset(&v) {
            a.remove(&k);
            continue;
        }
        let combined = match a.remove(&k) {
            Some(old) => merge(&k, old, v),
            None => v,
        };
        a.insert(k, combined);
    }
    Node::Map(a)
}

/// Appends `b` to `a`: unique resources replace the entry with their key, other items are
/// appended unless already present.
fn merge_seqs(key: &str, mut a: Vec<Node>, b: Vec<Node>) -> Vec<Node> {
    for item in b {
        if is_reset(&item) {
            continue;
        }
        let unique = unique_key(key, &item);
        let same = a.iter().position(|old| match &unique {
            Some(k) => unique_key(key, old).as_ref() == Some(k),
            None => *old == item,
        });
        match same {
            Some(i) if unique.is_some() => {
                let old = std::mem::replace(&mut a[i], Node::Null);
                a[i] = match (old, item) {
                    (Node::Map(x), Node::Map(y)) => merge_maps(x, y),
                    (_, item) => item,
                };
            }
            Some(_) => {}
            None => a.push(item),
        }
    }
    a
}

/// The uniqueness key of a `ports`, `volumes`, `secrets` or `configs` entry (`None` for other
/// keys, and for entries that do not parse: the typed model reports those).
fn unique_key(key: &str, item: &Node) -> Option<String> {
    let parse = |node: &Node| NodeDeserializer(strip_tags(node.clone()));
    match key {
        "ports" => {
            let p = PortSpec::deserialize(parse(item)).ok()?;
            Some(format!(
                "{}|{}-{}|{}|{}",
                p.host_ip.unwrap_or_default(),
                p.target.start,
                p.target.end,
                p.published.unwrap_or_default(),
                p.protocol
            ))
        }
        "volumes" => VolumeMount::deserialize(parse(item)).ok().map(|v| v.target),
        "secrets" | "configs" => FileRef::deserialize(parse(item))
            .ok()
            .map(|f| f.target.unwrap_or(f.source)),
        _ => None,
    }
}

/// `[db, cache]` as `{db: ..., cache: ...}` (`depends_on` entries default to
/// `condition: service_started`).
fn list_to_map(key: &str, items: &[Node]) -> BTreeMap<String, Node> {
    items
        .iter()
        .filter_map(Node::scalar_text)
        .map(|name| {
            let value = if key == "depends_on" {
                Node::Map(BTreeMap::from([(
                    "condition".to_owned(),
                    Node::Str("service_started".to_owned()),
                )]))
            } else {
                Node::Null
            };
            (name, value)
        })
        .collect()
}

/// A `KEY=VALUE` list or a mapping as a mapping.
fn key_values(node: Node) -> BTreeMap<String, Node> {
    match node {
        Node::Map(map) => map,
        Node::Seq(items) => items
            .iter()
            .filter_map(Node::scalar_text)
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_owned(), Node::Str(v.to_owned())),
                None => (item, Node::Null),
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Applies the tags left after merging: `!reset` entries are removed, `!override` values
/// unwrapped.
pub(crate) fn strip_tags(node: Node) -> Node {
    let node = match overridden(node) {
        Ok(value) => return strip_tags(value),
        Err(node) => node,
    };
    match node {
        Node::Map(map) => Node::Map(
            map.into_iter()
                .filter(|(_, v)| !is_reset(v))
                .map(|(k, v)| (k, strip_tags(v)))
                .collect(),
        ),
        Node::Seq(items) => Node::Seq(items.into_iter().filter(|v| !is_reset(v)).map(strip_tags).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(base: &str, over: &str) -> Node {
        strip_tags(merge_files(Node::parse(base).unwrap(), Node::parse(over).unwrap()))
    }

    fn service(node: &Node) -> &BTreeMap<String, Node> {
        node.as_map().unwrap()["services"].as_map().unwrap()["app"]
            .as_map()
            .unwrap()
    }

    #[test]
    fn mappings_merge_and_commands_are_replaced() {
        let out = merged(
            "services:\n  app:\n    image: a\n    command: [x, y]\n    environment: [A=1, B=2]\n    healthcheck: {test: [CMD, a], interval: 5s}\n",
            "services:\n  app:\n    image: b\n    command: [z]\n    environment: {B: 3}\n    healthcheck: {test: [CMD, b]}\n",
        );
        let app = service(&out);
        assert_eq!(app["image"], Node::Str("b".into()));
        assert_eq!(app["command"], Node::Seq(vec![Node::Str("z".into())]));
        let env = app["environment"].as_map().unwrap();
        assert_eq!(
            (env["A"].clone(), env["B"].clone()),
            (Node::Str("1".into()), Node::Int(3))
        );
        let health = app["healthcheck"].as_map().unwrap();
        assert_eq!(
            health["test"],
            Node::Seq(vec![Node::Str("CMD".into()), Node::Str("b".into())])
        );
        assert_eq!(health["interval"], Node::Str("5s".into()));
    }

    #[test]
    fn unique_resources_replace_by_key() {
        let out = merged(
            "services:\n  app:\n    ports: ['8080:80', '9000']\n    volumes: ['data:/work', './conf:/etc/conf']\n    secrets: [a]\n    dns: [1.1.1.1]\n",
            "services:\n  app:\n    ports: ['8080:80', '9001']\n    volumes: ['other:/work']\n    secrets: [{source: b, target: a}]\n    dns: [1.1.1.1, 8.8.8.8]\n",
        );
        let app = service(&out);
        let text = |k: &str| format!("{:?}", app[k]);
        assert_eq!(
            app["ports"].clone(),
            Node::parse("['8080:80', '9000', '9001']").unwrap()
        );
        assert_eq!(
            app["volumes"].clone(),
            Node::parse("['other:/work', './conf:/etc/conf']").unwrap()
        );
        assert!(text("secrets").contains("\"b\""), "{}", text("secrets"));
        assert_eq!(app["secrets"].clone(), Node::parse("[{source: b, target: a}]").unwrap());
        assert_eq!(app["dns"].clone(), Node::parse("[1.1.1.1, 8.8.8.8]").unwrap());
    }

    #[test]
    fn reset_and_override_tags() {
        let out = merged(
            "services:\n  app:\n    image: a\n    ports: ['8080:80']\n    environment: {FOO: bar, KEEP: x}\n    depends_on: [db]\n    build: ./app\n",
            "services:\n  app:\n    ports: !override ['8443:443']\n    environment:\n      FOO: !reset null\n    depends_on: !reset []\n    build: !reset\n",
        );
        let app = service(&out);
        assert_eq!(app["ports"], Node::parse("['8443:443']").unwrap());
        assert_eq!(app["environment"], Node::parse("{KEEP: x}").unwrap());
        assert!(!app.contains_key("depends_on") && !app.contains_key("build"), "{app:?}");
        // In a single file, `!reset` removes the value and `!override` is the plain value.
        let single = strip_tags(Node::parse("a: !reset 1\nb: !override {c: 1}\nd: [!reset x, y]\n").unwrap());
        assert_eq!(single, Node::parse("b: {c: 1}\nd: [y]\n").unwrap());
    }

    #[test]
    fn lists_and_mappings_mix() {
        let out = merged(
            "services:\n  app:\n    depends_on: [db]\n    networks: [front]\n",
            "services:\n  app:\n    depends_on: {cache: {condition: service_healthy}}\n    networks: {back: {aliases: [x]}}\n",
        );
        let app = service(&out);
        let deps = app["depends_on"].as_map().unwrap();
        assert_eq!(deps.keys().collect::<Vec<_>>(), ["cache", "db"]);
        assert_eq!(app["networks"].as_map().unwrap().len(), 2);
    }
}
