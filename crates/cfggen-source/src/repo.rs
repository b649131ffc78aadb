//! A repository on disk, with every path kept inside its root.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::{Source, SourceError, ENVIRONMENTS_DIR, GENERATED_DIR};

/// A cfggen repository on disk: a folder with an `environments/` folder.
#[derive(Clone, Debug)]
pub struct Repo {
    root: PathBuf,
    /// The root with every link resolved; `None` when it cannot be
    /// resolved (then every file operation fails with that error).
    canonical: Result<PathBuf, String>,
}

impl Repo {
    /// The repository rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let canonical = std::fs::canonicalize(&root).map_err(|e| e.to_string());
        Repo { root, canonical }
    }

    /// Walks up from `start` to the first folder that has `environments/`,
    /// the way git finds `.git`.
    pub fn discover(start: &Path) -> Option<Self> {
        start
            .ancestors()
            .find(|dir| dir.join(ENVIRONMENTS_DIR).is_dir())
            .map(Repo::new)
    }

    /// The root folder, as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real path of `generated/`, or of `generated/<env>/` with `env`,
    /// refused when a link takes it out of the repository.
    pub fn generated(&self, env: Option<&str>) -> Result<PathBuf, SourceError> {
        match env {
            Some(name) => self.contained(&format!("{GENERATED_DIR}/{name}")),
            None => self.contained(GENERATED_DIR),
        }
    }

    /// The real path of `rel` (every link resolved, including in folders
    /// that do not exist yet), or an error when it leads out of the
    /// repository. Every read and write of a [`Repo`] goes through here.
    pub fn contained(&self, rel: &str) -> Result<PathBuf, SourceError> {
        let root = self.canonical.as_ref().map_err(|e| SourceError::Io {
            action: "read",
            path: self.root.display().to_string(),
            message: e.clone(),
        })?;
        let rel_path = Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(SourceError::OutsideRepository {
                path: rel.to_owned(),
                target: "a parent folder (`..`) or an absolute path".to_owned(),
            });
        }
        let joined = root.join(rel_path);
        // The deepest part that exists, resolved; the rest appended as is.
        let mut existing = joined.as_path();
        let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
        let resolved = loop {
            match std::fs::canonicalize(existing) {
                Ok(real) => break real,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if std::fs::symlink_metadata(existing).is_ok() {
                        let target = std::fs::read_link(existing)
                            .map(|t| t.display().to_string())
                            .unwrap_or_default();
                        return Err(SourceError::Io {
                            action: "read",
                            path: rel.to_owned(),
                            message: format!("it goes through a broken link (to {target})"),
                        });
                    }
                    match (existing.file_name(), existing.parent()) {
                        (Some(name), Some(parent)) => {
                            rest.push(name);
                            existing = parent;
                        }
                        _ => break existing.to_path_buf(),
                    }
                }
                Err(e) => {
                    return Err(SourceError::Io {
                        action: "read",
                        path: rel.to_owned(),
                        message: e.to_string(),
                    })
                }
            }
        };
        let mut real = resolved;
        for name in rest.iter().rev() {
            real.push(name);
        }
        if real.starts_with(root) {
            Ok(real)
        } else {
            Err(SourceError::OutsideRepository {
                path: rel.to_owned(),
                target: real.display().to_string(),
            })
        }
    }
}

fn io<'a>(action: &'static str, rel: &'a str) -> impl FnOnce(std::io::Error) -> SourceError + 'a {
    move |e| SourceError::Io {
        action,
        path: rel.to_owned(),
        message: e.to_string(),
    }
}

impl Source for Repo {
    fn read(&self, rel: &str, max_bytes: u64) -> Result<Vec<u8>, SourceError> {
        let path = self.contained(rel)?;
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SourceError::NotFound(rel.to_owned()))
            }
            Err(e) => return Err(io("read", rel)(e)),
        };
        if meta.len() > max_bytes {
            return Err(SourceError::TooLarge {
                path: rel.to_owned(),
                limit: max_bytes,
            });
        }
        std::fs::read(&path).map_err(io("read", rel))
    }

    fn is_file(&self, rel: &str) -> bool {
        // As the file system sees it: a link out of the repository is
        // there, and reading it says why it is refused.
        let path = self.root.join(rel);
        path.is_file() || std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let path = self.contained(dir)?;
        let entries = match std::fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("list", dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io("list", dir))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let file_type = entry.file_type().map_err(io("list", dir))?;
            // A link counts by name: reading it says where it leads.
            let is_file = file_type.is_file() || (file_type.is_symlink() && !entry.path().is_dir());
            if is_file && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn write(&self, rel: &str, contents: &[u8]) -> Result<(), SourceError> {
        let path = self.contained(rel)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io("write", rel))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.cfggen-tmp-{}", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(contents)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(io("write", rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with_outside() -> (tempfile::TempDir, tempfile::TempDir, Repo) {
        let inside = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(inside.path().join("environments")).unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "top secret\n").unwrap();
        let repo = Repo::new(inside.path());
        (inside, outside, repo)
    }

    #[test]
    fn reads_and_writes_inside() {
        let (_i, _o, repo) = repo_with_outside();
        repo.write("environments/dev.yaml", b"name: dev\n").unwrap();
        assert_eq!(
            repo.read("environments/dev.yaml", 100).unwrap(),
            b"name: dev\n"
        );
        assert_eq!(repo.list("environments").unwrap(), ["dev.yaml"]);
        assert!(matches!(
            repo.read("environments/dev.yaml", 3),
            Err(SourceError::TooLarge { .. })
        ));
        assert!(matches!(
            repo.read("environments/none.yaml", 100),
            Err(SourceError::NotFound(_))
        ));
        assert_eq!(repo.list("nowhere").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_linked_folder_out_of_the_repository_is_refused_for_reads_and_writes() {
        let (inside, outside, repo) = repo_with_outside();
        std::os::unix::fs::symlink(outside.path(), inside.path().join("environments/bases"))
            .unwrap();
        let err = repo
            .read("environments/bases/secret.yaml", 100)
            .unwrap_err();
        assert!(
            matches!(err, SourceError::OutsideRepository { .. }),
            "{err}"
        );
        let err = repo.write("environments/bases/new.yaml", b"x").unwrap_err();
        assert!(
            matches!(err, SourceError::OutsideRepository { .. }),
            "{err}"
        );
        assert!(!outside.path().join("new.yaml").exists());
        assert!(repo.list("environments/bases").is_err());
    }

    #[test]
    fn links_inside_the_repository_are_followed() {
        let (inside, _o, repo) = repo_with_outside();
        std::fs::create_dir_all(inside.path().join("shared")).unwrap();
        std::fs::write(inside.path().join("shared/p.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(
            inside.path().join("shared"),
            inside.path().join("environments/bases"),
        )
        .unwrap();
        assert_eq!(
            repo.read("environments/bases/p.yaml", 100).unwrap(),
            b"a: 1\n"
        );
    }

    #[test]
    fn parent_steps_and_broken_links_are_refused() {
        let (inside, _o, repo) = repo_with_outside();
        assert!(matches!(
            repo.read("environments/../../etc/passwd", 100),
            Err(SourceError::OutsideRepository { .. })
        ));
        std::os::unix::fs::symlink("/nonexistent/x", inside.path().join("environments/x.yaml"))
            .unwrap();
        assert!(repo.write("environments/x.yaml", b"x").is_err());
        assert!(!Path::new("/nonexistent/x").exists());
    }
}
