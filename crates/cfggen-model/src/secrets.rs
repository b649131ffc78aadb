//! Secrets held in 1Password: items, their fields, and the rules of
//! 1Password secret references (`op://vault/item/[section/]field`).
//!
//! Config never holds a secret value, only where it lives.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::environment::StoreProvider;
use crate::names;

/// A 1Password item an app reads, delivered as one Kubernetes Secret
/// (named by the item's key in `secrets`) through an ExternalSecret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretItem {
    /// The item's title in 1Password.
    #[schemars(extend("examples" = ["Authentik (blumeops)"]))]
    pub item: String,
    /// The item's 26-character ID, for a title with characters a secret
    /// reference cannot carry (anything but letters, digits, `-`, `_`, `.`
    /// and spaces): the `onepasswordSDK` store needs it; the Connect store
    /// reads any title, and without an ID the inventory names the item by
    /// title instead of an `op://` reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::OP_ID))]
    pub id: Option<String>,
    /// The vault; the environment's vault when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::OP_NAME))]
    pub vault: Option<String>,
    /// The fields the app needs, by their label in 1Password.
    #[schemars(extend("propertyNames" = {"pattern": names::OP_NAME}))]
    pub fields: IndexMap<String, SecretField>,
    /// More keys of the Secret, composed from the fields with templates:
    /// `{{ .<key> }}` is the value of the field whose Secret key is
    /// `<key>` (`{{ index . "<key>" }}` for a key with `-` or `.`);
    /// `| urlquery`, `| b64enc` and the other External Secrets template
    /// functions apply. The fields' own keys stay in the Secret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DATA_KEY}), extend("examples" = [{"DATABASE_URL": "postgresql://app:{{ .password | urlquery }}@db:5432/app"}]))]
    pub template: IndexMap<String, String>,
    /// The ExternalSecret's name, when it is not the Secret's (to keep the
    /// name of one that already runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["minio-backup-secret"]))]
    pub object_name: Option<String>,
    /// Labels of the ExternalSecret, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the ExternalSecret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// How often External Secrets reads the item again; the environment
    /// store's `refreshInterval` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION), extend("examples" = ["12h"]))]
    pub refresh_interval: Option<String>,
    /// The type of the Kubernetes Secret; `Opaque` when absent.
    /// `dockerconfigjson` holds registry credentials for `imagePullSecrets`:
    /// one field whose `key` is `.dockerconfigjson`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<SecretType>,
}

/// One field of a 1Password item, named directly (for what belongs to no
/// app, such as a standalone database role).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OnePasswordField {
    /// The item's title.
    pub item: String,
    /// The item's 26-character ID, when the title cannot be carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::OP_ID))]
    pub id: Option<String>,
    /// The vault; the environment's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::OP_NAME))]
    pub vault: Option<String>,
    /// The field's label.
    #[schemars(regex(pattern = names::OP_NAME))]
    pub field: String,
}

impl OnePasswordField {
    /// The field as a one-field item, for the rules and references items
    /// follow.
    pub fn as_item(&self) -> SecretItem {
        let mut fields = IndexMap::new();
        fields.insert(self.field.clone(), SecretField::default());
        SecretItem {
            item: self.item.clone(),
            id: self.id.clone(),
            vault: self.vault.clone(),
            fields,
            template: IndexMap::new(),
            object_name: None,
            labels: IndexMap::new(),
            annotations: IndexMap::new(),
            refresh_interval: None,
            kind: None,
        }
    }
}

/// A value of a rendered object that the secret check refuses, declared
/// not secret by a reviewer: the check's error names the object and the
/// field to write here. A value in the form of a well-known credential (a
/// GitHub token, a private key) cannot be declared so; an entry that
/// matches nothing rendered is an error, so none outlives its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotSecret {
    /// The rendered object, `Kind/name`: an object of the app, or its Argo
    /// CD Application (`Application/<env>-<app>`, for Helm values).
    #[schemars(
        regex(pattern = r"^[A-Za-z][A-Za-z0-9]*/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"),
        extend("examples" = ["ConfigMap/web-settings"])
    )]
    pub object: String,
    /// The field, as the check's error names it: a path in the object with
    /// list items by name, and inside a text the key or line after a `:`
    /// (`data.app.env:PUBLIC_TOKEN_URL`).
    #[schemars(length(min = 1), extend("examples" = ["spec.template.spec.containers[web].env[OAUTH_CLIENT_SECRET_NAME].value"]))]
    pub field: String,
    /// Why it is not a secret, for the reviewer; `cfggen secrets` lists it.
    #[schemars(length(min = 1), extend("examples" = ["the OAuth client's public ID"]))]
    pub why: String,
}

/// A Secret that cfggen does not manage (cert-manager's certificates, an
/// operator's credentials, one made by hand), which the app's pods read.
/// Declared so that references to it are checked, it is listed in the
/// 1Password inventory as external, and the lint knows it exists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnmanagedSecret {
    /// Its keys; references to other keys are refused. Any key when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": names::DATA_KEY}), extend("examples" = [["tls.crt", "tls.key"]]))]
    pub keys: Vec<String>,
    /// Who makes it, for people reading the inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["cert-manager Certificate media-tls"]))]
    pub made_by: Option<String>,
}

impl UnmanagedSecret {
    /// Whether the Secret has `key` (any key when none are listed).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys.is_empty() || self.keys.iter().any(|k| k == key)
    }
}

/// The type of a Kubernetes Secret made from a 1Password item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SecretType {
    /// `kubernetes.io/dockerconfigjson`: registry credentials.
    Dockerconfigjson,
    /// `kubernetes.io/tls`: keys `tls.crt` and `tls.key`.
    Tls,
    /// `kubernetes.io/basic-auth`: keys `username` and `password`.
    BasicAuth,
}

impl SecretType {
    /// The Kubernetes Secret type.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretType::Dockerconfigjson => "kubernetes.io/dockerconfigjson",
            SecretType::Tls => "kubernetes.io/tls",
            SecretType::BasicAuth => "kubernetes.io/basic-auth",
        }
    }

    /// The keys a Secret of this type must have.
    pub fn required_keys(self) -> &'static [&'static str] {
        match self {
            SecretType::Dockerconfigjson => &[".dockerconfigjson"],
            SecretType::Tls => &["tls.crt", "tls.key"],
            SecretType::BasicAuth => &["username", "password"],
        }
    }
}

/// One field of a 1Password item and the key it gets in the Kubernetes Secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretField {
    /// The title of the item the field is in, when it is not the
    /// secret's own `item` (in the same vault): a Secret made of fields
    /// of several items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), extend("examples" = ["Mosquitto - z2m"]))]
    pub item: Option<String>,
    /// The section of the item the field is in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::OP_NAME))]
    pub section: Option<String>,
    /// The key in the Kubernetes Secret; the field label when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DATA_KEY))]
    pub key: Option<String>,
}

impl SecretField {
    /// The key in the Kubernetes Secret.
    pub fn key<'a>(&'a self, label: &'a str) -> &'a str {
        self.key.as_deref().unwrap_or(label)
    }
}

/// The keys a template reads: `.key` (letters, digits, `_`) and
/// `index . "key"` (any key, such as `tls.crt`) in each `{{ … }}` action.
pub fn template_keys(template: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        action_keys(&after[..end], &mut keys);
        rest = &after[end + 2..];
    }
    keys
}

fn action_keys<'a>(action: &'a str, keys: &mut Vec<&'a str>) {
    let mut search = action;
    while let Some(i) = search.find("index . \"") {
        let tail = &search[i + 9..];
        if let Some(close) = tail.find('"') {
            keys.push(&tail[..close]);
        }
        search = tail;
    }
    for (i, c) in action.char_indices() {
        let prev_ok = i == 0 || action[..i].ends_with(|p: char| p.is_whitespace() || p == '(');
        if c == '.' && prev_ok {
            let name = &action[i + 1..];
            let len = name
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(name.len());
            if len > 0 {
                keys.push(&name[..len]);
            }
        }
    }
}

impl SecretItem {
    /// Every key of the Secret: the fields' keys, then the template's.
    pub fn keys(&self) -> Vec<&str> {
        self.fields
            .iter()
            .map(|(label, f)| f.key(label))
            .chain(self.template.keys().map(String::as_str))
            .collect()
    }

    /// The title of the item `field` is in: its own `item`, else the
    /// secret's.
    pub fn item_of<'a>(&'a self, field: &'a SecretField) -> &'a str {
        field.item.as_deref().unwrap_or(&self.item)
    }

    /// How a secret reference names the item `field` is in: its title
    /// when a reference can carry it, else (for the secret's own item) its
    /// ID.
    pub fn reference_name_of<'a>(&'a self, field: &'a SecretField) -> Option<&'a str> {
        match &field.item {
            Some(title) => names::is_op_name(title).then_some(title.as_str()),
            None => self.reference_name(),
        }
    }

    /// How a secret reference names the item: its title when a reference
    /// can carry it, else its ID.
    pub fn reference_name(&self) -> Option<&str> {
        if names::is_op_name(&self.item) {
            Some(&self.item)
        } else {
            self.id.as_deref()
        }
    }

    /// The `op://` reference of one field, or `None` when the item title
    /// cannot be used and no ID is given.
    pub fn op_reference(&self, vault: &str, label: &str, field: &SecretField) -> Option<String> {
        let item = self.reference_name_of(field)?;
        Some(match &field.section {
            Some(section) => format!("op://{vault}/{item}/{section}/{label}"),
            None => format!("op://{vault}/{item}/{label}"),
        })
    }

    /// The `remoteRef` (key, property) the store's provider expects.
    pub fn remote_ref(
        &self,
        provider: StoreProvider,
        label: &str,
        field: &SecretField,
    ) -> (String, Option<String>) {
        match provider {
            StoreProvider::Connect => (self.item_of(field).to_owned(), Some(label.to_owned())),
            StoreProvider::Sdk => {
                let item = self.reference_name_of(field).unwrap_or(self.item_of(field));
                let key = match &field.section {
                    Some(section) => format!("{item}/{section}/{label}"),
                    None => format!("{item}/{label}"),
                };
                (key, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, id: Option<&str>) -> SecretItem {
        SecretItem {
            item: title.into(),
            id: id.map(Into::into),
            vault: None,
            fields: IndexMap::new(),
            template: IndexMap::new(),
            object_name: None,
            labels: IndexMap::new(),
            annotations: IndexMap::new(),
            refresh_interval: None,
            kind: None,
        }
    }

    #[test]
    fn op_references_use_the_id_when_the_title_cannot_be_carried() {
        let f = SecretField::default();
        assert_eq!(
            item("Authentik", None).op_reference("v", "secret-key", &f),
            Some("op://v/Authentik/secret-key".into())
        );
        let id = "abcdefghijklmnopqrstuvwxy1";
        assert_eq!(
            item("Authentik (blumeops)", Some(id)).op_reference("v", "k", &f),
            Some(format!("op://v/{id}/k"))
        );
        assert_eq!(
            item("Authentik (blumeops)", None).op_reference("v", "k", &f),
            None
        );
    }

    #[test]
    fn template_keys_are_the_dotted_names_of_actions() {
        assert_eq!(
            template_keys("postgresql://{{ .user }}:{{ .password | urlquery }}@h/{{.db}}"),
            ["user", "password", "db"]
        );
        assert_eq!(
            template_keys("{{ index . \"tls.crt\" }} {{ (.c) }}"),
            ["tls.crt", "c"]
        );
        assert_eq!(template_keys("no actions, {{ unclosed"), Vec::<&str>::new());
    }

    #[test]
    fn remote_refs_follow_the_provider() {
        let f = SecretField::default();
        let i = item("Authentik (blumeops)", Some("abcdefghijklmnopqrstuvwxy1"));
        assert_eq!(
            i.remote_ref(StoreProvider::Connect, "pw", &f),
            ("Authentik (blumeops)".into(), Some("pw".into()))
        );
        assert_eq!(
            i.remote_ref(StoreProvider::Sdk, "pw", &f),
            ("abcdefghijklmnopqrstuvwxy1/pw".into(), None)
        );
    }
}
