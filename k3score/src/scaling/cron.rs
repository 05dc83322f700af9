//! `keda_cron`: fixed replica counts in time windows, through KEDA `cron` triggers.
//!
//! One `cron` trigger per window (REFERENCE §1d, KD6); outside every window the workload runs
//! `min` replicas. Expressions are 5-field Linux cron, checked by [`crate::cron`] and limited to
//! the syntax KEDA's parser (robfig/cron, standard fields) accepts: no seconds, no
//! `@descriptors`, no `L`/`W`/`#`.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::checks::validate_bounds;
use super::context::{ScalingContext, metadata_map};
use crate::crd::keda::v1alpha1::ScaleTriggers;
use crate::cron::{check_cron, check_timezone};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::object::Object;

/// The trigger type (KD6).
const TRIGGER_TYPE: &str = "cron";

/// Scheduled scaling: `replicas` between each window's `start` and `end`.
///
/// ```
/// use k3score::scaling::{Scaling, ScalingContext};
/// use k3score::{labels::AppLabels, Context, Target};
/// let scaling: Scaling = k3score::yaml::from_yaml(
///     "keda_cron: {timezone: Europe/Paris, windows: [{start: '0 8 * * 1-5', end: '0 20 * * 1-5', replicas: 4}]}").unwrap();
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let objects = scaling.render(&ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx)).unwrap();
/// let v = serde_json::to_value(&objects[0]).unwrap();
/// assert_eq!(v["spec"]["triggers"][0]["metadata"]["desiredReplicas"], "4");
/// assert_eq!(v["spec"]["maxReplicaCount"], 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct KedaCron {
    /// IANA time zone of the expressions (`Europe/Paris`, `UTC`). Required.
    pub timezone: String,
    /// The windows (at least one).
    pub windows: Vec<CronWindow>,
    /// Replicas outside every window. Default: 0.
    #[serde(default)]
    pub min: i32,
    /// Most replicas. Default: the largest `replicas` of the windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i32>,
}

/// One time window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CronWindow {
    /// When the window opens (5-field cron).
    pub start: String,
    /// When it closes (5-field cron, different from `start`).
    pub end: String,
    /// Replicas inside the window (at least 1).
    pub replicas: i32,
}

impl KedaCron {
    fn effective_max(&self) -> i32 {
        self.max
            .unwrap_or_else(|| self.windows.iter().map(|w| w.replicas).max().unwrap_or(1).max(1))
    }

    /// The ScaledObject with one `cron` trigger per window.
    #[must_use]
    pub fn render(&self, sctx: &ScalingContext<'_>) -> Vec<Object> {
        let triggers = self
            .windows
            .iter()
            .map(|w| ScaleTriggers {
                type_: TRIGGER_TYPE.to_owned(),
                metadata: metadata_map([
                    ("timezone", self.timezone.clone()),
                    ("start", w.start.clone()),
                    ("end", w.end.clone()),
                    ("desiredReplicas", w.replicas.to_string()),
                ]),
                ..Default::default()
            })
            .collect();
        vec![
            sctx.scaled_object(self.min, self.effective_max(), None, triggers)
                .into(),
        ]
    }
}

impl Validate for KedaCron {
    /// Checks the spec, recording every problem under `path` (e.g. `scaling.keda_cron`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        problems.check(path.field("timezone"), check_timezone(&self.timezone));
        if self.windows.is_empty() {
            problems.push(path.field("windows"), ErrorKind::Missing("at least one window".into()));
        }
        let max = self.effective_max();
        for (i, window) in self.windows.iter().enumerate() {
            let windows = path.field("windows");
            let path = windows.index(i);
            let start = problems.check(path.field("start"), check_cron(&window.start));
            let end = problems.check(path.field("end"), check_cron(&window.end));
            let same = window.start.split_whitespace().eq(window.end.split_whitespace());
            if start.is_some() && end.is_some() && same {
                problems.push(
                    path.field("end"),
                    ErrorKind::Conflict("end must differ from start".into()),
                );
            }
            if window.replicas < 1 {
                problems.push(
                    path.field("replicas"),
                    ErrorKind::Invalid(format!("must be at least 1, is {}", window.replicas)),
                );
            } else if window.replicas > max {
                problems.push(
                    path.field("replicas"),
                    ErrorKind::Conflict(format!("{} is above max ({max})", window.replicas)),
                );
            }
        }
        validate_bounds(path, self.min, max, 0, problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::from_yaml;

    fn errors(yaml: &str) -> Vec<String> {
        let cron: KedaCron = from_yaml(yaml).unwrap();
        cron.problems_at(PathRef::ROOT.field("scaling").field("keda_cron"))
            .messages()
    }

    #[test]
    fn cron_syntax() {
        for ok in [
            "0 8 * * 1-5",
            "*/15 * * * *",
            "0 0 1 JAN,JUL *",
            "30 6 * * MON-FRI",
            "0 0 ? * SUN",
        ] {
            assert!(check_cron(ok).is_ok(), "{ok}: {:?}", check_cron(ok));
        }
        for bad in [
            "0 8 * *",
            "0 0 8 * * 1",
            "@daily",
            "0 0 L * *",
            "0 0 * * 5#3",
            "61 * * * *",
            "0 25 * * *",
        ] {
            assert!(check_cron(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timezones() {
        for ok in [
            "UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert!(check_timezone(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Paris", "CET", "Europe/", "Mars/Olympus", "Europe/Par is"] {
            assert!(check_timezone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_have_paths() {
        assert_eq!(
            errors(
                "{timezone: Paris, max: 3, windows: [{start: '0 8 * * *', end: '0  8 * * *', replicas: 4}, \
                 {start: '0 8 * *', end: '0 9 * * *', replicas: 0}]}"
            ),
            [
                "scaling.keda_cron.timezone: invalid time zone \"Paris\": use an IANA name like Europe/Paris, America/New_York or UTC",
                "scaling.keda_cron.windows[0].end: conflict: end must differ from start",
                "scaling.keda_cron.windows[0].replicas: conflict: 4 is above max (3)",
                "scaling.keda_cron.windows[1].start: invalid cron expression \"0 8 * *\": needs 5 fields (minute hour day-of-month month day-of-week), has 4",
                "scaling.keda_cron.windows[1].replicas: must be at least 1, is 0",
            ]
        );
        assert_eq!(
            errors("{timezone: UTC, windows: []}"),
            ["scaling.keda_cron.windows: missing: at least one window"]
        );
        assert_eq!(
            errors("{timezone: UTC, min: 5, windows: [{start: '0 8 * * *', end: '0 9 * * *', replicas: 2}]}"),
            ["scaling.keda_cron.max: conflict: max (2) is below min (5)"]
        );
    }
}
