//! An app's Prometheus operator ServiceMonitors and PodMonitors, in its
//! folder, with the Services and workloads they scrape.

use cfggen_model::monitor::{Endpoint, NamespaceSelector};
use cfggen_model::App;
use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Serialize;

use crate::custom::{resource, Custom};
use crate::{waves, Output, RenderError};

/// The spec of a `monitoring.coreos.com/v1` monitor, as the operator
/// reads it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    selector: &'a LabelSelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_selector: Option<&'a NamespaceSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoints: Option<&'a [Endpoint]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_metrics_endpoints: Option<&'a [Endpoint]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_label: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    target_labels: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pod_target_labels: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    sample_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_limit: Option<u64>,
}

/// One ServiceMonitor per entry of the app's `serviceMonitors`, one
/// PodMonitor per entry of its `podMonitors`: their own labels under the
/// app's (cfggen's win), their annotations.
pub(crate) fn monitors(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let mut put =
        |kind: &'static str,
         mname: &str,
         namespace: Option<&str>,
         (labels, annotations): (&IndexMap<String, String>, &IndexMap<String, String>),
         spec: Spec<'_>| {
            let custom = Custom {
                kind: ("monitoring.coreos.com/v1", kind),
                name: mname,
                labels,
                annotations,
                wave: waves::WORKLOADS,
                cluster_wide: false,
                namespace,
            };
            resource(out, name, app, custom, &spec)
        };
    for (mname, m) in &app.service_monitors {
        let spec = Spec {
            selector: &m.selector,
            namespace_selector: m.namespace_selector.as_ref(),
            endpoints: Some(&m.endpoints),
            pod_metrics_endpoints: None,
            job_label: m.job_label.as_deref(),
            target_labels: &m.target_labels,
            pod_target_labels: &m.pod_target_labels,
            sample_limit: m.sample_limit,
            target_limit: m.target_limit,
        };
        let meta = (&m.labels, &m.annotations);
        put("ServiceMonitor", mname, m.namespace.as_deref(), meta, spec)?;
    }
    for (mname, m) in &app.pod_monitors {
        let spec = Spec {
            selector: &m.selector,
            namespace_selector: m.namespace_selector.as_ref(),
            endpoints: None,
            pod_metrics_endpoints: Some(&m.pod_metrics_endpoints),
            job_label: m.job_label.as_deref(),
            target_labels: &[],
            pod_target_labels: &m.pod_target_labels,
            sample_limit: m.sample_limit,
            target_limit: m.target_limit,
        };
        let meta = (&m.labels, &m.annotations);
        put("PodMonitor", mname, m.namespace.as_deref(), meta, spec)?;
    }
    Ok(())
}

/// One GrafanaDashboard per entry of the app's `grafanaDashboards`, after
/// the ConfigMaps it may read (by their rendered, hashed names), and one
/// GrafanaDatasource per entry of its `grafanaDatasources`.
pub(crate) fn grafana_dashboards(
    out: &mut Output,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    for (dname, dashboard) in &app.grafana_dashboards {
        let custom = Custom {
            kind: ("grafana.integreatly.org/v1beta1", "GrafanaDashboard"),
            name: dname,
            labels: &dashboard.labels,
            annotations: &dashboard.annotations,
            wave: waves::WORKLOADS,
            cluster_wide: false,
            namespace: None,
        };
        let mut spec = cfggen_model::grafana::GrafanaDashboard {
            labels: Default::default(),
            annotations: Default::default(),
            ..dashboard.clone()
        };
        if let Some(r) = spec.config_map_ref.as_mut() {
            if let Some(cm) = app.config_maps.get(&r.name) {
                r.name = cfggen_model::app::config_map_name(&r.name, cm);
            }
        }
        resource(out, name, app, custom, &spec)?;
    }
    let datasource = ("grafana.integreatly.org/v1beta1", "GrafanaDatasource");
    let wave = (waves::WORKLOADS, false);
    crate::custom::each(out, name, app, datasource, wave, &app.grafana_datasources)
}

/// One `monitoring.coreos.com/v1` Prometheus per entry of the app's
/// `prometheuses`: the model's fields are the operator's spec.
pub(crate) fn prometheuses(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    crate::custom::each(
        out,
        name,
        app,
        ("monitoring.coreos.com/v1", "Prometheus"),
        (waves::WORKLOADS, false),
        &app.prometheuses,
    )
}
