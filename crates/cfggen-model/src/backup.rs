//! Backups of a CloudNativePG cluster through the Barman Cloud plugin
//! (`barman-cloud.cloudnative-pg.io`): the object stores it writes to
//! (`barmancloud.cnpg.io/v1` `ObjectStore`s), the store its write-ahead
//! log is archived to, scheduled base backups (`ScheduledBackup`s), and
//! the stores it can be recovered from (`externalClusters`); or through
//! CloudNativePG's own, older Barman Cloud support
//! (`barmanObjectStore`). Also where
//! the cluster's instances run (`affinity`) and whether the operator
//! makes a PodMonitor for them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// The plugin's name, as a Cluster, a ScheduledBackup and an external
/// cluster name it.
pub const BARMAN_CLOUD_PLUGIN: &str = "barman-cloud.cloudnative-pg.io";

/// A cluster's backups.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Backups {
    /// The object stores (each an `ObjectStore` in the cluster's
    /// namespace), by name.
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub stores: IndexMap<String, ObjectStore>,
    /// The store the cluster archives its write-ahead log to, and takes
    /// its base backups into (the plugin's `isWALArchiver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["minio"]))]
    pub wal_archive: Option<String>,
    /// The store the cluster archives its write-ahead log to and takes
    /// its base backups into through CloudNativePG's own Barman Cloud
    /// support (`spec.backup.barmanObjectStore`, which the plugin
    /// replaces; instead of `walArchive`): one of `stores`, written into
    /// the Cluster rather than as an ObjectStore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["main-pg"]))]
    pub barman_object_store: Option<String>,
    /// Scheduled base backups (each a `ScheduledBackup`), by name; each
    /// goes to its `store`, or the `walArchive` one.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub schedules: IndexMap<String, BackupSchedule>,
    /// Stores a new cluster can be recovered from, by the name of the
    /// Cluster's `externalClusters` entry that reads them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}), extend("examples" = [{"main-pg-offsite": "offsite"}]))]
    pub recovery_sources: IndexMap<String, String>,
}

/// An S3-compatible object store backups are written to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectStore {
    /// Where backups go: `s3://<bucket>/<path>`.
    #[schemars(regex(pattern = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$"), extend("examples" = ["s3://backups/main-pg"]))]
    pub destination: String,
    /// The endpoint of a store that is not AWS S3 (MinIO, Backblaze B2,
    /// Ceph): an `https://` or `http://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://[^\s/]+(/\S*)?$"), extend("examples" = ["https://minio.storage.svc:9000"]))]
    pub endpoint: Option<String>,
    /// The Secret in the cluster's namespace with the store's access key.
    pub credentials: S3Credentials,
    /// How long backups are kept: a number and `d` (days), `w` (weeks) or
    /// `m` (months).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[1-9][0-9]*[dwm]$"), extend("examples" = ["30d"]))]
    pub retention: Option<String>,
    /// How the write-ahead log goes to the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal: Option<WalSettings>,
    /// How base backups go to the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataSettings>,
}

/// How the write-ahead log is archived.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WalSettings {
    /// Its compression; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<WalCompression>,
    /// How many files are archived (or restored) at once; one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_parallel: Option<u32>,
}

/// How base backups are written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DataSettings {
    /// Their compression; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<DataCompression>,
    /// How many files are uploaded at once; two when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub jobs: Option<u32>,
}

/// The compression of archived write-ahead log files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum WalCompression {
    Bzip2,
    Gzip,
    Lz4,
    Snappy,
    Xz,
    Zstd,
}

/// The compression of base backups (fewer kinds than the log's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum DataCompression {
    Bzip2,
    Gzip,
    Lz4,
    Snappy,
}

/// The Secret that holds an object store's access key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct S3Credentials {
    /// The Secret's name: one the cluster's namespace has (an app's
    /// secret there, or one made elsewhere). When cfggen makes it, the
    /// two keys are checked against it.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub secret: String,
    /// The key of the access key ID.
    #[serde(default = "default_access_key_id")]
    #[schemars(regex(pattern = names::DATA_KEY))]
    pub access_key_id: String,
    /// The key of the secret access key.
    #[serde(default = "default_secret_access_key")]
    #[schemars(regex(pattern = names::DATA_KEY))]
    pub secret_access_key: String,
}

fn default_access_key_id() -> String {
    "AWS_ACCESS_KEY_ID".into()
}

fn default_secret_access_key() -> String {
    "AWS_SECRET_ACCESS_KEY".into()
}

/// A scheduled base backup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackupSchedule {
    /// When: a cron schedule of six fields, seconds first, as
    /// CloudNativePG reads it.
    #[schemars(extend("examples" = ["0 0 2 * * *"]))]
    pub schedule: String,
    /// The store the backups go to; the `walArchive` (or
    /// `barmanObjectStore`) store when absent (an offsite store for base
    /// backups, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// What owns the Backups it makes, and so deletes them with itself:
    /// `none` (CloudNativePG's default), `self` (this schedule) or
    /// `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<BackupOwner>,
    /// Take a backup as soon as the schedule is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate: Option<bool>,
    /// Stop taking backups, keeping the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// What owns the Backups of a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum BackupOwner {
    /// Nothing: the Backups outlive the schedule and the cluster.
    None,
    /// The ScheduledBackup.
    #[serde(rename = "self")]
    Schedule,
    /// The Cluster.
    Cluster,
}

impl BackupOwner {
    /// As CloudNativePG writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Schedule => "self",
            Self::Cluster => "cluster",
        }
    }
}

/// Where a cluster's instances run (CloudNativePG's `affinity`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterAffinity {
    /// Whether instances keep apart (CloudNativePG's default: `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_pod_anti_affinity: Option<bool>,
    /// `preferred` (the default: apart when they can be) or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity_type: Option<AntiAffinityType>,
    /// The node label instances keep apart by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["kubernetes.io/hostname"]))]
    pub topology_key: Option<String>,
    /// Labels a node must have to run an instance.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub node_selector: IndexMap<String, String>,
    /// Taints the instances tolerate (Kubernetes `Toleration`s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<crate::pod::Toleration>,
}

impl ClusterAffinity {
    /// Whether it sets nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// How strictly instances keep apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AntiAffinityType {
    /// Apart when the nodes allow.
    Preferred,
    /// Never two on one topology domain.
    Required,
}

impl AntiAffinityType {
    /// As CloudNativePG writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preferred => "preferred",
            Self::Required => "required",
        }
    }
}

/// Whether a schedule has six fields (seconds first), each of the
/// characters cron takes.
pub fn is_six_field_cron(schedule: &str) -> bool {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    fields.len() == 6
        && fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "*/,-?LW#".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_has_six_fields() {
        assert!(is_six_field_cron("0 0 2 * * 2"));
        assert!(is_six_field_cron("0 */15 * * * MON-FRI"));
        assert!(!is_six_field_cron("0 2 * * *"), "five fields: no seconds");
        assert!(!is_six_field_cron("0 0 2 * * * *"));
        assert!(!is_six_field_cron("0 0 2 * * $"));
    }

    #[test]
    fn credentials_keys_default_to_aws_names() {
        let c: S3Credentials =
            serde_json::from_str(r#"{"secret":"b2"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.access_key_id, "AWS_ACCESS_KEY_ID");
        assert_eq!(c.secret_access_key, "AWS_SECRET_ACCESS_KEY");
    }
}
