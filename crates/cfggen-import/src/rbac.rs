//! A Role and the RoleBinding that gives it to one service account → the
//! account's `rules`, as cfggen renders them: the Role and the binding
//! both named after the account, the binding's one subject the account.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::read::Object;
use crate::take::{Taker, Why};

const GROUP: &str = "rbac.authorization.k8s.io";

/// Why a Role or RoleBinding is not an account's rules.
pub(crate) const UNPAIRED: &str = "cfggen's Roles are the rules of one service account: the Role and a RoleBinding that binds it to that account alone, both named after the account";

/// The accounts of `namespace` whose Role and RoleBinding follow
/// cfggen's form, with nothing else in the binding.
pub(crate) fn paired(objects: &[Object], namespace: &str) -> BTreeSet<String> {
    fn of_kind<'o>(objects: &'o [Object], kind: &'static str) -> impl Iterator<Item = &'o Object> {
        objects
            .iter()
            .filter(move |o| o.api_version() == format!("{GROUP}/v1") && o.kind() == kind)
    }
    let roles: BTreeSet<&str> = of_kind(objects, "Role").map(Object::name).collect();
    of_kind(objects, "RoleBinding")
        .filter(|b| roles.contains(b.name()) && binding(b.name(), &b.value, namespace).is_ok())
        .map(|b| b.name().to_owned())
        .collect()
}

/// A RoleBinding that binds the Role `account` to the account alone.
pub(crate) fn binding(account: &str, object: &Value, namespace: &str) -> Result<(), Why> {
    let (mut t, meta) = crate::take::object(object)?;
    meta.done()?;
    let role_ref = t.take("roleRef");
    let subjects = t.list("subjects")?;
    t.done()?;
    let want_ref = json!({"apiGroup": GROUP, "kind": "Role", "name": account});
    let want_subjects =
        [json!({"kind": "ServiceAccount", "name": account, "namespace": namespace})];
    if role_ref.as_ref() != Some(&want_ref) || subjects != want_subjects {
        return Err(UNPAIRED.into());
    }
    Ok(())
}

/// A Role's rules in the form of an account's `rules`.
pub(crate) fn rules(object: &Value) -> Result<Value, Why> {
    let (mut t, meta) = crate::take::object(object)?;
    meta.done()?;
    let rules = t.list("rules")?;
    t.done()?;
    if rules.is_empty() {
        return Err("a Role without rules".into());
    }
    let mut out = Vec::new();
    for r in rules {
        let mut r = Taker::new(r, "rules[]")?;
        let mut rule = Map::new();
        for key in ["apiGroups", "resources", "resourceNames", "verbs"] {
            let list = r.list(key)?;
            if !list.is_empty() {
                rule.insert(key.into(), Value::Array(list));
            }
        }
        r.done()?;
        out.push(Value::Object(rule));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_gives_the_role_to_its_account_alone() {
        let good = json!({"metadata": {"name": "reader"},
            "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "web"}]});
        assert_eq!(binding("reader", &good, "web"), Ok(()));
        let mut two = good.clone();
        two["subjects"]
            .as_array_mut()
            .unwrap()
            .push(json!({"kind": "User", "name": "ann"}));
        assert_eq!(binding("reader", &two, "web").unwrap_err(), UNPAIRED);
        let mut cluster = good.clone();
        cluster["roleRef"]["kind"] = "ClusterRole".into();
        assert_eq!(binding("reader", &cluster, "web").unwrap_err(), UNPAIRED);
    }

    #[test]
    fn a_role_s_rules_keep_their_fields() {
        let role = json!({"metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]});
        assert_eq!(
            rules(&role).unwrap(),
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])
        );
        let labelled = json!({"metadata": {"name": "r", "labels": {"a": "b"}}, "rules": []});
        assert_eq!(
            rules(&labelled).unwrap_err(),
            "`.metadata.labels` has no typed form in cfggen"
        );
    }
}
