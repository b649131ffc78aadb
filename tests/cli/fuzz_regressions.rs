//! Inputs the fuzzers found (`tests/fuzz-regressions/<target>/`), replayed
//! through the same checks as the fuzz targets in `fuzz/fuzz_targets/`, so
//! a fixed crash stays fixed. Fuzzing itself runs outside CI (FUZZING.md).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::support::workspace;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = workspace().join("tests/fuzz-regressions").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn image_ref_regressions() {
    let cases = inputs("image_ref");
    assert!(!cases.is_empty());
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

#[test]
fn load_environment_regressions() {
    for (name, data) in inputs("load_environment") {
        let marker = b"\n#--base--\n";
        let (env, base) = match data.windows(marker.len()).position(|w| w == marker) {
            Some(i) => (&data[..i], Some(&data[i + marker.len()..])),
            None => (&data[..], None),
        };
        let mut files = HashMap::new();
        files.insert("environments/fuzz.yaml".to_owned(), env.to_vec());
        if let Some(base) = base {
            files.insert("environments/bases/b.yaml".to_owned(), base.to_vec());
        }
        let result = std::panic::catch_unwind(|| {
            match cfggen_load::Session::in_memory(files).load("fuzz") {
                Ok(_) => String::new(),
                Err(d) => cfggen_load::render(&d, false),
            }
        });
        assert!(result.is_ok(), "{name} panics the loader");
    }
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
            assert!(result.is_ok(), "{target}/{name} panics");
        }
    }
}
