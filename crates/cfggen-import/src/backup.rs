//! A Cluster's backups through the Barman Cloud plugin, its affinity and
//! its monitoring → the cluster entry's `backups`, `affinity` and
//! `podMonitor`; the `ObjectStore`s and `ScheduledBackup`s it names →
//! its `backups.stores` and `backups.schedules`. Built as the model's own
//! types.

use cfggen_model::backup::{
    AntiAffinityType, BackupOwner, BackupSchedule, Backups, ClusterAffinity, ObjectStore,
    S3Credentials, BARMAN_CLOUD_PLUGIN,
};
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
    pub backups: Option<Backups>,
}

/// Takes `affinity`, `monitoring`, `plugins` and `externalClusters` out
/// of a Cluster's spec.
pub(crate) fn cluster_parts(spec: &mut Taker) -> Result<ClusterParts, Why> {
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
    monitoring.done()?;
    let mut backups = Backups::default();
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
    if backups.wal_archive.is_some() || !backups.recovery_sources.is_empty() {
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
    let mut c = spec.sub("configuration")?;
    spec.done()?;
    let destination = c
        .string("destinationPath")?
        .ok_or("an ObjectStore without `destinationPath`")?;
    let endpoint = c.string("endpointURL")?;
    let mut s3 = c.sub("s3Credentials")?;
    c.done()?;
    let mut key = |field: &str| -> Result<(String, String), Why> {
        let mut k = s3.sub(field)?;
        let name = k.string("name")?;
        let key = k.string("key")?;
        k.done()?;
        name.zip(key).ok_or_else(|| {
            format!("`spec.configuration.s3Credentials.{field}` names no Secret key")
        })
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
        retention,
    })
}

/// A ScheduledBackup of cluster `cluster` → a schedule of its backups, or
/// why it stays raw.
pub(crate) fn schedule(cluster: &str, o: &Object) -> Result<BackupSchedule, Why> {
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
    if spec.string("method")?.as_deref() != Some("plugin") {
        return Err("a backup of another method than the Barman Cloud plugin".into());
    }
    let mut plugin = spec.sub("pluginConfiguration")?;
    plugin_name(&mut plugin, "spec.pluginConfiguration")?;
    let parameters = plugin.sub("parameters")?;
    let store = if parameters.is_empty() {
        None
    } else {
        Some(store_name(parameters)?)
    };
    plugin.done()?;
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
    names.into_keys().collect()
}
