//! Grafana operator dashboards: a `grafana.integreatly.org/v1beta1`
//! GrafanaDashboard of the app, which the operator imports into the
//! Grafana instances its selector picks, from one source (the model's
//! JSON, a URL, a key of one of the app's ConfigMaps, or grafana.com).

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A dashboard (the operator's `GrafanaDashboardSpec`, but for content
/// from OCI images, Jsonnet, gzipped JSON and plugins, and the public
/// sharing and URL authorization settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrafanaDashboard {
    /// The Grafana instances that import it, by their labels.
    pub instance_selector: LabelSelector,
    /// Whether instances of other namespaces may import it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_cross_namespace_import: Option<bool>,
    /// The folder, by title (or `folderUID`, or a GrafanaFolder by
    /// `folderRef`: one of the three).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// A GrafanaFolder of the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_ref: Option<String>,
    /// The folder, by UID.
    #[serde(default, rename = "folderUID", skip_serializing_if = "Option::is_none")]
    pub folder_uid: Option<String>,
    /// The dashboard model, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// Where the operator downloads the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^https?://.+$"))]
    pub url: Option<String>,
    /// A key of one of the app's ConfigMaps (or one made elsewhere) that
    /// holds the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<ConfigMapKey>,
    /// A dashboard of grafana.com, by ID and revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grafana_com: Option<GrafanaCom>,
    /// The data sources the model's inputs (`${DS_PROMETHEUS}`) stand for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasources: Vec<DatasourceInput>,
    /// How long a model fetched from a URL is kept (`24h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub content_cache_duration: Option<String>,
    /// How often the operator syncs it (`10m`, its default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub resync_period: Option<String>,
    /// The dashboard's UID, over the model's (at most 40 letters,
    /// digits, `-` and `_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[a-zA-Z0-9-_]{1,40}$"))]
    pub uid: Option<String>,
    /// Pauses syncing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Labels of the object, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the object.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl GrafanaDashboard {
    /// The sources of the model it sets, by field name.
    pub fn sources(&self) -> Vec<&'static str> {
        [
            ("json", self.json.is_some()),
            ("url", self.url.is_some()),
            ("configMapRef", self.config_map_ref.is_some()),
            ("grafanaCom", self.grafana_com.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// A key of a ConfigMap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapKey {
    /// The ConfigMap: one of the app's `configMaps` (its key, rendered
    /// under its hashed name) or `externalConfigMaps`.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: String,
    /// The key.
    pub key: String,
    /// Whether the operator goes on when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// A grafana.com dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrafanaCom {
    /// Its ID.
    pub id: u64,
    /// Its revision; the newest when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// An input of the model and the data source it stands for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DatasourceInput {
    /// The input's name in the model (`DS_PROMETHEUS`).
    pub input_name: String,
    /// The data source's name in Grafana.
    pub datasource_name: String,
}

/// A data source the Grafana operator adds to the Grafana instances it
/// selects (GrafanaDatasource).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "instanceSelector": {"matchLabels": {"dashboards": "grafana"}},
    "datasource": {"name": "Prometheus", "type": "prometheus", "access": "proxy", "url": "http://prometheus-operated.monitoring:9090", "isDefault": true}
}]))]
pub struct GrafanaDatasource {
    /// The Grafana instances that add it, by their labels.
    pub instance_selector: LabelSelector,
    /// Whether instances of other namespaces may add it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_cross_namespace_import: Option<bool>,
    /// How often the operator makes sure it is there (`10m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resync_period: Option<String>,
    /// The data source as Grafana's API takes it.
    pub datasource: Datasource,
    /// Labels of the GrafanaDatasource, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the GrafanaDatasource.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A Grafana data source. Credentials (`secureJsonData`) have no place
/// here: they come from a Secret through the operator's `valuesFrom`,
/// which keeps the data source raw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Datasource {
    /// Its name in Grafana.
    pub name: String,
    /// Its plugin: `prometheus`, `loki`, `alertmanager`, `tempo`, …
    #[serde(rename = "type")]
    #[schemars(extend("examples" = ["prometheus", "loki", "alertmanager"]))]
    pub kind: String,
    /// `proxy` (Grafana's server reaches it, the default) or `direct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["proxy", "direct"]))]
    pub access: Option<String>,
    /// Where it is: `http://…`, or `host:port` for a database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its unique ID in Grafana, which dashboards name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Whether it is the default data source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Whether people may edit it in Grafana.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editable: Option<bool>,
    /// The plugin's settings, as its documentation gives them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub json_data: IndexMap<String, serde_json::Value>,
}
