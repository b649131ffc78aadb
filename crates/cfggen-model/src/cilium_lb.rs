//! Cilium's load-balancer IP management: the pools of addresses Cilium
//! gives `LoadBalancer` Services (CiliumLoadBalancerIPPool), and the
//! policies that announce them on the local network by ARP
//! (CiliumL2AnnouncementPolicy). Both are cluster-scoped; the app that
//! runs Cilium (or the network) holds them, and they are written into the
//! folder of cluster-scoped objects.

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A pool of addresses for `LoadBalancer` Services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "blocks": [{"start": "192.168.10.220", "stop": "192.168.10.250"}],
    "serviceSelector": {"matchLabels": {"lb.example.com/pool": "lan"}}
}]))]
pub struct LoadBalancerIpPool {
    /// Its addresses: blocks by CIDR, or ranges from `start` to `stop`.
    #[schemars(length(min = 1))]
    pub blocks: Vec<IpBlock>,
    /// The Services it serves (by their labels); every Service when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_selector: Option<LabelSelector>,
    /// Whether it gives no new addresses (those given stay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// `Yes` or `No` (the default): whether the first and last address
    /// of a CIDR are given too.
    #[serde(
        default,
        rename = "allowFirstLastIPs",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("enum" = ["Yes", "No"]))]
    pub allow_first_last_ips: Option<String>,
    /// The version written: `v2` (the default, Cilium 1.17 and later) or
    /// `v2alpha1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["v2", "v2alpha1"]))]
    pub version: Option<String>,
    /// Labels of the pool, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the pool.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Addresses of a pool: a CIDR, or a range (`start`, and `stop` or the
/// one address).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IpBlock {
    /// A block, `192.168.10.0/24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// The range's first address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Its last address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
}

/// Which Services' addresses are announced on the local network, from
/// which nodes and interfaces (`cilium.io/v2alpha1`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{"loadBalancerIPs": true, "interfaces": ["^eth[0-9]+"]}]))]
pub struct L2AnnouncementPolicy {
    /// The Services announced (by their labels); every Service when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_selector: Option<LabelSelector>,
    /// The nodes that may announce them; every node when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<LabelSelector>,
    /// The interfaces announced on, as regular expressions; every one
    /// when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<String>,
    /// Whether the Services' `externalIPs` are announced.
    #[serde(
        default,
        rename = "externalIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_ips: Option<bool>,
    /// Whether their load-balancer addresses are announced.
    #[serde(
        default,
        rename = "loadBalancerIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub load_balancer_ips: Option<bool>,
    /// Labels of the policy, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the policy.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}
