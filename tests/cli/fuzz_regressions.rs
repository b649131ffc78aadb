//! The fuzz targets' inputs replayed through the same checks as the
//! targets in `fuzz/fuzz_targets/`: the crashes the fuzzers found
//! (`tests/fuzz-regressions/<target>/`) and the committed seeds
//! (`fuzz/corpus/<target>/`), so a fixed crash stays fixed and every
//! target's harness runs on every test run. Fuzzing itself runs outside CI
//! (FUZZING.md). Each target must find inputs: a folder that went missing
//! fails the test instead of passing with nothing replayed.

use std::collections::HashMap;
use std::path::Path;

use crate::support::workspace;

/// Every input of a target: its regressions and its seeds.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        workspace().join("tests/fuzz-regressions").join(target),
        workspace().join("fuzz/corpus").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable folder entry").path();
            let bytes = std::fs::read(&path).expect("a readable input");
            out.push((rel(&path), bytes));
        }
    }
    out.sort();
    assert!(
        !out.is_empty(),
        "no inputs for fuzz target `{target}`: tests/fuzz-regressions/{target}/ and fuzz/corpus/{target}/ are empty or missing"
    );
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(workspace())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn image_ref_regressions() {
    let cases = inputs("image_ref");
    assert!(
        cases
            .iter()
            .any(|(n, _)| n.starts_with("tests/fuzz-regressions")),
        "the fixed ImageRef crash is replayed"
    );
    for (name, data) in cases {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(image) = cfggen_model::ImageRef::parse(text) {
            let printed = image.to_string();
            assert_eq!(
                cfggen_model::ImageRef::parse(&printed).ok(),
                Some(image),
                "{name}"
            );
        }
    }
}

/// The `load_environment` target's harness: an environment file, then
/// optionally `\n#--base--\n` and a base `b` it may extend.
fn load(data: &[u8]) -> Result<cfggen_load::Loaded, String> {
    let marker = b"\n#--base--\n";
    let (env, base) = match data.windows(marker.len()).position(|w| w == marker) {
        Some(i) => (&data[..i], Some(&data[i + marker.len()..])),
        None => (data, None),
    };
    let mut files = HashMap::new();
    files.insert("environments/fuzz.yaml".to_owned(), env.to_vec());
    if let Some(base) = base {
        files.insert("environments/bases/b.yaml".to_owned(), base.to_vec());
    }
    cfggen_load::Session::in_memory(files)
        .load("fuzz")
        .map_err(|d| cfggen::render_diagnostics(&d, false))
}

#[test]
fn load_environment_regressions() {
    let mut merged = 0;
    for (name, data) in inputs("load_environment") {
        let result = std::panic::catch_unwind(|| load(&data));
        let Ok(result) = result else {
            panic!("{name} panics the loader");
        };
        if result.is_ok_and(|l| l.files.len() > 1) {
            merged += 1;
        }
    }
    // The target covers `extends`: some seeds load an environment merged
    // with its base, from memory.
    assert!(merged > 0, "no seed of load_environment merged a base");
}

#[test]
fn in_memory_loading_merges_bases() {
    // Every file of the shipped `environments/` (the environment, its
    // base, the files its ConfigMaps and charts read) and `crds/`, all
    // from memory.
    fn walk(dir: &Path, rel: &str, files: &mut HashMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{rel}/{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                walk(&entry.path(), &name, files);
            } else {
                files.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut files = HashMap::new();
    for dir in ["environments", "crds"] {
        walk(&workspace().join(dir), dir, &mut files);
    }
    assert!(files.len() >= 5, "{files:?}");
    let loaded = cfggen_load::Session::in_memory(files)
        .load("dev")
        .unwrap_or_else(|d| panic!("does not load:\n{}", cfggen::render_diagnostics(&d, false)));
    assert_eq!(
        loaded.files,
        ["environments/dev.yaml", "environments/bases/platform.yaml"]
    );
}

#[test]
fn merge_and_semantic_diff_regressions() {
    for target in ["merge", "semantic_diff"] {
        for (name, data) in inputs(target) {
            let Ok(text) = std::str::from_utf8(&data) else {
                continue;
            };
            let (a, b) = text.split_once("\n---\n").unwrap_or((text, ""));
            let result = std::panic::catch_unwind(|| {
                let limits = cfggen_yaml::Limits::default();
                if let (Ok(x), Ok(y)) = (
                    cfggen_yaml::parse(cfggen_yaml::FileId(0), a, &limits),
                    cfggen_yaml::parse(cfggen_yaml::FileId(1), b, &limits),
                ) {
                    let _ = cfggen_yaml::emit(&cfggen_yaml::merge(x, y).to_json());
                }
                let _ = cfggen_diff::semantic_diff(a, b);
                if let Some(same) = cfggen_diff::semantic_diff(a, a) {
                    assert!(same.is_empty());
                }
            });
            assert!(result.is_ok(), "{name} panics");
        }
    }
}

#[test]
fn tree_binary_regressions() {
    for (name, data) in inputs("tree_binary") {
        let result = std::panic::catch_unwind(|| cfggen_engine::fuzz::tree_form(&data));
        assert!(result.is_ok(), "{name} panics");
    }
}

#[test]
fn only_apps_regressions() {
    for (name, data) in inputs("only_apps") {
        let result = std::panic::catch_unwind(|| cfggen_engine::fuzz::cuts(&data));
        assert!(result.is_ok(), "{name} panics");
    }
}
