//! Cron expressions and time zones, as KEDA's cron scaler and the CronJob controller read them.
//!
//! Both parse with robfig/cron's standard parser: 5 fields (minute hour day-of-month month
//! day-of-week), names for months and days, no seconds, no `L`/`W`/`#`. The CronJob
//! controller also accepts descriptors (`@hourly` ...); KEDA does not. Expressions are
//! checked with `croner` plus a filter for the syntax robfig/cron rejects.

use croner::parser::{CronParser, Seconds, Year};

use crate::error::ErrorKind;

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
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Descriptors the CronJob controller accepts in `spec.schedule` (robfig/cron).
pub const CRONJOB_DESCRIPTORS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Checks an IANA zone name's shape: `UTC`, `GMT`, or `Area/Location[/Sub]` with a known area.
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
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
    if area_ok && rest_ok {
        Ok(())
    } else {
        Err(ErrorKind::Invalid(format!(
            "invalid time zone {value:?}: use an IANA name like Europe/Paris, America/New_York or UTC"
        )))
    }
}

/// Checks a 5-field cron expression as KEDA's cron scaler parses it.
pub fn check_cron(expr: &str) -> Result<(), ErrorKind> {
    let bad = |reason: String| ErrorKind::Invalid(format!("invalid cron expression {expr:?}: {reason}"));
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(bad(format!(
            "needs 5 fields (minute hour day-of-month month day-of-week), has {}",
            fields.len()
        )));
    }
    for (i, field) in fields.iter().enumerate() {
        let mut plain = field.to_ascii_uppercase();
        let names: &[&str] = match i {
            3 => &MONTHS,
            4 => &DAYS,
            _ => &[],
        };
        for name in names {
            plain = plain.replace(name, "0");
        }
        if !plain
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '?' | '/' | ',' | '-'))
        {
            return Err(bad(format!(
                "field {} ({field:?}) uses syntax KEDA does not accept",
                i + 1
            )));
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

/// Checks a CronJob `spec.schedule`: a 5-field expression or a descriptor (`@hourly`); the
/// time zone goes in `spec.timeZone`, never `TZ=` in the expression.
///
/// ```
/// use k3score::cron::check_cronjob_schedule;
/// assert!(check_cronjob_schedule("*/15 * * * *").is_ok());
/// assert!(check_cronjob_schedule("@hourly").is_ok());
/// assert!(check_cronjob_schedule("0 0 * * * *").is_err());
/// ```
pub fn check_cronjob_schedule(expr: &str) -> Result<(), ErrorKind> {
    if CRONJOB_DESCRIPTORS.contains(&expr.trim()) {
        return Ok(());
    }
    if expr.contains("TZ=") {
        return Err(ErrorKind::Invalid(format!(
            "invalid cron expression {expr:?}: set the time zone with `timezone`, not in the expression"
        )));
    }
    check_cron(expr)
}
