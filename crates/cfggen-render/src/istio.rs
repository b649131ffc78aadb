//! An app's Istio traffic objects: its Gateways, DestinationRules and
//! VirtualServices, each the model's type as Istio reads it, with its own
//! labels and annotations on the object.

use cfggen_model::App;

use crate::custom::{each, resource_in, Custom, Entry};
use crate::{file_name, waves, Output, RenderError};

/// One VirtualService, DestinationRule and Istio Gateway per entry of the
/// app's `virtualServices`, `destinationRules` and `istioGateways`.
pub(crate) fn istio(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let istio = |kind| ("networking.istio.io/v1", kind);
    let exposure = (waves::EXPOSURE, false);
    // `istiogateway-<name>.yaml`: the Gateway API's Gateway of the same
    // name is `gateway-<name>.yaml`.
    for (gateway_name, gateway) in &app.istio_gateways {
        let custom = Custom {
            kind: istio("Gateway"),
            name: gateway_name,
            labels: gateway.labels(),
            annotations: gateway.annotations(),
            wave: waves::EXPOSURE,
            cluster_wide: false,
            namespace: None,
        };
        let file = file_name("IstioGateway", gateway_name);
        resource_in(out, name, app, custom, &gateway.spec(), file)?;
    }
    each(
        out,
        name,
        app,
        istio("DestinationRule"),
        exposure,
        &app.destination_rules,
    )?;
    each(
        out,
        name,
        app,
        istio("VirtualService"),
        exposure,
        &app.virtual_services,
    )
}
