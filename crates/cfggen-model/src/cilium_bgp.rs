//! Cilium's BGP control plane (`cilium.io/v2`): which nodes speak BGP to
//! which routers (CiliumBGPClusterConfig), how each peering runs
//! (CiliumBGPPeerConfig), and what is announced over it
//! (CiliumBGPAdvertisement, picked by the peer config's families by its
//! labels). All three are cluster-scoped and written into the folder of
//! cluster-scoped objects.

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The BGP instances of the nodes a selector picks, and their peers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "nodeSelector": {"matchLabels": {"bgp": "enabled"}},
    "bgpInstances": [{"name": "65200", "localASN": 65200, "peers": [
        {"name": "router", "peerASN": 65100, "peerAddress": "192.168.1.1", "peerConfigRef": {"name": "router"}}
    ]}]
}]))]
pub struct BgpClusterConfig {
    /// The nodes that run these instances; every node when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<LabelSelector>,
    /// The BGP instances, by name.
    #[schemars(length(min = 1, max = 16))]
    pub bgp_instances: Vec<BgpInstance>,
    /// Labels, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// One BGP instance of the nodes: its autonomous system and peers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpInstance {
    /// Its name.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// The nodes' autonomous system number.
    #[serde(default, rename = "localASN", skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub local_asn: Option<u32>,
    /// The port the instance listens on; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub local_port: Option<u16>,
    /// The routers it peers with, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<BgpPeer>,
}

/// A router an instance peers with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpPeer {
    /// Its name.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// Its autonomous system number; `0` or absent for the local one
    /// (iBGP).
    #[serde(default, rename = "peerASN", skip_serializing_if = "Option::is_none")]
    pub peer_asn: Option<u32>,
    /// Its address (IPv4 or IPv6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_address: Option<String>,
    /// How the peering runs: a CiliumBGPPeerConfig, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_config_ref: Option<PeerConfigRef>,
}

/// A CiliumBGPPeerConfig, by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerConfigRef {
    /// The peer config's name.
    #[schemars(regex(pattern = crate::names::DNS1123_SUBDOMAIN))]
    pub name: String,
}

/// How a BGP peering runs, and the address families it carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "gracefulRestart": {"enabled": true, "restartTimeSeconds": 15},
    "families": [{"afi": "ipv4", "safi": "unicast", "advertisements": {"matchLabels": {"advertise": "bgp"}}}]
}]))]
pub struct BgpPeerConfig {
    /// The TCP port of the peer (179 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<BgpTransport>,
    /// BGP timers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timers: Option<BgpTimers>,
    /// The Secret (in Cilium's BGP secrets namespace) of the session's
    /// password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret_ref: Option<String>,
    /// Graceful restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graceful_restart: Option<BgpGracefulRestart>,
    /// The most hops to an eBGP peer (1: directly connected).
    #[serde(
        default,
        rename = "ebgpMultihop",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(range(min = 1, max = 255))]
    pub ebgp_multihop: Option<u32>,
    /// The address families carried, each with the advertisements it
    /// announces (CiliumBGPAdvertisements by their labels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<BgpFamily>,
    /// Labels, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The transport of a peering.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpTransport {
    /// The peer's TCP port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub peer_port: Option<u16>,
}

/// BGP timers, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpTimers {
    /// Between attempts to connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 2_147_483_647))]
    pub connect_retry_time_seconds: Option<u32>,
    /// Until a silent peer is taken as down (3 or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 3, max = 65535))]
    pub hold_time_seconds: Option<u32>,
    /// Between keepalives (at most the hold time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub keep_alive_time_seconds: Option<u32>,
}

/// Graceful restart of a peering.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpGracefulRestart {
    /// On or off.
    pub enabled: bool,
    /// How long the peer keeps routes while the agent restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4095))]
    pub restart_time_seconds: Option<u32>,
}

/// An address family of a peering and what it announces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BgpFamily {
    /// `ipv4` or `ipv6`.
    #[schemars(extend("enum" = ["ipv4", "ipv6", "l2vpn", "ls", "opaque"]))]
    pub afi: String,
    /// `unicast` or `multicast`.
    #[schemars(extend("enum" = ["unicast", "multicast", "mpls_label", "encapsulation", "vpls", "evpn", "ls", "sr_policy", "mup", "mpls_vpn", "mpls_vpn_multicast", "route_target_constraints", "flowspec_unicast", "flowspec_vpn", "key_value"]))]
    pub safi: String,
    /// The CiliumBGPAdvertisements announced, by their labels; none when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertisements: Option<LabelSelector>,
}

/// What BGP announces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{"advertisements": [
    {"advertisementType": "Service", "service": {"addresses": ["LoadBalancerIP"]},
     "selector": {"matchLabels": {"bgp": "announce"}}}
]}]))]
pub struct BgpAdvertisement {
    /// The announcements.
    #[schemars(length(min = 1))]
    pub advertisements: Vec<Advertisement>,
    /// Labels: a peer config's families pick the advertisement by them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// One announcement: the pods' CIDRs, a pod IP pool, Services'
/// addresses, or an interface's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Advertisement {
    /// `PodCIDR`, `CiliumPodIPPool`, `Service` or `Interface`.
    #[schemars(extend("enum" = ["PodCIDR", "CiliumPodIPPool", "Service", "Interface"]))]
    pub advertisement_type: String,
    /// Which addresses of the Services (with `Service`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceAddresses>,
    /// The Services or pools announced, by their labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}

/// Which addresses of a Service are announced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAddresses {
    /// `LoadBalancerIP`, `ClusterIP` and/or `ExternalIP`.
    #[schemars(length(min = 1), extend("items" = {"enum": ["LoadBalancerIP", "ClusterIP", "ExternalIP"]}))]
    pub addresses: Vec<String>,
}

impl BgpAdvertisement {
    /// What Cilium refuses to announce: a `Service` announcement without
    /// the addresses to announce. Each as (index, why).
    pub fn problems(&self) -> Vec<(usize, String)> {
        self.advertisements
            .iter()
            .enumerate()
            .filter(|(_, a)| a.advertisement_type == "Service" && a.service.is_none())
            .map(|(i, _)| {
                (
                    i,
                    "a `Service` announcement names no addresses (`service: {addresses: [LoadBalancerIP]}`)".to_owned(),
                )
            })
            .collect()
    }
}
