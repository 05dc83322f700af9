//! Where a field path sits in a YAML text: the line and column of the value a validation
//! problem concerns, so every diagnostic can point at `file:line:column`.
//!
//! The text is read once into a tree of nodes with their positions (serde-saphyr's
//! [`Spanned`]); a path is then walked down that tree as far as it exists.

use std::collections::BTreeMap;
use std::fmt;

use k3score::FieldPath;
use k3score::error::Segment;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// The positions of every node of one YAML document.
///
/// ```
/// use k3score::FieldPath;
/// let locator = k3sgen::Locator::new("name: web\nports:\n  - name: http\n  - name: x_y\n").unwrap();
/// let path = FieldPath::root().field("ports").index(1).field("name");
/// assert_eq!(locator.locate(&path), (4, 11));
/// // A field that is missing points at the deepest part of its path that exists.
/// assert_eq!(locator.locate(&FieldPath::root().field("ports").index(0).field("port")), (3, 5));
/// ```
#[derive(Debug)]
pub struct Locator {
    root: Spanned<Node>,
}

#[derive(Debug)]
enum Node {
    Leaf,
    Seq(Vec<Spanned<Node>>),
    Map(BTreeMap<String, Spanned<Node>>),
}

impl Locator {
    /// Reads `text`; `None` when it is not YAML (its syntax error has a position already).
    #[must_use]
    pub fn new(text: &str) -> Option<Self> {
        serde_saphyr::from_str::<Spanned<Node>>(text)
            .ok()
            .map(|root| Self { root })
    }

    /// The 1-based line and column of the value at `path`, or of the deepest part of the path
    /// that exists in the text; `(0, 0)` when not even the document has a position.
    #[must_use]
    pub fn locate(&self, path: &FieldPath) -> (u64, u64) {
        let mut node = &self.root;
        for segment in path.segments() {
            let next = match (&node.value, segment) {
                (Node::Map(map), Segment::Field(name)) => map.get(name.as_ref()),
                (Node::Seq(items), Segment::Index(index)) => items.get(*index),
                _ => None,
            };
            match next {
                Some(child) => node = child,
                None => break,
            }
        }
        (node.referenced.line(), node.referenced.column())
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Leaf)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(KeyText(key)) = map.next_key::<KeyText>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.entry(key).or_insert(value);
        }
        Ok(Node::Map(entries))
    }
}

/// A map key's text: strings as they are, numbers and booleans as they are spelled.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = KeyText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map key")
    }
    fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
        Ok(KeyText(v.to_owned()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
        Ok(KeyText(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
        Ok(KeyText(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
        Ok(KeyText(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
        Ok(KeyText(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<KeyText, E> {
        Ok(KeyText(String::new()))
    }
    fn visit_none<E>(self) -> Result<KeyText, E> {
        Ok(KeyText(String::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyText, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(KeyText(String::new()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyText, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(KeyText(String::new()))
    }
}
