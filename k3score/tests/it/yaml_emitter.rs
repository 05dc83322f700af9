//! The YAML emitter behind `k3score::yaml::to_yaml`: layout, quoting and round trips.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_derive::Serialize;
use serde_json::{Value, json};

fn emit<T: serde::Serialize + ?Sized>(value: &T) -> String {
    k3score::yaml::to_yaml(value).unwrap()
}

/// What a YAML reader makes of `text`, as JSON.
fn read_back(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn layout_matches_kubectl() {
    let value = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"app.kubernetes.io/name": "web", "version": "1.0"}, "name": "web"},
        "spec": {
            "containers": [{
                "args": ["-c", "echo hi\necho bye\n"],
                "env": [],
                "image": "nginx:1.25",
                "ports": [{"containerPort": 8080}],
                "resources": {},
            }],
            "matrix": [[1, 2], []],
            "empty": {"list": [], "map": {}},
        },
    });
    let expected = "\
apiVersion: v1
kind: Pod
metadata:
  labels:
    app.kubernetes.io/name: web
    version: \"1.0\"
  name: web
spec:
  containers:
  - args:
    - -c
    - |
      echo hi
      echo bye
    env: []
    image: nginx:1.25
    ports:
    - containerPort: 8080
    resources: {}
  empty:
    list: []
    map: {}
  matrix:
  - - 1
    - 2
  - []
";
    pretty_assertions::assert_eq!(emit(&value), expected);
    assert_eq!(read_back(expected), value);
}

#[test]
fn scalars_at_the_root_and_special_numbers() {
    assert_eq!(emit(&"yes"), "\"yes\"\n");
    assert_eq!(emit(&7u8), "7\n");
    assert_eq!(emit(&1.0f64), "1.0\n");
    assert_eq!(emit(&0.25f32), "0.25\n");
    assert_eq!(emit(&f64::NAN), ".nan\n");
    assert_eq!(emit(&f64::NEG_INFINITY), "-.inf\n");
    assert_eq!(emit(&Option::<u8>::None), "null\n");
    assert_eq!(emit(&Vec::<u8>::new()), "[]\n");
    assert_eq!(emit(&BTreeMap::<u8, u8>::new()), "{}\n");
    assert_eq!(emit(&"multi\nline"), "|-\n  multi\n  line\n");
}

#[test]
fn keys_are_strings_and_quoted_when_needed() {
    let map = BTreeMap::from([(1, "a"), (2, "b")]);
    assert_eq!(emit(&map), "\"1\": a\n\"2\": b\n");
    let map = BTreeMap::from([("on", 1), ("a: b", 2), ("plain", 3)]);
    assert_eq!(emit(&map), "\"a: b\": 2\n\"on\": 1\nplain: 3\n");
    let bad = BTreeMap::from([(vec![1], 1)]);
    assert!(
        k3score::yaml::to_yaml(&bad)
            .unwrap_err()
            .to_string()
            .contains("mapping key")
    );
}

#[test]
fn very_long_keys_use_the_explicit_form() {
    let long = "k".repeat(2000);
    let value = json!({ &long: {"nested": [1, {"a": "b"}], "empty": {}}, "short": 1 });
    let text = emit(&value);
    assert!(text.starts_with("? \"kkk"), "{text}");
    assert_eq!(read_back(&text), value, "{text}");
    let seq = json!([{ &long: "x" }]);
    assert_eq!(read_back(&emit(&seq)), seq);
}

#[test]
fn enums_take_the_externally_tagged_shape() {
    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, u8),
        Struct { a: u8 },
    }
    let value = vec![E::Unit, E::New(1), E::Tuple(1, 2), E::Struct { a: 3 }];
    let text = emit(&value);
    assert_eq!(text, "- Unit\n- New: 1\n- Tuple:\n  - 1\n  - 2\n- Struct:\n    a: 3\n");
    assert_eq!(
        read_back(&text),
        json!(["Unit", {"New": 1}, {"Tuple": [1, 2]}, {"Struct": {"a": 3}}])
    );
}

#[test]
fn tricky_strings_read_back_unchanged() {
    let strings = [
        "",
        " ",
        "yes",
        "NO",
        "~",
        "null",
        "1",
        "0x10",
        "1e5",
        "1:30",
        "2024-01-02",
        ".inf",
        "-",
        "- a",
        "? a",
        ":a",
        "a:",
        "a: b",
        "#a",
        "a #b",
        "a#b",
        "---",
        "...",
        "\"",
        "'",
        "\\",
        "tab\there",
        "cr\r\nlf",
        "\n",
        "\n\n",
        "a\n\n",
        " lead\nline",
        "trail \nline",
        "a\nb",
        "a\nb\n",
        "a\n\nb",
        "ünï\u{2028}x",
        "\u{85}",
        "\u{feff}",
        "\u{7f}",
        "\u{1}",
        "é: x",
        "{a}",
        "[a]",
        "*a",
        "&a",
        "!a",
        "|",
        ">",
        "%a",
        "@a",
        "`a",
    ];
    let value = json!({ "strings": &strings[..], "map": strings.iter().map(|s| (s.to_string(), json!(s))).collect::<serde_json::Map<_, _>>() });
    let text = emit(&value);
    assert_eq!(read_back(&text), value, "{text}");
}

fn arbitrary_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        "\\PC*",
        ".*",
        "[ -~\n\t]{0,12}",
        prop::sample::select(vec!["yes", "1.0", "1:2", "- x", "a: b", "\n", " x\ny", "x\n"]).prop_map(String::from),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        text.clone().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(text.clone(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Whatever the value, a YAML reader gets the same value back.
    #[test]
    fn everything_round_trips(value in arbitrary_value()) {
        let text = emit(&value);
        prop_assert_eq!(read_back(&text), value, "{}", text);
    }

    /// Strings are never written plain when a reader would take them for something else.
    #[test]
    fn strings_round_trip(s in "\\PC*|[0-9a-fA-F.:+_ tTzZxXoO-]{1,12}|[ -~\n\t\r]{0,16}") {
        let value = json!({ "k": s, s.clone(): [s.clone()] });
        let text = emit(&value);
        prop_assert_eq!(read_back(&text), value, "{}", text);
    }
}
