//! The `cfggen` command. All logic lives in the library; see [`cfggen::run`].

use std::io::Write;
use std::process::ExitCode;

// cfggen builds and drops many small trees; mimalloc makes that markedly
// cheaper than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // cfggen is short-lived and its heap is small: zeroing 2 MiB huge pages
    // on first touch costs more than it saves (a third of a render, measured).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let stdout = std::io::stdout();
    // Unlocked: a worker thread may report through it (`Stderr` is `Send`).
    let code = cfggen::run(
        std::env::args_os(),
        &mut stdout.lock(),
        &mut std::io::stderr(),
    );
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}
