//! Live objects (`kubectl get -o yaml`): what the API server wrote into an
//! object is not part of its configuration. An object that carries any
//! sign of having been read from a cluster (`status`, `metadata.uid`,
//! `resourceVersion`, `managedFields`, `creationTimestamp` with a value)
//! loses those fields and the defaults the server filled in, so that it
//! imports as the manifest it was applied from would.

use serde_json::{Map, Value};

/// What the API server sets in every object's metadata.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
    "managedFields",
];

/// Annotations tools and controllers write.
const SERVER_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    // An autoscaling/v1 autoscaler's state, kept in annotations.
    "autoscaling.alpha.kubernetes.io/conditions",
    "autoscaling.alpha.kubernetes.io/current-metrics",
];

/// Fields the API server fills in when the manifest leaves them out, by
/// the last key of their path and their default value: left out of a
/// live object (a manifest that sets them to the same value still says
/// so). Only fields whose default never depends on anything else.
const DEFAULTS: &[(&str, &str)] = &[
    ("terminationMessagePath", "/dev/termination-log"),
    ("terminationMessagePolicy", "File"),
    ("schedulerName", "default-scheduler"),
    ("dnsPolicy", "ClusterFirst"),
    ("restartPolicy", "Always"),
    ("sessionAffinity", "None"),
    ("ipFamilyPolicy", "SingleStack"),
    ("internalTrafficPolicy", "Cluster"),
    ("externalTrafficPolicy", "Cluster"),
    ("podManagementPolicy", "OrderedReady"),
    ("volumeMode", "Filesystem"),
];

/// Numbers the API server fills in, as [`DEFAULTS`].
const NUMBER_DEFAULTS: &[(&str, i64)] = &[
    ("terminationGracePeriodSeconds", 30),
    ("progressDeadlineSeconds", 600),
    ("revisionHistoryLimit", 10),
];

/// Whether an object was read from a cluster.
pub(crate) fn is_live(object: &Value) -> bool {
    let meta = object.get("metadata");
    object.get("status").is_some()
        || ["uid", "resourceVersion", "managedFields", "selfLink"]
            .iter()
            .any(|k| meta.and_then(|m| m.get(k)).is_some())
}

/// The object as it was applied: a live object without what the server
/// wrote (see the module); any other object as it is.
pub(crate) fn as_applied(mut object: Value) -> Value {
    if !is_live(&object) {
        return object;
    }
    let Some(top) = object.as_object_mut() else {
        return object;
    };
    top.remove("status");
    if let Some(meta) = top.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_METADATA {
            meta.remove(*key);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            for key in SERVER_ANNOTATIONS {
                annotations.remove(*key);
            }
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    let kind = top
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if kind == "PersistentVolumeClaim" {
        // The volume a provisioner made for the claim (`pvc-<uid>`) is
        // the binding's, not the claim's.
        if let Some(spec) = top.get_mut("spec").and_then(Value::as_object_mut) {
            if spec
                .get("volumeName")
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("pvc-"))
            {
                spec.remove("volumeName");
            }
        }
        // The finalizer the API server adds to every claim.
        let protection = serde_json::json!(["kubernetes.io/pvc-protection"]);
        if let Some(meta) = top.get_mut("metadata").and_then(Value::as_object_mut) {
            if meta.get("finalizers") == Some(&protection) {
                meta.remove("finalizers");
            }
        }
    }
    if let Some(templates) = top
        .get_mut("spec")
        .and_then(|s| s.get_mut("volumeClaimTemplates"))
        .and_then(Value::as_array_mut)
    {
        for t in templates.iter_mut().filter_map(Value::as_object_mut) {
            t.remove("status");
        }
    }
    if let Some(spec) = top.get_mut("spec") {
        if kind == "Service" {
            service(spec);
        }
        if kind == "Pod" {
            admitted_pod(spec);
        }
        defaults(spec);
    }
    object
}

/// Where Kubernetes mounts a pod's service account token.
const TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// What the scheduler and the admission plugins wrote into a bare Pod:
/// its node, its priority (from its class), the account's deprecated
/// alias, the default account, the tolerations of unready and unreachable
/// nodes (`DefaultTolerationSeconds`), and the volume of the account's
/// token with its mounts (`ServiceAccount`).
fn admitted_pod(spec: &mut Value) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    spec.remove("nodeName");
    spec.remove("priority");
    if spec.get("preemptionPolicy").and_then(Value::as_str) == Some("PreemptLowerPriority") {
        spec.remove("preemptionPolicy");
    }
    if spec.get("serviceAccount") == spec.get("serviceAccountName") {
        spec.remove("serviceAccount");
    }
    if spec.get("serviceAccountName").and_then(Value::as_str) == Some("default") {
        spec.remove("serviceAccountName");
    }
    if spec.get("enableServiceLinks") == Some(&Value::Bool(true)) {
        spec.remove("enableServiceLinks");
    }
    if let Some(tolerations) = spec.get_mut("tolerations").and_then(Value::as_array_mut) {
        tolerations.retain(|t| !is_default_toleration(t));
        if tolerations.is_empty() {
            spec.remove("tolerations");
        }
    }
    // The token's volume: the one mounted at the token's path.
    let mut token_volumes = Vec::new();
    for key in ["containers", "initContainers"] {
        for c in spec
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            if let Some(mounts) = c.get_mut("volumeMounts").and_then(Value::as_array_mut) {
                mounts.retain(|m| {
                    let token = m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_PATH);
                    if token {
                        token_volumes.extend(m.get("name").cloned());
                    }
                    !token
                });
                if mounts.is_empty() {
                    c.remove("volumeMounts");
                }
            }
        }
    }
    if let Some(volumes) = spec.get_mut("volumes").and_then(Value::as_array_mut) {
        volumes.retain(|v| v.get("name").is_none_or(|n| !token_volumes.contains(n)));
        if volumes.is_empty() {
            spec.remove("volumes");
        }
    }
}

/// A toleration the `DefaultTolerationSeconds` admission plugin adds: of
/// a not-ready or unreachable node, for 300 seconds.
fn is_default_toleration(t: &Value) -> bool {
    let key = t.get("key").and_then(Value::as_str);
    matches!(
        key,
        Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable")
    ) && t.get("operator").and_then(Value::as_str) == Some("Exists")
        && t.get("effect").and_then(Value::as_str) == Some("NoExecute")
        && t.get("tolerationSeconds").and_then(Value::as_i64) == Some(300)
}

/// A Service's allocated addresses and its defaulted IP families.
fn service(spec: &mut Value) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    // `None` (headless) is configuration; an address was allocated.
    if spec.get("clusterIP").and_then(Value::as_str) != Some("None") {
        spec.remove("clusterIP");
        spec.remove("clusterIPs");
    } else if spec.get("clusterIPs") == Some(&serde_json::json!(["None"])) {
        spec.remove("clusterIPs");
    }
    if spec.get("ipFamilies") == Some(&serde_json::json!(["IPv4"])) {
        spec.remove("ipFamilies");
    }
}

/// Removes the server's defaults, everywhere below `value`; and the empty
/// maps it writes (`securityContext: {}`, `resources: {}`,
/// `creationTimestamp: null`).
fn defaults(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // `dataSource: null`: what the server writes for nothing.
            map.retain(|key, v| !v.is_null() && !is_default(key, v));
            for v in map.values_mut() {
                defaults(v);
            }
            map.retain(|key, v| {
                !(matches!(key.as_str(), "securityContext" | "resources") && is_empty_map(v))
            });
            if let Some(Value::Object(meta)) = map.get_mut("metadata") {
                if meta.get("creationTimestamp") == Some(&Value::Null) {
                    meta.remove("creationTimestamp");
                }
            }
            strategy(map);
        }
        Value::Array(items) => items.iter_mut().for_each(defaults),
        _ => {}
    }
}

fn is_default(key: &str, value: &Value) -> bool {
    DEFAULTS
        .iter()
        .any(|(k, d)| *k == key && value.as_str() == Some(d))
        || NUMBER_DEFAULTS
            .iter()
            .any(|(k, d)| *k == key && value.as_i64() == Some(*d))
}

fn is_empty_map(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

/// A Deployment's default rolling update (25 % surge, 25 % unavailable).
fn strategy(map: &mut Map<String, Value>) {
    let default = serde_json::json!({
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}
    });
    if map.get("strategy") == Some(&default) {
        map.remove("strategy");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_live_object_loses_what_the_server_wrote() {
        let live = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "uid": "1", "resourceVersion": "9", "creationTimestamp": "2024-01-01T00:00:00Z",
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "a"}},
            "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "ipFamilies": ["IPv4"],
                     "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None", "type": "ClusterIP",
                     "selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]},
            "status": {"loadBalancer": {}}
        });
        assert_eq!(
            as_applied(live),
            json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "web", "annotations": {"team": "a"}},
                "spec": {"type": "ClusterIP", "selector": {"app": "web"},
                         "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]}
            })
        );
    }

    #[test]
    fn a_live_pod_loses_what_the_scheduler_and_admission_wrote() {
        let live = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "uid": "1", "labels": {"name": "web"}},
            "spec": {
                "containers": [{"name": "web", "image": "nginx",
                    "volumeMounts": [{"mountPath": TOKEN_PATH, "name": "kube-api-access-x1", "readOnly": true},
                                     {"mountPath": "/data", "name": "data"}]}],
                "nodeName": "n1", "priority": 0, "serviceAccount": "default", "serviceAccountName": "default",
                "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
                "tolerations": [
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                    {"effect": "NoSchedule", "key": "gpu", "operator": "Exists"}],
                "volumes": [{"name": "kube-api-access-x1", "projected": {"sources": []}},
                            {"name": "data", "emptyDir": {}}]
            },
            "status": {"phase": "Running"}
        });
        assert_eq!(
            as_applied(live),
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web", "labels": {"name": "web"}},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx",
                        "volumeMounts": [{"mountPath": "/data", "name": "data"}]}],
                    "tolerations": [{"effect": "NoSchedule", "key": "gpu", "operator": "Exists"}],
                    "volumes": [{"name": "data", "emptyDir": {}}]
                }
            })
        );
    }

    #[test]
    fn a_manifest_keeps_what_its_author_wrote() {
        let authored = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"clusterIP": "10.0.0.9", "sessionAffinity": "None"}});
        assert_eq!(as_applied(authored.clone()), authored);
        // A headless Service stays headless.
        let headless = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "uid": "2"},
            "spec": {"clusterIP": "None", "clusterIPs": ["None"]}});
        assert_eq!(
            as_applied(headless),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"}, "spec": {"clusterIP": "None"}})
        );
    }
}
