//! Which files are compose files by their content, version 1 files (services at the top
//! level, no `services:`) included.

use crate::keys::TOP_LEVEL_KEYS;
use crate::tree::Node;

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
