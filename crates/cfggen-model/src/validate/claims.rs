//! What an app claims that another app of its environment may compare:
//! the one definition of the keys of the rules that span apps. Those rules
//! see the other apps only through their [`Claims`] (the [`Apps`] a rule
//! is given); a rule of one app sees the environment's settings, never
//! another app ([`super::Settings`]). So a rule that compares apps can
//! compare nothing but what is here, and two environments that differ
//! only in some apps, each claiming the same in both, give every rule that
//! spans apps the same ground: the engine renders a change of a few apps
//! from them alone only when it holds.
//!
//! The rules, each by the key it compares:
//!
//! - objects of one kind and name in a namespace, and ClusterRole names
//!   (`check_unique_objects`): [`Claims::objects`],
//!   [`Claims::cluster_roles`];
//! - roles and databases on a Postgres cluster (`database::check_roles`,
//!   a cluster's own roles and databases in `database::check_cluster`, the
//!   `Database` objects of `database::check_database_objects`):
//!   [`Claims::database`];
//! - PersistentVolumes bound by one claim each
//!   (`storage::check_bound_volumes`): [`Claims::volumes`]; those a raw
//!   manifest makes, which a claim may bind (`storage::check_claims`):
//!   [`Claims::raw_volumes`];
//! - the keys of a Secret a backup's credentials name
//!   (`backup::check_credentials`): [`Claims::secret_keys`];
//! - whether the environment reads 1Password (`missing-onepassword`):
//!   [`Claims::onepassword_use`];
//! - one default IngressClass, and one default VolumeSnapshotClass per
//!   driver (`storage::check_default_classes`): [`Claims::default_classes`];
//! - a route's backend in another app's namespace, let in by a
//!   ReferenceGrant there (`grants::check_route_grants`):
//!   [`Claims::namespace`], [`Claims::grants`],
//!   [`Claims::foreign_backends`].

use std::collections::BTreeSet;

use cfggen_path::FieldPath;

use crate::app::{workload_name, App, Made};

/// What one app claims that a rule spanning apps compares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    /// Each object that must be unique in its namespace: namespace, kind,
    /// name, and where it is declared.
    pub objects: Vec<(String, &'static str, String, FieldPath)>,
    /// The ClusterRoles of its accounts, and the account of each.
    pub cluster_roles: Vec<(String, String)>,
    /// Its database on a Postgres cluster.
    pub database: Option<DatabaseClaim>,
    /// The PersistentVolumes its claims bind by name: volume, claim, and
    /// whether the app declares the volume made elsewhere.
    pub volumes: Vec<(String, String, bool)>,
    /// The PersistentVolumes its raw manifests make.
    pub raw_volumes: BTreeSet<String>,
    /// The keys of each Secret it declares them for: namespace, Secret,
    /// keys.
    pub secret_keys: Vec<(String, String, Vec<String>)>,
    /// Its first secret read from 1Password.
    pub onepassword_use: Option<FieldPath>,
    /// The namespace it runs in.
    pub namespace: String,
    /// The ReferenceGrants it holds, typed or raw: who may refer to what
    /// of its namespace.
    pub grants: Vec<crate::grant::ReferenceGrant>,
    /// Its routes' backends in another namespace: the route's kind, the
    /// backend's namespace and Service, and where it is declared.
    pub foreign_backends: Vec<ForeignBackend>,
    /// The classes it makes the default: what they are the default of
    /// (`IngressClass`, or the driver of a VolumeSnapshotClass), the
    /// class, and where it says so.
    pub default_classes: Vec<(String, String, FieldPath)>,
}

/// A route's backend in another namespace than its app's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignBackend {
    /// `HTTPRoute`, `TLSRoute`, `TCPRoute` or `GRPCRoute`.
    pub kind: &'static str,
    /// The Service's namespace.
    pub namespace: String,
    /// The Service.
    pub service: String,
    /// Where the backend's namespace is written.
    pub at: FieldPath,
}

/// An app's database as the rules that span apps see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseClaim {
    /// The cluster.
    pub cluster: String,
    /// Its owner role, and whether `owner` sets it.
    pub owner: (String, bool),
    /// Its name on the cluster, and whether `name` sets it.
    pub name: (String, bool),
}

/// Every app of an environment, by name, as the rules that span apps see
/// it.
pub(super) type Apps<'a> = [(&'a str, Claims)];

/// What app `name` claims.
pub fn claims(name: &str, app: &App) -> Claims {
    let ns = app.namespace(name);
    Claims {
        objects: unique_objects(name, app)
            .into_iter()
            .map(|(kind, object, at)| (ns.to_owned(), kind, object, at))
            .chain(
                cluster_objects(name, app)
                    .into_iter()
                    .map(|(kind, object, at)| (String::new(), kind, object, at)),
            )
            .chain(objects_elsewhere(name, app))
            .collect(),
        cluster_roles: cluster_roles(name, app)
            .into_iter()
            .map(|(role, account)| (role, account.to_owned()))
            .collect(),
        database: app.database.as_ref().map(|db| DatabaseClaim {
            cluster: db.cluster.clone(),
            owner: (db.owner(name).to_owned(), db.owner.is_some()),
            name: (db.name(name).to_owned(), db.name.is_some()),
        }),
        volumes: app
            .claims
            .iter()
            .filter_map(|(claim, c)| {
                let volume = c.volume_name.clone()?;
                let elsewhere = app.external_persistent_volumes.contains_key(&volume);
                Some((volume, claim.clone(), elsewhere))
            })
            .collect(),
        raw_volumes: app
            .loaded_manifests
            .iter()
            .filter_map(|(_, o)| match Made::by(o) {
                Some((Made::PersistentVolume, volume)) => Some(volume.to_owned()),
                _ => None,
            })
            .collect(),
        secret_keys: secret_keys(ns, app),
        onepassword_use: app
            .secrets
            .keys()
            .next()
            .map(|secret| FieldPath::of(&["apps", name, "secrets", secret])),
        namespace: ns.to_owned(),
        grants: app
            .reference_grants
            .values()
            .cloned()
            .chain(raw_grants(app))
            .collect(),
        foreign_backends: foreign_backends(name, app),
        default_classes: default_classes(name, app),
    }
}

/// The IngressClasses and VolumeSnapshotClasses app `name` makes the
/// default: of what, the class, where.
fn default_classes(name: &str, app: &App) -> Vec<(String, String, FieldPath)> {
    let ingress = app
        .ingress_classes
        .iter()
        .filter(|(_, c)| c.default)
        .map(|(class, _)| {
            let at = FieldPath::of(&["apps", name, "ingressClasses", class, "default"]);
            ("IngressClass".to_owned(), class.clone(), at)
        });
    let snapshot = app
        .volume_snapshot_classes
        .iter()
        .filter(|(_, c)| c.default)
        .map(|(class, c)| {
            let at = FieldPath::of(&["apps", name, "volumeSnapshotClasses", class, "default"]);
            (
                format!("VolumeSnapshotClass of driver `{}`", c.driver),
                class.clone(),
                at,
            )
        });
    ingress.chain(snapshot).collect()
}

/// The ReferenceGrants among an app's raw manifests.
fn raw_grants(app: &App) -> Vec<crate::grant::ReferenceGrant> {
    app.raw_of_kind("ReferenceGrant")
        .filter_map(|o| serde_json::from_value(o.get("spec")?.clone()).ok())
        .collect()
}

/// The backends of app `name`'s routes in another namespace than its own.
fn foreign_backends(name: &str, app: &App) -> Vec<ForeignBackend> {
    let ns = app.namespace(name);
    let base = FieldPath::of(&["apps", name]);
    let mut out = Vec::new();
    let mut add = |kind, at: FieldPath, backends: &[crate::route::RouteBackend]| {
        for (j, b) in backends.iter().enumerate() {
            if let Some(other) = b.namespace.as_deref().filter(|other| *other != ns) {
                out.push(ForeignBackend {
                    kind,
                    namespace: other.to_owned(),
                    service: b.service.clone(),
                    at: at.key("backends").index(j).key("namespace"),
                });
            }
        }
    };
    for (r, route) in &app.http_routes {
        for (i, rule) in route.rules.iter().enumerate() {
            let at = base.key("httpRoutes").key(r).key("rules").index(i);
            add("HTTPRoute", at, &rule.backends);
        }
    }
    for (r, route) in &app.tls_routes {
        add("TLSRoute", base.key("tlsRoutes").key(r), &route.backends);
    }
    for (r, route) in &app.tcp_routes {
        add("TCPRoute", base.key("tcpRoutes").key(r), &route.backends);
    }
    for (r, route) in &app.grpc_routes {
        for (i, rule) in route.rules.iter().enumerate() {
            let at = base.key("grpcRoutes").key(r).key("rules").index(i);
            add("GRPCRoute", at, &rule.backends);
        }
    }
    out
}

/// The keys of each Secret app `app` declares them for.
fn secret_keys(ns: &str, app: &App) -> Vec<(String, String, Vec<String>)> {
    let own_store_secrets = app
        .store_secrets
        .iter()
        .filter(|(_, made)| made.namespace.is_none())
        .map(|(n, _)| n);
    let names: BTreeSet<&String> = app
        .secrets
        .keys()
        .chain(own_store_secrets)
        .chain(app.external_secrets.keys())
        .collect();
    names
        .into_iter()
        .filter_map(|secret| {
            let keys =
                super::storage::declared_keys(app, secret, super::storage::KeysOf::Secret).1?;
            Some((
                ns.to_owned(),
                secret.clone(),
                keys.into_iter().map(str::to_owned).collect(),
            ))
        })
        .collect()
}

/// The cluster-scoped objects of app `name` (but its accounts'
/// ClusterRoles, [`cluster_roles`]): unique in the cluster.
fn cluster_objects(name: &str, app: &App) -> Vec<(&'static str, String, FieldPath)> {
    let mut objects = Vec::new();
    for (role, r) in &app.cluster_roles {
        let path = FieldPath::of(&["apps", name, "clusterRoles", role]);
        objects.push(("ClusterRole", role.clone(), path.clone()));
        for binding in r.bindings.keys() {
            objects.push((
                "ClusterRoleBinding",
                binding.clone(),
                path.key("bindings").key(binding),
            ));
        }
    }
    for binding in app.cluster_role_bindings.keys() {
        let path = FieldPath::of(&["apps", name, "clusterRoleBindings", binding]);
        objects.push(("ClusterRoleBinding", binding.clone(), path));
    }
    for issuer in app.cluster_issuers.keys() {
        let path = FieldPath::of(&["apps", name, "clusterIssuers", issuer]);
        objects.push(("ClusterIssuer", issuer.clone(), path));
    }
    for class in app.ingress_classes.keys() {
        let path = FieldPath::of(&["apps", name, "ingressClasses", class]);
        objects.push(("IngressClass", class.clone(), path));
    }
    for class in app.volume_snapshot_classes.keys() {
        let path = FieldPath::of(&["apps", name, "volumeSnapshotClasses", class]);
        objects.push(("VolumeSnapshotClass", class.clone(), path));
    }
    for class in app.gateway_classes.keys() {
        let path = FieldPath::of(&["apps", name, "gatewayClasses", class]);
        objects.push(("GatewayClass", class.clone(), path));
    }
    for pool in app.cilium_load_balancer_ip_pools.keys() {
        let path = FieldPath::of(&["apps", name, "ciliumLoadBalancerIPPools", pool]);
        objects.push(("CiliumLoadBalancerIPPool", pool.clone(), path));
    }
    for policy in app.cilium_l2_announcement_policies.keys() {
        let path = FieldPath::of(&["apps", name, "ciliumL2AnnouncementPolicies", policy]);
        objects.push(("CiliumL2AnnouncementPolicy", policy.clone(), path));
    }
    for (field, kind, names) in [
        (
            "ciliumBGPClusterConfigs",
            "CiliumBGPClusterConfig",
            app.cilium_bgp_cluster_configs.keys().collect::<Vec<_>>(),
        ),
        (
            "ciliumBGPPeerConfigs",
            "CiliumBGPPeerConfig",
            app.cilium_bgp_peer_configs.keys().collect(),
        ),
        (
            "ciliumBGPAdvertisements",
            "CiliumBGPAdvertisement",
            app.cilium_bgp_advertisements.keys().collect(),
        ),
    ] {
        for object in names {
            let path = FieldPath::of(&["apps", name, field, object]);
            objects.push((kind, object.clone(), path));
        }
    }
    for policy in app.cilium_clusterwide_policies.keys() {
        let path = FieldPath::of(&["apps", name, "ciliumClusterwidePolicies", policy]);
        objects.push(("CiliumClusterwideNetworkPolicy", policy.clone(), path));
    }
    objects
}

/// The ClusterRoles app `name`'s own accounts make, and the account of
/// each.
fn cluster_roles<'a>(name: &str, app: &'a App) -> Vec<(String, &'a str)> {
    let ns = app.namespace(name);
    app.service_accounts
        .iter()
        .filter(|(_, sa)| !sa.existing && !sa.cluster_rules.is_empty())
        .map(|(account, sa)| (sa.own_cluster_role(ns, account), account.as_str()))
        .collect()
}

/// The custom resources of app `name` (monitors, certificates, Gateway
/// API and Flux objects, …) that must be unique in its namespace.
fn custom_objects(name: &str, app: &App) -> Vec<(&'static str, String, FieldPath)> {
    let mut objects = Vec::new();
    for (kind, field, names) in [
        (
            "ServiceMonitor",
            "serviceMonitors",
            app.service_monitors
                .iter()
                .filter(|(_, m)| m.namespace.is_none())
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
        ),
        (
            "PodMonitor",
            "podMonitors",
            app.pod_monitors
                .iter()
                .filter(|(_, m)| m.namespace.is_none())
                .map(|(k, _)| k)
                .collect(),
        ),
        (
            "Certificate",
            "certificates",
            app.certificates.keys().collect(),
        ),
        ("Gateway", "gateways", app.gateways.keys().collect()),
        ("HTTPRoute", "httpRoutes", app.http_routes.keys().collect()),
        ("TLSRoute", "tlsRoutes", app.tls_routes.keys().collect()),
        ("TCPRoute", "tcpRoutes", app.tcp_routes.keys().collect()),
        ("GRPCRoute", "grpcRoutes", app.grpc_routes.keys().collect()),
        (
            "PodDisruptionBudget",
            "disruptionBudgets",
            app.disruption_budgets.keys().collect(),
        ),
        (
            "Component",
            "daprComponents",
            app.dapr_components.keys().collect(),
        ),
        (
            "Configuration",
            "daprConfigurations",
            app.dapr_configurations.keys().collect(),
        ),
        (
            "Prometheus",
            "prometheuses",
            app.prometheuses.keys().collect(),
        ),
        (
            "ReferenceGrant",
            "referenceGrants",
            app.reference_grants.keys().collect(),
        ),
        (
            "GrafanaDatasource",
            "grafanaDatasources",
            app.grafana_datasources.keys().collect(),
        ),
        (
            "VirtualService",
            "virtualServices",
            app.virtual_services.keys().collect(),
        ),
        (
            "DestinationRule",
            "destinationRules",
            app.destination_rules.keys().collect(),
        ),
        (
            "Gateway.networking.istio.io",
            "istioGateways",
            app.istio_gateways.keys().collect(),
        ),
        (
            "HelmRelease",
            "helmReleases",
            app.helm_releases.keys().collect(),
        ),
        (
            "OCIRepository",
            "ociRepositories",
            app.oci_repositories.keys().collect(),
        ),
        (
            "HelmRepository",
            "helmRepositories",
            app.helm_repositories.keys().collect(),
        ),
        (
            "CiliumNetworkPolicy",
            "ciliumPolicies",
            app.cilium_policies.keys().collect(),
        ),
        (
            "GrafanaDashboard",
            "grafanaDashboards",
            app.grafana_dashboards.keys().collect(),
        ),
        ("Issuer", "issuers", app.issuers.keys().collect()),
        (
            "Schedule",
            "veleroSchedules",
            app.velero_schedules.keys().collect(),
        ),
    ] {
        for object in names {
            let path = FieldPath::of(&["apps", name, field, object]);
            objects.push((kind, object.clone(), path));
        }
    }
    objects
}

/// The objects of app `name` that must be unique in its namespace: kind,
/// name, and where each is declared.
fn unique_objects(name: &str, app: &App) -> Vec<(&'static str, String, FieldPath)> {
    let mut objects: Vec<(&'static str, String, FieldPath)> = Vec::new();
    for (cname, comp) in &app.components {
        let path = FieldPath::of(&["apps", name, "components", cname]);
        let workload = workload_name(name, cname, comp);
        if let Some(pdb) = &comp.disruption_budget {
            let pdb_name = pdb.name.clone().unwrap_or_else(|| workload.clone());
            objects.push((
                "PodDisruptionBudget",
                pdb_name,
                path.key("disruptionBudget"),
            ));
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
    objects.extend(custom_objects(name, app));
    for claim in app.claims.keys() {
        objects.push((
            "PersistentVolumeClaim",
            claim.clone(),
            FieldPath::of(&["apps", name, "claims", claim]),
        ));
    }
    objects.extend(rbac_objects(name, app));
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
        .filter(|(_, made)| made.namespace.is_none())
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

/// The objects app `name` makes in namespaces other than its own (an
/// account's Role and RoleBinding of its `rulesIn`, a monitor or a store
/// secret of another namespace), with their namespace.
fn objects_elsewhere(name: &str, app: &App) -> Vec<(String, &'static str, String, FieldPath)> {
    let mut objects = Vec::new();
    let service_monitors = app.service_monitors.iter().filter_map(|(m, sm)| {
        Some((
            "ServiceMonitor",
            "serviceMonitors",
            m,
            sm.namespace.as_ref()?,
        ))
    });
    let pod_monitors = app
        .pod_monitors
        .iter()
        .filter_map(|(m, pm)| Some(("PodMonitor", "podMonitors", m, pm.namespace.as_ref()?)));
    for (kind, field, monitor, other) in service_monitors.chain(pod_monitors) {
        let path = FieldPath::of(&["apps", name, field, monitor]);
        objects.push((other.clone(), kind, monitor.clone(), path));
    }
    for (secret, made) in &app.store_secrets {
        let Some(other) = &made.namespace else {
            continue;
        };
        let path = FieldPath::of(&["apps", name, "storeSecrets", secret]);
        objects.push((other.clone(), "Secret", secret.clone(), path.clone()));
        let object = made.object_name.as_ref().unwrap_or(secret);
        objects.push((other.clone(), "ExternalSecret", object.clone(), path));
    }
    for (account, sa) in app.service_accounts.iter().filter(|(_, sa)| !sa.existing) {
        for other in sa.rules_in.keys() {
            let path = FieldPath::of(&["apps", name, "serviceAccounts", account, "rulesIn", other]);
            for kind in ["Role", "RoleBinding"] {
                objects.push((other.clone(), kind, account.clone(), path.clone()));
            }
        }
    }
    objects
}

/// The app's accounts, Roles and RoleBindings: unique in its namespace.
fn rbac_objects(name: &str, app: &App) -> Vec<(&'static str, String, FieldPath)> {
    let mut objects: Vec<(&'static str, String, FieldPath)> = Vec::new();
    for (account, sa) in app.service_accounts.iter().filter(|(_, sa)| !sa.existing) {
        let path = FieldPath::of(&["apps", name, "serviceAccounts", account]);
        objects.push(("ServiceAccount", account.clone(), path.clone()));
        if !sa.rules.is_empty() {
            objects.push(("Role", account.clone(), path.clone()));
            objects.push(("RoleBinding", account.clone(), path));
        }
    }
    for (role, r) in &app.roles {
        let path = FieldPath::of(&["apps", name, "roles", role]);
        objects.push(("Role", role.clone(), path.clone()));
        for binding in r.bindings.keys() {
            objects.push((
                "RoleBinding",
                binding.clone(),
                path.key("bindings").key(binding),
            ));
        }
    }
    for binding in app.role_bindings.keys() {
        let path = FieldPath::of(&["apps", name, "roleBindings", binding]);
        objects.push(("RoleBinding", binding.clone(), path));
    }
    objects
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// An environment of apps `one` and `two`, with `settings` outside the
    /// apps.
    fn environment(settings: &Value, one: &Value, two: &Value) -> crate::Environment {
        let mut env = json!({
            "name": "dev",
            "cluster": {"name": "lab", "server": "https://k.example.com"},
            "argocd": {"repoURL": "https://git.example.com/gitops.git"},
            "apps": {"one": one, "two": two},
        });
        if let (Some(env), Some(settings)) = (env.as_object_mut(), settings.as_object()) {
            env.extend(settings.clone());
        }
        let mut env: crate::Environment =
            serde_json::from_value(env).unwrap_or_else(|e| panic!("{e}"));
        env.apply_default_namespace();
        env
    }

    fn app(fields: Value) -> Value {
        let mut app = json!({"image": "ghcr.io/example/app:v1", "components": {"app": {}}});
        if let (Some(app), Some(fields)) = (app.as_object_mut(), fields.as_object()) {
            app.extend(fields.clone());
        }
        app
    }

    /// The codes of its problems and its warnings.
    fn codes(env: &crate::Environment) -> Vec<&'static str> {
        let (issues, warnings) = super::super::check_all(env, "dev");
        issues.iter().chain(&warnings).map(|i| i.code).collect()
    }

    /// Each rule that spans apps, by its code, with the settings outside
    /// the apps, app `one`, and app `two` as it collides with `one` and as
    /// it does not: the collision is refused, the other is not, and the
    /// two differ in what `two` claims while `one` claims the same — the
    /// rule compares a key of [`Claims`]. A rule that compared anything
    /// else of an app could not be written (rules see other apps through
    /// their claims only); one added here without its key fails.
    #[test]
    fn every_rule_that_spans_apps_compares_a_key_the_apps_claim() {
        let db = |owner: &str, name: &str| {
            app(json!({
                "database": {"cluster": "main-pg", "owner": owner, "name": name, "password": "s/p"},
                "secrets": {"s": {"item": "S", "fields": {"p": {}}}},
            }))
        };
        let postgres = json!({
            "onepassword": {"vault": "v", "store": {"name": "op", "provider": "onepassword"}},
            "postgres": {"main-pg": {"namespace": "databases", "storage": {"size": "1Gi"}}},
        });
        let account = |role: &str| {
            app(json!({"serviceAccounts": {"reader": {
                "clusterRoleName": role,
                "clusterRules": [{"resources": ["nodes"], "verbs": ["get"]}],
            }}}))
        };
        let claim = |ns: &str, claim: &str| {
            app(json!({"namespace": ns, "claims": {claim: {"size": "1Gi"}}}))
        };
        let volumes = json!({"persistentVolumes": {
            "media": {"capacity": "1Ti", "nfs": {"server": "nas.example", "path": "/m"}},
            "other": {"capacity": "1Ti", "nfs": {"server": "nas.example", "path": "/o"}},
        }});
        let bound = |volume: &str| {
            app(
                json!({"claims": {"data": {"size": "1Ti", "storageClassName": "", "volumeName": volume}}}),
            )
        };
        let backups = json!({
            "secretStores": {"vault": {"provider": "vault"}},
            "postgres": {"main-pg": {
                "namespace": "databases",
                "storage": {"size": "1Gi"},
                "backups": {
                    "stores": {"minio": {
                        "destination": "s3://backups/main-pg",
                        "credentials": {"secret": "s3", "accessKeyId": "ID", "secretAccessKey": "KEY"},
                    }},
                    "walArchive": "minio",
                },
            }},
        });
        let keys = |secret: &str| {
            app(
                json!({"namespace": "databases", "storeSecrets": {"s3": {"store": "vault", "keys": {
                    "ID": {"key": "backups", "property": "id"},
                    secret: {"key": "backups", "property": "secret"},
                }}}}),
            )
        };
        let reads = |secrets: Value| app(json!({"secrets": secrets}));
        // App `one` routes to a Service of namespace `two`; app `two`
        // grants HTTPRoutes of namespace `one` (or not).
        let routes = app(json!({"httpRoutes": {"r": {
            "parentRefs": [{"name": "gw"}],
            "rules": [{"backends": [{"service": "api", "namespace": "two", "port": 80}]}],
        }}}));
        let grants = |kind: &str| {
            app(json!({
                "services": {"api": {"component": "app", "ports": {"http": 80}}},
                "components": {"app": {"ports": {"http": 80}}},
                "referenceGrants": {"g": {
                    "from": [{"group": "gateway.networking.k8s.io", "kind": kind, "namespace": "one"}],
                    "to": [{"group": "", "kind": "Service", "name": "api"}],
                }},
            }))
        };
        let cases: Vec<(&str, Value, Value, Value, Value)> = vec![
            (
                "name-conflict",
                json!({}),
                claim("shared", "data"),
                claim("shared", "data"),
                claim("shared", "logs"),
            ),
            (
                "name-conflict",
                json!({}),
                account("reader"),
                account("reader"),
                account("viewer"),
            ),
            (
                "duplicate-role",
                postgres.clone(),
                db("r1", "d1"),
                db("r1", "d2"),
                db("r2", "d2"),
            ),
            (
                "duplicate-database",
                postgres.clone(),
                db("r1", "d1"),
                db("r2", "d1"),
                db("r2", "d2"),
            ),
            (
                "claim-binding",
                volumes.clone(),
                bound("media"),
                bound("media"),
                bound("other"),
            ),
            (
                "backup-credentials",
                backups.clone(),
                app(json!({})),
                keys("OTHER"),
                keys("KEY"),
            ),
            (
                "route-grant",
                json!({}),
                routes,
                grants("TLSRoute"),
                grants("HTTPRoute"),
            ),
            (
                "class-default",
                json!({}),
                app(
                    json!({"ingressClasses": {"nginx": {"controller": "k8s.io/ingress-nginx", "default": true}}}),
                ),
                app(
                    json!({"ingressClasses": {"traefik": {"controller": "traefik.io/ingress-controller", "default": true}}}),
                ),
                app(
                    json!({"ingressClasses": {"traefik": {"controller": "traefik.io/ingress-controller"}}}),
                ),
            ),
            (
                "missing-onepassword",
                json!({}),
                app(json!({})),
                reads(json!({"s": {"item": "S", "fields": {"p": {}}}})),
                reads(json!({})),
            ),
        ];
        for (code, settings, one, colliding, apart) in cases {
            let refused = environment(&settings, &one, &colliding);
            let passed = environment(&settings, &one, &apart);
            assert!(
                codes(&refused).contains(&code),
                "{code}: {:?}",
                codes(&refused)
            );
            assert!(
                !codes(&passed).contains(&code),
                "{code}: {:?}",
                codes(&passed)
            );
            let claimed = |env: &crate::Environment, name: &str| claims(name, &env.apps[name]);
            assert_eq!(claimed(&refused, "one"), claimed(&passed, "one"), "{code}");
            assert_ne!(claimed(&refused, "two"), claimed(&passed, "two"), "{code}");
        }
    }
}
