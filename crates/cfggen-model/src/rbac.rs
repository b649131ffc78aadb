//! Service accounts and their RBAC rules: a ServiceAccount per entry of an
//! app's `serviceAccounts`, with a Role and RoleBinding for its namespaced
//! `rules`, a ClusterRole and ClusterRoleBinding for its `clusterRules`,
//! and ClusterRoleBindings to existing ClusterRoles.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A service account of an app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceAccount {
    /// The account exists already (made by someone else): cfggen renders
    /// neither it nor its bindings, and only checks that pods name a
    /// declared account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub existing: bool,
    /// Labels of the ServiceAccount and of its Role, ClusterRole and
    /// bindings, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// The name of the ClusterRole of `clusterRules` and of its binding;
    /// `<namespace>-<account>` when absent. Set it to keep the name of a
    /// ClusterRole that already exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub cluster_role_name: Option<String>,
    /// Whether pods get the account's API token mounted by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_token: Option<bool>,
    /// Permissions in the app's namespace (a Role and its RoleBinding).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<PolicyRule>,
    /// Permissions across the cluster (a ClusterRole and its
    /// ClusterRoleBinding).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_rules: Vec<PolicyRule>,
    /// Existing ClusterRoles to bind the account to cluster-wide, e.g. `view`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cluster_roles: Vec<String>,
}

/// One RBAC rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyRule {
    /// API groups: `""` for the core group, `apps`, `batch`, …; the core
    /// group when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["", "apps"]]))]
    pub api_groups: Vec<String>,
    /// Resources, e.g. `pods`, `pods/log`, `deployments`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["pods", "pods/log"]]))]
    pub resources: Vec<String>,
    /// Only these objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// URLs such as `/metrics` (only in `clusterRules`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
    /// What the rule allows.
    pub verbs: Vec<Verb>,
}

/// An RBAC verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Verb {
    Get,
    List,
    Watch,
    Create,
    Update,
    Patch,
    Delete,
    Deletecollection,
    Impersonate,
    Bind,
    Escalate,
    Use,
    Approve,
    Sign,
    #[serde(rename = "*")]
    All,
}

impl Verb {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::Deletecollection => "deletecollection",
            Verb::Impersonate => "impersonate",
            Verb::Bind => "bind",
            Verb::Escalate => "escalate",
            Verb::Use => "use",
            Verb::Approve => "approve",
            Verb::Sign => "sign",
            Verb::All => "*",
        }
    }
}

/// The default name of an account's ClusterRole (and its binding):
/// cluster-wide, so the namespace keeps two apps' accounts apart.
pub fn cluster_role_name(namespace: &str, account: &str) -> String {
    format!("{namespace}-{account}")
}

impl ServiceAccount {
    /// The name of the account's ClusterRole and its binding: declared, or
    /// `<namespace>-<account>`.
    pub fn own_cluster_role(&self, namespace: &str, account: &str) -> String {
        self.cluster_role_name
            .clone()
            .unwrap_or_else(|| cluster_role_name(namespace, account))
    }
}
