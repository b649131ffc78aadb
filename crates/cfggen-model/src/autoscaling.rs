//! A component's HorizontalPodAutoscaler: how many pods, between which
//! bounds, on which metrics. The autoscaler owns the pod count, so the
//! workload is rendered without one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// An `autoscaling/v2` HorizontalPodAutoscaler of the component's
/// Deployment or StatefulSet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscaling {
    /// Its name; the workload's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
    /// The fewest pods; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min_replicas: Option<u32>,
    /// The most pods.
    #[schemars(range(min = 1))]
    pub max_replicas: u32,
    /// What it scales on (Kubernetes `MetricSpec`s); Kubernetes scales on
    /// CPU at 80 % of the request when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<k8s_openapi::api::autoscaling::v2::MetricSpec>,
    /// How fast it scales up and down (Kubernetes
    /// `HorizontalPodAutoscalerBehavior`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior>,
}

impl Autoscaling {
    /// The fewest pods.
    pub fn min(&self) -> u32 {
        self.min_replicas.unwrap_or(1)
    }

    /// The resources (`cpu`, `memory`) it scales on as a share of the
    /// pods' requests.
    pub fn utilization_resources(&self) -> Vec<&str> {
        self.metrics
            .iter()
            .filter_map(|m| m.resource.as_ref())
            .filter(|r| r.target.type_ == "Utilization")
            .map(|r| r.name.as_str())
            .collect()
    }
}
