//! A PersistentVolume object in cfggen's form: an entry of the
//! environment's `persistentVolumes` (NFS, a node's folder or a CSI
//! volume), built as the model's own type. The claim that binds it names
//! it (`volumeName`); cfggen writes the volume's `claimRef` from that.

use cfggen_model::storage::{PersistentVolume, StorageClass, DEFAULT_CLASS};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::take::{Taker, Why};

/// The `persistentVolumes` entry of a PersistentVolume object, or why it
/// has none.
pub(crate) fn declaration(object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    // What an API server writes on a bound volume.
    meta.take("finalizers")
        .filter(|f| f != &serde_json::json!(["kubernetes.io/pv-protection"]))
        .map_or(Ok(()), |_| {
            Err("finalizers other than Kubernetes' own".to_owned())
        })?;
    // Only cfggen's own label, which it writes.
    let labels = meta.strings("labels")?;
    let (key, value) = cfggen_model::names::MANAGED_BY;
    if labels.iter().any(|(k, v)| k != key || v != value) {
        return Err("`.metadata.labels` has no typed form in cfggen for a PersistentVolume".into());
    }
    meta.done()?;
    let mut spec = t.sub("spec")?;
    t.take("status");
    t.done()?;
    let mut capacity = spec.sub("capacity")?;
    let size = capacity
        .string("storage")?
        .ok_or("a PersistentVolume without `spec.capacity.storage`")?;
    capacity.done()?;
    // Written from the claim that binds it (`volumeName`).
    spec.take("claimRef");
    let pv = PersistentVolume {
        capacity: size,
        access_modes: typed(&mut spec, "accessModes")?.unwrap_or_default(),
        reclaim_policy: typed(&mut spec, "persistentVolumeReclaimPolicy")?,
        storage_class_name: spec.string("storageClassName")?,
        volume_mode: typed(&mut spec, "volumeMode")?,
        mount_options: typed(&mut spec, "mountOptions")?.unwrap_or_default(),
        nfs: typed(&mut spec, "nfs")?,
        host_path: typed(&mut spec, "hostPath")?,
        csi: typed(&mut spec, "csi")?,
    };
    spec.done()?;
    serde_json::to_value(pv).map_err(|e| e.to_string())
}

/// The field `key` of `spec` as the model's type `T`, when present.
fn typed<T: DeserializeOwned>(spec: &mut Taker, key: &str) -> Result<Option<T>, Why> {
    spec.take(key)
        .map(|v| {
            serde_json::from_value(v).map_err(|e| format!("`spec.{key}` has no typed form: {e}"))
        })
        .transpose()
}

/// The `storageClasses` entry of a StorageClass object, or why it has
/// none.
pub(crate) fn storage_class(object: &Value) -> Result<Value, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let (key, value) = cfggen_model::names::MANAGED_BY;
    if labels.iter().any(|(k, v)| k != key || v != value) {
        return Err("`.metadata.labels` has no typed form in cfggen for a StorageClass".into());
    }
    let mut annotations = meta.sub("annotations")?;
    let default = match annotations.string(DEFAULT_CLASS)?.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(format!("`{DEFAULT_CLASS}: {other}`")),
    };
    annotations.done()?;
    meta.done()?;
    let provisioner = t
        .string("provisioner")?
        .ok_or("a StorageClass without a provisioner")?;
    let class = StorageClass {
        provisioner,
        parameters: t
            .strings("parameters")?
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
            .collect(),
        reclaim_policy: typed(&mut t, "reclaimPolicy")?,
        volume_binding_mode: typed(&mut t, "volumeBindingMode")?,
        allow_volume_expansion: typed(&mut t, "allowVolumeExpansion")?,
        mount_options: typed(&mut t, "mountOptions")?.unwrap_or_default(),
        default,
    };
    t.done()?;
    serde_json::to_value(class).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_nfs_volume_becomes_its_entry() {
        let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "media"},
            "spec": {"capacity": {"storage": "2Ti"}, "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "nfs": {"server": "nas", "path": "/media"}, "mountOptions": ["nfsvers=4.2"]}});
        assert_eq!(
            declaration(&pv).unwrap(),
            json!({"capacity": "2Ti", "accessModes": ["ReadWriteMany"], "reclaimPolicy": "Retain",
                "mountOptions": ["nfsvers=4.2"], "nfs": {"server": "nas", "path": "/media"}})
        );
    }

    #[test]
    fn a_csi_volume_keeps_its_driver_and_handle() {
        let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "vol"},
            "spec": {"capacity": {"storage": "2Gi"}, "storageClassName": "longhorn",
                "csi": {"driver": "driver.longhorn.io", "volumeHandle": "existing",
                    "fsType": "ext4", "volumeAttributes": {"numberOfReplicas": "3"}}}});
        let typed = declaration(&pv).unwrap();
        assert_eq!(typed["csi"]["driver"], "driver.longhorn.io");
        assert_eq!(typed["csi"]["volumeAttributes"]["numberOfReplicas"], "3");
    }

    #[test]
    fn a_default_storage_class_becomes_its_entry() {
        let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "zfs", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "zfs.csi.openebs.io", "allowVolumeExpansion": true,
            "parameters": {"poolname": "data-pool"}});
        assert_eq!(
            storage_class(&class).unwrap(),
            json!({"provisioner": "zfs.csi.openebs.io", "parameters": {"poolname": "data-pool"},
                "allowVolumeExpansion": true, "default": true})
        );
    }

    #[test]
    fn what_the_model_has_no_place_for_is_the_reason() {
        let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "local", "labels": {"type": "local"}},
            "spec": {"capacity": {"storage": "1Gi"}, "hostPath": {"path": "/data"}}});
        assert!(declaration(&pv).unwrap_err().contains("labels"));
        let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "local"},
            "spec": {"capacity": {"storage": "1Gi"}, "local": {"path": "/data"},
                "nodeAffinity": {"required": {}}}});
        assert!(declaration(&pv).unwrap_err().contains("no typed form"));
    }
}
