//! cfggen's drift stage: what is committed under `generated/<env>/`
//! against what the environment renders to. Pure: the caller reads the
//! files.
//!
//! Three kinds of drift: a file that differs (**changed**), a file that
//! would be generated but is not on disk (**missing**), and a file on disk
//! that is not produced (**unexpected**). A changed file gets two views:
//! a unified text diff, and a semantic summary per resource that ignores
//! formatting and key order — so a hand-reformatted but equal file is a
//! *formatting-only* change.

use std::collections::BTreeMap;

use cfggen_tree::Against;
use serde::Serialize;
use serde_json::Value;

/// Drift of one environment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// The environment.
    pub environment: String,
    /// Files that drift, sorted by path.
    pub files: Vec<FileDrift>,
}

impl Drift {
    /// No drift at all.
    pub fn is_clean(&self) -> bool {
        self.files.is_empty()
    }

    /// How many files of each status.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: Status| self.files.iter().filter(|f| f.status == s).count();
        (
            n(Status::Changed),
            n(Status::Missing),
            n(Status::Unexpected),
        )
    }
}

/// How a file drifts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// On disk and rendered, with different bytes.
    Changed,
    /// Rendered, not on disk.
    Missing,
    /// On disk, not rendered.
    Unexpected,
}

/// One drifting file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDrift {
    /// Path relative to the environment folder.
    pub path: String,
    /// Changed, missing or unexpected.
    pub status: Status,
    /// For a changed file: the YAML data is equal, only its text differs.
    pub formatting_only: bool,
    /// The resource the file holds (`Deployment authentik/authentik-server`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Field-level changes, committed → rendered.
    pub changes: Vec<FieldChange>,
    /// Unified diff, committed (`a/`) → rendered (`b/`).
    pub diff: String,
}

/// One changed field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// Field path, e.g. `spec.template.spec.containers[server].image`.
    pub path: String,
    /// The committed value, absent when added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The rendered value, absent when removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl FieldChange {
    /// `old → new` in compact form, `(absent)` for a missing side.
    pub fn summary(&self) -> String {
        let show = |v: &Option<Value>| v.as_ref().map_or_else(|| "(absent)".to_owned(), compact);
        format!("{}: {} → {}", self.path, show(&self.old), show(&self.new))
    }
}

/// Compares a rendered environment with its committed tree, `against`
/// (which holds the text of every file that differs from it), given the
/// bytes of each committed file that differs or is not rendered any more
/// (`old`, by relative path; one missing there counts as empty). Reported
/// paths get `prefix` in front (`generated/prod/`, say).
pub fn diff_env(against: Against<'_>, old: &BTreeMap<String, Vec<u8>>, prefix: &str) -> Drift {
    let mut files = Vec::new();
    let bytes = |rel: &str| old.get(rel).map_or(&[][..], Vec::as_slice);
    for (rel, text, committed) in against.differing() {
        let path = &format!("{prefix}{rel}");
        if committed {
            files.push(changed(path, &String::from_utf8_lossy(bytes(rel)), text));
        } else {
            files.push(FileDrift {
                path: path.clone(),
                status: Status::Missing,
                formatting_only: false,
                resource: resource_of(text),
                changes: Vec::new(),
                diff: unified(path, "", text),
            });
        }
    }
    for rel in against.removed() {
        let path = &format!("{prefix}{rel}");
        let old = String::from_utf8_lossy(bytes(rel));
        files.push(FileDrift {
            path: path.clone(),
            status: Status::Unexpected,
            formatting_only: false,
            resource: resource_of(&old),
            changes: Vec::new(),
            diff: unified(path, &old, ""),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Drift {
        environment: against.name().to_owned(),
        files,
    }
}

fn changed(path: &str, old: &str, new: &str) -> FileDrift {
    let (formatting_only, changes) = match (parse(old), parse(new)) {
        (Some(a), Some(b)) => {
            let mut changes = Vec::new();
            semantic(&a, &b, "", &mut changes);
            (changes.is_empty(), changes)
        }
        // Committed text that is not YAML: a change of everything.
        _ => (
            false,
            vec![FieldChange {
                path: "(whole file)".into(),
                old: Some(Value::String("(not valid YAML)".into())),
                new: Some(Value::String("(rendered YAML)".into())),
            }],
        ),
    };
    FileDrift {
        path: path.to_owned(),
        status: Status::Changed,
        formatting_only,
        resource: resource_of(new).or_else(|| resource_of(old)),
        changes,
        diff: unified(path, old, new),
    }
}

fn parse(text: &str) -> Option<Value> {
    cfggen_yaml::from_str::<Value>(text).ok()
}

/// `Kind namespace/name` of a YAML document, if it is a Kubernetes object.
pub fn resource_of(text: &str) -> Option<String> {
    let v = parse(text)?;
    let kind = v.get("kind")?.as_str()?;
    let meta = v.get("metadata");
    let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str);
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str);
    Some(match (ns, name) {
        (Some(ns), Some(name)) => format!("{kind} {ns}/{name}"),
        (None, Some(name)) => format!("{kind} {name}"),
        _ => kind.to_owned(),
    })
}

/// A unified diff with 3 lines of context; empty when equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A list whose items are all mappings with a distinct string `name` is
/// keyed by name, as Kubernetes merges containers, env, ports, volumes.
fn names_of(items: &[Value]) -> Option<Vec<&str>> {
    let names: Option<Vec<&str>> = items
        .iter()
        .map(|i| i.get("name").and_then(Value::as_str))
        .collect();
    let names = names?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len() && !names.is_empty()).then_some(names)
}

fn push_path(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_owned()
    } else if seg.starts_with('[') {
        format!("{path}{seg}")
    } else {
        format!("{path}.{seg}")
    }
}

/// The change at `path` between two sides that may each lack it: the
/// changes within when both have it, else the side that has it.
fn either(x: Option<&Value>, y: Option<&Value>, path: String, out: &mut Vec<FieldChange>) {
    match (x, y) {
        (Some(x), Some(y)) => semantic(x, y, &path, out),
        (x, y) => out.push(FieldChange {
            path,
            old: x.cloned(),
            new: y.cloned(),
        }),
    }
}

fn semantic(old: &Value, new: &Value, path: &str, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    let here = if path.is_empty() {
        "(document)".to_owned()
    } else {
        path.to_owned()
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                either(a.get(k), b.get(k), push_path(path, k), out);
            }
        }
        (Value::Array(a), Value::Array(b)) => match (names_of(a), names_of(b)) {
            (Some(na), Some(nb)) => {
                let mut names: Vec<&str> = na.iter().chain(nb.iter()).copied().collect();
                names.sort_unstable();
                names.dedup();
                for name in names {
                    let sub = push_path(path, &format!("[{name}]"));
                    let x = na.iter().position(|n| *n == name).and_then(|i| a.get(i));
                    let y = nb.iter().position(|n| *n == name).and_then(|i| b.get(i));
                    either(x, y, sub, out);
                }
                // A reorder of the items both sides have is a change of its
                // own, whatever else changed in the list or the document.
                let kept_a: Vec<&str> = na.iter().copied().filter(|n| nb.contains(n)).collect();
                let kept_b: Vec<&str> = nb.iter().copied().filter(|n| na.contains(n)).collect();
                if kept_a != kept_b {
                    out.push(FieldChange {
                        path: format!("{here} (order)"),
                        old: Some(Value::from(kept_a)),
                        new: Some(Value::from(kept_b)),
                    });
                }
            }
            _ => {
                for i in 0..a.len().max(b.len()) {
                    either(a.get(i), b.get(i), push_path(path, &format!("[{i}]")), out);
                }
            }
        },
        _ => out.push(FieldChange {
            path: here,
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

/// The semantic changes between two YAML documents (committed → rendered);
/// `None` when either is not YAML.
pub fn semantic_diff(old: &str, new: &str) -> Option<Vec<FieldChange>> {
    let (a, b) = (parse(old)?, parse(new)?);
    let mut out = Vec::new();
    semantic(&a, &b, "", &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a-server\n  namespace: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: r/a:v1\n        env:\n        - name: X\n          value: '1'\n      - name: side\n        image: r/s:v1\n";

    use cfggen_tree::{Digest, File, RenderedEnv};

    fn env(files: &[(&str, &str)]) -> RenderedEnv {
        RenderedEnv {
            name: "dev".into(),
            files: files
                .iter()
                .map(|(p, t)| ((*p).into(), File::Text((*t).into())))
                .collect(),
            ..RenderedEnv::default()
        }
    }

    /// The committed files: their digests and their bytes.
    fn disk(files: &[(&str, &str)]) -> (BTreeMap<String, Digest>, BTreeMap<String, Vec<u8>>) {
        let bytes: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, t)| ((*p).into(), t.as_bytes().to_vec()))
            .collect();
        let digests = bytes
            .iter()
            .map(|(p, b)| (p.clone(), Digest::of(b)))
            .collect();
        (digests, bytes)
    }

    fn diff(rendered: &RenderedEnv, committed: &[(&str, &str)], prefix: &str) -> Drift {
        let (digests, bytes) = disk(committed);
        let against = rendered
            .against(&digests)
            .unwrap_or_else(|| panic!("the text of every file that differs"));
        diff_env(against, &bytes, prefix)
    }

    #[test]
    fn files_held_as_the_committed_digest_are_not_read() {
        let mut rendered = env(&[("a/changed.yaml", DEPLOY), ("a/new.yaml", DEPLOY)]);
        rendered.files.insert(
            "a/same.yaml".into(),
            File::Digest(Digest::of(DEPLOY.as_bytes())),
        );
        let (mut digests, mut bytes) =
            disk(&[("a/changed.yaml", "other"), ("a/gone.yaml", DEPLOY)]);
        digests.insert("a/same.yaml".into(), Digest::of(DEPLOY.as_bytes()));
        // The bytes of a file the rendering holds as its digest are not
        // needed: it is the committed file.
        bytes.remove("a/same.yaml");
        let against = rendered
            .against(&digests)
            .unwrap_or_else(|| panic!("complete"));
        let d = diff_env(against, &bytes, "g/");
        let found: Vec<(&str, Status)> = d
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.status))
            .collect();
        assert_eq!(
            found,
            [
                ("g/a/changed.yaml", Status::Changed),
                ("g/a/gone.yaml", Status::Unexpected),
                ("g/a/new.yaml", Status::Missing)
            ]
        );
        // A rendering without the text of a file that differs cannot be
        // compared: there is no comparison that could not show it.
        rendered.files.insert(
            "a/changed.yaml".into(),
            File::Digest(Digest::of(DEPLOY.as_bytes())),
        );
        assert!(rendered.against(&digests).is_none());
    }

    #[test]
    fn equal_trees_do_not_drift() {
        let d = diff(&env(&[("a/x.yaml", DEPLOY)]), &[("a/x.yaml", DEPLOY)], "");
        assert!(d.is_clean());
    }

    #[test]
    fn a_reorder_is_reported_beside_an_earlier_change() {
        // One scalar change (the namespace) before the list, and the two
        // containers swapped: both are drift.
        let swapped = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a-server\n  namespace: b\nspec:\n  template:\n    spec:\n      containers:\n      - name: side\n        image: r/s:v1\n      - name: server\n        image: r/a:v1\n        env:\n        - name: X\n          value: '1'\n";
        let changes = semantic_diff(DEPLOY, swapped).unwrap();
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "metadata.namespace",
                "spec.template.spec.containers (order)"
            ]
        );
        assert_eq!(changes[1].new, Some(serde_json::json!(["side", "server"])));
    }

    #[test]
    fn an_added_item_alone_is_no_reorder() {
        let added = DEPLOY.replace(
            "      - name: side\n",
            "      - name: extra\n        image: r/e:v1\n      - name: side\n",
        );
        let changes = semantic_diff(DEPLOY, &added).unwrap();
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["spec.template.spec.containers[extra]"]);
    }

    #[test]
    fn list_items_are_keyed_by_name() {
        let new = DEPLOY
            .replace("r/a:v1", "r/a:v2")
            .replace("value: '1'", "value: '2'");
        let d = diff(&env(&[("a/x.yaml", &new)]), &[("a/x.yaml", DEPLOY)], "");
        let f = &d.files[0];
        assert_eq!(f.status, Status::Changed);
        assert!(!f.formatting_only);
        assert_eq!(f.resource.as_deref(), Some("Deployment a/a-server"));
        let paths: Vec<&str> = f.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "spec.template.spec.containers[server].env[X].value",
                "spec.template.spec.containers[server].image"
            ]
        );
        assert_eq!(
            f.changes[1].summary(),
            "spec.template.spec.containers[server].image: \"r/a:v1\" → \"r/a:v2\""
        );
        assert!(f
            .diff
            .contains("-        image: r/a:v1\n+        image: r/a:v2"));
    }

    #[test]
    fn reformatted_equal_yaml_is_formatting_only() {
        let reformatted = "kind: Deployment\napiVersion: \"apps/v1\"\nmetadata: {name: a-server, namespace: a}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: server, image: r/a:v1, env: [{name: X, value: \"1\"}]}\n        - name: side\n          image: r/s:v1\n";
        let d = diff(
            &env(&[("a/x.yaml", DEPLOY)]),
            &[("a/x.yaml", reformatted)],
            "",
        );
        assert_eq!(d.files.len(), 1);
        assert!(d.files[0].formatting_only, "{:?}", d.files[0].changes);
    }

    #[test]
    fn missing_and_unexpected() {
        let d = diff(&env(&[("a/x.yaml", DEPLOY)]), &[("a/y.yaml", DEPLOY)], "");
        let st: Vec<(&str, Status)> = d
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.status))
            .collect();
        assert_eq!(
            st,
            vec![
                ("a/x.yaml", Status::Missing),
                ("a/y.yaml", Status::Unexpected)
            ]
        );
        assert_eq!(d.counts(), (0, 1, 1));
    }

    #[test]
    fn added_and_removed_fields_and_items() {
        let a = "kind: K\nspec: {a: 1, l: [1, 2]}\n";
        let b = "kind: K\nspec: {b: 2, l: [1]}\n";
        let ch = semantic_diff(a, b).unwrap();
        assert_eq!(
            ch,
            vec![
                FieldChange {
                    path: "spec.a".into(),
                    old: Some(1.into()),
                    new: None
                },
                FieldChange {
                    path: "spec.b".into(),
                    old: None,
                    new: Some(2.into())
                },
                FieldChange {
                    path: "spec.l[1]".into(),
                    old: Some(2.into()),
                    new: None
                },
            ]
        );
        assert_eq!(semantic_diff("a: [", "a: 1"), None);
    }
}
