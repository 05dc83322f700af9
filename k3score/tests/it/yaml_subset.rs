//! The fast reader of the YAML subset (`k3score::yaml::from_yaml`'s happy path) gives the
//! same value as serde-saphyr whenever it gives one, and gives up on everything it does not
//! mirror exactly: edge cases, and generated documents mixing block and flow style, quoting
//! and the scalars YAML reads as something other than a string.

use std::collections::BTreeMap;

use k3score::yaml::from_yaml_subset;
use proptest::prelude::*;
use serde_derive::Deserialize;
use serde_json::Value;

fn saphyr<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_saphyr::with_deserializer_from_str(text, |de| T::deserialize(de)).ok()
}

/// The subset's answer, checked against serde-saphyr's; `true` if the subset gave one.
fn agrees<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) -> bool {
    let Some(fast) = from_yaml_subset::<T>(text) else {
        return false;
    };
    assert_eq!(saphyr::<T>(text).as_ref(), Some(&fast), "{text:?}");
    true
}

#[test]
fn edge_cases_agree_or_go_to_serde_saphyr() {
    let inside = [
        "a: b\n",
        "a: 1\nb: -2\nc: true\nd: FALSE\ne: ~\nf: null\ng: 'null'\nh: \"x y\"\n",
        "a: b #c\nd: e#f\ng: http://x:80/y\n",
        "a: [1, two, \"3\", '4']\nb: {c: d, e: [f]}\n",
        "{a: 1, b: [x, z], c: {}}\n",
        "- a\n- b: 1\n  c: 2\n-\n  d: e\n",
        "a:\n- x\n- w\nb:\n  - z\n",
        "# head\na:   # note\n  b: 100m\n\n  c: 128Mi\n",
        "b: v1.2\nc: 2Gi\nd: 500m\n",
        "\"quoted key\": 1\n'single': 2\n",
        "a: 'it has \"double\" and \\\\ inside'\n",
        "a: 0\nb: 18446744073709551615\n",
    ];
    for text in inside {
        assert!(agrees::<Value>(text), "not in the subset: {text:?}");
    }
    let outside = [
        "a: yes\n",
        "a: off\n",
        "a: Y\n",
        "a: 0x10\n",
        "a: 010\n",
        "a: 1_000\n",
        "a: .5\n",
        "a: 1e3\n",
        "a: -.inf\n",
        "a: +1\n",
        "a: 12:30\n",
        "a: 18446744073709551616\n",
        "a: 1.5\n",
        "a: .nan\n",
        "a: 1.0.5\n",
        "a: 1\na: 2\n",
        "a: {b: 1, b: 2}\n",
        "a: b\n  c\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  x\n",
        "a: >\n  x\n",
        "a: 'it''s'\n",
        "a: \"tab\\t\"\n",
        "a:\tb\n",
        "a: é\n",
        "---\na: 1\n",
        "a:\n",
        "a: [1,\n  2]\n",
        "a: {b: c,}\n",
        "a: b: c\n",
        "? a\n: b\n",
        "<<: {a: 1}\n",
        "a:b\n",
        "  a: 1\n",
        "a: 1\n b: 2\n",
        "- - a\n",
        "a: [b: c]\n",
        "a: [x, y]\n",
        "yes: 1\n",
        "1: a\n",
        "a: \"x\"y\n",
        "",
        "a: 'unterminated\n",
        "a: -\n",
        "a: @x\n",
        "a: `x`\n",
        "a: %x\n",
        "a: b\r\n",
    ];
    for text in outside {
        assert!(from_yaml_subset::<Value>(text).is_none(), "in the subset: {text:?}");
    }
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Mode {
    Fast,
    Slow,
    Tuned { level: u8 },
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Typed {
    name: String,
    port: u16,
    #[serde(default)]
    offset: Option<i32>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

#[test]
fn typed_targets_agree() {
    let inside = [
        "name: web\nport: 8080\n",
        "name: '8080'\nport: 1\noffset: -3\nenabled: true\nnote: ~\nmode: fast\ntags: [a, b]\nenv: {A: x, B: '2'}\n",
        "name: true\nport: 0\nmode:\n  tuned:\n    level: 3\ntags:\n  - x\n",
        "name: web\nport: 80\nnote: 100m\n",
    ];
    for text in inside {
        assert!(agrees::<Typed>(text), "not in the subset: {text:?}");
    }
    // Errors (and values that need serde-saphyr's conversions) are serde-saphyr's to report.
    let outside = [
        "name: web\nport: 70000\n",
        "name: web\nport: '80'\n",
        "name: null\nport: 1\n",
        "name: web\nport: 1\nbogus: 2\n",
        "name: web\n",
        "name: web\nport: 1\nenabled: yes\n",
        "name: web\nport: 1\nmode: turbo\n",
        "name: web\nport: 1\nenv: {A: 1, A: 2}\n",
    ];
    for text in outside {
        assert!(from_yaml_subset::<Typed>(text).is_none(), "in the subset: {text:?}");
    }
}

/// Scalars of every kind YAML 1.1/1.2 distinguishes, and ordinary strings.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "true",
            "False",
            "yes",
            "n",
            "on",
            "~",
            "null",
            "Null",
            "0",
            "7",
            "-7",
            "007",
            "0x1f",
            "0o7",
            "1_0",
            "1e3",
            "1.5",
            ".5",
            "-.inf",
            ".NaN",
            "12:30",
            "+3",
            "100m",
            "128Mi",
            "1.0.5",
            "v1",
            "a b",
            "a#b",
            "http://x:1/y",
            "-x",
            "?x",
            ":x",
            "x:",
            "é",
            "",
            "y",
            "18446744073709551616",
        ])
        .prop_map(str::to_owned),
        "[a-z][a-z0-9 ._/-]{0,8}",
        "[0-9][0-9a-zA-Z.]{0,5}",
    ]
}

fn written(s: &str, quote: u8) -> String {
    match quote {
        0 => s.to_owned(),
        1 => format!("'{s}'"),
        _ => format!("\"{s}\""),
    }
}

#[derive(Clone, Debug)]
enum Doc {
    Scalar(String, u8),
    Map(Vec<(String, u8, Doc)>, bool),
    Seq(Vec<Doc>, bool),
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = (scalar(), 0..3u8).prop_map(|(s, q)| Doc::Scalar(s, q));
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec((scalar(), 0..3u8, inner.clone()), 0..4),
                any::<bool>()
            )
                .prop_map(|(e, f)| Doc::Map(e, f)),
            (prop::collection::vec(inner, 0..4), any::<bool>()).prop_map(|(i, f)| Doc::Seq(i, f)),
        ]
    })
}

fn flow(doc: &Doc) -> String {
    match doc {
        Doc::Scalar(s, q) => written(s, *q),
        Doc::Map(entries, _) => {
            let e: Vec<String> = entries
                .iter()
                .map(|(k, q, v)| format!("{}: {}", written(k, *q), flow(v)))
                .collect();
            format!("{{{}}}", e.join(", "))
        }
        Doc::Seq(items, _) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
    }
}

/// Block style where `doc` asks for it (and is not empty), flow style otherwise.
fn block(doc: &Doc, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match doc {
        Doc::Map(entries, false) if !entries.is_empty() => {
            for (k, q, v) in entries {
                out.push_str(&format!("{pad}{}:", written(k, *q)));
                nested(v, indent + 2, out);
            }
        }
        Doc::Seq(items, false) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                nested(item, indent + 2, out);
            }
        }
        other => out.push_str(&format!("{pad}{}\n", flow(other))),
    }
}

fn nested(doc: &Doc, indent: usize, out: &mut String) {
    match doc {
        Doc::Map(e, false) if !e.is_empty() => {
            out.push('\n');
            block(doc, indent, out);
        }
        Doc::Seq(i, false) if !i.is_empty() => {
            out.push('\n');
            block(doc, indent, out);
        }
        other => out.push_str(&format!(" {}\n", flow(other))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_documents_agree(doc in doc()) {
        let mut text = String::new();
        block(&doc, 0, &mut text);
        agrees::<Value>(&text);
        agrees::<Value>(&flow(&doc));
    }
}

/// The generated documents reach the subset often enough for the comparison to mean something.
#[test]
fn generated_documents_are_often_in_the_subset() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut hits = 0;
    for _ in 0..1000 {
        let doc = doc().new_tree(&mut runner).unwrap().current();
        let mut text = String::new();
        block(&doc, 0, &mut text);
        hits += usize::from(agrees::<Value>(&text)) + usize::from(agrees::<Value>(&flow(&doc)));
    }
    assert!(hits >= 800, "{hits} of 2000 generated documents in the subset");
}
