//! An Argo CD AppProject in cfggen's form: an entry of the environment's
//! `argocd.projects`.

use serde_json::{Map, Value};

use crate::take::{Taker, Why};

/// The `argocd.projects.<name>` entry of an AppProject, or why it has
/// none: tokens Argo CD issued to a role, what cfggen does not model
/// (signature keys, destination service accounts), or a namespace other
/// than Argo CD's.
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
    // Roles, sync windows and orphaned-object monitoring in the model's
    // own types; tokens Argo CD issued (`jwtTokens`) are its state.
    let roles = spec.list("roles")?;
    if roles.iter().any(|r| r.get("jwtTokens").is_some()) {
        return Err(
            "a role's `jwtTokens`: tokens Argo CD issued are its state, not configuration".into(),
        );
    }
    typed_list::<cfggen_model::project::ProjectRole>(&mut out, "roles", roles)?;
    let windows = spec.list("syncWindows")?;
    typed_list::<cfggen_model::project::SyncWindow>(&mut out, "syncWindows", windows)?;
    if let Some(o) = spec.take("orphanedResources") {
        let typed: cfggen_model::project::OrphanedResources =
            serde_json::from_value(o).map_err(|e| format!("`.spec.orphanedResources`: {e}"))?;
        out.insert("orphanedResources".into(), to_value(&typed)?);
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

/// `items` read as the model's `T`, under `key` of `out` unless empty.
fn typed_list<T: serde::de::DeserializeOwned + serde::Serialize>(
    out: &mut Map<String, Value>,
    key: &str,
    items: Vec<Value>,
) -> Result<(), Why> {
    if items.is_empty() {
        return Ok(());
    }
    let typed: Vec<T> =
        serde_json::from_value(Value::Array(items)).map_err(|e| format!("`.spec.{key}`: {e}"))?;
    out.insert(key.into(), to_value(&typed)?);
    Ok(())
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Why> {
    serde_json::to_value(v).map_err(|e| e.to_string())
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
        roles["spec"]["roles"] = json!([{"name": "ci", "policies": ["p, proj:infra:ci, applications, sync, infra/*, allow"]}]);
        roles["spec"]["syncWindows"] = json!([{"kind": "allow", "schedule": "* * * * *", "duration": "24h", "applications": ["*"], "manualSync": false}]);
        roles["spec"]["orphanedResources"] = json!({"warn": true});
        let typed = declaration(&roles, "argocd").unwrap();
        assert_eq!(typed["roles"], roles["spec"]["roles"]);
        assert_eq!(typed["syncWindows"], roles["spec"]["syncWindows"]);
        assert_eq!(typed["orphanedResources"], json!({"warn": true}));
        // Issued tokens, and a field the model has not, keep it raw.
        let mut tokens = roles.clone();
        tokens["spec"]["roles"][0]["jwtTokens"] = json!([{"iat": 1}]);
        assert!(declaration(&tokens, "argocd").is_err());
        roles["spec"]["roles"][0]["other"] = json!(1);
        assert!(declaration(&roles, "argocd").is_err());
        assert!(declaration(&object, "gitops").is_err());
    }
}
