//! One environment prepared: loaded, rendered and linted, every problem
//! as a diagnostic placed at the line that caused it.

use cfggen_load::Diagnostic;
use cfggen_render::Keep;
use cfggen_source::GENERATED_DIR;

/// An environment loaded, rendered and linted.
pub struct Prepared {
    /// The environment as loaded.
    pub loaded: cfggen_load::Loaded,
    /// Its rendering.
    pub rendered: cfggen_render::RenderedEnv,
}

/// Load → render → lint one environment; every problem as a diagnostic.
pub(crate) fn prepare(
    engine: &crate::Engine,
    name: &str,
    keep: Keep<'_>,
) -> Result<Prepared, Vec<Diagnostic>> {
    finish(&engine.session, engine.load(name)?, name, keep)
}

/// The environment rendered again for `stage`, each text handed to it as
/// soon as it is made ([`Keep::Handed`]): a write whose rendering did not
/// keep the text of what it writes (a large environment that differs in
/// more than it holds, or files that changed on disk since they were
/// compared) never holds the texts whole. The rendering must pass the
/// lint again; the stage refuses a text that is not the one planned.
pub(crate) fn hand_texts(
    engine: &crate::Engine,
    name: &str,
    stage: &cfggen_write::Stage,
) -> Result<(), Vec<Diagnostic>> {
    let hand = |rel: &str, text: &str| stage.put(rel, text);
    prepare(engine, name, Keep::Handed(&hand)).map(drop)
}

/// Render → lint an environment that loaded.
pub(crate) fn finish(
    session: &cfggen_load::Session,
    loaded: cfggen_load::Loaded,
    name: &str,
    keep: Keep<'_>,
) -> Result<Prepared, Vec<Diagnostic>> {
    let (env, files) = (&loaded.environment, &loaded.files);
    let rendered = cfggen_render::render_keeping(env, files, keep)
        .map_err(|e| render_failure(session, &loaded, name, &e))?;
    let issues = cfggen_lint::lint(&rendered);
    // The data behind the text is only for the lint; free it.
    let rendered = rendered.text_only();
    if !issues.is_empty() {
        return Err(issues
            .into_iter()
            .map(|i| {
                let mut d = Diagnostic::bare(
                    i.rule.code(),
                    format!(
                        "{GENERATED_DIR}/{name}/{}: {}: {}",
                        i.file, i.resource, i.message
                    ),
                )
                .with_hint(
                    "the rendered manifests would not work together; fix the environment \
                     (or report the rule the config got past)",
                );
                d.field = (!i.field.is_empty()).then_some(i.field);
                d
            })
            .collect());
    }
    Ok(Prepared { loaded, rendered })
}

/// A render failure as diagnostics: a secret value at the line that
/// wrote it, a patch problem at the patch's line.
fn render_failure(
    session: &cfggen_load::Session,
    loaded: &cfggen_load::Loaded,
    name: &str,
    e: &cfggen_render::RenderError,
) -> Vec<Diagnostic> {
    use cfggen_render::RenderError;
    match e {
        RenderError::Secrets(leaks) => {
            let locator = session.locator(name);
            leaks
                .iter()
                .map(|l| crate::leaks::diagnostic(locator.as_deref(), name, l))
                .collect()
        }
        RenderError::NotSecretUnused { path, .. } => {
            let mut d = Diagnostic::bare("not-secret-unused", e.to_string()).with_hint(
                "remove the entry, or correct its `object` and `field`: the secret check's error names both",
            );
            d.field = Some(path.to_string());
            d.place = loaded
                .locator
                .clone()
                .or_else(|| session.locator(name))
                .and_then(|l| l.place(path));
            d.label = Some("this entry".into());
            vec![d]
        }
        _ => vec![render_diagnostic(loaded, name, e)],
    }
}

/// A render failure as a diagnostic: a patch problem at the patch's line.
fn render_diagnostic(
    loaded: &cfggen_load::Loaded,
    name: &str,
    e: &cfggen_render::RenderError,
) -> Diagnostic {
    use cfggen_render::RenderError;
    let (code, path, hint) = match e {
        RenderError::PatchUnmatched {
            path, suggestion, ..
        } => (
            "patch-unmatched",
            path,
            match suggestion {
                Some(s) => format!("{s} (a patch targets objects by their rendered kind and name)"),
                None => "check the target's kind and name against the files under generated/ (a name is the object's, e.g. `<app>-<component>` for a workload)".to_owned(),
            },
        ),
        RenderError::ManifestCollision { path, .. } => (
            "manifest-collision",
            path,
            "cfggen already renders this object from a typed field or an earlier manifest: drop the manifest, rename it, or change the rendered object with `patches`".to_owned(),
        ),
        RenderError::Patch { path, .. } => (
            "patch",
            path,
            "check the operation's JSON pointers against the rendered object".to_owned(),
        ),
        _ => return Diagnostic::bare("render", format!("cannot render {name}: {e}")),
    };
    let mut d = Diagnostic::bare(code, e.to_string()).with_hint(hint);
    d.field = Some(path.to_string());
    d.place = loaded.locator.as_ref().and_then(|l| l.place(path));
    d.label = Some(
        match e {
            RenderError::ManifestCollision { .. } => "this manifest",
            _ => "this patch",
        }
        .into(),
    );
    d
}
