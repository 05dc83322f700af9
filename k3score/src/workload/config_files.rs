//! Configuration files (`config_files:`): one ConfigMap per workload, mounted file by file.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{ConfigMap, ConfigMapVolumeSource, Volume as K8sVolume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::volume::check_absolute;
use crate::error::{ErrorKind, PathRef, Problems};

/// The pod volume that holds the config files.
pub const CONFIG_FILES_VOLUME: &str = "config-files";
/// The pod annotation holding the SHA-256 of the config files, so pods roll when they change.
pub const CHECKSUM_ANNOTATION: &str = "checksum/config";
/// The most a ConfigMap holds (the API server's limit, 1 MiB).
pub const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// A file in the container, with its content inline or read from a file next to the spec.
///
/// ```yaml
/// config_files:
///   - {path: /etc/app/config.yaml, content: "level: info\n"}
///   - {path: /etc/app/rules.json, from: ./rules.json}   # relative to the spec file; k3sgen reads it
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ConfigFile {
    /// Where the file appears in the container (absolute, read-only). Example:
    /// `path: /etc/app/config.yaml`.
    pub path: String,
    /// The file's content. Exactly one of content, from. Example: `content: "level: info"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A file to read the content from, relative to the spec file (`k3sgen` reads it; the
    /// Rust API takes `content`). Exactly one of content, from. Example: `from: ./config.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// The ConfigMap data key of a file path: the path without its leading `/`, other characters
/// than letters, digits, `-`, `_` and `.` as `-` (`/etc/app/config.yaml` ->
/// `etc-app-config.yaml`).
#[must_use]
pub fn config_key(path: &str) -> String {
    path.trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl ConfigFile {
    /// A file with inline content.
    #[must_use]
    pub fn new(path: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            content: Some(content.into()),
            from: None,
        }
    }
}

/// Records relative or repeated paths, keys that collide, a file with both or neither of
/// `content` and `from`, a name clash with the app's volumes and data above [`MAX_CONFIG_BYTES`], under `path`
/// (`config_files[1].from`).
pub(crate) fn validate(files: &[ConfigFile], volumes: &BTreeSet<&str>, path: PathRef<'_>, problems: &mut Problems) {
    let mut paths = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let mut total = 0;
    for (i, file) in files.iter().enumerate() {
        let fpath = path.index(i);
        if problems
            .check(fpath.field("path"), check_absolute(&file.path))
            .is_some()
        {
            let key = config_key(&file.path);
            if file.path.ends_with('/') || key.is_empty() {
                problems.push(
                    fpath.field("path"),
                    ErrorKind::Invalid("must name a file, not a folder".into()),
                );
            } else if !paths.insert(file.path.as_str()) {
                problems.push(
                    fpath.field("path"),
                    ErrorKind::Duplicate {
                        what: "config file",
                        name: file.path.clone(),
                    },
                );
            } else if key.len() > 253 || !keys.insert(key.clone()) {
                problems.push(
                    fpath.field("path"),
                    ErrorKind::Conflict(format!(
                        "its ConfigMap key {key:?} is too long or taken by another file; rename the file"
                    )),
                );
            }
        }
        match (&file.content, &file.from) {
            (Some(content), None) => total += content.len(),
            (None, None) => problems.push(fpath, ErrorKind::Missing("content or from".into())),
            (Some(_), Some(_)) => problems.push(
                fpath.field("from"),
                ErrorKind::Conflict("a config file has content or from, not both".into()),
            ),
            // Read by k3sgen before rendering; `check_read` reports it if nobody did.
            (None, Some(_)) => {}
        }
    }
    if !files.is_empty() && volumes.contains(CONFIG_FILES_VOLUME) {
        problems.push(
            path,
            ErrorKind::Conflict(format!(
                "the config files use the volume name {CONFIG_FILES_VOLUME:?}, which a volume already has"
            )),
        );
    }
    if total > MAX_CONFIG_BYTES {
        problems.push(
            path,
            ErrorKind::Invalid(format!(
                "the config files hold {total} bytes; a ConfigMap holds at most {MAX_CONFIG_BYTES}"
            )),
        );
    }
}

/// Records each `from` nobody read (the library does not read files; k3sgen replaces `from`
/// by the file's `content` before rendering).
pub(crate) fn check_read(files: &[ConfigFile], path: PathRef<'_>, problems: &mut Problems) {
    for (i, file) in files.iter().enumerate() {
        if let (None, Some(from)) = (&file.content, &file.from) {
            problems.push(
                path.index(i).field("from"),
                ErrorKind::Invalid(format!(
                    "{from:?} was not read: k3sgen reads files next to the spec; in Rust, set content"
                )),
            );
        }
    }
}

/// The config files rendered: the ConfigMap, its pod volume, the mounts and the checksum.
#[derive(Debug)]
pub(crate) struct RenderedFiles {
    pub(crate) config_map: ConfigMap,
    pub(crate) volume: K8sVolume,
    pub(crate) mounts: Vec<VolumeMount>,
    pub(crate) checksum: String,
}

/// The SHA-256 (hex) of `data`: each key and value in key order, each followed by a NUL byte.
#[must_use]
pub fn checksum(data: &BTreeMap<String, String>) -> String {
    let mut hash = Sha256::new();
    for (key, value) in data {
        hash.update(key.as_bytes());
        hash.update([0]);
        hash.update(value.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().fold(String::with_capacity(64), |mut out, b| {
        use std::fmt::Write;
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Renders `files` (validated, at least one: callers without files build nothing, not
/// even the name and labels) into a ConfigMap named `name`.
pub(crate) fn render(
    files: &[ConfigFile],
    name: String,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
) -> RenderedFiles {
    let data: BTreeMap<String, String> = files
        .iter()
        .map(|f| (config_key(&f.path), f.content.clone().unwrap_or_default()))
        .collect();
    let mounts = files
        .iter()
        .map(|f| VolumeMount {
            name: CONFIG_FILES_VOLUME.to_owned(),
            mount_path: f.path.clone(),
            sub_path: Some(config_key(&f.path)),
            read_only: Some(true),
            ..Default::default()
        })
        .collect();
    let checksum = checksum(&data);
    RenderedFiles {
        volume: K8sVolume {
            name: CONFIG_FILES_VOLUME.to_owned(),
            config_map: Some(ConfigMapVolumeSource {
                name: name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        config_map: ConfigMap {
            metadata: ObjectMeta {
                name: Some(name),
                namespace,
                labels: Some(labels),
                ..Default::default()
            },
            data: Some(data),
            ..Default::default()
        },
        mounts,
        checksum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(files: &[ConfigFile], volumes: &[&str]) -> Vec<String> {
        let mut problems = Problems::default();
        let volumes = volumes.iter().copied().collect();
        validate(files, &volumes, PathRef::ROOT.field("config_files"), &mut problems);
        problems.messages()
    }

    #[test]
    fn keys_and_checksum() {
        assert_eq!(config_key("/etc/app/config.yaml"), "etc-app-config.yaml");
        assert_eq!(config_key("/etc/my app/x+y"), "etc-my-app-x-y");
        let data = BTreeMap::from([("a".to_owned(), "b".to_owned())]);
        // printf 'a\0b\0' | sha256sum
        assert_eq!(
            checksum(&data),
            "8fb20ef63ced4145fc2e983ffe597d1dcff39154c3bf21f0fa9dde6a0c50fdc9"
        );
        assert_ne!(checksum(&data), checksum(&BTreeMap::new()));
        let files = [ConfigFile::new("/etc/app/config.yaml", "level: info\n")];
        let r = render(&files, "web-config-files".into(), None, BTreeMap::new());
        assert_eq!(r.mounts[0].sub_path.as_deref(), Some("etc-app-config.yaml"));
        assert_eq!(r.volume.config_map.unwrap().name, "web-config-files");
        assert_eq!(r.checksum.len(), 64);
    }

    #[test]
    fn error_cases() {
        let from = ConfigFile {
            path: "/etc/b".into(),
            content: None,
            from: Some("./b".into()),
        };
        let files = [
            ConfigFile::new("etc/a", ""),
            ConfigFile::new("/etc/x/", ""),
            ConfigFile::new("/etc/a-b", ""),
            ConfigFile::new("/etc/a/b", ""),
            ConfigFile::new("/etc/a-b", ""),
            from,
            ConfigFile {
                path: "/etc/c".into(),
                content: None,
                from: None,
            },
        ];
        assert_eq!(
            errors(&files, &["config-files"]),
            [
                "config_files[0].path: \"etc/a\" must be an absolute path",
                "config_files[1].path: must name a file, not a folder",
                "config_files[3].path: conflict: its ConfigMap key \"etc-a-b\" is too long or taken by another file; rename the file",
                "config_files[4].path: duplicate config file \"/etc/a-b\"",
                "config_files[6]: missing: content or from",
                "config_files: conflict: the config files use the volume name \"config-files\", which a volume already has",
            ]
        );
        let mut problems = Problems::default();
        check_read(&files, PathRef::ROOT.field("config_files"), &mut problems);
        assert_eq!(
            problems.finish(()).unwrap_err().to_string(),
            "config_files[5].from: \"./b\" was not read: k3sgen reads files next to the spec; in Rust, set content"
        );
        let big = [ConfigFile::new("/big", "x".repeat(MAX_CONFIG_BYTES + 1))];
        assert_eq!(errors(&big, &[]).len(), 1);
    }
}
