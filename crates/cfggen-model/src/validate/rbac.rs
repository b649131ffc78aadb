//! Rules about service accounts: an account made elsewhere gets no rules
//! from cfggen; every rule names resources (or, cluster-wide, URLs).

use super::{Checker, Target};
use crate::rbac::ServiceAccount;
use crate::FieldPath;

/// One service account of an app.
pub(super) fn check_service_account(
    c: &mut Checker<'_>,
    name: &str,
    account: &ServiceAccount,
    path: &FieldPath,
) {
    let grants = !account.rules.is_empty()
        || !account.cluster_rules.is_empty()
        || !account.cluster_roles.is_empty();
    if account.existing && (grants || account.automount_token.is_some()) {
        c.push(
            "existing-account",
            path.key("existing"),
            Target::Key,
            format!("service account `{name}` exists already, so cfggen renders neither it nor rules or bindings for it"),
            "made elsewhere",
            Some("remove `existing: true` to have cfggen make the account, or remove its rules".into()),
        );
    }
    if account.cluster_role_name.is_some() && account.cluster_rules.is_empty() {
        c.push(
            "rbac-rule",
            path.key("clusterRoleName"),
            Target::Key,
            format!(
                "service account `{name}` names its ClusterRole, and has no `clusterRules` for one"
            ),
            "no ClusterRole to name",
            Some("add the account's `clusterRules`, or remove `clusterRoleName`".into()),
        );
    }
    for (field, rules, cluster) in [
        ("rules", &account.rules, false),
        ("clusterRules", &account.cluster_rules, true),
    ] {
        for (i, rule) in rules.iter().enumerate() {
            let rpath = path.key(field).index(i);
            if !rule.non_resource_urls.is_empty() && !cluster {
                c.push(
                    "rbac-rule",
                    rpath.key("nonResourceURLs"),
                    Target::Key,
                    "URLs (`nonResourceURLs`) can only be granted cluster-wide".to_owned(),
                    "not in a namespaced rule",
                    Some("move the rule to `clusterRules`".into()),
                );
            }
            if rule.resources.is_empty() && rule.non_resource_urls.is_empty() {
                c.push(
                    "rbac-rule",
                    rpath,
                    Target::Key,
                    "the rule grants nothing: it names no `resources` (or `nonResourceURLs`)"
                        .to_owned(),
                    "no resources",
                    Some("add `resources: [pods]`, say".into()),
                );
            } else if rule.verbs.is_empty() {
                c.push(
                    "rbac-rule",
                    rpath.key("verbs"),
                    Target::Key,
                    "the rule grants no verb".to_owned(),
                    "no verbs",
                    Some("add `verbs: [get, list, watch]`, say".into()),
                );
            }
        }
    }
}
