//! An app's cert-manager Certificates and issuers (ClusterIssuers in the
//! folder of cluster-scoped objects), Gateway API Gateways and
//! ReferenceGrants, in its folder: each the model's type as its operator reads it, with its own
//! labels and annotations on the object rather than in the spec.

use cfggen_model::App;

use crate::custom::each;
use crate::{waves, Output, RenderError};

/// One Certificate per entry of the app's `certificates` (before the
/// workloads that read their Secrets), one Issuer and ClusterIssuer per
/// entry of its `issuers` and `clusterIssuers`, one Gateway per entry of
/// its `gateways`, one GatewayClass (cluster-scoped) per entry of its
/// `gatewayClasses`, one ReferenceGrant per entry of its `referenceGrants`
/// (before the routes that need them).
pub(crate) fn certificates_and_gateways(
    out: &mut Output,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    let cert_manager = |kind| ("cert-manager.io/v1", kind);
    each(
        out,
        name,
        app,
        cert_manager("Certificate"),
        (waves::PREREQUISITES, false),
        &app.certificates,
    )?;
    each(
        out,
        name,
        app,
        cert_manager("Issuer"),
        (waves::PREREQUISITES, false),
        &app.issuers,
    )?;
    each(
        out,
        name,
        app,
        cert_manager("ClusterIssuer"),
        (waves::PREREQUISITES, true),
        &app.cluster_issuers,
    )?;
    let gateway = ("gateway.networking.k8s.io/v1", "Gateway");
    each(
        out,
        name,
        app,
        gateway,
        (waves::WORKLOADS, false),
        &app.gateways,
    )?;
    let class = ("gateway.networking.k8s.io/v1", "GatewayClass");
    let cluster = (waves::PREREQUISITES, true);
    each(out, name, app, class, cluster, &app.gateway_classes)?;
    let grant = ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant");
    each(
        out,
        name,
        app,
        grant,
        (waves::PREREQUISITES, false),
        &app.reference_grants,
    )
}
