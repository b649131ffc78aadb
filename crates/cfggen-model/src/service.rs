//! How an app is reached: Services (ClusterIP, headless, NodePort,
//! LoadBalancer; selecting a component or standing without a selector)
//! and Ingresses (hosts to one Service, or rules with hosts and paths).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::container::Protocol;
use crate::names;

/// A Service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// The component whose pods the Service selects; none for a Service
    /// without a selector (its endpoints are managed elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The labels the Service selects pods by, when they are not the
    /// component's selector: a subset of the pods' labels (Kubernetes
    /// selects every pod whose labels include them, `app: web` selects
    /// the pods labelled `app: web, version: v1`). With `component`, that
    /// component's pods must carry them; without, they select the pods of
    /// every component that carries them (one at least).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"app": "redis"}]))]
    pub selector: IndexMap<String, String>,
    /// `ClusterIP` (the default), `NodePort` or `LoadBalancer`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<ServiceType>,
    /// A headless Service (`clusterIP: None`): DNS names the pods
    /// themselves, as a StatefulSet's governing Service needs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub headless: bool,
    /// A fixed cluster IP (a DNS server's, say), from the cluster's
    /// Service range; Kubernetes picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "clusterIP")]
    #[schemars(extend("format" = "ip"))]
    pub cluster_ip: Option<String>,
    /// The address a load balancer should give the Service (`type:
    /// LoadBalancer` only; deprecated by Kubernetes in favour of the
    /// implementation's annotation, kept where one reads it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "loadBalancerIP"
    )]
    #[schemars(extend("format" = "ip"))]
    pub load_balancer_ip: Option<String>,
    /// The load balancer implementation, e.g. `tailscale`
    /// (`type: LoadBalancer` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["tailscale"]))]
    pub load_balancer_class: Option<String>,
    /// Where traffic from outside the cluster goes: `Cluster` (the
    /// default, any node's pods) or `Local` (the receiving node's pods
    /// only, keeping the client's address); `NodePort` and `LoadBalancer`
    /// only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// Where traffic from inside the cluster goes: `Cluster` (the
    /// default) or `Local` (pods on the sender's node only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_traffic_policy: Option<TrafficPolicy>,
    /// The IP families of the Service's addresses, e.g. `[IPv4, IPv6]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 2))]
    pub ip_families: Vec<IpFamily>,
    /// `SingleStack`, `PreferDualStack` or `RequireDualStack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_family_policy: Option<IpFamilyPolicy>,
    /// `ClientIP`: each client's connections go to one pod (`None`, the
    /// default: any pod).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["None", "ClientIP"]))]
    pub session_affinity: Option<String>,
    /// How long a client keeps its pod (`{clientIP: {timeoutSeconds:
    /// 3600}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_config: Option<k8s_openapi::api::core::v1::SessionAffinityConfig>,
    /// Service ports by name. The short form `{grpc: 5000}` listens on
    /// 5000 and forwards to the container port named `grpc` (the name is
    /// the container port's, the number the Service's). The long form
    /// `{port, targetPort, nodePort, protocol}` forwards elsewhere; the
    /// Kubernetes list `[{port: 5000, targetPort: grpc}]` works too.
    pub ports: crate::ports::ServicePorts,
    /// Annotations, e.g. for the load balancer.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the Service, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Where a Service without pods sends its traffic (a NAS, a
    /// hypervisor outside the cluster): an EndpointSlice of these
    /// addresses, whose ports are the Service's ports' targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
}

/// The EndpointSlice of a Service without pods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoints {
    /// The addresses, one endpoint each: IPv4 (`192.168.1.117`), IPv6,
    /// or, with `addressType: FQDN`, host names.
    #[schemars(length(min = 1))]
    pub addresses: Vec<String>,
    /// `IPv4` (the default), `IPv6` or `FQDN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["IPv4", "IPv6", "FQDN"]))]
    pub address_type: Option<String>,
    /// The EndpointSlice's name; the Service's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
    /// Who manages the slice (its `endpointslice.kubernetes.io/managed-by`
    /// label); `cfggen` when absent. Never Kubernetes' own controller,
    /// which would take the slice over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
}

impl Endpoints {
    /// The address type, `IPv4` when none is given.
    pub fn address_type(&self) -> &str {
        self.address_type.as_deref().unwrap_or("IPv4")
    }
}

impl Service {
    /// The components whose pods the Service selects, with their names:
    /// its `component`; or, with a `selector` alone, every component whose
    /// pods carry it; none without either.
    pub fn selected<'a>(
        &self,
        app_name: &str,
        app: &'a crate::App,
    ) -> Vec<(&'a str, &'a crate::app::Component)> {
        match &self.component {
            Some(c) => app
                .components
                .get_key_value(c)
                .map(|(k, v)| (k.as_str(), v))
                .into_iter()
                .collect(),
            None if self.selector.is_empty() => Vec::new(),
            None => app
                .components
                .iter()
                .filter(|(k, comp)| comp.selected_by(app.name_label(app_name), k, &self.selector))
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
        }
    }

    /// The labels the Service is rendered with: cfggen's
    /// `app.kubernetes.io/name` (the component's name label when it
    /// selects one), `app.kubernetes.io/component` when it selects a
    /// component, and `app.kubernetes.io/managed-by`, with its own
    /// `labels` over them (a Service's labels select no pod).
    pub fn rendered_labels(
        &self,
        app_name: &str,
        app: &crate::App,
    ) -> std::collections::BTreeMap<String, String> {
        let mut labels = std::collections::BTreeMap::new();
        let component = self.component.as_deref();
        let comp = component.and_then(|c| Some((c, app.components.get(c)?)));
        let name = comp.map_or(app.name_label(app_name), |(_, comp)| {
            comp.label_of(app.name_label(app_name))
        });
        labels.insert(names::LABEL_APP.to_owned(), name.to_owned());
        if let Some(c) = component {
            let value = comp.map_or(c, |(c, comp)| comp.component_label_of(c));
            labels.insert(names::LABEL_COMPONENT.to_owned(), value.to_owned());
        }
        labels.insert(
            names::MANAGED_BY.0.to_owned(),
            names::MANAGED_BY.1.to_owned(),
        );
        labels.extend(self.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        labels
    }

    /// The Service type, `ClusterIP` when absent.
    pub fn service_type(&self) -> ServiceType {
        self.kind.unwrap_or(ServiceType::ClusterIP)
    }
}

/// The type of a Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

impl ServiceType {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
        }
    }
}

/// Which endpoints a Service's traffic reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum TrafficPolicy {
    Cluster,
    Local,
}

impl TrafficPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

/// An IP family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum IpFamily {
    IPv4,
    IPv6,
}

impl IpFamily {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IpFamily::IPv4 => "IPv4",
            IpFamily::IPv6 => "IPv6",
        }
    }
}

/// How many IP families a Service has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum IpFamilyPolicy {
    SingleStack,
    PreferDualStack,
    RequireDualStack,
}

impl IpFamilyPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IpFamilyPolicy::SingleStack => "SingleStack",
            IpFamilyPolicy::PreferDualStack => "PreferDualStack",
            IpFamilyPolicy::RequireDualStack => "RequireDualStack",
        }
    }
}

/// A Service port: the port number it listens on, or the long form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ServicePort {
    /// The port the Service listens on.
    Number(#[schemars(range(min = 1))] u16),
    /// The port with a node port, a target or a protocol.
    Spec(ServicePortSpec),
}

/// The long form of a Service port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServicePortSpec {
    /// The port the Service listens on.
    #[schemars(range(min = 1))]
    pub port: u16,
    /// The port on every node (`NodePort` and `LoadBalancer`), 30000–32767.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 30000, max = 32767))]
    pub node_port: Option<u16>,
    /// Where traffic goes: a container port's name or number (a port
    /// number, for a Service without a component); the container port
    /// named like the Service port when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<crate::container::PortRef>,
    /// The protocol; when absent, with a component, the protocol of the
    /// container port it forwards to (by number, when the pods declare
    /// the number with one protocol only; else TCP). A named container
    /// port's protocol must agree with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The application protocol, a hint for proxies and load balancers,
    /// e.g. `http`, `https`, `kubernetes.io/h2c`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["https"]))]
    pub app_protocol: Option<String>,
}

impl ServicePort {
    /// The port the Service listens on.
    pub fn port(&self) -> u16 {
        match self {
            ServicePort::Number(n) => *n,
            ServicePort::Spec(s) => s.port,
        }
    }

    /// Where the port forwards to, for a Service port named `name`: its
    /// `targetPort`, or the container port of the same name.
    pub fn target(&self, name: &str) -> crate::container::PortRef {
        match self {
            ServicePort::Spec(ServicePortSpec {
                target_port: Some(t),
                ..
            }) => t.clone(),
            _ => crate::container::PortRef::Name(name.to_owned()),
        }
    }

    /// The long form.
    pub fn spec(&self) -> ServicePortSpec {
        match self {
            ServicePort::Number(n) => ServicePortSpec {
                port: *n,
                node_port: None,
                target_port: None,
                protocol: None,
                app_protocol: None,
            },
            ServicePort::Spec(s) => s.clone(),
        }
    }
}

/// An Ingress: hosts in front of one Service and port (`service`, `port`,
/// `hosts`), or `rules` with hosts and paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ingress {
    /// The Ingress name; the app's name (for `ingress`) or its key (for
    /// `ingresses`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
    /// The ingress class (`ingressClassName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["tailscale"]))]
    pub class_name: Option<String>,
    /// One of the app's Services (with `port`), for every host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// A port of that Service: its name, or its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<crate::container::PortRef>,
    /// Host names served; with none, the Service is the default backend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Send all traffic to the Service as the default backend, and use
    /// `hosts` only for TLS (as the Tailscale ingress controller expects),
    /// instead of one routing rule per host.
    #[serde(default)]
    pub default_backend: bool,
    /// Routing rules: a host (or every host) and its paths, each to a
    /// Service and port of the app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<IngressRule>,
    /// Serve TLS for the hosts.
    #[serde(default)]
    pub tls: bool,
    /// The Secret holding the TLS certificate; the controller's default
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub tls_secret: Option<String>,
    /// TLS as Kubernetes lists it, for some of the hosts or with several
    /// certificates: each entry's hosts and Secret; instead of `tls` and
    /// `tlsSecret`, which cover every host with one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tls_entries: Vec<IngressTls>,
    /// Annotations for the ingress controller and dashboards.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
    /// Labels of the Ingress, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

/// One TLS entry of an Ingress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressTls {
    /// The hosts its certificate serves (hosts of the Ingress); the
    /// controller's default when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The Secret holding the certificate; the controller's default when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub secret_name: Option<String>,
}

/// A routing rule of an Ingress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRule {
    /// The host; every host when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Paths and where each goes.
    pub paths: Vec<IngressPath>,
}

/// A path of an Ingress rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressPath {
    /// The path; `/` when absent.
    #[serde(default = "root_path")]
    #[schemars(regex(pattern = "^/"))]
    pub path: String,
    /// `Prefix` (the default), `Exact` or `ImplementationSpecific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_type: Option<PathType>,
    /// One of the app's Services.
    pub service: String,
    /// A port of that Service: its name, or its number.
    pub port: crate::container::PortRef,
}

fn root_path() -> String {
    "/".to_owned()
}

/// How an Ingress path matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum PathType {
    Prefix,
    Exact,
    ImplementationSpecific,
}

impl PathType {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PathType::Prefix => "Prefix",
            PathType::Exact => "Exact",
            PathType::ImplementationSpecific => "ImplementationSpecific",
        }
    }
}

/// An IngressClass (cluster-scoped): the controller that serves the
/// Ingresses of the class, and whether it is the cluster's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{"controller": "k8s.io/ingress-nginx", "default": true}]))]
pub struct IngressClass {
    /// The controller, as a domain-prefixed path: `k8s.io/ingress-nginx`,
    /// `traefik.io/ingress-controller`.
    #[schemars(regex(
        pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/.+$"
    ))]
    pub controller: String,
    /// The controller's settings for the class, in an object of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<k8s_openapi::api::networking::v1::IngressClassParametersReference>,
    /// Whether Ingresses that name no class get this one
    /// (`ingressclass.kubernetes.io/is-default-class`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// Labels of the IngressClass, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the IngressClass.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The annotation that makes an IngressClass the default.
pub const DEFAULT_INGRESS_CLASS: &str = "ingressclass.kubernetes.io/is-default-class";
