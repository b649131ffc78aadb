//! Environments written: each made ready beside the survey of its
//! committed tree, then written under its lock, looking again only where
//! the survey and the rendering differ.

use std::path::Path;

use cfggen_load::Diagnostic;

use crate::committed::{prepare_beside_digests, Read, Ready};
use cfggen_render::Keep;
use cfggen_write::Staged;

use crate::prepare::{hand_texts, prepare};
use crate::survey::Survey;
use crate::Engine;

/// What rendering one environment comes to before anything is written.
pub struct Pending(ToWrite);

enum ToWrite {
    /// What is on disk is what it renders to: nothing to write (only the
    /// count of files is kept).
    Unchanged(String, cfggen_write::WriteReport),
    /// Files to write (or a refusal to report), under the lock, and what
    /// this run's survey of the committed tree found, when it could read
    /// it (the write looks again only where the survey and the rendering
    /// differ, unless another cfggen wrote the tree since), and, for a
    /// rendering of a change of a few apps, what its load reads (recorded
    /// in the cache once it is written: the ground of the next change).
    /// The rendering holds the text of what is to be written, or none (a
    /// lean one that differs in more files than it could hold): then the
    /// environment is rendered again as it is written, handing each text
    /// to the write.
    Write(
        Box<cfggen_render::RenderedEnv>,
        Option<Surveyed>,
        Option<Box<cfggen_source::Inputs>>,
    ),
    /// It is as committed, but a killed render left a staging folder to
    /// remove: it is rendered when its turn to be written comes.
    Again(String, Option<Surveyed>),
}

/// This run's survey of a committed tree, and the tree's generation then.
struct Surveyed(Survey, cfggen_write::Generation);

impl Surveyed {
    /// What the write knows before it looks.
    fn before(this: &Option<Surveyed>) -> cfggen_write::Before<'_> {
        match this {
            Some(Surveyed(survey, generation)) => cfggen_write::Before::Whole(survey, *generation),
            None => cfggen_write::Before::Unknown,
        }
    }
}

/// Why an environment was not written.
pub enum NotWritten {
    /// The write was refused or failed.
    Write(cfggen_write::WriteError),
    /// Rendered again to be written, it was not valid any more (its files
    /// changed during the run).
    Invalid(Vec<Diagnostic>),
}

/// What an environment made ready comes to before anything is written.
fn to_write(
    engine: &Engine,
    name: &str,
    ready: Ready,
    digests: Read,
) -> Result<ToWrite, Vec<Diagnostic>> {
    let repo = &engine.repo;
    let clean = repo
        .generated(None)
        .is_ok_and(|g| !cfggen_write::has_leftovers(&g, name));
    let surveyed = |read: Read| read.ok().map(|c| Surveyed(c.survey, c.generation));
    let mut inputs = None;
    let rendered = match ready {
        Ready::Prepared(p) => p.rendered,
        Ready::Delta(d) => {
            inputs = Some(Box::new(d.inputs));
            d.rendered
        }
        // As committed, but a killed render's leftovers are to go.
        Ready::AsCommitted { .. } if !clean => {
            return Ok(ToWrite::Again(name.to_owned(), surveyed(digests)))
        }
        Ready::AsCommitted { files } => {
            let report = cfggen_write::WriteReport {
                unchanged: files,
                ..Default::default()
            };
            return Ok(ToWrite::Unchanged(name.to_owned(), report));
        }
    };
    // Rendered against the committed digests (lean), it holds the text
    // of every file that differs, unless there were too many: then it is
    // kept as digests, and its texts are made again as they are written.
    let complete = rendered.has_text()
        || digests
            .as_ref()
            .is_ok_and(|on_disk| rendered.against(&on_disk.digests).is_some());
    let unchanged = clean
        && digests
            .as_ref()
            .is_ok_and(|on_disk| rendered.same_as(&on_disk.digests));
    Ok(if unchanged {
        if let Some(inputs) = &inputs {
            engine.cache.record(name, inputs, &rendered, repo);
        }
        let report = cfggen_write::WriteReport {
            unchanged: rendered.len(),
            ..Default::default()
        };
        ToWrite::Unchanged(rendered.name, report)
    } else {
        let rendered = if complete {
            rendered
        } else {
            rendered.without_text()
        };
        ToWrite::Write(Box::new(rendered), surveyed(digests), inputs)
    })
}

impl Engine {
    /// Each of the named environments validated, rendered and compared
    /// with the digests of what is on disk (read beside the rendering) as
    /// soon as it is rendered: one that is unchanged keeps only its count
    /// (a large platform is not held in memory whole), the others their
    /// files, which the write compares again, under the lock, where they
    /// differ (everywhere, if another cfggen wrote meanwhile). Results in
    /// `names` order.
    pub fn prepare_writes(&self, names: &[String]) -> Vec<Result<Pending, Vec<Diagnostic>>> {
        prepare_beside_digests(self, names, |name, ready, digests| {
            to_write(self, name, ready?, digests).map(Pending)
        })
    }

    /// Writes each environment of `pending` under `generated`, each under
    /// its lock (`waiting` is told the environment and the lock's path
    /// when another cfggen holds it); a killed render's leftovers are
    /// removed. Results in `pending` order.
    pub fn write(
        &self,
        pending: &[Pending],
        generated: &Path,
        waiting: impl Fn(&str, &Path) + Sync,
    ) -> Vec<(String, Result<cfggen_write::WriteReport, NotWritten>)> {
        self.workers.in_order(pending, |Pending(w)| {
            let (name, surveyed) = match w {
                ToWrite::Unchanged(name, report) => return (name.clone(), Ok(report.clone())),
                ToWrite::Write(rendered, surveyed, _) => (&rendered.name, surveyed),
                ToWrite::Again(name, surveyed) => (name, surveyed),
            };
            let again;
            let (rendered, inputs) = match w {
                ToWrite::Write(rendered, _, inputs) => (&**rendered, inputs.as_deref()),
                _ => match prepare(self, name, Keep::Digests) {
                    Ok(p) => {
                        again = p.rendered;
                        (&again, None)
                    }
                    Err(d) => return (name.clone(), Err(NotWritten::Invalid(d))),
                },
            };
            // One render of an environment at a time; the lock is released
            // when `_lock` goes out of scope.
            let written = cfggen_write::lock_environment(generated, name, |path| {
                waiting(name, path);
            })
            .map_err(NotWritten::Write)
            .and_then(|_lock| {
                let before = Surveyed::before(surveyed);
                match cfggen_write::stage(generated, rendered, before) {
                    Ok(Staged::Unchanged(report)) => Ok(report),
                    Ok(Staged::Started(stage)) => {
                        if stage.wants_text() {
                            hand_texts(self, name, &stage).map_err(NotWritten::Invalid)?;
                        }
                        stage.finish().map_err(NotWritten::Write)
                    }
                    Err(e) => Err(NotWritten::Write(e)),
                }
            });
            // A change of a few apps, written: the ground of the next.
            if let (Ok(_), Some(inputs)) = (&written, inputs) {
                self.cache.record(name, inputs, rendered, &self.repo);
            }
            (name.clone(), written)
        })
    }
}
