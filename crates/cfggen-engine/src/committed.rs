//! The committed trees, `generated/<env>/`, beside the rendering: their
//! digests read as tasks of the pool while the environments are
//! prepared, and each environment compared with its tree by the thread
//! that finished the later of the two (`check`, `diff` and `render`
//! share this).

use std::collections::BTreeMap;
use std::sync::Mutex;

use cfggen_load::{source_diagnostic, Diagnostic};
use cfggen_render::Keep;
use cfggen_source::GENERATED_DIR;
use cfggen_write::Digest;

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

/// Prepares the named environments, each beside the reading of the
/// digests of its committed tree, on the command's worker pool; the
/// thread that finishes the second of an environment's two halves calls
/// `pair` with both, so its rendering is freed as soon as it is
/// compared. Results in `names` order.
///
/// An environment the cache has no rendering of, on a platform that is
/// not lean, is two tasks: its preparation and the reading of its tree.
/// The preparations, which cannot be split, are taken first, the first
/// environment's (which parses the bases) beside the reading of its
/// tree; each other reading, which spreads over the pool, comes as many
/// preparations after its own as there are jobs less one, so the
/// readings fill the threads the preparations leave
/// ([`Workers::in_order`]) while no more renderings wait for their
/// reading than there are jobs: with three environments on two threads,
/// a thread that had read its trees no longer waited while the other
/// prepared the third environment alone (a cold `check` of the
/// 1,000-app fleet, BENCHMARKS.md). Any other environment is one task
/// ([`ready`]).
pub(crate) fn prepare_beside_digests<R: Send>(
    engine: &Engine,
    names: &[String],
    pair: impl Fn(&str, Result<Ready, Vec<Diagnostic>>, Read) -> R + Sync,
) -> Vec<R> {
    let recorded: Vec<_> = names.iter().map(|n| engine.cache.rendering(n)).collect();
    let apart = |i: &usize| recorded[*i].is_none() && !engine.workers.scale.lean;
    let (plain, whole): (Vec<usize>, Vec<usize>) = (0..names.len()).partition(apart);
    let mut tasks: Vec<Task> = whole.into_iter().map(Task::Whole).collect();
    if let Some((first, rest)) = plain.split_first() {
        tasks.extend([Task::Prepare(*first), Task::Read(*first)]);
        // Each reading `lag` preparations behind its own: as many
        // renderings wait for their reading as there are jobs, not all.
        let lag = engine.workers.scale.jobs.max(1) - 1;
        for (k, i) in rest.iter().enumerate() {
            tasks.push(Task::Prepare(*i));
            if k >= lag {
                tasks.push(Task::Read(rest[k - lag]));
            }
        }
        let last = &rest[rest.len().saturating_sub(lag)..];
        tasks.extend(last.iter().map(|i| Task::Read(*i)));
    }
    let halves: Vec<Mutex<Option<Half>>> = names.iter().map(|_| Mutex::new(None)).collect();
    let done = engine.workers.in_order(&tasks, |task| {
        let (i, half) = match *task {
            Task::Whole(i) => {
                let read = || read_digests(engine, &names[i]);
                let (ready, on_disk) = ready(engine, &names[i], recorded[i].as_ref(), read);
                return Some((i, pair(&names[i], ready, on_disk)));
            }
            Task::Prepare(i) => {
                let loaded = engine.load(&names[i]);
                (
                    i,
                    Half::Ready(rendered(engine, &names[i], loaded, Keep::Text)),
                )
            }
            Task::Read(i) => (i, Half::Read(read_digests(engine, &names[i]))),
        };
        let (ready, on_disk) = meet(&halves[i], half)?;
        Some((i, pair(&names[i], ready, on_disk)))
    });
    engine.learn();
    let mut done: Vec<(usize, R)> = done.into_iter().flatten().collect();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A task of [`prepare_beside_digests`], on the environment at an index.
enum Task {
    /// Made ready beside the reading of its tree, as one ([`ready`]).
    Whole(usize),
    /// Loaded and rendered, keeping every text.
    Prepare(usize),
    /// The digests of its committed tree read.
    Read(usize),
}

/// One of the two halves of an environment of two tasks.
enum Half {
    Ready(Result<Ready, Vec<Diagnostic>>),
    Read(Read),
}

/// Both halves, when `half` is the second to come to `slot`; else it
/// waits there for the other.
fn meet(slot: &Mutex<Option<Half>>, half: Half) -> Option<(Result<Ready, Vec<Diagnostic>>, Read)> {
    let mut slot = slot
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match (slot.take(), half) {
        (Some(Half::Ready(ready)), Half::Read(read))
        | (Some(Half::Read(read)), Half::Ready(ready)) => Some((ready, read)),
        (_, half) => {
            *slot = Some(half);
            None
        }
    }
}

/// `loaded` rendered, keeping `keep` of its files, and recorded in the
/// cache with its environment file's text when that is large (the ground
/// of [`crate::delta`]); one with warnings is not recorded, so that it is
/// loaded on every run to print them.
fn rendered(
    engine: &Engine,
    name: &str,
    loaded: Result<cfggen_load::Loaded, Vec<Diagnostic>>,
    keep: Keep,
) -> Result<Ready, Vec<Diagnostic>> {
    let p = loaded.and_then(|l| finish(&engine.session, l, name, keep))?;
    if p.loaded.warnings.is_empty() {
        let source = engine.session.source();
        engine
            .cache
            .record(name, &p.loaded.inputs, &p.rendered, source);
    }
    Ok(Ready::Prepared(Box::new(p)))
}

/// One environment made ready, and the digests of its committed tree
/// (`read` reads them), given what the cache `recorded` of it.
fn ready(
    engine: &Engine,
    name: &str,
    recorded: Option<&crate::cache::Rendering<'static>>,
    read: impl FnOnce() -> Read + Send,
) -> (Result<Ready, Vec<Diagnostic>>, Read) {
    let scale = engine.workers.scale;
    let Some(rendering) = recorded else {
        // Lean, the rendering is made against the digests, which are
        // read while the environment loads. The load runs on this
        // thread, which renders after it, and the reading is the task
        // another thread may take: what the load allocates is freed by
        // the thread that allocated it, and the allocator's caches of one
        // thread, not two, hold an environment's peak (with the two the
        // other way round, a fresh render of 10,000 apps peaked 100 MiB
        // higher).
        let (loaded, on_disk) = rayon::join(|| engine.load(name), read);
        return (
            rendered(engine, name, loaded, keep_for(&on_disk, scale)),
            on_disk,
        );
    };
    let on_disk = read();
    if engine.session.unchanged(&rendering.inputs) {
        if is_committed(&on_disk, rendering) {
            let files = rendering.files;
            return (Ok(Ready::AsCommitted { files }), on_disk);
        }
    } else if let Some(text) = engine.cache.source(name) {
        // A large environment file changed since its committed
        // rendering: a change of a few apps is rendered from them alone.
        let delta = (!Mechanism::Delta.is_off())
            .then(|| changed_apps_alone(engine, name, rendering, &text, &on_disk))
            .flatten();
        if let Some(delta) = delta {
            return (Ok(Ready::Delta(Box::new(delta))), on_disk);
        }
    }
    let keep = keep_for(&on_disk, scale);
    (rendered(engine, name, engine.load(name), keep), on_disk)
}

/// Whether the committed tree is the one `rendering` recorded.
fn is_committed(on_disk: &Read, rendering: &crate::cache::Rendering<'_>) -> bool {
    on_disk.as_ref().is_ok_and(|c| {
        let d = &c.digests;
        d.len() == rendering.files
            && Digest::of_tree(d.iter().map(|(p, d)| (p.as_str(), *d))) == rendering.tree
    })
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
        None => match crate::prepare::prepare(engine, name, Keep::Text) {
            Ok(p) => p.rendered,
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
