//! Gateway API HTTPRoutes (`gateway.networking.k8s.io/v1`): an app's
//! host names on one or more Gateways, routed by path to its Services —
//! the Gateway API's counterpart of an Ingress.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::container::PortRef;
use crate::names;

/// An HTTPRoute, by name (`httpRoutes.<name>`): the Gateways it attaches
/// to, the host names it serves, and its rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "parentRefs": [{"name": "external", "namespace": "gateway"}],
    "hostnames": ["shop.example.com"],
    "rules": [{"path": "/", "service": "web", "port": 80}]
}]))]
pub struct HttpRoute {
    /// The Gateways (or one listener of each, `sectionName`) the route
    /// attaches to.
    #[schemars(length(min = 1))]
    pub parent_refs: Vec<ParentRef>,
    /// The host names it serves; every host name of its Gateways when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": names::ROUTE_HOSTNAME}))]
    pub hostnames: Vec<String>,
    /// Where requests go: each rule matches a path (every path when it
    /// names none) and sends it to a Service and port of the app.
    #[schemars(length(min = 1))]
    pub rules: Vec<HttpRouteRule>,
    /// Annotations of the HTTPRoute.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the HTTPRoute, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// A Gateway the route attaches to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParentRef {
    /// The Gateway's name.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: String,
    /// Its namespace; the route's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// One listener of the Gateway, by name; every listener that allows
    /// the route when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub section_name: Option<String>,
    /// The listener's port, to attach to the listeners on it only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
}

/// One rule of an HTTPRoute: a path and the Service it goes to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// The path matched; every path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub path: Option<String>,
    /// How `path` matches: `PathPrefix` (the default), `Exact` or
    /// `RegularExpression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_type: Option<RoutePathType>,
    /// One of the app's Services (or one it declares made elsewhere).
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub service: String,
    /// A port of that Service: its number, or its name (rendered as its
    /// number, which is what a route's backend names).
    pub port: PortRef,
    /// How long a request, and one try at the backend, may take, as
    /// Gateway API durations (`10s`, `1m`; `0s` for no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<RouteTimeouts>,
}

/// An HTTPRoute rule's timeouts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteTimeouts {
    /// The whole request, from the Gateway's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ROUTE_DURATION))]
    pub request: Option<String>,
    /// One request from the Gateway to the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ROUTE_DURATION))]
    pub backend_request: Option<String>,
}

/// How an HTTPRoute path matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum RoutePathType {
    PathPrefix,
    Exact,
    RegularExpression,
}

impl RoutePathType {
    /// The Gateway API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RoutePathType::PathPrefix => "PathPrefix",
            RoutePathType::Exact => "Exact",
            RoutePathType::RegularExpression => "RegularExpression",
        }
    }
}
