//! The CI workflow `cfggen init` writes is valid for GitHub Actions and
//! for Forgejo Actions, and installs cfggen once per version.
//!
//! GitHub's side is checked against SchemaStore's workflow schema (the
//! JSON Schema editors use); Forgejo's runner checks a workflow with act's
//! workflow schema, whose own small format (mapping, sequence, one-of,
//! string, allowed values, expression contexts) is read here. Both are
//! vendored under `tests/fixtures/workflows/` with their sources and
//! licences.

use serde_json::{Map, Value};

use crate::support::{fixtures, TestRepo};

/// The workflow `cfggen init` writes, parsed.
fn written_workflow() -> (String, Value) {
    let parent = TestRepo::new();
    let out = parent.run_in(parent.path(), &["init", "repo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text =
        std::fs::read_to_string(parent.path().join("repo/.github/workflows/cfggen.yml")).unwrap();
    let parsed: Value = cfggen_yaml::from_str(&text).unwrap();
    (text, parsed)
}

fn schema(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join("workflows").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The problems SchemaStore's GitHub workflow schema finds in `workflow`.
fn github_problems(workflow: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(&schema("github-workflow.json")).unwrap();
    validator
        .iter_errors(workflow)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// act's workflow schema, as Forgejo's runner reads it.
struct Act {
    definitions: Map<String, Value>,
}

/// The functions every expression may call.
const FUNCTIONS: &[&str] = &[
    "contains",
    "endsWith",
    "format",
    "join",
    "startsWith",
    "toJson",
    "fromJson",
];

impl Act {
    fn load() -> Act {
        let schema = schema("act-workflow-schema.json");
        let definitions = schema["definitions"].as_object().unwrap().clone();
        Act { definitions }
    }

    /// A definition by name; the scalar and container names stand for
    /// themselves where the file does not define them.
    fn definition(&self, name: &str) -> Value {
        if let Some(d) = self.definitions.get(name) {
            return d.clone();
        }
        match name {
            "any" => {
                serde_json::json!({"one-of": ["sequence", "mapping", "number", "boolean", "string", "null"]})
            }
            "sequence" => serde_json::json!({"sequence": {"item-type": "any"}}),
            "mapping" => {
                serde_json::json!({"mapping": {"loose-key-type": "any", "loose-value-type": "any"}})
            }
            "number" | "string" | "boolean" | "null" => serde_json::json!({ name: {} }),
            _ => panic!("act's schema has no definition `{name}`"),
        }
    }

    /// The problems of `value` against the definition `name`, with the
    /// expression contexts `context` allowed there.
    fn check(&self, name: &str, value: &Value, context: &[String], at: &str) -> Vec<String> {
        let def = self.definition(name);
        let mut context = context.to_vec();
        if let Some(more) = def.get("context").and_then(Value::as_array) {
            context.extend(more.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(text) = value.as_str().filter(|t| t.contains("${{")) {
            return expression_problems(text, &context, at);
        }
        if let Some(mapping) = def.get("mapping") {
            return self.check_mapping(mapping, value, &context, at);
        }
        if let Some(item) = def.pointer("/sequence/item-type").and_then(Value::as_str) {
            let Some(items) = value.as_array() else {
                return vec![format!("{at}: expected a sequence")];
            };
            return items
                .iter()
                .enumerate()
                .flat_map(|(i, v)| self.check(item, v, &context, &format!("{at}[{i}]")))
                .collect();
        }
        if let Some(choices) = def.get("one-of").and_then(Value::as_array) {
            let names: Vec<&str> = choices.iter().filter_map(Value::as_str).collect();
            if names
                .iter()
                .any(|n| self.check(n, value, &context, at).is_empty())
            {
                return Vec::new();
            }
            return vec![format!("{at}: matches none of {}", names.join(", "))];
        }
        if value.is_object() || value.is_array() {
            return vec![format!("{at}: expected a scalar ({name})")];
        }
        if let Some(string) = def.get("string") {
            let text = scalar_text(value);
            if let Some(constant) = string.get("constant").and_then(Value::as_str) {
                if text != constant {
                    return vec![format!("{at}: expected `{constant}`, got `{text}`")];
                }
            }
            if string.get("require-non-empty") == Some(&Value::Bool(true)) && text.is_empty() {
                return vec![format!("{at}: must not be empty")];
            }
            if string.get("is-expression") == Some(&Value::Bool(true)) {
                return expression_problems(&format!("${{{{ {text} }}}}"), &context, at);
            }
            return Vec::new();
        }
        if def.get("number").is_some() {
            let number = value.is_number() || scalar_text(value).parse::<f64>().is_ok();
            return if number {
                Vec::new()
            } else {
                vec![format!("{at}: expected a number")]
            };
        }
        if def.get("boolean").is_some() {
            return if value.is_boolean() {
                Vec::new()
            } else {
                vec![format!("{at}: expected a boolean")]
            };
        }
        if let Some(allowed) = def.get("allowed-values").and_then(Value::as_array) {
            let text = scalar_text(value);
            return if allowed.iter().any(|a| a.as_str() == Some(text.as_str())) {
                Vec::new()
            } else {
                vec![format!("{at}: `{text}` is not one of {allowed:?}")]
            };
        }
        if def.get("null").is_some() {
            return if value.is_null() {
                Vec::new()
            } else {
                vec![format!("{at}: expected null")]
            };
        }
        vec![format!(
            "{at}: definition `{name}` has no form this test reads"
        )]
    }

    fn check_mapping(
        &self,
        mapping: &Value,
        value: &Value,
        context: &[String],
        at: &str,
    ) -> Vec<String> {
        let Some(object) = value.as_object() else {
            return vec![format!("{at}: expected a mapping")];
        };
        let properties = mapping.get("properties").and_then(Value::as_object);
        let loose = mapping.get("loose-value-type").and_then(Value::as_str);
        let mut problems = Vec::new();
        for (key, v) in object {
            let here = format!("{at}.{key}");
            if key.contains("${{") {
                problems.extend(expression_problems(key, context, &here));
                continue;
            }
            let kind = match properties.and_then(|p| p.get(key)) {
                Some(Value::String(t)) => t.as_str(),
                Some(p) => p.get("type").and_then(Value::as_str).unwrap_or("any"),
                None => match loose {
                    Some(t) => t,
                    None => {
                        problems.push(format!("{here}: unknown property"));
                        continue;
                    }
                },
            };
            problems.extend(self.check(kind, v, context, &here));
        }
        for (key, p) in properties.into_iter().flatten() {
            if p.get("required") == Some(&Value::Bool(true)) && !object.contains_key(key) {
                problems.push(format!("{at}: `{key}` is required"));
            }
        }
        problems
    }
}

/// A scalar as the runner reads it: its text.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The problems of the `${{ … }}` expressions in `text`: an expression
/// where no context is allowed, or a name that is neither an allowed
/// context nor a function. Quoted strings and property names after a dot
/// are not names.
fn expression_problems(text: &str, context: &[String], at: &str) -> Vec<String> {
    if context.is_empty() {
        return vec![format!("{at}: expressions are not allowed here")];
    }
    let allowed: Vec<&str> = context
        .iter()
        .map(|c| c.split('(').next().unwrap_or(c))
        .chain(FUNCTIONS.iter().copied())
        .chain(["true", "false", "null"])
        .collect();
    let mut problems = Vec::new();
    for body in text.split("${{").skip(1) {
        let Some((body, _)) = body.split_once("}}") else {
            problems.push(format!("{at}: `${{{{` without `}}}}`"));
            continue;
        };
        let mut chars = body.char_indices().peekable();
        let mut before = ' ';
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                }
                before = '\'';
                continue;
            }
            if c.is_ascii_alphabetic() || c == '_' {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' || d == '-' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &body[i..end];
                if before != '.' && !allowed.iter().any(|a| a.eq_ignore_ascii_case(word)) {
                    problems.push(format!("{at}: `{word}` is not allowed here ({body})"));
                }
                before = 'a';
                continue;
            }
            if !c.is_whitespace() {
                before = c;
            }
        }
    }
    problems
}

#[test]
fn the_workflow_init_writes_is_valid_for_github_actions() {
    let (text, workflow) = written_workflow();
    let problems = github_problems(&workflow);
    assert!(problems.is_empty(), "{problems:#?}\n{text}");
}

#[test]
fn the_workflow_init_writes_is_valid_for_forgejo_actions() {
    let (text, workflow) = written_workflow();
    let problems = Act::load().check("workflow-root-strict", &workflow, &[], "");
    assert!(problems.is_empty(), "{problems:#?}\n{text}");
}

/// Both checks refuse what the runners refuse: a step with no `run` or
/// `uses`, an unknown job key, an expression naming a context the field
/// has not got (`secrets` in a step's `if`), a missing `runs-on`.
#[test]
fn both_workflow_checks_refuse_a_broken_workflow() {
    let (_, workflow) = written_workflow();
    let act = Act::load();
    let mut broken = Vec::new();
    let mut no_step_body = workflow.clone();
    no_step_body["jobs"]["check"]["steps"][1] = serde_json::json!({"name": "nothing"});
    broken.push(("a step without run or uses", no_step_body));
    let mut unknown_key = workflow.clone();
    unknown_key["jobs"]["check"]["runs_on"] = Value::from("ubuntu-latest");
    broken.push(("an unknown job key", unknown_key));
    let mut no_runner = workflow.clone();
    no_runner["jobs"]["check"]
        .as_object_mut()
        .unwrap()
        .remove("runs-on");
    broken.push(("no runs-on", no_runner));
    for (what, w) in &broken {
        assert!(
            !github_problems(w).is_empty(),
            "GitHub's schema took {what}"
        );
        assert!(
            !act.check("workflow-root-strict", w, &[], "").is_empty(),
            "act's schema took {what}"
        );
    }
    let mut bad_context = workflow.clone();
    bad_context["jobs"]["check"]["steps"][2]["if"] = Value::from("secrets.TOKEN != ''");
    assert!(
        !act.check("workflow-root-strict", &bad_context, &[], "")
            .is_empty(),
        "act's schema took `secrets` in a step's `if`"
    );
}

/// The install step runs only when the cache for this version missed;
/// the cache key follows the pinned version, and the installed binary is
/// what the check runs.
#[test]
fn the_workflow_installs_cfggen_once_per_version() {
    let (text, workflow) = written_workflow();
    let version = workflow["env"]["CFGGEN_VERSION"].as_str().unwrap();
    assert_eq!(version, format!("v{}", env!("CARGO_PKG_VERSION")), "{text}");
    let steps = workflow["jobs"]["check"]["steps"].as_array().unwrap();
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("a cache step");
    let id = cache["id"].as_str().unwrap();
    assert!(
        cache["with"]["key"]
            .as_str()
            .unwrap()
            .contains("${{ env.CFGGEN_VERSION }}"),
        "{text}"
    );
    let install = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("cargo install"))
        })
        .expect("an install step");
    assert_eq!(
        install["if"].as_str().unwrap(),
        format!("steps.{id}.outputs.cache-hit != 'true'"),
        "{text}"
    );
    let run = install["run"].as_str().unwrap();
    for part in ["--locked", "--tag \"$CFGGEN_VERSION\"", "--root ~/.cfggen"] {
        assert!(run.contains(part), "{part} in {run}");
    }
    assert_eq!(cache["with"]["path"].as_str(), Some("~/.cfggen"), "{text}");
    let last = steps.last().unwrap();
    assert_eq!(last["run"].as_str(), Some("cfggen check --format github"));
}
