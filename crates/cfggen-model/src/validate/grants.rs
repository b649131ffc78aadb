//! Rules about Gateway API ReferenceGrants and the routes that need them.
//!
//! - A grant's `to` Service by name is one the app declares (typed, raw
//!   or made elsewhere) (`unknown-service`).
//! - A route's backend in another namespace of the environment is let in
//!   by a ReferenceGrant there, typed or raw (`route-grant`, a warning:
//!   the Gateway refuses the backend, but the grant may come from
//!   outside the repository).

use super::claims::{Apps, Claims};
use super::{Checker, Target};
use crate::app::App;
use crate::{suggest, FieldPath};

/// The grants of an app at `base`.
pub(super) fn check_grants(c: &mut Checker<'_>, name: &str, app: &App, base: &FieldPath) {
    for (gname, grant) in &app.reference_grants {
        let gpath = base.key("referenceGrants").key(gname);
        super::labels::check_labels(c, &grant.labels, &gpath.key("labels"));
        for (i, to) in grant.to.iter().enumerate() {
            let Some(service) = to
                .name
                .as_deref()
                .filter(|_| to.group.is_empty() && to.kind == "Service")
            else {
                continue;
            };
            if !app.has_service(service) {
                c.push(
                    "unknown-service",
                    gpath.key("to").index(i).key("name"),
                    Target::Value,
                    format!("ReferenceGrant `{gname}` lets others send to service `{service}`, which app `{name}` does not declare"),
                    "not one of the app's services",
                    suggest::hint(service, app.services.keys().map(String::as_str)),
                );
            }
        }
    }
}

/// Each route backend in another namespace that an app of the
/// environment runs in: a grant there lets the route's kind from the
/// route's namespace send to it.
pub(super) fn check_route_grants(c: &mut Checker<'_>, apps: &Apps<'_>) {
    for (_, claims) in apps {
        let own = claims.namespace.as_str();
        for b in &claims.foreign_backends {
            let there: Vec<&Claims> = apps
                .iter()
                .map(|(_, a)| a)
                .filter(|a| a.namespace == b.namespace)
                .collect();
            if there.is_empty() {
                // A namespace the environment does not run: its grants
                // are made elsewhere.
                continue;
            }
            let from = ("gateway.networking.k8s.io", b.kind, own);
            let granted = there
                .iter()
                .flat_map(|a| &a.grants)
                .any(|g| g.allows(from, "Service", &b.service));
            if !granted {
                let (kind, ns, service) = (b.kind, &b.namespace, &b.service);
                c.warn(
                    "route-grant",
                    b.at.clone(),
                    Target::Value,
                    format!(
                        "the {kind} sends to service `{service}` in namespace `{ns}`, and no ReferenceGrant there lets {kind}s of namespace `{own}` do so: the Gateway will refuse the backend"
                    ),
                    "no ReferenceGrant lets it",
                    Some(format!(
                        "give the app of namespace `{ns}` a grant: `referenceGrants: {{<name>: {{from: [{{group: gateway.networking.k8s.io, kind: {kind}, namespace: {own}}}], to: [{{group: \"\", kind: Service, name: {service}}}]}}}}`"
                    )),
                );
            }
        }
    }
}
