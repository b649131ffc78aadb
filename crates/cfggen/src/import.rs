//! `cfggen import <env> <path>…`: existing manifests → typed apps in
//! `environments/<env>.yaml`, edited in place (what is there stays byte
//! for byte), then the round-trip proof: the environment is loaded and
//! rendered in memory and every input object is compared with what cfggen
//! renders in its place. Exit 0 when nothing differs but cfggen's
//! normalisations, 1 when something does (the apps are still written), 2
//! on bad input.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cfggen_import::{AppPlan, Object, Options, Plan};
use cfggen_source::{environment_file, Overlay, Repo, Source, SourceError};
use serde_json::Value;

use crate::commands::Ctx;
use crate::{EXIT_DIFFERS, EXIT_ERROR, EXIT_OK};

/// What `cfggen import` was asked for.
pub(crate) struct Request<'a> {
    pub environment: &'a str,
    pub paths: &'a [PathBuf],
    /// Flux post-build variables: `NAME=VALUE`s, and files of them.
    pub substitute: &'a [String],
    pub substitute_from: &'a [PathBuf],
    pub options: Options,
    pub dry_run: bool,
    pub replace: bool,
}

pub(crate) fn import(ctx: &mut Ctx<'_>, req: &Request<'_>) -> u8 {
    // Made beside reading the input and the environment file.
    cfggen_engine::start_schemas();
    let read = variables(req.substitute, req.substitute_from)
        .and_then(|values| read_inputs(req.paths, &values));
    let (objects, unset) = match read {
        Ok(o) => o,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(ctx.stderr, "error: {e}");
            }
            return EXIT_ERROR;
        }
    };
    // Said on success only where Flux variables are to be expected: some
    // were given, or the input has Flux's objects (elsewhere `${NAME}` is
    // as likely a shell's).
    let flux = !req.substitute.is_empty()
        || !req.substitute_from.is_empty()
        || objects
            .iter()
            .any(|o| o.api_version().contains(".toolkit.fluxcd.io/"));
    let code = import_objects(ctx, req, objects);
    if code == EXIT_ERROR || flux {
        say_unset(ctx, &unset, code == EXIT_ERROR);
    }
    code
}

/// The values of Flux post-build variables the user gives: each file's,
/// then each `NAME=VALUE` (the last value of a name wins).
fn variables(
    pairs: &[String],
    files: &[PathBuf],
) -> Result<cfggen_import::Variables, Vec<cfggen_import::InputError>> {
    let mut values = cfggen_import::Variables::new();
    let mut errors = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let read = std::fs::read_to_string(f)
            .map_err(|e| io_error(&shown, &e.to_string()))
            .and_then(|text| cfggen_import::variables_of(&shown, &text));
        match read {
            Ok(v) => values.extend(v),
            Err(e) => errors.push(e),
        }
    }
    for pair in pairs {
        match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => {
                values.insert(name.to_owned(), value.to_owned());
            }
            _ => errors.push(cfggen_import::InputError {
                file: "--substitute".into(),
                line: 1,
                column: 1,
                message: format!("`{pair}` is not NAME=VALUE"),
                hint: Some("e.g. --substitute CLUSTER_DOMAIN=example.org".into()),
            }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Flux post-build variables left as written: where, and how to give
/// their values (on a failed import, as help to the error).
fn say_unset(ctx: &mut Ctx<'_>, unset: &[(String, cfggen_import::Unset)], failed: bool) {
    let Some((first_file, first)) = unset.first() else {
        return;
    };
    let mut names: Vec<&str> = unset.iter().map(|(_, u)| u.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let list = names
        .iter()
        .map(|n| format!("`${{{n}}}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let place = format!("{first_file}:{}:{}", first.line, first.column);
    let example = names.first().copied().unwrap_or("NAME");
    let how = if failed { "help" } else { "note" };
    let text = format!(
        "{how}: the input uses {list} (first at {place}), kept as written: if Flux applies it, these are post-build variables, which Flux replaces before it applies a manifest and Argo CD does not; give their values with --substitute {example}=<value> or --substitute-from <the Kustomization's substituteFrom ConfigMap>"
    );
    let _ = if failed {
        writeln!(ctx.stderr, "{text}")
    } else {
        writeln!(ctx.stdout, "{text}")
    };
}

/// The import of objects read: the apps planned, edited into the
/// environment file, and proven by the round trip.
fn import_objects(ctx: &mut Ctx<'_>, req: &Request<'_>, objects: Vec<Object>) -> u8 {
    if objects.is_empty() {
        let _ = writeln!(ctx.stderr, "error: the input holds no Kubernetes object");
        return EXIT_ERROR;
    }
    let rel = environment_file(req.environment);
    let original = match ctx.repo.read(&rel, u64::MAX) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(SourceError::NotFound(_)) => new_environment(&ctx.repo, req.environment),
        Err(e) => {
            ctx.report(&[cfggen_load::source_diagnostic(&e)]);
            return EXIT_ERROR;
        }
    };
    let names = declared(ctx, req.environment, &rel, &original);
    let options = Options {
        onepassword: names.onepassword.clone(),
        secret_stores: names.secret_stores.clone(),
        persistent_volumes: names.persistent_volumes.clone(),
        argocd_namespace: names.argocd_namespace.clone(),
        ..req.options.clone()
    };
    let mut force_raw: BTreeMap<(String, String), String> = BTreeMap::new();
    // Each round that fails turns at least one more typed object raw (or
    // stops), so it ends within a round per object.
    let mut last: Option<(Plan, Vec<cfggen_load::Diagnostic>)> = None;
    for _ in 0..=objects.len() {
        let plan = match cfggen_import::plan(objects.clone(), &options, &force_raw) {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    let _ = writeln!(ctx.stderr, "error: {e}");
                }
                return EXIT_ERROR;
            }
        };
        let edited = edited(&original, &plan, &names, req.replace);
        let text = match edited {
            Ok(t) => t,
            Err(e) => {
                let hint = match e {
                    cfggen_edit::AppsError::Exists("an app", _) => {
                        "\n  help: pass --replace to replace it, or --app <name> to import under another name"
                    }
                    cfggen_edit::AppsError::Exists(..) => "\n  help: pass --replace to replace it",
                    cfggen_edit::AppsError::Edit(_) => "",
                };
                let _ = writeln!(ctx.stderr, "error: {rel}: {e}{hint}");
                return EXIT_ERROR;
            }
        };
        let overlay = Overlay::new(
            Arc::new(ctx.repo.clone()),
            BTreeMap::from([(rel.clone(), text.clone().into_bytes())]),
        );
        let session = cfggen_load::Session::with_source(Arc::new(overlay));
        // An environment that warned before the import warns after it: its
        // warnings placed from the first run, not from a second.
        let placing = if names.warned {
            cfggen_load::Placing::FromTheStart
        } else {
            cfggen_load::Placing::WhenFound
        };
        match session.load_placing(req.environment, placing) {
            Ok(loaded) => {
                return finish(ctx, req, &rel, &text, &plan, &loaded);
            }
            Err(diagnostics) => {
                // Typed forms the rules refuse turn raw, and the import
                // tries again; what remains is the input's.
                if !refuse_typed(&plan, &diagnostics, &mut force_raw) {
                    report_load_errors(ctx, &plan, &diagnostics);
                    return EXIT_ERROR;
                }
                last = Some((plan, diagnostics));
            }
        }
    }
    // Not reached while every round turns an object raw; said, with the
    // last round's problems at their objects, if it ever is.
    let _ = writeln!(
        ctx.stderr,
        "error: the imported apps do not pass cfggen's rules once every refused object is raw; the last round's problems:"
    );
    if let Some((plan, diagnostics)) = last {
        report_load_errors(ctx, &plan, &diagnostics);
    }
    EXIT_ERROR
}

/// What the environment declares before the import (itself and its
/// bases) that the import reads: its 1Password store, its
/// PersistentVolumes, Argo CD's namespace, and the names in the fields an
/// import adds to beside its apps.
#[derive(Default)]
struct Declared {
    onepassword: Option<cfggen_model::environment::OnePassword>,
    secret_stores: cfggen_model::stores::SecretStores,
    persistent_volumes: std::collections::BTreeSet<String>,
    storage_classes: std::collections::BTreeSet<String>,
    argocd_namespace: Option<String>,
    namespaces: std::collections::BTreeSet<String>,
    projects: std::collections::BTreeSet<String>,
    /// Whether it loads with warnings.
    warned: bool,
}

/// The environment file `original` with what `plan` imports added: its
/// apps, clusters, secret stores, namespaces, PersistentVolumes,
/// StorageClasses and Argo CD projects.
fn edited(
    original: &str,
    plan: &Plan,
    declared: &Declared,
    replace: bool,
) -> Result<String, cfggen_edit::AppsError> {
    // An app all of whose objects went into the environment's fields
    // (its Namespace, say) has no entry of its own.
    let blocks: Vec<(String, String)> = plan
        .apps
        .iter()
        .filter(|a| a.body.as_object().is_some_and(|b| !b.is_empty()))
        .map(|a| (a.name.clone(), cfggen_import::app_text(a)))
        .collect();
    let clusters: Vec<(String, String)> = plan
        .clusters
        .iter()
        .map(|c| (c.name.clone(), cfggen_import::cluster_text(c)))
        .collect();
    let projects = environment_blocks(
        plan,
        |a| &a.projects,
        &declared.projects,
        replace,
        cfggen_import::project_text,
    );
    // The entries written as they are, under a name.
    let entries = |of: fn(&AppPlan) -> &serde_json::Map<String, serde_json::Value>,
                   declared: &std::collections::BTreeSet<String>| {
        environment_blocks(plan, of, declared, replace, cfggen_import::namespace_text)
    };
    let namespaces = entries(|a| &a.namespaces, &declared.namespaces);
    let volumes = entries(|a| &a.persistent_volumes, &declared.persistent_volumes);
    let classes = entries(|a| &a.storage_classes, &declared.storage_classes);
    let stores = entries(
        |a| &a.stores,
        &declared.secret_stores.keys().cloned().collect(),
    );
    cfggen_edit::add_apps(original, &blocks, replace)
        .and_then(|t| cfggen_edit::add_postgres(&t, &clusters, replace))
        .and_then(|t| cfggen_edit::add_secret_stores(&t, &stores, replace))
        .and_then(|t| cfggen_edit::add_namespaces(&t, &namespaces, replace))
        .and_then(|t| cfggen_edit::add_persistent_volumes(&t, &volumes, replace))
        .and_then(|t| cfggen_edit::add_storage_classes(&t, &classes, replace))
        .and_then(|t| cfggen_edit::add_argocd_projects(&t, &projects, replace))
}

/// What the environment declares before the import, if it loads (else
/// nothing).
fn declared(ctx: &Ctx<'_>, environment: &str, rel: &str, text: &str) -> Declared {
    let overlay = Overlay::new(
        Arc::new(ctx.repo.clone()),
        BTreeMap::from([(rel.to_owned(), text.as_bytes().to_vec())]),
    );
    let session = cfggen_load::Session::with_source(Arc::new(overlay));
    // Read for a few settings: nothing of it is reported, so its warnings
    // are not placed (which would take a second run).
    let Ok(loaded) = session.load_placing(environment, cfggen_load::Placing::Never) else {
        return Declared::default();
    };
    let env = loaded.environment.environment();
    Declared {
        warned: !loaded.warnings.is_empty(),
        onepassword: env.onepassword.clone(),
        secret_stores: env.secret_stores.clone(),
        persistent_volumes: env.persistent_volume_names(),
        storage_classes: env.storage_classes.keys().cloned().collect(),
        argocd_namespace: Some(env.argocd.namespace.clone()),
        namespaces: env.namespaces.keys().cloned().collect(),
        projects: env.argocd.projects.keys().cloned().collect(),
    }
}

/// The entries of an environment field to write (`namespaces`,
/// `argocd.projects`): each one the apps' inputs carry (`of` an app),
/// once, unless the environment declares it already (the round trip then
/// compares the object with that declaration; with `replace` the input's
/// replaces it), as `text` writes it.
fn environment_blocks(
    plan: &Plan,
    of: impl Fn(&AppPlan) -> &serde_json::Map<String, serde_json::Value>,
    declared: &std::collections::BTreeSet<String>,
    replace: bool,
    text: impl Fn(&str, &serde_json::Value) -> String,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, declaration) in plan.apps.iter().flat_map(of) {
        let written = out.iter().any(|(n, _)| n == name);
        if written || (declared.contains(name) && !replace) {
            continue;
        }
        out.push((name.clone(), text(name, declaration)));
    }
    out
}

/// Turns raw every typed object a diagnostic is about; false when none
/// is newly turned raw (what remains is not about a typed form).
fn refuse_typed(
    plan: &Plan,
    diagnostics: &[cfggen_load::Diagnostic],
    force_raw: &mut BTreeMap<(String, String), String>,
) -> bool {
    let mut progress = false;
    for d in diagnostics {
        let field = d.field.as_deref().unwrap_or("");
        // The objects typed in the most specific field the path is in (a
        // Role and its binding in `serviceAccounts.x.rules`, not the
        // account).
        let apps = plan.apps.iter().find_map(|app| {
            let rest = field.strip_prefix(&format!("apps.{}.", app.name))?;
            most_specific(&app.typed, rest, &app.name)
        });
        let clusters = plan.clusters.iter().find_map(|c| {
            most_specific(&c.typed, field, &cfggen_import::ClusterPlan::scope(&c.name))
        });
        // What an app's objects declare in the environment's fields.
        let declared = plan.apps.iter().find_map(|app| {
            let typed: Vec<_> = app
                .typed
                .iter()
                .filter(|t| {
                    [
                        "namespaces.",
                        "persistentVolumes.",
                        "storageClasses.",
                        "argocd.",
                    ]
                    .iter()
                    .any(|p| t.field.starts_with(p))
                })
                .cloned()
                .collect();
            most_specific(&typed, field, &app.name)
        });
        for key in apps.into_iter().chain(clusters).chain(declared).flatten() {
            if let std::collections::btree_map::Entry::Vacant(e) = force_raw.entry(key) {
                e.insert(format!(
                    "cfggen's rules refuse its typed form: {}",
                    d.message
                ));
                progress = true;
            }
        }
    }
    progress
}

/// The objects typed in the most specific of `typed`'s fields that the
/// path `rest` is in, keyed by `scope` (an app's name, a cluster's
/// scope); `None` when it is in none.
fn most_specific(
    typed: &[cfggen_import::Typed],
    rest: &str,
    scope: &str,
) -> Option<Vec<(String, String)>> {
    let within: Vec<_> = typed
        .iter()
        .filter(|t| within_field(rest, &t.field))
        .collect();
    let longest = within.iter().map(|t| t.field.len()).max()?;
    Some(
        within
            .into_iter()
            .filter(|t| t.field.len() == longest)
            .map(|t| (scope.to_owned(), t.object.clone()))
            .collect(),
    )
}

/// Whether the field path `rest` is `field` or inside it (`field.x`,
/// `field[0]`).
fn within_field(rest: &str, field: &str) -> bool {
    rest.strip_prefix(field)
        .is_some_and(|tail| tail.is_empty() || tail.starts_with('.') || tail.starts_with('['))
}

/// Load errors no typed form explains: about a raw object, shown at its
/// place in the input; anything else as it is.
fn report_load_errors(ctx: &mut Ctx<'_>, plan: &Plan, diagnostics: &[cfggen_load::Diagnostic]) {
    let mut rest = Vec::new();
    for d in diagnostics {
        let field = d.field.as_deref().unwrap_or("");
        let raw_object = plan
            .apps
            .iter()
            .find_map(|app| {
                let rest = field.strip_prefix(&format!("apps.{}.manifests[", app.name))?;
                let index: usize = rest.split(']').next()?.parse().ok()?;
                raw_objects(app).into_iter().nth(index)
            })
            .or_else(|| {
                // Inside an inline manifest (its place, not its field, says
                // so): not a diagnostic about a field of an app's own.
                let in_manifests = d.field.as_deref().is_none_or(|f| {
                    !f.starts_with("apps.")
                        || plan
                            .apps
                            .iter()
                            .any(|app| f.starts_with(&format!("apps.{}.manifests", app.name)))
                });
                in_manifests.then(|| raw_object_at(plan, d)).flatten()
            });
        match raw_object {
            Some(o) => {
                let _ = writeln!(
                    ctx.stderr,
                    "error: {}: {}: {}",
                    o.place(),
                    o.label(),
                    d.message
                );
                if let Some(h) = &d.hint {
                    let _ = writeln!(ctx.stderr, "  help: {h}");
                }
            }
            None => rest.push(d.clone()),
        }
    }
    if !rest.is_empty() {
        ctx.report(&rest);
    }
}

/// The raw object a diagnostic inside an inline manifest is about: the
/// comment `# <Kind name>: <why>` written above each one names it.
fn raw_object_at<'p>(plan: &'p Plan, d: &cfggen_load::Diagnostic) -> Option<&'p Object> {
    let place = d.place.as_ref()?;
    let before = place.file.text().get(..place.span.start)?;
    let comment = before
        .lines()
        .rev()
        .map(str::trim_start)
        .find(|l| l.starts_with("# ") && l.contains(": "))?;
    let label = comment.strip_prefix("# ")?.split(": ").next()?;
    plan.apps
        .iter()
        .flat_map(|app| raw_objects(app))
        .find(|o| o.label() == label)
}

/// The objects of an app that stay raw, in the order of its manifests.
fn raw_objects(app: &AppPlan) -> Vec<&Object> {
    app.raw
        .iter()
        .filter_map(|(label, _)| app.objects.iter().find(|o| o.label() == *label))
        .collect()
}

/// Renders in memory, compares, reports, writes.
fn finish(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    rel: &str,
    text: &str,
    plan: &Plan,
    loaded: &cfggen_load::Loaded,
) -> u8 {
    let rendered = match cfggen_render::render_whole(&loaded.environment, &loaded.files) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: the imported apps do not render: {e}");
            return EXIT_ERROR;
        }
    };
    let index = index_rendered(&rendered.objects);
    let mut differ = 0;
    let mut out = String::new();
    if !plan.moved.is_empty() {
        out.push_str("moved to 1Password (--skip-secrets); create these fields, with the values, before the first sync:\n");
    }
    for m in &plan.moved {
        out.push_str(&format!("  {}  <- {}\n", m.reference, m.replaces));
    }
    if !plan.left_out.is_empty() {
        out.push_str(
            "left out: live objects a controller of the cluster made, which it makes again:\n",
        );
    }
    for (label, by) in &plan.left_out {
        out.push_str(&format!("  left   {label}: made by {by}, its controller\n"));
    }
    for cluster in &plan.clusters {
        differ += report_cluster(&mut out, cluster, &index);
    }
    // The raw objects no schema checks (the load's warnings).
    let unchecked: Vec<String> = loaded
        .warnings
        .iter()
        .filter_map(|d| raw_object_at(plan, d))
        .map(Object::label)
        .collect();
    for app in &plan.apps {
        differ += report_app(&mut out, app, &index, &unchecked);
    }
    // What the input itself gets wrong, which `cfggen render` refuses:
    // in the folders of what this import wrote (an app's, a cluster's).
    let folders: Vec<String> = plan
        .apps
        .iter()
        .map(|a| format!("{}/", a.name))
        .chain(plan.clusters.iter().map(|c| format!("{}/", c.namespace)))
        .collect();
    let flaws: Vec<cfggen_lint::LintIssue> = cfggen_lint::lint(&rendered)
        .into_iter()
        .filter(|f| folders.iter().any(|d| f.file.starts_with(d.as_str())))
        .collect();
    if !flaws.is_empty() {
        out.push_str(&format!(
            "the input's own problems ({}), which `cfggen render` refuses until they are fixed:\n",
            flaws.len()
        ));
        for f in &flaws {
            out.push_str(&format!("  {}: {}: {}\n", f.file, f.resource, f.message));
        }
        differ += flaws.len();
    }
    if req.dry_run {
        out.push_str(&format!("dry run: {rel} not written\n"));
    } else {
        if let Err(e) = ctx.repo.write(rel, text.as_bytes()) {
            ctx.report(&[cfggen_load::source_diagnostic(&e)]);
            return EXIT_ERROR;
        }
        out.push_str(&format!(
            "wrote {rel}; run `cfggen render {}` to write generated/\n",
            req.environment
        ));
    }
    let _ = write!(ctx.stdout, "{out}");
    if differ == 0 {
        EXIT_OK
    } else {
        EXIT_DIFFERS
    }
}

/// Rendered objects by (kind, namespace, name).
type Index<'a> = BTreeMap<(String, String, String), &'a Value>;

fn index_rendered(objects: &BTreeMap<String, Value>) -> Index<'_> {
    objects
        .values()
        .map(|v| {
            let s = |p: &str| {
                v.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            (
                (s("/kind"), s("/metadata/namespace"), s("/metadata/name")),
                v,
            )
        })
        .collect()
}

/// The round trip of `objects` against the rendered ones (an object that
/// names no namespace is looked for in `namespace`, then as
/// cluster-scoped, then in any namespace); returns how many differ.
pub(crate) fn compare_objects(
    out: &mut String,
    objects: &[Object],
    namespace: &str,
    index: &Index<'_>,
) -> usize {
    let mut same = 0;
    let mut normalised: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for o in objects {
        let ns = o.namespace().unwrap_or(namespace).to_owned();
        let key = (o.kind().to_owned(), ns, o.name().to_owned());
        let cluster_key = (o.kind().to_owned(), String::new(), o.name().to_owned());
        let anywhere = || {
            (o.namespace().is_none())
                .then(|| {
                    index
                        .iter()
                        .find(|((k, _, n), _)| k == o.kind() && n == o.name())
                        .map(|(_, v)| v)
                })
                .flatten()
        };
        let Some(rendered) = index
            .get(&key)
            .or_else(|| index.get(&cluster_key))
            .or_else(anywhere)
        else {
            lines.push(format!("    {} ({}): not rendered", o.label(), o.place()));
            continue;
        };
        let diffs = cfggen_import::compare(&o.value, rendered);
        let real: Vec<_> = diffs.iter().filter(|d| d.normalisation.is_none()).collect();
        for d in diffs.iter().filter_map(|d| d.normalisation) {
            *normalised.entry(d).or_default() += 1;
        }
        if real.is_empty() {
            same += 1;
            continue;
        }
        lines.push(format!("    {} ({}):", o.label(), o.place()));
        for d in real {
            let show = |v: &Option<Value>| match v {
                None => "(absent)".to_owned(),
                Some(v) => compact(v),
            };
            lines.push(format!(
                "      {}: {} → {}",
                d.path,
                show(&d.input),
                show(&d.rendered)
            ));
        }
    }
    let differ = objects.len() - same;
    out.push_str(&format!(
        "  round trip: {same} of {} objects render the same, {differ} differ\n",
        objects.len()
    ));
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    if !normalised.is_empty() {
        let list: Vec<String> = normalised
            .iter()
            .map(|(n, count)| format!("{n} ×{count}"))
            .collect();
        out.push_str(&format!(
            "  normalisations (not counted): {}\n",
            list.join(", ")
        ));
    }
    differ
}

/// `cfggen diff <env> --against <path>…`: the environment rendered in
/// memory against existing manifests, object by object, with the round
/// trip's rules; for checking a migration by hand.
pub(crate) fn against(ctx: &mut Ctx<'_>, environment: &str, paths: &[PathBuf]) -> u8 {
    let objects = match read_inputs(paths, &cfggen_import::Variables::new()) {
        Ok((o, _)) => o,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(ctx.stderr, "error: {e}");
            }
            return EXIT_ERROR;
        }
    };
    let loaded = match ctx.engine().session().load(environment) {
        Ok(l) => l,
        Err(d) => {
            ctx.report(&d);
            return EXIT_ERROR;
        }
    };
    let rendered = match cfggen_render::render_whole(&loaded.environment, &loaded.files) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(ctx.stderr, "error: {environment} does not render: {e}");
            return EXIT_ERROR;
        }
    };
    let index = index_rendered(&rendered.objects);
    // What a controller made is the cluster's, as import leaves it out.
    let (objects, left_out) = cfggen_import::made_by_controllers(objects);
    let mut out = format!("{environment} against {} objects:\n", objects.len());
    for (label, by) in &left_out {
        out.push_str(&format!("  left   {label}: made by {by}, its controller\n"));
    }
    let differ = compare_objects(&mut out, &objects, "default", &index);
    let _ = write!(ctx.stdout, "{out}");
    if differ == 0 {
        EXIT_OK
    } else {
        EXIT_DIFFERS
    }
}

/// One app's part of the report; returns how many objects differ.
fn report_app(out: &mut String, app: &AppPlan, index: &Index<'_>, unchecked: &[String]) -> usize {
    out.push_str(&format!(
        "app {} (namespace {}): {} typed, {} raw\n",
        app.name,
        app.namespace,
        app.typed.len(),
        app.raw.len()
    ));
    for t in &app.typed {
        out.push_str(&format!("  typed  {} → {}\n", t.object, t.field));
    }
    for (label, why) in &app.raw {
        let unchecked = if unchecked.contains(label) {
            " (unchecked: cfggen has no schema for its kind)"
        } else {
            ""
        };
        out.push_str(&format!("  raw    {label}: {why}{unchecked}\n"));
    }
    let differ = compare_objects(out, &app.objects, &app.namespace, index);
    for note in &app.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    differ
}

/// One cluster's part of the report; returns how many objects differ.
fn report_cluster(
    out: &mut String,
    cluster: &cfggen_import::ClusterPlan,
    index: &Index<'_>,
) -> usize {
    out.push_str(&format!(
        "postgres cluster {} (namespace {}): {} typed\n",
        cluster.name,
        cluster.namespace,
        cluster.typed.len()
    ));
    for t in &cluster.typed {
        out.push_str(&format!("  typed  {} → {}\n", t.object, t.field));
    }
    compare_objects(out, &cluster.objects, &cluster.namespace, index)
}

/// A value on one line, cut short.
fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

/// Objects read, and the Flux post-build variables left as written, with
/// their files.
type Inputs = (Vec<Object>, Vec<(String, cfggen_import::Unset)>);

/// Every object of the inputs: files, folders (recursively, `*.yaml` and
/// `*.yml` in name order) and `-` for standard input, with the values of
/// Flux post-build variables put in.
fn read_inputs(
    paths: &[PathBuf],
    values: &cfggen_import::Variables,
) -> Result<Inputs, Vec<cfggen_import::InputError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => files.push(("-".to_owned(), text)),
                Err(e) => errors.push(io_error("-", &e.to_string())),
            }
        } else {
            collect(p, &mut files, &mut errors);
        }
    }
    let mut objects = Vec::new();
    let mut unset = Vec::new();
    for (file, text) in files {
        let (text, left) = cfggen_import::substitute(&text, values);
        match cfggen_import::read(&file, &text) {
            Ok(o) => objects.extend(o),
            Err(e) => errors.push(e),
        }
        unset.extend(left.into_iter().map(|u| (file.clone(), u)));
    }
    if errors.is_empty() {
        Ok((objects, unset))
    } else {
        Err(errors)
    }
}

fn io_error(file: &str, message: &str) -> cfggen_import::InputError {
    cfggen_import::InputError {
        file: file.to_owned(),
        line: 1,
        column: 1,
        message: message.to_owned(),
        hint: None,
    }
}

fn collect(
    path: &Path,
    files: &mut Vec<(String, String)>,
    errors: &mut Vec<cfggen_import::InputError>,
) {
    let shown = path.display().to_string();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
            Err(e) => {
                errors.push(io_error(&shown, &e.to_string()));
                return;
            }
        };
        entries.sort();
        for e in entries {
            let is_yaml = e.extension().is_some_and(|x| x == "yaml" || x == "yml");
            if e.is_dir() || is_yaml {
                collect(&e, files, errors);
            }
        }
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => files.push((shown, text)),
            Err(_) => errors.push(io_error(&shown, "not UTF-8 text")),
        },
        Err(e) => errors.push(io_error(&shown, &e.to_string())),
    }
}

/// The text of an environment that does not exist yet: it extends the
/// repository's only base, when there is one.
fn new_environment(repo: &Repo, name: &str) -> String {
    let bases = cfggen_source::base_names(repo).unwrap_or_default();
    let mut text = format!(
        "# yaml-language-server: $schema=../schemas/partial-environment.schema.json\n#\n# Made by `cfggen import`.\n\nname: {name}\n"
    );
    if let [base] = bases.as_slice() {
        text.push_str(&format!("extends: [{base}]\n"));
    }
    text.push_str(&format!(
        "cluster:\n  name: {name}\n  server: https://kubernetes.default.svc\n"
    ));
    if bases.len() != 1 {
        text.push_str("argocd:\n  # The Git repository Argo CD reads generated/ from.\n  repoURL: https://git.example.com/platform/gitops.git\n");
    }
    text
}
