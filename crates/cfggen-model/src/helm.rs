//! Apps that are installs of an upstream Helm chart. cfggen does not run
//! Helm: it renders the Argo CD Application with the chart as its source
//! (and the app's own objects — secrets, ConfigMaps, manifests — as a
//! second source), and Argo CD renders the chart.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An exact chart version (no range).
pub const CHART_VERSION: &str = "^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$";

/// A Helm chart and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmChart {
    /// The chart repository: `https://…`, or `oci://…` for an OCI registry.
    #[serde(rename = "repoURL")]
    #[schemars(regex(pattern = "^(https://|oci://)"), extend("examples" = ["https://kubernetes.github.io/ingress-nginx"]))]
    pub repo_url: String,
    /// The chart's name.
    #[schemars(extend("examples" = ["ingress-nginx"]))]
    pub chart: String,
    /// The chart's version: an exact version, so a sync installs what was
    /// reviewed.
    #[schemars(regex(pattern = CHART_VERSION), extend("examples" = ["4.12.1"]))]
    pub version: String,
    /// The Helm release name; the app's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Values, inline (over those of `valuesFile`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"controller": {"replicaCount": 2}}]))]
    pub values: IndexMap<String, serde_json::Value>,
    /// A values file of the repository, by its path from the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["environments/files/ingress-nginx/values.yaml"]))]
    pub values_file: Option<String>,
    /// The contents of `valuesFile`, as the loader read it (not part of
    /// the file format).
    #[serde(skip)]
    #[schemars(skip)]
    pub values_text: Option<String>,
}
