//! CronJob schedule and time-zone checks: k3score's ([`k3score::cron`]), re-exported under the
//! names this crate has always used.

/// Checks a CronJob schedule: 5 fields (no seconds, no `L`/`W`/`#`, no `TZ=`) or a descriptor.
///
/// ```
/// use k3sfn::check_schedule;
/// assert!(check_schedule("*/15 * * * *").is_ok());
/// assert!(check_schedule("@hourly").is_ok());
/// assert!(check_schedule("0 0 * * * *").is_err());
/// ```
pub use k3score::cron::check_cronjob_schedule as check_schedule;
pub use k3score::cron::check_timezone;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        for ok in ["*/15 * * * *", "0 8 * * MON-FRI", "@daily", "0 0 1 JAN *"] {
            assert!(check_schedule(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "* * * *",
            "0 0 L * *",
            "61 * * * *",
            "CRON_TZ=UTC 0 * * * *",
            "@every 5m",
        ] {
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
