//! Storage objects: an app's PersistentVolumeClaims, and the environment's
//! static PersistentVolumes (cluster-scoped, in the `cluster` folder),
//! each reserved for the claim that binds it by name.

use std::collections::BTreeMap;

use cfggen_model::storage::Claim;
use cfggen_model::{App, Environment};
use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NFSVolumeSource, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::{
    app_labels, file_name, managed_labels, meta, waves, Output, RenderError, CLUSTER_FOLDER,
};

/// The spec of a claim (also a StatefulSet's claim template).
pub(crate) fn claim_spec(claim: &Claim) -> PersistentVolumeClaimSpec {
    let mut requests = BTreeMap::new();
    requests.insert("storage".to_owned(), Quantity(claim.size.clone()));
    PersistentVolumeClaimSpec {
        access_modes: Some(
            claim
                .modes()
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
        ),
        storage_class_name: claim.storage_class_name.clone(),
        volume_mode: claim.volume_mode.map(|m| m.as_str().to_owned()),
        volume_name: claim.volume_name.clone(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(requests),
            limits: None,
        }),
        ..PersistentVolumeClaimSpec::default()
    }
}

/// The app's claims.
pub(crate) fn claims(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (claim_name, claim) in &app.claims {
        let mut metadata = meta(
            claim_name,
            ns,
            app_labels(app.name_label(name), None),
            waves::PREREQUISITES,
        );
        if let (Some(labels), Some(annotations)) =
            (metadata.labels.as_mut(), metadata.annotations.as_mut())
        {
            claim.metadata_over(labels, annotations);
        }
        let object = PersistentVolumeClaim {
            metadata,
            spec: Some(claim_spec(claim)),
            ..PersistentVolumeClaim::default()
        };
        out.resource(
            name,
            ns,
            file_name("PersistentVolumeClaim", claim_name),
            &object,
        )?;
    }
    Ok(())
}

/// The environment's PersistentVolumes, in the `cluster` folder.
pub(crate) fn persistent_volumes(out: &mut Output, env: &Environment) -> Result<(), RenderError> {
    // Which claim binds each volume, so no other claim can take it.
    let mut claimed: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for (app_name, app) in &env.apps {
        for (claim_name, claim) in &app.claims {
            if let Some(volume) = &claim.volume_name {
                claimed.insert(volume, (app.namespace(app_name), claim_name));
            }
        }
    }
    for (pv_name, pv) in &env.persistent_volumes {
        let mut capacity = BTreeMap::new();
        capacity.insert("storage".to_owned(), Quantity(pv.capacity.clone()));
        let mut metadata = meta(pv_name, "", managed_labels([]), waves::PREREQUISITES);
        metadata.namespace = None;
        let object = PersistentVolume {
            metadata,
            spec: Some(PersistentVolumeSpec {
                capacity: Some(capacity),
                access_modes: Some(pv.modes().iter().map(|m| m.as_str().to_owned()).collect()),
                persistent_volume_reclaim_policy: Some(
                    pv.reclaim_policy
                        .map_or("Retain", |p| p.as_str())
                        .to_owned(),
                ),
                storage_class_name: Some(pv.storage_class_name.clone().unwrap_or_default()),
                volume_mode: pv.volume_mode.map(|m| m.as_str().to_owned()),
                mount_options: (!pv.mount_options.is_empty()).then(|| pv.mount_options.clone()),
                nfs: pv.nfs.as_ref().map(|n| NFSVolumeSource {
                    server: n.server.clone(),
                    path: n.path.clone(),
                    read_only: n.read_only.then_some(true),
                }),
                host_path: pv.host_path.as_ref().map(|h| HostPathVolumeSource {
                    path: h.path.clone(),
                    type_: h.kind.map(|k| k.as_str().to_owned()),
                }),
                csi: pv.csi.clone(),
                claim_ref: claimed
                    .get(pv_name.as_str())
                    .map(|(ns, claim)| ObjectReference {
                        api_version: Some("v1".into()),
                        kind: Some("PersistentVolumeClaim".into()),
                        namespace: Some((*ns).to_owned()),
                        name: Some((*claim).to_owned()),
                        ..ObjectReference::default()
                    }),
                ..PersistentVolumeSpec::default()
            }),
            ..PersistentVolume::default()
        };
        out.cluster_resource(
            CLUSTER_FOLDER,
            file_name("PersistentVolume", pv_name),
            &object,
        )?;
    }
    Ok(())
}

/// The environment's StorageClasses, in the `cluster` folder, synced
/// before the claims that name them.
pub(crate) fn storage_classes(out: &mut Output, env: &Environment) -> Result<(), RenderError> {
    for (name, class) in &env.storage_classes {
        let mut metadata = meta(name, "", managed_labels([]), waves::CLUSTERS);
        metadata.namespace = None;
        if class.default {
            if let Some(a) = metadata.annotations.as_mut() {
                a.insert(cfggen_model::storage::DEFAULT_CLASS.into(), "true".into());
            }
        }
        let object = k8s_openapi::api::storage::v1::StorageClass {
            metadata,
            provisioner: class.provisioner.clone(),
            parameters: (!class.parameters.is_empty()).then(|| {
                class
                    .parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }),
            reclaim_policy: class.reclaim_policy.map(|p| p.as_str().to_owned()),
            volume_binding_mode: class.volume_binding_mode.map(|m| m.as_str().to_owned()),
            allow_volume_expansion: class.allow_volume_expansion,
            mount_options: (!class.mount_options.is_empty()).then(|| class.mount_options.clone()),
            ..k8s_openapi::api::storage::v1::StorageClass::default()
        };
        out.cluster_resource(CLUSTER_FOLDER, file_name("StorageClass", name), &object)?;
    }
    Ok(())
}
