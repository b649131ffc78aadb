//! The 1Password inventory: every `op://` reference an environment needs,
//! and what consumes it, so a person can create the items before the
//! first sync.

use std::collections::BTreeMap;

use cfggen_model::{Environment, FieldRef};
use serde::Serialize;

use crate::postgres::role_secret_name;

/// One 1Password field the environment reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryEntry {
    /// `op://vault/item/[section/]field`.
    pub reference: String,
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
}

#[derive(Serialize)]
pub(crate) struct InventoryDoc<'a> {
    pub environment: &'a str,
    pub vault: &'a str,
    pub references: &'a [InventoryEntry],
}

/// Every `op://` reference of `env`, sorted by reference.
pub fn inventory(env: &Environment) -> Vec<InventoryEntry> {
    let mut entries: BTreeMap<String, InventoryEntry> = BTreeMap::new();
    for (app_name, app) in &env.apps {
        let ns = app.namespace(app_name);
        for (secret_name, item) in &app.secrets {
            let vault = item.vault.as_deref().unwrap_or(&env.onepassword.vault);
            for (label, field) in &item.fields {
                let reference = item
                    .op_reference(vault, label, field)
                    .unwrap_or_else(|| format!("op://{vault}/{}/{label}", item.item));
                let key = field.key(label);
                let mut consumers = vec![format!(
                    "ExternalSecret {ns}/{secret_name} (Secret key `{key}`)"
                )];
                let this = format!("{secret_name}/{label}");
                for (cname, component) in &app.components {
                    for (var, value) in &component.env {
                        if matches!(value, cfggen_model::EnvValue::Secret { secret } if *secret == this)
                        {
                            consumers
                                .push(format!("env {var} of Deployment {ns}/{app_name}-{cname}"));
                        }
                    }
                }
                if let Some(db) = &app.database {
                    if FieldRef::parse(&db.password) == FieldRef::parse(&this) {
                        if let Some(cluster) = env.postgres.get(&db.cluster) {
                            let role_secret = role_secret_name(&db.cluster, db.owner(app_name));
                            consumers.push(format!(
                                "ExternalSecret {}/{role_secret} (password of role `{}`)",
                                cluster.namespace,
                                db.owner(app_name)
                            ));
                        }
                        if let Some(var) = &db.env.password {
                            for cname in app.components.keys() {
                                let receives =
                                    db.components.as_ref().is_none_or(|l| l.contains(cname));
                                if receives {
                                    consumers.push(format!(
                                        "env {var} of Deployment {ns}/{app_name}-{cname}"
                                    ));
                                }
                            }
                        }
                    }
                }
                let entry = entries
                    .entry(reference.clone())
                    .or_insert_with(|| InventoryEntry {
                        reference,
                        vault: vault.to_owned(),
                        item: item.item.clone(),
                        item_id: item
                            .id
                            .clone()
                            .filter(|_| !cfggen_model::names::is_op_name(&item.item)),
                        section: field.section.clone(),
                        field: label.clone(),
                        consumers: Vec::new(),
                    });
                entry.consumers.extend(consumers);
            }
        }
    }
    entries
        .into_values()
        .map(|mut e| {
            e.consumers.sort();
            e.consumers.dedup();
            e
        })
        .collect()
}
