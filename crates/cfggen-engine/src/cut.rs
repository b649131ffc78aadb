//! An environment file cut down to some of its apps: every byte outside
//! the apps left out stays as it was, so the cut file reads as the whole
//! one does, but for those apps.

use std::collections::BTreeSet;

use cfggen_yaml::{Entry, FileId, Limits, Node, Value};

/// Why a file cannot be cut down to some of its apps.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotCut(pub(crate) String);

/// The byte offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// Where the entries of a file start: the line of each top-level key,
/// and, in the block mapping `apps`, the line of each app's key.
struct Shape<'t> {
    /// Each top-level key and the start of its line.
    top: Vec<(&'t str, usize)>,
    /// Which of them is `apps`.
    apps_at: usize,
    /// Each app and the start of its key's line.
    apps: Vec<(&'t str, usize)>,
}

impl Shape<'_> {
    /// `text` without the apps `keep` refuses (`apps: {}` when it keeps
    /// none): an entry goes with the lines from its key to the next
    /// entry's key, or to the next top-level key.
    fn cut(&self, text: &str, keep: &impl Fn(&str) -> bool) -> Option<String> {
        let region_end = self
            .top
            .get(self.apps_at + 1)
            .map_or(text.len(), |(_, at)| *at);
        if self.apps.iter().all(|(name, _)| !keep(name)) {
            let start = self.top.get(self.apps_at)?.1;
            return Some(format!(
                "{}apps: {{}}\n{}",
                text.get(..start)?,
                text.get(region_end..)?
            ));
        }
        let mut out_ranges: Vec<(usize, usize)> = Vec::new();
        {
            for (i, (name, at)) in self.apps.iter().enumerate() {
                if !keep(name) {
                    let end = self.apps.get(i + 1).map_or(region_end, |(_, next)| *next);
                    out_ranges.push((*at, end));
                }
            }
        }
        let mut out = String::new();
        let mut from = 0;
        for (start, end) in out_ranges {
            out.push_str(text.get(from..start)?);
            from = end.max(start);
        }
        out.push_str(text.get(from..)?);
        Some(out)
    }
}

/// `text`, whose parsed tree is `root`, without the entries of its
/// top-level `apps` mapping that `keep` refuses (`apps: {}` when it keeps
/// none, so that a base of apps alone is still a mapping). An entry goes with the lines from its key to
/// the next entry's key (its comments go with the entry above).
///
/// The result is parsed again and must hold exactly the data of `root`
/// but the apps left out, keys in the same order; anything else — a
/// flow-style `apps`, an alias of an anchor in an app left out, a `root`
/// that is not `text`'s tree — is an error, never a wrong file.
pub(crate) fn only_apps(
    text: &str,
    root: &Node,
    keep: impl Fn(&str) -> bool,
) -> Result<String, NotCut> {
    let cut = |why: &str| NotCut(why.to_owned());
    let top = root
        .as_map()
        .ok_or_else(|| cut("the file is not a mapping"))?;
    let Some(apps_at) = top.iter().position(|e| e.key.text == "apps") else {
        return Ok(text.to_owned());
    };
    let apps = &top[apps_at];
    let entries: &[Entry] = match &apps.value.value {
        Value::Map(entries)
            if !entries.is_empty()
                && !text
                    .get(apps.value.loc.start..)
                    .is_some_and(|rest| rest.starts_with('{')) =>
        {
            entries
        }
        Value::Map(entries) if entries.is_empty() => return Ok(text.to_owned()),
        Value::Null => return Ok(text.to_owned()),
        _ => return Err(cut("`apps` is not a block mapping")),
    };
    let line_of = |e: &Entry| line_start(text, e.key.loc.start);
    let shape = Shape {
        top: top
            .iter()
            .map(|e| (e.key.text.as_str(), line_of(e)))
            .collect(),
        apps_at,
        apps: entries
            .iter()
            .map(|e| (e.key.text.as_str(), line_of(e)))
            .collect(),
    };
    let out = shape
        .cut(text, &keep)
        .ok_or_else(|| cut("the tree is not the text's"))?;
    let again =
        cfggen_yaml::parse(FileId(0), &out, &Limits::default()).map_err(|e| NotCut(e.message))?;
    if !same_but_apps(root, &again, &keep) {
        return Err(cut("the file cut down does not read as the apps kept"));
    }
    Ok(out)
}

/// [`only_apps`] without the file's tree, from its lines alone, for a
/// large base whose tree costs more than the cut: `None` unless the lines
/// show the shape plainly, and the caller cuts through the tree.
///
/// The file must have no anchor (no `&` anywhere, so no alias either), no
/// tab and no carriage return, and no value that runs onto another line
/// but a block scalar (which is indented past its key): no line opens a
/// quoted scalar it does not close (each line holds an even number of
/// `"` and of `'`, and no `\"`) or a flow collection it does not close
/// (as many `{` as `}`, `[` as `]`). Its top-level keys are the lines at
/// column 0 that are not comments, each a plain `key:`, the first before
/// any indented line; `apps:` ends its line, and every line of its region
/// at the indentation of its first entry is an app's plain `name:` (a
/// line indented less, but not at column 0, is refused). In such a file
/// each entry's data is the data of its lines alone, so keeping lines
/// whole keeps the data of what is kept; the result is parsed again and
/// must hold the same top-level keys and the apps kept, in order.
/// Refusing a plain file costs only the tree.
pub(crate) fn only_apps_by_lines(text: &str, keep: impl Fn(&str) -> bool) -> Option<String> {
    if text.contains(['&', '\t', '\r']) || text.contains("\\\"") {
        return None;
    }
    let single_line = |line: &str| {
        let count = |c: char| line.matches(c).count();
        count('"') % 2 == 0
            && count('\'') % 2 == 0
            && count('{') == count('}')
            && count('[') == count(']')
    };
    let plain_key = |line: &str| -> Option<usize> {
        let colon = line.find(':')?;
        let key = &line[..colon];
        let rest = &line[colon + 1..];
        let plain = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        (plain && (rest.is_empty() || rest.starts_with(' '))).then_some(colon)
    };
    let mut top: Vec<(&str, usize)> = Vec::new();
    let mut apps: Vec<(&str, usize)> = Vec::new();
    let mut apps_at = None;
    let mut indent = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_end_matches('\n');
        if !single_line(body) {
            return None;
        }
        let trimmed = body.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let column = body.len() - trimmed.len();
        if column > 0 && top.is_empty() {
            return None;
        }
        if column == 0 {
            let colon = plain_key(body)?;
            let key = &body[..colon];
            if key == "apps" {
                let rest = body[colon + 1..].trim_start_matches(' ');
                if !(rest.is_empty() || rest.starts_with('#')) {
                    return None;
                }
                apps_at = Some(top.len());
            }
            top.push((key, at));
            continue;
        }
        if apps_at != Some(top.len().wrapping_sub(1)) {
            continue;
        }
        let n = *indent.get_or_insert(column);
        if column < n {
            return None;
        }
        if column == n {
            let colon = plain_key(trimmed)?;
            apps.push((&trimmed[..colon], at));
        }
    }
    if top.is_empty() {
        // Not a mapping (empty, or comments alone).
        return None;
    }
    let Some(apps_at) = apps_at else {
        return Some(text.to_owned());
    };
    if apps.is_empty() {
        return None;
    }
    let shape = Shape { top, apps_at, apps };
    let out = shape.cut(text, &keep)?;
    let again = cfggen_yaml::parse(FileId(0), &out, &Limits::default()).ok()?;
    let kept: Vec<&str> = shape
        .apps
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| keep(n))
        .collect();
    let top_kept: Vec<&str> = shape.top.iter().map(|(k, _)| *k).collect();
    let again_top: Vec<&str> = again
        .as_map()?
        .iter()
        .map(|e| e.key.text.as_str())
        .collect();
    let again_apps: Vec<&str> = again
        .get("apps")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.text.as_str())
        .collect();
    (again_top == top_kept && again_apps == kept).then_some(out)
}

/// The apps whose entries hold other data in `new` than in `old` (two
/// trees of one environment file), when nothing else differs: the same
/// top-level keys in the same order, each but `apps` with the same data,
/// and the same apps in the same order. `None` when anything else does.
pub(crate) fn changed_apps(old: &Node, new: &Node) -> Option<BTreeSet<String>> {
    let (before, after) = (old.as_map()?, new.as_map()?);
    if before.len() != after.len() {
        return None;
    }
    let mut changed = BTreeSet::new();
    for (b, a) in before.iter().zip(after) {
        if b.key.text != a.key.text {
            return None;
        }
        if b.value.same_data(&a.value) {
            continue;
        }
        if b.key.text != "apps" {
            return None;
        }
        let (b_apps, a_apps) = (b.value.as_map()?, a.value.as_map()?);
        if b_apps.len() != a_apps.len() {
            return None;
        }
        for (x, y) in b_apps.iter().zip(a_apps) {
            if x.key.text != y.key.text {
                return None;
            }
            if !x.value.same_data(&y.value) {
                changed.insert(x.key.text.clone());
            }
        }
    }
    Some(changed)
}

/// Whether `cut` holds the data of `root` but the apps `keep` refuses.
fn same_but_apps(root: &Node, cut: &Node, keep: &impl Fn(&str) -> bool) -> bool {
    let (Some(whole), Some(part)) = (root.as_map(), cut.as_map()) else {
        return false;
    };
    let mut part = part.iter();
    for entry in whole {
        if entry.key.text == "apps" {
            let kept: Vec<&Entry> = entry
                .value
                .as_map()
                .unwrap_or_default()
                .iter()
                .filter(|e| keep(&e.key.text))
                .collect();
            let Some(apps) = part.next().filter(|p| p.key.text == "apps") else {
                return false;
            };
            let Some(cut_apps) = apps.value.as_map() else {
                return kept.is_empty() && entry.value.same_data(&apps.value);
            };
            if cut_apps.len() != kept.len()
                || !kept
                    .iter()
                    .zip(cut_apps)
                    .all(|(a, b)| a.key.text == b.key.text && a.value.same_data(&b.value))
            {
                return false;
            }
            continue;
        }
        match part.next() {
            Some(p) if p.key.text == entry.key.text && p.value.same_data(&entry.value) => {}
            _ => return false,
        }
    }
    part.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        cfggen_yaml::parse(FileId(0), text, &Limits::default())
            .unwrap_or_else(|e| panic!("test input must parse: {e}"))
    }

    fn only(text: &str, keep: &[&str]) -> Result<String, NotCut> {
        only_apps(text, &tree(text), |name| keep.contains(&name))
    }

    const FILE: &str = "\
name: prod
# The apps.
apps:
  a:
    image: a:1
  # b's comment
  b:
    image: b:1
    env:
      X: '1'

  c:
    image: c:1
# After the apps.
onepassword:
  vault: prod
";

    #[test]
    fn the_apps_left_out_go_with_their_lines_and_everything_else_stays() {
        assert_eq!(
            only(FILE, &["b"]).as_deref(),
            Ok("name: prod\n# The apps.\napps:\n  b:\n    image: b:1\n    env:\n      X: '1'\n\nonepassword:\n  vault: prod\n")
        );
        assert_eq!(
            only(FILE, &["a", "c"]).as_deref(),
            Ok("name: prod\n# The apps.\napps:\n  a:\n    image: a:1\n  # b's comment\n  c:\n    image: c:1\n# After the apps.\nonepassword:\n  vault: prod\n")
        );
        assert_eq!(only(FILE, &["a", "b", "c"]).as_deref(), Ok(FILE));
        assert_eq!(
            only(FILE, &[]).as_deref(),
            Ok("name: prod\n# The apps.\napps: {}\nonepassword:\n  vault: prod\n")
        );
        let apps_alone = "# A base of apps alone.\napps:\n  a:\n    image: a:1\n";
        assert_eq!(
            only(apps_alone, &["b"]).as_deref(),
            Ok("# A base of apps alone.\napps: {}\n")
        );
        let last = "name: prod\napps:\n  a:\n    image: a:1\n  b:\n    image: b:1\n";
        assert_eq!(
            only(last, &["a"]).as_deref(),
            Ok("name: prod\napps:\n  a:\n    image: a:1\n")
        );
        assert_eq!(only("name: prod\n", &["a"]).as_deref(), Ok("name: prod\n"));
        assert_eq!(
            only("apps:\nname: x\n", &["a"]).as_deref(),
            Ok("apps:\nname: x\n")
        );
    }

    #[test]
    fn the_apps_changed_are_named_when_nothing_else_changed() {
        let changed = |new: &str| changed_apps(&tree(FILE), &tree(new));
        let names = |list: &[&str]| Some(list.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(changed(FILE), names(&[]));
        let commented = FILE.replace("  a:\n", "  # a comment\n  a: # here\n");
        assert_eq!(changed(&commented), names(&[]));
        assert_eq!(changed(&FILE.replace("b:1", "b:2")), names(&["b"]));
        assert_eq!(
            changed(&FILE.replace("b:1", "b:2").replace("c:1", "c:2")),
            names(&["b", "c"])
        );
        assert_eq!(changed(&FILE.replace("X: '1'", "X: '2'")), names(&["b"]));
        // Anything outside the apps, an app added, removed, renamed or
        // moved: not a change of some apps.
        for other in [
            FILE.replace("vault: prod", "vault: other"),
            FILE.replace("name: prod", "name: other"),
            FILE.replace("  c:\n    image: c:1\n", ""),
            FILE.replace("  c:\n", "  d:\n"),
            FILE.replace("  c:\n    image: c:1\n", "  c:\n    image: c:1\n  d:\n    image: d:1\n"),
            "name: prod\napps:\n  b:\n    image: b:1\n    env:\n      X: '1'\n  a:\n    image: a:1\n  c:\n    image: c:1\nonepassword:\n  vault: prod\n".to_owned(),
            FILE.replace("name: prod\n", "") + "name: prod\n",
        ] {
            assert_eq!(changed(&other), None, "{other}");
        }
    }

    /// An app's entry as written: its lines, at an indent of two.
    fn app_entry() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let value = prop_oneof![
            (0i64..1000).prop_map(|i| format!(" {i}\n")),
            "[a-z][a-z0-9.:/-]{0,12}".prop_map(|s| format!(" {s}\n")),
            "[a-z ]{0,12}".prop_map(|s| format!(" '{s}'\n")),
            proptest::collection::vec("[a-z][a-z ]{0,9}", 1..4).prop_map(|lines| format!(
                " |\n{}",
                lines
                    .iter()
                    .map(|l| format!("      {l}\n"))
                    .collect::<String>()
            )),
            proptest::collection::vec("[a-z]{1,6}", 1..4).prop_map(|items| format!(
                "\n{}",
                items
                    .iter()
                    .map(|i| format!("      - {i}\n"))
                    .collect::<String>()
            )),
            Just(" {x: 1, y: [a, b]}\n".to_owned()),
        ];
        (
            proptest::collection::vec(("[a-z]{1,8}", value), 0..5),
            proptest::option::of("[a-z ]{0,20}"),
            any::<bool>(),
        )
            .prop_map(|(fields, comment, blank)| {
                let mut seen = BTreeSet::new();
                let mut body = String::new();
                for (key, value) in fields {
                    if seen.insert(key.clone()) {
                        body.push_str(&format!("    {key}:{value}"));
                    }
                }
                if let Some(c) = comment {
                    body.push_str(&format!("  # {c}\n"));
                }
                if blank {
                    body.push('\n');
                }
                body
            })
    }

    proptest::proptest! {
        #[test]
        fn any_block_file_cut_down_reads_as_the_apps_kept(
            apps in proptest::collection::btree_map("[a-z][a-z0-9-]{0,6}", app_entry(), 1..8),
            keep in proptest::collection::vec(proptest::bool::ANY, 8),
            tail in proptest::bool::ANY,
            changed in 0usize..8,
        ) {
            let mut text = String::from("# head\nname: t\napps:\n");
            for (name, body) in &apps {
                let value = if body.is_empty() { " {}\n".to_owned() } else { format!("\n{body}") };
                text.push_str(&format!("  {name}:{value}"));
            }
            if tail {
                text.push_str("# the tail\ntail: {a: 1}\n");
            }
            let parsed = cfggen_yaml::parse(FileId(0), &text, &Limits::default());
            proptest::prop_assume!(parsed.is_ok());
            let root = parsed.unwrap_or_else(|e| panic!("{e}"));
            let names: Vec<&String> = apps.keys().collect();
            let kept = |n: &str| names.iter().position(|a| *a == n).is_some_and(|i| keep[i]);
            let cut = only_apps(&text, &root, kept);
            proptest::prop_assert!(cut.is_ok(), "{text}\n{cut:?}");
            let cut = cut.unwrap_or_default();
            // From the lines alone (no anchor here): the same file.
            let by_lines = only_apps_by_lines(&text, kept);
            proptest::prop_assert_eq!(by_lines.as_deref(), Some(cut.as_str()), "{}", text);
            proptest::prop_assert!(same_but_apps(&root, &tree(&cut), &kept), "{text}\n→\n{cut}");
            // One app's entry changed: that app, and only it, changed.
            if let Some(name) = names.get(changed % names.len()) {
                let marked = text.replacen(&format!("\n  {name}:"), &format!("\n  {name}:\n    zz: 1\n    zzz:"), 1);
                if let Ok(after) = cfggen_yaml::parse(FileId(0), &marked, &Limits::default()) {
                    let expected: BTreeSet<String> = [(*name).clone()].into();
                    proptest::prop_assert_eq!(changed_apps(&root, &after), Some(expected));
                }
            }
        }
    }

    #[test]
    fn the_lines_alone_cut_a_plain_file_as_the_tree_does_and_refuse_the_rest() {
        // An apostrophe in a comment could be a quote left open: refused.
        assert_eq!(only_apps_by_lines(FILE, |n| n == "b"), None);
        let plain = FILE.replace("b's comment", "the comment of b");
        for keep in [&["b"][..], &["a", "c"], &[], &["a", "b", "c"]] {
            let by_tree = only(&plain, keep).ok();
            let by_lines = only_apps_by_lines(&plain, |n| keep.contains(&n));
            assert!(by_lines.is_some());
            assert_eq!(by_lines, by_tree, "{keep:?}");
        }
        assert_eq!(
            only_apps_by_lines("name: x\n", |_| true).as_deref(),
            Some("name: x\n")
        );
        for text in [
            // An anchor (an alias in a kept app could name it).
            "x: &img {image: a:1}\napps:\n  a: *img\n  b:\n    image: b:1\n",
            // A tab, a flow mapping, a quoted or odd key.
            "apps:\n  a:\n\timage: a:1\n",
            "apps: {a: {image: a:1}}\n",
            "apps:\n  'a':\n    image: a:1\n",
            "apps:\n  a b:\n    image: a:1\n",
            "\"name\": x\napps:\n  a:\n    image: a:1\n",
            // A line indented less than the first app.
            "apps:\n    a:\n      image: a:1\n  b:\n    image: b:1\n",
            // A document marker, a list at the top.
            "apps:\n  a:\n    image: a:1\n---\nname: x\n",
            "- a\n",
            // Nothing under `apps:`; nothing at all.
            "apps:\nname: x\n",
            "",
            "# a comment alone\n",
            // A carriage return alone breaks a line the scan would not see.
            "apps:\n  a:\n    image: x\r  b:\n    image: y\n",
            "apps:\n  a: {}\rpostgres:\n  p: {}\n",
            // Quoted text or a flow collection running onto lines that look
            // like apps.
            "apps:\n  a: {annotations: {n: \"x\n  b:\n    replicas: 0\n    m: y\"}}\n  c:\n    image: i\n",
            "apps:\n  a:\n    n: 'x\n  b:\n    m: y'\n",
            "apps:\n  a:\n    n: \"x\\\"\n  b:\n    m: y\"\n",
            "apps:\n  a: {x: 1,\n  b: 2}\n",
            // An indented top-level mapping.
            "  name: x\n  apps:\n    a:\n      image: a:1\n",
        ] {
            assert_eq!(only_apps_by_lines(text, |n| n == "a"), None, "{text}");
        }
    }

    #[test]
    fn what_cannot_be_cut_line_by_line_is_an_error() {
        // An anchor outside the apps left out is still there.
        let aliased = "x: &img {image: a:1}\napps:\n  a: *img\n  b:\n    image: b:1\n";
        assert_eq!(
            only(aliased, &["a"]).as_deref(),
            Ok("x: &img {image: a:1}\napps:\n  a: *img\n")
        );
        assert!(only("apps: [a]\n", &["a"]).is_err());
        assert!(only("apps: {a: {image: a:1}, b: {image: b:1}}\n", &["b"]).is_err());
        let anchored = "apps:\n  a: &img\n    image: a:1\n  b: *img\n";
        assert!(only(anchored, &["b"]).is_err(), "the anchor goes with a");
        // A tree that is not the text's.
        let other = tree("name: dev\napps:\n  b:\n    image: b:1\n");
        assert!(only_apps(FILE, &other, |n| n == "b").is_err());
    }
}
