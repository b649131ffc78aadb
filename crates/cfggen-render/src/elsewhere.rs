//! `made-elsewhere.yaml`: the ConfigMaps and Services the environment's
//! apps read, the claims their pods mount, the PersistentVolumes their
//! claims bind to and the pods their Services select, that cfggen does
//! not make (`externalConfigMaps`, `externalServices`, `externalClaims`,
//! `externalPersistentVolumes`, `externalPods`), for reviewers and for the lint, which
//! takes them as there. Not deployed: it sits beside the apps' folders, as the
//! 1Password inventory does.

use cfggen_model::Environment;
use serde::Serialize;

use crate::{Output, RenderError};

/// The file.
#[derive(Serialize)]
struct Doc<'a> {
    environment: &'a str,
    #[serde(rename = "configMaps", skip_serializing_if = "Vec::is_empty")]
    config_maps: Vec<Entry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<Entry<'a>>,
    /// PersistentVolumeClaims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    claims: Vec<Entry<'a>>,
    /// Cluster-scoped: no namespace.
    #[serde(rename = "persistentVolumes", skip_serializing_if = "Vec::is_empty")]
    persistent_volumes: Vec<Entry<'a>>,
    /// Pods, with their labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pods: Vec<Entry<'a>>,
}

/// One object made elsewhere.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
    /// Its keys (a ConfigMap) or ports (a Service); any when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keys: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    /// The labels of pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<&'a indexmap::IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    made_by: Option<&'a str>,
    /// The app that reads it.
    read_by: &'a str,
}

/// Writes `made-elsewhere.yaml` when an app declares anything made
/// elsewhere.
pub(crate) fn made_elsewhere(out: &mut Output, env: &Environment) -> Result<(), RenderError> {
    let mut doc = Doc {
        environment: &env.name,
        config_maps: Vec::new(),
        services: Vec::new(),
        claims: Vec::new(),
        persistent_volumes: Vec::new(),
        pods: Vec::new(),
    };
    for (app_name, app) in &env.apps {
        let namespace = app.namespace(app_name);
        for (name, cm) in &app.external_config_maps {
            doc.config_maps.push(Entry {
                namespace: Some(namespace),
                name,
                keys: cm.keys.clone(),
                ports: Vec::new(),
                labels: None,
                made_by: cm.made_by.as_deref(),
                read_by: app_name,
            });
        }
        for (name, svc) in &app.external_services {
            doc.services.push(Entry {
                namespace: Some(namespace),
                name,
                keys: Vec::new(),
                ports: svc.ports.iter().map(ToString::to_string).collect(),
                labels: None,
                made_by: svc.made_by.as_deref(),
                read_by: app_name,
            });
        }
        for (name, claim) in &app.external_claims {
            doc.claims.push(Entry {
                namespace: Some(namespace),
                name,
                keys: Vec::new(),
                ports: Vec::new(),
                labels: None,
                made_by: claim.made_by.as_deref(),
                read_by: app_name,
            });
        }
        for (name, pv) in &app.external_persistent_volumes {
            doc.persistent_volumes.push(Entry {
                namespace: None,
                name,
                keys: Vec::new(),
                ports: Vec::new(),
                labels: None,
                made_by: pv.made_by.as_deref(),
                read_by: app_name,
            });
        }
        for (name, pods) in &app.external_pods {
            doc.pods.push(Entry {
                namespace: Some(namespace),
                name,
                keys: Vec::new(),
                ports: Vec::new(),
                labels: Some(&pods.labels),
                made_by: pods.made_by.as_deref(),
                read_by: app_name,
            });
        }
    }
    let lists = [
        &mut doc.config_maps,
        &mut doc.services,
        &mut doc.claims,
        &mut doc.persistent_volumes,
        &mut doc.pods,
    ];
    if lists.iter().all(|l| l.is_empty()) {
        return Ok(());
    }
    for list in lists {
        list.sort_by(|a, b| {
            (a.namespace, a.name, a.read_by).cmp(&(b.namespace, b.name, b.read_by))
        });
    }
    out.file(cfggen_tree::MADE_ELSEWHERE_FILE.to_owned(), &doc)
}
