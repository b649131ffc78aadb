//! References inside an app, parsed once when the environment is read:
//! `<secret>/<field>` (a field of one of the app's 1Password items) and
//! `<configmap>/<key>` (a key of one of its ConfigMaps).
//!
//! Every later stage (the semantic rules, the renderer, the 1Password
//! inventory) works with the parsed parts and never splits a string again.
//! A malformed reference is a deserialisation error, which the loader
//! points at file:line:col.

use std::fmt;

use crate::error::tagged_message;

/// `<secret>/<field>`: a field of one of the app's `secrets`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretFieldRef {
    secret: String,
    field: String,
}

/// `<configmap>/<key>`: a key of one of the app's `configMaps`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigMapKeyRef {
    config_map: String,
    key: String,
}

/// Splits `a/b` at the first `/`; both sides non-empty.
fn split(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('/')?;
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

/// The pattern editors check both kinds of reference against.
pub const REF_PATTERN: &str = "^[^/]+/.+$";

impl SecretFieldRef {
    /// Parses `secret/field` (split at the first `/`).
    pub fn parse(s: &str) -> Result<Self, RefError> {
        let (secret, field) = split(s).ok_or_else(|| RefError::Secret(s.to_owned()))?;
        Ok(SecretFieldRef {
            secret: secret.to_owned(),
            field: field.to_owned(),
        })
    }

    /// A reference from its parts.
    pub fn new(secret: &str, field: &str) -> Self {
        SecretFieldRef {
            secret: secret.to_owned(),
            field: field.to_owned(),
        }
    }

    /// The key of the app's `secrets` entry (the Kubernetes Secret name).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The 1Password field label.
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl ConfigMapKeyRef {
    /// Parses `configmap/key` (split at the first `/`).
    pub fn parse(s: &str) -> Result<Self, RefError> {
        let (config_map, key) = split(s).ok_or_else(|| RefError::ConfigMap(s.to_owned()))?;
        Ok(ConfigMapKeyRef {
            config_map: config_map.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The ConfigMap's name (a key of the app's `configMaps`).
    pub fn config_map(&self) -> &str {
        &self.config_map
    }

    /// The key in that ConfigMap.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A reference that does not have the `<name>/<key>` form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// Not `<secret>/<field>`.
    #[error("`{0}` is not a `<secret>/<field>` reference")]
    Secret(String),
    /// Not `<configmap>/<key>`.
    #[error("`{0}` is not a `<configmap>/<key>` reference")]
    ConfigMap(String),
}

impl RefError {
    /// What to write instead.
    pub fn hint(&self) -> &'static str {
        match self {
            RefError::Secret(_) => {
                "name one of the app's `secrets` and one of its fields, e.g. `app-config/password`"
            }
            RefError::ConfigMap(_) => {
                "name one of the app's `configMaps` and one of its keys, e.g. `app-settings/log-level`"
            }
        }
    }
}

impl fmt::Display for SecretFieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.secret, self.field)
    }
}

impl fmt::Display for ConfigMapKeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.config_map, self.key)
    }
}

macro_rules! string_serde {
    ($t:ty, $name:literal) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(|e| {
                    serde::de::Error::custom(tagged_message(&e.to_string(), e.hint()))
                })
            }
        }

        impl schemars::JsonSchema for $t {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn inline_schema() -> bool {
                true
            }

            /// A string; each field that holds one adds the description,
            /// `pattern` ([`REF_PATTERN`]) and examples.
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string" })
            }
        }
    };
}

string_serde!(SecretFieldRef, "SecretFieldRef");
string_serde!(ConfigMapKeyRef, "ConfigMapKeyRef");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_refs_split_at_the_first_slash() {
        let r = SecretFieldRef::parse("a/b/c").unwrap();
        assert_eq!((r.secret(), r.field()), ("a", "b/c"));
        assert_eq!(r.to_string(), "a/b/c");
        assert!(SecretFieldRef::parse("a/").is_err());
        assert!(SecretFieldRef::parse("/a").is_err());
        assert!(SecretFieldRef::parse("ab").is_err());
    }

    #[test]
    fn config_map_refs() {
        let r = ConfigMapKeyRef::parse("settings/log.level").unwrap();
        assert_eq!((r.config_map(), r.key()), ("settings", "log.level"));
        assert_eq!(
            ConfigMapKeyRef::parse("x").unwrap_err().to_string(),
            "`x` is not a `<configmap>/<key>` reference"
        );
    }

    #[test]
    fn deserialise_with_a_hint() {
        let e = serde_json::from_value::<SecretFieldRef>(serde_json::json!("nope")).unwrap_err();
        let text = e.to_string();
        let (message, hint) = crate::error::split_message(&text);
        assert_eq!(message, "`nope` is not a `<secret>/<field>` reference");
        assert!(hint.is_some());
    }
}
