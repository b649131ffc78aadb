//! Rules about a cluster's backups: the stores it names are its own, a
//! schedule has six fields and a store to go to, the credentials' keys
//! are in the Secret when cfggen makes it, and no two clusters of one
//! namespace make objects of one name.

use super::claims::Apps;
use super::{Checker, Target};
use crate::backup::{is_six_field_cron, Backups};
use crate::environment::PostgresCluster;
use crate::{suggest, FieldPath};

/// The backups of cluster `name`, when it has any.
pub(super) fn check_backups(
    c: &mut Checker<'_>,
    apps: &Apps<'_>,
    name: &str,
    cluster: &PostgresCluster,
) {
    let Some(backups) = &cluster.backups else {
        return;
    };
    let path = FieldPath::of(&["postgres", name, "backups"]);
    if let Some(store) = &backups.wal_archive {
        check_store_named(c, name, backups, store, path.key("walArchive"));
    }
    if let Some(store) = &backups.barman_object_store {
        check_store_named(c, name, backups, store, path.key("barmanObjectStore"));
        check_in_tree(c, name, backups, store, &path);
    }
    for (source, store) in &backups.recovery_sources {
        check_store_named(
            c,
            name,
            backups,
            store,
            path.key("recoverySources").key(source),
        );
    }
    for (schedule_name, schedule) in &backups.schedules {
        let spath = path.key("schedules").key(schedule_name);
        if !is_six_field_cron(&schedule.schedule) {
            c.push(
                "backup-schedule",
                spath.key("schedule"),
                Target::Value,
                format!(
                    "schedule `{}` of backup `{schedule_name}` is not a cron schedule of six fields",
                    schedule.schedule
                ),
                "not six cron fields",
                Some("CloudNativePG's schedules start with the seconds: `0 0 2 * * *` is every day at 02:00".into()),
            );
        }
        if let Some(store) = &schedule.store {
            check_store_named(c, name, backups, store, spath.key("store"));
        }
        // A plugin backup needs the plugin on the cluster, which the
        // WAL archive puts there; else the cluster's own Barman Cloud
        // support takes it.
        if backups.wal_archive.is_none() && backups.barman_object_store.is_none() {
            c.push(
                "backup-schedule",
                spath.clone(),
                Target::Key,
                format!("backup `{schedule_name}` of cluster `{name}` needs the Barman Cloud plugin on the cluster, and the cluster archives its write-ahead log to no store"),
                "no `walArchive` or `barmanObjectStore`",
                Some("set `walArchive` to one of `stores`: the Barman Cloud plugin takes base backups of a cluster that archives its write-ahead log with it".into()),
            );
        }
    }
    for (store_name, store) in &backups.stores {
        check_credentials(c, apps, cluster, store_name, store, &path);
    }
    check_names_apart(c, name, cluster, backups, &path);
}

/// The store of CloudNativePG's own Barman Cloud support is the
/// cluster's one archive, and only the cluster reads it: the plugin's
/// objects (a WAL archiver, a recovery source, a schedule to another
/// store) do not go with it.
fn check_in_tree(
    c: &mut Checker<'_>,
    name: &str,
    backups: &Backups,
    store: &str,
    path: &FieldPath,
) {
    let mut plugin_uses: Vec<(FieldPath, String)> = Vec::new();
    if backups.wal_archive.is_some() {
        plugin_uses.push((path.key("walArchive"), "the plugin's WAL archive".into()));
    }
    for (source, _) in backups.recovery_sources.iter() {
        plugin_uses.push((
            path.key("recoverySources").key(source),
            format!("recovery source `{source}`, which the plugin reads"),
        ));
    }
    for (schedule_name, schedule) in &backups.schedules {
        if schedule.store.as_deref().is_some_and(|s| s != store) {
            plugin_uses.push((
                path.key("schedules").key(schedule_name).key("store"),
                format!("backup `{schedule_name}` to another store, which the plugin takes"),
            ));
        }
    }
    for (at, what) in plugin_uses {
        c.push(
            "backup-store",
            at,
            Target::Key,
            format!("cluster `{name}` backs up through CloudNativePG's own Barman Cloud support (`barmanObjectStore`), and also has {what}"),
            "not with `barmanObjectStore`",
            Some("move the cluster's backups to the plugin (`walArchive`), or keep to its one `barmanObjectStore` store".into()),
        );
    }
}

/// `store`, named at `at`, is one of the cluster's stores.
fn check_store_named(
    c: &mut Checker<'_>,
    name: &str,
    backups: &Backups,
    store: &str,
    at: FieldPath,
) {
    if backups.stores.contains_key(store) {
        return;
    }
    let hint = suggest::hint(store, backups.stores.keys().map(String::as_str))
        .or_else(|| Some("declare it under `stores`".into()));
    c.push(
        "backup-store",
        at,
        Target::Value,
        format!(
            "cluster `{name}` names store `{store}`, which its `backups.stores` does not declare"
        ),
        "not a key of `stores`",
        hint,
    );
}

/// The credentials' keys are in their Secret, when an app of the
/// cluster's namespace makes it.
fn check_credentials(
    c: &mut Checker<'_>,
    apps: &Apps<'_>,
    cluster: &PostgresCluster,
    store_name: &str,
    store: &crate::backup::ObjectStore,
    path: &FieldPath,
) {
    let creds = &store.credentials;
    let made = apps.iter().find_map(|(_, claims)| {
        claims
            .secret_keys
            .iter()
            .find(|(ns, secret, _)| *ns == cluster.namespace && *secret == creds.secret)
            .map(|(_, _, keys)| keys)
    });
    let Some(keys) = made else {
        return;
    };
    let cpath = path.key("stores").key(store_name).key("credentials");
    for (field, key) in [
        ("accessKeyId", &creds.access_key_id),
        ("secretAccessKey", &creds.secret_access_key),
    ] {
        if keys.iter().any(|k| k == key) {
            continue;
        }
        c.push(
            "backup-credentials",
            cpath.key(field),
            Target::Value,
            format!("Secret `{}` has no key `{key}`", creds.secret),
            "not a key of the Secret",
            suggest::hint(key, keys.iter().map(String::as_str))
                .or_else(|| Some(format!("its keys: {}", keys.join(", ")))),
        );
    }
}

/// The stores of `backups` made as ObjectStores: all but the one of
/// CloudNativePG's own support, which is in the Cluster.
fn object_stores(backups: &Backups) -> impl Iterator<Item = &String> {
    backups
        .stores
        .keys()
        .filter(move |s| backups.barman_object_store.as_ref() != Some(*s))
}

/// No ObjectStore or ScheduledBackup of this cluster has the name of one
/// an earlier cluster of its namespace makes.
fn check_names_apart(
    c: &mut Checker<'_>,
    name: &str,
    cluster: &PostgresCluster,
    backups: &Backups,
    path: &FieldPath,
) {
    let earlier = c
        .env
        .postgres
        .iter()
        .take_while(|(other, _)| other.as_str() != name)
        .filter(|(_, o)| o.namespace == cluster.namespace && !o.remote)
        .filter_map(|(other, o)| Some((other.clone(), o.backups.clone()?)))
        .collect::<Vec<_>>();
    for (other, theirs) in earlier {
        let pairs = [
            (
                "stores",
                "ObjectStore",
                object_stores(backups)
                    .filter(|s| object_stores(&theirs).any(|t| t == *s))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            (
                "schedules",
                "ScheduledBackup",
                backups
                    .schedules
                    .keys()
                    .filter(|s| theirs.schedules.contains_key(*s))
                    .cloned()
                    .collect(),
            ),
        ];
        for (field, kind, clashes) in pairs {
            for clash in clashes {
                c.push(
                    "backup-name",
                    path.key(field).key(&clash),
                    Target::Key,
                    format!(
                        "cluster `{other}` in namespace `{}` also makes {kind} `{clash}`",
                        cluster.namespace
                    ),
                    "a name another cluster's backups have",
                    Some(format!("name it after its cluster, e.g. `{name}-{clash}`")),
                );
            }
        }
    }
}
