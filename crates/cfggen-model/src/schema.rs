//! JSON Schemas made from the model's Rust types (one source of truth).
//!
//! Draft-07, the draft yaml-language-server supports fully. Two files:
//! `environment.schema.json` for a complete environment, and
//! `partial-environment.schema.json` for bases and for environments that
//! extend a base: the same types with nothing required, since a required
//! field may come from another file.

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::environment::Environment;

/// File name of the complete-environment schema under `schemas/`.
pub const ENVIRONMENT_SCHEMA: &str = "environment.schema.json";
/// File name of the base/overlay schema under `schemas/`.
pub const PARTIAL_SCHEMA: &str = "partial-environment.schema.json";

/// The schema of a complete environment file (made once per process:
/// loading and the schema check both use it).
pub fn environment_schema() -> Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(generate_environment_schema).clone()
}

fn generate_environment_schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Environment>();
    let mut value = schema.to_value();
    tighten(&mut value);
    if let Value::Object(map) = &mut value {
        map.insert(
            "description".into(),
            Value::String(
                "A cfggen environment: cluster settings and apps. See `cfggen validate`.".into(),
            ),
        );
    }
    value
}

/// The schema of a base, or of an environment that extends one: the same
/// types as [`environment_schema`], with nothing required.
pub fn partial_schema() -> Value {
    let mut value = environment_schema();
    drop_required(&mut value, false);
    if let Value::Object(map) = &mut value {
        map.insert(
            "title".into(),
            Value::String("cfggen base or environment overlay".into()),
        );
        map.insert(
            "description".into(),
            Value::String(
                "A cfggen base (environments/bases/*.yaml) or an environment that `extends` \
                 bases: every field is optional here; the merged environment must be complete."
                    .into(),
            ),
        );
    }
    value
}

/// Every schema file cfggen writes under `schemas/`, with its text.
pub fn schema_files() -> Vec<(&'static str, String)> {
    [
        (ENVIRONMENT_SCHEMA, environment_schema()),
        (PARTIAL_SCHEMA, partial_schema()),
    ]
    .into_iter()
    .map(|(name, value)| {
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        (name, text)
    })
    .collect()
}

/// Two rules schemars does not apply by itself: an absent optional field
/// is written by leaving it out (so `null` is not a value to offer), and
/// every object with declared properties takes no others (serde's
/// `deny_unknown_fields` also covers untagged enum variants).
fn tighten(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let single = types.remove(0);
                    map.insert("type".into(), single);
                }
            }
            let null = serde_json::json!({"type": "null"});
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|a| *a != null);
                if alternatives.len() == 1 {
                    if let Some(only) = map.remove("anyOf") {
                        map.insert("allOf".into(), only);
                    }
                }
            }
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(tighten);
        }
        Value::Array(items) => items.iter_mut().for_each(tighten),
        _ => {}
    }
}

/// Removes `required` everywhere except in the alternatives of
/// `anyOf`/`oneOf`, where it tells the alternatives apart.
fn drop_required(value: &mut Value, is_alternative: bool) {
    match value {
        Value::Object(map) => {
            if !is_alternative {
                map.remove("required");
            }
            for (key, child) in map.iter_mut() {
                let alternatives = key == "anyOf" || key == "oneOf";
                match child {
                    Value::Array(items) if alternatives => {
                        for item in items {
                            drop_required(item, true);
                        }
                    }
                    other => drop_required(other, false),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                drop_required(item, false);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_required(v: &Value) -> usize {
        match v {
            Value::Object(m) => {
                usize::from(m.contains_key("required"))
                    + m.values().map(count_required).sum::<usize>()
            }
            Value::Array(a) => a.iter().map(count_required).sum(),
            _ => 0,
        }
    }

    #[test]
    fn full_schema_is_draft07_and_strict() {
        let s = environment_schema();
        assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(s["additionalProperties"], false);
        assert!(s["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "name")));
        assert!(s["definitions"]["App"]["properties"]["components"]["description"].is_string());
    }

    /// Every property of every object has a description, for hover.
    #[test]
    fn every_property_is_documented() {
        fn walk(v: &Value, path: &str, missing: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Object(props)) = m.get("properties") {
                        for (k, p) in props {
                            if p.get("description").is_none() {
                                missing.push(format!("{path}.{k}"));
                            }
                        }
                    }
                    for (k, child) in m {
                        walk(child, &format!("{path}/{k}"), missing);
                    }
                }
                Value::Array(a) => a.iter().for_each(|c| walk(c, path, missing)),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(&environment_schema(), "", &mut missing);
        assert!(missing.is_empty(), "undocumented properties: {missing:?}");
    }

    #[test]
    fn partial_schema_requires_nothing_but_keeps_variants_apart() {
        let full = environment_schema();
        let partial = partial_schema();
        assert!(count_required(&full) > count_required(&partial));
        assert!(partial.get("required").is_none());
        assert!(partial["definitions"]["App"].get("required").is_none());
        // The env value alternatives still require their one key.
        let env_value = &partial["definitions"]["EnvValue"]["anyOf"];
        assert!(env_value
            .as_array()
            .is_some_and(|alts| alts.iter().any(|a| a.get("required").is_some())));
    }
}
