//! CPU and byte quantities, parsed and re-serialized in canonical form.
//!
//! Grammar from kubernetes/apimachinery `pkg/api/resource/quantity.go` (REFERENCE.md §12):
//! a number with a binary (`Ki Mi Gi Ti Pi Ei`) or decimal (`m k M G T P E`) suffix or an
//! `e<n>` exponent. Values are held exactly (milli-units for CPU, bytes for memory), so
//! they compare and add without rounding, which quota checks rely on.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;

use crate::error::ErrorKind;

fn bad(value: &str, reason: impl Into<String>) -> ErrorKind {
    ErrorKind::InvalidQuantity {
        value: value.to_owned(),
        reason: reason.into(),
    }
}

/// A parsed quantity as an exact fraction: `numerator / 1000` units, with the suffix family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Binary,
    Decimal,
}

/// Parses a Kubernetes quantity into thousandths of its unit, plus the suffix family.
fn parse_milli(value: &str) -> Result<(u128, Family), ErrorKind> {
    let text = value.trim();
    if text.is_empty() {
        return Err(bad(value, "must not be empty"));
    }
    if text.starts_with('-') {
        return Err(bad(value, "must not be negative"));
    }
    let text = text.strip_prefix('+').unwrap_or(text);
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(bad(value, "must start with a number, like 250m, 0.5, 512Mi or 1G"));
    }
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    // Multiplier as (numerator, denominator-power-of-ten) relative to milli-units.
    let (family, mul): (Family, u128) = match suffix {
        "" => (Family::Decimal, 1_000),
        "m" => (Family::Decimal, 1),
        "k" => (Family::Decimal, 1_000_000),
        "M" => (Family::Decimal, 1_000_000_000),
        "G" => (Family::Decimal, 1_000_000_000_000),
        "T" => (Family::Decimal, 1_000_000_000_000_000),
        "P" => (Family::Decimal, 1_000_000_000_000_000_000),
        "E" => (Family::Decimal, 1_000_000_000_000_000_000_000),
        "Ki" => (Family::Binary, 1_000 << 10),
        "Mi" => (Family::Binary, 1_000 << 20),
        "Gi" => (Family::Binary, 1_000 << 30),
        "Ti" => (Family::Binary, 1_000 << 40),
        "Pi" => (Family::Binary, 1_000 << 50),
        "Ei" => (Family::Binary, 1_000 << 60),
        s if s.starts_with(['e', 'E']) => {
            let exp: u32 = s[1..]
                .parse()
                .map_err(|_| bad(value, format!("unknown suffix {s:?}")))?;
            if exp > 18 {
                return Err(bad(value, "exponent too large"));
            }
            (Family::Decimal, 1_000 * 10u128.pow(exp))
        }
        s => {
            return Err(bad(
                value,
                format!("unknown suffix {s:?}; use m, k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei"),
            ));
        }
    };
    let digits = format!("{whole}{frac}");
    let scale = 10u128
        .checked_pow(u32::try_from(frac.len()).map_err(|_| bad(value, "too many digits"))?)
        .ok_or_else(|| bad(value, "too many digits"))?;
    let mantissa: u128 = digits.parse().map_err(|_| bad(value, "number too large"))?;
    let scaled = mantissa
        .checked_mul(mul)
        .ok_or_else(|| bad(value, "number too large"))?;
    if !scaled.is_multiple_of(scale) {
        return Err(bad(value, "more precise than 1m (Kubernetes keeps 3 decimal places)"));
    }
    Ok((scaled / scale, family))
}

/// A CPU amount, held in millicores.
///
/// ```
/// use k3score::quantity::Cpu;
/// let cpu: Cpu = "0.25".parse().unwrap();
/// assert_eq!(cpu, Cpu::millis(250));
/// assert_eq!(cpu.to_quantity().0, "250m");
/// assert_eq!("2".parse::<Cpu>().unwrap().to_quantity().0, "2");
/// assert!("lots".parse::<Cpu>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cpu(u64);

impl Cpu {
    /// `n` millicores.
    #[must_use]
    pub const fn millis(n: u64) -> Self {
        Self(n)
    }

    /// `n` whole cores.
    #[must_use]
    pub const fn cores(n: u64) -> Self {
        Self(n * 1000)
    }

    /// The amount in millicores.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The canonical Kubernetes quantity (`250m`, `2`).
    #[must_use]
    pub fn to_quantity(self) -> Quantity {
        Quantity(self.to_string())
    }
}

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1000) {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

impl FromStr for Cpu {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let (milli, _) = parse_milli(value)?;
        u64::try_from(milli).map(Self).map_err(|_| bad(value, "too large"))
    }
}

impl std::ops::Add for Cpu {
    type Output = Cpu;
    fn add(self, other: Cpu) -> Cpu {
        Cpu(self.0.saturating_add(other.0))
    }
}

impl std::ops::Mul<u64> for Cpu {
    type Output = Cpu;
    fn mul(self, n: u64) -> Cpu {
        Cpu(self.0.saturating_mul(n))
    }
}

/// An amount of bytes (memory, ephemeral storage, volume sizes).
///
/// Binary inputs re-serialize with the largest exact binary suffix, decimal ones with the
/// largest exact decimal suffix.
///
/// ```
/// use k3score::quantity::Bytes;
/// let mem: Bytes = "1.5Gi".parse().unwrap();
/// assert_eq!(mem.to_quantity().0, "1536Mi");
/// assert_eq!(Bytes::mebibytes(512).to_string(), "512Mi");
/// assert_eq!("1G".parse::<Bytes>().unwrap().as_bytes(), 1_000_000_000);
/// assert!("100m".parse::<Bytes>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes {
    bytes: u128,
    binary: bool,
}

impl Bytes {
    /// `n` bytes.
    #[must_use]
    pub const fn from_bytes(n: u128) -> Self {
        Self {
            bytes: n,
            binary: false,
        }
    }

    /// `n` MiB.
    #[must_use]
    pub const fn mebibytes(n: u128) -> Self {
        Self {
            bytes: n << 20,
            binary: true,
        }
    }

    /// `n` GiB.
    #[must_use]
    pub const fn gibibytes(n: u128) -> Self {
        Self {
            bytes: n << 30,
            binary: true,
        }
    }

    /// The amount in bytes.
    #[must_use]
    pub const fn as_bytes(self) -> u128 {
        self.bytes
    }

    /// The canonical Kubernetes quantity.
    #[must_use]
    pub fn to_quantity(self) -> Quantity {
        Quantity(self.to_string())
    }
}

impl PartialEq<u128> for Bytes {
    fn eq(&self, other: &u128) -> bool {
        self.bytes == *other
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.bytes;
        if b == 0 {
            return f.write_str("0");
        }
        if self.binary {
            for (shift, suffix) in [(60, "Ei"), (50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
                if b.is_multiple_of(1u128 << shift) {
                    return write!(f, "{}{suffix}", b >> shift);
                }
            }
        } else {
            for (exp, suffix) in [(18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k")] {
                let unit = 10u128.pow(exp);
                if b.is_multiple_of(unit) {
                    return write!(f, "{}{suffix}", b / unit);
                }
            }
        }
        write!(f, "{b}")
    }
}

impl FromStr for Bytes {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let (milli, family) = parse_milli(value)?;
        if !milli.is_multiple_of(1000) {
            return Err(bad(
                value,
                "must be a whole number of bytes (did you mean M or Mi instead of m?)",
            ));
        }
        Ok(Self {
            bytes: milli / 1000,
            binary: family == Family::Binary,
        })
    }
}

impl std::ops::Add for Bytes {
    type Output = Bytes;
    fn add(self, other: Bytes) -> Bytes {
        Bytes {
            bytes: self.bytes.saturating_add(other.bytes),
            binary: self.binary || other.binary,
        }
    }
}

impl std::ops::Mul<u128> for Bytes {
    type Output = Bytes;
    fn mul(self, n: u128) -> Bytes {
        Bytes {
            bytes: self.bytes.saturating_mul(n),
            binary: self.binary,
        }
    }
}

macro_rules! quantity_serde {
    ($ty:ident, $example:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a Kubernetes quantity such as ", $example))
                    }
                    // A bad quantity recovers (inside `from_yaml`) as zero; its problem is reported.
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        crate::yaml::recover(v.parse(), $ty::default)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        self.visit_str(&v.to_string())
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        self.visit_str(&v.to_string())
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$ty, E> {
                        self.visit_str(&v.to_string())
                    }
                }
                d.deserialize_any(Visitor)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($ty))
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "anyOf": [
                        {"type": "string", "pattern": "^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][0-9]+)?$"},
                        {"type": "number", "minimum": 0}
                    ],
                    "description": concat!("Kubernetes quantity, e.g. ", $example),
                })
            }
        }
    };
}

quantity_serde!(Cpu, "250m or 0.5");
quantity_serde!(Bytes, "512Mi or 1G");

/// A count (`1`) or a percentage of replicas (`"25%"`, at most 100%).
///
/// ```
/// use k3score::quantity::IntOrPercent;
/// assert_eq!("25%".parse::<IntOrPercent>().unwrap(), IntOrPercent::Percent(25));
/// assert!("120%".parse::<IntOrPercent>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(untagged))]
pub enum IntOrPercent {
    /// A number of pods.
    Int(u32),
    /// A percentage of the desired pods (0 to 100).
    Percent(u8),
}

impl IntOrPercent {
    /// The `IntOrString` Kubernetes expects.
    #[must_use]
    pub fn to_k8s(self) -> IntOrString {
        match self {
            IntOrPercent::Int(n) => IntOrString::Int(i32::try_from(n).unwrap_or(i32::MAX)),
            IntOrPercent::Percent(p) => IntOrString::String(format!("{p}%")),
        }
    }
}

impl fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for IntOrPercent {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let bad = || ErrorKind::Invalid(format!("{value:?} is neither a count nor a percentage up to 100%"));
        match value.strip_suffix('%') {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= 100)
                .map(IntOrPercent::Percent)
                .ok_or_else(bad),
            None => value.parse().map(IntOrPercent::Int).map_err(|_| bad()),
        }
    }
}

impl serde::Serialize for IntOrPercent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrPercent::Int(n) => s.serialize_u32(*n),
            IntOrPercent::Percent(_) => s.collect_str(self),
        }
    }
}

impl<'de> serde::Deserialize<'de> for IntOrPercent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IntOrPercent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count or a percentage such as \"25%\"")
            }
            // A bad value recovers (inside `from_yaml`) as 1; its problem is reported.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IntOrPercent, E> {
                let checked = u32::try_from(v)
                    .map(IntOrPercent::Int)
                    .map_err(|_| ErrorKind::Invalid(format!("must be at most {}, is {v}", u32::MAX)));
                crate::yaml::recover(checked, || IntOrPercent::Int(1))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IntOrPercent, E> {
                let checked = u32::try_from(v)
                    .map(IntOrPercent::Int)
                    .map_err(|_| ErrorKind::Invalid(format!("must not be negative, is {v}")));
                crate::yaml::recover(checked, || IntOrPercent::Int(1))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IntOrPercent, E> {
                crate::yaml::recover(v.parse(), || IntOrPercent::Int(1))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cpu_forms() {
        assert_eq!("250m".parse::<Cpu>().unwrap(), Cpu::millis(250));
        assert_eq!("0.5".parse::<Cpu>().unwrap(), Cpu::millis(500));
        assert_eq!("1.5".parse::<Cpu>().unwrap().to_string(), "1500m");
        assert_eq!("2".parse::<Cpu>().unwrap().to_string(), "2");
        assert_eq!("1e3".parse::<Cpu>().unwrap(), Cpu::cores(1000));
        assert!("0.0001".parse::<Cpu>().is_err());
        assert!("-1".parse::<Cpu>().is_err());
        assert!("".parse::<Cpu>().is_err());
        assert!("1.2.3".parse::<Cpu>().is_err());
        assert!("12x".parse::<Cpu>().unwrap_err().to_string().contains("unknown suffix"));
    }

    #[test]
    fn bytes_forms() {
        assert_eq!("512Mi".parse::<Bytes>().unwrap().as_bytes(), 512 << 20);
        assert_eq!("1G".parse::<Bytes>().unwrap().to_string(), "1G");
        assert_eq!("1.5Gi".parse::<Bytes>().unwrap().to_string(), "1536Mi");
        assert_eq!("1500k".parse::<Bytes>().unwrap().to_string(), "1500k");
        assert_eq!("2048".parse::<Bytes>().unwrap().to_string(), "2048");
        assert!("0.5".parse::<Bytes>().is_err());
        assert!("Mi".parse::<Bytes>().is_err());
    }

    #[test]
    fn serde_accepts_numbers_and_strings() {
        let cpu: Cpu = serde_json::from_str("1").unwrap();
        assert_eq!(cpu, Cpu::cores(1));
        let cpu: Cpu = serde_json::from_str("0.25").unwrap();
        assert_eq!(cpu, Cpu::millis(250));
        let mem: Bytes = serde_json::from_str("\"256Mi\"").unwrap();
        assert_eq!(serde_json::to_string(&mem).unwrap(), "\"256Mi\"");
        assert!(serde_json::from_str::<Bytes>("\"lots\"").is_err());
    }

    proptest! {
        #[test]
        fn cpu_round_trips(m in 0u64..10_000_000) {
            let cpu = Cpu::millis(m);
            prop_assert_eq!(cpu.to_string().parse::<Cpu>().unwrap(), cpu);
        }

        #[test]
        fn bytes_round_trip(n in 0u128..1_000_000, shift in prop::sample::select(vec![0u32, 10, 20, 30])) {
            let b = Bytes { bytes: n << shift, binary: shift > 0 };
            prop_assert_eq!(b.to_string().parse::<Bytes>().unwrap().as_bytes(), b.as_bytes());
        }
    }
}
