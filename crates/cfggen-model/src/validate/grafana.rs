//! Rules about an app's Grafana dashboards and data sources: what the operator's schema
//! takes but the operator cannot import (its CEL rules, which no schema
//! check runs, and what it finds only when it syncs).
//!
//! - A dashboard has one source of its model: `json`, `url`,
//!   `configMapRef` or `grafanaCom`; `json` is JSON text
//!   (`grafana-dashboard`).
//! - One folder setting of the three: `folder`, `folderRef`, `folderUID`
//!   (`grafana-dashboard`).
//! - `configMapRef` names one of the app's ConfigMaps (or one made
//!   elsewhere), and a key it has (`unknown-configmap`, `unknown-key`).
//! - A data source of a plugin that reaches a server says where
//!   (`grafana-datasource`).

use super::storage::{declared_keys, KeysOf};
use super::{Checker, Target};
use crate::app::App;
use crate::grafana::GrafanaDashboard;
use crate::{suggest, FieldPath};

/// Every data source of the app at `base`: one the operator can add (a
/// name, a plugin, a URL for those that reach a server), labels.
fn check_datasources(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (name, ds) in &app.grafana_datasources {
        let path = base.key("grafanaDatasources").key(name);
        super::labels::check_labels(c, &ds.labels, &path.key("labels"));
        if URL_PLUGINS.contains(&ds.datasource.kind.as_str()) && ds.datasource.url.is_none() {
            c.push(
                "grafana-datasource",
                path.key("datasource"),
                Target::Key,
                format!(
                    "data source `{name}` ({}) says nowhere where it is",
                    ds.datasource.kind
                ),
                "no `url`",
                Some("add `url: http://…`, the address Grafana's server reaches it at".into()),
            );
        }
    }
}

/// Data source plugins that reach a server of their own at `url` (those of
/// cloud APIs, and Grafana's own, need none).
const URL_PLUGINS: &[&str] = &[
    "prometheus",
    "loki",
    "alertmanager",
    "tempo",
    "jaeger",
    "zipkin",
    "elasticsearch",
    "opensearch",
    "influxdb",
    "graphite",
    "mysql",
    "postgres",
    "grafana-postgresql-datasource",
    "mssql",
    "pyroscope",
    "grafana-pyroscope-datasource",
    "parca",
];

/// Every dashboard and data source of the app at `base`.
pub(super) fn check_dashboards(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    check_datasources(c, app, base);
    for (name, dashboard) in &app.grafana_dashboards {
        let path = base.key("grafanaDashboards").key(name);
        super::labels::check_labels(c, &dashboard.labels, &path.key("labels"));
        check_source(c, name, dashboard, &path);
        check_folder(c, name, dashboard, &path);
        check_config_map(c, app, name, dashboard, &path);
    }
}

fn check_source(c: &mut Checker<'_>, name: &str, d: &GrafanaDashboard, path: &FieldPath) {
    let sources = d.sources();
    if sources.len() != 1 {
        let (at, target) = match sources.get(1) {
            Some(second) => (path.key(second), Target::Key),
            None => (path.clone(), Target::Key),
        };
        c.push(
            "grafana-dashboard",
            at,
            target,
            format!(
                "dashboard `{name}` has {} sources of its model{}; the operator imports one",
                sources.len(),
                if sources.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", sources.join(", "))
                }
            ),
            "expected one source",
            Some("give one of `json`, `url`, `configMapRef` or `grafanaCom`".into()),
        );
    }
    if let Some(json) = &d.json {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(json) {
            c.push(
                "grafana-dashboard",
                path.key("json"),
                Target::Value,
                format!("the model of dashboard `{name}` is not JSON: {e}"),
                "not JSON",
                Some("write the model exported from Grafana (Share → Export → JSON)".into()),
            );
        }
    }
}

fn check_folder(c: &mut Checker<'_>, name: &str, d: &GrafanaDashboard, path: &FieldPath) {
    let set: Vec<&str> = [
        ("folder", d.folder.is_some()),
        ("folderRef", d.folder_ref.is_some()),
        ("folderUID", d.folder_uid.is_some()),
    ]
    .into_iter()
    .filter_map(|(field, on)| on.then_some(field))
    .collect();
    if let [_, second, ..] = set.as_slice() {
        c.push(
            "grafana-dashboard",
            path.key(second),
            Target::Key,
            format!("dashboard `{name}` names its folder by {}; the operator takes one of them", set.join(" and ")),
            "a second folder setting",
            Some("keep one: a title (`folder`), a GrafanaFolder (`folderRef`) or a UID (`folderUID`)".into()),
        );
    }
}

fn check_config_map(
    c: &mut Checker<'_>,
    app: &App,
    name: &str,
    d: &GrafanaDashboard,
    path: &FieldPath,
) {
    let Some(r) = &d.config_map_ref else {
        return;
    };
    let rpath = path.key("configMapRef");
    let (_, keys) = declared_keys(app, &r.name, KeysOf::ConfigMap);
    let declared = app.config_maps.contains_key(&r.name)
        || app.external_config_maps.contains_key(&r.name)
        || app.makes(crate::app::Made::ConfigMap, &r.name);
    if !declared {
        c.push(
            "unknown-configmap",
            rpath.key("name"),
            Target::Value,
            format!("dashboard `{name}` reads ConfigMap `{}`, which the app does not declare", r.name),
            "not one of the app's ConfigMaps",
            suggest::hint(&r.name, app.config_maps.keys().map(String::as_str))
                .or_else(|| Some("declare it under the app's `configMaps`, or `externalConfigMaps` when another tool makes it".into())),
        );
        return;
    }
    if let Some(keys) = keys.filter(|k| !k.contains(&r.key.as_str())) {
        c.push(
            "unknown-key",
            rpath.key("key"),
            Target::Value,
            format!("ConfigMap `{}` has no key `{}`", r.name, r.key),
            "not a key of the ConfigMap",
            suggest::hint(&r.key, keys.iter().copied()),
        );
    }
}
