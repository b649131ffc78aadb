//! An app's NetworkPolicies: which traffic reaches its pods and leaves
//! them. The rules are the Kubernetes types themselves; the policy's
//! pod selector is checked against the app's pods.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kubernetes `NetworkPolicy` in the app's namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkPolicy {
    /// The pods it applies to (a Kubernetes `LabelSelector`); `{}`
    /// selects every pod of the namespace.
    pub pod_selector: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    /// `Ingress`, `Egress` or both; Kubernetes decides from the rules
    /// when absent (`Ingress` always, `Egress` when there are egress
    /// rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_types: Vec<PolicyType>,
    /// Traffic allowed in (Kubernetes `NetworkPolicyIngressRule`s); with
    /// `Ingress` among the types and no rule, none is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<k8s_openapi::api::networking::v1::NetworkPolicyIngressRule>,
    /// Traffic allowed out (Kubernetes `NetworkPolicyEgressRule`s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<k8s_openapi::api::networking::v1::NetworkPolicyEgressRule>,
    /// Labels of the policy, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the policy.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The direction a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PolicyType {
    /// Traffic to the selected pods.
    Ingress,
    /// Traffic from them.
    Egress,
}

impl PolicyType {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Ingress => "Ingress",
            PolicyType::Egress => "Egress",
        }
    }
}
