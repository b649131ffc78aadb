//! What an earlier run learnt of each environment, kept outside the
//! repository so that the next `check` or `render` does only the work a
//! change calls for:
//!
//! * the committed tree of each environment, surveyed
//!   ([`crate::survey`]; `<env>.survey`, in the binary form of
//!   `survey_file.rs`): a file whose stamp is unchanged is not read
//!   again;
//! * what each environment rendered to (the digest of its whole tree) and
//!   every file its load read, with what each gave
//!   ([`cfggen_load::Loaded::inputs`]): while those files give the same
//!   and the committed tree has that digest, the environment is as
//!   committed, and is neither loaded nor rendered;
//! * which bases passed the partial schema, by the hash of their bytes
//!   ([`cfggen_load::Loaded::bases_passed`]): a base that gives the same
//!   bytes is not checked again ([`cfggen_load::Tuning::checked_bases`]);
//! * the parsed trees of large files under `environments/` (environment
//!   files and bases), by the hash of their bytes, in the form of
//!   [`crate::tree_store`] ([`cfggen_load::Trees`]): a file that gives the
//!   same bytes is decoded, not parsed (the last [`KEPT_TREES`] kept);
//! * the text of a large environment file as the load of its recorded
//!   rendering read it (`<env>.source`, believed only when its hash is the
//!   one that load recorded): the ground on which a change of a few of its
//!   apps is rendered from them alone ([`crate::delta`]).
//!
//! The survey and the trees are each written after a line naming the
//! build and a line with their hash, and are not believed otherwise.
//!
//! What the cache says of the repository's files is checked against them
//! before it is used. What it says an environment renders to is a record
//! of what this very build rendered, and is believed: so a cache made by
//! another build is not used, the folder is its owner's only, and one
//! that cannot be read or written is no cache. It lives in
//! `$CFGGEN_CACHE`, else `$XDG_CACHE_HOME/cfggen`, else
//! `~/.cache/cfggen`, one folder per repository; `CFGGEN_CACHE=off` (or
//! `0`, or empty) turns it off.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cfggen_load::Repo;
use cfggen_load::{Trees, Tuning};
use cfggen_source::Inputs;
use cfggen_write::Digest;
use cfggen_yaml::{FileId, Limits, Node, YamlError};

use crate::survey::Survey;
use serde::{Deserialize, Serialize};

use crate::scale::Mechanism;

/// How many parsed trees of bases the cache keeps, the newest.
const KEPT_TREES: usize = 32;

/// The cache of one repository, for one build of cfggen.
#[derive(Clone)]
pub(crate) struct Cache {
    /// Its folder; none when it is off or has no place.
    dir: Option<PathBuf>,
    /// Which build of cfggen this is: its version and the size and time
    /// of its executable.
    build: String,
}

/// What an environment rendered to, and from what (borrowed when it is
/// stored, owned when it is read back).
#[derive(Serialize, Deserialize)]
pub(crate) struct Rendering<'a> {
    /// The build of cfggen that rendered it.
    build: Cow<'a, str>,
    /// Every file the load read and folder it listed.
    pub(crate) inputs: Cow<'a, Inputs>,
    /// The digest of the rendered tree ([`Digest::of_tree`]).
    pub(crate) tree: Digest,
    /// Its number of files.
    pub(crate) files: usize,
}

/// The bases that passed the partial schema, as stored.
#[derive(Serialize, Deserialize)]
struct StoredBases<'a> {
    build: Cow<'a, str>,
    hashes: Cow<'a, BTreeSet<String>>,
}

impl Cache {
    /// The cache of `repo`, where the environment says.
    pub(crate) fn of(repo: &Repo) -> Cache {
        let base = match std::env::var_os("CFGGEN_CACHE") {
            Some(v) if v == "off" || v == "0" || v.is_empty() => None,
            Some(v) => Some(PathBuf::from(v)),
            None => std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| Path::new(v).is_absolute())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("cfggen")),
        };
        // One folder per repository, named after its real path.
        let root = repo.contained(".").ok();
        // Without knowing which build this is, nothing can be reused.
        let build = build();
        let dir = base
            .zip(root)
            .filter(|_| build.is_some())
            .map(|(base, root)| {
                let key = xxhash_rust::xxh3::xxh3_64(root.as_os_str().as_encoded_bytes());
                base.join(format!("{key:016x}"))
            });
        Cache {
            dir,
            build: build.unwrap_or_default(),
        }
    }

    /// The cache file of `env` (a name as environments are named, so it
    /// never leads out of the folder).
    fn file(&self, env: &str, what: &str) -> Option<PathBuf> {
        self.env_file(env, &format!("{what}.json"))
    }

    /// The cache's file `<env>.<suffix>` of environment `env` (none for a
    /// name no environment can have, which could name another file).
    fn env_file(&self, env: &str, suffix: &str) -> Option<PathBuf> {
        if cfggen_model::names::dns1123_label_error(env).is_some() {
            return None;
        }
        self.dir.as_ref().map(|d| d.join(format!("{env}.{suffix}")))
    }

    /// The cache file of what concerns the whole repository.
    fn repository_file(&self, what: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{what}.json")))
    }

    /// Writes atomically (a reader sees the old file or the new one),
    /// through a temporary file no other process can be writing (created
    /// new, named after this process, thread and moment), in a folder only
    /// its owner reads; a cache that cannot be written is no cache.
    fn put<T: Serialize>(&self, env: &str, what: &str, value: &T) {
        if let Some(path) = self.file(env, what) {
            self.put_at(&path, &format!("{env}.{what}"), value);
        }
    }

    /// Writes `value` at `path`, in the cache's folder, atomically (see
    /// [`Cache::put`]); `name` names its temporary file.
    fn put_at<T: Serialize>(&self, path: &Path, name: &str, value: &T) {
        if let Ok(bytes) = serde_json::to_vec(value) {
            self.put_bytes(path, name, &bytes);
        }
    }

    /// Writes `bytes` at `path` (see [`Cache::put`]).
    fn put_bytes(&self, path: &Path, name: &str, bytes: &[u8]) {
        let Some(dir) = &self.dir else {
            return;
        };
        let moment = std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let temp = dir.join(format!(
            ".{name}.{}.{:?}.{moment}",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = private_folder(dir)
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&temp)
            })
            .and_then(|mut file| std::io::Write::write_all(&mut file, bytes))
            .and_then(|()| std::fs::rename(&temp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }

    /// The committed tree of `env` as last surveyed (empty if unknown).
    pub(crate) fn survey(&self, env: &str) -> Survey {
        if Mechanism::SurveyFile.is_off() {
            return Survey::default();
        }
        self.env_file(env, "survey")
            .and_then(|path| self.read_marked(&path, MAX_SURVEY_BYTES))
            .and_then(|bytes| crate::survey_file::decode_survey(&bytes))
            .unwrap_or_default()
    }

    /// Keeps the survey of the committed tree of `env` (in the binary form
    /// of `survey_file.rs`: a large tree's survey is read by every run).
    pub(crate) fn put_survey(&self, env: &str, files: &Survey) {
        if Mechanism::SurveyFile.is_off() {
            return;
        }
        if let Some(path) = self.env_file(env, "survey") {
            self.put_marked(
                &path,
                &format!("{env}.survey"),
                &crate::survey_file::encode_survey(files),
            );
            // The form earlier builds kept it in.
            if let Some(json) = self.file(env, "tree") {
                let _ = std::fs::remove_file(json);
            }
        }
    }

    /// The bytes of a file [`Cache::put_marked`] wrote, of at most `max`
    /// bytes, when this build wrote them and they are whole.
    fn read_marked(&self, path: &Path, max: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path).ok()?;
        let mut bytes = Vec::new();
        file.take(max).read_to_end(&mut bytes).ok()?;
        let rest = bytes
            .strip_prefix(self.build.as_bytes())?
            .strip_prefix(b"\n")?;
        let (sum, data) = rest.split_at_checked(33)?;
        if sum != format!("{}\n", cfggen_source::content_hash(data)).as_bytes() {
            return None;
        }
        Some(data.to_vec())
    }

    /// Writes `data` to `path` after a line naming this build and a line
    /// with the hash of `data`, so that another build's file, or a file
    /// damaged since, is not believed.
    fn put_marked(&self, path: &Path, name: &str, data: &[u8]) {
        let sum = cfggen_source::content_hash(data);
        let mut bytes = Vec::with_capacity(self.build.len() + sum.len() + 2 + data.len());
        for line in [self.build.as_bytes(), sum.as_bytes()] {
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(data);
        self.put_bytes(path, name, &bytes);
    }

    /// What `env` rendered to when last rendered by this build.
    pub(crate) fn rendering(&self, env: &str) -> Option<Rendering<'static>> {
        read_json::<Rendering<'static>>(&self.file(env, "rendering")?)
            .filter(|r| r.build == self.build)
    }

    /// How loads are tuned by what this build learnt: the bases that
    /// passed the partial schema, and the trees of large files (unless
    /// the tree store is switched off); each load owning its bases when
    /// the scale is lean.
    pub(crate) fn tuning(&self, lean: bool) -> Tuning {
        // `Trees for Cache` parses where it keeps nothing (no folder, the
        // store switched off), for the loads and the delta alike.
        Tuning {
            own_bases: lean,
            trees: Some(std::sync::Arc::new(self.clone())),
            checked_bases: self.checked_bases(),
        }
    }

    /// The bases this build found to pass the partial schema.
    pub(crate) fn checked_bases(&self) -> BTreeSet<String> {
        self.repository_file("bases")
            .and_then(|path| read_json::<StoredBases<'static>>(&path))
            .filter(|s| s.build == self.build)
            .map(|s| s.hashes.into_owned())
            .unwrap_or_default()
    }

    /// Keeps the bases the loads `found` to pass the partial schema, when
    /// they found any and they are not the ones the cache gave (`known`):
    /// those of earlier runs that no load read are forgotten, so the file
    /// never grows.
    pub(crate) fn learn(&self, found: &BTreeSet<String>, known: &BTreeSet<String>) {
        let Some(path) = self.repository_file("bases") else {
            return;
        };
        if found.is_empty() || found == known {
            return;
        }
        let stored = StoredBases {
            build: Cow::Borrowed(&self.build),
            hashes: Cow::Borrowed(found),
        };
        self.put_at(&path, "bases", &stored);
    }

    /// Records that loading what `inputs` says renders environment `env`
    /// to `rendered` (the tree's digest and file count), and keeps its
    /// file's text ([`Cache::put_source`]).
    pub(crate) fn record(
        &self,
        env: &str,
        inputs: &Inputs,
        rendered: &cfggen_render::RenderedEnv,
        source: &dyn cfggen_source::Source,
    ) {
        if self.dir.is_none() {
            return;
        }
        let rendering = Rendering {
            build: Cow::Borrowed(&self.build),
            inputs: Cow::Borrowed(inputs),
            tree: rendered.tree_digest(),
            files: rendered.len(),
        };
        self.put(env, "rendering", &rendering);
        self.put_source(env, inputs, source);
    }

    /// Keeps the text of environment `env`'s file as the load that read
    /// `inputs` read it, when it is large enough for a later change of it
    /// to be rendered from the apps it touches ([`crate::delta`]).
    fn put_source(&self, env: &str, inputs: &Inputs, source: &dyn cfggen_source::Source) {
        let rel = cfggen_source::environment_file(env);
        let Some(path) = self.env_file(env, "source") else {
            return;
        };
        let max = max_file_bytes();
        let Ok(text) = source.read(&rel, max) else {
            return;
        };
        let read_then = inputs.hash_of(&rel) == Some(cfggen_source::content_hash(&text).as_str());
        if text.len() >= crate::delta::DELTA_MIN_BYTES && read_then {
            self.put_bytes(&path, &format!("{env}.source"), &text);
        }
    }

    /// The text of environment `env`'s file kept by [`Cache::put_source`]
    /// (whoever uses it checks that it is the text a load read, by its
    /// hash).
    pub(crate) fn source(&self, env: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(self.env_file(env, "source")?).ok()?;
        let mut bytes = Vec::new();
        file.take(max_file_bytes()).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }
}

/// How large a file must be for its tree to be kept: below, parsing it
/// costs about what reading a kept tree does.
const KEPT_TREE_MIN_BYTES: usize = 64 * 1024;

/// The tree of a large file under `environments/` whose bytes a run of
/// this build parsed is decoded from the cache ([`crate::tree_store`]);
/// one parsed is kept there. Other files are parsed, and every file when
/// the tree store is switched off (`CFGGEN_WITHOUT=tree-store`).
impl Trees for Cache {
    fn tree(
        &self,
        rel: &str,
        id: FileId,
        text: &str,
        limits: &Limits,
    ) -> Result<Node, Box<YamlError>> {
        let is_large = text.len() >= KEPT_TREE_MIN_BYTES
            && rel
                .strip_prefix(cfggen_source::ENVIRONMENTS_DIR)
                .is_some_and(|r| r.starts_with('/'));
        if !is_large || self.dir.is_none() || Mechanism::TreeStore.is_off() {
            return cfggen_yaml::parse(id, text, limits);
        }
        let hash = cfggen_source::content_hash(text.as_bytes());
        let kept = self
            .kept_tree(&hash)
            .and_then(|tree| crate::tree_store::decode(&tree, id, limits));
        if let Some(node) = kept {
            return Ok(node);
        }
        let parsed = cfggen_yaml::parse(id, text, limits)?;
        self.keep_tree(&hash, &crate::tree_store::encode(&parsed));
        Ok(parsed)
    }
}

/// The trees of large files: one file each, named after the hash of the
/// file's bytes, holding the build that wrote it and the hash of the tree
/// (a line each), then the tree; one whose tree does not have that hash
/// (damaged) is not given back.
impl Cache {
    fn kept_tree(&self, hash: &str) -> Option<Vec<u8>> {
        let path = self.tree_file(hash)?;
        let tree = self.read_marked(&path, MAX_TREE_BYTES)?;
        // Used: kept among the newest.
        let _ = std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Some(tree)
    }

    fn keep_tree(&self, hash: &str, tree: &[u8]) {
        let (Some(dir), Some(path)) = (&self.dir, self.tree_file(hash)) else {
            return;
        };
        self.put_marked(&path, "tree", tree);
        forget_old_trees(dir);
    }
}

/// The largest tree file read: a tree takes about 1.6 bytes per byte of
/// YAML, and a base is at most 16 MiB (`cfggen_yaml::Limits`).
const MAX_TREE_BYTES: u64 = 64 << 20;

/// The largest survey file read: about 90 bytes a committed file.
const MAX_SURVEY_BYTES: u64 = 256 << 20;

impl Cache {
    /// The file of the tree of the bytes of hash `hash` (a hash in hex,
    /// so it never leads out of the folder).
    fn tree_file(&self, hash: &str) -> Option<PathBuf> {
        if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{TREE_PREFIX}{hash}")))
    }
}

/// What the name of a kept tree's file starts with: `_` is in no
/// environment's name, so no environment's cache file starts so.
const TREE_PREFIX: &str = "tree_";

/// Removes all but the [`KEPT_TREES`] trees used last from the folder
/// `dir`.
fn forget_old_trees(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut trees: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TREE_PREFIX))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if trees.len() <= KEPT_TREES {
        return;
    }
    trees.sort();
    for (_, path) in &trees[..trees.len() - KEPT_TREES] {
        let _ = std::fs::remove_file(path);
    }
}

/// The most bytes cfggen reads of an environment file.
pub(crate) fn max_file_bytes() -> u64 {
    cfggen_yaml::Limits::default().max_bytes as u64
}

/// A JSON file of the cache, read; none when it cannot be read or is not
/// what is expected.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Makes `dir` (and its parents) when missing, readable by its owner
/// only.
fn private_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// This build of cfggen: its version and its executable's file — size,
/// device, inode, modification and change times. A rebuild, a copy or
/// an install makes a new file with a new change time (which no program
/// sets; copies and packages that keep the modification time, or set it
/// to a fixed one, do not keep it); none when the executable cannot be
/// found, or has no change time (not a Unix system).
fn build() -> Option<String> {
    let meta = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    executable_identity(&meta).map(|id| format!("{} {id}", env!("CARGO_PKG_VERSION")))
}

#[cfg(unix)]
fn executable_identity(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    Some(format!(
        "{} {} {} {}.{} {}.{}",
        meta.len(),
        meta.dev(),
        meta.ino(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    ))
}

#[cfg(not(unix))]
fn executable_identity(_: &std::fs::Metadata) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path, build: &str) -> Cache {
        Cache {
            dir: Some(dir.to_path_buf()),
            build: build.to_owned(),
        }
    }

    #[test]
    fn a_tree_is_given_back_to_its_build_only_and_the_newest_are_kept() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = tmp.path().join("repo");
        let ours = cache(&dir, "0.1.0 1 2 3");
        ours.keep_tree("00ff", b"tree");
        assert_eq!(ours.kept_tree("00ff").as_deref(), Some(&b"tree"[..]));
        // Another build, a hash that is not one: nothing.
        assert_eq!(cache(&dir, "0.1.0 1 2 4").kept_tree("00ff"), None);
        assert_eq!(ours.kept_tree("../00ff"), None);
        ours.keep_tree("../x", b"tree");
        assert!(!tmp.path().join("x").exists());
        // Only the newest are kept.
        for i in 0..KEPT_TREES + 5 {
            ours.keep_tree(&format!("{i:04x}"), b"tree");
        }
        let kept = std::fs::read_dir(&dir)
            .map(|e| e.flatten().count())
            .unwrap_or_default();
        assert_eq!(kept, KEPT_TREES);
        let newest = format!("{:04x}", KEPT_TREES + 4);
        assert!(ours.kept_tree(&newest).is_some());
        // An environment's own files are no trees, whatever its name.
        ours.put("base-tree", "rendering", &1);
        ours.put("tree", "rendering", &1);
        for i in 0..KEPT_TREES + 1 {
            ours.keep_tree(&format!("{i:04x}"), b"tree");
        }
        assert!(dir.join("base-tree.rendering.json").exists());
        assert!(dir.join("tree.rendering.json").exists());
    }

    #[test]
    fn a_tree_used_is_kept_among_the_newest() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = tmp.path().join("repo");
        let ours = cache(&dir, "0.1.0 1 2 3");
        for i in 0..KEPT_TREES {
            ours.keep_tree(&format!("{i:04x}"), b"tree");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(ours.kept_tree("0000").is_some());
        ours.keep_tree("ffff", b"tree");
        assert!(ours.kept_tree("0000").is_some(), "used last: kept");
        assert!(ours.kept_tree("0001").is_none(), "the oldest unused: gone");
    }

    #[test]
    fn a_damaged_tree_is_not_given_back() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = tmp.path().join("repo");
        let ours = cache(&dir, "0.1.0 1 2 3");
        ours.keep_tree("00ff", b"a tree of some length");
        let file = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains("00ff"))
            .unwrap_or_else(|| panic!("the tree's file"));
        let mut bytes = std::fs::read(&file).unwrap_or_default();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ours.kept_tree("00ff"), None);
    }

    #[test]
    fn a_large_file_is_parsed_once_then_decoded_from_the_cache() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ours = cache(&tmp.path().join("repo"), "0.1.0 1 2 3");
        let mut text = String::from("apps:\n");
        for i in 0..3000 {
            text.push_str(&format!("  app-{i:04}:\n    image: nginx:1.27\n"));
        }
        assert!(text.len() >= KEPT_TREE_MIN_BYTES);
        let (id, limits) = (FileId(2), Limits::default());
        let rel = "environments/bases/fleet.yaml";
        let hash = cfggen_source::content_hash(text.as_bytes());
        let parsed = cfggen_yaml::parse(id, &text, &limits).unwrap_or_else(|e| panic!("{e}"));
        // Parsed, and its tree kept by the hash of its bytes.
        assert_eq!(
            ours.tree(rel, id, &text, &limits).ok().as_ref(),
            Some(&parsed)
        );
        assert!(ours.kept_tree(&hash).is_some());
        // The kept tree is what is given: another one, kept for those
        // bytes, is given back for them.
        let other = text.replace("nginx:1.27", "nginx:1.28");
        let other_tree = cfggen_yaml::parse(id, &other, &limits).unwrap_or_else(|e| panic!("{e}"));
        ours.keep_tree(&hash, &crate::tree_store::encode(&other_tree));
        assert_eq!(ours.tree(rel, id, &text, &limits).ok(), Some(other_tree));
        // A tree that does not decode is parsed again, and kept anew.
        ours.keep_tree(&hash, b"not a tree");
        assert_eq!(
            ours.tree(rel, id, &text, &limits).ok().as_ref(),
            Some(&parsed)
        );
        let kept = ours.kept_tree(&hash).unwrap_or_default();
        assert!(crate::tree_store::decode(&kept, id, &limits).is_some());
        // A small file, or one outside environments/, is parsed, not kept.
        let small = "apps: {}\n";
        assert!(ours.tree(rel, id, small, &limits).is_ok());
        let outside = text.replace("apps:", "other:");
        assert!(ours.tree("config/big.yaml", id, &outside, &limits).is_ok());
        let outside_hash = cfggen_source::content_hash(outside.as_bytes());
        assert!(ours.kept_tree(&outside_hash).is_none());
    }
}
