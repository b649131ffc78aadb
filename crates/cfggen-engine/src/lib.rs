//! cfggen's incremental engine: what makes a command cost what changed
//! rather than what exists, and use the machine without passing its
//! memory budget. The pipeline crates below it know nothing of it; the
//! binary asks it to prepare, compare and write environments. Its parts,
//! one a file, and its invariants (first: the output never depends on
//! it) are in ARCHITECTURE.md, "The engine".

mod cache;
mod committed;
mod cut;
mod delta;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
mod leaks;
mod prepare;
mod scale;
mod survey;
mod survey_file;
mod tree_store;
mod write;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use cfggen_load::{Diagnostic, Loaded, Repo, Session};
use cfggen_render::Keep;

pub use committed::Outcome;
pub use prepare::Prepared;
pub use write::{NotWritten, Pending};

use cache::Cache;
use scale::Workers;

/// The engine of one command on one repository: its loading session,
/// tuned by what earlier runs of this build learnt (`cache.rs`) and by
/// the scale of the platform (`scale.rs`), and its worker pools.
pub struct Engine {
    repo: Repo,
    session: Session,
    cache: Cache,
    workers: Workers,
    /// The bases the cache said pass the partial schema.
    known_bases: BTreeSet<String>,
    /// The bases this command's loads found to.
    found_bases: Mutex<BTreeSet<String>>,
}

/// Starts making the two schemas every load checks against (once per
/// process), each on a thread of its own: a command's first load then
/// finds them made, or waits less, for what it does first (reading its
/// input, parsing the environment file) goes on beside them. The threads
/// end with the schemas, or with the process.
pub fn start_schemas() {
    for full in [true, false] {
        std::thread::spawn(move || cfggen_load::warm_schema(full));
    }
}

impl Engine {
    /// The engine of a command on `repo`.
    pub fn new(repo: Repo) -> Engine {
        let workers = Workers::of(&repo);
        let cache = Cache::of(&repo);
        let tuning = cache.tuning(workers.scale.lean);
        let known_bases = tuning.checked_bases.clone();
        let session = Session::tuned(Arc::new(repo.clone()), tuning);
        Engine {
            repo,
            session,
            cache,
            workers,
            known_bases,
            found_bases: Mutex::new(BTreeSet::new()),
        }
    }

    /// The loading session of the command.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// `a` and `b` side by side, on the command's worker pool.
    pub fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        self.workers.join(a, b)
    }

    /// Each of the named environments loaded, rendered (keeping only the
    /// digests of its files) and linted, and `keep` of it (on the worker,
    /// as soon as it is prepared); results in `names` order.
    pub fn prepare_each<R: Send>(
        &self,
        names: &[String],
        keep: impl Fn(Prepared) -> R + Sync,
    ) -> Vec<Result<R, Vec<Diagnostic>>> {
        let results = self.workers.in_order(names, |name| {
            prepare::prepare(self, name, Keep::Digests).map(&keep)
        });
        self.learn();
        results
    }

    /// Each of the named environments compared with its committed tree,
    /// `generated/<env>/`; results in `names` order.
    pub fn drift_each(&self, names: &[String]) -> Vec<Outcome> {
        committed::prepare_beside_digests(self, names, |name, ready, digests| {
            committed::drift_of(self, name, ready, digests)
        })
    }

    /// Loads `name`, noting the bases it found to pass the partial schema.
    fn load(&self, name: &str) -> Result<Loaded, Vec<Diagnostic>> {
        let loaded = self.session.load(name)?;
        if let Ok(mut found) = self.found_bases.lock() {
            found.extend(loaded.bases_passed.iter().cloned());
        }
        Ok(loaded)
    }

    /// Keeps in the cache the bases the loads found to pass.
    fn learn(&self) {
        if let Ok(found) = self.found_bases.lock() {
            self.cache.learn(&found, &self.known_bases);
        }
    }
}
