//! Function projects: their source folders and the functions discovered in them.

use std::path::{Path, PathBuf};

use crate::{Error, Spec};
use k3score::Errors;

/// Every file under `dir` as `(path relative to dir, text)`, sorted; files that are not
/// UTF-8 text are skipped (discovery only reads `.py`, `.ts` and `.js` sources).
pub fn read_tree(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| Error::Io(current.clone(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::Io(current.clone(), e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, text));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Adds the functions discovered in `sources` (`(path, text)` per folder of
/// `project.sources`) to a `kind: Functions` spec; other specs are returned unchanged.
pub fn discover_functions(spec: Spec, sources: &[Vec<(String, String)>]) -> Result<Spec, Errors> {
    let Spec::Functions(project) = spec else {
        return Ok(spec);
    };
    let mut found = Vec::new();
    let mut problems = k3score::Problems::default();
    for files in sources {
        match k3sfn::discover(files) {
            Ok(functions) => found.extend(functions),
            Err(errors) => problems.push(
                k3score::FieldPath::root().field("sources"),
                k3score::ErrorKind::Invalid(errors.to_string()),
            ),
        }
    }
    problems.finish(())?;
    Ok(Spec::Functions(Box::new(project.with_discovered(found))))
}

/// The source folders of a function project whose `functions.yaml` is in `base`: each of
/// its `sources` (a missing one is a problem at `sources[i]`), or the default `src` folder
/// when there is one (a project declaring every function inline needs none).
///
/// ```
/// let project: k3sfn::Project = k3score::yaml::from_yaml("name: shop\nsources: [src, nope]\n").unwrap();
/// let base = std::path::Path::new("../examples/functions");
/// let err = k3sgen::source_folders(&project, base).unwrap_err();
/// assert_eq!(err.to_string(), "sources[1]: the folder \"nope\" does not exist (next to the spec file)");
/// let inline: k3sfn::Project = k3score::yaml::from_yaml("name: shop\n").unwrap();
/// assert!(k3sgen::source_folders(&inline, std::path::Path::new("/nonexistent")).unwrap().is_empty());
/// ```
pub fn source_folders(project: &k3sfn::Project, base: &Path) -> Result<Vec<PathBuf>, Errors> {
    let Some(listed) = &project.sources else {
        let default = base.join(k3sfn::DEFAULT_SOURCES);
        return Ok(if default.is_dir() { vec![default] } else { Vec::new() });
    };
    let mut problems = k3score::Problems::default();
    let mut folders = Vec::new();
    for (i, dir) in listed.iter().enumerate() {
        let folder = base.join(dir);
        if folder.is_dir() {
            folders.push(folder);
        } else {
            problems.push(
                k3score::FieldPath::root().field("sources").index(i),
                k3score::ErrorKind::Invalid(format!("the folder {dir:?} does not exist (next to the spec file)")),
            );
        }
    }
    problems.finish(folders)
}

/// The source folders of a `kind: Functions` spec read from `base` (the spec file's folder),
/// as [`source_folders`] finds them.
pub fn read_sources(spec: &Spec, base: &Path) -> Result<Vec<Vec<(String, String)>>, Error> {
    match spec {
        Spec::Functions(project) => source_folders(project, base)
            .map_err(|errors| Error::Spec(base.to_owned(), errors))?
            .iter()
            .map(|dir| read_tree(dir))
            .collect(),
        Spec::App(_) | Spec::Apps(_) | Spec::Gateway(_) | Spec::Platform(_) | Spec::Tenant(_) | Spec::Store(_) => {
            Ok(Vec::new())
        }
    }
}
