//! Image releases and promotion: `cfggen images`, `cfggen set-image` and
//! `cfggen promote`. Edits go through `cfggen-edit`, which changes one value
//! (or adds one override) and keeps every other byte of the file.

use cfggen_load::{ImageSite, Loaded};
use cfggen_model::ImageRef;

use crate::commands::{render_names, Ctx};
use crate::output::write_atomic;
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
    match ctx.session.load(name) {
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

/// An image reference as written at `site` (without its quotes).
fn written_at(root: &std::path::Path, site: &ImageSite) -> String {
    let text = std::fs::read_to_string(root.join(&site.file)).unwrap_or_default();
    cfggen_edit::unquote(text.get(site.start..site.end).unwrap_or_default()).to_owned()
}

/// The new reference as it will be written: a whole reference as given,
/// or the current one (as written) with a new `:tag` or `@digest`.
fn new_text(current_written: Option<&str>, value: &str) -> Result<String, String> {
    match (
        value.strip_prefix(':'),
        value.strip_prefix('@'),
        current_written,
    ) {
        (Some(tag), _, Some(cur)) => Ok(cfggen_edit::with_tag(cur, tag)),
        (_, Some(digest), Some(cur)) => Ok(cfggen_edit::with_digest(cur, digest)),
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

/// Writes the edited files, then checks that every environment still loads;
/// puts the files back if one does not.
fn write_checked(ctx: &mut Ctx<'_>, edits: &[(String, String)]) -> Result<(), u8> {
    let root = ctx.repo.root().to_path_buf();
    let mut originals = Vec::new();
    for (file, text) in edits {
        let path = root.join(file);
        originals.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        if let Err(e) = write_atomic(&path, text.as_bytes()) {
            let _ = writeln!(ctx.stderr, "error: cannot write {file}: {e}");
            return Err(EXIT_ERROR);
        }
    }
    let names = ctx.repo.environment_names().unwrap_or_default();
    let fresh = cfggen_load::Session::new(ctx.repo.clone());
    let mut problems = Vec::new();
    for name in &names {
        if let Err(d) = fresh.load(name) {
            problems.extend(d);
        }
    }
    if problems.is_empty() {
        ctx.session = fresh;
        return Ok(());
    }
    for (path, bytes) in originals {
        let _ = write_atomic(&path, &bytes);
    }
    ctx.report(&problems);
    let _ = writeln!(
        ctx.stderr,
        "error: the edit would make the environments invalid; nothing was changed"
    );
    Err(EXIT_ERROR)
}

/// Environments whose files include `file`.
fn users_of(ctx: &Ctx<'_>, file: &str) -> Vec<String> {
    ctx.repo
        .environment_names()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| {
            ctx.session
                .load(n)
                .is_ok_and(|l| l.files.iter().any(|f| f == file))
        })
        .collect()
}

/// `cfggen set-image <env> <app>[/<component>] <ref | :tag | @digest>`.
pub fn set_image(
    ctx: &mut Ctx<'_>,
    env: &str,
    target: &str,
    value: &str,
    here: bool,
    render: bool,
) -> u8 {
    let loaded = match load_one(ctx, env) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (app, component) = match target.split_once('/') {
        Some((a, c)) => (a, Some(c)),
        None => (target, None),
    };
    let Some(app_model) = loaded.environment.apps.get(app) else {
        let known: Vec<&str> = loaded.environment.apps.keys().map(String::as_str).collect();
        let hint = cfggen_load::closest(app, known.iter().copied()).map_or_else(
            || format!("apps: {}", known.join(", ")),
            |b| format!("did you mean `{b}`?"),
        );
        let _ = writeln!(
            ctx.stderr,
            "error: environment `{env}` has no app `{app}`\n  help: {hint}"
        );
        return EXIT_ERROR;
    };
    if let Some(c) = component {
        if !app_model.components.contains_key(c) {
            let _ = writeln!(ctx.stderr, "error: app `{app}` has no component `{c}`");
            return EXIT_ERROR;
        }
    }
    let env_file = format!("{}/{env}.yaml", cfggen_load::ENVIRONMENTS_DIR);
    let own = loaded
        .images
        .iter()
        .find(|s| s.app == app && s.component.as_deref() == component)
        .cloned();
    let app_site = loaded
        .images
        .iter()
        .find(|s| s.app == app && s.component.is_none())
        .cloned();
    if component.is_none() && own.is_none() {
        let _ = writeln!(
            ctx.stderr,
            "error: app `{app}` sets no image of its own in `{env}`\n  help: name a component: `{app}/<component>`"
        );
        return EXIT_ERROR;
    }
    // What the component or app runs now, as written.
    let current_site = own.clone().or(app_site);
    let root = ctx.repo.root().to_path_buf();
    let written = current_site.as_ref().map(|s| written_at(&root, s));
    let new = match new_text(written.as_deref(), value) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {e}");
            return EXIT_ERROR;
        }
    };
    if let Err(e) = check_ref(&loaded, &new) {
        let _ = writeln!(ctx.stderr, "error: {e}\n  nothing was changed");
        return EXIT_ERROR;
    }
    let path: Vec<&str> = match component {
        Some(c) => vec!["apps", app, "components", c, "image"],
        None => vec!["apps", app, "image"],
    };
    // Where to write: the value itself, unless it comes from a base and
    // --here asks for an override, or the component only inherits.
    let (file, text, note) = match &own {
        Some(site) if !(here && site.file != env_file) => {
            let text = std::fs::read_to_string(root.join(&site.file)).unwrap_or_default();
            let note = (site.file != env_file).then(|| {
                let users = users_of(ctx, &site.file);
                format!(
                    "note: the image is set in {}, shared by: {}; use --here to change `{env}` only",
                    site.file,
                    users.join(", ")
                )
            });
            (
                site.file.clone(),
                cfggen_edit::replace_scalar(&text, site.start, site.end, &new),
                note,
            )
        }
        _ => {
            let text = std::fs::read_to_string(root.join(&env_file)).unwrap_or_default();
            match cfggen_edit::set_path(&text, &path, &new) {
                Ok(t) => (env_file.clone(), t, None),
                Err(e) => {
                    let _ = writeln!(ctx.stderr, "error: cannot edit {env_file}: {e}");
                    return EXIT_ERROR;
                }
            }
        }
    };
    let edited_file = file.clone();
    if let Err(code) = write_checked(ctx, &[(file, text)]) {
        return code;
    }
    let old = written.unwrap_or_else(|| "(none)".into());
    let _ = writeln!(
        ctx.stdout,
        "{}: {old} → {new} (in {edited_file})",
        path.join(".")
    );
    if let Some(note) = note {
        let _ = writeln!(ctx.stdout, "{note}");
    }
    if !render {
        return EXIT_OK;
    }
    let envs = users_of(ctx, &edited_file);
    render_names(ctx, &envs)
}

/// `cfggen promote <from> <to> [<app>…]`.
pub fn promote(
    ctx: &mut Ctx<'_>,
    from: &str,
    to: &str,
    apps: &[String],
    dry_run: bool,
    render: bool,
) -> u8 {
    let (source, target) = match (load_one(ctx, from), load_one(ctx, to)) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let names: Vec<String> = if apps.is_empty() {
        source
            .environment
            .apps
            .keys()
            .filter(|a| target.environment.apps.contains_key(*a))
            .cloned()
            .collect()
    } else {
        apps.to_vec()
    };
    for a in &names {
        if !source.environment.apps.contains_key(a) || !target.environment.apps.contains_key(a) {
            let _ = writeln!(
                ctx.stderr,
                "error: app `{a}` is not in both `{from}` and `{to}`"
            );
            return EXIT_ERROR;
        }
    }
    let root = ctx.repo.root().to_path_buf();
    let env_file = format!("{}/{to}.yaml", cfggen_load::ENVIRONMENTS_DIR);
    let original = std::fs::read_to_string(root.join(&env_file)).unwrap_or_default();
    let mut text = original.clone();
    let mut table = Vec::new();
    for site in source.images.iter().filter(|s| names.contains(&s.app)) {
        let new = written_at(&root, site);
        let resolved_new = ImageRef::parse(&new)
            .map(|r| r.to_string())
            .unwrap_or_default();
        let old_resolved = match &site.component {
            Some(c) => target.environment.apps.get(&site.app).and_then(|a| {
                a.components
                    .get(c)
                    .and_then(|comp| a.image_of(comp))
                    .map(ToString::to_string)
            }),
            None => target
                .environment
                .apps
                .get(&site.app)
                .and_then(|a| a.image.as_ref())
                .map(ToString::to_string),
        };
        if old_resolved.as_deref() == Some(resolved_new.as_str()) {
            continue;
        }
        if let Err(e) = check_ref(&target, &new) {
            let _ = writeln!(ctx.stderr, "error: {e}\n  nothing was changed");
            return EXIT_ERROR;
        }
        let path: Vec<&str> = match &site.component {
            Some(c) => vec!["apps", &site.app, "components", c, "image"],
            None => vec!["apps", &site.app, "image"],
        };
        text = match cfggen_edit::set_path(&text, &path, &new) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(ctx.stderr, "error: cannot edit {env_file}: {e}");
                return EXIT_ERROR;
            }
        };
        table.push((
            format!(
                "{}{}",
                site.app,
                site.component
                    .as_ref()
                    .map(|c| format!("/{c}"))
                    .unwrap_or_default()
            ),
            old_resolved.unwrap_or_else(|| "(none)".into()),
            resolved_new,
        ));
    }
    if table.is_empty() {
        let _ = writeln!(
            ctx.stdout,
            "{to} already runs the images of {from}; nothing to promote"
        );
        return EXIT_OK;
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
        return EXIT_OK;
    }
    if let Err(code) = write_checked(ctx, &[(env_file, text)]) {
        return code;
    }
    if !render {
        return EXIT_OK;
    }
    render_names(ctx, &[to.to_owned()])
}
