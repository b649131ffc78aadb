//! Objects of API versions Kubernetes no longer serves, or serves in an
//! older form, converted to the version cfggen writes, as `kubectl
//! convert` would: a HorizontalPodAutoscaler of `autoscaling/v2beta2`
//! (removed in Kubernetes 1.26) or `autoscaling/v1` becomes
//! `autoscaling/v2`; a Gateway API `HTTPRoute`, `Gateway` or
//! `GatewayClass` of `v1beta1` (deprecated, and the same schema) becomes
//! `v1`. The import says so, and the round trip compares the rendering
//! with the converted object.

use serde_json::{json, Value};

/// The object in the version cfggen writes, and the version it was
/// written in; `None` when it needs no conversion.
pub(crate) fn current(object: &Value) -> Option<(Value, String)> {
    let api = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let mut out = object.clone();
    if api == GATEWAY_BETA && matches!(kind, "HTTPRoute" | "Gateway" | "GatewayClass") {
        out["apiVersion"] = json!(GATEWAY);
        return Some((out, api.to_owned()));
    }
    if kind != "HorizontalPodAutoscaler" {
        return None;
    }
    match api {
        "autoscaling/v2beta2" => {}
        "autoscaling/v1" => {
            let spec = out.get_mut("spec")?.as_object_mut()?;
            if let Some(percent) = spec.shift_remove("targetCPUUtilizationPercentage") {
                spec.insert(
                    "metrics".into(),
                    json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}}}]),
                );
            }
        }
        _ => return None,
    }
    out["apiVersion"] = json!("autoscaling/v2");
    Some((out, api.to_owned()))
}

const GATEWAY_BETA: &str = "gateway.networking.k8s.io/v1beta1";
const GATEWAY: &str = "gateway.networking.k8s.io/v1";

/// What the import says of a converted object.
pub(crate) fn note(label: &str, from: &str) -> String {
    if from == GATEWAY_BETA {
        format!("{label} is {from}, written as {GATEWAY} (the same schema; Gateway API deprecated v1beta1 for these kinds in v1.0)")
    } else {
        format!("{label} is {from}, written as autoscaling/v2 (the version Kubernetes serves since 1.23; v2beta2 is gone since 1.26)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_autoscalers_become_v2() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}});
        let (v2, from) = current(&v1).unwrap();
        assert_eq!(from, "autoscaling/v1");
        assert_eq!(v2["apiVersion"], "autoscaling/v2");
        assert_eq!(
            v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            60
        );
        assert!(v2["spec"].get("targetCPUUtilizationPercentage").is_none());
        let mut beta = v2.clone();
        beta["apiVersion"] = json!("autoscaling/v2beta2");
        assert_eq!(current(&beta).unwrap().0, v2);
        // The current version, and other kinds, are left as they are.
        assert!(current(&v2).is_none());
        assert!(current(&json!({"apiVersion": "v1", "kind": "Service"})).is_none());
    }

    #[test]
    fn beta_gateway_routes_become_v1() {
        let beta = json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "HTTPRoute", "metadata": {"name": "web"}, "spec": {}});
        let (v1, from) = current(&beta).unwrap();
        assert_eq!(from, "gateway.networking.k8s.io/v1beta1");
        assert_eq!(v1["apiVersion"], "gateway.networking.k8s.io/v1");
        assert_eq!(v1["spec"], beta["spec"]);
        assert!(note("HTTPRoute web", &from).contains("written as gateway.networking.k8s.io/v1"));
        // A ReferenceGrant is served as v1beta1 only: left as it is.
        let grant =
            json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant"});
        assert!(current(&grant).is_none());
    }
}
