//! An app's PostgreSQL database on a CloudNativePG cluster.
//!
//! One declaration here becomes: the owner role in the cluster's
//! `spec.managed.roles`, a `postgresql.cnpg.io/v1` `Database`, the
//! ExternalSecret that gives CNPG the role's password, and the app's
//! connection environment variables.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;
use crate::refs::{SecretFieldRef, REF_PATTERN};

/// An app's database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Database {
    /// The Postgres cluster, one of the environment's `postgres` keys.
    #[schemars(extend("examples" = ["blumeops-pg"]))]
    pub cluster: String,
    /// The database name; the app's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::names::DATABASE_NAME))]
    pub name: Option<String>,
    /// The role that owns the database; the database name when absent.
    /// No two apps may claim the same role on one cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[a-z_][a-z0-9_]{0,62}$"))]
    pub owner: Option<String>,
    /// Attributes of the owner role.
    #[serde(default)]
    pub role: RoleAttributes,
    /// Extensions to create in the database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["pg_trgm"]]))]
    pub extensions: Vec<String>,
    /// How PostgreSQL makes the database (template, encoding, locale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation: Option<DatabaseCreation>,
    /// Where the role's password lives: `<secret>/<field>`, a field of one
    /// of the app's `secrets`.
    #[schemars(regex(pattern = REF_PATTERN), extend("examples" = ["authentik-config/postgresql-password"]))]
    pub password: SecretFieldRef,
    /// Environment variables through which the app receives the connection
    /// settings; only the ones named are set.
    #[serde(default)]
    pub env: ConnectionEnv,
    /// The form of the `url` connection variable.
    #[serde(default, skip_serializing_if = "UrlFormat::is_default")]
    pub url_format: UrlFormat,
    /// Components that receive the connection variables; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
}

/// The form of a database connection URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UrlFormat {
    /// `postgresql` (the default), `postgres` or `jdbc`
    /// (`jdbc:postgresql://host:port/name?user=…&password=…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<UrlScheme>,
    /// Query parameters, e.g. `{sslmode: require}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"sslmode": "require"}]))]
    pub params: IndexMap<String, String>,
}

impl UrlFormat {
    /// Nothing set.
    pub fn is_default(&self) -> bool {
        *self == UrlFormat::default()
    }
}

/// The scheme of a connection URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UrlScheme {
    /// `postgresql://…`.
    #[default]
    Postgresql,
    /// `postgres://…`.
    Postgres,
    /// `jdbc:postgresql://…?user=…&password=…`.
    Jdbc,
}

impl Database {
    /// The connection URL as an External Secrets template: the password is
    /// `{{ .password | urlquery }}`, filled in by External Secrets from
    /// 1Password.
    pub fn url_template(&self, app_name: &str, host: &str, port: u16) -> String {
        let user = self.owner(app_name);
        let name = self.name(app_name);
        let password = "{{ .password | urlquery }}";
        let mut params: Vec<String> = Vec::new();
        let scheme = self.url_format.scheme.unwrap_or_default();
        let base = match scheme {
            UrlScheme::Postgresql => format!("postgresql://{user}:{password}@{host}:{port}/{name}"),
            UrlScheme::Postgres => format!("postgres://{user}:{password}@{host}:{port}/{name}"),
            UrlScheme::Jdbc => {
                params.push(format!("user={user}"));
                params.push(format!("password={password}"));
                format!("jdbc:postgresql://{host}:{port}/{name}")
            }
        };
        params.extend(
            self.url_format
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}")),
        );
        if params.is_empty() {
            base
        } else {
            format!("{base}?{}", params.join("&"))
        }
    }

    /// The Secret (in the app's namespace) that holds the `url`.
    pub fn url_secret_name(app_name: &str) -> String {
        format!("{app_name}-database-url")
    }

    /// The database name: declared, or the app's name.
    pub fn name<'a>(&'a self, app_name: &'a str) -> &'a str {
        self.name.as_deref().unwrap_or(app_name)
    }

    /// The owner role: declared, or the database name.
    pub fn owner<'a>(&'a self, app_name: &'a str) -> &'a str {
        self.owner.as_deref().unwrap_or_else(|| self.name(app_name))
    }

    /// Whether the component receives the connection variables: the ones
    /// `components` names, or all when it names none.
    pub fn reaches(&self, component: &str) -> bool {
        self.components
            .as_ref()
            .is_none_or(|list| list.iter().any(|c| c == component))
    }
}

/// Attributes of a managed role (CNPG `spec.managed.roles[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleAttributes {
    /// The role can log in.
    #[serde(default = "yes")]
    pub login: bool,
    /// The role can create databases.
    #[serde(default)]
    pub createdb: bool,
    /// The role can create roles.
    #[serde(default)]
    pub createrole: bool,
    /// The role is a superuser.
    #[serde(default)]
    pub superuser: bool,
    /// The role inherits the privileges of roles it is a member of.
    #[serde(default = "yes")]
    pub inherit: bool,
    /// The role can start streaming replication.
    #[serde(default)]
    pub replication: bool,
    /// The role bypasses row-level security.
    #[serde(default)]
    pub bypassrls: bool,
    /// Concurrent connections the role may open; -1 for no limit.
    #[serde(default = "no_limit")]
    #[schemars(range(min = -1))]
    pub connection_limit: i64,
    /// Roles this role is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["pg_read_all_data"]]))]
    pub in_roles: Vec<String>,
    /// When the role's password stops being valid (an RFC 3339 time,
    /// `2030-01-01T00:00:00Z`); never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
    ))]
    pub valid_until: Option<String>,
}

impl Default for RoleAttributes {
    fn default() -> Self {
        RoleAttributes {
            login: true,
            createdb: false,
            createrole: false,
            superuser: false,
            inherit: true,
            replication: false,
            bypassrls: false,
            connection_limit: -1,
            in_roles: Vec::new(),
            valid_until: None,
        }
    }
}

fn yes() -> bool {
    true
}
fn no_limit() -> i64 {
    -1
}

/// Names of the environment variables that carry the connection settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConnectionEnv {
    /// Receives the cluster's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR), extend("examples" = ["AUTHENTIK_POSTGRESQL__HOST"]))]
    pub host: Option<String>,
    /// Receives the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR))]
    pub port: Option<String>,
    /// Receives the database name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR))]
    pub name: Option<String>,
    /// Receives the role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR))]
    pub user: Option<String>,
    /// Receives the password, from the app's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR))]
    pub password: Option<String>,
    /// Receives the whole connection URL
    /// (`postgresql://<user>:<password>@<host>:<port>/<name>`), composed by
    /// External Secrets from the role's password: the password is never
    /// written anywhere. See `urlFormat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ENV_VAR), extend("examples" = ["DATABASE_URL"]))]
    pub url: Option<String>,
}

impl ConnectionEnv {
    /// The declared variables with their field names.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("host", &self.host),
            ("port", &self.port),
            ("name", &self.name),
            ("user", &self.user),
            ("password", &self.password),
            ("url", &self.url),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    }
}

/// How PostgreSQL makes a database (`CREATE DATABASE … TEMPLATE …
/// ENCODING … LOCALE_PROVIDER …`): set when it is made, never changed
/// after (CloudNativePG's `Database` fields of the same names).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{"template": "template0", "encoding": "UTF8", "localeProvider": "icu", "icuLocale": "en"}]))]
pub struct DatabaseCreation {
    /// The database it is copied from (`template0` to set another
    /// encoding or locale than `template1`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The character set encoding (`UTF8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The locale, for collation and character classes alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Which library provides the locale: `libc` (PostgreSQL's default),
    /// `icu` (with `icuLocale`) or `builtin` (PostgreSQL 17, with
    /// `builtinLocale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale_provider: Option<LocaleProvider>,
    /// The collation (`LC_COLLATE`), when not `locale`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale_collate: Option<String>,
    /// The character classes (`LC_CTYPE`), when not `locale`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale_c_type: Option<String>,
    /// The ICU locale (`en`, `de-DE`), with `localeProvider: icu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icu_locale: Option<String>,
    /// Extra ICU collation rules, with `localeProvider: icu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icu_rules: Option<String>,
    /// The builtin provider's locale (`C.UTF-8`), with `localeProvider:
    /// builtin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin_locale: Option<String>,
    /// The collation version to record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation_version: Option<String>,
}

/// The library that provides a database's locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LocaleProvider {
    /// The C library's locales.
    Libc,
    /// ICU collations.
    Icu,
    /// PostgreSQL's own (17 and later).
    Builtin,
}

impl LocaleProvider {
    /// The provider as PostgreSQL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LocaleProvider::Libc => "libc",
            LocaleProvider::Icu => "icu",
            LocaleProvider::Builtin => "builtin",
        }
    }
}

impl DatabaseCreation {
    /// What PostgreSQL refuses about these settings: a field of one
    /// provider with another provider, or a provider without its locale.
    /// Each as (field, why).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let provider = self.locale_provider;
        let mut out = Vec::new();
        for (field, set, needs) in [
            ("icuLocale", self.icu_locale.is_some(), LocaleProvider::Icu),
            ("icuRules", self.icu_rules.is_some(), LocaleProvider::Icu),
            (
                "builtinLocale",
                self.builtin_locale.is_some(),
                LocaleProvider::Builtin,
            ),
        ] {
            if set && provider != Some(needs) {
                out.push((
                    field,
                    format!(
                        "`{field}` applies with `localeProvider: {}` only",
                        needs.as_str()
                    ),
                ));
            }
        }
        match provider {
            Some(LocaleProvider::Icu) if self.icu_locale.is_none() && self.locale.is_none() => {
                out.push((
                    "localeProvider",
                    "the ICU provider needs `icuLocale` (or `locale`)".into(),
                ));
            }
            Some(LocaleProvider::Builtin)
                if self.builtin_locale.is_none() && self.locale.is_none() =>
            {
                out.push((
                    "localeProvider",
                    "the builtin provider needs `builtinLocale` (or `locale`)".into(),
                ));
            }
            _ => {}
        }
        out
    }
}
