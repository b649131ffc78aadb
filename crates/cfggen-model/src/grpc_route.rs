//! Gateway API GRPCRoutes (`grpcRoutes`): gRPC calls a Gateway listener
//! takes, matched by service and method (and headers), sent on to
//! Services of the app.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;
use crate::route::{ParentRef, RouteBackend};

/// A GRPCRoute, by name (`grpcRoutes.<name>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "parentRefs": [{"name": "internal", "namespace": "gateway"}],
    "hostnames": ["argocd.example.com"],
    "rules": [{
        "matches": [{"headers": [{"name": "Content-Type", "value": "application/grpc"}]}],
        "backends": [{"service": "argocd-server", "port": 80}]
    }]
}]))]
pub struct GrpcRoute {
    /// The Gateways (or one listener of each, `sectionName` or `port`)
    /// the route attaches to: `HTTPS` or `HTTP` listeners.
    #[schemars(length(min = 1, max = 32))]
    pub parent_refs: Vec<ParentRef>,
    /// The host names it serves; every host name of its Gateways when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": names::ROUTE_HOSTNAME}))]
    pub hostnames: Vec<String>,
    /// Where calls go: each rule's matches (any call when it has none)
    /// and its backends.
    #[schemars(length(min = 1, max = 16))]
    pub rules: Vec<GrpcRouteRule>,
    /// Annotations of the GRPCRoute.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the GRPCRoute, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// One rule of a GRPCRoute: the calls it takes (any one of its matches),
/// and the Services they go to, shared by `weight`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// The calls the rule takes; every call when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub matches: Vec<GrpcMatch>,
    /// Where the calls go.
    #[schemars(length(min = 1, max = 16))]
    pub backends: Vec<RouteBackend>,
}

/// Calls a rule takes: those of a method, with the headers given (all of
/// them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcMatch {
    /// The gRPC service and method; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<GrpcMethod>,
    /// Headers the call carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub headers: Vec<HeaderMatch>,
}

/// A gRPC service and method: one of them at least.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcMethod {
    /// The service, with its package (`grpc.health.v1.Health`); any when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024), extend("examples" = ["grpc.health.v1.Health"]))]
    pub service: Option<String>,
    /// The method (`Check`); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024), extend("examples" = ["Check"]))]
    pub method: Option<String>,
    /// `Exact` (the default) or `RegularExpression`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<MatchKind>,
}

/// A header a call must carry, and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HeaderMatch {
    /// The header's name (compared regardless of case).
    #[schemars(
        regex(pattern = "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$"),
        length(min = 1, max = 256)
    )]
    pub name: String,
    /// Its value.
    #[schemars(length(min = 1, max = 4096))]
    pub value: String,
    /// `Exact` (the default) or `RegularExpression`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<MatchKind>,
}

/// How a value is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MatchKind {
    /// The whole value, as written.
    Exact,
    /// A regular expression.
    RegularExpression,
}

impl MatchKind {
    /// As the Gateway API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "Exact",
            MatchKind::RegularExpression => "RegularExpression",
        }
    }
}

/// What the Gateway API refuses about an exact method match: neither a
/// service nor a method, or a name that is not a gRPC name. `None` when
/// it is fine.
pub fn method_error(m: &GrpcMethod) -> Option<String> {
    if m.service.is_none() && m.method.is_none() {
        return Some("it names neither a service nor a method".into());
    }
    if m.kind == Some(MatchKind::RegularExpression) {
        return None;
    }
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if let Some(service) = &m.service {
        if !service.split('.').all(ident) {
            return Some(format!(
                "service `{service}` is not a gRPC service name (`package.Service`)"
            ));
        }
    }
    if let Some(method) = &m.method {
        if !ident(method) {
            return Some(format!("method `{method}` is not a gRPC method name"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_methods_are_grpc_names() {
        let m = |service: Option<&str>, method: Option<&str>, kind| GrpcMethod {
            service: service.map(Into::into),
            method: method.map(Into::into),
            kind,
        };
        assert!(method_error(&m(Some("grpc.health.v1.Health"), Some("Check"), None)).is_none());
        assert!(method_error(&m(None, None, None)).is_some());
        assert!(method_error(&m(Some("grpc/health"), None, None)).is_some());
        assert!(method_error(&m(None, Some("Check.All"), None)).is_some());
        assert!(method_error(&m(
            Some("grpc/.*"),
            None,
            Some(MatchKind::RegularExpression)
        ))
        .is_none());
    }
}
