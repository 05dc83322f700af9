//! Compose scalars (REFERENCE §14): durations, byte sizes, shell words and names, plus
//! lenient scalars (compose accepts `"3"` where a number is expected, since interpolation
//! yields strings).

use std::fmt;

use k3score::names::{DnsLabel, bounded};
use k3score::quantity::Bytes;
use serde::Deserializer;
use serde::de::{self, Visitor};
use serde_derive::Deserialize;

/// Parses a compose duration (`1m30s`, `10s`, `1h5m30s20ms`, units `ns us µs ms s m h`) into
/// whole seconds, truncated as Kompose does (REFERENCE §14, CS1, C6).
///
/// ```
/// assert_eq!(k3scompose::scalars::duration_seconds("1m30s"), Ok(90));
/// assert_eq!(k3scompose::scalars::duration_seconds("1500ms"), Ok(1));
/// assert!(k3scompose::scalars::duration_seconds("10 parsecs").is_err());
/// ```
///
/// # Errors
/// A message naming the bad duration.
pub fn duration_seconds(text: &str) -> Result<u64, String> {
    let bad = || format!("invalid duration {text:?}: expected e.g. 30s, 1m30s, 500ms");
    let mut rest = text.trim();
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let amount: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        nanos += amount * scale;
    }
    if !nanos.is_finite() || nanos > 1e18 {
        return Err(bad());
    }
    // Truncation to whole seconds is intended (REFERENCE §14: kompose truncates).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((nanos / 1e9) as u64)
}

/// Parses a compose byte value (`512M`, `1g`, `64kb`, `1024`): binary units, case-insensitive,
/// `b` optional, as docker/go-units `RAMInBytes` does (REFERENCE §14, CS2), into a binary
/// Kubernetes quantity (`512M` → `512Mi`).
///
/// ```
/// assert_eq!(k3scompose::scalars::byte_size("512M").unwrap().to_string(), "512Mi");
/// assert_eq!(k3scompose::scalars::byte_size("1g").unwrap().to_string(), "1Gi");
/// assert_eq!(k3scompose::scalars::byte_size("1.5gb").unwrap().to_string(), "1536Mi");
/// ```
///
/// # Errors
/// A message naming the bad value.
pub fn byte_size(text: &str) -> Result<Bytes, String> {
    let bad = || format!("invalid byte value {text:?}: expected e.g. 512m, 1g, 64kb");
    let t = text.trim().to_ascii_lowercase();
    let num_len = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    if num_len == 0 {
        return Err(bad());
    }
    let (number, unit) = t.split_at(num_len);
    let suffix = match unit.trim() {
        "" | "b" => "",
        "k" | "kb" => "Ki",
        "m" | "mb" => "Mi",
        "g" | "gb" => "Gi",
        "t" | "tb" => "Ti",
        "p" | "pb" => "Pi",
        _ => return Err(bad()),
    };
    format!("{number}{suffix}")
        .parse::<Bytes>()
        .map_err(|e| format!("{}: {e}", bad()))
}

/// Splits a command string into words like a POSIX shell (quotes and backslashes; no
/// expansion), as compose does for string `command` / `entrypoint`.
///
/// ```
/// assert_eq!(k3scompose::scalars::shell_split(r#"sh -c "echo 'hi there'""#).unwrap(), ["sh", "-c", "echo 'hi there'"]);
/// ```
///
/// # Errors
/// A message for an unterminated quote.
pub fn shell_split(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(format!("unterminated single quote in {text:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(format!("unterminated double quote in {text:?}")),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(format!("unterminated double quote in {text:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    word.push(ch);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// A compose name (`db_primary`, `My.App`) as a DNS-1123 label: lowercase, `_` and `.` become
/// `-`, other characters dropped, at most `max` characters (with a stable hash when cut).
///
/// ```
/// assert_eq!(k3scompose::scalars::dns_name("db_Primary", 63), "db-primary");
/// ```
#[must_use]
pub fn dns_name(name: &str, max: usize) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '_' | '.' | '-' | '/' | ' ' if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let trimmed = out.trim_matches('-');
    let base = if trimmed.is_empty() { "x" } else { trimmed };
    bounded(base, "", max)
}

/// [`dns_name`] as a [`DnsLabel`] (always valid).
pub(crate) fn dns_label(name: &str) -> DnsLabel {
    DnsLabel::new(dns_name(name, 63)).unwrap_or_else(|_| DnsLabel::new("x").unwrap_or_else(|_| unreachable!()))
}

/// Any scalar as its text: `8080`, `"8080"`, `true`, `0.5`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Text(pub String);

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or number")
    }
    fn visit_str<E>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_owned()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// A non-negative integer written as a number or a numeric string (`3`, `"3"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Num(pub u64);

impl<'de> serde::Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(text) = Text::deserialize(d)?;
        text.trim()
            .parse()
            .map(Num)
            .map_err(|_| de::Error::custom(format!("expected a non-negative integer, got {text:?}")))
    }
}

/// A boolean written as `true`/`false` or their string forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Flag(pub bool);

impl Flag {
    /// `true`/`false` and their string forms (`yes`, `on`, `1`, ...); `None` for other text.
    pub(crate) fn from_text(text: &str) -> Option<bool> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(text) = Text::deserialize(d)?;
        Flag::from_text(&text)
            .map(Flag)
            .ok_or_else(|| de::Error::custom(format!("expected true or false, got {text:?}")))
    }
}

/// `external` of a top-level volume, network, secret or config: a boolean, or the older
/// `{name: NAME}` form (compose file format 3.3 and before), read as `true` plus `name`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct External {
    /// Whether the object exists outside the project.
    pub(crate) set: bool,
    /// The name of the older `{name: NAME}` form.
    pub(crate) legacy_name: Option<String>,
}

impl<'de> serde::Deserialize<'de> for External {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Legacy {
            name: Option<Text>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Flag(Flag),
            Legacy(Legacy),
        }
        match Form::deserialize(d) {
            Ok(Form::Flag(Flag(set))) => Ok(Self { set, legacy_name: None }),
            Ok(Form::Legacy(Legacy { name })) => Ok(Self {
                set: true,
                legacy_name: name.map(|t| t.0),
            }),
            Err(_) => Err(de::Error::custom("expected true, false or {name: NAME}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, secs) in [
            ("30s", 30),
            ("1m30s", 90),
            ("1h5m30s20ms", 3930),
            ("0", 0),
            ("0s", 0),
            ("2.5s", 2),
            ("100ms", 0),
        ] {
            assert_eq!(duration_seconds(text), Ok(secs), "{text}");
        }
        for bad in ["", "10", "1x", "s", "-1s"] {
            assert!(duration_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn byte_sizes() {
        for (text, out) in [
            ("512M", "512Mi"),
            ("512m", "512Mi"),
            ("1g", "1Gi"),
            ("1GB", "1Gi"),
            ("64k", "64Ki"),
            ("1024", "1024"),
            ("100b", "100"),
            ("2t", "2Ti"),
        ] {
            assert_eq!(byte_size(text).map(|b| b.to_string()), Ok(out.to_owned()), "{text}");
        }
        for bad in ["", "lots", "1x", "-1m"] {
            assert!(byte_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(shell_split("npm run start").unwrap(), ["npm", "run", "start"]);
        assert_eq!(
            shell_split("  a  'b c'  \"d \\\"e\\\"\" f\\ g").unwrap(),
            ["a", "b c", "d \"e\"", "f g"]
        );
        assert_eq!(shell_split("''").unwrap(), [""]);
        assert!(shell_split("echo 'oops").is_err());
        assert!(shell_split("echo \"oops").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(dns_name("web", 63), "web");
        assert_eq!(dns_name("My_App.v2", 63), "my-app-v2");
        assert_eq!(dns_name("__", 63), "x");
        assert_eq!(dns_name("./conf/nginx.conf", 63), "conf-nginx-conf");
        assert!(dns_name(&"a".repeat(100), 63).len() <= 63);
    }
}
