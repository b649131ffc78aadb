//! `cfggen-bench`: generates a synthetic fleet (N apps × E environments)
//! in cfggen's format and as a Kustomize layout, then times the real
//! `cfggen` binary on it next to `cp -r`, `diff -r` and `kubectl kustomize`
//! on the same machine, in the same run, and prints the ratios the project
//! targets (see BENCHMARKS.md).
//!
//! ```text
//! cargo run --release -p cfggen-bench -- --apps 1000 --envs 3
//! ```

mod fleet;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(name = "cfggen-bench", about = "Benchmark cfggen on a synthetic fleet")]
struct Args {
    /// Apps in the fleet.
    #[arg(long, default_value_t = 1000)]
    apps: usize,
    /// Environments.
    #[arg(long, default_value_t = 3)]
    envs: usize,
    /// Timed runs of each step (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Timed runs of `kubectl kustomize` (it is slow); 0 skips it.
    #[arg(long, default_value_t = 5)]
    kustomize_runs: usize,
    /// Also time a fresh render of 10× the apps, to check cost is linear.
    #[arg(long)]
    linearity: bool,
    /// Work folder: a new or empty folder, or one an earlier run of
    /// cfggen-bench made (it holds `.cfggen-bench`); any other folder is
    /// refused, never emptied. Default: a new folder under the system temp
    /// folder, removed at the end.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The cfggen binary (default: the release build beside this one).
    #[arg(long)]
    cfggen: Option<PathBuf>,
    /// Only write the fleet into --dir and stop.
    #[arg(long)]
    generate_only: bool,
}

/// One timed run: wall time and the child's peak RSS.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs `cmd`, waits for it with `wait4` to get its own resource usage.
fn timed(cmd: &mut Command, expect: i32) -> Sample {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => fail(&format!("cannot run {cmd:?}: {e}")),
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; the pointers are
    // to live locals.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if rc != pid {
        fail(&format!("wait4 failed for {cmd:?}"));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code != expect {
        let mut err = String::new();
        if let Some(mut e) = child.stderr {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        fail(&format!("{cmd:?} exited {code}, expected {expect}\n{err}"));
    }
    Sample {
        wall,
        max_rss_kib: usage.ru_maxrss,
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("cfggen-bench: {msg}");
    std::process::exit(2)
}

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
    peak_rss_kib: i64,
}

fn stats(samples: &[Sample]) -> Stats {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    let n = walls.len();
    let median = if n % 2 == 1 {
        walls[n / 2]
    } else {
        (walls[n / 2 - 1] + walls[n / 2]) / 2
    };
    Stats {
        median,
        min: walls[0],
        max: walls[n - 1],
        peak_rss_kib: samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0),
    }
}

/// Warm-up once, then `runs` timed runs; `before` runs untimed before each.
fn repeat(runs: usize, mut before: impl FnMut(), mut run: impl FnMut() -> Sample) -> Stats {
    before();
    run();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        before();
        samples.push(run());
    }
    stats(&samples)
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn tree_stats(dir: &Path) -> (usize, u64, Vec<(PathBuf, SystemTime)>) {
    let mut files = 0;
    let mut bytes = 0;
    let mut mtimes = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(m) = e.metadata() {
                files += 1;
                bytes += m.len();
                if let Ok(t) = m.modified() {
                    mtimes.push((p, t));
                }
            }
        }
    }
    mtimes.sort();
    (files, bytes, mtimes)
}

fn cfggen_binary(args: &Args) -> PathBuf {
    if let Some(p) = &args.cfggen {
        return p.clone();
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("cfggen")));
    if let Some(p) = beside.filter(|p| p.is_file()) {
        return p;
    }
    eprintln!("cfggen-bench: building the cfggen release binary");
    let status = Command::new("cargo")
        .args(["build", "--release", "-p", "cfggen", "--bin", "cfggen"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .status();
    if !status.is_ok_and(|s| s.success()) {
        fail("cannot build cfggen; pass --cfggen PATH");
    }
    let built = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("cfggen")))
        .unwrap_or_default();
    if !built.is_file() {
        fail("cannot find the cfggen binary; pass --cfggen PATH");
    }
    built
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|k| k.parse::<u64>().ok())
                })
        })
        .map_or_else(
            || "?".to_owned(),
            |kib| format!("{:.1} GiB", kib as f64 / 1048576.0),
        );
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1).map(|s| s.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores ({cpu}), {mem}")
}

/// The file that marks a folder as made by cfggen-bench.
const MARKER: &str = ".cfggen-bench";

/// Makes the work folder, clearing it only when an earlier run of
/// cfggen-bench made it: the benchmark never deletes a folder it did not
/// create.
fn work_dir(dir: &Path) -> Result<(), String> {
    let marked = dir.join(MARKER).is_file();
    let empty = std::fs::read_dir(dir).map_or(true, |mut e| e.next().is_none());
    if dir.exists() && !marked && !empty {
        return Err(format!(
            "{} exists and was not made by cfggen-bench (no {MARKER} in it); give a new or empty folder",
            dir.display()
        ));
    }
    if marked {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join(MARKER), "made by cfggen-bench\n"))
        .map_err(|e| format!("cannot make {}: {e}", dir.display()))
}

fn main() {
    let args = Args::parse();
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("cfggen-bench-{}", std::process::id()))
    });
    if let Err(e) = work_dir(&dir) {
        fail(&e);
    }
    let repo = dir.join("repo");
    if let Err(e) = fleet::write_cfggen(&repo, args.apps, args.envs)
        .and_then(|()| fleet::write_kustomize(&dir, args.apps, args.envs))
    {
        fail(&format!("cannot write the fleet: {e}"));
    }
    if args.generate_only {
        println!("fleet written to {}", dir.display());
        return;
    }
    let cfggen = cfggen_binary(&args);
    let generated = repo.join("generated");
    let copy = dir.join("copy");
    // Without a cache, every run does all the work (as CI on a fresh
    // clone does); the warm rows use a cache of their own.
    let cache = dir.join("cache");
    let with_cache = |cache: &std::path::Path, sub: &[&str]| {
        let mut c = Command::new(&cfggen);
        c.arg("--root")
            .arg(&repo)
            .args(["--color", "never"])
            .args(sub)
            .env("CFGGEN_CACHE", cache);
        c
    };
    let cmd = |sub: &[&str]| with_cache(std::path::Path::new("off"), sub);
    let runs = args.runs.max(1);
    println!(
        "cfggen-bench: {} apps × {} environments on {}; {} timed runs after a warm-up",
        args.apps,
        args.envs,
        machine(),
        runs
    );

    // cfggen schema, so that `check` finds current schemas.
    timed(&mut cmd(&["schema"]), 0);

    let validate = repeat(runs, || {}, || timed(&mut cmd(&["validate", "--all"]), 0));
    let render_fresh = repeat(
        runs,
        || {
            let _ = std::fs::remove_dir_all(&generated);
        },
        || timed(&mut cmd(&["render", "--all"]), 0),
    );
    let (files, bytes, mtimes_before) = tree_stats(&generated);
    let render_again = repeat(runs, || {}, || timed(&mut cmd(&["render", "--all"]), 0));
    let (_, _, mtimes_after) = tree_stats(&generated);
    let rewrote_nothing = mtimes_before == mtimes_after;
    let check_clean = repeat(runs, || {}, || timed(&mut cmd(&["check"]), 0));
    // The same two with the cache the warm-up run filled.
    let render_warm = repeat(
        runs,
        || {},
        || timed(&mut with_cache(&cache, &["render", "--all"]), 0),
    );
    let check_warm = repeat(
        runs,
        || {},
        || timed(&mut with_cache(&cache, &["check"]), 0),
    );
    let drifted = generated.join(format!(
        "{}/{}/service-{}.yaml",
        fleet::env(1),
        fleet::app(1),
        fleet::app(1)
    ));
    let original = std::fs::read_to_string(&drifted).unwrap_or_default();
    if let Err(e) = std::fs::write(&drifted, original.replace("port: 80", "port: 81")) {
        fail(&format!("cannot edit {}: {e}", drifted.display()));
    }
    let check_drift = repeat(runs, || {}, || timed(&mut cmd(&["check"]), 1));
    let _ = std::fs::write(&drifted, &original);

    let cp = repeat(
        runs,
        || {
            let _ = std::fs::remove_dir_all(&copy);
        },
        || timed(Command::new("cp").arg("-r").arg(&generated).arg(&copy), 0),
    );
    let diff = repeat(
        runs,
        || {},
        || timed(Command::new("diff").arg("-r").arg(&generated).arg(&copy), 0),
    );

    let kubectl = args.kustomize_runs > 0
        && Command::new("kubectl")
            .args(["version", "--client"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    let kustomize = kubectl.then(|| {
        repeat(
            args.kustomize_runs,
            || {},
            || {
                let mut total = Sample {
                    wall: Duration::ZERO,
                    max_rss_kib: 0,
                };
                for e in 1..=args.envs {
                    let s = timed(
                        Command::new("kubectl")
                            .arg("kustomize")
                            .arg(dir.join("kustomize/overlays").join(fleet::env(e))),
                        0,
                    );
                    total.wall += s.wall;
                    total.max_rss_kib = total.max_rss_kib.max(s.max_rss_kib);
                }
                total
            },
        )
    });

    let objects = 4 * args.apps * args.envs;
    println!(
        "output: {files} files, {:.1} MB under generated/ ({objects} app resources: Deployment, Service, ExternalSecret, Database per app and environment)\n",
        bytes as f64 / 1e6
    );
    println!(
        "{:<34} {:>10} {:>21} {:>14} {:>10}",
        "step", "median", "min–max", "resources/s", "peak RSS"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{:<34} {:>10} {:>21} {:>14.0} {:>7.1} MiB",
            name,
            secs(s.median),
            format!("{:.3}–{:.3} s", s.min.as_secs_f64(), s.max.as_secs_f64()),
            objects as f64 / s.median.as_secs_f64(),
            s.peak_rss_kib as f64 / 1024.0
        );
    };
    row("cfggen validate --all", &validate);
    row("cfggen render --all (empty folder)", &render_fresh);
    row("cfggen render --all (no change)", &render_again);
    row("cfggen check (no drift)", &check_clean);
    row("  the same, warm cache: render", &render_warm);
    row("  the same, warm cache: check", &check_warm);
    row("cfggen check (1 drifted file)", &check_drift);
    row("cp -r of the output tree", &cp);
    row("diff -r of two copies", &diff);
    if let Some(k) = &kustomize {
        row(&format!("kubectl kustomize × {} envs", args.envs), k);
    } else {
        println!("kubectl kustomize: skipped (kubectl not found, or --kustomize-runs 0)");
    }

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let peak = [
        &validate,
        &render_fresh,
        &render_again,
        &check_clean,
        &render_warm,
        &check_warm,
        &check_drift,
    ]
    .iter()
    .map(|s| s.peak_rss_kib)
    .max()
    .unwrap_or(0) as f64
        / 1024.0;
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!("\ntargets (measured in this run):");
    let r = ratio(render_fresh.median, cp.median);
    println!(
        "  render into an empty folder / cp -r      {r:>8.2}   target ≤ 1.5   {}",
        verdict(r <= 1.5)
    );
    let r = ratio(render_again.median, diff.median);
    println!(
        "  re-render, nothing changed / diff -r     {r:>8.2}   target ≤ 2     {}",
        verdict(r <= 2.0)
    );
    println!(
        "  re-render rewrote no file (mtimes)       {:>8}   target yes     {}",
        if rewrote_nothing { "yes" } else { "no" },
        verdict(rewrote_nothing)
    );
    let r = ratio(check_clean.median, diff.median);
    println!(
        "  check, no drift / diff -r                {r:>8.2}   target ≤ 2     {}",
        verdict(r <= 2.0)
    );
    let r = ratio(check_warm.median, diff.median);
    println!(
        "  the same, warm cache / diff -r           {r:>8.2}   target ≤ 2     {}",
        verdict(r <= 2.0)
    );
    if let Some(k) = &kustomize {
        let r = ratio(k.median, render_fresh.median);
        println!(
            "  kubectl kustomize / cfggen render        {r:>8.1}   target ≥ 50    {}",
            verdict(r >= 50.0)
        );
    }
    println!(
        "  peak RSS of any cfggen run               {peak:>4.1} MiB   target ≤ 300   {}",
        verdict(peak <= 300.0)
    );

    if args.linearity {
        let big = dir.join("big");
        if let Err(e) = fleet::write_cfggen(&big, args.apps * 10, args.envs) {
            fail(&format!("cannot write the 10× fleet: {e}"));
        }
        let big_gen = big.join("generated");
        let big_render = repeat(
            runs.min(3),
            || {
                let _ = std::fs::remove_dir_all(&big_gen);
            },
            || {
                let mut c = Command::new(&cfggen);
                c.arg("--root")
                    .arg(&big)
                    .args(["render", "--all"])
                    .env("CFGGEN_CACHE", "off");
                timed(&mut c, 0)
            },
        );
        let r = ratio(big_render.median, render_fresh.median);
        println!(
            "  render of {} apps / of {} apps     {r:>8.2}   target ≤ 12    {}   ({}, peak {:.1} MiB)",
            args.apps * 10,
            args.apps,
            verdict(r <= 12.0),
            secs(big_render.median),
            big_render.peak_rss_kib as f64 / 1024.0
        );
    }
    if args.dir.is_none() && dir.join(MARKER).is_file() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_it_did_not_make_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("theirs");
        std::fs::create_dir_all(&theirs).unwrap();
        std::fs::write(theirs.join("notes.txt"), "keep\n").unwrap();
        assert!(work_dir(&theirs).is_err());
        assert_eq!(
            std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
            "keep\n"
        );
    }

    #[test]
    fn new_empty_and_own_folders_are_used() {
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("new");
        work_dir(&new).unwrap();
        assert!(new.join(MARKER).is_file());
        // An earlier run's folder is cleared and reused.
        std::fs::write(new.join("old-run.txt"), "x").unwrap();
        work_dir(&new).unwrap();
        assert!(!new.join("old-run.txt").exists());
        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        work_dir(&empty).unwrap();
        assert!(empty.join(MARKER).is_file());
    }
}
