//! Route durations (timeouts, rate-limit periods) in whole seconds, rendered per controller.
//!
//! Spec files write `30s`, `2m`, `1m30s`, `1h` or a bare number of seconds. The same value
//! renders as a Go duration for Traefik (`1m30s`, REFERENCE §4c), a GEP-2257 duration for the
//! Gateway API (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`, REFERENCE §9) and a single-unit time for
//! HAProxy annotations (`90s`, REFERENCE §5a), so no renderer formats time itself.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::{ErrorKind, PathRef, Problems, Validate};

/// A positive duration of whole seconds, at most [`Duration::MAX`] (24h).
///
/// ```
/// use k3score::exposure::Duration;
/// let d: Duration = "1m30s".parse().unwrap();
/// assert_eq!(d.as_secs(), 90);
/// assert_eq!(d.to_string(), "1m30s");          // Traefik and Gateway API (GEP-2257)
/// assert_eq!(d.to_haproxy(), "90s");           // HAProxy: one unit
/// assert_eq!(Duration::from_secs(7200).to_haproxy(), "2h");
/// assert!("1.5s".parse::<Duration>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(u32);

impl Duration {
    /// The longest accepted duration: 24 hours. A longer route timeout or rate-limit window is
    /// almost certainly a mistake, and it keeps every GEP-2257 component within five digits.
    pub const MAX: Duration = Duration(86_400);

    /// One second (the default rate-limit period).
    pub const SECOND: Duration = Duration(1);

    /// `secs` seconds. Not range-checked: [`Duration::validate`] (called by the route
    /// validation) rejects zero and values above [`Duration::MAX`].
    #[must_use]
    pub const fn from_secs(secs: u32) -> Self {
        Self(secs)
    }

    /// The duration in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// HAProxy annotation form: one number with the largest exact unit (`2h`, `5m`, `90s`).
    #[must_use]
    pub fn to_haproxy(self) -> String {
        let s = self.0;
        if s != 0 && s.is_multiple_of(3600) {
            format!("{}h", s / 3600)
        } else if s != 0 && s.is_multiple_of(60) {
            format!("{}m", s / 60)
        } else {
            format!("{s}s")
        }
    }
}

impl Validate for Duration {
    /// Records a problem at `path` unless the duration is between 1s and [`Duration::MAX`].
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        if let Err(kind) = check_range(self.0) {
            problems.push(path, kind);
        }
    }
}

fn check_range(secs: u32) -> Result<(), ErrorKind> {
    if secs == 0 {
        return Err(ErrorKind::Invalid("a duration must be at least 1s".into()));
    }
    if secs > Duration::MAX.0 {
        return Err(ErrorKind::Invalid(format!(
            "a duration must be at most 24h, is {secs}s"
        )));
    }
    Ok(())
}

impl fmt::Display for Duration {
    /// Compact `h`/`m`/`s` form, valid both as a Go duration and as a GEP-2257 duration.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 % 3600 / 60, self.0 % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 || self.0 == 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

impl FromStr for Duration {
    type Err = ErrorKind;

    fn from_str(value: &str) -> Result<Self, ErrorKind> {
        let bad = |reason: &str| {
            ErrorKind::Invalid(format!(
                "invalid duration {value:?}: {reason}; write whole seconds like 30s, 2m, 1m30s or 1h"
            ))
        };
        let text = value.trim();
        if text.is_empty() {
            return Err(bad("must not be empty"));
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            let secs = text.parse::<u32>().map_err(|_| bad("too large"))?;
            check_range(secs)?;
            return Ok(Self(secs));
        }
        let mut total: u64 = 0;
        let mut rest = text;
        let mut last_unit = u64::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad("expected a number"));
            }
            let number: u64 = rest[..digits].parse().map_err(|_| bad("too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = match &rest[..unit_len] {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" | "us" | "µs" | "ns" => return Err(bad("routes take whole seconds")),
                "" => return Err(bad("missing unit after a number")),
                _ => return Err(bad("unknown unit")),
            };
            if unit >= last_unit {
                return Err(bad("units must go from hours to seconds, each once"));
            }
            last_unit = unit;
            rest = &rest[unit_len..];
            total = total.saturating_add(number.saturating_mul(unit));
        }
        let secs = u32::try_from(total).map_err(|_| bad("too large"))?;
        check_range(secs)?;
        Ok(Self(secs))
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 30s, 2m or 1m30s, or a number of seconds")
            }
            // A bad duration recovers (inside `from_yaml`) as one second; its problem is reported.
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                crate::yaml::recover(v.parse(), || Duration(1))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                self.visit_str(&v.to_string())
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Duration")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Whole seconds: 30s, 2m, 1m30s, 1h, or a number of seconds (1s to 24h).",
            "anyOf": [
                { "type": "string", "pattern": "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$" },
                { "type": "integer", "minimum": 1, "maximum": 86400 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_bare_seconds() {
        assert_eq!("30s".parse::<Duration>().unwrap().as_secs(), 30);
        assert_eq!("2m".parse::<Duration>().unwrap().as_secs(), 120);
        assert_eq!("1h2m3s".parse::<Duration>().unwrap().as_secs(), 3723);
        assert_eq!("45".parse::<Duration>().unwrap().as_secs(), 45);
        for bad in [
            "",
            "s",
            "1.5s",
            "500ms",
            "1s1m",
            "1m1m",
            "2d",
            "0s",
            "25h",
            "-1s",
            "99999999999s",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should fail");
        }
        let err = "500ms".parse::<Duration>().unwrap_err().to_string();
        assert!(err.contains("whole seconds"), "{err}");
    }

    #[test]
    fn renders_per_controller() {
        let d = Duration::from_secs(3723);
        assert_eq!(d.to_string(), "1h2m3s");
        assert_eq!(d.to_haproxy(), "3723s");
        assert_eq!(Duration::from_secs(120).to_string(), "2m");
        assert_eq!(Duration::from_secs(120).to_haproxy(), "2m");
        assert_eq!(Duration::from_secs(3600).to_string(), "1h");
    }

    #[test]
    fn serde_accepts_strings_and_numbers() {
        let d: Duration = serde_json::from_str("\"1m30s\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"1m30s\"");
        let n: Duration = serde_json::from_str("15").unwrap();
        assert_eq!(n.as_secs(), 15);
        assert!(serde_json::from_str::<Duration>("0").is_err());
    }

    #[test]
    fn validate_checks_range() {
        let mut problems = Problems::default();
        Duration::from_secs(0).validate(PathRef::ROOT.field("timeout"), &mut problems);
        let err = problems.finish(()).unwrap_err();
        assert_eq!(err.to_string(), "timeout: a duration must be at least 1s");
    }

    proptest::proptest! {
        #[test]
        fn display_round_trips(s in 1u32..=86_400) {
            let d = Duration::from_secs(s);
            proptest::prop_assert_eq!(d.to_string().parse::<Duration>().unwrap(), d);
            proptest::prop_assert_eq!(d.to_haproxy().parse::<Duration>().unwrap(), d);
        }
    }
}
