//! The `cfggen` command line: argument parsing, exit codes, printing
//! results and diagnostics. The stages themselves live in the library
//! crates (`cfggen-source`, `cfggen-load`, `cfggen-render`, `cfggen-lint`,
//! `cfggen-write`, `cfggen-diff`, `cfggen-edit`), and what makes them
//! cost what changed in `cfggen-engine`.
//!
//! Exit codes follow `diff(1)`: 0 all good, 1 something differs (a stale
//! schema), 2 trouble (invalid config, I/O errors, bad arguments).

mod cli;
mod commands;
mod drift;
mod import;
mod init;
mod output;
mod release;
mod report;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

pub use cli::Cli;
pub use report::render_diagnostics;

/// Everything is as it should be.
pub const EXIT_OK: u8 = 0;
/// Something differs from what it should be (stale schemas, drift).
pub const EXIT_DIFFERS: u8 = 1;
/// Trouble: invalid input, I/O failure, bad arguments.
pub const EXIT_ERROR: u8 = 2;

/// Runs cfggen with `args` (the program name first), writing results to
/// `stdout` and errors to `stderr`; returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let text = e.render();
            let text = if output::color_for_stderr(cli::ColorChoice::Auto) {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            if e.use_stderr() {
                let _ = write!(stderr, "{text}");
            } else {
                let _ = write!(stdout, "{text}");
            }
            return code;
        }
    };
    commands::dispatch(&cli, stdout, stderr)
}
