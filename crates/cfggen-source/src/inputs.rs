//! What a piece of work read of a repository, kept so that a later run can
//! tell, by reading the same files again, whether it would read the same:
//! the ground on which a result is reused instead of made again.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Source, SourceError};

/// Every file read (and folder listed) through a [`Source`], by path,
/// with the 128-bit XXH3 hash of what it gave, or none when it failed.
/// Whatever was made from these reads alone is made again the same while
/// [`Inputs::unchanged_in`] holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// A file's path → the hash of its bytes (hex), none when the read
    /// failed.
    reads: BTreeMap<String, Option<String>>,
    /// A folder's path → the hash of its listing (hex), none when the
    /// listing failed.
    lists: BTreeMap<String, Option<String>>,
}

/// The hash of a file's bytes as cfggen records it: their 128-bit XXH3,
/// in hex. The one way a later run tells that a file gives what it gave.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The hash of a folder's listing: its names, one a line.
fn listing(names: &[String]) -> String {
    let mut all = Vec::new();
    for name in names {
        all.extend_from_slice(name.as_bytes());
        all.push(b'\n');
    }
    content_hash(&all)
}

/// What a path gave, a second time: a path that gave two different
/// things in one run changed during it, and is recorded as [`CHANGED`],
/// which nothing read later matches.
fn note(seen: &mut BTreeMap<String, Option<String>>, path: &str, now: Option<String>) {
    match seen.get_mut(path) {
        Some(before) if *before != now => *before = Some(CHANGED.to_owned()),
        Some(_) => {}
        None => {
            seen.insert(path.to_owned(), now);
        }
    }
}

/// The record of a path that gave two different things in one run (not
/// a hash, so nothing matches it).
const CHANGED: &str = "changed during the run";

impl Inputs {
    /// Records a read of `rel` and what it gave.
    pub fn read(&mut self, rel: &str, result: &Result<Vec<u8>, SourceError>) {
        let seen = result.as_ref().ok().map(|bytes| content_hash(bytes));
        note(&mut self.reads, rel, seen);
    }

    /// Records a listing of `dir` and what it gave.
    pub fn list(&mut self, dir: &str, result: &Result<Vec<String>, SourceError>) {
        let seen = result.as_ref().ok().map(|names| listing(names));
        note(&mut self.lists, dir, seen);
    }

    /// Adds what `other` read.
    pub fn extend(&mut self, other: &Inputs) {
        for (rel, seen) in &other.reads {
            note(&mut self.reads, rel, seen.clone());
        }
        for (dir, seen) in &other.lists {
            note(&mut self.lists, dir, seen.clone());
        }
    }

    /// The number of files read and folders listed.
    pub fn len(&self) -> usize {
        self.reads.len() + self.lists.len()
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The files read, by path.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.reads.keys().map(String::as_str)
    }

    /// The hash of what `rel` gave ([`content_hash`]), if it was read
    /// and the read did not fail.
    pub fn hash_of(&self, rel: &str) -> Option<&str> {
        self.reads.get(rel)?.as_deref()
    }

    /// Whether every file `self` read and folder it listed, but the files
    /// of `except`, was read or listed by `other` with the same result.
    pub fn within(&self, other: &Inputs, except: &BTreeSet<String>) -> bool {
        self.reads
            .iter()
            .filter(|(rel, _)| !except.contains(*rel))
            .all(|(rel, seen)| other.reads.get(rel) == Some(seen))
            && self
                .lists
                .iter()
                .all(|(dir, seen)| other.lists.get(dir) == Some(seen))
    }

    /// These inputs, but that `rel` gave `bytes`: what a piece of work
    /// read when it reads `rel` as it is now and the rest as it was.
    pub fn with_file(&self, rel: &str, bytes: &[u8]) -> Inputs {
        let mut inputs = self.clone();
        inputs
            .reads
            .insert(rel.to_owned(), Some(content_hash(bytes)));
        inputs
    }

    /// Whether reading every file and listing every folder again through
    /// `source` gives what it gave when recorded (files of up to
    /// `max_bytes`, the limit they were read with).
    pub fn unchanged_in(&self, source: &dyn Source, max_bytes: u64) -> bool {
        self.unchanged_but(source, max_bytes, None)
    }

    /// [`Inputs::unchanged_in`] for every file but `except`.
    pub fn unchanged_but(&self, source: &dyn Source, max_bytes: u64, except: Option<&str>) -> bool {
        self.reads.iter().all(|(rel, seen)| {
            if Some(rel.as_str()) == except {
                return true;
            }
            let now = source
                .read(rel, max_bytes)
                .ok()
                .map(|bytes| content_hash(&bytes));
            &now == seen
        }) && self.lists.iter().all(|(dir, seen)| {
            let now = source.list(dir).ok().map(|names| listing(&names));
            &now == seen
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySource;

    fn recorded(source: &MemorySource) -> Inputs {
        let mut inputs = Inputs::default();
        for rel in ["environments/dev.yaml", "config/missing.txt"] {
            inputs.read(rel, &source.read(rel, 1 << 20));
        }
        inputs.list("config", &source.list("config"));
        inputs
    }

    #[test]
    fn a_change_to_any_file_read_or_folder_listed_is_seen() {
        let base = [
            ("environments/dev.yaml", "name: dev\n"),
            ("config/app.conf", "a = 1\n"),
        ];
        let inputs = recorded(&MemorySource::new(base));
        assert_eq!(inputs.len(), 3);
        assert!(inputs.unchanged_in(&MemorySource::new(base), 1 << 20));
        // A byte of a file read.
        let edited = [
            ("environments/dev.yaml", "name: dev \n"),
            ("config/app.conf", "a = 1\n"),
        ];
        assert!(!inputs.unchanged_in(&MemorySource::new(edited), 1 << 20));
        // A file that was missing and is there now.
        let appeared = [
            ("environments/dev.yaml", "name: dev\n"),
            ("config/app.conf", "a = 1\n"),
            ("config/missing.txt", "here\n"),
        ];
        assert!(!inputs.unchanged_in(&MemorySource::new(appeared), 1 << 20));
        // A file the listing did not have (though it was not read).
        let listed = [
            ("environments/dev.yaml", "name: dev\n"),
            ("config/app.conf", "a = 1\n"),
            ("config/other.conf", "b = 2\n"),
        ];
        assert!(!inputs.unchanged_in(&MemorySource::new(listed), 1 << 20));
        // A file now over the limit it was read with.
        assert!(!inputs.unchanged_in(&MemorySource::new(base), 4));
    }

    #[test]
    fn one_file_may_be_set_aside_and_recorded_as_it_is_now() {
        let base = [
            ("environments/dev.yaml", "name: dev\n"),
            ("config/app.conf", "a = 1\n"),
        ];
        let inputs = recorded(&MemorySource::new(base));
        let dev = "environments/dev.yaml";
        let edited = MemorySource::new([
            (dev, "name: dev # edited\n"),
            ("config/app.conf", "a = 1\n"),
        ]);
        assert!(!inputs.unchanged_in(&edited, 1 << 20));
        assert!(inputs.unchanged_but(&edited, 1 << 20, Some(dev)));
        assert!(!inputs.unchanged_but(&edited, 1 << 20, Some("config/app.conf")));
        assert_eq!(
            inputs.hash_of(dev),
            Some(content_hash(b"name: dev\n").as_str())
        );
        assert_eq!(inputs.hash_of("config/missing.txt"), None);
        let now = inputs.with_file(dev, b"name: dev # edited\n");
        assert!(now.unchanged_in(&edited, 1 << 20));
        assert_eq!(now.len(), inputs.len());
        assert_eq!(
            inputs.files().collect::<Vec<_>>(),
            ["config/missing.txt", "environments/dev.yaml"]
        );
    }

    #[test]
    fn inputs_within_others_read_and_listed_the_same() {
        let source = MemorySource::new([
            ("environments/dev.yaml", "name: dev\n"),
            ("config/app.conf", "a = 1\n"),
        ]);
        let all = recorded(&source);
        let dev = "environments/dev.yaml";
        let mut part = Inputs::default();
        part.read(
            "config/missing.txt",
            &source.read("config/missing.txt", 1 << 20),
        );
        assert!(part.within(&all, &BTreeSet::new()));
        part.list("config", &source.list("config"));
        assert!(part.within(&all, &BTreeSet::new()));
        let other = MemorySource::new([("environments/dev.yaml", "name: other\n")]);
        part.read(dev, &other.read(dev, 1 << 20));
        assert!(!part.within(&all, &BTreeSet::new()), "read otherwise");
        assert!(part.within(&all, &BTreeSet::from([dev.to_owned()])));
        let mut listed = Inputs::default();
        listed.list("environments", &source.list("environments"));
        assert!(
            !listed.within(&all, &BTreeSet::new()),
            "a folder not listed"
        );
    }

    #[test]
    fn a_file_that_changed_during_the_run_matches_nothing() {
        let before = MemorySource::new([("environments/dev.yaml", "name: dev\n")]);
        let after = MemorySource::new([("environments/dev.yaml", "name: prod\n")]);
        let rel = "environments/dev.yaml";
        let mut inputs = Inputs::default();
        inputs.read(rel, &before.read(rel, 1 << 20));
        inputs.read(rel, &before.read(rel, 1 << 20));
        assert!(
            inputs.unchanged_in(&before, 1 << 20),
            "read twice, the same"
        );
        let mut other = Inputs::default();
        other.read(rel, &after.read(rel, 1 << 20));
        inputs.extend(&other);
        assert!(!inputs.unchanged_in(&before, 1 << 20));
        assert!(!inputs.unchanged_in(&after, 1 << 20));
    }

    #[test]
    fn inputs_survive_being_stored() -> Result<(), serde_json::Error> {
        let inputs = recorded(&MemorySource::new([(
            "environments/dev.yaml",
            "name: dev\n",
        )]));
        let text = serde_json::to_string(&inputs)?;
        assert_eq!(serde_json::from_str::<Inputs>(&text)?, inputs);
        Ok(())
    }
}
