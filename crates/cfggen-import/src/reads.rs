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
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    for list in ["containers", "initContainers"] {
        for c in spec
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                if let Some(r) = e.pointer("/valueFrom/secretKeyRef") {
                    if let Some(name) = text(r.get("name")) {
                        needs.external_secrets.push((name, text(r.get("key"))));
                    }
                }
                if let Some(r) = e.pointer("/valueFrom/configMapKeyRef") {
                    if let Some(name) = text(r.get("name")) {
                        needs.config_maps.push((name, text(r.get("key"))));
                    }
                }
            }
            for e in c
                .get("envFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = text(e.pointer("/secretRef/name")) {
                    needs.external_secrets.push((name, None));
                }
                if let Some(name) = text(e.pointer("/configMapRef/name")) {
                    needs.config_maps.push((name, None));
                }
            }
        }
    }
    for v in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = text(v.pointer("/secret/secretName")) {
            needs.external_secrets.push((name, None));
        }
        if let Some(name) = text(v.pointer("/configMap/name")) {
            needs.config_maps.push((name, None));
        }
        for source in v
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = text(source.pointer("/secret/name")) {
                needs.external_secrets.push((name, None));
            }
            if let Some(name) = text(source.pointer("/configMap/name")) {
                needs.config_maps.push((name, None));
            }
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
