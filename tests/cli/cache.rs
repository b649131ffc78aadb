//! The cache an earlier run leaves (`CFGGEN_CACHE`): a `check` or a
//! `render` that uses it sees every change a run without it sees, and a
//! cache that is damaged or turned off changes nothing but the time.

use std::path::Path;
use std::time::Duration;

use crate::support::{Output, TestRepo};

/// The cache's files of the repository (they live in one folder named
/// after the repository, under the folder the test gave it).
fn cache_files(repo: &TestRepo) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for folder in std::fs::read_dir(repo.cache())
        .into_iter()
        .flatten()
        .flatten()
    {
        for file in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            files.push(file.path());
        }
    }
    files.sort();
    files
}

fn names(files: &[std::path::PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

/// `check` gives `code`, and its report names `needle`.
fn assert_check(repo: &TestRepo, what: &str, code: i32, needle: &str) -> Output {
    let out = repo.run(&["check"]);
    assert_eq!(
        out.code, code,
        "{what}: check exits {code}\n{}{}",
        out.stdout, out.stderr
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains(needle), "{what}: `{needle}` in\n{all}");
    out
}

/// Makes a change, checks that `check` sees it, undoes it, and checks
/// that the repository is clean again.
fn seen(repo: &TestRepo, what: &str, change: &dyn Fn(), undo: &dyn Fn(), code: i32, needle: &str) {
    change();
    assert_check(repo, what, code, needle);
    // Seen twice: the cache did not learn the change as clean.
    assert_check(repo, what, code, needle);
    undo();
    assert_check(repo, &format!("{what}, undone"), 0, "");
}

fn edit(repo: &TestRepo, rel: &str, from: &str, to: &str) {
    let text = repo.read(rel);
    assert!(text.contains(from), "{rel} holds `{from}`");
    repo.write(rel, &text.replacen(from, to, 1));
}

/// The image tag of prod's authentik, and another.
const TAG: (&str, &str) = ("v2026.2.0-2d4098e-nix", "v2026.2.1-2d4098e-nix");

/// Changes prod's authentik image tag.
fn retag(repo: &TestRepo, from: &str, to: &str) {
    edit(repo, "environments/prod.yaml", from, to);
}

#[test]
fn a_warm_cache_sees_every_change() {
    let repo = TestRepo::shipped();
    // The committed files settle, so that the cache trusts their stamps
    // and reads them no more.
    std::thread::sleep(Duration::from_millis(3200));
    assert_check(&repo, "a cold cache", 0, "");
    let files = cache_files(&repo);
    assert_eq!(
        names(&files),
        [
            "bases.json",
            "dev.rendering.json",
            "dev.tree.json",
            "prod.rendering.json",
            "prod.tree.json"
        ]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let folder = files[0].parent().unwrap();
        let mode = std::fs::metadata(folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the cache is its owner's only");
    }
    let tree = std::fs::read_to_string(&files[4]).unwrap();
    assert!(tree.contains("\"stamp\":{"), "settled stamps are kept");
    assert_check(&repo, "a warm cache", 0, "");

    seen(
        &repo,
        "an environment file",
        &|| retag(&repo, TAG.0, TAG.1),
        &|| retag(&repo, TAG.1, TAG.0),
        1,
        "deployment-authentik-server.yaml",
    );
    let base = "environments/bases/platform.yaml";
    seen(
        &repo,
        "a base",
        &|| edit(&repo, base, "interval: 30s", "interval: 31s"),
        &|| edit(&repo, base, "interval: 31s", "interval: 30s"),
        1,
        "servicemonitor-checkout.yaml",
    );
    // The cache knows the base passed its own check: changed, it is
    // checked again.
    seen(
        &repo,
        "a base its own check refuses",
        &|| edit(&repo, base, "replicas: 2", "replicas: two"),
        &|| edit(&repo, base, "replicas: two", "replicas: 2"),
        2,
        "apps.checkout.components.service.replicas",
    );
    let config = "environments/files/alloy/config.alloy";
    let text = repo.read(config);
    seen(
        &repo,
        "a file a ConfigMap reads",
        &|| repo.write(config, &format!("{text}// more\n")),
        &|| repo.write(config, &text),
        1,
        "configmap-",
    );
    let extra = repo.path().join("environments/files/alloy/extra.alloy");
    seen(
        &repo,
        "a new file in a ConfigMap's folder",
        &|| std::fs::write(&extra, "// extra\n").unwrap(),
        &|| std::fs::remove_file(&extra).unwrap(),
        1,
        "configmap-alloy-config-",
    );
    let crd = repo
        .path()
        .join("crds/monitoring.coreos.com_servicemonitors.yaml");
    let aside = repo.path().join("servicemonitors.yaml");
    seen(
        &repo,
        "a CRD gone",
        &|| std::fs::rename(&crd, &aside).unwrap(),
        &|| std::fs::rename(&aside, &crd).unwrap(),
        2,
        "unknown-kind",
    );
    committed_changes_are_seen(&repo);
}

/// The committed tree: a file edited behind the stamp's back (same
/// length, its modification time put back), a stray file, a missing one.
fn committed_changes_are_seen(repo: &TestRepo) {
    let rel = "generated/prod/authentik/deployment-authentik-server.yaml";
    let path = repo.path().join(rel);
    let text = repo.read(rel);
    let same_length = |from: &str, to: &str| {
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        edit(repo, rel, from, to);
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(before).unwrap();
    };
    seen(
        repo,
        "a committed file edited, its time put back",
        &|| same_length("replicas: 2", "replicas: 3"),
        &|| repo.write(rel, &text),
        1,
        "spec.replicas",
    );
    let stray = repo.path().join("generated/prod/authentik/stray.yaml");
    seen(
        repo,
        "a stray committed file",
        &|| std::fs::write(&stray, "# Generated by cfggen\nkind: x\n").unwrap(),
        &|| std::fs::remove_file(&stray).unwrap(),
        1,
        "unexpected",
    );
    seen(
        repo,
        "a committed file gone",
        &|| std::fs::remove_file(&path).unwrap(),
        &|| repo.write(rel, &text),
        1,
        "missing",
    );
}

#[test]
fn render_with_a_warm_cache_writes_what_changed_and_clears_leftovers() {
    let repo = TestRepo::shipped();
    assert_eq!(repo.run(&["render", "--all"]).code, 0);
    retag(&repo, TAG.0, TAG.1);
    let out = repo.run(&["render", "--all"]);
    assert!(
        out.stdout.contains("dev: 0 written") && out.stdout.contains("prod: 2 written"),
        "{}",
        out.stdout
    );
    assert_check(&repo, "after the render", 0, "");
    // A killed render's staging folder: the next render removes it, even
    // for an environment the cache knows as committed.
    let leftover = repo.path().join("generated/.dev.cfggen-new-1");
    std::fs::create_dir_all(&leftover).unwrap();
    let out = repo.run(&["render", "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!leftover.exists(), "the leftover was removed");
    assert!(out.stdout.contains("dev: 0 written"), "{}", out.stdout);
}

#[test]
fn a_damaged_or_disabled_cache_changes_nothing_but_the_time() {
    let repo = TestRepo::shipped();
    assert_check(&repo, "a cold cache", 0, "");
    let files = cache_files(&repo);
    assert!(!files.is_empty());
    for file in &files {
        std::fs::write(file, "{ not json").unwrap();
    }
    assert_check(&repo, "a damaged cache", 0, "");
    retag(&repo, TAG.0, TAG.1);
    assert_check(
        &repo,
        "a change after a damaged cache",
        1,
        "authentik-server",
    );

    let off = TestRepo::shipped();
    let out = off.run_with(&[("CFGGEN_CACHE", "off")], &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(cache_files(&off).is_empty(), "nothing cached when off");
    assert!(!Path::new(&off.path().join(".cache")).exists());
}
