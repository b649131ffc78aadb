//! The repository's files, and the one way cfggen reaches them.
//!
//! Every file cfggen reads or writes in a repository (environment files,
//! bases, schemas, edits, the folders of `generated/`) goes through a
//! [`Source`]: a [`Repo`] on disk, or a [`MemorySource`] for tests and
//! fuzzing, which loads exactly as the disk does (bases included).
//!
//! **Containment.** A [`Repo`] resolves every path against the canonical
//! repository root and refuses one that leads outside it — through a link
//! at any level (`environments/`, `environments/bases/`, a file,
//! `generated/`, `schemas/`) — with [`SourceError::OutsideRepository`].
//!
//! ```
//! use cfggen_source::{MemorySource, Source};
//! let files = MemorySource::new([("environments/dev.yaml", "name: dev\n")]);
//! assert_eq!(files.read("environments/dev.yaml", 1024).unwrap(), b"name: dev\n");
//! assert_eq!(cfggen_source::environment_names(&files).unwrap(), ["dev"]);
//! ```

mod inputs;
mod memory;
mod overlay;
mod repo;

pub use inputs::{content_hash, Inputs};
pub use memory::MemorySource;
pub use overlay::Overlay;
pub use repo::Repo;

/// Folder of environment files, relative to the root.
pub const ENVIRONMENTS_DIR: &str = "environments";
/// Folder of base files, relative to the root.
pub const BASES_DIR: &str = "environments/bases";
/// Folder of the committed JSON Schemas, relative to the root.
pub const SCHEMAS_DIR: &str = "schemas";
/// Folder of the rendered output, relative to the root.
pub const GENERATED_DIR: &str = "generated";

/// Why a file could not be read or written. Paths are relative to the
/// repository root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// No such file.
    #[error("cannot read {0}: not found")]
    NotFound(String),
    /// The path leads out of the repository through a link.
    #[error("{path} leads to {target}, outside the repository")]
    OutsideRepository {
        /// The path asked for.
        path: String,
        /// Where it leads.
        target: String,
    },
    /// The file is larger than the caller reads.
    #[error("{path} is larger than the {limit} bytes cfggen reads")]
    TooLarge {
        /// The file.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// Any other I/O error.
    #[error("cannot {action} {path}: {message}")]
    Io {
        /// `read`, `write` or `list`.
        action: &'static str,
        /// The path.
        path: String,
        /// What the system said.
        message: String,
    },
}

/// Files of a repository, by `/`-separated path relative to its root.
pub trait Source: Send + Sync {
    /// The bytes of a file; files over `max_bytes` are refused before
    /// they are read.
    fn read(&self, rel: &str, max_bytes: u64) -> Result<Vec<u8>, SourceError>;

    /// Whether there is a file at `rel`; reading it may still be refused
    /// (a link out of the repository is there, and [`Source::read`] says
    /// why it is not read).
    fn is_file(&self, rel: &str) -> bool;

    /// The names of the files directly in a folder (no folders, no
    /// hidden files), sorted; an empty list for a missing folder.
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError>;

    /// Replaces a file's contents atomically (creating the file and its
    /// folders when absent): a reader sees the old bytes or the new ones.
    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), SourceError>;
}

/// The stems of the `*.yaml` files in a folder, sorted.
pub fn yaml_stems(source: &dyn Source, dir: &str) -> Result<Vec<String>, SourceError> {
    Ok(source
        .list(dir)?
        .into_iter()
        .filter_map(|f| f.strip_suffix(".yaml").map(str::to_owned))
        .collect())
}

/// The names of the environments: `environments/*.yaml`, sorted.
pub fn environment_names(source: &dyn Source) -> Result<Vec<String>, SourceError> {
    yaml_stems(source, ENVIRONMENTS_DIR)
}

/// The names of the bases: `environments/bases/*.yaml`, sorted.
pub fn base_names(source: &dyn Source) -> Result<Vec<String>, SourceError> {
    yaml_stems(source, BASES_DIR)
}

/// The file of an environment, relative to the root.
pub fn environment_file(name: &str) -> String {
    format!("{ENVIRONMENTS_DIR}/{name}.yaml")
}

/// The file of a base, relative to the root.
pub fn base_file(name: &str) -> String {
    format!("{BASES_DIR}/{name}.yaml")
}
