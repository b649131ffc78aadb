//! How much of the machine a command uses, decided from the size of the
//! platform: how many environments are worked on at once, and whether
//! each keeps digests instead of text (but for the files that differ
//! from the committed ones) and parses its bases itself. Small
//! platforms use every core and keep everything (fastest); a large one
//! works so that peak memory stays near [`MEMORY_BUDGET`]. The output
//! never depends on it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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
    /// Environments worked on at once.
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
        let scale = Scale::for_input(input_bytes(repo), cores(), budget);
        match configured("CFGGEN_JOBS") {
            Some(jobs) => Scale {
                jobs,
                threads: jobs,
                ..scale
            },
            None => scale,
        }
    }

    /// The threads that render the apps of an environment while `envs`
    /// environments are worked on: the threads the jobs leave idle (a lean
    /// platform works on one environment at a time, with every thread).
    pub(crate) fn render_jobs(&self, envs: usize) -> usize {
        (self.threads / envs.clamp(1, self.jobs)).max(1)
    }

    /// [`Scale::render_jobs`] for a rendering that keeps every file's
    /// text: one thread when lean, for such a rendering is the peak of a
    /// lean command's memory (270 MiB at 10,000 apps, 283 on two threads).
    pub(crate) fn text_render_jobs(&self, envs: usize) -> usize {
        if self.lean {
            1
        } else {
            self.render_jobs(envs)
        }
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

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The environment variable `name`, when set to a positive number.
fn configured(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
}

/// `f` over `items` on up to `jobs` threads; results in `items` order.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    jobs: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = jobs.min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = f(item);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().ok().flatten())
        .collect()
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
    fn the_threads_the_jobs_leave_idle_render_the_apps() {
        let lean = Scale::for_input(10_000_000, 4, MEMORY_BUDGET);
        assert_eq!(lean.render_jobs(3), 4);
        assert_eq!(lean.text_render_jobs(3), 1);
        let small = Scale::for_input(1_000_000, 4, MEMORY_BUDGET);
        assert_eq!(small.render_jobs(1), 4);
        assert_eq!(small.text_render_jobs(1), 4);
        assert_eq!(small.render_jobs(2), 2);
        assert_eq!(small.render_jobs(3), 1);
        assert_eq!(small.render_jobs(9), 1);
    }
}
