//! A Namespace object in cfggen's form: an entry of the environment's
//! `namespaces`, its labels and annotations.

use serde_json::{Map, Value};

use crate::take::Why;

/// The label Kubernetes puts on every namespace, its name.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The `namespaces.<name>` entry of a Namespace object `object` named
/// `name`, or why it has none: a field other than labels and annotations.
pub(crate) fn declaration(name: &str, object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let mut labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    // What the API server writes on every namespace.
    if let Some(mut spec) = t.take("spec") {
        if let Some(finalizers) = spec.as_object_mut().and_then(|s| s.remove("finalizers")) {
            if finalizers != serde_json::json!(["kubernetes"]) {
                return Err("finalizers on a Namespace other than Kubernetes' own".into());
            }
        }
        if !crate::take::is_empty(&spec) {
            return Err("`.spec` of a Namespace has no typed form in cfggen".into());
        }
    }
    t.done()?;
    if labels.get(NAME_LABEL).and_then(Value::as_str) == Some(name) {
        labels.shift_remove(NAME_LABEL);
    }
    // cfggen's own label, of cfggen's value, goes without saying; another
    // value (`managed-by: argocd`) is the Namespace's own, and wins.
    let (key, value) = cfggen_model::names::MANAGED_BY;
    if labels.get(key).and_then(Value::as_str) == Some(value) {
        labels.shift_remove(key);
    }
    let mut out = Map::new();
    if !labels.is_empty() {
        out.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        out.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(out))
}

/// The environment file's text of one `namespaces` entry, indented under
/// `namespaces:`.
pub fn namespace_text(name: &str, declaration: &Value) -> String {
    match declaration.as_object() {
        Some(m) if !m.is_empty() => format!(
            "  {name}:\n{}",
            crate::text::indent(&cfggen_yaml::emit(declaration), 4)
        ),
        _ => format!("  {name}: {{}}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_annotations_are_kept_and_what_kubernetes_writes_is_not() {
        let object = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "media", "labels": {"kubernetes.io/metadata.name": "media", "pod-security.kubernetes.io/enforce": "baseline"}, "annotations": {"owner": "ops"}},
            "spec": {"finalizers": ["kubernetes"]}
        });
        assert_eq!(
            declaration("media", &object).unwrap(),
            json!({"labels": {"pod-security.kubernetes.io/enforce": "baseline"}, "annotations": {"owner": "ops"}})
        );
        assert_eq!(namespace_text("media", &json!({})), "  media: {}\n");
    }

    #[test]
    fn another_manager_is_kept_and_a_spec_keeps_it_raw() {
        let managed = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"app.kubernetes.io/managed-by": "argocd"}}});
        assert_eq!(
            declaration("x", &managed).unwrap(),
            json!({"labels": {"app.kubernetes.io/managed-by": "argocd"}})
        );
        let ours = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"app.kubernetes.io/managed-by": "cfggen"}}});
        assert_eq!(declaration("x", &ours).unwrap(), json!({}));
        let finalizer = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}, "spec": {"finalizers": ["example.com/keep"]}});
        assert!(declaration("x", &finalizer).is_err());
    }
}
