//! A NetworkPolicy → one of the app's `networkPolicies`, built as the
//! model's own type. An empty pod selector (`{}`: every pod of the
//! namespace) and an empty rule (`{}`: from anywhere) mean something, so
//! they are kept as written.

use cfggen_model::network::{NetworkPolicy, PolicyType};
use serde_json::Value;

use crate::take::Why;

/// The `networkPolicies` entry of a NetworkPolicy of an app whose name
/// label is `name_label`, or why it stays raw.
pub(crate) fn policy(object: &Value, name_label: &str) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut spec = crate::take::Taker::new(t.take_any("spec").unwrap_or(Value::Null), "spec")?;
    t.done()?;
    let pod_selector = spec
        .take_any("podSelector")
        .filter(|v| !v.is_null())
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("`spec.podSelector`: {e}"))?
        .unwrap_or_default();
    let policy_types = spec
        .list("policyTypes")?
        .into_iter()
        .map(|t| match t.as_str() {
            Some("Ingress") => Ok(PolicyType::Ingress),
            Some("Egress") => Ok(PolicyType::Egress),
            _ => Err(format!("policy type {t}")),
        })
        .collect::<Result<Vec<_>, Why>>()?;
    let ingress = rules(spec.take_any("ingress"), "ingress")?;
    let egress = rules(spec.take_any("egress"), "egress")?;
    spec.done()?;
    let policy = NetworkPolicy {
        pod_selector,
        policy_types,
        ingress,
        egress,
        labels: crate::take::own_strings(labels, name_label),
        annotations: crate::take::own_strings(annotations, name_label),
    };
    serde_json::to_value(policy).map_err(|e| e.to_string())
}

/// A list of rules, as the Kubernetes type; none when absent.
fn rules<T: serde::de::DeserializeOwned>(v: Option<Value>, field: &str) -> Result<Vec<T>, Why> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("`spec.{field}`: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_policy_keeps_its_empty_selector_and_rules() {
        let p = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "labels": {"app.kubernetes.io/name": "web", "tier": "edge"}},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": [{}],
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "proxy"}}}],
                    "ports": [{"port": 8080, "protocol": "TCP"}]}]}});
        let typed = policy(&p, "web").unwrap();
        assert_eq!(typed["podSelector"], json!({}));
        assert_eq!(typed["egress"], json!([{}]));
        assert_eq!(typed["ingress"][0]["ports"][0]["port"], 8080);
        assert_eq!(typed["labels"], json!({"tier": "edge"}));
    }

    #[test]
    fn a_label_cfggen_sets_otherwise_is_kept_and_wins() {
        let p = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "labels": {"app.kubernetes.io/name": "other",
                "app.kubernetes.io/managed-by": "cfggen"}},
            "spec": {"podSelector": {}}});
        let typed = policy(&p, "web").unwrap();
        assert_eq!(typed["labels"], json!({"app.kubernetes.io/name": "other"}));
    }
}
