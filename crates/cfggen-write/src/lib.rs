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

mod stamps;

pub use cfggen_tree::Digest;
use cfggen_tree::{is_generated, File, RenderedEnv};
use rayon::iter::ParallelIterator;
use rayon::slice::ParallelSlice;
pub use stamps::{read_known, top_entries, Known, KnownFiles, Stamp, SETTLED};

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

/// What a write knows of the committed tree before it looks at it.
#[derive(Clone, Copy, Debug)]
pub enum Before<'a> {
    /// Nothing: every file is read.
    Unknown,
    /// Files known by an earlier reading: a file whose settled stamp is
    /// still its stamp is known by the digest read then, unread.
    Known(&'a KnownFiles),
    /// The whole tree as this run read it (as [`read_known`] reads
    /// it), when the tree was at generation [`Generation`]: if no cfggen
    /// wrote it since (its generation is the same), only the folder
    /// holding every file where that reading differs from the rendering
    /// is looked at again, and the files outside it are taken to be as
    /// they were read — a file another program changed out there since is
    /// left as that program left it, as if changed just after the write;
    /// else it is [`Before::Known`].
    Whole(&'a KnownFiles, Generation),
}

/// How many times cfggen wrote an environment's folder, as kept in the
/// folder's lock file (every write counts one more before it swaps its
/// files in, under the lock): a reading made at one generation is the tree
/// as cfggen left it while the generation is the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

/// The generation of `<generated>/<env>/` now (0 when its lock file is
/// missing or says nothing).
pub fn generation(generated: &Path, env: &str) -> Generation {
    let path = lock_path(generated, env);
    let mut text = String::new();
    let read = std::fs::File::open(path).and_then(|f| {
        use std::io::Read;
        f.take(32).read_to_string(&mut text)
    });
    Generation(
        read.ok()
            .and_then(|_| text.trim().parse().ok())
            .unwrap_or(0),
    )
}

/// Counts one more write of `<generated>/<env>/` (under its lock).
fn next_generation(generated: &Path, env: &str) -> Result<(), WriteError> {
    let path = lock_path(generated, env);
    let Generation(now) = generation(generated, env);
    std::fs::write(&path, format!("{}\n", now.wrapping_add(1))).map_err(io_err(&path))
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
    /// Files to write of which the rendering kept only the digest (those
    /// equal to the committed ones when it was made, or a large
    /// rendering's) were given no text ([`Stage::put`]): not kept, or not
    /// rendered again (the environment changed during the render).
    #[error("{} file(s) to write were given no text (the environment may have changed during the render): {}", .0.len(), .0.join(", "))]
    TextNotKept(Vec<String>),
    /// Files put to a [`Stage`] were not what was rendered and planned:
    /// the environment's files changed during the render.
    #[error("{} file(s) rendered otherwise than planned (the environment changed during the render): {}", .0.len(), .0.join(", "))]
    RenderedOtherwise(Vec<String>),
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
    if is_plain_dir(dir)? {
        visit(dir, "", &mut |rel, path, _| {
            files.insert(rel, std::fs::read(path).map_err(io_err(path))?);
            Ok(())
        })?;
    }
    Ok(files)
}

/// The file `rel` of the folder `dir`, refusing a symbolic link.
pub fn read_file(dir: &Path, rel: &str) -> Result<Vec<u8>, WriteError> {
    let path = dir.join(rel);
    refuse_symlink(&path)?;
    std::fs::read(&path).map_err(io_err(&path))
}

/// Whether `dir` is a folder (`false` when it is missing); a symbolic
/// link or a file there is an error.
fn is_plain_dir(dir: &Path) -> Result<bool, WriteError> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err(dir)(e)),
        Ok(m) if m.file_type().is_symlink() => Err(not_plain(dir, "a symbolic link")),
        Ok(m) if !m.is_dir() => Err(not_plain(dir, "not a folder")),
        Ok(_) => Ok(true),
    }
}

/// The signature of what [`visit`] calls for each file.
type OnFile<'f> = dyn FnMut(String, &Path, &std::fs::DirEntry) -> Result<(), WriteError> + 'f;

/// Calls `file` with the relative path, the path and the folder entry of
/// every file under `dir`, never following a symbolic link (one is an
/// error).
fn visit(dir: &Path, prefix: &str, file: &mut OnFile<'_>) -> Result<(), WriteError> {
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        visit_entry(&entry.map_err(io_err(dir))?, prefix, file)?;
    }
    Ok(())
}

/// [`visit`] of one entry of the folder whose relative path is `prefix`:
/// a file, or a folder visited.
fn visit_entry(
    entry: &std::fs::DirEntry,
    prefix: &str,
    file: &mut OnFile<'_>,
) -> Result<(), WriteError> {
    let path = entry.path();
    let name = entry.file_name().to_string_lossy().into_owned();
    let rel = if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    };
    let kind = entry.file_type().map_err(io_err(&path))?;
    if kind.is_symlink() {
        Err(not_plain(&path, "a symbolic link"))
    } else if kind.is_dir() {
        visit(&path, &rel, file)
    } else if kind.is_file() {
        file(rel, &path, entry)
    } else {
        Err(not_plain(&path, "not a regular file"))
    }
}

/// Compares the folder `dir` with what was rendered: the report a write
/// would produce, or the foreign files that forbid it. Reads one file at
/// a time (a large environment's tree is never held in memory): each
/// file cfggen renders is compared with its text (or its digest, when
/// only that was kept), and of any other file only the header is read. A
/// missing folder is an empty tree; symbolic links are an error. A file
/// kept as a digest that differs on disk is planned as changed, though
/// the rendering cannot write it ([`stage`] wants its text). A file
/// `known` with a settled stamp
/// that is still its stamp is known by the digest read then, unread.
pub fn plan_dir(
    dir: &Path,
    rendered: &RenderedEnv,
    known: &KnownFiles,
) -> Result<WriteReport, WriteError> {
    plan_within(dir, "", rendered, known)
}

/// [`plan_dir`] of the folder `under` of `dir` only (`""`: all of it),
/// counting every rendered file outside it as unchanged.
fn plan_within(
    dir: &Path,
    under: &str,
    rendered: &RenderedEnv,
    known: &KnownFiles,
) -> Result<WriteReport, WriteError> {
    let prefix = if under.is_empty() {
        String::new()
    } else {
        format!("{under}/")
    };
    let inside = |rel: &&String| rel.starts_with(&prefix);
    let mut report = WriteReport {
        unchanged: rendered.len() - rendered.files.keys().filter(inside).count(),
        ..WriteReport::default()
    };
    let mut foreign = Vec::new();
    let mut on_disk = Vec::new();
    let start = dir.join(under);
    if is_plain_dir(&start)? {
        visit(&start, under, &mut |rel, path, entry| {
            if rendered.contains(&rel)
                && stamps::known_digest(known, &rel, entry)
                    .is_some_and(|known| rendered.digest(&rel) == Some(known))
            {
                report.unchanged += 1;
                on_disk.push(rel);
                return Ok(());
            }
            let same = |old: &[u8]| match rendered.files.get(&rel)? {
                File::Text(text) => Some(old == text.as_bytes()),
                File::Digest(d) => Some(Digest::of(old) == *d),
            };
            let generated = if rendered.contains(&rel) {
                let old = std::fs::read(path).map_err(io_err(path))?;
                if same(&old) == Some(true) {
                    report.unchanged += 1;
                    on_disk.push(rel);
                    return Ok(());
                }
                is_generated(&old)
            } else {
                starts_with_header(path)?
            };
            match (generated, rendered.contains(&rel)) {
                (false, _) => foreign.push(rel.clone()),
                (true, true) => report.changed.push(rel.clone()),
                (true, false) => report.removed.push(rel.clone()),
            }
            on_disk.push(rel);
            Ok(())
        })?;
    }
    on_disk.sort_unstable();
    report.added = rendered
        .files
        .keys()
        .filter(inside)
        .filter(|rel| on_disk.binary_search(rel).is_err())
        .cloned()
        .collect();
    report.added.sort_unstable();
    report.changed.sort_unstable();
    report.removed.sort_unstable();
    if !foreign.is_empty() {
        foreign.sort();
        return Err(WriteError::Foreign(foreign));
    }
    Ok(report)
}

/// Whether the file at `path` starts with the generated-file header,
/// reading no more than the header.
fn starts_with_header(path: &Path) -> Result<bool, WriteError> {
    use std::io::Read;
    let prefix = cfggen_tree::HEADER_PREFIX.as_bytes();
    let mut head = Vec::with_capacity(prefix.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(prefix.len() as u64).read_to_end(&mut head))
        .map_err(io_err(path))?;
    Ok(is_generated(&head))
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

/// `path` is not a plain file or folder: it is `what`.
fn not_plain(path: &Path, what: &'static str) -> WriteError {
    WriteError::NotPlain {
        path: path.display().to_string(),
        what,
    }
}

fn refuse_symlink(path: &Path) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(not_plain(path, "a symbolic link")),
        _ => Ok(()),
    }
}

/// What [`stage`] came to.
#[derive(Debug)]
pub enum Staged {
    /// Nothing to write: the tree is the rendering.
    Unchanged(WriteReport),
    /// A write under way.
    Started(Box<Stage>),
}

/// A write of an environment under way: its staging folder, built beside
/// the tree, holds the rendered files of the folder the write replaces
/// but those whose text the rendering did not keep, which [`Stage::put`]
/// writes; [`Stage::finish`] swaps it in. Dropped unfinished, it is
/// removed, and the tree is as it was.
#[derive(Debug)]
pub struct Stage {
    generated: PathBuf,
    name: String,
    target: PathBuf,
    staging: PathBuf,
    scope: String,
    report: WriteReport,
    /// What [`Stage::put`] is still to be given, and what went wrong.
    wanted: std::sync::Mutex<Wanted>,
    finished: bool,
}

/// The files a [`Stage`] still wants, and what putting them found.
#[derive(Debug, Default)]
struct Wanted {
    /// Each file still to write, with its digest as rendered.
    files: BTreeMap<String, Digest>,
    /// Files whose text was not the one rendered.
    otherwise: Vec<String>,
    /// The first file that could not be written.
    failed: Option<WriteError>,
}

/// Plans the write of `rendered` into `<generated>/<env>/` and, when it
/// changes anything, starts it: the staging folder holds every file of the
/// folder the write replaces, but those to write whose text the rendering
/// did not keep (a large rendering kept as digests), which the caller
/// gives [`Stage::put`] before [`Stage::finish`]. What is planned is the
/// rendering's: each text put must have its digest. A file cfggen did not
/// write that the write would touch refuses it here, before anything is
/// written. The write is atomic: the smallest folder that holds every
/// change ([`scope`]) is built anew beside the tree and swapped in whole,
/// so a render that changes one app's files costs that app's folder.
pub fn stage(
    generated: &Path,
    rendered: &RenderedEnv,
    before: Before<'_>,
) -> Result<Staged, WriteError> {
    refuse_symlink(generated)?;
    let target = generated.join(&rendered.name);
    clean_leftovers(generated, &rendered.name);
    let report = match before {
        Before::Unknown => plan_dir(&target, rendered, &KnownFiles::new())?,
        Before::Known(known) => plan_dir(&target, rendered, known)?,
        Before::Whole(known, then) if generation(generated, &rendered.name) == then => {
            let differing = differing(rendered, known);
            let folder = deepest_folder(&target, rendered, differing.iter().map(String::as_str));
            plan_within(&target, &folder, rendered, known)?
        }
        Before::Whole(known, _) => plan_dir(&target, rendered, known)?,
    };
    if !report.touched() {
        return Ok(Staged::Unchanged(report));
    }
    std::fs::create_dir_all(generated).map_err(io_err(generated))?;
    let staging = generated.join(format!(
        ".{}.cfggen-new-{}",
        rendered.name,
        std::process::id()
    ));
    let scope = scope(&target, rendered, &report);
    let mut stage = Stage {
        generated: generated.to_path_buf(),
        name: rendered.name.clone(),
        target,
        staging,
        scope,
        report,
        wanted: std::sync::Mutex::new(Wanted::default()),
        finished: false,
    };
    let wanted = build(
        &stage.staging,
        &stage.target,
        &stage.scope,
        rendered,
        &stage.report,
    )?;
    stage.wanted = std::sync::Mutex::new(Wanted {
        files: wanted,
        ..Wanted::default()
    });
    Ok(Staged::Started(Box::new(stage)))
}

impl Stage {
    /// Whether files are still to be written, whose text the rendering
    /// did not keep.
    pub fn wants_text(&self) -> bool {
        self.wanted.lock().map_or(true, |w| !w.files.is_empty())
    }

    /// Writes the file `rel` with `text`, when it is one still to write
    /// (any other is left alone). Its digest must be the one rendered; one
    /// that is not is not written, and [`Stage::finish`] refuses.
    pub fn put(&self, rel: &str, text: &str) {
        let Ok(mut wanted) = self.wanted.lock() else {
            return;
        };
        let Some(digest) = wanted.files.get(rel).copied() else {
            return;
        };
        if Digest::of(text.as_bytes()) != digest {
            wanted.otherwise.push(rel.to_owned());
            return;
        }
        let inner = if self.scope.is_empty() {
            rel
        } else {
            rel.strip_prefix(&format!("{}/", self.scope)).unwrap_or(rel)
        };
        let dest = self.staging.join(inner);
        match std::fs::write(&dest, text) {
            Ok(()) => {
                wanted.files.remove(rel);
            }
            Err(e) if wanted.failed.is_none() => wanted.failed = Some(io_err(&dest)(e)),
            Err(_) => {}
        }
    }

    /// Swaps the staging folder in, when every file is written as
    /// rendered: else the first file that could not be written,
    /// [`WriteError::RenderedOtherwise`] or [`WriteError::TextNotKept`]
    /// (files given no text), and the tree is as it was.
    pub fn finish(mut self) -> Result<WriteReport, WriteError> {
        let wanted = match self.wanted.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Wanted {
                otherwise: vec!["(the write's state was lost)".to_owned()],
                ..Wanted::default()
            },
        };
        if let Some(e) = wanted.failed {
            return Err(e);
        }
        if !wanted.otherwise.is_empty() {
            return Err(WriteError::RenderedOtherwise(wanted.otherwise));
        }
        if !wanted.files.is_empty() {
            return Err(WriteError::TextNotKept(wanted.files.into_keys().collect()));
        }
        next_generation(&self.generated, &self.name)?;
        swap(&self.staging, &self.target.join(&self.scope))?;
        self.finished = true;
        Ok(std::mem::take(&mut self.report))
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// The folder, relative to the environment's (`""` for the whole tree),
/// that a write replaces: the deepest folder holding every added, changed
/// and removed file, that exists on disk and still holds a rendered file
/// (so a swap never leaves an empty folder behind).
pub fn scope(target: &Path, rendered: &RenderedEnv, report: &WriteReport) -> String {
    let touched = report
        .added
        .iter()
        .chain(&report.changed)
        .chain(&report.removed);
    deepest_folder(target, rendered, touched.map(String::as_str))
}

/// The paths where what is known of the tree and the rendering differ: files
/// rendered that it does not have or has with another digest, and files
/// it has that are not rendered.
fn differing(rendered: &RenderedEnv, known: &KnownFiles) -> Vec<String> {
    let mut paths: Vec<String> = rendered
        .files
        .keys()
        .filter(|rel| known.get(*rel).map(|k| k.digest) != rendered.digest(rel))
        .chain(known.keys().filter(|rel| !rendered.contains(rel)))
        .cloned()
        .collect();
    paths.sort_unstable();
    paths
}

/// The deepest folder holding every one of the `touched` paths, that
/// exists on disk under `target` and still holds a rendered file (`""`:
/// the whole tree).
fn deepest_folder<'p>(
    target: &Path,
    rendered: &RenderedEnv,
    mut touched: impl Iterator<Item = &'p str>,
) -> String {
    let folder = |rel: &str| rel.rsplit_once('/').map_or("", |(f, _)| f).to_owned();
    let mut common = touched.next().map(folder).unwrap_or_default();
    for path in touched {
        while !common.is_empty() && !path.starts_with(&format!("{common}/")) {
            common = folder(&common);
        }
    }
    while !common.is_empty() {
        let holds_a_file = rendered.holds_under(&format!("{common}/"));
        let on_disk = std::fs::symlink_metadata(target.join(&common)).is_ok_and(|m| m.is_dir());
        if holds_a_file && on_disk {
            break;
        }
        common = folder(&common);
    }
    common
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
/// the next write ([`stage`]) removes.
pub fn has_leftovers(generated: &Path, env: &str) -> bool {
    !leftovers(generated, env).is_empty()
}

/// Removes staging folders left by a render that was killed.
fn clean_leftovers(generated: &Path, env: &str) {
    for dir in leftovers(generated, env) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Builds in `staging` the folder `scope` of the environment as rendered:
/// files the report leaves unchanged are hard-linked from `target`, those
/// it adds or changes are written from their text; those without text
/// are given back, with their digests, to be written later.
fn build(
    staging: &Path,
    target: &Path,
    scope: &str,
    rendered: &RenderedEnv,
    report: &WriteReport,
) -> Result<BTreeMap<String, Digest>, WriteError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(io_err(staging))?;
    let new: std::collections::BTreeSet<&str> = report
        .added
        .iter()
        .chain(&report.changed)
        .map(String::as_str)
        .collect();
    let under = if scope.is_empty() {
        String::new()
    } else {
        format!("{scope}/")
    };
    // Each file of the scope with its text; a file kept as a digest has
    // none, and is unchanged (`plan_dir` made sure), so it is linked.
    let files: Vec<(&str, PathBuf, Option<&str>)> = rendered
        .files
        .range(under.clone()..)
        .map_while(|(rel, file)| Some((rel, file.text(), rel.strip_prefix(&under)?)))
        .map(|(rel, text, inner)| (rel.as_str(), staging.join(inner), text))
        .collect();
    let mut made: std::collections::BTreeSet<&Path> = std::collections::BTreeSet::new();
    for (_, dest, _) in &files {
        if let Some(parent) = dest.parent() {
            if made.insert(parent) {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
        }
    }
    // Creating files is most of a large write: tasks of the caller's
    // worker pool (rayon's) share it (the staging folder is not seen
    // until the swap).
    let put = |chunk: &[(&str, PathBuf, Option<&str>)]| -> Result<Vec<String>, WriteError> {
        let mut later = Vec::new();
        for (rel, dest, text) in chunk {
            if !new.contains(rel) && std::fs::hard_link(target.join(rel), dest).is_ok() {
                continue;
            }
            match text {
                Some(text) => std::fs::write(dest, text).map_err(io_err(dest))?,
                None => later.push((*rel).to_owned()),
            }
        }
        Ok(later)
    };
    let later: Vec<Vec<String>> = files
        .par_chunks(FILES_A_TASK)
        .map(put)
        .collect::<Result<_, _>>()?;
    Ok(later
        .into_iter()
        .flatten()
        .filter_map(|rel| Some((rel.clone(), rendered.digest(&rel)?)))
        .collect())
}

/// How many files one task of a write creates.
const FILES_A_TASK: usize = 256;

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

    /// Writes `rendered` into `<generated>/<env>/`, as `cfggen render`
    /// does: staged, then finished.
    pub(crate) fn write_environment(
        generated: &Path,
        rendered: &RenderedEnv,
        before: Before<'_>,
    ) -> Result<WriteReport, WriteError> {
        match stage(generated, rendered, before)? {
            Staged::Unchanged(report) => Ok(report),
            Staged::Started(stage) => stage.finish(),
        }
    }

    fn rendered(files: &[(&str, &str)]) -> RenderedEnv {
        RenderedEnv {
            name: "dev".into(),
            files: files
                .iter()
                .map(|(p, t)| {
                    (
                        (*p).to_owned(),
                        File::Text(format!("{} test\n{t}", cfggen_tree::HEADER_PREFIX)),
                    )
                })
                .collect(),
            ..RenderedEnv::default()
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
            Before::Unknown,
        )?;
        assert_eq!(first.added, vec!["a/x.yaml", "a/y.yaml"]);
        let x_before =
            std::fs::metadata(generated.join("dev/a/x.yaml")).map_err(io_err(&generated))?;

        let again = write_environment(
            &generated,
            &rendered(&[("a/x.yaml", "1"), ("a/y.yaml", "2")]),
            Before::Unknown,
        )?;
        assert!(!again.touched());
        assert_eq!(again.unchanged, 2);

        let third = write_environment(
            &generated,
            &rendered(&[("a/x.yaml", "1"), ("b/z.yaml", "3")]),
            Before::Unknown,
        )?;
        assert_eq!(third.added, vec!["b/z.yaml"]);
        assert_eq!(third.removed, vec!["a/y.yaml"]);
        assert_eq!(third.unchanged, 1);
        let x_after =
            std::fs::metadata(generated.join("dev/a/x.yaml")).map_err(io_err(&generated))?;
        assert_eq!(x_before.modified().ok(), x_after.modified().ok());
        assert!(!generated.join("dev/a/y.yaml").exists());
        // No staging folder is left behind (beside the tree: the lock file,
        // which counts the writes).
        let mut names: Vec<String> = std::fs::read_dir(&generated)
            .map_err(io_err(&generated))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec![".dev.cfggen.lock", "dev"]);
        // Two of the three writes changed the tree.
        assert_eq!(generation(&generated, "dev"), Generation(2));
        Ok(())
    }

    /// `files` as rendered, keeping of `as_digests` their digest only.
    fn partly_kept(files: &[(&str, &str)], as_digests: &[&str]) -> RenderedEnv {
        let mut env = rendered(files);
        for path in as_digests {
            if let Some(file) = env.files.get_mut(*path) {
                *file = File::Digest(file.digest());
            }
        }
        env
    }

    #[test]
    fn files_kept_as_digests_are_linked_and_never_written_from_nothing() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let files = [("a/x.yaml", "1"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        write_environment(&generated, &rendered(&files), Before::Unknown)?;
        let y = generated.join("dev/a/y.yaml");
        let (y_inode, z_inode) = (inode(&y), inode(&generated.join("dev/b/z.yaml")));
        // x changes; y and z are kept as digests of what is on disk.
        let changed = [("a/x.yaml", "one"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        let report = write_environment(
            &generated,
            &partly_kept(&changed, &["a/y.yaml", "b/z.yaml"]),
            Before::Unknown,
        )?;
        assert_eq!(report.changed, vec!["a/x.yaml"]);
        assert_eq!(report.unchanged, 2);
        assert_eq!(inode(&y), y_inode, "a file kept as a digest is linked");
        assert_eq!(inode(&generated.join("dev/b/z.yaml")), z_inode);
        assert_eq!(
            std::fs::read_to_string(&y).map_err(io_err(&y))?,
            format!("{} test\n2", cfggen_tree::HEADER_PREFIX)
        );
        // A file kept as a digest that changed on disk, or went missing,
        // cannot be written from the rendering: nothing is touched.
        std::fs::write(&y, format!("{} test\nedited", cfggen_tree::HEADER_PREFIX))
            .map_err(io_err(&y))?;
        std::fs::remove_file(generated.join("dev/b/z.yaml")).map_err(io_err(&generated))?;
        let again = [("a/x.yaml", "1"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        let err = write_environment(
            &generated,
            &partly_kept(&again, &["a/y.yaml", "b/z.yaml"]),
            Before::Unknown,
        );
        assert!(
            matches!(err, Err(WriteError::TextNotKept(ref f)) if f == &["a/y.yaml", "b/z.yaml"]),
            "{err:?}"
        );
        let x = generated.join("dev/a/x.yaml");
        assert!(std::fs::read_to_string(&x)
            .map_err(io_err(&x))?
            .ends_with("one"));
        // Started, the write wants those texts; one that is not what was
        // rendered is refused, and a stage dropped leaves nothing behind.
        let kept = partly_kept(&again, &["a/y.yaml", "b/z.yaml"]);
        let text = |t: &str| format!("{} test\n{t}", cfggen_tree::HEADER_PREFIX);
        let Staged::Started(first) = stage(&generated, &kept, Before::Unknown)? else {
            panic!("a write to start");
        };
        assert!(first.wants_text());
        first.put("a/y.yaml", &text("other"));
        first.put("b/z.yaml", &text("3"));
        assert!(
            matches!(first.finish(), Err(WriteError::RenderedOtherwise(ref f)) if f == &["a/y.yaml"])
        );
        assert!(
            !has_leftovers(&generated, "dev"),
            "the staging folder is gone"
        );
        assert!(std::fs::read_to_string(&y)
            .map_err(io_err(&y))?
            .ends_with("edited"));
        // A text that cannot be written is that error, not a missing text.
        let Staged::Started(lost) = stage(&generated, &kept, Before::Unknown)? else {
            panic!("a write to start");
        };
        for dir in leftovers(&generated, "dev") {
            std::fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        lost.put("a/y.yaml", &text("2"));
        assert!(matches!(lost.finish(), Err(WriteError::Io { .. })));
        // Given the texts as rendered, it goes through.
        let Staged::Started(stage) = stage(&generated, &kept, Before::Unknown)? else {
            panic!("a write to start");
        };
        for (rel, t) in again {
            stage.put(rel, &text(t));
        }
        assert!(!stage.wants_text());
        let report = stage.finish()?;
        assert_eq!(report.changed, ["a/x.yaml", "a/y.yaml"]);
        assert_eq!(report.added, ["b/z.yaml"]);
        assert!(generated.join("dev/b/z.yaml").exists());
        assert!(std::fs::read_to_string(&y)
            .map_err(io_err(&y))?
            .ends_with('2'));
        Ok(())
    }

    #[test]
    fn refuses_to_delete_or_overwrite_foreign_files() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        write_environment(&generated, &rendered(&[("a/x.yaml", "1")]), Before::Unknown)?;
        std::fs::write(generated.join("dev/a/notes.txt"), "mine").map_err(io_err(&generated))?;
        let err = write_environment(&generated, &rendered(&[("a/x.yaml", "2")]), Before::Unknown);
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
        let err = write_environment(&generated, &rendered(&[("a/x.yaml", "2")]), Before::Unknown);
        assert!(matches!(err, Err(WriteError::Foreign(_))));
        Ok(())
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata(path) {
            Ok(m) => m.ino(),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }

    #[test]
    fn a_change_in_one_folder_replaces_that_folder_only() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let files = [
            ("a/x.yaml", "1"),
            ("b/c/y.yaml", "2"),
            ("b/c/z.yaml", "3"),
            ("top.yaml", "4"),
        ];
        write_environment(&generated, &rendered(&files), Before::Unknown)?;
        let env = generated.join("dev");
        let (root, a, c) = (inode(&env), inode(&env.join("a")), inode(&env.join("b/c")));
        let z = inode(&env.join("b/c/z.yaml"));
        // One file of b/c changes: only b/c is built anew and swapped.
        let one = [
            ("a/x.yaml", "1"),
            ("b/c/y.yaml", "2+"),
            ("b/c/z.yaml", "3"),
            ("top.yaml", "4"),
        ];
        let report = write_environment(&generated, &rendered(&one), Before::Unknown)?;
        assert_eq!(report.changed, vec!["b/c/y.yaml"]);
        assert_eq!(scope(&env, &rendered(&one), &report), "b/c");
        assert_eq!((inode(&env), inode(&env.join("a"))), (root, a));
        assert_ne!(inode(&env.join("b/c")), c, "b/c was swapped");
        assert_eq!(
            inode(&env.join("b/c/z.yaml")),
            z,
            "an unchanged file is the same file"
        );
        let read = read_tree(&env)?;
        let expected: BTreeMap<String, Vec<u8>> = rendered(&one)
            .files
            .into_iter()
            .filter_map(|(k, f)| Some((k, f.text()?.as_bytes().to_vec())))
            .collect();
        assert_eq!(read, expected);
        // Changes in two folders replace their common folder, the root.
        let two = [
            ("a/x.yaml", "1+"),
            ("b/c/y.yaml", "2"),
            ("b/c/z.yaml", "3"),
            ("top.yaml", "4"),
        ];
        let report = write_environment(&generated, &rendered(&two), Before::Unknown)?;
        assert_eq!(scope(&env, &rendered(&two), &report), "");
        assert_ne!(inode(&env), root);
        Ok(())
    }

    #[test]
    fn the_scope_never_leaves_an_empty_folder_or_starts_in_a_missing_one() {
        let dir = tmp();
        let env = dir.path().join("dev");
        let report = |added: &[&str], removed: &[&str]| WriteReport {
            added: added.iter().map(|s| (*s).to_owned()).collect(),
            removed: removed.iter().map(|s| (*s).to_owned()).collect(),
            ..WriteReport::default()
        };
        let _ = std::fs::create_dir_all(env.join("a/b"));
        // Every file of a/b goes: a/b would be left empty, so a/ is swapped.
        let kept = rendered(&[("a/k.yaml", "1")]);
        assert_eq!(scope(&env, &kept, &report(&[], &["a/b/x.yaml"])), "a");
        // A new folder a/n that is not on disk yet: its parent a/ is swapped.
        let new = rendered(&[("a/k.yaml", "1"), ("a/n/x.yaml", "1")]);
        assert_eq!(scope(&env, &new, &report(&["a/n/x.yaml"], &[])), "a");
        // Nothing rendered under a/ any more: the whole tree.
        assert_eq!(
            scope(
                &env,
                &rendered(&[("z.yaml", "1")]),
                &report(&[], &["a/k.yaml"])
            ),
            ""
        );
    }

    #[test]
    fn a_reading_of_this_run_has_the_write_look_only_where_it_differs() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let env = generated.join("dev");
        let files = [("a/x.yaml", "1"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        write_environment(&generated, &rendered(&files), Before::Unknown)?;
        let then = generation(&generated, "dev");
        let known = crate::stamps::tests::read_known_tree(&env, &KnownFiles::new())?;
        // After the reading, another program edits b/ (outside the folder
        // where the reading and the rendering differ) and a/.
        let outside = env.join("b/z.yaml");
        let edited = format!("{} test\nedited", cfggen_tree::HEADER_PREFIX);
        std::fs::write(&outside, &edited).map_err(io_err(&outside))?;
        let stray = env.join("a/stray.yaml");
        std::fs::write(&stray, "mine").map_err(io_err(&stray))?;
        let next = [("a/x.yaml", "1+"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        // Inside a/ it finds the foreign file and refuses, as always.
        let refused = write_environment(&generated, &rendered(&next), Before::Whole(&known, then));
        assert!(
            matches!(&refused, Err(WriteError::Foreign(f)) if f == &["a/stray.yaml".to_owned()]),
            "{refused:?}"
        );
        std::fs::remove_file(&stray).map_err(io_err(&stray))?;
        let report = write_environment(&generated, &rendered(&next), Before::Whole(&known, then))?;
        assert_eq!(report.changed, ["a/x.yaml"]);
        assert_eq!(report.unchanged, 2);
        assert!(report.added.is_empty() && report.removed.is_empty());
        // b/ was taken as it was read, and left alone.
        assert_eq!(
            std::fs::read(&outside).map_err(io_err(&outside))?,
            edited.as_bytes()
        );
        // Asked to look at everything, the write puts b/z.yaml back.
        let all = write_environment(&generated, &rendered(&next), Before::Unknown)?;
        assert_eq!(all.changed, ["b/z.yaml"]);
        // Another cfggen writing after the reading (a render of other
        // files, which waited for the lock) moves the generation on: the
        // write then looks at everything, and puts b/z.yaml right.
        let then = generation(&generated, "dev");
        let known = crate::stamps::tests::read_known_tree(&env, &KnownFiles::new())?;
        let other = [("a/x.yaml", "1+"), ("a/y.yaml", "2"), ("b/z.yaml", "other")];
        write_environment(&generated, &rendered(&other), Before::Unknown)?;
        assert_ne!(generation(&generated, "dev"), then);
        let ours = [("a/x.yaml", "1++"), ("a/y.yaml", "2"), ("b/z.yaml", "3")];
        let report = write_environment(&generated, &rendered(&ours), Before::Whole(&known, then))?;
        assert_eq!(report.changed, ["a/x.yaml", "b/z.yaml"]);
        // A file the reading has and the rendering no longer has is removed;
        // one the rendering adds is added: both are where they differ.
        let then = generation(&generated, "dev");
        let known = crate::stamps::tests::read_known_tree(&env, &KnownFiles::new())?;
        let moved = [("a/x.yaml", "1++"), ("a/w.yaml", "2"), ("b/z.yaml", "3")];
        let report = write_environment(&generated, &rendered(&moved), Before::Whole(&known, then))?;
        assert_eq!(report.added, ["a/w.yaml"]);
        assert_eq!(report.removed, ["a/y.yaml"]);
        assert_eq!(report.unchanged, 2);
        assert_eq!(read_tree(&env)?.len(), 3);
        Ok(())
    }

    #[test]
    fn leftover_staging_folders_are_cleaned() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let stale = generated.join(".dev.cfggen-new-12345/a");
        std::fs::create_dir_all(&stale).map_err(io_err(&stale))?;
        write_environment(&generated, &rendered(&[("a/x.yaml", "1")]), Before::Unknown)?;
        assert!(!generated.join(".dev.cfggen-new-12345").exists());
        Ok(())
    }
}
