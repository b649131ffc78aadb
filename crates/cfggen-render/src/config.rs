//! An app's configuration objects: its ConfigMaps, and an ExternalSecret
//! per 1Password item (typed when the item says so).

use std::collections::BTreeMap;

use cfggen_model::app::{config_map_name, FileContent};
use cfggen_model::{App, Environment};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::ByteString;

use crate::{app_labels, crds, file_name, meta, waves, Output, RenderError};

/// The app's ConfigMaps: inline keys and file contents (text in `data`,
/// anything else base64 in `binaryData`), under their hashed name when
/// they have one.
pub(crate) fn config_maps(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (cm_name, cm) in &app.config_maps {
        let rendered_name = config_map_name(cm_name, cm);
        let mut labels = app_labels(app.name_label(name), None);
        crate::own_labels_over(&mut labels, &cm.labels);
        let mut metadata = meta(&rendered_name, ns, labels, waves::PREREQUISITES);
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.extend(cm.annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut data: BTreeMap<String, String> = cm
            .data
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut binary = BTreeMap::new();
        for (key, content) in &cm.loaded {
            match content {
                FileContent::Text(text) => {
                    data.insert(key.clone(), text.clone());
                }
                FileContent::Binary(bytes) => {
                    // Written base64-encoded, as Kubernetes takes it.
                    binary.insert(key.clone(), ByteString(bytes.clone()));
                }
            }
        }
        let object = ConfigMap {
            metadata,
            data: (!data.is_empty() || binary.is_empty()).then_some(data),
            binary_data: (!binary.is_empty()).then_some(binary),
            ..ConfigMap::default()
        };
        out.resource(name, ns, file_name("ConfigMap", &rendered_name), &object)?;
    }
    Ok(())
}

/// What an app's ExternalSecret says of itself: its name when it is not
/// its Secret's, its labels and annotations.
struct Own<'a> {
    object_name: Option<&'a str>,
    labels: &'a indexmap::IndexMap<String, String>,
    annotations: &'a indexmap::IndexMap<String, String>,
}

impl<'a> Own<'a> {
    /// What a `secrets` or `storeSecrets` entry says of its ExternalSecret.
    fn of(
        object_name: &'a Option<String>,
        labels: &'a indexmap::IndexMap<String, String>,
        annotations: &'a indexmap::IndexMap<String, String>,
    ) -> Self {
        Own {
            object_name: object_name.as_deref(),
            labels,
            annotations,
        }
    }

    /// The ExternalSecret's name and metadata: its own labels under the
    /// app's (cfggen's win), its annotations, synced before the workloads
    /// that read its Secret.
    fn meta(
        &self,
        secret_name: &str,
        ns: &str,
        app: &App,
        name: &str,
    ) -> (
        String,
        k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    ) {
        let object = self.object_name.unwrap_or(secret_name).to_owned();
        let metadata = crate::own_meta(
            &object,
            ns,
            app.name_label(name),
            self.labels,
            self.annotations,
            waves::PREREQUISITES,
        );
        (object, metadata)
    }
}

/// One ExternalSecret per 1Password item of the app.
pub(crate) fn external_secrets(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (secret_name, item) in &app.secrets {
        let provider = crate::onepassword(env)?.store.provider;
        let data = item
            .fields
            .iter()
            .map(|(label, field)| {
                let (key, property) = item.remote_ref(provider, label, field);
                crds::ExternalSecretData {
                    secret_key: field.key(label).to_owned(),
                    remote_ref: crds::RemoteRef { key, property },
                }
            })
            .collect();
        let (object_name, metadata) = Own::of(&item.object_name, &item.labels, &item.annotations)
            .meta(secret_name, ns, app, name);
        let object = external_secret(
            env,
            metadata,
            secret_name,
            template(item),
            data,
            item.refresh_interval.as_deref(),
        )?;
        out.resource(name, ns, file_name("ExternalSecret", &object_name), &object)?;
    }
    Ok(())
}

/// The ExternalSecret of each Secret an app makes from another store.
pub(crate) fn store_secrets(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    let app_ns = app.namespace(name);
    for (secret_name, made) in &app.store_secrets {
        let ns = made.namespace.as_deref().unwrap_or(app_ns);
        let file = |kind: &str, object: &str| crate::file_name_in(kind, object, ns, app_ns);
        let store = match &made.store {
            Some(store) => Some((
                store,
                env.secret_stores
                    .get(store)
                    .ok_or_else(|| RenderError::Unresolved(format!("secret store `{store}`")))?,
            )),
            None => None,
        };
        let (object_name, metadata) = Own::of(&made.object_name, &made.labels, &made.annotations)
            .meta(secret_name, ns, app, name);
        if let Some(password) = &made.password {
            // The generator, under the Secret's name, before the
            // ExternalSecret that reads it.
            let mut meta = metadata.clone();
            meta.name = Some(secret_name.clone());
            let object = crds::PasswordGenerator {
                api_version: GENERATORS.into(),
                kind: "Password".into(),
                metadata: meta,
                spec: password.clone(),
            };
            out.resource(name, ns, file("Password", secret_name), &object)?;
        }
        let data = made
            .keys
            .iter()
            .map(|(key, remote)| crds::ExternalSecretData {
                secret_key: key.clone(),
                remote_ref: crds::RemoteRef {
                    key: remote.key.clone(),
                    property: remote.property.clone(),
                },
            })
            .collect();
        let extract = made.extract.iter().map(|r| crds::DataFrom {
            extract: Some(crds::RemoteRef {
                key: r.key.clone(),
                property: r.property.clone(),
            }),
            find: None,
            source_ref: None,
        });
        let find = made.find.iter().map(|f| crds::DataFrom {
            extract: None,
            find: Some(f.clone()),
            source_ref: None,
        });
        let generated = made.password.iter().map(|_| crds::DataFrom {
            extract: None,
            find: None,
            source_ref: Some(crds::SourceRef {
                generator_ref: crds::GeneratorRef {
                    api_version: GENERATORS.into(),
                    kind: "Password".into(),
                    name: secret_name.clone(),
                },
            }),
        });
        let refresh_interval = made
            .refresh_interval
            .clone()
            .or_else(|| store.map(|(_, s)| s.refresh_interval.clone()))
            .unwrap_or_else(|| "0".into());
        let object = crds::ExternalSecret {
            api_version: "external-secrets.io/v1".into(),
            kind: "ExternalSecret".into(),
            metadata,
            spec: crds::ExternalSecretSpec {
                refresh_interval,
                secret_store_ref: store.map(|(store_name, store)| crds::SecretStoreRef {
                    kind: store.kind.as_str().into(),
                    name: store_name.clone(),
                }),
                target: crds::ExternalSecretTarget {
                    name: secret_name.clone(),
                    creation_policy: if made.merge { "Merge" } else { "Owner" }.into(),
                    template: None,
                },
                data,
                data_from: extract.chain(find).chain(generated).collect(),
            },
        };
        out.resource(name, ns, file("ExternalSecret", &object_name), &object)?;
    }
    Ok(())
}

/// The API version of External Secrets' generators.
const GENERATORS: &str = "generators.external-secrets.io/v1alpha1";

/// The template of an item's ExternalSecret: its Secret type and its
/// templated keys (beside the fields' own).
fn template(item: &cfggen_model::SecretItem) -> Option<crds::ExternalSecretTemplate> {
    if item.kind.is_none() && item.template.is_empty() {
        return None;
    }
    Some(crds::ExternalSecretTemplate {
        type_: item.kind.map_or("Opaque", |kind| kind.as_str()).to_owned(),
        merge_policy: (!item.template.is_empty()).then(|| "Merge".to_owned()),
        data: item
            .template
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// The Secret holding an app's database URL, composed by External
/// Secrets from the role's password.
pub(crate) fn database_url(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    let Some(db) = app.database.as_ref().filter(|db| db.env.url.is_some()) else {
        return Ok(());
    };
    let cluster = env
        .postgres
        .get(&db.cluster)
        .ok_or_else(|| RenderError::Unresolved(format!("postgres cluster `{}`", db.cluster)))?;
    let ns = app.namespace(name);
    let secret_name = cfggen_model::Database::url_secret_name(name);
    let (key, property) = crate::postgres::password_remote_ref(env, app, &db.password)?;
    let mut data = std::collections::BTreeMap::new();
    data.insert(
        "url".to_owned(),
        db.url_template(name, &cluster.host(&db.cluster), cluster.port),
    );
    let object = external_secret(
        env,
        meta(
            &secret_name,
            ns,
            app_labels(app.name_label(name), None),
            waves::PREREQUISITES,
        ),
        &secret_name,
        Some(crds::ExternalSecretTemplate {
            type_: "Opaque".into(),
            merge_policy: None,
            data,
        }),
        vec![crds::ExternalSecretData {
            secret_key: "password".into(),
            remote_ref: crds::RemoteRef { key, property },
        }],
        None,
    )?;
    out.resource(name, ns, file_name("ExternalSecret", &secret_name), &object)
}

/// An ExternalSecret against the environment's ClusterSecretStore.
pub(crate) fn external_secret(
    env: &Environment,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    target: &str,
    template: Option<crds::ExternalSecretTemplate>,
    data: Vec<crds::ExternalSecretData>,
    refresh: Option<&str>,
) -> Result<crds::ExternalSecret, RenderError> {
    let op = crate::onepassword(env)?;
    Ok(crds::ExternalSecret {
        api_version: "external-secrets.io/v1".into(),
        kind: "ExternalSecret".into(),
        metadata,
        spec: crds::ExternalSecretSpec {
            refresh_interval: refresh.unwrap_or(&op.refresh_interval).to_owned(),
            secret_store_ref: Some(crds::SecretStoreRef {
                kind: "ClusterSecretStore".into(),
                name: op.store.name.clone(),
            }),
            target: crds::ExternalSecretTarget {
                name: target.to_owned(),
                creation_policy: "Owner".into(),
                template,
            },
            data,
            data_from: Vec::new(),
        },
    })
}
