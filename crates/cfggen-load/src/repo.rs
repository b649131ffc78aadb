//! The repository: where `environments/` is, which environments exist.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// Folder of environment files, relative to the root.
pub const ENVIRONMENTS_DIR: &str = "environments";
/// Folder of base files, relative to the root.
pub const BASES_DIR: &str = "environments/bases";

/// A cfggen repository: a folder with an `environments/` folder.
#[derive(Clone, Debug)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The repository rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Repo { root: root.into() }
    }

    /// Walks up from `start` to the first folder that has `environments/`,
    /// the way git finds `.git`.
    pub fn discover(start: &Path) -> Option<Self> {
        start
            .ancestors()
            .find(|dir| dir.join(ENVIRONMENTS_DIR).is_dir())
            .map(Repo::new)
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The names of the environments: `environments/*.yaml`, sorted.
    pub fn environment_names(&self) -> Result<Vec<String>, Diagnostic> {
        yaml_stems(&self.root.join(ENVIRONMENTS_DIR))
    }

    /// The names of the bases: `environments/bases/*.yaml`, sorted.
    pub fn base_names(&self) -> Vec<String> {
        yaml_stems(&self.root.join(BASES_DIR)).unwrap_or_default()
    }
}

fn yaml_stems(dir: &Path) -> Result<Vec<String>, Diagnostic> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::bare("io", format!("cannot read {}: {e}", dir.display())))?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if file.starts_with('.') {
            continue;
        }
        if let Some(stem) = file.strip_suffix(".yaml") {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    Ok(names)
}
