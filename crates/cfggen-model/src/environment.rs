//! The environment: cluster-level settings and the apps deployed there.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::argocd::{Clusters, SyncSettings};
use crate::image::ImageRef;
use crate::names;
use crate::storage::PersistentVolume;

/// One environment (dev, prod, …): where it deploys, where its secrets
/// live, its Postgres clusters and its apps. Written in
/// `environments/<name>.yaml`; shared parts live in bases under
/// `environments/bases/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "cfggen environment")]
pub struct Environment {
    /// The environment's name; must equal the file name without `.yaml`.
    #[schemars(regex(pattern = names::DNS1123_LABEL), extend("examples" = ["prod"]))]
    pub name: String,
    /// Bases this environment builds on, from `environments/bases/<name>.yaml`,
    /// applied in order: maps merge by key, scalars and lists replace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["platform"]]))]
    pub extends: Vec<String>,
    /// What this environment is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The namespace of every app that names none; each app's own name
    /// when absent. Set it (here or in a base) when the apps share one
    /// namespace and reach each other by short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL), extend("examples" = ["default"]))]
    pub namespace: Option<String>,
    /// The Kubernetes cluster the environment deploys to.
    pub cluster: ClusterTarget,
    /// Other clusters some apps deploy to (`apps.<app>.argocd.cluster`),
    /// by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub clusters: Clusters,
    /// How Argo CD finds the rendered manifests.
    pub argocd: ArgoCd,
    /// Where the environment's secrets live in 1Password; needed only when
    /// an app reads a secret or a Postgres role has a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onepassword: Option<OnePassword>,
    /// Secret stores other than 1Password that External Secrets serves
    /// (a Bitwarden, Vault or cloud secret manager store), by the name of
    /// the store object: apps make Secrets from them with `storeSecrets`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub secret_stores: IndexMap<String, crate::stores::OtherStore>,
    /// Rules every image reference of the environment must follow.
    #[serde(default)]
    pub images: ImagePolicy,
    /// CloudNativePG clusters that apps can put databases on, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub postgres: IndexMap<String, PostgresCluster>,
    /// Static PersistentVolumes (NFS exports, folders of a node) that
    /// apps' claims bind to by `volumeName`; cluster-scoped, rendered into
    /// `generated/<env>/cluster/`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub persistent_volumes: IndexMap<String, PersistentVolume>,
    /// StorageClasses the environment makes (a storage driver's classes);
    /// cluster-scoped, rendered into `generated/<env>/cluster/`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub storage_classes: IndexMap<String, crate::storage::StorageClass>,
    /// Namespaces the environment creates with labels or annotations
    /// (Pod Security admission levels, say); cluster-scoped, rendered into
    /// `generated/<env>/cluster/` and synced before the apps. A namespace
    /// an app deploys to needs no entry: Argo CD creates it bare.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub namespaces: IndexMap<String, crate::namespace::Namespace>,
    /// Patches of every app's rendered objects (strategic merge or JSON
    /// patch), by kind and name; one that matches nothing is an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<crate::patch::Patch>,
    /// What a raw manifest of a kind no schema describes is (a custom
    /// resource whose CRD is neither under `crds/`, nor among the
    /// environment's manifests, nor one cfggen carries): `warn`, the
    /// default (kept as written, unchecked, and a warning in `validate`,
    /// `render` and `check`), or `error`.
    #[serde(default, skip_serializing_if = "UncheckedKinds::is_warn")]
    pub unchecked_kinds: UncheckedKinds,
    /// The apps deployed in this environment, by name.
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub apps: IndexMap<String, App>,
}

/// What a manifest no schema checks is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UncheckedKinds {
    /// Kept as written, with a warning.
    #[default]
    Warn,
    /// An error.
    Error,
}

impl UncheckedKinds {
    /// Whether it is the default (for `skip_serializing_if`).
    pub fn is_warn(&self) -> bool {
        *self == UncheckedKinds::Warn
    }
}

impl Environment {
    /// The PersistentVolumes there are: declared, or among the apps' raw
    /// manifests.
    pub fn persistent_volume_names(&self) -> std::collections::BTreeSet<String> {
        let raw = self
            .apps
            .values()
            .flat_map(|a| &a.loaded_manifests)
            .filter_map(|(_, o)| match crate::app::Made::by(o) {
                Some((crate::app::Made::PersistentVolume, name)) => Some(name.to_owned()),
                _ => None,
            });
        self.persistent_volumes.keys().cloned().chain(raw).collect()
    }

    /// Whether the environment declares cluster-scoped objects
    /// (PersistentVolumes, Namespaces, StorageClasses, the apps'
    /// ClusterIssuers, cluster-wide Cilium policies, IP pools and L2
    /// announcements, Gateway, Ingress and VolumeSnapshot classes, and
    /// cluster-scoped raw manifests),
    /// which the `cluster` folder holds.
    pub fn has_cluster_objects(&self) -> bool {
        !self.persistent_volumes.is_empty()
            || !self.namespaces.is_empty()
            || !self.storage_classes.is_empty()
            || self.apps.values().any(|app| {
                !app.cilium_clusterwide_policies.is_empty()
                    || !app.cluster_issuers.is_empty()
                    || !app.cilium_load_balancer_ip_pools.is_empty()
                    || !app.cilium_l2_announcement_policies.is_empty()
                    || !app.gateway_classes.is_empty()
                    || !app.ingress_classes.is_empty()
                    || !app.volume_snapshot_classes.is_empty()
                    // A raw manifest the loader left without a namespace
                    // is cluster-scoped.
                    || app
                        .loaded_manifests
                        .iter()
                        .any(|(_, o)| o.pointer("/metadata/namespace").is_none())
            })
    }

    /// Gives every app that names no namespace the environment's
    /// `namespace`, when it has one. The loader calls it once, so that
    /// everything after (manifests, rules, renderer) reads one answer
    /// from [`App::namespace`](crate::app::App::namespace).
    pub fn apply_default_namespace(&mut self) {
        if let Some(ns) = &self.namespace {
            for app in self.apps.values_mut() {
                if app.namespace.is_none() {
                    app.namespace = Some(ns.clone());
                }
            }
        }
    }

    /// The first password of a Postgres role read from 1Password, if any
    /// (an app's secrets are its claims', [`crate::validate::Claims`]).
    pub fn first_role_password(&self) -> Option<crate::FieldPath> {
        for (name, pg) in &self.postgres {
            if let Some((role, _)) = pg.roles.iter().find(|(_, r)| r.password.is_some()) {
                return Some(crate::FieldPath::of(&[
                    "postgres", name, "roles", role, "password",
                ]));
            }
        }
        None
    }
}

/// The Kubernetes cluster an environment deploys to (Argo CD's destination).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterTarget {
    /// A short name for the cluster, used in labels and messages.
    #[schemars(regex(pattern = names::DNS1123_LABEL), extend("examples" = ["ringtail"]))]
    pub name: String,
    /// The API server URL Argo CD deploys to.
    #[schemars(regex(pattern = "^https://"), extend("examples" = ["https://kubernetes.default.svc"]))]
    pub server: String,
}

/// Argo CD settings for the environment's `Application`s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// Namespace Argo CD runs in; the `Application`s go there.
    #[serde(default = "default_argocd_namespace")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: String,
    /// The Argo CD project the `Application`s belong to.
    #[serde(default = "default_project")]
    pub project: String,
    /// The Git repository that holds `generated/`.
    #[schemars(extend("examples" = ["ssh://git@forge.example.com/platform/gitops.git"]))]
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// The branch, tag or commit Argo CD follows.
    #[serde(default = "default_revision")]
    pub target_revision: String,
    /// The sync policy of every Application, unless an app sets its own:
    /// automated with prune and self-heal, and `CreateNamespace=true`,
    /// when absent.
    #[serde(default, skip_serializing_if = "crate::argocd::is_default_sync")]
    pub sync: SyncSettings,
    /// Finalizers of every Application, unless an app sets its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    /// AppProjects the environment keeps, by name, rendered beside the
    /// Applications (`generated/<env>/argocd/`) and synced before them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub projects: IndexMap<String, crate::project::AppProject>,
}

fn default_argocd_namespace() -> String {
    "argocd".into()
}
fn default_project() -> String {
    "default".into()
}
fn default_revision() -> String {
    "main".into()
}

/// The environment's 1Password vault and the External Secrets store that reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OnePassword {
    /// The vault items are read from unless an item names its own: a name a
    /// secret reference can carry, or the vault's 26-character ID.
    #[schemars(regex(pattern = names::OP_NAME), extend("examples" = ["blumeops"]))]
    pub vault: String,
    /// The `ClusterSecretStore` that serves the vault.
    pub store: SecretStore,
    /// How often External Secrets re-reads 1Password.
    #[serde(default = "default_refresh")]
    #[schemars(regex(pattern = names::DURATION))]
    pub refresh_interval: String,
}

fn default_refresh() -> String {
    "1h".into()
}

/// A `ClusterSecretStore` backed by 1Password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretStore {
    /// The store's name.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["onepassword-blumeops"]))]
    pub name: String,
    /// Which External Secrets provider the store uses; it decides how
    /// `remoteRef`s are written.
    pub provider: StoreProvider,
}

/// The External Secrets 1Password providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum StoreProvider {
    /// 1Password Connect: `remoteRef.key` is the item title, `property` the field.
    #[serde(rename = "onepassword")]
    Connect,
    /// 1Password SDK (service accounts): `remoteRef.key` is `item/field`.
    #[serde(rename = "onepasswordSDK")]
    Sdk,
}

/// Rules for image references.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImagePolicy {
    /// Every image must be pinned: a tag other than `latest`, or a digest.
    #[serde(default)]
    pub require_pinned: bool,
}

/// A CloudNativePG `Cluster`. Its managed roles and `Database`s are
/// collected from the apps that use it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PostgresCluster {
    /// Namespace the cluster runs in.
    #[schemars(regex(pattern = names::DNS1123_LABEL), extend("examples" = ["databases"]))]
    pub namespace: String,
    /// Host name apps connect to. Defaults to the cluster's read-write
    /// service, `<name>-rw.<namespace>.svc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["pg.ops.eblu.me"]))]
    pub host: Option<String>,
    /// Port apps connect to.
    #[serde(default = "default_pg_port")]
    pub port: u16,
    /// Number of PostgreSQL instances.
    #[serde(default = "default_instances")]
    #[schemars(range(min = 1))]
    pub instances: u32,
    /// The PostgreSQL operand image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Storage for each instance (not for a `remote` cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// A volume of its own for each instance's write-ahead log; in
    /// `storage` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_storage: Option<Storage>,
    /// Whether CloudNativePG keeps PodDisruptionBudgets for the cluster
    /// (its default); `false` for a single node that must drain.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "enablePDB")]
    pub enable_pdb: Option<bool>,
    /// CPU and memory for each instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<crate::container::Resources>,
    /// `postgresql.conf` parameters.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
    /// `pg_hba.conf` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pg_hba: Vec<String>,
    /// Libraries PostgreSQL loads at start (`shared_preload_libraries`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["pg_stat_statements"]]))]
    pub shared_preload_libraries: Vec<String>,
    /// Synchronous replication: how many standbys confirm each commit
    /// (`postgresql.synchronous`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronous: Option<Synchronous>,
    /// The fewest standbys that confirm each commit, by CloudNativePG's
    /// earlier synchronous replication (`synchronous` is the current
    /// one; a cluster sets one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sync_replicas: Option<u32>,
    /// The most standbys that confirm each commit, by the earlier
    /// synchronous replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sync_replicas: Option<u32>,
    /// How a new cluster is initialised (`bootstrap.initdb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initdb: Option<InitDb>,
    /// Where the instances run: apart from each other, on which nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<crate::backup::ClusterAffinity>,
    /// Whether CloudNativePG makes a Prometheus operator `PodMonitor` for
    /// the instances (`monitoring.enablePodMonitor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_monitor: Option<bool>,
    /// Relabelings of the targets of that PodMonitor
    /// (`monitoring.podMonitorRelabelings`), e.g. the pod's name as
    /// `pod`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_monitor_relabelings: Vec<crate::monitor::Relabeling>,
    /// Backups through the Barman Cloud plugin: object stores, the
    /// write-ahead log archive, scheduled base backups and recovery
    /// sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups: Option<crate::backup::Backups>,
    /// A Service for the primary beside the cluster's own, e.g. a
    /// LoadBalancer that reaches it from outside the Kubernetes cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ClusterService>,
    /// Services CloudNativePG makes by default that the cluster goes
    /// without: `ro` (the replicas) and `r` (any instance); the primary's
    /// `rw` always stays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true))]
    pub disabled_services: Vec<DefaultService>,
    /// Roles that belong to no app's database (people, backup jobs), by
    /// name; their passwords come from 1Password.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z_][a-z0-9_]{0,62}$"}))]
    pub roles: IndexMap<String, StandaloneRole>,
    /// Databases that belong to no app here (the app runs in another
    /// environment or was never moved to cfggen), by their name in
    /// PostgreSQL; each becomes a `Database` owned by one of the cluster's
    /// roles.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DATABASE_NAME}))]
    pub databases: IndexMap<String, StandaloneDatabase>,
    /// The cluster runs elsewhere (another environment's Kubernetes
    /// cluster): cfggen renders none of its objects here — no Cluster, no
    /// roles, no Databases — and apps on it connect to its `host`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
}

/// Synchronous replication of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Synchronous {
    /// Which standbys confirm: `any` of them (quorum) or the `first` ones.
    pub method: SyncMethod,
    /// How many standbys confirm each commit.
    #[schemars(range(min = 1))]
    pub number: u32,
    /// `required` (the default: writes wait while too few standbys run)
    /// or `preferred` (writes go on without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_durability: Option<DataDurability>,
}

/// Which standbys confirm a synchronous commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncMethod {
    /// Any `number` of the standbys (quorum).
    Any,
    /// The first `number` standbys (priority).
    First,
}

impl SyncMethod {
    /// As CloudNativePG writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMethod::Any => "any",
            SyncMethod::First => "first",
        }
    }
}

/// Whether writes wait for synchronous standbys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataDurability {
    /// Writes wait while too few standbys run.
    Required,
    /// Writes go on without them.
    Preferred,
}

impl DataDurability {
    /// As CloudNativePG writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DataDurability::Required => "required",
            DataDurability::Preferred => "preferred",
        }
    }
}

/// How CloudNativePG initialises a new cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InitDb {
    /// The first database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[a-z_][a-z0-9_]{0,62}$"))]
    pub database: Option<String>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[a-z_][a-z0-9_]{0,62}$"))]
    pub owner: Option<String>,
    /// SQL run as the superuser once the cluster is made.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "postInitSQL")]
    #[schemars(extend("examples" = [["CREATE EXTENSION IF NOT EXISTS pg_stat_statements"]]))]
    pub post_init_sql: Vec<String>,
    /// SQL run as the superuser in the first database once it is made.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "postInitApplicationSQL"
    )]
    #[schemars(extend("examples" = [["CREATE EXTENSION IF NOT EXISTS vector"]]))]
    pub post_init_application_sql: Vec<String>,
}

/// A Service CloudNativePG makes for every cluster that one may go
/// without.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DefaultService {
    /// `<cluster>-ro`: the replicas.
    Ro,
    /// `<cluster>-r`: any instance.
    R,
}

impl DefaultService {
    /// As CloudNativePG writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DefaultService::Ro => "ro",
            DefaultService::R => "r",
        }
    }
}

/// A Service for a cluster's primary, beside its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterService {
    /// The Service's name; `<cluster>-lb` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub name: Option<String>,
    /// `LoadBalancer` (the default) or `NodePort`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<crate::service::ServiceType>,
    /// The load balancer implementation, e.g. `tailscale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["tailscale"]))]
    pub load_balancer_class: Option<String>,
    /// Annotations, e.g. `tailscale.com/hostname`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A role of a cluster that belongs to no app's database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StandaloneRole {
    /// Its attributes.
    #[serde(default)]
    pub attributes: crate::database::RoleAttributes,
    /// Where its password lives in 1Password; a role without one (and
    /// without `passwordSecret`) cannot log in with a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<crate::secrets::OnePasswordField>,
    /// The Secret in the cluster's namespace that holds its password
    /// (`username` and `password` keys), when something other than cfggen
    /// makes it; instead of `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["keycloak-db-secret"]))]
    pub password_secret: Option<String>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A database of a cluster that belongs to no app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StandaloneDatabase {
    /// The role that owns it: one of the cluster's `roles`, an app
    /// database's owner, or the `initdb` owner.
    #[schemars(regex(pattern = "^[a-z_][a-z0-9_]{0,62}$"), extend("examples" = ["keycloak_owner"]))]
    pub owner: String,
    /// Extensions to create in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// How PostgreSQL makes it (template, encoding, locale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation: Option<crate::database::DatabaseCreation>,
    /// The name of the `Database` object; `<cluster>-<database>` (with `_`
    /// as `-`) when absent. Set it to keep the name of an existing object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["keycloak-db"]))]
    pub object_name: Option<String>,
}

fn default_pg_port() -> u16 {
    5432
}
fn default_instances() -> u32 {
    1
}

impl PostgresCluster {
    /// The host apps connect to: the declared one, or the cluster's
    /// read-write service.
    pub fn host(&self, cluster_name: &str) -> String {
        match &self.host {
            Some(h) => h.clone(),
            None => format!("{cluster_name}-rw.{}.svc", self.namespace),
        }
    }

    /// The Kubernetes name of a cluster's object named after a Postgres
    /// identifier (a role's password Secret, a `Database`):
    /// `<cluster>-<identifier>`, `_` written as `-`.
    pub fn object_name(cluster_name: &str, ident: &str) -> String {
        format!("{cluster_name}-{}", ident.replace('_', "-"))
    }

    /// The owner of the database `initdb` makes: the declared owner, else
    /// the declared database, else `app` (CloudNativePG's defaults, also
    /// when there is no `initdb`).
    pub fn initdb_owner(&self) -> &str {
        InitDb::owner_of(self.initdb.as_ref())
    }
}

impl InitDb {
    /// The owner of the database `initdb` makes: the declared owner, else
    /// the declared database, else `app` (CloudNativePG's defaults, also
    /// for a cluster without `initdb`).
    pub fn owner_of(initdb: Option<&InitDb>) -> &str {
        initdb
            .and_then(|i| i.owner.as_deref().or(i.database.as_deref()))
            .unwrap_or("app")
    }
}

impl StandaloneDatabase {
    /// The name of its `Database` object.
    pub fn object_name(&self, cluster_name: &str, database: &str) -> String {
        self.object_name
            .clone()
            .unwrap_or_else(|| PostgresCluster::object_name(cluster_name, database))
    }
}

/// Persistent storage of a Postgres instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Storage {
    /// Size of the volume.
    #[schemars(regex(pattern = names::QUANTITY), extend("examples" = ["10Gi"]))]
    pub size: String,
    /// Storage class; the cluster default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Whether the operator resizes a volume while its instance runs
    /// (CloudNativePG's default: `true`); `false` for storage that cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize_in_use_volumes: Option<bool>,
    /// The claim template of each instance's volume (a Kubernetes
    /// `PersistentVolumeClaimSpec`), for what `size` and `storageClass`
    /// do not say: access modes, a volume to bind, a selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc_template: Option<k8s_openapi::api::core::v1::PersistentVolumeClaimSpec>,
}
