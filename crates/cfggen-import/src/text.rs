//! The YAML of imported apps, to insert under an environment's `apps:`:
//! canonical block YAML, each raw manifest under a comment saying why it
//! has no typed form.

use serde_json::Value;

use crate::convert::AppPlan;

/// Every line of `text` indented by `n` spaces (blank lines stay blank).
pub(crate) fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

/// One app as the entry of an `apps:` mapping, at two spaces.
pub fn app_text(app: &AppPlan) -> String {
    let mut body = app.body.clone();
    let manifests = body
        .as_object_mut()
        .and_then(|m| m.shift_remove("manifests"));
    let mut out = format!("  {}:\n", app.name);
    let has_fields = body.as_object().is_some_and(|m| !m.is_empty());
    if has_fields {
        out.push_str(&indent(&cfggen_yaml::emit(&body), 4));
    }
    if let Some(Value::Array(items)) = manifests {
        out.push_str("    manifests:\n");
        for (item, (label, why)) in items.iter().zip(&app.raw) {
            out.push_str(&format!("    # {label}: {}\n", one_line(why)));
            let inline = item.get("inline").cloned().unwrap_or(Value::Null);
            let object = indent(&cfggen_yaml::emit(&inline), 8);
            out.push_str("    - inline:\n");
            out.push_str(&object);
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
