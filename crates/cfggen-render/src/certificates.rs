//! An app's cert-manager Certificates and issuers (ClusterIssuers in the
//! folder of cluster-scoped objects) and Gateway API Gateways, in its
//! folder: each the model's type as its operator reads it, with its own
//! labels and annotations on the object rather than in the spec.

use cfggen_model::certificate::Certificate;
use cfggen_model::gateway::Gateway;
use cfggen_model::App;

use crate::custom::{resource, Custom};
use crate::{waves, Output, RenderError};

/// One Certificate per entry of the app's `certificates` (before the
/// workloads that read their Secrets), one Gateway per entry of its
/// `gateways`.
pub(crate) fn certificates_and_gateways(
    out: &mut Output,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    for (cname, cert) in &app.certificates {
        let custom = Custom {
            kind: ("cert-manager.io/v1", "Certificate"),
            name: cname,
            labels: &cert.labels,
            annotations: &cert.annotations,
            wave: waves::PREREQUISITES,
            cluster_wide: false,
        };
        let spec = Certificate {
            labels: Default::default(),
            annotations: Default::default(),
            ..cert.clone()
        };
        resource(out, name, app, custom, &spec)?;
    }
    for (kind, issuers, cluster_wide) in [
        ("Issuer", &app.issuers, false),
        ("ClusterIssuer", &app.cluster_issuers, true),
    ] {
        for (iname, issuer) in issuers {
            let custom = Custom {
                kind: ("cert-manager.io/v1", kind),
                name: iname,
                labels: &issuer.labels,
                annotations: &issuer.annotations,
                wave: waves::PREREQUISITES,
                cluster_wide,
            };
            let spec = cfggen_model::issuer::Issuer {
                labels: Default::default(),
                annotations: Default::default(),
                ..issuer.clone()
            };
            resource(out, name, app, custom, &spec)?;
        }
    }
    for (gname, gw) in &app.gateways {
        let custom = Custom {
            kind: ("gateway.networking.k8s.io/v1", "Gateway"),
            name: gname,
            labels: &gw.labels,
            annotations: &gw.annotations,
            wave: waves::WORKLOADS,
            cluster_wide: false,
        };
        let spec = Gateway {
            labels: Default::default(),
            annotations: Default::default(),
            ..gw.clone()
        };
        resource(out, name, app, custom, &spec)?;
    }
    Ok(())
}
