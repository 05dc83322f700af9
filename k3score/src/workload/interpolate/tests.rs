//! The two policies, tested once here for every crate that interpolates.

use super::*;

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("A".to_owned(), "1".to_owned()),
        ("B_2".to_owned(), "two".to_owned()),
        ("SET".to_owned(), "value".to_owned()),
        ("EMPTY".to_owned(), String::new()),
        ("TAG".to_owned(), "1.27".to_owned()),
    ])
}

/// Workload policy, through `substitute` (problems at a path).
fn workload(text: &str) -> Result<String, String> {
    let mut problems = Problems::default();
    let path = crate::FieldPath::root().field("env").field("X");
    let out = substitute(text, &vars(), (&path).into(), &mut problems);
    problems.finish(out.unwrap_or_default()).map_err(|e| e.to_string())
}

/// Compose policy: the value and the unset variables, or the messages.
fn compose(text: &str) -> Result<(String, Vec<String>), String> {
    interpolate(text, &vars(), Policy::COMPOSE)
        .map(|i| (i.value, i.unset))
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
}

fn ok(text: &str) -> String {
    compose(text).unwrap().0
}

#[test]
fn workload_rules() {
    assert_eq!(workload("plain").unwrap(), "plain");
    assert_eq!(workload("${A}-${B_2}").unwrap(), "1-two");
    assert_eq!(
        workload("$${A} $$ $5 $(K8S) $HOME end$").unwrap(),
        "${A} $ $5 $(K8S) $HOME end$"
    );
    assert_eq!(
        workload("${MISSING} ${ALSO}").unwrap_err(),
        "env.X: undefined variable ${MISSING}\nenv.X: undefined variable ${ALSO}"
    );
    assert!(workload("${A").unwrap_err().starts_with("env.X: unterminated ${"));
    assert!(workload("${A:-x}").unwrap_err().contains("no defaults"));
    assert!(workload("${}").is_err());
    // Syntax only: undefined variables are fine, malformed ones are not.
    let mut problems = Problems::default();
    check_syntax("${UNKNOWN} ${A:-x} ${B", PathRef::ROOT, &mut problems);
    let errors = problems.finish(()).unwrap_err().to_string();
    assert!(
        errors.contains("no defaults") && errors.contains("unterminated"),
        "{errors}"
    );
    assert!(!errors.contains("undefined"), "{errors}");
}

#[test]
fn compose_plain_forms_and_unset() {
    assert_eq!(ok("nginx:$TAG"), "nginx:1.27");
    assert_eq!(ok("nginx:${TAG}-alpine"), "nginx:1.27-alpine");
    assert_eq!(ok("$SET.$TAG"), "value.1.27");
    assert_eq!(ok("no variables"), "no variables");
    assert_eq!(
        compose("a${MISSING}b").unwrap(),
        ("ab".to_owned(), vec!["MISSING".to_owned()])
    );
    assert_eq!(compose("$MISSING $MISSING").unwrap().1, ["MISSING"]);
}

#[test]
fn escape() {
    assert_eq!(ok("$$"), "$");
    assert_eq!(ok("$${SET}"), "${SET}");
    assert_eq!(ok("cost: $$5 $$$SET"), "cost: $5 $value");
}

#[test]
fn defaults() {
    assert_eq!(ok("${SET:-d}"), "value");
    assert_eq!(ok("${EMPTY:-d}"), "d");
    assert_eq!(ok("${MISSING:-d}"), "d");
    assert!(compose("${MISSING:-d}").unwrap().1.is_empty());
    assert_eq!(ok("${SET-d}"), "value");
    assert_eq!(ok("${EMPTY-d}"), "");
    assert_eq!(ok("${MISSING-d}"), "d");
    assert_eq!(ok("${MISSING-}"), "");
}

#[test]
fn required() {
    assert_eq!(ok("${SET:?must be set}"), "value");
    assert_eq!(
        compose("${EMPTY:?must be set}").unwrap_err(),
        "required variable EMPTY is missing a value: must be set"
    );
    assert_eq!(
        compose("${MISSING:?}").unwrap_err(),
        "required variable MISSING is missing a value"
    );
    assert_eq!(ok("${EMPTY?err}"), "");
    assert_eq!(
        compose("${MISSING?set it in .env}").unwrap_err(),
        "required variable MISSING is missing a value: set it in .env"
    );
    // Every problem of the text, not only the first.
    assert_eq!(compose("${X:?} ${Y:?}").unwrap_err().lines().count(), 2);
}

#[test]
fn alternatives() {
    assert_eq!(ok("${SET:+alt}"), "alt");
    assert_eq!(ok("${EMPTY:+alt}"), "");
    assert_eq!(ok("${MISSING:+alt}"), "");
    assert_eq!(ok("${SET+alt}"), "alt");
    assert_eq!(ok("${EMPTY+alt}"), "alt");
    assert_eq!(ok("${MISSING+alt}"), "");
    assert_eq!(ok("${SET:+--tag=$TAG}"), "--tag=1.27");
}

#[test]
fn nested_defaults() {
    assert_eq!(ok("${MISSING:-${TAG}}"), "1.27");
    assert_eq!(ok("${MISSING:-${ALSO_MISSING:-deep}}"), "deep");
    assert_eq!(ok("${MISSING:-$SET/x}"), "value/x");
    assert_eq!(ok("${MISSING:-{literal}}"), "{literal}");
    assert_eq!(compose("${MISSING:-${NOPE}}").unwrap().1, ["NOPE"]);
}

#[test]
fn malformed() {
    assert!(compose("${SET").unwrap_err().contains("unterminated"));
    assert!(compose("${}").unwrap_err().contains("is not a variable reference"));
    assert!(compose("${SET:x}").unwrap_err().contains("after the name comes"));
    assert!(compose("100$").unwrap_err().contains("write $$"));
    assert!(compose("$ 5").unwrap_err().contains("write $$"));
    assert!(compose("${1A}").is_err());
}
