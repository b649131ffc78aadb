//! An app's Gateway API Gateways, in its folder, with its workloads.

use cfggen_model::gateway::Gateway;
use cfggen_model::App;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::{file_name, own_meta, waves, Output, RenderError};

/// A `gateway.networking.k8s.io/v1` Gateway: the model's spec as the
/// Gateway API reads it (its labels and annotations on the object).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: &'a Gateway,
}

/// One Gateway per entry of the app's `gateways`.
pub(crate) fn gateways(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (gname, gw) in &app.gateways {
        let (labels, annotations) = (&gw.labels, &gw.annotations);
        let metadata = own_meta(
            gname,
            ns,
            app.name_label(name),
            labels,
            annotations,
            waves::WORKLOADS,
        );
        let spec = Gateway {
            labels: Default::default(),
            annotations: Default::default(),
            ..gw.clone()
        };
        let object = Object {
            api_version: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata,
            spec: &spec,
        };
        out.resource(name, ns, file_name("Gateway", gname), &object)?;
    }
    Ok(())
}
