//! Rules about one container (the main one, a sidecar or an init
//! container): its image, ports, environment, probes and resources.

use super::secrets::{
    check_secret_name, check_secret_ref, is_known_token, looks_like_secret_value, looks_secret,
    plainly_not_secret,
};
use super::{check_pinned, Checker, Target};
use crate::app::{App, ContainerRole};
use crate::container::{
    is_extended_resource, Container, EnvFrom, EnvValue, Literal, PortRef, Probe, Quantity,
    POD_FIELDS,
};
use crate::{suggest, FieldPath};

/// Where a container sits, for paths and messages.
pub(super) struct At<'a> {
    /// The app.
    pub app_name: &'a str,
    /// The app's model.
    pub app: &'a App,
    /// The container's name.
    pub name: &'a str,
    /// Main, sidecar or init.
    pub role: ContainerRole,
    /// The container's field path.
    pub path: FieldPath,
}

/// Every rule of one container.
pub(super) fn check_container(c: &mut Checker<'_>, at: &At<'_>, container: &Container) {
    match (&container.image, &at.app.image) {
        (Some(image), _) => check_pinned(c, image, at.path.key("image")),
        (None, Some(_)) => {}
        (None, None) => c.push(
            "missing-image",
            at.path.clone(),
            Target::Key,
            format!(
                "container `{}` has no image, and app `{}` sets none",
                at.name, at.app_name
            ),
            "no image",
            Some(format!(
                "set `apps.{}.image`, or `image` on the container",
                at.app_name
            )),
        ),
    }
    for (var, value) in &container.env {
        check_env_value(c, at.app, var, value, at.path.key("env").key(var));
    }
    for (i, from) in container.env_from.iter().enumerate() {
        check_env_from(c, at.app, from, at.path.key("envFrom").index(i));
    }
    for (probe_name, probe) in container.probes.iter() {
        let ppath = at.path.key("probes").key(probe_name);
        if at.role == ContainerRole::Init {
            c.push(
                "probe-on-init",
                ppath.clone(),
                Target::Key,
                format!(
                    "init container `{}` has a {probe_name} probe; init containers run to completion and take no probes",
                    at.name
                ),
                "not allowed on an init container",
                Some("remove the probe, or make the container a sidecar".into()),
            );
        }
        check_probe(c, at.name, container, probe_name, probe, &ppath);
    }
    if let Some(resources) = &container.resources {
        check_extended_resources(c, resources, &at.path.key("resources"));
    }
}

/// `{field: …}` reads a field the downward API offers.
fn check_pod_field(c: &mut Checker<'_>, field: &str, path: FieldPath) {
    let labelled = ["metadata.labels['", "metadata.annotations['"]
        .iter()
        .any(|p| field.starts_with(p) && field.ends_with("']"));
    if !labelled && !POD_FIELDS.contains(&field) {
        c.push(
            "unknown-field",
            path,
            Target::Value,
            format!("`{field}` is not a pod field an environment variable can read"),
            "not a downward-API field",
            suggest::hint(field, POD_FIELDS.iter().copied())
                .or_else(|| Some(format!("one of: {}", POD_FIELDS.join(", ")))),
        );
    }
}

/// `envFrom` names a Secret or ConfigMap of the app.
fn check_env_from(c: &mut Checker<'_>, app: &App, from: &EnvFrom, path: FieldPath) {
    match from {
        EnvFrom::Secret { secret, .. } => {
            check_secret_name(c, app, secret, path.key("secret"), "`envFrom`");
        }
        EnvFrom::ConfigMap { config_map, .. } => {
            if !app.config_maps.contains_key(config_map)
                && !app.external_config_maps.contains_key(config_map)
                && !app.makes(crate::app::Made::ConfigMap, config_map)
            {
                c.push(
                    "unknown-configmap",
                    path.key("configMap"),
                    Target::Value,
                    format!(
                        "`envFrom` reads ConfigMap `{config_map}`, which the app does not declare"
                    ),
                    "not a key of the app's `configMaps`",
                    suggest::hint(config_map, app.config_maps.keys().map(String::as_str)),
                );
            }
        }
    }
}

/// Extended resources (`nvidia.com/gpu`) are whole units, and a request
/// must equal the limit: Kubernetes never overcommits them.
fn check_extended_resources(
    c: &mut Checker<'_>,
    resources: &crate::container::Resources,
    path: &FieldPath,
) {
    let empty = indexmap::IndexMap::new();
    let requests = resources.requests.as_ref().unwrap_or(&empty);
    let limits = resources.limits.as_ref().unwrap_or(&empty);
    for (side, amounts) in [("requests", requests), ("limits", limits)] {
        for (name, amount) in amounts.iter().filter(|(n, _)| is_extended_resource(n)) {
            // Kubernetes takes any quantity whose value is whole
            // (`1000m` is 1).
            let whole = match amount {
                Quantity::Whole(_) => true,
                Quantity::Text(t) => {
                    crate::names::quantity(t).is_some_and(|n| n >= 0.0 && n.fract() == 0.0)
                }
            };
            if !whole {
                c.push(
                    "extended-resource",
                    path.key(side).key(name),
                    Target::Value,
                    format!("`{name}` is counted in whole units, not `{amount}`"),
                    "expected a whole number",
                    Some(format!("write `{name}: 1`")),
                );
            }
        }
    }
    for (name, request) in requests.iter().filter(|(n, _)| is_extended_resource(n)) {
        let value = |q: &Quantity| match q {
            Quantity::Whole(n) => Some(*n as f64),
            Quantity::Text(t) => crate::names::quantity(t),
        };
        if limits.get(name).and_then(value) != value(request) {
            c.push(
                "extended-resource",
                path.key("requests").key(name),
                Target::Key,
                format!("the request of `{name}` must equal its limit: Kubernetes does not overcommit extended resources"),
                "request without the same limit",
                Some(format!("set `limits.{name}: {request}` (a limit alone is enough)")),
            );
        }
    }
}

/// An environment variable: no secret as a literal, references resolve.
pub(super) fn check_env_value(
    c: &mut Checker<'_>,
    app: &App,
    var: &str,
    value: &EnvValue,
    vpath: FieldPath,
) {
    match value {
        EnvValue::Literal(lit) if looks_secret(var) && plainly_not_secret(lit).is_none() => {
            let shown = match lit {
                Literal::String(_) => "a literal value".to_owned(),
                other => format!("the literal `{other}`"),
            };
            c.push(
                "secret-literal",
                vpath,
                Target::Value,
                format!("`{var}` looks like a secret but is given {shown}"),
                "literal value for a secret-looking variable",
                Some(format!(
                    "keep the value in 1Password and write `{var}: {{secret: <secret>/<field>}}`; if it is not a secret, say why: `{var}: {{value: …, notSecret: <why>}}`"
                )),
            );
        }
        EnvValue::Literal(Literal::String(text)) if looks_like_secret_value(text) => {
            c.push(
                "secret-value",
                vpath,
                Target::Value,
                format!("the value of `{var}` looks like a credential (a token, key or password), and config must not hold one"),
                "looks like a secret value",
                Some(format!(
                    "store it in 1Password and write `{var}: {{secret: <secret>/<field>}}`; if it is not secret, put it in a ConfigMap"
                )),
            );
        }
        EnvValue::Declared {
            value: Literal::String(text),
            ..
        } if is_known_token(text) => {
            c.push(
                "secret-value",
                vpath.key("value"),
                Target::Value,
                format!("the value of `{var}` has the form of a well-known credential, which no `notSecret` can vouch for"),
                "a credential's form",
                Some(format!(
                    "revoke it, store the new one in 1Password and write `{var}: {{secret: <secret>/<field>}}`"
                )),
            );
        }
        EnvValue::Literal(_) | EnvValue::Declared { .. } => {}
        EnvValue::Secret { secret, .. } => {
            check_secret_ref(c, app, secret, vpath.key("secret"), &format!("`{var}`"));
        }
        EnvValue::Field { field } => check_pod_field(c, field, vpath.key("field")),
        EnvValue::Resource { .. } => {}
        EnvValue::ConfigMap { config_map: r, .. } => match app.config_maps.get(r.config_map()) {
            None if app
                .external_config_maps
                .get(r.config_map())
                .is_some_and(|e| e.has_key(r.key()))
                || app.makes(crate::app::Made::ConfigMap, r.config_map()) => {}
            Some(cm) if cm.keys().contains(&r.key()) => {}
            Some(cm) => c.push(
                "unknown-configmap",
                vpath.key("configMap"),
                Target::Value,
                format!("ConfigMap `{}` has no key `{}`", r.config_map(), r.key()),
                "not a key of that ConfigMap",
                suggest::hint(r.key(), cm.keys()),
            ),
            None => c.push(
                "unknown-configmap",
                vpath.key("configMap"),
                Target::Value,
                format!(
                    "`{var}` reads ConfigMap `{}`, which the app does not declare",
                    r.config_map()
                ),
                "not a key of the app's `configMaps`",
                suggest::hint(r.config_map(), app.config_maps.keys().map(String::as_str)),
            ),
        },
    }
}

/// A probe: exactly one check, on a port (see [`probe_port`]).
fn check_probe(
    c: &mut Checker<'_>,
    cname: &str,
    comp: &Container,
    probe_name: &str,
    probe: &Probe,
    ppath: &FieldPath,
) {
    let kinds = usize::from(probe.http.is_some())
        + usize::from(probe.tcp.is_some())
        + usize::from(probe.grpc.is_some())
        + usize::from(probe.exec.is_some());
    if kinds != 1 {
        c.push(
            "probe-kind",
            ppath.clone(),
            Target::Value,
            format!("the {probe_name} probe must have exactly one of `http`, `tcp`, `grpc` or `exec`; it has {kinds}"),
            "expected one check",
            None,
        );
    }
    let grpc = probe.grpc.as_ref().map(|g| PortRef::Number(g.port));
    let ports = [
        probe
            .http
            .as_ref()
            .map(|h| (&h.port, ppath.key("http").key("port"))),
        probe.tcp.as_ref().map(|p| (p, ppath.key("tcp"))),
        grpc.as_ref().map(|p| (p, ppath.key("grpc").key("port"))),
    ];
    for (port, path) in ports.into_iter().flatten() {
        probe_port(c, comp, (probe_name, cname), port, path);
    }
}

/// The port a probe checks. A name must be one of the container's ports.
/// A number is taken at its word (Kubernetes probes whatever listens
/// there, declared or not): one the container does not declare, beside
/// ports it does, is a warning.
fn probe_port(
    c: &mut Checker<'_>,
    comp: &Container,
    (probe_name, cname): (&str, &str),
    port: &PortRef,
    path: FieldPath,
) {
    match port {
        PortRef::Name(n) if !comp.ports.contains_key(n) => c.push(
            "unknown-port",
            path,
            Target::Value,
            format!("the {probe_name} probe checks port `{port}`, which container `{cname}` does not declare"),
            "not one of the container's ports",
            suggest::hint(n, comp.ports.keys().map(String::as_str))
                .or_else(|| Some("declare it under the container's `ports`, or probe it by number".into())),
        ),
        PortRef::Number(n)
            if !comp.ports.is_empty() && !comp.ports.values().any(|p| p.number() == *n) =>
        {
            c.warn(
                "undeclared-probe-port",
                path,
                Target::Value,
                format!("the {probe_name} probe checks port {n}, which container `{cname}` does not declare among its ports"),
                "not one of the container's ports",
                Some("Kubernetes probes the port as it is; declare it under the container's `ports` if the container listens there".into()),
            );
        }
        PortRef::Name(_) | PortRef::Number(_) => {}
    }
}
