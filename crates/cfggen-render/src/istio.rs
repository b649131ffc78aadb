//! An app's Istio traffic objects: its Gateways, DestinationRules and
//! VirtualServices, each the model's type as Istio reads it, with its own
//! labels and annotations on the object.

use cfggen_model::App;

use crate::custom::each;
use crate::{waves, Output, RenderError};

/// One VirtualService, DestinationRule and Istio Gateway per entry of the
/// app's `virtualServices`, `destinationRules` and `istioGateways`.
pub(crate) fn istio(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let istio = |kind| ("networking.istio.io/v1", kind);
    let exposure = (waves::EXPOSURE, false);
    each(
        out,
        name,
        app,
        istio("Gateway"),
        exposure,
        &app.istio_gateways,
    )?;
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
