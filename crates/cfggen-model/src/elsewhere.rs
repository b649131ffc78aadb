//! What an app reads that something else makes: a ConfigMap a kustomize
//! `configMapGenerator`, an operator or a person makes, a Service of
//! another tool (a Helm chart's, an operator's), a PersistentVolume a
//! storage team or another repository makes, a claim several apps of a
//! namespace share. Declared so that the
//! references to them are checked (a key, a port), the lint knows they
//! exist, and `generated/<env>/made-elsewhere.yaml` lists them for
//! reviewers. So are pods another tool makes that a Service of the app
//! selects. Secrets made elsewhere are `externalSecrets`
//! ([`crate::secrets::UnmanagedSecret`]), listed in the 1Password
//! inventory.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::container::PortRef;
use crate::names;

/// A ConfigMap made elsewhere that the app's pods read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigMapElsewhere {
    /// Its keys; references to other keys are refused. Any key when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": names::DATA_KEY}), extend("examples" = [["config.yaml"]]))]
    pub keys: Vec<String>,
    /// Who makes it, for people reading `made-elsewhere.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["kustomize configMapGenerator"]))]
    pub made_by: Option<String>,
}

impl ConfigMapElsewhere {
    /// Whether it has `key` (any key when none are listed).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys.is_empty() || self.keys.iter().any(|k| k == key)
    }
}

/// A Service made elsewhere that the app's Ingresses route to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceElsewhere {
    /// Its ports, by name or number; routes to other ports are refused.
    /// Any port when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["http", 443]]))]
    pub ports: Vec<PortRef>,
    /// Who makes it, for people reading `made-elsewhere.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["the ingress-nginx chart"]))]
    pub made_by: Option<String>,
}

impl ServiceElsewhere {
    /// Whether it has `port` (any port when none are listed).
    pub fn has_port(&self, port: &PortRef) -> bool {
        self.ports.is_empty() || self.ports.contains(port)
    }
}

/// A PersistentVolume made elsewhere that one of the app's claims binds
/// to by `volumeName`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersistentVolumeElsewhere {
    /// Who makes it, for people reading `made-elsewhere.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["the storage team's Terraform"]))]
    pub made_by: Option<String>,
}

/// A PersistentVolumeClaim made elsewhere that the app's pods mount (a
/// claim another app of the namespace holds, shared by several apps; one
/// a storage team makes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClaimElsewhere {
    /// Who makes it, for people reading `made-elsewhere.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["app media (the shared library)"]))]
    pub made_by: Option<String>,
}

/// Pods something else makes (a Helm chart's DaemonSet, an operator's
/// workload) that a Service of the app selects: the Service is checked to
/// select them, the lint takes them as there, and
/// `generated/<env>/made-elsewhere.yaml` lists them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodsElsewhere {
    /// Labels the pods carry: at least those a Service selects them by.
    #[schemars(
        extend("minProperties" = 1),
        extend("examples" = [{"app.kubernetes.io/name": "kubearmor"}])
    )]
    pub labels: indexmap::IndexMap<String, String>,
    /// Who makes them, for people reading `made-elsewhere.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["the KubeArmor operator"]))]
    pub made_by: Option<String>,
}

impl PodsElsewhere {
    /// Whether they carry every label of `selector`.
    pub fn selected_by(&self, selector: &indexmap::IndexMap<String, String>) -> bool {
        selector.iter().all(|(k, v)| self.labels.get(k) == Some(v))
    }
}
