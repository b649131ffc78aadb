//! Patches of rendered objects, as Kustomize applies them: a strategic
//! merge patch (maps merge; lists of named items merge by `name`; `null`
//! removes a key; `$patch: delete` removes a named item) or an RFC 6902
//! JSON patch. An app's patches apply to its own objects; the
//! environment's to every app's. A patch that matches nothing is an error.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One patch: which objects, and what to change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Patch {
    /// The objects to patch.
    pub target: PatchTarget,
    /// A strategic merge patch: the fields to set, as in the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = [{"spec": {"revisionHistoryLimit": 3}}]))]
    pub merge: Option<Map<String, Value>>,
    /// An RFC 6902 JSON patch: operations on JSON pointers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json: Vec<JsonPatchOp>,
}

/// The objects a patch applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    /// The kind, e.g. `Deployment`.
    pub kind: String,
    /// The object's name; every object of the kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl PatchTarget {
    /// Whether an object is a target.
    pub fn matches(&self, object: &Value) -> bool {
        object.get("kind").and_then(Value::as_str) == Some(self.kind.as_str())
            && self
                .name
                .as_deref()
                .is_none_or(|n| object.pointer("/metadata/name").and_then(Value::as_str) == Some(n))
    }
}

/// One operation of a JSON patch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JsonPatchOp {
    /// What to do.
    pub op: Op,
    /// A JSON pointer, e.g. `/spec/replicas` or `/spec/template/spec/containers/0/args/-`.
    #[schemars(regex(pattern = "^(/[^/]*)*$"))]
    pub path: String,
    /// The value (`add`, `replace`, `test`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Where from (`move`, `copy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// A JSON patch operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Op {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

impl Patch {
    /// Applies the patch to an object.
    pub fn apply(&self, object: &mut Value) -> Result<(), String> {
        if let Some(merge) = &self.merge {
            strategic_merge(object, &Value::Object(merge.clone()));
        }
        for op in &self.json {
            apply_op(object, op)?;
        }
        Ok(())
    }
}

/// Strategic merge of `patch` into `target`.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else if let Some(existing) = t.get_mut(k) {
                    strategic_merge(existing, v);
                } else {
                    let mut fresh = v.clone();
                    strip_directives(&mut fresh);
                    t.insert(k.clone(), fresh);
                }
            }
        }
        (Value::Array(t), Value::Array(p)) if named(t) && named(p) => {
            for item in p {
                let name = item.get("name").cloned();
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                let at = t.iter().position(|x| x.get("name") == name.as_ref());
                match (at, delete) {
                    (Some(i), true) => {
                        t.remove(i);
                    }
                    (Some(i), false) => strategic_merge(&mut t[i], item),
                    (None, true) => {}
                    (None, false) => {
                        let mut fresh = item.clone();
                        strip_directives(&mut fresh);
                        t.push(fresh);
                    }
                }
            }
        }
        (t, p) => {
            let mut fresh = p.clone();
            strip_directives(&mut fresh);
            *t = fresh;
        }
    }
}

/// Whether every item of a list is a mapping with a `name`.
fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| i.get("name").is_some())
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("$patch");
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

/// The steps of a JSON pointer.
fn steps(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("`{pointer}` is not a JSON pointer (it starts with `/`)"))?;
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// The parent of the value a pointer names, and its last step.
fn parent<'a>(root: &'a mut Value, pointer: &str) -> Result<(&'a mut Value, String), String> {
    let mut path = steps(pointer)?;
    let last = path
        .pop()
        .ok_or_else(|| "the whole object cannot be the target".to_owned())?;
    let mut at = root;
    for step in &path {
        at = match at {
            Value::Object(m) => m.get_mut(step),
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("`{pointer}`: there is no `{step}`"))?;
    }
    Ok((at, last))
}

fn get(root: &Value, pointer: &str) -> Result<Value, String> {
    root.pointer(pointer)
        .cloned()
        .ok_or_else(|| format!("`{pointer}` names nothing in the object"))
}

fn add(root: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (at, last) = parent(root, pointer)?;
    match at {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(items) if last == "-" => {
            items.push(value);
            Ok(())
        }
        Value::Array(items) => match last.parse::<usize>() {
            Ok(i) if i <= items.len() => {
                items.insert(i, value);
                Ok(())
            }
            _ => Err(format!("`{pointer}`: `{last}` is not an index of the list")),
        },
        _ => Err(format!(
            "`{pointer}`: its parent is not a mapping or a list"
        )),
    }
}

fn remove(root: &mut Value, pointer: &str) -> Result<Value, String> {
    let (at, last) = parent(root, pointer)?;
    match at {
        Value::Object(m) => m
            .remove(&last)
            .ok_or_else(|| format!("`{pointer}` names nothing in the object")),
        Value::Array(items) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => Ok(items.remove(i)),
            _ => Err(format!("`{pointer}`: `{last}` is not an index of the list")),
        },
        _ => Err(format!(
            "`{pointer}`: its parent is not a mapping or a list"
        )),
    }
}

fn apply_op(root: &mut Value, op: &JsonPatchOp) -> Result<(), String> {
    let value = || {
        op.value
            .clone()
            .ok_or_else(|| format!("`{:?}` at `{}` needs a `value`", op.op, op.path).to_lowercase())
    };
    let from = || {
        op.from
            .clone()
            .ok_or_else(|| format!("`{:?}` to `{}` needs a `from`", op.op, op.path).to_lowercase())
    };
    match op.op {
        Op::Add => add(root, &op.path, value()?),
        Op::Remove => remove(root, &op.path).map(|_| ()),
        Op::Replace => {
            remove(root, &op.path)?;
            add(root, &op.path, value()?)
        }
        Op::Move => {
            let moved = remove(root, &from()?)?;
            add(root, &op.path, moved)
        }
        Op::Copy => {
            let copied = get(root, &from()?)?;
            add(root, &op.path, copied)
        }
        Op::Test => {
            let expected = value()?;
            if get(root, &op.path)? == expected {
                Ok(())
            } else {
                Err(format!(
                    "the test of `{}` failed: it is not {expected}",
                    op.path
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_merges_named_lists_by_name() {
        let mut d = json!({"spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}]}, {"name": "b"}]}});
        strategic_merge(
            &mut d,
            &json!({"spec": {"containers": [
                {"name": "a", "env": [{"name": "B", "value": "2"}]},
                {"name": "b", "$patch": "delete"},
                {"name": "c", "image": "y"}
            ], "paused": true}}),
        );
        assert_eq!(
            d,
            json!({"spec": {"containers": [
                {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                {"name": "c", "image": "y"}
            ], "paused": true}})
        );
        strategic_merge(&mut d, &json!({"spec": {"paused": null}}));
        assert!(d.pointer("/spec/paused").is_none());
    }

    #[test]
    fn json_patches_follow_rfc_6902() {
        let mut d = json!({"a": {"b": [1, 2]}, "c": "x"});
        let op = |op, path: &str, value: Option<Value>, from: Option<&str>| JsonPatchOp {
            op,
            path: path.into(),
            value,
            from: from.map(Into::into),
        };
        for o in [
            op(Op::Add, "/a/b/-", Some(json!(3)), None),
            op(Op::Add, "/a/b/0", Some(json!(0)), None),
            op(Op::Replace, "/c", Some(json!("y")), None),
            op(Op::Copy, "/d", None, Some("/c")),
            op(Op::Move, "/e", None, Some("/d")),
            op(Op::Remove, "/a/b/1", None, None),
            op(Op::Test, "/e", Some(json!("y")), None),
            op(Op::Add, "/f~1g", Some(json!(true)), None),
        ] {
            apply_op(&mut d, &o).unwrap();
        }
        assert_eq!(
            d,
            json!({"a": {"b": [0, 2, 3]}, "c": "y", "e": "y", "f/g": true})
        );
        assert!(apply_op(&mut d, &op(Op::Remove, "/nope", None, None)).is_err());
        assert!(apply_op(&mut d, &op(Op::Test, "/c", Some(json!("z")), None)).is_err());
    }
}
