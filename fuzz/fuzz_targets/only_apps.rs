//! An environment file cut down to some of its apps, the ground of a
//! change rendered from those apps alone: `cfggen_edit::only_apps` (through
//! the tree) and `only_apps_by_lines` (from the lines) never panic, and
//! whenever the lines give a cut, it is the tree's, which holds the data
//! of the whole but the apps left out; `changed_apps` finds nothing
//! changed between a tree and itself; and any bytes, as the binary form of
//! a survey the cache gives back (`cfggen_write::decode_survey`), give a
//! survey or nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cfggen_write::decode_survey(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first byte says which apps are kept (one bit an app, in turn).
    let mask = data.first().copied().unwrap_or(0);
    let limits = cfggen_yaml::Limits::default();
    let Ok(root) = cfggen_yaml::parse(cfggen_yaml::FileId(0), text, &limits) else {
        let _ = cfggen_edit::only_apps_by_lines(text, |_| true);
        return;
    };
    let names: Vec<String> = root
        .get("apps")
        .and_then(cfggen_yaml::Node::as_map)
        .map(|apps| apps.iter().map(|e| e.key.text.clone()).collect())
        .unwrap_or_default();
    let keep = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .is_some_and(|i| (mask >> (i % 8)) & 1 == 1)
    };
    let by_tree = cfggen_edit::only_apps(text, &root, keep);
    if let Some(cut) = cfggen_edit::only_apps_by_lines(text, keep) {
        assert_eq!(by_tree.as_deref().ok(), Some(cut.as_str()), "the lines' cut is the tree's");
    }
    if root.as_map().is_some() {
        assert_eq!(cfggen_edit::changed_apps(&root, &root), Some(Default::default()));
    }
});
