//! A read-only view of a source with some files' bytes replaced: an
//! environment edited in memory and loaded before anything is written, or
//! cut down to some of its apps.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Source, SourceError};

/// `inner`, with the files of `replaced` giving their bytes there instead
/// (a replaced file is there even where `inner` has none). Writes are
/// refused.
pub struct Overlay {
    inner: Arc<dyn Source>,
    replaced: BTreeMap<String, Vec<u8>>,
}

impl Overlay {
    /// `inner` with each path of `replaced` giving the bytes there.
    pub fn new(inner: Arc<dyn Source>, replaced: BTreeMap<String, Vec<u8>>) -> Self {
        Overlay { inner, replaced }
    }
}

impl Source for Overlay {
    fn read(&self, rel: &str, max_bytes: u64) -> Result<Vec<u8>, SourceError> {
        match self.replaced.get(rel) {
            Some(bytes) if bytes.len() as u64 > max_bytes => Err(SourceError::TooLarge {
                path: rel.to_owned(),
                limit: max_bytes,
            }),
            Some(bytes) => Ok(bytes.clone()),
            None => self.inner.read(rel, max_bytes),
        }
    }

    fn is_file(&self, rel: &str) -> bool {
        self.replaced.contains_key(rel) || self.inner.is_file(rel)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let mut names = self.inner.list(dir)?;
        for rel in self.replaced.keys() {
            if let Some((parent, name)) = rel.rsplit_once('/') {
                if parent == dir && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names.sort();
        Ok(names)
    }

    fn write(&self, rel: &str, _: &[u8]) -> Result<(), SourceError> {
        Err(SourceError::Io {
            path: rel.to_owned(),
            action: "write",
            message: "this view of the repository is read-only".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySource;

    #[test]
    fn replaced_files_read_and_list_as_if_written_and_nothing_is_written() {
        let inner = Arc::new(MemorySource::new([
            ("environments/dev.yaml", "name: dev\n"),
            ("environments/prod.yaml", "name: prod\n"),
        ]));
        let overlay = Overlay::new(
            inner,
            BTreeMap::from([
                (
                    "environments/dev.yaml".to_owned(),
                    b"name: dev # cut\n".to_vec(),
                ),
                ("environments/a.yaml".to_owned(), b"name: a\n".to_vec()),
            ]),
        );
        let read = |rel: &str| overlay.read(rel, 1024).map(String::from_utf8);
        assert_eq!(
            read("environments/dev.yaml"),
            Ok(Ok("name: dev # cut\n".into()))
        );
        assert_eq!(
            read("environments/prod.yaml"),
            Ok(Ok("name: prod\n".into()))
        );
        assert!(overlay.is_file("environments/a.yaml"));
        assert_eq!(
            overlay.list("environments"),
            Ok(vec!["a.yaml".into(), "dev.yaml".into(), "prod.yaml".into()])
        );
        assert!(matches!(
            overlay.read("environments/dev.yaml", 4),
            Err(SourceError::TooLarge { .. })
        ));
        assert!(overlay.write("environments/dev.yaml", b"x").is_err());
        assert!(matches!(
            overlay.read("environments/dev.yaml", 1024).as_deref(),
            Ok(b"name: dev # cut\n")
        ));
    }
}
