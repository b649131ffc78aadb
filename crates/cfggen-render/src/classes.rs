//! An app's IngressClasses and VolumeSnapshotClasses, in the folder of
//! cluster-scoped objects: the class as Kubernetes reads it, the default
//! one marked by its annotation.

use cfggen_model::App;
use indexmap::IndexMap;
use k8s_openapi::api::networking::v1::{IngressClass, IngressClassSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::{file_name, own_meta, waves, Output, RenderError};

/// `snapshot.storage.k8s.io/v1` `VolumeSnapshotClass`: its settings sit
/// beside its metadata, not in a spec.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VolumeSnapshotClass<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    driver: &'a str,
    deletion_policy: &'a str,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    parameters: &'a IndexMap<String, String>,
}

/// A class's metadata: no namespace, and the default annotation when it
/// is the default.
fn class_meta(
    name: &str,
    app: &App,
    class: &str,
    (labels, annotations): (&IndexMap<String, String>, &IndexMap<String, String>),
    default: Option<&str>,
) -> ObjectMeta {
    let mut annotations = annotations.clone();
    if let Some(key) = default {
        annotations.insert(key.to_owned(), "true".to_owned());
    }
    let mut metadata = own_meta(
        class,
        "",
        app.name_label(name),
        labels,
        &annotations,
        waves::PREREQUISITES,
    );
    metadata.namespace = None;
    metadata
}

/// One IngressClass and VolumeSnapshotClass per entry of the app's
/// `ingressClasses` and `volumeSnapshotClasses`.
pub(crate) fn classes(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    for (class_name, class) in &app.ingress_classes {
        let default = class
            .default
            .then_some(cfggen_model::service::DEFAULT_INGRESS_CLASS);
        let object = IngressClass {
            metadata: class_meta(
                name,
                app,
                class_name,
                (&class.labels, &class.annotations),
                default,
            ),
            spec: Some(IngressClassSpec {
                controller: Some(class.controller.clone()),
                parameters: class.parameters.clone(),
            }),
        };
        let file = file_name("IngressClass", class_name);
        out.cluster_resource(crate::CLUSTER_FOLDER, file, &object)?;
    }
    for (class_name, class) in &app.volume_snapshot_classes {
        let default = class
            .default
            .then_some(cfggen_model::storage::DEFAULT_SNAPSHOT_CLASS);
        let object = VolumeSnapshotClass {
            api_version: "snapshot.storage.k8s.io/v1",
            kind: "VolumeSnapshotClass",
            metadata: class_meta(
                name,
                app,
                class_name,
                (&class.labels, &class.annotations),
                default,
            ),
            driver: &class.driver,
            deletion_policy: &class.deletion_policy,
            parameters: &class.parameters,
        };
        let file = file_name("VolumeSnapshotClass", class_name);
        out.cluster_resource(crate::CLUSTER_FOLDER, file, &object)?;
    }
    Ok(())
}
