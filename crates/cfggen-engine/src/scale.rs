//! How much of the machine a command uses, decided from the size of the
//! platform: how many environments are worked on at once, and whether
//! each keeps digests instead of text (but for the files that differ
//! from the committed ones) and parses its bases itself. Small
//! platforms use every core and keep everything (fastest); a large one
//! works so that peak memory stays near [`MEMORY_BUDGET`]. The output
//! never depends on it.

use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

use cfggen_load::Repo;
use cfggen_source::{BASES_DIR, ENVIRONMENTS_DIR};

/// The memory a command aims to stay under, unless `CFGGEN_MEMORY` says
/// another number of MiB.
pub(crate) const MEMORY_BUDGET: u64 = 256 << 20;

/// What one environment holds at its peak when it is not lean, per byte
/// of its input (its file and every base): about 35 on the 10,000-app
/// fleet of BENCHMARKS.md (a 9.8 MB input peaked at 340 MB; lean, it
/// peaks at about 225 MiB), rounded up.
const BYTES_PER_INPUT_BYTE: u64 = 40;

/// How a command works through the environments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scale {
    /// Environments prepared at once (the loops of
    /// [`Workers::in_order`]); a prepared environment waiting for the
    /// reading of its tree is held until that reading, at most `jobs − 1`
    /// tasks later.
    pub(crate) jobs: usize,
    /// Each environment keeps the digest of each rendered file that is
    /// as committed instead of its text (the text only of the files that
    /// differ) and parses its bases itself instead of sharing them.
    pub(crate) lean: bool,
    /// The text a lean environment's rendering keeps of the files that
    /// differ from the committed ones: a sixteenth of the budget, the files
    /// of a few apps rather than of the environment (one that differs in
    /// more is rendered again, with its text, when it is written or its
    /// diff shown).
    pub(crate) hold: usize,
    /// The threads the command may use in all (`CFGGEN_JOBS` when set).
    pub(crate) threads: usize,
}

impl Scale {
    /// The scale of the platform in `repo`; `CFGGEN_JOBS` sets the number
    /// of jobs, `CFGGEN_MEMORY` the budget in MiB.
    pub(crate) fn of(repo: &Repo) -> Scale {
        let budget = configured("CFGGEN_MEMORY").map_or(MEMORY_BUDGET, |mib| (mib as u64) << 20);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut scale = Scale::for_input(input_bytes(repo), cores, budget);
        scale.lean &= !Mechanism::Lean.is_off();
        if let Some(jobs) = configured("CFGGEN_JOBS") {
            (scale.jobs, scale.threads) = (jobs, jobs);
        }
        scale
    }

    /// The scale for environments of `input` bytes at most, on `cores`,
    /// within `budget` bytes.
    fn for_input(input: u64, cores: usize, budget: u64) -> Scale {
        let per_env = input.saturating_mul(BYTES_PER_INPUT_BYTE).max(1);
        let fit = usize::try_from(budget / per_env).unwrap_or(usize::MAX);
        Scale {
            jobs: cores.min(fit).max(1),
            lean: per_env > budget / 2,
            hold: usize::try_from(budget / 16).unwrap_or(usize::MAX),
            threads: cores,
        }
    }
}

/// A mechanism of the engine that a benchmark can switch off
/// (`CFGGEN_WITHOUT=delta,lean,…`), to show what it saves on the
/// command it serves (BENCHMARKS.md, "What each mechanism saves"). The
/// output never depends on it: each only decides how the same files are
/// found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mechanism {
    /// The parsed trees of large files under `environments/`, kept in the
    /// cache and decoded instead of parsed (`tree-store`).
    TreeStore,
    /// A large base cut down to some apps from its lines, without its
    /// tree (`line-cut`).
    LineCut,
    /// A large platform's environments loaded one at a time, each
    /// parsing its bases itself and rendered against the committed
    /// digests (`lean`).
    Lean,
    /// The survey of each committed tree kept in the cache, so that a
    /// file whose stamp did not change is not read (`survey-file`).
    SurveyFile,
    /// A change of a few apps rendered from those apps alone (`delta`).
    Delta,
}

impl Mechanism {
    const ALL: [(Mechanism, &'static str); 5] = [
        (Mechanism::TreeStore, "tree-store"),
        (Mechanism::LineCut, "line-cut"),
        (Mechanism::Lean, "lean"),
        (Mechanism::SurveyFile, "survey-file"),
        (Mechanism::Delta, "delta"),
    ];

    /// Whether `CFGGEN_WITHOUT` switches it off.
    pub(crate) fn is_off(self) -> bool {
        std::env::var("CFGGEN_WITHOUT").is_ok_and(|v| Mechanism::named(&v).contains(&self))
    }

    /// The mechanisms a comma-separated list names (unknown names are
    /// left out).
    fn named(list: &str) -> Vec<Mechanism> {
        list.split(',')
            .filter_map(|n| Mechanism::ALL.iter().find(|(_, name)| *name == n.trim()))
            .map(|(m, _)| *m)
            .collect()
    }
}

/// The input of the largest environment, at most: the largest
/// environment file and every base.
fn input_bytes(repo: &Repo) -> u64 {
    let size = |dir: &str| -> Vec<u64> {
        let Ok(path) = repo.contained(dir) else {
            return Vec::new();
        };
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".yaml"))
            .filter_map(|e| e.metadata().ok().filter(|m| m.is_file()).map(|m| m.len()))
            .collect()
    };
    let largest = size(ENVIRONMENTS_DIR).into_iter().max().unwrap_or(0);
    largest + size(BASES_DIR).into_iter().sum::<u64>()
}

/// The environment variable `name`, when set to a positive number.
fn configured(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
}

/// How a command spreads its work: each step runs on one worker pool of
/// [`Scale::threads`] threads, and every parallel piece of it — its
/// environments ([`Workers::in_order`]), and what they spread in turn
/// (the survey's and the write's tasks) — is a task of it, so the
/// command uses its threads and no more, and a thread with nothing left
/// of its own takes what another has not begun (rayon's work stealing).
pub(crate) struct Workers {
    /// How the command works through the environments.
    pub(crate) scale: Scale,
}

impl Workers {
    /// The pool for the platform in `repo` ([`Scale::of`]).
    pub(crate) fn of(repo: &Repo) -> Workers {
        Workers {
            scale: Scale::of(repo),
        }
    }

    /// `op` on a pool of one step of the command, or on the pool it is
    /// called from. Its threads end with the step, and with them what
    /// the allocator holds for each: a pool kept for the whole command
    /// held freed memory of one step's threads while another step peaked
    /// (at 10,000 apps, a fresh render peaked 47 MiB higher). When no
    /// thread can be started, `op` runs on the command's own thread.
    fn on_pool<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        if rayon::current_thread_index().is_some() {
            return op();
        }
        match rayon::ThreadPoolBuilder::new()
            .num_threads(self.scale.threads)
            .thread_name(|i| format!("cfggen-{i}"))
            .build()
        {
            Ok(pool) => pool.install(op),
            Err(_) => op(),
        }
    }

    /// `f` over `tasks`, each taken in turn, in their order, by whichever
    /// of [`Scale::jobs`] loops (on as many threads at most) is free
    /// first: put long tasks that cannot be split before short ones and
    /// those that spread their work over the pool, and no thread waits
    /// while another has a long way to go. Results in `tasks` order.
    pub(crate) fn in_order<T: Sync, R: Send>(
        &self,
        tasks: &[T],
        f: impl Fn(&T) -> R + Sync,
    ) -> Vec<R> {
        let loops = self.scale.jobs.clamp(1, self.scale.threads.max(1));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let take = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(task) = tasks.get(i) else {
                    return done;
                };
                done.push((i, f(task)));
            }
        };
        let mut done: Vec<(usize, R)> = self.on_pool(|| {
            (0..loops)
                .into_par_iter()
                .with_max_len(1)
                .flat_map_iter(|_| take())
                .collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }

    /// `a` and `b`, side by side.
    pub(crate) fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        self.on_pool(|| rayon::join(a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_platforms_use_every_core_and_large_ones_one_lean_job() {
        let scale = |input, cores| Scale::for_input(input, cores, MEMORY_BUDGET);
        let s = |jobs, lean| Scale {
            jobs,
            lean,
            hold: 16 << 20,
            threads: 2,
        };
        // The 1,000-app fleet: about 1 MB of input.
        assert_eq!(scale(1_000_000, 2), s(2, false));
        // The 10,000-app fleet: about 10 MB.
        assert_eq!(scale(10_000_000, 2), s(1, true));
        // In between, fewer jobs before a lean one.
        let on = |cores, s: Scale| Scale {
            threads: cores,
            ..s
        };
        assert_eq!(scale(3_000_000, 8), on(8, s(2, false)));
        assert_eq!(scale(0, 4), on(4, s(4, false)));
        // A small budget makes a small platform lean, and holds less.
        let small = Scale::for_input(100_000, 2, 1 << 20);
        assert_eq!((small.jobs, small.lean, small.hold), (1, true, 64 << 10));
    }

    #[test]
    fn mechanisms_are_named_as_the_benchmarks_name_them() {
        assert_eq!(
            Mechanism::named("delta, lean,nonsense,survey-file"),
            [Mechanism::Delta, Mechanism::Lean, Mechanism::SurveyFile]
        );
        assert_eq!(Mechanism::named(""), []);
        let names: Vec<&str> = Mechanism::ALL.iter().map(|(_, n)| *n).collect();
        assert_eq!(
            Mechanism::named(&names.join(",")).len(),
            Mechanism::ALL.len()
        );
    }

    use std::time::Duration;

    #[test]
    fn tasks_in_order_are_taken_in_turn_by_the_first_free_loop() {
        let scale = |jobs, threads| Scale {
            jobs,
            lean: false,
            hold: 0,
            threads,
        };
        let tasks: Vec<usize> = (0..40).collect();
        for (jobs, threads) in [(1, 1), (1, 4), (2, 2), (4, 2), (3, 3)] {
            let started = std::sync::Mutex::new(Vec::new());
            let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
            let out = Workers {
                scale: scale(jobs, threads),
            }
            .in_order(&tasks, |t| {
                if let (Ok(mut started), Ok(mut seen)) = (started.lock(), seen.lock()) {
                    started.push(*t);
                    seen.insert(std::thread::current().name().map(str::to_owned));
                }
                t * 3
            });
            // On the step's own pool, no more threads than it is given.
            let seen = seen.into_inner().unwrap_or_default();
            assert!(
                seen.len() <= jobs.min(threads),
                "{jobs} jobs, {threads} threads: {seen:?}"
            );
            assert!(seen
                .iter()
                .all(|n| n.as_deref().is_some_and(|n| n.starts_with("cfggen-"))));
            assert_eq!(out, tasks.iter().map(|t| t * 3).collect::<Vec<_>>());
            // Each begun once; in their order when one loop takes them all.
            let mut started = started.into_inner().unwrap_or_default();
            if jobs.min(threads) > 1 {
                started.sort_unstable();
            }
            assert_eq!(started, tasks);
        }
        // A long first task does not hold up the others: the second loop
        // takes them all meanwhile.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = std::sync::Mutex::new(rx);
        let out = Workers { scale: scale(2, 2) }.in_order(&tasks, |t| {
            let thread = std::thread::current().id();
            if *t == 0 {
                // Waits until the last task has been done by another loop.
                let waited = rx.lock().map(|rx| rx.recv_timeout(Duration::from_secs(30)));
                assert!(matches!(waited, Ok(Ok(()))), "no other loop took the rest");
            } else if *t == tasks.len() - 1 {
                let _ = tx.send(());
            }
            thread
        });
        assert!(out[1..].iter().all(|thread| *thread != out[0]));
    }
}
