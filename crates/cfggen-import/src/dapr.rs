//! Dapr objects → an app's `daprComponents` and `daprConfigurations`,
//! built as the model's own types. A Component's settings become a map
//! by name: a `value`, a `secretKeyRef` (a Secret of the app's
//! namespace, through Dapr's Kubernetes store) or an `envRef`.

use cfggen_model::container::Literal;
use cfggen_model::dapr::{DaprComponent, DaprValue};
use cfggen_model::refs::SecretFieldRef;
use indexmap::IndexMap;
use serde_json::Value;

use crate::take::{Taker, Why};

/// A Component of an app whose name label is `name_label`, and the
/// Kubernetes Secrets (name, key) it reads.
pub(crate) fn component(
    object: &Value,
    name_label: &str,
) -> Result<(DaprComponent, Vec<(String, String)>), Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = crate::take::own_strings(meta.strings("labels")?, name_label);
    let annotations = crate::take::own_strings(meta.strings("annotations")?, name_label);
    meta.done()?;
    let mut spec = t.sub("spec")?;
    let secret_store = match t.take("auth") {
        Some(auth) => {
            let mut a = Taker::new(auth, "auth")?;
            let store = a.string("secretStore")?;
            a.done()?;
            store
        }
        None => None,
    };
    let scopes: Vec<String> = match t.take("scopes") {
        Some(s) => serde_json::from_value(s).map_err(|e| format!("`scopes`: {e}"))?,
        None => Vec::new(),
    };
    t.done()?;
    let kind = spec
        .string("type")?
        .ok_or("a Component without `spec.type`")?;
    let version = spec
        .string("version")?
        .ok_or("a Component without `spec.version`")?;
    let init_timeout = spec.string("initTimeout")?;
    let ignore_errors = spec.take("ignoreErrors").and_then(|v| v.as_bool());
    let kubernetes = secret_store.as_deref().is_none_or(|s| s == "kubernetes");
    let mut metadata = IndexMap::new();
    let mut reads = Vec::new();
    for (i, m) in spec.list("metadata")?.into_iter().enumerate() {
        let mut m = Taker::new(m, &format!("spec.metadata[{i}]"))?;
        let name = m.string("name")?.ok_or("a setting without a name")?;
        let value = if let Some(v) = m.take("value") {
            let lit: Literal = serde_json::from_value(v).map_err(|_| {
                format!("setting `{name}`: a value that is not text, a number or a flag")
            })?;
            DaprValue::Literal(lit)
        } else if let Some(r) = m.take("secretKeyRef") {
            let mut r = Taker::new(r, "secretKeyRef")?;
            let secret = r.string("name")?.unwrap_or_default();
            let key = r.string("key")?.unwrap_or_else(|| secret.clone());
            r.done()?;
            if kubernetes {
                reads.push((secret.clone(), key.clone()));
            }
            DaprValue::Secret {
                secret: SecretFieldRef::new(&secret, &key),
            }
        } else if let Some(env) = m.string("envRef")? {
            DaprValue::Env { env }
        } else {
            return Err(format!("setting `{name}` has no value"));
        };
        m.done()?;
        if metadata.insert(name.clone(), value).is_some() {
            return Err(format!("setting `{name}` is there twice"));
        }
    }
    spec.done()?;
    Ok((
        DaprComponent {
            kind,
            version,
            metadata,
            secret_store,
            scopes,
            init_timeout,
            ignore_errors,
            labels,
            annotations,
        },
        reads,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_state_store_keeps_its_settings_and_the_secret_it_reads() {
        let (c, reads) = component(
            &json!({"apiVersion": "dapr.io/v1alpha1", "kind": "Component",
                "metadata": {"name": "statestore"},
                "spec": {"type": "state.redis", "version": "v1", "metadata": [
                    {"name": "redisHost", "value": "redis-master:6379"},
                    {"name": "redisPassword", "secretKeyRef": {"name": "redis", "key": "redis-password"}},
                    {"name": "maxRetries", "value": 3}]},
                "auth": {"secretStore": "kubernetes"}}),
            "web",
        )
        .unwrap();
        assert_eq!(c.kind, "state.redis");
        assert_eq!(c.secret_store.as_deref(), Some("kubernetes"));
        assert_eq!(reads, [("redis".to_owned(), "redis-password".to_owned())]);
        assert!(matches!(
            c.metadata["maxRetries"],
            DaprValue::Literal(Literal::Int(3))
        ));
        // A value of another shape keeps it raw.
        let nested = json!({"apiVersion": "dapr.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "s"}, "spec": {"type": "state.redis", "version": "v1",
            "metadata": [{"name": "x", "value": {"a": 1}}]}});
        assert!(component(&nested, "web").is_err());
    }
}
