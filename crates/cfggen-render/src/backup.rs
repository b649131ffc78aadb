//! A cluster's backups through the Barman Cloud plugin: its ObjectStores
//! (before the Cluster, whose plugin reads them), the plugin and the
//! recovery sources in the Cluster, its ScheduledBackups (after it); or
//! through CloudNativePG's own Barman Cloud support, its store in the
//! Cluster's `backup`; and the Cluster's affinity and monitoring.

use std::collections::BTreeMap;

use cfggen_model::backup::{Backups, ObjectStore, BARMAN_CLOUD_PLUGIN};
use cfggen_model::environment::PostgresCluster;

use crate::{crds, file_name, meta, postgres_folder, waves, Output, RenderError};

/// The plugin parameter that names the store.
const OBJECT_NAME: &str = "barmanObjectName";

fn store_parameter(store: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(OBJECT_NAME.to_owned(), store.to_owned())])
}

/// The Cluster's `plugins`: the WAL archiver, when the cluster archives.
pub(crate) fn plugins(backups: Option<&Backups>) -> Vec<crds::ClusterPlugin> {
    backups
        .and_then(|b| b.wal_archive.as_deref())
        .map(|store| crds::ClusterPlugin {
            name: BARMAN_CLOUD_PLUGIN.into(),
            enabled: true,
            is_wal_archiver: true,
            parameters: store_parameter(store),
        })
        .into_iter()
        .collect()
}

/// The Cluster's `externalClusters`: one per recovery source.
pub(crate) fn external_clusters(backups: Option<&Backups>) -> Vec<crds::ExternalCluster> {
    backups
        .into_iter()
        .flat_map(|b| &b.recovery_sources)
        .map(|(name, store)| crds::ExternalCluster {
            name: name.clone(),
            plugin: crds::ExternalClusterPlugin {
                name: BARMAN_CLOUD_PLUGIN.into(),
                parameters: store_parameter(store),
            },
        })
        .collect()
}

/// The Cluster's `affinity`, when it sets one.
pub(crate) fn affinity(cluster: &PostgresCluster) -> Option<crds::ClusterAffinity> {
    let a = cluster.affinity.as_ref().filter(|a| !a.is_empty())?;
    Some(crds::ClusterAffinity {
        enable_pod_anti_affinity: a.enable_pod_anti_affinity,
        pod_anti_affinity_type: a.pod_anti_affinity_type.map(|t| t.as_str().to_owned()),
        topology_key: a.topology_key.clone(),
        node_selector: a
            .node_selector
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        tolerations: a.tolerations.clone(),
    })
}

/// The Cluster's `monitoring`, when it says anything.
pub(crate) fn monitoring(cluster: &PostgresCluster) -> Option<crds::ClusterMonitoring> {
    let relabelings = &cluster.pod_monitor_relabelings;
    (cluster.pod_monitor.is_some() || !relabelings.is_empty()).then(|| crds::ClusterMonitoring {
        enable_pod_monitor: cluster.pod_monitor,
        pod_monitor_relabelings: relabelings.clone(),
    })
}

/// A store as Barman Cloud's configuration reads it.
fn configuration(store: &ObjectStore) -> crds::ObjectStoreConfiguration {
    let creds = &store.credentials;
    let key = |key: &str| crds::SecretKeySelector {
        name: creds.secret.clone(),
        key: key.to_owned(),
    };
    crds::ObjectStoreConfiguration {
        destination_path: store.destination.clone(),
        endpoint_url: store.endpoint.clone(),
        s3_credentials: crds::S3Credentials {
            access_key_id: key(&creds.access_key_id),
            secret_access_key: key(&creds.secret_access_key),
        },
        wal: store.wal.clone(),
        data: store.data.clone(),
    }
}

/// The Cluster's `backup`: its store of CloudNativePG's own Barman Cloud
/// support, when it has one.
pub(crate) fn in_tree(backups: Option<&Backups>) -> Option<crds::ClusterBackup> {
    let backups = backups?;
    let store = backups.stores.get(backups.barman_object_store.as_ref()?)?;
    Some(crds::ClusterBackup {
        barman_object_store: configuration(store),
        retention_policy: store.retention.clone(),
    })
}

/// The ObjectStores and ScheduledBackups of cluster `name`, in its
/// namespace's folder.
pub(crate) fn render_backups(
    out: &mut Output,
    name: &str,
    cluster: &PostgresCluster,
    labels: &BTreeMap<String, String>,
) -> Result<(), RenderError> {
    let Some(backups) = &cluster.backups else {
        return Ok(());
    };
    let ns = cluster.namespace.as_str();
    let folder = postgres_folder(ns);
    // The store of the cluster's own Barman Cloud support is in the
    // Cluster.
    let plugin_stores = backups
        .stores
        .iter()
        .filter(|(s, _)| backups.barman_object_store.as_ref() != Some(*s));
    for (store_name, store) in plugin_stores {
        let object = crds::ObjectStore {
            api_version: "barmancloud.cnpg.io/v1".into(),
            kind: "ObjectStore".into(),
            metadata: meta(store_name, ns, labels.clone(), waves::ROLE_SECRETS),
            spec: crds::ObjectStoreSpec {
                configuration: configuration(store),
                retention_policy: store.retention.clone(),
            },
        };
        out.resource(&folder, ns, file_name("ObjectStore", store_name), &object)?;
    }
    for (schedule_name, schedule) in &backups.schedules {
        // To the store of the cluster's own Barman Cloud support.
        let in_tree = backups.barman_object_store.is_some()
            && (schedule.store.is_none() || schedule.store == backups.barman_object_store);
        let object = crds::ScheduledBackup {
            api_version: "postgresql.cnpg.io/v1".into(),
            kind: "ScheduledBackup".into(),
            metadata: meta(schedule_name, ns, labels.clone(), waves::PREREQUISITES),
            spec: crds::ScheduledBackupSpec {
                schedule: schedule.schedule.clone(),
                cluster: crds::LocalObjectReference {
                    name: name.to_owned(),
                },
                method: if in_tree {
                    "barmanObjectStore"
                } else {
                    "plugin"
                }
                .into(),
                plugin_configuration: (!in_tree).then(|| crds::PluginConfiguration {
                    name: BARMAN_CLOUD_PLUGIN.into(),
                    parameters: schedule
                        .store
                        .as_deref()
                        .map(store_parameter)
                        .unwrap_or_default(),
                }),
                backup_owner_reference: schedule.owner.map(|o| o.as_str().to_owned()),
                immediate: schedule.immediate,
                suspend: schedule.suspend,
            },
        };
        out.resource(
            &folder,
            ns,
            file_name("ScheduledBackup", schedule_name),
            &object,
        )?;
    }
    Ok(())
}
