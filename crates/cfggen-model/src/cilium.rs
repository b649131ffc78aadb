//! Cilium network policies: a `cilium.io/v2` CiliumNetworkPolicy of the
//! app (the pods of its namespace that an endpoint selector picks), or a
//! CiliumClusterwideNetworkPolicy (pods of every namespace, or nodes).
//! Each field is Cilium's own; what Cilium refuses when it loads a
//! policy, though the API server took it, is a semantic rule
//! (`validate/cilium.rs`).

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Cilium policy: whom it applies to, and the traffic it allows or
/// denies each way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CiliumPolicy {
    /// What the policy is for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The pods it applies to (`{}`: every pod; of the app's namespace,
    /// for a namespaced policy). Labels are the pods' own
    /// (`app.kubernetes.io/name: web`) or Cilium's
    /// (`k8s:io.kubernetes.pod.namespace: web`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_selector: Option<LabelSelector>,
    /// The nodes it applies to, instead of pods (cluster-wide policies
    /// only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<LabelSelector>,
    /// Traffic allowed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<IngressRule>,
    /// Traffic denied in, whatever allows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress_deny: Vec<IngressRule>,
    /// Traffic allowed out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<EgressRule>,
    /// Traffic denied out, whatever allows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress_deny: Vec<EgressRule>,
    /// Whether the policy puts the selected pods in default deny each
    /// way (Cilium's default: yes, for each direction it has rules for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_default_deny: Option<DefaultDeny>,
    /// Labels of the policy object, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the policy object.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Default deny, each way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultDeny {
    /// Deny what no rule allows in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<bool>,
    /// Deny what no rule allows out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<bool>,
}

/// Traffic in: from whom (at most one kind of peer per rule), to which
/// ports. A rule with no peer takes traffic from anyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRule {
    /// Pods, by their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_endpoints: Vec<LabelSelector>,
    /// Labels every peer must also carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_requires: Vec<LabelSelector>,
    /// Addresses outside the cluster (`10.0.0.0/8`).
    #[serde(default, rename = "fromCIDR", skip_serializing_if = "Vec::is_empty")]
    pub from_cidr: Vec<String>,
    /// Address blocks, with exceptions.
    #[serde(default, rename = "fromCIDRSet", skip_serializing_if = "Vec::is_empty")]
    pub from_cidr_set: Vec<CidrRule>,
    /// Cilium's entities (`world`, `cluster`, `host`, `kube-apiserver`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_entities: Vec<Entity>,
    /// Nodes, by their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_nodes: Vec<LabelSelector>,
    /// The ports (and, on an allow rule, the layer-7 rules) it is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_ports: Vec<PortRule>,
    /// ICMP types it is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icmps: Vec<IcmpRule>,
    /// Mutual authentication the traffic needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
}

/// Traffic out: to whom (at most one kind of peer per rule), to which
/// ports. A rule with no peer allows traffic to anyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressRule {
    /// Pods, by their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_endpoints: Vec<LabelSelector>,
    /// Labels every peer must also carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_requires: Vec<LabelSelector>,
    /// Addresses outside the cluster.
    #[serde(default, rename = "toCIDR", skip_serializing_if = "Vec::is_empty")]
    pub to_cidr: Vec<String>,
    /// Address blocks, with exceptions.
    #[serde(default, rename = "toCIDRSet", skip_serializing_if = "Vec::is_empty")]
    pub to_cidr_set: Vec<CidrRule>,
    /// Cilium's entities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_entities: Vec<Entity>,
    /// Nodes, by their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_nodes: Vec<LabelSelector>,
    /// Kubernetes Services, by name or selector.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_services: Vec<ServiceRef>,
    /// Host names (allow rules only): Cilium learns their addresses from
    /// the DNS answers its proxy sees, so the pods' DNS traffic needs a
    /// `rules.dns` rule.
    #[serde(default, rename = "toFQDNs", skip_serializing_if = "Vec::is_empty")]
    pub to_fqdns: Vec<FqdnSelector>,
    /// The ports (and, on an allow rule, the layer-7 rules) it is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_ports: Vec<PortRule>,
    /// ICMP types it is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icmps: Vec<IcmpRule>,
    /// Mutual authentication the traffic needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
}

/// An address block, with the blocks inside it that are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CidrRule {
    /// The block (`10.0.0.0/8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// A CiliumCIDRGroup, instead of a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_group_ref: Option<String>,
    /// Blocks inside `cidr` that are left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A peer Cilium knows by its role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    /// Everything.
    All,
    /// Outside the cluster.
    World,
    /// Outside the cluster, IPv4.
    #[serde(rename = "world-ipv4")]
    WorldIpv4,
    /// Outside the cluster, IPv6.
    #[serde(rename = "world-ipv6")]
    WorldIpv6,
    /// Inside the cluster.
    Cluster,
    /// The pod's node.
    Host,
    /// Other nodes.
    RemoteNode,
    /// The Kubernetes API server.
    KubeApiserver,
    /// Cilium's ingress proxy.
    Ingress,
    /// Pods not yet identified.
    Init,
    /// Cilium's health checks.
    Health,
    /// Pods Cilium does not manage.
    Unmanaged,
    /// Nothing.
    None,
}

/// A Kubernetes Service as a peer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceRef {
    /// The Service by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_service: Option<ServiceName>,
    /// Services by their labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s_service_selector: Option<ServiceSelector>,
}

/// A Service by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceName {
    /// Its name.
    pub service_name: String,
    /// Its namespace; the policy's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Services by their labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSelector {
    /// The labels.
    pub selector: LabelSelector,
    /// Their namespace; the policy's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A host name: exact, or a pattern with `*`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FqdnSelector {
    /// The name (`api.github.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_name: Option<String>,
    /// A pattern (`*.github.com`; `*` alone: any name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_pattern: Option<String>,
}

/// Ports, and what may pass them at layer 7 (allow rules only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortRule {
    /// The ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortProtocol>,
    /// Layer-7 rules: what Cilium's proxy lets through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<L7Rules>,
    /// TLS server names (SNI) the traffic must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_names: Vec<String>,
}

/// A port, or a range of ports, of a protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortProtocol {
    /// A number (`443`) or a named port of the pods (`http`); `0`: any.
    pub port: PolicyPort,
    /// The last port of a range that starts at `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 65535))]
    pub end_port: Option<i32>,
    /// `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPV6`, `VRRP`, `IGMP` or `ANY`
    /// (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<L4Protocol>,
}

/// A layer-4 protocol as Cilium names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum L4Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
    /// ICMP.
    Icmp,
    /// ICMPv6.
    #[serde(rename = "ICMPV6")]
    Icmpv6,
    /// VRRP.
    Vrrp,
    /// IGMP.
    Igmp,
    /// Any.
    Any,
}

/// What Cilium's proxy lets through a port: one kind of rule per port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct L7Rules {
    /// HTTP requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpRule>,
    /// DNS look-ups, by name: the answers teach Cilium the addresses of
    /// `toFQDNs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<FqdnSelector>,
}

/// HTTP requests that may pass: each field set must match (regular
/// expressions for `path` and `host`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRule {
    /// The method (`GET`, `GET|HEAD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path (`/api/.*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Headers it must carry (`X-Token: abc`, or a name alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
}

/// ICMP types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcmpRule {
    /// The types, each of a family.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<IcmpField>,
}

/// An ICMP type (`8`, `EchoRequest`) of a family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcmpField {
    /// `IPv4` (the default) or `IPv6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["IPv4", "IPv6"]))]
    pub family: Option<String>,
    /// The type, by number or name.
    #[serde(rename = "type")]
    pub kind: IntOrString,
}

/// Mutual authentication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authentication {
    /// `required` or `disabled`.
    #[schemars(extend("enum" = ["required", "disabled"]))]
    pub mode: String,
}

/// A port of a Cilium rule: written as a number or as text, and rendered
/// as text, the type Cilium's schema gives it (`"443"`, `"http"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyPort(pub String);

impl PolicyPort {
    /// The port number, when it is one (not a name).
    pub fn number(&self) -> Option<u32> {
        self.0.parse().ok()
    }
}

impl Serialize for PolicyPort {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PolicyPort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u32),
            Text(String),
        }
        Ok(PolicyPort(match Either::deserialize(d)? {
            Either::Number(n) => n.to_string(),
            Either::Text(t) => t,
        }))
    }
}

impl JsonSchema for PolicyPort {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicyPort".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A port number (`443`, `0` for any) or the name of a port of the pods (`http`).",
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 65535},
                {"type": "string", "pattern": "^(\\d+|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"}
            ]
        })
    }
}
