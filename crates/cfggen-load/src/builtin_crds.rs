//! The CustomResourceDefinitions cfggen carries (`crates/cfggen-load/crds/`,
//! sources and licences in its SOURCES.md): those of the kinds cfggen
//! renders itself (External Secrets, CloudNativePG, Argo CD, 1Password)
//! and of the most common operators (Gateway API, cert-manager, Traefik,
//! Istio, Prometheus operator, sealed-secrets, Flux, volume snapshots,
//! Velero schedules, Dapr components and configurations), so
//! that their custom resources are checked without a repository copying
//! CRDs. A CRD under the repository's `crds/` takes precedence (the
//! operator version the team runs).
//!
//! The binary holds each upstream file in a compact form
//! (`crds/compact/`, JSON): the served versions' schemas without their
//! descriptions, an eighth of the upstream bytes, parsed the first time an
//! object of one of its kinds is checked, once per process. A unit test
//! makes the compact form from the upstream file and fails while it is
//! stale (`CFGGEN_WRITE_CRDS=1` writes it).

use std::sync::OnceLock;

use serde_json::Value;

use crate::manifests::{crds_of, CrdVersion, Crds};

/// A carried file: its upstream name, the (group, kind) pairs its CRDs
/// define, and its compact form.
type Carried = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Each carried file. A unit test checks the kinds and the compact form
/// against the upstream file.
const FILES: &[Carried] = &[
    (
        "argoproj.io_applications.yaml",
        &[("argoproj.io", "Application")],
        include_str!("../crds/compact/argoproj.io_applications.json"),
    ),
    (
        "argoproj.io_appprojects.yaml",
        &[("argoproj.io", "AppProject")],
        include_str!("../crds/compact/argoproj.io_appprojects.json"),
    ),
    (
        "barmancloud.cnpg.io_objectstores.yaml",
        &[("barmancloud.cnpg.io", "ObjectStore")],
        include_str!("../crds/compact/barmancloud.cnpg.io_objectstores.json"),
    ),
    (
        "bitnami.com_sealedsecrets.yaml",
        &[("bitnami.com", "SealedSecret")],
        include_str!("../crds/compact/bitnami.com_sealedsecrets.json"),
    ),
    (
        "cert-manager.io_certificaterequests.yaml",
        &[("cert-manager.io", "CertificateRequest")],
        include_str!("../crds/compact/cert-manager.io_certificaterequests.json"),
    ),
    (
        "cert-manager.io_certificates.yaml",
        &[("cert-manager.io", "Certificate")],
        include_str!("../crds/compact/cert-manager.io_certificates.json"),
    ),
    (
        "cert-manager.io_clusterissuers.yaml",
        &[("cert-manager.io", "ClusterIssuer")],
        include_str!("../crds/compact/cert-manager.io_clusterissuers.json"),
    ),
    (
        "cert-manager.io_issuers.yaml",
        &[("cert-manager.io", "Issuer")],
        include_str!("../crds/compact/cert-manager.io_issuers.json"),
    ),
    (
        "customresourcedefinitions.gen.yaml",
        &[
            ("extensions.istio.io", "TrafficExtension"),
            ("extensions.istio.io", "WasmPlugin"),
            ("networking.istio.io", "DestinationRule"),
            ("networking.istio.io", "EnvoyFilter"),
            ("networking.istio.io", "Gateway"),
            ("networking.istio.io", "ProxyConfig"),
            ("networking.istio.io", "ServiceEntry"),
            ("networking.istio.io", "Sidecar"),
            ("networking.istio.io", "VirtualService"),
            ("networking.istio.io", "WorkloadEntry"),
            ("networking.istio.io", "WorkloadGroup"),
            ("security.istio.io", "AuthorizationPolicy"),
            ("security.istio.io", "PeerAuthentication"),
            ("security.istio.io", "RequestAuthentication"),
            ("telemetry.istio.io", "Telemetry"),
        ],
        include_str!("../crds/compact/customresourcedefinitions.gen.json"),
    ),
    (
        "external-secrets.io_clustersecretstores.yaml",
        &[("external-secrets.io", "ClusterSecretStore")],
        include_str!("../crds/compact/external-secrets.io_clustersecretstores.json"),
    ),
    (
        "external-secrets.io_externalsecrets.yaml",
        &[("external-secrets.io", "ExternalSecret")],
        include_str!("../crds/compact/external-secrets.io_externalsecrets.json"),
    ),
    (
        "external-secrets.io_pushsecrets.yaml",
        &[("external-secrets.io", "PushSecret")],
        include_str!("../crds/compact/external-secrets.io_pushsecrets.json"),
    ),
    (
        "generators.external-secrets.io_passwords.yaml",
        &[("generators.external-secrets.io", "Password")],
        include_str!("../crds/compact/generators.external-secrets.io_passwords.json"),
    ),
    (
        "external-secrets.io_secretstores.yaml",
        &[("external-secrets.io", "SecretStore")],
        include_str!("../crds/compact/external-secrets.io_secretstores.json"),
    ),
    (
        "gateway.networking.k8s.io_gatewayclasses.yaml",
        &[("gateway.networking.k8s.io", "GatewayClass")],
        include_str!("../crds/compact/gateway.networking.k8s.io_gatewayclasses.json"),
    ),
    (
        "gateway.networking.k8s.io_gateways.yaml",
        &[("gateway.networking.k8s.io", "Gateway")],
        include_str!("../crds/compact/gateway.networking.k8s.io_gateways.json"),
    ),
    (
        "gateway.networking.k8s.io_grpcroutes.yaml",
        &[("gateway.networking.k8s.io", "GRPCRoute")],
        include_str!("../crds/compact/gateway.networking.k8s.io_grpcroutes.json"),
    ),
    (
        "gateway.networking.k8s.io_httproutes.yaml",
        &[("gateway.networking.k8s.io", "HTTPRoute")],
        include_str!("../crds/compact/gateway.networking.k8s.io_httproutes.json"),
    ),
    (
        "gateway.networking.k8s.io_referencegrants.yaml",
        &[("gateway.networking.k8s.io", "ReferenceGrant")],
        include_str!("../crds/compact/gateway.networking.k8s.io_referencegrants.json"),
    ),
    (
        "gateway.networking.k8s.io_tcproutes.yaml",
        &[("gateway.networking.k8s.io", "TCPRoute")],
        include_str!("../crds/compact/gateway.networking.k8s.io_tcproutes.json"),
    ),
    (
        "gateway.networking.k8s.io_tlsroutes.yaml",
        &[("gateway.networking.k8s.io", "TLSRoute")],
        include_str!("../crds/compact/gateway.networking.k8s.io_tlsroutes.json"),
    ),
    (
        "helm.toolkit.fluxcd.io_helmreleases.yaml",
        &[("helm.toolkit.fluxcd.io", "HelmRelease")],
        include_str!("../crds/compact/helm.toolkit.fluxcd.io_helmreleases.json"),
    ),
    (
        "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
        &[("kustomize.toolkit.fluxcd.io", "Kustomization")],
        include_str!("../crds/compact/kustomize.toolkit.fluxcd.io_kustomizations.json"),
    ),
    (
        "monitoring.coreos.com_alertmanagerconfigs.yaml",
        &[("monitoring.coreos.com", "AlertmanagerConfig")],
        include_str!("../crds/compact/monitoring.coreos.com_alertmanagerconfigs.json"),
    ),
    (
        "monitoring.coreos.com_alertmanagers.yaml",
        &[("monitoring.coreos.com", "Alertmanager")],
        include_str!("../crds/compact/monitoring.coreos.com_alertmanagers.json"),
    ),
    (
        "monitoring.coreos.com_podmonitors.yaml",
        &[("monitoring.coreos.com", "PodMonitor")],
        include_str!("../crds/compact/monitoring.coreos.com_podmonitors.json"),
    ),
    (
        "monitoring.coreos.com_probes.yaml",
        &[("monitoring.coreos.com", "Probe")],
        include_str!("../crds/compact/monitoring.coreos.com_probes.json"),
    ),
    (
        "monitoring.coreos.com_prometheuses.yaml",
        &[("monitoring.coreos.com", "Prometheus")],
        include_str!("../crds/compact/monitoring.coreos.com_prometheuses.json"),
    ),
    (
        "monitoring.coreos.com_prometheusrules.yaml",
        &[("monitoring.coreos.com", "PrometheusRule")],
        include_str!("../crds/compact/monitoring.coreos.com_prometheusrules.json"),
    ),
    (
        "monitoring.coreos.com_servicemonitors.yaml",
        &[("monitoring.coreos.com", "ServiceMonitor")],
        include_str!("../crds/compact/monitoring.coreos.com_servicemonitors.json"),
    ),
    (
        "onepassword.com_onepassworditems.yaml",
        &[("onepassword.com", "OnePasswordItem")],
        include_str!("../crds/compact/onepassword.com_onepassworditems.json"),
    ),
    (
        "postgresql.cnpg.io_backups.yaml",
        &[("postgresql.cnpg.io", "Backup")],
        include_str!("../crds/compact/postgresql.cnpg.io_backups.json"),
    ),
    (
        "postgresql.cnpg.io_clusters.yaml",
        &[("postgresql.cnpg.io", "Cluster")],
        include_str!("../crds/compact/postgresql.cnpg.io_clusters.json"),
    ),
    (
        "postgresql.cnpg.io_databases.yaml",
        &[("postgresql.cnpg.io", "Database")],
        include_str!("../crds/compact/postgresql.cnpg.io_databases.json"),
    ),
    (
        "postgresql.cnpg.io_poolers.yaml",
        &[("postgresql.cnpg.io", "Pooler")],
        include_str!("../crds/compact/postgresql.cnpg.io_poolers.json"),
    ),
    (
        "postgresql.cnpg.io_scheduledbackups.yaml",
        &[("postgresql.cnpg.io", "ScheduledBackup")],
        include_str!("../crds/compact/postgresql.cnpg.io_scheduledbackups.json"),
    ),
    (
        "grafana.integreatly.org_grafanadashboards.yaml",
        &[("grafana.integreatly.org", "GrafanaDashboard")],
        include_str!("../crds/compact/grafana.integreatly.org_grafanadashboards.json"),
    ),
    (
        "dapr.io_components.yaml",
        &[("dapr.io", "Component")],
        include_str!("../crds/compact/dapr.io_components.json"),
    ),
    (
        "dapr.io_configurations.yaml",
        &[("dapr.io", "Configuration")],
        include_str!("../crds/compact/dapr.io_configurations.json"),
    ),
    (
        "grafana.integreatly.org_grafanadatasources.yaml",
        &[("grafana.integreatly.org", "GrafanaDatasource")],
        include_str!("../crds/compact/grafana.integreatly.org_grafanadatasources.json"),
    ),
    (
        "velero.io_schedules.yaml",
        &[("velero.io", "Schedule")],
        include_str!("../crds/compact/velero.io_schedules.json"),
    ),
    (
        "snapshot.storage.k8s.io_volumesnapshotclasses.yaml",
        &[("snapshot.storage.k8s.io", "VolumeSnapshotClass")],
        include_str!("../crds/compact/snapshot.storage.k8s.io_volumesnapshotclasses.json"),
    ),
    (
        "snapshot.storage.k8s.io_volumesnapshots.yaml",
        &[("snapshot.storage.k8s.io", "VolumeSnapshot")],
        include_str!("../crds/compact/snapshot.storage.k8s.io_volumesnapshots.json"),
    ),
    (
        "source.toolkit.fluxcd.io_gitrepositories.yaml",
        &[("source.toolkit.fluxcd.io", "GitRepository")],
        include_str!("../crds/compact/source.toolkit.fluxcd.io_gitrepositories.json"),
    ),
    (
        "source.toolkit.fluxcd.io_helmrepositories.yaml",
        &[("source.toolkit.fluxcd.io", "HelmRepository")],
        include_str!("../crds/compact/source.toolkit.fluxcd.io_helmrepositories.json"),
    ),
    (
        "source.toolkit.fluxcd.io_ocirepositories.yaml",
        &[("source.toolkit.fluxcd.io", "OCIRepository")],
        include_str!("../crds/compact/source.toolkit.fluxcd.io_ocirepositories.json"),
    ),
    (
        "traefik.io_ingressroutes.yaml",
        &[("traefik.io", "IngressRoute")],
        include_str!("../crds/compact/traefik.io_ingressroutes.json"),
    ),
    (
        "traefik.io_ingressroutetcps.yaml",
        &[("traefik.io", "IngressRouteTCP")],
        include_str!("../crds/compact/traefik.io_ingressroutetcps.json"),
    ),
    (
        "traefik.io_ingressrouteudps.yaml",
        &[("traefik.io", "IngressRouteUDP")],
        include_str!("../crds/compact/traefik.io_ingressrouteudps.json"),
    ),
    (
        "traefik.io_middlewares.yaml",
        &[("traefik.io", "Middleware")],
        include_str!("../crds/compact/traefik.io_middlewares.json"),
    ),
    (
        "traefik.io_serverstransports.yaml",
        &[("traefik.io", "ServersTransport")],
        include_str!("../crds/compact/traefik.io_serverstransports.json"),
    ),
    (
        "traefik.io_tlsoptions.yaml",
        &[("traefik.io", "TLSOption")],
        include_str!("../crds/compact/traefik.io_tlsoptions.json"),
    ),
    (
        "traefik.io_traefikservices.yaml",
        &[("traefik.io", "TraefikService")],
        include_str!("../crds/compact/traefik.io_traefikservices.json"),
    ),
];

/// The parsed CRDs of each file of [`FILES`], by index.
fn parsed(index: usize) -> &'static Crds {
    static PARSED: OnceLock<Vec<OnceLock<Crds>>> = OnceLock::new();
    let cells = PARSED.get_or_init(|| FILES.iter().map(|_| OnceLock::new()).collect());
    cells[index].get_or_init(|| {
        let docs: Vec<Value> = serde_json::from_str(FILES[index].2).unwrap_or_default();
        crds_of(&docs)
    })
}

/// The carried schema of `kind` at `api` (`group/version`), if any.
pub(crate) fn get(api: &str, kind: &str) -> Option<&'static CrdVersion> {
    let (group, _) = api.split_once('/')?;
    let index = FILES
        .iter()
        .position(|(_, kinds, _)| kinds.iter().any(|(g, k)| *g == group && *k == kind))?;
    parsed(index).get(&(api.to_owned(), kind.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema without its descriptions (a property named `description`
    /// stays).
    fn without_descriptions(schema: &Value) -> Value {
        let Value::Object(node) = schema else {
            return schema.clone();
        };
        let mut out = serde_json::Map::new();
        for (key, value) in node {
            let kept = match (key.as_str(), value) {
                ("description", Value::String(_)) => continue,
                ("properties" | "patternProperties", Value::Object(children)) => Value::Object(
                    children
                        .iter()
                        .map(|(name, child)| (name.clone(), without_descriptions(child)))
                        .collect(),
                ),
                ("anyOf" | "allOf" | "oneOf", Value::Array(children)) => {
                    Value::Array(children.iter().map(without_descriptions).collect())
                }
                ("items" | "additionalProperties" | "not", child) => without_descriptions(child),
                _ => value.clone(),
            };
            out.insert(key.clone(), kept);
        }
        Value::Object(out)
    }

    /// The compact form of an upstream CRD file: each CRD with its group,
    /// kind, scope and served versions' schemas, without descriptions.
    fn compact(upstream: &str) -> String {
        let limits = cfggen_yaml::Limits::default();
        let docs = cfggen_yaml::parse_stream(cfggen_yaml::FileId(0), upstream, &limits)
            .expect("an upstream CRD file parses");
        let out: Vec<Value> = docs
            .iter()
            .map(cfggen_yaml::Node::to_json)
            .filter(|d| d.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
            .map(|d| {
                let spec = &d["spec"];
                let versions: Vec<Value> = spec["versions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|v| v["served"] == Value::Bool(true))
                    .map(|v| {
                        serde_json::json!({
                            "name": v["name"],
                            "schema": {"openAPIV3Schema": without_descriptions(&v["schema"]["openAPIV3Schema"])},
                        })
                    })
                    .collect();
                serde_json::json!({
                    "kind": "CustomResourceDefinition",
                    "spec": {
                        "group": spec["group"],
                        "names": {"kind": spec["names"]["kind"]},
                        "scope": spec["scope"],
                        "versions": versions,
                    },
                })
            })
            .collect();
        let mut text = serde_json::to_string(&out).expect("JSON");
        text.push('\n');
        text
    }

    #[test]
    fn each_compact_form_is_made_from_its_upstream_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crds");
        let write = std::env::var_os("CFGGEN_WRITE_CRDS").is_some();
        let mut stale = Vec::new();
        for (name, _, carried) in FILES {
            let upstream = std::fs::read_to_string(dir.join(name)).expect("the upstream file");
            let made = compact(&upstream);
            if made != *carried {
                if write {
                    let stem = name.trim_end_matches(".yaml");
                    std::fs::write(dir.join(format!("compact/{stem}.json")), &made)
                        .expect("written");
                }
                stale.push(*name);
            }
        }
        assert!(
            stale.is_empty() || write,
            "stale compact CRDs (run with CFGGEN_WRITE_CRDS=1): {stale:?}"
        );
    }

    #[test]
    fn every_file_defines_the_kinds_listed_for_it() {
        for (i, (name, kinds, _)) in FILES.iter().enumerate() {
            let mut found: Vec<(String, String)> = parsed(i)
                .keys()
                .map(|(api, kind)| {
                    let group = api.split_once('/').map_or(api.as_str(), |(g, _)| g);
                    (group.to_owned(), kind.clone())
                })
                .collect();
            found.sort();
            found.dedup();
            let mut listed: Vec<(String, String)> = kinds
                .iter()
                .map(|(g, k)| ((*g).to_owned(), (*k).to_owned()))
                .collect();
            listed.sort();
            assert_eq!(found, listed, "{name}");
        }
    }

    #[test]
    fn the_kinds_cfggen_renders_and_common_operators_are_carried() {
        for (api, kind) in [
            ("external-secrets.io/v1", "ExternalSecret"),
            ("external-secrets.io/v1", "ClusterSecretStore"),
            ("postgresql.cnpg.io/v1", "Cluster"),
            ("postgresql.cnpg.io/v1", "Database"),
            ("argoproj.io/v1alpha1", "Application"),
            ("gateway.networking.k8s.io/v1", "HTTPRoute"),
            ("gateway.networking.k8s.io/v1", "TLSRoute"),
            ("gateway.networking.k8s.io/v1alpha2", "TLSRoute"),
            ("gateway.networking.k8s.io/v1alpha2", "TCPRoute"),
            ("networking.istio.io/v1", "VirtualService"),
            ("traefik.io/v1alpha1", "IngressRoute"),
            ("cert-manager.io/v1", "Certificate"),
            ("monitoring.coreos.com/v1", "ServiceMonitor"),
        ] {
            assert!(get(api, kind).is_some(), "{api} {kind}");
        }
        assert!(get("example.com/v1", "Widget").is_none());
        // Not served: not carried.
        assert!(get("external-secrets.io/v1beta1", "ExternalSecret").is_none());
    }
}
