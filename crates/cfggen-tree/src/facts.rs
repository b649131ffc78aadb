//! What the checks of the output (the lint) read of one rendered file,
//! taken once from the data the file was written from — or, for a file not
//! rendered in this run, from its parsed text — so that a large
//! environment keeps a few hundred bytes per object for its checks instead
//! of the object itself.
//!
//! [`Facts::of`] is the one place that decides what is kept: a value is
//! read here exactly as it is written (missing names are empty, a port is
//! kept as the value written), and the lint only compares what it finds.

use serde_json::Value;

use crate::INVENTORY_FILE;

/// What the checks read of one file.
#[derive(Clone, Debug, PartialEq)]
pub enum Facts {
    /// A Kubernetes object (any kind but Kustomization).
    Object(Object),
    /// A folder's kustomization.
    Kustomization {
        /// Its `namespace` (empty when it sets none).
        namespace: String,
        /// The files it lists.
        resources: Vec<String>,
    },
    /// The 1Password inventory: the Secrets it lists as made elsewhere.
    Inventory(Vec<ExternalSecretMade>),
    /// `made-elsewhere.yaml`: the ConfigMaps (with their keys),
    /// Services (with their ports), claims and pods (with their labels)
    /// the apps read, mount or select that something else makes; no keys
    /// or ports listed means any.
    MadeElsewhere {
        /// (namespace, name, keys).
        config_maps: Vec<(String, String, Vec<String>)>,
        /// (namespace, name, ports as their names or numbers).
        services: Vec<(String, String, Vec<ServicePort>)>,
        /// (namespace, name) of PersistentVolumeClaims.
        claims: Vec<(String, String)>,
        /// (namespace, the labels of pods another tool makes).
        pods: Vec<(String, Vec<(String, String)>)>,
    },
}

/// A Secret made outside cfggen that the inventory lists.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalSecretMade {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub secret: String,
    /// The keys it has; none listed means any key.
    pub keys: Vec<String>,
}

/// One object: its identity and what the checks read of its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (empty when missing).
    pub name: String,
    /// `metadata.namespace` (empty when missing).
    pub namespace: String,
    /// What the checks read of this kind.
    pub body: Body,
}

/// What the checks read of an object, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// A workload with a pod template.
    Workload(Pod),
    /// A Service.
    Service {
        /// `spec.selector` (string values only); `None` when it has none.
        selector: Option<Vec<(String, String)>>,
        /// `spec.ports`.
        ports: Vec<ServicePort>,
    },
    /// An Ingress: its default backend and each path's.
    Ingress(Vec<Backend>),
    /// An ExternalSecret (or a cert-manager Certificate): the Secret it
    /// makes and that Secret's keys.
    ExternalSecret {
        /// `spec.target.name`, else the object's name.
        target: String,
        /// The keys of the Secret it makes.
        keys: Vec<String>,
        /// Whether it makes keys it does not name, too: those of a
        /// `dataFrom` (every property of a remote item), when no
        /// template replaces them.
        any_key: bool,
    },
    /// A ConfigMap: the keys of its `data`.
    ConfigMap(Vec<String>),
    /// Anything else: its kind and name are all the checks read.
    Other,
}

/// A Service port: its name and its `port` value as written.
pub type ServicePort = (Option<String>, Option<Value>);

/// A pod template.
#[derive(Clone, Debug, PartialEq)]
pub struct Pod {
    /// Where the kind keeps the pod's spec, e.g. `spec.template.spec`.
    pub prefix: &'static str,
    /// Its labels (string values only).
    pub labels: Vec<(String, String)>,
    /// Its init containers, then its containers.
    pub containers: Vec<Container>,
    /// Its volumes that name a claim, a ConfigMap or a Secret.
    pub volumes: Vec<Volume>,
}

/// A container of a pod template.
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    /// `initContainers` or `containers`.
    pub list: &'static str,
    /// Its name.
    pub name: String,
    /// Its ports: name and `containerPort`.
    pub ports: Vec<(Option<String>, Option<i64>)>,
    /// Its probes (`livenessProbe`, …) and the port each checks.
    pub probe_ports: Vec<(&'static str, Value)>,
    /// `resources.requests`, in order, each as its quantity text; `None`
    /// unless both requests and limits are maps.
    pub requests: Option<Vec<(String, Option<String>)>>,
    /// `resources.limits`, each as its quantity text.
    pub limits: Vec<(String, Option<String>)>,
    /// Its env vars read from a Secret or a ConfigMap.
    pub env: Vec<EnvSource>,
}

/// An env var read from a Secret or a ConfigMap key.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvSource {
    /// The variable.
    pub name: String,
    /// `secretKeyRef` name and key.
    pub secret: Option<(String, String)>,
    /// `configMapKeyRef` name and key.
    pub config_map: Option<(String, String)>,
}

/// A volume of a pod template.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// Its name.
    pub name: String,
    /// `persistentVolumeClaim.claimName`.
    pub claim: Option<String>,
    /// `configMap.name`.
    pub config_map: Option<String>,
    /// `secret.secretName`.
    pub secret: Option<String>,
}

/// An Ingress backend.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// Where it is, e.g. `spec.rules[0].http.paths[1].backend`.
    pub field: String,
    /// `service.name`; `None` for a backend that is not a Service.
    pub service: Option<String>,
    /// `service.port`: its `name` and `number`; `None` when absent.
    pub port: Option<(Option<String>, Option<Value>)>,
}

/// Where a workload kind keeps its pod template.
pub fn pod_template_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicaSet"
        | "ReplicationController" => Some(&["spec", "template"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template"]),
        // A bare Pod is its own template.
        "Pod" => Some(&[]),
        _ => None,
    }
}

fn prefix_of(kind: &str) -> &'static str {
    match kind {
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        "Pod" => "spec",
        _ => "spec.template.spec",
    }
}

fn at<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

fn str_at<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    at(v, key).and_then(Value::as_str)
}

fn text_at(v: Option<&Value>, key: &str) -> String {
    str_at(v, key).unwrap_or_default().to_owned()
}

fn list_at<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    at(v, key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strings(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn string_pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn keys_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn quantity_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn quantities(m: &serde_json::Map<String, Value>) -> Vec<(String, Option<String>)> {
    m.iter()
        .map(|(k, v)| (k.clone(), quantity_text(v)))
        .collect()
}

impl Facts {
    /// What the checks read of the file `path`, whose data is `value`.
    pub fn of(path: &str, value: &Value) -> Facts {
        let v = Some(value);
        if path == INVENTORY_FILE {
            return Facts::Inventory(
                list_at(v, "external")
                    .iter()
                    .filter_map(|e| {
                        let e = Some(e);
                        Some(ExternalSecretMade {
                            namespace: str_at(e, "namespace")?.to_owned(),
                            secret: str_at(e, "secretName")?.to_owned(),
                            keys: strings(list_at(e, "keys")),
                        })
                    })
                    .collect(),
            );
        }
        if path == crate::MADE_ELSEWHERE_FILE {
            return made_elsewhere(v);
        }
        let kind = str_at(v, "kind").unwrap_or_default();
        if kind == "Kustomization" {
            return Facts::Kustomization {
                namespace: text_at(v, "namespace"),
                resources: strings(list_at(v, "resources")),
            };
        }
        let meta = at(v, "metadata");
        let name = text_at(meta, "name");
        let body = match kind {
            "Service" => Body::Service {
                selector: at(at(v, "spec"), "selector").map(|s| string_pairs(Some(s))),
                ports: list_at(at(v, "spec"), "ports")
                    .iter()
                    .map(|p| {
                        let p = Some(p);
                        (str_at(p, "name").map(str::to_owned), at(p, "port").cloned())
                    })
                    .collect(),
            },
            "Ingress" => Body::Ingress(backends(at(v, "spec"))),
            "ExternalSecret" => external_secret(at(v, "spec"), &name),
            // cert-manager writes a certificate, its key and its CA's.
            "Certificate" if text_at(v, "apiVersion").starts_with("cert-manager.io/") => {
                Body::ExternalSecret {
                    target: text_at(at(v, "spec"), "secretName"),
                    keys: ["tls.crt", "tls.key", "ca.crt"].map(str::to_owned).to_vec(),
                    any_key: false,
                }
            }
            "ConfigMap" => Body::ConfigMap(keys_of(at(v, "data"))),
            _ => pod_template_path(kind)
                .and_then(|path| path.iter().try_fold(value, |v, k| v.get(*k)))
                .map_or(Body::Other, |template| Body::Workload(pod(kind, template))),
        };
        Facts::Object(Object {
            api_version: text_at(v, "apiVersion"),
            kind: kind.to_owned(),
            name,
            namespace: text_at(meta, "namespace"),
            body,
        })
    }
}

/// The Secret an ExternalSecret makes, and its keys: templated keys
/// replace the fields' keys (and a `dataFrom`'s), or (with `mergePolicy:
/// Merge`) come beside them.
fn external_secret(spec: Option<&Value>, name: &str) -> Body {
    let target = at(spec, "target");
    let template = at(target, "template");
    let fields = list_at(spec, "data")
        .iter()
        .filter_map(|e| e.get("secretKey").and_then(Value::as_str))
        .map(str::to_owned);
    let data_from = !list_at(spec, "dataFrom").is_empty();
    let (keys, any_key) = match at(template, "data").and_then(Value::as_object) {
        Some(data) if str_at(template, "mergePolicy") == Some("Merge") => {
            (data.keys().cloned().chain(fields).collect(), data_from)
        }
        Some(data) => (data.keys().cloned().collect(), false),
        None => (fields.collect(), data_from),
    };
    Body::ExternalSecret {
        target: str_at(target, "name").unwrap_or(name).to_owned(),
        keys,
        any_key,
    }
}

fn backends(spec: Option<&Value>) -> Vec<Backend> {
    let mut found: Vec<(String, &Value)> = Vec::new();
    if let Some(b) = at(spec, "defaultBackend") {
        found.push(("spec.defaultBackend".into(), b));
    }
    for (i, rule) in list_at(spec, "rules").iter().enumerate() {
        for (j, p) in list_at(at(Some(rule), "http"), "paths").iter().enumerate() {
            if let Some(b) = p.get("backend") {
                found.push((format!("spec.rules[{i}].http.paths[{j}].backend"), b));
            }
        }
    }
    found
        .into_iter()
        .map(|(field, b)| {
            let service = at(Some(b), "service");
            let port = at(service, "port");
            Backend {
                field,
                service: service.map(|s| text_at(Some(s), "name")),
                port: port.map(|p| {
                    (
                        str_at(Some(p), "name").map(str::to_owned),
                        at(Some(p), "number").cloned(),
                    )
                }),
            }
        })
        .collect()
}

fn pod(kind: &str, template: &Value) -> Pod {
    let t = Some(template);
    let spec = at(t, "spec");
    let mut containers = Vec::new();
    for list in ["initContainers", "containers"] {
        for c in list_at(spec, list) {
            containers.push(container(list, c));
        }
    }
    Pod {
        prefix: prefix_of(kind),
        labels: string_pairs(at(at(t, "metadata"), "labels")),
        containers,
        volumes: list_at(spec, "volumes")
            .iter()
            .filter_map(|v| {
                let v = Some(v);
                let volume = Volume {
                    name: text_at(v, "name"),
                    claim: str_at(at(v, "persistentVolumeClaim"), "claimName").map(str::to_owned),
                    config_map: str_at(at(v, "configMap"), "name").map(str::to_owned),
                    secret: str_at(at(v, "secret"), "secretName").map(str::to_owned),
                };
                (volume.claim.is_some() || volume.config_map.is_some() || volume.secret.is_some())
                    .then_some(volume)
            })
            .collect(),
    }
}

fn container(list: &'static str, c: &Value) -> Container {
    let c = Some(c);
    let resources = at(c, "resources");
    let requests = at(resources, "requests").and_then(Value::as_object);
    let limits = at(resources, "limits").and_then(Value::as_object);
    let mut probe_ports = Vec::new();
    for which in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let probe = at(c, which);
        for port in [
            at(at(probe, "httpGet"), "port"),
            at(at(probe, "tcpSocket"), "port"),
        ]
        .into_iter()
        .flatten()
        {
            probe_ports.push((which, port.clone()));
        }
    }
    Container {
        list,
        name: text_at(c, "name"),
        ports: list_at(c, "ports")
            .iter()
            .map(|p| {
                let p = Some(p);
                (
                    str_at(p, "name").map(str::to_owned),
                    at(p, "containerPort").and_then(Value::as_i64),
                )
            })
            .collect(),
        probe_ports,
        requests: requests.zip(limits).map(|(r, _)| quantities(r)),
        limits: limits.map(quantities).unwrap_or_default(),
        env: list_at(c, "env")
            .iter()
            .filter_map(|var| {
                let var = Some(var);
                let from = at(var, "valueFrom");
                let pair = |sel: Option<&Value>| {
                    sel.map(|s| (text_at(Some(s), "name"), text_at(Some(s), "key")))
                };
                let source = EnvSource {
                    name: text_at(var, "name"),
                    secret: pair(at(from, "secretKeyRef")),
                    config_map: pair(at(from, "configMapKeyRef")),
                };
                (source.secret.is_some() || source.config_map.is_some()).then_some(source)
            })
            .collect(),
    }
}

/// The facts of `made-elsewhere.yaml`.
fn made_elsewhere(v: Option<&Value>) -> Facts {
    let entries = |list: &str| -> Vec<(String, String, Vec<Value>)> {
        list_at(v, list)
            .iter()
            .filter_map(|e| {
                let e = Some(e);
                let more = list_at(e, "keys")
                    .iter()
                    .chain(list_at(e, "ports"))
                    .cloned()
                    .collect();
                Some((
                    str_at(e, "namespace")?.to_owned(),
                    str_at(e, "name")?.to_owned(),
                    more,
                ))
            })
            .collect()
    };
    Facts::MadeElsewhere {
        config_maps: entries("configMaps")
            .into_iter()
            .map(|(ns, name, keys)| {
                (
                    ns,
                    name,
                    keys.iter()
                        .filter_map(|k| k.as_str().map(str::to_owned))
                        .collect(),
                )
            })
            .collect(),
        services: entries("services")
            .into_iter()
            .map(|(ns, name, ports)| {
                // A port is written as text: its name, or its number.
                let ports = ports
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|p| match p.parse::<i64>() {
                        Ok(n) => (None, Some(Value::from(n))),
                        Err(_) => (Some(p.to_owned()), None),
                    })
                    .collect();
                (ns, name, ports)
            })
            .collect(),
        claims: entries("claims")
            .into_iter()
            .map(|(ns, name, _)| (ns, name))
            .collect(),
        pods: list_at(v, "pods")
            .iter()
            .filter_map(|e| {
                let e = Some(e);
                Some((
                    str_at(e, "namespace")?.to_owned(),
                    string_pairs(at(e, "labels")),
                ))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(facts: Facts) -> Object {
        match facts {
            Facts::Object(o) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn a_workload_keeps_its_pod_labels_ports_probes_resources_and_references() {
        let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "backup", "namespace": "db", "labels": {"x": "y"}},
        "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {
            "metadata": {"labels": {"app": "backup", "n": 1}},
            "spec": {
                "initContainers": [{"name": "init", "image": "busybox"}],
                "containers": [{"name": "main", "image": "pg:18",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                    "startupProbe": {"tcpSocket": {"port": 9}},
                    "resources": {"requests": {"cpu": "1", "memory": 64}, "limits": {"cpu": "500m"}},
                    "env": [{"name": "PLAIN", "value": "1"},
                            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "pg", "key": "password"}}}]}],
                "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
            }}}}}});
        let o = object(Facts::of("db/cronjob-backup.yaml", &cron));
        assert_eq!(
            (o.kind.as_str(), o.name.as_str(), o.namespace.as_str()),
            ("CronJob", "backup", "db")
        );
        let Body::Workload(pod) = o.body else {
            panic!("not a workload")
        };
        assert_eq!(pod.prefix, "spec.jobTemplate.spec.template.spec");
        assert_eq!(pod.labels, [("app".to_owned(), "backup".to_owned())]);
        assert_eq!(pod.containers.len(), 2);
        assert_eq!(
            (pod.containers[0].list, pod.containers[0].requests.clone()),
            ("initContainers", None)
        );
        let main = &pod.containers[1];
        assert_eq!(main.ports, [(Some("http".to_owned()), Some(8080))]);
        assert_eq!(
            main.probe_ports,
            [("livenessProbe", json!("http")), ("startupProbe", json!(9))]
        );
        assert_eq!(
            main.requests,
            Some(vec![
                ("cpu".to_owned(), Some("1".to_owned())),
                ("memory".to_owned(), Some("64".to_owned()))
            ])
        );
        assert_eq!(main.env.len(), 1, "plain values are not kept");
        assert_eq!(
            main.env[0].secret,
            Some(("pg".to_owned(), "password".to_owned()))
        );
        assert_eq!(pod.volumes.len(), 1, "an emptyDir names nothing to check");
        assert_eq!(pod.volumes[0].claim.as_deref(), Some("data"));
    }

    #[test]
    fn an_external_secret_with_data_from_makes_any_key_unless_a_template_replaces_them() {
        let secret = |template: Value| {
            json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": {"name": "es", "namespace": "a"},
                "spec": {"target": {"template": template},
                         "dataFrom": [{"extract": {"key": "/kafka/app"}}]}})
        };
        let any = |v: &Value| match object(Facts::of("a/es.yaml", v)).body {
            Body::ExternalSecret { any_key, .. } => any_key,
            other => panic!("{other:?}"),
        };
        assert!(any(&secret(Value::Null)));
        assert!(any(&secret(
            json!({"mergePolicy": "Merge", "data": {"url": "x"}})
        )));
        assert!(!any(&secret(json!({"data": {"url": "x"}}))));
    }

    #[test]
    fn an_external_secret_makes_its_templated_keys_and_with_merge_its_fields_too() {
        let secret = |merge: Option<&str>| {
            json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": {"name": "es", "namespace": "a"},
                "spec": {"target": {"template": {"mergePolicy": merge, "data": {"url": "x"}}},
                         "data": [{"secretKey": "password", "remoteRef": {"key": "k"}}]}})
        };
        let keys = |v: &Value| match object(Facts::of("a/es.yaml", v)).body {
            Body::ExternalSecret { target, keys, .. } => (target, keys),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            keys(&secret(None)),
            ("es".to_owned(), vec!["url".to_owned()])
        );
        assert_eq!(
            keys(&secret(Some("Merge"))).1,
            ["url".to_owned(), "password".to_owned()]
        );
    }

    #[test]
    fn kustomizations_the_inventory_and_other_kinds_keep_what_the_checks_read() {
        let k = json!({"kind": "Kustomization", "namespace": "a", "resources": ["x.yaml", 3]});
        assert_eq!(
            Facts::of("a/kustomization.yaml", &k),
            Facts::Kustomization {
                namespace: "a".into(),
                resources: vec!["x.yaml".into()]
            }
        );
        let inventory = json!({"entries": [1], "external": [{"namespace": "a", "secretName": "s"}, {"secretName": "no-namespace"}]});
        assert_eq!(
            Facts::of(INVENTORY_FILE, &inventory),
            Facts::Inventory(vec![ExternalSecretMade {
                namespace: "a".into(),
                secret: "s".into(),
                keys: vec![]
            }])
        );
        let cluster = json!({"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": {"name": "pg", "namespace": "db"}, "spec": {"instances": 3}});
        assert_eq!(
            object(Facts::of("db/cluster-pg.yaml", &cluster)).body,
            Body::Other
        );
    }
}
