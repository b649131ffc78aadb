//! Argo CD AppProjects (`argocd.projects`): what the Applications of a
//! project may deploy, from where, and where to.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An AppProject, by name: the repositories its Applications take
/// manifests from, where they deploy, and the kinds they may make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "sourceRepos": ["https://git.example.com/platform/gitops.git"],
    "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "*"}],
    "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]
}]))]
pub struct AppProject {
    /// What the project is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The repositories its Applications may take manifests from (`*`
    /// for any).
    #[schemars(length(min = 1))]
    pub source_repos: Vec<String>,
    /// The clusters and namespaces its Applications may deploy to.
    #[schemars(length(min = 1))]
    pub destinations: Vec<ProjectDestination>,
    /// The cluster-scoped kinds its Applications may make; none when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// The namespaced kinds its Applications may make; any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_whitelist: Vec<GroupKind>,
    /// The namespaced kinds its Applications may not make.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_blacklist: Vec<GroupKind>,
    /// The namespaces outside Argo CD's own whose Applications may use
    /// the project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_namespaces: Vec<String>,
    /// Labels of the AppProject, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the AppProject.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Where an AppProject's Applications may deploy: a cluster, by its API
/// server or its name in Argo CD, and a namespace (`*` for any).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProjectDestination {
    /// The cluster's API server (`*` for any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The cluster's name in Argo CD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace (`*` for any; a pattern such as `team-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A Kubernetes kind and its API group (`""` for the core group, `*`
/// for any).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupKind {
    /// The API group.
    pub group: String,
    /// The kind.
    pub kind: String,
}
