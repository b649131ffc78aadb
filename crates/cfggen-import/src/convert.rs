//! Objects → apps: grouping (one app per namespace, or all into one), and
//! each object typed where the model says all it says (workloads,
//! Services, Ingresses, ConfigMaps, claims, service accounts and the Role
//! bound to each, ExternalSecrets of the environment's 1Password store),
//! raw with the reason
//! otherwise. Never dropped.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::read::{is_secret_with_data, InputError, Object};
use crate::take::{Taker, Why};
use crate::workload;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Put every object into this app (else one app per namespace).
    pub app: Option<String>,
    /// Move the secret values of the input (Secrets with data, literal
    /// env values and ConfigMap entries) to 1Password references, listed
    /// in [`Plan::moved`] (else each is an error at its line).
    pub skip_secrets: bool,
    /// The environment's 1Password store: ExternalSecrets that read it
    /// become the app's `secrets`.
    pub onepassword: Option<cfggen_model::environment::OnePassword>,
    /// The environment's other secret stores: an ExternalSecret that
    /// reads one (or a store the environment does not declare yet)
    /// becomes one of the app's `storeSecrets`.
    pub secret_stores: cfggen_model::stores::SecretStores,
    /// The PersistentVolumes the environment has (its `persistentVolumes`
    /// and its apps' raw ones): a claim bound to another is bound to one
    /// made elsewhere.
    pub persistent_volumes: std::collections::BTreeSet<String>,
    /// The namespace Argo CD runs in (`argocd` when `None`): an
    /// AppProject there becomes an entry of `argocd.projects`.
    pub argocd_namespace: Option<String>,
}

/// An object kept typed: where it went in the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    /// `Kind name`.
    pub object: String,
    /// Its field under the app, e.g. `components.frontend`.
    pub field: String,
}

/// One app to write.
#[derive(Clone, Debug)]
pub struct AppPlan {
    /// The app's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The app in the environment file's form.
    pub body: Value,
    /// What became typed.
    pub typed: Vec<Typed>,
    /// What stayed raw, and why.
    pub raw: Vec<(String, String)>,
    /// Differences its rendering will show that are cfggen's normalisations.
    pub notes: Vec<String>,
    /// The objects of the input that belong to it.
    pub objects: Vec<Object>,
    /// Its Namespace objects in cfggen's form: entries of the
    /// environment's `namespaces`, by name.
    pub namespaces: Map<String, Value>,
    /// Its PersistentVolumes in cfggen's form: entries of the
    /// environment's `persistentVolumes`, by name.
    pub persistent_volumes: Map<String, Value>,
    /// Its StorageClasses in cfggen's form: entries of the environment's
    /// `storageClasses`, by name.
    pub storage_classes: Map<String, Value>,
    /// Its AppProjects in cfggen's form: entries of the environment's
    /// `argocd.projects`, by name.
    pub projects: Map<String, Value>,
    /// The secret stores its ExternalSecrets read that the environment
    /// does not declare: entries of the environment's `secretStores`.
    pub stores: Map<String, Value>,
}

/// What an import writes.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The apps, by name.
    pub apps: Vec<AppPlan>,
    /// The CloudNativePG clusters, for the environment's `postgres:`.
    pub clusters: Vec<crate::postgres::ClusterPlan>,
    /// The secret values moved to 1Password references
    /// (`--skip-secrets`): the items and fields to create.
    pub moved: Vec<crate::moved::Moved>,
    /// Live objects a controller of the cluster made (a Deployment's
    /// ReplicaSets, their Pods), left out: the object (`Kind name`) and
    /// its controller.
    pub left_out: Vec<(String, String)>,
}

/// Plans the import of `objects`. `force_raw` names objects (`Kind
/// name` of an app) to keep raw, with why, because an earlier typed form
/// did not pass cfggen's rules.
pub fn plan(
    objects: Vec<Object>,
    options: &Options,
    force_raw: &BTreeMap<(String, String), String>,
) -> Result<Plan, Vec<InputError>> {
    let (objects, left_out) = made_by_controllers(objects);
    let mut kept = admitted(objects, options)?;
    let namespace = default_namespace(&kept, options);
    let mut moved = Vec::new();
    if options.skip_secrets {
        let ns_of = |o: &Object| o.namespace().unwrap_or(&namespace).to_owned();
        let app_of = |o: &Object| options.app.clone().unwrap_or_else(|| ns_of(o));
        (kept, moved) =
            crate::moved::move_out(kept, options.onepassword.as_ref(), &app_of, &ns_of)?;
    }
    let refused = force_raw.clone();
    let (clusters, kept, why) = crate::postgres::take(kept, options, &namespace, &refused);
    // The PersistentVolumes there are: the environment's and the input's.
    let volumes: std::collections::BTreeSet<String> = options
        .persistent_volumes
        .iter()
        .cloned()
        .chain(
            kept.iter()
                .filter(|o| o.kind() == "PersistentVolume")
                .map(|o| o.name().to_owned()),
        )
        .collect();
    let groups = group(kept, options, &namespace);
    let apps = groups
        .into_iter()
        .map(|(name, (ns, objects))| {
            // Why the CloudNativePG objects left here stay raw.
            let mut reasons = force_raw.clone();
            for o in &objects {
                let reason = why
                    .get(&o.label())
                    .cloned()
                    .or_else(|| crate::postgres::why_raw(o, &namespace, &clusters, &refused));
                if let Some(reason) = reason {
                    reasons.entry((name.clone(), o.label())).or_insert(reason);
                }
            }
            convert_app(&name, &ns, objects, options, &volumes, &reasons)
        })
        .collect::<Vec<_>>();
    let mut apps = apps;
    let mut clusters = clusters;
    crate::postgres::link_databases(&mut clusters, &mut apps);
    Ok(Plan {
        apps,
        clusters,
        moved,
        left_out,
    })
}

/// The objects of the input apart from those a controller made (an
/// `ownerReferences` entry with `controller: true`, as `kubectl get all`
/// lists a Deployment's ReplicaSets and Pods): those are the cluster's
/// to make again, not configuration. Each left out with its controller.
pub fn made_by_controllers(objects: Vec<Object>) -> (Vec<Object>, Vec<(String, String)>) {
    let mut kept = Vec::new();
    let mut left = Vec::new();
    for o in objects {
        let controller = o
            .value
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| r.get("controller") == Some(&Value::Bool(true)))
            .map(|r| {
                let kind = r.get("kind").and_then(Value::as_str).unwrap_or("object");
                let name = r.get("name").and_then(Value::as_str).unwrap_or("?");
                format!("{kind} {name}")
            });
        match controller {
            Some(by) => left.push((o.label(), by)),
            None => kept.push(o),
        }
    }
    (kept, left)
}

/// The objects an import takes: a secret value (a Secret with data, a
/// literal under a secret-looking name, a credential's shape) is an error
/// at its line unless `--skip-secrets` moves it out; an Argo CD
/// Application is an error.
fn admitted(objects: Vec<Object>, options: &Options) -> Result<Vec<Object>, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut kept = Vec::new();
    for o in objects {
        if !o.secrets.is_empty() && !options.skip_secrets {
            for s in &o.secrets {
                errors.push(InputError {
                    file: o.file.clone(),
                    line: s.line,
                    column: s.column,
                    message: format!(
                        "{} — in {} field `{}`, and config never holds a secret value",
                        s.finding.describe(),
                        o.label(),
                        s.finding.field
                    ),
                    hint: Some("put the value in 1Password and read it through the app's `secrets`; or pass --skip-secrets to have import move it to a 1Password reference and list the items and fields to create".into()),
                });
            }
            continue;
        }
        if is_secret_with_data(&o) {
            if options.skip_secrets {
                kept.push(o);
            } else {
                errors.push(InputError::at(
                    &o,
                    format!("Secret `{}` holds values, and config never holds a secret value", o.name()),
                    "put its values in a 1Password item and give the app a `secrets` entry that reads it (an ExternalSecret makes the Secret); or pass --skip-secrets to have import make that ExternalSecret and list the items and fields to create",
                ));
            }
            continue;
        }
        kept.push(o);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(kept)
}

/// The namespace of an object that names none, and the app's: with
/// `--app`, the one most of the objects name (the first named of equals;
/// an object of another stays raw and keeps its own), or the app's name;
/// else the one namespace they all name, or `default`.
fn default_namespace(objects: &[Object], options: &Options) -> String {
    // An AppProject is in Argo CD's namespace, whatever the app's.
    let named = || {
        objects
            .iter()
            .filter(|o| o.kind() != "AppProject")
            .filter_map(Object::namespace)
    };
    if let Some(app) = &options.app {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for ns in named() {
            match counts.iter_mut().find(|(n, _)| *n == ns) {
                Some((_, count)) => *count += 1,
                None => counts.push((ns, 1)),
            }
        }
        // The first of the most named: `max_by_key` keeps the last.
        let most = counts.iter().rev().max_by_key(|(_, count)| *count);
        return most.map_or(app.as_str(), |(ns, _)| ns).to_owned();
    }
    let namespaces: std::collections::BTreeSet<&str> = named().collect();
    match namespaces.len() {
        1 => namespaces
            .iter()
            .next()
            .copied()
            .unwrap_or("default")
            .to_owned(),
        _ => "default".to_owned(),
    }
}

/// App name → (namespace, objects): every object in the app `--app`
/// names, or each in the app of its namespace.
fn group(
    objects: Vec<Object>,
    options: &Options,
    namespace: &str,
) -> BTreeMap<String, (String, Vec<Object>)> {
    let mut out: BTreeMap<String, (String, Vec<Object>)> = BTreeMap::new();
    if let Some(app) = &options.app {
        if !objects.is_empty() {
            out.insert(app.clone(), (namespace.to_owned(), objects));
        }
        return out;
    }
    for o in objects {
        let ns = o.namespace().unwrap_or(namespace).to_owned();
        out.entry(ns.clone())
            .or_insert_with(|| (ns, Vec::new()))
            .1
            .push(o);
    }
    out
}

/// The entry `key` of `entries` made in namespace `ns`, not the app's.
fn set_namespace(entries: &mut Map<String, Value>, key: &str, ns: &str) {
    if let Some(entry) = entries.get_mut(key).and_then(Value::as_object_mut) {
        entry.insert("namespace".into(), ns.into());
    }
}

/// An object without its `metadata.namespace`: as it is typed, before
/// its entry says the namespace.
fn without_namespace(object: &Value) -> Value {
    let mut value = object.clone();
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("namespace");
    }
    value
}

/// Kinds typed in their own field of the app, in the order they are
/// converted (workloads before the Services that select them).
const ORDER: &[&str] = &[
    "ConfigMap",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "Job",
    "ReplicationController",
    "Pod",
    "PodDisruptionBudget",
    "Service",
    "EndpointSlice",
    "Ingress",
    "HTTPRoute",
    "ExternalSecret",
    "Password",
    "Namespace",
    "AppProject",
];

fn convert_app(
    name: &str,
    namespace: &str,
    objects: Vec<Object>,
    options: &Options,
    volumes: &std::collections::BTreeSet<String>,
    force_raw: &BTreeMap<(String, String), String>,
) -> AppPlan {
    let mut plan = AppPlan {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        body: Value::Null,
        typed: Vec::new(),
        raw: Vec::new(),
        notes: Vec::new(),
        objects: objects.clone(),
        namespaces: Map::new(),
        persistent_volumes: Map::new(),
        storage_classes: Map::new(),
        projects: Map::new(),
        stores: Map::new(),
    };
    let mut app = AppBody {
        name_label: name_label(name, &objects),
        onepassword: options.onepassword.as_ref(),
        secret_stores: Some(&options.secret_stores),
        volumes: Some(volumes),
        argocd_namespace: options
            .argocd_namespace
            .clone()
            .unwrap_or_else(|| "argocd".into()),
        roles: crate::rbac::paired(&objects, namespace, "Role"),
        cluster_roles: crate::rbac::paired(&objects, namespace, "ClusterRole"),
        namespace: namespace.to_owned(),
        ..AppBody::default()
    };
    let mut ordered: Vec<&Object> = objects.iter().collect();
    ordered.sort_by_key(|o| {
        ORDER
            .iter()
            .position(|k| *k == o.kind())
            .unwrap_or(ORDER.len())
    });
    // The pods of kinds cfggen never types (a ReplicaSet, a
    // ReplicationController, a Pod), for the Services that select them.
    app.raw_pods.extend(
        objects
            .iter()
            .filter(|o| !ORDER.contains(&o.kind()))
            .filter_map(|o| cfggen_model::app::RawPods::of(&o.value)),
    );
    let mut raw = Vec::new();
    for o in ordered {
        let key = (name.to_owned(), o.label());
        let result = match force_raw.get(&key) {
            Some(why) => Err(why.clone()),
            None => app.add(name, o),
        };
        match result {
            Ok((field, notes)) => {
                plan.typed.push(Typed {
                    object: o.label(),
                    field,
                });
                plan.notes.extend(notes);
            }
            Err(why) => {
                plan.raw.push((o.label(), why));
                app.raw_pods
                    .extend(cfggen_model::app::RawPods::of(&o.value));
                app.read(crate::reads::of(&o.value));
                raw.push(o);
            }
        }
    }
    // Raw objects in the order of the input.
    raw.sort_by_key(|o| objects.iter().position(|x| std::ptr::eq(x, *o)));
    plan.raw
        .sort_by_key(|(label, _)| objects.iter().position(|x| x.label() == *label));
    plan.namespaces = std::mem::take(&mut app.namespaces);
    plan.persistent_volumes = std::mem::take(&mut app.persistent_volumes);
    plan.storage_classes = std::mem::take(&mut app.storage_classes);
    plan.projects = std::mem::take(&mut app.projects);
    plan.stores = std::mem::take(&mut app.stores)
        .into_iter()
        .filter_map(|(n, store)| Some((n, serde_json::to_value(store).ok()?)))
        .collect();
    plan.body = app.finish(name, namespace, &raw);
    // What the input reads or selects but does not hold.
    for field in [
        "externalSecrets",
        "externalConfigMaps",
        "externalServices",
        "externalClaims",
        "externalPersistentVolumes",
        "externalPods",
    ] {
        for made in plan
            .body
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::keys)
        {
            plan.notes.push(format!(
                "declared made elsewhere: {field}.{made} (the input refers to it and does not make it)"
            ));
        }
    }
    plan
}

/// The value of the app's `app.kubernetes.io/name` label: the one value
/// its objects and their pods carry, when they all carry the same (the
/// name a running app keeps); else the app's name.
fn name_label(app: &str, objects: &[Object]) -> String {
    let mut values = std::collections::BTreeSet::new();
    for o in objects {
        let labels = ["/metadata/labels", "/spec/template/metadata/labels"];
        for at in labels {
            if let Some(v) = o
                .value
                .pointer(at)
                .and_then(|l| l.get(cfggen_model::names::LABEL_APP))
                .and_then(Value::as_str)
            {
                values.insert(v.to_owned());
            }
        }
    }
    match values.len() {
        1 => values.into_iter().next().unwrap_or_else(|| app.to_owned()),
        _ => app.to_owned(),
    }
}

/// The typed fields of an app being built.
#[derive(Default)]
struct AppBody<'o> {
    /// The value of its `app.kubernetes.io/name` label (see [`name_label`]).
    name_label: String,
    onepassword: Option<&'o cfggen_model::environment::OnePassword>,
    /// The environment's other secret stores (see
    /// [`Options::secret_stores`]).
    secret_stores: Option<&'o cfggen_model::stores::SecretStores>,
    /// The stores the input's secrets read that the environment does not
    /// declare.
    stores: BTreeMap<String, cfggen_model::stores::OtherStore>,
    /// The `Password` generators the typed ExternalSecrets read, by name:
    /// the Secret each goes into.
    generators_read: BTreeMap<String, String>,
    /// The Secrets made from them.
    store_secrets: Map<String, Value>,
    /// The PersistentVolumes there are (see [`Options::persistent_volumes`]).
    volumes: Option<&'o std::collections::BTreeSet<String>>,
    namespace: String,
    /// Roles and ClusterRoles whose bindings are in cfggen's form, by
    /// name.
    roles: BTreeMap<(String, String), crate::rbac::Binding>,
    cluster_roles: BTreeMap<(String, String), crate::rbac::Binding>,
    components: Map<String, Value>,
    /// Each component's selector labels, for Services.
    selectors: Vec<(String, Map<String, Value>)>,
    /// Each component's pod labels, for Services that select by some.
    pod_labels: Vec<(String, Map<String, Value>)>,
    /// The pods of the workloads that stay raw, for Services that select
    /// them.
    raw_pods: Vec<cfggen_model::app::RawPods>,
    services: Map<String, Value>,
    /// Pods the Services select that the input does not make.
    external_pods: Map<String, Value>,
    ingresses: Map<String, Value>,
    http_routes: Map<String, Value>,
    tls_routes: Map<String, Value>,
    grpc_routes: Map<String, Value>,
    prometheuses: Map<String, Value>,
    dapr_components: Map<String, Value>,
    disruption_budgets: Map<String, Value>,
    cilium_bgp_cluster_configs: Map<String, Value>,
    cilium_bgp_peer_configs: Map<String, Value>,
    cilium_bgp_advertisements: Map<String, Value>,
    dapr_configurations: Map<String, Value>,
    reference_grants: Map<String, Value>,
    helm_releases: Map<String, Value>,
    ingress_classes: Map<String, Value>,
    volume_snapshot_classes: Map<String, Value>,
    gateway_classes: Map<String, Value>,
    grafana_datasources: Map<String, Value>,
    cilium_load_balancer_ip_pools: Map<String, Value>,
    cilium_l2_announcement_policies: Map<String, Value>,
    virtual_services: Map<String, Value>,
    destination_rules: Map<String, Value>,
    istio_gateways: Map<String, Value>,
    oci_repositories: Map<String, Value>,
    helm_repositories: Map<String, Value>,
    tcp_routes: Map<String, Value>,
    config_maps: Map<String, Value>,
    claims: Map<String, Value>,
    network_policies: Map<String, Value>,
    velero_schedules: Map<String, Value>,
    service_monitors: Map<String, Value>,
    pod_monitors: Map<String, Value>,
    certificates: Map<String, Value>,
    gateways: Map<String, Value>,
    cilium_policies: Map<String, Value>,
    cilium_clusterwide_policies: Map<String, Value>,
    grafana_dashboards: Map<String, Value>,
    issuers: Map<String, Value>,
    cluster_issuers: Map<String, Value>,
    /// Roles, ClusterRoles and bindings that are no account's own rules.
    own_roles: Map<String, Value>,
    own_cluster_roles: Map<String, Value>,
    role_bindings: Map<String, Value>,
    cluster_role_bindings: Map<String, Value>,
    service_accounts: Map<String, Value>,
    secrets: Map<String, Value>,
    external_secrets: BTreeMap<String, Option<Vec<String>>>,
    /// ConfigMaps the pods read: name → keys (`None`: any key).
    config_maps_read: BTreeMap<String, Option<Vec<String>>>,
    /// The claims the pods mount.
    claims_mounted: BTreeSet<String>,
    /// The Services the Ingresses and routes send to, and the ports (`null`:
    /// any port, for a Service a ReferenceGrant names).
    routes: Vec<(String, Value)>,
    used_accounts: Vec<String>,
    /// Namespace objects: entries of the environment's `namespaces`.
    namespaces: Map<String, Value>,
    /// PersistentVolumes: entries of the environment's
    /// `persistentVolumes`.
    persistent_volumes: Map<String, Value>,
    /// StorageClasses: entries of the environment's `storageClasses`.
    storage_classes: Map<String, Value>,
    /// AppProjects: entries of the environment's `argocd.projects`.
    projects: Map<String, Value>,
    /// The namespace Argo CD runs in.
    argocd_namespace: String,
}

/// Keys read of an object: a key joins its list; a read of the whole
/// object (`None`) means any key.
fn keys_read(map: &mut BTreeMap<String, Option<Vec<String>>>, name: String, key: Option<String>) {
    let entry = map.entry(name).or_insert(Some(Vec::new()));
    match (entry.as_mut(), key) {
        (Some(keys), Some(k)) if !keys.contains(&k) => keys.push(k),
        (Some(_), None) => *entry = None,
        _ => {}
    }
}

/// An app's `externalSecrets`/`externalConfigMaps` entries: what is read
/// and not made here (`made`), with the keys read.
fn made_elsewhere(
    read: BTreeMap<String, Option<Vec<String>>>,
    made: &dyn Fn(&str) -> bool,
) -> Map<String, Value> {
    read.into_iter()
        .filter(|(name, _)| !made(name))
        .map(|(name, keys)| {
            let entry = match keys {
                Some(keys) if !keys.is_empty() => json!({ "keys": keys }),
                _ => json!({}),
            };
            (name, entry)
        })
        .collect()
}

/// The name an `externalPods` entry takes: the name label the selector
/// asks for (`app.kubernetes.io/name`, else `app`), else the Service's.
fn pods_name(service: &str, selector: &Map<String, Value>) -> String {
    [cfggen_model::names::LABEL_APP, "app"]
        .iter()
        .filter_map(|k| selector.get(*k).and_then(Value::as_str))
        .find(|v| cfggen_model::names::is_dns1123_subdomain(v))
        .unwrap_or(service)
        .to_owned()
}

impl AppBody<'_> {
    /// What a workload's pods read that the app may not hold.
    fn read(&mut self, needs: workload::Needs) {
        for (secret, key) in needs.external_secrets {
            keys_read(&mut self.external_secrets, secret, key);
        }
        for (config_map, key) in needs.config_maps {
            keys_read(&mut self.config_maps_read, config_map, key);
        }
        self.claims_mounted.extend(needs.claims);
        self.used_accounts.extend(needs.service_accounts);
    }

    /// Adds one object in its typed form: its field and the
    /// normalisations to expect, or why it stays raw.
    fn add(&mut self, app: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        let name = o.name().to_owned();
        if let Some(ns) = o.namespace().filter(|ns| *ns != self.namespace) {
            if o.kind() != "AppProject" {
                return self.elsewhere(ns, &name, o);
            }
        }
        match (o.api_version(), o.kind()) {
            ("apps/v1", "Deployment" | "StatefulSet" | "DaemonSet")
            | ("batch/v1", "Job" | "CronJob")
            | ("v1", "Pod" | "ReplicationController") => self.workload(app, o),
            ("policy/v1", "PodDisruptionBudget") => self
                .disruption_budget(app, &name, &o.value)
                .or_else(|_| self.pod_budget(&name, &o.value)),
            ("v1", "Service") => {
                let service = self.service(&name, &o.value)?;
                self.services.insert(name.clone(), service);
                Ok((format!("services.{name}"), Vec::new()))
            }
            ("networking.k8s.io/v1", "Ingress") => {
                let typed = ingress(&o.value)?;
                // Every backend: the Ingress's own, and each path's.
                let paths = typed
                    .get("rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.get("paths")?.as_array())
                    .flatten();
                for backend in std::iter::once(&typed).chain(paths) {
                    if let (Some(service), Some(port)) = (
                        backend.get("service").and_then(Value::as_str),
                        backend.get("port"),
                    ) {
                        self.routes.push((service.to_owned(), port.clone()));
                    }
                }
                self.ingresses.insert(name.clone(), typed);
                Ok((format!("ingresses.{name}"), Vec::new()))
            }
            ("gateway.networking.k8s.io/v1", "HTTPRoute" | "GRPCRoute")
            | (
                "gateway.networking.k8s.io/v1" | "gateway.networking.k8s.io/v1alpha2",
                "TLSRoute" | "TCPRoute",
            ) => self.route(&name, o),
            ("v1", "ConfigMap") => {
                self.config_maps.insert(name.clone(), config_map(&o.value)?);
                Ok((format!("configMaps.{name}"), Vec::new()))
            }
            ("v1", "PersistentVolumeClaim") => {
                self.claims.insert(name.clone(), claim(&o.value)?);
                Ok((format!("claims.{name}"), Vec::new()))
            }
            ("v1", "ServiceAccount") => self.service_account(&name, &o.value),
            ("rbac.authorization.k8s.io/v1", kind @ ("Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding")) => {
                // An account's own rules, or else roles of their own.
                let ns = self.namespace.clone();
                self.rbac(kind, &ns, &name, &o.value)
                    .or_else(|_| self.own_rbac(kind, &name, &o.value))
            }
            ("external-secrets.io/v1", "ExternalSecret") => self.external_secret(&name, o),
            ("autoscaling/v2", "HorizontalPodAutoscaler") => self.autoscaler(app, &name, &o.value),
            ("autoscaling/v1" | "autoscaling/v2beta2", "HorizontalPodAutoscaler")
            | ("gateway.networking.k8s.io/v1beta1", "HTTPRoute" | "Gateway" | "GatewayClass") => {
                let (current, from) = crate::versions::current(&o.value)
                    .ok_or("an object cfggen cannot convert")?;
                let converted = Object { value: current, ..o.clone() };
                let (field, mut notes) = self.add(app, &converted)?;
                notes.push(crate::versions::note(&o.label(), &from));
                Ok((field, notes))
            }
            ("discovery.k8s.io/v1", "EndpointSlice") => self.endpoint_slice(&name, &o.value),
            ("networking.k8s.io/v1", "NetworkPolicy") => {
                let policy = crate::network::policy(&o.value, &self.name_label)?;
                self.network_policies.insert(name.clone(), policy);
                Ok((format!("networkPolicies.{name}"), Vec::new()))
            }
            ("monitoring.coreos.com/v1", "ServiceMonitor" | "PodMonitor" | "Prometheus")
            | ("cert-manager.io/v1", "Certificate" | "Issuer" | "ClusterIssuer")
            | ("gateway.networking.k8s.io/v1", "Gateway")
            | ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant")
            | ("cilium.io/v2", "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy")
            | ("grafana.integreatly.org/v1beta1", "GrafanaDashboard" | "GrafanaDatasource")
            | ("gateway.networking.k8s.io/v1", "GatewayClass")
            | ("velero.io/v1", "Schedule") => self.operator_kind(&name, o),
            ("argoproj.io/v1alpha1", "AppProject")
            | ("v1", "PersistentVolume" | "Namespace")
            | ("storage.k8s.io/v1", "StorageClass") => {
                self.declare(&name, o)
            }
            ("argoproj.io/v1alpha1", "Application") => Err(
                "an Argo CD Application of the input (an app-of-apps, another repository's app): cfggen renders an Application per app itself, into generated/<env>/argocd/; this one is kept as written — point it at that folder, or drop it once the apps it deployed are imported".into(),
            ),
            (api, "ExternalSecret") => Err(format!(
                "an ExternalSecret of {api}: typed only as external-secrets.io/v1, the version cfggen writes"
            )),
            (_, kind) => self
                .more_kinds(&name, o)
                .unwrap_or_else(|| Err(format!("cfggen has no typed form for a {kind}"))),
        }
    }

    /// External Secrets' `Password` generator a typed ExternalSecret
    /// reads: that secret's `password`, its labels and annotations the
    /// ExternalSecret's (cfggen writes both with the entry's).
    fn password(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        let secret = self
            .generators_read
            .get(name)
            .ok_or("no ExternalSecret typed here reads it")?
            .clone();
        let (password, labels, annotations) = crate::store::password(&o.value, &self.name_label)?;
        let entry = self
            .store_secrets
            .get_mut(&secret)
            .and_then(Value::as_object_mut)
            .ok_or("no ExternalSecret typed here reads it")?;
        let same = |key: &str, own: &indexmap::IndexMap<String, String>| {
            let theirs = entry.get(key).cloned().unwrap_or_else(|| json!({}));
            serde_json::to_value(own).ok() == Some(theirs)
        };
        if !same("labels", &labels) || !same("annotations", &annotations) {
            return Err("its labels or annotations are not its ExternalSecret's: cfggen writes the generator with the ExternalSecret's".into());
        }
        let value = serde_json::to_value(password).map_err(|e| e.to_string())?;
        entry.insert("password".into(), value);
        Ok((format!("storeSecrets.{secret}.password"), Vec::new()))
    }

    /// A ServiceAccount: its labels and whether it mounts its token.
    fn service_account(
        &mut self,
        name: &str,
        object: &Value,
    ) -> Result<(String, Vec<String>), Why> {
        let (mut t, mut meta) = crate::take::object(object)?;
        let labels = meta.strings("labels")?;
        meta.done()?;
        let mut sa = Map::new();
        if !labels.is_empty() {
            sa.insert("labels".into(), Value::Object(labels));
        }
        if let Some(v) = t.take("automountServiceAccountToken") {
            sa.insert("automountToken".into(), v);
        }
        t.done()?;
        self.service_accounts
            .insert(name.to_owned(), Value::Object(sa));
        Ok((format!("serviceAccounts.{name}"), Vec::new()))
    }

    /// The kinds of Flux, Istio and Cilium's load balancing, External
    /// Secrets' Password generator, and cluster-scoped classes: their
    /// entry, or `None` for another kind.
    fn more_kinds(&mut self, name: &str, o: &Object) -> Option<Result<(String, Vec<String>), Why>> {
        Some(match (o.api_version(), o.kind()) {
            ("generators.external-secrets.io/v1alpha1", "Password") => self.password(name, o),
            ("helm.toolkit.fluxcd.io/v2", "HelmRelease")
            | ("source.toolkit.fluxcd.io/v1", "OCIRepository" | "HelmRepository") => {
                self.flux(name, o)
            }
            ("networking.istio.io/v1", "VirtualService" | "DestinationRule" | "Gateway") => {
                self.istio(name, o)
            }
            ("networking.k8s.io/v1", "IngressClass")
            | ("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass") => self.class(name, o),
            ("dapr.io/v1alpha1", "Component" | "Configuration") => self.dapr(name, o),
            (
                "cilium.io/v2",
                "CiliumBGPClusterConfig" | "CiliumBGPPeerConfig" | "CiliumBGPAdvertisement",
            ) => self.cilium_bgp(name, o),
            ("cilium.io/v2" | "cilium.io/v2alpha1", "CiliumLoadBalancerIPPool")
            | ("cilium.io/v2alpha1", "CiliumL2AnnouncementPolicy") => self.cilium_lb(name, o),
            _ => return None,
        })
    }

    /// A Cilium BGP cluster config, peer config or advertisement.
    fn cilium_bgp(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use crate::spec::typed_spec;
        use cfggen_model::cilium_bgp::{BgpAdvertisement, BgpClusterConfig, BgpPeerConfig};
        let label = &self.name_label;
        let (field, entries, value) = match o.kind() {
            "CiliumBGPClusterConfig" => (
                "ciliumBGPClusterConfigs",
                &mut self.cilium_bgp_cluster_configs,
                serde_json::to_value(typed_spec::<BgpClusterConfig>(&o.value, label)?),
            ),
            "CiliumBGPPeerConfig" => (
                "ciliumBGPPeerConfigs",
                &mut self.cilium_bgp_peer_configs,
                serde_json::to_value(typed_spec::<BgpPeerConfig>(&o.value, label)?),
            ),
            _ => (
                "ciliumBGPAdvertisements",
                &mut self.cilium_bgp_advertisements,
                serde_json::to_value(typed_spec::<BgpAdvertisement>(&o.value, label)?),
            ),
        };
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// A Dapr Component (the Kubernetes Secrets it reads declared as
    /// read) or Configuration.
    fn dapr(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        if o.kind() == "Configuration" {
            let conf = crate::spec::typed_spec::<cfggen_model::dapr::DaprConfiguration>(
                &o.value,
                &self.name_label,
            )?;
            let value = serde_json::to_value(conf).map_err(|e| e.to_string())?;
            self.dapr_configurations.insert(name.to_owned(), value);
            return Ok((format!("daprConfigurations.{name}"), Vec::new()));
        }
        let (component, reads) = crate::dapr::component(&o.value, &self.name_label)?;
        for (secret, key) in reads {
            keys_read(&mut self.external_secrets, secret, Some(key));
        }
        let value = serde_json::to_value(component).map_err(|e| e.to_string())?;
        self.dapr_components.insert(name.to_owned(), value);
        Ok((format!("daprComponents.{name}"), Vec::new()))
    }

    /// An ExternalSecret: a 1Password item of the app's `secrets`, or a
    /// Secret of another store.
    fn external_secret(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        if !self.reads_onepassword(&o.value) {
            return self.store_secret(name, &o.value);
        }
        let (secret, item) =
            crate::secret::item(name, &o.value, self.onepassword, &self.name_label)?;
        if self.secrets.contains_key(&secret) {
            return Err(format!("a second ExternalSecret of Secret `{secret}`"));
        }
        self.secrets.insert(secret.clone(), item);
        Ok((format!("secrets.{secret}"), Vec::new()))
    }

    /// A Gateway API route: an HTTPRoute, TLSRoute, TCPRoute or GRPCRoute, whose
    /// backends in the app's namespace join what it routes to.
    fn route(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        let namespace = o.namespace().unwrap_or(&self.namespace).to_owned();
        let (field, entries, (typed, backends)) = match o.kind() {
            "HTTPRoute" => (
                "httpRoutes",
                &mut self.http_routes,
                crate::route::http_route(&namespace, &o.value)?,
            ),
            "TLSRoute" => (
                "tlsRoutes",
                &mut self.tls_routes,
                crate::route::stream_route(&namespace, &self.name_label, &o.value)?,
            ),
            "GRPCRoute" => (
                "grpcRoutes",
                &mut self.grpc_routes,
                crate::route::grpc_route(&namespace, &self.name_label, &o.value)?,
            ),
            _ => (
                "tcpRoutes",
                &mut self.tcp_routes,
                crate::route::stream_route(&namespace, &self.name_label, &o.value)?,
            ),
        };
        entries.insert(name.to_owned(), typed);
        self.routes.extend(backends);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// A Flux HelmRelease or source of its chart: its entry, and what its
    /// values and credentials come from declared as read.
    fn flux(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use crate::spec::typed_spec;
        use serde_json::to_value;
        let label = &self.name_label;
        let (field, entries, value) = match o.kind() {
            "HelmRelease" => {
                let release = typed_spec::<cfggen_model::flux::HelmRelease>(&o.value, label)?;
                // What its values come from is the app's, or made
                // elsewhere.
                for from in &release.values_from {
                    let key = from
                        .values_key
                        .clone()
                        .or_else(|| Some("values.yaml".into()));
                    if from.kind == "Secret" {
                        keys_read(&mut self.external_secrets, from.name.clone(), key);
                    } else {
                        keys_read(&mut self.config_maps_read, from.name.clone(), key);
                    }
                }
                ("helmReleases", &mut self.helm_releases, to_value(release))
            }
            "OCIRepository" => {
                let repo = typed_spec::<cfggen_model::flux::OciRepository>(&o.value, label)?;
                if let Some(secret) = &repo.secret_ref {
                    keys_read(&mut self.external_secrets, secret.name.clone(), None);
                }
                (
                    "ociRepositories",
                    &mut self.oci_repositories,
                    to_value(repo),
                )
            }
            _ => {
                let repo = typed_spec::<cfggen_model::flux::HelmRepository>(&o.value, label)?;
                if let Some(secret) = &repo.secret_ref {
                    keys_read(&mut self.external_secrets, secret.name.clone(), None);
                }
                (
                    "helmRepositories",
                    &mut self.helm_repositories,
                    to_value(repo),
                )
            }
        };
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// An IngressClass or VolumeSnapshotClass: its entry, the default
    /// annotation as `default`.
    fn class(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use cfggen_model::{service, storage};
        let (mut t, mut meta) = crate::take::object(&o.value)?;
        let labels = crate::take::own_strings(meta.strings("labels")?, &self.name_label);
        let mut annotations =
            crate::take::own_strings(meta.strings("annotations")?, &self.name_label);
        meta.done()?;
        let key = if o.kind() == "IngressClass" {
            service::DEFAULT_INGRESS_CLASS
        } else {
            storage::DEFAULT_SNAPSHOT_CLASS
        };
        let default = match annotations.shift_remove(key).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(format!("`{key}: {other}` is neither true nor false")),
        };
        let (field, entries, value) = if o.kind() == "IngressClass" {
            let mut spec = t.sub("spec")?;
            let class = service::IngressClass {
                controller: spec
                    .string("controller")?
                    .ok_or("an IngressClass without a controller")?,
                parameters: crate::take::typed(
                    spec.take("parameters").unwrap_or(Value::Null),
                    "spec.parameters",
                )?,
                default,
                labels,
                annotations,
            };
            spec.done()?;
            (
                "ingressClasses",
                &mut self.ingress_classes,
                serde_json::to_value(class),
            )
        } else {
            let class = storage::VolumeSnapshotClass {
                driver: t
                    .string("driver")?
                    .ok_or("a VolumeSnapshotClass without a driver")?,
                deletion_policy: t
                    .string("deletionPolicy")?
                    .ok_or("a VolumeSnapshotClass without a deletionPolicy")?,
                parameters: crate::take::typed(
                    t.take("parameters").unwrap_or_else(|| json!({})),
                    "parameters",
                )?,
                default,
                labels,
                annotations,
            };
            (
                "volumeSnapshotClasses",
                &mut self.volume_snapshot_classes,
                serde_json::to_value(class),
            )
        };
        t.done()?;
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// A Cilium load-balancer IP pool or L2 announcement policy: its entry
    /// (a pool of `v2alpha1` says so).
    fn cilium_lb(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use crate::spec::typed_spec;
        use cfggen_model::cilium_lb;
        let label = &self.name_label;
        let (field, entries, value) = if o.kind() == "CiliumLoadBalancerIPPool" {
            let mut pool = typed_spec::<cilium_lb::LoadBalancerIpPool>(&o.value, label)?;
            if o.api_version() == "cilium.io/v2alpha1" {
                pool.version = Some("v2alpha1".into());
            }
            let pools = &mut self.cilium_load_balancer_ip_pools;
            (
                "ciliumLoadBalancerIPPools",
                pools,
                serde_json::to_value(pool),
            )
        } else {
            let policy = typed_spec::<cilium_lb::L2AnnouncementPolicy>(&o.value, label)?;
            let policies = &mut self.cilium_l2_announcement_policies;
            (
                "ciliumL2AnnouncementPolicies",
                policies,
                serde_json::to_value(policy),
            )
        };
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// An Istio VirtualService, DestinationRule or Gateway: its entry.
    fn istio(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use crate::spec::typed_spec;
        use cfggen_model::istio;
        use serde_json::to_value;
        let label = &self.name_label;
        let (field, entries, value) = match o.kind() {
            "VirtualService" => (
                "virtualServices",
                &mut self.virtual_services,
                to_value(typed_spec::<istio::VirtualService>(&o.value, label)?),
            ),
            "DestinationRule" => (
                "destinationRules",
                &mut self.destination_rules,
                to_value(typed_spec::<istio::DestinationRule>(&o.value, label)?),
            ),
            _ => (
                "istioGateways",
                &mut self.istio_gateways,
                to_value(typed_spec::<istio::IstioGateway>(&o.value, label)?),
            ),
        };
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// An object of namespace `ns`, not the app's: the kinds whose entry
    /// may name another namespace (an account's `rulesIn`, a monitor, a
    /// store secret), else why it stays raw.
    fn elsewhere(
        &mut self,
        ns: &str,
        name: &str,
        o: &Object,
    ) -> Result<(String, Vec<String>), Why> {
        let rbac = o.api_version() == "rbac.authorization.k8s.io/v1";
        if rbac && matches!(o.kind(), "Role" | "RoleBinding") {
            if let Ok(typed) = self.rbac(o.kind(), ns, name, &o.value) {
                return Ok(typed);
            }
        }
        let monitoring = o.api_version() == "monitoring.coreos.com/v1";
        if monitoring && matches!(o.kind(), "ServiceMonitor" | "PodMonitor") {
            return self.monitor_elsewhere(ns, name, o);
        }
        let external_secret =
            o.api_version() == "external-secrets.io/v1" && o.kind() == "ExternalSecret";
        if external_secret && !self.reads_onepassword(&o.value) {
            return self.store_secret_elsewhere(ns, name, o);
        }
        Err(format!(
            "it is in namespace `{ns}`, and the app in `{}`: a typed object is in the app's namespace, a raw one keeps its own",
            self.namespace
        ))
    }

    /// An ExternalSecret of another store in namespace `ns`, not the
    /// app's: its entry of `storeSecrets`, with that `namespace`.
    fn store_secret_elsewhere(
        &mut self,
        ns: &str,
        name: &str,
        o: &Object,
    ) -> Result<(String, Vec<String>), Why> {
        let generated = o
            .value
            .pointer("/spec/dataFrom")
            .and_then(Value::as_array)
            .is_some_and(|from| from.iter().any(|e| e.get("sourceRef").is_some()));
        if generated {
            return Err(
                "a generated secret of another namespace: cfggen makes its generator in the app's"
                    .into(),
            );
        }
        let (field, notes) = self.store_secret(name, &without_namespace(&o.value))?;
        let secret = field.trim_start_matches("storeSecrets.");
        set_namespace(&mut self.store_secrets, secret, ns);
        Ok((field, notes))
    }

    /// A ServiceMonitor or PodMonitor of namespace `ns`, not the app's:
    /// its entry, with that `namespace`.
    fn monitor_elsewhere(
        &mut self,
        ns: &str,
        name: &str,
        o: &Object,
    ) -> Result<(String, Vec<String>), Why> {
        let taken = if o.kind() == "ServiceMonitor" {
            &self.service_monitors
        } else {
            &self.pod_monitors
        };
        if taken.contains_key(name) {
            return Err(format!(
                "a second {} `{name}` (the app's are keyed by name)",
                o.kind()
            ));
        }
        let here = Object {
            value: without_namespace(&o.value),
            ..o.clone()
        };
        let (field, notes) = self.operator_kind(name, &here)?;
        let entries = if o.kind() == "ServiceMonitor" {
            &mut self.service_monitors
        } else {
            &mut self.pod_monitors
        };
        set_namespace(entries, name, ns);
        Ok((field, notes))
    }

    /// An object of another operator's kind that cfggen types (a
    /// monitor, a Certificate, a Gateway, a Cilium policy, a Grafana
    /// dashboard, a Velero Schedule): its entry in
    /// the app.
    fn operator_kind(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        use crate::spec::typed_spec;
        use cfggen_model::{certificate::Certificate, cilium::CiliumPolicy, monitor};
        use serde_json::to_value;
        let label = &self.name_label;
        let (field, entries, value) = match o.kind() {
            "ServiceMonitor" => (
                "serviceMonitors",
                &mut self.service_monitors,
                to_value(typed_spec::<monitor::ServiceMonitor>(&o.value, label)?),
            ),
            "PodMonitor" => (
                "podMonitors",
                &mut self.pod_monitors,
                to_value(typed_spec::<monitor::PodMonitor>(&o.value, label)?),
            ),
            "Prometheus" => {
                let p = typed_spec::<cfggen_model::prometheus::Prometheus>(&o.value, label)?;
                // The account it runs as is the app's, or made elsewhere.
                self.used_accounts.extend(p.service_account_name.clone());
                ("prometheuses", &mut self.prometheuses, to_value(p))
            }
            "Certificate" => (
                "certificates",
                &mut self.certificates,
                to_value(typed_spec::<Certificate>(&o.value, label)?),
            ),
            "Gateway" => (
                "gateways",
                &mut self.gateways,
                to_value(typed_spec::<cfggen_model::gateway::Gateway>(
                    &o.value, label,
                )?),
            ),
            "GrafanaDatasource" => (
                "grafanaDatasources",
                &mut self.grafana_datasources,
                to_value(typed_spec::<cfggen_model::grafana::GrafanaDatasource>(
                    &o.value, label,
                )?),
            ),
            "GatewayClass" => (
                "gatewayClasses",
                &mut self.gateway_classes,
                to_value(typed_spec::<cfggen_model::gateway::GatewayClass>(
                    &o.value, label,
                )?),
            ),
            "ReferenceGrant" => {
                let grant = typed_spec::<cfggen_model::grant::ReferenceGrant>(&o.value, label)?;
                // A Service it lets others send to is the app's, or made
                // elsewhere (an operator's): any of its ports.
                for to in &grant.to {
                    if let (true, "Service", Some(service)) =
                        (to.group.is_empty(), to.kind.as_str(), &to.name)
                    {
                        self.routes.push((service.clone(), Value::Null));
                    }
                }
                (
                    "referenceGrants",
                    &mut self.reference_grants,
                    to_value(grant),
                )
            }
            "CiliumNetworkPolicy" => (
                "ciliumPolicies",
                &mut self.cilium_policies,
                to_value(typed_spec::<CiliumPolicy>(&o.value, label)?),
            ),
            "CiliumClusterwideNetworkPolicy" => (
                "ciliumClusterwidePolicies",
                &mut self.cilium_clusterwide_policies,
                to_value(typed_spec::<CiliumPolicy>(&o.value, label)?),
            ),
            "Issuer" => (
                "issuers",
                &mut self.issuers,
                to_value(typed_spec::<cfggen_model::issuer::Issuer>(&o.value, label)?),
            ),
            "ClusterIssuer" => (
                "clusterIssuers",
                &mut self.cluster_issuers,
                to_value(typed_spec::<cfggen_model::issuer::Issuer>(&o.value, label)?),
            ),
            "GrafanaDashboard" => {
                let dashboard =
                    typed_spec::<cfggen_model::grafana::GrafanaDashboard>(&o.value, label)?;
                // The ConfigMap of its model is read like a pod's: one
                // the input does not hold is declared made elsewhere.
                if let Some(r) = &dashboard.config_map_ref {
                    keys_read(
                        &mut self.config_maps_read,
                        r.name.clone(),
                        Some(r.key.clone()),
                    );
                }
                (
                    "grafanaDashboards",
                    &mut self.grafana_dashboards,
                    to_value(dashboard),
                )
            }
            _ => (
                "veleroSchedules",
                &mut self.velero_schedules,
                to_value(crate::velero::schedule(&o.value, label)?),
            ),
        };
        entries.insert(name.to_owned(), value.map_err(|e| e.to_string())?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// An autoscaler: the `autoscaling` of the component whose workload
    /// it scales (that workload then has no pod count of its own).
    fn autoscaler(
        &mut self,
        app: &str,
        name: &str,
        object: &Value,
    ) -> Result<(String, Vec<String>), Why> {
        let (target, hpa) = crate::autoscaling::autoscaler(name, object)?;
        let found = self.components.iter_mut().find(|(key, c)| {
            let named = c.get("name").and_then(Value::as_str).map_or_else(
                || cfggen_model::app::default_workload_name(app, key),
                str::to_owned,
            );
            let kind = c
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("Deployment");
            named == target.name && kind == target.kind
        });
        let Some((key, component)) = found else {
            return Err(format!(
                "it scales {} `{}`, which is not a typed workload of the app",
                target.kind, target.name
            ));
        };
        let Some(component) = component.as_object_mut() else {
            return Err("its workload is not typed".into());
        };
        if component.contains_key("autoscaling") {
            return Err(format!("a second autoscaler for component `{key}`"));
        }
        component.shift_remove("replicas");
        let value = serde_json::to_value(hpa).map_err(|e| e.to_string())?;
        component.insert("autoscaling".into(), value);
        Ok((format!("components.{key}.autoscaling"), Vec::new()))
    }

    /// An object of the environment rather than of the app (an
    /// AppProject, a PersistentVolume, a StorageClass, a Namespace): its
    /// entry, once.
    fn declare(&mut self, name: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        let (entries, field, declaration) = match o.kind() {
            "AppProject" => (
                &mut self.projects,
                "argocd.projects",
                crate::project::declaration(&o.value, &self.argocd_namespace),
            ),
            "PersistentVolume" => (
                &mut self.persistent_volumes,
                "persistentVolumes",
                crate::volume::declaration(&o.value),
            ),
            "StorageClass" => (
                &mut self.storage_classes,
                "storageClasses",
                crate::volume::storage_class(&o.value),
            ),
            _ => (
                &mut self.namespaces,
                "namespaces",
                crate::namespace::declaration(name, &o.value),
            ),
        };
        if entries.contains_key(name) {
            return Err(format!("a second {} `{name}`", o.kind()));
        }
        entries.insert(name.to_owned(), declaration?);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// Whether an ExternalSecret reads the environment's 1Password store.
    fn reads_onepassword(&self, object: &Value) -> bool {
        let at = |p: &str| object.pointer(p).and_then(Value::as_str);
        self.onepassword.is_some_and(|op| {
            at("/spec/secretStoreRef/kind") == Some("ClusterSecretStore")
                && at("/spec/secretStoreRef/name") == Some(op.store.name.as_str())
        })
    }

    /// An ExternalSecret of another store: one of `storeSecrets`, its
    /// store the one the environment declares or declared with it.
    fn store_secret(&mut self, name: &str, object: &Value) -> Result<(String, Vec<String>), Why> {
        let crate::store::Typed {
            store,
            generator,
            name,
            mut secret,
        } = crate::store::store_secret(name, object, &self.name_label)?;
        if self.store_secrets.contains_key(&name) {
            return Err(format!("a second ExternalSecret of Secret `{name}`"));
        }
        // Its generator comes after it (`ORDER`), into `password`.
        if let Some(generator) = generator {
            self.generators_read.insert(generator, name.clone());
        }
        if let Some((store, read)) = store {
            let known = self
                .secret_stores
                .and_then(|declared| declared.get(&store))
                .or_else(|| self.stores.get(&store));
            match known {
                Some(k) if k.kind != read.kind => {
                    return Err(format!(
                        "it reads {} `{store}`, and the environment's store `{store}` is a {}",
                        read.kind.as_str(),
                        k.kind.as_str(),
                    ));
                }
                // Read as often as the store: the store's interval.
                Some(k) if Some(&k.refresh_interval) == secret.refresh_interval.as_ref() => {
                    secret.refresh_interval = None;
                }
                Some(_) => {}
                None => {
                    secret.refresh_interval = None;
                    self.stores.insert(store, read);
                }
            }
        }
        let value = serde_json::to_value(secret).map_err(|e| e.to_string())?;
        let field = format!("storeSecrets.{name}");
        self.store_secrets.insert(name, value);
        Ok((field, Vec::new()))
    }

    /// A workload: a component, with the selector and pod labels the
    /// Services after it select by, and what its pods read.
    fn workload(&mut self, app: &str, o: &Object) -> Result<(String, Vec<String>), Why> {
        let taken = |key: &str| self.components.contains_key(key);
        let converted = workload::convert(app, &self.name_label, &o.value, &taken)?;
        // The component's name label: its own, or the app's.
        let label = converted
            .component
            .get("nameLabel")
            .and_then(Value::as_str)
            .unwrap_or(&self.name_label)
            .to_owned();
        // Its component label: its own, or its key.
        let component_label = converted
            .component
            .get("componentLabel")
            .and_then(Value::as_str)
            .unwrap_or(&converted.key)
            .to_owned();
        let selector = converted
            .component
            .get("selectorLabels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| {
                let mut own = Map::new();
                own.insert(cfggen_model::names::LABEL_APP.into(), label.clone().into());
                own.insert(
                    cfggen_model::names::LABEL_COMPONENT.into(),
                    component_label.clone().into(),
                );
                own
            });
        // The pods' labels: cfggen's, the selector's, the pod's.
        let mut pod_labels: Map<String, Value> = [
            (cfggen_model::names::LABEL_APP, label.as_str()),
            (
                cfggen_model::names::LABEL_COMPONENT,
                component_label.as_str(),
            ),
            cfggen_model::names::MANAGED_BY,
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
        pod_labels.extend(selector.clone());
        if let Some(own) = converted
            .component
            .pointer("/pod/labels")
            .and_then(Value::as_object)
        {
            pod_labels.extend(own.clone());
        }
        self.pod_labels.push((converted.key.clone(), pod_labels));
        self.selectors.push((converted.key.clone(), selector));
        self.read(converted.needs);
        self.components
            .insert(converted.key.clone(), converted.component);
        Ok((format!("components.{}", converted.key), converted.notes))
    }

    /// A Role, ClusterRole or binding in cfggen's form: the rules of the
    /// account it is bound to.
    fn rbac(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        object: &Value,
    ) -> Result<(String, Vec<String>), Why> {
        let cluster = kind.starts_with("Cluster");
        let elsewhere = namespace != self.namespace;
        let (pairs, unpaired, field, place) = if cluster {
            (
                &self.cluster_roles,
                crate::rbac::CLUSTER_UNPAIRED,
                "clusterRules",
                String::new(),
            )
        } else {
            (
                &self.roles,
                crate::rbac::UNPAIRED,
                "rules",
                namespace.to_owned(),
            )
        };
        let binding = pairs.get(&(place, name.to_owned())).ok_or(unpaired)?;
        let account_name = binding.account.clone();
        let binding_labels = binding.labels.clone();
        let account = self
            .service_accounts
            .get_mut(&account_name)
            .and_then(Value::as_object_mut)
            .ok_or("its service account is not typed")?;
        let typed = if elsewhere {
            format!("serviceAccounts.{account_name}.rulesIn.{namespace}")
        } else {
            format!("serviceAccounts.{account_name}.{field}")
        };
        if kind.ends_with("Binding") {
            // Typed only with its role: cfggen renders both or neither.
            let typed_role = if elsewhere {
                account
                    .get("rulesIn")
                    .is_some_and(|r| r.get(namespace).is_some())
            } else {
                account.contains_key(field)
            };
            if !typed_role {
                return Err("its role is not typed".into());
            }
            crate::rbac::same_labels(account, &binding_labels)?;
            return Ok((typed, Vec::new()));
        }
        let (rules, labels) = crate::rbac::rules(object)?;
        // The binding is typed with its role: both must fit.
        for l in [&labels, &binding_labels] {
            crate::rbac::same_labels(account, l)?;
        }
        if elsewhere {
            if let Some(others) = account
                .entry("rulesIn")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
            {
                others.insert(namespace.to_owned(), rules);
            }
            return Ok((typed, Vec::new()));
        }
        account.insert(field.into(), rules);
        if cluster && name != format!("{}-{account_name}", self.namespace) {
            account.insert("clusterRoleName".into(), name.into());
        }
        Ok((typed, Vec::new()))
    }

    /// An EndpointSlice of one of the app's typed Services without pods:
    /// that Service's `endpoints`.
    fn endpoint_slice(&mut self, name: &str, object: &Value) -> Result<(String, Vec<String>), Why> {
        let (service, slice) = crate::endpoints::slice(name, object, &self.name_label)?;
        let typed = self
            .services
            .get_mut(&service)
            .and_then(Value::as_object_mut)
            .ok_or("its Service is not typed here")?;
        crate::endpoints::fits(typed, &slice)?;
        let value = serde_json::to_value(&slice.endpoints).map_err(|e| e.to_string())?;
        typed.insert("endpoints".into(), value);
        Ok((format!("services.{service}.endpoints"), Vec::new()))
    }

    /// A Role or ClusterRole that is no account's own rules: one of the
    /// app's `roles` or `clusterRoles`; a binding: one of its role's
    /// `bindings` when the role is the app's, else one of the app's
    /// `roleBindings` or `clusterRoleBindings` (a role made elsewhere).
    fn own_rbac(
        &mut self,
        kind: &str,
        name: &str,
        object: &Value,
    ) -> Result<(String, Vec<String>), Why> {
        use cfggen_model::rbac::{RoleBinding, RoleKind};
        let cluster = kind.starts_with("Cluster");
        let (roles_field, roles) = if cluster {
            ("clusterRoles", &mut self.own_cluster_roles)
        } else {
            ("roles", &mut self.own_roles)
        };
        if !kind.ends_with("Binding") {
            let role = crate::rbac::role(object, &self.name_label)?;
            let value = serde_json::to_value(role).map_err(|e| e.to_string())?;
            roles.insert(name.to_owned(), value);
            return Ok((format!("{roles_field}.{name}"), Vec::new()));
        }
        let (role_ref, binding) = crate::rbac::role_binding(object, &self.name_label)?;
        let own_kind = if cluster {
            RoleKind::ClusterRole
        } else {
            RoleKind::Role
        };
        let own = roles
            .get_mut(&role_ref.name)
            .filter(|_| role_ref.kind == own_kind)
            .and_then(Value::as_object_mut);
        if let Some(role) = own {
            let value = serde_json::to_value(binding).map_err(|e| e.to_string())?;
            let bindings = role
                .entry("bindings")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(b) = bindings.as_object_mut() {
                b.insert(name.to_owned(), value);
            }
            return Ok((
                format!("{roles_field}.{}.bindings.{name}", role_ref.name),
                Vec::new(),
            ));
        }
        let (field, bindings) = if cluster {
            ("clusterRoleBindings", &mut self.cluster_role_bindings)
        } else {
            ("roleBindings", &mut self.role_bindings)
        };
        let value =
            serde_json::to_value(RoleBinding { role_ref, binding }).map_err(|e| e.to_string())?;
        bindings.insert(name.to_owned(), value);
        Ok((format!("{field}.{name}"), Vec::new()))
    }

    /// A PodDisruptionBudget whose selector is a component's: that
    /// component's `disruptionBudget` (its name kept when it is not the
    /// workload's).
    fn disruption_budget(
        &mut self,
        app: &str,
        name: &str,
        object: &Value,
    ) -> Result<(String, Vec<String>), Why> {
        let (mut t, mut meta) = crate::take::object(object)?;
        let labels = meta.strings("labels")?;
        meta.done()?;
        let mut spec = t.sub("spec")?;
        t.done()?;
        let mut selector = spec.sub("selector")?;
        let match_labels = selector.strings("matchLabels")?;
        selector.done()?;
        let mut budget = Map::new();
        for key in ["minAvailable", "maxUnavailable"] {
            if let Some(v) = spec.take(key) {
                budget.insert(key.into(), v);
            }
        }
        spec.done()?;
        let key = self
            .selectors
            .iter()
            .find(|(_, s)| *s == match_labels)
            .map(|(key, _)| key.clone())
            .ok_or("its selector is not exactly the selector of a workload of the app")?;
        crate::take::cfggen_labels(&labels, &self.name_label, Some(&key))?;
        let own = [
            cfggen_model::names::LABEL_APP,
            cfggen_model::names::LABEL_COMPONENT,
            cfggen_model::names::MANAGED_BY.0,
        ];
        if labels.keys().any(|k| !own.contains(&k.as_str())) {
            return Err("labels on a PodDisruptionBudget: cfggen's carries the component's".into());
        }
        let component = self
            .components
            .get_mut(&key)
            .and_then(Value::as_object_mut)
            .ok_or("its workload is not typed")?;
        if component.contains_key("disruptionBudget") {
            return Err(format!(
                "a second PodDisruptionBudget for component `{key}`"
            ));
        }
        let workload = component
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{app}-{key}"), str::to_owned);
        if name != workload {
            budget.shift_insert(0, "name".into(), name.into());
        }
        component.insert("disruptionBudget".into(), Value::Object(budget));
        Ok((format!("components.{key}.disruptionBudget"), Vec::new()))
    }

    /// A PodDisruptionBudget of pods no component of the app runs (a
    /// chart's, an operator's): one of the app's `disruptionBudgets`, the
    /// pods declared made elsewhere when nothing of the input makes them.
    fn pod_budget(&mut self, name: &str, object: &Value) -> Result<(String, Vec<String>), Why> {
        let budget: cfggen_model::workload::PodBudget =
            crate::spec::typed_spec(object, &self.name_label)?;
        let wanted: Vec<(String, String)> = budget
            .selector
            .match_labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        if budget
            .selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
            && !wanted.is_empty()
        {
            let known = self.pod_labels.iter().any(|(_, labels)| {
                wanted
                    .iter()
                    .all(|(k, v)| labels.get(k).and_then(Value::as_str) == Some(v))
            }) || self
                .raw_pods
                .iter()
                .any(|p| p.selected_by(wanted.iter().map(|(k, v)| (k, v))));
            let prometheus = self.prometheuses.iter().any(|(pname, p)| {
                serde_json::from_value::<cfggen_model::prometheus::Prometheus>(p.clone())
                    .is_ok_and(|p| p.pods_selected_by(pname, &wanted.iter().cloned().collect()))
            });
            if !known && !prometheus {
                let labels: Map<String, Value> = wanted
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect();
                self.external_pods
                    .insert(pods_name(name, &labels), json!({ "labels": labels }));
            }
        }
        let value = serde_json::to_value(budget).map_err(|e| e.to_string())?;
        self.disruption_budgets.insert(name.to_owned(), value);
        Ok((format!("disruptionBudgets.{name}"), Vec::new()))
    }

    /// A Service selecting one of the app's components, or pods the
    /// input does not make (declared in `externalPods`), or none.
    fn service(&mut self, name: &str, object: &Value) -> Result<Value, Why> {
        let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
        let mut s = Map::new();
        let selector = spec.strings("selector")?;
        if !selector.is_empty() {
            let exact = self
                .selectors
                .iter()
                .find(|(_, labels)| *labels == selector);
            // Kubernetes selects every pod whose labels include the
            // selector's.
            let selected: Vec<&String> = self
                .pod_labels
                .iter()
                .filter(|(_, labels)| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
                .map(|(key, _)| key)
                .collect();
            match (exact, selected.as_slice()) {
                (Some((key, _)), _) => {
                    s.insert("component".into(), key.clone().into());
                }
                (None, []) => {
                    let labels: Vec<(String, String)> = selector
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect();
                    let raw = self
                        .raw_pods
                        .iter()
                        .any(|p| p.selected_by(labels.iter().map(|(k, v)| (k, v))));
                    if !raw {
                        // Pods another tool makes (a chart's, an
                        // operator's): declared made elsewhere.
                        self.external_pods
                            .insert(pods_name(name, &selector), json!({ "labels": selector }));
                    }
                    s.insert("selector".into(), Value::Object(selector.clone()));
                }
                (None, [one]) => {
                    s.insert("component".into(), (*one).clone().into());
                    s.insert("selector".into(), Value::Object(selector.clone()));
                }
                (None, _) => {
                    s.insert("selector".into(), Value::Object(selector.clone()));
                }
            }
        }
        if let Some(kind) = spec.string("type")? {
            s.insert("type".into(), kind.into());
        }
        match spec.string("clusterIP")?.as_deref() {
            Some("None") => {
                s.insert("headless".into(), true.into());
            }
            Some(ip) => {
                s.insert("clusterIP".into(), ip.into());
            }
            None => {}
        }
        for key in [
            "loadBalancerIP",
            "loadBalancerClass",
            "externalTrafficPolicy",
            "internalTrafficPolicy",
            "ipFamilies",
            "ipFamilyPolicy",
        ] {
            if let Some(v) = spec.take(key) {
                s.insert(key.into(), v);
            }
        }
        // Kubernetes' default is left out.
        if let Some(affinity) = spec.string("sessionAffinity")?.filter(|a| a != "None") {
            s.insert("sessionAffinity".into(), affinity.into());
        }
        if let Some(config) = spec.take("sessionAffinityConfig") {
            s.insert("sessionAffinityConfig".into(), config);
        }
        let mut ports = Vec::new();
        for p in spec.list("ports")? {
            let mut p = Taker::new(p, "spec.ports[]")?;
            let mut port = Map::new();
            for key in ["name", "port", "targetPort", "nodePort", "appProtocol"] {
                if let Some(v) = p.take(key) {
                    port.insert(key.into(), v);
                }
            }
            // Kubernetes forwards a port without a target to its own
            // number; cfggen's short form, to the pod port of its name.
            if let (Some(number), false) =
                (port.get("port").cloned(), port.contains_key("targetPort"))
            {
                port.insert("targetPort".into(), number);
            }
            if let Some(proto) = p.string("protocol")?.filter(|proto| proto != "TCP") {
                port.insert("protocol".into(), proto.into());
            }
            p.done()?;
            ports.push(Value::Object(port));
        }
        spec.done()?;
        s.insert("ports".into(), Value::Array(ports));
        if !annotations.is_empty() {
            s.insert("annotations".into(), Value::Object(annotations));
        }
        if !labels.is_empty() {
            s.insert("labels".into(), Value::Object(labels));
        }
        Ok(Value::Object(s))
    }

    /// The app, with its raw objects as inline manifests.
    /// The claims the pods mount that neither the app nor its raw
    /// objects make, and the volumes its claims bind to that neither the
    /// environment nor the input has.
    fn storage_elsewhere(&self, raw_claims: &[&str]) -> (Map<String, Value>, Map<String, Value>) {
        let claims = self
            .claims_mounted
            .iter()
            .filter(|c| !self.claims.contains_key(*c) && !raw_claims.contains(&c.as_str()))
            .map(|c| (c.clone(), json!({})))
            .collect();
        let volumes = self
            .claims
            .values()
            .filter_map(|c| c.get("volumeName").and_then(Value::as_str))
            .filter(|v| !self.volumes.is_some_and(|known| known.contains(*v)))
            .map(|v| (v.to_owned(), json!({})))
            .collect();
        (claims, volumes)
    }

    fn finish(self, name: &str, namespace: &str, raw: &[&Object]) -> Value {
        let mut app = Map::new();
        if namespace != name {
            app.insert("namespace".into(), namespace.into());
        }
        if self.name_label != name {
            app.insert("nameLabel".into(), self.name_label.clone().into());
        }
        // What the app's own objects, typed or raw, make is not made
        // elsewhere: a Secret of an ExternalSecret, a ConfigMap, a Service.
        use cfggen_model::app::Made;
        let (raw_secrets, raw_config_maps, raw_services, raw_claims) = (
            raw_made(raw, Made::Secret),
            raw_made(raw, Made::ConfigMap),
            raw_made(raw, Made::Service),
            raw_made(raw, Made::Claim),
        );
        let (external_claims, external_volumes) = self.storage_elsewhere(&raw_claims);
        let mut accounts = self.service_accounts;
        for used in self.used_accounts {
            if used != "default" && !accounts.contains_key(&used) {
                accounts.insert(used, json!({"existing": true}));
            }
        }
        let (secrets, store_secrets) = (&self.secrets, &self.store_secrets);
        // A store secret of another namespace is not one the pods read.
        let own_store_secret = |n: &str| {
            store_secrets
                .get(n)
                .is_some_and(|s| s.get("namespace").is_none())
        };
        let external = made_elsewhere(self.external_secrets, &|n| {
            secrets.contains_key(n) || own_store_secret(n) || raw_secrets.contains(&n)
        });
        let config_maps = &self.config_maps;
        let external_config_maps = made_elsewhere(self.config_maps_read, &|n| {
            config_maps.contains_key(n) || raw_config_maps.contains(&n)
        });
        let services = &self.services;
        let external_services = routed_elsewhere(self.routes, &|s| {
            services.contains_key(s) || raw_services.contains(&s)
        });
        for (field, map) in [
            ("components", self.components),
            ("services", self.services),
            ("ingresses", self.ingresses),
            ("httpRoutes", self.http_routes),
            ("tlsRoutes", self.tls_routes),
            ("grpcRoutes", self.grpc_routes),
            ("prometheuses", self.prometheuses),
            ("daprComponents", self.dapr_components),
            ("disruptionBudgets", self.disruption_budgets),
            ("ciliumBGPClusterConfigs", self.cilium_bgp_cluster_configs),
            ("ciliumBGPPeerConfigs", self.cilium_bgp_peer_configs),
            ("ciliumBGPAdvertisements", self.cilium_bgp_advertisements),
            ("daprConfigurations", self.dapr_configurations),
            ("tcpRoutes", self.tcp_routes),
            ("configMaps", self.config_maps),
            ("claims", self.claims),
            ("networkPolicies", self.network_policies),
            ("veleroSchedules", self.velero_schedules),
            ("serviceMonitors", self.service_monitors),
            ("podMonitors", self.pod_monitors),
            ("certificates", self.certificates),
            ("gateways", self.gateways),
            ("referenceGrants", self.reference_grants),
            ("ociRepositories", self.oci_repositories),
            ("helmRepositories", self.helm_repositories),
            ("helmReleases", self.helm_releases),
            ("ingressClasses", self.ingress_classes),
            ("volumeSnapshotClasses", self.volume_snapshot_classes),
            ("gatewayClasses", self.gateway_classes),
            ("grafanaDatasources", self.grafana_datasources),
            (
                "ciliumLoadBalancerIPPools",
                self.cilium_load_balancer_ip_pools,
            ),
            (
                "ciliumL2AnnouncementPolicies",
                self.cilium_l2_announcement_policies,
            ),
            ("istioGateways", self.istio_gateways),
            ("destinationRules", self.destination_rules),
            ("virtualServices", self.virtual_services),
            ("ciliumPolicies", self.cilium_policies),
            (
                "ciliumClusterwidePolicies",
                self.cilium_clusterwide_policies,
            ),
            ("grafanaDashboards", self.grafana_dashboards),
            ("issuers", self.issuers),
            ("clusterIssuers", self.cluster_issuers),
            ("serviceAccounts", accounts),
            ("roles", self.own_roles),
            ("clusterRoles", self.own_cluster_roles),
            ("roleBindings", self.role_bindings),
            ("clusterRoleBindings", self.cluster_role_bindings),
            ("secrets", self.secrets),
            ("storeSecrets", self.store_secrets),
            ("externalSecrets", external),
            ("externalConfigMaps", external_config_maps),
            ("externalServices", external_services),
            ("externalClaims", external_claims),
            ("externalPersistentVolumes", external_volumes),
            ("externalPods", self.external_pods),
        ] {
            if !map.is_empty() {
                app.insert(field.into(), Value::Object(map));
            }
        }
        if !raw.is_empty() {
            app.insert("manifests".into(), inline_manifests(raw, namespace));
        }
        // Nothing of its own (its objects went into the environment's
        // fields): no app, not an app of a namespace and a label.
        if app.keys().all(|k| k == "namespace" || k == "nameLabel") {
            app.clear();
        }
        Value::Object(app)
    }
}

/// The names of what the raw objects make of one kind. The lint knows a
/// Secret an ExternalSecret makes, not one a SealedSecret or Certificate
/// makes: those stay declared made elsewhere.
fn raw_made<'a>(raw: &[&'a Object], made: cfggen_model::app::Made) -> Vec<&'a str> {
    raw.iter()
        .filter(|o| !matches!(o.kind(), "SealedSecret" | "Certificate"))
        .filter_map(|o| cfggen_model::app::Made::by(&o.value))
        .filter(|(m, _)| *m == made)
        .map(|(_, name)| name)
        .collect()
}

/// A PersistentVolumeClaim: its spec, labels and annotations.
fn claim(object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut claim = workload::claim_spec(t.sub("spec")?)?;
    workload::with_metadata(&mut claim, labels, annotations);
    t.done()?;
    Ok(claim)
}

/// The objects kept raw, as `manifests` entries: the app's namespace goes
/// without saying; another is kept.
fn inline_manifests(raw: &[&Object], namespace: &str) -> Value {
    raw.iter()
        .map(|o| {
            let mut value = o.value.clone();
            if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                if meta.get("namespace").and_then(Value::as_str) == Some(namespace) {
                    meta.shift_remove("namespace");
                }
            }
            json!({ "inline": value })
        })
        .collect()
}

/// The Services the app's routes reach that `made_here` does not make
/// (another tool's), each with the ports routed to.
fn routed_elsewhere(
    routes: Vec<(String, Value)>,
    made_here: &dyn Fn(&str) -> bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut any_port = BTreeSet::new();
    for (service, port) in routes {
        if made_here(&service) {
            continue;
        }
        if port.is_null() {
            any_port.insert(service.clone());
        }
        let entry = out.entry(service).or_insert_with(|| json!({ "ports": [] }));
        if let Some(ports) = entry.get_mut("ports").and_then(Value::as_array_mut) {
            if !port.is_null() && !ports.contains(&port) {
                ports.push(port);
            }
        }
    }
    // Listing no ports says any port.
    for service in any_port {
        out.insert(service, json!({}));
    }
    out
}

/// An Ingress: rules with hosts and paths, or a default backend (with
/// hosts for TLS only), to Services by port name or number; TLS for every
/// host, or its entries as written.
fn ingress(object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let annotations = meta.strings("annotations")?;
    let labels = meta.strings("labels")?;
    meta.done()?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let mut out = Map::new();
    if let Some(c) = spec.take("ingressClassName") {
        out.insert("className".into(), c);
    }
    let mut hosts = Vec::new();
    let mut rules = Vec::new();
    for r in spec.list("rules")? {
        let mut r = Taker::new(r, "spec.rules[]")?;
        let mut rule = Map::new();
        if let Some(host) = r.take("host") {
            hosts.push(host.clone());
            rule.insert("host".into(), host);
        }
        let mut http = r.sub("http")?;
        let mut paths = Vec::new();
        for p in http.list("paths")? {
            let mut p = Taker::new(p, "paths[]")?;
            let mut path = Map::new();
            path.insert("path".into(), p.take("path").unwrap_or_else(|| "/".into()));
            if let Some(kind) = p.take("pathType") {
                path.insert("pathType".into(), kind);
            }
            let (service, port) = backend(p.sub("backend")?)?;
            p.done()?;
            path.insert("service".into(), service);
            path.insert("port".into(), port);
            paths.push(Value::Object(path));
        }
        http.done()?;
        r.done()?;
        rule.insert("paths".into(), Value::Array(paths));
        rules.push(Value::Object(rule));
    }
    let default = spec.take("defaultBackend");
    let tls = spec.list("tls")?;
    match (default, rules.is_empty()) {
        (Some(_), false) => {
            return Err("both a default backend and rules: cfggen's Ingresses route one way".into())
        }
        (None, true) => return Err("an Ingress without rules or a default backend".into()),
        (None, false) => {
            out.insert("rules".into(), Value::Array(rules));
        }
        // Every request to one Service; hosts (if any) only for TLS.
        (Some(default), true) => {
            let (service, port) = backend(Taker::new(default, "spec.defaultBackend")?)?;
            out.insert("service".into(), service);
            out.insert("port".into(), port);
            if let [one] = tls.as_slice() {
                hosts = one
                    .get("hosts")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if !hosts.is_empty() {
                    out.insert("hosts".into(), Value::Array(hosts.clone()));
                    out.insert("defaultBackend".into(), true.into());
                }
            }
        }
    }
    // One entry for every host is `tls`; any other is `tlsEntries`.
    let every_host = match tls.as_slice() {
        [one] => {
            let tls_hosts = one.get("hosts").and_then(Value::as_array);
            tls_hosts.is_some_and(|h| !h.is_empty() && *h == hosts)
        }
        _ => false,
    };
    if every_host {
        let mut one = Taker::new(tls[0].clone(), "spec.tls[0]")?;
        one.list("hosts")?;
        out.insert("tls".into(), true.into());
        if let Some(secret) = one.take("secretName") {
            out.insert("tlsSecret".into(), secret);
        }
        one.done()?;
    } else if !tls.is_empty() {
        let mut entries = Vec::new();
        for (i, entry) in tls.into_iter().enumerate() {
            let mut e = Taker::new(entry, &format!("spec.tls[{i}]"))?;
            let mut typed = Map::new();
            let entry_hosts = e.list("hosts")?;
            if !entry_hosts.is_empty() {
                typed.insert("hosts".into(), Value::Array(entry_hosts));
            }
            if let Some(secret) = e.take("secretName") {
                typed.insert("secretName".into(), secret);
            }
            e.done()?;
            entries.push(Value::Object(typed));
        }
        out.insert("tlsEntries".into(), Value::Array(entries));
    }
    spec.done()?;
    if !annotations.is_empty() {
        out.insert("annotations".into(), Value::Object(annotations));
    }
    if !labels.is_empty() {
        out.insert("labels".into(), Value::Object(labels));
    }
    Ok(Value::Object(out))
}

/// An Ingress backend: a Service and its port, by name or number.
fn backend(mut backend: Taker) -> Result<(Value, Value), Why> {
    let mut service = backend.sub("service")?;
    let name = service
        .take("name")
        .ok_or("a backend that is not a Service")?;
    let mut port = service.sub("port")?;
    let port_ref = match (port.take("name"), port.take("number")) {
        (Some(name), None) => name,
        (None, Some(number)) => number,
        _ => return Err("a backend port with neither or both of a name and a number".into()),
    };
    port.done()?;
    service.done()?;
    backend.done()?;
    Ok((name, port_ref))
}

/// A ConfigMap with inline data.
fn config_map(object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let data = t.strings("data")?;
    t.done()?;
    let mut cm = Map::new();
    cm.insert("data".into(), Value::Object(data));
    if !labels.is_empty() {
        cm.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        cm.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(cm))
}
