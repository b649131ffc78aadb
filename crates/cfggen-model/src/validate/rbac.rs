//! Rules about service accounts and roles: an account made elsewhere gets
//! no rules from cfggen; every rule names resources (or, cluster-wide,
//! URLs); only ClusterRoles aggregate; a binding's subjects are as
//! Kubernetes validates them, and an account it grants in the app's
//! namespace is one the app declares (a warning).

use k8s_openapi::api::rbac::v1::Subject;

use super::{Checker, Target};
use crate::app::App;
use crate::rbac::{PolicyRule, RoleKind, ServiceAccount};
use crate::FieldPath;

/// A service account something of the app runs as (`who runs`: "the
/// pods run", "Prometheus `main` runs") is one the app declares, or
/// `default`, which Kubernetes makes in every namespace.
pub(super) fn check_account_declared(
    c: &mut Checker<'_>,
    app: &App,
    account: &str,
    who_runs: &str,
    path: FieldPath,
) {
    if account == "default" || app.service_accounts.contains_key(account) {
        return;
    }
    c.push(
        "unknown-service-account",
        path,
        Target::Value,
        format!("{who_runs} as service account `{account}`, which the app does not declare"),
        "not a key of the app's `serviceAccounts`",
        crate::suggest::hint(account, app.service_accounts.keys().map(String::as_str)).or_else(|| {
            Some(format!(
                "declare it under the app's `serviceAccounts` (`{account}: {{existing: true}}` for one made elsewhere)"
            ))
        }),
    );
}

/// One service account of an app.
pub(super) fn check_service_account(
    c: &mut Checker<'_>,
    namespace: &str,
    name: &str,
    account: &ServiceAccount,
    path: &FieldPath,
) {
    let grants = !account.rules.is_empty()
        || !account.rules_in.is_empty()
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
        check_rules(c, rules, cluster, &path.key(field));
    }
    for (other, rules) in &account.rules_in {
        let at = path.key("rulesIn").key(other);
        if other == namespace {
            c.push(
                "rbac-rule",
                at.clone(),
                Target::Key,
                format!("`{other}` is the app's own namespace, where the account's `rules` hold"),
                "another namespace",
                Some(format!(
                    "move these rules to the account's `rules`, and remove `rulesIn.{other}`"
                )),
            );
        }
        if rules.is_empty() {
            c.push(
                "rbac-rule",
                at.clone(),
                Target::Value,
                format!("service account `{name}` gets no rules in namespace `{other}`"),
                "at least one rule",
                Some(format!("add a rule, or remove `rulesIn.{other}`")),
            );
        }
        check_rules(c, rules, false, &at);
    }
}

/// Each rule names resources (or, cluster-wide only, URLs) and verbs.
fn check_rules(c: &mut Checker<'_>, rules: &[PolicyRule], cluster: bool, path: &FieldPath) {
    for (i, rule) in rules.iter().enumerate() {
        let rpath = path.index(i);
        if !rule.non_resource_urls.is_empty() && !cluster {
            c.push(
                "rbac-rule",
                rpath.key("nonResourceURLs"),
                Target::Key,
                "URLs (`nonResourceURLs`) can only be granted cluster-wide".to_owned(),
                "not in a namespaced rule",
                Some("move the rule to a ClusterRole (`clusterRules`, `clusterRoles`)".into()),
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

/// The app's own Roles and ClusterRoles with their bindings, and its
/// bindings of roles made elsewhere.
pub(super) fn check_roles(c: &mut Checker<'_>, app_name: &str, app: &App, base: &FieldPath) {
    for (field, roles, cluster) in [
        ("roles", &app.roles, false),
        ("clusterRoles", &app.cluster_roles, true),
    ] {
        for (name, role) in roles {
            let path = base.key(field).key(name);
            check_name(c, name, &base.key(field));
            super::labels::check_labels(c, &role.labels, &path.key("labels"));
            check_rules(c, &role.rules, cluster, &path.key("rules"));
            if role.aggregation_rule.is_some() && !cluster {
                c.push(
                    "rbac-rule",
                    path.key("aggregationRule"),
                    Target::Key,
                    format!(
                        "Role `{name}` aggregates: only ClusterRoles gather the rules of others"
                    ),
                    "not on a Role",
                    Some("make it one of the app's `clusterRoles`".into()),
                );
            }
            for (binding, b) in &role.bindings {
                let bpath = path.key("bindings").key(binding);
                check_name(c, binding, &path.key("bindings"));
                super::labels::check_labels(c, &b.labels, &bpath.key("labels"));
                check_subjects(c, app_name, app, &b.subjects, cluster, &bpath);
            }
        }
    }
    for (field, bindings, cluster) in [
        ("roleBindings", &app.role_bindings, false),
        ("clusterRoleBindings", &app.cluster_role_bindings, true),
    ] {
        for (name, b) in bindings {
            let path = base.key(field).key(name);
            check_name(c, name, &base.key(field));
            super::labels::check_labels(c, &b.binding.labels, &path.key("labels"));
            check_subjects(c, app_name, app, &b.binding.subjects, cluster, &path);
            if cluster && b.role_ref.kind == RoleKind::Role {
                c.push(
                    "rbac-subject",
                    path.key("roleRef").key("kind"),
                    Target::Value,
                    format!("ClusterRoleBinding `{name}` grants a Role: a ClusterRoleBinding grants a ClusterRole"),
                    "expected ClusterRole",
                    Some("bind the Role with one of `roleBindings`".into()),
                );
            }
        }
    }
}

/// `.` and `..` are no names Kubernetes takes for a role or binding.
fn check_name(c: &mut Checker<'_>, name: &str, path: &FieldPath) {
    if name == "." || name == ".." {
        c.push(
            "invalid-name",
            path.key(name),
            Target::Key,
            format!("`{name}` is not a name of a role or binding"),
            "not a name",
            None,
        );
    }
}

/// The subjects of a binding, as Kubernetes validates them (a service
/// account's API group is the core one, and it has a namespace in a
/// ClusterRoleBinding; users and groups are of the RBAC group), and a
/// warning for an account of the app's namespace that the app does not
/// declare.
fn check_subjects(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    subjects: &[Subject],
    cluster: bool,
    path: &FieldPath,
) {
    const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
    let ns = app.namespace(app_name);
    for (i, s) in subjects.iter().enumerate() {
        let spath = path.key("subjects").index(i);
        let group = s.api_group.as_deref().unwrap_or_default();
        let wrong = match s.kind.as_str() {
            "ServiceAccount" if !group.is_empty() => Some((
                "apiGroup",
                format!("a service account subject is of the core API group, not `{group}`"),
                "leave `apiGroup` out".to_owned(),
            )),
            "ServiceAccount" if cluster && s.namespace.is_none() => Some((
                "namespace",
                format!(
                    "service account `{}` of a ClusterRoleBinding needs its namespace",
                    s.name
                ),
                format!("add `namespace: {ns}` for the app's own account"),
            )),
            // Kubernetes fills in the RBAC group when none is given.
            "User" | "Group" if !group.is_empty() && group != RBAC_GROUP => Some((
                "apiGroup",
                format!("a {} subject is of API group `{RBAC_GROUP}`", s.kind),
                format!("set `apiGroup: {RBAC_GROUP}`, or leave it out"),
            )),
            "ServiceAccount" | "User" | "Group" => None,
            other => Some((
                "kind",
                format!("`{other}` is no kind of subject: `ServiceAccount`, `User` or `Group`"),
                "use one of the three".to_owned(),
            )),
        };
        if let Some((field, message, hint)) = wrong {
            c.push(
                "rbac-subject",
                spath.key(field),
                if field == "namespace" {
                    Target::Key
                } else {
                    Target::Value
                },
                message,
                "Kubernetes refuses the binding",
                Some(hint),
            );
            continue;
        }
        let here = s.namespace.as_deref().is_none_or(|n| n == ns);
        // `default` is in every namespace.
        let declared = s.name == "default" || app.service_accounts.contains_key(&s.name);
        if s.kind == "ServiceAccount" && here && !declared {
            c.warn(
                "rbac-subject",
                spath.key("name"),
                Target::Value,
                format!("the binding grants service account `{}` of namespace `{ns}`, which app `{app_name}` does not declare", s.name),
                "not one of the app's accounts",
                Some("declare it under `serviceAccounts` (`existing: true` when another tool makes it)".into()),
            );
        }
    }
}
