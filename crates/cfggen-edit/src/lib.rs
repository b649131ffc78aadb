//! In-place edits of environment files: change one value, or add one
//! override, and keep every other byte — comments, key order, quoting,
//! blank lines. Works on the text and the positions `cfggen-yaml` keeps;
//! never a YAML round trip.
//!
//! [`replace_scalar`] and [`set_path`] are pure (text in, text out).
//! [`apply_checked`] writes edits through a [`Source`], checks the result
//! (the caller re-validates every environment) and puts every file back
//! when the check fails; an I/O error at any step surfaces, and no file is
//! ever left empty or cut short.

mod apps;
mod transaction;

pub use apps::{
    add_apps, add_argocd_projects, add_namespaces, add_persistent_volumes, add_postgres,
    add_secret_stores, add_storage_classes, AppsError,
};
pub use transaction::{apply_checked, ApplyError, FileEdit};

use cfggen_yaml::{FileId, Limits, Seg, Value};

/// Why an edit cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    /// The file does not parse.
    #[error("the file is not valid YAML: {0}")]
    Parse(String),
    /// The place to insert is written in flow style (`{…}`) or is not a mapping.
    #[error("`{0}` is not a block mapping, so cfggen cannot add a key to it without reformatting; edit it by hand")]
    NotBlock(String),
    /// The span to replace is not in the text (the file changed since it
    /// was read, say).
    #[error("bytes {start}..{end} are not a value of the file ({len} bytes); it may have changed since it was read")]
    Span {
        /// Start of the span.
        start: usize,
        /// End of the span.
        end: usize,
        /// Length of the text.
        len: usize,
    },
}

/// Replaces the scalar at `start..end` of `text` with `value`, keeping its
/// quotes if it had any. A span outside the text (or not on character
/// boundaries) is an error, never a truncated file.
pub fn replace_scalar(
    text: &str,
    start: usize,
    end: usize,
    value: &str,
) -> Result<String, EditError> {
    let span = EditError::Span {
        start,
        end,
        len: text.len(),
    };
    let (Some(before), Some(old)) = (text.get(..start), text.get(start..end)) else {
        return Err(span);
    };
    if old.is_empty() {
        return Err(span);
    }
    let (quoted, end) = match old.chars().next() {
        Some(q @ ('"' | '\'')) => (format!("{q}{value}{q}"), start + quoted_len(old, q)),
        _ => (value.to_owned(), start + old.trim_end().len()),
    };
    let after = text.get(end..).ok_or(span)?;
    let mut out = String::with_capacity(text.len() + quoted.len());
    out.push_str(before);
    out.push_str(&quoted);
    out.push_str(after);
    Ok(out)
}

/// The length of the quoted scalar at the start of `s` (quotes included):
/// the parser's span may run on past the closing quote.
fn quoted_len(s: &str, quote: char) -> usize {
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().map(|(_, n)| *n) == Some('\'') {
                    chars.next();
                    continue;
                }
                return i + c.len_utf8();
            }
            _ => {}
        }
    }
    s.len()
}

/// The text of a scalar as written, without its quotes (and without
/// whatever the parser's span ran on into).
pub fn unquote(raw: &str) -> &str {
    match raw.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let len = quoted_len(raw, q);
            raw.get(1..len.saturating_sub(1)).unwrap_or_default()
        }
        _ => raw.trim_end(),
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Sets `path` (keys) to the plain scalar `value` in `text`, adding the
/// missing mappings. An existing scalar is replaced in place; new keys are
/// inserted as the first entry of the deepest existing block mapping, at
/// its indentation.
pub fn set_path(text: &str, path: &[&str], value: &str) -> Result<String, EditError> {
    let root = cfggen_yaml::parse(FileId(0), text, &Limits::default())
        .map_err(|e| EditError::Parse(e.message.clone()))?;
    let segs: Vec<Seg> = path.iter().map(|k| Seg::Key((*k).to_owned())).collect();
    if let Some(node) = root.lookup(&segs) {
        if !matches!(node.value, Value::Map(_) | Value::Seq(_)) {
            return replace_scalar(text, node.loc.start, node.loc.end, value);
        }
    }
    let (node, _, depth) = root.lookup_prefix(&segs);
    let missing = &path[depth..];
    // The lines to add, relative to the indentation of the mapping they go in.
    let block = |indent: usize| {
        let mut lines = String::new();
        for (i, key) in missing.iter().enumerate() {
            let pad = " ".repeat(indent + 2 * i);
            if i + 1 == missing.len() {
                lines.push_str(&format!("{pad}{key}: {value}\n"));
            } else {
                lines.push_str(&format!("{pad}{key}:\n"));
            }
        }
        lines
    };
    match (&node.value, depth) {
        (Value::Map(entries), _) if !entries.is_empty() => {
            let first = &entries[0];
            let start = first.key.loc.start;
            let flow = text.get(..start).and_then(|t| t.trim_end().chars().last()) == Some('{');
            if flow {
                return Err(EditError::NotBlock(path[..depth].join(".")));
            }
            let indent = column(text, start);
            let at = line_start(text, start);
            let mut out = String::with_capacity(text.len() + 64);
            let (head, tail) = text.split_at(at);
            out.push_str(head);
            out.push_str(&block(indent));
            out.push_str(tail);
            Ok(out)
        }
        (Value::Null, 0) => {
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&block(0));
            Ok(out)
        }
        _ => Err(EditError::NotBlock(if depth == 0 {
            "(top level)".to_owned()
        } else {
            path[..depth].join(".")
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_keeping_quotes_and_comments() {
        let text = "a:\n  image: \"r/x:v1\" # pinned\n  b: 1\n";
        let out = set_path(text, &["a", "image"], "r/x:v2").unwrap();
        assert_eq!(out, "a:\n  image: \"r/x:v2\" # pinned\n  b: 1\n");
    }

    #[test]
    fn inserts_an_override_at_the_mapping_indentation() {
        let text = "# top\napps:\n    web:\n        replicas: 2   # keep\n";
        let out = set_path(text, &["apps", "web", "image"], "r/x:v2").unwrap();
        assert_eq!(
            out,
            "# top\napps:\n    web:\n        image: r/x:v2\n        replicas: 2   # keep\n"
        );
        let out = set_path(text, &["apps", "api", "image"], "r/y:v1").unwrap();
        assert_eq!(
            out,
            "# top\napps:\n    api:\n      image: r/y:v1\n    web:\n        replicas: 2   # keep\n"
        );
        let out = set_path("name: x\n", &["apps", "web", "image"], "r:1").unwrap();
        assert_eq!(out, "apps:\n  web:\n    image: r:1\nname: x\n");
    }

    #[test]
    fn an_out_of_range_span_is_an_error_not_a_truncation() {
        let text = "a:\n  image: r/x:v1\n";
        assert!(matches!(
            replace_scalar(text, 10, 400, "r/x:v2"),
            Err(EditError::Span { .. })
        ));
        assert!(matches!(
            replace_scalar(text, 400, 410, "r/x:v2"),
            Err(EditError::Span { .. })
        ));
        assert!(matches!(
            replace_scalar(text, 12, 12, "r/x:v2"),
            Err(EditError::Span { .. })
        ));
        assert_eq!(
            replace_scalar(text, 12, 18, "r/x:v2").unwrap(),
            "a:\n  image: r/x:v2\n"
        );
    }

    #[test]
    fn refuses_flow_mappings() {
        let text = "apps:\n  web: {replicas: 2}\n";
        assert!(matches!(
            set_path(text, &["apps", "web", "image"], "x"),
            Err(EditError::NotBlock(_))
        ));
    }
}
