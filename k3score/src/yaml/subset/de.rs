//! The serde `Deserializer` over the subset's tree. Scalars are given to the target the way
//! serde-saphyr 2 gives them with its default options (`de/deserializer.rs` there:
//! `deserialize_any` tries null, then YAML 1.1 booleans, then integers, then floats, then a
//! string; `deserialize_str` refuses plain null-like text; integers parse the scalar's text),
//! and whenever a case is not plainly the same, the reader gives up instead of guessing.

use std::cell::Cell;
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};

use super::{Bail, Node, Scalar};

thread_local! {
    /// Errors raised on this thread while reading the subset. A `Deserialize` impl may swallow
    /// an error (an untagged enum, a fallback default): any error at all sends the text to
    /// serde-saphyr, so a swallowed difference cannot change the result.
    static ERRORS: Cell<u64> = const { Cell::new(0) };
}

pub(super) fn deserialize<T: DeserializeOwned>(node: &Node<'_>) -> Option<T> {
    let before = ERRORS.get();
    let value = T::deserialize(De(node)).ok()?;
    (ERRORS.get() == before).then_some(value)
}

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside the fast YAML subset")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        bail()
    }
}

fn bail() -> Bail {
    ERRORS.set(ERRORS.get() + 1);
    Bail
}

/// Words YAML 1.1 or 1.2 may read as a boolean, null, infinity or NaN (any case).
pub(super) fn is_special_word(text: &str) -> bool {
    let word = text.strip_prefix(['+', '-']).unwrap_or(text);
    [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "inf", "infinity", "nan", ".inf", ".nan",
    ]
    .iter()
    .any(|w| word.eq_ignore_ascii_case(w))
}

/// serde-saphyr's plain null spellings (`scalar_is_nullish`).
fn is_null(scalar: Scalar<'_>) -> bool {
    scalar.plain && matches!(scalar.text, "~" | "null" | "Null" | "NULL")
}

/// `0` or digits without a leading zero, optionally after `-` when `signed`.
fn is_decimal(text: &str, signed: bool) -> bool {
    let digits = if signed {
        text.strip_prefix('-').unwrap_or(text)
    } else {
        text
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'))
}

struct De<'n, 'de>(&'n Node<'de>);

impl<'de> De<'_, 'de> {
    fn scalar(&self) -> Result<Scalar<'de>, Bail> {
        match self.0 {
            Node::Scalar(scalar) => Ok(*scalar),
            _ => Err(bail()),
        }
    }

    /// A plain integer of the subset, parsed as `T`.
    fn integer<T: std::str::FromStr>(&self, signed: bool) -> Result<T, Bail> {
        let scalar = self.scalar()?;
        if !scalar.plain || !is_decimal(scalar.text, signed) {
            return Err(bail());
        }
        scalar.text.parse().map_err(|_| bail())
    }

    fn scalar_any<V: Visitor<'de>>(scalar: Scalar<'de>, visitor: V) -> Result<V::Value, Bail> {
        let text = scalar.text;
        if !scalar.plain {
            return visitor.visit_borrowed_str(text);
        }
        if is_null(scalar) {
            return visitor.visit_unit();
        }
        if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
            return visitor.visit_bool(text.eq_ignore_ascii_case("true"));
        }
        if is_special_word(text) {
            return Err(bail());
        }
        if is_decimal(text, false) {
            return visitor.visit_u64(text.parse().map_err(|_| bail())?);
        }
        if is_decimal(text, true) {
            return visitor.visit_i64(text.parse().map_err(|_| bail())?);
        }
        // Anything that starts like a number and has only characters of some integer or
        // float spelling (`0x1f`, `1_000`, `1e3`, `.5`, `1:30`) may be one: not ours to decide.
        let numeric = |b: u8| b.is_ascii_hexdigit() || b"+-._:xXoO".contains(&b);
        if text.starts_with(|c: char| c.is_ascii_digit() || "+-._".contains(c)) && text.bytes().all(numeric) {
            return Err(bail());
        }
        visitor.visit_borrowed_str(text)
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $ty:ty, $signed:expr;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
            visitor.$visit(self.integer::<$ty>($signed)?)
        }
    )*};
}

macro_rules! outside {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Bail> {
            Err(bail())
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'_, 'de> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(scalar) => Self::scalar_any(*scalar, visitor),
            Node::Map(entries) => visitor.visit_map(MapAccess {
                entries: entries.iter(),
                value: None,
            }),
            Node::Seq(items) => visitor.visit_seq(SeqAccess(items.iter())),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        let scalar = self.scalar()?;
        match scalar.text {
            t if scalar.plain && t.eq_ignore_ascii_case("true") => visitor.visit_bool(true),
            t if scalar.plain && t.eq_ignore_ascii_case("false") => visitor.visit_bool(false),
            _ => Err(bail()),
        }
    }

    integers! {
        deserialize_i8 visit_i8 i8, true;
        deserialize_i16 visit_i16 i16, true;
        deserialize_i32 visit_i32 i32, true;
        deserialize_i64 visit_i64 i64, true;
        deserialize_u8 visit_u8 u8, false;
        deserialize_u16 visit_u16 u16, false;
        deserialize_u32 visit_u32 u32, false;
        deserialize_u64 visit_u64 u64, false;
    }

    outside! {
        deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_i128 deserialize_u128
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        let scalar = self.scalar()?;
        if is_null(scalar) {
            return Err(bail());
        }
        visitor.visit_borrowed_str(scalar.text)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_borrowed_str(self.scalar()?.text)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(scalar) if is_null(*scalar) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Bail> {
        Err(bail())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Bail> {
        // serde-saphyr gives `__yaml_*` names (spans, anchors, tags) a meaning of their own.
        if name.starts_with("__yaml") {
            return Err(bail());
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Seq(items) => visitor.visit_seq(SeqAccess(items.iter())),
            _ => Err(bail()),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(bail())
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(bail())
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Map(entries) => visitor.visit_map(MapAccess {
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(bail()),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if name.starts_with("__yaml") {
            return Err(bail());
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if name.starts_with("__yaml") {
            return Err(bail());
        }
        match self.0 {
            Node::Scalar(scalar) if !is_null(*scalar) => visitor.visit_enum(Enum {
                variant: *scalar,
                payload: None,
            }),
            Node::Map(entries) if entries.len() == 1 => {
                let (variant, payload) = &entries[0];
                visitor.visit_enum(Enum {
                    variant: *variant,
                    payload: Some(payload),
                })
            }
            _ => Err(bail()),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_unit()
    }
}

struct MapAccess<'n, 'de> {
    entries: std::slice::Iter<'n, (Scalar<'de>, Node<'de>)>,
    value: Option<&'n Node<'de>>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Bail> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(De(&Node::Scalar(*key))).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Bail> {
        seed.deserialize(De(self.value.take().ok_or_else(bail)?))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct SeqAccess<'n, 'de>(std::slice::Iter<'n, Node<'de>>);

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Bail;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Bail> {
        self.0.next().map(|item| seed.deserialize(De(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// An enum as a scalar (a unit variant) or a one-entry mapping (variant: payload).
struct Enum<'n, 'de> {
    variant: Scalar<'de>,
    payload: Option<&'n Node<'de>>,
}

impl<'n, 'de> de::EnumAccess<'de> for Enum<'n, 'de> {
    type Error = Bail;
    type Variant = Payload<'n, 'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant), Bail> {
        let name = BorrowedStrDeserializer::<Bail>::new(self.variant.text);
        Ok((seed.deserialize(name)?, Payload(self.payload)))
    }
}

/// An enum variant's payload: none for a unit variant written as a scalar.
struct Payload<'n, 'de>(Option<&'n Node<'de>>);

impl<'de> de::VariantAccess<'de> for Payload<'_, 'de> {
    type Error = Bail;

    fn unit_variant(self) -> Result<(), Bail> {
        match self.0 {
            None => Ok(()),
            Some(_) => Err(bail()),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Bail> {
        seed.deserialize(De(self.0.ok_or_else(bail)?))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(bail())
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Bail> {
        de::Deserializer::deserialize_map(De(self.0.ok_or_else(bail)?), visitor)
    }
}
