//! An app's configuration objects: its ConfigMaps, and an ExternalSecret
//! per 1Password item (typed when the item says so).

use cfggen_model::{App, Environment};
use k8s_openapi::api::core::v1::ConfigMap;

use crate::{app_labels, crds, file_name, meta, waves, Output, RenderError};

pub(crate) fn config_maps(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (cm_name, cm) in &app.config_maps {
        let object = ConfigMap {
            metadata: meta(cm_name, ns, app_labels(name, None), waves::PREREQUISITES),
            data: Some(
                cm.data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            ..ConfigMap::default()
        };
        out.resource(name, ns, file_name("ConfigMap", cm_name), &object)?;
    }
    Ok(())
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
        let data = item
            .fields
            .iter()
            .map(|(label, field)| {
                let (key, property) = item.remote_ref(env.onepassword.store.provider, label, field);
                crds::ExternalSecretData {
                    secret_key: field.key(label).to_owned(),
                    remote_ref: crds::RemoteRef { key, property },
                }
            })
            .collect();
        let object = external_secret(
            env,
            meta(
                secret_name,
                ns,
                app_labels(name, None),
                waves::PREREQUISITES,
            ),
            secret_name,
            item.kind.map(|kind| crds::ExternalSecretTemplate {
                type_: kind.as_str().to_owned(),
                data: Default::default(),
            }),
            data,
        );
        out.resource(name, ns, file_name("ExternalSecret", secret_name), &object)?;
    }
    Ok(())
}

/// An ExternalSecret against the environment's ClusterSecretStore.
pub(crate) fn external_secret(
    env: &Environment,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    target: &str,
    template: Option<crds::ExternalSecretTemplate>,
    data: Vec<crds::ExternalSecretData>,
) -> crds::ExternalSecret {
    crds::ExternalSecret {
        api_version: "external-secrets.io/v1".into(),
        kind: "ExternalSecret".into(),
        metadata,
        spec: crds::ExternalSecretSpec {
            refresh_interval: env.onepassword.refresh_interval.clone(),
            secret_store_ref: crds::SecretStoreRef {
                kind: "ClusterSecretStore".into(),
                name: env.onepassword.store.name.clone(),
            },
            target: crds::ExternalSecretTarget {
                name: target.to_owned(),
                creation_policy: "Owner".into(),
                template,
            },
            data,
        },
    }
}
