//! The 1Password inventory: every `op://` reference an environment needs,
//! and what consumes it, so a person can create the items before the
//! first sync.

use std::collections::BTreeMap;

use cfggen_model::app::workload_name;
use cfggen_model::secrets::SecretField;
use cfggen_model::{App, Component, EnvValue, Environment, SecretFieldRef, SecretItem, Validated};
use serde::Serialize;

use crate::postgres::role_secret_name;
use crate::RenderError;

/// One 1Password field the environment reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryEntry {
    /// `op://vault/item/[section/]field`; none when the item's title has
    /// characters a reference cannot carry and no ID is given (the
    /// 1Password Connect store reads it by title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The vault.
    pub vault: String,
    /// The item title.
    pub item: String,
    /// The item ID, when the reference uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The section, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The field label.
    pub field: String,
    /// What reads it: ExternalSecrets (and the Secret key they fill) and
    /// the environment variables that come from those keys.
    pub consumers: Vec<String>,
    /// How to reach the item when no reference can name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct InventoryDoc<'a> {
    pub environment: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault: Option<&'a str>,
    pub references: &'a [InventoryEntry],
    /// Secrets the pods read that cfggen does not make.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub external: &'a [ExternalEntry],
}

/// A Secret the environment's pods read that cfggen does not make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalEntry {
    /// Its namespace.
    pub namespace: String,
    /// Its name (`secretName`: a name, which the secret check takes as
    /// one).
    #[serde(rename = "secretName")]
    pub secret: String,
    /// The keys read from it; empty when not listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Who makes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_by: Option<String>,
}

/// Every Secret the environment's apps read but cfggen does not make,
/// sorted by namespace and name.
pub fn external_secrets(env: &Environment) -> Vec<ExternalEntry> {
    let mut out: Vec<ExternalEntry> = env
        .apps
        .iter()
        .flat_map(|(app_name, app)| {
            app.external_secrets
                .iter()
                .map(move |(name, u)| ExternalEntry {
                    namespace: app.namespace(app_name).to_owned(),
                    secret: name.clone(),
                    keys: u.keys.clone(),
                    made_by: u.made_by.clone(),
                })
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.secret).cmp(&(&b.namespace, &b.secret)));
    out
}

/// Every `op://` reference of `env`, sorted by reference.
pub fn inventory(env: &Validated) -> Result<Vec<InventoryEntry>, RenderError> {
    let mut entries: BTreeMap<String, InventoryEntry> = BTreeMap::new();
    for (app_name, app) in &env.apps {
        for (secret_name, item) in &app.secrets {
            for (label, field) in &item.fields {
                let this = SecretFieldRef::new(secret_name, label);
                let consumers = consumers(env, app_name, app, &this, field.key(label))?;
                add(&mut entries, env, item, label, field, consumers)?;
            }
        }
    }
    for (cluster_name, cluster) in env.postgres.iter().filter(|(_, c)| !c.remote) {
        for (role_name, role) in &cluster.roles {
            let Some(password) = &role.password else {
                continue;
            };
            let item = password.as_item();
            // `as_item` makes a one-field item whose field has no options.
            let field = cfggen_model::secrets::SecretField::default();
            let consumer = format!(
                "ExternalSecret {}/{} (password of role `{role_name}`)",
                cluster.namespace,
                role_secret_name(cluster_name, role_name)
            );
            add(
                &mut entries,
                env,
                &item,
                &password.field,
                &field,
                vec![consumer],
            )?;
        }
    }
    Ok(entries
        .into_values()
        .map(|mut e| {
            e.consumers.sort();
            e.consumers.dedup();
            e
        })
        .collect())
}

/// Adds the consumers of one field of an item to its reference's entry.
fn add(
    entries: &mut BTreeMap<String, InventoryEntry>,
    env: &Environment,
    item: &SecretItem,
    label: &str,
    field: &SecretField,
    consumers: Vec<String>,
) -> Result<(), RenderError> {
    let vault = match &item.vault {
        Some(v) => v.as_str(),
        None => &crate::onepassword(env)?.vault,
    };
    let reference = item.op_reference(vault, label, field);
    // Entries sort by reference; one without sorts where its title would.
    let title = item.item_of(field);
    let key = reference.clone().unwrap_or_else(|| match &field.section {
        Some(section) => format!("op://{vault}/{title}/{section}/{label}"),
        None => format!("op://{vault}/{title}/{label}"),
    });
    let note = reference.is_none().then(|| {
        let id = if field.item.is_some() {
            "give the field's item a title a reference can carry"
        } else {
            "give the item's `id` for a reference"
        };
        format!(
            "the title has characters an op:// reference cannot carry; the store reads the item by title (`op item get \"{title}\" --vault {vault}`); {id}"
        )
    });
    let entry = entries.entry(key).or_insert_with(|| InventoryEntry {
        reference,
        note,
        vault: vault.to_owned(),
        item: title.to_owned(),
        item_id: item
            .id
            .clone()
            .filter(|_| field.item.is_none())
            .filter(|_| !cfggen_model::names::is_op_name(&item.item)),
        section: field.section.clone(),
        field: label.to_owned(),
        consumers: Vec::new(),
    });
    entry.consumers.extend(consumers);
    Ok(())
}

/// What reads one field of an app's item: its ExternalSecret, the env vars
/// that take it, and the database role whose password it is.
fn consumers(
    env: &Environment,
    app_name: &str,
    app: &App,
    this: &SecretFieldRef,
    key: &str,
) -> Result<Vec<String>, RenderError> {
    let ns = app.namespace(app_name);
    let workload = |cname: &str, comp: &Component| {
        format!(
            "{} {ns}/{}",
            comp.kind.as_str(),
            workload_name(app_name, cname, comp)
        )
    };
    let mut consumers = vec![format!(
        "ExternalSecret {ns}/{} (Secret key `{key}`)",
        this.secret()
    )];
    for (cname, component) in &app.components {
        for (_, container_name, container) in component.containers(cname) {
            let of = if container_name == cname {
                String::new()
            } else {
                format!(" (container {container_name})")
            };
            for (var, value) in &container.env {
                if matches!(value, EnvValue::Secret { secret, .. } if secret == this) {
                    consumers.push(format!("env {var} of {}{of}", workload(cname, component)));
                }
            }
            for from in &container.env_from {
                if let cfggen_model::container::EnvFrom::Secret { secret, prefix, .. } = from {
                    if secret == this.secret() {
                        let var = format!("{}{key}", prefix.as_deref().unwrap_or_default());
                        consumers.push(format!(
                            "env {var} of {}{of} (envFrom)",
                            workload(cname, component)
                        ));
                    }
                }
            }
            for (volume, v) in &container.volumes {
                let projected = v
                    .secret
                    .as_ref()
                    .is_some_and(|s| s.name() == this.secret() && s.projects(key));
                if projected {
                    consumers.push(format!(
                        "volume {volume} of {}{of} (file `{key}`)",
                        workload(cname, component)
                    ));
                }
            }
        }
    }
    let Some(db) = app.database.as_ref().filter(|db| db.password == *this) else {
        return Ok(consumers);
    };
    let cluster = env
        .postgres
        .get(&db.cluster)
        .ok_or_else(|| RenderError::Unresolved(format!("postgres cluster `{}`", db.cluster)))?;
    let owner = db.owner(app_name);
    // A remote cluster's roles are kept where it runs.
    if !cluster.remote {
        consumers.push(format!(
            "ExternalSecret {}/{} (password of role `{owner}`)",
            cluster.namespace,
            role_secret_name(&db.cluster, owner),
        ));
    }
    if let Some(var) = &db.env.password {
        for (cname, comp) in app.components.iter().filter(|(c, _)| db.reaches(c)) {
            consumers.push(format!("env {var} of {}", workload(cname, comp)));
        }
    }
    if let Some(var) = &db.env.url {
        consumers.push(format!(
            "ExternalSecret {ns}/{} (Secret key `url`)",
            cfggen_model::Database::url_secret_name(app_name)
        ));
        for (cname, comp) in app.components.iter().filter(|(c, _)| db.reaches(c)) {
            consumers.push(format!("env {var} of {} (the URL)", workload(cname, comp)));
        }
    }
    Ok(consumers)
}
