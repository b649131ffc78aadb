//! A Cluster's backups through the Barman Cloud plugin, its affinity and
//! its monitoring → the cluster entry's `backups`, `affinity` and
//! `podMonitor`; the `ObjectStore`s and `ScheduledBackup`s it names →
//! its `backups.stores` and `backups.schedules`. Built as the model's own
//! types.

use cfggen_model::backup::{
    AntiAffinityType, BackupOwner, BackupSchedule, Backups, ClusterAffinity, ObjectStore,
    S3Credentials, BARMAN_CLOUD_PLUGIN,
};
use cfggen_model::monitor::Relabeling;
use indexmap::IndexMap;
use serde_json::Value;

use crate::read::Object;
use crate::take::{Taker, Why};

/// The plugin parameter that names the store.
const OBJECT_NAME: &str = "barmanObjectName";

/// What a Cluster's spec says of where it runs, its monitoring and its
/// backups (stores and schedules still to find).
#[derive(Debug, Default)]
pub(crate) struct ClusterParts {
    pub affinity: Option<ClusterAffinity>,
    pub pod_monitor: Option<bool>,
    pub pod_monitor_relabelings: Vec<Relabeling>,
    pub backups: Option<Backups>,
}

/// Takes `affinity`, `monitoring`, `backup`, `plugins` and
/// `externalClusters` out of the spec of Cluster `name`: the store of its
/// own Barman Cloud support (`backup.barmanObjectStore`) is named after
/// the cluster.
pub(crate) fn cluster_parts(spec: &mut Taker, name: &str) -> Result<ClusterParts, Why> {
    let mut parts = ClusterParts {
        affinity: spec.take("affinity").map(affinity).transpose()?,
        ..ClusterParts::default()
    };
    let mut monitoring = spec.sub("monitoring")?;
    parts.pod_monitor = match monitoring.take("enablePodMonitor") {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => return Err("`spec.monitoring.enablePodMonitor` is not a boolean".into()),
    };
    if let Some(r) = monitoring.take("podMonitorRelabelings") {
        parts.pod_monitor_relabelings =
            crate::take::typed(r, "spec.monitoring.podMonitorRelabelings")?;
    }
    monitoring.done()?;
    let mut backups = Backups::default();
    if let Some(backup) = spec.take("backup") {
        let mut b = Taker::new(backup, "spec.backup")?;
        let retention = b.string("retentionPolicy")?;
        let config = b.take("barmanObjectStore");
        b.done()?;
        let config = config.ok_or("a `spec.backup` without `barmanObjectStore`")?;
        let config = Taker::new(config, "spec.backup.barmanObjectStore")?;
        let mut store = configuration(config, "spec.backup.barmanObjectStore")?;
        store.retention = retention;
        backups.stores.insert(name.to_owned(), store);
        backups.barman_object_store = Some(name.to_owned());
    }
    for p in spec.list("plugins")? {
        let mut p = Taker::new(p, "spec.plugins[]")?;
        plugin_name(&mut p, "spec.plugins[]")?;
        if p.take("enabled").is_some_and(|e| e != true) {
            return Err("a disabled plugin: cfggen writes the plugins that run".into());
        }
        if p.take("isWALArchiver") != Some(Value::Bool(true)) {
            return Err("a Barman Cloud plugin that archives no WAL".into());
        }
        if backups.wal_archive.is_some() {
            return Err("two WAL archivers".into());
        }
        backups.wal_archive = Some(store_name(p.sub("parameters")?)?);
        p.done()?;
    }
    for e in spec.list("externalClusters")? {
        let mut e = Taker::new(e, "spec.externalClusters[]")?;
        let name = e
            .string("name")?
            .ok_or("an external cluster without a name")?;
        let mut p = e.sub("plugin")?;
        plugin_name(&mut p, "spec.externalClusters[].plugin")?;
        let store = store_name(p.sub("parameters")?)?;
        p.done()?;
        e.done()?;
        backups.recovery_sources.insert(name, store);
    }
    if backups.wal_archive.is_some()
        || backups.barman_object_store.is_some()
        || !backups.recovery_sources.is_empty()
    {
        if backups.wal_archive.is_some() && backups.barman_object_store.is_some() {
            return Err(
                "backups through both CloudNativePG's own Barman Cloud support and the plugin"
                    .into(),
            );
        }
        parts.backups = Some(backups);
    }
    Ok(parts)
}

fn plugin_name(p: &mut Taker, path: &str) -> Result<(), Why> {
    match p.string("name")? {
        Some(n) if n == BARMAN_CLOUD_PLUGIN => Ok(()),
        other => Err(format!(
            "`{path}.name` is `{}`: cfggen's backups are the Barman Cloud plugin's",
            other.unwrap_or_default()
        )),
    }
}

fn store_name(mut parameters: Taker) -> Result<String, Why> {
    let name = parameters
        .string(OBJECT_NAME)?
        .ok_or("a Barman Cloud plugin without `barmanObjectName`")?;
    parameters.done()?;
    Ok(name)
}

fn affinity(value: Value) -> Result<ClusterAffinity, Why> {
    let mut a = Taker::new(value, "spec.affinity")?;
    let enable_pod_anti_affinity = match a.take("enablePodAntiAffinity") {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => return Err("`spec.affinity.enablePodAntiAffinity` is not a boolean".into()),
    };
    let pod_anti_affinity_type = match a.string("podAntiAffinityType")?.as_deref() {
        None => None,
        Some("preferred") => Some(AntiAffinityType::Preferred),
        Some("required") => Some(AntiAffinityType::Required),
        Some(other) => return Err(format!("pod anti-affinity type `{other}`")),
    };
    let topology_key = a.string("topologyKey")?;
    let node_selector = a
        .strings("nodeSelector")?
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .collect();
    let tolerations = a
        .list("tolerations")?
        .into_iter()
        .map(|t| serde_json::from_value(t).map_err(|e| format!("`spec.affinity.tolerations`: {e}")))
        .collect::<Result<Vec<_>, Why>>()?;
    a.done()?;
    Ok(ClusterAffinity {
        enable_pod_anti_affinity,
        pod_anti_affinity_type,
        topology_key,
        node_selector,
        tolerations,
    })
}

/// An ObjectStore → a store of `backups.stores`, or why it stays raw.
pub(crate) fn object_store(o: &Object) -> Result<ObjectStore, Why> {
    if o.api_version() != "barmancloud.cnpg.io/v1" || o.kind() != "ObjectStore" {
        return Err(format!("{} is not a Barman Cloud ObjectStore", o.label()));
    }
    let (mut t, meta) = crate::take::object(&o.value)?;
    meta.done()
        .map_err(|why| format!("{why} (cfggen labels a cluster's stores itself)"))?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let retention = spec.string("retentionPolicy")?;
    let c = spec.sub("configuration")?;
    spec.done()?;
    let mut store = configuration(c, "spec.configuration")?;
    store.retention = retention;
    Ok(store)
}

/// A Barman Cloud store's configuration (an ObjectStore's, or a
/// Cluster's `backup.barmanObjectStore`), found at `path`.
fn configuration(mut c: Taker, path: &str) -> Result<ObjectStore, Why> {
    let destination = c
        .string("destinationPath")?
        .ok_or("a store without `destinationPath`")?;
    let endpoint = c.string("endpointURL")?;
    let wal = c
        .take("wal")
        .map(|w| crate::take::typed(w, &format!("{path}.wal")))
        .transpose()?;
    let data = c
        .take("data")
        .map(|d| crate::take::typed(d, &format!("{path}.data")))
        .transpose()?;
    let mut s3 = c.sub("s3Credentials")?;
    c.done()?;
    let mut key = |field: &str| -> Result<(String, String), Why> {
        let mut k = s3.sub(field)?;
        let name = k.string("name")?;
        let key = k.string("key")?;
        k.done()?;
        name.zip(key)
            .ok_or_else(|| format!("`{path}.s3Credentials.{field}` names no Secret key"))
    };
    let (secret, access_key_id) = key("accessKeyId")?;
    let (other, secret_access_key) = key("secretAccessKey")?;
    s3.done()?;
    if other != secret {
        return Err("its access key is in two Secrets: cfggen's store reads one".into());
    }
    Ok(ObjectStore {
        destination,
        endpoint,
        credentials: S3Credentials {
            secret,
            access_key_id,
            secret_access_key,
        },
        retention: None,
        wal,
        data,
    })
}

/// A ScheduledBackup of cluster `cluster` → a schedule of its backups, or
/// why it stays raw; of the plugin's method, or (`in_tree`: the cluster
/// backs up through CloudNativePG's own support) of that.
pub(crate) fn schedule(cluster: &str, o: &Object, in_tree: bool) -> Result<BackupSchedule, Why> {
    let (mut t, meta) = crate::take::object(&o.value)?;
    meta.done()
        .map_err(|why| format!("{why} (cfggen labels a cluster's backups itself)"))?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let mut on = spec.sub("cluster")?;
    if on.string("name")?.as_deref() != Some(cluster) {
        return Err(format!("it backs up another cluster than `{cluster}`"));
    }
    on.done()?;
    // CloudNativePG's default method is its own Barman Cloud support.
    let store = match spec.string("method")?.as_deref() {
        Some("plugin") if !in_tree => {
            let mut plugin = spec.sub("pluginConfiguration")?;
            plugin_name(&mut plugin, "spec.pluginConfiguration")?;
            let parameters = plugin.sub("parameters")?;
            let store = if parameters.is_empty() {
                None
            } else {
                Some(store_name(parameters)?)
            };
            plugin.done()?;
            store
        }
        None | Some("barmanObjectStore") if in_tree => None,
        _ => return Err("a backup of another method than the cluster's".into()),
    };
    let schedule = spec
        .string("schedule")?
        .ok_or("a ScheduledBackup without a schedule")?;
    let owner = match spec.string("backupOwnerReference")?.as_deref() {
        None => None,
        Some("none") => Some(BackupOwner::None),
        Some("self") => Some(BackupOwner::Schedule),
        Some("cluster") => Some(BackupOwner::Cluster),
        Some(other) => return Err(format!("backup owner `{other}`")),
    };
    let flag = |spec: &mut Taker, key: &str| match spec.take(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(format!("`spec.{key}` is not a boolean")),
    };
    let immediate = flag(&mut spec, "immediate")?;
    let suspend = flag(&mut spec, "suspend")?;
    spec.done()?;
    Ok(BackupSchedule {
        schedule,
        store,
        owner,
        immediate,
        suspend,
    })
}

/// The stores `backups` names, each once, in the order named.
pub(crate) fn named_stores(backups: &Backups) -> Vec<String> {
    let mut names: IndexMap<String, ()> = IndexMap::new();
    let schedules = backups.schedules.values().filter_map(|s| s.store.as_ref());
    for name in backups
        .wal_archive
        .iter()
        .chain(backups.recovery_sources.values())
        .chain(schedules)
    {
        names.insert(name.clone(), ());
    }
    // The store of the cluster's own support is in the Cluster.
    if let Some(own) = &backups.barman_object_store {
        names.shift_remove(own);
    }
    names.into_keys().collect()
}
