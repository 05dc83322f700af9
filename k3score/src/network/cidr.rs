//! IPv4 / IPv6 networks in CIDR notation, for `cidr` allow rules.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize;
use serde_derive::Serialize;

use crate::error::ErrorKind;

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`), host bits zero.
///
/// ```
/// use k3score::network::Cidr;
/// assert!("10.0.0.0/8".parse::<Cidr>().is_ok());
/// assert!("10.0.0.1/8".parse::<Cidr>().is_err());
/// assert!("10.0.0.0".parse::<Cidr>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn bits(self) -> (u128, u32) {
        match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn mask(prefix: u8, width: u32) -> u128 {
        let host = width - u32::from(prefix);
        let all = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
        if host >= 128 { 0 } else { all & !((1u128 << host) - 1) }
    }

    /// Whether `other` lies inside this network (same family, longer or equal prefix).
    #[must_use]
    pub fn contains(&self, other: &Cidr) -> bool {
        let (a, width) = self.bits();
        let (b, other_width) = other.bits();
        width == other_width && other.prefix >= self.prefix && (b & Self::mask(self.prefix, width)) == a
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = ErrorKind;
    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let bad = |reason: &str| ErrorKind::Invalid(format!("invalid CIDR {value:?}: {reason}"));
        let (addr, prefix) = value
            .split_once('/')
            .ok_or_else(|| bad("expected <address>/<prefix>"))?;
        let addr: IpAddr = addr.parse().map_err(|_| bad("not an IPv4 or IPv6 address"))?;
        let prefix: u8 = prefix.parse().map_err(|_| bad("the prefix is not a number"))?;
        let cidr = Cidr { addr, prefix };
        let (bits, width) = cidr.bits();
        if u32::from(prefix) > width {
            return Err(bad(&format!("the prefix must be at most {width}")));
        }
        if bits & !Self::mask(prefix, width) != 0 {
            return Err(bad("host bits are set; use the network address"));
        }
        Ok(cidr)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    /// A bad range recovers (inside `from_yaml`) as `0.0.0.0/32`; its problem is reported.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let placeholder = || Cidr {
            addr: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            prefix: 32,
        };
        crate::yaml::recover(raw.parse(), placeholder)
    }
}

impl TryFrom<String> for Cidr {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, ErrorKind> {
        value.parse()
    }
}

impl From<Cidr> for String {
    fn from(value: Cidr) -> String {
        value.to_string()
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for Cidr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "IPv4 or IPv6 network in CIDR notation, e.g. 10.0.0.0/8",
            "pattern": "^[0-9a-fA-F:.]+/[0-9]{1,3}$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Peer;
    use crate::yaml::from_yaml;

    #[test]
    fn cidr_parsing() {
        assert!("2001:db8::/32".parse::<Cidr>().is_ok());
        assert!("0.0.0.0/0".parse::<Cidr>().is_ok());
        assert!(
            "10.0.0.0/33"
                .parse::<Cidr>()
                .unwrap_err()
                .to_string()
                .contains("at most 32")
        );
        assert!("::1/129".parse::<Cidr>().is_err());
        assert!("x/8".parse::<Cidr>().is_err());
        let wide: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(wide.contains(&"10.2.0.0/16".parse().unwrap()));
        assert!(!wide.contains(&"2001:db8::/32".parse().unwrap()));
        assert!(from_yaml::<Peer>("{cidr: 10.0.0.1/8}").is_err());
    }
}
