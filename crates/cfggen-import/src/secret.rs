//! An ExternalSecret that reads the environment's 1Password store → one
//! of the app's `secrets`: the item, its fields by label (with the
//! Secret key each gets), the Secret's type and its templated keys.
//!
//! The remote references are read back by the rule that writes them
//! (`SecretItem::remote_ref`), so an ExternalSecret is typed only when
//! cfggen would write its every reference the same way.

use cfggen_model::environment::{OnePassword, StoreProvider};
use cfggen_model::secrets::{SecretField, SecretItem};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::take::{Taker, Why};

/// The `secrets` entry of the ExternalSecret `name` of an app whose
/// name label is `name_label`, under the name of its Secret, or why it
/// stays raw.
pub(crate) fn item(
    name: &str,
    object: &Value,
    store: Option<&OnePassword>,
    name_label: &str,
) -> Result<(String, Value), Why> {
    let (store, meta, mut spec) = spec_of(object, store)?;
    let refresh_interval = refresh(&mut spec, store)?;
    if spec.take("dataFrom").is_some() {
        return Err("`spec.dataFrom`: a cfggen secret names each field it reads".into());
    }
    let mut target_of = spec.sub("target")?;
    let own = own(name, meta, &mut target_of, name_label)?;
    let (kind, template) = target(target_of)?;
    let (title, fields) = fields(spec.list("data")?, store.store.provider)?;
    spec.done()?;
    let mut out = Map::new();
    out.insert("item".into(), title.into());
    // The model's own type, serialised as the loader reads it.
    out.insert(
        "fields".into(),
        serde_json::to_value(&fields).map_err(|e| e.to_string())?,
    );
    if !template.is_empty() {
        out.insert("template".into(), Value::Object(template));
    }
    if let Some(every) = refresh_interval {
        out.insert("refreshInterval".into(), every.into());
    }
    if let Some(kind) = kind {
        out.insert("type".into(), kind.into());
    }
    own.insert_into(&mut out);
    Ok((own.secret, Value::Object(out)))
}

/// What an app's ExternalSecret says of itself beside what it reads: the
/// name of the Secret it makes, its own name when that differs, its
/// labels (but cfggen's own) and annotations.
pub(crate) struct Own {
    pub secret: String,
    pub object_name: Option<String>,
    pub labels: IndexMap<String, String>,
    pub annotations: IndexMap<String, String>,
}

impl Own {
    /// Into a `secrets` or `storeSecrets` entry.
    pub(crate) fn insert_into(&self, entry: &mut Map<String, Value>) {
        if let Some(object) = &self.object_name {
            entry.insert("objectName".into(), object.clone().into());
        }
        for (key, map) in [("labels", &self.labels), ("annotations", &self.annotations)] {
            if !map.is_empty() {
                let map = map.iter().map(|(k, v)| (k.clone(), v.clone().into()));
                entry.insert(key.into(), Value::Object(map.collect()));
            }
        }
    }
}

/// The ExternalSecret `name`'s own part: its metadata (cfggen's labels
/// must have cfggen's values, and are left to cfggen) and its target's
/// name and creation policy.
pub(crate) fn own(
    name: &str,
    mut meta: Taker,
    target: &mut Taker,
    name_label: &str,
) -> Result<Own, Why> {
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let secret = owned_target(name, target)?;
    Ok(Own {
        object_name: (secret != name).then(|| name.to_owned()),
        secret,
        labels: crate::take::own_strings(labels, name_label),
        annotations: crate::take::own_strings(annotations, name_label),
    })
}

/// The `password` of the Postgres role `role` (an item and a field) that
/// the ExternalSecret `name` gives CloudNativePG, or why it does not: it
/// must be the ExternalSecret cfggen writes for a role's password, the
/// basic-auth Secret of the role's name and one 1Password field.
pub(crate) fn role_password(
    name: &str,
    role: &str,
    object: &Value,
    store: Option<&OnePassword>,
) -> Result<Value, Why> {
    let (store, meta, mut spec) = spec_of(object, store)?;
    meta.done()?;
    if let Some(every) = refresh(&mut spec, store)? {
        return Err(format!(
            "it refreshes every {every} and the environment's 1Password store every {}",
            store.refresh_interval
        ));
    }
    let mut target = spec.sub("target")?;
    if target.string("name")?.is_some_and(|n| n != name) {
        return Err("its Secret is not named after it".into());
    }
    if target
        .string("creationPolicy")?
        .is_some_and(|p| p != "Owner")
    {
        return Err("it does not own its Secret".into());
    }
    let mut template = target.sub("template")?;
    target.done()?;
    let kind = template.string("type")?;
    let data = template.strings("data")?;
    template.done()?;
    let expected = serde_json::json!({"username": role, "password": "{{ .password }}"});
    if kind.as_deref() != Some("kubernetes.io/basic-auth") || Value::Object(data) != expected {
        return Err("its Secret is not the basic-auth Secret of the role".into());
    }
    let (title, fields) = fields(spec.list("data")?, store.store.provider)?;
    spec.done()?;
    let mut fields = fields.into_iter();
    let (label, field) = match (fields.next(), fields.next()) {
        (Some(one), None) => one,
        _ => return Err("it reads more than the password".into()),
    };
    let key = field.key.as_deref().unwrap_or(&label);
    if key != "password" || field.section.is_some() {
        return Err("it reads the password into another key, or from a section".into());
    }
    Ok(serde_json::json!({"item": title, "field": label}))
}

/// The store, the metadata (but name and namespace) and the spec (but
/// the store) of an ExternalSecret that reads the environment's store,
/// left to take.
fn spec_of<'s>(
    object: &Value,
    store: Option<&'s OnePassword>,
) -> Result<(&'s OnePassword, Taker, Taker), Why> {
    let store = store.ok_or(
        "the environment declares no 1Password store (`onepassword:` with the vault and the ClusterSecretStore); declare it and import again to type this ExternalSecret",
    )?;
    let (mut t, meta) = crate::take::object(object)?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    store_ref(&mut spec, store)?;
    Ok((store, meta, spec))
}

/// Its refresh interval, when it is not the environment store's (External
/// Secrets' default is an hour).
fn refresh(spec: &mut Taker, store: &OnePassword) -> Result<Option<String>, Why> {
    let every = spec
        .string("refreshInterval")?
        .unwrap_or_else(|| "1h".into());
    Ok((every != store.refresh_interval).then_some(every))
}

/// The store must be the environment's ClusterSecretStore.
fn store_ref(spec: &mut Taker, store: &OnePassword) -> Result<(), Why> {
    let mut r = spec.sub("secretStoreRef")?;
    // External Secrets' default kind is a namespaced SecretStore.
    let kind = r.string("kind")?.unwrap_or_else(|| "SecretStore".into());
    let name = r.string("name")?.unwrap_or_default();
    r.done()?;
    if kind != "ClusterSecretStore" || name != store.store.name {
        return Err(format!(
            "it reads {kind} `{name}`, and the environment's 1Password store is ClusterSecretStore `{}`",
            store.store.name
        ));
    }
    Ok(())
}

/// The name of the Secret the ExternalSecret `name` makes (its own when
/// the target names none), which it must own, as cfggen's do.
fn owned_target(name: &str, target: &mut Taker) -> Result<String, Why> {
    let secret = target.string("name")?.unwrap_or_else(|| name.to_owned());
    if let Some(policy) = target.string("creationPolicy")?.filter(|p| p != "Owner") {
        return Err(format!(
            "creationPolicy {policy}: cfggen's ExternalSecrets own the Secret they make"
        ));
    }
    Ok(secret)
}

/// The target Secret (its name and owner already taken): its type
/// (`type` of a `secrets` entry) and templated keys.
fn target(mut target: Taker) -> Result<(Option<&'static str>, Map<String, Value>), Why> {
    let mut template = target.sub("template")?;
    target.done()?;
    let kind = template.string("type")?;
    let merge = template.string("mergePolicy")?;
    let data = template.strings("data")?;
    // v2, External Secrets' only template engine, is its default.
    if let Some(engine) = template.string("engineVersion")?.filter(|e| e != "v2") {
        return Err(format!(
            "template engine {engine}: cfggen's templates are v2"
        ));
    }
    template.done()?;
    let kind = match kind.as_deref() {
        None => None,
        Some("Opaque") if !data.is_empty() => None,
        Some("Opaque") => {
            return Err("a template that only sets the type Opaque: cfggen writes a template only for another type or templated keys".into())
        }
        Some("kubernetes.io/dockerconfigjson") => Some("dockerconfigjson"),
        Some("kubernetes.io/tls") => Some("tls"),
        Some("kubernetes.io/basic-auth") => Some("basic-auth"),
        Some(other) => {
            return Err(format!(
                "a Secret of type {other}: cfggen's secrets are Opaque, dockerconfigjson, tls or basic-auth"
            ))
        }
    };
    if !data.is_empty() && merge.as_deref() != Some("Merge") {
        return Err(
            "a template that replaces the fields' keys: cfggen's templates add keys to them (mergePolicy Merge)"
                .into(),
        );
    }
    if data.is_empty() && merge.is_some() {
        return Err("a mergePolicy with no templated keys".into());
    }
    Ok((kind, data))
}

/// One entry of an ExternalSecret's `spec.data`: the Secret's key, and
/// the remote key and property it is read from.
pub(crate) fn data_entry(entry: Value) -> Result<(String, String, Option<String>), Why> {
    let mut e = Taker::new(entry, "spec.data[]")?;
    let secret_key = e
        .string("secretKey")?
        .ok_or("a `spec.data` entry without `secretKey`")?;
    let mut r = e.sub("remoteRef")?;
    let key = r
        .string("key")?
        .ok_or("a `spec.data` entry without `remoteRef.key`")?;
    let property = r.string("property")?;
    r.done()?;
    e.done()?;
    Ok((secret_key, key, property))
}

/// The item's title and its fields by label, read from `spec.data`.
fn fields(
    data: Vec<Value>,
    provider: StoreProvider,
) -> Result<(String, IndexMap<String, SecretField>), Why> {
    if data.is_empty() {
        return Err("it reads no field by name (`spec.data` is empty)".into());
    }
    let mut title: Option<String> = None;
    let mut read = Vec::new();
    let mut fields: IndexMap<String, SecretField> = IndexMap::new();
    for entry in data {
        let (secret_key, key, property) = data_entry(entry)?;
        let (item, section, label) = split(provider, &key, property.as_deref())?;
        // The first item is the secret's; a field of another says so.
        let own = title.get_or_insert_with(|| item.clone());
        let other = (*own != item).then_some(item);
        if fields.contains_key(&label) {
            return Err(format!(
                "it reads the field `{label}` twice (of one item or of two): a cfggen secret's fields are by label"
            ));
        }
        let field = SecretField {
            item: other,
            section,
            key: (secret_key != label).then_some(secret_key),
        };
        fields.insert(label.clone(), field);
        read.push((label, key, property));
    }
    let title = title.unwrap_or_default();
    // Read back by the rule that writes them: typed only when cfggen
    // writes every reference as the input does.
    let it = SecretItem {
        item: title.clone(),
        id: None,
        vault: None,
        fields: fields.clone(),
        template: IndexMap::new(),
        object_name: None,
        labels: IndexMap::new(),
        annotations: IndexMap::new(),
        refresh_interval: None,
        kind: None,
    };
    for (label, key, property) in read {
        let field = fields.get(&label).cloned().unwrap_or_default();
        if it.remote_ref(provider, &label, &field) != (key.clone(), property) {
            return Err(format!(
                "its reference `{key}` is not one cfggen writes for its 1Password store"
            ));
        }
    }
    Ok((title, fields))
}

/// A remote reference → (item, section, field label), in the form the
/// store's provider takes.
fn split(
    provider: StoreProvider,
    key: &str,
    property: Option<&str>,
) -> Result<(String, Option<String>, String), Why> {
    match (provider, property) {
        (StoreProvider::Connect, Some(label)) => Ok((key.to_owned(), None, label.to_owned())),
        (StoreProvider::Connect, None) => Err(format!(
            "its reference `{key}` names no field (`property`): cfggen names each field"
        )),
        (StoreProvider::Sdk, Some(_)) => Err(format!(
            "its reference `{key}` has a `property`, which the 1Password SDK store does not take"
        )),
        (StoreProvider::Sdk, None) => match key.split('/').collect::<Vec<_>>().as_slice() {
            [item, label] => Ok(((*item).to_owned(), None, (*label).to_owned())),
            [item, section, label] => Ok((
                (*item).to_owned(),
                Some((*section).to_owned()),
                (*label).to_owned(),
            )),
            _ => Err(format!(
                "its reference `{key}` is not `item/field` or `item/section/field`"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfggen_model::environment::SecretStore;
    use serde_json::json;

    fn store(provider: StoreProvider) -> OnePassword {
        OnePassword {
            vault: "home".into(),
            store: SecretStore {
                name: "onepassword".into(),
                provider,
            },
            refresh_interval: "1h".into(),
        }
    }

    fn es(spec: Value) -> Value {
        json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": {"name": "token"}, "spec": spec})
    }

    #[test]
    fn a_connect_reference_becomes_an_item_with_its_fields() {
        let object = es(json!({
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
            "target": {"name": "token", "creationPolicy": "Owner"},
            "data": [
                {"secretKey": "github_token", "remoteRef": {"key": "GitHub Token", "property": "password"}},
                {"secretKey": "user", "remoteRef": {"key": "GitHub Token", "property": "user"}}
            ]
        }));
        let (secret, typed) = item(
            "token",
            &object,
            Some(&store(StoreProvider::Connect)),
            "web",
        )
        .unwrap();
        assert_eq!(secret, "token");
        assert_eq!(
            typed,
            json!({"item": "GitHub Token", "fields": {"password": {"key": "github_token"}, "user": {}}})
        );
    }

    #[test]
    fn fields_of_several_items_name_their_item() {
        for (provider, one, two) in [
            (
                StoreProvider::Connect,
                json!({"key": "Mosquitto - z2m", "property": "username"}),
                json!({"key": "Zigbee2MQTT", "property": "PAN_ID"}),
            ),
            (
                StoreProvider::Sdk,
                json!({"key": "Mosquitto/username"}),
                json!({"key": "Zigbee2MQTT/PAN_ID"}),
            ),
        ] {
            let object = es(json!({
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
                "data": [{"secretKey": "MQTT_USER", "remoteRef": one}, {"secretKey": "PAN", "remoteRef": two}]
            }));
            let (_, typed) = item("token", &object, Some(&store(provider)), "web").unwrap();
            assert_eq!(
                typed["fields"]["PAN_ID"],
                json!({"item": "Zigbee2MQTT", "key": "PAN"}),
                "{typed}"
            );
            assert!(typed["fields"]["username"].get("item").is_none(), "{typed}");
        }
    }

    #[test]
    fn an_sdk_reference_keeps_its_section_and_template() {
        let object = es(json!({
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
            "target": {"template": {"type": "Opaque", "mergePolicy": "Merge",
                "data": {"url": "postgres://app:{{ .pw }}@db/app"}}},
            "data": [{"secretKey": "pw", "remoteRef": {"key": "Db/admin/password"}}]
        }));
        let (_, typed) = item("token", &object, Some(&store(StoreProvider::Sdk)), "web").unwrap();
        assert_eq!(
            typed,
            json!({"item": "Db", "fields": {"password": {"section": "admin", "key": "pw"}},
                "template": {"url": "postgres://app:{{ .pw }}@db/app"}})
        );
    }

    #[test]
    fn a_refresh_of_its_own_is_kept_on_the_secret() {
        let connect = store(StoreProvider::Connect);
        let spec = json!({
            "refreshInterval": "12h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
            "data": [{"secretKey": "token", "remoteRef": {"key": "CurseForge - API (k8s)", "property": "token"}}]
        });
        let (_, typed) = item("token", &es(spec.clone()), Some(&connect), "web")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(typed["refreshInterval"], "12h");
        assert_eq!(typed["item"], "CurseForge - API (k8s)");
        // The store's own interval (an hour here) is not repeated.
        let mut hourly = spec;
        hourly["refreshInterval"] = json!("1h");
        let (_, typed) =
            item("token", &es(hourly), Some(&connect), "web").unwrap_or_else(|e| panic!("{e}"));
        assert!(typed.get("refreshInterval").is_none(), "{typed}");
    }

    #[test]
    fn what_cfggen_would_write_otherwise_stays_raw_with_the_reason() {
        let connect = store(StoreProvider::Connect);
        let base = json!({
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "onepassword"},
            "data": [{"secretKey": "a", "remoteRef": {"key": "Item", "property": "a"}}]
        });
        let with = |patch: Value| {
            let mut spec = base.clone();
            for (k, v) in patch.as_object().cloned().unwrap_or_default() {
                spec[k] = v;
            }
            item("token", &es(spec), Some(&connect), "web").unwrap_err()
        };
        assert_eq!(
            item("token", &es(base.clone()), None, "web").unwrap_err(),
            "the environment declares no 1Password store (`onepassword:` with the vault and the ClusterSecretStore); declare it and import again to type this ExternalSecret"
        );
        assert_eq!(
            with(json!({"secretStoreRef": {"name": "onepassword"}})),
            "it reads SecretStore `onepassword`, and the environment's 1Password store is ClusterSecretStore `onepassword`"
        );
        assert_eq!(
            with(json!({"dataFrom": [{"extract": {"key": "Item"}}]})),
            "`spec.dataFrom`: a cfggen secret names each field it reads"
        );
        assert_eq!(
            with(json!({"data": [
                {"secretKey": "a", "remoteRef": {"key": "One", "property": "a"}},
                {"secretKey": "b", "remoteRef": {"key": "Two", "property": "a"}}]})),
            "it reads the field `a` twice (of one item or of two): a cfggen secret's fields are by label"
        );
        assert_eq!(
            with(json!({"data": [{"secretKey": "a", "remoteRef": {"key": "One"}}]})),
            "its reference `One` names no field (`property`): cfggen names each field"
        );
        assert_eq!(
            with(json!({"target": {"template": {"data": {"x": "{{ .a }}"}}}})),
            "a template that replaces the fields' keys: cfggen's templates add keys to them (mergePolicy Merge)"
        );
        assert_eq!(
            with(
                json!({"data": [{"secretKey": "a", "remoteRef": {"key": "Item", "property": "a", "version": "2"}}]})
            ),
            "`spec.data[].remoteRef.version` has no typed form in cfggen"
        );
    }
}
