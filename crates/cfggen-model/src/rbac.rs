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
    /// Permissions in other namespaces, by namespace (Prometheus reading
    /// the endpoints of `kube-system`): in each, a Role and a RoleBinding
    /// named after the account, bound to the account of the app's
    /// namespace.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub rules_in: IndexMap<String, Vec<PolicyRule>>,
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

/// A Role of the app's namespace (`roles`) or a ClusterRole
/// (`clusterRoles`) of its own name, with the bindings that grant it, for
/// permissions that are not one account's (`serviceAccounts.<a>.rules`
/// covers those).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Role {
    /// What the role allows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<PolicyRule>,
    /// ClusterRoles only: the rules of the ClusterRoles these selectors
    /// pick, gathered by Kubernetes (then `rules` stays empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation_rule: Option<k8s_openapi::api::rbac::v1::AggregationRule>,
    /// The RoleBindings (ClusterRoleBindings) that grant it, by their
    /// names: each to its subjects.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::RBAC_NAME}))]
    pub bindings: IndexMap<String, Binding>,
    /// Labels of the role, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the role.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A binding of a role to its subjects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// Who gets the role: service accounts (`{kind: ServiceAccount, name:
    /// web}`, of the app's namespace when it names none), users and
    /// groups (`{kind: Group, name: admins, apiGroup:
    /// rbac.authorization.k8s.io}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<k8s_openapi::api::rbac::v1::Subject>,
    /// Labels of the binding, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the binding.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A binding of a role made elsewhere (`roleBindings` in the app's
/// namespace, `clusterRoleBindings` cluster-wide): Kubernetes' own
/// ClusterRoles (`view`, `cluster-admin`), a chart's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleBinding {
    /// The role it grants.
    pub role_ref: RoleRef,
    /// Who gets it.
    #[serde(flatten)]
    pub binding: Binding,
}

/// A role by kind and name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRef {
    /// `ClusterRole`, or (in `roleBindings`) `Role`.
    pub kind: RoleKind,
    /// Its name.
    #[schemars(regex(pattern = names::RBAC_NAME))]
    pub name: String,
}

/// The kind of a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RoleKind {
    /// A Role of the namespace.
    Role,
    /// A ClusterRole.
    ClusterRole,
}

impl RoleKind {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}
