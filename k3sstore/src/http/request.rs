//! The body of `POST /api/stores` and its validation with the `Store` spec's own rules
//! ([`StoreSpec::to_platform`], which runs k3splatform's validation).
//!
//! Problems name the request's fields (`id`, `engine`, `size`), every one at once, so a form
//! can show each next to its input.
//!
//! ```
//! use k3sstore::http::request::CreateStore;
//! let errors = CreateStore::parse(r#"{"id": "Bad_Id", "size": "huge"}"#).unwrap_err();
//! assert_eq!(errors.paths(), ["size", "id"]);
//! let ok = CreateStore::parse(r#"{"id": "acme", "engine": "medusa", "size": "small"}"#).unwrap();
//! assert_eq!(ok.id, "acme");
//! ```

use k3score::error::Segment;
use k3score::{Error, ErrorKind, Errors, FieldPath, Problems};
use k3splatform::SizeProfile;
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};

use crate::resource::{Engine, Store, StoreSpec};

/// The JSON the client sends; every field optional so that all problems are found at once.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    id: Option<String>,
    engine: Option<String>,
    size: Option<String>,
}

/// A valid store request: `{"id": "acme", "engine": "medusa", "size": "small"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateStore {
    /// The store id (the `Store` object's name, a DNS-1123 label).
    pub id: String,
    /// The spec the `Store` object gets.
    pub spec: StoreSpec,
}

impl CreateStore {
    /// Parses and validates a request body (JSON; the parser is k3score's, so the syntax
    /// errors carry line and column).
    pub fn parse(text: &str) -> Result<Self, Errors> {
        let body: Body = k3score::yaml::from_yaml(text)?;
        let mut problems = Problems::default();
        let engine = body.engine.as_deref().map_or(Some(Engine::default()), |value| {
            problems.check(&FieldPath::root().field("engine"), variant(value))
        });
        let size = match body.size.as_deref() {
            None => Some(None),
            Some(value) => problems
                .check(&FieldPath::root().field("size"), variant::<SizeProfile>(value))
                .map(Some),
        };
        let spec = StoreSpec {
            engine: engine.unwrap_or_default(),
            size: size.flatten(),
            ..StoreSpec::default()
        };
        let id = match body.id {
            Some(id) => {
                if let Err(errors) = spec.to_platform(&id) {
                    for error in errors.0 {
                        problems.push_error(Error::new(request_path(&error.path), error.kind));
                    }
                }
                id
            }
            None => {
                problems.push(
                    FieldPath::root().field("id"),
                    ErrorKind::Missing("the store id (a DNS label such as \"acme\")".to_owned()),
                );
                String::new()
            }
        };
        problems.finish(CreateStore { id, spec })
    }

    /// The `Store` object to create.
    #[must_use]
    pub fn to_store(&self) -> Store {
        Store::new(&self.id, self.spec.clone())
    }
}

/// One enum value from its wire name, with serde's message (`unknown variant ...`).
fn variant<'de, T: Deserialize<'de>>(value: &'de str) -> Result<T, ErrorKind> {
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(value))
        .map_err(|e| ErrorKind::Invalid(e.to_string()))
}

/// A `Store` field path as the request names it: `metadata.name` is `id`, `spec.x` is `x`.
fn request_path(path: &FieldPath) -> FieldPath {
    let segments = path.segments();
    let rest = match segments {
        [Segment::Field(a), Segment::Field(b), rest @ ..] if a == "metadata" && b == "name" => {
            return rest
                .iter()
                .fold(FieldPath::root().field("id"), |path, s| push(&path, s));
        }
        [Segment::Field(a), rest @ ..] if a == "spec" => rest,
        _ => segments,
    };
    rest.iter().fold(FieldPath::root(), |path, s| push(&path, s))
}

fn push(path: &FieldPath, segment: &Segment) -> FieldPath {
    match segment {
        Segment::Field(name) => path.field(name.clone()),
        Segment::Index(i) => path.index(*i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(String, String)> {
        CreateStore::parse(text)
            .unwrap_err()
            .iter()
            .map(|e| (e.path.to_string(), e.kind.to_string()))
            .collect()
    }

    #[test]
    fn a_valid_request_becomes_the_store_spec() {
        let request = CreateStore::parse(r#"{"id": "acme", "engine": "medusa", "size": "large"}"#).unwrap();
        assert_eq!(request.id, "acme");
        assert_eq!(request.spec.engine, Engine::Medusa);
        assert_eq!(request.spec.size, Some(SizeProfile::Large));
        let store = request.to_store();
        assert_eq!(store.metadata.name.as_deref(), Some("acme"));
        let defaults = CreateStore::parse(r#"{"id": "shop-2"}"#).unwrap();
        assert_eq!(defaults.spec, StoreSpec::default());
    }

    #[test]
    fn every_problem_is_reported_with_the_request_field() {
        let found = problems(r#"{"id": "Not_A_Label", "engine": "magento", "size": "huge"}"#);
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["engine", "size", "id"], "{found:?}");
        assert!(found[0].1.contains("unknown variant `magento`"), "{found:?}");
        assert!(found[0].1.contains("medusa"), "{found:?}");
        assert!(found[1].1.contains("small"), "{found:?}");
        assert!(found[2].1.contains("Not_A_Label"), "{found:?}");
    }

    #[test]
    fn the_id_follows_the_store_spec_rules() {
        let long = "a".repeat(60);
        let found = problems(&format!(r#"{{"id": "{long}"}}"#));
        assert!(found.iter().all(|(path, _)| path == "id"), "{found:?}");
        assert!(!found.is_empty());
        assert_eq!(problems(r#"{"id": ""}"#)[0].0, "id");
        assert_eq!(
            problems(r#"{"size": "small"}"#),
            [(
                "id".to_owned(),
                "missing: the store id (a DNS label such as \"acme\")".to_owned()
            )]
        );
    }

    #[test]
    fn unknown_fields_and_bad_syntax_are_refused() {
        let found = problems(r#"{"id": "acme", "replicas": 3}"#);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("replicas"), "{found:?}");
        let found = problems(r#"{"id": "acme""#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("line 1"), "{found:?}");
    }

    #[test]
    fn store_paths_map_to_request_fields() {
        let name = FieldPath::root().field("metadata").field("name");
        assert_eq!(request_path(&name).to_string(), "id");
        let size = FieldPath::root().field("spec").field("size");
        assert_eq!(request_path(&size).to_string(), "size");
    }
}
