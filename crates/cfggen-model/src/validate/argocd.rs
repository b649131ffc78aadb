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
