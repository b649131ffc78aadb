//! An ExternalSecret that reads a store other than the environment's
//! 1Password one (Bitwarden, Vault, a cloud secret manager) → one of the
//! app's `storeSecrets`, and the environment's `secretStores` entry for
//! its store, built as the model's own types.

use cfggen_model::stores::{
    OtherStore, PasswordGenerator, RemoteFind, RemoteKey, StoreKind, StoreSecret,
};
use indexmap::IndexMap;
use serde_json::Value;

use crate::take::Why;

/// What an ExternalSecret of another store (or of a generator) becomes.
pub(crate) struct Typed {
    /// The store's name, and the store as the ExternalSecret reads it
    /// (how often: the secret's own `refreshInterval`); none for
    /// generated values alone.
    pub store: Option<(String, OtherStore)>,
    /// The name of the `Password` generator it reads, if any (the
    /// secret's `password` is then still to fill in from it).
    pub generator: Option<String>,
    /// The name of the Secret it makes.
    pub name: String,
    /// The secret.
    pub secret: StoreSecret,
}

/// What `dataFrom` holds: remote secrets read whole, searches, and the
/// generator read.
#[derive(Default)]
struct DataFrom {
    extract: Vec<RemoteKey>,
    find: Vec<RemoteFind>,
    generator: Option<String>,
}

/// The ExternalSecret `name` of an app whose name label is `name_label`
/// as a Secret of another store, or why it stays raw.
pub(crate) fn store_secret(name: &str, object: &Value, name_label: &str) -> Result<Typed, Why> {
    let (mut t, meta) = crate::take::object(object)?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let store = match spec.take("secretStoreRef") {
        Some(r) => Some(store_ref(r)?),
        None => None,
    };
    let refresh_interval = spec.string("refreshInterval")?;
    let from = data_from(spec.list("dataFrom")?)?;
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
    let reads = !(data.is_empty() && from.extract.is_empty() && from.find.is_empty());
    if !reads && from.generator.is_none() {
        return Err("it reads nothing (`spec.data` and `spec.dataFrom` are empty)".into());
    }
    if reads && store.is_none() {
        return Err("it reads remote secrets and names no store".into());
    }
    if let Some(generator) = from.generator.as_ref().filter(|g| **g != own.secret) {
        return Err(format!(
            "its generator `{generator}` is not named after its Secret `{}`, as cfggen names it",
            own.secret
        ));
    }
    let keys = keys(data)?;
    spec.done()?;
    // External Secrets' default: every hour; a generated value alone,
    // once (cfggen's default without a store).
    let (store, refresh_interval) = match store {
        Some((store_name, kind)) => {
            let every = refresh_interval.unwrap_or_else(|| "1h".into());
            let read = OtherStore {
                kind,
                refresh_interval: every.clone(),
                provider: None,
            };
            (Some((store_name, read)), Some(every))
        }
        // External Secrets' default, every hour; `0` (once) is cfggen's.
        None => (
            None,
            Some(refresh_interval.unwrap_or_else(|| "1h".into())).filter(|r| r != "0"),
        ),
    };
    let secret = StoreSecret {
        store: store.as_ref().map(|(n, _)| n.clone()),
        password: None,
        refresh_interval,
        keys,
        extract: from.extract,
        find: from.find,
        merge,
        object_name: own.object_name,
        namespace: None,
        labels: own.labels,
        annotations: own.annotations,
    };
    Ok(Typed {
        store,
        generator: from.generator,
        name: own.secret,
        secret,
    })
}

/// A `secretStoreRef`: the store's name and kind.
fn store_ref(r: Value) -> Result<(String, StoreKind), Why> {
    let mut r = crate::take::Taker::new(r, "spec.secretStoreRef")?;
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
    Ok((store, kind))
}

/// A `Password` generator of External Secrets as the secret's
/// `password`, built as the model's own type, with its own labels and
/// annotations (those cfggen writes itself left out).
pub(crate) fn password(object: &Value, name_label: &str) -> Result<Generator, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = crate::take::own_strings(meta.strings("labels")?, name_label);
    let annotations = crate::take::own_strings(meta.strings("annotations")?, name_label);
    meta.done()?;
    let spec = t
        .take("spec")
        .unwrap_or_else(|| Value::Object(Default::default()));
    t.done()?;
    Ok((crate::take::typed(spec, "spec")?, labels, annotations))
}

/// A generator, its labels and its annotations.
pub(crate) type Generator = (
    PasswordGenerator,
    IndexMap<String, String>,
    IndexMap<String, String>,
);

/// The remote secrets read whole (`dataFrom[].extract`, with a key and
/// perhaps a property, and nothing else), the searches
/// (`dataFrom[].find`) and one `Password` generator
/// (`dataFrom[].sourceRef.generatorRef`), in the order cfggen writes
/// them: extracts, searches, the generator.
fn data_from(data_from: Vec<Value>) -> Result<DataFrom, Why> {
    let mut from = DataFrom::default();
    for entry in data_from {
        let mut e = crate::take::Taker::new(entry, "spec.dataFrom[]")?;
        if let Some(source) = e.take("sourceRef") {
            e.done()?;
            if from.generator.is_some() {
                return Err("two generators: cfggen's secrets read one".into());
            }
            from.generator = Some(generator(source)?);
            continue;
        }
        if from.generator.is_some() {
            return Err(
                "a `dataFrom` entry after its generator: cfggen writes the generator last".into(),
            );
        }
        if let Some(f) = e.take("find") {
            e.done()?;
            from.find
                .push(crate::take::typed::<RemoteFind>(f, "spec.dataFrom[].find")?);
            continue;
        }
        let x = e.take("extract").ok_or(
            "a `spec.dataFrom` entry other than `extract`, `find` or a generator: cfggen reads remote secrets by key or by a search",
        )?;
        e.done()?;
        if !from.find.is_empty() {
            return Err("a `dataFrom` extract after a find: cfggen writes the extracts first, and a later one wins a key both make".into());
        }
        let mut x = crate::take::Taker::new(x, "spec.dataFrom[].extract")?;
        let key = x
            .string("key")?
            .filter(|k| !k.is_empty())
            .ok_or("a `dataFrom` extract without a key")?;
        let property = x.string("property")?.filter(|p| !p.is_empty());
        x.done()?;
        from.extract.push(RemoteKey { key, property });
    }
    Ok(from)
}

/// The name of the `Password` generator a `sourceRef` reads.
fn generator(source: Value) -> Result<String, Why> {
    let mut s = crate::take::Taker::new(source, "spec.dataFrom[].sourceRef")?;
    let mut g = s.sub("generatorRef")?;
    s.done()?;
    let api = g.string("apiVersion")?;
    let kind = g.string("kind")?;
    let name = g.string("name")?.unwrap_or_default();
    g.done()?;
    if api.as_deref() != Some(GENERATORS) || kind.as_deref() != Some("Password") {
        return Err(format!(
            "a generator of kind {}: cfggen types External Secrets' `Password`",
            kind.unwrap_or_default()
        ));
    }
    Ok(name)
}

/// The API version of External Secrets' generators.
const GENERATORS: &str = "generators.external-secrets.io/v1alpha1";

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
        let Some((store, read)) = typed.store.clone() else {
            panic!("no store")
        };
        assert_eq!(store, "bitwarden-backend");
        assert_eq!(typed.name, "app");
        assert_eq!(read.kind, StoreKind::ClusterSecretStore);
        assert_eq!(read.refresh_interval, "1h");
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
                json!({"secretStoreRef": store, "dataFrom": [{"sourceRef": {"generatorRef": {"kind": "UUID", "name": "p"}}}]}),
                "generator of kind UUID",
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
        assert_eq!(
            typed.store.map(|(_, r)| r.kind),
            Some(StoreKind::SecretStore)
        );
    }

    #[test]
    fn a_password_generated_without_a_store_and_a_search_are_typed() {
        let generated = store_secret(
            "session",
            &es(json!({"refreshInterval": "0", "target": {"name": "session"},
                "dataFrom": [{"sourceRef": {"generatorRef": {
                    "apiVersion": "generators.external-secrets.io/v1alpha1", "kind": "Password", "name": "session"}}}]})),
            "web",
        )
        .unwrap();
        assert!(generated.store.is_none());
        assert_eq!(generated.generator.as_deref(), Some("session"));
        // `0`: once, cfggen's default without a store.
        assert_eq!(generated.secret.refresh_interval, None);
        // None given: External Secrets' hourly default, kept.
        let hourly = store_secret(
            "session",
            &es(json!({"target": {"name": "session"},
                "dataFrom": [{"sourceRef": {"generatorRef": {
                    "apiVersion": "generators.external-secrets.io/v1alpha1", "kind": "Password", "name": "session"}}}]})),
            "web",
        )
        .unwrap();
        assert_eq!(hourly.secret.refresh_interval.as_deref(), Some("1h"));
        // The generator is named after the Secret, as cfggen names it.
        let elsewhere = store_secret(
            "session",
            &es(json!({"target": {"name": "session"},
                "dataFrom": [{"sourceRef": {"generatorRef": {
                    "apiVersion": "generators.external-secrets.io/v1alpha1", "kind": "Password", "name": "other"}}}]})),
            "web",
        );
        assert!(elsewhere
            .err()
            .unwrap_or_default()
            .contains("not named after"));
        let found = store_secret(
            "app",
            &es(json!({"secretStoreRef": {"kind": "SecretStore", "name": "op"},
                "dataFrom": [{"extract": {"key": "login"}}, {"find": {"path": "env", "name": {"regexp": "^user$"}}}]})),
            "web",
        )
        .unwrap();
        assert_eq!(found.secret.extract.len(), 1);
        assert_eq!(found.secret.find[0].path.as_deref(), Some("env"));
        // An extract after a search would be written before it.
        let late = store_secret(
            "app",
            &es(json!({"secretStoreRef": {"name": "op"},
                "dataFrom": [{"find": {"tags": {"a": ""}}}, {"extract": {"key": "login"}}]})),
            "web",
        );
        assert!(late.err().unwrap_or_default().contains("after a find"));
    }
}
