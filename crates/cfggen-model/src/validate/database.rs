//! Rules about databases: on a declared cluster, the password a declared
//! field, connection variables set once, and no two apps claiming one
//! role or database of a cluster.

use std::collections::HashMap;

use super::claims::Apps;
use super::secrets::{check_item_title, check_secret_ref};
use super::{Checker, Target};
use crate::app::App;
use crate::database::Database;
use crate::{suggest, FieldPath};

/// The database: on a declared cluster, its password a declared field,
/// its connection variables set once, for components the app has.
pub(super) fn check_database(
    c: &mut Checker<'_>,
    name: &str,
    app: &App,
    db: &Database,
    base: &FieldPath,
) {
    let dpath = base.key("database");
    if let Some(creation) = &db.creation {
        check_creation(c, creation, &dpath.key("creation"));
    }
    if !c.env.postgres.contains_key(&db.cluster) {
        let hint = suggest::hint(&db.cluster, c.env.postgres.keys().map(String::as_str))
            .or_else(|| Some("declare the cluster under `postgres:`".into()));
        c.push(
            "undeclared-cluster",
            dpath.key("cluster"),
            Target::Value,
            format!("database of app `{name}` is on cluster `{}`, which the environment does not declare", db.cluster),
            "not a key of `postgres`",
            hint,
        );
    }
    check_secret_ref(
        c,
        app,
        &db.password,
        dpath.key("password"),
        "the database password",
    );
    for (i, cname) in db.components.iter().flatten().enumerate() {
        if !app.components.contains_key(cname) {
            c.push(
                "unknown-component",
                dpath.key("components").index(i),
                Target::Value,
                format!("database connection settings go to component `{cname}`, which app `{name}` does not have"),
                "not one of the app's components",
                suggest::hint(cname, app.components.keys().map(String::as_str)),
            );
        }
    }
    for (field, var) in db.env.iter() {
        for (cname, comp) in app.components.iter().filter(|(cname, _)| db.reaches(cname)) {
            if comp.container.env.contains_key(var) {
                c.push(
                    "env-conflict",
                    base.key("components").key(cname).key("env").key(var),
                    Target::Key,
                    format!("`{var}` is set here and also by the database connection (`apps.{name}.database.env.{field}`)"),
                    "set twice",
                    Some(format!("remove `{var}` here; cfggen sets it from the database declaration")),
                );
            }
        }
    }
}

pub(super) fn check_roles(c: &mut Checker<'_>, apps: &Apps<'_>) {
    let mut roles: HashMap<(&str, &str), &str> = HashMap::new();
    let mut dbs: HashMap<(&str, &str), &str> = HashMap::new();
    for (name, claims) in apps {
        let Some(db) = &claims.database else { continue };
        let dpath = FieldPath::of(&["apps", name, "database"]);
        let (owner, owner_set) = (&db.owner.0, db.owner.1);
        if let Some(first) = roles.insert((&db.cluster, owner), name) {
            let (at, target) = set_or_entry(&dpath, "owner", owner_set);
            c.push(
                "duplicate-role",
                at,
                target,
                format!(
                    "apps `{first}` and `{name}` both claim role `{owner}` on cluster `{}`",
                    db.cluster
                ),
                "role already claimed",
                Some("each app owns its own role; set a different `owner`".into()),
            );
        }
        let (dbname, name_set) = (&db.name.0, db.name.1);
        if let Some(first) = dbs.insert((&db.cluster, dbname), name) {
            let (at, target) = set_or_entry(&dpath, "name", name_set);
            c.push(
                "duplicate-database",
                at,
                target,
                format!(
                    "apps `{first}` and `{name}` both claim database `{dbname}` on cluster `{}`",
                    db.cluster
                ),
                "database already claimed",
                Some("set a different `name`".into()),
            );
        }
    }
}

/// A Postgres cluster: a remote one renders nothing here, so it names its
/// host and sets nothing else that is rendered; a standalone role's name
/// is no app's role, and its 1Password name can be carried by a reference.
pub(super) fn check_cluster(
    c: &mut Checker<'_>,
    apps: &Apps<'_>,
    name: &str,
    cluster: &crate::environment::PostgresCluster,
) {
    let path = FieldPath::of(&["postgres", name]);
    if !cluster.remote && cluster.storage.is_none() {
        c.push(
            "missing-field",
            path.clone(),
            Target::Key,
            format!("`postgres.{name}` is missing the field `storage`"),
            "`storage` is missing here",
            Some("add `storage: {size: 10Gi}`: the volume of each instance (only a `remote` cluster has none)".into()),
        );
    }
    if cluster.remote {
        if cluster.host.is_none() {
            c.push(
                "remote-cluster",
                path.key("remote"),
                Target::Key,
                format!("cluster `{name}` runs elsewhere, so apps need its `host`"),
                "no host to connect to",
                Some("set `host` to the address apps reach it at".into()),
            );
        }
        let rendered = [
            ("roles", !cluster.roles.is_empty()),
            ("databases", !cluster.databases.is_empty()),
            ("initdb", cluster.initdb.is_some()),
            ("service", cluster.service.is_some()),
            ("synchronous", cluster.synchronous.is_some()),
            (
                "sharedPreloadLibraries",
                !cluster.shared_preload_libraries.is_empty(),
            ),
            ("minSyncReplicas", cluster.min_sync_replicas.is_some()),
            ("maxSyncReplicas", cluster.max_sync_replicas.is_some()),
            ("affinity", cluster.affinity.is_some()),
            ("podMonitor", cluster.pod_monitor.is_some()),
            (
                "podMonitorRelabelings",
                !cluster.pod_monitor_relabelings.is_empty(),
            ),
            ("backups", cluster.backups.is_some()),
        ];
        for (field, set) in rendered {
            if set {
                c.push(
                    "remote-cluster",
                    path.key(field),
                    Target::Key,
                    format!("cluster `{name}` runs elsewhere, and cfggen renders none of its objects here, so `{field}` would do nothing"),
                    "not rendered for a remote cluster",
                    Some("set it in the environment that runs the cluster".into()),
                );
            }
        }
    }
    let standbys = cluster.instances.saturating_sub(1);
    let too_many = cluster.synchronous.as_ref().filter(|s| s.number > standbys);
    if let Some(sync) = too_many.filter(|_| !cluster.remote) {
        c.push(
            "synchronous-standbys",
            path.key("synchronous").key("number"),
            Target::Value,
            format!(
                "cluster `{name}` waits for {} synchronous standbys, and with {} instances it has {}",
                sync.number,
                cluster.instances,
                match standbys {
                    0 => "none".to_owned(),
                    1 => "1 standby".to_owned(),
                    n => format!("{n} standbys"),
                }
            ),
            "more than the cluster's standbys",
            Some(if standbys == 0 {
                "raise `instances`, or remove `synchronous`: a single instance has no standby".to_owned()
            } else {
                format!("set `number` to at most {standbys}, or raise `instances`")
            }),
        );
    }
    if !cluster.remote {
        check_sync_replicas(c, name, cluster, &path);
    }
    check_standalone_roles(c, apps, name, cluster);
    check_standalone_databases(c, apps, name, cluster);
}

/// The earlier synchronous replication: not with `synchronous`, at most
/// as many standbys as the cluster has, the fewest not above the most.
fn check_sync_replicas(
    c: &mut Checker<'_>,
    name: &str,
    cluster: &crate::environment::PostgresCluster,
    path: &FieldPath,
) {
    let (min, max) = (cluster.min_sync_replicas, cluster.max_sync_replicas);
    let set = if min.is_some() {
        "minSyncReplicas"
    } else {
        "maxSyncReplicas"
    };
    if cluster.synchronous.is_some() && (min.is_some() || max.is_some()) {
        c.push(
            "sync-replicas",
            path.key(set),
            Target::Key,
            format!("cluster `{name}` sets both `synchronous` and `{set}`"),
            "two ways of synchronous replication",
            Some("keep `synchronous`, CloudNativePG's current form, and remove `minSyncReplicas` and `maxSyncReplicas`".into()),
        );
        return;
    }
    let standbys = cluster.instances.saturating_sub(1);
    if let Some(max) = max.filter(|m| *m > standbys) {
        c.push(
            "sync-replicas",
            path.key("maxSyncReplicas"),
            Target::Value,
            format!(
                "cluster `{name}` waits for up to {max} synchronous standbys, and with {} instances it has {standbys}",
                cluster.instances
            ),
            "more than the cluster's standbys",
            Some(format!("set it to at most {standbys}, or raise `instances`")),
        );
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            c.push(
                "sync-replicas",
                path.key("minSyncReplicas"),
                Target::Value,
                format!(
                    "cluster `{name}` has `minSyncReplicas` {min} above `maxSyncReplicas` {max}"
                ),
                "above the most",
                Some(format!("set it to at most {max}")),
            );
        }
    }
}

/// The roles of no app: no app's role, one password, and a 1Password
/// name a reference can carry.
fn check_standalone_roles(
    c: &mut Checker<'_>,
    apps: &Apps<'_>,
    name: &str,
    cluster: &crate::environment::PostgresCluster,
) {
    let path = FieldPath::of(&["postgres", name]);
    for (role_name, role) in &cluster.roles {
        let rpath = path.key("roles").key(role_name);
        if let Some(app) = apps
            .iter()
            .find(|(_, claims)| {
                claims
                    .database
                    .as_ref()
                    .is_some_and(|db| db.cluster == name && db.owner.0 == *role_name)
            })
            .map(|(app_name, _)| *app_name)
        {
            c.push(
                "duplicate-role",
                rpath.clone(),
                Target::Key,
                format!("role `{role_name}` of cluster `{name}` is also the role of app `{app}`'s database"),
                "role already claimed",
                Some("rename the standalone role".into()),
            );
        }
        if role.password.is_some() && role.password_secret.is_some() {
            c.push(
                "role-password",
                rpath.key("passwordSecret"),
                Target::Key,
                format!("role `{role_name}` of cluster `{name}` has both a 1Password `password` and a `passwordSecret`"),
                "a role has one password",
                Some("keep `password` to have cfggen make the Secret from 1Password, or `passwordSecret` to use one made elsewhere".into()),
            );
        }
        if let Some(password) = &role.password {
            check_item_title(c, &rpath.key("password").key("item"), &password.as_item());
        }
    }
}

/// The databases of no app: each owned by a role the cluster has, and
/// named apart from every app's database.
fn check_standalone_databases(
    c: &mut Checker<'_>,
    apps: &Apps<'_>,
    name: &str,
    cluster: &crate::environment::PostgresCluster,
) {
    let path = FieldPath::of(&["postgres", name, "databases"]);
    let app_dbs: Vec<(&str, &str, &str)> = apps
        .iter()
        .filter_map(|(app_name, claims)| {
            let db = claims.database.as_ref().filter(|db| db.cluster == name)?;
            Some((*app_name, db.name.0.as_str(), db.owner.0.as_str()))
        })
        .collect();
    let mut roles: Vec<&str> = cluster.roles.keys().map(String::as_str).collect();
    roles.extend(app_dbs.iter().map(|(_, _, owner)| *owner));
    roles.push(cluster.initdb_owner());
    for (db_name, db) in &cluster.databases {
        let dpath = path.key(db_name);
        if let Some(creation) = &db.creation {
            check_creation(c, creation, &dpath.key("creation"));
        }
        if !roles.contains(&db.owner.as_str()) {
            c.push(
                "unknown-role",
                dpath.key("owner"),
                Target::Value,
                format!("database `{db_name}` of cluster `{name}` is owned by role `{}`, which the cluster does not have", db.owner),
                "not a role of the cluster",
                suggest::hint(&db.owner, roles.iter().copied()).or_else(|| {
                    Some(format!("declare the role under `postgres.{name}.roles`"))
                }),
            );
        }
        if let Some((app_name, _, _)) = app_dbs.iter().find(|(_, n, _)| n == db_name) {
            c.push(
                "duplicate-database",
                dpath.clone(),
                Target::Key,
                format!(
                    "database `{db_name}` of cluster `{name}` is also app `{app_name}`'s database"
                ),
                "database already claimed",
                Some("remove one of them: an app's database is declared once, with the app".into()),
            );
        }
    }
}

/// A database's creation settings, as PostgreSQL takes them.
pub(super) fn check_creation(
    c: &mut Checker<'_>,
    creation: &crate::database::DatabaseCreation,
    path: &FieldPath,
) {
    for (field, why) in creation.problems() {
        c.push(
            "database-locale",
            path.key(field),
            Target::Key,
            format!("{why}: PostgreSQL refuses to make the database so"),
            "not with this locale provider",
            Some(
                "set `localeProvider` to the provider the field belongs to, or drop the field"
                    .into(),
            ),
        );
    }
}

/// Every `Database` object an environment renders (its apps' and its
/// clusters' own) has a name of its own in its namespace.
pub(super) fn check_database_objects(c: &mut Checker<'_>, apps: &Apps<'_>) {
    use crate::environment::PostgresCluster;
    let env = c.env;
    // (namespace, object name) → (where it is declared, cluster, database).
    let mut seen: HashMap<(&str, String), (String, &str, &str)> = HashMap::new();
    let local = |cluster: &str| env.postgres.get(cluster).filter(|p| !p.remote);
    for (app_name, claims) in apps {
        let Some(db) = &claims.database else { continue };
        let Some(pg) = local(&db.cluster) else {
            continue;
        };
        let name = db.name.0.as_str();
        let object = PostgresCluster::object_name(&db.cluster, name);
        seen.entry((pg.namespace.as_str(), object))
            .or_insert_with(|| (format!("apps.{app_name}.database"), &db.cluster, name));
    }
    for (name, pg) in env.postgres.iter().filter(|(_, p)| !p.remote) {
        for (db_name, db) in &pg.databases {
            let dpath = FieldPath::of(&["postgres", name, "databases", db_name]);
            let object = db.object_name(name, db_name);
            match seen.get(&(pg.namespace.as_str(), object.clone())) {
                // The same database twice is `duplicate-database`.
                Some((_, cluster, database)) if cluster == name && database == db_name => {}
                Some((first, _, _)) => {
                    let (at, target) = set_or_entry(&dpath, "objectName", db.object_name.is_some());
                    c.push(
                        "name-conflict",
                        at,
                        target,
                        format!("Database `{object}` in namespace `{}` is also the Database of `{first}`", pg.namespace),
                        "same name as another object",
                        Some("set another `objectName`".into()),
                    );
                }
                None => {
                    seen.insert(
                        (pg.namespace.as_str(), object),
                        (dpath.to_string(), name, db_name),
                    );
                }
            }
        }
    }
}

/// Where a problem of an optional field is shown: the field's value when
/// it is set, else the entry whose default it is.
fn set_or_entry(entry: &FieldPath, field: &str, set: bool) -> (FieldPath, Target) {
    if set {
        (entry.key(field), Target::Value)
    } else {
        (entry.clone(), Target::Key)
    }
}
