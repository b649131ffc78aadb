//! The Namespaces an environment creates: cluster-scoped objects carrying
//! the labels and annotations a namespace needs (Pod Security admission
//! levels, a mesh's injection switch, a network policy's selector).
//! Argo CD creates a namespace an app deploys to on its own
//! (`CreateNamespace=true`), bare; one declared here is created with its
//! labels, before the apps.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Namespace of the environment, by name (`namespaces.<name>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("examples" = [{"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}]))]
pub struct Namespace {
    /// Labels of the Namespace, beside cfggen's own, e.g.
    /// `pod-security.kubernetes.io/enforce: restricted`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Namespace.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}
