//! Adding apps to an environment file in place: every byte outside the
//! apps added (or replaced) stays as it was.

use cfggen_yaml::{FileId, Limits, Node, Value};

use crate::EditError;

/// Why apps cannot be added.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppsError {
    /// The file cannot be edited.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// An entry of that name is already there: what it is (`an app`, `a
    /// postgres cluster`) and its name.
    #[error("the environment already has {0} `{1}`")]
    Exists(&'static str, String),
}

/// The byte offset just past the line holding `offset`.
fn line_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| offset + i + 1)
}

/// The start of the comment lines right above the line starting at
/// `at` (a comment belongs to what it is above), or `at`.
fn above_comments(text: &str, mut at: usize) -> usize {
    while at > 0 {
        let start = line_start(text, at - 1);
        if !text[start..at].trim_start().starts_with('#') {
            break;
        }
        at = start;
    }
    at
}

/// The byte offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// `text` with each `(name, block)` added under `apps:`. A block is the
/// app's entry written at an indent of two spaces (`  <name>:\n    …`);
/// it is re-indented to the file's. An app of the same name is an error,
/// or, with `replace`, its entry is replaced where it stands.
pub fn add_apps(text: &str, apps: &[(String, String)], replace: bool) -> Result<String, AppsError> {
    add_entries(text, "apps", "an app", apps, replace)
}

/// `text` with each `(name, block)` added under `postgres:`, as
/// [`add_apps`] adds apps.
pub fn add_postgres(
    text: &str,
    clusters: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    add_entries(text, "postgres", "a postgres cluster", clusters, replace)
}

/// `text` with each `(name, block)` added under `secretStores:`, as
/// [`add_apps`] adds apps.
pub fn add_secret_stores(
    text: &str,
    stores: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    add_entries(text, "secretStores", "a secret store", stores, replace)
}

/// `text` with each `(name, block)` added under `namespaces:`, as
/// [`add_apps`] adds apps.
pub fn add_namespaces(
    text: &str,
    namespaces: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    add_entries(text, "namespaces", "a namespace", namespaces, replace)
}

/// `text` with each `(name, block)` added under `storageClasses:`, as
/// [`add_apps`] adds apps.
pub fn add_storage_classes(
    text: &str,
    classes: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    add_entries(text, "storageClasses", "a StorageClass", classes, replace)
}

/// `text` with each `(name, block)` added under `persistentVolumes:`, as
/// [`add_apps`] adds apps.
pub fn add_persistent_volumes(
    text: &str,
    volumes: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    add_entries(
        text,
        "persistentVolumes",
        "a PersistentVolume",
        volumes,
        replace,
    )
}

/// `text` with each `(name, block)` added under the top-level mapping
/// `key`; `what` names an entry in the error.
fn add_entries(
    text: &str,
    key: &'static str,
    what: &'static str,
    apps: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    if apps.is_empty() {
        return Ok(text.to_owned());
    }
    let root = cfggen_yaml::parse(FileId(0), text, &Limits::default())
        .map_err(|e| EditError::Parse(e.message))?;
    let Some(entry) = root.entry(key) else {
        // Another mapping goes before the apps, as files are written.
        if let Some(first) = root.entry("apps").filter(|_| key != "apps") {
            let at = above_comments(text, line_start(text, first.key.loc.start));
            let mut out = String::with_capacity(text.len() + 256);
            out.push_str(&text[..at]);
            out.push_str(&format!("{key}:\n"));
            for (_, block) in apps {
                out.push_str(block);
            }
            out.push_str(&text[at..]);
            return Ok(out);
        }
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("\n{key}:\n"));
        for (_, block) in apps {
            out.push_str(block);
        }
        return Ok(out);
    };
    add_into(text, entry, what, apps, replace)
}

/// `text` with each `(name, block)` added under the mapping of `entry`
/// (at any depth); a block is written at an indent of two spaces and is
/// re-indented to the mapping's.
fn add_into(
    text: &str,
    entry: &cfggen_yaml::Entry,
    what: &'static str,
    apps: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    let key = entry.key.text.as_str();
    let indent = entry.key.loc.start - line_start(text, entry.key.loc.start);
    let existing: Vec<&cfggen_yaml::Entry> = match &entry.value.value {
        Value::Map(entries) if !entries.is_empty() => {
            if is_flow(text, &entry.value) {
                return Err(EditError::NotBlock(key.into()).into());
            }
            entries.iter().collect()
        }
        Value::Map(_) | Value::Null => {
            // `apps: {}` or `apps:`: the key's line becomes `apps:` and
            // the apps follow it.
            let start = line_start(text, entry.key.loc.start);
            let end = line_end(text, entry.value.loc.end.max(entry.key.loc.end));
            let mut out = String::with_capacity(text.len() + 256);
            out.push_str(&text[..start]);
            out.push_str(&format!("{}{key}:\n", " ".repeat(indent)));
            for (_, block) in apps {
                out.push_str(&reindent(block, indent + 2));
            }
            out.push_str(&text[end..]);
            return Ok(out);
        }
        _ => return Err(EditError::NotBlock(key.into()).into()),
    };
    let column = existing.first().map_or(indent + 2, |e| {
        e.key.loc.start - line_start(text, e.key.loc.start)
    });
    let reindent = |block: &str| -> String { reindent(block, column) };
    // Replaced apps: (start, end) of their lines, and the new block.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut appended = String::new();
    for (name, block) in apps {
        match existing.iter().find(|e| e.key.text == *name) {
            Some(_) if !replace => return Err(AppsError::Exists(what, name.clone())),
            Some(e) => {
                let start = line_start(text, e.key.loc.start);
                let end = line_end(text, last_byte(e));
                edits.push((start, end, reindent(block)));
            }
            None => appended.push_str(&reindent(block)),
        }
    }
    let last = existing
        .last()
        .map_or(entry.key.loc.start, |e| last_byte(e));
    edits.push((line_end(text, last), line_end(text, last), appended));
    edits.sort_by_key(|(s, _, _)| *s);
    let mut out = String::with_capacity(text.len() + 1024);
    let mut at = 0;
    for (start, end, new) in edits {
        out.push_str(&text[at..start]);
        out.push_str(&new);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// A block written at an indent of two spaces, at an indent of `column`.
fn reindent(block: &str, column: usize) -> String {
    if column == 2 {
        return block.to_owned();
    }
    block
        .lines()
        .map(|l| match l.strip_prefix("  ") {
            Some(rest) if !l.trim().is_empty() => format!("{}{rest}\n", " ".repeat(column)),
            _ => format!("{l}\n"),
        })
        .collect()
}

/// `text` with each `(name, block)` added under `argocd.projects`, as
/// [`add_apps`] adds apps; `argocd:` and `projects:` are made where
/// they are not there.
pub fn add_argocd_projects(
    text: &str,
    projects: &[(String, String)],
    replace: bool,
) -> Result<String, AppsError> {
    const WHAT: &str = "an Argo CD project";
    if projects.is_empty() {
        return Ok(text.to_owned());
    }
    let root = cfggen_yaml::parse(FileId(0), text, &Limits::default())
        .map_err(|e| EditError::Parse(e.message))?;
    // The `projects:` entry, its blocks two deeper.
    let whole = || {
        let mut block = "  projects:\n".to_owned();
        for (_, b) in projects {
            block.push_str(&reindent(b, 4));
        }
        vec![("projects".to_owned(), block)]
    };
    match root.entry("argocd") {
        None => add_entries(text, "argocd", WHAT, &whole(), false),
        Some(argocd) => match argocd.value.entry("projects") {
            None => add_into(text, argocd, WHAT, &whole(), false),
            Some(listed) => add_into(text, listed, WHAT, projects, replace),
        },
    }
}

/// The offset of the last byte of an entry (key and value): a node's end
/// is one past its last byte, and a block's may be where the next line
/// starts.
fn last_byte(e: &cfggen_yaml::Entry) -> usize {
    value_end(&e.value).max(e.key.loc.end).saturating_sub(1)
}

/// Where a value ends: the end of its last scalar or key. The end a
/// parser gives a block collection is where the next token starts, which
/// may be on a later line; an empty collection (`{}`) is on its start's
/// line.
fn value_end(node: &Node) -> usize {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => entries
            .iter()
            .map(|e| value_end(&e.value).max(e.key.loc.end))
            .max()
            .unwrap_or(node.loc.start),
        Value::Seq(items) if !items.is_empty() => {
            items.iter().map(value_end).max().unwrap_or(node.loc.start)
        }
        Value::Map(_) | Value::Seq(_) => node.loc.start + 1,
        _ => node.loc.end,
    }
}

/// Whether a collection is written in flow style (`{…}`, `[…]`).
fn is_flow(text: &str, node: &Node) -> bool {
    text.get(node.loc.start..)
        .is_some_and(|rest| rest.starts_with('{') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argocd_projects_are_added_where_argocd_and_projects_are_or_are_not() {
        let block = |name: &str| {
            (
                name.to_owned(),
                format!("  {name}:\n    sourceRepos: ['*']\n"),
            )
        };
        // No `argocd:`: made above the apps.
        let text = "name: dev\napps:\n  a: {}\n";
        let out = add_argocd_projects(text, &[block("infra")], false).unwrap();
        assert_eq!(
            out,
            "name: dev\nargocd:\n  projects:\n    infra:\n      sourceRepos: ['*']\napps:\n  a: {}\n"
        );
        // `argocd:` without `projects:`: added as its last key.
        let text = "argocd:\n  repoURL: https://git.example.com/x.git\napps: {}\n";
        let out = add_argocd_projects(text, &[block("infra")], false).unwrap();
        assert_eq!(
            out,
            "argocd:\n  repoURL: https://git.example.com/x.git\n  projects:\n    infra:\n      sourceRepos: ['*']\napps: {}\n"
        );
        // `projects:` there: another joins it; the same one needs `replace`.
        let more = add_argocd_projects(&out, &[block("apps")], false).unwrap();
        assert!(
            more.contains(
                "    infra:\n      sourceRepos: ['*']\n    apps:\n      sourceRepos: ['*']\n"
            ),
            "{more}"
        );
        assert_eq!(
            add_argocd_projects(&out, &[block("infra")], false),
            Err(AppsError::Exists("an Argo CD project", "infra".into()))
        );
        let replaced = add_argocd_projects(
            &out,
            &[("infra".into(), "  infra:\n    sourceRepos: [a]\n".into())],
            true,
        )
        .unwrap();
        assert!(
            replaced.contains("    infra:\n      sourceRepos: [a]\n"),
            "{replaced}"
        );
    }

    #[test]
    fn a_new_postgres_mapping_goes_above_the_apps_and_their_comment() {
        let text = "name: dev\n# The apps.\napps:\n  a:\n    image: a:1\n";
        let out = add_postgres(
            text,
            &[("pg".into(), "  pg:\n    namespace: db\n".into())],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "name: dev\npostgres:\n  pg:\n    namespace: db\n# The apps.\napps:\n  a:\n    image: a:1\n"
        );
        // Then added to.
        let again = add_postgres(&out, &[("pg".into(), "  pg: {}\n".into())], false);
        assert_eq!(
            again,
            Err(AppsError::Exists("a postgres cluster", "pg".into()))
        );
    }

    fn block(name: &str) -> (String, String) {
        (name.to_owned(), format!("  {name}:\n    image: x:1\n"))
    }

    #[test]
    fn apps_go_after_the_last_one_and_nothing_else_moves() {
        let text = "# head\nname: dev\napps:\n  a:\n    image: a:1 # keep\n# tail\nimages: {}\n";
        let out = add_apps(text, &[block("b")], false).unwrap();
        assert_eq!(
            out,
            "# head\nname: dev\napps:\n  a:\n    image: a:1 # keep\n  b:\n    image: x:1\n# tail\nimages: {}\n"
        );
    }

    #[test]
    fn an_app_ending_in_an_empty_flow_map_is_replaced_whole() {
        let text = "apps:\n  a:\n    accounts:\n      a: {}\n  b:\n    image: b:1\n";
        let out = add_apps(text, &[block("a")], true).unwrap();
        assert_eq!(out, "apps:\n  a:\n    image: x:1\n  b:\n    image: b:1\n");
        let out = add_apps(text, &[block("c")], false).unwrap();
        assert_eq!(out, format!("{text}  c:\n    image: x:1\n"));
    }

    #[test]
    fn no_apps_key_or_an_empty_one() {
        assert_eq!(
            add_apps("name: dev\n", &[block("b")], false).unwrap(),
            "name: dev\n\napps:\n  b:\n    image: x:1\n"
        );
        assert_eq!(
            add_apps("name: dev\napps: {}\nimages: {}\n", &[block("b")], false).unwrap(),
            "name: dev\napps:\n  b:\n    image: x:1\nimages: {}\n"
        );
    }

    #[test]
    fn an_app_of_the_same_name_is_refused_or_replaced_in_place() {
        let text = "apps:\n    a:\n        image: a:1\n    b:\n        image: b:1\n";
        assert_eq!(
            add_apps(text, &[block("a")], false),
            Err(AppsError::Exists("an app", "a".into()))
        );
        let out = add_apps(text, &[block("a")], true).unwrap();
        assert_eq!(
            out,
            "apps:\n    a:\n      image: x:1\n    b:\n        image: b:1\n"
        );
        // Replacing again gives the same text.
        assert_eq!(add_apps(&out, &[block("a")], true).unwrap(), out);
    }
}
