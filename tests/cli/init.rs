//! `cfggen init`: a new repository that renders and passes the drift
//! check at once, and that never touches a folder already holding any of
//! its files.

use std::path::Path;

use crate::render::tree;
use crate::support::TestRepo;

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree(dir).into_iter().map(|(p, (b, _))| (p, b)).collect()
}

#[test]
fn a_new_repository_renders_and_checks_clean() {
    let parent = TestRepo::new();
    let out = parent.run_in(parent.path(), &["init", "platform"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = parent.path().join("platform");
    for file in [
        "environments/bases/platform.yaml",
        "environments/dev.yaml",
        "environments/prod.yaml",
        "environments/README.md",
        "schemas/environment.schema.json",
        "schemas/partial-environment.schema.json",
        ".gitignore",
        ".github/workflows/cfggen.yml",
        ".vscode/settings.json",
        "generated/dev/hello/deployment-hello-web.yaml",
        "generated/prod/hello/deployment-hello-web.yaml",
    ] {
        assert!(root.join(file).is_file(), "{file} missing\n{}", out.stdout);
    }
    // The lock files cfggen takes are ignored.
    let ignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(ignore.contains("generated/.*.cfggen.lock"), "{ignore}");
    // The workflow runs the drift check and is YAML; the settings are JSON.
    let workflow = std::fs::read_to_string(root.join(".github/workflows/cfggen.yml")).unwrap();
    let parsed: serde_json::Value = cfggen_yaml::from_str(&workflow).unwrap();
    let steps = parsed
        .pointer("/jobs/check/steps")
        .unwrap()
        .as_array()
        .unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s.get("run").and_then(|r| r.as_str()) == Some("cfggen check --format github")),
        "{workflow}"
    );
    let settings = std::fs::read_to_string(root.join(".vscode/settings.json")).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&settings).unwrap();
    assert!(settings.get("yaml.schemas").is_some(), "{settings}");

    // Right after it, render changes nothing and every check passes.
    let render = parent.run_in(&root, &["render", "--all"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert!(
        render.stdout.contains("dev: 0 written, 5 unchanged"),
        "{}",
        render.stdout
    );
    assert!(
        render.stdout.contains("prod: 0 written, 5 unchanged"),
        "{}",
        render.stdout
    );
    let check = parent.run_in(&root, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let validate = parent.run_in(&root, &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    // prod pins its images and runs two replicas.
    let prod = std::fs::read_to_string(root.join("generated/prod/hello/deployment-hello-web.yaml"))
        .unwrap();
    assert!(prod.contains("replicas: 2"), "{prod}");
}

#[test]
fn init_changes_nothing_in_an_existing_repository() {
    let repo = TestRepo::shipped();
    let before = files(repo.path());
    let out = repo.run_in(repo.path(), &["init"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("already holds `environments`"),
        "{}",
        out.stderr
    );
    assert_eq!(files(repo.path()), before);
}

#[test]
fn one_existing_file_is_enough_to_write_nothing() {
    let parent = TestRepo::new();
    let target = parent.path().join("fresh");
    std::fs::create_dir_all(target.join(".vscode")).unwrap();
    std::fs::write(target.join(".vscode/settings.json"), "{}\n").unwrap();
    let out = parent.run_in(parent.path(), &["init", "fresh"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("`.vscode/settings.json`"),
        "{}",
        out.stderr
    );
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".vscode"]);
    assert_eq!(
        std::fs::read_to_string(target.join(".vscode/settings.json")).unwrap(),
        "{}\n"
    );
}
