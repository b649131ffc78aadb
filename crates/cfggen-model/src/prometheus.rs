//! Prometheus servers the Prometheus operator runs (`prometheuses`): a
//! `monitoring.coreos.com/v1` `Prometheus` of the app, by name. Its fields
//! are the operator's: which monitors and rules it picks up, where it
//! sends alerts, how its pods run (Kubernetes' own types for resources,
//! security context, tolerations and affinity). What this does not name
//! (remote write, storage, Thanos, …) keeps the object raw.

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A Prometheus, by name (`prometheuses.<name>`). A selector left out
/// picks up nothing of its kind; `{}` picks up everything (the
/// operator's rule), so the two are written apart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "version": "v3.5.0",
    "replicas": 2,
    "serviceAccountName": "prometheus",
    "serviceMonitorSelector": {"matchLabels": {"release": "prometheus"}},
    "serviceMonitorNamespaceSelector": {},
    "retention": "15d",
    "resources": {"requests": {"memory": "400Mi"}}
}]))]
pub struct Prometheus {
    /// The Prometheus version the operator runs (`v3.5.0`); the
    /// operator's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The image, when not the operator's for `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// How many servers run (each scrapes every target); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// The service account the servers run as: one of the app's, or one
    /// it declares `existing`. It needs to list and watch the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub service_account_name: Option<String>,
    /// The ServiceMonitors it picks up, by their labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_monitor_selector: Option<LabelSelector>,
    /// The namespaces it picks up ServiceMonitors in; its own when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_monitor_namespace_selector: Option<LabelSelector>,
    /// The PodMonitors it picks up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_monitor_selector: Option<LabelSelector>,
    /// The namespaces it picks up PodMonitors in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_monitor_namespace_selector: Option<LabelSelector>,
    /// The Probes it picks up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_selector: Option<LabelSelector>,
    /// The namespaces it picks up Probes in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_namespace_selector: Option<LabelSelector>,
    /// The ScrapeConfigs it picks up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrape_config_selector: Option<LabelSelector>,
    /// The namespaces it picks up ScrapeConfigs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrape_config_namespace_selector: Option<LabelSelector>,
    /// The PrometheusRules it loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_selector: Option<LabelSelector>,
    /// The namespaces it loads PrometheusRules from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_namespace_selector: Option<LabelSelector>,
    /// Where alerts go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerting: Option<Alerting>,
    /// How long samples are kept (`15d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
    ))]
    pub retention: Option<String>,
    /// How many bytes of samples are kept at most (`50GB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "(^0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$"))]
    pub retention_size: Option<String>,
    /// Labels added to every series and alert leaving the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_labels: Option<IndexMap<String, String>>,
    /// The URL the server is reached at from outside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    /// Feature flags (`--enable-feature`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_features: Option<Vec<String>>,
    /// How Services' targets are found: `Endpoints` or `EndpointSlice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_discovery_role: Option<DiscoveryRole>,
    /// `debug`, `info`, `warn` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["", "debug", "info", "warn", "error"]))]
    pub log_level: Option<String>,
    /// Requests and limits of the server container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<k8s_openapi::api::core::v1::ResourceRequirements>,
    /// Nodes the servers may run on, by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<IndexMap<String, String>>,
    /// The pods' security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<crate::pod::PodSecurityContext>,
    /// Taints the servers tolerate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<crate::pod::Toleration>>,
    /// Where the servers run, against each other and nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<crate::pod::Affinity>,
    /// Priority class of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Labels and annotations of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<PodMetadata>,
    /// Labels of the Prometheus, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Prometheus.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// How Prometheus finds a Service's targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum DiscoveryRole {
    Endpoints,
    EndpointSlice,
}

/// Where a Prometheus sends alerts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alerting {
    /// The Alertmanagers, each by its Service.
    #[schemars(length(min = 1))]
    pub alertmanagers: Vec<AlertmanagerEndpoint>,
}

/// An Alertmanager a Prometheus sends alerts to: its Service and port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertmanagerEndpoint {
    /// The Service's namespace; the Prometheus's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// The Service.
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub name: String,
    /// Its port, by name or number.
    pub port: k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
    /// The Alertmanager API version: `v2` (the default; `v1` is gone
    /// from Alertmanager 0.27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["v1", "V1", "v2", "V2"]))]
    pub api_version: Option<String>,
    /// The path prefix of its API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// `http` (the default) or `https`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["http", "https", "HTTP", "HTTPS"]))]
    pub scheme: Option<String>,
}

/// Labels and annotations of a Prometheus's pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodMetadata {
    /// Labels of the pods.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the pods.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl Prometheus {
    /// Whether the servers' pods of the Prometheus `name` carry every
    /// label of `wanted`: those the operator gives them
    /// (`app.kubernetes.io/name: prometheus`, `…/instance`,
    /// `operator.prometheus.io/name` and `prometheus`: the name) and
    /// `podMetadata`'s.
    pub fn pods_selected_by(&self, name: &str, wanted: &IndexMap<String, String>) -> bool {
        let own = |k: &str| -> Option<&str> {
            match k {
                "app.kubernetes.io/name" => Some("prometheus"),
                "app.kubernetes.io/managed-by" => Some("prometheus-operator"),
                "app.kubernetes.io/instance" | "operator.prometheus.io/name" | "prometheus" => {
                    Some(name)
                }
                _ => None,
            }
        };
        wanted.iter().all(|(k, v)| {
            let meta = self
                .pod_metadata
                .as_ref()
                .and_then(|m| m.labels.get(k))
                .map(String::as_str);
            meta.or_else(|| own(k)) == Some(v.as_str())
        })
    }

    /// Whether it picks up no monitor, probe or scrape config at all, and
    /// so scrapes nothing.
    pub fn selects_nothing(&self) -> bool {
        self.service_monitor_selector.is_none()
            && self.pod_monitor_selector.is_none()
            && self.probe_selector.is_none()
            && self.scrape_config_selector.is_none()
    }
}
