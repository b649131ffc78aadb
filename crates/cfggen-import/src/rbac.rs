//! Roles and ClusterRoles bound to one service account → the account's
//! `rules` and `clusterRules`, as cfggen renders them: a Role and its
//! RoleBinding both named after the account, a ClusterRole and its
//! ClusterRoleBinding of one name (`clusterRoleName` when it is not
//! cfggen's `<namespace>-<account>`), each binding's one subject the
//! account, and the account's labels on all of them.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::read::Object;
use crate::take::{Taker, Why};

const GROUP: &str = "rbac.authorization.k8s.io";
const API_VERSION: &str = "rbac.authorization.k8s.io/v1";

/// Why a Role or RoleBinding is not an account's rules.
pub(crate) const UNPAIRED: &str = "cfggen's Roles are the rules of one service account: the Role and a RoleBinding that binds it to that account alone, both named after the account";

/// Why a ClusterRole or ClusterRoleBinding is not an account's rules.
pub(crate) const CLUSTER_UNPAIRED: &str = "cfggen's ClusterRoles are the cluster-wide rules of one service account: the ClusterRole and a ClusterRoleBinding of the same name that binds it to that account alone";

/// A binding of a role of `role_kind` to one account of `namespace`: the
/// role's name, the account, and the binding's labels.
pub(crate) struct Binding {
    pub role: String,
    pub account: String,
    pub labels: Map<String, Value>,
}

/// The bindings in cfggen's form of roles of `role_kind` (`Role` or
/// `ClusterRole`) that the input holds, by the role's namespace (of a
/// Role: its own, or the app's `namespace` when it names none; of a
/// ClusterRole: none, `""`) and name. A Role's binding is in its
/// namespace; the account it binds is always of the app's.
pub(crate) fn paired(
    objects: &[Object],
    namespace: &str,
    role_kind: &str,
) -> BTreeMap<(String, String), Binding> {
    let of_kind = |kind: String| {
        objects
            .iter()
            .filter(move |o| o.api_version() == API_VERSION && o.kind() == kind)
    };
    let place = |o: &Object| {
        if role_kind == "Role" {
            o.namespace().unwrap_or(namespace).to_owned()
        } else {
            String::new()
        }
    };
    let roles: Vec<(String, &str)> = of_kind(role_kind.to_owned())
        .map(|o| (place(o), o.name()))
        .collect();
    of_kind(format!("{role_kind}Binding"))
        .filter_map(|b| Some((place(b), binding(&b.value, namespace, role_kind).ok()?)))
        .filter(|(at, b)| roles.contains(&(at.clone(), b.role.as_str())))
        // A Role is named after its account.
        .filter(|(_, b)| role_kind != "Role" || b.role == b.account)
        .map(|(at, b)| ((at, b.role.clone()), b))
        .collect()
}

/// A binding of one role of `role_kind`, named as the role, to one
/// service account of `namespace` alone.
pub(crate) fn binding(object: &Value, namespace: &str, role_kind: &str) -> Result<Binding, Why> {
    let unpaired = if role_kind == "Role" {
        UNPAIRED
    } else {
        CLUSTER_UNPAIRED
    };
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    meta.done()?;
    let role_ref = t.take("roleRef");
    let subjects = t.list("subjects")?;
    t.done()?;
    let want_ref = json!({"apiGroup": GROUP, "kind": role_kind, "name": name});
    let account = match subjects.as_slice() {
        [one]
            if one.get("kind") == Some(&json!("ServiceAccount"))
                && one.get("namespace") == Some(&json!(namespace))
                && one.as_object().is_some_and(|m| m.len() == 3) =>
        {
            one.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        }
        _ => return Err(unpaired.into()),
    };
    if role_ref.as_ref() != Some(&want_ref) || account.is_empty() {
        return Err(unpaired.into());
    }
    Ok(Binding {
        role: name,
        account,
        labels,
    })
}

/// A role's rules in the form of an account's `rules`, and its labels.
pub(crate) fn rules(object: &Value) -> Result<(Value, Map<String, Value>), Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    meta.done()?;
    let rules = t.list("rules")?;
    t.done()?;
    if rules.is_empty() {
        return Err("a role without rules".into());
    }
    let mut out = Vec::new();
    for r in rules {
        let mut r = Taker::new(r, "rules[]")?;
        let mut rule = Map::new();
        for key in [
            "apiGroups",
            "resources",
            "resourceNames",
            "nonResourceURLs",
            "verbs",
        ] {
            let list = r.list(key)?;
            if !list.is_empty() {
                rule.insert(key.into(), Value::Array(list));
            }
        }
        r.done()?;
        out.push(Value::Object(rule));
    }
    Ok((Value::Array(out), labels))
}

/// The account's labels must be the role's and binding's: cfggen puts the
/// account's labels on all of them.
pub(crate) fn same_labels(
    account: &Map<String, Value>,
    labels: &Map<String, Value>,
) -> Result<(), Why> {
    let empty = Map::new();
    let own = account
        .get("labels")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if own == labels {
        Ok(())
    } else {
        Err("its labels are not its service account's: cfggen gives an account's roles and bindings the account's labels".into())
    }
}

/// A Role or ClusterRole as an entry of the app's `roles` or
/// `clusterRoles` (its bindings come with them), built as the model's
/// own type.
pub(crate) fn role(object: &Value, name_label: &str) -> Result<cfggen_model::rbac::Role, Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let rules = match t.take_any("rules") {
        Some(Value::Null) | None => Vec::new(),
        Some(rules) => crate::take::typed(rules, "rules")?,
    };
    let aggregation_rule = t
        .take("aggregationRule")
        .map(|a| crate::take::typed(a, "aggregationRule"))
        .transpose()?;
    t.done()?;
    // An aggregated role's rules are what Kubernetes gathered into it.
    let rules = if aggregation_rule.is_some() {
        Vec::new()
    } else {
        rules
    };
    Ok(cfggen_model::rbac::Role {
        rules,
        aggregation_rule,
        bindings: Default::default(),
        labels: crate::take::own_strings(labels, name_label),
        annotations: crate::take::own_strings(annotations, name_label),
    })
}

/// A RoleBinding or ClusterRoleBinding: the role it grants and the
/// binding in the model's form.
pub(crate) fn role_binding(
    object: &Value,
    name_label: &str,
) -> Result<(cfggen_model::rbac::RoleRef, cfggen_model::rbac::Binding), Why> {
    use cfggen_model::rbac::{Binding, RoleKind, RoleRef};
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut role_ref = t.sub("roleRef")?;
    if role_ref.string("apiGroup")?.as_deref() != Some(GROUP) {
        return Err(format!("a `roleRef` of an API group other than `{GROUP}`"));
    }
    let kind = match role_ref.string("kind")?.as_deref() {
        Some("Role") => RoleKind::Role,
        Some("ClusterRole") => RoleKind::ClusterRole,
        other => return Err(format!("a `roleRef` of kind {other:?}")),
    };
    let name = role_ref.string("name")?.unwrap_or_default();
    role_ref.done()?;
    let subjects = match t.take_any("subjects") {
        Some(Value::Null) | None => Vec::new(),
        Some(subjects) => crate::take::typed(subjects, "subjects")?,
    };
    t.done()?;
    Ok((
        RoleRef { kind, name },
        Binding {
            subjects,
            labels: crate::take::own_strings(labels, name_label),
            annotations: crate::take::own_strings(annotations, name_label),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_gives_the_role_to_its_account_alone() {
        let good = json!({"metadata": {"name": "reader", "labels": {"a": "b"}},
            "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "web"}]});
        let b = binding(&good, "web", "Role").unwrap();
        assert_eq!((b.role.as_str(), b.account.as_str()), ("reader", "reader"));
        assert_eq!(b.labels, *json!({"a": "b"}).as_object().unwrap());
        let mut two = good.clone();
        two["subjects"]
            .as_array_mut()
            .unwrap()
            .push(json!({"kind": "User", "name": "ann"}));
        assert_eq!(binding(&two, "web", "Role").err().unwrap(), UNPAIRED);
        assert_eq!(
            binding(&good, "web", "ClusterRole").err().unwrap(),
            CLUSTER_UNPAIRED
        );
        let mut elsewhere = good.clone();
        elsewhere["subjects"][0]["namespace"] = "db".into();
        assert_eq!(binding(&elsewhere, "web", "Role").err().unwrap(), UNPAIRED);
    }

    #[test]
    fn a_role_s_rules_keep_their_fields() {
        let role = json!({"metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
                {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]});
        assert_eq!(
            rules(&role).unwrap().0,
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
                {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}])
        );
        let annotated = json!({"metadata": {"name": "r", "annotations": {"a": "b"}}, "rules": []});
        assert_eq!(
            rules(&annotated).unwrap_err(),
            "`.metadata.annotations` has no typed form in cfggen"
        );
    }
}
