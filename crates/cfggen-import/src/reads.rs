//! What the pods of an object kept raw read: the Secrets and ConfigMaps
//! their containers and volumes name, so that those the input does not
//! hold are declared as made elsewhere, as for a typed workload.

use serde_json::Value;

use crate::workload::Needs;

/// The Secrets and ConfigMaps the pods of `object` read, if it makes pods.
pub(crate) fn of(object: &Value) -> Needs {
    let mut needs = Needs::default();
    let Some(spec) = cfggen_model::app::RawPods::template_of(object).and_then(|t| t.get("spec"))
    else {
        return needs;
    };
    // Each place a Secret or a ConfigMap is named, and its key's.
    let mut read = |secret: Option<&Value>, config_map: Option<&Value>, key: Option<&Value>| {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        if let Some(name) = text(secret) {
            needs.external_secrets.push((name, text(key)));
        }
        if let Some(name) = text(config_map) {
            needs.config_maps.push((name, text(key)));
        }
    };
    let list = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for c in list(spec, "containers")
        .iter()
        .chain(&list(spec, "initContainers"))
    {
        for e in list(c, "env") {
            let (s, m) = (
                e.pointer("/valueFrom/secretKeyRef"),
                e.pointer("/valueFrom/configMapKeyRef"),
            );
            read(
                s.and_then(|r| r.get("name")),
                None,
                s.and_then(|r| r.get("key")),
            );
            read(
                None,
                m.and_then(|r| r.get("name")),
                m.and_then(|r| r.get("key")),
            );
        }
        for e in list(c, "envFrom") {
            read(
                e.pointer("/secretRef/name"),
                e.pointer("/configMapRef/name"),
                None,
            );
        }
    }
    for v in list(spec, "volumes") {
        read(
            v.pointer("/secret/secretName"),
            v.pointer("/configMap/name"),
            None,
        );
        if let Some(claim) = v
            .pointer("/persistentVolumeClaim/claimName")
            .and_then(Value::as_str)
        {
            needs.claims.push(claim.to_owned());
        }
        for source in v
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            read(
                source.pointer("/secret/name"),
                source.pointer("/configMap/name"),
                None,
            );
        }
    }
    needs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_secrets_and_config_maps_a_raw_pod_reads() {
        let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {
            "containers": [{"name": "a",
                "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                        {"name": "Y", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "y"}}}],
                "envFrom": [{"configMapRef": {"name": "settings"}}]}],
            "volumes": [{"name": "v", "configMap": {"name": "files"}},
                        {"name": "p", "projected": {"sources": [{"secret": {"name": "tls"}}]}}]}}}});
        let needs = super::of(&deployment);
        assert_eq!(
            needs.external_secrets,
            vec![
                ("s".to_owned(), Some("k".to_owned())),
                ("tls".to_owned(), None)
            ]
        );
        assert_eq!(
            needs.config_maps,
            vec![
                ("c".to_owned(), Some("y".to_owned())),
                ("settings".to_owned(), None),
                ("files".to_owned(), None)
            ]
        );
        assert!(super::of(&json!({"kind": "Service"}))
            .config_maps
            .is_empty());
    }
}
