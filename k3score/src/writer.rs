//! Writing YAML documents out as they are produced (to a file, a pipe, stdout), so that the
//! output of many bundles is never held in memory as a whole.
//!
//! Holding it costs more than its size: a `String` that grows to 55 MB (10000 apps) has
//! been copied on every doubling, and with allocators other than glibc's (which moves large
//! blocks with `mremap`) the old and the new block both count in the peak memory.

use std::io::{self, Write};

use crate::bundle::Bundle;

/// How many bytes are gathered before one `write` to the underlying writer.
const CHUNK: usize = 64 * 1024;

/// Multi-document YAML written to `W` in chunks: documents of one or many bundles,
/// separated by `---` exactly as [`Bundle::write_yaml`] separates them into one `String`,
/// so the bytes are the same whichever way they are produced.
///
/// ```
/// use k3score::{Bundle, YamlWriter};
/// use k8s_openapi::api::core::v1::ConfigMap;
/// let mut bundle = Bundle::new();
/// bundle.push(ConfigMap { metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
///     name: Some("a".into()), ..Default::default() }, ..Default::default() });
/// let mut writer = YamlWriter::new(Vec::new());
/// writer.bundle(&bundle).unwrap();
/// writer.documents(&bundle.to_yaml().unwrap()).unwrap(); // serialized elsewhere
/// let written = writer.written();
/// let out = String::from_utf8(writer.finish().unwrap()).unwrap();
/// assert_eq!(out, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
/// assert_eq!(written, out.len() as u64);
/// ```
#[derive(Debug)]
pub struct YamlWriter<W: Write> {
    out: W,
    /// Bytes not yet handed to `out`.
    pending: String,
    /// Serialization space for [`YamlWriter::bundle`], reused.
    scratch: String,
    written: u64,
}

impl<W: Write> YamlWriter<W> {
    /// A writer with nothing written yet. `out` needs no buffering of its own: writes to it
    /// come in chunks of 64 KiB.
    pub fn new(out: W) -> Self {
        Self {
            out,
            pending: String::with_capacity(CHUNK * 2),
            scratch: String::new(),
            written: 0,
        }
    }

    /// Appends the objects of `bundle` in apply order.
    ///
    /// # Errors
    /// When `out` fails, or an object does not serialize (the [`crate::Error`] is the
    /// `io::Error`'s inner error, with kind `InvalidData`).
    pub fn bundle(&mut self, bundle: &Bundle) -> io::Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = bundle
            .write_yaml(&mut scratch)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
            .and_then(|()| self.documents(&scratch));
        self.scratch = scratch;
        result
    }

    /// Appends YAML documents serialized elsewhere (for instance by [`Bundle::to_yaml`] on
    /// another thread), preceded by `---` when something was written before. Comment lines
    /// before the first document are kept (they belong to that document). Empty text adds
    /// nothing.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn documents(&mut self, yaml: &str) -> io::Result<()> {
        if yaml.is_empty() {
            return Ok(());
        }
        if self.written > 0 {
            self.push("---\n")?;
        }
        self.push(yaml)
    }

    /// How many bytes were appended so far (written out or still pending).
    #[must_use]
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes what is pending, flushes `out` and returns it.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(self.pending.as_bytes())?;
        self.pending.clear();
        self.out.flush()?;
        Ok(self.out)
    }

    fn push(&mut self, text: &str) -> io::Result<()> {
        self.written += text.len() as u64;
        if self.pending.len() + text.len() <= CHUNK {
            self.pending.push_str(text);
            return Ok(());
        }
        if !self.pending.is_empty() {
            self.out.write_all(self.pending.as_bytes())?;
            self.pending.clear();
        }
        if text.len() >= CHUNK {
            self.out.write_all(text.as_bytes())
        } else {
            self.pending.push_str(text);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use proptest::prelude::*;

    fn bundle(names: &[String], data: usize) -> Bundle {
        names
            .iter()
            .map(|name| -> crate::Object {
                ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        ..Default::default()
                    },
                    data: Some([("payload".to_owned(), "x".repeat(data))].into()),
                    ..Default::default()
                }
                .into()
            })
            .collect()
    }

    /// Counts the writes that reach the underlying writer.
    struct Counting(Vec<u8>, usize);

    impl Write for Counting {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1 += 1;
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    proptest! {
        /// Whatever the bundle sizes and however they arrive (as bundles or as text), the
        /// bytes are those of `Bundle::write_yaml` into one `String`.
        #[test]
        fn same_bytes_as_one_string(
            bundles in prop::collection::vec((prop::collection::vec("[a-z]{1,8}", 0..4), 0usize..40_000, any::<bool>()), 0..12),
        ) {
            let mut expected = String::new();
            let mut writer = YamlWriter::new(Counting(Vec::new(), 0));
            for (names, data, as_text) in &bundles {
                let bundle = bundle(names, *data);
                bundle.write_yaml(&mut expected).unwrap();
                if *as_text {
                    writer.documents(&bundle.to_yaml().unwrap()).unwrap();
                } else {
                    writer.bundle(&bundle).unwrap();
                }
            }
            prop_assert_eq!(writer.written(), expected.len() as u64);
            let out = writer.finish().unwrap();
            prop_assert_eq!(String::from_utf8(out.0).unwrap(), expected);
        }
    }

    #[test]
    fn writes_come_in_chunks() {
        let names: Vec<String> = (0..2000).map(|i| format!("cm-{i}")).collect();
        let mut writer = YamlWriter::new(Counting(Vec::new(), 0));
        for name in &names {
            writer.bundle(&bundle(std::slice::from_ref(name), 10)).unwrap();
        }
        let total = writer.written();
        let out = writer.finish().unwrap();
        assert_eq!(out.0.len() as u64, total);
        // About 150 KB in documents of ~75 bytes: a handful of writes, not one per document.
        assert!(
            out.1 <= total as usize / CHUNK + 2,
            "{} writes for {total} bytes",
            out.1
        );
    }

    #[test]
    fn failures_of_the_writer_are_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut writer = YamlWriter::new(Broken);
        writer.documents("a: 1\n").unwrap(); // pending, not written yet
        let Err(error) = writer.finish() else {
            panic!("a broken writer's failure must be reported");
        };
        assert_eq!(error.to_string(), "disk full");
    }
}
