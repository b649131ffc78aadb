//! The round-trip proof: each object of the input against the object
//! cfggen renders in its place, field by field. Lists of named items
//! (containers, ports, env, volumes) are matched by name. A difference
//! that is one of cfggen's documented normalisations (its labels and
//! annotations, the app's namespace, Kubernetes and CloudNativePG
//! defaults written out, the comment on a Postgres role, names given to
//! unnamed ports, quoting, empty values, order) is listed apart and does
//! not count.

use cfggen_model::names;
use serde_json::Value;

/// One field that differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Where, e.g. `spec.template.spec.containers[server].image`.
    pub path: String,
    /// The input's value (`None`: absent).
    pub input: Option<Value>,
    /// The rendered value (`None`: absent).
    pub rendered: Option<Value>,
    /// The normalisation it is, if it is one.
    pub normalisation: Option<&'static str>,
}

/// Labels and annotations cfggen puts on what it renders.
const CFGGEN_KEYS: &[&str] = &[
    names::MANAGED_BY.0,
    names::LABEL_APP,
    names::LABEL_COMPONENT,
    "argocd.argoproj.io/sync-wave",
    // On the objects of a CloudNativePG cluster.
    "cnpg.io/cluster",
];

/// The cluster-scoped kinds cfggen renders from an app's entries: a
/// namespace the input gives one is Kubernetes' to ignore.
const CLUSTER_SCOPED: &[&str] = &[
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "CiliumClusterwideNetworkPolicy",
    "CiliumLoadBalancerIPPool",
    "CiliumL2AnnouncementPolicy",
    "CiliumBGPClusterConfig",
    "CiliumBGPPeerConfig",
    "CiliumBGPAdvertisement",
    "GatewayClass",
    "IngressClass",
    "VolumeSnapshotClass",
];

/// Every difference between an input object and its rendering.
pub fn compare(input: &Value, rendered: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    // An object of a version Kubernetes no longer serves against its
    // conversion, when that is what cfggen renders (a raw one is
    // rendered as written).
    let converted = crate::versions::current(input)
        .filter(|(current, _)| current.get("apiVersion") == rendered.get("apiVersion"));
    if let Some((_, from)) = &converted {
        out.push(Difference {
            path: "apiVersion".into(),
            input: Some(Value::String(from.clone())),
            rendered: rendered.get("apiVersion").cloned(),
            normalisation: Some("an API version Kubernetes removed, converted"),
        });
    }
    let input = converted.as_ref().map_or(input, |(current, _)| current);
    let kind = input
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    walk(kind, "", Some(input), Some(rendered), &mut out);
    // A route's backend in the route's own namespace, said so.
    let own = rendered.pointer("/metadata/namespace");
    for d in &mut out {
        if matches!(kind, "HTTPRoute" | "TLSRoute" | "TCPRoute" | "GRPCRoute")
            && d.path.contains(".backendRefs[")
            && d.path.ends_with("].namespace")
            && d.rendered.is_none()
            && d.input.as_ref() == own
        {
            d.normalisation = Some("the app's namespace");
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// Whether every item of both lists is a mapping with a `name`.
fn named(a: &[Value], b: &[Value]) -> bool {
    !a.is_empty() && a.iter().chain(b).all(|v| name_of(v).is_some())
}

fn walk(kind: &str, path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Difference>) {
    // A key with no value (`target:`) is Kubernetes' absent field.
    let (a, b) = (a.filter(|v| !v.is_null()), b.filter(|v| !v.is_null()));
    match (a, b) {
        (None, None) => {}
        (None, Some(Value::Object(y))) if !y.is_empty() => {
            for (k, v) in y {
                walk(kind, &join(path, k), None, Some(v), out);
            }
        }
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, v) in x {
                walk(kind, &join(path, k), Some(v), y.get(k), out);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                walk(kind, &join(path, k), None, Some(v), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if named(x, y) => {
            for item in x {
                let name = name_of(item).unwrap_or_default();
                let other = y.iter().find(|o| name_of(o) == Some(name));
                walk(kind, &format!("{path}[{name}]"), Some(item), other, out);
            }
            for item in y
                .iter()
                .filter(|o| !x.iter().any(|i| name_of(i) == name_of(o)))
            {
                let name = name_of(item).unwrap_or_default();
                walk(kind, &format!("{path}[{name}]"), None, Some(item), out);
            }
            let order = |list: &[Value]| -> Vec<String> {
                list.iter()
                    .filter_map(|v| name_of(v).map(str::to_owned))
                    .collect()
            };
            let (ox, oy) = (order(x), order(y));
            let common_x: Vec<&String> = ox.iter().filter(|n| oy.contains(n)).collect();
            let common_y: Vec<&String> = oy.iter().filter(|n| ox.contains(n)).collect();
            if common_x != common_y {
                out.push(Difference {
                    path: path.to_owned(),
                    input: a.cloned(),
                    rendered: b.cloned(),
                    normalisation: Some("order"),
                });
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(kind, &format!("{path}[{i}]"), x.get(i), y.get(i), out);
            }
        }
        (Some(x), Some(y)) if x == y => {}
        (x, y) => {
            let normalisation = classify(kind, path, x, y);
            out.push(Difference {
                path: path.to_owned(),
                input: x.cloned(),
                rendered: y.cloned(),
                normalisation,
            });
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// What the API server writes on every Namespace: the label of its name,
/// and Kubernetes' own finalizer.
fn namespace_default(path: &str, value: &Value) -> bool {
    let finalizers = serde_json::json!(["kubernetes"]);
    path == "metadata.labels.kubernetes.io/metadata.name"
        || (path == "spec.finalizers" && *value == finalizers)
        || (path == "spec" && *value == serde_json::json!({ "finalizers": finalizers }))
}

/// Which normalisation a difference is, if any.
fn classify(
    kind: &str,
    path: &str,
    input: Option<&Value>,
    rendered: Option<&Value>,
) -> Option<&'static str> {
    let last = path.rsplit('.').next().unwrap_or(path);
    match (input, rendered) {
        (Some(x), Some(y)) if scalar_text(x).is_some() && scalar_text(x) == scalar_text(y) => {
            Some("quoting")
        }
        (Some(x), None) | (None, Some(x)) if is_empty(x) => Some("empty value"),
        (Some(Value::Bool(false)), None) => Some("a Kubernetes default written out"),
        (Some(_), None) if path.ends_with("template.metadata.namespace") => {
            Some("the app's namespace")
        }
        (Some(_), None) if path == "metadata.namespace" && CLUSTER_SCOPED.contains(&kind) => {
            Some("a cluster-scoped object's namespace, which Kubernetes ignores")
        }
        (Some(_), None) if path.ends_with("template.metadata.name") => {
            Some("a pod template's name, which Kubernetes does not use")
        }
        (Some(x), None)
            if (last == "protocol" && x == "TCP")
                || (last == "type" && x == "ClusterIP")
                || (path.ends_with(".fieldRef.apiVersion") && x == "v1")
                || (path == "spec.replicas" && x == 1)
                || (last == "scheme" && x == "HTTP")
                || (last == "sessionAffinity" && x == "None")
                || (kind == "ExternalSecret"
                    && path == "spec.target.template.engineVersion"
                    && x == "v2") =>
        {
            Some("a Kubernetes default left out")
        }
        (Some(x), None)
            if kind == "HTTPRoute"
                && path.contains(".backendRefs[")
                && last == "weight"
                && x == 1 =>
        {
            Some("a Gateway API default left out")
        }
        // cfggen renders no pod count only for a workload an autoscaler scales.
        (Some(_), None)
            if path == "spec.replicas" && matches!(kind, "Deployment" | "StatefulSet") =>
        {
            Some("the pod count left to the autoscaler")
        }
        (Some(_), None) if kind == "PersistentVolume" && path.starts_with("spec.claimRef.") => {
            Some("the claim that binds a volume, written out")
        }
        (Some(x), None) if kind == "Namespace" && namespace_default(path, x) => {
            Some("a Kubernetes default left out")
        }
        (Some(x), None) if last == "restartPolicy" && x == "Always" => {
            Some("a Kubernetes default written out")
        }
        (None, Some(y)) => {
            let in_meta = [".labels.", ".annotations."]
                .iter()
                .any(|m| format!(".{path}").contains(m));
            if in_meta && CFGGEN_KEYS.iter().any(|k| path.ends_with(k)) {
                Some("cfggen's labels and annotations")
            } else if path == "metadata.namespace" {
                Some("the app's namespace")
            } else if kind == "HTTPRoute"
                && path.contains(".matches[")
                && ((path.ends_with(".path.type") && y == "PathPrefix")
                    || (path.ends_with(".path.value") && y == "/"))
            {
                Some("a Gateway API default written out")
            } else if kind == "ScheduledBackup" && path == "spec.method" && y == "barmanObjectStore"
            {
                // CloudNativePG's default method, its own Barman Cloud support.
                Some("a CloudNativePG default written out")
            } else if kind == "ReplicationController" && path.starts_with("spec.selector.") {
                // Kubernetes gives one without a selector its template's labels.
                Some("a Kubernetes default written out")
            } else if (last == "protocol" && y == "TCP")
                || (path == "spec.replicas" && y == 1)
                || (last == "type" && y == "ClusterIP")
                || (kind == "ExternalSecret" && external_secrets_default(path, y))
            {
                Some("a Kubernetes default written out")
            } else if kind == "PersistentVolume" && path.starts_with("spec.claimRef.") {
                Some("the claim that binds a volume, written out")
            } else if kind == "PersistentVolume"
                && ((path == "spec.persistentVolumeReclaimPolicy" && y == "Retain")
                    || (path == "spec.storageClassName" && y == ""))
            {
                Some("a Kubernetes default written out")
            } else if matches!(kind, "Cluster" | "Database") && cnpg_default(path, last, y) {
                Some("a CloudNativePG default written out")
            } else if kind == "Cluster"
                && path.starts_with("spec.managed.roles[")
                && last == "comment"
            {
                Some("cfggen's comment on a role")
            } else if path.contains("volumeClaimTemplates[")
                && matches!(last, "apiVersion" | "kind")
            {
                Some("a Kubernetes default written out")
            } else if last == "targetPort" && y.is_number() {
                // Written out by import as Kubernetes takes it: the port's own number.
                Some("a Kubernetes default written out")
            } else if last == "name" && path.contains("ports[") {
                Some("a port without a name gets one")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What CloudNativePG takes when a Cluster or a Database leaves it out:
/// one instance; a role present, inheriting, without a connection limit
/// and with no other attribute; a database and its extensions present.
fn cnpg_default(path: &str, last: &str, rendered: &Value) -> bool {
    if path == "spec.instances" {
        return rendered == 1;
    }
    if path.starts_with("spec.managed.roles[") {
        return match last {
            "ensure" => rendered == "present",
            "connectionLimit" => rendered == -1,
            flag => crate::postgres::CNPG_ROLE_FLAGS
                .iter()
                .any(|&(f, default)| f == flag && *rendered == default),
        };
    }
    (path == "spec.ensure" || path.starts_with("spec.extensions["))
        && last == "ensure"
        && rendered == "present"
}

/// What External Secrets takes when an ExternalSecret leaves it out: a
/// refresh every hour, a Secret named after it and owned by it, of type
/// Opaque, a store of its namespace.
fn external_secrets_default(path: &str, rendered: &Value) -> bool {
    match path {
        "spec.refreshInterval" => rendered == "1h",
        "spec.target.creationPolicy" => rendered == "Owner",
        "spec.target.template.type" => rendered == "Opaque",
        "spec.secretStoreRef.kind" => rendered == "SecretStore",
        // cfggen names the target after the ExternalSecret, as External
        // Secrets does (the import types no other).
        "spec.target.name" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalisations_are_told_from_differences() {
        let input = json!({"metadata": {"name": "a", "labels": {"app": "a"}},
            "spec": {"containers": [{"name": "x", "image": "i:1", "ports": [{"containerPort": 80}]}]}});
        let rendered = json!({"metadata": {"name": "a", "namespace": "n",
            "labels": {"app": "a", "app.kubernetes.io/managed-by": "cfggen"}},
            "spec": {"containers": [{"name": "x", "image": "i:2", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}});
        let d = compare(&input, &rendered);
        let real: Vec<&str> = d
            .iter()
            .filter(|d| d.normalisation.is_none())
            .map(|d| d.path.as_str())
            .collect();
        assert_eq!(real, ["spec.containers[x].image"]);
        assert_eq!(d.len(), 4, "{d:?}");
    }

    #[test]
    fn external_secrets_defaults_written_out_are_normalisations() {
        let input = json!({"kind": "ExternalSecret", "spec": {"secretStoreRef": {"name": "op"}}});
        let rendered = json!({"kind": "ExternalSecret", "spec": {"refreshInterval": "1h", "secretStoreRef": {"name": "op"},
            "target": {"name": "app", "creationPolicy": "Owner"}}});
        let d = compare(&input, &rendered);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|d| d.normalisation.is_some()), "{d:?}");
        let other = json!({"kind": "ExternalSecret", "spec": {"refreshInterval": "5m", "secretStoreRef": {"name": "op"}}});
        let d = compare(&input, &other);
        assert_eq!(d[0].normalisation, None);
        // Only an ExternalSecret's.
        let widget = json!({"kind": "Widget", "spec": {"target": {}}});
        let d = compare(
            &widget,
            &json!({"kind": "Widget", "spec": {"target": {"name": "x"}}}),
        );
        assert_eq!(d[0].normalisation, None);
    }

    #[test]
    fn cloudnativepg_defaults_and_role_comments_are_normalisations() {
        let input = json!({"kind": "Cluster", "spec": {"managed": {"roles": [{"name": "a", "login": true}]}}});
        let rendered = json!({"kind": "Cluster", "spec": {"instances": 1, "managed": {"roles": [{"name": "a",
            "ensure": "present", "comment": "role a (no app)", "login": true, "superuser": false,
            "inherit": true, "connectionLimit": -1}]}}});
        let d = compare(&input, &rendered);
        assert_eq!(d.len(), 6, "{d:?}");
        assert!(d.iter().all(|d| d.normalisation.is_some()), "{d:?}");
        // Another value is a difference.
        let rendered = json!({"kind": "Cluster", "spec": {"instances": 2, "managed": {"roles": [{"name": "a",
            "login": true, "superuser": true}]}}});
        let d = compare(&input, &rendered);
        assert_eq!(
            d.iter().filter(|d| d.normalisation.is_none()).count(),
            2,
            "{d:?}"
        );
    }

    #[test]
    fn a_volume_bound_to_its_claim_and_its_defaults_are_normalisations() {
        let input = json!({"kind": "PersistentVolume", "spec": {"capacity": {"storage": "1Gi"}}});
        let rendered = json!({"kind": "PersistentVolume", "spec": {"capacity": {"storage": "1Gi"},
            "storageClassName": "", "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "web", "name": "data"}}});
        let d = compare(&input, &rendered);
        assert_eq!(d.len(), 5, "{d:?}");
        assert!(d.iter().all(|d| d.normalisation.is_some()), "{d:?}");
        // A class of its own is a difference.
        let rendered = json!({"kind": "PersistentVolume", "spec": {"capacity": {"storage": "1Gi"},
            "storageClassName": "nfs"}});
        assert!(compare(&input, &rendered)[0].normalisation.is_none());
    }

    #[test]
    fn named_lists_match_by_name_and_report_order() {
        let input = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        let rendered = json!({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]});
        let d = compare(&input, &rendered);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].normalisation, Some("order"));
    }

    #[test]
    fn an_older_autoscaler_is_compared_with_its_conversion_only_when_rendered_so() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}});
        // Kept raw: rendered as written, nothing differs.
        assert!(compare(&v1, &v1).is_empty());
        // Typed: rendered as v2, the version is a normalisation.
        let (v2, _) = crate::versions::current(&v1).unwrap();
        let diffs = compare(&v1, &v2);
        assert!(diffs.iter().all(|d| d.normalisation.is_some()), "{diffs:?}");
    }
}
