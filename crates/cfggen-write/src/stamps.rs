//! A committed tree known by the digest of each file, reading only the
//! files that may have changed since they were last read: a file whose
//! stamp (length, modification and change times, inode, device) is the
//! one recorded is the file recorded, as git's index tells it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::{io_err, is_plain_dir, visit_entry, Digest, WriteError};

/// What a file's metadata says of it without reading it. Any write to a
/// file changes its change time, which on the local file systems of
/// Linux no program can set back, so an equal stamp means equal bytes,
/// but for a write within the timestamp granularity of the moment it was
/// taken: a stamp is only kept once it is [`SETTLED`] old, and only on
/// those file systems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    /// Modification time, nanoseconds since the epoch.
    mtime: i64,
    /// Change time, nanoseconds since the epoch.
    ctime: i64,
    ino: u64,
    dev: u64,
}

/// How old both times of a file must be for its stamp to be kept: a
/// write in the same tick as the reading (1 s or 2 s on coarse file
/// systems) could leave them as they were.
pub const SETTLED: Duration = Duration::from_secs(3);

impl Stamp {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Stamp {
            len: meta.len(),
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
            ctime: ns(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }

    /// Elsewhere there is no change time: no stamp is trusted.
    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: 0,
            mtime: i64::MAX,
            ctime: i64::MAX,
            ino: 0,
            dev: 0,
        }
    }

    /// The stamp as five numbers (length, modification and change times,
    /// inode, device), to be kept in a file.
    pub fn words(&self) -> [u64; 5] {
        [
            self.len,
            self.mtime as u64,
            self.ctime as u64,
            self.ino,
            self.dev,
        ]
    }

    /// The stamp [`Stamp::words`] gave.
    pub fn from_words(w: [u64; 5]) -> Stamp {
        Stamp {
            len: w[0],
            mtime: w[1] as i64,
            ctime: w[2] as i64,
            ino: w[3],
            dev: w[4],
        }
    }

    /// Whether both times are before `moment` (nanoseconds since the epoch).
    fn before(&self, moment: i64) -> bool {
        self.mtime < moment && self.ctime < moment
    }
}

/// A file of a committed tree known by its digest and, when it can be
/// trusted next time, its stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// The digest of its bytes.
    pub digest: Digest,
    /// Its stamp when it was read, if settled.
    pub stamp: Option<Stamp>,
}

/// What is known of the files of a committed tree: relative path → file.
pub type KnownFiles = BTreeMap<String, Known>;

/// The entries at the top of `dir`, to be given to [`read_known`] in
/// runs of any size (none when `dir` does not exist; a symbolic link is
/// an error).
pub fn top_entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, WriteError> {
    if !is_plain_dir(dir)? {
        return Ok(Vec::new());
    }
    std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(io_err(dir))
}

/// The digest of every file under `entries` (entries at the top of
/// `dir`, read as [`crate::read_tree`] reads them), taking from `before`
/// the digest of each file whose settled stamp is unchanged and reading
/// the others; symbolic links are an error. The stamp of a file is kept
/// when it is settled and the file system of `dir` keeps change times.
pub fn read_known(
    dir: &Path,
    entries: &[std::fs::DirEntry],
    before: &KnownFiles,
) -> Result<KnownFiles, WriteError> {
    let settled = SystemTime::now()
        .checked_sub(SETTLED)
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    let trusted_here = stamps_are_trusted(dir);
    let mut files = KnownFiles::new();
    let mut record = |rel: String, path: &Path, entry: &std::fs::DirEntry| {
        // A stamp to compare is taken from the folder entry (asked of
        // its folder, without looking its whole path up again; not
        // followed if a link); when it is not the one kept, or there
        // is none, the file is read, and the stamp kept is taken from
        // the handle it is read through: the very file read.
        let (digest, stamp) = match before.get(&rel).filter(|k| k.stamp.is_some()) {
            Some(known) => {
                let now = Stamp::of(&entry.metadata().map_err(io_err(path))?);
                match trusted(known, &now) {
                    Some(digest) => (digest, now),
                    None => read_with_stamp(path)?,
                }
            }
            None => read_with_stamp(path)?,
        };
        let keep = trusted_here && stamp.before(settled);
        files.insert(
            rel,
            Known {
                digest,
                stamp: keep.then_some(stamp),
            },
        );
        Ok(())
    };
    for entry in entries {
        visit_entry(entry, "", &mut record)?;
    }
    Ok(files)
}

/// The digest `known` gives for the file `rel`, when it kept a (settled)
/// stamp for it and `entry`, the file's folder entry now, still has that
/// stamp.
pub(crate) fn known_digest(
    known: &KnownFiles,
    rel: &str,
    entry: &std::fs::DirEntry,
) -> Option<Digest> {
    let known = known.get(rel)?;
    trusted(known, &Stamp::of(&entry.metadata().ok()?))
}

/// The digest of the file at `path` and the stamp of the file it read.
fn read_with_stamp(path: &Path) -> Result<(Digest, Stamp), WriteError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(io_err(path))?;
    let meta = file.metadata().map_err(io_err(path))?;
    let stamp = Stamp::of(&meta);
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    // Through `take`, the read does not ask the file's size again (a
    // `File` does, with another `stat`).
    file.take(u64::MAX)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    Ok((Digest::of(&bytes), stamp))
}

/// Whether the file system of `dir` keeps a change time that no program
/// can set, on the clock of this machine: the local file systems of
/// Linux that do. On others (network and FUSE file systems, FAT, other
/// systems) no stamp is kept, and every file is read every time.
fn stamps_are_trusted(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        const LOCAL: [u64; 8] = [
            0xEF53,      // ext2, ext3, ext4
            0x5846_5342, // xfs
            0x9123_683E, // btrfs
            0x0102_1994, // tmpfs
            0x794C_7630, // overlayfs
            0x2FC1_2FC1, // zfs
            0xF2F5_2010, // f2fs
            0xCA45_1A4E, // bcachefs
        ];
        rustix::fs::statfs(dir).is_ok_and(|fs| LOCAL.contains(&(fs.f_type as u64 & 0xFFFF_FFFF)))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

/// The one rule: a file is what was `known` of it when it kept a stamp
/// and its stamp `now` is that one.
fn trusted(known: &Known, now: &Stamp) -> Option<Digest> {
    (known.stamp.as_ref() == Some(now)).then_some(known.digest)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// [`read_known`] of the whole of `dir` (an empty tree when it does
    /// not exist).
    pub(crate) fn read_known_tree(
        dir: &Path,
        before: &KnownFiles,
    ) -> Result<KnownFiles, WriteError> {
        read_known(dir, &top_entries(dir)?, before)
    }

    fn tmp() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        }
    }

    #[test]
    fn a_reading_gives_the_digests_and_trusts_only_settled_stamps() -> Result<(), WriteError> {
        let dir = tmp();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).map_err(io_err(root))?;
        std::fs::write(root.join("a/x.yaml"), "1").map_err(io_err(root))?;
        std::fs::write(root.join("y.yaml"), "2").map_err(io_err(root))?;
        let first = read_known_tree(root, &KnownFiles::new())?;
        assert_eq!(first.len(), 2);
        assert_eq!(first["a/x.yaml"].digest, Digest::of(b"1"));
        assert_eq!(first["y.yaml"].digest, Digest::of(b"2"));
        // Just written: not settled, so not trusted.
        assert!(first.values().all(|k| k.stamp.is_none()));
        assert_eq!(
            read_known_tree(&root.join("missing"), &first)?,
            KnownFiles::new()
        );
        Ok(())
    }

    #[test]
    fn a_file_is_read_again_when_its_stamp_changed() -> Result<(), WriteError> {
        let dir = tmp();
        let root = dir.path();
        let x = root.join("x.yaml");
        std::fs::write(&x, "1").map_err(io_err(root))?;
        let meta = std::fs::symlink_metadata(&x).map_err(io_err(root))?;
        // A reading that recorded the file's stamp as it is now, with a
        // digest that is not its bytes': an equal stamp is believed, and
        // the file is not read.
        let trusted = KnownFiles::from([(
            "x.yaml".to_owned(),
            Known {
                digest: Digest::of(b"recorded"),
                stamp: Some(Stamp::of(&meta)),
            },
        )]);
        let again = read_known_tree(root, &trusted)?;
        assert_eq!(again["x.yaml"].digest, Digest::of(b"recorded"));
        // Rewritten with bytes of the same length: the change time moves,
        // and the file is read.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&x, "2").map_err(io_err(root))?;
        let after = read_known_tree(root, &trusted)?;
        assert_eq!(after["x.yaml"].digest, Digest::of(b"2"));
        Ok(())
    }

    #[test]
    fn a_write_trusts_a_known_stamp_and_reads_a_changed_file() -> Result<(), WriteError> {
        let dir = tmp();
        let generated = dir.path().join("generated");
        let header = cfggen_tree::HEADER_PREFIX;
        let mut env = cfggen_tree::RenderedEnv::named("dev");
        let text = |t: &str| cfggen_tree::File::Text(format!("{header}\n{t}"));
        env.files.insert("x.yaml".into(), text("1"));
        crate::tests::write_environment(&generated, &env, crate::Before::Unknown)?;
        let x = generated.join("dev/x.yaml");
        // What is known says, by the file's own stamp, that it holds what
        // is now rendered: the write believes it and reads nothing.
        env.files.insert("x.yaml".into(), text("2"));
        let meta = std::fs::symlink_metadata(&x).map_err(io_err(&x))?;
        let known = KnownFiles::from([(
            "x.yaml".to_owned(),
            Known {
                digest: Digest::of(format!("{header}\n2").as_bytes()),
                stamp: Some(Stamp::of(&meta)),
            },
        )]);
        let report =
            crate::tests::write_environment(&generated, &env, crate::Before::Known(&known))?;
        assert_eq!(report.unchanged, 1, "the stamp was believed");
        // Once the file is written to, its stamp is not the one known: it
        // is read, found different, and written.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&x, format!("{header}\n1")).map_err(io_err(&x))?;
        let report =
            crate::tests::write_environment(&generated, &env, crate::Before::Known(&known))?;
        assert_eq!(report.changed, ["x.yaml"]);
        let text = std::fs::read_to_string(&x).map_err(io_err(&x))?;
        assert!(text.ends_with('2'));
        Ok(())
    }
}
