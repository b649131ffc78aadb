//! An app's service accounts and their permissions: a ServiceAccount each,
//! a Role and RoleBinding for namespaced rules (in the app's namespace
//! and in each other one the account works in), a ClusterRole and
//! ClusterRoleBinding for cluster-wide rules, and ClusterRoleBindings to
//! existing ClusterRoles. Accounts marked `existing` are not rendered.

use cfggen_model::rbac::{cluster_role_name, PolicyRule as ModelRule};
use cfggen_model::App;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};

use crate::{app_labels, file_name, meta, own_meta, waves, Output, RenderError};

fn rules(rules: &[ModelRule]) -> Vec<PolicyRule> {
    rules
        .iter()
        .map(|r| PolicyRule {
            api_groups: (r.non_resource_urls.is_empty()).then(|| {
                if r.api_groups.is_empty() {
                    vec![String::new()]
                } else {
                    r.api_groups.clone()
                }
            }),
            resources: (!r.resources.is_empty()).then(|| r.resources.clone()),
            resource_names: (!r.resource_names.is_empty()).then(|| r.resource_names.clone()),
            non_resource_urls: (!r.non_resource_urls.is_empty())
                .then(|| r.non_resource_urls.clone()),
            verbs: r.verbs.iter().map(|v| v.as_str().to_owned()).collect(),
        })
        .collect()
}

pub(crate) fn service_accounts(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (account, sa) in app.service_accounts.iter().filter(|(_, sa)| !sa.existing) {
        // cfggen's labels, and the account's own over them.
        let labels = || {
            let mut labels = app_labels(app.name_label(name), None);
            crate::own_labels_over(&mut labels, &sa.labels);
            labels
        };
        let object = ServiceAccount {
            metadata: meta(account, ns, labels(), waves::PREREQUISITES),
            automount_service_account_token: sa.automount_token,
            ..ServiceAccount::default()
        };
        out.resource(name, ns, file_name("ServiceAccount", account), &object)?;
        let subject = Subject {
            kind: "ServiceAccount".into(),
            name: account.clone(),
            namespace: Some(ns.to_owned()),
            api_group: None,
        };
        // The account's rules in its namespace, then in each other.
        let own = (!sa.rules.is_empty()).then_some((ns, &sa.rules));
        let others = sa.rules_in.iter().map(|(other, r)| (other.as_str(), r));
        for (role_ns, role_rules) in own.into_iter().chain(others) {
            let role = Role {
                metadata: meta(account, role_ns, labels(), waves::PREREQUISITES),
                rules: Some(rules(role_rules)),
            };
            let file = |kind| crate::file_name_in(kind, account, role_ns, ns);
            out.resource(name, role_ns, file("Role"), &role)?;
            let binding = RoleBinding {
                metadata: meta(account, role_ns, labels(), waves::PREREQUISITES),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "Role".into(),
                    name: account.clone(),
                },
                subjects: Some(vec![subject.clone()]),
            };
            out.resource(name, role_ns, file("RoleBinding"), &binding)?;
        }
        let mut bound: Vec<(String, String)> = Vec::new();
        if !sa.cluster_rules.is_empty() {
            let role_name = sa.own_cluster_role(ns, account);
            let mut metadata = meta(&role_name, ns, labels(), waves::PREREQUISITES);
            metadata.namespace = None;
            let role = ClusterRole {
                metadata,
                rules: Some(rules(&sa.cluster_rules)),
                aggregation_rule: None,
            };
            out.resource(name, ns, file_name("ClusterRole", &role_name), &role)?;
            bound.push((role_name.clone(), role_name));
        }
        for existing in &sa.cluster_roles {
            bound.push((
                format!("{}-{existing}", cluster_role_name(ns, account)),
                existing.clone(),
            ));
        }
        for (binding_name, role_name) in bound {
            let mut metadata = meta(&binding_name, ns, labels(), waves::PREREQUISITES);
            metadata.namespace = None;
            let binding = ClusterRoleBinding {
                metadata,
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role_name,
                },
                subjects: Some(vec![subject.clone()]),
            };
            out.resource(
                name,
                ns,
                file_name("ClusterRoleBinding", &binding_name),
                &binding,
            )?;
        }
    }
    Ok(())
}

/// The app's own Roles and ClusterRoles, each with its bindings, and its
/// bindings of roles made elsewhere: their own labels over the app's,
/// their annotations; ClusterRoles and their bindings with no namespace.
pub(crate) fn roles(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    use cfggen_model::rbac::{Binding, RoleKind};
    let ns = app.namespace(name);
    let label = app.name_label(name);
    let metadata = |object: &str,
                    labels: &indexmap::IndexMap<String, String>,
                    annotations: &indexmap::IndexMap<String, String>,
                    cluster: bool| {
        let mut m = own_meta(object, ns, label, labels, annotations, waves::PREREQUISITES);
        if cluster {
            m.namespace = None;
        }
        m
    };
    let role_ref = |kind: RoleKind, role: &str| RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.as_str().into(),
        name: role.to_owned(),
    };
    let subjects = |b: &Binding| (!b.subjects.is_empty()).then(|| b.subjects.clone());
    for (role_name, role) in &app.roles {
        let object = Role {
            metadata: metadata(role_name, &role.labels, &role.annotations, false),
            rules: Some(rules(&role.rules)),
        };
        out.resource(name, ns, file_name("Role", role_name), &object)?;
        for (binding_name, b) in &role.bindings {
            let object = RoleBinding {
                metadata: metadata(binding_name, &b.labels, &b.annotations, false),
                role_ref: role_ref(RoleKind::Role, role_name),
                subjects: subjects(b),
            };
            out.resource(name, ns, file_name("RoleBinding", binding_name), &object)?;
        }
    }
    for (binding_name, rb) in &app.role_bindings {
        let b = &rb.binding;
        let object = RoleBinding {
            metadata: metadata(binding_name, &b.labels, &b.annotations, false),
            role_ref: role_ref(rb.role_ref.kind, &rb.role_ref.name),
            subjects: subjects(b),
        };
        out.resource(name, ns, file_name("RoleBinding", binding_name), &object)?;
    }
    for (role_name, role) in &app.cluster_roles {
        let object = ClusterRole {
            metadata: metadata(role_name, &role.labels, &role.annotations, true),
            rules: (role.aggregation_rule.is_none() || !role.rules.is_empty())
                .then(|| rules(&role.rules)),
            aggregation_rule: role.aggregation_rule.clone(),
        };
        out.resource(name, ns, file_name("ClusterRole", role_name), &object)?;
        for (binding_name, b) in &role.bindings {
            let object = ClusterRoleBinding {
                metadata: metadata(binding_name, &b.labels, &b.annotations, true),
                role_ref: role_ref(RoleKind::ClusterRole, role_name),
                subjects: subjects(b),
            };
            out.resource(
                name,
                ns,
                file_name("ClusterRoleBinding", binding_name),
                &object,
            )?;
        }
    }
    for (binding_name, rb) in &app.cluster_role_bindings {
        let b = &rb.binding;
        let object = ClusterRoleBinding {
            metadata: metadata(binding_name, &b.labels, &b.annotations, true),
            role_ref: role_ref(rb.role_ref.kind, &rb.role_ref.name),
            subjects: subjects(b),
        };
        out.resource(
            name,
            ns,
            file_name("ClusterRoleBinding", binding_name),
            &object,
        )?;
    }
    Ok(())
}
