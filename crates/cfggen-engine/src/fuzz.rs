//! What the fuzz targets (`fuzz/fuzz_targets/`) and their regression
//! tests (`tests/cli/fuzz_regressions.rs`) run of the engine: the forms
//! it reads back from the cache and its cuts of environment files. Each
//! takes any bytes, and panics only where a property fails.

use cfggen_yaml::{FileId, Limits, Location, Node, Value};

/// The binary form of a parsed tree (`tree_store.rs`), which the cache
/// gives back: any bytes decode to a tree or to nothing, never a panic or
/// an allocation beyond them, framed behind the form's header or not; and
/// a YAML document's tree decodes to itself.
pub fn tree_form(data: &[u8]) {
    let limits = Limits::default();
    let id = FileId(0);
    let _ = crate::tree_store::decode(data, id, &limits);
    // Behind the header: the encoding of a null, without the null.
    let mut framed = crate::tree_store::encode(&Node {
        value: Value::Null,
        loc: Location {
            file: id,
            start: 0,
            end: 0,
        },
    });
    framed.truncate(framed.len().saturating_sub(3));
    framed.extend_from_slice(data);
    let _ = crate::tree_store::decode(&framed, id, &limits);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(node) = cfggen_yaml::parse(id, text, &limits) {
            let encoded = crate::tree_store::encode(&node);
            let back = crate::tree_store::decode(&encoded, id, &limits);
            assert_eq!(
                back.map(|n| crate::tree_store::encode(&n)),
                Some(encoded),
                "a tree decodes to itself"
            );
        }
    }
}

/// An environment file cut down to some of its apps (`cut.rs`), the
/// ground of a change rendered from those apps alone: the cut through the
/// tree and the cut from the lines never panic, and whenever the lines
/// give a cut, it is the tree's; a tree has no app changed against
/// itself; and any bytes, as the binary form of a survey the cache gives
/// back (`survey_file.rs`), give a survey or nothing. The first byte says
/// which apps are kept (one bit an app, in turn).
pub fn cuts(data: &[u8]) {
    let _ = crate::survey_file::decode_survey(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mask = data.first().copied().unwrap_or(0);
    let limits = Limits::default();
    let Ok(root) = cfggen_yaml::parse(FileId(0), text, &limits) else {
        let _ = crate::cut::only_apps_by_lines(text, |_| true);
        return;
    };
    let names: Vec<String> = root
        .get("apps")
        .and_then(Node::as_map)
        .map(|apps| apps.iter().map(|e| e.key.text.clone()).collect())
        .unwrap_or_default();
    let keep = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .is_some_and(|i| (mask >> (i % 8)) & 1 == 1)
    };
    let by_tree = crate::cut::only_apps(text, &root, keep);
    if let Some(cut) = crate::cut::only_apps_by_lines(text, keep) {
        assert_eq!(
            by_tree.as_ref().ok().map(String::as_str),
            Some(cut.as_str()),
            "the lines' cut is the tree's"
        );
    }
    if root.as_map().is_some() {
        assert_eq!(
            crate::cut::changed_apps(&root, &root),
            Some(Default::default()),
            "nothing changed between a tree and itself"
        );
    }
}

/// The survey a cache file holds (its bytes after the two lines of the
/// build and the hash): `None` unless it is one.
pub fn survey_form(bytes: &[u8]) -> Option<cfggen_write::KnownFiles> {
    crate::survey_file::decode_survey(bytes)
}
