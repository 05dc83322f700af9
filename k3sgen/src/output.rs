//! Writing bundles: one stream (YAML documents or a JSON array), or one file per component
//! into a folder the tool owns.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use k3score::par::{Jobs, map_in_order};
use k3score::{Bundle, YamlWriter};

use crate::{Component, Error};

/// The file that marks a folder as written by k3sgen: in such a folder, files of an earlier
/// run that this run did not write are removed.
pub const OUTPUT_MARKER: &str = ".k3sgen-output";

/// How rendered objects are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Multi-document YAML (`---` between objects).
    #[default]
    Yaml,
    /// A JSON array of the objects.
    Json,
}

impl Format {
    /// The file extension: `yaml` or `json`.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

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
            let pairs = components.iter().map(|(n, b)| (n.as_str(), b));
            drop(write_stream(pairs, Format::Yaml, std::io::stdout().lock())?);
        }
    }
    Ok(())
}

/// All components as one text: YAML documents, each component's first one preceded by
/// `# component: <name>` (components without objects are left out), or one JSON array of
/// every object in apply order. [`write_stream`] writes the same bytes out as they are made.
///
/// ```
/// let spec = k3sgen::parse_spec("kind: App\nname: web\nimage: nginx:1.27\n").unwrap();
/// let bundle = k3sgen::render_spec(&spec, &k3score::Target::local(), "default", &Default::default()).unwrap();
/// let yaml = k3sgen::stream([("web", &bundle)], k3sgen::Format::Yaml).unwrap();
/// assert!(yaml.starts_with("# component: web\napiVersion: "));
/// let json = k3sgen::stream([("web", &bundle)], k3sgen::Format::Json).unwrap();
/// assert!(json.starts_with('['));
/// ```
pub fn stream<'a>(
    components: impl IntoIterator<Item = (&'a str, &'a Bundle)>,
    format: Format,
) -> Result<String, Error> {
    let bytes = write_stream(components, format, Vec::new())?;
    Ok(String::from_utf8(bytes).expect("YAML and JSON writers write UTF-8"))
}

/// [`stream`] written to `out` component by component (through [`YamlWriter`], in chunks),
/// so that the whole text is never held in memory; returns `out`. A failing `out` is an
/// [`Error::Io`] on the path `-`. The components' YAML is written on every core
/// ([`Jobs::AUTO`]; [`write_stream_on`] takes a thread count).
///
/// ```
/// let spec = k3sgen::parse_spec("kind: App\nname: web\nimage: nginx:1.27\n").unwrap();
/// let bundle = k3sgen::render_spec(&spec, &k3score::Target::local(), "default", &Default::default()).unwrap();
/// let written = k3sgen::write_stream([("web", &bundle)], k3sgen::Format::Yaml, Vec::new()).unwrap();
/// assert_eq!(written, k3sgen::stream([("web", &bundle)], k3sgen::Format::Yaml).unwrap().into_bytes());
/// ```
pub fn write_stream<'a, W: Write>(
    components: impl IntoIterator<Item = (&'a str, &'a Bundle)>,
    format: Format,
    out: W,
) -> Result<W, Error> {
    write_stream_on(Jobs::AUTO, components, format, out)
}

/// [`write_stream`] with the components' YAML made on `jobs` threads (each component's text,
/// its `# component:` line included, is serialized on a worker) and written to `out` in
/// component order on the calling thread: the bytes are the same for any thread count, and so
/// is the error (the first component, in order, that fails).
///
/// ```
/// use k3score::par::Jobs;
/// let spec = k3sgen::parse_spec("kind: App\nname: web\nimage: nginx:1.27\n").unwrap();
/// let bundle = k3sgen::render_spec(&spec, &k3score::Target::local(), "default", &Default::default()).unwrap();
/// let both = [("a", &bundle), ("b", &bundle)];
/// let one = k3sgen::write_stream_on(Jobs::ONE, both, k3sgen::Format::Yaml, Vec::new()).unwrap();
/// let all = k3sgen::write_stream_on(Jobs::AUTO, both, k3sgen::Format::Yaml, Vec::new()).unwrap();
/// assert_eq!(one, all);
/// ```
pub fn write_stream_on<'a, W: Write>(
    jobs: Jobs,
    components: impl IntoIterator<Item = (&'a str, &'a Bundle)>,
    format: Format,
    out: W,
) -> Result<W, Error> {
    let io = |e| Error::Io(PathBuf::from("-"), e);
    match format {
        Format::Yaml => {
            let components: Vec<(&str, &Bundle)> = components.into_iter().collect();
            let text = |i: usize| {
                let (name, bundle) = components[i];
                let yaml = bundle
                    .to_yaml()
                    .map_err(|e| Error::Spec(PathBuf::from(name), e.into()))?;
                if yaml.is_empty() {
                    return Ok(yaml);
                }
                let mut text = String::with_capacity(yaml.len() + name.len() + 14);
                text.push_str("# component: ");
                text.push_str(name);
                text.push('\n');
                text.push_str(&yaml);
                Ok(text)
            };
            let mut writer = YamlWriter::new(out);
            let mut result = Ok(());
            map_in_order(jobs, components.len(), text, |text: Result<String, Error>| {
                if result.is_ok() {
                    result = text.and_then(|text| writer.documents(&text).map_err(io));
                }
            });
            result?;
            writer.finish().map_err(io)
        }
        Format::Json => {
            let mut all = Bundle::new();
            for (_, bundle) in components {
                all.extend(bundle.clone());
            }
            let mut text = all.to_json().map_err(|e| Error::Spec(PathBuf::from("-"), e.into()))?;
            text.push('\n');
            let mut out = out;
            out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(io)?;
            Ok(out)
        }
    }
}

/// Writes `<dir>/<component>.<yaml|json>` for each component (and `<component>.Tiltfile`
/// when it has one) and returns the paths written. A folder that does not exist or is empty
/// becomes the tool's: it gets an [`OUTPUT_MARKER`], and in a folder with that marker the
/// `.yaml`, `.json` and `.Tiltfile` files this run did not write are removed, so no stale
/// component is left behind. Other folders are written to and left otherwise untouched.
/// The components are serialized on every core ([`Jobs::AUTO`]; [`write_dir_on`] takes a
/// thread count) and written in order.
pub fn write_dir(components: &[Component], dir: &Path, format: Format) -> Result<Vec<PathBuf>, Error> {
    write_dir_on(Jobs::AUTO, components, dir, format)
}

/// [`write_dir`] with the components serialized on `jobs` threads; the files are written on
/// the calling thread in component order, so the folder ends up the same (and a failure stops
/// at the same component) for any thread count.
pub fn write_dir_on(jobs: Jobs, components: &[Component], dir: &Path, format: Format) -> Result<Vec<PathBuf>, Error> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |e| Error::Io(path, e)
    };
    let owned = match std::fs::read_dir(dir) {
        Ok(mut entries) => dir.join(OUTPUT_MARKER).is_file() || entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::Io(dir.to_owned(), e)),
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    let text = |i: usize| {
        let component = &components[i];
        let text = match format {
            Format::Yaml => component.bundle.to_yaml(),
            Format::Json => component.bundle.to_json(),
        };
        (
            component,
            text.map_err(|e| Error::Spec(component.source.clone(), e.into())),
        )
    };
    let mut result = Ok(());
    map_in_order(jobs, components.len(), text, |(component, text)| {
        if result.is_ok() {
            result = write_component(component, text, dir, format, &mut written);
        }
    });
    result?;
    if owned {
        let marker = dir.join(OUTPUT_MARKER);
        std::fs::write(
            &marker,
            "Written by k3sgen: files it did not write in its last run are removed.\n",
        )
        .map_err(io(&marker))?;
        remove_stale(dir, &written.iter().collect())?;
    }
    Ok(written)
}

/// Writes one serialized component (and its Tiltfile) into `dir`, recording the paths.
fn write_component(
    component: &Component,
    text: Result<String, Error>,
    dir: &Path,
    format: Format,
    written: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let path = dir.join(format!("{}.{}", component.name, format.extension()));
    std::fs::write(&path, text?).map_err(|e| Error::Io(path.clone(), e))?;
    written.push(path);
    if let Some(tiltfile) = &component.tiltfile {
        let path = dir.join(format!("{}.Tiltfile", component.name));
        std::fs::write(&path, tiltfile).map_err(|e| Error::Io(path.clone(), e))?;
        written.push(path);
    }
    Ok(())
}

fn remove_stale(dir: &Path, keep: &BTreeSet<&PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io(dir.to_owned(), e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::Io(dir.to_owned(), e))?.path();
        let ours = path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "json" || e == "Tiltfile");
        if ours && path.is_file() && !keep.contains(&path) {
            std::fs::remove_file(&path).map_err(|e| Error::Io(path.clone(), e))?;
        }
    }
    Ok(())
}
