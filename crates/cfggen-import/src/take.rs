//! Taking a Kubernetes object apart field by field: what a conversion
//! does not take is what the typed form would lose, so an object with a
//! field left over stays raw, and the field is the reason.

use cfggen_model::names;
use serde_json::{Map, Value};

/// Why an object cannot be typed.
pub(crate) type Why = String;

/// A mapping being taken apart; `path` names it in reasons.
pub(crate) struct Taker {
    map: Map<String, Value>,
    path: String,
}

impl Taker {
    /// The mapping at `path`; a value that is not one is a reason.
    pub(crate) fn new(value: Value, path: &str) -> Result<Taker, Why> {
        match value {
            Value::Object(map) => Ok(Taker {
                map,
                path: path.to_owned(),
            }),
            Value::Null => Ok(Taker {
                map: Map::new(),
                path: path.to_owned(),
            }),
            _ => Err(format!("`{path}` is not a mapping")),
        }
    }

    /// The field `key`, removed; absent, null and empty values are `None`.
    /// Keys with a null value inside it are left out: Kubernetes reads
    /// `rollingUpdate: null` as no `rollingUpdate`.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.map
            .shift_remove(key)
            .map(without_nulls)
            .filter(|v| !is_empty(v))
    }

    /// The field `key`, removed, even when empty (`emptyDir: {}`).
    pub(crate) fn take_any(&mut self, key: &str) -> Option<Value> {
        self.map.shift_remove(key).map(without_nulls)
    }

    /// A string field.
    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>, Why> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("`{}.{key}` is not a string", self.path)),
        }
    }

    /// A mapping field, to take apart in turn.
    pub(crate) fn sub(&mut self, key: &str) -> Result<Taker, Why> {
        let path = format!("{}.{key}", self.path);
        Taker::new(self.take(key).unwrap_or(Value::Null), &path)
    }

    /// A list field.
    pub(crate) fn list(&mut self, key: &str) -> Result<Vec<Value>, Why> {
        match self.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(format!("`{}.{key}` is not a list", self.path)),
        }
    }

    /// A mapping of strings (labels, annotations, selectors).
    pub(crate) fn strings(&mut self, key: &str) -> Result<Map<String, Value>, Why> {
        match self.take(key) {
            None => Ok(Map::new()),
            Some(Value::Object(m)) if m.values().all(Value::is_string) => Ok(m),
            Some(_) => Err(format!("`{}.{key}` is not a mapping of strings", self.path)),
        }
    }

    /// Whether nothing is left to take.
    pub(crate) fn is_empty(&self) -> bool {
        self.map.values().all(is_empty)
    }

    /// Ends the taking: a field left over is the reason the object cannot
    /// be typed.
    pub(crate) fn done(self) -> Result<(), Why> {
        match self.map.iter().find(|(_, v)| !is_empty(v)) {
            Some((k, _)) => Err(format!("`{}.{k}` has no typed form in cfggen", self.path)),
            None => Ok(()),
        }
    }
}

/// A Kubernetes object taken apart: its `apiVersion`, `kind`, name and
/// namespace taken (the caller knows them), the rest of the object and
/// the rest of its metadata (labels, annotations, …) left to take.
pub(crate) fn object(value: &Value) -> Result<(Taker, Taker), Why> {
    let mut t = Taker::new(value.clone(), "")?;
    t.take("apiVersion");
    t.take("kind");
    let mut meta = t.sub("metadata")?;
    meta.take("name");
    meta.take("namespace");
    Ok((t, meta))
}

/// An object's labels, annotations and `spec`.
pub(crate) type LabelledSpec = (Map<String, Value>, Map<String, Value>, Taker);

/// An object of labels, annotations and a `spec` (a Service, a route, an
/// AppProject, a Velero Schedule): those three; anything else of it is
/// the reason it stays raw.
pub(crate) fn labelled_spec(value: &Value) -> Result<LabelledSpec, Why> {
    let (mut t, mut meta) = object(value)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let spec = t.sub("spec")?;
    t.done()?;
    Ok((labels, annotations, spec))
}

/// On workloads (and their disruption budgets) the labels cfggen sets
/// win over the object's own, for they go with the pods' selector: a
/// value of the input's own for one of them would be lost, and is the
/// reason the object stays raw. Every other object's own labels win.
pub(crate) fn cfggen_labels(
    labels: &Map<String, Value>,
    app: &str,
    component: Option<&str>,
) -> Result<(), Why> {
    let own = [
        (names::MANAGED_BY.0, Some(names::MANAGED_BY.1)),
        (names::LABEL_APP, Some(app)),
        (names::LABEL_COMPONENT, component),
    ];
    for (key, value) in own {
        let (Some(value), Some(theirs)) = (value, labels.get(key).and_then(Value::as_str)) else {
            continue;
        };
        if theirs != value {
            return Err(format!(
                "its label `{key}: {theirs}`, which cfggen sets to `{value}` on what it renders"
            ));
        }
    }
    Ok(())
}

/// An object's own labels or annotations, as the model keeps them: the
/// ones cfggen writes itself with the same value (managed-by, the name
/// label `app`) left out; one of another value stays, and wins.
pub(crate) fn own_strings(m: Map<String, Value>, app: &str) -> indexmap::IndexMap<String, String> {
    m.into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
        .filter(|(k, v)| {
            let cfggens = [names::MANAGED_BY, (names::LABEL_APP, app)];
            !cfggens.iter().any(|(key, value)| k == key && v == value)
        })
        .collect()
}

/// `value`, found at `path`, read as the model's type `T`, whose fields
/// carry the Kubernetes names: a field `T` has no place for is the
/// reason the object stays raw.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: Value, path: &str) -> Result<T, Why> {
    serde_json::from_value(without_nulls(value)).map_err(|e| {
        let e = e.to_string();
        match e
            .strip_prefix("unknown field `")
            .and_then(|r| r.split_once('`'))
        {
            Some((field, _)) => format!("`{field}` (in `{path}`) has no typed form in cfggen"),
            None => format!("`{path}`: {e}"),
        }
    })
}

/// `value` without the keys whose value is null, at any depth.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Null, `{}` and `[]`: what Kubernetes treats as absent.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_label_cfggen_sets_otherwise_is_the_reason() {
        let labels = json!({"app.kubernetes.io/component": "exporter", "tier": "x"});
        let labels = labels.as_object().unwrap();
        assert_eq!(cfggen_labels(labels, "mon", None), Ok(()));
        assert_eq!(
            cfggen_labels(labels, "mon", Some("node-exporter")).unwrap_err(),
            "its label `app.kubernetes.io/component: exporter`, which cfggen sets to `node-exporter` on what it renders"
        );
        assert_eq!(cfggen_labels(labels, "mon", Some("exporter")), Ok(()));
    }

    #[test]
    fn a_field_left_over_is_the_reason() {
        let mut t = Taker::new(json!({"a": "x", "b": {}, "c": 1}), "spec").unwrap();
        assert_eq!(t.string("a").unwrap().as_deref(), Some("x"));
        assert_eq!(
            t.done().unwrap_err(),
            "`spec.c` has no typed form in cfggen"
        );
    }
}
