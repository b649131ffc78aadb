//! Rules about an app's NetworkPolicies: a pod selector by labels selects
//! some pod of the app (its components', pods made elsewhere, or raw
//! manifests'); otherwise the policy guards nothing, which Kubernetes
//! takes, so it is a warning.

use indexmap::IndexMap;

use super::{Checker, Target};
use crate::app::App;
use crate::network::NetworkPolicy;
use crate::FieldPath;

/// The policy `name` of app `app_name`.
pub(super) fn check_network_policy(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    name: &str,
    policy: &NetworkPolicy,
    path: &FieldPath,
) {
    let selector = &policy.pod_selector;
    // Expressions are not followed: only a selector of labels alone is.
    let Some(labels) = selector
        .match_labels
        .as_ref()
        .filter(|l| !l.is_empty() && selector.match_expressions.is_none())
    else {
        return;
    };
    let wanted: IndexMap<String, String> =
        labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if selects_pods_of(app_name, app, &wanted) {
        return;
    }
    c.warn(
        "network-policy-selector",
        path.key("podSelector").key("matchLabels"),
        Target::Key,
        format!("NetworkPolicy `{name}` of app `{app_name}` selects none of the app's pods"),
        "selects no pod of the app",
        Some("select by labels the app's pods carry (`app.kubernetes.io/name`, `app.kubernetes.io/component`, or the pod's own), or declare pods made elsewhere under `externalPods`".into()),
    );
}

/// Whether pods of the app carry every label of `wanted`: its
/// components', its Prometheus servers', pods made elsewhere, or raw
/// manifests'.
pub(super) fn selects_pods_of(
    app_name: &str,
    app: &App,
    wanted: &IndexMap<String, String>,
) -> bool {
    let components = app
        .components
        .iter()
        .any(|(cname, comp)| comp.selected_by(app.name_label(app_name), cname, wanted));
    components
        || app.external_pods.values().any(|p| p.selected_by(wanted))
        || app
            .prometheuses
            .iter()
            .any(|(name, p)| p.pods_selected_by(name, wanted))
        || app.raw_pods().iter().any(|p| p.selected_by(wanted))
}
