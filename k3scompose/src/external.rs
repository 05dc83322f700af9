//! The older `external: {name: ...}` form (compose file format 3.3 and before) of top-level
//! volumes, networks, secrets and configs, read as `external: true` plus `name`.

use k3score::{ErrorKind, FieldPath, Problems};

use crate::Warning;
use crate::model::ComposeFile;
use crate::scalars::External;

/// Reads `external: {name: N}` as `external: true` + `name: N`, with a deprecation warning;
/// a different `name` next to it is an error (docker compose refuses it too).
pub(crate) fn external_names(file: &mut ComposeFile, warnings: &mut Vec<Warning>, problems: &mut Problems) {
    let root = FieldPath::root();
    let mut one = |path: FieldPath, external: Option<&mut External>, name: &mut Option<String>| {
        let Some(legacy) = external.and_then(|e| e.legacy_name.take()) else {
            return;
        };
        match name {
            Some(other) if *other != legacy => problems.push(
                path.field("external").field("name"),
                ErrorKind::Conflict(format!(
                    "external.name {legacy:?} and name {other:?} differ: keep only `name`"
                )),
            ),
            _ => {
                warnings.push(Warning::new(
                    path.field("external").field("name"),
                    format!("deprecated: read as `external: true` with `name: {legacy}`; write it that way"),
                ));
                *name = Some(legacy);
            }
        }
    };
    for (key, volume) in &mut file.volumes {
        if let Some(v) = volume {
            one(
                root.field("volumes").field(key.clone()),
                v.external.as_mut(),
                &mut v.name,
            );
        }
    }
    for (key, network) in &mut file.networks {
        if let Some(n) = network {
            one(
                root.field("networks").field(key.clone()),
                n.external.as_mut(),
                &mut n.name,
            );
        }
    }
    for (section, items) in [("secrets", &mut file.secrets), ("configs", &mut file.configs)] {
        for (key, item) in items.iter_mut() {
            one(
                root.field(section).field(key.clone()),
                item.external.as_mut(),
                &mut item.name,
            );
        }
    }
}
