//! Labels and annotations of the workload object and its pod template (`metadata:` and
//! `pod:` in YAML), and the image pull settings.

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, PathRef, Problems};
use crate::labels::AppLabels;
use crate::names::{check_label_key, check_label_value};

/// Extra labels and annotations, merged with the ones the suite sets.
///
/// `metadata:` applies to the workload object (Deployment, StatefulSet ...), `pod:` to its pod
/// template (Prometheus scrape hints, Reloader, Argo CD sync waves, Velero). A label that would
/// change a selector label (`app.kubernetes.io/name`, `app.kubernetes.io/instance`) is an error;
/// other labels of the suite (`app.kubernetes.io/version` ...) give way to the spec's.
///
/// ```
/// use k3score::workload::Metadata;
/// let pod: Metadata = serde_json::from_str(
///     r#"{"annotations": {"reloader.stakater.com/auto": "true"}, "labels": {"tier": "web"}}"#).unwrap();
/// assert_eq!(pod.labels["tier"], "web");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Metadata {
    /// Labels added to ours. Default: none. Example: `labels: {tier: web}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations. Default: none. Example: `annotations: {reloader.stakater.com/auto: "true"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Metadata {
    /// Whether neither labels nor annotations are set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.annotations.is_empty()
    }

    /// Records malformed keys and label values, and labels that would change a value of
    /// `app`'s selector, under `path` (`metadata.labels.tier`). Not
    /// [`Validate`](crate::Validate): the check needs the app's selector labels.
    pub fn validate(&self, path: PathRef<'_>, app: &AppLabels, problems: &mut Problems) {
        let labels = path.field("labels");
        check_labels(&self.labels, labels, app, problems);
        let annotations = path.field("annotations");
        for key in self.annotations.keys() {
            problems.check(annotations.field(key.as_str()), check_label_key(key));
        }
    }
}

/// Records malformed label keys or values and labels that would change a selector label.
pub(crate) fn check_labels(
    labels: &BTreeMap<String, String>,
    path: PathRef<'_>,
    app: &AppLabels,
    problems: &mut Problems,
) {
    for (key, value) in labels {
        let lpath = path.field(key.as_str());
        problems.check(lpath, check_label_key(key));
        problems.check(lpath, check_label_value(value));
        if let Some(ours) = app.selector_value(key).filter(|v| v != value) {
            problems.push(
                lpath,
                ErrorKind::Conflict(format!("{key} is a selector label and must stay {ours:?}")),
            );
        }
    }
}

/// When the kubelet pulls the image (`image_pull_policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImagePullPolicy {
    /// Pull on every container start.
    Always,
    /// Pull when the node does not have the image.
    IfNotPresent,
    /// Never pull: the image must be on the node.
    Never,
}

impl ImagePullPolicy {
    /// The Kubernetes spelling (`Always`, `IfNotPresent`, `Never`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ImagePullPolicy::Always => "Always",
            ImagePullPolicy::IfNotPresent => "IfNotPresent",
            ImagePullPolicy::Never => "Never",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_selector() {
        let meta: Metadata = serde_json::from_str(
            r#"{"labels": {"app.kubernetes.io/name": "other", "app.kubernetes.io/instance": "orders",
                "tier": "a b"}, "annotations": {"bad key/x/y": "1", "ok.io/x": "anything goes"}}"#,
        )
        .unwrap();
        let app = AppLabels::new("orders".parse().unwrap());
        let mut problems = Problems::default();
        meta.validate(PathRef::ROOT.field("pod"), &app, &mut problems);
        let errs: Vec<String> = problems.messages();
        assert_eq!(
            errs,
            [
                "pod.labels.app.kubernetes.io/name: conflict: app.kubernetes.io/name is a selector label and must stay \"orders\"",
                "pod.labels.tier: invalid label value \"a b\": must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
                "pod.annotations.bad key/x/y: invalid label key \"bad key/x/y\": prefix must be a DNS-1123 subdomain",
            ]
        );
        assert!(serde_json::from_str::<Metadata>(r#"{"label": {}}"#).is_err());
        assert_eq!(ImagePullPolicy::IfNotPresent.as_str(), "IfNotPresent");
        assert!(serde_json::from_str::<ImagePullPolicy>("\"if_not_present\"").is_ok());
    }
}
