//! Rules about an app's cert-manager issuers: what the CRD's schema
//! takes and cert-manager refuses (its webhook's checks, which no schema
//! check runs), and Secrets a namespaced issuer reads that the app does
//! not declare.
//!
//! - One kind of issuer: `acme`, `ca` or `selfSigned` (`issuer`).
//! - An ACME solver is DNS-01 or HTTP-01, one of the two; a DNS-01 solver
//!   names its provider; Cloudflare takes an API token or an API key with
//!   the account's e-mail, one of the two (`issuer`).
//! - An `Issuer`'s CA Secret and Cloudflare credentials are Secrets of
//!   its namespace, which the app declares or something else makes
//!   (`unknown-secret`); a `ClusterIssuer` reads them in cert-manager's
//!   own namespace, which cfggen does not see.

use super::{Checker, Target};
use crate::app::App;
use crate::issuer::{Acme, Issuer};
use crate::{suggest, FieldPath};

/// Every issuer and cluster issuer of the app at `base`.
pub(super) fn check_issuers(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (field, issuers, cluster) in [
        ("issuers", &app.issuers, false),
        ("clusterIssuers", &app.cluster_issuers, true),
    ] {
        for (name, issuer) in issuers {
            let path = base.key(field).key(name);
            super::labels::check_labels(c, &issuer.labels, &path.key("labels"));
            check_kind(c, name, issuer, &path);
            if let Some(acme) = &issuer.acme {
                check_acme(c, app, name, acme, cluster, &path.key("acme"));
            }
            if let (Some(ca), false) = (&issuer.ca, cluster) {
                check_secret(
                    c,
                    app,
                    name,
                    &ca.secret_name,
                    &path.key("ca").key("secretName"),
                );
            }
        }
    }
}

fn issuer_error(c: &mut Checker<'_>, path: FieldPath, message: String, hint: &str) {
    c.push(
        "issuer",
        path,
        Target::Key,
        message,
        "cert-manager refuses the issuer",
        Some(hint.to_owned()),
    );
}

fn check_kind(c: &mut Checker<'_>, name: &str, issuer: &Issuer, path: &FieldPath) {
    let kinds = issuer.kinds();
    if kinds.len() == 1 {
        return;
    }
    let at = kinds.get(1).map_or_else(|| path.clone(), |k| path.key(k));
    issuer_error(
        c,
        at,
        format!("issuer `{name}` is of {} kinds; it is of one", kinds.len()),
        "give one of `acme`, `ca` or `selfSigned`",
    );
}

fn check_acme(
    c: &mut Checker<'_>,
    app: &App,
    name: &str,
    acme: &Acme,
    cluster: bool,
    path: &FieldPath,
) {
    for (i, solver) in acme.solvers.iter().enumerate() {
        let spath = path.key("solvers").index(i);
        match (&solver.dns01, &solver.http01) {
            (Some(_), Some(_)) => issuer_error(
                c,
                spath.key("http01"),
                format!("solver {i} of issuer `{name}` is DNS-01 and HTTP-01; a solver is one of the two"),
                "give each challenge type a solver of its own",
            ),
            (None, None) => issuer_error(
                c,
                spath.clone(),
                format!("solver {i} of issuer `{name}` solves no challenge"),
                "give it `dns01` or `http01`",
            ),
            _ => {}
        }
        let Some(dns01) = &solver.dns01 else {
            continue;
        };
        let dpath = spath.key("dns01");
        let Some(cf) = &dns01.cloudflare else {
            issuer_error(
                c,
                dpath,
                format!("the DNS-01 solver of issuer `{name}` names no DNS provider"),
                "add `cloudflare: {apiTokenSecretRef: {name: …, key: …}}`",
            );
            continue;
        };
        let cpath = dpath.key("cloudflare");
        match (&cf.api_token_secret_ref, &cf.api_key_secret_ref) {
            (Some(_), Some(_)) | (None, None) => issuer_error(
                c,
                cpath.clone(),
                format!("Cloudflare of issuer `{name}` takes an API token or an API key, one of the two"),
                "give `apiTokenSecretRef` (a token with DNS edit rights)",
            ),
            (None, Some(_)) if cf.email.is_none() => issuer_error(
                c,
                cpath.key("apiKeySecretRef"),
                format!("Cloudflare's global API key of issuer `{name}` goes with the account's e-mail"),
                "add `email`, or use an API token (`apiTokenSecretRef`)",
            ),
            _ => {}
        }
        if cluster {
            continue;
        }
        for (field, secret) in [
            ("apiTokenSecretRef", &cf.api_token_secret_ref),
            ("apiKeySecretRef", &cf.api_key_secret_ref),
        ] {
            if let Some(secret) = secret {
                check_secret(c, app, name, &secret.name, &cpath.key(field).key("name"));
            }
        }
    }
}

/// A Secret a namespaced issuer reads: one the app declares or that
/// something else makes.
fn check_secret(c: &mut Checker<'_>, app: &App, name: &str, secret: &str, path: &FieldPath) {
    let known = app.secrets.contains_key(secret)
        || app.own_store_secret(secret).is_some()
        || app.external_secrets.contains_key(secret)
        || app.makes(crate::app::Made::Secret, secret);
    if !known {
        c.push(
            "unknown-secret",
            path.clone(),
            Target::Value,
            format!("issuer `{name}` reads Secret `{secret}`, which the app does not declare"),
            "not one of the app's secrets",
            suggest::hint(secret, app.secrets.keys().map(String::as_str)).or_else(|| {
                Some("declare it under the app's `secrets`, or `externalSecrets` when another tool makes it".into())
            }),
        );
    }
}
