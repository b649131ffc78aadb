//! The environment's Namespaces (`namespaces.<name>`): cluster-scoped, in
//! the `cluster` folder, synced with the prerequisites, before the apps.

use k8s_openapi::api::core::v1::Namespace;

use crate::{file_name, managed_labels, meta, waves, Output, RenderError, CLUSTER_FOLDER};

/// Every Namespace the environment declares, with its labels beside
/// cfggen's and its annotations beside the sync wave.
pub(crate) fn namespaces(
    out: &mut Output,
    env: &cfggen_model::Environment,
) -> Result<(), RenderError> {
    for (name, declared) in &env.namespaces {
        let mut labels = managed_labels([]);
        crate::own_labels_over(&mut labels, &declared.labels);
        let mut metadata = meta(name, "", labels, waves::PREREQUISITES);
        metadata.namespace = None;
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.extend(
                declared
                    .annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        let object = Namespace {
            metadata,
            ..Namespace::default()
        };
        out.cluster_resource(CLUSTER_FOLDER, file_name("Namespace", name), &object)?;
    }
    Ok(())
}
