//! A small typed YAML tree: what interpolation, `extends` and `include` work on before the
//! typed model is parsed.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key of the marker mapping that stands for a `!reset` value (compose merge rules: the
/// merge in `merge.rs` resets the key; the tree keeps it as an ordinary map for interpolation).
pub(crate) const RESET: &str = "\u{0}!reset";
/// The key of the marker mapping that stands for an `!override` value (its only entry).
pub(crate) const OVERRIDE: &str = "\u{0}!override";

/// One YAML node. Map keys are strings (numeric keys are kept as their text).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping.
    Map(BTreeMap<String, Node>),
}

impl Node {
    /// The mapping, if this is one.
    pub(crate) fn as_map(&self) -> Option<&BTreeMap<String, Node>> {
        match self {
            Node::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The mapping, mutable, if this is one.
    pub(crate) fn as_map_mut(&mut self) -> Option<&mut BTreeMap<String, Node>> {
        match self {
            Node::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The text of a scalar (`null` has none).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Bool(b) => Some(b.to_string()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(f) => Some(f.to_string()),
            Node::Str(s) => Some(s.clone()),
            Node::Null | Node::Seq(_) | Node::Map(_) => None,
        }
    }

    /// Parses YAML text (anchors, aliases and `<<` merge keys are expanded by serde-saphyr).
    pub(crate) fn parse(text: &str) -> Result<Node, serde_saphyr::Error> {
        if text.trim().is_empty() {
            return Ok(Node::Null);
        }
        // YAML 1.2 core scalars, as compose-go reads them: `y`, `on`, `0755` stay strings.
        let options = serde_saphyr::options! {
            strict_booleans: true,
            leading_zero_numbers_as_strings: true,
            underscored_numbers_as_strings: true,
        };
        serde_saphyr::from_str_with_options(text, options)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Int(i) => s.serialize_i64(*i),
            Node::Float(f) => s.serialize_f64(*f),
            Node::Str(v) => s.serialize_str(v),
            Node::Seq(items) => items.serialize(s),
            Node::Map(map) => map.serialize(s),
        }
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(TagNode(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Node, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((key, TagNode(value))) = access.next_entry::<Node, TagNode>()? {
            let key = match key {
                Node::Null => String::new(),
                other => other
                    .scalar_text()
                    .ok_or_else(|| serde::de::Error::custom("mapping keys must be scalars (strings or numbers)"))?,
            };
            map.insert(key, value);
        }
        Ok(Node::Map(map))
    }
}

/// A node whose compose merge tag (`!reset`, `!override`) is kept as a marker mapping
/// ([`RESET`], [`OVERRIDE`]); other tags are dropped.
struct TagNode(Node);

impl<'de> Deserialize<'de> for TagNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TagNode, D::Error> {
        let serde_saphyr::Tagged(node, tag) = serde_saphyr::Tagged::<Node>::deserialize(d)?;
        Ok(TagNode(match tag.as_deref() {
            Some("!reset") => Node::Map(BTreeMap::from([(RESET.to_owned(), Node::Null)])),
            Some("!override") => Node::Map(BTreeMap::from([(OVERRIDE.to_owned(), node)])),
            _ => node,
        }))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A `serde` deserializer over a [`Node`]: reads a typed value out of a tree that interpolation,
/// merging or an outer deserializer already buffered.
pub(crate) struct NodeDeserializer(pub(crate) Node);

impl<'de> serde::Deserializer<'de> for NodeDeserializer {
    type Error = serde::de::value::Error;
    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use serde::de::IntoDeserializer;
        match self.0 {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Int(i) => visitor.visit_i64(i),
            Node::Float(f) => visitor.visit_f64(f),
            Node::Str(s) => visitor.visit_string(s),
            Node::Seq(items) => visitor.visit_seq(serde::de::value::SeqDeserializer::new(
                items.into_iter().map(NodeDeserializer),
            )),
            Node::Map(map) => visitor.visit_map(serde::de::value::MapDeserializer::new(
                map.into_iter()
                    .map(|(k, v)| (k.into_deserializer(), NodeDeserializer(v))),
            )),
        }
    }
    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(NodeDeserializer(other)),
        }
    }
    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::IntoDeserializer;
        match self.0 {
            Node::Str(s) => visitor.visit_enum(s.into_deserializer()),
            _ => Err(serde::de::Error::custom("expected a string")),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for NodeDeserializer {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_merge_keys_expand() {
        let text = "x-common: &common\n  image: nginx:1.27\n  restart: always\nservices:\n  web:\n    <<: *common\n    restart: \"no\"\n  api:\n    <<: *common\n";
        let node = Node::parse(text).unwrap();
        let services = node.as_map().unwrap()["services"].as_map().unwrap();
        let web = services["web"].as_map().unwrap();
        assert_eq!(web["image"], Node::Str("nginx:1.27".into()));
        assert_eq!(web["restart"], Node::Str("no".into()));
        assert_eq!(services["api"].as_map().unwrap()["restart"], Node::Str("always".into()));
        assert!(!web.contains_key("<<"));
    }

    #[test]
    fn scalars_keep_their_types() {
        let node = Node::parse("a: 1\nb: '1'\nc: true\nd: 1.5\ne:\n8080: x\n").unwrap();
        let map = node.as_map().unwrap();
        assert_eq!(map["a"], Node::Int(1));
        assert_eq!(map["b"], Node::Str("1".into()));
        assert_eq!(map["c"], Node::Bool(true));
        assert_eq!(map["d"], Node::Float(1.5));
        assert_eq!(map["e"], Node::Null);
        assert_eq!(map["8080"], Node::Str("x".into()));
        let yaml11 = Node::parse("a: y\nb: on\nc: 0755\nd: no\n").unwrap();
        let map = yaml11.as_map().unwrap();
        assert_eq!(map["a"], Node::Str("y".into()));
        assert_eq!(map["b"], Node::Str("on".into()));
        assert_eq!(map["c"], Node::Str("0755".into()));
        assert_eq!(map["d"], Node::Str("no".into()));
        assert_eq!(Node::parse("").unwrap(), Node::Null);
    }
}
