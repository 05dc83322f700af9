//! Mapping keys: written as strings, as JSON would (`1:` becomes `"1":`), so a mapping reads
//! back with the keys it was written with; a sequence or mapping as a key is an error.

use serde::Serialize;
use serde::ser::{self, Impossible};

use super::{EmitError, Map, Result};

/// Serializes a key straight into the mapping being written.
pub(super) struct KeyWriter<'m, 'a> {
    pub(super) map: &'m mut Map<'a>,
}

fn not_scalar() -> EmitError {
    EmitError("a mapping key must be a string, number, bool or unit variant".to_owned())
}

macro_rules! number_key {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result {
            let mut buffer = itoa::Buffer::new();
            self.map.key(buffer.format(v));
            Ok(())
        })*
    };
}

impl ser::Serializer for KeyWriter<'_, '_> {
    type Ok = ();
    type Error = EmitError;
    type SerializeSeq = Impossible<(), EmitError>;
    type SerializeTuple = Impossible<(), EmitError>;
    type SerializeTupleStruct = Impossible<(), EmitError>;
    type SerializeTupleVariant = Impossible<(), EmitError>;
    type SerializeMap = Impossible<(), EmitError>;
    type SerializeStruct = Impossible<(), EmitError>;
    type SerializeStructVariant = Impossible<(), EmitError>;

    number_key!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);

    fn serialize_bool(self, v: bool) -> Result {
        self.map.key(if v { "true" } else { "false" });
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result {
        self.map.key(&v.to_string());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result {
        self.map.key(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result {
        self.map.key(v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(not_scalar())
    }

    fn serialize_none(self) -> Result {
        Err(not_scalar())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        Err(not_scalar())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Err(not_scalar())
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.map.key(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(not_scalar())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_scalar())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(not_scalar())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct> {
        Err(not_scalar())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_scalar())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_scalar())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(not_scalar())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_scalar())
    }
}
