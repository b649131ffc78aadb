//! A Kubernetes-level lint of a rendered environment: the cross-object
//! rules no schema can express. Pure: it reads the rendered tree, not the
//! disk, so `cfggen validate` runs it on every environment.
//!
//! | code | rule |
//! | --- | --- |
//! | `service-selector` | a Service's selector matches the pod labels of a workload in its namespace |
//! | `probe-port` | a probe's port is one of the container's ports |
//! | `secret-ref` | an env `secretKeyRef` or a Secret volume names a Secret (and key) an ExternalSecret of the environment produces |
//! | `configmap-ref` | an env `configMapKeyRef` or a ConfigMap volume names a ConfigMap (and key) of the environment |
//! | `ingress-backend` | an Ingress routes to a Service and port of its namespace |
//! | `namespace` | every object is in its folder's kustomization namespace, and the kustomization lists exactly the folder's files |
//! | `requests-limits` | resource requests are at most the limits |

use std::collections::{BTreeMap, BTreeSet};

use cfggen_render::RenderedEnv;
use serde_json::Value;

/// One lint finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintIssue {
    /// The rule, e.g. `probe-port`.
    pub code: &'static str,
    /// The file, relative to the environment folder.
    pub file: String,
    /// `Kind namespace/name`.
    pub resource: String,
    /// The field, e.g. `spec.template.spec.containers[app].livenessProbe`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Field access on the plain data of a manifest (the lint reads the data
/// as written, not a typed copy: cheaper, and it sees exactly the output).
trait Get<'a> {
    fn at(self, key: &str) -> Option<&'a Value>;
    fn str_at(self, key: &str) -> Option<&'a str>;
    fn list_at(self, key: &str) -> &'a [Value];
}

impl<'a> Get<'a> for &'a Value {
    fn at(self, key: &str) -> Option<&'a Value> {
        self.get(key)
    }
    fn str_at(self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }
    fn list_at(self, key: &str) -> &'a [Value] {
        self.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

impl<'a> Get<'a> for Option<&'a Value> {
    fn at(self, key: &str) -> Option<&'a Value> {
        self.and_then(|v| v.get(key))
    }
    fn str_at(self, key: &str) -> Option<&'a str> {
        self.at(key).and_then(Value::as_str)
    }
    fn list_at(self, key: &str) -> &'a [Value] {
        self.at(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

struct Doc<'a> {
    file: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    value: &'a Value,
}

impl Doc<'_> {
    fn resource(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

fn string_map(v: Option<&Value>) -> BTreeMap<&str, &str> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Parses a Kubernetes quantity (`100m`, `1.5Gi`, `2e3`) to a number.
pub fn quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(n * factor)
}

fn quantity_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Lints a rendered environment; findings sorted by file and field.
pub fn lint(env: &RenderedEnv) -> Vec<LintIssue> {
    let mut out = Vec::new();
    // The data of each file: what it was rendered from, or its parsed text
    // (for trees that were not rendered here, such as test fixtures).
    let mut parsed: BTreeMap<&str, Value> = BTreeMap::new();
    for (path, text) in &env.files {
        if path == cfggen_render::INVENTORY_FILE || env.objects.contains_key(path) {
            continue;
        }
        match cfggen_yaml::from_str::<Value>(text) {
            Ok(v) => {
                parsed.insert(path, v);
            }
            Err(e) => out.push(LintIssue {
                code: "namespace",
                file: path.clone(),
                resource: String::new(),
                field: String::new(),
                message: format!("not YAML: {e}"),
            }),
        }
    }
    let mut docs: Vec<Doc<'_>> = Vec::new();
    let mut kustomizations: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for path in env.files.keys() {
        if path == cfggen_render::INVENTORY_FILE {
            continue;
        }
        let Some(value) = env.objects.get(path).or_else(|| parsed.get(path.as_str())) else {
            continue;
        };
        let kind = value.str_at("kind").unwrap_or_default();
        if kind == "Kustomization" {
            let resources = value
                .list_at("resources")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            kustomizations.insert(
                folder_of(path),
                (value.str_at("namespace").unwrap_or_default(), resources),
            );
            continue;
        }
        let meta = value.at("metadata");
        docs.push(Doc {
            file: path,
            kind,
            namespace: meta.str_at("namespace").unwrap_or_default(),
            name: meta.str_at("name").unwrap_or_default(),
            value,
        });
    }

    // What the environment provides.
    let mut secrets: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut config_maps: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut services: BTreeMap<(&str, &str), &Value> = BTreeMap::new();
    let mut pod_labels: BTreeMap<&str, Vec<BTreeMap<&str, &str>>> = BTreeMap::new();
    for d in &docs {
        match d.kind {
            "ExternalSecret" => {
                let spec = d.value.at("spec");
                let target = spec.at("target").str_at("name").unwrap_or(d.name);
                let keys: BTreeSet<&str> = match spec
                    .at("target")
                    .at("template")
                    .at("data")
                    .and_then(Value::as_object)
                {
                    Some(data) => data.keys().map(String::as_str).collect(),
                    None => spec
                        .list_at("data")
                        .iter()
                        .filter_map(|e| e.str_at("secretKey"))
                        .collect(),
                };
                secrets
                    .entry((d.namespace, target))
                    .or_default()
                    .extend(keys);
            }
            "ConfigMap" => {
                let keys = d
                    .value
                    .at("data")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                config_maps.insert((d.namespace, d.name), keys);
            }
            "Service" => {
                services.insert((d.namespace, d.name), d.value);
            }
            "Deployment" => {
                let labels = string_map(
                    d.value
                        .at("spec")
                        .at("template")
                        .at("metadata")
                        .at("labels"),
                );
                pod_labels.entry(d.namespace).or_default().push(labels);
            }
            _ => {}
        }
    }

    for d in &docs {
        let mut push = |code: &'static str, field: String, message: String| {
            out.push(LintIssue {
                code,
                file: d.file.to_owned(),
                resource: d.resource(),
                field,
                message,
            });
        };
        let ns = d.namespace;
        match d.kind {
            "Deployment" => {
                let pod = d.value.at("spec").at("template").at("spec");
                for c in pod.list_at("containers") {
                    let cname = c.str_at("name").unwrap_or_default();
                    let base = format!("spec.template.spec.containers[{cname}]");
                    let ports = c.list_at("ports");
                    for which in ["livenessProbe", "readinessProbe", "startupProbe"] {
                        let probe = c.at(which);
                        for port in [
                            probe.at("httpGet").at("port"),
                            probe.at("tcpSocket").at("port"),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            let ok = match port {
                                Value::Number(n) => ports.iter().any(|p| {
                                    p.at("containerPort").and_then(Value::as_i64) == n.as_i64()
                                }),
                                Value::String(name) => {
                                    ports.iter().any(|p| p.str_at("name") == Some(name))
                                }
                                _ => false,
                            };
                            if !ok {
                                let shown = port
                                    .as_str()
                                    .map_or_else(|| port.to_string(), str::to_owned);
                                push("probe-port", format!("{base}.{which}"), format!("the {which} checks port {shown}, which container `{cname}` does not expose"));
                            }
                        }
                    }
                    let resources = c.at("resources");
                    if let (Some(req), Some(lim)) = (
                        resources.at("requests").and_then(Value::as_object),
                        resources.at("limits").and_then(Value::as_object),
                    ) {
                        for (res, request) in req {
                            let (Some(a), Some(b)) =
                                (quantity_text(request), lim.get(res).and_then(quantity_text))
                            else {
                                continue;
                            };
                            if let (Some(x), Some(y)) = (quantity(&a), quantity(&b)) {
                                if x > y {
                                    push(
                                        "requests-limits",
                                        format!("{base}.resources"),
                                        format!("{res} request {a} is more than its limit {b}"),
                                    );
                                }
                            }
                        }
                    }
                    for var in c.list_at("env") {
                        let vname = var.str_at("name").unwrap_or_default();
                        let field = format!("{base}.env[{vname}]");
                        let from = var.at("valueFrom");
                        if let Some(sel) = from.at("secretKeyRef") {
                            let (name, key) = (
                                sel.str_at("name").unwrap_or_default(),
                                sel.str_at("key").unwrap_or_default(),
                            );
                            match secrets.get(&(ns, name)) {
                                None => push("secret-ref", field.clone(), format!("`{vname}` reads Secret `{name}`, which no ExternalSecret in namespace `{ns}` produces")),
                                Some(k) if !k.contains(key) => push("secret-ref", field.clone(), format!("`{vname}` reads key `{key}` of Secret `{name}`, which its ExternalSecret does not produce")),
                                Some(_) => {}
                            }
                        }
                        if let Some(sel) = from.at("configMapKeyRef") {
                            let (name, key) = (
                                sel.str_at("name").unwrap_or_default(),
                                sel.str_at("key").unwrap_or_default(),
                            );
                            match config_maps.get(&(ns, name)) {
                                None => push("configmap-ref", field.clone(), format!("`{vname}` reads ConfigMap `{name}`, which is not in namespace `{ns}`")),
                                Some(k) if !k.contains(key) => push("configmap-ref", field.clone(), format!("`{vname}` reads key `{key}` of ConfigMap `{name}`, which it does not have")),
                                Some(_) => {}
                            }
                        }
                    }
                }
                for v in pod.list_at("volumes") {
                    let vname = v.str_at("name").unwrap_or_default();
                    let field = format!("spec.template.spec.volumes[{vname}]");
                    if let Some(cm) = v.at("configMap").str_at("name") {
                        if !config_maps.contains_key(&(ns, cm)) {
                            push("configmap-ref", field.clone(), format!("volume `{vname}` mounts ConfigMap `{cm}`, which is not in namespace `{ns}`"));
                        }
                    }
                    if let Some(secret) = v.at("secret").str_at("secretName") {
                        if !secrets.contains_key(&(ns, secret)) {
                            push("secret-ref", field, format!("volume `{vname}` mounts Secret `{secret}`, which no ExternalSecret in namespace `{ns}` produces"));
                        }
                    }
                }
            }
            "Service" => {
                let selector = string_map(d.value.at("spec").at("selector"));
                let matches = pod_labels.get(ns).is_some_and(|pods| {
                    pods.iter()
                        .any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
                });
                if selector.is_empty() || !matches {
                    push("service-selector", "spec.selector".into(), format!("the selector {selector:?} matches the pods of no workload in namespace `{ns}`"));
                }
            }
            "Ingress" => {
                let spec = d.value.at("spec");
                let mut backends: Vec<(String, &Value)> = Vec::new();
                if let Some(b) = spec.at("defaultBackend") {
                    backends.push(("spec.defaultBackend".into(), b));
                }
                for (i, rule) in spec.list_at("rules").iter().enumerate() {
                    for (j, p) in rule.at("http").list_at("paths").iter().enumerate() {
                        if let Some(b) = p.at("backend") {
                            backends.push((format!("spec.rules[{i}].http.paths[{j}].backend"), b));
                        }
                    }
                }
                for (field, b) in backends {
                    let Some(svc) = b.at("service") else { continue };
                    let name = svc.str_at("name").unwrap_or_default();
                    match services.get(&(ns, name)) {
                        None => push(
                            "ingress-backend",
                            field,
                            format!("routes to Service `{name}`, which is not in namespace `{ns}`"),
                        ),
                        Some(s) => {
                            let port = svc.at("port");
                            let ports = s.at("spec").list_at("ports");
                            let ok = port.is_none()
                                || ports.iter().any(|sp| {
                                    (port.str_at("name").is_some()
                                        && sp.str_at("name") == port.str_at("name"))
                                        || (port.at("number").is_some()
                                            && sp.at("port") == port.at("number"))
                                });
                            if !ok {
                                push(
                                    "ingress-backend",
                                    field,
                                    format!("routes to a port Service `{name}` does not have"),
                                );
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // Folders: kustomization namespace and resource list.
    let mut files_by_folder: BTreeMap<&str, Vec<&Doc<'_>>> = BTreeMap::new();
    for d in &docs {
        files_by_folder
            .entry(folder_of(d.file))
            .or_default()
            .push(d);
    }
    for (folder, docs_here) in &files_by_folder {
        let Some((k_ns, resources)) = kustomizations.get(folder) else {
            out.push(LintIssue {
                code: "namespace",
                file: format!("{folder}/kustomization.yaml"),
                resource: String::new(),
                field: String::new(),
                message: format!("folder `{folder}` has objects but no kustomization.yaml"),
            });
            continue;
        };
        let listed: BTreeSet<&str> = resources.iter().copied().collect();
        let present: BTreeSet<&str> = docs_here
            .iter()
            .map(|d| d.file.rsplit_once('/').map_or(d.file, |(_, f)| f))
            .collect();
        for d in docs_here {
            if d.namespace != *k_ns {
                out.push(LintIssue {
                    code: "namespace",
                    file: d.file.to_owned(),
                    resource: d.resource(),
                    field: "metadata.namespace".into(),
                    message: format!(
                        "namespace `{}` differs from the kustomization's `{k_ns}`",
                        d.namespace
                    ),
                });
            }
        }
        for file in present.difference(&listed) {
            out.push(LintIssue {
                code: "namespace",
                file: format!("{folder}/kustomization.yaml"),
                resource: String::new(),
                field: "resources".into(),
                message: format!("`{file}` is in the folder but not listed"),
            });
        }
        for r in listed.difference(&present) {
            out.push(LintIssue {
                code: "namespace",
                file: format!("{folder}/kustomization.yaml"),
                resource: String::new(),
                field: "resources".into(),
                message: format!("lists `{r}`, which is not in the folder"),
            });
        }
    }
    out.sort_by(|a, b| (&a.file, &a.field, a.code).cmp(&(&b.file, &b.field, b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity("100m"), Some(0.1));
        assert_eq!(quantity("1"), Some(1.0));
        assert_eq!(quantity("1Gi"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(quantity("1.5k"), Some(1500.0));
        assert_eq!(quantity("2e3"), Some(2000.0));
        assert_eq!(quantity("abc"), None);
        assert!(quantity("256Mi") < quantity("1Gi"));
        assert!(quantity("1000m") == quantity("1"));
    }
}
