//! The subcommands.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use cfggen_engine::{Engine, NotWritten, Outcome};
use cfggen_load::{source_diagnostic, Diagnostic, Repo};
use cfggen_source::{environment_names, Source, SourceError, GENERATED_DIR, SCHEMAS_DIR};

use crate::cli::{Cli, Command, Format, SecretsFormat, Select};
use crate::drift::{ErrorEntry, Report, StaleSchema};
use crate::output::color_for_stderr;
use crate::report::render_diagnostics;
use crate::{EXIT_DIFFERS, EXIT_ERROR, EXIT_OK};

pub(crate) struct Ctx<'a> {
    pub(crate) repo: Repo,
    /// The engine of the command, made when first asked for
    /// ([`Ctx::engine`]); `None` again after the environment files
    /// changed, so that the next loads read them anew.
    pub(crate) engine: Option<Engine>,
    /// Warnings of loads outside the engine's session (of the files as
    /// an edit left them), printed with its own.
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) color: bool,
    pub(crate) stdout: &'a mut dyn Write,
    /// Errors and progress; `Send`, so a worker thread can report through
    /// it (behind a lock) while the others work.
    pub(crate) stderr: &'a mut (dyn Write + Send),
}

impl<'a> Ctx<'a> {
    /// The context of a command on `repo`.
    pub(crate) fn new(
        repo: Repo,
        color: bool,
        stdout: &'a mut dyn Write,
        stderr: &'a mut (dyn Write + Send),
    ) -> Self {
        Ctx {
            engine: None,
            warnings: Vec::new(),
            repo,
            color,
            stdout,
            stderr,
        }
    }

    /// The engine of the command (and its loading session).
    pub(crate) fn engine(&mut self) -> &Engine {
        self.engine
            .get_or_insert_with(|| Engine::new(self.repo.clone()))
    }

    /// Prints the warnings of the command's loads, once each, after its
    /// own output; they do not change its exit code.
    pub(crate) fn print_warnings(&mut self) {
        let mut warnings = std::mem::take(&mut self.warnings);
        if let Some(engine) = &self.engine {
            warnings.extend(engine.session().warnings());
        }
        cfggen_load::sort(&mut warnings);
        warnings.dedup_by(|a, b| a.one_line() == b.one_line());
        if warnings.is_empty() {
            return;
        }
        self.report(&warnings);
        let n = warnings.len();
        let _ = writeln!(
            self.stderr,
            "warning: {n} warning{} ({}); nothing was refused",
            if n == 1 { "" } else { "s" },
            warnings
                .iter()
                .map(|w| w.code)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    pub(crate) fn report(&mut self, diagnostics: &[Diagnostic]) {
        let _ = write!(
            self.stderr,
            "{}",
            render_diagnostics(diagnostics, self.color)
        );
    }
}

pub fn dispatch(cli: &Cli, stdout: &mut dyn Write, stderr: &mut (dyn Write + Send)) -> u8 {
    let color = color_for_stderr(cli.color);
    // `init` makes the repository the others look for.
    if let Command::Init { dir } = &cli.command {
        let dir = dir.as_deref().or(cli.root.as_deref());
        return crate::init::init(dir, color, stdout, stderr);
    }
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
    let mut ctx = Ctx::new(repo, color, stdout, stderr);
    let code = match &cli.command {
        Command::Validate(select) => validate(&mut ctx, select),
        Command::Schema { check } => schema(&mut ctx, *check),
        Command::Init { .. } => EXIT_ERROR,
        Command::Import {
            environment,
            paths,
            app,
            dry_run,
            replace,
            skip_secrets,
            substitute,
            substitute_from,
        } => crate::import::import(
            &mut ctx,
            &crate::import::Request {
                environment,
                paths,
                substitute,
                substitute_from,
                options: cfggen_import::Options {
                    app: app.clone(),
                    skip_secrets: *skip_secrets,
                    ..cfggen_import::Options::default()
                },
                dry_run: *dry_run,
                replace: *replace,
            },
        ),
        Command::Render(select) => render(&mut ctx, select),
        Command::Diff {
            select, against, ..
        } if !against.is_empty() => match select.environments.as_slice() {
            [env] if !select.all => crate::import::against(&mut ctx, env, against),
            _ => {
                let _ = writeln!(
                    ctx.stderr,
                    "error: --against compares one environment: name exactly one"
                );
                EXIT_ERROR
            }
        },
        Command::Diff { select, format, .. } => diff(&mut ctx, select, *format, false),
        Command::Images {
            environment,
            format,
        } => crate::release::images(
            &mut ctx,
            environment,
            *format == crate::cli::ImagesFormat::Json,
        ),
        Command::SetImage {
            environment,
            target,
            image,
            here,
            no_render,
        } => crate::release::set_image(&mut ctx, environment, target, image, *here, !*no_render)
            .unwrap_or_else(|code| code),
        Command::Promote {
            from,
            to,
            apps,
            dry_run,
            no_render,
        } => crate::release::promote(&mut ctx, from, to, apps, *dry_run, !*no_render)
            .unwrap_or_else(|code| code),
        Command::Check { format } => diff(
            &mut ctx,
            &Select {
                environments: vec![],
                all: true,
            },
            *format,
            true,
        ),
        Command::Secrets {
            environment,
            format,
        } => secrets(&mut ctx, environment, *format),
    };
    ctx.print_warnings();
    code
}

/// The environments a command was asked for: the named ones, or all.
fn selected(ctx: &mut Ctx<'_>, select: &Select) -> Result<Vec<String>, u8> {
    if !select.environments.is_empty() {
        return Ok(select.environments.clone());
    }
    match environment_names(&ctx.repo) {
        Ok(names) if names.is_empty() => {
            let _ = writeln!(
                ctx.stderr,
                "error: no environments: environments/*.yaml matches no file"
            );
            Err(EXIT_ERROR)
        }
        Ok(names) => Ok(names),
        Err(e) => {
            ctx.report(&[source_diagnostic(&e)]);
            Err(EXIT_ERROR)
        }
    }
}

fn validate(ctx: &mut Ctx<'_>, select: &Select) -> u8 {
    let names = match selected(ctx, select) {
        Ok(n) => n,
        Err(code) => return code,
    };
    // Only a line of each environment is kept: its rendering is dropped
    // as soon as it is checked.
    let results = ctx.engine().prepare_each(&names, |p| {
        let l = &p.loaded;
        let env = &l.environment;
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        format!(
            "ok {}: {} app{}, {} postgres cluster{} ({})",
            l.name,
            env.apps.len(),
            plural(env.apps.len()),
            env.postgres.len(),
            plural(env.postgres.len()),
            l.files.join(" + ")
        )
    });
    let (lines, failed) = report_invalid(ctx, &names, results);
    for line in lines {
        let _ = writeln!(ctx.stdout, "{line}");
    }
    if failed {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// The schema files that differ from what the Rust types give.
fn stale_schemas(repo: &Repo) -> Result<Vec<(String, &'static str, String)>, SourceError> {
    let mut stale = Vec::new();
    for (name, text) in cfggen_model::schema::schema_files() {
        let rel = format!("{SCHEMAS_DIR}/{name}");
        let status = match repo.read(&rel, u64::MAX) {
            Err(SourceError::NotFound(_)) => "missing",
            Err(e) => return Err(e),
            Ok(current) if current == text.as_bytes() => continue,
            Ok(_) => "stale",
        };
        stale.push((rel, status, text));
    }
    Ok(stale)
}

/// Writes the schema files that are missing or stale.
pub(crate) fn write_schemas(ctx: &mut Ctx<'_>) -> u8 {
    schema(ctx, false)
}

fn schema(ctx: &mut Ctx<'_>, check: bool) -> u8 {
    let stale = match stale_schemas(&ctx.repo) {
        Ok(s) => s,
        Err(e) => {
            ctx.report(&[source_diagnostic(&e)]);
            return EXIT_ERROR;
        }
    };
    if check {
        if stale.is_empty() {
            let _ = writeln!(ctx.stdout, "schemas are up to date");
            return EXIT_OK;
        }
        for (rel, status, _) in &stale {
            let _ = writeln!(
                ctx.stderr,
                "error: {rel} is {status}: it differs from the Rust types"
            );
        }
        let _ = writeln!(
            ctx.stderr,
            "  help: run `cfggen schema` and commit schemas/"
        );
        return EXIT_DIFFERS;
    }
    for (name, _) in cfggen_model::schema::schema_files() {
        let rel = format!("{SCHEMAS_DIR}/{name}");
        if !stale.iter().any(|(r, _, _)| *r == rel) {
            let _ = writeln!(ctx.stdout, "unchanged {rel}");
        }
    }
    for (rel, _, text) in &stale {
        if let Err(e) = ctx.repo.write(rel, text.as_bytes()) {
            ctx.report(&[source_diagnostic(&e)]);
            return EXIT_ERROR;
        }
        let _ = writeln!(ctx.stdout, "wrote {rel}");
    }
    EXIT_OK
}

fn diff(ctx: &mut Ctx<'_>, select: &Select, format: Format, check: bool) -> u8 {
    let names = match selected(ctx, select) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let mut report = Report::default();
    // The schema files are compared beside the environments.
    let repo = ctx.repo.clone();
    let engine = ctx.engine();
    let (stale, outcomes) = engine.join(
        || check.then(|| stale_schemas(&repo)),
        || engine.drift_each(&names),
    );
    match stale {
        Some(Ok(stale)) => {
            report.schemas = stale
                .into_iter()
                .map(|(path, status, _)| StaleSchema { path, status })
                .collect();
        }
        Some(Err(e)) => report
            .errors
            .push(ErrorEntry::from_diagnostic(&source_diagnostic(&e))),
        None => {}
    }
    for outcome in outcomes {
        match outcome {
            Outcome::Invalid(d) => report.diagnostics.extend(d),
            Outcome::Drift(d) => report.environments.push(d),
            Outcome::Failed(e) => report.errors.push(ErrorEntry::from_diagnostic(&e)),
        }
    }
    // With every environment selected, a folder of generated/ that no
    // environment renders is drift too.
    if select.environments.is_empty() {
        for orphan in orphan_folders(ctx, &names) {
            match read_committed(&ctx.repo, &orphan) {
                Ok(old) => {
                    let digests = old
                        .iter()
                        .map(|(rel, bytes)| (rel.clone(), cfggen_tree::Digest::of(bytes)))
                        .collect();
                    let nothing = cfggen_tree::RenderedEnv::named(&orphan);
                    // Rendering nothing, it holds every text that differs.
                    if let Some(against) = nothing.against(&digests) {
                        let prefix = format!("{GENERATED_DIR}/{orphan}/");
                        report
                            .environments
                            .push(cfggen_diff::diff_env(against, &old, &prefix));
                    }
                }
                Err(e) => report.errors.push(e),
            }
        }
    }
    let color = ctx.color;
    report.print(format, color, ctx.stdout, ctx.stderr);
    report.exit_code()
}

/// The committed tree of one environment, `generated/<env>/`.
fn read_committed(repo: &Repo, env: &str) -> Result<BTreeMap<String, Vec<u8>>, ErrorEntry> {
    let dir = repo
        .generated(Some(env))
        .map_err(|e| ErrorEntry::from_diagnostic(&source_diagnostic(&e)))?;
    cfggen_write::read_tree(&dir).map_err(|e| ErrorEntry::plain("io", e.to_string()))
}

/// Folders of `generated/` that belong to no environment.
fn orphan_folders(ctx: &Ctx<'_>, names: &[String]) -> Vec<String> {
    let Ok(dir) = ctx.repo.generated(None) else {
        // Reading `generated/` itself reports that, per environment.
        return Vec::new();
    };
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !names.contains(n))
        .collect();
    out.sort();
    out
}

/// Reports the problems of every environment that failed, and a line
/// naming them; returns the results of the others and whether any failed.
fn report_invalid<R>(
    ctx: &mut Ctx<'_>,
    names: &[String],
    results: Vec<Result<R, Vec<Diagnostic>>>,
) -> (Vec<R>, bool) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    // A problem in a base that several environments extend is printed
    // once.
    let mut shown = std::collections::HashSet::new();
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(p) => ok.push(p),
            Err(diagnostics) => {
                let n = diagnostics.len();
                let fresh: Vec<Diagnostic> = diagnostics
                    .into_iter()
                    .filter(|d| shown.insert(d.identity()))
                    .collect();
                ctx.report(&fresh);
                let repeated = n - fresh.len();
                failed.push(format!(
                    "{name} ({n} problem{}{})",
                    if n == 1 { "" } else { "s" },
                    if repeated > 0 {
                        format!(", {repeated} shown above")
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
    if !failed.is_empty() {
        let _ = writeln!(ctx.stderr, "error: invalid: {}", failed.join(", "));
    }
    (ok, !failed.is_empty())
}

fn render(ctx: &mut Ctx<'_>, select: &Select) -> u8 {
    let names = match selected(ctx, select) {
        Ok(n) => n,
        Err(code) => return code,
    };
    render_names(ctx, &names)
}

/// Validates, renders and writes the named environments.
pub(crate) fn render_names(ctx: &mut Ctx<'_>, names: &[String]) -> u8 {
    // Every environment must validate before anything is written.
    let results = ctx.engine().prepare_writes(names);
    let (pending, failed) = report_invalid(ctx, names, results);
    if failed {
        return EXIT_ERROR;
    }
    let generated = match ctx.repo.generated(None) {
        Ok(g) => g,
        Err(e) => {
            ctx.report(&[source_diagnostic(&e)]);
            let _ = writeln!(ctx.stderr, "error: nothing was written");
            return EXIT_ERROR;
        }
    };
    for name in names {
        if let Err(e) = ctx.repo.generated(Some(name)) {
            ctx.report(&[source_diagnostic(&e)]);
            let _ = writeln!(ctx.stderr, "error: nothing was written");
            return EXIT_ERROR;
        }
    }
    let engine = ctx
        .engine
        .take()
        .unwrap_or_else(|| Engine::new(ctx.repo.clone()));
    // The workers' progress, through the command's own stderr.
    let stderr = std::sync::Mutex::new(&mut *ctx.stderr);
    let written = engine.write(&pending, &generated, |name, lock| {
        if let Ok(mut stderr) = stderr.lock() {
            let _ = writeln!(
                stderr,
                "waiting: another cfggen is writing {GENERATED_DIR}/{name}/ (lock {})",
                lock.display()
            );
            let _ = stderr.flush();
        }
    });
    ctx.engine = Some(engine);
    print_written(ctx, written)
}

/// Prints what each environment's write did; exit 2 if any was not
/// written.
fn print_written(
    ctx: &mut Ctx<'_>,
    written: Vec<(String, Result<cfggen_write::WriteReport, NotWritten>)>,
) -> u8 {
    let mut code = EXIT_OK;
    for (name, result) in written {
        match result {
            Ok(report) => {
                let _ = writeln!(
                    ctx.stdout,
                    "{name}: {} written, {} unchanged, {} removed",
                    report.added.len() + report.changed.len(),
                    report.unchanged,
                    report.removed.len()
                );
                for (mark, list) in [
                    ("+", &report.added),
                    ("~", &report.changed),
                    ("-", &report.removed),
                ] {
                    for path in list {
                        let _ = writeln!(ctx.stdout, "  {mark} {GENERATED_DIR}/{name}/{path}");
                    }
                }
            }
            Err(NotWritten::Invalid(diagnostics)) => {
                ctx.report(&diagnostics);
                let _ = writeln!(
                    ctx.stderr,
                    "error: {GENERATED_DIR}/{name} was not changed: its files changed during the render"
                );
                code = EXIT_ERROR;
            }
            Err(NotWritten::Write(e)) => {
                let hint = match e {
                    cfggen_write::WriteError::Foreign(_) => {
                        "\n  help: move those files out of generated/; everything there is written by cfggen"
                    }
                    _ => "",
                };
                let _ = writeln!(
                    ctx.stderr,
                    "error: {GENERATED_DIR}/{name} was not changed: {e}{hint}"
                );
                code = EXIT_ERROR;
            }
        }
    }
    code
}

fn secrets(ctx: &mut Ctx<'_>, name: &str, format: SecretsFormat) -> u8 {
    let names = [name.to_owned()];
    let results = ctx.engine().prepare_each(&names, |p| p.loaded);
    let (mut ok, failed) = report_invalid(ctx, &names, results);
    let (Some(loaded), false) = (ok.pop(), failed) else {
        return EXIT_ERROR;
    };
    let entries = match cfggen_render::inventory(&loaded.environment) {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            return EXIT_ERROR;
        }
    };
    let mut text = String::new();
    match format {
        SecretsFormat::Text => {
            for e in &entries {
                let reference = e.reference.as_deref().unwrap_or("(no op:// reference)");
                text.push_str(&format!("{reference}\n"));
                let item = match &e.item_id {
                    Some(id) => format!("{} (ID {id})", e.item),
                    None => e.item.clone(),
                };
                text.push_str(&format!(
                    "  vault {}, item {item}, field {}\n",
                    e.vault, e.field
                ));
                if let Some(note) = &e.note {
                    text.push_str(&format!("  note: {note}\n"));
                }
                for c in &e.consumers {
                    text.push_str(&format!("  <- {c}\n"));
                }
            }
            for e in cfggen_render::external_secrets(&loaded.environment) {
                let by = e
                    .made_by
                    .map(|m| format!(", made by {m}"))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "external Secret {}/{} (not from 1Password through cfggen{by})\n",
                    e.namespace, e.secret
                ));
                if !e.keys.is_empty() {
                    text.push_str(&format!("  keys: {}\n", e.keys.join(", ")));
                }
            }
            let literals = cfggen_model::validate::secret_looking_literals(&loaded.environment);
            if !literals.is_empty() {
                text.push_str(
                    "literals under secret-looking names (not from 1Password; review them):\n",
                );
            }
            for l in literals {
                let why = if l.declared {
                    format!("declared not secret: {}", l.why)
                } else {
                    l.why
                };
                text.push_str(&format!("  {}={} at {} ({why})\n", l.var, l.value, l.path));
            }
            let declared: Vec<_> = loaded
                .environment
                .apps
                .iter()
                .flat_map(|(app, a)| a.not_secret.iter().map(move |e| (app, e)))
                .collect();
            if !declared.is_empty() {
                text.push_str(
                    "values the secret check would refuse, declared not secret (review them):\n",
                );
            }
            for (app, e) in declared {
                text.push_str(&format!(
                    "  {} {} of app {app} ({})\n",
                    e.object, e.field, e.why
                ));
            }
            if text.is_empty() {
                text = format!("{name} reads nothing from 1Password\n");
            }
        }
        SecretsFormat::Env => {
            text.push_str(&format!(
                "# 1Password references of environment {name}, for `op run --env-file` or `op inject`.\n"
            ));
            for e in &entries {
                match &e.reference {
                    Some(reference) => {
                        text.push_str(&format!("{}={reference}\n", env_name(e)));
                    }
                    // `op run` resolves references only: say which is left out.
                    None => text.push_str(&format!(
                        "# {}: item \"{}\" has no op:// reference (its title cannot be carried; give its id)\n",
                        env_name(e),
                        e.item
                    )),
                }
            }
        }
    }
    let _ = write!(ctx.stdout, "{text}");
    EXIT_OK
}

/// `op://vault/Item Title/db-password` → `ITEM_TITLE_DB_PASSWORD`.
fn env_name(e: &cfggen_render::InventoryEntry) -> String {
    let raw = format!("{}_{}", e.item, e.field);
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}
