//! Rules about an app's Gateways, as the Gateway API's own validation
//! refuses them (the CRD's CEL rules, which a schema check does not run):
//! listener names unique; TLS only on `HTTPS` and `TLS` listeners, and
//! there required, with certificates unless it passes TLS through; no
//! host name on a `TCP` or `UDP` listener.

use std::collections::BTreeSet;

use super::{Checker, Target};
use crate::app::App;
use crate::FieldPath;

/// The labels of the app's cluster-wide classes (GatewayClasses,
/// IngressClasses, VolumeSnapshotClasses).
pub(super) fn check_class_labels(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    let gateway = app
        .gateway_classes
        .iter()
        .map(|(n, x)| ("gatewayClasses", n, &x.labels));
    let ingress = app
        .ingress_classes
        .iter()
        .map(|(n, x)| ("ingressClasses", n, &x.labels));
    let snapshot = app
        .volume_snapshot_classes
        .iter()
        .map(|(n, x)| ("volumeSnapshotClasses", n, &x.labels));
    for (field, name, labels) in gateway.chain(ingress).chain(snapshot) {
        super::labels::check_labels(c, labels, &base.key(field).key(name).key("labels"));
    }
}

/// The Gateways of an app, whose path is `base`.
pub(super) fn check_gateways(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (name, gw) in &app.gateways {
        let lpath = base.key("gateways").key(name).key("listeners");
        let mut seen = BTreeSet::new();
        for (i, l) in gw.listeners.iter().enumerate() {
            let path = lpath.index(i);
            let mut refuse = |field: &str, target, message: String, label: &str, hint: &str| {
                let at = if field.is_empty() {
                    path.clone()
                } else {
                    path.key(field)
                };
                let message = format!("listener `{}` of Gateway `{name}` {message}", l.name);
                c.push(
                    "gateway-listener",
                    at,
                    target,
                    message,
                    label,
                    Some(hint.to_owned()),
                );
            };
            if !seen.insert(l.name.as_str()) {
                refuse(
                    "name",
                    Target::Value,
                    "is named twice".into(),
                    "a name an earlier listener has",
                    "give each listener a name of its own",
                );
            }
            let (protocol, tls) = (l.protocol.as_str(), l.tls.as_ref());
            let passthrough = tls.and_then(|t| t.mode.as_deref()) == Some("Passthrough");
            match (protocol, tls) {
                ("HTTP" | "TCP" | "UDP", Some(_)) => refuse(
                    "tls",
                    Target::Key,
                    format!(
                        "is {protocol} and sets `tls`, which only HTTPS and TLS listeners take"
                    ),
                    "not for this protocol",
                    "remove `tls`, or make the listener HTTPS",
                ),
                ("HTTPS" | "TLS", None) => refuse(
                    "",
                    Target::Key,
                    format!("is {protocol} without `tls`"),
                    "no `tls`",
                    "add `tls: {certificateRefs: [{name: <the certificate's Secret>}]}`",
                ),
                ("HTTPS" | "TLS", Some(t)) if !passthrough && t.certificate_refs.is_empty() => {
                    refuse(
                        "tls",
                        Target::Key,
                        "terminates TLS without a certificate".into(),
                        "no `certificateRefs`",
                        "name the Secret of its certificate in `certificateRefs`",
                    )
                }
                _ => {}
            }
            if matches!(protocol, "TCP" | "UDP") && l.hostname.is_some() {
                refuse("hostname", Target::Key, format!("is {protocol} and sets `hostname`, which a {protocol} listener cannot match"), "not for this protocol", "remove `hostname`");
            }
        }
    }
}
