//! `cfggen render` and `cfggen secrets` on fixture repositories and on the
//! repository's own environments.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{fixtures, workspace, TestRepo};

pub(crate) fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)> {
    fn walk(
        dir: &Path,
        prefix: &str,
        out: &mut BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)>,
    ) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // Lock files beside an environment folder are not output.
            if name.starts_with('.') {
                continue;
            }
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = e.path();
            if path.is_dir() {
                walk(&path, &rel, out);
            } else {
                let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                out.insert(rel, (std::fs::read(&path).unwrap(), mtime));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn shipped_repo() -> TestRepo {
    TestRepo::shipped()
}

#[test]
fn render_reproduces_the_committed_output_byte_for_byte_twice() {
    let repo = shipped_repo();
    let before = tree(&repo.path().join("generated"));
    assert!(
        before.len() >= 30,
        "generated/ looks empty: {} files",
        before.len()
    );
    for _ in 0..2 {
        let out = repo.run(&["render", "--all"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("dev: 0 written"), "{}", out.stdout);
        assert!(out.stdout.contains("prod: 0 written"), "{}", out.stdout);
        let after = tree(&repo.path().join("generated"));
        let changed: Vec<&String> = after
            .keys()
            .chain(before.keys())
            .filter(|k| after.get(*k) != before.get(*k))
            .collect();
        assert!(
            changed.is_empty(),
            "render changed the committed output: {changed:?}"
        );
    }
}

#[test]
fn golden_render_of_the_fixture_environment() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let out = repo.run(&["render", "staging"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("render_staging_summary", out.stdout);
    let files = tree(&repo.path().join("generated/staging"));
    let mut all = String::new();
    for (path, (bytes, _)) in &files {
        all.push_str(&format!("=== {path}\n{}", String::from_utf8_lossy(bytes)));
    }
    insta::assert_snapshot!("render_staging_tree", all);
}

#[test]
fn golden_render_of_every_workload_feature() {
    // tests/fixtures/workloads: the workload features the shipped
    // platform does not use (GPU, inline NFS, projected keys, UDP, probe
    // headers, several Ingresses, NodePort, host namespaces, a Job, a
    // Service without a selector, a hostPath PersistentVolume).
    let repo = TestRepo::copy_of(&fixtures().join("workloads"));
    let out = repo.run(&["render", "lab"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = tree(&repo.path().join("generated"));
    assert!(files.len() >= 20, "{} files", files.len());
    let all: String = files
        .iter()
        .map(|(path, (bytes, _))| format!("--- {path}\n{}", String::from_utf8_lossy(bytes)))
        .collect();
    insta::assert_snapshot!("render_lab_tree", all);
}

#[test]
fn a_render_that_fails_validation_touches_nothing() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    assert_eq!(repo.run(&["render", "--all"]).code, 0);
    let before = tree(&repo.path().join("generated"));
    let env = repo.read("environments/staging.yaml");
    repo.write(
        "environments/staging.yaml",
        &env.replace("replicas: 3", "replicas: three"),
    );
    let out = repo.run(&["render", "--all"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("apps.worker.components.main.replicas"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(&repo.path().join("generated")), before);
}

#[test]
fn stale_files_are_removed_and_changes_listed() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    assert_eq!(repo.run(&["render", "staging"]).code, 0);
    // The same environment without its `worker` app.
    let env = repo.read("environments/staging.yaml");
    let cut = env.find("apps:").expect("fixture has apps");
    repo.write("environments/staging.yaml", &env[..cut]);
    let out = repo.run(&["render", "staging"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("  - generated/staging/worker/deployment-worker-main.yaml"),
        "{}",
        out.stdout
    );
    assert!(!repo.path().join("generated/staging/worker").exists());
}

#[test]
fn refuses_to_delete_a_file_it_did_not_write() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    assert_eq!(repo.run(&["render", "staging"]).code, 0);
    repo.write("generated/staging/web/notes.md", "hand-written notes\n");
    let before = tree(&repo.path().join("generated"));
    let out = repo.run(&["render", "staging"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("refusing to touch 1 file(s) cfggen did not write: web/notes.md"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(&repo.path().join("generated")), before);
}

#[test]
fn secrets_prints_references_and_an_env_file() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let out = repo.run(&["secrets", "staging"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("secrets_staging_text", out.stdout);
    let out = repo.run(&["secrets", "staging", "--format", "env"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("secrets_staging_env", out.stdout);
    for line in out.stdout.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line.split_once('=').unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{line}"
        );
        assert!(value.starts_with("op://"), "{line}");
    }
}

#[test]
#[ignore = "needs kubectl; .ci/run installs it and runs it"]
fn kubectl_kustomize_builds_every_rendered_folder() {
    let kubectl = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|v| v.status.success());
    if !crate::support::available(kubectl, "kubectl") {
        return;
    }
    let mut checked = 0;
    for env in ["dev", "prod"] {
        let dir = workspace().join("generated").join(env);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if !path.join("kustomization.yaml").is_file() {
                continue;
            }
            let out = std::process::Command::new("kubectl")
                .arg("kustomize")
                .arg(&path)
                .output();
            let out = out.expect("kubectl runs");
            assert!(
                out.status.success(),
                "kubectl kustomize {} failed:\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} folders checked");
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let trees: Vec<_> = ["1", "2", "7"]
        .iter()
        .map(|jobs| {
            let repo = TestRepo::new();
            for dir in ["environments", "crds"] {
                crate::support::copy_tree(&workspace().join(dir), &repo.path().join(dir));
            }
            crate::support::copy_tree(
                &fixtures().join("valid/environments/bases"),
                &repo.path().join("environments/bases"),
            );
            std::fs::copy(
                fixtures().join("valid/environments/staging.yaml"),
                repo.path().join("environments/staging.yaml"),
            )
            .expect("copy");
            // Enough apps and files that the survey and the write spread
            // over the threads.
            crate::support::fleet(&repo, 100, "v1");
            let mut said = String::new();
            for args in [&["render", "fleet"][..], &["render", "--all"]] {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_cfggen"))
                    .arg("--root")
                    .arg(repo.path())
                    .args(args)
                    .env("CFGGEN_JOBS", jobs)
                    .env("CFGGEN_CACHE", "off")
                    .output()
                    .expect("runs");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                said.push_str(&String::from_utf8_lossy(&out.stdout));
            }
            let files: BTreeMap<String, Vec<u8>> = tree(&repo.path().join("generated"))
                .into_iter()
                .map(|(p, (bytes, _))| (p, bytes))
                .collect();
            (said, files)
        })
        .collect();
    assert!(
        trees[0].1.len() > 400,
        "four environments rendered, one of 100 apps"
    );
    assert_eq!(trees[0], trees[1], "1 thread vs 2");
    assert_eq!(trees[0], trees[2], "1 thread vs 7");
}

/// A platform too large for the memory budget works lean: one environment
/// at a time, digests instead of text (rendered again when the text is
/// needed), bases parsed per load, and a load that fails run again whole
/// to place its problems. A 1 MiB budget (`CFGGEN_MEMORY=1`) makes the
/// shipped environments lean (about 20 KB of input, so an estimated
/// 800 KB an environment, over half the budget); every command must give
/// what it gives normally, byte for byte.
#[test]
fn a_lean_run_gives_what_a_normal_run_gives() {
    let steps = |vars: &[(&str, &str)]| {
        let repo = TestRepo::new();
        for dir in ["environments", "crds", "schemas"] {
            crate::support::copy_tree(&workspace().join(dir), &repo.path().join(dir));
        }
        let dev = repo.read("environments/dev.yaml");
        let mut seen = Vec::new();
        let mut step = |what: &str, args: &[&str]| {
            let out = repo.run_with(vars, args);
            seen.push(format!(
                "== {what}: exit {}\n{}{}",
                out.code, out.stdout, out.stderr
            ));
        };
        step("fresh render", &["render", "--all"]);
        let first = tree(&repo.path().join("generated"));
        step("render again", &["render", "--all"]);
        step("clean check", &["check"]);
        // A committed file edited by hand: check shows the diff (the text
        // is rendered again for it), render puts it back.
        let file = "generated/prod/onepassword.yaml";
        let text = repo.read(file);
        repo.write(file, &text.replacen("op://", "op://x-", 1));
        step("check with a drift", &["check"]);
        step("render the drift away", &["render", "prod"]);
        let after = tree(&repo.path().join("generated"));
        // A change in the environment: the files it changes are written
        // (lean, from the one rendering, which kept their text only), the
        // others are left as they were.
        let prod = repo.read("environments/prod.yaml");
        repo.write(
            "environments/prod.yaml",
            &prod.replace("v2026.2.0-2d4098e-nix", "v2026.2.1-2d4098e-nix"),
        );
        step("render a changed environment", &["render", "prod"]);
        let changed = tree(&repo.path().join("generated"));
        step("check after it", &["check"]);
        let rewritten: Vec<&String> = changed
            .iter()
            .filter(|(path, file)| after.get(*path) != Some(*file))
            .map(|(path, _)| path)
            .collect();
        assert!(
            !rewritten.is_empty() && rewritten.len() < 6,
            "only the files of the image were written: {rewritten:?}"
        );
        repo.write("environments/prod.yaml", &prod);
        step("render it back", &["render", "prod"]);
        // A whole committed folder gone: more differs than a lean
        // rendering keeps the text of (at `CFGGEN_MEMORY=1`), so the diff
        // and the write render it again with all of it.
        std::fs::remove_dir_all(repo.path().join("generated/dev")).unwrap();
        step("check with a folder gone", &["check", "--format", "json"]);
        step("render it again", &["render", "dev"]);
        let dev_files = |t: &BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)>| {
            t.iter()
                .filter(|(p, _)| p.starts_with("dev/"))
                .map(|(p, (b, _))| (p.clone(), b.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            dev_files(&tree(&repo.path().join("generated"))),
            dev_files(&after),
            "the folder is back"
        );
        // An invalid environment: its problems are placed as always.
        repo.write(
            "environments/broken.yaml",
            &format!(
                "{}\n  broken:\n    image: nginx:1.27\n    replicas: many\n    imag: nginx:1.27\n",
                dev.replace("name: dev", "name: broken").trim_end()
            ),
        );
        step("validate an invalid environment", &["validate", "broken"]);
        step("render with an invalid environment", &["render", "--all"]);
        (seen, first, after)
    };
    let (normal, normal_first, normal_after) = steps(&[]);
    let (lean, lean_first, lean_after) = steps(&[("CFGGEN_MEMORY", "1")]);
    assert!(normal_first.len() > 40, "the environments rendered");
    let bytes = |t: &BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)>| {
        t.iter()
            .map(|(p, (b, _))| (p.clone(), b.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(bytes(&lean_first), bytes(&normal_first));
    assert_eq!(bytes(&lean_after), bytes(&normal_after));
    assert_eq!(
        bytes(&normal_after),
        bytes(&normal_first),
        "render put the file back"
    );
    for (n, l) in normal.iter().zip(&lean) {
        assert_eq!(l, n);
    }
    let all = normal.join("");
    for expected in [
        "== render again: exit 0",
        "== clean check: exit 0",
        "== check with a drift: exit 1",
        "op://x-",
        "== render the drift away: exit 0",
        "~ generated/prod/onepassword.yaml",
        "== render a changed environment: exit 0",
        "== check after it: exit 0",
        "== render it back: exit 0",
        "== check with a folder gone: exit 1",
        "\"status\": \"missing\"",
        "== render it again: exit 0",
        "== validate an invalid environment: exit 2",
        "environments/broken.yaml:",
        "== render with an invalid environment: exit 2",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}
