//! `--skip-secrets`: the secret values of the input are moved out to
//! 1Password, never copied. Each becomes a field of a 1Password item named
//! after its app, read through an ExternalSecret of the environment's
//! store, which the rest of import then types as one of the app's
//! `secrets`:
//!
//! * a Secret with data becomes the ExternalSecret of the same name (its
//!   readers are unchanged), a field `<secret>-<key>` per key;
//! * a literal `env` value becomes a `secretKeyRef` to the app's Secret
//!   `<app>-secrets`, a field per variable (`DB_PASSWORD` → `db-password`);
//! * a ConfigMap entry moves to that Secret too, and every
//!   `configMapKeyRef` to it in the namespace reads the Secret instead.
//!
//! A value anywhere else (an annotation, a flag in `args`) cannot be
//! moved by a rule: it stays an error at its line, to move by hand.

use std::collections::BTreeMap;

use cfggen_model::environment::OnePassword;
use cfggen_model::secrets::{SecretField, SecretItem};
use cfggen_model::Seg;
use indexmap::IndexMap;
use serde_json::{json, Value};

use crate::read::{InputError, Object};

/// A value moved to 1Password: the reference to create, and what it
/// replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    /// `op://<vault>/<item>/<field>`.
    pub reference: String,
    /// What read the value, and where it was written.
    pub replaces: String,
}

/// The Secret of an app that takes the values moved out of its objects.
fn app_secret(app: &str) -> String {
    format!("{app}-secrets")
}

/// A Secret key (and 1Password field) for a variable: `DB_PASSWORD` →
/// `db-password`.
fn key_of(var: &str) -> String {
    let mut out = String::new();
    for c in var.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// The fields of the ExternalSecrets to make: (namespace, Secret) →
/// Secret key → (1Password field, the value, for telling two apart).
type Fields = BTreeMap<(String, String), IndexMap<String, (String, String)>>;

/// Moves every secret value of `objects` out (see the module's doc);
/// `app_of` names the app an object goes to. The objects as they are to
/// be imported, and what was moved; an error for each value no rule moves.
pub(crate) fn move_out(
    objects: Vec<Object>,
    store: Option<&OnePassword>,
    app_of: &dyn Fn(&Object) -> String,
    namespace_of: &dyn Fn(&Object) -> String,
) -> Result<(Vec<Object>, Vec<Moved>), Vec<InputError>> {
    let has_secrets = objects
        .iter()
        .any(|o| !o.secrets.is_empty() || crate::read::is_secret_with_data(o));
    if !has_secrets {
        return Ok((objects, Vec::new()));
    }
    let Some(store) = store else {
        let first = objects
            .iter()
            .find(|o| !o.secrets.is_empty() || crate::read::is_secret_with_data(o));
        let mut e = first.map_or_else(
            || InputError {
                file: String::new(),
                line: 1,
                column: 1,
                message: String::new(),
                hint: None,
            },
            |o| InputError::at(o, String::new(), ""),
        );
        e.message = "--skip-secrets moves secret values into 1Password references, and the environment declares no 1Password store".into();
        e.hint = Some("declare `onepassword:` (the vault and the ClusterSecretStore) in the environment or its base, then import again".into());
        return Err(vec![e]);
    };
    let mut fields: Fields = BTreeMap::new();
    let mut moved = Vec::new();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    // ConfigMap entries moved: (namespace, ConfigMap, key) → (Secret, key).
    let mut rewired: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
    for mut o in objects {
        let (app, ns) = (app_of(&o), namespace_of(&o));
        if crate::read::is_secret_with_data(&o) {
            out.push(secret_to_external(&o, &app, &ns, store, &mut moved));
            continue;
        }
        let outcome = move_object(&mut o, &app, &ns, store, &mut fields, &mut rewired);
        match outcome {
            Ok(m) => moved.extend(m),
            Err(e) => errors.extend(e),
        }
        out.push(o);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for o in &mut out {
        let ns = namespace_of(o);
        rewire(&mut o.value, &ns, &rewired);
    }
    let template = out.first().cloned();
    for ((ns, secret), keys) in fields {
        let app = secret
            .strip_suffix("-secrets")
            .unwrap_or(&secret)
            .to_owned();
        let data: Vec<(String, String)> =
            keys.into_iter().map(|(k, (label, _))| (k, label)).collect();
        if let Some(t) = &template {
            out.push(Object {
                value: external_secret(&secret, &ns, &app, &data, store),
                secrets: Vec::new(),
                ..t.clone()
            });
        }
    }
    Ok((out, moved))
}

/// Moves the env values and ConfigMap entries of one object out (see
/// [`move_out`]), noting the Secret keys in `fields` and the ConfigMap
/// entries in `rewired`; an error for each value no rule moves.
fn move_object(
    o: &mut Object,
    app: &str,
    ns: &str,
    store: &OnePassword,
    fields: &mut Fields,
    rewired: &mut BTreeMap<(String, String, String), (String, String)>,
) -> Result<Vec<Moved>, Vec<InputError>> {
    let (mut moved, mut errors) = (Vec::new(), Vec::new());
    let (app, ns) = (app.to_owned(), ns.to_owned());
    let found = std::mem::take(&mut o.secrets);
    let mut removed: Vec<Vec<Seg>> = Vec::new();
    for s in found {
        let segs = s.finding.path.segs().to_vec();
        let value = s.finding.value.expose().to_owned();
        let place = format!("{}:{}:{}", o.file, s.line, s.column);
        let env_var = env_entry(&o.value, &segs);
        let cm_key = match (o.kind(), segs.as_slice()) {
            ("ConfigMap", [Seg::Key(d), Seg::Key(k)]) if d == "data" => Some(k.clone()),
            _ => None,
        };
        let (var, secret_key) = match (env_var, cm_key) {
            (Some(var), _) => {
                let key = key_of(&var);
                (var, key)
            }
            (None, Some(k)) => (k.clone(), k),
            (None, None) => {
                errors.push(InputError {
                    file: o.file.clone(),
                    line: s.line,
                    column: s.column,
                    message: format!(
                        "{} — in {} field `{}`, which --skip-secrets cannot move to 1Password by a rule",
                        s.finding.describe(),
                        o.label(),
                        s.finding.field
                    ),
                    hint: Some("move the value to 1Password by hand (an env var read from a secret, `$(VAR)` in args), then import again".into()),
                });
                continue;
            }
        };
        let secret = app_secret(&app);
        let entry = fields.entry((ns.clone(), secret.clone())).or_default();
        let key = unique_key(entry, &secret_key, &value);
        let label = key.clone();
        if !entry.contains_key(&key) {
            moved.push(Moved {
                reference: reference(store, &app, &label),
                replaces: format!("{var} of {} ({place})", o.label()),
            });
        }
        entry.insert(key.clone(), (label, value));
        if segs.len() == 2 && o.kind() == "ConfigMap" {
            rewired.insert(
                (ns.clone(), o.name().to_owned(), var.clone()),
                (secret.clone(), key),
            );
            removed.push(segs);
        } else if let Some(parent) = segs.split_last().map(|(_, p)| p) {
            set(
                &mut o.value,
                parent,
                json!({"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}),
            );
        }
    }
    for segs in removed {
        if let (Some(Seg::Key(k)), Some(data)) = (
            segs.last(),
            o.value.get_mut("data").and_then(Value::as_object_mut),
        ) {
            data.shift_remove(k);
        }
    }
    if errors.is_empty() {
        Ok(moved)
    } else {
        Err(errors)
    }
}

/// A key of `entry` for `want` holding `value`: `want`, or `want-2`, … when
/// another value has it.
fn unique_key(entry: &IndexMap<String, (String, String)>, want: &str, value: &str) -> String {
    let mut key = want.to_owned();
    let mut n = 1;
    while entry.get(&key).is_some_and(|(_, v)| v != value) {
        n += 1;
        key = format!("{want}-{n}");
    }
    key
}

/// The variable of an `env` entry whose `value` is at `segs`.
fn env_entry(object: &Value, segs: &[Seg]) -> Option<String> {
    let (last, parent) = segs.split_last()?;
    let in_env =
        parent.len() >= 2 && matches!(&parent[parent.len() - 2], Seg::Key(k) if k == "env");
    if !matches!(last, Seg::Key(k) if k == "value") || !in_env {
        return None;
    }
    let entry = lookup(object, parent)?;
    entry.get("name").and_then(Value::as_str).map(str::to_owned)
}

fn lookup<'v>(v: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    segs.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn set(v: &mut Value, segs: &[Seg], new: Value) {
    let mut here = Some(v);
    for s in segs {
        here = here.and_then(|v| match s {
            Seg::Key(k) => v.get_mut(k),
            Seg::Index(i) => v.get_mut(i),
        });
    }
    if let Some(slot) = here {
        *slot = new;
    }
}

/// Every `configMapKeyRef` to a moved ConfigMap entry reads the Secret
/// that took it.
fn rewire(v: &mut Value, ns: &str, rewired: &BTreeMap<(String, String, String), (String, String)>) {
    match v {
        Value::Object(map) => {
            let target = map.get("configMapKeyRef").and_then(|r| {
                let name = r.get("name")?.as_str()?;
                let key = r.get("key")?.as_str()?;
                rewired.get(&(ns.to_owned(), name.to_owned(), key.to_owned()))
            });
            if let Some((secret, key)) = target.cloned() {
                map.shift_remove("configMapKeyRef");
                map.insert("secretKeyRef".into(), json!({"name": secret, "key": key}));
            }
            for (_, child) in map.iter_mut() {
                rewire(child, ns, rewired);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewire(i, ns, rewired)),
        _ => {}
    }
}

fn reference(store: &OnePassword, app: &str, label: &str) -> String {
    format!("op://{}/{app}/{label}", store.vault)
}

/// A Secret with data → the ExternalSecret of its name that reads each
/// key from the app's 1Password item.
fn secret_to_external(
    o: &Object,
    app: &str,
    ns: &str,
    store: &OnePassword,
    moved: &mut Vec<Moved>,
) -> Object {
    let name = o.name().to_owned();
    let mut keys: Vec<String> = Vec::new();
    for k in ["data", "stringData"] {
        if let Some(m) = o.value.get(k).and_then(Value::as_object) {
            keys.extend(m.keys().cloned());
        }
    }
    keys.dedup();
    let data: Vec<(String, String)> = keys
        .iter()
        .map(|k| (k.clone(), format!("{name}-{}", key_of(k))))
        .collect();
    for (k, label) in &data {
        moved.push(Moved {
            reference: reference(store, app, label),
            replaces: format!("key `{k}` of {} ({})", o.label(), o.place()),
        });
    }
    Object {
        value: external_secret(&name, ns, app, &data, store),
        secrets: Vec::new(),
        ..o.clone()
    }
}

/// The ExternalSecret cfggen writes for an item `app` whose Secret `name`
/// has the keys (key, 1Password field) of `data`.
fn external_secret(
    name: &str,
    ns: &str,
    app: &str,
    data: &[(String, String)],
    store: &OnePassword,
) -> Value {
    let item = SecretItem {
        item: app.to_owned(),
        id: None,
        vault: None,
        fields: IndexMap::new(),
        template: IndexMap::new(),
        object_name: None,
        labels: IndexMap::new(),
        annotations: IndexMap::new(),
        refresh_interval: None,
        kind: None,
    };
    let data: Vec<Value> = data
        .iter()
        .map(|(key, label)| {
            let (remote, property) =
                item.remote_ref(store.store.provider, label, &SecretField::default());
            let mut r = json!({"key": remote});
            if let Some(p) = property {
                r["property"] = p.into();
            }
            json!({"secretKey": key, "remoteRef": r})
        })
        .collect();
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "refreshInterval": store.refresh_interval,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store.store.name},
            "target": {"name": name, "creationPolicy": "Owner"},
            "data": data,
        },
    })
}
