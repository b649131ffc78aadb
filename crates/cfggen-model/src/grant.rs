//! Gateway API ReferenceGrants: which objects of other namespaces (routes,
//! Gateways) may refer to objects of the app's namespace (its Services,
//! its Secrets). A route that sends to a Service of another namespace
//! works only when a grant there lets it.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A ReferenceGrant (`gateway.networking.k8s.io/v1beta1`, the version
/// every Gateway API release serves), in the app's namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "frigate"}],
    "to": [{"group": "", "kind": "Service", "name": "auth-proxy"}]
}]))]
pub struct ReferenceGrant {
    /// Who may refer: the kind of object, and its namespace.
    #[schemars(length(min = 1, max = 16))]
    pub from: Vec<GrantFrom>,
    /// What they may refer to, in the app's namespace.
    #[schemars(length(min = 1, max = 16))]
    pub to: Vec<GrantTo>,
    /// Labels of the ReferenceGrant, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the ReferenceGrant.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Objects of a kind and namespace that may refer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrantFrom {
    /// Their API group: `gateway.networking.k8s.io` for routes and
    /// Gateways.
    #[schemars(extend("examples" = ["gateway.networking.k8s.io"]))]
    pub group: String,
    /// Their kind: `HTTPRoute`, `TLSRoute`, `TCPRoute`, `GRPCRoute`,
    /// `Gateway`, …
    #[schemars(extend("examples" = ["HTTPRoute", "Gateway"]))]
    pub kind: String,
    /// Their namespace.
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: String,
}

/// Objects of the app's namespace that may be referred to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrantTo {
    /// Their API group: `""` (the core group) for Services and Secrets.
    pub group: String,
    /// Their kind: `Service`, `Secret`, …
    #[schemars(extend("examples" = ["Service", "Secret"]))]
    pub kind: String,
    /// One object by name; every object of the kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
}

impl ReferenceGrant {
    /// Whether it lets objects of `kind` (of `group`) in namespace
    /// `from_namespace` refer to the core-group object `to_kind` named
    /// `name`.
    pub fn allows(
        &self,
        (group, kind, from_namespace): (&str, &str, &str),
        to_kind: &str,
        name: &str,
    ) -> bool {
        self.from
            .iter()
            .any(|f| f.group == group && f.kind == kind && f.namespace == from_namespace)
            && self.to.iter().any(|t| {
                t.group.is_empty()
                    && t.kind == to_kind
                    && t.name.as_deref().is_none_or(|n| n == name)
            })
    }
}
