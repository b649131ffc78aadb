//! Rules about an app's Certificates, as cert-manager refuses them: one
//! names what it is for, renews before it expires (`renewBefore` under
//! `duration`, not beside `renewBeforePercentage`), and no two write the
//! same Secret.

use std::collections::BTreeMap;

use super::{Checker, Target};
use crate::app::App;
use crate::names::go_duration_secs;
use crate::FieldPath;

/// The Certificates of an app, whose path is `base`.
pub(super) fn check_certificates(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    let mut writers: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, cert) in &app.certificates {
        let path = base.key("certificates").key(name);
        if !cert.names_something() {
            c.push(
                "certificate-names",
                path.clone(),
                Target::Key,
                format!(
                    "Certificate `{name}` names nothing it is for, and cert-manager refuses it"
                ),
                "no dnsNames, commonName, ipAddresses, uris or emailAddresses",
                Some("add `dnsNames: [app.example.com]`".into()),
            );
        }
        let duration = cert
            .duration
            .as_deref()
            .map_or(Some(2160.0 * 3600.0), go_duration_secs);
        let renew = cert.renew_before.as_deref().and_then(go_duration_secs);
        if let (Some(duration), Some(renew)) = (duration, renew) {
            if renew >= duration {
                c.push(
                    "certificate-renewal",
                    path.key("renewBefore"),
                    Target::Value,
                    format!(
                        "Certificate `{name}` is renewed {} before it expires, and is valid for {}: cert-manager refuses a renewal that is not within the validity",
                        cert.renew_before.as_deref().unwrap_or_default(),
                        cert.duration.as_deref().unwrap_or("2160h (the default)")
                    ),
                    "not less than `duration`",
                    Some("renew before less than the validity, e.g. a third of it".into()),
                );
            }
        }
        if cert.renew_before.is_some() && cert.renew_before_percentage.is_some() {
            c.push(
                "certificate-renewal",
                path.key("renewBeforePercentage"),
                Target::Key,
                format!("Certificate `{name}` sets `renewBefore` and `renewBeforePercentage`, and cert-manager takes one"),
                "beside `renewBefore`",
                Some("keep one of the two".into()),
            );
        }
        if let Some(first) = writers.insert(&cert.secret_name, name) {
            c.push(
                "certificate-secret",
                path.key("secretName"),
                Target::Value,
                format!("Certificates `{first}` and `{name}` both write Secret `{}`, and each would replace the other's", cert.secret_name),
                "written by another Certificate",
                Some("give each Certificate a Secret of its own".into()),
            );
        }
    }
}
