//! An app's Gateway API routes: HTTPRoutes (`httpRoutes`), TLSRoutes
//! (`tlsRoutes`), TCPRoutes (`tcpRoutes`) and GRPCRoutes (`grpcRoutes`),
//! each backend a Service of the app and the number of its port.

use cfggen_model::container::PortRef;
use cfggen_model::App;

use cfggen_model::route::{HeaderChanges, HttpRouteRule, ParentRef, PathChange, RouteBackend};
use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::crds::{
    HeaderModifier, HeaderValue, HttpRoute, HttpRouteRule as RenderedRule, HttpRouteSpec,
    PathModifier, RequestRedirect, RouteBackendRef, RouteFilter, RouteMatch, RouteParentRef,
    RoutePath, RouteTimeouts, StreamRoute, StreamRouteRule, StreamRouteSpec, UrlRewrite,
};
use crate::{app_labels, file_name, meta, waves, Output, RenderError};

/// The number of port `port` of the app's Service `service`.
fn port_number(app: &App, service: &str, port: &PortRef) -> Result<u16, RenderError> {
    match port {
        PortRef::Number(n) => Ok(*n),
        PortRef::Name(name) => app
            .services
            .get(service)
            .and_then(|s| s.ports.get(name))
            .map(|p| p.port())
            .ok_or_else(|| {
                RenderError::Unresolved(format!(
                    "port `{name}` of service `{service}`, which the rules check"
                ))
            }),
    }
}

/// A route's metadata: the app's labels under the route's own, and its
/// annotations.
fn route_meta(
    app: &App,
    name: &str,
    route_name: &str,
    labels: &IndexMap<String, String>,
    annotations: &IndexMap<String, String>,
) -> ObjectMeta {
    let mut metadata = meta(
        route_name,
        app.namespace(name),
        app_labels(app.name_label(name), None),
        waves::EXPOSURE,
    );
    if let Some(all) = metadata.annotations.as_mut() {
        all.extend(annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(all) = metadata.labels.as_mut() {
        crate::own_labels_over(all, labels);
    }
    metadata
}

fn parent_refs(refs: &[ParentRef]) -> Vec<RouteParentRef> {
    refs.iter()
        .map(|p| RouteParentRef {
            name: p.name.clone(),
            namespace: p.namespace.clone(),
            section_name: p.section_name.clone(),
            port: p.port,
        })
        .collect()
}

/// A route's backends: each Service, its port's number, its weight.
fn backend_refs(app: &App, backends: &[RouteBackend]) -> Result<Vec<RouteBackendRef>, RenderError> {
    backends
        .iter()
        .map(|b| {
            Ok(RouteBackendRef {
                name: b.service.clone(),
                namespace: b.namespace.clone(),
                port: port_number(app, &b.service, &b.port)?,
                weight: b.weight,
            })
        })
        .collect()
}

/// A rule's filters, in one order: the request's headers, the
/// response's, then the redirect or rewrite.
fn filters(rule: &HttpRouteRule) -> Vec<RouteFilter> {
    let headers = |h: &HeaderChanges| HeaderModifier {
        set: pairs(&h.set),
        add: pairs(&h.add),
        remove: h.remove.clone(),
    };
    let filter = |type_: &str| RouteFilter {
        type_: type_.to_owned(),
        request_header_modifier: None,
        response_header_modifier: None,
        request_redirect: None,
        url_rewrite: None,
    };
    let mut out = Vec::new();
    if let Some(h) = &rule.request_headers {
        out.push(RouteFilter {
            request_header_modifier: Some(headers(h)),
            ..filter("RequestHeaderModifier")
        });
    }
    if let Some(h) = &rule.response_headers {
        out.push(RouteFilter {
            response_header_modifier: Some(headers(h)),
            ..filter("ResponseHeaderModifier")
        });
    }
    if let Some(r) = &rule.redirect {
        out.push(RouteFilter {
            request_redirect: Some(RequestRedirect {
                scheme: r.scheme.clone(),
                hostname: r.hostname.clone(),
                path: r.path.as_ref().map(path_modifier),
                port: r.port,
                status_code: r.status_code,
            }),
            ..filter("RequestRedirect")
        });
    }
    if let Some(r) = &rule.rewrite {
        out.push(RouteFilter {
            url_rewrite: Some(UrlRewrite {
                hostname: r.hostname.clone(),
                path: r.path.as_ref().map(path_modifier),
            }),
            ..filter("URLRewrite")
        });
    }
    out
}

fn pairs(map: &IndexMap<String, String>) -> Vec<HeaderValue> {
    map.iter()
        .map(|(name, value)| HeaderValue {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn path_modifier(change: &PathChange) -> PathModifier {
    let type_ = if change.replace_prefix_match.is_some() {
        "ReplacePrefixMatch"
    } else {
        "ReplaceFullPath"
    };
    PathModifier {
        type_: type_.to_owned(),
        replace_full_path: change.replace_full_path.clone(),
        replace_prefix_match: change.replace_prefix_match.clone(),
    }
}

/// Every HTTPRoute of the app.
pub(crate) fn http_routes(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (route_name, route) in &app.http_routes {
        let metadata = route_meta(app, name, route_name, &route.labels, &route.annotations);
        let rules = route
            .rules
            .iter()
            .map(|rule| {
                Ok(RenderedRule {
                    backend_refs: backend_refs(app, &rule.all_backends())?,
                    filters: filters(rule),
                    matches: rule.path.as_ref().map(|path| {
                        vec![RouteMatch {
                            path: RoutePath {
                                type_: rule
                                    .path_type
                                    .unwrap_or(cfggen_model::route::RoutePathType::PathPrefix)
                                    .as_str()
                                    .to_owned(),
                                value: path.clone(),
                            },
                        }]
                    }),
                    timeouts: rule.timeouts.as_ref().map(|t| RouteTimeouts {
                        request: t.request.clone(),
                        backend_request: t.backend_request.clone(),
                    }),
                })
            })
            .collect::<Result<Vec<_>, RenderError>>()?;
        let object = HttpRoute {
            api_version: "gateway.networking.k8s.io/v1".into(),
            kind: "HTTPRoute".into(),
            metadata,
            spec: HttpRouteSpec {
                parent_refs: parent_refs(&route.parent_refs),
                hostnames: route.hostnames.clone(),
                rules,
            },
        };
        out.resource(name, ns, file_name("HTTPRoute", route_name), &object)?;
    }
    Ok(())
}

/// Every GRPCRoute of the app: its rules' matches as written, each
/// backend's port by number.
pub(crate) fn grpc_routes(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (route_name, route) in &app.grpc_routes {
        let rules = route
            .rules
            .iter()
            .map(|rule| {
                Ok(crate::crds::GrpcRouteRule {
                    matches: rule.matches.clone(),
                    backend_refs: backend_refs(app, &rule.backends)?,
                })
            })
            .collect::<Result<Vec<_>, RenderError>>()?;
        let object = crate::crds::GrpcRoute {
            api_version: "gateway.networking.k8s.io/v1".into(),
            kind: "GRPCRoute".into(),
            metadata: route_meta(app, name, route_name, &route.labels, &route.annotations),
            spec: crate::crds::GrpcRouteSpec {
                parent_refs: parent_refs(&route.parent_refs),
                hostnames: route.hostnames.clone(),
                rules,
            },
        };
        out.resource(name, ns, file_name("GRPCRoute", route_name), &object)?;
    }
    Ok(())
}

/// Every TLSRoute and TCPRoute of the app: one rule, its backends.
pub(crate) fn stream_routes(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    let tls = app.tls_routes.iter().map(|(n, r)| {
        let meta = (&r.labels, &r.annotations);
        (
            n,
            "TLSRoute",
            r.version,
            &r.parent_refs,
            &r.hostnames[..],
            &r.backends,
            meta,
        )
    });
    let tcp = app.tcp_routes.iter().map(|(n, r)| {
        let meta = (&r.labels, &r.annotations);
        (
            n,
            "TCPRoute",
            r.version,
            &r.parent_refs,
            &[][..],
            &r.backends,
            meta,
        )
    });
    for (route_name, kind, version, parents, hostnames, backends, (labels, annotations)) in
        tls.chain(tcp)
    {
        let backend_refs = backend_refs(app, backends)?;
        let object = StreamRoute {
            api_version: version.unwrap_or_default().api_version().into(),
            kind: kind.into(),
            metadata: route_meta(app, name, route_name, labels, annotations),
            spec: StreamRouteSpec {
                parent_refs: parent_refs(parents),
                hostnames: hostnames.to_vec(),
                rules: vec![StreamRouteRule { backend_refs }],
            },
        };
        out.resource(name, ns, file_name(kind, route_name), &object)?;
    }
    Ok(())
}
