//! Volumes: scratch space, persistent claims, Secrets and ConfigMaps mounted into the container.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names::{DnsLabel, DnsSubdomain};
use crate::quantity::Bytes;
use crate::secrets::DataKey;

/// A volume mounted into the container. In YAML the source is one of the keys `empty_dir`,
/// `pvc`, `secret` or `config_map`, next to `name` and `mount_path`:
///
/// ```
/// use k3score::workload::{Volume, VolumeSource};
/// let v: Volume = serde_json::from_str(
///     r#"{"name": "data", "mount_path": "/data", "pvc": {"size": "10Gi"}}"#).unwrap();
/// assert!(matches!(v.source, VolumeSource::Pvc(_)));
/// let err = serde_json::from_str::<Volume>(
///     r#"{"name": "x", "mount_path": "/x", "empty_dir": {}, "pvc": {"size": "1Gi"}}"#).unwrap_err();
/// assert!(err.to_string().contains("got empty_dir and pvc"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(try_from = "VolumeSpec", into = "VolumeSpec")]
pub struct Volume {
    /// The volume's name (DNS-1123 label), unique in the workload.
    pub name: DnsLabel,
    /// Where it is mounted: an absolute path.
    pub mount_path: String,
    /// Mount read-only. Default: false.
    pub read_only: bool,
    /// Mount only this relative path of the volume. Default: the whole volume.
    pub sub_path: Option<String>,
    /// Where the data comes from.
    pub source: VolumeSource,
}

/// The source of a [`Volume`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeSource {
    /// Scratch space that lives as long as the pod.
    EmptyDir(EmptyDir),
    /// A PersistentVolumeClaim: an existing one, or one created for the workload.
    Pvc(Pvc),
    /// An existing Secret's keys as files.
    Secret(ObjectVolume),
    /// An existing ConfigMap's keys as files.
    ConfigMap(ObjectVolume),
}

/// `empty_dir`: scratch space.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct EmptyDir {
    /// Size limit (the pod is evicted above it). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Bytes>,
    /// Storage medium. Default: the node's disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Medium>,
}

/// Storage medium of an `empty_dir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// tmpfs in RAM; counts against the container's memory limit.
    Memory,
}

/// `pvc`: `{claim: NAME}` for an existing claim, or `{size: 10Gi}` for a claim created for the
/// workload (a PVC object, or a volume claim template for StatefulSets).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Pvc {
    /// An existing claim's name. Exclusive with `size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<DnsSubdomain>,
    /// Size of the claim to create. Exclusive with `claim`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Bytes>,
    /// Access mode of the created claim. Default: `read_write_once`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<AccessMode>,
    /// Storage class of the created claim. Default: the target's storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// Access mode of a created claim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    /// Read-write by pods on one node.
    #[default]
    #[serde(alias = "ReadWriteOnce")]
    ReadWriteOnce,
    /// Read-only by many nodes.
    #[serde(alias = "ReadOnlyMany")]
    ReadOnlyMany,
    /// Read-write by many nodes (needs a storage class that supports it).
    #[serde(alias = "ReadWriteMany")]
    ReadWriteMany,
    /// Read-write by a single pod.
    #[serde(alias = "ReadWriteOncePod")]
    ReadWriteOncePod,
}

impl AccessMode {
    /// The Kubernetes spelling (`ReadWriteOnce`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
            AccessMode::ReadWriteMany => "ReadWriteMany",
            AccessMode::ReadWriteOncePod => "ReadWriteOncePod",
        }
    }
}

/// `secret` / `config_map`: an existing object's keys as files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ObjectVolume {
    /// The Secret's or ConfigMap's name.
    pub name: DnsSubdomain,
    /// Only these keys, at these paths. Default: every key, as a file named after it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyPath>,
}

/// One key of a Secret or ConfigMap volume and the relative file path it appears at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct KeyPath {
    /// The key.
    pub key: DataKey,
    /// The relative file path.
    pub path: String,
}

/// The YAML shape of a [`Volume`]: the source is one of four optional keys.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct VolumeSpec {
    /// The volume's name (DNS-1123 label), unique in the workload.
    name: DnsLabel,
    /// Where it is mounted: an absolute path.
    mount_path: String,
    /// Mount read-only. Default: false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    read_only: bool,
    /// Mount only this relative path of the volume. Default: the whole volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub_path: Option<String>,
    /// Scratch space. Exactly one of empty_dir, pvc, secret, config_map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_dir: Option<EmptyDir>,
    /// A persistent volume claim. Exactly one of empty_dir, pvc, secret, config_map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pvc: Option<Pvc>,
    /// A Secret's keys as files. Exactly one of empty_dir, pvc, secret, config_map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<ObjectVolume>,
    /// A ConfigMap's keys as files. Exactly one of empty_dir, pvc, secret, config_map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    config_map: Option<ObjectVolume>,
}

/// `Ok` with the only `Some` among `options`, else an error naming what was set.
pub(crate) fn exactly_one<T>(what: &str, options: Vec<(&str, Option<T>)>) -> Result<T, String> {
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let mut set: Vec<(&str, T)> = options.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))).collect();
    match set.len() {
        1 => Ok(set.remove(0).1),
        0 => Err(format!("{what} needs exactly one of {} (got none)", names.join(", "))),
        _ => {
            let got: Vec<&str> = set.iter().map(|(n, _)| *n).collect();
            Err(format!(
                "{what} needs exactly one of {} (got {})",
                names.join(", "),
                got.join(" and ")
            ))
        }
    }
}

impl TryFrom<VolumeSpec> for Volume {
    type Error = String;
    fn try_from(spec: VolumeSpec) -> Result<Self, String> {
        let source = exactly_one(
            &format!("volume {:?}", spec.name.as_str()),
            vec![
                ("empty_dir", spec.empty_dir.map(VolumeSource::EmptyDir)),
                ("pvc", spec.pvc.map(VolumeSource::Pvc)),
                ("secret", spec.secret.map(VolumeSource::Secret)),
                ("config_map", spec.config_map.map(VolumeSource::ConfigMap)),
            ],
        )?;
        Ok(Volume {
            name: spec.name,
            mount_path: spec.mount_path,
            read_only: spec.read_only,
            sub_path: spec.sub_path,
            source,
        })
    }
}

impl From<Volume> for VolumeSpec {
    fn from(v: Volume) -> Self {
        let mut spec = VolumeSpec {
            name: v.name,
            mount_path: v.mount_path,
            read_only: v.read_only,
            sub_path: v.sub_path,
            empty_dir: None,
            pvc: None,
            secret: None,
            config_map: None,
        };
        match v.source {
            VolumeSource::EmptyDir(e) => spec.empty_dir = Some(e),
            VolumeSource::Pvc(p) => spec.pvc = Some(p),
            VolumeSource::Secret(s) => spec.secret = Some(s),
            VolumeSource::ConfigMap(c) => spec.config_map = Some(c),
        }
        spec
    }
}

/// Checks that `path` is an absolute path without `..` segments.
pub(crate) fn check_absolute(path: &str) -> Result<(), ErrorKind> {
    if !path.starts_with('/') {
        return Err(ErrorKind::Invalid(format!("{path:?} must be an absolute path")));
    }
    check_no_dotdot(path)
}

/// Checks that `path` is a non-empty relative path without `..` segments.
pub(crate) fn check_relative(path: &str) -> Result<(), ErrorKind> {
    if path.is_empty() || path.starts_with('/') {
        return Err(ErrorKind::Invalid(format!(
            "{path:?} must be a non-empty relative path"
        )));
    }
    check_no_dotdot(path)
}

fn check_no_dotdot(path: &str) -> Result<(), ErrorKind> {
    if path.split('/').any(|s| s == "..") {
        return Err(ErrorKind::Invalid(format!("{path:?} must not contain '..'")));
    }
    Ok(())
}

impl Volume {
    /// A volume of `source` named `name` mounted read-write at `mount_path`.
    #[must_use]
    pub fn new(name: DnsLabel, mount_path: impl Into<String>, source: VolumeSource) -> Self {
        Self {
            name,
            mount_path: mount_path.into(),
            read_only: false,
            sub_path: None,
            source,
        }
    }
}

impl Validate for Volume {
    /// Records a relative mount path, a `..` in `sub_path`, and source problems.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        problems.check(path.field("mount_path"), check_absolute(&self.mount_path));
        if let Some(sub) = &self.sub_path {
            problems.check(path.field("sub_path"), check_relative(sub));
        }
        match &self.source {
            VolumeSource::EmptyDir(_) => {}
            VolumeSource::Pvc(pvc) => pvc.validate(path.field("pvc"), problems),
            VolumeSource::Secret(o) => o.validate(path.field("secret"), problems),
            VolumeSource::ConfigMap(o) => o.validate(path.field("config_map"), problems),
        }
    }
}

impl Validate for Pvc {
    /// Records a claim that is both existing and created, or neither, and creation settings
    /// on an existing claim.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match (&self.claim, &self.size) {
            (Some(_), Some(_)) => problems.push(
                path.field("size"),
                ErrorKind::Conflict("set claim (an existing claim) or size (a new claim), not both".into()),
            ),
            (None, None) => problems.push(
                path,
                ErrorKind::Missing("claim (an existing claim) or size (a new claim)".into()),
            ),
            (Some(_), None) => {
                for (field, set) in [
                    ("access_mode", self.access_mode.is_some()),
                    ("storage_class", self.storage_class.is_some()),
                ] {
                    if set {
                        problems.push(
                            path.field(field),
                            ErrorKind::Conflict(format!(
                                "{field} applies to created claims only, not to an existing claim"
                            )),
                        );
                    }
                }
            }
            (None, Some(size)) => {
                if size.as_bytes() == 0 {
                    problems.push(path.field("size"), ErrorKind::Invalid("must be greater than 0".into()));
                }
                if let Some(class) = &self.storage_class {
                    problems.check(
                        path.field("storage_class"),
                        crate::names::check_dns1123_subdomain(class),
                    );
                }
            }
        }
    }
}

impl Validate for ObjectVolume {
    /// Records item paths that are absolute or contain `..`.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        for (i, item) in self.items.iter().enumerate() {
            problems.check(path.field("items").index(i).field("path"), check_relative(&item.path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(v: &Volume) -> Vec<String> {
        v.problems_at(PathRef::ROOT.field("volumes").index(0)).messages()
    }

    #[test]
    fn every_source_round_trips() {
        for text in [
            r#"{"name":"cache","mount_path":"/cache","empty_dir":{"size":"1Gi","medium":"memory"}}"#,
            r#"{"name":"data","mount_path":"/data","pvc":{"size":"10Gi","access_mode":"read_write_many"}}"#,
            r#"{"name":"shared","mount_path":"/shared","pvc":{"claim":"existing-claim"}}"#,
            r#"{"name":"tls","mount_path":"/tls","read_only":true,"secret":{"name":"orders-tls"}}"#,
            r#"{"name":"conf","mount_path":"/etc/o","sub_path":"a","config_map":{"name":"c","items":[{"key":"k","path":"p/k"}]}}"#,
        ] {
            let v: Volume = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), text);
            assert!(errors(&v).is_empty(), "{text}");
        }
        let k8s_spelling: Pvc = serde_json::from_str(r#"{"size": "1Gi", "access_mode": "ReadWriteOncePod"}"#).unwrap();
        assert_eq!(k8s_spelling.access_mode.unwrap().as_str(), "ReadWriteOncePod");
    }

    #[test]
    fn zero_or_two_sources_are_clear_errors() {
        let none = serde_json::from_str::<Volume>(r#"{"name": "x", "mount_path": "/x"}"#).unwrap_err();
        assert!(
            none.to_string()
                .starts_with("volume \"x\" needs exactly one of empty_dir, pvc, secret, config_map (got none)"),
            "{none}"
        );
        let unknown =
            serde_json::from_str::<Volume>(r#"{"name": "x", "mount_path": "/x", "host_path": "/"}"#).unwrap_err();
        assert!(unknown.to_string().contains("host_path"), "{unknown}");
    }

    #[test]
    fn validation_paths() {
        let mut v: Volume = serde_json::from_str(
            r#"{"name": "x", "mount_path": "data", "sub_path": "../etc", "pvc": {"claim": "c", "size": "1Gi"}}"#,
        )
        .unwrap();
        assert_eq!(
            errors(&v),
            [
                "volumes[0].mount_path: \"data\" must be an absolute path",
                "volumes[0].sub_path: \"../etc\" must not contain '..'",
                "volumes[0].pvc.size: conflict: set claim (an existing claim) or size (a new claim), not both",
            ]
        );
        v.mount_path = "/data".into();
        v.sub_path = None;
        v.source = VolumeSource::Pvc(Pvc {
            claim: Some("c".parse().unwrap()),
            storage_class: Some("fast".into()),
            ..Default::default()
        });
        assert_eq!(
            errors(&v),
            [
                "volumes[0].pvc.storage_class: conflict: storage_class applies to created claims only, not to an existing claim"
            ]
        );
        v.source = VolumeSource::Pvc(Pvc::default());
        assert!(errors(&v)[0].starts_with("volumes[0].pvc: missing"));
        v.source = VolumeSource::Secret(ObjectVolume {
            name: "s".parse().unwrap(),
            items: vec![KeyPath {
                key: "k".parse().unwrap(),
                path: "/abs".into(),
            }],
        });
        assert!(errors(&v)[0].starts_with("volumes[0].secret.items[0].path: "));
    }
}
