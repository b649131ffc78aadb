//! Rules about Cilium policies: what the API server takes (the CRD's
//! schema allows it) but the Cilium agent refuses when it loads the
//! policy, or what cannot work as written.
//!
//! - A namespaced policy applies to pods (`endpointSelector`); a
//!   cluster-wide one to pods or to nodes, not both (`cilium-policy`).
//! - A rule names one kind of peer (endpoints, CIDRs, entities,
//!   Services, host names, nodes), and ports or ICMP types, not both; a
//!   deny rule has no layer-7 rules and no host names; HTTP rules are for
//!   `protocol: TCP`, DNS rules for traffic out; a port rule holds one
//!   kind of layer-7 rule, on single ports; a node policy has none; a
//!   port range is of numbers (`cilium-rule`).
//! - Address blocks parse, and each `except` lies inside its block
//!   (`cilium-cidr`); a host name selector has a name or a pattern
//!   (`cilium-fqdn`).
//! - Warnings: `toFQDNs` while no Cilium policy of the environment
//!   proxies DNS (Cilium learns the names' addresses from the answers
//!   its DNS proxy sees), and an endpoint selector of labels that selects
//!   none of the app's pods.

use std::net::IpAddr;

use super::{Checker, Target};
use crate::app::App;
use crate::cilium::{
    CidrRule, CiliumPolicy, EgressRule, FqdnSelector, IngressRule, L4Protocol, PortRule,
};
use crate::environment::Environment;
use crate::FieldPath;

/// Every Cilium policy of every app of `env`.
pub(super) fn check_cilium_policies(c: &mut Checker<'_>, env: &Environment) {
    let dns_proxied = env.apps.values().any(|app| {
        app.cilium_policies
            .values()
            .chain(app.cilium_clusterwide_policies.values())
            .any(proxies_dns)
    });
    for (app_name, app) in &env.apps {
        let base = FieldPath::of(&["apps", app_name]);
        for (field, policies, cluster_wide) in [
            ("ciliumPolicies", &app.cilium_policies, false),
            (
                "ciliumClusterwidePolicies",
                &app.cilium_clusterwide_policies,
                true,
            ),
        ] {
            for (name, policy) in policies {
                let path = base.key(field).key(name);
                super::labels::check_labels(c, &policy.labels, &path.key("labels"));
                let at = Policy {
                    app_name,
                    app,
                    name,
                    policy,
                    path: &path,
                    cluster_wide,
                };
                at.check_subject(c);
                at.check_rules(c, dns_proxied);
            }
        }
    }
}

/// Whether a policy sends DNS through Cilium's proxy.
fn proxies_dns(policy: &CiliumPolicy) -> bool {
    policy
        .egress
        .iter()
        .flat_map(|r| &r.to_ports)
        .any(|p| p.rules.as_ref().is_some_and(|r| !r.dns.is_empty()))
}

/// One policy, and where it is.
struct Policy<'a> {
    app_name: &'a str,
    app: &'a App,
    name: &'a str,
    policy: &'a CiliumPolicy,
    path: &'a FieldPath,
    cluster_wide: bool,
}

impl Policy<'_> {
    /// Whom it applies to.
    fn check_subject(&self, c: &mut Checker<'_>) {
        let p = self.policy;
        let (pods, nodes) = (p.endpoint_selector.is_some(), p.node_selector.is_some());
        let wrong = match (self.cluster_wide, pods, nodes) {
            (false, true, false) | (true, true, false) | (true, false, true) => None,
            (false, _, true) => Some((
                "nodeSelector",
                Target::Key,
                "a namespaced Cilium policy applies to pods: `nodeSelector` is for cluster-wide ones",
            )),
            (_, true, true) => Some((
                "nodeSelector",
                Target::Key,
                "a Cilium policy applies to pods (`endpointSelector`) or to nodes (`nodeSelector`), not both",
            )),
            (_, false, false) => Some((
                "",
                Target::Key,
                "a Cilium policy says whom it applies to: `endpointSelector` (`{}` for every pod) or, cluster-wide, `nodeSelector`",
            )),
        };
        if let Some((field, target, why)) = wrong {
            let path = if field.is_empty() {
                self.path.clone()
            } else {
                self.path.key(field)
            };
            c.push(
                "cilium-policy",
                path,
                target,
                format!("Cilium policy `{}`: {why}", self.name),
                "whom the policy applies to",
                Some("the API server takes it, and the Cilium agent refuses the policy".into()),
            );
        }
        if !self.cluster_wide {
            self.check_selects_pods(c);
        }
    }

    /// A namespaced policy's endpoint selector of plain labels selects
    /// some pod of the app; Cilium's own labels (`k8s:io.kubernetes…`)
    /// and expressions are not followed.
    fn check_selects_pods(&self, c: &mut Checker<'_>) {
        let Some(selector) = &self.policy.endpoint_selector else {
            return;
        };
        let Some(labels) = selector
            .match_labels
            .as_ref()
            .filter(|l| !l.is_empty() && selector.match_expressions.is_none())
        else {
            return;
        };
        let mut wanted = indexmap::IndexMap::new();
        for (key, value) in labels {
            let key = key
                .strip_prefix("k8s:")
                .or_else(|| key.strip_prefix("any:"))
                .unwrap_or(key);
            if key.starts_with("io.kubernetes.") || key.starts_with("io.cilium.") {
                return;
            }
            wanted.insert(key.to_owned(), value.clone());
        }
        if super::network::selects_pods_of(self.app_name, self.app, &wanted) {
            return;
        }
        c.warn(
            "network-policy-selector",
            self.path.key("endpointSelector").key("matchLabels"),
            Target::Key,
            format!("Cilium policy `{}` of app `{}` selects none of the app's pods", self.name, self.app_name),
            "selects no pod of the app",
            Some("select by labels the app's pods carry (`app.kubernetes.io/name`, `app.kubernetes.io/component`, or the pod's own), or declare pods made elsewhere under `externalPods`".into()),
        );
    }

    fn check_rules(&self, c: &mut Checker<'_>, dns_proxied: bool) {
        let p = self.policy;
        for (field, rules, deny) in [
            ("ingress", &p.ingress, false),
            ("ingressDeny", &p.ingress_deny, true),
        ] {
            for (i, rule) in rules.iter().enumerate() {
                let path = self.path.key(field).index(i);
                check_peers(c, &path, &ingress_peers(rule));
                check_cidrs(c, &path, "fromCIDR", &rule.from_cidr, &rule.from_cidr_set);
                check_ports(c, &path, &rule.to_ports, deny, true);
                check_icmps(c, &path, !rule.icmps.is_empty(), !rule.to_ports.is_empty());
            }
        }
        for (field, rules, deny) in [
            ("egress", &p.egress, false),
            ("egressDeny", &p.egress_deny, true),
        ] {
            for (i, rule) in rules.iter().enumerate() {
                let path = self.path.key(field).index(i);
                check_peers(c, &path, &egress_peers(rule));
                check_cidrs(c, &path, "toCIDR", &rule.to_cidr, &rule.to_cidr_set);
                check_ports(c, &path, &rule.to_ports, deny, false);
                check_icmps(c, &path, !rule.icmps.is_empty(), !rule.to_ports.is_empty());
                self.check_fqdns(c, &path, rule, deny, dns_proxied);
            }
        }
        self.check_host_l7(c);
    }

    /// A policy of nodes (`nodeSelector`) has no layer-7 rules: Cilium's
    /// proxy does not sit in front of the host.
    fn check_host_l7(&self, c: &mut Checker<'_>) {
        let p = self.policy;
        if p.node_selector.is_none() {
            return;
        }
        let ports = p
            .ingress
            .iter()
            .enumerate()
            .map(|(i, r)| (self.path.key("ingress").index(i), &r.to_ports))
            .chain(
                p.egress
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (self.path.key("egress").index(i), &r.to_ports)),
            );
        for (path, rules) in ports {
            for (k, _) in rules.iter().enumerate().filter(|(_, r)| r.rules.is_some()) {
                c.push(
                    "cilium-rule",
                    path.key("toPorts").index(k).key("rules"),
                    Target::Key,
                    format!("Cilium policy `{}` applies to nodes, and layer-7 rules are for pods: Cilium's proxy does not sit in front of the host", self.name),
                    "layer-7 rules in a node policy",
                    Some("limit the node's traffic by ports alone".into()),
                );
            }
        }
    }

    /// Host names: allowed out only, each a name or a pattern, and
    /// learnt through Cilium's DNS proxy.
    fn check_fqdns(
        &self,
        c: &mut Checker<'_>,
        path: &FieldPath,
        rule: &EgressRule,
        deny: bool,
        dns_proxied: bool,
    ) {
        if rule.to_fqdns.is_empty() {
            return;
        }
        let fpath = path.key("toFQDNs");
        if deny {
            c.push(
                "cilium-rule",
                fpath.clone(),
                Target::Key,
                format!(
                    "Cilium policy `{}`: a deny rule names no host names",
                    self.name
                ),
                "`toFQDNs` in `egressDeny`",
                Some(
                    "deny by `toCIDR`, `toEntities` or `toEndpoints`; allow names in `egress`"
                        .into(),
                ),
            );
        }
        for (i, f) in rule.to_fqdns.iter().enumerate() {
            check_fqdn(c, &fpath.index(i), f);
        }
        if !dns_proxied && !deny {
            c.warn(
                "cilium-fqdn-dns",
                fpath,
                Target::Key,
                format!("Cilium policy `{}` allows host names, and no Cilium policy of the environment sends DNS through Cilium's proxy", self.name),
                "Cilium learns no address for these names",
                Some("Cilium learns the addresses of `toFQDNs` names from the DNS answers its proxy sees: allow DNS to kube-dns with `toPorts: [{ports: [{port: 53, protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]`, here or in a cluster-wide policy".into()),
            );
        }
    }
}

/// The kinds of peer an ingress rule names.
fn ingress_peers(r: &IngressRule) -> Vec<&'static str> {
    [
        ("fromEndpoints", !r.from_endpoints.is_empty()),
        ("fromCIDR", !r.from_cidr.is_empty()),
        ("fromCIDRSet", !r.from_cidr_set.is_empty()),
        ("fromEntities", !r.from_entities.is_empty()),
        ("fromNodes", !r.from_nodes.is_empty()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect()
}

/// The kinds of peer an egress rule names.
fn egress_peers(r: &EgressRule) -> Vec<&'static str> {
    [
        ("toEndpoints", !r.to_endpoints.is_empty()),
        ("toCIDR", !r.to_cidr.is_empty()),
        ("toCIDRSet", !r.to_cidr_set.is_empty()),
        ("toEntities", !r.to_entities.is_empty()),
        ("toNodes", !r.to_nodes.is_empty()),
        ("toServices", !r.to_services.is_empty()),
        ("toFQDNs", !r.to_fqdns.is_empty()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect()
}

/// One kind of peer per rule: Cilium refuses a rule that combines them.
fn check_peers(c: &mut Checker<'_>, path: &FieldPath, peers: &[&str]) {
    if let [_, second, ..] = peers {
        c.push(
            "cilium-rule",
            path.key(second),
            Target::Key,
            format!("a Cilium rule names one kind of peer; this one names {}", peers.join(" and ")),
            "a second kind of peer",
            Some(format!("split it into one rule per kind of peer (Cilium refuses the policy: \"combining {} is not supported\")", peers.join(" and "))),
        );
    }
}

/// ICMP types and ports are two kinds of rule: Cilium refuses both in one.
fn check_icmps(c: &mut Checker<'_>, path: &FieldPath, icmps: bool, ports: bool) {
    if icmps && ports {
        c.push(
            "cilium-rule",
            path.key("icmps"),
            Target::Key,
            "a Cilium rule limits either ports (`toPorts`) or ICMP types (`icmps`), not both"
                .to_owned(),
            "ICMP beside ports",
            Some("give the ICMP types a rule of their own".into()),
        );
    }
}

/// Ports: a range is of numbers; layer-7 rules only on allow rules, one
/// kind per port rule, HTTP on TCP.
fn check_ports(
    c: &mut Checker<'_>,
    path: &FieldPath,
    rules: &[PortRule],
    deny: bool,
    ingress: bool,
) {
    for (i, rule) in rules.iter().enumerate() {
        let rpath = path.key("toPorts").index(i);
        for (j, port) in rule.ports.iter().enumerate() {
            let ppath = rpath.key("ports").index(j);
            let number = port.port.number();
            let bad = match (number, port.end_port) {
                (Some(n), _) if n > 65535 => Some(format!("port {n} is above 65535")),
                (None, Some(_)) => Some(format!(
                    "a port range starts at a number, not at the named port `{}`",
                    port.port.0
                )),
                (Some(n), Some(end)) if i64::from(end) < i64::from(n) => {
                    Some(format!("the range ends at {end}, before it starts at {n}"))
                }
                _ => None,
            };
            if let Some(why) = bad {
                c.push(
                    "cilium-rule",
                    ppath.key("port"),
                    Target::Value,
                    why,
                    "not a port Cilium takes",
                    None,
                );
            }
        }
        if deny && (rule.rules.is_some() || !rule.server_names.is_empty()) {
            let field = if rule.rules.is_some() {
                "rules"
            } else {
                "serverNames"
            };
            c.push(
                "cilium-rule",
                rpath.key(field),
                Target::Key,
                "a Cilium deny rule limits ports only: layer-7 rules and server names are for allow rules".to_owned(),
                "layer-7 rules in a deny rule",
                Some("move them to an `ingress` or `egress` rule".into()),
            );
            continue;
        }
        let Some(l7) = &rule.rules else {
            continue;
        };
        if let Some(j) = rule.ports.iter().position(|p| p.end_port.is_some()) {
            c.push(
                "cilium-rule",
                rpath.key("ports").index(j).key("endPort"),
                Target::Key,
                "layer-7 rules apply to single ports: Cilium's proxy takes no port range"
                    .to_owned(),
                "a range under layer-7 rules",
                Some("list the ports one by one, or give the range a rule without `rules`".into()),
            );
        }
        if !l7.http.is_empty() && !l7.dns.is_empty() {
            c.push(
                "cilium-rule",
                rpath.key("rules"),
                Target::Key,
                "a Cilium port rule holds one kind of layer-7 rule: `http` or `dns`".to_owned(),
                "two kinds of layer-7 rule",
                Some("give each kind a port rule of its own".into()),
            );
        }
        // Cilium takes a port without a protocol as `ANY`, and HTTP only
        // on TCP.
        let not_tcp = rule
            .ports
            .iter()
            .position(|p| p.protocol != Some(L4Protocol::Tcp));
        if let (false, Some(j)) = (l7.http.is_empty(), not_tcp) {
            let port = rpath.key("ports").index(j);
            let (path, target) = match rule.ports[j].protocol {
                Some(_) => (port.key("protocol"), Target::Value),
                None => (port, Target::Key),
            };
            c.push(
                "cilium-rule",
                path,
                target,
                "HTTP rules are for TCP ports: Cilium's proxy parses HTTP over TCP only, and takes a port without a protocol as ANY".to_owned(),
                "not TCP",
                Some("set `protocol: TCP`".into()),
            );
        }
        if !l7.dns.is_empty() && ingress {
            c.push(
                "cilium-rule",
                rpath.key("rules").key("dns"),
                Target::Key,
                "DNS rules are for traffic out: Cilium proxies the pods' own look-ups".to_owned(),
                "DNS rules on ingress",
                Some("move the rule to `egress`, toward the DNS server".into()),
            );
        }
    }
}

/// Address blocks parse; each set entry names a block or a group, and
/// its exceptions lie inside its block.
fn check_cidrs(
    c: &mut Checker<'_>,
    path: &FieldPath,
    field: &str,
    list: &[String],
    sets: &[CidrRule],
) {
    for (i, cidr) in list.iter().enumerate() {
        if parse_cidr(cidr).is_none() {
            bad_cidr(c, path.key(field).index(i), cidr);
        }
    }
    let set_field = format!("{field}Set");
    for (i, set) in sets.iter().enumerate() {
        let spath = path.key(&set_field).index(i);
        let block = match (&set.cidr, &set.cidr_group_ref) {
            (Some(cidr), None) => match parse_cidr(cidr) {
                Some(block) => Some(block),
                None => {
                    bad_cidr(c, spath.key("cidr"), cidr);
                    continue;
                }
            },
            (None, Some(_)) => None,
            _ => {
                c.push(
                    "cilium-cidr",
                    spath,
                    Target::Key,
                    "an address block names `cidr` or `cidrGroupRef`, one of the two".to_owned(),
                    "expected one of the two",
                    None,
                );
                continue;
            }
        };
        for (j, except) in set.except.iter().enumerate() {
            let epath = spath.key("except").index(j);
            match (parse_cidr(except), block) {
                (None, _) => bad_cidr(c, epath, except),
                (Some(inner), Some(outer)) if !contains(outer, inner) => c.push(
                    "cilium-cidr",
                    epath,
                    Target::Value,
                    format!(
                        "`{except}` is not inside `{}`: an exception lies inside its block",
                        set.cidr.as_deref().unwrap_or_default()
                    ),
                    "outside the block",
                    None,
                ),
                _ => {}
            }
        }
    }
}

fn bad_cidr(c: &mut Checker<'_>, path: FieldPath, cidr: &str) {
    c.push(
        "cilium-cidr",
        path,
        Target::Value,
        format!("`{cidr}` is not an address block"),
        "expected an address and a prefix length",
        Some("write it as `10.0.0.0/8`, `192.168.1.10/32` or `fd00::/8`".into()),
    );
}

/// The app's load-balancer IP pools: each block a CIDR or a range of one
/// family from `start` to `stop`, in order (`cilium-pool`); labels.
pub(super) fn check_ip_pools(c: &mut Checker<'_>, app: &crate::app::App, base: &FieldPath) {
    for (name, pool) in &app.cilium_load_balancer_ip_pools {
        let path = base.key("ciliumLoadBalancerIPPools").key(name);
        super::labels::check_labels(c, &pool.labels, &path.key("labels"));
        for (i, block) in pool.blocks.iter().enumerate() {
            let at = path.key("blocks").index(i);
            if let Some(problem) = block_problem(block) {
                c.push(
                    "cilium-pool",
                    at,
                    Target::Key,
                    format!("block {i} of pool `{name}` {problem}"),
                    "not a block Cilium takes",
                    Some("write `cidr: 192.168.10.0/24`, or `start: 192.168.10.220` with `stop: 192.168.10.250`".into()),
                );
            }
        }
    }
    for (name, policy) in &app.cilium_l2_announcement_policies {
        let path = base.key("ciliumL2AnnouncementPolicies").key(name);
        super::labels::check_labels(c, &policy.labels, &path.key("labels"));
    }
}

/// The environment's Cilium BGP objects (cluster-scoped, so any app's
/// may refer to any other's): a peer's config is declared, a family's
/// advertisements pick some advertisement, an instance's peers and the
/// instances of a config are named apart, a `Service` announcement says
/// which addresses (`cilium-bgp`).
pub(super) fn check_bgp(c: &mut Checker<'_>, env: &Environment) {
    let peer_configs: Vec<&str> = env
        .apps
        .values()
        .flat_map(|a| a.cilium_bgp_peer_configs.keys().map(String::as_str))
        .collect();
    let advertisements: Vec<&indexmap::IndexMap<String, String>> = env
        .apps
        .values()
        .flat_map(|a| a.cilium_bgp_advertisements.values().map(|ad| &ad.labels))
        .collect();
    for (app_name, app) in &env.apps {
        let base = FieldPath::of(&["apps", app_name]);
        for (name, config) in &app.cilium_bgp_cluster_configs {
            let path = base.key("ciliumBGPClusterConfigs").key(name);
            super::labels::check_labels(c, &config.labels, &path.key("labels"));
            let mut instances = std::collections::BTreeSet::new();
            for (i, instance) in config.bgp_instances.iter().enumerate() {
                let ipath = path.key("bgpInstances").index(i);
                if !instances.insert(instance.name.as_str()) {
                    bgp_error(
                        c,
                        ipath.key("name"),
                        format!(
                            "BGP cluster config `{name}` has two instances named `{}`",
                            instance.name
                        ),
                        "a second instance of this name",
                    );
                }
                let mut peers = std::collections::BTreeSet::new();
                for (j, peer) in instance.peers.iter().enumerate() {
                    let ppath = ipath.key("peers").index(j);
                    if !peers.insert(peer.name.as_str()) {
                        bgp_error(c, ppath.key("name"), format!("instance `{}` of BGP cluster config `{name}` has two peers named `{}`", instance.name, peer.name), "a second peer of this name");
                    }
                    if let Some(r) = &peer.peer_config_ref {
                        if !peer_configs.contains(&r.name.as_str()) {
                            c.push(
                                "cilium-bgp",
                                ppath.key("peerConfigRef").key("name"),
                                Target::Value,
                                format!("peer `{}` of BGP cluster config `{name}` runs by peer config `{}`, which no app of the environment declares", peer.name, r.name),
                                "not a declared CiliumBGPPeerConfig",
                                crate::suggest::hint(&r.name, peer_configs.iter().copied()).or_else(|| Some("declare it under an app's `ciliumBGPPeerConfigs`".into())),
                            );
                        }
                    }
                }
            }
        }
        for (name, config) in &app.cilium_bgp_peer_configs {
            let path = base.key("ciliumBGPPeerConfigs").key(name);
            super::labels::check_labels(c, &config.labels, &path.key("labels"));
            for (i, family) in config.families.iter().enumerate() {
                let Some(selector) = &family.advertisements else {
                    continue;
                };
                // Only label equality is weighed; expressions are Cilium's.
                if selector
                    .match_expressions
                    .as_ref()
                    .is_some_and(|e| !e.is_empty())
                {
                    continue;
                }
                let wanted = selector.match_labels.clone().unwrap_or_default();
                let picked = advertisements
                    .iter()
                    .any(|labels| wanted.iter().all(|(k, v)| labels.get(k) == Some(v)));
                if !picked {
                    c.warn(
                        "cilium-bgp",
                        path.key("families").index(i).key("advertisements"),
                        Target::Key,
                        format!("family {} {} of BGP peer config `{name}` picks no CiliumBGPAdvertisement of the environment, so it announces nothing", family.afi, family.safi),
                        "picks no advertisement",
                        Some("give an advertisement (`ciliumBGPAdvertisements`) these labels, or change the selector".into()),
                    );
                }
            }
        }
        for (name, ad) in &app.cilium_bgp_advertisements {
            let path = base.key("ciliumBGPAdvertisements").key(name);
            super::labels::check_labels(c, &ad.labels, &path.key("labels"));
            for (i, why) in ad.problems() {
                bgp_error(
                    c,
                    path.key("advertisements").index(i),
                    format!("announcement {i} of BGP advertisement `{name}`: {why}"),
                    "not an announcement Cilium takes",
                );
            }
        }
    }
}

fn bgp_error(c: &mut Checker<'_>, path: FieldPath, message: String, label: &str) {
    let hint = if label.starts_with("a second") {
        "rename one: Cilium keys them by name"
    } else {
        "add `service: {addresses: [LoadBalancerIP]}` (or `ClusterIP`, `ExternalIP`)"
    };
    c.push(
        "cilium-bgp",
        path,
        Target::Key,
        message,
        label,
        Some(hint.into()),
    );
}

/// What is wrong with a pool's block, if anything.
fn block_problem(block: &crate::cilium_lb::IpBlock) -> Option<String> {
    match (&block.cidr, &block.start, &block.stop) {
        (Some(cidr), None, None) => parse_cidr(cidr)
            .is_none()
            .then(|| format!("has `{cidr}`, which is not an address block")),
        (None, Some(start), stop) => {
            let Ok(first) = start.parse::<IpAddr>() else {
                return Some(format!("starts at `{start}`, which is not an address"));
            };
            let Some(stop) = stop else { return None };
            match stop.parse::<IpAddr>() {
                Err(_) => Some(format!("stops at `{stop}`, which is not an address")),
                Ok(last) if first.is_ipv4() != last.is_ipv4() => Some(format!(
                    "runs from an address of one family to `{stop}` of the other"
                )),
                Ok(last) if last < first => Some(format!("stops at `{stop}`, before it starts")),
                Ok(_) => None,
            }
        }
        _ => Some("names a `cidr`, or a range (`start`, `stop`), one of the two".into()),
    }
}

/// `addr/len` as the address and the prefix length.
fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = s.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((addr, len))
}

/// Whether block `inner` lies inside block `outer`.
fn contains(outer: (IpAddr, u8), inner: (IpAddr, u8)) -> bool {
    let bits = |a: IpAddr| -> (u128, u8) {
        match a {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        }
    };
    let ((o, width), (i, inner_width)) = (bits(outer.0), bits(inner.0));
    if width != inner_width || inner.1 < outer.1 {
        return false;
    }
    // Both sit at the top bits, where prefix lengths count from.
    let shift = 128 - u32::from(outer.1);
    let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
    o & mask == i & mask
}

/// A host name selector: a name or a pattern, of the characters DNS
/// names have (and `*` in a pattern).
fn check_fqdn(c: &mut Checker<'_>, path: &FieldPath, f: &FqdnSelector) {
    let (field, value, wildcard) = match (&f.match_name, &f.match_pattern) {
        (Some(n), None) => ("matchName", n, false),
        (None, Some(p)) => ("matchPattern", p, true),
        _ => {
            c.push(
                "cilium-fqdn",
                path.clone(),
                Target::Key,
                "a host name selector has `matchName` or `matchPattern`, one of the two".to_owned(),
                "expected one of the two",
                None,
            );
            return;
        }
    };
    // Cilium's pattern: labels of letters, digits, `-`, `_` (and `*`),
    // each followed by at most one dot.
    let ok = !value.is_empty()
        && !value.starts_with('.')
        && !value.contains("..")
        && value
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch) || (wildcard && ch == '*'));
    if !ok {
        c.push(
            "cilium-fqdn",
            path.key(field),
            Target::Value,
            format!(
                "`{value}` is not a host name{}",
                if wildcard { " pattern" } else { "" }
            ),
            "not a DNS name",
            Some("letters, digits, `-`, `_` and `.`; a pattern may use `*`".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_contain_their_exceptions() {
        let block = |s: &str| parse_cidr(s).unwrap();
        assert!(contains(block("10.0.0.0/8"), block("10.1.0.0/16")));
        assert!(contains(block("10.0.0.0/8"), block("10.0.0.0/8")));
        assert!(!contains(block("10.0.0.0/8"), block("11.0.0.0/16")));
        assert!(!contains(block("10.1.0.0/16"), block("10.0.0.0/8")));
        assert!(contains(block("0.0.0.0/0"), block("192.168.1.1/32")));
        assert!(contains(block("fd00::/8"), block("fd12::/16")));
        assert!(!contains(block("fd00::/8"), block("10.0.0.0/8")));
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("10.0.0.0"), None);
        assert_eq!(parse_cidr("nope/8"), None);
    }
}
