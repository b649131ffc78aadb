//! An app's Flux chart installs: its OCIRepositories and HelmRepositories
//! (before the releases that read them), and its HelmReleases, each the
//! model's type as Flux reads it, with its own labels and annotations on
//! the object, and the ConfigMaps its values come from by their rendered,
//! hashed names.

use cfggen_model::App;

use crate::custom::{each, resource, Custom, Entry};
use crate::{waves, Output, RenderError};

/// One OCIRepository, HelmRepository and HelmRelease per entry of the
/// app's `ociRepositories`, `helmRepositories` and `helmReleases`.
pub(crate) fn flux(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let source = |kind| ("source.toolkit.fluxcd.io/v1", kind);
    let sources = (waves::PREREQUISITES, false);
    each(
        out,
        name,
        app,
        source("OCIRepository"),
        sources,
        &app.oci_repositories,
    )?;
    each(
        out,
        name,
        app,
        source("HelmRepository"),
        sources,
        &app.helm_repositories,
    )?;
    for (release_name, release) in &app.helm_releases {
        let custom = Custom {
            kind: ("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
            name: release_name,
            labels: release.labels(),
            annotations: release.annotations(),
            wave: waves::WORKLOADS,
            cluster_wide: false,
            namespace: None,
        };
        let mut spec = release.spec();
        for from in spec
            .values_from
            .iter_mut()
            .filter(|f| f.kind == "ConfigMap")
        {
            if let Some(cm) = app.config_maps.get(&from.name) {
                from.name = cfggen_model::app::config_map_name(&from.name, cm);
            }
        }
        resource(out, name, app, custom, &spec)?;
    }
    Ok(())
}
