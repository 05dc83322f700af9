//! Shared test helpers: loading a project directory into the `files` map.

use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, keyed by its path relative to `dir` (`/`-separated).
pub(crate) fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(rel, text);
            }
        }
    }
    files
}
