//! An app's cert-manager Certificates, in its folder, before the
//! workloads and Ingresses that read their Secrets.

use cfggen_model::certificate::Certificate;
use cfggen_model::App;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::{file_name, own_meta, waves, Output, RenderError};

/// A `cert-manager.io/v1` Certificate: the model's spec as cert-manager
/// reads it (its labels and annotations on the object, not in the spec).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: &'a Certificate,
}

/// One Certificate per entry of the app's `certificates`.
pub(crate) fn certificates(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (cname, cert) in &app.certificates {
        let (labels, annotations) = (&cert.labels, &cert.annotations);
        let metadata = own_meta(
            cname,
            ns,
            app.name_label(name),
            labels,
            annotations,
            waves::PREREQUISITES,
        );
        let spec = Certificate {
            labels: Default::default(),
            annotations: Default::default(),
            ..cert.clone()
        };
        let object = Object {
            api_version: "cert-manager.io/v1",
            kind: "Certificate",
            metadata,
            spec: &spec,
        };
        out.resource(name, ns, file_name("Certificate", cname), &object)?;
    }
    Ok(())
}
