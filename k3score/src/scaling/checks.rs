//! Checks every scaling mode shares: replica bounds and Go durations.

use crate::error::{ErrorKind, PathRef, Problems};

/// Checks replica bounds: `min >= floor`, `max >= 1`, `min <= max`.
pub(super) fn validate_bounds(path: PathRef<'_>, min: i32, max: i32, floor: i32, problems: &mut Problems) {
    if min < floor {
        problems.push(
            path.field("min"),
            ErrorKind::Invalid(format!("min must be at least {floor}, is {min}")),
        );
    }
    if max < 1 {
        problems.push(
            path.field("max"),
            ErrorKind::Invalid(format!("max must be at least 1, is {max}")),
        );
    } else if min > max {
        problems.push(
            path.field("max"),
            ErrorKind::Conflict(format!("max ({max}) is below min ({min})")),
        );
    }
}

/// Checks a Go duration such as `1m`, `30s` or `1h30m` (positive).
pub(super) fn check_duration(value: &str) -> Result<(), ErrorKind> {
    let bad = || {
        ErrorKind::Invalid(format!(
            "invalid duration {value:?}: use a number and a unit, like 30s, 1m or 1h30m"
        ))
    };
    let mut rest = value;
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total_positive = false;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().map_err(|_| bad())?;
        total_positive |= number > 0.0;
        let unit_len = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| tail.starts_with(**u) && !(**u == "m" && tail.starts_with("ms")))
            .map(|u| u.len())
            .ok_or_else(bad)?;
        rest = &tail[unit_len..];
    }
    if total_positive { Ok(()) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["1m", "30s", "1h30m", "500ms", "1.5s"] {
            assert!(check_duration(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1", "m", "0s", "1d", "-1s", "1 m"] {
            assert!(check_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds() {
        let mut problems = Problems::default();
        let path = crate::FieldPath::root().field("scaling").field("hpa");
        validate_bounds((&path).into(), 3, 2, 1, &mut problems);
        validate_bounds((&path).into(), 0, 0, 1, &mut problems);
        let errors: Vec<String> = problems.messages();
        assert_eq!(
            errors,
            [
                "scaling.hpa.max: conflict: max (2) is below min (3)",
                "scaling.hpa.min: min must be at least 1, is 0",
                "scaling.hpa.max: max must be at least 1, is 0",
            ]
        );
    }
}
