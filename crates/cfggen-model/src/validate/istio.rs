//! Rules about an app's Istio traffic objects, as Istio's validation
//! refuses them or the mesh fails on them:
//!
//! - A string match is exact, a prefix or a regular expression, one of
//!   the three (`istio-match`).
//! - A destination's short host name is a Service the app declares
//!   (`unknown-service`); its subset is one the app's DestinationRule for
//!   the host has (`istio-subset`; a warning when the app has no
//!   DestinationRule for it, which may be another's).
//! - A DestinationRule's subsets have names of their own (`istio-subset`).
//! - A gateway a VirtualService names by short name is one of the app's
//!   (`istio-gateway`, a warning: another app of the namespace may hold
//!   it); a Gateway's port names are unique and an `HTTPS` or `TLS` port
//!   has TLS settings (`istio-gateway`).

use std::collections::BTreeSet;

use super::{Checker, Target};
use crate::app::App;
use crate::istio::{StringMatch, VirtualService};
use crate::{suggest, FieldPath};

/// Every Istio object of the app at `base`.
pub(super) fn check_istio(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (name, rule) in &app.destination_rules {
        let path = base.key("destinationRules").key(name);
        super::labels::check_labels(c, &rule.labels, &path.key("labels"));
        check_host(c, app, &rule.host, path.key("host"));
        let mut seen = BTreeSet::new();
        for (i, subset) in rule.subsets.iter().enumerate() {
            if !seen.insert(subset.name.as_str()) {
                c.push(
                    "istio-subset",
                    path.key("subsets").index(i).key("name"),
                    Target::Value,
                    format!(
                        "DestinationRule `{name}` has two subsets named `{}`",
                        subset.name
                    ),
                    "named twice",
                    Some("give each subset a name of its own".into()),
                );
            }
        }
    }
    for (name, vs) in &app.virtual_services {
        let path = base.key("virtualServices").key(name);
        super::labels::check_labels(c, &vs.labels, &path.key("labels"));
        check_virtual_service(c, app, name, vs, &path);
    }
    for (name, gw) in &app.istio_gateways {
        let path = base.key("istioGateways").key(name);
        super::labels::check_labels(c, &gw.labels, &path.key("labels"));
        let mut seen = BTreeSet::new();
        for (i, server) in gw.servers.iter().enumerate() {
            let at = path.key("servers").index(i);
            let mut refuse = |at: FieldPath, message: String, hint: &str| {
                c.push(
                    "istio-gateway",
                    at,
                    Target::Value,
                    message,
                    "as Istio refuses it",
                    Some(hint.into()),
                );
            };
            if !seen.insert(server.port.name.as_str()) {
                refuse(
                    at.key("port").key("name"),
                    format!("Gateway `{name}` names two ports `{}`", server.port.name),
                    "give each port a name of its own",
                );
            }
            if server.port.protocol == "HTTPS" && server.tls.is_none() {
                refuse(
                    at.key("port").key("protocol"),
                    format!(
                        "port `{}` of Gateway `{name}` is HTTPS and has no `tls`",
                        server.port.name
                    ),
                    "add `tls: {mode: SIMPLE, credentialName: <the certificate's Secret>}`",
                );
            }
        }
    }
}

fn check_virtual_service(
    c: &mut Checker<'_>,
    app: &App,
    name: &str,
    vs: &VirtualService,
    path: &FieldPath,
) {
    for (i, gateway) in vs.gateways.iter().enumerate() {
        if gateway == "mesh"
            || gateway.contains('/')
            || app.istio_gateways.contains_key(gateway)
            || raw(app, "Gateway", gateway)
        {
            continue;
        }
        c.warn(
            "istio-gateway",
            path.key("gateways").index(i),
            Target::Value,
            format!("VirtualService `{name}` applies to gateway `{gateway}`, which the app does not hold"),
            "not one of the app's `istioGateways`",
            suggest::hint(gateway, app.istio_gateways.keys().map(String::as_str))
                .or_else(|| Some("declare it under `istioGateways`, or write `<namespace>/<name>` for another namespace's".into())),
        );
    }
    for (i, route) in vs.http.iter().enumerate() {
        let at = path.key("http").index(i);
        for (j, m) in route.matches.iter().enumerate() {
            let mat = at.key("match").index(j);
            if let Some(uri) = &m.uri {
                check_string_match(c, uri, mat.key("uri"));
            }
            for (header, value) in &m.headers {
                check_string_match(c, value, mat.key("headers").key(header));
            }
        }
        for (j, d) in route.route.iter().enumerate() {
            let dpath = at.key("route").index(j).key("destination");
            check_host(c, app, &d.destination.host, dpath.key("host"));
            if let Some(subset) = &d.destination.subset {
                check_subset(c, app, &d.destination.host, subset, dpath.key("subset"));
            }
        }
    }
}

fn check_string_match(c: &mut Checker<'_>, m: &StringMatch, at: FieldPath) {
    let given = [&m.exact, &m.prefix, &m.regex]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if given != 1 {
        c.push(
            "istio-match",
            at,
            Target::Key,
            format!("a match is exact, a prefix or a regular expression, one of the three; this one gives {given}"),
            "expected one of `exact`, `prefix`, `regex`",
            Some("keep one of `exact`, `prefix` and `regex`".into()),
        );
    }
}

/// A host by short name (no dot) is a Service of the app's namespace.
fn check_host(c: &mut Checker<'_>, app: &App, host: &str, at: FieldPath) {
    if host.contains('.') || host.contains('*') {
        return;
    }
    if !app.has_service(host) {
        c.push(
            "unknown-service",
            at,
            Target::Value,
            format!("host `{host}` is the short name of a Service of the app's namespace, and the app declares none of that name"),
            "not one of the app's services",
            suggest::hint(host, app.services.keys().map(String::as_str))
                .or_else(|| Some("declare it, under `externalServices` when another tool makes it, or write the host's full DNS name".into())),
        );
    }
}

/// A destination's subset is one the DestinationRule for its host has.
fn check_subset(c: &mut Checker<'_>, app: &App, host: &str, subset: &str, at: FieldPath) {
    let rules: Vec<_> = app
        .destination_rules
        .values()
        .filter(|r| r.host == host)
        .collect();
    if rules
        .iter()
        .any(|r| r.subsets.iter().any(|s| s.name == subset))
    {
        return;
    }
    let message = format!("the destination names subset `{subset}` of host `{host}`, which no DestinationRule of the app has");
    if rules.is_empty() {
        if !raw(app, "DestinationRule", host) {
            c.warn(
                "istio-subset",
                at,
                Target::Value,
                message,
                "not a subset the app defines",
                Some(format!(
                    "define it in a DestinationRule for `{host}` under `destinationRules`"
                )),
            );
        }
        return;
    }
    let known = rules
        .iter()
        .flat_map(|r| r.subsets.iter().map(|s| s.name.as_str()));
    c.push(
        "istio-subset",
        at,
        Target::Value,
        message,
        "not a subset of the host's DestinationRule",
        suggest::hint(subset, known)
            .or_else(|| Some(format!("add it to the DestinationRule for `{host}`"))),
    );
}

/// Whether a raw manifest of the app is an Istio object of `kind` named
/// (or, a DestinationRule, for host) `name`.
fn raw(app: &App, kind: &str, name: &str) -> bool {
    app.raw_of_kind(kind).any(|o| {
        let text = |p: &str| o.pointer(p).and_then(serde_json::Value::as_str);
        text("/apiVersion").is_some_and(|a| a.starts_with("networking.istio.io/"))
            && (text("/metadata/name") == Some(name) || text("/spec/host") == Some(name))
    })
}
