//! A serde serializer that writes block-style YAML straight into a `String`.
//!
//! Kubernetes objects are trees of maps, sequences and scalars, so the writer needs no
//! intermediate document: each value is written as it is visited, in the layout `kubectl`
//! prints (sequences under a key are not indented, empty collections are `{}` / `[]`,
//! multi-line strings are literal blocks). Strings go through [`super::scalar`], which decides
//! between plain, literal and double-quoted forms.

use std::fmt;

use serde::ser::{self, Serialize};

use super::scalar;

/// Why a value could not be written as YAML.
#[derive(Debug)]
pub(crate) struct EmitError(String);

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EmitError {}

impl ser::Error for EmitError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        EmitError(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, EmitError>;

/// Appends `value` as one YAML document (no `---` marker) to `out`.
pub(crate) fn write<T: Serialize + ?Sized>(out: &mut String, value: &T) -> Result {
    value.serialize(Writer { out, at: At::Root })
}

/// Where the next value starts.
#[derive(Clone, Copy)]
enum At {
    /// At the start of a document.
    Root,
    /// After `key:` of a mapping whose keys are indented by this many spaces.
    Key(usize),
    /// After `- ` of a sequence whose dashes are indented by this many spaces.
    Dash(usize),
}

impl At {
    /// Indentation of the keys of a mapping (or the content of a block scalar) written here.
    fn child_indent(self) -> usize {
        match self {
            At::Root => 0,
            At::Key(indent) | At::Dash(indent) => indent + 2,
        }
    }

    /// Indentation of the dashes of a sequence written here (a sequence under a key is not
    /// indented, like `kubectl` prints it).
    fn dash_indent(self) -> usize {
        match self {
            At::Root => 0,
            At::Key(indent) => indent,
            At::Dash(indent) => indent + 2,
        }
    }

    /// What goes before an empty `{}` or `[]` or a scalar.
    fn scalar_prefix(self) -> &'static str {
        match self {
            At::Key(_) => " ",
            At::Root | At::Dash(_) => "",
        }
    }
}

/// Longest key written in the implicit `key: value` form: YAML limits implicit keys to 1024
/// Unicode characters (YAML 1.2.2 §7.4.2, the same in 1.1), and a quoted key may grow with escapes.
const MAX_IMPLICIT_KEY: usize = 512;

fn push_indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let chunk = left.min(SPACES.len());
        out.push_str(&SPACES[..chunk]);
        left -= chunk;
    }
}

/// Serializes one value at a position.
struct Writer<'a> {
    out: &'a mut String,
    at: At,
}

impl<'a> Writer<'a> {
    fn scalar(self, text: &str) -> Result {
        self.out.push_str(self.at.scalar_prefix());
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn string(self, s: &str) -> Result {
        if scalar::is_plain(s) {
            return self.scalar(s);
        }
        if let Some(header) = scalar::literal_block_header(s) {
            self.out.push_str(self.at.scalar_prefix());
            self.out.push_str(header);
            self.out.push('\n');
            let indent = self.at.child_indent().max(2);
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                if !line.is_empty() {
                    push_indent(self.out, indent);
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
            return Ok(());
        }
        self.out.push_str(self.at.scalar_prefix());
        scalar::push_quoted(self.out, s);
        self.out.push('\n');
        Ok(())
    }

    /// Writes `variant:` as the key of a one-entry mapping (serde's externally tagged enums)
    /// and returns the writer of its value.
    fn variant_value(self, variant: &str) -> Writer<'a> {
        let mut map = self.map();
        map.key(variant);
        Writer {
            out: map.out,
            at: At::Key(map.indent),
        }
    }

    fn map(self) -> Map<'a> {
        Map {
            indent: self.at.child_indent(),
            out: self.out,
            at: self.at,
            empty: true,
        }
    }

    fn seq(self) -> Seq<'a> {
        Seq {
            indent: self.at.dash_indent(),
            out: self.out,
            at: self.at,
            empty: true,
        }
    }
}

/// A block mapping being written; `{}` if it ends without entries.
pub(crate) struct Map<'a> {
    out: &'a mut String,
    at: At,
    indent: usize,
    empty: bool,
}

impl Map<'_> {
    /// Writes `key:` (quoted if needed); keys are always strings, as in JSON.
    fn key(&mut self, key: &str) {
        if self.empty {
            self.empty = false;
            if let At::Key(_) = self.at {
                self.out.push('\n');
                push_indent(self.out, self.indent);
            }
        } else {
            push_indent(self.out, self.indent);
        }
        if key.len() > MAX_IMPLICIT_KEY {
            // An explicit key (`? key` then `: value` on the next line) has no length limit.
            self.out.push_str("? ");
            scalar::push_quoted(self.out, key);
            self.out.push('\n');
            push_indent(self.out, self.indent);
        } else if scalar::is_plain(key) {
            self.out.push_str(key);
        } else {
            scalar::push_quoted(self.out, key);
        }
        self.out.push(':');
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(Writer {
            out: self.out,
            at: At::Key(self.indent),
        })
    }

    fn finish(self) -> Result {
        if self.empty {
            self.out.push_str(self.at.scalar_prefix());
            self.out.push_str("{}\n");
        }
        Ok(())
    }
}

/// A block sequence being written; `[]` if it ends without items.
pub(crate) struct Seq<'a> {
    out: &'a mut String,
    at: At,
    indent: usize,
    empty: bool,
}

impl Seq<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if self.empty {
            self.empty = false;
            if let At::Key(_) = self.at {
                self.out.push('\n');
                push_indent(self.out, self.indent);
            }
        } else {
            push_indent(self.out, self.indent);
        }
        self.out.push_str("- ");
        value.serialize(Writer {
            out: self.out,
            at: At::Dash(self.indent),
        })
    }

    fn finish(self) -> Result {
        if self.empty {
            self.out.push_str(self.at.scalar_prefix());
            self.out.push_str("[]\n");
        }
        Ok(())
    }
}

/// A sequence inside a one-entry mapping (`{variant: [...]}`).
pub(crate) struct VariantSeq<'a>(Seq<'a>);

/// A mapping inside a one-entry mapping (`{variant: {...}}`).
pub(crate) struct VariantMap<'a>(Map<'a>);

macro_rules! plain_number {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result {
            let mut buffer = itoa::Buffer::new();
            self.scalar(buffer.format(v))
        })*
    };
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = EmitError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = VariantSeq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = VariantMap<'a>;

    plain_number!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);

    fn serialize_bool(self, v: bool) -> Result {
        self.scalar(if v { "true" } else { "false" })
    }

    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result {
        if v.is_nan() {
            return self.scalar(".nan");
        }
        if v.is_infinite() {
            return self.scalar(if v > 0.0 { ".inf" } else { "-.inf" });
        }
        let mut text = v.to_string();
        if !text.contains(['.', 'e', 'E']) {
            // `1` would read back as an integer.
            text.push_str(".0");
        }
        self.scalar(&text)
    }

    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result {
        let mut seq = self.seq();
        for b in v {
            seq.item(b)?;
        }
        seq.finish()
    }

    fn serialize_none(self) -> Result {
        self.scalar("null")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.scalar("null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.scalar("null")
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self.variant_value(variant))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>> {
        Ok(self.seq())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Seq<'a>> {
        Ok(self.seq())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Seq<'a>> {
        Ok(self.seq())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantSeq<'a>> {
        Ok(VariantSeq(self.variant_value(variant).seq()))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'a>> {
        Ok(self.map())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Map<'a>> {
        Ok(self.map())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantMap<'a>> {
        Ok(VariantMap(self.variant_value(variant).map()))
    }
}

/// Sequences, tuples and tuple structs are all block sequences.
macro_rules! sequence_like {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Seq<'_> {
            type Ok = ();
            type Error = EmitError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.item(value)
            }

            fn end(self) -> Result {
                self.finish()
            }
        })*
    };
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeTupleVariant for VariantSeq<'_> {
    type Ok = ();
    type Error = EmitError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.0.item(value)
    }

    fn end(self) -> Result {
        self.0.finish()
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = EmitError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        key.serialize(KeyWriter { map: self })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.value(value)
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(&mut self, key: &K, value: &V) -> Result {
        key.serialize(KeyWriter { map: self })?;
        self.value(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = ();
    type Error = EmitError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key);
        self.value(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStructVariant for VariantMap<'_> {
    type Ok = ();
    type Error = EmitError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.0.key(key);
        self.0.value(value)
    }

    fn end(self) -> Result {
        self.0.finish()
    }
}

mod key;
use key::KeyWriter;
