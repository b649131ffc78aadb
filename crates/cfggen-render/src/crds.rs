//! Typed custom resources cfggen emits, with the field names of the
//! upstream CRDs (external-secrets.io/v1, postgresql.cnpg.io/v1,
//! argoproj.io/v1alpha1). Only the fields cfggen sets are modelled; each
//! struct denies unknown fields so tests can read rendered output back.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// `external-secrets.io/v1` `ExternalSecret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecret {
    /// Always `external-secrets.io/v1`.
    pub api_version: String,
    /// Always `ExternalSecret`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// What to fetch and which Secret to make.
    pub spec: ExternalSecretSpec,
}

/// `ExternalSecret.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretSpec {
    /// How often to re-read the provider, e.g. `1h`.
    pub refresh_interval: String,
    /// The store to read from (none for generated values alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store_ref: Option<SecretStoreRef>,
    /// The Secret to create.
    pub target: ExternalSecretTarget,
    /// One entry per Secret key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<ExternalSecretData>,
    /// Remote secrets read whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_from: Vec<DataFrom>,
}

/// `spec.dataFrom[]`: a remote secret read whole, or the remote secrets
/// a search finds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataFrom {
    /// Its every property, each a key of the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<RemoteRef>,
    /// The search (the model's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<cfggen_model::stores::RemoteFind>,
    /// A generator whose values become keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<SourceRef>,
}

/// `spec.dataFrom[].sourceRef`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRef {
    /// The generator.
    pub generator_ref: GeneratorRef,
}

/// A generator of External Secrets, by kind and name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorRef {
    /// `generators.external-secrets.io/v1alpha1`.
    pub api_version: String,
    /// `Password`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// A `generators.external-secrets.io/v1alpha1` `Password`, its spec the
/// model's type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordGenerator {
    /// `generators.external-secrets.io/v1alpha1`.
    pub api_version: String,
    /// `Password`.
    pub kind: String,
    /// Its name and labels.
    pub metadata: ObjectMeta,
    /// How the password is made.
    pub spec: cfggen_model::stores::PasswordGenerator,
}

/// `spec.secretStoreRef`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretStoreRef {
    /// `ClusterSecretStore`.
    pub kind: String,
    /// The store's name.
    pub name: String,
}

/// `spec.target`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretTarget {
    /// Name of the Secret to create.
    pub name: String,
    /// `Owner`: the Secret belongs to the ExternalSecret.
    pub creation_policy: String,
    /// How to shape the Secret, when not one key per entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ExternalSecretTemplate>,
}

/// `spec.target.template`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretTemplate {
    /// The Secret type, e.g. `kubernetes.io/basic-auth`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `Merge` to keep the data keys beside the templated ones; `Replace`
    /// (only the templated keys) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_policy: Option<String>,
    /// Keys of the Secret and their (templated) values; none when the
    /// data keys go into the Secret as they are.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
}

/// `spec.data[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretData {
    /// The key in the Secret.
    pub secret_key: String,
    /// Where the value is read from.
    pub remote_ref: RemoteRef,
}

/// `spec.data[].remoteRef`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteRef {
    /// The provider's key: the item title (Connect) or `item/field` (SDK).
    pub key: String,
    /// The field (Connect only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

/// `postgresql.cnpg.io/v1` `Cluster`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    /// Always `postgresql.cnpg.io/v1`.
    pub api_version: String,
    /// Always `Cluster`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// The cluster.
    pub spec: ClusterSpec,
}

/// `Cluster.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// Number of instances.
    pub instances: u32,
    /// The operand image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
    /// Storage per instance.
    pub storage: ClusterStorage,
    /// Write-ahead log storage per instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_storage: Option<ClusterStorage>,
    /// The fewest synchronous standbys (the earlier form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sync_replicas: Option<u32>,
    /// The most synchronous standbys (the earlier form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sync_replicas: Option<u32>,
    /// Whether the operator keeps PodDisruptionBudgets.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "enablePDB")]
    pub enable_pdb: Option<bool>,
    /// CPU and memory per instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<k8s_openapi::api::core::v1::ResourceRequirements>,
    /// PostgreSQL configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgresql: Option<ClusterPostgresql>,
    /// Roles and Services CNPG keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<ClusterManaged>,
    /// How a new cluster is initialised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<ClusterBootstrap>,
    /// Where the instances run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<ClusterAffinity>,
    /// Whether the operator makes a PodMonitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<ClusterMonitoring>,
    /// CloudNativePG's own Barman Cloud backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<ClusterBackup>,
    /// The plugins the instances run (the Barman Cloud WAL archiver).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<ClusterPlugin>,
    /// Clusters (here: object stores) it can be recovered from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_clusters: Vec<ExternalCluster>,
}

/// `Cluster.spec.affinity`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAffinity {
    /// Whether instances keep apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_pod_anti_affinity: Option<bool>,
    /// `preferred` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity_type: Option<String>,
    /// The node label instances keep apart by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_key: Option<String>,
    /// Labels a node must have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Taints tolerated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<k8s_openapi::api::core::v1::Toleration>,
}

/// `Cluster.spec.monitoring`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterMonitoring {
    /// Whether the operator makes a PodMonitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_pod_monitor: Option<bool>,
    /// Relabelings of its targets (the model's type).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_monitor_relabelings: Vec<cfggen_model::monitor::Relabeling>,
}

/// An entry of `Cluster.spec.plugins`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterPlugin {
    /// The plugin.
    pub name: String,
    /// Whether it runs.
    pub enabled: bool,
    /// Whether it archives the write-ahead log.
    #[serde(rename = "isWALArchiver")]
    pub is_wal_archiver: bool,
    /// Its parameters (`barmanObjectName`).
    pub parameters: BTreeMap<String, String>,
}

/// An entry of `Cluster.spec.externalClusters` read through a plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalCluster {
    /// Its name.
    pub name: String,
    /// The plugin that reads it.
    pub plugin: ExternalClusterPlugin,
}

/// `externalClusters[].plugin`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalClusterPlugin {
    /// The plugin.
    pub name: String,
    /// Its parameters (`barmanObjectName`).
    pub parameters: BTreeMap<String, String>,
}

/// `barmancloud.cnpg.io/v1` `ObjectStore`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectStore {
    /// Always `barmancloud.cnpg.io/v1`.
    pub api_version: String,
    /// Always `ObjectStore`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// The store.
    pub spec: ObjectStoreSpec,
}

/// `ObjectStore.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectStoreSpec {
    /// Where and how backups are written.
    pub configuration: ObjectStoreConfiguration,
    /// How long backups are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<String>,
}

/// `ObjectStore.spec.configuration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectStoreConfiguration {
    /// `s3://bucket/path`.
    pub destination_path: String,
    /// The endpoint of a store that is not AWS S3.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "endpointURL"
    )]
    pub endpoint_url: Option<String>,
    /// The access key's Secret and keys.
    pub s3_credentials: S3Credentials,
    /// How the write-ahead log is archived (the model's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal: Option<cfggen_model::backup::WalSettings>,
    /// How base backups are written (the model's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<cfggen_model::backup::DataSettings>,
}

/// `Cluster.spec.backup`: CloudNativePG's own Barman Cloud backups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterBackup {
    /// The store, as an ObjectStore's configuration.
    pub barman_object_store: ObjectStoreConfiguration,
    /// How long backups are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy: Option<String>,
}

/// `ObjectStore.spec.configuration.s3Credentials`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Credentials {
    /// The access key ID.
    pub access_key_id: SecretKeySelector,
    /// The secret access key.
    pub secret_access_key: SecretKeySelector,
}

/// A key of a Secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKeySelector {
    /// The Secret.
    pub name: String,
    /// The key.
    pub key: String,
}

/// `postgresql.cnpg.io/v1` `ScheduledBackup`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledBackup {
    /// Always `postgresql.cnpg.io/v1`.
    pub api_version: String,
    /// Always `ScheduledBackup`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// The schedule.
    pub spec: ScheduledBackupSpec,
}

/// `ScheduledBackup.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledBackupSpec {
    /// Six-field cron.
    pub schedule: String,
    /// The cluster.
    pub cluster: LocalObjectReference,
    /// `plugin`, or `barmanObjectStore` (CloudNativePG's own support).
    pub method: String,
    /// The Barman Cloud plugin (of the `plugin` method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_configuration: Option<PluginConfiguration>,
    /// What owns the Backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_owner_reference: Option<String>,
    /// Back up at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate: Option<bool>,
    /// Paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// `ScheduledBackup.spec.pluginConfiguration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PluginConfiguration {
    /// The plugin.
    pub name: String,
    /// Its parameters (`barmanObjectName`: another store than the
    /// cluster's).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

/// `Cluster.spec.bootstrap`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterBootstrap {
    /// `initdb`.
    pub initdb: ClusterInitDb,
}

/// `Cluster.spec.bootstrap.initdb`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterInitDb {
    /// The first database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// SQL run as the superuser after initialisation.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "postInitSQL")]
    pub post_init_sql: Vec<String>,
    /// SQL run as the superuser in the first database.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "postInitApplicationSQL"
    )]
    pub post_init_application_sql: Vec<String>,
}

/// `Cluster.spec.storage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterStorage {
    /// Volume size.
    pub size: String,
    /// Storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Whether volumes are resized while in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize_in_use_volumes: Option<bool>,
    /// The claim template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc_template: Option<k8s_openapi::api::core::v1::PersistentVolumeClaimSpec>,
}

/// `Cluster.spec.postgresql`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterPostgresql {
    /// `postgresql.conf` parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// `pg_hba.conf` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pg_hba: Vec<String>,
    /// Libraries loaded at start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_preload_libraries: Vec<String>,
    /// Synchronous replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronous: Option<ClusterSynchronous>,
}

/// `Cluster.spec.postgresql.synchronous`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSynchronous {
    /// `any` (quorum) or `first` (priority).
    pub method: String,
    /// How many standbys acknowledge each commit.
    pub number: u32,
    /// `required` or `preferred`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_durability: Option<String>,
}

/// `Cluster.spec.managed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterManaged {
    /// The managed roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<ManagedRole>,
    /// Services beside the cluster's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<ManagedServices>,
}

/// `Cluster.spec.managed.services`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedServices {
    /// Default Services not made (`ro`, `r`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_default_services: Vec<String>,
    /// The additional Services.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional: Vec<AdditionalService>,
}

/// `Cluster.spec.managed.services.additional[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdditionalService {
    /// `rw`: the primary.
    pub selector_type: String,
    /// The Service's metadata and spec.
    pub service_template: ServiceTemplate,
}

/// `…additional[].serviceTemplate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceTemplate {
    /// Name and annotations.
    pub metadata: ServiceTemplateMeta,
    /// Type and load balancer class.
    pub spec: ServiceTemplateSpec,
}

/// `…serviceTemplate.metadata`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceTemplateMeta {
    /// The Service's name.
    pub name: String,
    /// Its annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// `…serviceTemplate.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceTemplateSpec {
    /// `LoadBalancer` or `NodePort`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The load balancer implementation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_class: Option<String>,
}

/// `Cluster.spec.managed.roles[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedRole {
    /// Role name.
    pub name: String,
    /// `present`.
    pub ensure: String,
    /// A comment CNPG sets on the role.
    pub comment: String,
    /// LOGIN.
    pub login: bool,
    /// SUPERUSER.
    pub superuser: bool,
    /// CREATEDB.
    pub createdb: bool,
    /// CREATEROLE.
    pub createrole: bool,
    /// INHERIT.
    pub inherit: bool,
    /// REPLICATION.
    pub replication: bool,
    /// BYPASSRLS.
    pub bypassrls: bool,
    /// CONNECTION LIMIT.
    pub connection_limit: i64,
    /// Roles it is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_roles: Vec<String>,
    /// VALID UNTIL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The Secret with the role's password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<LocalObjectReference>,
}

/// A reference to an object in the same namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalObjectReference {
    /// The object's name.
    pub name: String,
}

/// `postgresql.cnpg.io/v1` `Database`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Database {
    /// Always `postgresql.cnpg.io/v1`.
    pub api_version: String,
    /// Always `Database`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// The database.
    pub spec: DatabaseSpec,
}

/// `Database.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatabaseSpec {
    /// The database name inside PostgreSQL.
    pub name: String,
    /// The owning role.
    pub owner: String,
    /// The CNPG cluster.
    pub cluster: LocalObjectReference,
    /// `present`.
    pub ensure: String,
    /// How PostgreSQL makes it (the model's type: the same fields).
    #[serde(default, skip_serializing_if = "Option::is_none", flatten)]
    pub creation: Option<cfggen_model::database::DatabaseCreation>,
    /// Extensions to create.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<DatabaseExtension>,
}

/// `Database.spec.extensions[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseExtension {
    /// Extension name.
    pub name: String,
    /// `present`.
    pub ensure: String,
}

/// `argoproj.io/v1alpha1` `Application`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// Always `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// Always `Application`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// Source, destination, sync policy.
    pub spec: ApplicationSpec,
}

/// `Application.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationSpec {
    /// The Argo CD project.
    pub project: String,
    /// Where the manifests are (one source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Where the manifests are (several sources: a chart and a folder).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// Where they go.
    pub destination: ApplicationDestination,
    /// How to sync.
    pub sync_policy: SyncPolicy,
    /// Differences to ignore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<IgnoreDifference>,
}

/// `Application.spec.ignoreDifferences[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IgnoreDifference {
    /// API group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind.
    pub kind: String,
    /// Object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// JSON pointers of the fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_pointers: Vec<String>,
    /// jq paths of the fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose fields are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields_managers: Vec<String>,
}

/// `Application.spec.source`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationSource {
    /// The Git or chart repository.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// The Helm chart, for a chart repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Branch, tag or commit; the chart version for a chart.
    pub target_revision: String,
    /// Folder in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Helm settings, for a chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmSource>,
}

/// `Application.spec.source.helm`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmSource {
    /// The release name.
    pub release_name: String,
    /// Values as YAML text (a values file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// Values as an object (over `values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_object: Option<serde_json::Value>,
}

/// `Application.spec.destination`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDestination {
    /// API server URL.
    pub server: String,
    /// Target namespace.
    pub namespace: String,
}

/// `Application.spec.syncPolicy`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncPolicy {
    /// Sync without a person pressing the button; none for manual sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<AutomatedSync>,
    /// Options such as `CreateNamespace=true`.
    pub sync_options: Vec<String>,
}

/// `Application.spec.syncPolicy.automated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutomatedSync {
    /// Delete what is no longer in Git.
    pub prune: bool,
    /// Undo changes made in the cluster.
    pub self_heal: bool,
}

/// `kustomize.config.k8s.io/v1beta1` `Kustomization`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    /// Always `kustomize.config.k8s.io/v1beta1`.
    pub api_version: String,
    /// Always `Kustomization`.
    pub kind: String,
    /// The namespace of everything listed; none for a folder of
    /// cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The files, in order.
    pub resources: Vec<String>,
}

/// `gateway.networking.k8s.io/v1` `HTTPRoute`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpRoute {
    /// Always `gateway.networking.k8s.io/v1`.
    pub api_version: String,
    /// Always `HTTPRoute`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// Gateways, host names, rules.
    pub spec: HttpRouteSpec,
}

/// `HTTPRoute.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpRouteSpec {
    /// The Gateways it attaches to.
    pub parent_refs: Vec<RouteParentRef>,
    /// The host names it serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Its rules.
    pub rules: Vec<HttpRouteRule>,
}

/// `HTTPRoute.spec.parentRefs[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteParentRef {
    /// The Gateway.
    pub name: String,
    /// Its namespace, when not the route's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// One of its listeners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// The listeners' port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// `HTTPRoute.spec.rules[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpRouteRule {
    /// Where requests go (none for a redirect).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<RouteBackendRef>,
    /// What requests it takes; every request when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<Vec<RouteMatch>>,
    /// What it changes, or answers with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<RouteFilter>,
    /// Request and backend request timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<RouteTimeouts>,
}

/// `HTTPRoute.spec.rules[].backendRefs[]` (and a TLSRoute's and
/// TCPRoute's): a Service, its port number, and a share of the traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteBackendRef {
    /// The Service.
    pub name: String,
    /// Its namespace, when not the route's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Its port's number.
    pub port: u16,
    /// Its share against the rule's other backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// `HTTPRoute.spec.rules[].filters[]`: its type, and the settings of
/// that type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteFilter {
    /// `RequestHeaderModifier`, `ResponseHeaderModifier`,
    /// `RequestRedirect` or `URLRewrite`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Its settings, as a `RequestHeaderModifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_header_modifier: Option<HeaderModifier>,
    /// Its settings, as a `ResponseHeaderModifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_header_modifier: Option<HeaderModifier>,
    /// Its settings, as a `RequestRedirect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<RequestRedirect>,
    /// Its settings, as a `URLRewrite`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "urlRewrite"
    )]
    pub url_rewrite: Option<UrlRewrite>,
}

/// A header modifier filter's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderModifier {
    /// Headers overwritten.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<HeaderValue>,
    /// Headers appended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<HeaderValue>,
    /// Headers dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

/// A header and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderValue {
    /// The header.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A `RequestRedirect` filter's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestRedirect {
    /// `http` or `https`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathModifier>,
    /// The port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `301` or `302`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
}

/// A `URLRewrite` filter's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UrlRewrite {
    /// The host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathModifier>,
}

/// A new path: its type, and the full path or prefix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PathModifier {
    /// `ReplaceFullPath` or `ReplacePrefixMatch`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The whole path (`ReplaceFullPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_full_path: Option<String>,
    /// The matched prefix's replacement (`ReplacePrefixMatch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_prefix_match: Option<String>,
}

/// `gateway.networking.k8s.io` `TLSRoute` or `TCPRoute`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamRoute {
    /// `gateway.networking.k8s.io/v1` or `/v1alpha2`.
    pub api_version: String,
    /// `TLSRoute` or `TCPRoute`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// Gateways, host names (a TLSRoute's), the one rule.
    pub spec: StreamRouteSpec,
}

/// `TLSRoute.spec`, `TCPRoute.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamRouteSpec {
    /// The Gateways it attaches to.
    pub parent_refs: Vec<RouteParentRef>,
    /// The SNI host names (a TLSRoute's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Its one rule.
    pub rules: Vec<StreamRouteRule>,
}

/// `TLSRoute.spec.rules[]`, `TCPRoute.spec.rules[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamRouteRule {
    /// Where connections go.
    pub backend_refs: Vec<RouteBackendRef>,
}

/// `gateway.networking.k8s.io/v1` `GRPCRoute`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcRoute {
    /// `gateway.networking.k8s.io/v1`.
    pub api_version: String,
    /// `GRPCRoute`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// Gateways, host names, rules.
    pub spec: GrpcRouteSpec,
}

/// `GRPCRoute.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcRouteSpec {
    /// The Gateways it attaches to.
    pub parent_refs: Vec<RouteParentRef>,
    /// The host names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// The rules.
    pub rules: Vec<GrpcRouteRule>,
}

/// `GRPCRoute.spec.rules[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcRouteRule {
    /// The calls it takes (the model's type: the same fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<cfggen_model::grpc_route::GrpcMatch>,
    /// Where they go.
    pub backend_refs: Vec<RouteBackendRef>,
}

/// `HTTPRoute.spec.rules[].matches[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteMatch {
    /// The path matched.
    pub path: RoutePath,
}

/// `HTTPRoute.spec.rules[].matches[].path`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoutePath {
    /// `PathPrefix`, `Exact` or `RegularExpression`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The path.
    pub value: String,
}

/// `HTTPRoute.spec.rules[].timeouts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteTimeouts {
    /// The whole request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// One request to the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_request: Option<String>,
}

/// `argoproj.io/v1alpha1` `AppProject`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppProject {
    /// Always `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// Always `AppProject`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// What the project's Applications may do.
    pub spec: AppProjectSpec,
}

/// `AppProject.spec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppProjectSpec {
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The repositories.
    pub source_repos: Vec<String>,
    /// Where its Applications deploy.
    pub destinations: Vec<ProjectDestination>,
    /// Cluster-scoped kinds allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// Namespaced kinds allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_whitelist: Vec<GroupKind>,
    /// Namespaced kinds refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_blacklist: Vec<GroupKind>,
    /// Namespaces of Applications outside Argo CD's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_namespaces: Vec<String>,
    /// Roles (the model's type: the same fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<cfggen_model::project::ProjectRole>,
    /// Sync windows (the model's type).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_windows: Vec<cfggen_model::project::SyncWindow>,
    /// Orphaned-object monitoring (the model's type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_resources: Option<cfggen_model::project::OrphanedResources>,
}

/// `AppProject.spec.destinations[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectDestination {
    /// The API server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The cluster's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A group and kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupKind {
    /// The API group.
    pub group: String,
    /// The kind.
    pub kind: String,
}
