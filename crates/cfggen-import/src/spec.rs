//! A custom resource whose typed form is its spec, with its labels and
//! annotations beside the spec's fields (a ServiceMonitor or PodMonitor →
//! one of the app's `serviceMonitors` or `podMonitors`, a Certificate →
//! one of its `certificates`), built as the model's own type, whose
//! fields are the operator's.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::take::{typed, Why};

/// The entry (`T`: the model's type) of a custom resource of an app whose
/// name label is `name_label`, or why it stays raw.
pub(crate) fn typed_spec<T: DeserializeOwned>(object: &Value, name_label: &str) -> Result<T, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut spec = match t.take_any("spec") {
        Some(Value::Object(spec)) => spec,
        _ => return Err("no `spec`".into()),
    };
    t.done()?;
    for (key, own) in [("labels", labels), ("annotations", annotations)] {
        let own = crate::take::own_strings(own, name_label);
        if spec.contains_key(key) {
            return Err(format!("`{key}` (in `spec`) has no typed form in cfggen"));
        }
        if !own.is_empty() {
            let own = serde_json::to_value(own).map_err(|e| e.to_string())?;
            spec.insert(key.to_owned(), own);
        }
    }
    typed(Value::Object(spec), "spec")
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfggen_model::monitor::{PodMonitor, ServiceMonitor};
    use serde_json::json;

    #[test]
    fn a_service_monitor_keeps_its_selector_endpoints_and_labels() {
        let m: ServiceMonitor = typed_spec(
            &json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
                "metadata": {"name": "web", "labels": {"release": "prometheus"}},
                "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "namespaceSelector": {"matchNames": ["web"]},
                    "endpoints": [{"port": "metrics", "interval": "30s", "scheme": "https",
                        "tlsConfig": {"insecureSkipVerify": true}}],
                    "targetLabels": ["tier"]}}),
            "web",
        )
        .unwrap();
        assert_eq!(m.endpoints[0].port.as_deref(), Some("metrics"));
        assert_eq!(m.endpoints[0].scheme.as_deref(), Some("https"));
        assert_eq!(m.target_labels, ["tier"]);
        assert_eq!(m.labels["release"], "prometheus");
        assert_eq!(m.namespace_selector.unwrap().match_names, ["web"]);
    }

    #[test]
    fn a_certificate_keeps_its_issuer_names_and_key() {
        let c: cfggen_model::certificate::Certificate = typed_spec(
            &json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                "metadata": {"name": "web", "annotations": {"owner": "web-team"}},
                "spec": {"secretName": "web-tls", "dnsNames": ["web.example.com"],
                    "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"},
                    "privateKey": {"algorithm": "ECDSA", "size": 256}, "usages": ["server auth"],
                    "isCA": false}}),
            "web",
        )
        .unwrap();
        assert_eq!(c.secret_name, "web-tls");
        assert_eq!(c.issuer_ref.kind.as_deref(), Some("ClusterIssuer"));
        assert_eq!(c.is_ca, Some(false));
        assert_eq!(c.annotations["owner"], "web-team");
    }

    #[test]
    fn credentials_from_a_secret_keep_a_monitor_raw() {
        let why = typed_spec::<PodMonitor>(
            &json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
                "metadata": {"name": "db"},
                "spec": {"selector": {"matchLabels": {"app": "db"}},
                    "podMetricsEndpoints": [{"port": "metrics",
                        "basicAuth": {"username": {"name": "s", "key": "u"}}}]}}),
            "db",
        )
        .unwrap_err();
        assert_eq!(why, "`basicAuth` (in `spec`) has no typed form in cfggen");
    }
}
