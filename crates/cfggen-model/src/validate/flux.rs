//! Rules about an app's Flux chart installs, as Flux refuses them (its
//! CEL rules, which a schema check does not run, and what its
//! controllers find only when they reconcile):
//!
//! - A HelmRelease names its chart one way: `chartRef` or `chart`
//!   (`flux-chart`); a `chartRef` is an OCIRepository or a HelmChart, a
//!   `chart`'s source a HelmRepository, GitRepository or Bucket.
//! - The source it names in the app's namespace is one of the app's
//!   (`flux-source`, a warning: another app of the namespace may hold
//!   it).
//! - `valuesFrom` names ConfigMaps and Secrets the app declares
//!   (`unknown-configmap`, `unknown-secret`), and so does a source's
//!   `secretRef`.
//! - A HelmRepository of `type: oci` has an `oci://` URL, and one with an
//!   `oci://` URL says `type: oci` (`flux-source`).

use super::{Checker, Target};
use crate::app::App;
use crate::flux::{HelmRelease, SourceRef};
use crate::{suggest, FieldPath};

/// Every Flux object of the app at `base`.
pub(super) fn check_flux(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (name, release) in &app.helm_releases {
        let path = base.key("helmReleases").key(name);
        super::labels::check_labels(c, &release.labels, &path.key("labels"));
        check_chart(c, app, name, release, &path);
        check_post_renderers(c, name, release, &path.key("postRenderers"));
        for (i, from) in release.values_from.iter().enumerate() {
            let at = path.key("valuesFrom").index(i).key("name");
            let what = format!("HelmRelease `{name}`");
            if from.kind == "Secret" {
                super::secrets::check_secret_name(c, app, &from.name, at, &what);
            } else if !config_map_declared(app, &from.name) {
                c.push(
                    "unknown-configmap",
                    at,
                    Target::Value,
                    format!("{what} reads its values from ConfigMap `{}`, which the app does not declare", from.name),
                    "not one of the app's ConfigMaps",
                    suggest::hint(&from.name, app.config_maps.keys().map(String::as_str))
                        .or_else(|| Some("declare it under the app's `configMaps`, or `externalConfigMaps` when another tool makes it".into())),
                );
            }
        }
    }
    for (name, repo) in &app.oci_repositories {
        let path = base.key("ociRepositories").key(name);
        super::labels::check_labels(c, &repo.labels, &path.key("labels"));
        if let Some(secret) = &repo.secret_ref {
            let what = format!("OCIRepository `{name}`");
            super::secrets::check_secret_name(
                c,
                app,
                &secret.name,
                path.key("secretRef").key("name"),
                &what,
            );
        }
    }
    for (name, repo) in &app.helm_repositories {
        let path = base.key("helmRepositories").key(name);
        super::labels::check_labels(c, &repo.labels, &path.key("labels"));
        if let Some(secret) = &repo.secret_ref {
            let what = format!("HelmRepository `{name}`");
            super::secrets::check_secret_name(
                c,
                app,
                &secret.name,
                path.key("secretRef").key("name"),
                &what,
            );
        }
        let oci_url = repo.url.starts_with("oci://");
        if oci_url != (repo.kind.as_deref() == Some("oci")) {
            let (at, message, hint) = if oci_url {
                (path.key("url"), format!("HelmRepository `{name}` has an `oci://` URL, and Flux reads it as an HTTP index without `type: oci`"), "add `type: oci`")
            } else {
                (
                    path.key("type"),
                    format!("HelmRepository `{name}` is `type: oci`, and its URL is not `oci://…`"),
                    "write the registry as `oci://…`, or leave `type` out for an HTTP repository",
                )
            };
            c.push(
                "flux-source",
                at,
                Target::Value,
                message,
                "URL and type disagree",
                Some(hint.into()),
            );
        }
    }
}

/// Each post-renderer changes something, and a JSON 6902 patch (a list
/// of operations) names its target: Flux applies it to nothing else.
fn check_post_renderers(c: &mut Checker<'_>, name: &str, release: &HelmRelease, path: &FieldPath) {
    for (i, renderer) in release.post_renderers.iter().enumerate() {
        let at = path.index(i).key("kustomize");
        let k = &renderer.kustomize;
        if k.patches.is_empty() && k.images.is_empty() {
            c.push(
                "flux-post-renderer",
                at.clone(),
                Target::Key,
                format!("post-renderer {i} of HelmRelease `{name}` changes nothing"),
                "`patches` or `images`",
                Some("add a patch or an image, or remove the post-renderer".into()),
            );
        }
        for (j, patch) in k.patches.iter().enumerate() {
            let text = patch.patch.trim_start();
            let operations = text.starts_with('-') || text.starts_with('[');
            if text.is_empty() {
                c.push(
                    "flux-post-renderer",
                    at.key("patches").index(j).key("patch"),
                    Target::Value,
                    format!("patch {j} of HelmRelease `{name}`'s post-renderer is empty"),
                    "a strategic merge patch or JSON 6902 operations",
                    Some("write the patch, or remove it".into()),
                );
            } else if operations && patch.target.is_none() {
                c.push(
                    "flux-post-renderer",
                    at.key("patches").index(j),
                    Target::Key,
                    format!("patch {j} of HelmRelease `{name}`'s post-renderer is a list of JSON 6902 operations, and names no `target`: Flux would patch nothing"),
                    "a `target`",
                    Some("add `target: {kind: Deployment, name: …}` for the objects it changes".into()),
                );
            }
        }
    }
}

fn config_map_declared(app: &App, name: &str) -> bool {
    app.config_maps.contains_key(name)
        || app.external_config_maps.contains_key(name)
        || app.makes(crate::app::Made::ConfigMap, name)
}

/// A release's chart: one way, of a kind that holds charts, from a source
/// the app has (when in its namespace).
fn check_chart(
    c: &mut Checker<'_>,
    app: &App,
    name: &str,
    release: &HelmRelease,
    path: &FieldPath,
) {
    let source = match (&release.chart_ref, &release.chart) {
        (Some(r), None) => Some((
            r,
            path.key("chartRef"),
            ["OCIRepository", "HelmChart"].as_slice(),
        )),
        (None, Some(chart)) => Some((
            &chart.spec.source_ref,
            path.key("chart").key("spec").key("sourceRef"),
            ["HelmRepository", "GitRepository", "Bucket"].as_slice(),
        )),
        (both, _) => {
            let (at, message) = if both.is_some() {
                (
                    path.key("chart"),
                    format!(
                        "HelmRelease `{name}` names its chart twice, by `chartRef` and by `chart`"
                    ),
                )
            } else {
                (path.clone(), format!("HelmRelease `{name}` names no chart"))
            };
            c.push(
                "flux-chart",
                at,
                Target::Key,
                message,
                "expected one of `chartRef` and `chart`",
                Some("give `chartRef: {kind: OCIRepository, name: …}`, or `chart: {spec: {chart, version, sourceRef}}`".into()),
            );
            None
        }
    };
    let Some((source, at, kinds)) = source else {
        return;
    };
    if !kinds.contains(&source.kind.as_str()) {
        c.push(
            "flux-chart",
            at.key("kind"),
            Target::Value,
            format!("HelmRelease `{name}` takes its chart from a {}, which does not hold charts this way", source.kind),
            "not a source of charts here",
            Some(format!("here the source is one of: {}", kinds.join(", "))),
        );
        return;
    }
    check_source(c, app, name, source, at);
}

/// A source of the app's namespace is one of the app's (or one a raw
/// manifest of it makes).
fn check_source(c: &mut Checker<'_>, app: &App, name: &str, source: &SourceRef, at: FieldPath) {
    if source.namespace.is_some() {
        return;
    }
    let (field, declared): (&str, Vec<&String>) = match source.kind.as_str() {
        "OCIRepository" => ("ociRepositories", app.oci_repositories.keys().collect()),
        "HelmRepository" => ("helmRepositories", app.helm_repositories.keys().collect()),
        // Sources cfggen has no typed form of: only raw ones are known.
        _ => ("manifests", Vec::new()),
    };
    let raw = app.raw_of_kind(&source.kind).any(|o| {
        o.pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            == Some(source.name.as_str())
    });
    if declared.iter().any(|d| **d == source.name) || raw {
        return;
    }
    c.warn(
        "flux-source",
        at.key("name"),
        Target::Value,
        format!("HelmRelease `{name}` takes its chart from {} `{}`, which the app does not hold: Flux waits until one of the namespace exists", source.kind, source.name),
        "not one of the app's sources",
        suggest::hint(&source.name, declared.iter().map(|d| d.as_str()))
            .or_else(|| Some(format!("declare it under the app's `{field}`, or give its `namespace` when it is shared from another"))),
    );
}
