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
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Container, Probe, ResourceRequirements, Service};
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
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

#[derive(Default)]
struct Objects {
    deployments: Vec<(String, Deployment)>,
    services: Vec<(String, Service)>,
    ingresses: Vec<(String, Ingress)>,
    config_maps: BTreeMap<(String, String), BTreeSet<String>>,
    /// (namespace, Secret name) → keys, from ExternalSecrets.
    secrets: BTreeMap<(String, String), BTreeSet<String>>,
    /// file → (namespace, name, kind).
    placed: BTreeMap<String, (String, String, String)>,
    kustomizations: BTreeMap<String, (String, Vec<String>)>,
    unreadable: Vec<LintIssue>,
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

fn ns_name(v: &Value) -> (String, String) {
    let meta = v.get("metadata");
    let get = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (get("namespace"), get("name"))
}

fn collect(env: &RenderedEnv) -> Objects {
    let mut o = Objects::default();
    for (path, text) in &env.files {
        if path == cfggen_render::INVENTORY_FILE {
            continue;
        }
        let value: Value = match cfggen_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                o.unreadable.push(LintIssue {
                    code: "namespace",
                    file: path.clone(),
                    resource: String::new(),
                    field: String::new(),
                    message: format!("not YAML: {e}"),
                });
                continue;
            }
        };
        let kind = value
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if kind == "Kustomization" {
            let ns = value
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let resources = value
                .get("resources")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            o.kustomizations
                .insert(folder_of(path).to_owned(), (ns, resources));
            continue;
        }
        let (ns, name) = ns_name(&value);
        o.placed
            .insert(path.clone(), (ns.clone(), name.clone(), kind.clone()));
        let typed = |o: &mut Objects| -> bool {
            match kind.as_str() {
                "Deployment" => serde_json::from_value(value.clone())
                    .map(|d| o.deployments.push((path.clone(), d)))
                    .is_ok(),
                "Service" => serde_json::from_value(value.clone())
                    .map(|s| o.services.push((path.clone(), s)))
                    .is_ok(),
                "Ingress" => serde_json::from_value(value.clone())
                    .map(|i| o.ingresses.push((path.clone(), i)))
                    .is_ok(),
                "ConfigMap" => serde_json::from_value::<ConfigMap>(value.clone())
                    .map(|cm| {
                        let keys = cm.data.unwrap_or_default().into_keys().collect();
                        o.config_maps.insert((ns.clone(), name.clone()), keys);
                    })
                    .is_ok(),
                "ExternalSecret" => {
                    let spec = value.get("spec");
                    let target = spec
                        .and_then(|s| s.get("target"))
                        .and_then(|t| t.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or(&name)
                        .to_owned();
                    let templated = spec
                        .and_then(|s| s.get("target"))
                        .and_then(|t| t.get("template"))
                        .and_then(|t| t.get("data"))
                        .and_then(Value::as_object);
                    let keys: BTreeSet<String> = match templated {
                        Some(data) => data.keys().cloned().collect(),
                        None => spec
                            .and_then(|s| s.get("data"))
                            .and_then(Value::as_array)
                            .map(|d| {
                                d.iter()
                                    .filter_map(|e| e.get("secretKey").and_then(Value::as_str))
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default(),
                    };
                    o.secrets
                        .entry((ns.clone(), target))
                        .or_default()
                        .extend(keys);
                    true
                }
                _ => true,
            }
        };
        if !typed(&mut o) {
            o.unreadable.push(LintIssue {
                code: "namespace",
                file: path.clone(),
                resource: format!("{kind} {ns}/{name}"),
                field: String::new(),
                message: format!("cannot be read as a {kind}"),
            });
        }
    }
    o
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

struct Ctx<'a> {
    out: Vec<LintIssue>,
    file: &'a str,
    resource: String,
}

impl Ctx<'_> {
    fn push(&mut self, code: &'static str, field: String, message: String) {
        self.out.push(LintIssue {
            code,
            file: self.file.to_owned(),
            resource: self.resource.clone(),
            field,
            message,
        });
    }
}

fn check_probe(ctx: &mut Ctx<'_>, c: &Container, which: &str, probe: Option<&Probe>, base: &str) {
    let Some(p) = probe else { return };
    let ports = c.ports.as_deref().unwrap_or_default();
    let targets = [
        p.http_get.as_ref().map(|h| &h.port),
        p.tcp_socket.as_ref().map(|t| &t.port),
    ];
    for port in targets.into_iter().flatten() {
        let ok = match port {
            IntOrString::Int(n) => ports.iter().any(|cp| cp.container_port == *n),
            IntOrString::String(s) => ports
                .iter()
                .any(|cp| cp.name.as_deref() == Some(s.as_str())),
        };
        if !ok {
            let shown = match port {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::String(s) => s.clone(),
            };
            ctx.push(
                "probe-port",
                format!("{base}.{which}"),
                format!(
                    "the {which} checks port {shown}, which container `{}` does not expose",
                    c.name
                ),
            );
        }
    }
}

fn check_resources(ctx: &mut Ctx<'_>, r: Option<&ResourceRequirements>, field: &str) {
    let Some(r) = r else { return };
    let (Some(req), Some(lim)) = (&r.requests, &r.limits) else {
        return;
    };
    for (res, request) in req {
        let Some(limit) = lim.get(res) else { continue };
        if let (Some(a), Some(b)) = (quantity(&request.0), quantity(&limit.0)) {
            if a > b {
                ctx.push(
                    "requests-limits",
                    format!("{field}.resources"),
                    format!(
                        "{res} request {} is more than its limit {}",
                        request.0, limit.0
                    ),
                );
            }
        }
    }
}

/// Lints a rendered environment; findings sorted by file.
pub fn lint(env: &RenderedEnv) -> Vec<LintIssue> {
    let o = collect(env);
    let mut out = o.unreadable.clone();
    let mut pod_labels: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();

    for (file, d) in &o.deployments {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let mut ctx = Ctx {
            out: Vec::new(),
            file,
            resource: format!(
                "Deployment {ns}/{}",
                d.metadata.name.clone().unwrap_or_default()
            ),
        };
        let Some(spec) = &d.spec else { continue };
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        pod_labels.entry(ns.clone()).or_default().push(labels);
        let Some(pod) = &spec.template.spec else {
            continue;
        };
        for c in &pod.containers {
            let base = format!("spec.template.spec.containers[{}]", c.name);
            check_probe(
                &mut ctx,
                c,
                "livenessProbe",
                c.liveness_probe.as_ref(),
                &base,
            );
            check_probe(
                &mut ctx,
                c,
                "readinessProbe",
                c.readiness_probe.as_ref(),
                &base,
            );
            check_probe(&mut ctx, c, "startupProbe", c.startup_probe.as_ref(), &base);
            check_resources(&mut ctx, c.resources.as_ref(), &base);
            for var in c.env.iter().flatten() {
                let Some(from) = &var.value_from else {
                    continue;
                };
                let field = format!("{base}.env[{}]", var.name);
                if let Some(sel) = &from.secret_key_ref {
                    let keys = o.secrets.get(&(ns.clone(), sel.name.clone()));
                    match keys {
                        None => ctx.push(
                            "secret-ref",
                            field.clone(),
                            format!("`{}` reads Secret `{}`, which no ExternalSecret in namespace `{ns}` produces", var.name, sel.name),
                        ),
                        Some(k) if !k.contains(&sel.key) => ctx.push(
                            "secret-ref",
                            field.clone(),
                            format!("`{}` reads key `{}` of Secret `{}`, which its ExternalSecret does not produce", var.name, sel.key, sel.name),
                        ),
                        Some(_) => {}
                    }
                }
                if let Some(sel) = &from.config_map_key_ref {
                    match o.config_maps.get(&(ns.clone(), sel.name.clone())) {
                        None => ctx.push(
                            "configmap-ref",
                            field,
                            format!(
                                "`{}` reads ConfigMap `{}`, which is not in namespace `{ns}`",
                                var.name, sel.name
                            ),
                        ),
                        Some(k) if !k.contains(&sel.key) => ctx.push(
                            "configmap-ref",
                            field,
                            format!(
                                "`{}` reads key `{}` of ConfigMap `{}`, which it does not have",
                                var.name, sel.key, sel.name
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
        for v in pod.volumes.iter().flatten() {
            let field = format!("spec.template.spec.volumes[{}]", v.name);
            if let Some(cm) = &v.config_map {
                if !o.config_maps.contains_key(&(ns.clone(), cm.name.clone())) {
                    ctx.push(
                        "configmap-ref",
                        field.clone(),
                        format!(
                            "volume `{}` mounts ConfigMap `{}`, which is not in namespace `{ns}`",
                            v.name, cm.name
                        ),
                    );
                }
            }
            if let Some(secret) = v.secret.as_ref().and_then(|s| s.secret_name.clone()) {
                if !o.secrets.contains_key(&(ns.clone(), secret.clone())) {
                    ctx.push("secret-ref", field, format!("volume `{}` mounts Secret `{secret}`, which no ExternalSecret in namespace `{ns}` produces", v.name));
                }
            }
        }
        out.extend(ctx.out);
    }

    for (file, s) in &o.services {
        let ns = s.metadata.namespace.clone().unwrap_or_default();
        let mut ctx = Ctx {
            out: Vec::new(),
            file,
            resource: format!(
                "Service {ns}/{}",
                s.metadata.name.clone().unwrap_or_default()
            ),
        };
        let selector = s
            .spec
            .as_ref()
            .and_then(|sp| sp.selector.clone())
            .unwrap_or_default();
        let matches = pod_labels.get(&ns).is_some_and(|pods| {
            pods.iter()
                .any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
        });
        if selector.is_empty() || !matches {
            ctx.push(
                "service-selector",
                "spec.selector".into(),
                format!(
                    "the selector {selector:?} matches the pods of no workload in namespace `{ns}`"
                ),
            );
        }
        out.extend(ctx.out);
    }

    for (file, ing) in &o.ingresses {
        let ns = ing.metadata.namespace.clone().unwrap_or_default();
        let mut ctx = Ctx {
            out: Vec::new(),
            file,
            resource: format!(
                "Ingress {ns}/{}",
                ing.metadata.name.clone().unwrap_or_default()
            ),
        };
        let Some(spec) = &ing.spec else { continue };
        let mut backends: Vec<(String, &IngressBackend)> = Vec::new();
        if let Some(b) = &spec.default_backend {
            backends.push(("spec.defaultBackend".into(), b));
        }
        for (i, rule) in spec.rules.iter().flatten().enumerate() {
            for (j, p) in rule.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
                backends.push((
                    format!("spec.rules[{i}].http.paths[{j}].backend"),
                    &p.backend,
                ));
            }
        }
        for (field, b) in backends {
            let Some(svc) = &b.service else { continue };
            let target = o.services.iter().find(|(_, s)| {
                s.metadata.namespace.as_deref() == Some(ns.as_str())
                    && s.metadata.name.as_deref() == Some(svc.name.as_str())
            });
            match target {
                None => ctx.push(
                    "ingress-backend",
                    field,
                    format!(
                        "routes to Service `{}`, which is not in namespace `{ns}`",
                        svc.name
                    ),
                ),
                Some((_, s)) => {
                    let ports = s
                        .spec
                        .as_ref()
                        .and_then(|sp| sp.ports.clone())
                        .unwrap_or_default();
                    let ok = svc.port.as_ref().is_none_or(|p| {
                        ports.iter().any(|sp| {
                            p.name.as_ref().is_some_and(|n| sp.name.as_ref() == Some(n))
                                || p.number == Some(sp.port)
                        })
                    });
                    if !ok {
                        ctx.push(
                            "ingress-backend",
                            field,
                            format!("routes to a port Service `{}` does not have", svc.name),
                        );
                    }
                }
            }
        }
        out.extend(ctx.out);
    }

    // Folders: kustomization namespace and resource list.
    let mut files_by_folder: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for path in o.placed.keys() {
        let (folder, file) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        files_by_folder.entry(folder).or_default().push(file);
    }
    for (folder, files) in &files_by_folder {
        let Some((k_ns, resources)) = o.kustomizations.get(*folder) else {
            out.push(LintIssue {
                code: "namespace",
                file: format!("{folder}/kustomization.yaml"),
                resource: String::new(),
                field: String::new(),
                message: format!("folder `{folder}` has objects but no kustomization.yaml"),
            });
            continue;
        };
        for file in files {
            let path = format!("{folder}/{file}");
            if let Some((ns, name, kind)) = o.placed.get(&path) {
                if ns != k_ns {
                    out.push(LintIssue {
                        code: "namespace",
                        file: path.clone(),
                        resource: format!("{kind} {ns}/{name}"),
                        field: "metadata.namespace".into(),
                        message: format!(
                            "namespace `{ns}` differs from the kustomization's `{k_ns}`"
                        ),
                    });
                }
            }
            if !resources.iter().any(|r| r == file) {
                out.push(LintIssue {
                    code: "namespace",
                    file: format!("{folder}/kustomization.yaml"),
                    resource: String::new(),
                    field: "resources".into(),
                    message: format!("`{file}` is in the folder but not listed"),
                });
            }
        }
        for r in resources {
            if !files.contains(&r.as_str()) {
                out.push(LintIssue {
                    code: "namespace",
                    file: format!("{folder}/kustomization.yaml"),
                    resource: String::new(),
                    field: "resources".into(),
                    message: format!("lists `{r}`, which is not in the folder"),
                });
            }
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
