//! A custom resource of an app (a Certificate, a Gateway, a monitor, a
//! Velero Schedule): its kind, its metadata as cfggen writes an app's
//! objects, and a spec as its operator reads it.

use cfggen_model::App;
use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::{file_name, own_meta, Output, RenderError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a, S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: &'a S,
}

/// What a custom resource is, and what it carries beside its spec.
pub(crate) struct Custom<'a> {
    /// Its `apiVersion` and `kind`.
    pub(crate) kind: (&'static str, &'static str),
    /// Its name.
    pub(crate) name: &'a str,
    /// Its own labels (under the app's: cfggen's win) and annotations.
    pub(crate) labels: &'a IndexMap<String, String>,
    pub(crate) annotations: &'a IndexMap<String, String>,
    /// Its sync wave.
    pub(crate) wave: i32,
    /// Whether it is cluster-scoped: no namespace, and written into the
    /// folder of cluster-scoped objects.
    pub(crate) cluster_wide: bool,
    /// Its namespace when not the app's (in the app's folder, its file
    /// name says which).
    pub(crate) namespace: Option<&'a str>,
}

/// Writes `custom` with `spec` into the folder of app `name`, in the
/// app's namespace.
pub(crate) fn resource<S: Serialize>(
    out: &mut Output,
    name: &str,
    app: &App,
    custom: Custom<'_>,
    spec: &S,
) -> Result<(), RenderError> {
    let file = match custom.namespace {
        Some(other) => crate::file_name_in(custom.kind.1, custom.name, other, app.namespace(name)),
        None => file_name(custom.kind.1, custom.name),
    };
    resource_in(out, name, app, custom, spec, file)
}

/// [`resource`], into the file `file` (a kind whose name another group
/// has too, such as Istio's Gateway, is written under a name of its own).
pub(crate) fn resource_in<S: Serialize>(
    out: &mut Output,
    name: &str,
    app: &App,
    custom: Custom<'_>,
    spec: &S,
    file: String,
) -> Result<(), RenderError> {
    let ns = custom.namespace.unwrap_or(app.namespace(name));
    let (labels, annotations) = (custom.labels, custom.annotations);
    let mut metadata = own_meta(
        custom.name,
        ns,
        app.name_label(name),
        labels,
        annotations,
        custom.wave,
    );
    let (api_version, kind) = custom.kind;
    if custom.cluster_wide {
        metadata.namespace = None;
        let object = Object {
            api_version,
            kind,
            metadata,
            spec,
        };
        // With the app's other cluster-scoped raw objects: a folder whose
        // kustomization sets no namespace.
        return out.cluster_resource(crate::CLUSTER_FOLDER, file, &object);
    }
    let object = Object {
        api_version,
        kind,
        metadata,
        spec,
    };
    out.resource(name, ns, file, &object)
}

/// A custom resource entry of an app whose own labels and annotations go
/// on the object, and whose spec is the entry without them.
pub(crate) trait Entry: Serialize + Clone {
    fn labels(&self) -> &IndexMap<String, String>;
    fn annotations(&self) -> &IndexMap<String, String>;
    /// The spec as its operator reads it: the entry without its metadata.
    fn spec(&self) -> Self;
}

macro_rules! entry {
    ($($t:ty),*) => {$(
        impl Entry for $t {
            fn labels(&self) -> &IndexMap<String, String> {
                &self.labels
            }
            fn annotations(&self) -> &IndexMap<String, String> {
                &self.annotations
            }
            fn spec(&self) -> Self {
                Self {
                    labels: IndexMap::new(),
                    annotations: IndexMap::new(),
                    ..self.clone()
                }
            }
        }
    )*};
}

entry!(
    cfggen_model::certificate::Certificate,
    cfggen_model::gateway::Gateway,
    cfggen_model::issuer::Issuer,
    cfggen_model::cilium::CiliumPolicy,
    cfggen_model::grant::ReferenceGrant,
    cfggen_model::flux::HelmRelease,
    cfggen_model::flux::OciRepository,
    cfggen_model::flux::HelmRepository,
    cfggen_model::istio::VirtualService,
    cfggen_model::istio::DestinationRule,
    cfggen_model::istio::IstioGateway,
    cfggen_model::cilium_lb::L2AnnouncementPolicy,
    cfggen_model::gateway::GatewayClass,
    cfggen_model::grafana::GrafanaDatasource,
    cfggen_model::prometheus::Prometheus,
    cfggen_model::dapr::DaprConfiguration,
    cfggen_model::cilium_bgp::BgpClusterConfig,
    cfggen_model::cilium_bgp::BgpPeerConfig,
    cfggen_model::cilium_bgp::BgpAdvertisement
);

/// Writes one custom resource of `kind` (`apiVersion`, `kind`) per entry
/// of `entries`, by the entry's name, into the folder of app `name`.
pub(crate) fn each<E: Entry>(
    out: &mut Output,
    name: &str,
    app: &App,
    kind: (&'static str, &'static str),
    (wave, cluster_wide): (i32, bool),
    entries: &IndexMap<String, E>,
) -> Result<(), RenderError> {
    for (entry_name, entry) in entries {
        let custom = Custom {
            kind,
            name: entry_name,
            labels: entry.labels(),
            annotations: entry.annotations(),
            wave,
            cluster_wide,
            namespace: None,
        };
        resource(out, name, app, custom, &entry.spec())?;
    }
    Ok(())
}
