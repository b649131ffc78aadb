//! A Kubernetes-level lint of a rendered environment: the cross-object
//! rules no schema can express. Pure: it reads the rendered tree, not the
//! disk, so `cfggen validate` runs it on every environment.
//!
//! | code | rule |
//! | --- | --- |
//! | `service-selector` | a Service's selector matches the pod labels of a workload in its namespace, or of pods `made-elsewhere.yaml` lists (or, unless it is made of cfggen's own labels, its namespace holds a custom resource whose operator makes pods: a Prometheus, a CNPG Cluster, a Flux HelmRelease) |
//! | `probe-port` | a probe's named port is one of the container's ports (a number is taken as it is) |
//! | `secret-ref` | an env `secretKeyRef` or a Secret volume names a Secret (and key) an ExternalSecret (or a cert-manager Certificate) of the environment produces |
//! | `configmap-ref` | an env `configMapKeyRef` or a ConfigMap volume names a ConfigMap (and key) of the environment |
//! | `ingress-backend` | an Ingress routes to a Service and port of its namespace |
//! | `namespace` | every object is in its folder's kustomization namespace (or, in a folder of several namespaces whose kustomization sets none, in the one it names), and the kustomization lists exactly the folder's files |
//! | `requests-limits` | resource requests are at most the limits |
//! | `claim-ref` | a volume's `persistentVolumeClaim` names a claim of its namespace (or one `made-elsewhere.yaml` lists) |
//! | `yaml` | a file of the tree reads as YAML (for trees not rendered in this run) |
//!
//! Each rule is a [`Rule`]; each is checked by one function below. The
//! lint reads what [`cfggen_tree::Facts`] keeps of each object — taken
//! from the plain data it was written from, exactly as written — so a
//! large environment is checked without holding its objects.

use std::collections::{BTreeMap, BTreeSet};

use cfggen_model::names::{self, quantity};
use cfggen_tree::{
    Backend, Body, Container, EnvSource, ExternalSecretMade, Facts, Object, Pod, RenderedEnv,
    ServicePort, Volume, INVENTORY_FILE, MADE_ELSEWHERE_FILE,
};
use serde_json::Value;

/// A lint rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A Service's selector matches the pods of a workload in its namespace.
    ServiceSelector,
    /// A probe's port is one of the container's ports.
    ProbePort,
    /// A Secret an env var or volume reads is produced by an ExternalSecret.
    SecretRef,
    /// A ConfigMap (and key) an env var or volume reads exists.
    ConfigMapRef,
    /// An Ingress routes to a Service and port of its namespace.
    IngressBackend,
    /// Objects are in their folder's kustomization namespace, and the
    /// kustomization lists exactly the folder's files.
    Namespace,
    /// Resource requests are at most the limits.
    RequestsLimits,
    /// A claim a pod mounts is in its namespace.
    ClaimRef,
    /// A file of the tree reads as YAML.
    Yaml,
}

impl Rule {
    /// The stable short name printed with a finding, e.g. `probe-port`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::ServiceSelector => "service-selector",
            Rule::ProbePort => "probe-port",
            Rule::SecretRef => "secret-ref",
            Rule::ConfigMapRef => "configmap-ref",
            Rule::IngressBackend => "ingress-backend",
            Rule::Namespace => "namespace",
            Rule::RequestsLimits => "requests-limits",
            Rule::ClaimRef => "claim-ref",
            Rule::Yaml => "yaml",
        }
    }
}

/// One lint finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintIssue {
    /// The rule broken.
    pub rule: Rule,
    /// The file, relative to the environment folder.
    pub file: String,
    /// `Kind namespace/name`.
    pub resource: String,
    /// The field, e.g. `spec.template.spec.containers[app].livenessProbe`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

struct Doc<'a> {
    file: &'a str,
    object: &'a Object,
}

impl Doc<'_> {
    fn kind(&self) -> &str {
        &self.object.kind
    }
    fn namespace(&self) -> &str {
        &self.object.namespace
    }
    fn resource(&self) -> String {
        format!(
            "{} {}/{}",
            self.object.kind, self.object.namespace, self.object.name
        )
    }
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

/// Kinds with no namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "Namespace",
    "StorageClass",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "CustomResourceDefinition",
];

/// Lints a rendered environment; findings sorted by file and field.
pub fn lint(env: &RenderedEnv) -> Vec<LintIssue> {
    let mut out = Vec::new();
    let parsed = parse_unrendered(env, &mut out);
    let (docs, kustomizations) = documents(env, &parsed);
    let mut provided = Provided::of(&docs);
    let inventory = env
        .facts
        .get(INVENTORY_FILE)
        .or_else(|| parsed.get(INVENTORY_FILE));
    if let Some(Facts::Inventory(external)) = inventory {
        provided.add_external(external);
    }
    let elsewhere = env
        .facts
        .get(MADE_ELSEWHERE_FILE)
        .or_else(|| parsed.get(MADE_ELSEWHERE_FILE));
    if let Some(Facts::MadeElsewhere {
        config_maps,
        services,
        claims,
        pods,
    }) = elsewhere
    {
        provided.add_made_elsewhere(config_maps, services);
        for (ns, name) in claims {
            provided
                .claims
                .entry(ns.as_str())
                .or_default()
                .insert(name.as_str());
        }
        for (ns, labels) in pods {
            provided
                .pod_labels
                .entry(ns.as_str())
                .or_default()
                .push(pairs(labels));
        }
    }
    for d in &docs {
        let mut found = Findings {
            doc: d,
            out: &mut out,
        };
        match &d.object.body {
            Body::Workload(pod) => check_workload(&mut found, &provided, pod),
            Body::Service { selector, .. } => check_service(&mut found, &provided, selector),
            Body::Ingress(backends) => check_ingress(&mut found, &provided, backends),
            _ => {}
        }
    }
    check_folders(&docs, &kustomizations, &mut out);
    out.sort_by(|a, b| (&a.file, &a.field, a.rule.code()).cmp(&(&b.file, &b.field, b.rule.code())));
    out
}

/// The facts of files that were not rendered in this run (test fixtures,
/// say): parsed from their text.
fn parse_unrendered<'e>(
    env: &'e RenderedEnv,
    out: &mut Vec<LintIssue>,
) -> BTreeMap<&'e str, Facts> {
    let mut parsed = BTreeMap::new();
    for (path, text) in env.texts() {
        if env.facts.contains_key(path) {
            continue;
        }
        match cfggen_yaml::from_str::<serde_json::Value>(text) {
            Ok(v) => {
                parsed.insert(path.as_str(), Facts::of(path, &v));
            }
            Err(e) => out.push(LintIssue {
                rule: Rule::Yaml,
                file: path.clone(),
                resource: String::new(),
                field: String::new(),
                message: format!("not YAML: {e}"),
            }),
        }
    }
    parsed
}

/// A folder's kustomization: its namespace and the files it lists.
type Kustomizations<'a> = BTreeMap<&'a str, (&'a str, &'a [String])>;

/// The objects of the tree, and the kustomization of each folder: every
/// rendered file has its facts, and a file not rendered in this run was
/// parsed.
fn documents<'a>(
    env: &'a RenderedEnv,
    parsed: &'a BTreeMap<&'a str, Facts>,
) -> (Vec<Doc<'a>>, Kustomizations<'a>) {
    let mut docs = Vec::new();
    let mut kustomizations = BTreeMap::new();
    let all = env
        .facts
        .iter()
        .map(|(path, facts)| (path.as_str(), facts))
        .chain(parsed.iter().map(|(path, facts)| (*path, facts)));
    for (path, facts) in all {
        match facts {
            Facts::Kustomization {
                namespace,
                resources,
            } => {
                kustomizations.insert(folder_of(path), (namespace.as_str(), resources.as_slice()));
            }
            Facts::Object(object) if path != INVENTORY_FILE => {
                docs.push(Doc { file: path, object })
            }
            _ => {}
        }
    }
    (docs, kustomizations)
}

/// What the environment provides, by namespace and name.
#[derive(Default)]
struct Provided<'a> {
    /// Secrets (by the ExternalSecrets that produce them) and their keys.
    secrets: BTreeMap<(&'a str, &'a str), BTreeSet<&'a str>>,
    /// ConfigMaps and their keys.
    config_maps: BTreeMap<(&'a str, &'a str), BTreeSet<&'a str>>,
    /// Services and their ports (name, `port`).
    services: BTreeMap<(&'a str, &'a str), &'a [ServicePort]>,
    /// PersistentVolumeClaims.
    claims: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// ConfigMaps made elsewhere whose keys are not listed: any key is
    /// there.
    any_config_key: BTreeSet<(&'a str, &'a str)>,
    /// Services made elsewhere whose ports are not listed: any port is
    /// there.
    any_port: BTreeSet<(&'a str, &'a str)>,
    /// External Secrets whose keys are not listed: any key is there.
    any_key: BTreeSet<(&'a str, &'a str)>,
    /// The pod labels of every workload, by namespace.
    pod_labels: BTreeMap<&'a str, Vec<BTreeMap<&'a str, &'a str>>>,
    /// Namespaces holding a custom resource whose operator makes pods (a
    /// Prometheus, a chart's release): a Service there may select them.
    operated: BTreeSet<&'a str>,
}

/// Custom resources whose operators make pods cfggen cannot see, by API
/// group and kind: a Service beside one may select those pods.
const MAKE_PODS: &[(&str, &str)] = &[
    ("monitoring.coreos.com", "Prometheus"),
    ("monitoring.coreos.com", "PrometheusAgent"),
    ("monitoring.coreos.com", "Alertmanager"),
    ("monitoring.coreos.com", "ThanosRuler"),
    ("postgresql.cnpg.io", "Cluster"),
    ("postgresql.cnpg.io", "Pooler"),
    ("helm.toolkit.fluxcd.io", "HelmRelease"),
];

/// Whether an object is a custom resource whose operator makes pods.
fn may_make_pods(object: &Object) -> bool {
    let group = object
        .api_version
        .rsplit_once('/')
        .map_or("", |(group, _)| group);
    MAKE_PODS.contains(&(group, object.kind.as_str()))
}

fn pairs(list: &[(String, String)]) -> BTreeMap<&str, &str> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

impl<'a> Provided<'a> {
    /// The Secrets the inventory lists as external (made elsewhere): any
    /// key when it lists none.
    fn add_external(&mut self, external: &'a [ExternalSecretMade]) {
        for e in external {
            let at = (e.namespace.as_str(), e.secret.as_str());
            if e.keys.is_empty() {
                self.any_key.insert(at);
            }
            self.secrets
                .entry(at)
                .or_default()
                .extend(e.keys.iter().map(String::as_str));
        }
    }

    /// The ConfigMaps and Services `made-elsewhere.yaml` lists.
    fn add_made_elsewhere(
        &mut self,
        config_maps: &'a [(String, String, Vec<String>)],
        services: &'a [(String, String, Vec<ServicePort>)],
    ) {
        for (ns, name, keys) in config_maps {
            let at = (ns.as_str(), name.as_str());
            if keys.is_empty() {
                self.any_config_key.insert(at);
            }
            self.config_maps
                .entry(at)
                .or_default()
                .extend(keys.iter().map(String::as_str));
        }
        for (ns, name, ports) in services {
            let at = (ns.as_str(), name.as_str());
            if ports.is_empty() {
                self.any_port.insert(at);
            }
            self.services.insert(at, ports.as_slice());
        }
    }

    fn of(docs: &[Doc<'a>]) -> Self {
        let mut p = Provided::default();
        for d in docs {
            let (ns, name) = (d.object.namespace.as_str(), d.object.name.as_str());
            match &d.object.body {
                Body::ExternalSecret {
                    target,
                    keys,
                    any_key,
                } => {
                    if *any_key {
                        p.any_key.insert((ns, target));
                    }
                    p.secrets
                        .entry((ns, target))
                        .or_default()
                        .extend(keys.iter().map(String::as_str));
                }
                Body::ConfigMap(keys) => {
                    p.config_maps
                        .insert((ns, name), keys.iter().map(String::as_str).collect());
                }
                Body::Service { ports, .. } => {
                    p.services.insert((ns, name), ports);
                }
                Body::Workload(pod) => {
                    p.pod_labels.entry(ns).or_default().push(pairs(&pod.labels));
                }
                Body::Ingress(_) | Body::Other => {
                    if d.object.kind == "PersistentVolumeClaim" {
                        p.claims.entry(ns).or_default().insert(name);
                    } else if may_make_pods(d.object) {
                        p.operated.insert(ns);
                    }
                }
            }
        }
        p
    }
}

/// The findings about one object.
struct Findings<'d, 'a> {
    doc: &'d Doc<'a>,
    out: &'d mut Vec<LintIssue>,
}

impl Findings<'_, '_> {
    fn push(&mut self, rule: Rule, field: String, message: String) {
        self.out.push(LintIssue {
            rule,
            file: self.doc.file.to_owned(),
            resource: self.doc.resource(),
            field,
            message,
        });
    }
}

/// A workload: each container's probes, resources and env, and the
/// pod's volumes.
fn check_workload(f: &mut Findings<'_, '_>, provided: &Provided<'_>, pod: &Pod) {
    let prefix = pod.prefix;
    for c in &pod.containers {
        let base = format!("{prefix}.{}[{}]", c.list, c.name);
        check_probe_ports(f, c, &base);
        check_requests_limits(f, c, &base);
        for var in &c.env {
            check_env_source(f, provided, var, &base);
        }
    }
    for v in &pod.volumes {
        check_volume_source(f, provided, v, prefix);
    }
}

/// [`Rule::ProbePort`].
fn check_probe_ports(f: &mut Findings<'_, '_>, c: &Container, base: &str) {
    let cname = &c.name;
    for (which, port) in &c.probe_ports {
        // A number is taken at its word: Kubernetes probes whatever
        // listens there, declared or not. A name must be declared.
        let ok = match port {
            Value::Number(_) => true,
            Value::String(name) => c.ports.iter().any(|(n, _)| n.as_ref() == Some(name)),
            _ => false,
        };
        if !ok {
            let shown = port
                .as_str()
                .map_or_else(|| port.to_string(), str::to_owned);
            f.push(
                Rule::ProbePort,
                format!("{base}.{which}"),
                format!(
                    "the {which} checks port {shown}, which container `{cname}` does not expose"
                ),
            );
        }
    }
}

/// [`Rule::RequestsLimits`].
fn check_requests_limits(f: &mut Findings<'_, '_>, c: &Container, base: &str) {
    let Some(requests) = &c.requests else {
        return;
    };
    for (res, request) in requests {
        let limit = c
            .limits
            .iter()
            .find(|(k, _)| k == res)
            .and_then(|(_, v)| v.as_ref());
        let (Some(a), Some(b)) = (request, limit) else {
            continue;
        };
        if let (Some(x), Some(y)) = (quantity(a), quantity(b)) {
            if x > y {
                f.push(
                    Rule::RequestsLimits,
                    format!("{base}.resources"),
                    format!("{res} request {a} is more than its limit {b}"),
                );
            }
        }
    }
}

/// [`Rule::SecretRef`] and [`Rule::ConfigMapRef`] for an env var.
fn check_env_source(
    f: &mut Findings<'_, '_>,
    provided: &Provided<'_>,
    var: &EnvSource,
    base: &str,
) {
    let ns = f.doc.namespace();
    let vname = &var.name;
    let field = format!("{base}.env[{vname}]");
    if let Some((name, key)) = &var.secret {
        let (name, key) = (name.as_str(), key.as_str());
        match provided.secrets.get(&(ns, name)) {
            None => f.push(Rule::SecretRef, field.clone(), format!("`{vname}` reads Secret `{name}`, which no ExternalSecret in namespace `{ns}` produces")),
            Some(k) if !k.contains(key) && !provided.any_key.contains(&(ns, name)) => f.push(Rule::SecretRef, field.clone(), format!("`{vname}` reads key `{key}` of Secret `{name}`, which its ExternalSecret does not produce")),
            Some(_) => {}
        }
    }
    if let Some((name, key)) = &var.config_map {
        let (name, key) = (name.as_str(), key.as_str());
        match provided.config_maps.get(&(ns, name)) {
            None => f.push(
                Rule::ConfigMapRef,
                field,
                format!("`{vname}` reads ConfigMap `{name}`, which is not in namespace `{ns}`"),
            ),
            Some(k) if !k.contains(key) && !provided.any_config_key.contains(&(ns, name)) => f
                .push(
                    Rule::ConfigMapRef,
                    field,
                    format!(
                        "`{vname}` reads key `{key}` of ConfigMap `{name}`, which it does not have"
                    ),
                ),
            Some(_) => {}
        }
    }
}

/// [`Rule::SecretRef`], [`Rule::ConfigMapRef`] and [`Rule::ClaimRef`] for a volume.
fn check_volume_source(
    f: &mut Findings<'_, '_>,
    provided: &Provided<'_>,
    v: &Volume,
    prefix: &str,
) {
    let ns = f.doc.namespace();
    let vname = &v.name;
    let field = format!("{prefix}.volumes[{vname}]");
    if let Some(claim) = &v.claim {
        if !provided
            .claims
            .get(ns)
            .is_some_and(|c| c.contains(claim.as_str()))
        {
            f.push(
                Rule::ClaimRef,
                field.clone(),
                format!(
                    "volume `{vname}` mounts claim `{claim}`, which is not in namespace `{ns}`"
                ),
            );
        }
    }
    if let Some(cm) = &v.config_map {
        if !provided.config_maps.contains_key(&(ns, cm.as_str())) {
            f.push(
                Rule::ConfigMapRef,
                field.clone(),
                format!(
                    "volume `{vname}` mounts ConfigMap `{cm}`, which is not in namespace `{ns}`"
                ),
            );
        }
    }
    if let Some(secret) = &v.secret {
        if !provided.secrets.contains_key(&(ns, secret.as_str())) {
            f.push(
                Rule::SecretRef,
                field,
                format!("volume `{vname}` mounts Secret `{secret}`, which no ExternalSecret in namespace `{ns}` produces"),
            );
        }
    }
}

/// [`Rule::ServiceSelector`].
fn check_service(
    f: &mut Findings<'_, '_>,
    provided: &Provided<'_>,
    selector: &Option<Vec<(String, String)>>,
) {
    // A Service without a selector has its endpoints made elsewhere.
    let Some(selector) = selector else {
        return;
    };
    let ns = f.doc.namespace();
    let selector = pairs(selector);
    let matches = provided.pod_labels.get(ns).is_some_and(|pods| {
        pods.iter()
            .any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
    });
    // An operator's pods (of a custom resource beside it) are not seen;
    // but no operator's pods carry the labels cfggen gives its own.
    let cfggen_own = selector
        .keys()
        .all(|k| *k == names::LABEL_APP || *k == names::LABEL_COMPONENT);
    let operated = provided.operated.contains(ns) && !cfggen_own;
    if selector.is_empty() || !(matches || operated) {
        f.push(
            Rule::ServiceSelector,
            "spec.selector".into(),
            format!(
                "the selector {selector:?} matches the pods of no workload in namespace `{ns}`"
            ),
        );
    }
}

/// [`Rule::IngressBackend`], for the default backend and every path.
fn check_ingress(f: &mut Findings<'_, '_>, provided: &Provided<'_>, backends: &[Backend]) {
    let ns = f.doc.namespace();
    for b in backends {
        let Some(name) = &b.service else { continue };
        let Some(ports) = provided.services.get(&(ns, name.as_str())) else {
            f.push(
                Rule::IngressBackend,
                b.field.clone(),
                format!("routes to Service `{name}`, which is not in namespace `{ns}`"),
            );
            continue;
        };
        let any = provided.any_port.contains(&(ns, name.as_str()));
        let ok = any
            || b.port.as_ref().is_none_or(|(port_name, number)| {
                ports.iter().any(|(sp_name, sp_port)| {
                    (port_name.is_some() && sp_name == port_name)
                        || (number.is_some() && sp_port == number)
                })
            });
        if !ok {
            f.push(
                Rule::IngressBackend,
                b.field.clone(),
                format!("routes to a port Service `{name}` does not have"),
            );
        }
    }
}

/// [`Rule::Namespace`]: every folder's kustomization namespace and
/// resource list.
fn check_folders(docs: &[Doc<'_>], kustomizations: &Kustomizations<'_>, out: &mut Vec<LintIssue>) {
    let mut files_by_folder: BTreeMap<&str, Vec<&Doc<'_>>> = BTreeMap::new();
    for d in docs {
        files_by_folder
            .entry(folder_of(d.file))
            .or_default()
            .push(d);
    }
    let folder_issue = |folder: &str, field: &str, message: String| LintIssue {
        rule: Rule::Namespace,
        file: format!("{folder}/kustomization.yaml"),
        resource: String::new(),
        field: field.to_owned(),
        message,
    };
    for (folder, docs_here) in &files_by_folder {
        let Some((k_ns, resources)) = kustomizations.get(folder) else {
            out.push(folder_issue(
                folder,
                "",
                format!("folder `{folder}` has objects but no kustomization.yaml"),
            ));
            continue;
        };
        let listed: BTreeSet<&str> = resources.iter().map(String::as_str).collect();
        let present: BTreeSet<&str> = docs_here
            .iter()
            .map(|d| d.file.rsplit_once('/').map_or(d.file, |(_, f)| f))
            .collect();
        for d in docs_here {
            let cluster_scoped = CLUSTER_SCOPED.contains(&d.kind());
            let message = match (cluster_scoped, d.namespace()) {
                (true, "") => continue,
                (true, ns) => format!("a {} has no namespace, but this one says `{ns}`", d.kind()),
                // A kustomization of several namespaces sets none: each
                // object names its own. (One that names none there is a
                // cluster-scoped kind this list does not know.)
                (false, ns) if ns == *k_ns || k_ns.is_empty() => continue,
                (false, "") => {
                    format!("the object has no namespace, and the kustomization's is `{k_ns}`")
                }
                (false, ns) => {
                    format!("namespace `{ns}` differs from the kustomization's `{k_ns}`")
                }
            };
            out.push(LintIssue {
                rule: Rule::Namespace,
                file: d.file.to_owned(),
                resource: d.resource(),
                field: "metadata.namespace".into(),
                message,
            });
        }
        for file in present.difference(&listed) {
            out.push(folder_issue(
                folder,
                "resources",
                format!("`{file}` is in the folder but not listed"),
            ));
        }
        for r in listed.difference(&present) {
            out.push(folder_issue(
                folder,
                "resources",
                format!("lists `{r}`, which is not in the folder"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfggen_tree::File;

    fn selector_findings(files: &[(&str, &str)]) -> Vec<String> {
        let mut env = RenderedEnv::named("dev");
        for (path, text) in files {
            env.files
                .insert((*path).to_owned(), File::Text((*text).to_owned()));
        }
        lint(&env)
            .into_iter()
            .filter(|i| i.rule == Rule::ServiceSelector)
            .map(|i| i.resource)
            .collect()
    }

    #[test]
    fn the_facts_kept_of_rendered_data_find_what_the_text_finds() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        envFrom: [{configMapRef: {name: missing}}]\n        env:\n        - {name: A, valueFrom: {secretKeyRef: {name: creds, key: nope}}}\n        - {name: B, valueFrom: {secretKeyRef: {name: made-elsewhere, key: token}}}\n";
        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: other}\n  ports: [{port: 80}]\n";
        let secret = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: creds, namespace: shop}\nspec:\n  data: [{secretKey: password, remoteRef: {key: x}}]\n";
        let database = "apiVersion: postgresql.cnpg.io/v1\nkind: Database\nmetadata: {name: db, namespace: other, labels: {a: b}}\nspec: {name: db, owner: db, cluster: {name: pg}}\n";
        let kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: [deployment.yaml, service.yaml, secret.yaml, database.yaml, gone.yaml]\n";
        let inventory = "environment: dev\nentries: [{reference: op://v/i/f}]\nexternal: [{namespace: shop, secretName: made-elsewhere, keys: [token]}]\n";
        let files = [
            ("shop/deployment.yaml", deployment),
            ("shop/service.yaml", service),
            ("shop/secret.yaml", secret),
            ("shop/database.yaml", database),
            ("shop/kustomization.yaml", kustomization),
            (INVENTORY_FILE, inventory),
        ];
        let mut parsed = RenderedEnv::named("dev");
        for (path, text) in files {
            parsed
                .files
                .insert(path.to_owned(), File::Text(text.to_owned()));
        }
        let mut kept = parsed.clone();
        for (path, text) in files {
            let value = cfggen_yaml::from_str::<Value>(text).unwrap();
            kept.facts.insert(path.to_owned(), Facts::of(path, &value));
        }
        let found = lint(&parsed);
        assert!(found.len() >= 4, "{found:?}");
        assert_eq!(lint(&kept), found);
    }

    fn namespace_findings(kustomization_namespace: &str, files: &[(&str, &str)]) -> Vec<String> {
        let mut env = RenderedEnv::named("dev");
        let names: Vec<String> = files
            .iter()
            .map(|(p, _)| p.trim_start_matches("web/").to_owned())
            .collect();
        let kustomization = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{kustomization_namespace}resources: [{}]\n",
            names.join(", ")
        );
        env.files
            .insert("web/kustomization.yaml".into(), File::Text(kustomization));
        for (path, text) in files {
            env.files
                .insert((*path).to_owned(), File::Text((*text).to_owned()));
        }
        lint(&env)
            .into_iter()
            .filter(|i| i.rule == Rule::Namespace)
            .map(|i| format!("{}: {}", i.resource, i.message))
            .collect()
    }

    #[test]
    fn a_kustomization_of_several_namespaces_sets_none_and_each_object_names_one() {
        let own = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\n";
        let other = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: edge}\n";
        let none = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let files = [("web/a.yaml", own), ("web/b.yaml", other)];
        assert!(namespace_findings("", &files).is_empty());
        assert_eq!(
            namespace_findings("namespace: web\n", &files),
            ["ConfigMap edge/b: namespace `edge` differs from the kustomization's `web`"]
        );
        assert_eq!(
            namespace_findings(
                "namespace: web\n",
                &[("web/a.yaml", own), ("web/c.yaml", none)]
            ),
            ["ConfigMap /c: the object has no namespace, and the kustomization's is `web`"]
        );
    }

    #[test]
    fn a_secret_an_external_secret_makes_from_a_whole_item_has_any_key() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        env:\n        - {name: A, valueFrom: {secretKeyRef: {name: kafka, key: password}}}\n";
        let secret = |spec: &str| {
            format!("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {{name: kafka, namespace: shop}}\nspec: {spec}\n")
        };
        let findings = |spec: &str| {
            let mut env = RenderedEnv::named("dev");
            env.files
                .insert("shop/deployment.yaml".into(), File::Text(deployment.into()));
            env.files
                .insert("shop/secret.yaml".into(), File::Text(secret(spec)));
            lint(&env)
                .into_iter()
                .filter(|i| i.rule == Rule::SecretRef)
                .count()
        };
        assert_eq!(findings("{dataFrom: [{extract: {key: /kafka/app}}]}"), 0);
        assert_eq!(
            findings("{data: [{secretKey: user, remoteRef: {key: k}}]}"),
            1
        );
        assert_eq!(
            findings("{dataFrom: [{extract: {key: k}}], target: {template: {data: {user: x}}}}"),
            1
        );
    }

    const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: mon}\nspec:\n  selector: {prometheus: web}\n  ports: [{port: 9090}]\n";

    #[test]
    fn a_service_may_select_the_pods_of_an_operator_beside_it() {
        assert_eq!(
            selector_findings(&[("mon/service.yaml", SERVICE)]),
            ["Service mon/web"]
        );
        // A Prometheus makes the pods the Service selects.
        let prometheus = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: web, namespace: mon}\nspec: {}\n";
        assert!(selector_findings(&[
            ("mon/service.yaml", SERVICE),
            ("mon/prometheus.yaml", prometheus)
        ])
        .is_empty());
        // A ServiceMonitor makes none, nor does a Kubernetes kind, nor an
        // unknown custom resource.
        let monitor = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web, namespace: mon}\nspec: {}\n";
        let class = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast, namespace: mon}\nprovisioner: x\n";
        let widget =
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: mon}\n";
        assert_eq!(
            selector_findings(&[
                ("mon/service.yaml", SERVICE),
                ("mon/monitor.yaml", monitor),
                ("mon/class.yaml", class),
                ("mon/widget.yaml", widget)
            ]),
            ["Service mon/web"]
        );
        // A selector of cfggen's own labels selects cfggen's pods only.
        let own = "apiVersion: v1\nkind: Service\nmetadata: {name: app, namespace: mon}\nspec:\n  selector: {app.kubernetes.io/name: mon, app.kubernetes.io/component: app}\n";
        assert_eq!(
            selector_findings(&[("mon/own.yaml", own), ("mon/prometheus.yaml", prometheus)]),
            ["Service mon/app"]
        );
    }
}
