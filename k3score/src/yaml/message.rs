//! A parse error in plain words: serde's generic messages (`invalid type: string "x",
//! expected u16`, the unknown-field list in backticks) and serde-saphyr's limits
//! (`budget breached: Nodes { nodes: 250001 }`) rewritten without Rust type names, `Debug`
//! text or backticks. Messages of the spec's own checks pass through unchanged.

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Error, MessageFormatter, UserMessageFormatter};

use super::skip;
use crate::error::{FieldPath, Segment};
use crate::suggest::hint;

/// The message of `error`, without its position (the caller keeps line and column).
pub(super) fn plain(error: &Error) -> String {
    match inner(error) {
        Error::SerdeInvalidType {
            unexpected, expected, ..
        }
        | Error::SerdeInvalidValue {
            unexpected, expected, ..
        } => {
            format!(
                "must be {}, is {}",
                expected_text(expected),
                unexpected_text(unexpected)
            )
        }
        Error::SerdeInvalidLength { len, expected, .. } => {
            format!("has {len} items, must have {}", expected_text(expected))
        }
        Error::SerdeUnknownVariant { variant, expected, .. } => {
            format!("unknown value {variant:?}: {}", hint(variant, expected, "use one of").0)
        }
        Error::SerdeUnknownField { field, expected, .. } if expected.is_empty() => {
            format!("unknown field {field:?}: nothing may be set here")
        }
        Error::SerdeUnknownField { field, expected, .. } => {
            format!(
                "unknown field {field:?}: {}",
                hint(field, expected, "the fields here are").0
            )
        }
        Error::SerdeMissingField { field, .. } => format!("the required field {field:?} is missing"),
        Error::Budget { breach, .. } => budget_text(breach),
        Error::Unexpected { expected, .. } => match *expected {
            "sequence start" => "must be a list".to_owned(),
            "mapping start" | "empty mapping start" => "must be a mapping (key: value)".to_owned(),
            "string scalar" | "scalar" => "must be a single value, not a list or mapping".to_owned(),
            other => format!("expected {other} here"),
        },
        Error::InvalidBooleanStrict { .. } => "must be true or false".to_owned(),
        Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. } | Error::UnexpectedValueForUnitEnumVariant { .. } => {
            "must be one of the allowed values, not a list or mapping".to_owned()
        }
        Error::DuplicateMappingKey { key: Some(key), .. } => format!("{key:?} is set twice"),
        Error::DuplicateMappingKey { key: None, .. } => "a key is set twice".to_owned(),
        Error::InvalidScalar { ty, .. } => format!("must be {}", expected_text(ty)),
        Error::Eof { .. } => "the file ends where a value was expected (is it empty?)".to_owned(),
        // serde-saphyr's wording for end users, without the position (the caller adds it).
        other => UserMessageFormatter.format_message(other).into_owned(),
    }
}

/// An edit of the text that lets the next parse go on past a problem that ends a parse (see
/// `skip.rs`): an unknown enum value (`visibility: publik`) becomes the first allowed one; an
/// unknown key is blanked out with its value; a value of the wrong shape is blanked out with
/// its key (the field takes its default, or is absent), or, in a list, replaced by an empty
/// value of the right shape. The problem itself is reported; whatever follows from the
/// stand-in is not.
#[derive(Clone, Debug)]
pub(super) struct Fix {
    span: skip::Span,
    with: &'static str,
    /// For a removed entry: the key's path, and the replacement of its value by an empty one
    /// of the right shape, should the field turn out to be required.
    pub(super) removed: Option<(FieldPath, Box<Fix>)>,
}

impl Fix {
    /// The fix for `error` (at `path`) in `text`, when there is one.
    pub(super) fn for_error(error: &Error, text: &str, path: &FieldPath) -> Option<Self> {
        let error = inner(error);
        let start = usize::try_from(error.location()?.span().byte_offset()?).ok()?;
        let last = path.segments().last();
        let name = match last {
            Some(Segment::Field(name)) => Some(name.as_ref()),
            _ => None,
        };
        let expected = match error {
            Error::SerdeUnknownVariant { expected, location, .. } => {
                let end = start.checked_add(usize::try_from(location.span().byte_len()?).ok()?)?;
                let original = text.get(start..end)?;
                // Only a one-line value: later lines keep their numbers.
                return (!original.contains('\n') && !original.is_empty()).then(|| Self {
                    span: skip::Span::of(start..end),
                    with: expected.first().copied().unwrap_or("''"),
                    removed: None,
                });
            }
            Error::SerdeUnknownField { .. } => {
                return Some(Self {
                    span: skip::entry(text, start, name?)?,
                    with: "",
                    removed: None,
                });
            }
            Error::SerdeInvalidType { expected, .. } | Error::SerdeInvalidValue { expected, .. } => expected.as_str(),
            Error::InvalidScalar { ty, .. } => ty,
            Error::Unexpected { expected, .. } => expected,
            Error::InvalidBooleanStrict { .. } => "bool",
            Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
            | Error::UnexpectedValueForUnitEnumVariant { .. } => "enum",
            // A value its type refused as a whole (`try_from`): left out like the others.
            Error::Message { .. } => "",
            _ => return None,
        };
        // A list or mapping where a choice belongs is placed at its first item; a value left
        // empty at its key's `:`.
        let start = match expected {
            "enum" => skip::collection_start(text, start),
            _ => skip::after_empty_key(text, start).unwrap_or(start),
        };
        let value = skip::value(text, start)?;
        let stand_in = skip::stand_in(expected).map(|with| Self {
            span: value,
            with,
            removed: None,
        });
        match name.and_then(|name| skip::entry(text, skip::key_of(text, start, name)?, name)) {
            Some(span) => Some(Self {
                span,
                with: "",
                removed: stand_in.map(|fix| (path.clone(), Box::new(fix))),
            }),
            None => stand_in,
        }
    }

    /// `text` with the edit made.
    pub(super) fn apply(&self, text: &str) -> String {
        skip::replace(text, &self.span, self.with)
    }
}

/// The allowed key or value closest to an unknown one, when one is close.
pub(super) fn suggestion(error: &Error) -> Option<String> {
    match inner(error) {
        Error::SerdeUnknownVariant { variant, expected, .. } => closest(variant, expected),
        Error::SerdeUnknownField { field, expected, .. } => closest(field, expected),
        _ => None,
    }
}

/// Whether `error` is a value its type refused as a whole (a `try_from` conversion, such as
/// "a lifecycle hook needs exactly one of sleep, exec, http"), not a problem of its text.
pub(super) fn is_refusal(error: &Error) -> bool {
    matches!(inner(error), Error::Message { .. })
}

/// Whether `error` is an unknown field.
pub(super) fn is_unknown_field(error: &Error) -> bool {
    matches!(inner(error), Error::SerdeUnknownField { .. })
}

/// The field a "missing field" error names.
pub(super) fn missing_field(error: &Error) -> Option<String> {
    match inner(error) {
        Error::SerdeMissingField { field, .. } => Some((*field).to_owned()),
        _ => None,
    }
}

fn closest(word: &str, candidates: &[&str]) -> Option<String> {
    crate::suggest::closest(word, candidates.iter().copied()).map(str::to_owned)
}

/// The error under serde-saphyr's alias and snippet wrappers.
fn inner(mut error: &Error) -> &Error {
    while let Error::AliasError { error: inner, .. } | Error::WithSnippet { error: inner, .. } = error {
        error = inner;
    }
    error
}

/// What serde's visitor expected (`u16`, `struct Port`, `a sequence`) in words.
fn expected_text(expected: &str) -> String {
    let text = match expected {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" | "bool" | "boolean" => "true or false",
        "a string" | "string" | "a borrowed string" | "char" | "a character" => "a text",
        "a sequence" | "sequence" => "a list",
        "a map" | "map" => "a mapping (key: value)",
        "unit" => "empty",
        other if other.starts_with("struct ") || other.starts_with("tuple struct ") => "a mapping (key: value)",
        other if other.starts_with("enum ") || other.starts_with("variant ") => "one of the allowed values",
        other if other.starts_with("tuple of ") || other.starts_with("an array of") => "a list",
        other if other.contains("::") => "a value of another kind",
        other => return other.to_owned(),
    };
    text.to_owned()
}

/// What serde found instead (`string "x"`, ``integer `5` ``, `map`) in words.
fn unexpected_text(unexpected: &str) -> String {
    let strip = |prefix: &str| {
        unexpected
            .strip_prefix(prefix)
            .map(|rest| rest.trim_matches('`').to_owned())
    };
    if let Some(text) = unexpected.strip_prefix("string ") {
        return text.to_owned();
    }
    for prefix in ["integer ", "floating point ", "boolean ", "char "] {
        if let Some(value) = strip(prefix) {
            return value;
        }
    }
    match unexpected {
        "map" => "a mapping".to_owned(),
        "sequence" => "a list".to_owned(),
        "unit value" | "unit" | "null" => "empty".to_owned(),
        "newtype struct" | "newtype variant" | "struct variant" | "tuple variant" | "unit variant" | "enum" => {
            "a value of another kind".to_owned()
        }
        other => other.replace('`', ""),
    }
}

/// A YAML resource limit, as a sentence.
fn budget_text(breach: &BudgetBreach) -> String {
    let budget = serde_saphyr::Budget::default();
    match breach {
        BudgetBreach::Nodes { .. } => format!(
            "the document expands to more than {} nodes (YAML aliases?); a spec file is far smaller",
            budget.max_nodes
        ),
        BudgetBreach::Aliases { .. } | BudgetBreach::AliasAnchorRatio { .. } => {
            "the document repeats YAML aliases (*name) far more than a spec file needs".to_owned()
        }
        BudgetBreach::Depth { .. } => format!("the document nests deeper than {} levels", budget.max_depth),
        _ => "the document is larger than any spec file (too many values, documents or characters)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::yaml::from_yaml;

    #[derive(Debug, serde_derive::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Spec {
        name: String,
        #[serde(default)]
        port: u16,
        #[serde(default)]
        replicas: i32,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        on: bool,
    }

    fn message(text: &str) -> String {
        from_yaml::<Spec>(text).unwrap_err().0[0].to_string()
    }

    #[test]
    fn serde_wording_is_rewritten() {
        assert_eq!(
            message("name: a\nport: x\n"),
            "port: must be a whole number from 0 to 65535 (line 2, column 7)"
        );
        assert_eq!(
            message("name: a\nport: -1\n"),
            "port: must be a whole number from 0 to 65535 (line 2, column 7)"
        );
        assert!(message("name: a\ntags: {a: b}\n").starts_with("tags: must be a list (line 2"));
        assert!(message("name: a\non: maybe\n").starts_with("on: must be true or false"));
        assert!(message("name: [a]\n").starts_with("name: must be a single value, not a list or mapping"));
        assert!(
            message("name: a\nimgae: x\n")
                .starts_with("imgae: unknown field \"imgae\": the fields here are name, port"),
            "{}",
            message("name: a\nimgae: x\n")
        );
        assert!(message("port: 1\n").starts_with("the required field \"name\" is missing"));
        assert!(message("name: a\nname: b\n").starts_with("\"name\" is set twice"));
        assert!(message("name: a\nreplicas: 1.5\n").starts_with("replicas: must be a whole number (line 2"));
    }

    #[derive(Debug, serde_derive::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Size {
        Small,
        Large,
    }

    #[derive(Debug, serde_derive::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sized {
        size: Size,
        other: Size,
        name: crate::names::DnsLabel,
    }

    #[test]
    fn unknown_enum_values_do_not_stop_the_parse() {
        let errors = from_yaml::<Sized>("size: huge\nother: 'medium'\nname: Not_A_Label\n").unwrap_err();
        let messages: Vec<String> = errors.messages();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].starts_with("size: unknown value \"huge\": use one of small, large (line 1, column 7)"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("other: unknown value \"medium\""),
            "{messages:?}"
        );
        assert!(messages[2].starts_with("name: invalid DNS-1123 label"), "{messages:?}");
    }

    #[test]
    fn budget_breaches_are_sentences() {
        // Nine levels of ten aliases each: 10^9 nodes once expanded.
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let errors = from_yaml::<BTreeMap<String, serde::de::IgnoredAny>>(&text).unwrap_err();
        let message = errors.to_string();
        assert!(
            message.contains("the document expands to more than 250000 nodes (YAML aliases?)"),
            "{message}"
        );
        assert!(!message.contains("budget"), "{message}");
    }
}
