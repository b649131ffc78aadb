//! An app's NetworkPolicies, in its folder, before its workloads.

use cfggen_model::App;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};

use crate::{file_name, own_meta, waves, Output, RenderError};

/// One NetworkPolicy per entry of the app's `networkPolicies`: its own
/// labels under the app's (cfggen's win), its annotations.
pub(crate) fn network_policies(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (pname, policy) in &app.network_policies {
        let metadata = own_meta(
            pname,
            ns,
            app.name_label(name),
            &policy.labels,
            &policy.annotations,
            waves::PREREQUISITES,
        );
        let object = NetworkPolicy {
            metadata,
            spec: Some(NetworkPolicySpec {
                pod_selector: policy.pod_selector.clone().into(),
                policy_types: (!policy.policy_types.is_empty()).then(|| {
                    policy
                        .policy_types
                        .iter()
                        .map(|t| t.as_str().to_owned())
                        .collect()
                }),
                ingress: (!policy.ingress.is_empty()).then(|| policy.ingress.clone()),
                egress: (!policy.egress.is_empty()).then(|| policy.egress.clone()),
            }),
        };
        out.resource(name, ns, file_name("NetworkPolicy", pname), &object)?;
    }
    Ok(())
}

/// One CiliumNetworkPolicy per entry of the app's `ciliumPolicies`, one
/// CiliumClusterwideNetworkPolicy (no namespace) per entry of its
/// `ciliumClusterwidePolicies`, and its load-balancer IP pools and L2
/// announcement policies (no namespace either): the spec as Cilium reads
/// it, their own labels and annotations on the object.
pub(crate) fn cilium_policies(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    use crate::custom::each;
    let cilium = |kind| ("cilium.io/v2", kind);
    let wave = waves::PREREQUISITES;
    each(
        out,
        name,
        app,
        cilium("CiliumNetworkPolicy"),
        (wave, false),
        &app.cilium_policies,
    )?;
    let cluster_wide = &app.cilium_clusterwide_policies;
    each(
        out,
        name,
        app,
        cilium("CiliumClusterwideNetworkPolicy"),
        (wave, true),
        cluster_wide,
    )?;
    let announce = ("cilium.io/v2alpha1", "CiliumL2AnnouncementPolicy");
    each(
        out,
        name,
        app,
        announce,
        (wave, true),
        &app.cilium_l2_announcement_policies,
    )?;
    each(
        out,
        name,
        app,
        cilium("CiliumBGPClusterConfig"),
        (wave, true),
        &app.cilium_bgp_cluster_configs,
    )?;
    each(
        out,
        name,
        app,
        cilium("CiliumBGPPeerConfig"),
        (wave, true),
        &app.cilium_bgp_peer_configs,
    )?;
    each(
        out,
        name,
        app,
        cilium("CiliumBGPAdvertisement"),
        (wave, true),
        &app.cilium_bgp_advertisements,
    )?;
    for (pool_name, pool) in &app.cilium_load_balancer_ip_pools {
        let api = match pool.version.as_deref() {
            Some("v2alpha1") => "cilium.io/v2alpha1",
            _ => "cilium.io/v2",
        };
        let custom = crate::custom::Custom {
            kind: (api, "CiliumLoadBalancerIPPool"),
            name: pool_name,
            labels: &pool.labels,
            annotations: &pool.annotations,
            wave,
            cluster_wide: true,
            namespace: None,
        };
        // The spec as Cilium reads it: without what is cfggen's to know.
        let spec = cfggen_model::cilium_lb::LoadBalancerIpPool {
            version: None,
            labels: Default::default(),
            annotations: Default::default(),
            ..pool.clone()
        };
        crate::custom::resource(out, name, app, custom, &spec)?;
    }
    Ok(())
}
