//! An app's Gateway API HTTPRoutes (`httpRoutes`), each rule's backend a
//! Service of the app and the number of its port.

use cfggen_model::container::PortRef;
use cfggen_model::App;

use crate::crds::{
    HttpRoute, HttpRouteRule, HttpRouteSpec, RouteBackendRef, RouteMatch, RouteParentRef,
    RoutePath, RouteTimeouts,
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

/// Every HTTPRoute of the app.
pub(crate) fn http_routes(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (route_name, route) in &app.http_routes {
        let mut metadata = meta(
            route_name,
            ns,
            app_labels(app.name_label(name), None),
            waves::EXPOSURE,
        );
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.extend(
                route
                    .annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        if let Some(labels) = metadata.labels.as_mut() {
            crate::own_labels_over(labels, &route.labels);
        }
        let rules = route
            .rules
            .iter()
            .map(|rule| {
                Ok(HttpRouteRule {
                    backend_refs: vec![RouteBackendRef {
                        name: rule.service.clone(),
                        port: port_number(app, &rule.service, &rule.port)?,
                    }],
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
                parent_refs: route
                    .parent_refs
                    .iter()
                    .map(|p| RouteParentRef {
                        name: p.name.clone(),
                        namespace: p.namespace.clone(),
                        section_name: p.section_name.clone(),
                        port: p.port,
                    })
                    .collect(),
                hostnames: route.hostnames.clone(),
                rules,
            },
        };
        out.resource(name, ns, file_name("HTTPRoute", route_name), &object)?;
    }
    Ok(())
}
