//! What an app claims that no other app of its environment may: the keys
//! the rules that span apps compare — objects of one kind and name in a
//! namespace and ClusterRole names (`check_unique_objects`), roles and
//! databases on a Postgres cluster (`database::check_roles`, and through
//! them the `Database` objects of `database::check_database_objects`), the
//! PersistentVolumes its claims bind (`storage::check_claims`).
//! `check_unique_objects` takes an app's keys from here; the others read
//! them through the same accessors and fields (`Database::owner`,
//! `Database::name`, `Claim::volume_name`). So two environments that differ only in some
//! apps, each claiming the same in both, give every rule that spans apps
//! the same ground (the binary renders a change of a few apps from them
//! alone only when it holds). A rule that spans apps and reads anything
//! else of an app must add it here.

use std::collections::BTreeSet;

use cfggen_path::FieldPath;

use crate::app::{workload_name, App};

/// What one app claims that no other app may.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    /// Each object that must be unique in its namespace: (namespace,
    /// kind, name).
    pub objects: BTreeSet<(String, &'static str, String)>,
    /// The ClusterRoles of its accounts.
    pub cluster_roles: BTreeSet<String>,
    /// Its database's owner role, by cluster: (cluster, role).
    pub roles: BTreeSet<(String, String)>,
    /// Its database, by cluster: (cluster, database).
    pub databases: BTreeSet<(String, String)>,
    /// The PersistentVolumes its claims bind by name.
    pub volumes: BTreeSet<String>,
}

/// What app `name` claims.
pub fn claims(name: &str, app: &App) -> Claims {
    let ns = app.namespace(name);
    let mut claims = Claims {
        objects: unique_objects(name, app)
            .into_iter()
            .map(|(kind, object, _)| (ns.to_owned(), kind, object))
            .collect(),
        cluster_roles: cluster_roles(name, app)
            .into_iter()
            .map(|(role, _)| role)
            .collect(),
        volumes: app
            .claims
            .values()
            .filter_map(|c| c.volume_name.clone())
            .collect(),
        ..Claims::default()
    };
    if let Some(db) = &app.database {
        claims
            .roles
            .insert((db.cluster.clone(), db.owner(name).to_owned()));
        claims
            .databases
            .insert((db.cluster.clone(), db.name(name).to_owned()));
    }
    claims
}

/// The ClusterRoles app `name`'s own accounts make, and the account of
/// each.
pub(super) fn cluster_roles<'a>(name: &str, app: &'a App) -> Vec<(String, &'a str)> {
    let ns = app.namespace(name);
    app.service_accounts
        .iter()
        .filter(|(_, sa)| !sa.existing && !sa.cluster_rules.is_empty())
        .map(|(account, sa)| (sa.own_cluster_role(ns, account), account.as_str()))
        .collect()
}

/// The objects of app `name` that must be unique in its namespace: kind,
/// name, and where each is declared.
pub(super) fn unique_objects(name: &str, app: &App) -> Vec<(&'static str, String, FieldPath)> {
    let mut objects: Vec<(&'static str, String, FieldPath)> = Vec::new();
    for (cname, comp) in &app.components {
        let path = FieldPath::of(&["apps", name, "components", cname]);
        let workload = workload_name(name, cname, comp);
        if comp.disruption_budget.is_some() {
            objects.push(("PodDisruptionBudget", workload.clone(), path.clone()));
        }
        if let Some(hpa) = &comp.autoscaling {
            let hpa_name = hpa.name.clone().unwrap_or_else(|| workload.clone());
            objects.push(("HorizontalPodAutoscaler", hpa_name, path.key("autoscaling")));
        }
        objects.push((comp.kind.as_str(), workload, path));
    }
    for policy in app.network_policies.keys() {
        objects.push((
            "NetworkPolicy",
            policy.clone(),
            FieldPath::of(&["apps", name, "networkPolicies", policy]),
        ));
    }
    for claim in app.claims.keys() {
        objects.push((
            "PersistentVolumeClaim",
            claim.clone(),
            FieldPath::of(&["apps", name, "claims", claim]),
        ));
    }
    for (account, sa) in app.service_accounts.iter().filter(|(_, sa)| !sa.existing) {
        let path = FieldPath::of(&["apps", name, "serviceAccounts", account]);
        objects.push(("ServiceAccount", account.clone(), path.clone()));
        if !sa.rules.is_empty() {
            objects.push(("Role", account.clone(), path));
        }
    }
    for sname in app.services.keys() {
        objects.push((
            "Service",
            sname.clone(),
            FieldPath::of(&["apps", name, "services", sname]),
        ));
    }
    for cm in app.config_maps.keys() {
        objects.push((
            "ConfigMap",
            cm.clone(),
            FieldPath::of(&["apps", name, "configMaps", cm]),
        ));
    }
    // Each Secret, and the ExternalSecret that makes it (named apart when
    // its `objectName` says).
    let secrets = app
        .secrets
        .iter()
        .map(|(s, item)| ("secrets", s, item.object_name.as_ref()));
    let store_secrets = app
        .store_secrets
        .iter()
        .map(|(s, made)| ("storeSecrets", s, made.object_name.as_ref()));
    for (field, s, object_name) in secrets.chain(store_secrets) {
        let path = FieldPath::of(&["apps", name, field, s]);
        objects.push(("Secret", s.clone(), path.clone()));
        let (object, at) = match object_name {
            Some(o) => (o, path.key("objectName")),
            None => (s, path),
        };
        objects.push(("ExternalSecret", object.clone(), at));
    }
    if app.database.as_ref().is_some_and(|db| db.env.url.is_some()) {
        objects.push((
            "Secret",
            crate::database::Database::url_secret_name(name),
            FieldPath::of(&["apps", name, "database", "env", "url"]),
        ));
    }
    objects
}
