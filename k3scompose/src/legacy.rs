//! Older compose forms people still have: `external: {name: ...}` (file format 3.3 and
//! before) and version 1 files, whose services sit at the top level.

use k3score::{ErrorKind, FieldPath, Problems};

use crate::Warning;
use crate::keys::TOP_LEVEL_KEYS;
use crate::model::ComposeFile;
use crate::tree::Node;
use crate::values::External;

/// The message for a version 1 file (services at the top level).
pub(crate) const LEGACY_V1: &str =
    "this looks like a legacy (version 1) compose file: move the services under a top-level `services:` key";

/// Whether a parsed file is a version 1 compose file: no `services:` (nor `include:`), and a
/// top-level mapping that looks like a service (has `image` or `build`) under a key that is no
/// top-level key of the Compose Specification.
pub(crate) fn is_version_1(map: &std::collections::BTreeMap<String, Node>) -> bool {
    !map.contains_key("services")
        && !map.contains_key("include")
        && map.iter().any(|(k, v)| {
            !k.starts_with("x-")
                && !TOP_LEVEL_KEYS.contains(&k.as_str())
                && v.as_map()
                    .is_some_and(|s| s.contains_key("image") || s.contains_key("build"))
        })
}

/// Whether `text` is a compose file by its content: a top-level `services:` mapping, or a
/// version 1 file (services with `image` or `build` at the top level). Spec files of the
/// suite have a top-level `kind:` and are never compose files.
///
/// ```
/// assert!(k3scompose::looks_like_compose("services:\n  web: {image: nginx}\n"));
/// assert!(k3scompose::looks_like_compose("web:\n  image: nginx\n  links: [db]\ndb:\n  image: postgres\n"));
/// assert!(!k3scompose::looks_like_compose("kind: App\nname: web\nimage: nginx\n"));
/// assert!(!k3scompose::looks_like_compose("kind: Apps\napps:\n  - {name: web, image: nginx}\n"));
/// ```
#[must_use]
pub fn looks_like_compose(text: &str) -> bool {
    let Ok(Node::Map(map)) = Node::parse(text) else {
        return false;
    };
    if map.contains_key("kind") {
        return false;
    }
    matches!(map.get("services"), Some(Node::Map(_))) || is_version_1(&map)
}

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
