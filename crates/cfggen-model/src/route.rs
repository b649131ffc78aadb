//! Gateway API routes: HTTPRoutes (`gateway.networking.k8s.io/v1`), an
//! app's host names on one or more Gateways, routed by path to its
//! Services — the Gateway API's counterpart of an Ingress; and TLSRoutes
//! and TCPRoutes, connections a Gateway passes on whole (by SNI host
//! name, or by listener) to the app's Services.

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

/// One rule of an HTTPRoute: a path, and where its requests go: one
/// Service (`service` and `port`), several sharing them by weight
/// (`backends`), or a redirect; with the headers it changes on the way.
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
    /// One of the app's Services (or one it declares made elsewhere),
    /// which takes every request; with `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub service: Option<String>,
    /// A port of that Service: its number, or its name (rendered as its
    /// number, which is what a route's backend names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    /// Several Services sharing the requests by `weight` (a canary, a
    /// blue-green switch), or one of another namespace; instead of
    /// `service` and `port`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub backends: Vec<RouteBackend>,
    /// Answers with a redirect instead of sending the request on (HTTP
    /// to HTTPS, another host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RouteRedirect>,
    /// Rewrites the host name or path before the request goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<RouteRewrite>,
    /// Headers set, added or removed on the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<HeaderChanges>,
    /// Headers set, added or removed on the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeaderChanges>,
    /// How long a request, and one try at the backend, may take, as
    /// Gateway API durations (`10s`, `1m`; `0s` for no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<RouteTimeouts>,
}

impl HttpRouteRule {
    /// Where the rule sends requests: its one Service, or its backends.
    pub fn all_backends(&self) -> Vec<RouteBackend> {
        match (&self.service, &self.port) {
            (Some(service), Some(port)) => vec![RouteBackend {
                service: service.clone(),
                namespace: None,
                port: port.clone(),
                weight: None,
            }],
            _ => self.backends.clone(),
        }
    }
}

/// A redirect an HTTPRoute rule answers with (Gateway API's
/// `RequestRedirect` filter); what it leaves out stays as requested.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteRedirect {
    /// `http` or `https`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["http", "https"]))]
    pub scheme: Option<String>,
    /// The host name redirected to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ROUTE_HOSTNAME))]
    pub hostname: Option<String>,
    /// The path redirected to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathChange>,
    /// The port redirected to; the scheme's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// `301` (moved permanently) or `302` (found, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = [301, 302]))]
    pub status_code: Option<u16>,
}

/// A rewrite of a request before it goes on (Gateway API's `URLRewrite`
/// filter).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteRewrite {
    /// The host name the backend sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::ROUTE_HOSTNAME))]
    pub hostname: Option<String>,
    /// The path the backend sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathChange>,
}

/// A new path: the whole of it, or the part the rule's `path` prefix
/// matched; one of the two.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PathChange {
    /// The whole path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub replace_full_path: Option<String>,
    /// The prefix the rule matched (its `pathType` is `PathPrefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub replace_prefix_match: Option<String>,
}

/// Headers a rule changes, by name: `set` overwrites, `add` appends,
/// `remove` drops.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HeaderChanges {
    /// Headers given this value, whatever they had.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("maxProperties" = 16))]
    pub set: IndexMap<String, String>,
    /// Headers given this value beside any they had.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("maxProperties" = 16))]
    pub add: IndexMap<String, String>,
    /// Headers dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub remove: Vec<String>,
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

/// A TLSRoute, by name (`tlsRoutes.<name>`): TLS connections a Gateway
/// passes through by their SNI host name, sent on to Services of the app
/// unterminated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "parentRefs": [{"name": "internal", "namespace": "gateway", "sectionName": "tls-passthrough"}],
    "hostnames": ["nas.example.com"],
    "backends": [{"service": "nas", "port": 443}]
}]))]
pub struct TlsRoute {
    /// The Gateways (or one listener of each, `sectionName`) the route
    /// attaches to: `TLS` listeners in `Passthrough` mode.
    #[schemars(length(min = 1, max = 32))]
    pub parent_refs: Vec<ParentRef>,
    /// The SNI host names it takes.
    #[schemars(length(min = 1, max = 1024))]
    #[schemars(extend("items" = {"pattern": names::ROUTE_HOSTNAME}))]
    pub hostnames: Vec<String>,
    /// Where the connections go, shared by `weight`.
    #[schemars(length(min = 1, max = 16))]
    pub backends: Vec<RouteBackend>,
    /// The Gateway API version written (see [`RouteVersion`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<RouteVersion>,
    /// Annotations of the TLSRoute.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the TLSRoute, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// A TCPRoute, by name (`tcpRoutes.<name>`): TCP connections a Gateway
/// listener takes, sent on to Services of the app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "parentRefs": [{"name": "internal", "namespace": "gateway", "port": 1883}],
    "backends": [{"service": "mosquitto", "port": 1883}]
}]))]
pub struct TcpRoute {
    /// The Gateways (or one listener of each, `sectionName` or `port`)
    /// the route attaches to: `TCP` listeners.
    #[schemars(length(min = 1, max = 32))]
    pub parent_refs: Vec<ParentRef>,
    /// Where the connections go, shared by `weight`.
    #[schemars(length(min = 1, max = 16))]
    pub backends: Vec<RouteBackend>,
    /// The Gateway API version written (see [`RouteVersion`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<RouteVersion>,
    /// Annotations of the TCPRoute.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the TCPRoute, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// A Service of the app (or one it declares made elsewhere) a route
/// sends connections to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteBackend {
    /// The Service.
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub service: String,
    /// Its namespace, when not the app's: a Service of another app, which
    /// a ReferenceGrant in its namespace lets the route send to (its port
    /// by number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// A port of that Service: its number, or its name (rendered as its
    /// number, which is what a route's backend names).
    pub port: PortRef,
    /// Its share of the connections, against the other backends'
    /// (Gateway API's default: 1; 0 sends it none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1_000_000))]
    pub weight: Option<u32>,
}

/// Which version of a TLSRoute or TCPRoute is written: `v1` (the default;
/// TLSRoute from Gateway API 1.5, TCPRoute from 1.6) or `v1alpha2` (the
/// experimental channel of earlier releases, which a cluster that has not
/// upgraded serves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum RouteVersion {
    #[default]
    #[serde(rename = "v1")]
    V1,
    #[serde(rename = "v1alpha2")]
    V1alpha2,
}

impl RouteVersion {
    /// The `apiVersion`.
    pub fn api_version(self) -> &'static str {
        match self {
            RouteVersion::V1 => "gateway.networking.k8s.io/v1",
            RouteVersion::V1alpha2 => "gateway.networking.k8s.io/v1alpha2",
        }
    }
}
