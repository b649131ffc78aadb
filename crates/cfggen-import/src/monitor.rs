//! A ServiceMonitor or a PodMonitor → one of the app's `serviceMonitors`
//! or `podMonitors`, built as the model's own type (whose fields are the
//! operator's).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::take::{typed, Why};

/// The entry of a `monitoring.coreos.com/v1` monitor of an app whose name
/// label is `name_label` (`T`: the model's ServiceMonitor or PodMonitor),
/// or why it stays raw.
pub(crate) fn monitor<T: DeserializeOwned>(object: &Value, name_label: &str) -> Result<T, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    crate::take::cfggen_labels(&labels, name_label, None)?;
    let mut spec = match t.take_any("spec") {
        Some(Value::Object(spec)) => spec,
        _ => return Err("no `spec`".into()),
    };
    t.done()?;
    for (key, own) in [("labels", labels), ("annotations", annotations)] {
        let own = crate::take::own_strings(own);
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
    use cfggen_model::monitor::{PodMonitor, Scheme, ServiceMonitor};
    use serde_json::json;

    #[test]
    fn a_service_monitor_keeps_its_selector_endpoints_and_labels() {
        let m: ServiceMonitor = monitor(
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
        assert_eq!(m.endpoints[0].scheme, Some(Scheme::Https));
        assert_eq!(m.target_labels, ["tier"]);
        assert_eq!(m.labels["release"], "prometheus");
        assert_eq!(m.namespace_selector.unwrap().match_names, ["web"]);
    }

    #[test]
    fn credentials_from_a_secret_keep_a_monitor_raw() {
        let why = monitor::<PodMonitor>(
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
