//! `config_files: [{path, from: ./file}]`: the files a spec names, read relative to it.

use std::path::{Path, PathBuf};

use k3score::workload::ConfigFile;
use k3score::{ErrorKind, Errors, FieldPath, Problems};

use crate::Spec;

/// Replaces each config file's `from` by the content of that file, relative to `base` (the
/// spec file's folder), for the App, every app of an Apps file and every function of a
/// Functions project; the files read are added to `read`. A file that cannot be read is an
/// error at its `from` (`apps[1].config_files[0].from`); every such problem is reported.
///
/// ```
/// let mut spec = k3sgen::parse_spec(
///     "name: web\nimage: nginx:1.27\nconfig_files: [{path: /etc/x, from: ./missing.conf}]\n").unwrap();
/// let mut read = Vec::new();
/// let err = k3sgen::read_config_files(&mut spec, std::path::Path::new("/nonexistent"), &mut read).unwrap_err();
/// assert!(err.to_string().starts_with("config_files[0].from: cannot read \"./missing.conf\""));
/// ```
pub fn read_config_files(spec: &mut Spec, base: &Path, read: &mut Vec<PathBuf>) -> Result<(), Errors> {
    let mut problems = Problems::default();
    let root = FieldPath::root();
    match spec {
        Spec::App(app) => read_all(&mut app.config_files, &root, base, read, &mut problems),
        Spec::Apps(set) => {
            for (i, app) in set.apps.iter_mut().enumerate() {
                let path = root.field("apps").index(i);
                read_all(&mut app.config_files, &path, base, read, &mut problems);
            }
        }
        Spec::Functions(project) => {
            for (i, function) in project.functions.iter_mut().enumerate() {
                let path = root.field("functions").index(i);
                read_all(&mut function.config_files, &path, base, read, &mut problems);
            }
        }
        Spec::Gateway(_) | Spec::Platform(_) | Spec::Tenant(_) | Spec::Store(_) => {}
    }
    problems.finish(())
}

fn read_all(files: &mut [ConfigFile], at: &FieldPath, base: &Path, read: &mut Vec<PathBuf>, problems: &mut Problems) {
    for (i, file) in files.iter_mut().enumerate() {
        let (None, Some(from)) = (&file.content, &file.from) else {
            continue;
        };
        let path = base.join(from);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                file.content = Some(text);
                file.from = None;
                read.push(path);
            }
            Err(e) => problems.push(
                at.field("config_files").index(i).field("from"),
                ErrorKind::Invalid(format!("cannot read {from:?} (relative to the spec file): {e}")),
            ),
        }
    }
}
