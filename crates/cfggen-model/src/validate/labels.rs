//! Labels as Kubernetes takes them: a key is an optional DNS subdomain
//! prefix and `/`, then a name of at most 63 letters, digits, `-`, `_`
//! and `.` that starts and ends with a letter or digit; a value is empty
//! or such a name.

use indexmap::IndexMap;

use super::{Checker, Target};
use crate::names::is_label_name;
use crate::{names, FieldPath};

/// What is wrong with a label key, if anything.
fn key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix.filter(|p| !names::is_dns1123_subdomain(p)) {
        return Some(format!(
            "the prefix `{prefix}` is not a DNS subdomain (lower-case letters, digits, `-` and `.`)"
        ));
    }
    (!is_label_name(name)).then(|| {
        format!("`{name}` is not a label name: at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit")
    })
}

/// Every key and value of one map of labels.
pub(super) fn check_labels(
    c: &mut Checker<'_>,
    labels: &IndexMap<String, String>,
    path: &FieldPath,
) {
    for (key, value) in labels {
        if let Some(why) = key_error(key) {
            c.push(
                "label",
                path.key(key),
                Target::Key,
                format!("label `{key}`: {why}"),
                "not a label key",
                Some("write it as `example.com/name` or `name`".into()),
            );
        }
        if !value.is_empty() && !is_label_name(value) {
            c.push(
                "label",
                path.key(key),
                Target::Value,
                format!("label `{key}` has the value `{value}`; a label value is empty or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"),
                "not a label value",
                Some("put free text in an annotation instead".into()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_follow_kubernetes() {
        assert_eq!(key_error("app.kubernetes.io/part-of"), None);
        assert_eq!(key_error("tier"), None);
        assert!(key_error("Example.com/x").is_some());
        assert!(key_error("part of").is_some());
        assert!(key_error(&"a".repeat(64)).is_some());
        assert!(is_label_name("v1.2_3"));
        assert!(!is_label_name("-x"));
        assert!(!is_label_name("hello world"));
    }
}
