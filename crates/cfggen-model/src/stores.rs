//! Secrets External Secrets reads from a store other than the
//! environment's 1Password (a Bitwarden, Vault or cloud secret manager
//! store the cluster already runs): the store the environment declares,
//! and the Secrets apps make from it, one remote key per Secret key.
//!
//! As with 1Password, config holds where a value lives, never the value.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// The environment's other secret stores, by the name of the store
/// object.
pub type SecretStores = IndexMap<String, OtherStore>;

/// A store External Secrets serves, made elsewhere (its provider's
/// credentials are the cluster's business).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OtherStore {
    /// `ClusterSecretStore` (the default), or `SecretStore`: one in the
    /// namespace of each app that reads it.
    #[serde(default)]
    pub kind: StoreKind,
    /// How often External Secrets re-reads it.
    #[serde(default = "default_refresh")]
    #[schemars(regex(pattern = names::DURATION))]
    pub refresh_interval: String,
    /// What the store is, for people reading the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["Bitwarden Secrets Manager"]))]
    pub provider: Option<String>,
}

fn default_refresh() -> String {
    "1h".into()
}

/// The kind of a store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum StoreKind {
    /// Cluster-wide.
    #[default]
    ClusterSecretStore,
    /// In the namespace of the ExternalSecret.
    SecretStore,
}

impl StoreKind {
    /// The kind as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::ClusterSecretStore => "ClusterSecretStore",
            StoreKind::SecretStore => "SecretStore",
        }
    }
}

/// A Kubernetes Secret External Secrets makes from a store of the
/// environment's `secretStores`, or of values it generates, named by its
/// key in the app's `storeSecrets`; its pods read it as
/// `{secret: <name>/<key>}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StoreSecret {
    /// The store: a key of the environment's `secretStores`; none for a
    /// Secret of a generated `password` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["bitwarden-backend"]))]
    pub store: Option<String>,
    /// A random password External Secrets generates (its `Password`
    /// generator, made beside the ExternalSecret under the Secret's
    /// name), in the Secret's key `password`: a session key no one needs
    /// to know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordGenerator>,
    /// How often External Secrets reads the store (or generates the
    /// password) again: the store's `refreshInterval` when absent; `0`
    /// (never: generated once) without a store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::REFRESH_INTERVAL))]
    pub refresh_interval: Option<String>,
    /// The Secret's keys, each read from one remote key of the store.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(
        extend("propertyNames" = {"pattern": names::DATA_KEY}),
        extend("examples" = [{"password": {"key": "app-db-password"}}])
    )]
    pub keys: IndexMap<String, RemoteKey>,
    /// Remote secrets read whole (`dataFrom.extract`): each of their
    /// properties becomes a key of the Secret, so references to its keys
    /// are not checked against a list. At least one of `keys` and
    /// `extract`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [[{"key": "/shop/cart-service"}]]))]
    pub extract: Vec<RemoteKey>,
    /// Remote secrets found by name or tags (`dataFrom.find`): each one
    /// found becomes a key of the Secret, named as the remote secret, so
    /// references to its keys are not checked against a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [[{"name": {"regexp": "^shop-"}}]]))]
    pub find: Vec<RemoteFind>,
    /// Write the keys into a Secret that exists already, made elsewhere
    /// (Argo CD's `argocd-secret`, a chart's), leaving its other keys
    /// (External Secrets' `creationPolicy: Merge`); else the
    /// ExternalSecret makes the Secret and owns it. References to its
    /// other keys are not checked against a list.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merge: bool,
    /// The ExternalSecret's name, when it is not the Secret's (to keep the
    /// name of one that already runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN), extend("examples" = ["minio-backup-secret"]))]
    pub object_name: Option<String>,
    /// The namespace the ExternalSecret and its Secret are made in, when
    /// not the app's: a Secret another tool of the cluster reads (falco's
    /// webhook URL, kept beside the app that set it up); the app's pods
    /// cannot read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL), extend("examples" = ["falco"]))]
    pub namespace: Option<String>,
    /// Labels of the ExternalSecret, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the ExternalSecret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl StoreSecret {
    /// The Secret's keys when they are known: none when it reads remote
    /// secrets whole or merges into a Secret made elsewhere.
    pub fn known_keys(&self) -> Option<Vec<&str>> {
        (self.extract.is_empty() && self.find.is_empty() && !self.merge).then(|| {
            let generated = self.password.as_ref().map(|_| PASSWORD_KEY);
            self.keys
                .keys()
                .map(String::as_str)
                .chain(generated)
                .collect()
        })
    }
}

/// The key of the Secret a `Password` generator writes.
pub const PASSWORD_KEY: &str = "password";

/// External Secrets' `Password` generator: how long the password is and
/// what it is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PasswordGenerator {
    /// Its length.
    #[serde(default = "default_length")]
    #[schemars(range(min = 1))]
    pub length: u32,
    /// How many of its characters are digits; a quarter when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<u32>,
    /// How many are symbols; a quarter when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<u32>,
    /// The symbols to take from; External Secrets' own set when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub symbol_characters: Option<String>,
    /// No upper-case letters.
    #[serde(default)]
    pub no_upper: bool,
    /// A character may come twice.
    #[serde(default)]
    pub allow_repeat: bool,
}

fn default_length() -> u32 {
    24
}

/// Which remote secrets a `find` reads: those whose name matches
/// `name.regexp` and that carry every tag of `tags`, under `path`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RemoteFind {
    /// Where to look: a path or folder of the store (in 1Password, an
    /// item's title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub path: Option<String>,
    /// The names to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<FindName>,
    /// Tags the remote secrets carry (a tag's value, where the store has
    /// none, is `""`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
}

/// The names a `find` matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FindName {
    /// A regular expression the name matches.
    #[schemars(length(min = 1), extend("examples" = ["^username$"]))]
    pub regexp: String,
}

/// Where one key's value lives in the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RemoteKey {
    /// The remote key (`remoteRef.key`): a secret's name or path in the
    /// store.
    #[schemars(length(min = 1), extend("examples" = ["app-db-password", "/shop/db"]))]
    pub key: String,
    /// One property of it (`remoteRef.property`), for a remote secret of
    /// several values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub property: Option<String>,
}
