//! The survey of a committed tree: the digest of each file of
//! `generated/<env>/`, taking from the survey of an earlier run the digest
//! of each file whose settled stamp is unchanged
//! ([`cfggen_write::read_known`]) and reading the others. Runs of the
//! folders at the top are tasks of the command's worker pool, so the
//! survey shares the cores with whatever else they do, such as
//! rendering. The cache keeps each survey for the next run
//! (`survey_file.rs`).

use std::path::Path;

use rayon::iter::ParallelIterator;
use rayon::slice::ParallelSlice;

use cfggen_write::{KnownFiles, WriteError};

/// A surveyed tree: relative path → what is known of the file.
pub(crate) type Survey = KnownFiles;

/// How many top folders (an app's each) one task of the survey reads.
const TOP_FOLDERS_A_TASK: usize = 64;

/// The digest of every file under `dir`, as [`cfggen_write::read_tree`]
/// reads them, trusting what `before` knows of a file whose settled stamp
/// is unchanged. A missing folder is an empty tree; symbolic links are an
/// error.
pub(crate) fn survey_tree(dir: &Path, before: &Survey) -> Result<Survey, WriteError> {
    let top = cfggen_write::top_entries(dir)?;
    let parts: Vec<Result<Survey, WriteError>> = top
        .par_chunks(TOP_FOLDERS_A_TASK)
        .map(|part| cfggen_write::read_known(dir, part, before))
        .collect();
    // One build from the runs' files, in order: appending each run to the
    // map instead merged the whole map again each time (quadratic: at
    // 10,000 apps a third of a one-app render).
    let mut files = Vec::new();
    for part in parts {
        files.extend(part?);
    }
    Ok(files.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfggen_write::Digest;

    #[test]
    fn a_survey_in_runs_is_the_reading_of_the_whole_tree() -> Result<(), WriteError> {
        let dir = tempfile::tempdir().map_err(|e| WriteError::Io {
            path: "tempdir".into(),
            source: e,
        })?;
        let root = dir.path();
        let io = |e| WriteError::Io {
            path: root.display().to_string(),
            source: e,
        };
        // More top folders than one task reads.
        for i in 0..(TOP_FOLDERS_A_TASK * 2 + 3) {
            std::fs::create_dir_all(root.join(format!("app-{i:03}"))).map_err(io)?;
            std::fs::write(root.join(format!("app-{i:03}/x.yaml")), format!("{i}")).map_err(io)?;
        }
        std::fs::write(root.join("top.yaml"), "top").map_err(io)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .map_err(|e| WriteError::Io {
                path: e.to_string(),
                source: std::io::Error::other("pool"),
            })?;
        let surveyed = pool.install(|| survey_tree(root, &Survey::new()))?;
        let whole =
            cfggen_write::read_known(root, &cfggen_write::top_entries(root)?, &Survey::new())?;
        assert_eq!(surveyed, whole);
        assert_eq!(surveyed.len(), TOP_FOLDERS_A_TASK * 2 + 4);
        assert_eq!(surveyed["app-007/x.yaml"].digest, Digest::of(b"7"));
        assert_eq!(survey_tree(&root.join("missing"), &whole)?, Survey::new());
        Ok(())
    }
}
