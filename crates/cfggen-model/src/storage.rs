//! Storage: the volumes a container mounts (and what backs each), an app's
//! PersistentVolumeClaims, and the static PersistentVolumes an environment
//! declares.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A volume mounted into a container: where (`mountPath`, or several
/// `mounts`), and what backs it — at most one of `configMap`, `secret`,
/// `emptyDir`, `persistentVolumeClaim`, `hostPath` or `nfs`, or of the
/// long tail in Kubernetes' own types (`projected`, `downwardAPI`, `csi`,
/// `ephemeral`, `image`). A volume
/// with no source is a StatefulSet's claim template of that name, or is
/// backed by another container of the pod that mounts the same name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Volume {
    /// One of the app's ConfigMaps; each key becomes a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<KeysSource>,
    /// One of the app's secrets; each field becomes a file named by its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<KeysSource>,
    /// Scratch space that lives as long as the pod: `true`, `{}`, or
    /// `{medium: Memory, sizeLimit: 1Gi}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDir>,
    /// One of the app's `claims`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub persistent_volume_claim: Option<String>,
    /// A folder or file of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPath>,
    /// An NFS export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<Nfs>,
    /// Several sources in one folder: the app's ConfigMaps and secrets
    /// (by the names they have in the app), the downward API, service
    /// account tokens (Kubernetes' own type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected: Option<k8s_openapi::api::core::v1::ProjectedVolumeSource>,
    /// The pod's own fields as files (Kubernetes' own type).
    #[serde(
        default,
        rename = "downwardAPI",
        skip_serializing_if = "Option::is_none"
    )]
    pub downward_api: Option<k8s_openapi::api::core::v1::DownwardAPIVolumeSource>,
    /// A volume of a CSI driver for the pod alone (Kubernetes' own type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<k8s_openapi::api::core::v1::CSIVolumeSource>,
    /// A claim made for the pod and deleted with it (Kubernetes' own
    /// type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<k8s_openapi::api::core::v1::EphemeralVolumeSource>,
    /// The files of an OCI image (Kubernetes' own type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<k8s_openapi::api::core::v1::ImageVolumeSource>,
    /// Where the volume appears in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/blueprints/custom"]))]
    pub mount_path: Option<String>,
    /// Mount only this file or folder of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["config.yaml"]))]
    pub sub_path: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// How mounts propagate between the host and the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_propagation: Option<MountPropagation>,
    /// Several mounts of the volume (each with its own path and
    /// `subPath`), instead of `mountPath`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
}

/// One mount of a volume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mount {
    /// Where the volume appears in the container.
    #[schemars(regex(pattern = "^/"))]
    pub mount_path: String,
    /// Mount only this file or folder of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

impl Volume {
    /// Every mount of the volume: `mountPath` (with `subPath`, `readOnly`)
    /// and the `mounts` list.
    pub fn all_mounts(&self) -> Vec<Mount> {
        let mut out = Vec::new();
        if let Some(path) = &self.mount_path {
            out.push(Mount {
                mount_path: path.clone(),
                sub_path: self.sub_path.clone(),
                read_only: self.read_only,
            });
        }
        out.extend(self.mounts.iter().cloned());
        out
    }

    /// The names of the sources set, for messages.
    pub fn sources(&self) -> Vec<&'static str> {
        [
            ("configMap", self.config_map.is_some()),
            ("secret", self.secret.is_some()),
            ("emptyDir", self.empty_dir.is_some()),
            (
                "persistentVolumeClaim",
                self.persistent_volume_claim.is_some(),
            ),
            ("hostPath", self.host_path.is_some()),
            ("nfs", self.nfs.is_some()),
            ("projected", self.projected.is_some()),
            ("downwardAPI", self.downward_api.is_some()),
            ("csi", self.csi.is_some()),
            ("ephemeral", self.ephemeral.is_some()),
            ("image", self.image.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect()
    }

    /// The same volume with only its source (no mount settings), to tell
    /// whether two containers back a volume the same way.
    pub fn source_only(&self) -> Volume {
        Volume {
            mount_path: None,
            sub_path: None,
            read_only: false,
            mount_propagation: None,
            mounts: Vec::new(),
            ..self.clone()
        }
    }
}

/// A ConfigMap or Secret as a volume: its name, or the name with the keys
/// to project and the file mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum KeysSource {
    /// Every key, as a file named after it.
    Name(String),
    /// Chosen keys, a file mode, or an optional source.
    Spec(KeysSpec),
}

/// The long form of a ConfigMap or Secret volume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeysSpec {
    /// The ConfigMap or secret.
    pub name: String,
    /// Keys to project, each to a path in the volume; all keys when empty.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DATA_KEY}), extend("examples" = [{"config.yaml": "app/config.yaml"}]))]
    pub items: IndexMap<String, String>,
    /// The mode of the files, as an octal number written in decimal
    /// (`0644` is `420`) or as a string `"0644"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<FileMode>,
    /// Start the pod even when the source does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

impl KeysSource {
    /// The ConfigMap or secret named.
    pub fn name(&self) -> &str {
        match self {
            KeysSource::Name(n) => n,
            KeysSource::Spec(s) => &s.name,
        }
    }

    /// Whether the volume holds the file of `key`: every key when no
    /// items are chosen.
    pub fn projects(&self, key: &str) -> bool {
        match self {
            KeysSource::Name(_) => true,
            KeysSource::Spec(s) => s.items.is_empty() || s.items.contains_key(key),
        }
    }

    /// The long form (a bare name has no items, mode or optional flag).
    pub fn spec(&self) -> KeysSpec {
        match self {
            KeysSource::Name(n) => KeysSpec {
                name: n.clone(),
                items: IndexMap::new(),
                default_mode: None,
                optional: None,
            },
            KeysSource::Spec(s) => s.clone(),
        }
    }
}

/// A file mode: a number (`420`) or an octal string (`"0644"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FileMode {
    /// The mode as a number, 0–511 (`0777`).
    Number(#[schemars(range(max = 511))] u16),
    /// The mode in octal, e.g. `"0644"`.
    Octal(#[schemars(regex(pattern = "^0?[0-7]{3}$"))] String),
}

impl FileMode {
    /// The mode as Kubernetes takes it (a number).
    pub fn value(&self) -> Option<i32> {
        match self {
            FileMode::Number(n) => Some(i32::from(*n)),
            FileMode::Octal(s) => i32::from_str_radix(s, 8).ok(),
        }
    }
}

/// Scratch space: `true`, `{}`, or with a medium and size limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EmptyDir {
    /// `true`: on the node's disk, no limit.
    Flag(bool),
    /// `{medium: Memory, sizeLimit: 64Mi}`.
    Spec(EmptyDirSpec),
}

/// The long form of an `emptyDir`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EmptyDirSpec {
    /// `Memory` for a tmpfs; the node's disk when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Medium>,
    /// The most the volume may hold, e.g. `1Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::QUANTITY))]
    pub size_limit: Option<String>,
}

/// Where an `emptyDir` lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Medium {
    /// A tmpfs in memory.
    Memory,
}

/// A folder or file of the node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostPath {
    /// The path on the node.
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/var/log"]))]
    pub path: String,
    /// What must be there (`Directory`, `DirectoryOrCreate`, `File`,
    /// `Socket`, …); not checked when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<HostPathType>,
}

/// What a `hostPath` must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum HostPathType {
    Directory,
    DirectoryOrCreate,
    File,
    FileOrCreate,
    Socket,
    CharDevice,
    BlockDevice,
}

impl HostPathType {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HostPathType::Directory => "Directory",
            HostPathType::DirectoryOrCreate => "DirectoryOrCreate",
            HostPathType::File => "File",
            HostPathType::FileOrCreate => "FileOrCreate",
            HostPathType::Socket => "Socket",
            HostPathType::CharDevice => "CharDevice",
            HostPathType::BlockDevice => "BlockDevice",
        }
    }
}

/// An NFS export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Nfs {
    /// The server's host name or address.
    #[schemars(extend("examples" = ["nas.example.com"]))]
    pub server: String,
    /// The exported path.
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/volume1/media"]))]
    pub path: String,
    /// Mount the export read-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// How mounts propagate between the host and a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MountPropagation {
    /// No propagation (the default).
    None,
    /// Mounts made on the host appear in the container.
    HostToContainer,
    /// Both ways; needs a privileged container.
    Bidirectional,
}

impl MountPropagation {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MountPropagation::None => "None",
            MountPropagation::HostToContainer => "HostToContainer",
            MountPropagation::Bidirectional => "Bidirectional",
        }
    }
}

/// A PersistentVolumeClaim (or a StatefulSet's claim template).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Claim {
    /// The storage requested, e.g. `10Gi`.
    #[schemars(regex(pattern = names::QUANTITY), extend("examples" = ["10Gi"]))]
    pub size: String,
    /// The StorageClass; the cluster's default when absent, none (static
    /// binding) when `""`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// How the volume may be mounted; `[ReadWriteOnce]` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<AccessMode>,
    /// `Filesystem` (the default) or `Block`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<VolumeMode>,
    /// Bind to this PersistentVolume (one of the environment's
    /// `persistentVolumes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub volume_name: Option<String>,
    /// Labels of the claim, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the claim (a storage provisioner's settings, a
    /// backup tool's), e.g. `volume.beta.kubernetes.io/storage-provisioner`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

impl Claim {
    /// The claim's own labels and annotations over cfggen's: the object
    /// metadata to render (the claim's labels win, as on every object
    /// that selects no pod).
    pub fn metadata_over(
        &self,
        labels: &mut std::collections::BTreeMap<String, String>,
        annotations: &mut std::collections::BTreeMap<String, String>,
    ) {
        labels.extend(self.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        annotations.extend(self.annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// The access modes, `[ReadWriteOnce]` when none are given.
    pub fn modes(&self) -> Vec<AccessMode> {
        if self.access_modes.is_empty() {
            vec![AccessMode::ReadWriteOnce]
        } else {
            self.access_modes.clone()
        }
    }
}

/// How a volume may be mounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadOnlyMany,
    ReadWriteMany,
    ReadWriteOncePod,
}

impl AccessMode {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
            AccessMode::ReadWriteMany => "ReadWriteMany",
            AccessMode::ReadWriteOncePod => "ReadWriteOncePod",
        }
    }
}

/// A volume's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum VolumeMode {
    Filesystem,
    Block,
}

impl VolumeMode {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeMode::Filesystem => "Filesystem",
            VolumeMode::Block => "Block",
        }
    }
}

/// A static PersistentVolume (cluster-scoped): NFS, a node's folder, or
/// a volume a CSI driver already has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersistentVolume {
    /// The size the volume offers, e.g. `1Ti`.
    #[schemars(regex(pattern = names::QUANTITY), extend("examples" = ["1Ti"]))]
    pub capacity: String,
    /// How the volume may be mounted; `[ReadWriteOnce]` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<AccessMode>,
    /// What happens to the data when its claim is deleted; `Retain` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<ReclaimPolicy>,
    /// The StorageClass claims must ask for; `""` (none) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// `Filesystem` (the default) or `Block`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<VolumeMode>,
    /// Mount options, e.g. `[nfsvers=4.1, hard]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_options: Vec<String>,
    /// An NFS export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<Nfs>,
    /// A folder of a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPath>,
    /// A volume a CSI driver already has (Longhorn, a cloud disk): the
    /// Kubernetes `CSIPersistentVolumeSource`, its `driver` and
    /// `volumeHandle` at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<k8s_openapi::api::core::v1::CSIPersistentVolumeSource>,
}

impl PersistentVolume {
    /// The access modes, `[ReadWriteOnce]` when none are given.
    pub fn modes(&self) -> Vec<AccessMode> {
        if self.access_modes.is_empty() {
            vec![AccessMode::ReadWriteOnce]
        } else {
            self.access_modes.clone()
        }
    }
}

/// What happens to a PersistentVolume's data when its claim goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum ReclaimPolicy {
    Retain,
    Delete,
    Recycle,
}

impl ReclaimPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReclaimPolicy::Retain => "Retain",
            ReclaimPolicy::Delete => "Delete",
            ReclaimPolicy::Recycle => "Recycle",
        }
    }
}

/// A StorageClass (cluster-scoped): how claims of its name get volumes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageClass {
    /// The driver that makes the volumes, e.g. `zfs.csi.openebs.io`.
    #[schemars(length(min = 1), extend("examples" = ["driver.longhorn.io"]))]
    pub provisioner: String,
    /// The driver's settings.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
    /// What happens to a volume when its claim goes; `Delete` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<ReclaimPolicy>,
    /// When a volume is made: `Immediate` (the default) or
    /// `WaitForFirstConsumer` (where the pod is scheduled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_binding_mode: Option<VolumeBindingMode>,
    /// Whether a claim of the class may grow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_volume_expansion: Option<bool>,
    /// Mount options of its volumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_options: Vec<String>,
    /// The class a claim that names none gets
    /// (`storageclass.kubernetes.io/is-default-class`); one at most.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

/// When a StorageClass makes a claim's volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum VolumeBindingMode {
    Immediate,
    WaitForFirstConsumer,
}

impl VolumeBindingMode {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeBindingMode::Immediate => "Immediate",
            VolumeBindingMode::WaitForFirstConsumer => "WaitForFirstConsumer",
        }
    }
}

/// The annotation that makes a StorageClass the default.
pub const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

/// A VolumeSnapshotClass (cluster-scoped): how a CSI driver takes the
/// snapshots of its volumes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{"driver": "zfs.csi.openebs.io", "deletionPolicy": "Delete", "default": true}]))]
pub struct VolumeSnapshotClass {
    /// The CSI driver.
    pub driver: String,
    /// `Delete` (the snapshot goes with its VolumeSnapshot) or `Retain`.
    #[schemars(extend("enum" = ["Delete", "Retain"]))]
    pub deletion_policy: String,
    /// The driver's parameters.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
    /// Whether VolumeSnapshots of the driver's volumes that name no class
    /// get this one (`snapshot.storage.kubernetes.io/is-default-class`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// Labels of the VolumeSnapshotClass, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the VolumeSnapshotClass.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The annotation that makes a VolumeSnapshotClass its driver's default.
pub const DEFAULT_SNAPSHOT_CLASS: &str = "snapshot.storage.kubernetes.io/is-default-class";
