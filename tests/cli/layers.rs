//! The crate graph keeps the engine apart: it stands above the pipeline
//! crates, only the binary uses it, and no pipeline crate's product code
//! speaks of what is the engine's (the cache, the survey, deltas, lean
//! work, scale).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::workspace;

/// The crates above the pipeline, and the benchmark beside it.
const ABOVE: [&str; 3] = ["cfggen", "cfggen-engine", "cfggen-bench"];

/// Each workspace crate → the workspace crates its `[dependencies]` name.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let crates = workspace().join("crates");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let manifest = std::fs::read_to_string(entry.path().join("Cargo.toml")).unwrap();
        let mut deps = BTreeSet::new();
        let mut in_deps = false;
        for line in manifest.lines() {
            if line.starts_with('[') {
                in_deps = line.trim() == "[dependencies]";
            } else if in_deps {
                let dep = line.split(['=', '.', ' ']).next().unwrap_or("");
                if dep.starts_with("cfggen") {
                    deps.insert(dep.to_owned());
                }
            }
        }
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn only_the_binary_uses_the_engine_and_the_engine_no_crate_above_the_pipeline() {
    let graph = graph();
    assert!(graph.contains_key("cfggen-engine"), "{graph:?}");
    let users: Vec<&String> = graph
        .iter()
        .filter(|(_, deps)| deps.contains("cfggen-engine"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(users, ["cfggen"], "only the binary depends on the engine");
    for (name, deps) in &graph {
        if ABOVE.contains(&name.as_str()) {
            continue;
        }
        let above: Vec<&String> = deps
            .iter()
            .filter(|d| ABOVE.contains(&d.as_str()))
            .collect();
        assert!(
            above.is_empty(),
            "{name}, a pipeline crate, depends on {above:?}"
        );
    }
    let engine_deps = &graph["cfggen-engine"];
    assert!(
        !engine_deps.contains("cfggen") && !engine_deps.contains("cfggen-bench"),
        "{engine_deps:?}"
    );
}

/// The lines of `path` up to its tests, without string literals.
fn product_code(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let mut code = String::new();
        let mut in_string = false;
        let mut escaped = false;
        for ch in line.chars() {
            match (in_string, escaped, ch) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (_, false, '"') => in_string = !in_string,
                (false, _, c) => code.push(c),
                _ => {}
            }
        }
        out.push((i + 1, code));
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_pipeline_crate_speaks_of_the_engine() {
    const WORDS: [&str; 12] = [
        "cache", "Cache", "cached", "survey", "Survey", "surveyed", "delta", "Delta", "lean",
        "Lean", "scale", "Scale",
    ];
    let crates = workspace().join("crates");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if ABOVE.contains(&name.as_str()) {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&entry.path().join("src"), &mut files);
        for file in files {
            for (line, code) in product_code(&file) {
                let words = code.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                if let Some(word) = words.into_iter().find(|w| WORDS.contains(w)) {
                    found.push(format!("{}:{line}: {word}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the engine's concepts belong in cfggen-engine:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_word_check_sees_a_word_outside_strings_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.rs");
    std::fs::write(
        &file,
        "let s = \"a cache \\\" scale\";\n/// the survey\n#[cfg(test)]\nlet delta = 1;\n",
    )
    .unwrap();
    let code = product_code(&file);
    assert_eq!(code.len(), 2, "up to the tests");
    assert!(!code[0].1.contains("cache") && !code[0].1.contains("scale"));
    assert!(code[1].1.contains("survey"));
}
