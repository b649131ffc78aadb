//! Rules about how an app is reached: a Service selects a component the
//! app has and forwards ports its pod declares, its type fits its
//! settings; every Ingress backend is a Service and port of the app.

use super::{Checker, Target};
use crate::app::{App, Component};
use crate::container::PortRef;
use crate::service::{Ingress, Service, ServiceType};
use crate::{suggest, FieldPath};

/// Every port name of a component's pod (all its containers).
fn pod_ports<'a>(comp: &'a Component, cname: &'a str) -> Vec<&'a str> {
    comp.containers(cname)
        .into_iter()
        .flat_map(|(_, _, c)| c.ports.keys().map(String::as_str))
        .collect()
}

/// One Service.
pub(super) fn check_service(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    sname: &str,
    svc: &Service,
    spath: &FieldPath,
) {
    check_service_type(c, sname, svc, spath);
    if svc.session_affinity_config.is_some() && svc.session_affinity.as_deref() != Some("ClientIP")
    {
        c.push(
            "service-type",
            spath.key("sessionAffinityConfig"),
            Target::Key,
            format!("service `{sname}` configures session affinity, and has none: Kubernetes takes `sessionAffinityConfig` only with `sessionAffinity: ClientIP`"),
            "no session affinity to configure",
            Some("add `sessionAffinity: ClientIP`, or leave the config out".into()),
        );
    }
    if let Some(endpoints) = &svc.endpoints {
        check_endpoints(c, sname, svc, endpoints, spath);
    }
    for (i, port) in &svc.ports.1 {
        c.push(
            "duplicate-port",
            spath.key("ports").index(*i),
            Target::Value,
            format!("service `{sname}` has two ports named `{port}`"),
            "port name used again",
            Some("rename one of them; a port of a list is named by its `name`, or else by its `targetPort`".into()),
        );
    }
    if !svc.selector.is_empty() {
        check_selector(c, app_name, app, sname, svc, spath);
    }
    let Some(component) = &svc.component else {
        check_selected_ports(c, app_name, app, sname, svc, spath);
        return;
    };
    let Some(comp) = app.components.get(component) else {
        c.push(
            "unknown-component",
            spath.key("component"),
            Target::Value,
            format!("service `{sname}` selects component `{component}`, which app `{app_name}` does not have"),
            "not one of the app's components",
            suggest::hint(component, app.components.keys().map(String::as_str)),
        );
        return;
    };
    let ports = pod_ports(comp, component);
    for (port, spec) in &svc.ports {
        let ppath = spec_path(spath, port);
        let target = spec.target(port);
        let long = spec.spec();
        let (tpath, ttarget) = match long.target_port {
            Some(_) => (ppath.key("targetPort"), Target::Value),
            None => (ppath.clone(), Target::Key),
        };
        let protocol = long.protocol.unwrap_or_default();
        let Some((_, container_port)) = comp.pod_port(component, &target) else {
            // A port number reaches whatever listens there, as Kubernetes
            // forwards it: worth a word only when the pod lists its ports.
            if let PortRef::Number(n) = target {
                if !ports.is_empty() {
                    c.warn(
                        "undeclared-service-port",
                        tpath,
                        ttarget,
                        format!("service `{sname}` forwards port `{port}` to port {n}, which component `{component}` does not declare among its ports"),
                        "not one of the component's ports",
                        Some(format!("Kubernetes forwards to the port as it is; declare it under the component's `ports` if the container listens there (its ports: {})", describe_ports(comp, component))),
                    );
                }
                continue;
            }
            let hint = match &target {
                PortRef::Name(n) => suggest::hint(n, ports.iter().copied()),
                PortRef::Number(_) => None,
            }
            .or_else(|| {
                Some(format!(
                    "the component's ports: {}",
                    describe_ports(comp, component)
                ))
            });
            c.push(
                "unknown-port",
                tpath,
                ttarget,
                format!("service `{sname}` forwards port `{port}` to {}, which component `{component}` does not declare", describe_target(&target)),
                "not one of the component's ports",
                hint,
            );
            continue;
        };
        if protocol != container_port.protocol() && long.protocol.is_some() {
            let at = PortOf {
                sname,
                port,
                component,
                comp,
                path: &ppath,
            };
            check_protocol(c, &at, &target, protocol, container_port.protocol());
        }
    }
}

/// A port of a Service of a component, for messages.
struct PortOf<'a> {
    sname: &'a str,
    port: &'a str,
    component: &'a str,
    comp: &'a crate::Component,
    path: &'a FieldPath,
}

/// A protocol given that is not the container port's: by number, the
/// packets reach the pod's port of that protocol whatever the container
/// lists (a warning, unless it lists it); by name, Kubernetes finds no
/// port of that name and protocol (an error).
fn check_protocol(
    c: &mut Checker<'_>,
    at: &PortOf<'_>,
    target: &PortRef,
    protocol: crate::container::Protocol,
    declared: crate::container::Protocol,
) {
    let PortOf { sname, port, .. } = at;
    let message = format!(
        "port `{port}` of service `{sname}` is {}, and the container port it forwards to is {}",
        protocol.as_str(),
        declared.as_str()
    );
    match target {
        PortRef::Number(n)
            if !at.comp.containers(at.component).iter().any(|(_, _, c)| {
                c.ports
                    .values()
                    .any(|p| p.number() == *n && p.protocol() == protocol)
            }) =>
        {
            c.warn(
                "undeclared-service-port",
                at.path.key("protocol"),
                Target::Value,
                format!("{message}: the component does not declare port {n}/{}", protocol.as_str()),
                "differs from the container port",
                Some(format!("Kubernetes forwards it as it is; declare the port with `protocol: {}` under the component's `ports` if the container listens there", protocol.as_str())),
            );
        }
        PortRef::Number(_) => {}
        PortRef::Name(_) => c.push(
            "service-port",
            at.path.key("protocol"),
            Target::Value,
            message,
            "differs from the container port",
            Some("leave `protocol` out: it comes from the container port".into()),
        ),
    }
}

/// The EndpointSlice of a Service without pods: no selector (Kubernetes
/// fills a selecting Service's endpoints itself), addresses of the type
/// given, ports that forward to numbers (there is no pod to name one),
/// and a manager that is not Kubernetes' own controller.
fn check_endpoints(
    c: &mut Checker<'_>,
    sname: &str,
    svc: &Service,
    endpoints: &crate::service::Endpoints,
    spath: &FieldPath,
) {
    let epath = spath.key("endpoints");
    let mut bad = |path: FieldPath, target, message: String, hint: &str| {
        c.push(
            "service-endpoints",
            path,
            target,
            message,
            "not an endpoint Kubernetes takes",
            Some(hint.to_owned()),
        );
    };
    if svc.component.is_some() || !svc.selector.is_empty() {
        bad(
            epath.clone(),
            Target::Key,
            format!("service `{sname}` selects pods, whose addresses Kubernetes writes into its endpoints itself"),
            "leave `endpoints` out, or the selector: `endpoints` are for a Service without pods",
        );
        return;
    }
    let kind = endpoints.address_type();
    for (i, address) in endpoints.addresses.iter().enumerate() {
        // Kubernetes refuses loopback, unspecified and link-local
        // addresses, and a host name that is not fully qualified.
        let ok = match kind {
            "IPv4" => address
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| !(a.is_loopback() || a.is_unspecified() || a.is_link_local())),
            "IPv6" => address.parse::<std::net::Ipv6Addr>().is_ok_and(|a| {
                !(a.is_loopback() || a.is_unspecified() || a.segments()[0] & 0xffc0 == 0xfe80)
            }),
            _ => crate::names::is_dns1123_subdomain(address) && address.contains('.'),
        };
        if !ok {
            bad(
                epath.key("addresses").index(i),
                Target::Value,
                format!("`{address}` is not an {kind} address an endpoint can have"),
                "write an address of the `addressType` (IPv4 by default; not loopback, unspecified or link-local), or set `addressType` to the addresses' kind (a host name is fully qualified)",
            );
        }
    }
    if endpoints.managed_by.as_deref() == Some("endpointslice-controller.k8s.io") {
        bad(
            epath.key("managedBy"),
            Target::Value,
            "`endpointslice-controller.k8s.io` is Kubernetes' own controller, which would replace the slice".to_owned(),
            "leave `managedBy` out (cfggen), or name the team that keeps the addresses",
        );
    }
    for (port, spec) in &svc.ports {
        if let Some(PortRef::Name(target)) = spec.spec().target_port {
            bad(
                spec_path(spath, port).key("targetPort"),
                Target::Value,
                format!("port `{port}` of service `{sname}` forwards to the port named `{target}`, and the Service has no pods to name it"),
                "forward to a number: the endpoints' port",
            );
        }
    }
}

/// The ports of a Service with a selector alone: a named target is a port
/// of a pod it selects (a component's, a raw workload's, or made
/// elsewhere, whose ports are theirs to know).
fn check_selected_ports(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    sname: &str,
    svc: &Service,
    spath: &FieldPath,
) {
    let selected = svc.selected(app_name, app);
    let raw: Vec<_> = app
        .raw_pods()
        .into_iter()
        .filter(|p| !svc.selector.is_empty() && p.selected_by(&svc.selector))
        .collect();
    let selects = !svc.selector.is_empty();
    let elsewhere = selects
        && app
            .external_pods
            .values()
            .any(|p| p.selected_by(&svc.selector));
    for (port, spec) in &svc.ports {
        let target = match (&spec.spec().target_port, selects) {
            (Some(PortRef::Name(target)), _) => target.clone(),
            // The short form forwards to the pods' port of its name.
            (None, true) => port.clone(),
            _ => continue,
        };
        let declared = selected.iter().any(|(cname, comp)| {
            comp.pod_port(cname, &PortRef::Name(target.clone()))
                .is_some()
        }) || raw.iter().any(|p| p.ports.contains(&target))
            || elsewhere;
        if !declared {
            let (message, hint) = if !selects {
                (format!("port `{port}` of service `{sname}` forwards to the port named `{target}`, but the Service selects no component whose ports have names"), "give the port number, or set `component`")
            } else {
                (format!("port `{port}` of service `{sname}` forwards to the port named `{target}`, which no component its selector selects declares"), "name a port of the selected components, or give the port number")
            };
            c.push(
                "service-port",
                spec_path(spath, port).key("targetPort"),
                Target::Value,
                message,
                "expected a port number",
                Some(hint.into()),
            );
        }
    }
}

/// A Service's own selector: with `component`, that component's pods
/// carry it; without, it selects the pods of one component at least.
fn check_selector(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    sname: &str,
    svc: &Service,
    spath: &FieldPath,
) {
    let described = || {
        svc.selector
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &svc.component {
        Some(component) => {
            let Some(comp) = app.components.get(component) else {
                return;
            };
            if !comp.selected_by(app.name_label(app_name), component, &svc.selector) {
                let labels = comp.pod_labels(app.name_label(app_name), component);
                let missing: Vec<String> = svc
                    .selector
                    .iter()
                    .filter(|(k, v)| labels.get(*k) != Some(*v))
                    .map(|(k, v)| format!("`{k}: {v}`"))
                    .collect();
                c.push(
                    "service-selector",
                    spath.key("selector"),
                    Target::Key,
                    format!("service `{sname}` selects `{}`, and the pods of component `{component}` do not carry {}", described(), missing.join(", ")),
                    "not among the component's pod labels",
                    Some(format!("select by labels the pods carry (`selectorLabels`, `pod.labels`), or leave `selector` out to select by the component's own; its pods carry {}", labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))),
                );
            }
        }
        None => {
            let raw = app.raw_pods().iter().any(|p| p.selected_by(&svc.selector));
            let elsewhere = app
                .external_pods
                .values()
                .any(|p| p.selected_by(&svc.selector));
            if svc.selected(app_name, app).is_empty() && !raw && !elsewhere {
                c.push(
                    "service-selector",
                    spath.key("selector"),
                    Target::Key,
                    format!("service `{sname}` selects `{}`, which the pods of no component, raw workload or `externalPods` entry of app `{app_name}` carry", described()),
                    "selects no pod of the app",
                    Some(format!("select by labels a component's pods carry (`selectorLabels`, `pod.labels`); for pods another tool makes, declare them: `externalPods: {{{sname}: {{labels: {{{}}}, madeBy: …}}}}`", described())),
                );
            }
        }
    }
}

/// "the port named `grpc`" or "port 8080".
fn describe_target(target: &PortRef) -> String {
    match target {
        PortRef::Name(n) => format!("the port named `{n}`"),
        PortRef::Number(n) => format!("port {n}"),
    }
}

/// "`http` (8080), `metrics` (9090)", or "none".
fn describe_ports(comp: &Component, cname: &str) -> String {
    let all: Vec<String> = comp
        .containers(cname)
        .into_iter()
        .flat_map(|(_, _, c)| {
            c.ports
                .iter()
                .map(|(n, p)| format!("`{n}` ({})", p.number()))
        })
        .collect();
    if all.is_empty() {
        "none".into()
    } else {
        all.join(", ")
    }
}

fn spec_path(spath: &FieldPath, port: &str) -> FieldPath {
    spath.key("ports").key(port)
}

/// The type of a Service fits its settings.
fn check_service_type(c: &mut Checker<'_>, sname: &str, svc: &Service, spath: &FieldPath) {
    let kind = svc.service_type();
    if svc.headless && kind != ServiceType::ClusterIP {
        c.push(
            "service-type",
            spath.key("headless"),
            Target::Key,
            format!("service `{sname}` is headless and of type {}; only a ClusterIP Service can be headless", kind.as_str()),
            "not with this type",
            None,
        );
    }
    if svc.load_balancer_class.is_some() && kind != ServiceType::LoadBalancer {
        c.push(
            "service-type",
            spath.key("loadBalancerClass"),
            Target::Key,
            format!(
                "service `{sname}` sets a load balancer class but is of type {}",
                kind.as_str()
            ),
            "only for `type: LoadBalancer`",
            Some("set `type: LoadBalancer`".into()),
        );
    }
    if svc.headless && svc.cluster_ip.is_some() {
        c.push(
            "service-type",
            spath.key("clusterIP"),
            Target::Key,
            format!("service `{sname}` is headless (no cluster IP) and names a cluster IP"),
            "not with `headless`",
            Some("keep one of the two".into()),
        );
    }
    if svc.load_balancer_ip.is_some() && kind != ServiceType::LoadBalancer {
        c.push(
            "service-type",
            spath.key("loadBalancerIP"),
            Target::Key,
            format!(
                "service `{sname}` asks a load balancer for an address but is of type {}",
                kind.as_str()
            ),
            "only for `type: LoadBalancer`",
            Some("set `type: LoadBalancer`".into()),
        );
    }
    if svc.external_traffic_policy.is_some() && kind == ServiceType::ClusterIP {
        c.push(
            "service-type",
            spath.key("externalTrafficPolicy"),
            Target::Key,
            format!("service `{sname}` sets an external traffic policy, but it is a ClusterIP one, which takes no traffic from outside"),
            "only for NodePort and LoadBalancer",
            Some("set `type: NodePort` or `type: LoadBalancer`, or remove it".into()),
        );
    }
    if kind == ServiceType::ClusterIP {
        for (port, spec) in &svc.ports {
            if spec.spec().node_port.is_some() {
                c.push(
                    "service-type",
                    spec_path(spath, port).key("nodePort"),
                    Target::Key,
                    format!("port `{port}` of service `{sname}` sets a node port, but the Service is a ClusterIP one"),
                    "only for NodePort and LoadBalancer",
                    Some("set `type: NodePort` or `type: LoadBalancer`".into()),
                );
            }
        }
    }
}

/// One Ingress: `service` and `port`, or `rules`; each backend is a
/// Service and port of the app.
pub(super) fn check_ingress(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    ingress: &Ingress,
    ipath: &FieldPath,
) {
    if !ingress.tls_entries.is_empty() && (ingress.tls || ingress.tls_secret.is_some()) {
        c.push(
            "ingress-tls",
            ipath.key("tlsEntries"),
            Target::Key,
            "an Ingress's TLS is `tls` (with `tlsSecret`) for every host, or `tlsEntries`, not both".into(),
            "given beside `tls`",
            Some("keep `tlsEntries` for TLS of some hosts or several certificates; else `tls: true`".into()),
        );
    }
    match (&ingress.service, &ingress.port, ingress.rules.is_empty()) {
        (Some(service), Some(port), true) => {
            check_backend(c, app_name, app, "the ingress", service, port, ipath.key("service"), ipath.key("port"));
        }
        (None, None, false) => {
            for (i, rule) in ingress.rules.iter().enumerate() {
                for (j, p) in rule.paths.iter().enumerate() {
                    let ppath = ipath.key("rules").index(i).key("paths").index(j);
                    check_backend(c, app_name, app, "the ingress", &p.service, &p.port, ppath.key("service"), ppath.key("port"));
                }
            }
        }
        _ => c.push(
            "ingress-backend",
            ipath.clone(),
            Target::Key,
            "an Ingress routes either every host to one `service` and `port`, or by `rules`; this one has neither or a part of both".to_owned(),
            "no single way to route",
            Some("set `service` and `port` (with `hosts`), or `rules: [{host, paths: [{path, service, port}]}]`".into()),
        ),
    }
}

/// One HTTPRoute: each rule sends its requests one way (a Service and
/// port, weighted backends, or a redirect), each backend a Service and
/// port of the app (a port of a Service made elsewhere, or of another
/// namespace, by number: a route's backend names one so), a `pathType`
/// goes with a `path`, and its filters are ones Gateway API takes
/// together.
pub(super) fn check_http_route(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    route: &crate::route::HttpRoute,
    rpath: &FieldPath,
) {
    for (i, rule) in route.rules.iter().enumerate() {
        let at = rpath.key("rules").index(i);
        check_rule_target(c, rule, &at);
        match (&rule.service, &rule.port) {
            (Some(service), Some(port)) => {
                check_backend(
                    c,
                    app_name,
                    app,
                    "the HTTPRoute",
                    service,
                    port,
                    at.key("service"),
                    at.key("port"),
                );
                check_port_number(c, app, "an HTTPRoute's", service, port, at.key("port"));
            }
            _ => check_route_backends(c, app_name, app, "HTTPRoute", &rule.backends, &at),
        }
        if rule.path_type.is_some() && rule.path.is_none() {
            c.push(
                "route-path",
                at.key("pathType"),
                Target::Key,
                "`pathType` says how `path` matches, and the rule has no `path`".into(),
                "without a path",
                Some("add `path: /…`, or remove `pathType` to match every path".into()),
            );
        }
        check_rule_filters(c, rule, &at);
    }
}

/// A rule sends its requests one way: `service` with `port`, `backends`,
/// or `redirect`.
fn check_rule_target(c: &mut Checker<'_>, rule: &crate::route::HttpRouteRule, at: &FieldPath) {
    let single = rule.service.is_some() || rule.port.is_some();
    let ways: Vec<&str> = [
        ("service", single),
        ("backends", !rule.backends.is_empty()),
        ("redirect", rule.redirect.is_some()),
    ]
    .into_iter()
    .filter_map(|(field, on)| on.then_some(field))
    .collect();
    let half = match (&rule.service, &rule.port) {
        (Some(_), None) => Some(("service", "port")),
        (None, Some(_)) => Some(("port", "service")),
        _ => None,
    };
    if let Some((given, missing)) = half {
        c.push(
            "route-backend",
            at.key(given),
            Target::Key,
            format!("the rule names a `{given}` and no `{missing}`"),
            "half a backend",
            Some(format!(
                "add `{missing}`, or list the Services under `backends`"
            )),
        );
    } else if ways.len() != 1 {
        let (target, problem) = match ways.get(1) {
            Some(second) => (
                at.key(second),
                format!(
                    "the rule sends its requests {} ways ({}); a request goes one way",
                    ways.len(),
                    ways.join(", ")
                ),
            ),
            None => (at.clone(), "the rule sends its requests nowhere".to_owned()),
        };
        c.push(
            "route-backend",
            target,
            Target::Key,
            problem,
            "expected one of `service` and `port`, `backends`, `redirect`",
            Some("keep one: `service` and `port` for one Service, `backends` to share by weight, `redirect` to answer with one".into()),
        );
    }
}

/// Filters Gateway API takes together: a redirect or a rewrite, not
/// both; a new path in place of the matched prefix needs a prefix match.
fn check_rule_filters(c: &mut Checker<'_>, rule: &crate::route::HttpRouteRule, at: &FieldPath) {
    use crate::route::RoutePathType;
    if rule.redirect.is_some() && rule.rewrite.is_some() {
        c.push(
            "route-filter",
            at.key("rewrite"),
            Target::Key,
            "the rule both redirects and rewrites; Gateway API takes one of the two".into(),
            "beside `redirect`",
            Some("a redirect tells the client where to go: drop `rewrite`, or `redirect` to rewrite on the way".into()),
        );
    }
    // No path is Gateway API's default match, the prefix `/`.
    let prefix = matches!(rule.path_type, None | Some(RoutePathType::PathPrefix));
    let changes = [
        (
            "redirect",
            rule.redirect.as_ref().and_then(|r| r.path.as_ref()),
        ),
        (
            "rewrite",
            rule.rewrite.as_ref().and_then(|r| r.path.as_ref()),
        ),
    ];
    for (field, change) in changes {
        let Some(change) = change else { continue };
        let at = at.key(field).key("path");
        if change.replace_full_path.is_some() == change.replace_prefix_match.is_some() {
            c.push(
                "route-filter",
                at.clone(),
                Target::Key,
                "a new path is the whole path (`replaceFullPath`) or the matched prefix's replacement (`replacePrefixMatch`), one of the two".into(),
                "expected one of the two",
                Some("keep `replaceFullPath: /…` or `replacePrefixMatch: /…`".into()),
            );
        }
        if let (Some(_), false) = (&change.replace_prefix_match, prefix) {
            c.push(
                "route-filter",
                at.key("replacePrefixMatch"),
                Target::Key,
                "`replacePrefixMatch` replaces the prefix the rule matched, and the rule matches its path exactly or by a regular expression".into(),
                "without a prefix match",
                Some("match the path as a prefix (`pathType: PathPrefix`), or write `replaceFullPath`".into()),
            );
        }
    }
}

/// A route's backends (an HTTPRoute rule's, a TLSRoute's, a TCPRoute's):
/// Services of the app (or made elsewhere) and their ports, as a single
/// Service's; one of another namespace by its port's number.
pub(super) fn check_route_backends(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    kind: &str,
    backends: &[crate::route::RouteBackend],
    rpath: &FieldPath,
) {
    let own = app.namespace(app_name);
    for (i, b) in backends.iter().enumerate() {
        let at = rpath.key("backends").index(i);
        let (sat, pat) = (at.key("service"), at.key("port"));
        match (&b.namespace, &b.port) {
            (Some(ns), port) if ns != own => {
                if let PortRef::Name(name) = port {
                    c.push(
                        "route-port",
                        pat,
                        Target::Value,
                        format!("a {kind}'s backend names a port by number, and service `{}` is in namespace `{ns}`, so cfggen cannot turn port `{name}` into one", b.service),
                        "a port name",
                        Some("write the port's number".into()),
                    );
                }
            }
            _ => {
                let subject = format!("the {kind}");
                check_backend(
                    c,
                    app_name,
                    app,
                    &subject,
                    &b.service,
                    &b.port,
                    sat,
                    pat.clone(),
                );
                check_port_number(c, app, &format!("a {kind}'s"), &b.service, &b.port, pat);
            }
        }
    }
}

/// A route's backend names its port by number: one named is turned into
/// its number, which only a Service typed in the app tells.
fn check_port_number(
    c: &mut Checker<'_>,
    app: &App,
    subject: &str,
    service: &str,
    port: &PortRef,
    at: FieldPath,
) {
    let elsewhere = app.makes(crate::app::Made::Service, service)
        || app.external_services.contains_key(service);
    if let (PortRef::Name(name), true) = (port, elsewhere) {
        c.push(
            "route-port",
            at,
            Target::Value,
            format!("{subject} backend names a port by number, and service `{service}` is not typed in the app, so cfggen cannot turn port `{name}` into one"),
            "a port name",
            Some("write the port's number".into()),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn check_backend(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    subject: &str,
    service: &str,
    port: &PortRef,
    spath: FieldPath,
    ppath: FieldPath,
) {
    match app.services.get(service) {
        // A Service among the app's raw manifests: Kubernetes checks its
        // port.
        None if app.makes(crate::app::Made::Service, service) => {}
        None if app.external_services.contains_key(service) => {
            if let Some(made) = app
                .external_services
                .get(service)
                .filter(|s| !s.has_port(port))
            {
                c.push(
                    "unknown-port",
                    ppath,
                    Target::Value,
                    format!("service `{service}` (made elsewhere) has no port `{port}`"),
                    "not one of the ports `externalServices` lists",
                    Some(format!(
                        "its ports are {}",
                        made.ports
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
        None => c.push(
            "unknown-service",
            spath,
            Target::Value,
            format!(
                "{subject} routes to service `{service}`, which app `{app_name}` does not declare"
            ),
            "not one of the app's services",
            suggest::hint(service, app.services.keys().map(String::as_str)),
        ),
        Some(svc)
            if !match port {
                PortRef::Name(name) => svc.ports.contains_key(name),
                PortRef::Number(n) => svc.ports.values().any(|p| p.port() == *n),
            } =>
        {
            let hint = match port {
                PortRef::Name(name) => suggest::hint(name, svc.ports.keys().map(String::as_str)),
                PortRef::Number(_) => Some(format!(
                    "its ports are {}",
                    svc.ports
                        .iter()
                        .map(|(n, p)| format!("`{n}` ({})", p.port()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            c.push(
                "unknown-port",
                ppath,
                Target::Value,
                format!("service `{service}` has no port `{port}`"),
                "not one of the service's ports",
                hint,
            );
        }
        Some(_) => {}
    }
}
