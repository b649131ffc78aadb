//! An app and its components. The parts live in their own modules:
//! containers (`container`), pods (`pod`), workload kinds (`workload`),
//! storage (`storage`), RBAC (`rbac`), Services and Ingresses (`service`),
//! the database (`database`) and secrets (`secrets`).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::argocd::AppArgoCd;
use crate::container::Container;
use crate::database::Database;
use crate::helm::HelmChart;
use crate::image::ImageRef;
use crate::names;
use crate::patch::Patch;
use crate::pod::PodSettings;
use crate::rbac::ServiceAccount;
use crate::secrets::{SecretItem, UnmanagedSecret};
use crate::service::{Ingress, Service};
use crate::storage::Claim;
use crate::workload::{
    CronJobSettings, DaemonSetSettings, DeploymentStrategy, DisruptionBudget, JobSettings, Kind,
    StatefulSetSettings,
};

/// An app: one namespace, one image (components may override it), its
/// workloads, how they are reached, its database and its secrets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// Namespace the app runs in; when absent, the environment's
    /// `namespace`, or else the app's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// The value of the `app.kubernetes.io/name` label on everything the
    /// app renders, and in its default selectors; the app's name when
    /// absent. Set it to keep the label an app that already runs carries
    /// (`ingress-nginx` for the app `edge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::LABEL_VALUE), extend("examples" = ["ingress-nginx"]))]
    pub name_label: Option<String>,
    /// The image every component runs unless it names its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The app's workloads, by name; each becomes a Deployment (or the
    /// `kind` it names) called `<app>-<component>`. None for an app that
    /// is only a Helm chart.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub components: IndexMap<String, Component>,
    /// Kubernetes objects no typed field covers (custom resources of other
    /// operators, a RuntimeClass, an IngressClass), from files of the
    /// repository or inline; validated like everything else and rendered
    /// into the app's folder, one object per file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifests: Vec<Manifest>,
    /// The objects of `manifests`, as the loader read and checked them,
    /// each with the index of the entry it came from (not part of the file
    /// format).
    #[serde(skip)]
    #[schemars(skip)]
    pub loaded_manifests: Vec<(usize, serde_json::Value)>,
    /// Patches of the app's rendered objects (strategic merge or JSON
    /// patch), by kind and name; one that matches nothing is an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
    /// An upstream Helm chart that Argo CD installs for the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmChart>,
    /// Services, by their Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub services: IndexMap<String, Service>,
    /// An Ingress in front of one of the services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Ingress>,
    /// More Ingresses, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub ingresses: IndexMap<String, Ingress>,
    /// Gateway API HTTPRoutes to the app's Services, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub http_routes: IndexMap<String, crate::route::HttpRoute>,
    /// Gateway API TLSRoutes (TLS passed through by SNI host name) to the
    /// app's Services, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub tls_routes: IndexMap<String, crate::route::TlsRoute>,
    /// Gateway API TCPRoutes (a listener's TCP connections) to the app's
    /// Services, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub tcp_routes: IndexMap<String, crate::route::TcpRoute>,
    /// Gateway API GRPCRoutes (gRPC calls by service and method) to the
    /// app's Services, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub grpc_routes: IndexMap<String, crate::grpc_route::GrpcRoute>,
    /// Prometheus servers the Prometheus operator runs, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub prometheuses: IndexMap<String, crate::prometheus::Prometheus>,
    /// Dapr Components the app's sidecars load, by the name its code
    /// uses.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub dapr_components: IndexMap<String, crate::dapr::DaprComponent>,
    /// PodDisruptionBudgets of pods the app does not run as components
    /// (a chart's, an operator's), by name; a component's own is its
    /// `disruptionBudget`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub disruption_budgets: IndexMap<String, crate::workload::PodBudget>,
    /// Dapr Configurations its pods name (`dapr.io/config`), by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub dapr_configurations: IndexMap<String, crate::dapr::DaprConfiguration>,
    /// IngressClasses (cluster-scoped), by their Kubernetes name: the
    /// controller of the Ingresses of each class (the app that runs it
    /// holds it).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub ingress_classes: IndexMap<String, crate::service::IngressClass>,
    /// VolumeSnapshotClasses (cluster-scoped), by their Kubernetes name:
    /// how a CSI driver takes snapshots.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub volume_snapshot_classes: IndexMap<String, crate::storage::VolumeSnapshotClass>,
    /// Gateway API GatewayClasses (cluster-scoped), by their Kubernetes
    /// name: the controller of the Gateways of each class.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub gateway_classes: IndexMap<String, crate::gateway::GatewayClass>,
    /// Grafana operator data sources (GrafanaDatasource), by their
    /// Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub grafana_datasources: IndexMap<String, crate::grafana::GrafanaDatasource>,
    /// Cilium load-balancer IP pools (CiliumLoadBalancerIPPool,
    /// cluster-scoped), by their Kubernetes name: the addresses Cilium
    /// gives `LoadBalancer` Services.
    #[serde(
        default,
        rename = "ciliumLoadBalancerIPPools",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_load_balancer_ip_pools: IndexMap<String, crate::cilium_lb::LoadBalancerIpPool>,
    /// Cilium L2 announcement policies (CiliumL2AnnouncementPolicy,
    /// cluster-scoped), by their Kubernetes name: which Services'
    /// addresses are announced on the local network.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_l2_announcement_policies: IndexMap<String, crate::cilium_lb::L2AnnouncementPolicy>,
    /// Cilium BGP cluster configs (cluster-scoped), by their Kubernetes
    /// name: which nodes peer with which routers.
    #[serde(
        default,
        rename = "ciliumBGPClusterConfigs",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_bgp_cluster_configs: IndexMap<String, crate::cilium_bgp::BgpClusterConfig>,
    /// Cilium BGP peer configs (cluster-scoped), by name: how a peering
    /// runs and what its families announce.
    #[serde(
        default,
        rename = "ciliumBGPPeerConfigs",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_bgp_peer_configs: IndexMap<String, crate::cilium_bgp::BgpPeerConfig>,
    /// Cilium BGP advertisements (cluster-scoped), by name: what BGP
    /// announces; peer configs pick them by their labels.
    #[serde(
        default,
        rename = "ciliumBGPAdvertisements",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_bgp_advertisements: IndexMap<String, crate::cilium_bgp::BgpAdvertisement>,
    /// Istio VirtualServices, by their Kubernetes name: how requests to
    /// hosts of the mesh are routed.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub virtual_services: IndexMap<String, crate::istio::VirtualService>,
    /// Istio DestinationRules, by their Kubernetes name: the subsets of a
    /// Service's pods and the traffic policy to them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub destination_rules: IndexMap<String, crate::istio::DestinationRule>,
    /// Istio Gateways (`networking.istio.io`), by their Kubernetes name:
    /// the ports and hosts a gateway deployment of the mesh takes. (The
    /// Gateway API's are `gateways`.)
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub istio_gateways: IndexMap<String, crate::istio::IstioGateway>,
    /// Flux HelmReleases, by their Kubernetes name: charts Flux installs
    /// (from the app's `ociRepositories` or `helmRepositories`, or a
    /// shared source), with their values.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub helm_releases: IndexMap<String, crate::flux::HelmRelease>,
    /// Flux OCIRepositories, by their Kubernetes name: OCI artifacts (a
    /// chart a HelmRelease installs) Flux pulls.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub oci_repositories: IndexMap<String, crate::flux::OciRepository>,
    /// Flux HelmRepositories, by their Kubernetes name: chart
    /// repositories a HelmRelease's `chart` names.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub helm_repositories: IndexMap<String, crate::flux::HelmRepository>,
    /// Gateway API ReferenceGrants, by their Kubernetes name: which routes
    /// and Gateways of other namespaces may send to the app's Services
    /// (or read its Secrets).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub reference_grants: IndexMap<String, crate::grant::ReferenceGrant>,
    /// NetworkPolicies, by their Kubernetes name: which traffic reaches
    /// the app's pods and leaves them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub network_policies: IndexMap<String, crate::network::NetworkPolicy>,
    /// Velero backup Schedules, by their Kubernetes name (in the app
    /// that runs Velero, or holds its schedules): which namespaces and
    /// objects are backed up, when, and for how long.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub velero_schedules: IndexMap<String, crate::velero::VeleroSchedule>,
    /// Prometheus operator ServiceMonitors, by their Kubernetes name:
    /// which of the app's Services (by their labels) are scraped, on
    /// which of their named ports.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub service_monitors: IndexMap<String, crate::monitor::ServiceMonitor>,
    /// Prometheus operator PodMonitors, by their Kubernetes name: which
    /// pods (by their labels) are scraped, on which named container
    /// ports.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub pod_monitors: IndexMap<String, crate::monitor::PodMonitor>,
    /// cert-manager Certificates, by their Kubernetes name: which names
    /// an issuer signs into which Secret.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub certificates: IndexMap<String, crate::certificate::Certificate>,
    /// Gateway API Gateways, by their Kubernetes name: the listeners
    /// routes attach to.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub gateways: IndexMap<String, crate::gateway::Gateway>,
    /// Cilium network policies (CiliumNetworkPolicy), by their Kubernetes
    /// name: which of the namespace's pods they apply to, and the traffic
    /// they allow or deny, by peer, port and layer-7 rule.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_policies: IndexMap<String, crate::cilium::CiliumPolicy>,
    /// Cilium cluster-wide policies (CiliumClusterwideNetworkPolicy), by
    /// their Kubernetes name: the same rules, for pods of every namespace
    /// (`endpointSelector`) or for nodes (`nodeSelector`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cilium_clusterwide_policies: IndexMap<String, crate::cilium::CiliumPolicy>,
    /// Roles of the app's namespace, by their names: their rules and the
    /// RoleBindings that grant them (an account's own rules are its
    /// `serviceAccounts` entry's).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::RBAC_NAME}))]
    pub roles: IndexMap<String, crate::rbac::Role>,
    /// ClusterRoles, by their names (`system:coredns`): their rules (or
    /// aggregation) and the ClusterRoleBindings that grant them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::RBAC_NAME}))]
    pub cluster_roles: IndexMap<String, crate::rbac::Role>,
    /// RoleBindings, in the app's namespace, of roles made elsewhere
    /// (`view`, a chart's Role), by their names.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::RBAC_NAME}))]
    pub role_bindings: IndexMap<String, crate::rbac::RoleBinding>,
    /// ClusterRoleBindings of ClusterRoles made elsewhere
    /// (`cluster-admin`), by their names.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::RBAC_NAME}))]
    pub cluster_role_bindings: IndexMap<String, crate::rbac::RoleBinding>,
    /// cert-manager Issuers of the app's namespace, by their names: ACME
    /// (with DNS-01 through Cloudflare or HTTP-01), CA or self-signed.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub issuers: IndexMap<String, crate::issuer::Issuer>,
    /// cert-manager ClusterIssuers, by their names: the same, for
    /// certificates of every namespace.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub cluster_issuers: IndexMap<String, crate::issuer::Issuer>,
    /// Grafana operator dashboards (GrafanaDashboard), by their
    /// Kubernetes name: which Grafana instances import which model (its
    /// JSON, a URL, a key of one of the app's ConfigMaps, or grafana.com),
    /// into which folder.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub grafana_dashboards: IndexMap<String, crate::grafana::GrafanaDashboard>,
    /// PersistentVolumeClaims, by their Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub claims: IndexMap<String, Claim>,
    /// Service accounts and their RBAC rules, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub service_accounts: IndexMap<String, ServiceAccount>,
    /// ConfigMaps, by their Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub config_maps: IndexMap<String, ConfigMap>,
    /// The app's PostgreSQL database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Database>,
    /// Secrets the app's pods read that cfggen does not manage (made by
    /// cert-manager, an operator or by hand), by name: references to them
    /// are checked, and the 1Password inventory lists them as external.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub external_secrets: IndexMap<String, UnmanagedSecret>,
    /// ConfigMaps the app's pods read that cfggen does not make (a
    /// kustomize `configMapGenerator`'s, an operator's, one made by hand),
    /// by name: references to them are checked against their keys, and
    /// `generated/<env>/made-elsewhere.yaml` lists them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub external_config_maps: IndexMap<String, crate::elsewhere::ConfigMapElsewhere>,
    /// Services the app's Ingresses route to that cfggen does not make (a
    /// Helm chart's, another tool's), by name: routes to them are checked
    /// against their ports, and `generated/<env>/made-elsewhere.yaml`
    /// lists them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub external_services: IndexMap<String, crate::elsewhere::ServiceElsewhere>,
    /// PersistentVolumes the app's claims bind to (`volumeName`) that
    /// cfggen does not make (a storage team's, another repository's), by
    /// name: `generated/<env>/made-elsewhere.yaml` lists them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub external_persistent_volumes: IndexMap<String, crate::elsewhere::PersistentVolumeElsewhere>,
    /// PersistentVolumeClaims the app's pods mount that cfggen does not
    /// make here (another app's claim that several apps of the namespace
    /// share, a storage team's), by name: `generated/<env>/made-elsewhere.yaml`
    /// lists them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub external_claims: IndexMap<String, crate::elsewhere::ClaimElsewhere>,
    /// Pods the app's Services select that cfggen does not make (a Helm
    /// chart's DaemonSet, an operator's workload), by a name of your
    /// choosing (the workload's): a Service that selects no component
    /// may select them, and `generated/<env>/made-elsewhere.yaml` lists
    /// them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub external_pods: IndexMap<String, crate::elsewhere::PodsElsewhere>,
    /// How Argo CD deploys the app: sync policy, options, ignored
    /// differences, project, finalizers, destination cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<AppArgoCd>,
    /// 1Password items the app reads, by the name of the Kubernetes Secret
    /// each becomes.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub secrets: IndexMap<String, SecretItem>,
    /// Secrets made from a store of the environment's `secretStores`
    /// (not 1Password), by the name of the Kubernetes Secret each is.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub store_secrets: IndexMap<String, crate::stores::StoreSecret>,
    /// Values of the app's rendered objects (raw manifests, patches, Helm
    /// values, ConfigMap files) that the secret check would refuse, each
    /// declared not secret with a reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_secret: Vec<crate::secrets::NotSecret>,
}

/// The pods a raw workload of an app makes (a Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, Job or CronJob under `manifests`, or a Pod):
/// their labels and their containers' port names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawPods {
    /// The pod template's labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The names of every container's ports.
    pub ports: Vec<String>,
}

impl RawPods {
    /// The pod template of a raw object (a Pod is its own), if it makes
    /// pods.
    pub fn template_of(object: &serde_json::Value) -> Option<&serde_json::Value> {
        match object.get("kind")?.as_str()? {
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job" => object.pointer("/spec/template"),
            "CronJob" => object.pointer("/spec/jobTemplate/spec/template"),
            "Pod" => Some(object),
            _ => None,
        }
    }

    /// The pods of a raw object, if it makes any.
    pub fn of(object: &serde_json::Value) -> Option<RawPods> {
        let template = RawPods::template_of(object)?;
        let labels = template
            .pointer("/metadata/labels")
            .and_then(serde_json::Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let ports = ["containers", "initContainers"]
            .iter()
            .filter_map(|list| template.pointer(&format!("/spec/{list}"))?.as_array())
            .flatten()
            .filter_map(|c| c.get("ports")?.as_array())
            .flatten()
            .filter_map(|p| Some(p.get("name")?.as_str()?.to_owned()))
            .collect();
        Some(RawPods { labels, ports })
    }

    /// Whether the pods carry every label of `selector`.
    pub fn selected_by<'a>(
        &self,
        selector: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> bool {
        selector
            .into_iter()
            .all(|(k, v)| self.labels.get(k) == Some(v))
    }
}

/// What a raw manifest of an app may make that its typed objects read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    /// A Secret: of an ExternalSecret, a SealedSecret, a cert-manager
    /// Certificate.
    Secret,
    /// A ConfigMap.
    ConfigMap,
    /// A Service.
    Service,
    /// A PersistentVolume, which claims bind to by name.
    PersistentVolume,
    /// A PersistentVolumeClaim, which pods mount by name.
    Claim,
}

impl Made {
    /// What a Kubernetes object makes that others read by name, if
    /// anything: the Secret of an ExternalSecret (its target), a
    /// SealedSecret or a Certificate; a ConfigMap; a Service; a
    /// PersistentVolume; a PersistentVolumeClaim.
    pub fn by(object: &serde_json::Value) -> Option<(Made, &str)> {
        let text = |pointer: &str| object.pointer(pointer).and_then(serde_json::Value::as_str);
        match object.get("kind")?.as_str()? {
            "ExternalSecret" => Some((
                Made::Secret,
                text("/spec/target/name").or_else(|| text("/metadata/name"))?,
            )),
            "SealedSecret" => Some((
                Made::Secret,
                text("/spec/template/metadata/name").or_else(|| text("/metadata/name"))?,
            )),
            "Certificate" => Some((Made::Secret, text("/spec/secretName")?)),
            "ConfigMap" => Some((Made::ConfigMap, text("/metadata/name")?)),
            "Service" => Some((Made::Service, text("/metadata/name")?)),
            "PersistentVolume" => Some((Made::PersistentVolume, text("/metadata/name")?)),
            "PersistentVolumeClaim" => Some((Made::Claim, text("/metadata/name")?)),
            _ => None,
        }
    }
}

impl App {
    /// The value of its `app.kubernetes.io/name` label: `nameLabel`, or
    /// the app's name.
    pub fn name_label<'a>(&'a self, app_name: &'a str) -> &'a str {
        self.name_label.as_deref().unwrap_or(app_name)
    }

    /// Whether one of the app's raw manifests, or (a Secret) one of its
    /// Certificates, makes the object `name` (Kubernetes resolves a
    /// reference to it; its keys or ports are not known here).
    pub fn makes(&self, made: Made, name: &str) -> bool {
        let certificate = || self.certificates.values().any(|c| c.secret_name == name);
        (made == Made::Secret && certificate())
            || self
                .loaded_manifests
                .iter()
                .any(|(_, o)| Made::by(o).is_some_and(|(m, n)| m == made && n == name))
    }

    /// The app's raw manifests of kind `kind`.
    pub fn raw_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a serde_json::Value> {
        self.loaded_manifests
            .iter()
            .map(|(_, o)| o)
            .filter(move |o| o.get("kind").and_then(serde_json::Value::as_str) == Some(kind))
    }

    /// The app's store secret `name` of its own namespace (one its pods
    /// may read), if it has one.
    pub fn own_store_secret(&self, name: &str) -> Option<&crate::stores::StoreSecret> {
        self.store_secrets
            .get(name)
            .filter(|made| made.namespace.is_none())
    }

    /// Whether the app has the Service `name`: typed, declared made
    /// elsewhere, or one of its raw manifests'.
    pub fn has_service(&self, name: &str) -> bool {
        self.services.contains_key(name)
            || self.external_services.contains_key(name)
            || self.makes(Made::Service, name)
    }

    /// The pods of the app's raw workloads (see [`RawPods`]).
    pub fn raw_pods(&self) -> Vec<RawPods> {
        self.loaded_manifests
            .iter()
            .filter_map(|(_, object)| RawPods::of(object))
            .collect()
    }

    /// The namespace: declared, or the app's name.
    pub fn namespace<'a>(&'a self, app_name: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(app_name)
    }

    /// The image a component's main container runs: its own, or the app's.
    pub fn image_of<'a>(&'a self, component: &'a Component) -> Option<&'a ImageRef> {
        self.image_of_container(&component.container)
    }

    /// The image a container runs: its own, or the app's.
    pub fn image_of_container<'a>(&'a self, container: &'a Container) -> Option<&'a ImageRef> {
        container.image.as_ref().or(self.image.as_ref())
    }

    /// Every Ingress of the app by name: `ingress` (named by its `name`,
    /// or the app) and `ingresses`.
    pub fn all_ingresses<'a>(
        &'a self,
        app_name: &'a str,
    ) -> Vec<(String, &'a Ingress, FieldPathStep)> {
        let mut out = Vec::new();
        if let Some(i) = &self.ingress {
            out.push((
                i.name.clone().unwrap_or_else(|| app_name.to_owned()),
                i,
                FieldPathStep::Single,
            ));
        }
        for (name, i) in &self.ingresses {
            out.push((
                i.name.clone().unwrap_or_else(|| name.clone()),
                i,
                FieldPathStep::Named(name.clone()),
            ));
        }
        out
    }
}

/// Where an Ingress is declared: `ingress`, or `ingresses.<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldPathStep {
    /// `ingress`.
    Single,
    /// `ingresses.<name>`.
    Named(String),
}

impl FieldPathStep {
    /// The field path of the Ingress under its app.
    pub fn path(&self, app: &crate::FieldPath) -> crate::FieldPath {
        match self {
            FieldPathStep::Single => app.key("ingress"),
            FieldPathStep::Named(n) => app.key("ingresses").key(n),
        }
    }
}

/// The name of a component's workload: its `name`, or `<app>-<component>`.
pub fn workload_name(app: &str, component_name: &str, component: &Component) -> String {
    component
        .name
        .clone()
        .unwrap_or_else(|| default_workload_name(app, component_name))
}

/// The default name of a component's workload: `<app>-<component>`.
pub fn default_workload_name(app: &str, component: &str) -> String {
    format!("{app}-{component}")
}

/// A workload: a Deployment unless `kind` says otherwise, with its main
/// container (the component's own fields), sidecars, init containers and
/// pod settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The kind of workload; a Deployment when absent.
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: Kind,
    /// The workload's name; `<app>-<component>` when absent. Set it to
    /// keep the name of a workload that already runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub name: Option<String>,
    /// The labels that select the pods (immutable once the workload
    /// exists); `app.kubernetes.io/name` and `app.kubernetes.io/component`
    /// when absent. Set them to keep those of a workload that already runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = [{"app": "teslamate"}]))]
    pub selector_labels: Option<IndexMap<String, String>>,
    /// The value of `app.kubernetes.io/name` on this component's workload,
    /// pods and default selector, and on the Services that select it, when
    /// it is not the app's (`nameLabel`): to keep the label of a workload
    /// that already runs as part of a larger app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::LABEL_VALUE), extend("examples" = ["gptr-nextjs"]))]
    pub name_label: Option<String>,
    /// The value of `app.kubernetes.io/component` on this component's
    /// workload, pods and default selector, when it is not the
    /// component's name: to keep the label of workloads that already run
    /// and share one (the two Jobs of a webhook's set-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::LABEL_VALUE), extend("examples" = ["admission-webhook"]))]
    pub component_label: Option<String>,
    /// The main container's name; the component's name when absent. Set
    /// it to keep the container name of a workload that already runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub container_name: Option<String>,
    /// Labels of the workload object itself, beside cfggen's own (the
    /// pods' are under `pod.labels`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the workload object itself (the pods' are under
    /// `pod.annotations`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Number of pods (Deployments and StatefulSets); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Seconds a new pod must be ready before it counts as available
    /// (Deployments, StatefulSets and DaemonSets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<u32>,
    /// How many old revisions Kubernetes keeps for rollbacks (Deployments,
    /// StatefulSets and DaemonSets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<u32>,
    /// Seconds a rollout may take before it is reported as failed
    /// (Deployments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<u32>,
    /// The main container (named after the component).
    #[serde(flatten)]
    pub container: Container,
    /// Containers that run beside the main one for the pod's life
    /// (Kubernetes native sidecars: started first, stopped last), by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub sidecars: IndexMap<String, Container>,
    /// Regular containers beside the main one, by name: peers for the
    /// pod's life, after it in the pod's `containers` (an exporter and its
    /// `kube-rbac-proxy`, say). Prefer `sidecars` for a helper that must
    /// start before the main container and stop after it.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub extra_containers: IndexMap<String, Container>,
    /// Containers that run to completion, in order, before the others.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub init_containers: IndexMap<String, Container>,
    /// Settings of the pods.
    #[serde(default, skip_serializing_if = "PodSettings::is_empty")]
    pub pod: PodSettings,
    /// How a Deployment replaces its pods (Kubernetes `DeploymentStrategy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<DeploymentStrategy>,
    /// StatefulSet settings (`kind: StatefulSet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_set: Option<StatefulSetSettings>,
    /// DaemonSet settings (`kind: DaemonSet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_set: Option<DaemonSetSettings>,
    /// CronJob settings (`kind: CronJob`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_job: Option<CronJobSettings>,
    /// Settings of the Job (`kind: Job`) or of the Jobs a CronJob starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobSettings>,
    /// A PodDisruptionBudget for the component's pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disruption_budget: Option<DisruptionBudget>,
    /// A HorizontalPodAutoscaler of the workload (a Deployment or a
    /// StatefulSet), which then owns its number of pods: `replicas` is
    /// not set with it, and the workload is rendered without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<crate::autoscaling::Autoscaling>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Component {
    /// Every container of the pod with its role: init containers, then
    /// sidecars, then extra containers, then the main container (named
    /// after the component, or its `containerName`) — last, always.
    pub fn containers<'a>(&'a self, name: &'a str) -> Vec<(ContainerRole, &'a str, &'a Container)> {
        let mut out: Vec<(ContainerRole, &str, &Container)> = Vec::new();
        for (n, c) in &self.init_containers {
            out.push((ContainerRole::Init, n, c));
        }
        for (n, c) in &self.sidecars {
            out.push((ContainerRole::Sidecar, n, c));
        }
        for (n, c) in &self.extra_containers {
            out.push((ContainerRole::Extra, n, c));
        }
        let main = self.container_name.as_deref().unwrap_or(name);
        out.push((ContainerRole::Main, main, &self.container));
        out
    }

    /// The container port of the pod a port reference means: the port of
    /// that name, or a port of that number; with its name.
    pub fn pod_port<'a>(
        &'a self,
        name: &'a str,
        target: &crate::container::PortRef,
    ) -> Option<(&'a str, &'a crate::container::Port)> {
        self.containers(name).into_iter().find_map(|(_, _, c)| {
            c.ports.iter().find_map(|(n, p)| {
                let hit = match target {
                    crate::container::PortRef::Name(want) => n == want,
                    crate::container::PortRef::Number(want) => p.number() == *want,
                };
                hit.then_some((n.as_str(), p))
            })
        })
    }

    /// The value of the component's `app.kubernetes.io/name` label: its
    /// `nameLabel`, or the app's, `app`.
    pub fn label_of<'a>(&'a self, app: &'a str) -> &'a str {
        self.name_label.as_deref().unwrap_or(app)
    }

    /// The value of the component's `app.kubernetes.io/component` label:
    /// its `componentLabel`, or its name, `name`.
    pub fn component_label_of<'a>(&'a self, name: &'a str) -> &'a str {
        self.component_label.as_deref().unwrap_or(name)
    }

    /// The labels that select the component's pods: its `selectorLabels`,
    /// or cfggen's `app.kubernetes.io/name` and `…/component` (`app` the
    /// app's name label, unless the component has its own).
    pub fn selector(&self, app: &str, name: &str) -> std::collections::BTreeMap<String, String> {
        let app = self.label_of(app);
        match &self.selector_labels {
            Some(labels) => labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            None => [
                (names::LABEL_APP.to_owned(), app.to_owned()),
                (
                    names::LABEL_COMPONENT.to_owned(),
                    self.component_label_of(name).to_owned(),
                ),
            ]
            .into(),
        }
    }

    /// The labels of the component's pods: cfggen's (app, component,
    /// managed-by), the selector's, and the pod's own.
    pub fn pod_labels(&self, app: &str, name: &str) -> std::collections::BTreeMap<String, String> {
        let app = self.label_of(app);
        let mut labels: std::collections::BTreeMap<String, String> = [
            (names::LABEL_APP.to_owned(), app.to_owned()),
            (
                names::LABEL_COMPONENT.to_owned(),
                self.component_label_of(name).to_owned(),
            ),
            (
                names::MANAGED_BY.0.to_owned(),
                names::MANAGED_BY.1.to_owned(),
            ),
        ]
        .into();
        labels.extend(self.selector(app, name));
        labels.extend(self.pod.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        labels
    }

    /// Whether the component's pods carry every label of `selector`
    /// (Kubernetes selects a pod whose labels include the selector's).
    pub fn selected_by<'a>(
        &self,
        app: &str,
        name: &str,
        selector: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> bool {
        let labels = self.pod_labels(app, name);
        selector.into_iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// The number of pods: declared, or 1.
    pub fn replica_count(&self) -> u32 {
        self.replicas.unwrap_or(1)
    }
}

/// Kubernetes objects given as they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum Manifest {
    /// `{file: <path>}`: a file of the repository (paths from its root),
    /// one or more documents separated by `---`.
    File {
        /// The file.
        #[schemars(extend("examples" = ["environments/files/tailscale/connector.yaml"]))]
        file: String,
    },
    /// `{inline: {apiVersion, kind, metadata, …}}`: one object.
    Inline {
        /// The object.
        inline: serde_json::Map<String, serde_json::Value>,
    },
}

/// What a container is to its pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    /// The component's own container.
    Main,
    /// A native sidecar.
    Sidecar,
    /// A regular container beside the main one.
    Extra,
    /// An init container.
    Init,
}

impl ContainerRole {
    /// The field the container is declared under, for paths.
    pub fn field(self) -> Option<&'static str> {
        match self {
            ContainerRole::Main => None,
            ContainerRole::Sidecar => Some("sidecars"),
            ContainerRole::Extra => Some("extraContainers"),
            ContainerRole::Init => Some("initContainers"),
        }
    }
}

/// A ConfigMap: keys written inline (`data`), or files of the
/// repository (`files`, `folder`), each file a key named after it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigMap {
    /// Keys (file names when mounted) to text.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DATA_KEY}))]
    pub data: IndexMap<String, String>,
    /// Files of the repository, by their path from its root; each becomes
    /// the key of its file name. Binary files go to `binaryData`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["environments/files/alloy/config.alloy"]]))]
    pub files: Vec<String>,
    /// Every file of a folder of the repository (not its subfolders, not
    /// hidden files), by its path from the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["environments/files/dashboards"]))]
    pub folder: Option<String>,
    /// Labels of the ConfigMap (dashboards are found by label, say).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"grafana_dashboard": "1"}]))]
    pub labels: IndexMap<String, String>,
    /// Annotations of the ConfigMap.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Name the ConfigMap `<name>-<hash of its contents>`, so pods that use
    /// it roll when it changes (every reference follows the new name). On
    /// by default for ConfigMaps made from files, off for inline ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_suffix: Option<bool>,
    /// The contents of `files` and `folder`, by key, as the loader read
    /// them (not part of the file format).
    #[serde(skip)]
    #[schemars(skip)]
    pub loaded: IndexMap<String, FileContent>,
}

/// The contents of a file read into a ConfigMap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileContent {
    /// UTF-8 text: goes to `data`.
    Text(String),
    /// Anything else: goes to `binaryData`.
    Binary(Vec<u8>),
}

impl ConfigMap {
    /// Every key: the inline ones, then those of the files.
    pub fn keys(&self) -> Vec<&str> {
        self.data
            .keys()
            .chain(self.loaded.keys())
            .map(String::as_str)
            .collect()
    }

    /// Whether the name carries a hash of the contents.
    pub fn hashed(&self) -> bool {
        self.hash_suffix
            .unwrap_or(!self.files.is_empty() || self.folder.is_some())
    }

    /// A hash of the contents (FNV-1a over the keys and values in key
    /// order): the same contents, the same hash, on every machine.
    pub fn content_hash(&self) -> String {
        let mut entries: Vec<(&str, u8, &[u8])> = self
            .data
            .iter()
            .map(|(k, v)| (k.as_str(), 0u8, v.as_bytes()))
            .chain(self.loaded.iter().map(|(k, v)| match v {
                FileContent::Text(t) => (k.as_str(), 0u8, t.as_bytes()),
                FileContent::Binary(b) => (k.as_str(), 1u8, b.as_slice()),
            }))
            .collect();
        entries.sort();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (k, kind, v) in entries {
            feed(k.as_bytes());
            feed(&[0, kind]);
            feed(v);
            feed(&[0]);
        }
        // Ten characters of an alphabet with no vowels, so no word forms.
        const ALPHABET: &[u8] = b"bcdfghjkmnpqrstvwxz2456789";
        (0..10)
            .map(|i| {
                let index = (hash >> (i * 6)) % ALPHABET.len() as u64;
                char::from(ALPHABET[usize::try_from(index).unwrap_or(0)])
            })
            .collect()
    }
}

/// The name a ConfigMap is rendered under: `<name>-<hash>` when hashed,
/// else its name. Every reference to it in the environment uses this.
pub fn config_map_name(name: &str, cm: &ConfigMap) -> String {
    if cm.hashed() {
        format!("{name}-{}", cm.content_hash())
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_follow_the_contents_not_their_order() {
        let mut a = ConfigMap::default();
        a.data.insert("x".into(), "1".into());
        a.data.insert("y".into(), "2".into());
        let mut b = ConfigMap::default();
        b.data.insert("y".into(), "2".into());
        b.data.insert("x".into(), "1".into());
        assert_eq!(a.content_hash(), b.content_hash());
        assert_eq!(a.content_hash().len(), 10);
        b.data.insert("x".into(), "3".into());
        assert_ne!(a.content_hash(), b.content_hash());
        a.hash_suffix = Some(true);
        assert!(config_map_name("cfg", &a).starts_with("cfg-"));
        a.hash_suffix = None;
        assert_eq!(config_map_name("cfg", &a), "cfg");
        a.files.push("f".into());
        assert!(a.hashed());
    }
}
