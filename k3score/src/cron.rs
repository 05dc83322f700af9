//! Cron expressions and time zones, as KEDA's cron scaler and the CronJob controller read them.
//!
//! Both parse with robfig/cron's standard parser: 5 fields (minute hour day-of-month month
//! day-of-week), names for months and days, no seconds, no `L`/`W`/`#`. The CronJob
//! controller also accepts descriptors (`@hourly` ...); KEDA does not. The check below
//! follows robfig/cron v3's `parser.go` and says which field, value and range is wrong.

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

/// One field of a 5-field expression: its name in messages, its bounds, its names.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names for the values `min..` (months from 1, days from 0), upper case.
    names: &'static [&'static str],
}

/// robfig/cron's standard bounds (parser.go `minutes`, `hours`, `dom`, `months`, `dow`):
/// day-of-week is 0-6 (Sunday is 0; 7 is out of range there).
const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &MONTHS,
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: &DAYS,
    },
];

/// Checks a 5-field cron expression as KEDA's cron scaler parses it: robfig/cron v3's
/// standard fields (parser.go `getField`/`getRange`). A field is a comma-separated list
/// (empty items are skipped, as Go's `strings.FieldsFunc` does) of ranges
/// `* | ? | N | N-M`, each optionally followed by `/STEP` (`N/STEP` runs from N to the
/// field's maximum); numbers are decimal, months and days of the week also take their
/// three-letter English names in any case. No seconds, descriptors, `L`, `W` or `#`.
///
/// ```
/// use k3score::cron::check_cron;
/// assert!(check_cron("*/15 8-18 * JAN-JUN mon,wed,fri").is_ok());
/// let err = check_cron("61 * * * *").unwrap_err();
/// assert_eq!(err.to_string(), "invalid cron expression \"61 * * * *\": minute 61 is out of 0-59");
/// ```
pub fn check_cron(expr: &str) -> Result<(), ErrorKind> {
    let bad = |reason: String| ErrorKind::Invalid(format!("invalid cron expression {expr:?}: {reason}"));
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(bad(format!(
            "needs 5 fields (minute hour day-of-month month day-of-week), has {}",
            fields.len()
        )));
    }
    for (text, field) in fields.iter().zip(&FIELDS) {
        for item in text.split(',').filter(|item| !item.is_empty()) {
            check_range(item, field).map_err(bad)?;
        }
    }
    Ok(())
}

/// One `range[/step]` item of `field`.
fn check_range(item: &str, field: &Field) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        match number(step) {
            Some(0) => return Err(format!("the {} step in {item:?} must be at least 1", field.name)),
            Some(_) => {}
            None => return Err(format!("the {} step in {item:?} must be a number", field.name)),
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    let (low, high) = match range.split_once('-') {
        Some((low, high)) => (value(low, field)?, Some(value(high, field)?)),
        None => (value(range, field)?, None),
    };
    if let Some(high) = high
        && low > high
    {
        return Err(format!(
            "the {} range {range:?} runs backwards ({low} is after {high})",
            field.name
        ));
    }
    Ok(())
}

/// A value of `field`: a number in its bounds or one of its names.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    let named = field
        .names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
        .and_then(|i| u32::try_from(i).ok())
        .map(|i| i + field.min);
    let n = named.or_else(|| number(text)).ok_or_else(|| {
        let names = match field.names {
            [] => String::new(),
            names => format!(" or a name {}-{}", names[0], names[names.len() - 1]),
        };
        format!(
            "{} {text:?} is not a number{names} (allowed: {}-{}, *, ranges a-b, lists a,b, steps /n)",
            field.name, field.min, field.max
        )
    })?;
    if n < field.min || n > field.max {
        return Err(format!("{} {n} is out of {}-{}", field.name, field.min, field.max));
    }
    Ok(n)
}

/// A decimal number without sign (robfig/cron also rejects negative numbers).
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More digits than fit a u32 are out of every range: report them as the largest value.
    Some(text.parse().unwrap_or(u32::MAX))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn messages_name_the_field_the_value_and_the_range() {
        let message = |expr: &str| check_cron(expr).unwrap_err().to_string();
        assert!(message("61 * * * *").ends_with(": minute 61 is out of 0-59"));
        assert!(message("0 24 * * *").ends_with(": hour 24 is out of 0-23"));
        assert!(message("0 0 0 * *").ends_with(": day of month 0 is out of 1-31"));
        assert!(message("0 0 * 13 *").ends_with(": month 13 is out of 1-12"));
        assert!(message("0 0 * * 7").ends_with(": day of week 7 is out of 0-6"));
        assert!(
            message("0 0 * * FRI-MON").ends_with("the day of week range \"FRI-MON\" runs backwards (5 is after 1)")
        );
        assert!(message("*/0 * * * *").ends_with("the minute step in \"*/0\" must be at least 1"));
        assert!(message("0 0 * FOO *").contains("month \"FOO\" is not a number or a name JAN-DEC"));
        assert!(message("0 0 L * *").contains("day of month \"L\" is not a number"));
        assert!(message("0 0 * * 5#3").contains("day of week \"5#3\" is not a number"));
        assert!(message("0 8 * *").ends_with("needs 5 fields (minute hour day-of-month month day-of-week), has 4"));
    }

    #[test]
    fn robfig_standard_syntax_is_accepted() {
        for ok in [
            "* * * * *",
            "0 0 ? * ?",
            "5/15 0-23/2 1,15 jan-Dec sun-SAT",
            "0 0 1,,15 * *",
            "59 23 31 12 6",
            "0 0 * * 0",
        ] {
            assert!(check_cron(ok).is_ok(), "{ok}: {:?}", check_cron(ok));
        }
        for bad in [
            "@hourly",
            "0 0 * * * *",
            "-1 * * * *",
            "1-2-3 * * * *",
            "1/2/3 * * * *",
            "+5 * * * *",
        ] {
            assert!(check_cron(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cronjob_schedules_take_descriptors_but_no_seconds_or_time_zone() {
        for ok in ["*/15 * * * *", "0 8 * * MON-FRI", "@daily", "0 0 1 JAN *"] {
            assert!(check_cronjob_schedule(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "* * * *",
            "0 0 L * *",
            "61 * * * *",
            "CRON_TZ=UTC 0 * * * *",
            "@every 5m",
        ] {
            assert!(check_cronjob_schedule(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_cronjob_schedule("* * *").unwrap_err().to_string(),
            "invalid cron expression \"* * *\": needs 5 fields (minute hour day-of-month month day-of-week), has 3"
        );
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(check_timezone("UTC").is_ok());
        assert!(check_timezone("America/Argentina/Buenos_Aires").is_ok());
        assert!(check_timezone("Mars/Olympus").is_err());
        assert!(check_timezone("Europe/").is_err());
    }

    /// Every number or name of an accepted expression, per field, is inside that field's bounds.
    fn all_in_range(expr: &str) -> bool {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        fields.len() == 5
            && fields.iter().zip(&FIELDS).all(|(text, field)| {
                text.split(',').filter(|i| !i.is_empty()).all(|item| {
                    let range = item.split('/').next().unwrap_or_default();
                    range == "*"
                        || range == "?"
                        || range.split('-').all(|v| {
                            let named = field.names.iter().any(|n| n.eq_ignore_ascii_case(v));
                            named || v.parse::<u32>().is_ok_and(|n| (field.min..=field.max).contains(&n))
                        })
                })
            })
    }

    proptest! {
        #[test]
        fn accepted_expressions_have_five_fields_in_range(
            fields in proptest::collection::vec(
                "(\\*|\\?|[0-9]{1,2}|[A-Za-z]{3})(-([0-9]{1,2}|[A-Za-z]{3}))?(/[0-9]{1,2})?(,[0-9]{1,2})?",
                4..=6,
            )
        ) {
            let expr = fields.join(" ");
            if check_cron(&expr).is_ok() {
                prop_assert!(all_in_range(&expr), "{expr}");
            }
        }

        #[test]
        fn arbitrary_text_never_panics_and_stays_in_range(expr in "[0-9A-Za-z*?/,# -]{0,30}") {
            if check_cron(&expr).is_ok() {
                prop_assert!(all_in_range(&expr), "{expr}");
            }
        }
    }
}
