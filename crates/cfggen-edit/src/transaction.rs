//! Edit → re-validate → roll back: write edited environment files, check
//! that the repository is still valid, and put every file back when it is
//! not. Every I/O error surfaces; the originals are read (and kept in
//! memory) before anything is written, so a file is never restored from
//! nothing.

use cfggen_source::{Source, SourceError};

/// The new text of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    /// The file, relative to the repository root.
    pub path: String,
    /// Its whole new text.
    pub text: String,
}

/// Why an edit did not take. Each variant says what state the files are in.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError<E> {
    /// A file to edit could not be read: nothing was written.
    #[error("{0}; nothing was changed")]
    Read(SourceError),
    /// A file could not be written; the files already written were put
    /// back (the failed write itself is atomic and left its file as it was).
    #[error("{0}; nothing was changed")]
    Write(SourceError),
    /// The check refused the edited files; they were put back.
    #[error("the edit would make the repository invalid; nothing was changed")]
    Invalid(E),
    /// The edited files were refused (or one failed to write) and some
    /// could not be put back: the ones listed are as the edit left them.
    #[error("the edit failed and {} could not be put back: {}", .failed.len(), .failed.iter().map(|(p, e)| format!("{p} ({e})")).collect::<Vec<_>>().join(", "))]
    Restore {
        /// What went wrong first.
        cause: Box<ApplyError<E>>,
        /// The files not restored, and why.
        failed: Vec<(String, SourceError)>,
    },
}

/// The largest environment file an edit reads (as the loader's limit).
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Writes `edits` through `source`, then runs `check` on the result. When
/// a write or the check fails, every file written is put back to the
/// bytes it had, and the error says so.
pub fn apply_checked<E>(
    source: &dyn Source,
    edits: &[FileEdit],
    check: impl FnOnce() -> Result<(), E>,
) -> Result<(), ApplyError<E>> {
    let mut originals = Vec::with_capacity(edits.len());
    for edit in edits {
        let bytes = source
            .read(&edit.path, MAX_BYTES)
            .map_err(ApplyError::Read)?;
        originals.push((edit.path.as_str(), bytes));
    }
    for (i, edit) in edits.iter().enumerate() {
        if let Err(e) = source.write(&edit.path, edit.text.as_bytes()) {
            return Err(restore(source, &originals[..i], ApplyError::Write(e)));
        }
    }
    match check() {
        Ok(()) => Ok(()),
        Err(e) => Err(restore(source, &originals, ApplyError::Invalid(e))),
    }
}

/// Puts `originals` back; returns `cause`, or a [`ApplyError::Restore`]
/// naming the files that could not be put back.
fn restore<E>(
    source: &dyn Source,
    originals: &[(&str, Vec<u8>)],
    cause: ApplyError<E>,
) -> ApplyError<E> {
    let failed: Vec<(String, SourceError)> = originals
        .iter()
        .filter_map(|(path, bytes)| {
            source
                .write(path, bytes)
                .err()
                .map(|e| ((*path).to_owned(), e))
        })
        .collect();
    if failed.is_empty() {
        cause
    } else {
        ApplyError::Restore {
            cause: Box::new(cause),
            failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    use cfggen_source::MemorySource;

    use super::*;

    /// A source whose reads or writes of some files fail.
    struct Faulty {
        inner: MemorySource,
        unreadable: BTreeSet<&'static str>,
        unwritable: BTreeSet<&'static str>,
        /// Writes that succeed before every write fails.
        writes_left: Mutex<usize>,
    }

    impl Faulty {
        fn new(files: &[(&'static str, &'static str)]) -> Self {
            Faulty {
                inner: MemorySource::new(files.iter().copied()),
                unreadable: BTreeSet::new(),
                unwritable: BTreeSet::new(),
                writes_left: Mutex::new(usize::MAX),
            }
        }

        fn text(&self, path: &str) -> String {
            String::from_utf8(self.inner.snapshot()[path].clone()).unwrap()
        }
    }

    fn denied(action: &'static str, path: &str) -> SourceError {
        SourceError::Io {
            action,
            path: path.to_owned(),
            message: "permission denied".into(),
        }
    }

    impl Source for Faulty {
        fn read(&self, rel: &str, max: u64) -> Result<Vec<u8>, SourceError> {
            if self.unreadable.contains(rel) {
                return Err(denied("read", rel));
            }
            self.inner.read(rel, max)
        }
        fn is_file(&self, rel: &str) -> bool {
            self.inner.is_file(rel)
        }
        fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
            self.inner.list(dir)
        }
        fn write(&self, rel: &str, contents: &[u8]) -> Result<(), SourceError> {
            let mut left = self.writes_left.lock().unwrap();
            if self.unwritable.contains(rel) || *left == 0 {
                return Err(denied("write", rel));
            }
            *left -= 1;
            self.inner.write(rel, contents)
        }
    }

    const DEV: &str = "name: dev\napps:\n  web:\n    image: r/x:v1\n";
    const BASE: &str = "apps:\n  web:\n    replicas: 2\n";

    fn edits() -> Vec<FileEdit> {
        vec![
            FileEdit {
                path: "environments/dev.yaml".into(),
                text: DEV.replace("v1", "v2"),
            },
            FileEdit {
                path: "environments/bases/b.yaml".into(),
                text: BASE.replace('2', "3"),
            },
        ]
    }

    fn files() -> [(&'static str, &'static str); 2] {
        [
            ("environments/dev.yaml", DEV),
            ("environments/bases/b.yaml", BASE),
        ]
    }

    #[test]
    fn a_valid_edit_is_kept() {
        let source = Faulty::new(&files());
        apply_checked(&source, &edits(), || Ok::<(), ()>(())).unwrap();
        assert_eq!(
            source.text("environments/dev.yaml"),
            DEV.replace("v1", "v2")
        );
    }

    #[test]
    fn an_invalid_edit_is_rolled_back() {
        let source = Faulty::new(&files());
        let e = apply_checked(&source, &edits(), || Err("broken")).unwrap_err();
        assert!(matches!(e, ApplyError::Invalid("broken")));
        assert_eq!(source.text("environments/dev.yaml"), DEV);
        assert_eq!(source.text("environments/bases/b.yaml"), BASE);
    }

    #[test]
    fn an_unreadable_file_is_never_written_nor_emptied() {
        let mut source = Faulty::new(&files());
        source.unreadable.insert("environments/bases/b.yaml");
        let mut checked = false;
        let e = apply_checked(&source, &edits(), || {
            checked = true;
            Ok::<(), ()>(())
        })
        .unwrap_err();
        assert!(matches!(e, ApplyError::Read(_)), "{e}");
        assert!(!checked, "nothing to check when nothing was written");
        assert_eq!(source.text("environments/dev.yaml"), DEV);
        assert_eq!(source.text("environments/bases/b.yaml"), BASE);
    }

    #[test]
    fn a_failed_write_puts_back_the_files_written_before_it() {
        let mut source = Faulty::new(&files());
        source.unwritable.insert("environments/bases/b.yaml");
        let e = apply_checked(&source, &edits(), || Ok::<(), ()>(())).unwrap_err();
        assert!(matches!(e, ApplyError::Write(_)), "{e}");
        assert_eq!(source.text("environments/dev.yaml"), DEV);
        assert_eq!(source.text("environments/bases/b.yaml"), BASE);
    }

    #[test]
    fn a_failed_restore_is_reported_with_the_files_left_edited() {
        let source = Faulty::new(&files());
        // Both edits are written, then every write (the restores) fails.
        *source.writes_left.lock().unwrap() = 2;
        let e = apply_checked(&source, &edits(), || Err("broken")).unwrap_err();
        let ApplyError::Restore { cause, failed } = &e else {
            panic!("expected a restore failure, got {e}");
        };
        assert!(matches!(**cause, ApplyError::Invalid("broken")));
        assert_eq!(failed.len(), 2);
        // The files hold the edit, whole: never empty, never cut short.
        assert_eq!(
            source.text("environments/dev.yaml"),
            DEV.replace("v1", "v2")
        );
        assert!(e.to_string().contains("environments/dev.yaml"), "{e}");
    }
}
