//! Semantic rules: what a JSON Schema cannot say about an environment.
//!
//! [`validate`] returns every problem it finds, each with the field path
//! it is about, so the loader can point at the source line. One file per
//! concern: secrets, containers, workloads, storage, services, RBAC,
//! databases; this one walks the environment and holds the rules that
//! span apps.

mod argocd;
mod autoscaling;
mod backup;
mod certificates;
mod cilium;
mod claims;
mod containers;
mod dapr;
mod database;
mod flux;
mod gateways;
mod grafana;
mod grants;
mod issuers;
mod istio;
mod labels;
mod monitors;
mod network;
mod rbac;
mod scan;
mod secrets;
mod services;
mod storage;
mod velero;
mod workloads;

use std::collections::HashMap;

pub use cfggen_path::{FieldPath, Seg};
pub use claims::{claims, Claims, DatabaseClaim};
pub use scan::{is_placeholder, names_a_secret, scan, url_password, Finding, Hidden, Why};
pub use secrets::{
    is_known_token, looks_like_secret_value, looks_secret, plainly_not_secret,
    secret_looking_literals, SecretLookingLiteral,
};

use crate::app::App;
use crate::environment::Environment;
use crate::image::ImageRef;
use crate::names;

/// Whether an issue is about a mapping key or the value under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The value at the path.
    Value,
    /// The key of the last path step.
    Key,
}

/// A semantic problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// A stable short name of the rule, e.g. `undeclared-cluster`.
    pub code: &'static str,
    /// The field the problem is about.
    pub path: FieldPath,
    /// Whether the key or the value is at fault.
    pub target: Target,
    /// What is wrong.
    pub message: String,
    /// A label under the source snippet: what was expected there.
    pub label: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// The environment as a rule sees it: every setting outside `apps`. A
/// rule of one app is given its app and these; a rule that spans apps is
/// given the apps' [`Claims`] ([`claims::Apps`]) and these. No rule reaches
/// another app's fields, so what the rules compare across apps is in
/// [`Claims`], whole (see `claims.rs`).
#[derive(Clone, Copy)]
struct Settings<'a> {
    name: &'a str,
    cluster: &'a crate::environment::ClusterTarget,
    clusters: &'a crate::argocd::Clusters,
    onepassword: Option<&'a crate::environment::OnePassword>,
    secret_stores: &'a indexmap::IndexMap<String, crate::stores::OtherStore>,
    images: &'a crate::environment::ImagePolicy,
    postgres: &'a indexmap::IndexMap<String, crate::environment::PostgresCluster>,
    persistent_volumes: &'a indexmap::IndexMap<String, crate::storage::PersistentVolume>,
    storage_classes: &'a indexmap::IndexMap<String, crate::storage::StorageClass>,
    /// Whether it declares cluster-scoped objects of its own.
    cluster_objects: bool,
}

impl<'a> Settings<'a> {
    fn of(env: &'a Environment) -> Self {
        Settings {
            name: &env.name,
            cluster: &env.cluster,
            clusters: &env.clusters,
            onepassword: env.onepassword.as_ref(),
            secret_stores: &env.secret_stores,
            images: &env.images,
            postgres: &env.postgres,
            persistent_volumes: &env.persistent_volumes,
            storage_classes: &env.storage_classes,
            cluster_objects: env.has_cluster_objects(),
        }
    }
}

struct Checker<'a> {
    env: Settings<'a>,
    issues: Vec<Issue>,
    /// What Kubernetes takes but a person should know (see
    /// [`Validated::warnings`]).
    warnings: Vec<Issue>,
}

impl Checker<'_> {
    fn push(
        &mut self,
        code: &'static str,
        path: FieldPath,
        target: Target,
        message: String,
        label: impl Into<String>,
        hint: Option<String>,
    ) {
        let label = label.into();
        self.issues.push(Issue {
            code,
            path,
            target,
            message,
            label,
            hint,
        });
    }

    /// Like [`Checker::push`], for what Kubernetes takes: a warning.
    fn warn(
        &mut self,
        code: &'static str,
        path: FieldPath,
        target: Target,
        message: String,
        label: impl Into<String>,
        hint: Option<String>,
    ) {
        let label = label.into();
        self.warnings.push(Issue {
            code,
            path,
            target,
            message,
            label,
            hint,
        });
    }
}

/// An environment that passed every semantic rule. Only [`validate`]
/// makes one, and the renderer takes nothing else: every reference in it
/// resolves, every name is valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated(Environment, Vec<Issue>);

impl Validated {
    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.0
    }

    /// What passed the rules as Kubernetes takes it, but a person should
    /// know (a StatefulSet whose governing Service is not headless).
    pub fn warnings(&self) -> &[Issue] {
        &self.1
    }
}

impl std::ops::Deref for Validated {
    type Target = Environment;

    fn deref(&self) -> &Environment {
        &self.0
    }
}

/// Applies every semantic rule to an environment loaded from the file
/// `environments/<stem>.yaml`: the environment, validated, or every
/// problem found, in a stable order.
pub fn validate(env: Environment, stem: &str) -> Result<Validated, Vec<Issue>> {
    let (issues, warnings) = check_all(&env, stem);
    if issues.is_empty() {
        Ok(Validated(env, warnings))
    } else {
        Err(issues)
    }
}

/// Every problem of an environment loaded from `environments/<stem>.yaml`,
/// in a stable order.
pub fn check(env: &Environment, stem: &str) -> Vec<Issue> {
    check_all(env, stem).0
}

/// Every problem and every warning of an environment, in a stable order.
fn check_all(env: &Environment, stem: &str) -> (Vec<Issue>, Vec<Issue>) {
    let mut c = Checker {
        env: Settings::of(env),
        issues: Vec::new(),
        warnings: Vec::new(),
    };
    if env.name != stem {
        c.push(
            "name-mismatch",
            FieldPath::of(&["name"]),
            Target::Value,
            format!(
                "environment name `{}` does not match its file name `{stem}.yaml`",
                env.name
            ),
            format!("expected `{stem}`"),
            Some(format!(
                "set `name: {stem}`, or rename the file to `{}.yaml`",
                env.name
            )),
        );
    }
    // What each app claims: all that the rules spanning apps see of it.
    let apps: Vec<(&str, Claims)> = env
        .apps
        .iter()
        .map(|(name, app)| (name.as_str(), claims(name, app)))
        .collect();
    match &env.onepassword {
        Some(op) => check_vault(&mut c, &op.vault, FieldPath::of(&["onepassword", "vault"])),
        None => {
            let app_use = apps.iter().find_map(|(_, a)| a.onepassword_use.clone());
            if let Some(user) = app_use.or_else(|| env.first_role_password()) {
                c.push(
                    "missing-onepassword",
                    FieldPath::of(&["onepassword"]),
                    Target::Key,
                    format!("`{user}` reads 1Password, and the environment has no `onepassword` settings"),
                    "`onepassword` is missing here",
                    Some("add `onepassword: {vault: <vault>, store: {name: <ClusterSecretStore>, provider: onepassword}}`, here or in a base; an environment whose apps read no secret needs none".into()),
                );
            }
        }
    }
    for (name, cluster) in &env.postgres {
        if let Some(image) = &cluster.image {
            check_pinned(&mut c, image, FieldPath::of(&["postgres", name, "image"]));
        }
        database::check_cluster(&mut c, &apps, name, cluster);
        backup::check_backups(&mut c, &apps, name, cluster);
    }
    argocd::check_sync(
        &mut c,
        &env.argocd.sync,
        &FieldPath::of(&["argocd", "sync"]),
    );
    for (name, app) in &env.apps {
        check_app(&mut c, name, app);
        storage::check_claims(&mut c, &apps, name, app);
        check_folder(&mut c, name, app);
    }
    cilium::check_cilium_policies(&mut c, env);
    cilium::check_bgp(&mut c, env);
    storage::check_bound_volumes(&mut c, &apps);
    storage::check_persistent_volumes(&mut c);
    storage::check_storage_classes(&mut c);
    argocd::check_projects(&mut c, &env.argocd.projects);
    for (name, namespace) in &env.namespaces {
        labels::check_labels(
            &mut c,
            &namespace.labels,
            &FieldPath::of(&["namespaces", name, "labels"]),
        );
    }
    let all_patches = env
        .patches
        .iter()
        .enumerate()
        .map(|(i, p)| (FieldPath::of(&["patches"]).index(i), p))
        .chain(env.apps.iter().flat_map(|(name, app)| {
            app.patches
                .iter()
                .enumerate()
                .map(move |(i, p)| (FieldPath::of(&["apps", name, "patches"]).index(i), p))
        }));
    for (path, patch) in all_patches.collect::<Vec<_>>() {
        let kinds = usize::from(patch.merge.is_some()) + usize::from(!patch.json.is_empty());
        if kinds != 1 {
            c.push(
                "patch-kind",
                path,
                Target::Key,
                format!("a patch is either `merge` (strategic merge) or `json` (RFC 6902); this one has {kinds}"),
                "expected one of the two",
                None,
            );
        }
    }
    database::check_roles(&mut c, &apps);
    database::check_database_objects(&mut c, &apps);
    check_unique_objects(&mut c, &apps);
    grants::check_route_grants(&mut c, &apps);
    storage::check_default_classes(&mut c, &apps);
    (c.issues, c.warnings)
}

/// An app's Gateway API routes: their labels and backends, an
/// HTTPRoute's rules.
fn check_routes(c: &mut Checker<'_>, name: &str, app: &App, base: &FieldPath) {
    for (route_name, route) in &app.http_routes {
        let rpath = base.key("httpRoutes").key(route_name);
        labels::check_labels(c, &route.labels, &rpath.key("labels"));
        services::check_http_route(c, name, app, route, &rpath);
    }
    for (route_name, route) in &app.tls_routes {
        let rpath = base.key("tlsRoutes").key(route_name);
        labels::check_labels(c, &route.labels, &rpath.key("labels"));
        services::check_route_backends(c, name, app, "TLSRoute", &route.backends, &rpath);
    }
    for (route_name, route) in &app.tcp_routes {
        let rpath = base.key("tcpRoutes").key(route_name);
        labels::check_labels(c, &route.labels, &rpath.key("labels"));
        services::check_route_backends(c, name, app, "TCPRoute", &route.backends, &rpath);
    }
    for (route_name, route) in &app.grpc_routes {
        let rpath = base.key("grpcRoutes").key(route_name);
        labels::check_labels(c, &route.labels, &rpath.key("labels"));
        for (i, rule) in route.rules.iter().enumerate() {
            let at = rpath.key("rules").index(i);
            services::check_route_backends(c, name, app, "GRPCRoute", &rule.backends, &at);
            for (j, m) in rule.matches.iter().enumerate() {
                let Some(method) = &m.method else { continue };
                if let Some(why) = crate::grpc_route::method_error(method) {
                    c.push(
                        "grpc-method",
                        at.key("matches").index(j).key("method"),
                        Target::Key,
                        format!("a method match of GRPCRoute `{route_name}`: {why}"),
                        "not a method the Gateway API takes",
                        Some("name the service with its package (`grpc.health.v1.Health`) and the method (`Check`), or set `type: RegularExpression`".into()),
                    );
                }
            }
        }
    }
}

/// The Secrets app `name` makes or reads: 1Password items, store
/// secrets, Secrets made elsewhere.
fn check_app_secrets(c: &mut Checker<'_>, name: &str, app: &App, base: &FieldPath) {
    secrets::check_external_secrets(c, app, base);
    secrets::check_store_secrets(c, name, app, base);
    for (secret_name, item) in &app.secrets {
        let ipath = base.key("secrets").key(secret_name);
        secrets::check_secret_item(c, &ipath, secret_name, item);
        secrets::check_secret_type(c, &ipath, item);
        secrets::check_secret_template(c, &ipath, item);
    }
}

/// One app: its image, secrets, components (each container, the
/// workload, the pod's volumes), services, ingresses, accounts, database.
fn check_app(c: &mut Checker<'_>, name: &str, app: &App) {
    let base = FieldPath::of(&["apps", name]);
    if let Some(image) = &app.image {
        check_pinned(c, image, base.key("image"));
    }
    check_app_secrets(c, name, app, &base);
    for (cname, comp) in &app.components {
        check_component(c, name, app, cname, comp, base.key("components").key(cname));
    }
    for (pname, pods) in &app.external_pods {
        let ppath = base.key("externalPods").key(pname).key("labels");
        labels::check_labels(c, &pods.labels, &ppath);
        if pods.labels.is_empty() {
            c.push(
                "external-pods",
                ppath,
                Target::Value,
                format!("the pods `{pname}` made elsewhere carry no labels, so no Service can select them"),
                "expected labels",
                Some("give the labels the Service selects them by".into()),
            );
        }
    }
    for (sname, svc) in &app.services {
        labels::check_labels(
            c,
            &svc.labels,
            &base.key("services").key(sname).key("labels"),
        );
        labels::check_labels(
            c,
            &svc.selector,
            &base.key("services").key(sname).key("selector"),
        );
        services::check_service(c, name, app, sname, svc, &base.key("services").key(sname));
    }
    for (_, ingress, at) in app.all_ingresses(name) {
        labels::check_labels(c, &ingress.labels, &at.path(&base).key("labels"));
        services::check_ingress(c, name, app, ingress, &at.path(&base));
    }
    check_routes(c, name, app, &base);
    for (claim_name, claim) in &app.claims {
        labels::check_labels(
            c,
            &claim.labels,
            &base.key("claims").key(claim_name).key("labels"),
        );
    }
    for (pname, policy) in &app.network_policies {
        let ppath = base.key("networkPolicies").key(pname);
        labels::check_labels(c, &policy.labels, &ppath.key("labels"));
        network::check_network_policy(c, name, app, pname, policy, &ppath);
    }
    for (mname, m) in &app.service_monitors {
        let mpath = base.key("serviceMonitors").key(mname);
        labels::check_labels(c, &m.labels, &mpath.key("labels"));
    }
    for (mname, m) in &app.pod_monitors {
        let mpath = base.key("podMonitors").key(mname);
        labels::check_labels(c, &m.labels, &mpath.key("labels"));
    }
    monitors::check_monitors(c, name, app, &base);
    monitors::check_prometheuses(c, app, &base);
    dapr::check_dapr(c, app, &base);
    workloads::check_pod_budgets(c, name, app, &base);
    for (cname, cert) in &app.certificates {
        let cpath = base.key("certificates").key(cname);
        labels::check_labels(c, &cert.labels, &cpath.key("labels"));
    }
    certificates::check_certificates(c, app, &base);
    for (gname, gw) in &app.gateways {
        let gpath = base.key("gateways").key(gname);
        labels::check_labels(c, &gw.labels, &gpath.key("labels"));
    }
    gateways::check_gateways(c, app, &base);
    gateways::check_class_labels(c, app, &base);
    grants::check_grants(c, name, app, &base);
    flux::check_flux(c, app, &base);
    istio::check_istio(c, app, &base);
    cilium::check_ip_pools(c, app, &base);
    rbac::check_roles(c, name, app, &base);
    grafana::check_dashboards(c, app, &base);
    issuers::check_issuers(c, app, &base);
    for (sname, schedule) in &app.velero_schedules {
        let spath = base.key("veleroSchedules").key(sname);
        labels::check_labels(c, &schedule.labels, &spath.key("labels"));
        velero::check_velero_schedule(c, sname, schedule, &spath);
    }
    for (cm_name, cm) in &app.config_maps {
        labels::check_labels(
            c,
            &cm.labels,
            &base.key("configMaps").key(cm_name).key("labels"),
        );
    }
    for (account, sa) in &app.service_accounts {
        labels::check_labels(
            c,
            &sa.labels,
            &base.key("serviceAccounts").key(account).key("labels"),
        );
        rbac::check_service_account(
            c,
            app.namespace(name),
            account,
            sa,
            &base.key("serviceAccounts").key(account),
        );
    }
    if let Some(db) = &app.database {
        database::check_database(c, name, app, db, &base);
    }
    if let Some(argo) = &app.argocd {
        argocd::check_app_argocd(c, argo, &base.key("argocd"));
    }
}

/// One component: its workload, labels, containers (names and port names
/// unique in the pod) and volumes.
fn check_component(
    c: &mut Checker<'_>,
    name: &str,
    app: &App,
    cname: &str,
    comp: &crate::app::Component,
    cpath: FieldPath,
) {
    workloads::check_workload(c, name, app, cname, comp, &cpath);
    autoscaling::check_autoscaling(c, cname, comp, &cpath);
    labels::check_labels(c, &comp.labels, &cpath.key("labels"));
    labels::check_labels(c, &comp.pod.labels, &cpath.key("pod").key("labels"));
    if let Some(selector) = &comp.selector_labels {
        labels::check_labels(c, selector, &cpath.key("selectorLabels"));
    }
    let mut ports: HashMap<&str, &str> = HashMap::new();
    // The main container first, so a clash is reported on the
    // sidecar or init container that repeats its port name.
    let mut containers = comp.containers(cname);
    containers.rotate_right(1);
    let mut names = std::collections::HashSet::new();
    for (role, container_name, container) in containers {
        let path = match role.field() {
            Some(field) => cpath.key(field).key(container_name),
            None => cpath.clone(),
        };
        if !names.insert(container_name) {
            c.push(
                "duplicate-container",
                path.clone(),
                Target::Key,
                format!("component `{cname}` has two containers named `{container_name}`; container names are unique in a pod"),
                "container name used twice",
                Some("rename one of them (the main container is named after the component, or its `containerName`)".into()),
            );
        }
        for (i, port) in &container.ports.1 {
            c.push(
                "duplicate-port",
                path.key("ports").index(*i),
                Target::Value,
                format!("container `{container_name}` names two ports `{port}`; port names are unique in a pod"),
                "port name used again",
                Some("rename one of them".into()),
            );
        }
        for port in container.ports.keys() {
            if let Some(first) = ports.insert(port, container_name) {
                c.push(
                    "duplicate-port",
                    path.key("ports").key(port),
                    Target::Key,
                    format!("containers `{first}` and `{container_name}` both name a port `{port}`; port names are unique in a pod"),
                    "port name used twice",
                    Some("rename one of them".into()),
                );
            }
        }
        let at = containers::At {
            app_name: name,
            app,
            name: container_name,
            role,
            path,
        };
        containers::check_container(c, &at, container);
    }
    storage::check_pod_volumes(c, app, comp, cname, &cpath);
}

fn check_vault(c: &mut Checker<'_>, vault: &str, path: FieldPath) {
    if !names::is_op_name(vault) && !names::is_op_id(vault) {
        c.push(
            "op-name",
            path,
            Target::Value,
            format!("1Password vault `{vault}` cannot be named in a secret reference"),
            "not a secret-reference name",
            Some(
                "a secret reference (op://…) accepts only letters, digits, `-`, `_`, `.` and spaces; use the vault's 26-character ID instead"
                    .into(),
            ),
        );
    }
}

fn check_pinned(c: &mut Checker<'_>, image: &ImageRef, path: FieldPath) {
    if c.env.images.require_pinned && !image.is_pinned() {
        let why = match image.tag() {
            Some(_) => "the tag `latest` moves",
            None => "it has no tag or digest, so it means `latest`",
        };
        c.push(
            "unpinned-image",
            path,
            Target::Value,
            format!(
                "image `{image}` is not pinned, and environment `{}` requires pinned images ({why})",
                c.env.name
            ),
            "expected a version tag or a digest",
            Some(format!(
                "use a release tag such as `{}:v1.2.3`, or a digest `@sha256:…`",
                image.name()
            )),
        );
    }
}

/// Apps, Postgres namespaces and `argocd` each render into a folder of
/// `generated/<env>/`; app `name` must not share one, except with the
/// clusters of its own namespace when it is named after it.
fn check_folder(c: &mut Checker<'_>, name: &str, app: &App) {
    let env = c.env;
    let clash = if name == "argocd" {
        Some("the Argo CD Applications".to_owned())
    } else if name == CLUSTER_FOLDER && env.cluster_objects {
        Some(
            "the environment's cluster-scoped objects (its PersistentVolumes, Namespaces, StorageClasses, and the apps' cluster-wide policies and raw cluster-scoped manifests)"
                .to_owned(),
        )
    } else {
        // A cluster in the namespace of the app named after it renders
        // into the app's folder; one in a namespace of that name, when
        // the app is in another, cannot.
        let app_ns = app.namespace(name);
        env.postgres
            .iter()
            .find(|(_, pg)| pg.namespace == name && app_ns != name)
            .map(|(pg, _)| {
                format!(
                    "Postgres cluster `{pg}` (its namespace), and the app is in another namespace"
                )
            })
    };
    if let Some(other) = clash {
        c.push(
            "folder-conflict",
            FieldPath::of(&["apps", name]),
            Target::Key,
            format!(
                "app `{name}` would render into generated/{}/{name}/, the folder of {other}",
                env.name
            ),
            "folder already used",
            Some("rename the app".into()),
        );
    }
}

/// The folder of an environment's cluster-scoped objects.
pub const CLUSTER_FOLDER: &str = "cluster";

/// Two apps in one namespace must not produce objects of one kind and
/// name, nor two accounts one ClusterRole.
fn check_unique_objects(c: &mut Checker<'_>, apps: &claims::Apps<'_>) {
    // Cluster-wide: the ClusterRoles of every account.
    let mut cluster_roles: HashMap<&str, (&str, &str)> = HashMap::new();
    for (name, claims) in apps {
        for (role, account) in &claims.cluster_roles {
            let path = FieldPath::of(&["apps", name, "serviceAccounts", account]);
            if let Some((app0, account0)) = cluster_roles.insert(role, (name, account)) {
                c.push(
                    "name-conflict",
                    path,
                    Target::Key,
                    format!("ClusterRole `{role}` is the ClusterRole of account `{account0}` of app `{app0}`, and of account `{account}` of app `{name}`; ClusterRole names are unique in a cluster"),
                    "same name as another object",
                    Some("set another `clusterRoleName` on one of the accounts".into()),
                );
            }
        }
    }
    // An app's own ClusterRoles against the accounts' (their bindings
    // are named as they are).
    for (name, claims) in apps {
        for (ns, kind, role, path) in &claims.objects {
            let Some((app0, account0)) = cluster_roles.get(role.as_str()) else {
                continue;
            };
            if ns.is_empty() && *kind == "ClusterRole" {
                c.push(
                    "name-conflict",
                    path.clone(),
                    Target::Key,
                    format!("ClusterRole `{role}` of app `{name}` is also the ClusterRole of account `{account0}` of app `{app0}`; ClusterRole names are unique in a cluster"),
                    "same name as another object",
                    Some("rename it, or set another `clusterRoleName` on the account".into()),
                );
            }
        }
    }
    let mut seen: HashMap<(&str, &str, &str), &str> = HashMap::new();
    for (name, claims) in apps {
        for (ns, kind, oname, path) in &claims.objects {
            if let Some(first) = seen.insert((ns, kind, oname), name) {
                // A cluster-scoped object (no namespace) is unique in the
                // cluster.
                let (place, elsewhere) = if ns.is_empty() {
                    ("cluster-wide".to_owned(), "")
                } else {
                    (
                        format!("in namespace `{ns}`"),
                        ", or put the apps in different namespaces",
                    )
                };
                let (message, hint) = if first == *name {
                    (
                        format!("{kind} `{oname}` {place} is produced twice by app `{name}`"),
                        "rename one of them".to_owned(),
                    )
                } else {
                    (
                        format!("{kind} `{oname}` {place} is produced by app `{first}` and again by app `{name}`"),
                        format!("rename one of them{elsewhere}"),
                    )
                };
                c.push(
                    "name-conflict",
                    path.clone(),
                    Target::Key,
                    message,
                    "same name as another object",
                    Some(hint),
                );
            }
        }
    }
}
