//! The subcommands.

use std::io::Write;
use std::path::PathBuf;

use cfggen_load::{load_environment, render, Diagnostic, Repo};

use crate::cli::{Cli, Command, Select};
use crate::output::{color_for_stderr, write_atomic};
use crate::{EXIT_DIFFERS, EXIT_ERROR, EXIT_OK};

/// Folder of the committed JSON Schemas, relative to the root.
pub const SCHEMAS_DIR: &str = "schemas";

struct Ctx<'a> {
    repo: Repo,
    color: bool,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
}

impl Ctx<'_> {
    fn report(&mut self, diagnostics: &[Diagnostic]) {
        let _ = write!(self.stderr, "{}", render(diagnostics, self.color));
    }
}

pub fn dispatch(cli: &Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let color = color_for_stderr(cli.color);
    let repo = match &cli.root {
        Some(root) => {
            if !root.join(cfggen_load::ENVIRONMENTS_DIR).is_dir() {
                let _ = writeln!(
                    stderr,
                    "error: {} has no `environments/` folder, so it is not a cfggen repository",
                    root.display()
                );
                return EXIT_ERROR;
            }
            Repo::new(root.clone())
        }
        None => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            match Repo::discover(&cwd) {
                Some(repo) => repo,
                None => {
                    let _ = writeln!(
                        stderr,
                        "error: no cfggen repository here: no `environments/` folder in {} or any parent\n  help: run cfggen inside the repository, or pass --root <DIR>",
                        cwd.display()
                    );
                    return EXIT_ERROR;
                }
            }
        }
    };
    let mut ctx = Ctx {
        repo,
        color,
        stdout,
        stderr,
    };
    match &cli.command {
        Command::Validate(select) => validate(&mut ctx, select),
        Command::Schema { check } => schema(&mut ctx, *check),
    }
}

/// The environments a command was asked for: the named ones, or all.
fn selected(ctx: &mut Ctx<'_>, select: &Select) -> Result<Vec<String>, u8> {
    if !select.environments.is_empty() {
        return Ok(select.environments.clone());
    }
    match ctx.repo.environment_names() {
        Ok(names) if names.is_empty() => {
            let _ = writeln!(
                ctx.stderr,
                "error: no environments: environments/*.yaml matches no file"
            );
            Err(EXIT_ERROR)
        }
        Ok(names) => Ok(names),
        Err(d) => {
            ctx.report(&[d]);
            Err(EXIT_ERROR)
        }
    }
}

fn validate(ctx: &mut Ctx<'_>, select: &Select) -> u8 {
    let names = match selected(ctx, select) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let mut failed = Vec::new();
    for name in &names {
        match load_environment(&ctx.repo, name) {
            Ok(loaded) => {
                let env = &loaded.environment;
                let _ = writeln!(
                    ctx.stdout,
                    "ok {name}: {} app{}, {} postgres cluster{} ({})",
                    env.apps.len(),
                    if env.apps.len() == 1 { "" } else { "s" },
                    env.postgres.len(),
                    if env.postgres.len() == 1 { "" } else { "s" },
                    loaded.files.join(" + ")
                );
            }
            Err(diagnostics) => {
                ctx.report(&diagnostics);
                let n = diagnostics.len();
                failed.push(format!(
                    "{name} ({n} problem{})",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    if failed.is_empty() {
        EXIT_OK
    } else {
        let _ = writeln!(ctx.stderr, "error: invalid: {}", failed.join(", "));
        EXIT_ERROR
    }
}

fn schema(ctx: &mut Ctx<'_>, check: bool) -> u8 {
    let dir = ctx.repo.root().join(SCHEMAS_DIR);
    let mut stale = Vec::new();
    for (name, text) in cfggen_model::schema::schema_files() {
        let path = dir.join(name);
        let rel = format!("{SCHEMAS_DIR}/{name}");
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(text.as_bytes()) {
            if !check {
                let _ = writeln!(ctx.stdout, "unchanged {rel}");
            }
            continue;
        }
        if check {
            stale.push((rel, current.is_none()));
            continue;
        }
        if let Err(e) = write_atomic(&path, text.as_bytes()) {
            let _ = writeln!(ctx.stderr, "error: cannot write {rel}: {e}");
            return EXIT_ERROR;
        }
        let _ = writeln!(ctx.stdout, "wrote {rel}");
    }
    if stale.is_empty() {
        if check {
            let _ = writeln!(ctx.stdout, "schemas are up to date");
        }
        return EXIT_OK;
    }
    for (rel, missing) in &stale {
        let what = if *missing { "missing" } else { "stale" };
        let _ = writeln!(
            ctx.stderr,
            "error: {rel} is {what}: it differs from the Rust types"
        );
    }
    let _ = writeln!(
        ctx.stderr,
        "  help: run `cfggen schema` and commit schemas/"
    );
    EXIT_DIFFERS
}
