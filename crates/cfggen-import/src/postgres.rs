//! CloudNativePG → the environment's `postgres:` entries: a `Cluster`
//! whose every field the cluster model has, its managed roles (a role's
//! password from 1Password when the input's ExternalSecret is the one
//! cfggen writes for it, else the Secret it names, made elsewhere), and
//! the `Database`s on it, keeping their object names. What does not fit
//! stays with its namespace's app, raw with the reason, as any object.

use std::collections::BTreeMap;

use cfggen_model::backup::Backups;
use cfggen_model::database::RoleAttributes;
use cfggen_model::environment::{InitDb, PostgresCluster};
use serde_json::{Map, Value};

use crate::convert::{Options, Typed};
use crate::read::Object;
use crate::take::{Taker, Why};

/// One cluster to write under `postgres:`.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    /// The cluster's name (its `postgres` key).
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The entry in the environment file's form.
    pub body: Value,
    /// What became typed, with the field under `postgres.<name>`.
    pub typed: Vec<Typed>,
    /// The objects of the input that it holds.
    pub objects: Vec<Object>,
}

impl ClusterPlan {
    /// The prefix of the field paths of its entry, for diagnostics.
    pub fn scope(name: &str) -> String {
        format!("postgres.{name}")
    }
}

/// The cluster a Database or a ScheduledBackup is on (`spec.cluster.name`).
fn cluster_of(o: &Object) -> &str {
    o.value
        .pointer("/spec/cluster/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn is_cnpg(o: &Object, kind: &str) -> bool {
    o.api_version() == "postgresql.cnpg.io/v1" && o.kind() == kind
}

/// Takes out of `objects` every Cluster that can be typed, with the
/// ExternalSecrets of its roles' passwords and its Databases; what is
/// left goes to the apps. `namespace` is where an object that names none
/// is; `force_raw` names objects (under [`ClusterPlan::scope`]) that
/// cfggen's rules refused in a typed form before. Also returns why some
/// of the objects left stay raw (`Kind name` → reason): a second Cluster
/// of a name, a role's password ExternalSecret cfggen would not write.
pub(crate) fn take(
    objects: Vec<Object>,
    options: &Options,
    namespace: &str,
    force_raw: &BTreeMap<(String, String), String>,
) -> (Vec<ClusterPlan>, Vec<Object>, BTreeMap<String, Why>) {
    let mut pool = Pool {
        claimed: vec![false; objects.len()],
        objects: &objects,
        namespace,
        force_raw,
        reasons: BTreeMap::new(),
    };
    let mut plans: Vec<ClusterPlan> = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let scope = ClusterPlan::scope(o.name());
        if !is_cnpg(o, "Cluster") || pool.refused(&scope, o) {
            continue;
        }
        // One `postgres` entry per name.
        if plans.iter().any(|p| p.name == o.name()) {
            pool.reasons.insert(
                o.label(),
                format!(
                    "a second Cluster `{}`: the environment's clusters are named apart",
                    o.name()
                ),
            );
            continue;
        }
        let ns = pool.ns_of(o);
        let Ok((mut body, roles, backups)) = cluster(&o.value, &ns) else {
            continue;
        };
        let backups = match backups.map(|b| pool.backups(o, &ns, b)).transpose() {
            Ok(b) => b,
            Err(why) => {
                pool.reasons.insert(o.label(), why);
                continue;
            }
        };
        let mut plan = ClusterPlan {
            name: o.name().to_owned(),
            namespace: ns,
            body: Value::Null,
            typed: vec![Typed {
                object: o.label(),
                field: scope,
            }],
            objects: vec![o.clone()],
        };
        pool.claimed[i] = true;
        let mut typed_roles = Map::new();
        for (role, mut entry, secret) in roles {
            if let Some(secret) = secret {
                let (key, value) = pool.role_password(&mut plan, &role, secret, options);
                entry.insert(key.into(), value);
            }
            typed_roles.insert(role, Value::Object(entry));
        }
        let owners: Vec<String> = typed_roles
            .keys()
            .cloned()
            .chain([initdb_owner(&body)])
            .collect();
        let databases = pool.databases(&mut plan, &owners);
        if !typed_roles.is_empty() {
            body.insert("roles".into(), Value::Object(typed_roles));
        }
        if !databases.is_empty() {
            body.insert("databases".into(), Value::Object(databases));
        }
        if let Some((backups, objects)) = backups {
            pool.claim_backups(&mut plan, objects);
            if let Ok(v) = serde_json::to_value(&backups) {
                body.insert("backups".into(), v);
            }
        }
        plan.body = Value::Object(body);
        plans.push(plan);
    }
    let Pool {
        claimed, reasons, ..
    } = pool;
    let rest = objects
        .into_iter()
        .zip(claimed)
        .filter(|(_, c)| !c)
        .map(|(o, _)| o)
        .collect();
    (plans, rest, reasons)
}

/// The input's objects as clusters claim them.
struct Pool<'a> {
    objects: &'a [Object],
    /// Taken into a cluster's entry.
    claimed: Vec<bool>,
    namespace: &'a str,
    force_raw: &'a BTreeMap<(String, String), String>,
    /// Why objects left to the apps stay raw.
    reasons: BTreeMap<String, Why>,
}

impl Pool<'_> {
    fn ns_of(&self, o: &Object) -> String {
        o.namespace().unwrap_or(self.namespace).to_owned()
    }

    fn refused(&self, scope: &str, o: &Object) -> bool {
        self.force_raw.contains_key(&(scope.to_owned(), o.label()))
    }

    /// A role's password: from 1Password when the ExternalSecret of the
    /// Secret it names is the one cfggen writes for it (claimed), else the
    /// Secret by name.
    fn role_password(
        &mut self,
        plan: &mut ClusterPlan,
        role: &str,
        secret: String,
        options: &Options,
    ) -> (&'static str, Value) {
        let scope = ClusterPlan::scope(&plan.name);
        let own = PostgresCluster::object_name(&plan.name, role) == secret;
        let found = self.objects.iter().enumerate().find(|(j, e)| {
            !self.claimed[*j]
                && own
                && e.api_version() == "external-secrets.io/v1"
                && e.kind() == "ExternalSecret"
                && e.name() == secret
                && self.ns_of(e) == plan.namespace
                && !self.refused(&scope, e)
        });
        let Some((j, e)) = found else {
            return ("passwordSecret", Value::String(secret));
        };
        let store = options.onepassword.as_ref();
        match crate::secret::role_password(&secret, role, &e.value, store) {
            Ok(password) => {
                self.claimed[j] = true;
                plan.typed.push(Typed {
                    object: e.label(),
                    field: format!("{scope}.roles.{role}.password"),
                });
                plan.objects.push(e.clone());
                ("password", password)
            }
            Err(why) => {
                self.reasons.insert(
                    e.label(),
                    format!("the password of role `{role}` of cluster `{}`, kept as its `passwordSecret`: {why}", plan.name),
                );
                ("passwordSecret", Value::String(secret))
            }
        }
    }

    /// The cluster `o`'s backups whole: each store it names an
    /// ObjectStore of its namespace, with the ScheduledBackups of it; and
    /// the objects they come from (to claim), or why the cluster stays
    /// raw.
    fn backups(
        &self,
        o: &Object,
        ns: &str,
        mut backups: Backups,
    ) -> Result<(Backups, Vec<(usize, String)>), Why> {
        let scope = ClusterPlan::scope(o.name());
        let mut objects = Vec::new();
        let here = |j: usize, e: &Object, kind: &str| {
            !self.claimed[j] && e.kind() == kind && self.ns_of(e) == ns && !self.refused(&scope, e)
        };
        let in_tree = backups.barman_object_store.is_some();
        if backups.wal_archive.is_some() || in_tree {
            for (j, e) in self.objects.iter().enumerate() {
                let mine = here(j, e, "ScheduledBackup")
                    && is_cnpg(e, "ScheduledBackup")
                    && cluster_of(e) == o.name();
                if !mine {
                    continue;
                }
                // One to a store not in the input stays raw, the cluster
                // typed.
                let has_store = |s: &str| {
                    self.objects.iter().enumerate().any(|(k, x)| {
                        here(k, x, "ObjectStore")
                            && x.api_version() == "barmancloud.cnpg.io/v1"
                            && x.name() == s
                    })
                };
                let schedule = crate::backup::schedule(o.name(), e, in_tree)
                    .ok()
                    .filter(|s| s.store.as_deref().is_none_or(has_store));
                if let Some(schedule) = schedule {
                    backups.schedules.insert(e.name().to_owned(), schedule);
                    objects.push((j, format!("schedules.{}", e.name())));
                }
            }
        }
        for store in crate::backup::named_stores(&backups) {
            let found = self.objects.iter().enumerate().find(|(j, e)| {
                here(*j, e, "ObjectStore")
                    && e.api_version() == "barmancloud.cnpg.io/v1"
                    && e.name() == store
            });
            let Some((j, e)) = found else {
                return Err(format!(
                    "its backups go to store `{store}`, which is not an ObjectStore of the input in namespace `{ns}`"
                ));
            };
            let typed = crate::backup::object_store(e)
                .map_err(|why| format!("its backup store `{store}`: {why}"))?;
            backups.stores.insert(store.clone(), typed);
            objects.push((j, format!("stores.{store}")));
        }
        Ok((backups, objects))
    }

    /// Claims the objects of a cluster's backups.
    fn claim_backups(&mut self, plan: &mut ClusterPlan, objects: Vec<(usize, String)>) {
        let scope = ClusterPlan::scope(&plan.name);
        for (j, field) in objects {
            let e = &self.objects[j];
            self.claimed[j] = true;
            plan.typed.push(Typed {
                object: e.label(),
                field: format!("{scope}.backups.{field}"),
            });
            plan.objects.push(e.clone());
        }
    }

    /// The Databases on the cluster owned by one of `owners`, one per
    /// name (claimed).
    fn databases(&mut self, plan: &mut ClusterPlan, owners: &[String]) -> Map<String, Value> {
        let scope = ClusterPlan::scope(&plan.name);
        let mut databases = Map::new();
        for (j, d) in self.objects.iter().enumerate() {
            let here = is_cnpg(d, "Database") && self.ns_of(d) == plan.namespace;
            if self.claimed[j] || !here || self.refused(&scope, d) {
                continue;
            }
            let Ok((db_name, entry)) = database(&plan.name, &d.value) else {
                continue;
            };
            let owner = entry.get("owner").and_then(Value::as_str).unwrap_or("");
            if databases.contains_key(&db_name) || !owners.iter().any(|o| o == owner) {
                continue;
            }
            self.claimed[j] = true;
            plan.typed.push(Typed {
                object: d.label(),
                field: format!("{scope}.databases.{db_name}"),
            });
            plan.objects.push(d.clone());
            databases.insert(db_name, Value::Object(entry));
        }
        databases
    }
}

/// A database of no app becomes an app's `database` when the app is in
/// the input: its owner's password is read from 1Password by the
/// ExternalSecret cfggen writes for it, and exactly one app has a secret
/// with that item and field (no section), which is then the database's
/// `password`. The owner must own no other database, the Database keep
/// cfggen's name for it, and the app have no database yet.
pub(crate) fn link_databases(clusters: &mut [ClusterPlan], apps: &mut [crate::convert::AppPlan]) {
    for c in clusters.iter_mut() {
        let scope = ClusterPlan::scope(&c.name);
        let Some(body) = c.body.as_object_mut() else {
            continue;
        };
        let databases: Vec<(String, Map<String, Value>)> = body
            .get("databases")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_object()?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        for (db_name, entry) in databases {
            let owner = entry
                .get("owner")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let owns_one = databases_of(body, &owner) == 1;
            let role = body.get("roles").and_then(|r| r.get(&owner)).cloned();
            let Some(password) = role.as_ref().and_then(|r| r.get("password")) else {
                continue;
            };
            // cfggen writes the comment of an app's role itself.
            let commented = role.as_ref().is_some_and(|r| r.get("comment").is_some());
            if !owns_one || commented || entry.contains_key("objectName") {
                continue;
            }
            let (item, field) = (password.get("item"), password.get("field"));
            let readers: Vec<(usize, String)> = apps
                .iter()
                .enumerate()
                .filter(|(_, a)| a.body.get("database").is_none())
                .flat_map(|(i, a)| {
                    let secrets = a.body.get("secrets").and_then(Value::as_object);
                    secrets
                        .into_iter()
                        .flatten()
                        .filter(|(_, s)| {
                            s.get("item") == item
                                && field.and_then(Value::as_str).is_some_and(|f| {
                                    s.pointer(&format!("/fields/{f}"))
                                        .is_some_and(|x| x.get("section").is_none())
                                })
                        })
                        .map(move |(name, _)| (i, name.clone()))
                })
                .collect();
            let [(i, secret)] = readers.as_slice() else {
                continue;
            };
            let app = &mut apps[*i];
            let mut db = Map::new();
            db.insert("cluster".into(), c.name.clone().into());
            if db_name != app.name {
                db.insert("name".into(), db_name.clone().into());
            }
            if owner != db_name {
                db.insert("owner".into(), owner.clone().into());
            }
            if let Some(attributes) = role.as_ref().and_then(|r| r.get("attributes")) {
                db.insert("role".into(), attributes.clone());
            }
            if let Some(ext) = entry.get("extensions") {
                db.insert("extensions".into(), ext.clone());
            }
            let field = field.and_then(Value::as_str).unwrap_or_default();
            db.insert("password".into(), format!("{secret}/{field}").into());
            if let Some(a) = app.body.as_object_mut() {
                a.insert("database".into(), Value::Object(db));
            }
            let to = format!("apps.{}.database", app.name);
            for t in &mut c.typed {
                if t.field == format!("{scope}.databases.{db_name}") {
                    t.field.clone_from(&to);
                } else if t.field == format!("{scope}.roles.{owner}.password") {
                    t.field = format!("{to}.password");
                }
            }
            for key in ["databases", "roles"] {
                let name = if key == "roles" { &owner } else { &db_name };
                if let Some(m) = body.get_mut(key).and_then(Value::as_object_mut) {
                    m.shift_remove(name);
                    if m.is_empty() {
                        body.shift_remove(key);
                    }
                }
            }
        }
    }
}

/// How many of a cluster entry's databases `owner` owns.
fn databases_of(body: &Map<String, Value>, owner: &str) -> usize {
    body.get("databases")
        .and_then(Value::as_object)
        .map_or(0, |m| {
            m.values()
                .filter(|d| d.get("owner").and_then(Value::as_str) == Some(owner))
                .count()
        })
}

/// Why a Cluster or a Database in `objects` stays raw, when it does: the
/// reason for the apps' report.
pub(crate) fn why_raw(
    o: &Object,
    namespace: &str,
    typed: &[ClusterPlan],
    refused: &BTreeMap<(String, String), String>,
) -> Option<Why> {
    if is_cnpg(o, "Cluster") {
        if let Some(why) = refused.get(&(ClusterPlan::scope(o.name()), o.label())) {
            return Some(why.clone());
        }
        return Some(
            match cluster(&o.value, o.namespace().unwrap_or(namespace)) {
                Err(why) => why,
                Ok(_) => "cfggen's rules refuse its typed form".into(),
            },
        );
    }
    if o.api_version() == "barmancloud.cnpg.io/v1" && o.kind() == "ObjectStore" {
        return Some(match crate::backup::object_store(o) {
            Err(why) => why,
            Ok(_) => "no Cluster typed here archives to it or recovers from it".into(),
        });
    }
    if is_cnpg(o, "Database") || is_cnpg(o, "ScheduledBackup") {
        let on = cluster_of(o);
        if !typed.iter().any(|p| p.name == on) {
            return Some(format!("its cluster `{on}` is not typed here"));
        }
        if o.kind() == "ScheduledBackup" {
            // The reason of the form its cluster's backups take.
            let in_tree = typed
                .iter()
                .any(|p| p.name == on && p.body.pointer("/backups/barmanObjectStore").is_some());
            return Some(match crate::backup::schedule(on, o, in_tree) {
                Err(why) => why,
                Ok(_) => format!("cluster `{on}` archives its write-ahead log to no store"),
            });
        }
        return Some(match database(on, &o.value) {
            Err(why) => why,
            Ok((name, entry)) => format!(
                "its owner `{}` is not a role of cluster `{on}`, or database `{name}` is there twice",
                entry.get("owner").and_then(Value::as_str).unwrap_or("")
            ),
        });
    }
    None
}

/// A role of the Cluster: its name, its entry (without the password)
/// and the Secret its password is read from.
type Role = (String, Map<String, Value>, Option<String>);

/// A cluster's entry (without roles, databases and backups), its managed
/// roles and its backups.
type TakenCluster = (Map<String, Value>, Vec<Role>, Option<Backups>);

/// A Cluster → the `postgres` entry (without roles, databases and
/// backups), its managed roles and its backups (stores and schedules
/// still to find), or why it stays raw.
fn cluster(object: &Value, namespace: &str) -> Result<TakenCluster, Why> {
    let (mut t, meta) = crate::take::object(object)?;
    meta.done()
        .map_err(|why| format!("{why} (cfggen labels a cluster itself)"))?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let mut out = Map::new();
    out.insert("namespace".into(), namespace.into());
    if let Some(n) = spec.take("instances") {
        out.insert("instances".into(), n);
    }
    if let Some(image) = spec.take("imageName") {
        out.insert("image".into(), image);
    }
    let st = storage(spec.sub("storage")?)?;
    if !st.contains_key("size") {
        return Err("a cluster without `spec.storage.size`".into());
    }
    out.insert("storage".into(), Value::Object(st));
    if let Some(wal) = spec.take("walStorage") {
        let wal = storage(Taker::new(wal, "spec.walStorage")?)?;
        if !wal.contains_key("size") {
            return Err("`spec.walStorage` without a size".into());
        }
        out.insert("walStorage".into(), Value::Object(wal));
    }
    for key in ["minSyncReplicas", "maxSyncReplicas"] {
        if let Some(n) = spec.take(key) {
            out.insert(key.into(), n);
        }
    }
    if let Some(pdb) = spec.take("enablePDB") {
        out.insert("enablePDB".into(), pdb);
    }
    if let Some(r) = spec.take("resources") {
        out.insert("resources".into(), r);
    }
    let mut pg = spec.sub("postgresql")?;
    let parameters = pg.strings("parameters")?;
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Object(parameters));
    }
    for (from, to) in [
        ("pg_hba", "pgHba"),
        ("shared_preload_libraries", "sharedPreloadLibraries"),
    ] {
        let lines = pg.list(from)?;
        if !lines.iter().all(Value::is_string) {
            return Err(format!("`spec.postgresql.{from}` is not a list of strings"));
        }
        if !lines.is_empty() {
            out.insert(to.into(), Value::Array(lines));
        }
    }
    if let Some(sync) = pg.take("synchronous") {
        let mut t = Taker::new(sync, "spec.postgresql.synchronous")?;
        let mut typed = Map::new();
        for key in ["method", "number", "dataDurability"] {
            if let Some(v) = t.take(key) {
                typed.insert(key.into(), v);
            }
        }
        t.done()?;
        out.insert("synchronous".into(), Value::Object(typed));
    }
    pg.done()?;
    let mut bootstrap = spec.sub("bootstrap")?;
    if let Some(initdb) = bootstrap.take_any("initdb") {
        let mut i = Taker::new(initdb, "spec.bootstrap.initdb")?;
        let mut typed = Map::new();
        for (from, to) in [
            ("database", "database"),
            ("owner", "owner"),
            ("postInitSQL", "postInitSQL"),
            ("postInitApplicationSQL", "postInitApplicationSQL"),
        ] {
            if let Some(v) = i.take(from) {
                typed.insert(to.into(), v);
            }
        }
        i.done()?;
        out.insert("initdb".into(), Value::Object(typed));
    }
    bootstrap.done()?;
    let mut managed = spec.sub("managed")?;
    let roles = managed
        .list("roles")?
        .into_iter()
        .map(role)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(services) = managed.take("services") {
        managed_services(services, cluster_name(object), &mut out)?;
    }
    managed.done()?;
    let parts = crate::backup::cluster_parts(&mut spec, cluster_name(object))?;
    spec.done()?;
    if let Some(affinity) = parts.affinity {
        out.insert(
            "affinity".into(),
            serde_json::to_value(&affinity).map_err(|e| e.to_string())?,
        );
    }
    if let Some(pod_monitor) = parts.pod_monitor {
        out.insert("podMonitor".into(), pod_monitor.into());
    }
    if !parts.pod_monitor_relabelings.is_empty() {
        out.insert(
            "podMonitorRelabelings".into(),
            serde_json::to_value(&parts.pod_monitor_relabelings).map_err(|e| e.to_string())?,
        );
    }
    Ok((out, roles, parts.backups))
}

fn cluster_name(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `spec.managed.services` → the default Services the cluster goes
/// without (`disabledServices`) and its additional one (`service`).
fn managed_services(
    services: Value,
    cluster: &str,
    out: &mut Map<String, Value>,
) -> Result<(), Why> {
    let mut s = Taker::new(services, "spec.managed.services")?;
    let disabled = s.list("disabledDefaultServices")?;
    let additional = s.list("additional")?;
    s.done()?;
    if !disabled.is_empty() {
        let typed: Vec<cfggen_model::environment::DefaultService> =
            serde_json::from_value(Value::Array(disabled))
                .map_err(|e| format!("`spec.managed.services.disabledDefaultServices`: {e}"))?;
        out.insert(
            "disabledServices".into(),
            serde_json::to_value(typed).map_err(|e| e.to_string())?,
        );
    }
    if !additional.is_empty() {
        out.insert("service".into(), service(additional, cluster)?);
    }
    Ok(())
}

/// The additional Services of `spec.managed.services` → the cluster's `service`: one additional
/// Service for the primary (`rw`), its name, annotations, type and load
/// balancer class.
fn service(additional: Vec<Value>, cluster: &str) -> Result<Value, Why> {
    let [one] = <[Value; 1]>::try_from(additional)
        .map_err(|_| "not one additional Service: cfggen's cluster has one")?;
    let mut a = Taker::new(one, "spec.managed.services.additional[]")?;
    if a.string("selectorType")?.as_deref() != Some("rw") {
        return Err(
            "an additional Service that is not for the primary (`selectorType: rw`)".into(),
        );
    }
    let mut template = a.sub("serviceTemplate")?;
    a.done()?;
    let mut meta = template.sub("metadata")?;
    let mut spec = template.sub("spec")?;
    template.done()?;
    let mut out = Map::new();
    let name = meta
        .string("name")?
        .ok_or("an additional Service without a name")?;
    if name != format!("{cluster}-lb") {
        out.insert("name".into(), name.into());
    }
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let kind = spec
        .string("type")?
        .ok_or("an additional Service without a type")?;
    if kind != "LoadBalancer" {
        out.insert("type".into(), kind.into());
    }
    if let Some(class) = spec.take("loadBalancerClass") {
        out.insert("loadBalancerClass".into(), class);
    }
    spec.done()?;
    if !annotations.is_empty() {
        out.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(out))
}

/// A volume of each instance (`storage`, `walStorage`): its size and
/// class.
fn storage(mut storage: Taker) -> Result<Map<String, Value>, Why> {
    let mut st = Map::new();
    for key in ["size", "storageClass", "resizeInUseVolumes", "pvcTemplate"] {
        if let Some(v) = storage.take(key) {
            st.insert(key.into(), v);
        }
    }
    storage.done()?;
    Ok(st)
}

/// The owner of the database the entry's `initdb` makes, by the model's
/// rule.
fn initdb_owner(body: &Map<String, Value>) -> String {
    let initdb: Option<InitDb> = body
        .get("initdb")
        .and_then(|i| serde_json::from_value(i.clone()).ok());
    InitDb::owner_of(initdb.as_ref()).to_owned()
}

/// The flags of a CloudNativePG managed role, with the value it takes
/// when a role leaves one out.
pub(crate) const CNPG_ROLE_FLAGS: &[(&str, bool)] = &[
    ("login", false),
    ("superuser", false),
    ("createdb", false),
    ("createrole", false),
    ("inherit", true),
    ("replication", false),
    ("bypassrls", false),
];

/// A managed role → its name, its `roles` entry (attributes and comment)
/// and the Secret of its password.
fn role(value: Value) -> Result<Role, Why> {
    let mut r = Taker::new(value, "spec.managed.roles[]")?;
    let name = r.string("name")?.ok_or("a managed role without a name")?;
    if let Some(ensure) = r.string("ensure")?.filter(|e| e != "present") {
        return Err(format!(
            "role `{name}` is `ensure: {ensure}`: cfggen's roles are present"
        ));
    }
    let mut entry = Map::new();
    let mut attributes = Map::new();
    // Written when the role's value (CloudNativePG's default when it
    // says none) is not the model's default.
    let model = serde_json::to_value(RoleAttributes::default()).unwrap_or_default();
    for &(key, cnpg) in CNPG_ROLE_FLAGS {
        let value = match r.take_any(key) {
            None => cnpg,
            Some(Value::Bool(b)) => b,
            Some(_) => return Err(format!("role `{name}`: `{key}` is not true or false")),
        };
        if model.get(key) != Some(&Value::Bool(value)) {
            attributes.insert(key.into(), value.into());
        }
    }
    if let Some(limit) = r.take("connectionLimit").filter(|l| l != -1) {
        attributes.insert("connectionLimit".into(), limit);
    }
    if let Some(until) = r.take("validUntil") {
        attributes.insert("validUntil".into(), until);
    }
    let in_roles = r.list("inRoles")?;
    if !in_roles.is_empty() {
        attributes.insert("inRoles".into(), Value::Array(in_roles));
    }
    if !attributes.is_empty() {
        entry.insert("attributes".into(), Value::Object(attributes));
    }
    let secret = match r.take("passwordSecret") {
        None => None,
        Some(s) => {
            let mut s = Taker::new(s, "passwordSecret")?;
            let secret = s.string("name")?;
            s.done()?;
            secret
        }
    };
    if let Some(comment) = r.take("comment") {
        entry.insert("comment".into(), comment);
    }
    r.done()?;
    Ok((name, entry, secret))
}

/// A Database → its name in PostgreSQL and its `databases` entry, or why
/// it stays raw.
fn database(cluster: &str, object: &Value) -> Result<(String, Map<String, Value>), Why> {
    let object_name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let (mut t, meta) = crate::take::object(object)?;
    meta.done()
        .map_err(|why| format!("{why} (cfggen labels a Database itself)"))?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let name = spec
        .string("name")?
        .ok_or("a Database without `spec.name`")?;
    let owner = spec
        .string("owner")?
        .ok_or("a Database without `spec.owner`")?;
    let mut on = spec.sub("cluster")?;
    if on.string("name")?.as_deref() != Some(cluster) {
        return Err(format!("a Database not on cluster `{cluster}`"));
    }
    on.done()?;
    if let Some(ensure) = spec.string("ensure")?.filter(|e| e != "present") {
        return Err(format!(
            "`ensure: {ensure}`: cfggen's databases are present"
        ));
    }
    let mut extensions = Vec::new();
    for e in spec.list("extensions")? {
        let mut e = Taker::new(e, "spec.extensions[]")?;
        let ext = e.string("name")?.ok_or("an extension without a name")?;
        if e.string("ensure")?.is_some_and(|x| x != "present") {
            return Err(format!("extension `{ext}` is not `ensure: present`"));
        }
        e.done()?;
        extensions.push(Value::String(ext));
    }
    let creation = creation(&mut spec)?;
    spec.done()?;
    let mut entry = Map::new();
    entry.insert("owner".into(), owner.into());
    if !extensions.is_empty() {
        entry.insert("extensions".into(), Value::Array(extensions));
    }
    if let Some(c) = creation {
        entry.insert("creation".into(), c);
    }
    if object_name != PostgresCluster::object_name(cluster, &name) {
        entry.insert("objectName".into(), object_name.into());
    }
    Ok((name, entry))
}

/// A Database's creation settings (template, encoding, locale), read as
/// the model's [`DatabaseCreation`](cfggen_model::database::DatabaseCreation).
fn creation(spec: &mut Taker) -> Result<Option<Value>, Why> {
    const FIELDS: &[&str] = &[
        "template",
        "encoding",
        "locale",
        "localeProvider",
        "localeCollate",
        "localeCType",
        "icuLocale",
        "icuRules",
        "builtinLocale",
        "collationVersion",
    ];
    let mut found = Map::new();
    for key in FIELDS {
        if let Some(v) = spec.take(key) {
            found.insert((*key).into(), v);
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    let typed: cfggen_model::database::DatabaseCreation =
        serde_json::from_value(Value::Object(found)).map_err(|e| format!("`spec`: {e}"))?;
    serde_json::to_value(typed)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// One cluster as the entry of a `postgres:` mapping, at two spaces.
pub fn cluster_text(plan: &ClusterPlan) -> String {
    let body = cfggen_yaml::emit(&plan.body);
    let mut out = format!("  {}:\n", plan.name);
    for l in body.lines() {
        out.push_str(&format!("    {l}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(value: Value) -> Object {
        Object {
            file: "in.yaml".into(),
            line: 1,
            column: 1,
            value,
            secrets: Vec::new(),
        }
    }

    fn store() -> cfggen_model::environment::OnePassword {
        serde_json::from_value(
            json!({"vault": "ops", "store": {"name": "op", "provider": "onepassword"}}),
        )
        .unwrap()
    }

    fn cluster_object(roles: Value) -> Value {
        json!({"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": {"name": "pg", "namespace": "databases"},
            "spec": {"instances": 2, "storage": {"size": "5Gi"},
                "bootstrap": {"initdb": {"database": "app"}},
                "managed": {"roles": roles}}})
    }

    #[test]
    fn a_cluster_its_role_password_and_database_become_one_entry() {
        let objects = vec![
            obj(cluster_object(json!([
                {"name": "keycloak", "login": true, "passwordSecret": {"name": "pg-keycloak"}},
                {"name": "backup", "login": true, "inRoles": ["pg_read_all_data"],
                 "passwordSecret": {"name": "backup-credentials"}},
            ]))),
            obj(
                json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": {"name": "pg-keycloak", "namespace": "databases"},
                "spec": {"secretStoreRef": {"kind": "ClusterSecretStore", "name": "op"},
                    "target": {"template": {"type": "kubernetes.io/basic-auth",
                        "data": {"username": "keycloak", "password": "{{ .password }}"}}},
                    "data": [{"secretKey": "password", "remoteRef": {"key": "Keycloak", "property": "db-password"}}]}}),
            ),
            obj(
                json!({"apiVersion": "postgresql.cnpg.io/v1", "kind": "Database",
                "metadata": {"name": "keycloak-db", "namespace": "databases"},
                "spec": {"name": "keycloak", "owner": "keycloak", "cluster": {"name": "pg"}}}),
            ),
            obj(
                json!({"apiVersion": "postgresql.cnpg.io/v1", "kind": "Database",
                "metadata": {"name": "pg-other", "namespace": "databases"},
                "spec": {"name": "other", "owner": "nobody", "cluster": {"name": "pg"}}}),
            ),
        ];
        let options = Options {
            onepassword: Some(store()),
            ..Options::default()
        };
        let (plans, rest, _) = take(objects, &options, "default", &BTreeMap::new());
        assert_eq!(plans.len(), 1);
        assert_eq!(
            plans[0].body,
            json!({"namespace": "databases", "instances": 2, "storage": {"size": "5Gi"},
                "initdb": {"database": "app"},
                "roles": {
                    "keycloak": {"password": {"item": "Keycloak", "field": "db-password"}},
                    "backup": {"attributes": {"inRoles": ["pg_read_all_data"]}, "passwordSecret": "backup-credentials"}},
                "databases": {"keycloak": {"owner": "keycloak", "objectName": "keycloak-db"}}})
        );
        assert_eq!(plans[0].typed.len(), 3);
        // A database whose owner is no role of the cluster stays with the app.
        assert_eq!(rest.len(), 1);
        assert_eq!(
            why_raw(&rest[0], "default", &plans, &BTreeMap::new()).unwrap(),
            "its owner `nobody` is not a role of cluster `pg`, or database `other` is there twice"
        );
    }

    #[test]
    fn a_primary_service_is_typed_and_a_second_cluster_of_a_name_is_not() {
        let mut c = cluster_object(json!([]));
        c["spec"]["managed"]["services"] = json!({"additional": [{"selectorType": "rw",
            "serviceTemplate": {"metadata": {"name": "pg-lb", "annotations": {"tailscale.com/hostname": "pg"}},
                "spec": {"type": "LoadBalancer", "loadBalancerClass": "tailscale"}}}]});
        let mut other = c.clone();
        other["metadata"]["namespace"] = json!("elsewhere");
        let (plans, rest, why) = take(
            vec![obj(c), obj(other)],
            &Options::default(),
            "default",
            &BTreeMap::new(),
        );
        assert_eq!(
            plans[0].body["service"],
            json!({"loadBalancerClass": "tailscale", "annotations": {"tailscale.com/hostname": "pg"}})
        );
        assert_eq!(rest.len(), 1);
        assert_eq!(
            why["Cluster pg"],
            "a second Cluster `pg`: the environment's clusters are named apart"
        );
        let reader = vec![json!({"selectorType": "ro",
            "serviceTemplate": {"metadata": {"name": "x"}, "spec": {"type": "LoadBalancer"}}})];
        assert_eq!(
            service(reader, "pg").unwrap_err(),
            "an additional Service that is not for the primary (`selectorType: rw`)"
        );
    }

    #[test]
    fn what_the_cluster_model_lacks_keeps_the_cluster_raw() {
        let mut c = cluster_object(json!([]));
        c["spec"]["backup"] = json!({"volumeSnapshot": {"className": "csi"}});
        let (plans, rest, _) = take(
            vec![obj(c)],
            &Options::default(),
            "default",
            &BTreeMap::new(),
        );
        assert!(plans.is_empty());
        assert_eq!(
            why_raw(&rest[0], "default", &plans, &BTreeMap::new()).unwrap(),
            "`spec.backup.volumeSnapshot` has no typed form in cfggen"
        );
        let role = role(json!({"name": "x", "disablePassword": true})).unwrap_err();
        assert_eq!(
            role,
            "`spec.managed.roles[].disablePassword` has no typed form in cfggen"
        );
        // CloudNativePG's defaults are not the model's: a role logs in
        // only when it says so.
        let (_, entry, _) = super::role(json!({"name": "x"})).unwrap();
        assert_eq!(
            Value::Object(entry),
            json!({"attributes": {"login": false}})
        );
    }
}
