//! Image releases and promotion: `cfggen images`, `cfggen set-image` and
//! `cfggen promote`. Edits go through `cfggen-edit`, which changes one value
//! (or adds one override) and keeps every other byte of the file.

use cfggen_edit::{apply_checked, ApplyError, FileEdit};
use cfggen_load::{source_diagnostic, Diagnostic, ImageSite, Loaded};
use cfggen_model::image::{with_digest, with_tag};
use cfggen_model::ImageRef;
use cfggen_source::{environment_file, environment_names, Source};

use crate::commands::{render_names, Ctx};
use crate::{EXIT_ERROR, EXIT_OK};

/// One app or component and the image it runs.
struct Row {
    app: String,
    component: String,
    image: String,
    site: Option<ImageSite>,
}

fn rows(loaded: &Loaded) -> Vec<Row> {
    let mut rows = Vec::new();
    for (app_name, app) in &loaded.environment.apps {
        for (cname, component) in &app.components {
            let own = loaded
                .images
                .iter()
                .find(|s| s.app == *app_name && s.component.as_deref() == Some(cname.as_str()));
            let inherited = loaded
                .images
                .iter()
                .find(|s| s.app == *app_name && s.component.is_none());
            rows.push(Row {
                app: app_name.clone(),
                component: cname.clone(),
                image: app
                    .image_of(component)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                site: own.or(inherited).cloned(),
            });
        }
    }
    rows
}

fn load_one(ctx: &mut Ctx<'_>, name: &str) -> Result<Loaded, u8> {
    match ctx.engine().session().load(name) {
        Ok(l) => Ok(l),
        Err(d) => {
            ctx.report(&d);
            let _ = writeln!(ctx.stderr, "error: invalid: {name}");
            Err(EXIT_ERROR)
        }
    }
}

/// `cfggen images <env>`.
pub fn images(ctx: &mut Ctx<'_>, env: &str, json: bool) -> u8 {
    let loaded = match load_one(ctx, env) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let rows = rows(&loaded);
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "app": r.app,
                    "component": r.component,
                    "image": r.image,
                    "file": r.site.as_ref().map(|s| s.file.clone()),
                    "line": r.site.as_ref().map(|s| s.line),
                    "column": r.site.as_ref().map(|s| s.column),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&list).unwrap_or_default();
        let _ = writeln!(ctx.stdout, "{text}");
        return EXIT_OK;
    }
    let who: Vec<String> = rows
        .iter()
        .map(|r| format!("{}/{}", r.app, r.component))
        .collect();
    let w1 = who
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("APP/COMPONENT".len());
    let w2 = rows
        .iter()
        .map(|r| r.image.len())
        .max()
        .unwrap_or(0)
        .max("IMAGE".len());
    let _ = writeln!(
        ctx.stdout,
        "{:<w1$}  {:<w2$}  SET AT",
        "APP/COMPONENT", "IMAGE"
    );
    for (r, who) in rows.iter().zip(&who) {
        let at = r.site.as_ref().map_or_else(
            || "(not set)".to_owned(),
            |s| format!("{}:{}:{}", s.file, s.line, s.column),
        );
        let _ = writeln!(ctx.stdout, "{who:<w1$}  {:<w2$}  {at}", r.image);
    }
    EXIT_OK
}

/// The text of a repository file; an error that cannot be read is
/// reported (exit 2), never taken as an empty file.
fn read_text(ctx: &mut Ctx<'_>, rel: &str) -> Result<String, u8> {
    let bytes = ctx.repo.read(rel, u64::MAX).map_err(|e| {
        ctx.report(&[source_diagnostic(&e)]);
        EXIT_ERROR
    })?;
    String::from_utf8(bytes).map_err(|_| {
        let _ = writeln!(
            ctx.stderr,
            "error: {rel} is not UTF-8 text; nothing was changed"
        );
        EXIT_ERROR
    })
}

/// An image reference as written at `site` (without its quotes).
fn written_at(ctx: &mut Ctx<'_>, site: &ImageSite) -> Result<String, u8> {
    let text = read_text(ctx, &site.file)?;
    match text.get(site.start..site.end) {
        Some(raw) => Ok(cfggen_edit::unquote(raw).to_owned()),
        None => {
            let _ = writeln!(
                ctx.stderr,
                "error: {} changed while cfggen read it; nothing was changed",
                site.file
            );
            Err(EXIT_ERROR)
        }
    }
}

/// The new reference as it will be written: a whole reference as given,
/// or the current one (as written) with a new `:tag` or `@digest`.
fn new_text(current_written: Option<&str>, value: &str) -> Result<String, String> {
    match (
        value.strip_prefix(':'),
        value.strip_prefix('@'),
        current_written,
    ) {
        (Some(tag), _, Some(cur)) => Ok(with_tag(cur, tag)),
        (_, Some(digest), Some(cur)) => Ok(with_digest(cur, digest)),
        (Some(_), _, None) | (_, Some(_), None) => Err(
            "there is no current image to take a new tag or digest; give a whole reference".into(),
        ),
        _ => Ok(value.to_owned()),
    }
}

/// Checks a reference against the model and the pinning policy.
fn check_ref(env: &Loaded, text: &str) -> Result<ImageRef, String> {
    let image = ImageRef::parse(text).map_err(|e| {
        format!(
            "invalid image reference `{text}`: {e}\n  help: {}",
            e.hint()
        )
    })?;
    if env.environment.images.require_pinned && !image.is_pinned() {
        return Err(format!(
            "image `{image}` is not pinned, and environment `{}` requires pinned images\n  help: use a release tag or a digest",
            env.name
        ));
    }
    Ok(image)
}

/// Writes the edited files, then checks that every environment still
/// loads; `cfggen-edit` puts the files back if one does not, and every
/// I/O error stops the edit with the files as they were.
fn write_checked(ctx: &mut Ctx<'_>, edits: &[FileEdit]) -> Result<(), u8> {
    let fresh = cfggen_load::Session::new(ctx.repo.clone());
    let check = || -> Result<(), Vec<Diagnostic>> {
        let names = environment_names(&ctx.repo).map_err(|e| vec![source_diagnostic(&e)])?;
        if names.is_empty() {
            return Err(vec![Diagnostic::bare(
                "io",
                "environments/ holds no environment to check the edit against",
            )]);
        }
        let problems: Vec<Diagnostic> = names
            .iter()
            .filter_map(|name| fresh.load(name).err())
            .flatten()
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    };
    match apply_checked(&ctx.repo, edits, check) {
        Ok(()) => {
            // Later loads read the edited files anew.
            ctx.engine = None;
            ctx.warnings.extend(fresh.warnings());
            Ok(())
        }
        Err(e) => {
            let mut cause = &e;
            while let ApplyError::Restore { cause: inner, .. } = cause {
                cause = inner;
            }
            if let ApplyError::Invalid(problems) = cause {
                ctx.report(problems);
            }
            let _ = writeln!(ctx.stderr, "error: {e}");
            Err(EXIT_ERROR)
        }
    }
}

/// Environments whose files include `file`.
fn users_of(ctx: &mut Ctx<'_>, file: &str) -> Result<Vec<String>, u8> {
    let names = environment_names(&ctx.repo).map_err(|e| {
        ctx.report(&[source_diagnostic(&e)]);
        EXIT_ERROR
    })?;
    Ok(names
        .into_iter()
        .filter(|n| {
            ctx.engine()
                .session()
                .load(n)
                .is_ok_and(|l| l.files.iter().any(|f| f == file))
        })
        .collect())
}

/// The app (and component) a `set-image` names, checked against the
/// environment.
fn target_of<'t>(
    ctx: &mut Ctx<'_>,
    loaded: &Loaded,
    target: &'t str,
) -> Result<(&'t str, Option<&'t str>), u8> {
    let (app, component) = match target.split_once('/') {
        Some((a, c)) => (a, Some(c)),
        None => (target, None),
    };
    let Some(app_model) = loaded.environment.apps.get(app) else {
        let known: Vec<&str> = loaded.environment.apps.keys().map(String::as_str).collect();
        let hint = cfggen_model::suggest::closest(app, known.iter().copied()).map_or_else(
            || format!("apps: {}", known.join(", ")),
            |b| format!("did you mean `{b}`?"),
        );
        let _ = writeln!(
            ctx.stderr,
            "error: environment `{}` has no app `{app}`\n  help: {hint}",
            loaded.name
        );
        return Err(EXIT_ERROR);
    };
    if let Some(c) = component {
        if !app_model.components.contains_key(c) {
            let _ = writeln!(ctx.stderr, "error: app `{app}` has no component `{c}`");
            return Err(EXIT_ERROR);
        }
    }
    Ok((app, component))
}

/// `cfggen set-image <env> <app>[/<component>] <ref | :tag | @digest>`;
/// `Err` is the exit code of a failure already reported.
pub fn set_image(
    ctx: &mut Ctx<'_>,
    env: &str,
    target: &str,
    value: &str,
    here: bool,
    render: bool,
) -> Result<u8, u8> {
    let loaded = load_one(ctx, env)?;
    let (app, component) = target_of(ctx, &loaded, target)?;
    let env_file = environment_file(env);
    let site_of = |c: Option<&str>| {
        loaded
            .images
            .iter()
            .find(|s| s.app == app && s.component.as_deref() == c)
            .cloned()
    };
    let own = site_of(component);
    if component.is_none() && own.is_none() {
        let _ = writeln!(
            ctx.stderr,
            "error: app `{app}` sets no image of its own in `{env}`\n  help: name a component: `{app}/<component>`"
        );
        return Err(EXIT_ERROR);
    }
    // What the component or app runs now, as written.
    let written = match own.clone().or_else(|| site_of(None)) {
        Some(site) => Some(written_at(ctx, &site)?),
        None => None,
    };
    let new = new_text(written.as_deref(), value).map_err(|e| {
        let _ = writeln!(ctx.stderr, "error: {e}");
        EXIT_ERROR
    })?;
    if let Err(e) = check_ref(&loaded, &new) {
        let _ = writeln!(ctx.stderr, "error: {e}\n  nothing was changed");
        return Err(EXIT_ERROR);
    }
    let path: Vec<&str> = match component {
        Some(c) => vec!["apps", app, "components", c, "image"],
        None => vec!["apps", app, "image"],
    };
    // Where to write: the value itself, unless it comes from a base and
    // --here asks for an override, or the component only inherits.
    let edit = match &own {
        Some(site) if !(here && site.file != env_file) => {
            let text = read_text(ctx, &site.file)?;
            cfggen_edit::replace_scalar(&text, site.start, site.end, &new).map(|text| FileEdit {
                path: site.file.clone(),
                text,
            })
        }
        _ => {
            let text = read_text(ctx, &env_file)?;
            cfggen_edit::set_path(&text, &path, &new).map(|text| FileEdit {
                path: env_file.clone(),
                text,
            })
        }
    }
    .map_err(|e| {
        let _ = writeln!(ctx.stderr, "error: cannot edit the image of {target}: {e}");
        EXIT_ERROR
    })?;
    let edited_file = edit.path.clone();
    write_checked(ctx, &[edit])?;
    let old = written.unwrap_or_else(|| "(none)".into());
    let _ = writeln!(
        ctx.stdout,
        "{}: {old} → {new} (in {edited_file})",
        path.join(".")
    );
    let envs = users_of(ctx, &edited_file)?;
    if edited_file != env_file {
        let _ = writeln!(
            ctx.stdout,
            "note: the image is set in {edited_file}, shared by: {}; use --here to change `{env}` only",
            envs.join(", ")
        );
    }
    if !render {
        return Ok(EXIT_OK);
    }
    Ok(render_names(ctx, &envs))
}

/// The apps to promote: the ones named, or every app both have.
fn apps_to_promote(
    ctx: &mut Ctx<'_>,
    source: &Loaded,
    target: &Loaded,
    apps: &[String],
) -> Result<Vec<String>, u8> {
    let in_both = |a: &String| {
        source.environment.apps.contains_key(a) && target.environment.apps.contains_key(a)
    };
    if apps.is_empty() {
        return Ok(source
            .environment
            .apps
            .keys()
            .filter(|a| in_both(a))
            .cloned()
            .collect());
    }
    if let Some(a) = apps.iter().find(|a| !in_both(a)) {
        let _ = writeln!(
            ctx.stderr,
            "error: app `{a}` is not in both `{}` and `{}`",
            source.name, target.name
        );
        return Err(EXIT_ERROR);
    }
    Ok(apps.to_vec())
}

/// What the target runs now at a site of the source, normalised.
fn running_in(target: &Loaded, site: &ImageSite) -> Option<String> {
    let app = target.environment.apps.get(&site.app)?;
    let image = match &site.component {
        Some(c) => app.components.get(c).and_then(|comp| app.image_of(comp)),
        None => app.image.as_ref(),
    };
    image.map(ToString::to_string)
}

/// One row of the promotion table: who, old → new.
type Promotion = (String, String, String);

/// The target environment file's new text, with the source's image of
/// every named app, and what changes.
fn promoted_text(
    ctx: &mut Ctx<'_>,
    source: &Loaded,
    target: &Loaded,
    names: &[String],
    original: &str,
) -> Result<(String, Vec<Promotion>), u8> {
    let mut text = original.to_owned();
    let mut table = Vec::new();
    for site in source.images.iter().filter(|s| names.contains(&s.app)) {
        let new = written_at(ctx, site)?;
        let resolved_new = ImageRef::parse(&new)
            .map(|r| r.to_string())
            .unwrap_or_default();
        let old_resolved = running_in(target, site);
        if old_resolved.as_deref() == Some(resolved_new.as_str()) {
            continue;
        }
        if let Err(e) = check_ref(target, &new) {
            let _ = writeln!(ctx.stderr, "error: {e}\n  nothing was changed");
            return Err(EXIT_ERROR);
        }
        let path: Vec<&str> = match &site.component {
            Some(c) => vec!["apps", &site.app, "components", c, "image"],
            None => vec!["apps", &site.app, "image"],
        };
        text = cfggen_edit::set_path(&text, &path, &new).map_err(|e| {
            let _ = writeln!(
                ctx.stderr,
                "error: cannot edit {}: {e}",
                environment_file(&target.name)
            );
            EXIT_ERROR
        })?;
        let who = match &site.component {
            Some(c) => format!("{}/{c}", site.app),
            None => site.app.clone(),
        };
        table.push((
            who,
            old_resolved.unwrap_or_else(|| "(none)".into()),
            resolved_new,
        ));
    }
    Ok((text, table))
}

/// `cfggen promote <from> <to> [<app>…]`; `Err` is the exit code of a
/// failure already reported.
pub fn promote(
    ctx: &mut Ctx<'_>,
    from: &str,
    to: &str,
    apps: &[String],
    dry_run: bool,
    render: bool,
) -> Result<u8, u8> {
    let source = load_one(ctx, from)?;
    let target = load_one(ctx, to)?;
    let names = apps_to_promote(ctx, &source, &target, apps)?;
    let env_file = environment_file(to);
    let original = read_text(ctx, &env_file)?;
    let (text, table) = promoted_text(ctx, &source, &target, &names, &original)?;
    if table.is_empty() {
        let _ = writeln!(
            ctx.stdout,
            "{to} already runs the images of {from}; nothing to promote"
        );
        return Ok(EXIT_OK);
    }
    let w = table.iter().map(|r| r.0.len()).max().unwrap_or(0).max(3);
    let _ = writeln!(ctx.stdout, "{:<w$}  {from} → {to}", "APP");
    for (who, old, new) in &table {
        let _ = writeln!(ctx.stdout, "{who:<w$}  {old} → {new}");
    }
    if dry_run {
        let _ = write!(
            ctx.stdout,
            "\n{}",
            cfggen_diff::unified(&env_file, &original, &text)
        );
        let _ = writeln!(ctx.stdout, "(dry run: nothing was written)");
        return Ok(EXIT_OK);
    }
    write_checked(
        ctx,
        &[FileEdit {
            path: env_file,
            text,
        }],
    )?;
    if !render {
        return Ok(EXIT_OK);
    }
    Ok(render_names(ctx, &[to.to_owned()]))
}
