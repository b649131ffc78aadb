//! Pod settings of a component: service account, pod security context,
//! scheduling (node selector, tolerations, affinity, spread), runtime and
//! priority classes, host namespaces, DNS, image pull secrets, and the
//! pod's own labels and annotations. The long-tail Kubernetes types are
//! embedded as they are, with their JSON Schemas.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// The Kubernetes pod security context (`runAsNonRoot`, `runAsUser`,
/// `fsGroup`, `seccompProfile`, …).
pub type PodSecurityContext = k8s_openapi::api::core::v1::PodSecurityContext;
/// A Kubernetes toleration.
pub type Toleration = k8s_openapi::api::core::v1::Toleration;
/// Kubernetes affinity (node, pod, pod anti-affinity).
pub type Affinity = k8s_openapi::api::core::v1::Affinity;
/// A Kubernetes topology spread constraint.
pub type TopologySpreadConstraint = k8s_openapi::api::core::v1::TopologySpreadConstraint;

/// Settings of a component's pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodSettings {
    /// The service account the pods run as: one of the app's
    /// `serviceAccounts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub service_account: Option<String>,
    /// Whether the account's API token is mounted into the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// The pod security context (Kubernetes `PodSecurityContext`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Box<PodSecurityContext>>,
    /// Run only on nodes with these labels.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"kubernetes.io/arch": "amd64"}]))]
    pub node_selector: IndexMap<String, String>,
    /// Taints the pods tolerate (Kubernetes `Toleration`s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Node and pod (anti-)affinity (Kubernetes `Affinity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Box<Affinity>>,
    /// How the pods spread over zones and nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// The RuntimeClass, e.g. `nvidia`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub runtime_class_name: Option<String>,
    /// The PriorityClass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub priority_class_name: Option<String>,
    /// Use the node's network namespace.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub host_network: bool,
    /// Use the node's process namespace.
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        rename = "hostPID"
    )]
    pub host_pid: bool,
    /// Use the node's IPC namespace.
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        rename = "hostIPC"
    )]
    pub host_ipc: bool,
    /// How the pods resolve names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<DnsPolicy>,
    /// Whether the containers get an environment variable for every
    /// Service of the namespace (Kubernetes' default); `false` keeps
    /// their environment to what they declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    /// Seconds the pods get to stop before they are killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<u32>,
    /// Secrets (of the app's `secrets`, of `type: dockerconfigjson`) that
    /// hold registry credentials for pulling the images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<String>,
    /// Extra labels on the pods (not on the selector).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations on the pods.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl PodSettings {
    /// Nothing set.
    pub fn is_empty(&self) -> bool {
        *self == PodSettings::default()
    }
}

/// How a pod resolves names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum DnsPolicy {
    ClusterFirst,
    ClusterFirstWithHostNet,
    Default,
    None,
}

impl DnsPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsPolicy::ClusterFirst => "ClusterFirst",
            DnsPolicy::ClusterFirstWithHostNet => "ClusterFirstWithHostNet",
            DnsPolicy::Default => "Default",
            DnsPolicy::None => "None",
        }
    }
}
