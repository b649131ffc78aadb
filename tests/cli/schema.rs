//! `cfggen schema [--check]` and the committed `schemas/`.

use crate::support::{workspace, TestRepo};

#[test]
fn committed_schemas_are_current() {
    let repo = TestRepo::new();
    crate::support::copy_tree(&workspace().join("schemas"), &repo.path().join("schemas"));
    let out = repo.run(&["schema", "--check"]);
    assert_eq!(
        out.code, 0,
        "schemas/ is stale; run `cargo run -- schema` and commit\n{}",
        out.stderr
    );
}

#[test]
fn schema_writes_then_check_passes_then_a_change_is_caught() {
    let repo = TestRepo::new();
    let out = repo.run(&["schema", "--check"]);
    assert_eq!(out.code, 1, "missing schemas must be reported");
    assert!(
        out.stderr
            .contains("schemas/environment.schema.json is missing"),
        "{}",
        out.stderr
    );

    let out = repo.run(&["schema"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("wrote schemas/environment.schema.json"));
    assert_eq!(repo.run(&["schema", "--check"]).code, 0);
    let again = repo.run(&["schema"]);
    assert!(again
        .stdout
        .contains("unchanged schemas/environment.schema.json"));

    // A schema that no longer matches the types, as after a change to a
    // type without re-running `cfggen schema`.
    let text = repo.read("schemas/environment.schema.json");
    repo.write(
        "schemas/environment.schema.json",
        &text.replace("\"replicas\"", "\"replicaCount\""),
    );
    let out = repo.run(&["schema", "--check"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stderr, @r"
    error: schemas/environment.schema.json is stale: it differs from the Rust types
      help: run `cfggen schema` and commit schemas/
    ");
}

#[test]
fn environment_files_carry_the_schema_modeline() {
    let dir = workspace().join("environments");
    let mut files = vec![];
    for sub in ["", "bases"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "yaml")),
            );
        }
    }
    assert!(files.len() >= 3);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("# yaml-language-server: $schema=")
                && first.ends_with(".schema.json"),
            "{} does not start with the schema modeline",
            f.display()
        );
        let target = first.trim_start_matches("# yaml-language-server: $schema=");
        let schema = f.parent().map(|p| p.join(target));
        assert!(
            schema.is_some_and(|s| s.is_file()),
            "{}: modeline points at a missing schema",
            f.display()
        );
    }
}
