//! Flux post-build variables (`${CLUSTER_DOMAIN}`): a repository that
//! Flux applies writes them in its manifests, and Flux's
//! kustomize-controller replaces them with the values of its
//! Kustomization's `postBuild.substitute` and of the ConfigMaps its
//! `postBuild.substituteFrom` names, before it applies anything. Argo CD
//! does not, so import replaces them as Flux would, with the values the
//! user gives, and says where a variable is left as written.
//!
//! The forms are Flux's: `${NAME}`, `${NAME:=default}` and
//! `${NAME:-default}` (the default when `NAME` is unset or empty),
//! `${NAME=default}` and `${NAME-default}` (when unset), and `$${NAME}`
//! for a literal `${NAME}`. Unlike Flux, a variable without a value is
//! kept as written (Flux would make it empty), and reported.

use std::collections::BTreeMap;

use crate::read::InputError;

/// The values to put in, by variable name.
pub type Variables = BTreeMap<String, String>;

/// A variable the text uses and no value was given for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unset {
    /// The variable.
    pub name: String,
    /// 1-based line of its `$`.
    pub line: usize,
    /// 1-based column of its `$`.
    pub column: usize,
}

/// `text` with each variable that has a value (or a default) replaced,
/// and the variables left as written.
pub fn substitute(text: &str, values: &Variables) -> (String, Vec<Unset>) {
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    let mut rest = text;
    let (mut line, mut line_start) = (1, 0);
    let mut done = 0;
    while let Some(at) = rest.find("${") {
        let start = done + at;
        let before = &text[done..start];
        for (i, c) in before.char_indices() {
            if c == '\n' {
                line += 1;
                line_start = done + i + 1;
            }
        }
        let escaped = before.ends_with('$');
        let Some(len) = rest[at..].find('}') else {
            break;
        };
        let inner = &rest[at + 2..at + len];
        let end = start + len + 1;
        if escaped {
            // `$${NAME}`: the literal `${NAME}`.
            out.push_str(&before[..before.len() - 1]);
            out.push_str(&text[start..end]);
        } else if let Some((name, value)) = expand(inner, values) {
            out.push_str(before);
            match value {
                Some(v) => out.push_str(&v),
                None => {
                    unset.push(Unset {
                        name: name.to_owned(),
                        line,
                        column: text[line_start..start].chars().count() + 1,
                    });
                    out.push_str(&text[start..end]);
                }
            }
        } else {
            // Not a variable (`${ .Values.x }`, a shell expression Flux
            // would refuse): as written.
            out.push_str(&text[done..end]);
        }
        for (i, c) in text[start..end].char_indices() {
            if c == '\n' {
                line += 1;
                line_start = start + i + 1;
            }
        }
        done = end;
        rest = &text[done..];
    }
    out.push_str(&text[done..]);
    (out, unset)
}

/// The name of `${inner}` and its value: `None` for no value; `None`
/// altogether when `inner` is not a variable.
fn expand<'a>(inner: &'a str, values: &Variables) -> Option<(&'a str, Option<String>)> {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let value = values.get(name);
    let op = &inner[name_end..];
    let chosen = if op.is_empty() {
        value.cloned()
    } else if let Some(default) = op.strip_prefix(":=").or_else(|| op.strip_prefix(":-")) {
        Some(
            value
                .filter(|v| !v.is_empty())
                .map_or(default, String::as_str)
                .to_owned(),
        )
    } else if let Some(default) = op.strip_prefix('=').or_else(|| op.strip_prefix('-')) {
        Some(value.map_or(default, String::as_str).to_owned())
    } else {
        return None;
    };
    Some((name, chosen))
}

/// The variables of a Flux Kustomization (its `postBuild.substitute`), a
/// `substituteFrom` ConfigMap (its `data`), or a plain map of names to
/// values, from the text of `file`.
pub fn variables_of(file: &str, text: &str) -> Result<Variables, InputError> {
    let fail = |message: String, hint: Option<&str>| InputError {
        file: file.to_owned(),
        line: 1,
        column: 1,
        message,
        hint: hint.map(str::to_owned),
    };
    let limits = cfggen_yaml::Limits::default();
    let value = cfggen_yaml::parse(cfggen_yaml::FileId(0), text, &limits)
        .map_err(|e| fail(format!("not YAML: {}", e.message), None))?
        .to_json();
    let kind = value.get("kind").and_then(serde_json::Value::as_str);
    let map = match kind {
        Some("ConfigMap") => value.get("data").cloned().unwrap_or_default(),
        Some("Kustomization")
            if value
                .get("apiVersion")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/")) =>
        {
            value
                .pointer("/spec/postBuild/substitute")
                .cloned()
                .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()))
        }
        Some("Secret") => {
            return Err(fail(
                "a Secret: its values are secrets, and cfggen never copies one into config".into(),
                Some("give the variables that are not secret in a ConfigMap or with --substitute NAME=VALUE; a secret belongs in 1Password"),
            ))
        }
        Some(other) => {
            return Err(fail(
                format!("a {other}: the variables come from a Flux Kustomization's `postBuild.substitute`, a ConfigMap's `data` or a map of names to values"),
                None,
            ))
        }
        None => value,
    };
    let serde_json::Value::Object(map) = map else {
        return Err(fail("not a map of variable names to values".into(), None));
    };
    let mut out = Variables::new();
    for (name, v) in map {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                return Err(fail(
                    format!("variable `{name}`: its value is not text"),
                    None,
                ))
            }
        };
        out.insert(name, text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Variables {
        Variables::from([
            ("CLUSTER_DOMAIN".into(), "example.org".into()),
            ("EMPTY".into(), String::new()),
        ])
    }

    #[test]
    fn variables_are_replaced_as_flux_would() {
        let text =
            "host: app.${CLUSTER_DOMAIN}\nport: ${PORT:=8080}\nname: ${EMPTY:-x}${EMPTY-y}\n";
        let (out, unset) = substitute(text, &values());
        assert_eq!(out, "host: app.example.org\nport: 8080\nname: x\n");
        assert!(unset.is_empty());
    }

    #[test]
    fn a_variable_without_value_stays_and_is_reported_at_its_place() {
        let text = "a: 1\nb: x-${APP}\n  c: ${APP}\n";
        let (out, unset) = substitute(text, &values());
        assert_eq!(out, text);
        let places: Vec<_> = unset
            .iter()
            .map(|u| (u.name.as_str(), u.line, u.column))
            .collect();
        assert_eq!(places, [("APP", 2, 6), ("APP", 3, 6)]);
    }

    #[test]
    fn escapes_and_what_is_not_a_variable_stay() {
        let text = "a: $${CLUSTER_DOMAIN}\nb: ${ .Values.x }\nc: ${1}\nd: ${unclosed\n";
        let (out, unset) = substitute(text, &values());
        assert_eq!(
            out,
            "a: ${CLUSTER_DOMAIN}\nb: ${ .Values.x }\nc: ${1}\nd: ${unclosed\n"
        );
        assert!(unset.is_empty());
    }

    #[test]
    fn settings_come_from_a_config_map_or_a_map() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-settings}\ndata:\n  CLUSTER_DOMAIN: example.org\n  REPLICAS: 2\n";
        let v = variables_of("s.yaml", cm).unwrap();
        assert_eq!(v["CLUSTER_DOMAIN"], "example.org");
        assert_eq!(v["REPLICAS"], "2");
        assert_eq!(variables_of("m.yaml", "A: b\n").unwrap()["A"], "b");
        let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: &app radarr}\nspec:\n  postBuild:\n    substitute:\n      APP: *app\n";
        assert_eq!(variables_of("ks.yaml", ks).unwrap()["APP"], "radarr");
        let kustomize = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
        assert!(variables_of("k.yaml", kustomize).is_err());
        let secret = variables_of("s.yaml", "kind: Secret\ndata: {A: Yg==}\n").unwrap_err();
        assert!(secret.message.contains("never copies"), "{secret}");
        assert!(variables_of("x.yaml", "- a\n").is_err());
        assert!(variables_of("x.yaml", "A: [1]\n").is_err());
    }
}
