//! Files held in memory: the same loading as from disk, no file system.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::{Source, SourceError};

/// A repository in memory: `/`-separated relative path → bytes.
#[derive(Debug, Default)]
pub struct MemorySource {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySource {
    /// A repository holding `files`.
    pub fn new<P: Into<String>, B: Into<Vec<u8>>>(files: impl IntoIterator<Item = (P, B)>) -> Self {
        MemorySource {
            files: Mutex::new(
                files
                    .into_iter()
                    .map(|(p, b)| (p.into(), b.into()))
                    .collect(),
            ),
        }
    }

    /// A copy of every file now held.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        self.files.lock().map(|f| f.clone()).unwrap_or_default()
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, Vec<u8>>) -> T,
    ) -> Result<T, SourceError> {
        match self.files.lock() {
            Ok(mut files) => Ok(f(&mut files)),
            Err(_) => Err(SourceError::Io {
                action: "read",
                path: "(memory)".into(),
                message: "a thread panicked while holding the files".into(),
            }),
        }
    }
}

impl Source for MemorySource {
    fn read(&self, rel: &str, max_bytes: u64) -> Result<Vec<u8>, SourceError> {
        match self.with(|files| files.get(rel).cloned())? {
            None => Err(SourceError::NotFound(rel.to_owned())),
            Some(b) if b.len() as u64 > max_bytes => Err(SourceError::TooLarge {
                path: rel.to_owned(),
                limit: max_bytes,
            }),
            Some(b) => Ok(b),
        }
    }

    fn is_file(&self, rel: &str) -> bool {
        self.with(|files| files.contains_key(rel)).unwrap_or(false)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.with(|files| {
            files
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter(|name| !name.contains('/') && !name.starts_with('.'))
                .map(str::to_owned)
                .collect()
        })
    }

    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), SourceError> {
        self.with(|files| {
            files.insert(rel.to_owned(), contents.to_vec());
        })
    }
}
