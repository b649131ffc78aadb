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
    /// Roles of the project: who may do what to its Applications, by
    /// Casbin policy lines and the SSO groups bound to each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<ProjectRole>,
    /// When the project's Applications may (`allow`) or may not (`deny`)
    /// sync.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_windows: Vec<SyncWindow>,
    /// Whether Argo CD reports objects in the project's namespaces that no
    /// Application makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_resources: Option<OrphanedResources>,
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

/// A role of an AppProject (`spec.roles[]`). Tokens Argo CD issues for it
/// (`jwtTokens`) are Argo CD's state, not configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "name": "ci",
    "policies": ["p, proj:platform:ci, applications, sync, platform/*, allow"],
    "groups": ["platform-team"]
}]))]
pub struct ProjectRole {
    /// The role's name: policies name it as `proj:<project>:<role>`.
    #[schemars(regex(pattern = r"^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$"))]
    pub name: String,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Casbin policy lines, `p, proj:<project>:<role>, <resource>,
    /// <action>, <project>/<object>, allow|deny`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    /// The SSO groups (or OIDC claims) bound to the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// A sync window of an AppProject (`spec.syncWindows[]`): from each time
/// the cron `schedule` fires, for `duration`, the Applications it
/// matches may (`allow`) or may not (`deny`) sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "kind": "deny", "schedule": "0 22 * * *", "duration": "8h", "applications": ["*"]
}]))]
pub struct SyncWindow {
    /// `allow` or `deny`.
    pub kind: WindowKind,
    /// When the window opens: a cron expression.
    #[schemars(extend("examples" = ["0 22 * * *"]))]
    pub schedule: String,
    /// How long it stays open: a duration such as `1h` or `1h30m`.
    #[schemars(regex(pattern = crate::names::DURATION))]
    pub duration: String,
    /// The Applications it applies to, by name (`*` and globs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
    /// The destination namespaces it applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// The destination clusters it applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Whether a manual sync may still run while a `deny` window is
    /// open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_sync: Option<bool>,
    /// The time zone of the schedule (`Europe/Paris`); UTC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether an Application must match all of `applications`,
    /// `namespaces` and `clusters` (else any one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub and_operator: Option<bool>,
    /// What the window is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Whether a sync window lets syncs run or stops them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    /// Syncs may run while it is open (and, with any allow window, only
    /// then).
    Allow,
    /// Syncs may not run while it is open.
    Deny,
}

/// Orphaned-object monitoring of an AppProject
/// (`spec.orphanedResources`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrphanedResources {
    /// Whether Argo CD warns on each Application that has orphaned
    /// objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<bool>,
    /// Objects not reported as orphaned (by group, kind and name; each
    /// may be a glob).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<OrphanedIgnore>,
}

/// Objects orphaned-object monitoring leaves out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrphanedIgnore {
    /// The API group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The object's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What is wrong with policy line `policy` of role `role` of project
/// `project`, as Argo CD checks it: its form, subject, resource, action,
/// object and effect.
pub fn policy_error(project: &str, role: &str, policy: &str) -> Option<String> {
    let parts: Vec<&str> = policy.split(',').map(str::trim).collect();
    let [p, subject, resource, action, object, effect] = parts.as_slice() else {
        return Some(
            "not of the form `p, <subject>, <resource>, <action>, <object>, <effect>`".into(),
        );
    };
    let expected = format!("proj:{project}:{role}");
    if *p != "p" {
        return Some(format!("starts with `{p}`, not `p`"));
    }
    if *subject != expected {
        return Some(format!(
            "its subject is `{subject}`: a role's policy grants `{expected}`, and Argo CD ignores any other"
        ));
    }
    const RESOURCES: &[&str] = &[
        "applications",
        "applicationsets",
        "repositories",
        "clusters",
        "logs",
        "exec",
    ];
    if !RESOURCES.contains(resource) {
        return Some(format!(
            "resource `{resource}` is not one of {}",
            RESOURCES.join(", ")
        ));
    }
    const ACTIONS: &[&str] = &["get", "create", "update", "delete", "sync", "override", "*"];
    if !(ACTIONS.contains(action)
        || action.starts_with("action/")
        || action.starts_with("update/")
        || action.starts_with("delete/"))
    {
        return Some(format!(
            "action `{action}` is not one of {} or `action/<group>/<kind>/<name>`",
            ACTIONS.join(", ")
        ));
    }
    if !matches!(*effect, "allow" | "deny") {
        return Some(format!("effect `{effect}` is neither `allow` nor `deny`"));
    }
    let _ = object;
    None
}

/// Whether the object of a valid policy line is of the project's own
/// (`<project>/…`), the form Argo CD's API requires to save the project.
pub fn policy_object_is_own(project: &str, policy: &str) -> bool {
    policy
        .split(',')
        .nth(4)
        .map(str::trim)
        .and_then(|o| o.strip_prefix(project)?.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty())
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
