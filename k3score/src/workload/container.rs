//! Init containers and the pod restart policy.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names::DnsLabel;

/// A container that runs to completion before the main container starts (migrations,
/// downloads).
///
/// It shares the main container's env, env_from, volume mounts (including writable paths),
/// security context and resources (without GPUs), so a migration sees the same database
/// settings and volumes as the app.
///
/// ```
/// use k3score::workload::InitContainer;
/// let init: InitContainer = serde_json::from_str(
///     r#"{"name": "migrate", "image": "ghcr.io/acme/orders:1.4.2", "command": ["/app/migrate"]}"#).unwrap();
/// assert!(init.args.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct InitContainer {
    /// The container's name, unique in the pod.
    pub name: DnsLabel,
    /// The image reference.
    pub image: String,
    /// The entrypoint. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments to the entrypoint. Default: the image's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// The pod's restart policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RestartPolicy {
    /// Always restart (the only policy Deployments and StatefulSets accept).
    #[default]
    Always,
    /// Restart failed containers (Jobs).
    OnFailure,
    /// Never restart (Jobs).
    Never,
}

impl RestartPolicy {
    /// The Kubernetes spelling (`Always`, `OnFailure`, `Never`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "Always",
            RestartPolicy::OnFailure => "OnFailure",
            RestartPolicy::Never => "Never",
        }
    }
}

/// Records an empty image reference or one containing whitespace at `path`.
pub(crate) fn check_image(image: &str, path: PathRef<'_>, problems: &mut Problems) {
    if image.trim().is_empty() {
        problems.push(
            path,
            ErrorKind::Missing("an image reference like ghcr.io/acme/orders:1.4.2".into()),
        );
    } else if image.chars().any(char::is_whitespace) {
        problems.push(
            path,
            ErrorKind::Invalid(format!("image {image:?} must not contain whitespace")),
        );
    }
}

impl Validate for InitContainer {
    /// Records an empty or malformed image.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        check_image(&self.image, path.field("image"), problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_checks() {
        let mut problems = Problems::default();
        let init = InitContainer {
            name: "m".parse().unwrap(),
            image: " ".into(),
            command: vec![],
            args: vec![],
        };
        init.validate(PathRef::ROOT.field("init_containers").index(0), &mut problems);
        check_image("a b", PathRef::ROOT.field("image"), &mut problems);
        check_image("busybox:1.36", PathRef::ROOT.field("image"), &mut problems);
        let errs = problems.finish(()).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs.0[0].to_string().starts_with("init_containers[0].image: missing"));
        assert!(errs.0[1].to_string().starts_with("image: image \"a b\""));
        assert_eq!(RestartPolicy::OnFailure.as_str(), "OnFailure");
        assert!(serde_json::from_str::<RestartPolicy>("\"sometimes\"").is_err());
    }
}
