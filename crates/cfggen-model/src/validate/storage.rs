//! Rules about storage: each volume a pod mounts has one source (declared
//! once, or the same in every container that declares it), mounts
//! somewhere, and names what the app declares (claims, ConfigMaps,
//! secrets, their keys); claims bind to declared PersistentVolumes that
//! can hold them; PersistentVolumes have one source.

use std::collections::{BTreeMap, HashMap};

use super::claims::Apps;
use super::{Checker, Target};
use crate::app::{App, Component};
use crate::storage::{Claim, KeysSource, MountPropagation, Volume};
use crate::{names, suggest, FieldPath};

/// One declaration of a pod volume by a container.
struct Declared<'a> {
    container: &'a str,
    volume: &'a Volume,
    path: FieldPath,
}

/// Every volume of a component's pod: each container's declarations,
/// checked one by one and then together.
pub(super) fn check_pod_volumes(
    c: &mut Checker<'_>,
    app: &App,
    comp: &Component,
    cname: &str,
    cpath: &FieldPath,
) {
    let mut by_name: BTreeMap<&str, Vec<Declared<'_>>> = BTreeMap::new();
    for (role, name, container) in comp.containers(cname) {
        let base = match role.field() {
            Some(field) => cpath.key(field).key(name),
            None => cpath.clone(),
        };
        for (vname, volume) in &container.volumes {
            let path = base.key("volumes").key(vname);
            check_volume(
                c,
                app,
                vname,
                volume,
                &path,
                container.security_context.as_deref(),
            );
            by_name.entry(vname).or_default().push(Declared {
                container: name,
                volume,
                path,
            });
        }
    }
    let templates = comp
        .stateful_set
        .as_ref()
        .map(|s| &s.volume_claim_templates);
    for (vname, declared) in by_name {
        let with_source: Vec<&Declared<'_>> = declared
            .iter()
            .filter(|d| !d.volume.sources().is_empty())
            .collect();
        let is_template = templates.is_some_and(|t| t.contains_key(vname));
        match (with_source.first(), is_template) {
            (None, false) => {
                let d = &declared[0];
                c.push(
                    "volume-source",
                    d.path.clone(),
                    Target::Key,
                    format!("volume `{vname}` has no source, and no other container of the pod or claim template gives it one"),
                    "no source",
                    Some("add one of `configMap`, `secret`, `emptyDir`, `persistentVolumeClaim`, `hostPath` or `nfs`, or a StatefulSet claim template of this name".into()),
                );
            }
            (Some(d), true) => c.push(
                "volume-source",
                d.path.clone(),
                Target::Key,
                format!("volume `{vname}` is a claim template of the StatefulSet and also has its own source"),
                "two sources",
                Some("mount the claim template by its name alone, or rename the volume".into()),
            ),
            (Some(first), false) => {
                for other in &with_source[1..] {
                    if other.volume.source_only() != first.volume.source_only() {
                        c.push(
                            "volume-conflict",
                            other.path.clone(),
                            Target::Key,
                            format!(
                                "containers `{}` and `{}` give volume `{vname}` different sources",
                                first.container, other.container
                            ),
                            "differs from the other declaration",
                            Some("declare the source once; other containers mount the volume by name with only `mountPath`".into()),
                        );
                    }
                }
            }
            (None, true) => {}
        }
    }
}

/// One volume entry of a container: at most one source, a mount, and a
/// source the app declares.
fn check_volume(
    c: &mut Checker<'_>,
    app: &App,
    vname: &str,
    volume: &Volume,
    vpath: &FieldPath,
    security: Option<&crate::container::SecurityContext>,
) {
    let sources = volume.sources();
    if sources.len() > 1 {
        c.push(
            "volume-source",
            vpath.clone(),
            Target::Key,
            format!(
                "volume `{vname}` must have one source; it has {}",
                sources.join(", ")
            ),
            "more than one source",
            None,
        );
    }
    if volume.mount_path.is_none() && volume.mounts.is_empty() {
        c.push(
            "volume-mount",
            vpath.clone(),
            Target::Key,
            format!("volume `{vname}` is mounted nowhere"),
            "no `mountPath`",
            Some("add `mountPath: /path/in/the/container`".into()),
        );
    }
    if volume.mount_path.is_none() && (volume.sub_path.is_some() || volume.read_only) {
        c.push(
            "volume-mount",
            vpath.clone(),
            Target::Key,
            format!("volume `{vname}` sets `subPath` or `readOnly` but no `mountPath`"),
            "no `mountPath`",
            Some(
                "set `mountPath`, or put `subPath` and `readOnly` on each entry of `mounts`".into(),
            ),
        );
    }
    if let Some(claim) = &volume.persistent_volume_claim {
        if !app.claims.contains_key(claim)
            && !app.external_claims.contains_key(claim)
            && !app.makes(crate::app::Made::Claim, claim)
        {
            c.push(
                "unknown-claim",
                vpath.key("persistentVolumeClaim"),
                Target::Value,
                format!("volume `{vname}` mounts claim `{claim}`, which the app does not declare"),
                "not a key of the app's `claims`",
                suggest::hint(claim, app.claims.keys().map(String::as_str))
                    .or_else(|| Some("declare it under the app's `claims`, or `externalClaims` when another app or tool makes it".into())),
            );
        }
    }
    if volume.mount_propagation == Some(MountPropagation::Bidirectional)
        && security.and_then(|s| s.privileged) != Some(true)
    {
        c.push(
            "mount-propagation",
            vpath.key("mountPropagation"),
            Target::Value,
            format!("volume `{vname}` propagates mounts both ways, which Kubernetes allows only in a privileged container"),
            "needs a privileged container",
            Some("set `securityContext: {privileged: true}` on the container, or use `HostToContainer`".into()),
        );
    }
    if let Some(source) = &volume.config_map {
        check_keys_source(c, app, vname, volume, source, vpath, KeysOf::ConfigMap);
    }
    if let Some(source) = &volume.secret {
        check_keys_source(c, app, vname, volume, source, vpath, KeysOf::Secret);
    }
    if let Some(projected) = &volume.projected {
        check_projected(c, app, vname, projected, &vpath.key("projected"));
    }
}

/// The ConfigMaps and secrets of a projected volume: each one the app
/// declares (or one made elsewhere), and its `items` keys of it.
fn check_projected(
    c: &mut Checker<'_>,
    app: &App,
    vname: &str,
    projected: &k8s_openapi::api::core::v1::ProjectedVolumeSource,
    path: &FieldPath,
) {
    for (i, source) in projected.sources.iter().flatten().enumerate() {
        let spath = path.key("sources").index(i);
        let named = [
            (
                source.config_map.as_ref().map(|s| (&s.name, &s.items)),
                KeysOf::ConfigMap,
            ),
            (
                source.secret.as_ref().map(|s| (&s.name, &s.items)),
                KeysOf::Secret,
            ),
        ];
        for (found, of) in named {
            let Some((name, items)) = found else {
                continue;
            };
            let (field, keys) = declared_keys(app, name, of);
            let made = match of {
                KeysOf::ConfigMap => {
                    app.config_maps.contains_key(name)
                        || app.external_config_maps.contains_key(name)
                        || app.makes(crate::app::Made::ConfigMap, name)
                }
                KeysOf::Secret => {
                    keys.is_some()
                        || app.external_secrets.contains_key(name)
                        || app.makes(crate::app::Made::Secret, name)
                }
            };
            let fpath = spath.key(field);
            if !made {
                let (code, what) = match of {
                    KeysOf::ConfigMap => ("unknown-configmap", "ConfigMap"),
                    KeysOf::Secret => ("unknown-secret", "secret"),
                };
                c.push(
                    code,
                    fpath.key("name"),
                    Target::Value,
                    format!(
                        "volume `{vname}` projects {what} `{name}`, which the app does not declare"
                    ),
                    format!("not one of the app's `{field}s`"),
                    Some(format!(
                        "declare it under the app's `{field}s`, or as made elsewhere"
                    )),
                );
                continue;
            }
            let Some(keys) = keys else { continue };
            for (j, item) in items.iter().flatten().enumerate() {
                if !keys.contains(&item.key.as_str()) {
                    c.push(
                        "unknown-key",
                        fpath.key("items").index(j).key("key"),
                        Target::Value,
                        format!("`{name}` has no key `{}`", item.key),
                        "not a key of the source",
                        suggest::hint(&item.key, keys.iter().copied()),
                    );
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum KeysOf {
    ConfigMap,
    Secret,
}

/// The field that declares a volume's ConfigMap or Secret, and its keys
/// when they are known (a made-elsewhere one lists them, if it does).
pub(super) fn declared_keys<'a>(
    app: &'a App,
    name: &str,
    of: KeysOf,
) -> (&'static str, Option<Vec<&'a str>>) {
    match of {
        KeysOf::ConfigMap => (
            "configMap",
            app.config_maps.get(name).map(|cm| cm.keys()).or_else(|| {
                // Made elsewhere: its listed keys, if it lists them.
                app.external_config_maps
                    .get(name)
                    .filter(|e| !e.keys.is_empty())
                    .map(|e| e.keys.iter().map(String::as_str).collect())
            }),
        ),
        KeysOf::Secret => (
            "secret",
            app.secrets
                .get(name)
                .map(|item| item.keys())
                .or_else(|| {
                    // None for one that reads remote secrets whole.
                    app.own_store_secret(name)
                        .and_then(|made| made.known_keys())
                })
                .or_else(|| {
                    // An external secret: its listed keys, if it lists them.
                    app.external_secrets
                        .get(name)
                        .filter(|u| !u.keys.is_empty())
                        .map(|u| u.keys.iter().map(String::as_str).collect())
                }),
        ),
    }
}

/// A ConfigMap or secret volume: the source exists, its `items` are keys
/// of it, and each `subPath` names a file the volume holds.
fn check_keys_source(
    c: &mut Checker<'_>,
    app: &App,
    vname: &str,
    volume: &Volume,
    source: &KeysSource,
    vpath: &FieldPath,
    of: KeysOf,
) {
    let name = source.name();
    let (field, keys) = declared_keys(app, name, of);
    let unlisted = match of {
        KeysOf::Secret => {
            app.external_secrets.contains_key(name) || app.makes(crate::app::Made::Secret, name)
        }
        KeysOf::ConfigMap => {
            app.external_config_maps.contains_key(name)
                || app.makes(crate::app::Made::ConfigMap, name)
        }
    };
    let Some(keys) = keys else {
        if unlisted {
            return;
        }
        let (code, what, declared): (&str, &str, Vec<&str>) = match of {
            KeysOf::ConfigMap => (
                "unknown-configmap",
                "ConfigMap",
                app.config_maps.keys().map(String::as_str).collect(),
            ),
            KeysOf::Secret => (
                "unknown-secret",
                "secret",
                app.secrets.keys().map(String::as_str).collect(),
            ),
        };
        c.push(
            code,
            vpath.key(field),
            Target::Value,
            format!("volume `{vname}` mounts {what} `{name}`, which the app does not declare"),
            format!("not a key of the app's `{field}s`"),
            suggest::hint(name, declared),
        );
        return;
    };
    let spec = source.spec();
    for key in spec.items.keys() {
        if !keys.contains(&key.as_str()) {
            c.push(
                "unknown-key",
                vpath.key(field).key("items").key(key),
                Target::Key,
                format!("`{name}` has no key `{key}`"),
                "not a key of the source",
                suggest::hint(key, keys.iter().copied()),
            );
        }
    }
    // The files in the volume: the keys, or the paths `items` gives them.
    let files: Vec<&str> = if spec.items.is_empty() {
        keys.clone()
    } else {
        spec.items.values().map(String::as_str).collect()
    };
    let mut mounts = Vec::new();
    if let Some(sub) = &volume.sub_path {
        mounts.push((sub.as_str(), vpath.key("subPath")));
    }
    for (i, m) in volume.mounts.iter().enumerate() {
        if let Some(sub) = &m.sub_path {
            mounts.push((sub.as_str(), vpath.key("mounts").index(i).key("subPath")));
        }
    }
    for (sub, path) in mounts {
        let in_volume = files
            .iter()
            .any(|f| *f == sub || f.starts_with(&format!("{}/", sub.trim_end_matches('/'))));
        if !in_volume {
            c.push(
                "unknown-key",
                path,
                Target::Value,
                format!(
                    "`subPath: {sub}` names no file of volume `{vname}` (`{name}` holds {})",
                    files.join(", ")
                ),
                "no such file in the volume",
                suggest::hint(sub, files.iter().copied()),
            );
        }
    }
}

/// One PersistentVolume, one claim: across the apps, a volume that a
/// claim binds by name (one made elsewhere, or one of the environment's;
/// a raw manifest's is written as it is) is bound by no other claim.
pub(super) fn check_bound_volumes(c: &mut Checker<'_>, apps: &Apps<'_>) {
    let env = c.env;
    let mut bound: HashMap<&str, String> = HashMap::new();
    for (app_name, claims) in apps {
        for (volume, claim, elsewhere) in &claims.volumes {
            if !elsewhere && !env.persistent_volumes.contains_key(volume) {
                continue;
            }
            let here = format!("{app_name}/{claim}");
            if let Some(first) = bound.insert(volume, here) {
                c.push(
                    "claim-binding",
                    FieldPath::of(&["apps", app_name, "claims", claim, "volumeName"]),
                    Target::Value,
                    format!("PersistentVolume `{volume}` is claimed by `{first}` already; a volume binds one claim"),
                    "volume already claimed",
                    None,
                );
            }
        }
    }
}

/// An app's claims: a `volumeName` is one of the environment's
/// PersistentVolumes (or one a raw manifest of an app makes, or one made
/// elsewhere, not both), which can hold the claim.
pub(super) fn check_claims(c: &mut Checker<'_>, apps: &Apps<'_>, app_name: &str, app: &App) {
    let env = c.env;
    for (name, claim) in &app.claims {
        let path = FieldPath::of(&["apps", app_name, "claims", name]);
        let Some(volume_name) = &claim.volume_name else {
            continue;
        };
        // A PersistentVolume among the apps' raw manifests is written as
        // it is: the claim binds to it.
        let raw = || {
            apps.iter()
                .any(|(_, a)| a.raw_volumes.contains(volume_name))
        };
        let elsewhere = app.external_persistent_volumes.contains_key(volume_name);
        if elsewhere {
            if env.persistent_volumes.contains_key(volume_name) {
                c.push(
                    "name-conflict",
                    FieldPath::of(&["apps", app_name, "externalPersistentVolumes", volume_name]),
                    Target::Key,
                    format!("PersistentVolume `{volume_name}` is both one of the environment's `persistentVolumes` (made by cfggen) and one made elsewhere"),
                    "declared twice",
                    Some("keep one of the two".into()),
                );
            }
            continue;
        }
        let Some(pv) = env.persistent_volumes.get(volume_name) else {
            if raw() {
                continue;
            }
            c.push(
                "unknown-volume",
                path.key("volumeName"),
                Target::Value,
                format!("claim `{name}` binds to PersistentVolume `{volume_name}`, which the environment does not declare"),
                "not a key of `persistentVolumes`",
                suggest::hint(volume_name, env.persistent_volumes.keys().map(String::as_str))
                    .or_else(|| Some(format!("declare it under the environment's `persistentVolumes`, or, made elsewhere, under `apps.{app_name}.externalPersistentVolumes`"))),
            );
            continue;
        };
        check_binding(c, name, claim, volume_name, pv, &path);
    }
}

/// A claim bound by name to a PersistentVolume must fit it.
fn check_binding(
    c: &mut Checker<'_>,
    name: &str,
    claim: &Claim,
    volume_name: &str,
    pv: &crate::storage::PersistentVolume,
    path: &FieldPath,
) {
    let pv_class = pv.storage_class_name.as_deref().unwrap_or("");
    let shown = if pv_class.is_empty() {
        "none, `\"\"`".to_owned()
    } else {
        format!("`{pv_class}`")
    };
    match claim.storage_class_name.as_deref() {
        Some(class) if class == pv_class => {}
        // Kubernetes takes it; whether it binds depends on the cluster.
        None => c.warn(
            "claim-default-class",
            path.clone(),
            Target::Key,
            format!(
                "claim `{name}` asks for no StorageClass, and PersistentVolume `{volume_name}` has {shown}: where the cluster has a default class, the claim gets that one and the volume does not fit it"
            ),
            "no StorageClass",
            Some(format!("set `storageClassName: \"{pv_class}\"` to bind it on any cluster")),
        ),
        Some(class) => c.push(
            "claim-binding",
            path.key("storageClassName"),
            Target::Value,
            format!(
                "claim `{name}` asks for StorageClass `{class}`, and PersistentVolume `{volume_name}` has {shown}: it never binds"
            ),
            "StorageClass differs from the volume's",
            Some(format!("set `storageClassName: \"{pv_class}\"`")),
        ),
    }
    let modes = pv.modes();
    for mode in claim.modes() {
        if !modes.contains(&mode) {
            c.push(
                "claim-binding",
                path.key("accessModes"),
                Target::Value,
                format!("claim `{name}` asks for {}, which PersistentVolume `{volume_name}` does not offer", mode.as_str()),
                "access mode not offered",
                None,
            );
        }
    }
    if let (Some(want), Some(have)) = (names::quantity(&claim.size), names::quantity(&pv.capacity))
    {
        if want > have {
            c.push(
                "claim-binding",
                path.key("size"),
                Target::Value,
                format!("claim `{name}` asks for {}, more than PersistentVolume `{volume_name}` holds ({})", claim.size, pv.capacity),
                "larger than the volume",
                None,
            );
        }
    }
}

/// The environment's StorageClasses: one default at most.
pub(super) fn check_storage_classes(c: &mut Checker<'_>) {
    let env = c.env;
    let defaults: Vec<&String> = env
        .storage_classes
        .iter()
        .filter(|(_, class)| class.default)
        .map(|(name, _)| name)
        .collect();
    if let [first, rest @ ..] = defaults.as_slice() {
        for name in rest {
            c.push(
                "storage-class-default",
                FieldPath::of(&["storageClasses", name, "default"]),
                Target::Value,
                format!("StorageClasses `{first}` and `{name}` are both the default"),
                "a second default",
                Some(
                    "keep `default: true` on one class: a claim that names none gets one class"
                        .into(),
                ),
            );
        }
    }
}

/// One default IngressClass in the environment, and one default
/// VolumeSnapshotClass per CSI driver (`class-default`): with two,
/// Kubernetes refuses what names no class.
pub(super) fn check_default_classes(c: &mut Checker<'_>, apps: &Apps<'_>) {
    let mut first: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (_, claims) in apps {
        for (of, class, at) in &claims.default_classes {
            match first.get(of.as_str()) {
                None => {
                    first.insert(of, class);
                }
                Some(earlier) => c.push(
                    "class-default",
                    at.clone(),
                    Target::Value,
                    format!("{of}: `{earlier}` and `{class}` are both the default"),
                    "a second default",
                    Some("keep `default: true` on one class: Kubernetes refuses an object that names no class when two are the default".into()),
                ),
            }
        }
    }
}

/// The environment's PersistentVolumes: exactly one source each.
pub(super) fn check_persistent_volumes(c: &mut Checker<'_>) {
    let env = c.env;
    for (name, pv) in env.persistent_volumes {
        let sources = usize::from(pv.nfs.is_some())
            + usize::from(pv.host_path.is_some())
            + usize::from(pv.csi.is_some());
        if sources != 1 {
            c.push(
                "volume-source",
                FieldPath::of(&["persistentVolumes", name]),
                Target::Key,
                format!("PersistentVolume `{name}` must have exactly one of `nfs`, `hostPath` or `csi`; it has {sources}"),
                "expected one source",
                None,
            );
        }
        let csi = pv.csi.as_ref();
        for (field, empty) in [
            ("driver", csi.is_some_and(|c| c.driver.is_empty())),
            (
                "volumeHandle",
                csi.is_some_and(|c| c.volume_handle.is_empty()),
            ),
        ] {
            if empty {
                c.push(
                    "volume-source",
                    FieldPath::of(&["persistentVolumes", name, "csi", field]),
                    Target::Value,
                    format!("the CSI volume of PersistentVolume `{name}` has an empty `{field}`"),
                    "empty",
                    Some(
                        "name the driver (`driver.longhorn.io`) and the volume it already has"
                            .into(),
                    ),
                );
            }
        }
    }
}
