//! CronJob schedule and time-zone checks.
//!
//! Temporary: k3score checks KEDA cron expressions in `scaling::cron` but keeps the checks
//! private; once it exports them (see the issue 5 report) this file shrinks to the CronJob
//! specifics (descriptors such as `@hourly`, which the CronJob controller accepts).

use croner::parser::{CronParser, Seconds, Year};
use k3score::ErrorKind;

/// Descriptors the CronJob controller (robfig/cron standard parser) accepts.
const DESCRIPTORS: [&str; 7] = [
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
];
/// Top-level IANA time zone areas accepted in `Area/Location` names.
const TZ_AREAS: [&str; 11] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];
const NAMES: [&str; 19] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", "SUN", "MON", "TUE", "WED",
    "THU", "FRI", "SAT",
];

/// Checks a CronJob schedule: 5 fields (no seconds, no `L`/`W`/`#`, no `TZ=`) or a descriptor.
///
/// ```
/// use k3sfn::check_schedule;
/// assert!(check_schedule("*/15 * * * *").is_ok());
/// assert!(check_schedule("@hourly").is_ok());
/// assert!(check_schedule("0 0 * * * *").is_err());
/// ```
pub fn check_schedule(expr: &str) -> Result<(), ErrorKind> {
    let bad = |reason: String| ErrorKind::Invalid(format!("invalid cron expression {expr:?}: {reason}"));
    if DESCRIPTORS.contains(&expr.trim()) {
        return Ok(());
    }
    if expr.contains("TZ=") {
        return Err(bad("set the time zone with `timezone`, not in the expression".into()));
    }
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(bad(format!(
            "needs 5 fields (minute hour day-of-month month day-of-week), has {}",
            fields.len()
        )));
    }
    for (i, field) in fields.iter().enumerate() {
        let mut plain = field.to_ascii_uppercase();
        for name in NAMES {
            plain = plain.replace(name, "0");
        }
        if !plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '?' | '/' | ',' | '-'))
        {
            return Err(bad(format!("field {} ({field:?}) uses unsupported syntax", i + 1)));
        }
    }
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expr)
        .map(|_| ())
        .map_err(|e| bad(e.to_string()))
}

/// Checks an IANA zone name's shape: `UTC`, `GMT`, or `Area/Location[/Sub]` with a known area.
///
/// ```
/// assert!(k3sfn::check_timezone("Europe/Paris").is_ok());
/// assert!(k3sfn::check_timezone("Paris").is_err());
/// ```
pub fn check_timezone(value: &str) -> Result<(), ErrorKind> {
    if matches!(value, "UTC" | "GMT") {
        return Ok(());
    }
    let mut parts = value.split('/');
    let area_ok = parts.next().is_some_and(|area| TZ_AREAS.contains(&area));
    let rest: Vec<&str> = parts.collect();
    let rest_ok = !rest.is_empty()
        && rest.iter().all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
    if area_ok && rest_ok {
        Ok(())
    } else {
        Err(ErrorKind::Invalid(format!(
            "invalid time zone {value:?}: use an IANA name like Europe/Paris, America/New_York or UTC"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        for ok in ["*/15 * * * *", "0 8 * * MON-FRI", "@daily", "0 0 1 JAN *"] {
            assert!(check_schedule(ok).is_ok(), "{ok}");
        }
        for bad in ["", "* * * *", "0 0 L * *", "61 * * * *", "CRON_TZ=UTC 0 * * * *", "@every 5m"] {
            assert!(check_schedule(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_schedule("* * *").unwrap_err().to_string(),
            "invalid cron expression \"* * *\": needs 5 fields (minute hour day-of-month month day-of-week), has 3"
        );
    }

    #[test]
    fn timezones() {
        assert!(check_timezone("UTC").is_ok());
        assert!(check_timezone("America/Argentina/Buenos_Aires").is_ok());
        assert!(check_timezone("Mars/Olympus").is_err());
        assert!(check_timezone("Europe/").is_err());
    }
}
