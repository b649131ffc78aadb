//! An Argo CD AppProject in cfggen's form: an entry of the environment's
//! `argocd.projects`.

use serde_json::{Map, Value};

use crate::take::{Taker, Why};

/// The `argocd.projects.<name>` entry of an AppProject, or why it has
/// none: roles, sync windows and the rest of what cfggen does not model,
/// or a namespace other than Argo CD's.
pub(crate) fn declaration(object: &Value, argocd_namespace: &str) -> Result<Value, Why> {
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str);
    if namespace.is_some_and(|ns| ns != argocd_namespace) {
        return Err(format!(
            "an AppProject outside Argo CD's namespace `{argocd_namespace}`"
        ));
    }
    let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
    let mut out = Map::new();
    if let Some(d) = spec.string("description")? {
        out.insert("description".into(), d.into());
    }
    for key in ["sourceRepos", "sourceNamespaces"] {
        let items = spec.list(key)?;
        if !items.iter().all(Value::is_string) {
            return Err(format!("`.spec.{key}` is not a list of strings"));
        }
        if !items.is_empty() {
            out.insert(key.into(), Value::Array(items));
        }
    }
    let destinations = spec
        .list("destinations")?
        .into_iter()
        .map(|d| only(d, ".spec.destinations[]", &["server", "name", "namespace"]))
        .collect::<Result<Vec<_>, _>>()?;
    out.insert("destinations".into(), Value::Array(destinations));
    for key in [
        "clusterResourceWhitelist",
        "namespaceResourceWhitelist",
        "namespaceResourceBlacklist",
    ] {
        let kinds = spec
            .list(key)?
            .into_iter()
            .map(|g| {
                let g = only(g, &format!(".spec.{key}[]"), &["group", "kind"])?;
                // `group: ''`, the core group, is written out.
                let mut g = g.as_object().cloned().unwrap_or_default();
                g.entry("group").or_insert_with(|| "".into());
                Ok(Value::Object(g))
            })
            .collect::<Result<Vec<_>, Why>>()?;
        if !kinds.is_empty() {
            out.insert(key.into(), Value::Array(kinds));
        }
    }
    spec.done()?;
    if !out.contains_key("sourceRepos") {
        return Err("an AppProject without `sourceRepos`".into());
    }
    for (field, map) in [("labels", labels), ("annotations", annotations)] {
        if !map.is_empty() {
            out.insert(field.into(), Value::Object(map));
        }
    }
    Ok(Value::Object(out))
}

/// A mapping of the strings `keys` only.
fn only(value: Value, path: &str, keys: &[&str]) -> Result<Value, Why> {
    let mut t = Taker::new(value, path)?;
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = t.string(key)? {
            out.insert((*key).into(), v.into());
        }
    }
    t.done()?;
    Ok(Value::Object(out))
}

/// The environment file's text of one `argocd.projects` entry, written at
/// an indent of two spaces.
pub fn project_text(name: &str, declaration: &Value) -> String {
    format!(
        "  {name}:\n{}",
        crate::text::indent(&cfggen_yaml::emit(declaration), 4)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repos_destinations_and_kinds_are_kept_and_roles_keep_it_raw() {
        let object = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": {"name": "infra", "namespace": "argocd"},
            "spec": {
                "sourceRepos": ["https://github.com/example/homelab"],
                "destinations": [{"namespace": "*", "server": "*"}],
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]
            }
        });
        assert_eq!(
            declaration(&object, "argocd").unwrap(),
            json!({
                "sourceRepos": ["https://github.com/example/homelab"],
                "destinations": [{"server": "*", "namespace": "*"}],
                "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]
            })
        );
        let mut roles = object.clone();
        roles["spec"]["roles"] = json!([{"name": "ci"}]);
        assert!(declaration(&roles, "argocd").is_err());
        assert!(declaration(&object, "gitops").is_err());
    }
}
