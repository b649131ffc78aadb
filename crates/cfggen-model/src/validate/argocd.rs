//! Rules about how Argo CD deploys an app: the cluster it names exists,
//! prune and self-heal go with automated sync, an ignored difference says
//! what to ignore.

use super::{Checker, Target};
use crate::argocd::{AppArgoCd, SyncSettings};
use crate::{suggest, FieldPath};

/// Prune and self-heal only apply to automated sync.
pub(super) fn check_sync(c: &mut Checker<'_>, sync: &SyncSettings, path: &FieldPath) {
    if sync.automated != Some(false) {
        return;
    }
    for (field, set) in [("prune", sync.prune), ("selfHeal", sync.self_heal)] {
        if set == Some(true) {
            c.push(
                "sync-policy",
                path.key(field),
                Target::Key,
                format!("`{field}` applies to automated sync, and this sync is manual (`automated: false`)"),
                "has no effect with manual sync",
                Some(format!("remove `{field}`, or set `automated: true`")),
            );
        }
    }
}

/// One app's `argocd` block.
pub(super) fn check_app_argocd(c: &mut Checker<'_>, argo: &AppArgoCd, path: &FieldPath) {
    check_sync(c, &argo.sync, &path.key("sync"));
    if let Some(cluster) = &argo.cluster {
        let env = c.env;
        if *cluster != env.cluster.name && !env.clusters.contains_key(cluster) {
            let known: Vec<&str> = std::iter::once(env.cluster.name.as_str())
                .chain(env.clusters.keys().map(String::as_str))
                .collect();
            c.push(
                "unknown-cluster",
                path.key("cluster"),
                Target::Value,
                format!("the app deploys to cluster `{cluster}`, which the environment does not declare"),
                "not one of the environment's clusters",
                suggest::hint(cluster, known)
                    .map(|h| format!("{h} (declare other clusters under `clusters: {{<name>: {{server: …}}}}`)")),
            );
        }
    }
    for (i, d) in argo.ignore_differences.iter().enumerate() {
        if d.json_pointers.is_empty()
            && d.jq_path_expressions.is_empty()
            && d.managed_fields_managers.is_empty()
        {
            c.push(
                "ignore-differences",
                path.key("ignoreDifferences").index(i),
                Target::Key,
                format!(
                    "the ignored difference of {} names no field to ignore",
                    d.kind
                ),
                "nothing to ignore",
                Some("add `jsonPointers: [/spec/replicas]`, say, or `jqPathExpressions`".into()),
            );
        }
    }
}

/// The environment's AppProjects: labels, and roles and sync windows as
/// Argo CD reads them.
pub(super) fn check_projects(
    c: &mut Checker<'_>,
    projects: &indexmap::IndexMap<String, crate::project::AppProject>,
) {
    for (name, project) in projects {
        let path = FieldPath::of(&["argocd", "projects", name]);
        super::labels::check_labels(c, &project.labels, &path.key("labels"));
        check_roles(c, name, &project.roles, &path.key("roles"));
        for (i, window) in project.sync_windows.iter().enumerate() {
            if let Some(why) = crate::workload::schedule_error(&window.schedule) {
                c.push(
                    "sync-window",
                    path.key("syncWindows").index(i).key("schedule"),
                    Target::Value,
                    format!(
                        "`{}`, a sync window of project `{name}`, is not a schedule: {why}",
                        window.schedule
                    ),
                    "not a cron schedule",
                    Some("write five cron fields, such as `0 22 * * *`".into()),
                );
            }
            if window.applications.is_empty()
                && window.namespaces.is_empty()
                && window.clusters.is_empty()
            {
                c.push(
                    "sync-window",
                    path.key("syncWindows").index(i),
                    Target::Key,
                    format!("a sync window of project `{name}` names no Applications, namespaces or clusters, so it applies to none"),
                    "applies to nothing",
                    Some("add `applications: ['*']` for every Application of the project".into()),
                );
            }
        }
    }
}

/// A project's roles: one of each name, and each policy line one Argo CD
/// applies to the role.
fn check_roles(
    c: &mut Checker<'_>,
    project: &str,
    roles: &[crate::project::ProjectRole],
    path: &FieldPath,
) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, role) in roles.iter().enumerate() {
        let rpath = path.index(i);
        if !seen.insert(role.name.as_str()) {
            c.push(
                "project-role",
                rpath.key("name"),
                Target::Value,
                format!("project `{project}` has two roles named `{}`", role.name),
                "a second role of this name",
                Some("merge their policies and groups into one role".into()),
            );
        }
        for (j, policy) in role.policies.iter().enumerate() {
            let ppath = rpath.key("policies").index(j);
            if let Some(why) = crate::project::policy_error(project, &role.name, policy) {
                c.push(
                    "project-role",
                    ppath,
                    Target::Value,
                    format!("policy `{policy}` of role `{}` of project `{project}`: {why}", role.name),
                    "not a policy Argo CD applies to this role",
                    Some(format!(
                        "write `p, proj:{project}:{}, applications, <action>, {project}/<app or *>, allow`",
                        role.name
                    )),
                );
            } else if !crate::project::policy_object_is_own(project, policy) {
                c.warn(
                    "project-role",
                    ppath,
                    Target::Value,
                    format!(
                        "policy `{policy}` of role `{}` of project `{project}` grants an object outside `{project}/…`: Argo CD's API refuses to save a project so (an edit in its UI or CLI fails), though Kubernetes takes it",
                        role.name
                    ),
                    "object not of the form `<project>/…`",
                    Some(format!("write the object as `{project}/*` (every Application of the project) or `{project}/<app>`")),
                );
            }
        }
    }
}
