//! Volumes, tmpfs, secrets, configs and env files of a service: App volumes and env_from, plus
//! the ConfigMaps, PVCs and Secrets they need.

use std::collections::BTreeMap;

use k3score::names::DnsLabel;
use k3score::quantity::Bytes;
use k3score::secrets::{DataKey, VALUE_KEY};
use k3score::workload::{AccessMode, EmptyDir, EnvFrom, KeyPath, Medium, ObjectVolume, Pvc, Volume, VolumeSource};
use k3score::{ErrorKind, FieldPath};

use super::ServiceCx;
use super::{ClaimSpec, ConfigMapSpec, DEFAULT_VOLUME_SIZE, MAX_CONFIG_BYTES, SecretSpec, prefixed, subdomain};
use crate::load::join;
use crate::model::{FileRef, MountType, Service, TopFile, VolumeMount};
use crate::project::MAIN_FILE;
use crate::scalars::{byte_size, dns_name};

/// Where compose mounts service secrets (`/run/secrets/<target>`).
pub const SECRETS_DIR: &str = "/run/secrets";

/// The volumes and env sources collected for one service.
#[derive(Default)]
pub(super) struct Mounts {
    pub(super) volumes: Vec<Volume>,
    pub(super) env_from: Vec<EnvFrom>,
}

/// A data key from a file name (`nginx.conf`; other characters become `_`).
fn data_key(name: &str) -> DataKey {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    DataKey::new(if cleaned.is_empty() { "file" } else { cleaned })
        .unwrap_or_else(|_| DataKey::new("file").unwrap_or_else(|_| unreachable!()))
}

fn basename(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or(path)
}

fn mount(name: DnsLabel, target: &str, read_only: bool, sub_path: Option<String>, source: VolumeSource) -> Volume {
    Volume {
        read_only,
        sub_path,
        ..Volume::new(name, target, source)
    }
}

impl ServiceCx<'_> {
    fn project_dir(&self) -> &str {
        crate::load::dir_of(self.project.sources.first().map_or(MAIN_FILE, String::as_str))
    }

    pub(super) fn volumes(&mut self, s: &Service, out: &mut Mounts) {
        let labelled = self.kompose_claim(s);
        for (i, v) in s.volumes.iter().enumerate() {
            let path = self.path.field("volumes").index(i);
            for option in &v.ignored {
                self.warn(path.clone(), format!("option {option:?} is not translated"));
            }
            if !v.target.starts_with('/') {
                self.error(
                    path.clone(),
                    ErrorKind::Invalid(format!("target {:?} must be an absolute path", v.target)),
                );
                continue;
            }
            match v.kind {
                MountType::Volume => self.named_volume(v, i, &path, out, &labelled),
                MountType::Bind => self.bind(v, i, &path, out),
                MountType::Tmpfs => {
                    let size = v.tmpfs_size.as_deref().and_then(|t| {
                        byte_size(t)
                            .map_err(|e| self.error(path.field("tmpfs").field("size"), ErrorKind::Invalid(e)))
                            .ok()
                    });
                    out.volumes
                        .push(memory_volume(prefixed("tmpfs", &i.to_string()), &v.target, size));
                }
                MountType::Npipe | MountType::Cluster | MountType::Image => {
                    self.warn(
                        path,
                        format!("not supported: volume type {:?}; the mount is left out", v.kind),
                    );
                }
            }
        }
    }

    /// `labelled`: size and class from Kompose's labels, used when the volume's `x-k3s` has none.
    fn named_volume(
        &mut self,
        v: &VolumeMount,
        i: usize,
        path: &FieldPath,
        out: &mut Mounts,
        labelled: &(Option<Bytes>, Option<String>),
    ) {
        let Some(source) = &v.source else {
            // An anonymous volume lives as long as the container: an emptyDir.
            out.volumes.push(mount(
                prefixed("anon", &i.to_string()),
                &v.target,
                v.read_only,
                None,
                VolumeSource::EmptyDir(EmptyDir::default()),
            ));
            return;
        };
        let Some(top) = self.project.file.volumes.get(source) else {
            self.error(
                path.clone(),
                ErrorKind::Missing(format!("volume {source:?} under the top-level volumes key")),
            );
            return;
        };
        let top = top.as_ref();
        let claim = subdomain(top.and_then(|t| t.name.as_deref()).unwrap_or(source));
        let external = top.and_then(|t| t.external.as_ref()).is_some_and(|e| e.set);
        if external {
            self.warn(
                path.clone(),
                format!(
                    "external volume: the claim {:?} must exist in the namespace",
                    claim.as_str()
                ),
            );
        } else {
            let ext = top.and_then(|t| t.k3s.as_ref());
            self.out.claims.entry(claim.to_string()).or_insert_with(|| ClaimSpec {
                name: claim.clone(),
                size: ext.and_then(|e| e.size).or(labelled.0).unwrap_or(DEFAULT_VOLUME_SIZE),
                access_mode: ext.and_then(|e| e.access_mode).unwrap_or(AccessMode::ReadWriteOnce),
                storage_class: ext.and_then(|e| e.storage_class.clone()).or_else(|| labelled.1.clone()),
            });
            self.claims_used.push(claim.to_string());
        }
        out.volumes.push(mount(
            crate::scalars::dns_label(source),
            &v.target,
            v.read_only,
            v.subpath.clone(),
            VolumeSource::Pvc(Pvc {
                claim: Some(claim),
                ..Pvc::default()
            }),
        ));
    }

    /// A project file → a ConfigMap key mounted with subPath; a project directory → a
    /// ConfigMap with every file under it; a directory without files → a new PVC (as Kompose
    /// does); host paths → a warning.
    fn bind(&mut self, v: &VolumeMount, i: usize, path: &FieldPath, out: &mut Mounts) {
        let Some(source) = &v.source else { return };
        if source.starts_with('/') || source.starts_with('~') {
            self.warn(
                path.clone(),
                format!("not supported: host path {source:?} is not portable to a cluster; the mount is left out"),
            );
            return;
        }
        let rel = join(self.project_dir(), source);
        let name = prefixed("file", &rel);
        let files = &self.project.files;
        if let Some(content) = files.get(&rel) {
            if content.len() > MAX_CONFIG_BYTES {
                self.error(
                    path.clone(),
                    ErrorKind::Invalid(format!("{rel:?} is larger than 1 MiB, the ConfigMap limit")),
                );
                return;
            }
            let key = data_key(basename(&rel));
            self.config_map(&name, BTreeMap::from([(key.to_string(), content.clone())]));
            self.writable_warning(v, path);
            out.volumes.push(mount(
                prefixed("bind", &i.to_string()),
                &v.target,
                true,
                Some(key.to_string()),
                VolumeSource::ConfigMap(ObjectVolume {
                    name: subdomain(name.as_str()),
                    items: vec![KeyPath {
                        key: key.clone(),
                        path: key.to_string(),
                    }],
                }),
            ));
            return;
        }
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let under: Vec<(&String, &String)> = files
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix) && p.as_str() != MAIN_FILE && !self.project.sources.contains(*p))
            .collect();
        if under.is_empty() {
            let claim = subdomain(&format!("bind-{}", dns_name(&rel, 200)));
            self.warn(
                path.clone(),
                format!("no project files under {rel:?}: mounted as a new empty claim {claim:?}, as Kompose does"),
            );
            self.out.claims.entry(claim.to_string()).or_insert_with(|| ClaimSpec {
                name: claim.clone(),
                size: DEFAULT_VOLUME_SIZE,
                access_mode: AccessMode::ReadWriteOnce,
                storage_class: None,
            });
            self.claims_used.push(claim.to_string());
            out.volumes.push(mount(
                prefixed("bind", &i.to_string()),
                &v.target,
                v.read_only,
                None,
                VolumeSource::Pvc(Pvc {
                    claim: Some(claim),
                    ..Pvc::default()
                }),
            ));
            return;
        }
        let total: usize = under.iter().map(|(_, c)| c.len()).sum();
        if total > MAX_CONFIG_BYTES {
            self.error(
                path.clone(),
                ErrorKind::Invalid(format!(
                    "the files under {rel:?} hold {total} bytes, more than the 1 MiB a ConfigMap holds"
                )),
            );
            return;
        }
        let mut data = BTreeMap::new();
        let mut items = Vec::new();
        for (file, content) in under {
            let relative = &file[prefix.len()..];
            let key = data_key(&relative.replace('/', "_"));
            data.insert(key.to_string(), content.clone());
            items.push(KeyPath {
                key,
                path: relative.to_owned(),
            });
        }
        self.config_map(&name, data);
        self.writable_warning(v, path);
        out.volumes.push(mount(
            prefixed("bind", &i.to_string()),
            &v.target,
            true,
            None,
            VolumeSource::ConfigMap(ObjectVolume {
                name: subdomain(name.as_str()),
                items,
            }),
        ));
    }

    fn writable_warning(&mut self, v: &VolumeMount, path: &FieldPath) {
        if !v.read_only {
            self.warn(path.clone(), "mounted read-only from a ConfigMap: writes to it fail");
        }
    }

    fn config_map(&mut self, name: &DnsLabel, data: BTreeMap<String, String>) {
        self.out.config_maps.insert(
            name.to_string(),
            ConfigMapSpec {
                name: subdomain(name.as_str()),
                data,
            },
        );
    }

    pub(super) fn tmpfs(&mut self, s: &Service, out: &mut Mounts) {
        let Some(list) = &s.tmpfs else { return };
        for (i, entry) in list.as_slice().iter().enumerate() {
            let path = self.path.field("tmpfs").index(i);
            let (target, options) = entry.split_once(':').unwrap_or((entry, ""));
            let mut size = None;
            for option in options.split(',').filter(|o| !o.is_empty()) {
                match option.split_once('=') {
                    Some(("size", value)) => {
                        size = byte_size(value)
                            .map_err(|e| self.error(path.clone(), ErrorKind::Invalid(e)))
                            .ok();
                    }
                    _ => self.warn(path.clone(), format!("option {option:?} is not translated")),
                }
            }
            if !target.starts_with('/') {
                self.error(path, ErrorKind::Invalid(format!("{target:?} must be an absolute path")));
                continue;
            }
            out.volumes
                .push(memory_volume(prefixed("tmp", &i.to_string()), target, size));
        }
    }

    pub(super) fn secrets(&mut self, s: &Service, out: &mut Mounts) {
        for (i, r) in s.secrets.iter().enumerate() {
            let path = self.path.field("secrets").index(i);
            self.ignored_file_options(r, &path);
            let Some(top) = self.project.file.secrets.get(&r.source) else {
                self.error(
                    path,
                    ErrorKind::Missing(format!("secret {:?} under the top-level secrets key", r.source)),
                );
                continue;
            };
            let name = subdomain(top.name.as_deref().unwrap_or(&r.source));
            let top_path = FieldPath::root().field("secrets").field(r.source.clone());
            let value = self.file_value(top, &top_path, false);
            self.out.secrets.entry(name.to_string()).or_insert_with(|| SecretSpec {
                name: name.clone(),
                value: value.flatten(),
                path: top_path,
            });
            let target = r.target.clone().unwrap_or_else(|| r.source.clone());
            let target = if target.starts_with('/') {
                target
            } else {
                format!("{SECRETS_DIR}/{target}")
            };
            let file = data_key(basename(&target));
            out.volumes.push(mount(
                prefixed("secret", &i.to_string()),
                &target,
                true,
                Some(file.to_string()),
                VolumeSource::Secret(ObjectVolume {
                    name,
                    items: vec![KeyPath {
                        key: DataKey::new(VALUE_KEY).unwrap_or_else(|_| unreachable!()),
                        path: file.to_string(),
                    }],
                }),
            ));
        }
    }

    pub(super) fn configs(&mut self, s: &Service, out: &mut Mounts) {
        for (i, r) in s.configs.iter().enumerate() {
            let path = self.path.field("configs").index(i);
            self.ignored_file_options(r, &path);
            let Some(top) = self.project.file.configs.get(&r.source) else {
                self.error(
                    path,
                    ErrorKind::Missing(format!("config {:?} under the top-level configs key", r.source)),
                );
                continue;
            };
            let name = subdomain(top.name.as_deref().unwrap_or(&r.source));
            let top_path = FieldPath::root().field("configs").field(r.source.clone());
            let target = r.target.clone().unwrap_or_else(|| r.source.clone());
            let target = if target.starts_with('/') {
                target
            } else {
                format!("/{target}")
            };
            let key = data_key(basename(&target));
            match self.file_value(top, &top_path, true) {
                Some(Some(content)) => {
                    if content.len() > MAX_CONFIG_BYTES {
                        self.error(
                            top_path,
                            ErrorKind::Invalid("larger than 1 MiB, the ConfigMap limit".into()),
                        );
                        continue;
                    }
                    let cm = prefixed("config", name.as_str());
                    let entry = self
                        .out
                        .config_maps
                        .entry(cm.to_string())
                        .or_insert_with(|| ConfigMapSpec {
                            name: subdomain(cm.as_str()),
                            data: BTreeMap::new(),
                        });
                    entry.data.insert(key.to_string(), content);
                    out.volumes
                        .push(config_mount(i, &target, subdomain(cm.as_str()), &key, &key));
                }
                Some(None) => {
                    // External: an existing ConfigMap with the config's name; its key is the file name.
                    out.volumes.push(config_mount(i, &target, name, &key, &key));
                }
                None => {}
            }
        }
    }

    fn ignored_file_options(&mut self, r: &FileRef, path: &FieldPath) {
        for key in &r.ignored {
            self.warn(
                path.field(key.clone()),
                "not supported: files are mounted with the pod's user and mode 0644",
            );
        }
    }

    /// The content of a secret or config: `Some(Some(text))` from `file`, `content` or
    /// `environment`; `Some(None)` for `external`; `None` after recording an error.
    fn file_value(&mut self, top: &TopFile, path: &FieldPath, allow_content: bool) -> Option<Option<String>> {
        if top.external.as_ref().is_some_and(|e| e.set) {
            self.warn(
                path.clone(),
                "external: must exist in the namespace (or in the secret store)",
            );
            return Some(None);
        }
        if let Some(file) = &top.file {
            let rel = join(self.project_dir(), file);
            return match self.project.files.get(&rel) {
                Some(text) => Some(Some(text.clone())),
                None => {
                    self.error(
                        path.field("file"),
                        ErrorKind::Missing(format!("{rel:?} among the project files")),
                    );
                    None
                }
            };
        }
        if let Some(var) = &top.environment {
            return match self.project.vars.get(var) {
                Some(value) => Some(Some(value.clone())),
                None => {
                    self.error(path.field("environment"), ErrorKind::UndefinedVariable(var.clone()));
                    None
                }
            };
        }
        if allow_content && let Some(content) = &top.content {
            return Some(Some(content.clone()));
        }
        self.error(
            path.clone(),
            ErrorKind::Missing(
                if allow_content {
                    "file, content, environment or external"
                } else {
                    "file, environment or external"
                }
                .into(),
            ),
        );
        None
    }

    /// Each env file becomes a ConfigMap (shared by the services that read it) and an
    /// `envFrom` entry, as Kompose does (REFERENCE §14, C4).
    pub(super) fn env_files(&mut self, s: &Service, out: &mut Mounts) {
        let Some(list) = &s.env_file else { return };
        for (i, f) in list.as_slice().iter().enumerate() {
            let path = self.path.field("env_file").index(i);
            let rel = join(self.project_dir(), &f.path);
            let Some(text) = self.project.files.get(&rel) else {
                if f.required {
                    self.error(path, ErrorKind::Missing(format!("{rel:?} among the project files")));
                } else {
                    self.warn(
                        path,
                        format!("{rel:?} is not among the project files (required: false): skipped"),
                    );
                }
                continue;
            };
            let values = match k3score::dotenv::parse(text) {
                Ok(values) => values,
                Err(errors) => {
                    self.problems.extend(errors.under(&path));
                    continue;
                }
            };
            let name = prefixed("env", &rel);
            self.config_map(&name, values);
            out.env_from.push(EnvFrom::ConfigMap(subdomain(name.as_str())));
        }
    }
}

fn memory_volume(name: DnsLabel, target: &str, size: Option<k3score::quantity::Bytes>) -> Volume {
    mount(
        name,
        target,
        false,
        None,
        VolumeSource::EmptyDir(EmptyDir {
            size,
            medium: Some(Medium::Memory),
        }),
    )
}

fn config_mount(i: usize, target: &str, name: k3score::names::DnsSubdomain, key: &DataKey, file: &DataKey) -> Volume {
    mount(
        prefixed("config", &i.to_string()),
        target,
        true,
        Some(file.to_string()),
        VolumeSource::ConfigMap(ObjectVolume {
            name,
            items: vec![KeyPath {
                key: key.clone(),
                path: file.to_string(),
            }],
        }),
    )
}
