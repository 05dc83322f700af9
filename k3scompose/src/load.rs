//! Loading a project: `.env`, interpolation, `include`, `extends`, then the typed model.

use std::collections::BTreeMap;

use k3score::{Error, ErrorKind, Errors, FieldPath, Problems};

use crate::Warning;
use crate::interpolate::interpolate_tree;
use crate::model::ComposeFile;
use crate::tree::Node;

/// How deep `include` and `extends` may nest (guards against cycles the checks miss).
const MAX_DEPTH: usize = 16;
/// The directory part of a project path (`db/compose.yaml` → `db`).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `rel` resolved against `dir`, normalized (`./`, `..`); absolute and `~` paths are kept.
pub(crate) fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || rel.starts_with('~') {
        return rel.to_owned();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

pub(crate) struct Loader<'a> {
    pub(crate) files: &'a BTreeMap<String, String>,
    pub(crate) vars: &'a BTreeMap<String, String>,
    pub(crate) warnings: Vec<Warning>,
}

impl Loader<'_> {
    /// Parses and interpolates one file; `path` names it in errors (root for the main file).
    fn tree(&mut self, text: &str, path: &FieldPath) -> Result<Node, Errors> {
        let node = Node::parse(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            let message = e.to_string().lines().next().unwrap_or_default().to_owned();
            let kind = ErrorKind::Syntax {
                line,
                column,
                message,
                suggestion: None,
            };
            Errors::from(Error::new(path.clone(), kind))
        })?;
        let mut node = match node {
            Node::Map(map) => Node::Map(map),
            Node::Null => Node::Map(BTreeMap::new()),
            _ => {
                return Err(Error::new(
                    path.clone(),
                    ErrorKind::Invalid("a compose file is a mapping with a top-level `services:` key".into()),
                )
                .into());
            }
        };
        let mut problems = Problems::default();
        interpolate_tree(&mut node, path, self.vars, &mut problems, &mut self.warnings);
        problems.finish(node)
    }

    /// Loads `text` (at project path `file`), resolving its includes and extends. Only an
    /// override file (`overriding`) may lack `services:`.
    pub(crate) fn load(
        &mut self,
        text: &str,
        file: &str,
        path: &FieldPath,
        depth: usize,
        overriding: bool,
    ) -> Result<Node, Errors> {
        let mut node = self.tree(text, path)?;
        let map = node.as_map_mut().unwrap_or_else(|| unreachable!("tree() returns maps"));
        let has_services = map.contains_key("services");
        let legacy = crate::detect::is_version_1(map);
        if (!overriding || legacy) && !has_services && !map.contains_key("include") {
            let hint = if legacy {
                crate::detect::LEGACY_V1
            } else {
                "a compose file needs a top-level `services:` key"
            };
            return Err(Error::new(path.field("services"), ErrorKind::Missing(hint.into())).into());
        }
        let include = map.remove("include");
        if let Some(Node::Map(services)) = map.get("services") {
            let resolved = self.resolve_all_extends(services, file, path, depth)?;
            map.insert("services".into(), Node::Map(resolved));
        }
        if let Some(include) = include {
            self.include(map, &include, file, &path.field("include"), depth)?;
        }
        Ok(node)
    }

    fn include(
        &mut self,
        map: &mut BTreeMap<String, Node>,
        include: &Node,
        file: &str,
        path: &FieldPath,
        depth: usize,
    ) -> Result<(), Errors> {
        let Node::Seq(entries) = include else {
            return Err(Error::new(path.clone(), ErrorKind::Invalid("include is a list".into())).into());
        };
        let mut problems = Problems::default();
        for (i, entry) in entries.iter().enumerate() {
            let entry_path = path.index(i);
            let paths: Vec<String> = match entry {
                Node::Map(long) => {
                    for key in long.keys().filter(|k| *k != "path") {
                        self.warnings.push(Warning::new(
                            entry_path.field(key.clone()),
                            "not supported: included files share the project's variables and directory",
                        ));
                    }
                    match long.get("path") {
                        Some(Node::Seq(items)) => items.iter().filter_map(Node::scalar_text).collect(),
                        Some(other) => other.scalar_text().into_iter().collect(),
                        None => Vec::new(),
                    }
                }
                other => other.scalar_text().into_iter().collect(),
            };
            if paths.is_empty() {
                problems.push(
                    entry_path.clone(),
                    ErrorKind::Missing("the path of the included file".into()),
                );
            }
            for rel in paths {
                let included = join(dir_of(file), &rel);
                let Some(text) = self.files.get(&included) else {
                    problems.push(
                        entry_path.clone(),
                        ErrorKind::Missing(format!("included file {included:?} is not among the project files")),
                    );
                    continue;
                };
                if depth >= MAX_DEPTH {
                    problems.push(
                        entry_path.clone(),
                        ErrorKind::Invalid("include nests too deeply (a cycle?)".into()),
                    );
                    continue;
                }
                let Some(mut sub) = problems.take(self.load(
                    text,
                    &included,
                    &FieldPath::root().field(included.clone()),
                    depth + 1,
                    false,
                )) else {
                    continue;
                };
                rebase_file(&mut sub, dir_of(&included));
                let Node::Map(sub) = sub else { continue };
                for (section, value) in sub {
                    let Node::Map(items) = value else { continue };
                    if !matches!(
                        section.as_str(),
                        "services" | "volumes" | "networks" | "secrets" | "configs"
                    ) {
                        continue;
                    }
                    let target = map.entry(section.clone()).or_insert_with(|| Node::Map(BTreeMap::new()));
                    let Some(target) = target.as_map_mut() else { continue };
                    for (name, item) in items {
                        if target.contains_key(&name) && section == "services" {
                            problems.push(
                                entry_path.clone(),
                                ErrorKind::Conflict(format!("service {name:?} of {included:?} is already defined")),
                            );
                        } else {
                            target.entry(name).or_insert(item);
                        }
                    }
                }
            }
        }
        problems.finish(())
    }

    fn resolve_all_extends(
        &mut self,
        services: &BTreeMap<String, Node>,
        file: &str,
        path: &FieldPath,
        depth: usize,
    ) -> Result<BTreeMap<String, Node>, Errors> {
        let mut problems = Problems::default();
        let mut out = BTreeMap::new();
        for name in services.keys() {
            let svc_path = path.field("services").field(name.clone());
            let mut stack = Vec::new();
            if let Some(node) = problems.take(self.resolve(services, name, file, &svc_path, &mut stack, depth)) {
                out.insert(name.clone(), node);
            }
        }
        problems.finish(out)
    }

    fn resolve(
        &mut self,
        services: &BTreeMap<String, Node>,
        name: &str,
        file: &str,
        path: &FieldPath,
        stack: &mut Vec<(String, String)>,
        depth: usize,
    ) -> Result<Node, Errors> {
        let err = |kind: ErrorKind| -> Errors { Error::new(path.field("extends"), kind).into() };
        let key = (file.to_owned(), name.to_owned());
        if stack.contains(&key) || stack.len() > MAX_DEPTH || depth > MAX_DEPTH {
            return Err(err(ErrorKind::Invalid(format!(
                "extends cycle through service {name:?}"
            ))));
        }
        let Some(service) = services.get(name) else {
            return Err(err(ErrorKind::Missing(format!("service {name:?} to extend"))));
        };
        let mut service = match service {
            Node::Map(map) => map.clone(),
            Node::Null => BTreeMap::new(),
            _ => return Err(Error::new(path.clone(), ErrorKind::Invalid("a service is a mapping".into())).into()),
        };
        let Some(extends) = service.remove("extends") else {
            return Ok(Node::Map(service));
        };
        let (base_name, base_file) = match &extends {
            Node::Map(m) => (
                m.get("service").and_then(Node::scalar_text),
                m.get("file").and_then(Node::scalar_text),
            ),
            other => (other.scalar_text(), None),
        };
        let Some(base_name) = base_name else {
            return Err(err(ErrorKind::Missing("extends.service".into())));
        };
        stack.push(key);
        let base = if let Some(base_file) = base_file {
            let other = join(dir_of(file), &base_file);
            let Some(text) = self.files.get(&other) else {
                return Err(err(ErrorKind::Missing(format!(
                    "extended file {other:?} is not among the project files"
                ))));
            };
            let tree = self.tree(text, &FieldPath::root().field(other.clone()))?;
            let other_services = match tree.as_map().and_then(|m| m.get("services")) {
                Some(Node::Map(s)) => s.clone(),
                _ => BTreeMap::new(),
            };
            let mut base = self.resolve(&other_services, &base_name, &other, path, stack, depth + 1)?;
            rebase_service(&mut base, &relative_dir(dir_of(file), dir_of(&other)));
            base
        } else {
            self.resolve(services, &base_name, file, path, stack, depth + 1)?
        };
        stack.pop();
        if !matches!(base, Node::Map(_)) {
            return Ok(Node::Map(service));
        }
        // `extends` follows the same merge rules as override files.
        Ok(crate::merge::merge("", base, Node::Map(service)))
    }
}

/// The directory `to`, seen from `from` (both project paths): a join prefix.
fn relative_dir(from: &str, to: &str) -> String {
    if from.is_empty() {
        return to.to_owned();
    }
    let ups = from.split('/').filter(|p| !p.is_empty()).count();
    let mut out = "../".repeat(ups);
    out.push_str(to);
    out
}

fn rebase_str(text: &mut String, dir: &str) {
    if !dir.is_empty() && !text.starts_with('/') && !text.starts_with('~') {
        *text = join(dir, text);
    }
}

/// Rebases a bind-mount source, keeping the `./` that marks it as a path.
fn rebase_bind(text: &mut String, dir: &str) {
    if !dir.is_empty() && text.starts_with('.') {
        *text = format!("./{}", join(dir, text));
    }
}

/// Rebases the relative paths of a file's services and top-level secrets/configs onto `dir`.
fn rebase_file(node: &mut Node, dir: &str) {
    let Some(map) = node.as_map_mut() else { return };
    if let Some(Node::Map(services)) = map.get_mut("services") {
        for service in services.values_mut() {
            rebase_service(service, dir);
        }
    }
    for section in ["secrets", "configs"] {
        if let Some(Node::Map(items)) = map.get_mut(section) {
            for item in items.values_mut() {
                if let Some(Node::Str(file)) = item.as_map_mut().and_then(|m| m.get_mut("file")) {
                    rebase_str(file, dir);
                }
            }
        }
    }
}

/// Rebases a service's build context, env files and bind mounts onto `dir`.
fn rebase_service(node: &mut Node, dir: &str) {
    let Some(map) = node.as_map_mut() else { return };
    match map.get_mut("build") {
        Some(Node::Str(context)) => rebase_str(context, dir),
        Some(Node::Map(build)) => {
            if let Some(Node::Str(context)) = build.get_mut("context") {
                rebase_str(context, dir);
            }
        }
        _ => {}
    }
    match map.get_mut("env_file") {
        Some(Node::Str(file)) => rebase_str(file, dir),
        Some(Node::Seq(items)) => {
            for item in items {
                match item {
                    Node::Str(file) => rebase_str(file, dir),
                    Node::Map(long) => {
                        if let Some(Node::Str(file)) = long.get_mut("path") {
                            rebase_str(file, dir);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    if let Some(Node::Seq(volumes)) = map.get_mut("volumes") {
        for volume in volumes {
            match volume {
                Node::Str(short) if short.starts_with('.') => {
                    if let Some((source, rest)) = short.split_once(':') {
                        let mut source = source.to_owned();
                        rebase_bind(&mut source, dir);
                        *short = format!("{source}:{rest}");
                    }
                }
                Node::Map(long) => {
                    if let Some(Node::Str(source)) = long.get_mut("source") {
                        rebase_bind(source, dir);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Parses the loaded tree into the typed model.
pub(crate) fn typed(node: &Node) -> Result<ComposeFile, Errors> {
    let text = serde_saphyr::to_string(node)
        .map_err(|e| Errors::from(Error::new(FieldPath::root(), ErrorKind::Serialize(e.to_string()))))?;
    // Positions refer to the re-serialized tree, not the user's file: keep the message and
    // the suggestion only (the caller places the problem by its path).
    k3score::yaml::from_yaml::<ComposeFile>(&text).map_err(|errors| {
        Errors(
            errors
                .0
                .into_iter()
                .map(|e| match e.kind {
                    ErrorKind::Syntax {
                        message, suggestion, ..
                    } => {
                        let kind = ErrorKind::Syntax {
                            line: 0,
                            column: 0,
                            message,
                            suggestion,
                        };
                        Error::new(e.path, kind)
                    }
                    _ => e,
                })
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join() {
        assert_eq!(join("", "./nginx.conf"), "nginx.conf");
        assert_eq!(join("db", "./init.sql"), "db/init.sql");
        assert_eq!(join("db", "../shared/x"), "shared/x");
        assert_eq!(join("", "/etc/hosts"), "/etc/hosts");
        assert_eq!(relative_dir("", "common"), "common");
        assert_eq!(relative_dir("a", "b"), "../b");
        assert_eq!(dir_of("db/compose.yaml"), "db");
    }
}
