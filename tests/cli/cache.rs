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
            "dev.survey",
            "prod.rendering.json",
            "prod.survey"
        ]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let folder = files[0].parent().unwrap();
        let mode = std::fs::metadata(folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the cache is its owner's only");
    }
    // The survey: a line naming the build, a line with the hash of the
    // rest, and the survey in its binary form, with the settled stamps.
    let stored = std::fs::read(&files[4]).unwrap();
    let mut lines = stored.splitn(3, |b| *b == b'\n');
    let (_, _, survey) = (lines.next(), lines.next(), lines.next().unwrap());
    let survey = cfggen_engine::fuzz::survey_form(survey).unwrap();
    assert!(
        !survey.is_empty() && survey.values().all(|k| k.stamp.is_some()),
        "settled stamps are kept"
    );
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
    // A CRD of the repository takes precedence over the one cfggen
    // carries: one whose spec takes no field refuses the ServiceMonitor.
    let crd = "crds/monitoring.coreos.com_servicemonitors.yaml";
    let upstream = repo.read(crd);
    let strict = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: servicemonitors.monitoring.coreos.com}\nspec:\n  group: monitoring.coreos.com\n  names: {kind: ServiceMonitor, plural: servicemonitors}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          apiVersion: {type: string}\n          kind: {type: string}\n          metadata: {type: object}\n          spec: {type: object, properties: {}}\n";
    seen(
        &repo,
        "a CRD changed",
        &|| repo.write(crd, strict),
        &|| repo.write(crd, &upstream),
        2,
        "manifest-field",
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

/// The shipped platform with prod's file made large (a long comment), so
/// that the cache keeps its text and a change of a few of its apps is
/// rendered from them alone.
fn large_prod() -> TestRepo {
    let repo = TestRepo::shipped();
    let rel = "environments/prod.yaml";
    let mut text = repo.read(rel);
    for i in 0..1200 {
        text.push_str(&format!(
            "# a long comment, line {i:04}, so that the file is large\n"
        ));
    }
    repo.write(rel, &text);
    let out = repo.run_with(&[("CFGGEN_CACHE", "off")], &["render", "--all"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    repo
}

/// Every file of `generated/`, by path.
fn generated(repo: &TestRepo) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    let root = repo.path().join("generated");
    walk(&root, &root, &mut out);
    out
}

/// Edits prod's file in `repo` and in `cold`, renders `repo` with its
/// cache and `cold` without, and compares what they wrote.
fn render_both(repo: &TestRepo, cold: &TestRepo, from: &str, to: &str) -> Output {
    for r in [repo, cold] {
        edit(r, "environments/prod.yaml", from, to);
    }
    let out = repo.run(&["render", "prod"]);
    let without = cold.run_with(&[("CFGGEN_CACHE", "off")], &["render", "prod"]);
    assert_eq!(
        (out.code, &out.stdout, &out.stderr),
        (without.code, &without.stdout, &without.stderr),
        "{from} → {to}"
    );
    assert!(
        generated(repo) == generated(cold),
        "{from} → {to}: the trees differ"
    );
    out
}

#[test]
fn a_change_of_a_few_apps_of_a_large_file_renders_as_the_whole_does() {
    let repo = large_prod();
    let cold = TestRepo::copy_of(repo.path());
    assert_check(&repo, "a cold cache", 0, "");
    assert!(
        names(&cache_files(&repo)).contains(&"prod.source".to_owned()),
        "the large file's text is kept"
    );
    let record = |repo: &TestRepo| {
        let file = cache_files(repo)
            .into_iter()
            .find(|f| f.ends_with("prod.rendering.json"));
        std::fs::read(file.unwrap()).unwrap()
    };
    // `check` of an app's change: rendered from the app, against the
    // rendering the cache recorded, which it keeps (a whole rendering
    // would record itself).
    let before = record(&repo);
    retag(&repo, TAG.0, TAG.1);
    for _ in 0..2 {
        assert_check(
            &repo,
            "an app changed",
            1,
            "deployment-authentik-server.yaml",
        );
    }
    assert_eq!(record(&repo), before, "checked from the app alone");
    retag(&repo, TAG.1, TAG.0);
    assert_check(&repo, "the change undone", 0, "");

    // `render`, change after change, writes what the whole rendering
    // writes, and records it as the ground of the next change.
    let out = render_both(&repo, &cold, TAG.0, TAG.1);
    assert!(out.stdout.contains("prod: 2 written"), "{}", out.stdout);
    assert_ne!(record(&repo), before, "the change written is recorded");
    render_both(&repo, &cold, "replicas: 3", "replicas: 4");
    // Comments only: nothing to write.
    let out = render_both(
        &repo,
        &cold,
        "# a long comment, line 0007",
        "# another comment",
    );
    assert!(out.stdout.contains("prod: 0 written"), "{}", out.stdout);
    // Changes that reach other apps' files, or no file: rendered whole.
    render_both(
        &repo,
        &cold,
        "item: Authentik (platform)",
        "item: Authentik (main)",
    );
    render_both(&repo, &cold, "instances: 2", "instances: 3");
    // An app that is not valid any more: the same problem, at its line.
    let out = render_both(&repo, &cold, "  meilisearch:\n", "  meilisearch2:\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    render_both(&repo, &cold, "  meilisearch2:\n", "  meilisearch:\n");
    let out = render_both(&repo, &cold, "replicas: 4", "replicas: four");
    assert!(out.stderr.contains("prod.yaml:"), "{}", out.stderr);
    render_both(&repo, &cold, "replicas: four", "replicas: 4");
    assert_check(&repo, "after the renders", 0, "");
    // A committed file changed by hand: the ground is gone, and the whole
    // rendering puts it back.
    let rel = "generated/prod/authentik/deployment-authentik-server.yaml";
    let text = repo.read(rel);
    repo.write(rel, &text.replace("replicas: 2", "replicas: 5"));
    render_both(&repo, &cold, TAG.1, TAG.0);
    assert_eq!(repo.read(rel), cold.read(rel));
    assert_check(&repo, "at the end", 0, "");
}
