//! Velero backup schedules: a `velero.io/v1` Schedule of the app, which
//! backs up the namespaces, resources and labelled objects its template
//! names, on a cron schedule, to a backup storage location.

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A Velero Schedule, rendered in the app's namespace (the namespace
/// Velero runs in, for the app that holds its schedules).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VeleroSchedule {
    /// When a backup is taken: a cron schedule of five fields (minute
    /// hour day-of-month month day-of-week), a macro such as `@daily`,
    /// or `@every` and a duration (`@every 6h`); `CRON_TZ=<zone>` before
    /// it sets its time zone.
    #[schemars(extend("examples" = ["0 2 * * *", "@every 6h"]))]
    pub schedule: String,
    /// Takes no backup while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// Waits for the first scheduled time instead of backing up when the
    /// schedule is made or unpaused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_immediately: Option<bool>,
    /// Makes the Schedule the owner of its backups (deleted with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_owner_references_in_backup: Option<bool>,
    /// What each backup takes, and where it goes.
    pub template: BackupTemplate,
    /// Labels of the Schedule, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Schedule.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// What a backup of a schedule takes: Velero's `BackupSpec`, as Velero
/// writes it, but for its hooks, resource policy and uploader settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackupTemplate {
    /// The namespaces backed up (`*`: all); all when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_namespaces: Vec<String>,
    /// Namespaces left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_namespaces: Vec<String>,
    /// The resources backed up, e.g. `deployments`,
    /// `storageclasses.storage.k8s.io` (`*`: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_resources: Vec<String>,
    /// Resources left out, e.g. `events`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_resources: Vec<String>,
    /// Cluster-scoped resources backed up (with the scoped filters, not
    /// beside `includedResources`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_cluster_scoped_resources: Vec<String>,
    /// Cluster-scoped resources left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_cluster_scoped_resources: Vec<String>,
    /// Namespace-scoped resources backed up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_namespace_scoped_resources: Vec<String>,
    /// Namespace-scoped resources left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_namespace_scoped_resources: Vec<String>,
    /// Whether cluster-scoped resources are backed up; Velero decides
    /// from the namespaces when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_cluster_resources: Option<bool>,
    /// Only the objects with these labels (Kubernetes `LabelSelector`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Only the objects that any of these selects (not beside
    /// `labelSelector`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub or_label_selectors: Vec<LabelSelector>,
    /// How long a backup is kept, e.g. `336h` (Velero: 720h when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub ttl: Option<String>,
    /// The BackupStorageLocation the backups go to; Velero's default one
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_location: Option<String>,
    /// The VolumeSnapshotLocations of the volume snapshots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_snapshot_locations: Vec<String>,
    /// Whether volumes are snapshotted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_volumes: Option<bool>,
    /// Whether every pod volume is backed up by its files (Kopia) unless
    /// it opts out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_volumes_to_fs_backup: Option<bool>,
    /// Whether CSI snapshot data is moved to the storage location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_move_data: Option<bool>,
    /// The data mover of moved snapshot data; Velero's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datamover: Option<String>,
    /// How long to wait for a CSI VolumeSnapshot to be ready (10m when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub csi_snapshot_timeout: Option<String>,
    /// How long to wait for asynchronous backup item actions (4h when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub item_operation_timeout: Option<String>,
    /// The order objects of a kind are backed up in: kind → names
    /// (`namespace/name` for namespaced ones), comma-separated.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub ordered_resources: IndexMap<String, String>,
    /// The label key that groups claims into one volume group snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_group_snapshot_label_key: Option<String>,
    /// What each backup made carries: its labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BackupMetadata>,
}

/// What each backup of a schedule carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupMetadata {
    /// The labels of each backup.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// Whether a Velero schedule is well formed (Velero reads it as cron
/// does: an optional `CRON_TZ=<zone>`, then five fields, a macro or
/// `@every <duration>`). Returns what is wrong.
pub fn schedule_error(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    let s = match s.strip_prefix("CRON_TZ=").or_else(|| s.strip_prefix("TZ=")) {
        Some(rest) => match rest.split_once(' ') {
            Some((_, rest)) => rest.trim_start(),
            None => return Some("a time zone and nothing after it".into()),
        },
        None => s,
    };
    match s.strip_prefix("@every ") {
        Some(duration) if names::go_duration_secs(duration.trim()).is_some() => None,
        Some(duration) => Some(format!(
            "`{}` after `@every` is not a duration such as `6h` or `1h30m`",
            duration.trim()
        )),
        None => crate::workload::schedule_error(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_velero_schedule_is_cron_a_macro_or_every_duration() {
        for good in [
            "0 2 * * *",
            "@daily",
            "@every 6h",
            "@every 1h30m",
            "CRON_TZ=Europe/Oslo 0 3 * * MON-FRI",
        ] {
            assert_eq!(schedule_error(good), None, "{good}");
        }
        for bad in [
            "0 2 * *",
            "@every six hours",
            "@every ",
            "@nightly",
            "CRON_TZ=Europe/Oslo",
            "0 25 * * *",
        ] {
            assert!(schedule_error(bad).is_some(), "{bad}");
        }
    }
}
