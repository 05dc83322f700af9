//! Writing bundles: one multi-document YAML stream, or one file per component.

use std::path::{Path, PathBuf};

use k3score::Bundle;

use crate::Error;

/// Writes each `(component, bundle)` to `out/<component>.yaml`, or all to stdout as one
/// multi-document stream when `out` is `None`.
pub fn emit(components: &[(String, Bundle)], out: Option<&Path>) -> Result<(), Error> {
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.to_owned(), e))?;
            for (name, bundle) in components {
                let path = dir.join(format!("{name}.yaml"));
                let yaml = bundle.to_yaml().map_err(|e| Error::Spec(path.clone(), e.into()))?;
                std::fs::write(&path, yaml).map_err(|e| Error::Io(path.clone(), e))?;
            }
        }
        None => {
            let mut first = true;
            for (name, bundle) in components {
                let yaml = bundle
                    .to_yaml()
                    .map_err(|e| Error::Spec(PathBuf::from(name), e.into()))?;
                if yaml.is_empty() {
                    continue;
                }
                if !first {
                    println!("---");
                }
                first = false;
                print!("# component: {name}\n{yaml}");
            }
        }
    }
    Ok(())
}
