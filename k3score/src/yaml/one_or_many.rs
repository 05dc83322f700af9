//! Fields that take one value or a list of values (`expose: {host: ..}` or `expose: [..]`,
//! `ports: 443` or `ports: [443, 8443]`): one reader for every such field of the suite.
//!
//! Unlike an untagged enum, which buffers the value and answers "did not match any variant",
//! the reader hands the value straight to the item type, so a bad item is reported with the
//! item's own message, path (`ports[1]`) and position.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess};

// The doc comments of the type and its variants are what the spec reference and editors show
// (`#[schemars(with = "OneOrMany<Item>")]` on a `Vec<T>` field read with `one_or_many`, or the
// type itself as a field's type): keep them short.
/// One value or a list of values.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged, rename = "{T}OrList"))]
pub enum OneOrMany<T> {
    /// One value.
    One(T),
    /// A list of values.
    Many(Vec<T>),
}

/// A field of this type takes `443` or `[443, 8443]`; the value is handed straight to the item
/// type, so a bad item keeps its own message, path (`ports[1]`) and line.
///
/// ```
/// use k3score::yaml::{OneOrMany, from_yaml};
/// let one: OneOrMany<u16> = from_yaml("443").unwrap();
/// let many: OneOrMany<u16> = from_yaml("[443, 8443]").unwrap();
/// assert_eq!((one.as_slice(), many.as_slice()), (&[443][..], &[443, 8443][..]));
/// assert_eq!(many.into_vec(), [443, 8443]);
/// ```
impl<T> OneOrMany<T> {
    /// The values, one or many, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }

    /// The values as a list.
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Visitor(PhantomData))
    }
}

/// Reads one value or a list of values as a list ([`OneOrMany`]), for
/// `#[serde(deserialize_with = "k3score::yaml::one_or_many")]`.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Spec {
///     #[serde(deserialize_with = "k3score::yaml::one_or_many")]
///     ports: Vec<u16>,
/// }
/// let one: Spec = k3score::yaml::from_yaml("ports: 443\n").unwrap();
/// let many: Spec = k3score::yaml::from_yaml("ports: [443, 8443]\n").unwrap();
/// assert_eq!((one.ports, many.ports), (vec![443], vec![443, 8443]));
/// let errors = k3score::yaml::from_yaml::<Spec>("ports: [443, 70000]\n").unwrap_err();
/// assert_eq!(errors.0[0].path.to_string(), "ports[1]");
/// ```
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    OneOrMany::deserialize(deserializer).map(OneOrMany::into_vec)
}

struct Visitor<T>(PhantomData<T>);

impl<T> Visitor<T> {
    fn one<'de, E: de::Error>(value: impl IntoDeserializer<'de, E>) -> Result<OneOrMany<T>, E>
    where
        T: Deserialize<'de>,
    {
        T::deserialize(value.into_deserializer()).map(OneOrMany::One)
    }
}

impl<'de, T: Deserialize<'de>> de::Visitor<'de> for Visitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one value or a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
        Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<OneOrMany<T>, E> {
        T::deserialize(de::value::StrDeserializer::<E>::new(value)).map(OneOrMany::One)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<OneOrMany<T>, E> {
        Self::one(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::network::Peer;
    use crate::yaml::from_yaml;

    #[test]
    fn a_bad_item_keeps_its_own_message_path_and_line() {
        let many = from_yaml::<Peer>("cidr: 10.0.0.0/8\nports: [443, Bad_Name]\n").unwrap_err();
        let one = from_yaml::<Peer>("cidr: 10.0.0.0/8\nport: 70000\n").unwrap_err();
        assert_eq!(many.0[0].path.to_string(), "ports[1]");
        assert!(many.to_string().contains("must be a port number like 443"), "{many}");
        assert_eq!(one.0[0].path.to_string(), "port");
        assert!(one.to_string().contains("must be 1 to 65535, is 70000"), "{one}");
        for errors in [&many, &one] {
            let text = errors.to_string();
            assert!(text.contains("line 2"), "{text}");
            assert!(!text.contains("variant") && !text.contains("untagged"), "{text}");
        }
        let fine = from_yaml::<Peer>("cidr: 10.0.0.0/8\nport: 443\n").unwrap();
        assert_eq!(fine.ports, [crate::network::PeerPort::Number(443)]);
        let spec = from_yaml::<Peer>("cidr: 10.0.0.0/8\nports: {port: 53, protocol: udp}\n").unwrap();
        assert!(
            matches!(spec.ports[..], [crate::network::PeerPort::Spec(_)]),
            "{spec:?}"
        );
    }
}
