//! The committed trees, `generated/<env>/`, beside the rendering: their
//! digests read on a thread of their own while the environments are
//! prepared, and each environment compared with its tree by the thread
//! that prepared it (`check`, `diff` and `render` share this).

use std::collections::BTreeMap;

use cfggen_load::{source_diagnostic, Diagnostic};
use cfggen_render::Keep;
use cfggen_source::GENERATED_DIR;
use cfggen_write::Digest;

use crate::cache::Cache;
use crate::prepare::{finish, Prepared};
use crate::scale::{Mechanism, Scale};
use crate::survey::Survey;
use crate::Engine;

/// The digest of each committed file of an environment, by path.
pub(crate) type Digests = BTreeMap<String, cfggen_write::Digest>;

/// An environment ready to be compared with its committed tree.
pub(crate) enum Ready {
    /// Loaded and rendered.
    Prepared(Box<Prepared>),
    /// Known, without loading or rendering it, to render to its committed
    /// tree of `files` files: every file its last load read gives what it
    /// gave, and the committed tree has the digest it rendered to
    /// ([`crate::cache`]).
    AsCommitted {
        /// The number of files.
        files: usize,
    },
    /// Rendered from the few apps a change of its file touches, on the
    /// ground of its committed rendering ([`crate::delta`]): the text of
    /// each file the change alters, the committed digest of the others.
    Delta(Box<crate::delta::Delta>),
}

/// Prepares the named environments ([`Workers::map`]: [`Scale::jobs`] at
/// once, on the command's worker pool), each beside the reading of the
/// digests of its committed tree: the two are independent tasks of the
/// pool, so every thread stays busy. The thread that prepared an
/// environment calls `pair` with both halves, so its rendering is freed
/// as soon as it is compared (and its memory is used again by the same
/// thread's next environment). Results in `names` order.
///
/// An environment whose files are as they were when it last rendered to
/// its committed tree is [`Ready::AsCommitted`]: neither loaded nor
/// rendered. At a lean [`Scale`] an environment is loaded, then rendered
/// against the digests of its committed tree ([`Keep::Differing`]): the
/// rendering holds the text of the files that differ (of a few apps' at
/// most, [`Scale::hold`]), which is all a diff or a write needs, and the
/// digest of the others.
pub(crate) fn prepare_beside_digests<R: Send>(
    engine: &Engine,
    names: &[String],
    pair: impl Fn(&str, Result<Ready, Vec<Diagnostic>>, Read) -> R + Sync,
) -> Vec<R> {
    let results = engine.workers.map(names, |name| {
        let read = || read_digests(engine, name);
        let first = names.first() == Some(name);
        let (ready, on_disk) = ready(engine, name, first, read);
        pair(name, ready, on_disk)
    });
    engine.learn();
    results
}

/// One environment made ready, and the digests of its committed tree
/// (`read` reads them).
fn ready(
    engine: &Engine,
    name: &str,
    first: bool,
    read: impl FnOnce() -> Read + Send,
) -> (Result<Ready, Vec<Diagnostic>>, Read) {
    let (session, cache, scale) = (&engine.session, &engine.cache, engine.workers.scale);
    let recorded = cache.rendering(name);
    let unchanged = recorded
        .as_ref()
        .is_some_and(|r| session.unchanged(&r.inputs));
    // The text its large environment file had then, the ground of a change.
    let text = recorded
        .as_ref()
        .filter(|_| !unchanged)
        .and_then(|_| cache.source(name));
    match (recorded, text) {
        (Some(rendering), _) if unchanged => {
            let on_disk = read();
            if is_committed(&on_disk, &rendering) {
                let files = rendering.files;
                return (Ok(Ready::AsCommitted { files }), on_disk);
            }
            let prepared = engine
                .load(name)
                .and_then(|l| finish(session, l, name, keep_for(&on_disk, scale)));
            (prepared.map(|p| Ready::Prepared(Box::new(p))), on_disk)
        }
        // A large environment file changed since its committed rendering:
        // a change of a few apps is rendered from them alone.
        (Some(rendering), Some(text)) => {
            let on_disk = read();
            let delta = (!Mechanism::Delta.is_off())
                .then(|| changed_apps_alone(engine, name, &rendering, &text, &on_disk))
                .flatten();
            if let Some(delta) = delta {
                return (Ok(Ready::Delta(Box::new(delta))), on_disk);
            }
            let prepared = engine
                .load(name)
                .and_then(|l| finish(session, l, name, keep_for(&on_disk, scale)));
            record(session, cache, name, &prepared);
            (prepared.map(|p| Ready::Prepared(Box::new(p))), on_disk)
        }
        // Lean, the rendering is made against the digests, which are
        // read while the environment loads; else it is made while they
        // are read. The load runs on this thread, which renders after it,
        // and the reading is the task another thread may take: what the
        // load allocates is freed by the thread that allocated it, and
        // the allocator's caches of one thread, not two, hold an
        // environment's peak (with the two the other way round, a fresh
        // render of 10,000 apps peaked 100 MiB higher).
        _ if scale.lean => {
            let (loaded, on_disk) = rayon::join(|| engine.load(name), read);
            let keep = keep_for(&on_disk, scale);
            let prepared = loaded.and_then(|l| finish(session, l, name, keep));
            record(session, cache, name, &prepared);
            (prepared.map(|p| Ready::Prepared(Box::new(p))), on_disk)
        }
        _ => {
            let prepare = || {
                engine
                    .load(name)
                    .and_then(|l| finish(session, l, name, Keep::Text))
            };
            // The first environment parses the bases the others wait for:
            // it loads at once, and leaves its reading to another thread;
            // the others read first, while the bases are parsed.
            let (on_disk, prepared) = if first {
                let (prepared, on_disk) = rayon::join(prepare, read);
                (on_disk, prepared)
            } else {
                rayon::join(read, prepare)
            };
            record(session, cache, name, &prepared);
            (prepared.map(|p| Ready::Prepared(Box::new(p))), on_disk)
        }
    }
}

/// Whether the committed tree is the one `rendering` recorded.
fn is_committed(on_disk: &Read, rendering: &crate::cache::Rendering<'_>) -> bool {
    on_disk.as_ref().is_ok_and(|c| {
        let d = &c.digests;
        d.len() == rendering.files
            && Digest::of_tree(d.iter().map(|(p, d)| (p.as_str(), *d))) == rendering.tree
    })
}

/// Records a rendering in the cache, with its environment file's text
/// when that is large (the ground of [`crate::delta`]).
fn record(
    session: &cfggen_load::Session,
    cache: &Cache,
    name: &str,
    prepared: &Result<Prepared, Vec<Diagnostic>>,
) {
    // An environment with warnings is loaded on every run, to print them.
    if let Some(p) = prepared
        .as_ref()
        .ok()
        .filter(|p| p.loaded.warnings.is_empty())
    {
        cache.record(name, &p.loaded.inputs, &p.rendered, session.source());
    }
}

/// The environment rendered from the apps its file's change touches,
/// when the committed tree is the rendering the cache recorded and the
/// change is confined to those apps ([`crate::delta`]).
fn changed_apps_alone(
    engine: &Engine,
    name: &str,
    rendering: &crate::cache::Rendering<'_>,
    text: &[u8],
    on_disk: &Read,
) -> Option<crate::delta::Delta> {
    if !is_committed(on_disk, rendering) {
        return None;
    }
    let committed = &on_disk.as_ref().ok()?.digests;
    let ground = crate::delta::Ground {
        inputs: &rendering.inputs,
        text,
        committed,
    };
    crate::delta::render_change(&engine.session, &engine.cache, name, &ground)
}

/// What a rendering keeps of each file: lean, the text of the files that
/// differ from the committed ones (their digests when the tree could not
/// be read); else every text.
fn keep_for(on_disk: &Read, scale: Scale) -> Keep<'_> {
    match (on_disk, scale.lean) {
        (_, false) => Keep::Text,
        (Ok(committed), true) => Keep::Differing(&committed.digests, scale.hold),
        (Err(_), true) => Keep::Digests,
    }
}

/// What a reading of a committed tree gave.
pub(crate) type Read = Result<Committed, Diagnostic>;

/// A committed tree as read.
pub(crate) struct Committed {
    /// The digest of each file.
    pub(crate) digests: Digests,
    /// What the survey knew of each file (the write trusts its settled
    /// stamps, and reads only the files whose stamp changed since).
    pub(crate) survey: Survey,
    /// The tree's generation when it was surveyed: while it is the same,
    /// no cfggen wrote the tree since.
    pub(crate) generation: cfggen_write::Generation,
}

/// What comparing an environment with its committed tree came to.
pub enum Outcome {
    /// The environment is not valid.
    Invalid(Vec<Diagnostic>),
    /// How its rendering and its committed tree differ (no files: not).
    Drift(cfggen_diff::Drift),
    /// Its committed tree could not be read.
    Failed(Diagnostic),
}

/// The digest of each file of `generated/<env>/`, reading only the files
/// that changed since the cache surveyed it.
fn read_digests(engine: &Engine, env: &str) -> Read {
    let (repo, cache) = (&engine.repo, &engine.cache);
    let dir = repo
        .generated(Some(env))
        .map_err(|e| source_diagnostic(&e))?;
    let generation = repo
        .generated(None)
        .map(|generated| cfggen_write::generation(&generated, env))
        .map_err(|e| source_diagnostic(&e))?;
    let before = cache.survey(env);
    let survey = crate::survey::survey_tree(&dir, &before)
        .map_err(|e| Diagnostic::bare("io", e.to_string()))?;
    let digests = survey.iter().map(|(p, k)| (p.clone(), k.digest)).collect();
    if survey != before {
        cache.put_survey(env, &survey);
    }
    Ok(Committed {
        digests,
        survey,
        generation,
    })
}

/// Compares a prepared environment with the digests of its committed
/// files, reading again the bytes of each file whose digest differs.
pub(crate) fn drift_of(
    engine: &Engine,
    name: &str,
    ready: Result<Ready, Vec<Diagnostic>>,
    digests: Read,
) -> Outcome {
    let (rendered, digests) = match (ready, digests) {
        (Err(diagnostics), _) => return Outcome::Invalid(diagnostics),
        (Ok(_), Err(e)) => return Outcome::Failed(e),
        (Ok(Ready::AsCommitted { .. }), Ok(_)) => {
            return Outcome::Drift(cfggen_diff::Drift {
                environment: name.to_owned(),
                files: Vec::new(),
            })
        }
        (Ok(Ready::Prepared(p)), Ok(c)) => (p.rendered, c.digests),
        (Ok(Ready::Delta(d)), Ok(c)) => (d.rendered, c.digests),
    };
    if rendered.same_as(&digests) {
        return Outcome::Drift(cfggen_diff::Drift {
            environment: rendered.name,
            files: Vec::new(),
        });
    }
    // A lean rendering that differs in more files than it kept the text
    // of is made again, with all of it, for the diff.
    let rendered = match rendered.against(&digests) {
        Some(_) => rendered,
        None => match crate::prepare::with_every_text(engine, name) {
            Ok(rendered) => rendered,
            Err(diagnostics) => return Outcome::Invalid(diagnostics),
        },
    };
    let Some(against) = rendered.against(&digests) else {
        let lacks = format!("{name}: a rendering with every text lacks one");
        return Outcome::Failed(Diagnostic::bare("internal", lacks));
    };
    let dir = match engine.repo.generated(Some(name)) {
        Ok(dir) => dir,
        Err(e) => return Outcome::Failed(source_diagnostic(&e)),
    };
    // The bytes of the committed files that differ, or are not rendered.
    let mut old = BTreeMap::new();
    let differing = against.differing().filter(|(_, _, committed)| *committed);
    for rel in differing.map(|(rel, _, _)| rel).chain(against.removed()) {
        match cfggen_write::read_file(&dir, rel) {
            Ok(bytes) => old.insert(rel.to_owned(), bytes),
            Err(e) => return Outcome::Failed(Diagnostic::bare("io", e.to_string())),
        };
    }
    Outcome::Drift(cfggen_diff::diff_env(
        against,
        &old,
        &format!("{GENERATED_DIR}/{name}/"),
    ))
}
