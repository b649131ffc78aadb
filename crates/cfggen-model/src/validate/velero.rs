//! Rules about an app's Velero Schedules, as Velero itself refuses them:
//! a schedule cron reads, one way of selecting objects by label, and one
//! generation of resource filters.

use super::{Checker, Target};
use crate::velero::{schedule_error, VeleroSchedule};
use crate::FieldPath;

/// The schedule `name`.
pub(super) fn check_velero_schedule(
    c: &mut Checker<'_>,
    name: &str,
    schedule: &VeleroSchedule,
    path: &FieldPath,
) {
    if let Some(why) = schedule_error(&schedule.schedule) {
        c.push(
            "velero-schedule",
            path.key("schedule"),
            Target::Value,
            format!(
                "`{}` of Velero schedule `{name}` is not a schedule: {why}",
                schedule.schedule
            ),
            "not a cron schedule",
            Some("write five cron fields (`0 2 * * *`), a macro (`@daily`) or `@every 6h`".into()),
        );
    }
    let t = &schedule.template;
    let tpath = path.key("template");
    if t.label_selector.is_some() && !t.or_label_selectors.is_empty() {
        c.push(
            "velero-selectors",
            tpath.key("orLabelSelectors"),
            Target::Key,
            format!("Velero schedule `{name}` selects by `labelSelector` and by `orLabelSelectors`, and Velero takes only one"),
            "beside `labelSelector`",
            Some("move `labelSelector` into `orLabelSelectors` as one more entry, or drop one".into()),
        );
    }
    let old = [
        ("includedResources", !t.included_resources.is_empty()),
        ("excludedResources", !t.excluded_resources.is_empty()),
        (
            "includeClusterResources",
            t.include_cluster_resources.is_some(),
        ),
    ];
    let new = [
        (
            "includedClusterScopedResources",
            !t.included_cluster_scoped_resources.is_empty(),
        ),
        (
            "excludedClusterScopedResources",
            !t.excluded_cluster_scoped_resources.is_empty(),
        ),
        (
            "includedNamespaceScopedResources",
            !t.included_namespace_scoped_resources.is_empty(),
        ),
        (
            "excludedNamespaceScopedResources",
            !t.excluded_namespace_scoped_resources.is_empty(),
        ),
    ];
    let set =
        |filters: &[(&'static str, bool)]| filters.iter().find(|(_, on)| *on).map(|(f, _)| *f);
    if let (Some(old), Some(new)) = (set(&old), set(&new)) {
        c.push(
            "velero-resources",
            tpath.key(new),
            Target::Key,
            format!("Velero schedule `{name}` filters resources by `{old}` and by `{new}`, and Velero takes the older filters or the scoped ones, not both"),
            format!("beside `{old}`"),
            Some("use the scoped filters alone (`includedClusterScopedResources`, `includedNamespaceScopedResources`, …), or the older ones alone".into()),
        );
    }
}
