//! Output helpers: colour decisions.

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Whether to colour what goes to stderr.
pub fn color_for_stderr(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}
