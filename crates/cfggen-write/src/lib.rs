//! cfggen's write stage: a [`RenderedEnv`] → `generated/<env>/` on disk.
//!
//! * Atomic: the new tree is built in a temporary folder beside the target
//!   and swapped in with one `renameat2(RENAME_EXCHANGE)` (Linux), so a
//!   reader — or a render killed half-way — sees the old tree or the new
//!   one, never a mix.
//! * Minimal: files whose bytes do not change are hard-linked into the new
//!   tree (same inode, same mtime); when nothing changes, nothing is touched.
//! * Careful: a file is cfggen's when its first line is the generated-file
//!   header. A render that would delete or overwrite any other file under
//!   `generated/<env>/` is refused before anything is written. Symbolic
//!   links are never followed.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use cfggen_tree::{is_generated, RenderedEnv};

/// What a write did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files that are new.
    pub added: Vec<String>,
    /// Files whose content changed.
    pub changed: Vec<String>,
    /// Files cfggen wrote earlier that are no longer produced.
    pub removed: Vec<String>,
    /// Files left exactly as they were.
    pub unchanged: usize,
}

impl WriteReport {
    /// Whether the tree on disk was replaced.
    pub fn touched(&self) -> bool {
        !(self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty())
    }
}

/// Why a write was refused or failed. Nothing was changed in either case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Files cfggen did not write would be deleted or overwritten.
    #[error("refusing to touch {} file(s) cfggen did not write: {}", .0.len(), .0.join(", "))]
    Foreign(Vec<String>),
    /// A path is a symbolic link or otherwise not a plain file or folder.
    #[error("{path} is {what}; cfggen only writes plain files and folders")]
    NotPlain {
        /// The path.
        path: String,
        /// What it is.
        what: &'static str,
    },
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads every file under `dir` (relative `/`-separated path → bytes).
/// A missing folder is an empty tree. Symbolic links are an error.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, WriteError> {
    let mut files = BTreeMap::new();
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(io_err(dir)(e)),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(WriteError::NotPlain {
                path: dir.display().to_string(),
                what: "a symbolic link",
            })
        }
        Ok(m) if !m.is_dir() => {
            return Err(WriteError::NotPlain {
                path: dir.display().to_string(),
                what: "not a folder",
            })
        }
        Ok(_) => {}
    }
    walk(dir, "", &mut files)?;
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) -> Result<(), WriteError> {
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(io_err(&path))?;
        if kind.is_symlink() {
            return Err(WriteError::NotPlain {
                path: path.display().to_string(),
                what: "a symbolic link",
            });
        } else if kind.is_dir() {
            walk(&path, &rel, files)?;
        } else if kind.is_file() {
            files.insert(rel, std::fs::read(&path).map_err(io_err(&path))?);
        } else {
            return Err(WriteError::NotPlain {
                path: path.display().to_string(),
                what: "not a regular file",
            });
        }
    }
    Ok(())
}

/// Compares what is on disk with what was rendered: the report a write
/// would produce, or the foreign files that forbid it.
pub fn plan(
    existing: &BTreeMap<String, Vec<u8>>,
    rendered: &RenderedEnv,
) -> Result<WriteReport, WriteError> {
    let mut report = WriteReport::default();
    let mut foreign = Vec::new();
    for (path, text) in &rendered.files {
        match existing.get(path) {
            None => report.added.push(path.clone()),
            Some(old) if old.as_slice() == text.as_bytes() => report.unchanged += 1,
            Some(old) if is_generated(old) => report.changed.push(path.clone()),
            Some(_) => foreign.push(path.clone()),
        }
    }
    for (path, old) in existing {
        if rendered.files.contains_key(path) {
            continue;
        }
        if is_generated(old) {
            report.removed.push(path.clone());
        } else {
            foreign.push(path.clone());
        }
    }
    if foreign.is_empty() {
        Ok(report)
    } else {
        foreign.sort();
        Err(WriteError::Foreign(foreign))
    }
}

/// Holds the lock of one environment's output folder; released on drop.
#[derive(Debug)]
pub struct EnvLock {
    _file: std::fs::File,
}

/// The lock file of an environment, beside its folder.
pub fn lock_path(generated: &Path, env: &str) -> PathBuf {
    generated.join(format!(".{env}.cfggen.lock"))
}

/// Takes the lock of `<generated>/<env>/`, so that two renders of one
/// environment run one after the other. Calls `on_wait` once if another
/// process holds it, then waits.
pub fn lock_environment(
    generated: &Path,
    env: &str,
    on_wait: impl FnOnce(&Path),
) -> Result<EnvLock, WriteError> {
    refuse_symlink(generated)?;
    std::fs::create_dir_all(generated).map_err(io_err(generated))?;
    let path = lock_path(generated, env);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            on_wait(&path);
            file.lock().map_err(io_err(&path))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_err(&path)(e)),
    }
    Ok(EnvLock { _file: file })
}

fn refuse_symlink(path: &Path) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(WriteError::NotPlain {
            path: path.display().to_string(),
            what: "a symbolic link",
        }),
        _ => Ok(()),
    }
}

/// Writes `rendered` into `<generated>/<env>/`, atomically.
pub fn write_environment(
    generated: &Path,
    rendered: &RenderedEnv,
) -> Result<WriteReport, WriteError> {
    refuse_symlink(generated)?;
    let target = generated.join(&rendered.name);
    clean_leftovers(generated, &rendered.name);
    let existing = read_tree(&target)?;
    let report = plan(&existing, rendered)?;
    if !report.touched() {
        return Ok(report);
    }
    std::fs::create_dir_all(generated).map_err(io_err(generated))?;
    let staging = generated.join(format!(
        ".{}.cfggen-new-{}",
        rendered.name,
        std::process::id()
    ));
    let result =
        build(&staging, &target, rendered, &existing).and_then(|()| swap(&staging, &target));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result.map(|()| report)
}

/// Staging folders of `env` left by a render that was killed.
fn leftovers(generated: &Path, env: &str) -> Vec<PathBuf> {
    let prefix = format!(".{env}.cfggen-");
    let Ok(entries) = std::fs::read_dir(generated) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            entry.file_type().is_ok_and(|t| t.is_dir()) && name.starts_with(&prefix)
        })
        .map(|entry| entry.path())
        .collect()
}

/// Whether a killed render left staging folders of `env` beside it, which
/// the next [`write_environment`] removes.
pub fn has_leftovers(generated: &Path, env: &str) -> bool {
    !leftovers(generated, env).is_empty()
}

/// Removes staging folders left by a render that was killed.
fn clean_leftovers(generated: &Path, env: &str) {
    for dir in leftovers(generated, env) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn build(
    staging: &Path,
    target: &Path,
    rendered: &RenderedEnv,
    existing: &BTreeMap<String, Vec<u8>>,
) -> Result<(), WriteError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(io_err(staging))?;
    let mut made: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for (rel, text) in &rendered.files {
        let dest = staging.join(rel);
        if let Some(parent) = dest.parent() {
            if made.insert(parent.to_path_buf()) {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
        }
        let same = existing
            .get(rel)
            .is_some_and(|old| old.as_slice() == text.as_bytes());
        if same && std::fs::hard_link(target.join(rel), &dest).is_ok() {
            continue;
        }
        std::fs::write(&dest, text).map_err(io_err(&dest))?;
    }
    Ok(())
}

/// Puts `staging` in place of `target`; the old tree is removed after.
fn swap(staging: &Path, target: &Path) -> Result<(), WriteError> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(staging, target).map_err(io_err(target));
    }
    exchange(staging, target).map_err(io_err(target))?;
    // `staging` now holds the old tree.
    std::fs::remove_dir_all(staging).map_err(io_err(staging))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    // Two renames: between them the target is briefly absent, never mixed.
    let parked = b.with_extension("cfggen-old");
    std::fs::rename(b, &parked)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&parked, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(files: &[(&str, &str)]) -> RenderedEnv {
        RenderedEnv {
            name: "dev".into(),
            files: files
                .iter()
                .map(|(p, t)| {
                    (
                        (*p).to_owned(),
                        format!("{} test\n{t}", cfggen_tree::HEADER_PREFIX),
                    )
                })
                .collect(),
            objects: Default::default(),
        }
    }

    fn tmp() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        }
    }

    #[test]
    fn writes_then_changes_only_what_differs() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let first = write_environment(
            &generated,
            &rendered(&[("a/x.yaml", "1"), ("a/y.yaml", "2")]),
        )?;
        assert_eq!(first.added, vec!["a/x.yaml", "a/y.yaml"]);
        let x_before =
            std::fs::metadata(generated.join("dev/a/x.yaml")).map_err(io_err(&generated))?;

        let again = write_environment(
            &generated,
            &rendered(&[("a/x.yaml", "1"), ("a/y.yaml", "2")]),
        )?;
        assert!(!again.touched());
        assert_eq!(again.unchanged, 2);

        let third = write_environment(
            &generated,
            &rendered(&[("a/x.yaml", "1"), ("b/z.yaml", "3")]),
        )?;
        assert_eq!(third.added, vec!["b/z.yaml"]);
        assert_eq!(third.removed, vec!["a/y.yaml"]);
        assert_eq!(third.unchanged, 1);
        let x_after =
            std::fs::metadata(generated.join("dev/a/x.yaml")).map_err(io_err(&generated))?;
        assert_eq!(x_before.modified().ok(), x_after.modified().ok());
        assert!(!generated.join("dev/a/y.yaml").exists());
        // No staging folder is left behind.
        let names: Vec<String> = std::fs::read_dir(&generated)
            .map_err(io_err(&generated))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["dev"]);
        Ok(())
    }

    #[test]
    fn refuses_to_delete_or_overwrite_foreign_files() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        write_environment(&generated, &rendered(&[("a/x.yaml", "1")]))?;
        std::fs::write(generated.join("dev/a/notes.txt"), "mine").map_err(io_err(&generated))?;
        let err = write_environment(&generated, &rendered(&[("a/x.yaml", "2")]));
        assert!(
            matches!(err, Err(WriteError::Foreign(ref f)) if f == &vec!["a/notes.txt".to_owned()])
        );
        // Nothing changed.
        let x =
            std::fs::read_to_string(generated.join("dev/a/x.yaml")).map_err(io_err(&generated))?;
        assert!(x.ends_with('1'));
        std::fs::write(generated.join("dev/a/x.yaml"), "hand written")
            .map_err(io_err(&generated))?;
        std::fs::remove_file(generated.join("dev/a/notes.txt")).map_err(io_err(&generated))?;
        let err = write_environment(&generated, &rendered(&[("a/x.yaml", "2")]));
        assert!(matches!(err, Err(WriteError::Foreign(_))));
        Ok(())
    }

    #[test]
    fn leftover_staging_folders_are_cleaned() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let stale = generated.join(".dev.cfggen-new-12345/a");
        std::fs::create_dir_all(&stale).map_err(io_err(&stale))?;
        write_environment(&generated, &rendered(&[("a/x.yaml", "1")]))?;
        assert!(!generated.join(".dev.cfggen-new-12345").exists());
        Ok(())
    }
}
