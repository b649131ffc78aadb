//! `cfggen diff` and `cfggen check`: collect drift, stale schemas and
//! invalid environments into one [`Report`], then print it as text, JSON or
//! GitHub/Forgejo workflow commands.
//!
//! The JSON form is stable (`"version": 1`):
//!
//! ```text
//! { "version": 1,
//!   "status": "clean" | "drift" | "error",
//!   "environments": [ { "environment": "prod",
//!                       "files": [ { "path", "status": "changed"|"missing"|"unexpected",
//!                                    "formattingOnly", "resource"?,
//!                                    "changes": [ { "path", "old"?, "new"? } ],
//!                                    "diff" } ] } ],
//!   "schemas": [ { "path", "status": "stale"|"missing" } ],
//!   "errors": [ { "code", "message", "file"?, "line"?, "column"?, "field"?, "hint"? } ] }
//! ```

use std::fmt::Write as _;

use cfggen_diff::{Drift, Status};
use cfggen_load::Diagnostic;
use serde::Serialize;

use crate::cli::Format;

/// A schema file that is not what the Rust types give.
#[derive(Clone, Debug, Serialize)]
pub struct StaleSchema {
    /// `schemas/<name>`.
    pub path: String,
    /// `stale` or `missing`.
    pub status: &'static str,
}

/// A located error, for JSON.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorEntry {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

impl ErrorEntry {
    /// From a loading diagnostic.
    pub fn from_diagnostic(d: &Diagnostic) -> Self {
        let pos = d.position();
        ErrorEntry {
            code: d.code,
            message: d.message.clone(),
            file: pos.as_ref().map(|p| p.0.clone()),
            line: pos.as_ref().map(|p| p.1),
            column: pos.as_ref().map(|p| p.2),
            field: d.field.clone(),
            hint: d.hint.clone(),
        }
    }

    /// A plain error with no location.
    pub fn plain(code: &'static str, message: String) -> Self {
        ErrorEntry {
            code,
            message,
            file: None,
            line: None,
            column: None,
            field: None,
            hint: None,
        }
    }
}

/// Everything `diff`/`check` found.
#[derive(Default)]
pub struct Report {
    /// Drift per environment (clean ones included).
    pub environments: Vec<Drift>,
    /// Stale schema files (`check` only).
    pub schemas: Vec<StaleSchema>,
    /// Invalid environments and other errors, as diagnostics to print.
    pub diagnostics: Vec<Diagnostic>,
    /// Errors without a diagnostic (I/O, unsafe trees).
    pub errors: Vec<ErrorEntry>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    status: &'static str,
    environments: &'a [Drift],
    schemas: &'a [StaleSchema],
    errors: Vec<ErrorEntry>,
}

impl Report {
    /// The exit code: 2 on any error, 1 on drift, 0 when clean.
    pub fn exit_code(&self) -> u8 {
        if !self.diagnostics.is_empty() || !self.errors.is_empty() {
            crate::EXIT_ERROR
        } else if !self.schemas.is_empty() || self.environments.iter().any(|d| !d.is_clean()) {
            crate::EXIT_DIFFERS
        } else {
            crate::EXIT_OK
        }
    }

    fn status(&self) -> &'static str {
        match self.exit_code() {
            crate::EXIT_ERROR => "error",
            crate::EXIT_DIFFERS => "drift",
            _ => "clean",
        }
    }

    /// Prints the report: results to `stdout`, errors to `stderr`.
    pub fn print(
        &self,
        format: Format,
        color: bool,
        stdout: &mut dyn std::io::Write,
        stderr: &mut dyn std::io::Write,
    ) {
        match format {
            Format::Text => {
                if !self.diagnostics.is_empty() {
                    let _ = write!(
                        stderr,
                        "{}",
                        crate::report::render_diagnostics(&self.diagnostics, color)
                    );
                }
                for e in &self.errors {
                    let _ = writeln!(stderr, "error: {}", e.message);
                }
                let _ = write!(stdout, "{}", self.text(color));
            }
            Format::Json => {
                let mut errors: Vec<ErrorEntry> = self
                    .diagnostics
                    .iter()
                    .map(ErrorEntry::from_diagnostic)
                    .collect();
                errors.extend(self.errors.iter().cloned());
                let json = JsonReport {
                    version: 1,
                    status: self.status(),
                    environments: &self.environments,
                    schemas: &self.schemas,
                    errors,
                };
                let text = serde_json::to_string_pretty(&json).unwrap_or_default();
                let _ = writeln!(stdout, "{text}");
            }
            Format::Github => {
                let _ = write!(stdout, "{}", self.github());
            }
        }
    }

    fn text(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_owned()
            }
        };
        let mut out = String::new();
        for stale in &self.schemas {
            let _ = writeln!(
                out,
                "{} {}: it differs from the Rust types",
                paint("1;33", stale.status),
                stale.path
            );
        }
        for drift in &self.environments {
            for f in &drift.files {
                let (color, word, note) = match f.status {
                    Status::Changed if f.formatting_only => (
                        "1;33",
                        "changed",
                        ": formatting only, the YAML data is the same".to_owned(),
                    ),
                    Status::Changed => ("1;33", "changed", String::new()),
                    Status::Missing => (
                        "1;32",
                        "missing",
                        ": would be generated, is not on disk".to_owned(),
                    ),
                    Status::Unexpected => (
                        "1;31",
                        "unexpected",
                        format!(
                            ": on disk, not produced by environment `{}`",
                            drift.environment
                        ),
                    ),
                };
                let _ = writeln!(out, "{} {}{note}", paint(color, word), f.path);
                if !f.changes.is_empty() {
                    let _ = writeln!(out, "  {}", f.resource.as_deref().unwrap_or("(document)"));
                    for c in &f.changes {
                        let _ = writeln!(out, "    {}", c.summary());
                    }
                }
                if f.status == Status::Changed {
                    for line in f.diff.lines() {
                        let painted = if line.starts_with("+++") || line.starts_with("---") {
                            paint("1", line)
                        } else if line.starts_with('+') {
                            paint("32", line)
                        } else if line.starts_with('-') {
                            paint("31", line)
                        } else if line.starts_with("@@") {
                            paint("36", line)
                        } else {
                            line.to_owned()
                        };
                        let _ = writeln!(out, "{painted}");
                    }
                }
            }
        }
        let drifting: Vec<String> = self
            .environments
            .iter()
            .filter(|d| !d.is_clean())
            .map(|d| {
                let (c, m, u) = d.counts();
                format!(
                    "{} ({c} changed, {m} missing, {u} unexpected)",
                    d.environment
                )
            })
            .collect();
        if !drifting.is_empty() {
            let _ = writeln!(out, "\ndrift: {}", drifting.join(", "));
            let names: Vec<&str> = self
                .environments
                .iter()
                .filter(|d| !d.is_clean())
                .map(|d| d.environment.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  help: run `cfggen render {}` and commit generated/",
                names.join(" ")
            );
        }
        if !self.schemas.is_empty() {
            let _ = writeln!(out, "  help: run `cfggen schema` and commit schemas/");
        }
        out
    }

    fn github(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let mut props = vec![format!("title={}", prop(&format!("cfggen {}", d.code)))];
            if let Some((file, line, col)) = d.position() {
                props.insert(0, format!("col={col}"));
                props.insert(0, format!("line={line}"));
                props.insert(0, format!("file={}", prop(&file)));
            }
            let mut msg = match &d.field {
                Some(f) => format!("{f}: {}", d.message),
                None => d.message.clone(),
            };
            if let Some(h) = &d.hint {
                msg.push_str(&format!("\nhelp: {h}"));
            }
            let _ = writeln!(out, "::error {}::{}", props.join(","), data(&msg));
        }
        for e in &self.errors {
            let _ = writeln!(out, "::error title=cfggen::{}", data(&e.message));
        }
        for s in &self.schemas {
            let _ = writeln!(
                out,
                "::error file={},title={}::{}",
                prop(&s.path),
                prop("cfggen schema"),
                data(&format!(
                    "{} is {}: run `cfggen schema` and commit schemas/",
                    s.path, s.status
                ))
            );
        }
        for drift in &self.environments {
            for f in &drift.files {
                let what = match f.status {
                    Status::Changed if f.formatting_only => "changed (formatting only)",
                    Status::Changed => "changed",
                    Status::Missing => "missing",
                    Status::Unexpected => "unexpected",
                };
                let mut msg = format!(
                    "{} is {what}; run `cfggen render {}` and commit generated/",
                    f.path, drift.environment
                );
                if let Some(r) = &f.resource {
                    msg.push_str(&format!("\n{r}"));
                }
                for c in &f.changes {
                    msg.push_str(&format!("\n  {}", c.summary()));
                }
                let _ = writeln!(
                    out,
                    "::error file={},title={}::{}",
                    prop(&f.path),
                    prop(&format!("cfggen drift: {what}")),
                    data(&msg)
                );
            }
        }
        out
    }
}

/// Escapes a workflow-command message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(prop("a:b,c"), "a%3Ab%2Cc");
    }
}
