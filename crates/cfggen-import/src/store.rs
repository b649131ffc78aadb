//! An ExternalSecret that reads a store other than the environment's
//! 1Password one (Bitwarden, Vault, a cloud secret manager) → one of the
//! app's `storeSecrets`, and the environment's `secretStores` entry for
//! its store, built as the model's own types.

use cfggen_model::stores::{OtherStore, RemoteKey, StoreKind, StoreSecret};
use indexmap::IndexMap;
use serde_json::Value;

use crate::take::Why;

/// What an ExternalSecret of another store becomes.
pub(crate) struct Typed {
    /// The store's name.
    pub store: String,
    /// The store as the ExternalSecret reads it.
    pub read: OtherStore,
    /// The name of the Secret it makes.
    pub name: String,
    /// The secret.
    pub secret: StoreSecret,
}

/// The ExternalSecret `name` of an app whose name label is `name_label`
/// as a Secret of another store, or why it stays raw.
pub(crate) fn store_secret(name: &str, object: &Value, name_label: &str) -> Result<Typed, Why> {
    let (mut t, meta) = crate::take::object(object)?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let mut r = spec.sub("secretStoreRef")?;
    // External Secrets' default kind is a namespaced SecretStore.
    let kind = match r.string("kind")?.as_deref() {
        None | Some("SecretStore") => StoreKind::SecretStore,
        Some("ClusterSecretStore") => StoreKind::ClusterSecretStore,
        Some(other) => return Err(format!("a store of kind {other}")),
    };
    let store = r
        .string("name")?
        .filter(|n| cfggen_model::names::is_dns1123_subdomain(n))
        .ok_or("its store has no name cfggen can declare")?;
    r.done()?;
    let refresh_interval = spec
        .string("refreshInterval")?
        .unwrap_or_else(|| "1h".into());
    let extract = extract(spec.list("dataFrom")?)?;
    let mut target = spec.sub("target")?;
    // Keys merged into a Secret made elsewhere, or a Secret of its own.
    let merge = match target.string("creationPolicy")?.as_deref() {
        None | Some("Owner") => false,
        Some("Merge") => true,
        Some(other) => {
            return Err(format!(
            "creationPolicy {other}: cfggen's ExternalSecrets own their Secret or merge into one"
        ))
        }
    };
    let own = crate::secret::own(name, meta, &mut target, name_label)?;
    target.done()?;
    let data = spec.list("data")?;
    if data.is_empty() && extract.is_empty() {
        return Err("it reads nothing (`spec.data` and `spec.dataFrom` are empty)".into());
    }
    let keys = keys(data)?;
    spec.done()?;
    let read = OtherStore {
        kind,
        refresh_interval,
        provider: None,
    };
    let secret = StoreSecret {
        store: store.clone(),
        keys,
        extract,
        merge,
        object_name: own.object_name,
        labels: own.labels,
        annotations: own.annotations,
    };
    Ok(Typed {
        store,
        read,
        name: own.secret,
        secret,
    })
}

/// The remote secrets read whole (`dataFrom[].extract`, with a key and
/// perhaps a property, and nothing else).
fn extract(data_from: Vec<Value>) -> Result<Vec<RemoteKey>, Why> {
    data_from
        .into_iter()
        .map(|entry| {
            let mut e = crate::take::Taker::new(entry, "spec.dataFrom[]")?;
            let x = e.take("extract").ok_or(
                "a `spec.dataFrom` entry other than `extract` (a `find` or a generator): cfggen reads remote secrets whole by key",
            )?;
            e.done()?;
            let mut x = crate::take::Taker::new(x, "spec.dataFrom[].extract")?;
            let key = x
                .string("key")?
                .filter(|k| !k.is_empty())
                .ok_or("a `dataFrom` extract without a key")?;
            let property = x.string("property")?.filter(|p| !p.is_empty());
            x.done()?;
            Ok(RemoteKey { key, property })
        })
        .collect()
}

/// The Secret's keys, each from one remote key (and property).
fn keys(data: Vec<Value>) -> Result<IndexMap<String, RemoteKey>, Why> {
    let mut keys = IndexMap::new();
    for entry in data {
        let (secret_key, key, property) = crate::secret::data_entry(entry)?;
        if key.is_empty() {
            return Err("a `spec.data` entry without `remoteRef.key`".into());
        }
        let property = property.filter(|p| !p.is_empty());
        if keys
            .insert(secret_key.clone(), RemoteKey { key, property })
            .is_some()
        {
            return Err(format!("it makes the key `{secret_key}` twice"));
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn es(spec: Value) -> Value {
        json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
               "metadata": {"name": "app", "namespace": "web"}, "spec": spec})
    }

    #[test]
    fn a_bitwarden_secret_becomes_its_keys_and_its_store() {
        let typed = store_secret(
            "app",
            &es(json!({"refreshInterval": "1h",
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": "bitwarden-backend"},
                "target": {"name": "app", "creationPolicy": "Owner"},
                "data": [{"secretKey": "password", "remoteRef": {"key": "app-db-password"}},
                         {"secretKey": "user", "remoteRef": {"key": "/app/db", "property": "user"}}]})),
            "web",
        )
        .unwrap();
        assert_eq!(typed.store, "bitwarden-backend");
        assert_eq!(typed.name, "app");
        assert_eq!(typed.read.kind, StoreKind::ClusterSecretStore);
        assert_eq!(typed.read.refresh_interval, "1h");
        let secret = typed.secret;
        assert_eq!(secret.keys["password"].key, "app-db-password");
        assert_eq!(secret.keys["user"].property.as_deref(), Some("user"));
        assert_eq!(secret.object_name, None);
    }

    #[test]
    fn a_secret_named_apart_from_its_external_secret_keeps_both_names_and_its_labels() {
        let mut object = es(json!({
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "bitwarden-backend"},
            "target": {"name": "minio-credentials"},
            "data": [{"secretKey": "AWS_ACCESS_KEY_ID", "remoteRef": {"key": "minio-access-key"}}]}));
        object["metadata"]["labels"] = json!({"app.kubernetes.io/name": "web", "backup": "daily"});
        let typed = store_secret("minio-backup-secret", &object, "web").unwrap();
        assert_eq!(typed.name, "minio-credentials");
        assert_eq!(
            typed.secret.object_name.as_deref(),
            Some("minio-backup-secret")
        );
        assert_eq!(
            typed.secret.labels.get("backup").map(String::as_str),
            Some("daily")
        );
        assert!(!typed.secret.labels.contains_key("app.kubernetes.io/name"));
        // A label cfggen sets, with another value, is kept: it wins.
        object["metadata"]["labels"] = json!({"app.kubernetes.io/managed-by": "kustomize"});
        let typed = store_secret("minio-backup-secret", &object, "web").unwrap();
        assert_eq!(
            typed.secret.labels["app.kubernetes.io/managed-by"],
            "kustomize"
        );
    }

    #[test]
    fn a_remote_secret_read_whole_is_extracted() {
        let typed = store_secret(
            "kafka",
            &es(
                json!({"secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault-backend"},
                "target": {"name": "kafka", "creationPolicy": "Owner"},
                "dataFrom": [{"extract": {"key": "/kafka/cart-service"}}]}),
            ),
            "web",
        )
        .unwrap();
        assert!(typed.secret.keys.is_empty());
        assert_eq!(typed.secret.extract[0].key, "/kafka/cart-service");
        assert!(typed.secret.known_keys().is_none());
        // Keys merged into Argo CD's own Secret.
        let merged = store_secret(
            "argocd-secret",
            &es(json!({"secretStoreRef": {"kind": "ClusterSecretStore", "name": "bitwarden-backend"},
                "target": {"name": "argocd-secret", "creationPolicy": "Merge"},
                "data": [{"secretKey": "dex.clientSecret", "remoteRef": {"key": "argocd-client-secret"}}]})),
            "web",
        )
        .unwrap();
        assert!(merged.secret.merge);
        assert!(merged.secret.known_keys().is_none());
    }

    #[test]
    fn what_cfggen_would_write_otherwise_stays_raw_with_the_reason() {
        let store = json!({"name": "vault"});
        let data = json!([{"secretKey": "a", "remoteRef": {"key": "k"}}]);
        let cases = [
            (
                json!({"secretStoreRef": store, "dataFrom": [{"find": {"name": {"regexp": "k"}}}]}),
                "dataFrom",
            ),
            (
                json!({"secretStoreRef": store, "target": {"creationPolicy": "Orphan"}, "data": data}),
                "creationPolicy Orphan",
            ),
            (
                json!({"secretStoreRef": store, "target": {"template": {"type": "Opaque"}}, "data": data}),
                "template",
            ),
            (
                json!({"secretStoreRef": store, "data": [{"secretKey": "a", "remoteRef": {"key": "k", "decodingStrategy": "Base64"}}]}),
                "decodingStrategy",
            ),
            (
                json!({"secretStoreRef": store, "data": []}),
                "reads nothing",
            ),
        ];
        for (spec, why) in cases {
            let err = store_secret("app", &es(spec), "web")
                .err()
                .unwrap_or_default();
            assert!(err.contains(why), "{why}: {err}");
        }
        // No kind: External Secrets' default, a SecretStore.
        let typed = store_secret(
            "app",
            &es(json!({"secretStoreRef": store, "data": data})),
            "web",
        )
        .unwrap();
        assert_eq!(typed.read.kind, StoreKind::SecretStore);
    }
}
