//! Hostile input and faults: oversized and malicious YAML, paths and links
//! that lead out of the repository, renders killed half-way, concurrent
//! renders, and secrets that must never reach the output.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{fixtures, TestRepo};

/// Runs `validate broken` on `text` as environments/broken.yaml: must fail
/// with exit 2 and the expected code, quickly, without panicking.
fn rejects(text: &str, code: &str) -> String {
    let repo = TestRepo::new();
    repo.write("environments/broken.yaml", text);
    let start = Instant::now();
    let out = repo.run(&["validate", "broken"]);
    let took = start.elapsed();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(code),
        "expected `{code}` in:\n{}",
        out.stderr
    );
    // A guard against hangs, not a benchmark: the limits stop work early.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    out.stderr
}

#[test]
fn a_yaml_bomb_is_refused() {
    let mut bomb =
        String::from("name: broken\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let err = rejects(&bomb, "too-large");
    assert!(err.contains("aliases included"), "{err}");
}

#[test]
fn a_100_mb_file_is_refused_before_it_is_read() {
    let repo = TestRepo::new();
    let path = repo.path().join("environments/broken.yaml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(100 * 1024 * 1024).expect("sparse 100 MB file");
    let out = repo.run(&["validate", "broken"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("is larger than the 16777216 bytes cfggen reads"),
        "{}",
        out.stderr
    );
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!(
        "name: broken\napps: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    rejects(&deep, "too-large");
    let block: String = (0..200)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    rejects(&format!("name: broken\n{block}"), "too-large");
}

#[test]
fn a_1_mb_value_is_refused() {
    let text = format!(
        "name: broken\ndescription: \"{}\"\n",
        "x".repeat(1024 * 1024)
    );
    let err = rejects(&text, "too-large");
    // A position, not a megabyte of snippet.
    assert!(err.len() < 2000, "{} bytes of error", err.len());
    assert!(err.contains("environments/broken.yaml:2:14"), "{err}");
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    let repo = TestRepo::new();
    std::fs::write(
        repo.path().join("environments/broken.yaml"),
        [0xff, 0xfe, 0x00, 0x41, 0x0a],
    )
    .expect("write");
    let out = repo.run(&["validate", "broken"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not-utf8"), "{}", out.stderr);
}

#[test]
fn environment_names_cannot_be_paths() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    for name in [
        "../staging",
        "/etc/passwd",
        "staging/../../x",
        "Staging",
        "",
    ] {
        let out = repo.run(&["render", name]);
        assert_eq!(out.code, 2, "{name:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("unknown-environment"),
            "{name:?}: {}",
            out.stderr
        );
    }
    assert!(!repo.path().join("generated").exists());
}

#[cfg(unix)]
#[test]
fn a_generated_folder_that_is_a_link_is_refused() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let outside = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(outside.path(), repo.path().join("generated")).expect("symlink");
    let out = repo.run(&["render", "staging"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("link-out-of-repository"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).expect("read").count(),
        0,
        "nothing written outside"
    );
}

#[cfg(unix)]
#[test]
fn a_link_inside_generated_is_never_followed() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    assert_eq!(repo.run(&["render", "staging"]).code, 0);
    let outside = tempfile::tempdir().expect("tempdir");
    let victim = outside.path().join("precious.txt");
    std::fs::write(&victim, "keep me\n").expect("write");
    std::os::unix::fs::symlink(&victim, repo.path().join("generated/staging/web/evil.yaml"))
        .expect("symlink");
    for args in [&["render", "staging"][..], &["check"], &["diff", "staging"]] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("is a symbolic link"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("still there"),
        "keep me\n"
    );
}

#[cfg(unix)]
#[test]
fn an_environment_file_linking_out_of_the_repository_is_refused() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("base.yaml");
    std::fs::copy(
        fixtures().join("valid/environments/bases/web.yaml"),
        &target,
    )
    .expect("copy");
    std::fs::remove_file(repo.path().join("environments/bases/web.yaml")).expect("remove");
    std::os::unix::fs::symlink(&target, repo.path().join("environments/bases/web.yaml"))
        .expect("symlink");
    let out = repo.run(&["validate", "staging"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("link-out-of-repository"),
        "{}",
        out.stderr
    );
}

/// A synthetic environment of `apps` apps, with every image at `tag`.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    cfggen_write::read_tree(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

#[cfg(unix)]
#[test]
fn a_render_killed_at_any_moment_leaves_the_old_tree_or_the_new_one() {
    const APPS: usize = 150;
    // The two trees a render may leave, made in other folders.
    let expected: Vec<BTreeMap<String, Vec<u8>>> = ["v1", "v2"]
        .iter()
        .map(|tag| {
            let r = TestRepo::new();
            crate::support::fleet(&r, APPS, tag);
            assert_eq!(r.run(&["render", "fleet"]).code, 0);
            contents(&r.path().join("generated/fleet"))
        })
        .collect();
    assert_ne!(expected[0], expected[1]);

    let repo = TestRepo::new();
    crate::support::fleet(&repo, APPS, "v1");
    assert_eq!(repo.run(&["render", "fleet"]).code, 0);
    // How long a full render takes here, to spread the kills over it.
    crate::support::fleet(&repo, APPS, "v2");
    let start = Instant::now();
    assert_eq!(repo.run(&["render", "fleet"]).code, 0);
    let full = start.elapsed().as_micros().max(1000) as u64;

    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut landed = [0usize; 2];
    for i in 0..40 {
        let tag = if i % 2 == 0 { "v1" } else { "v2" };
        crate::support::fleet(&repo, APPS, tag);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Up to three times a full render: most kills land mid-render,
        // some after it has finished.
        let delay = Duration::from_micros(seed % (3 * full));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cfggen"))
            .env("CFGGEN_CACHE", "off")
            .arg("--root")
            .arg(repo.path())
            .args(["render", "fleet"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = contents(&repo.path().join("generated/fleet"));
        let which = expected.iter().position(|e| *e == now);
        assert!(
            which.is_some(),
            "kill {i} after {delay:?} left a tree that is neither the old nor the new one"
        );
        landed[which.unwrap_or(0)] += 1;
    }
    // The next render finishes the job and cleans up after the killed ones.
    crate::support::fleet(&repo, APPS, "v2");
    let out = repo.run(&["render", "fleet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(contents(&repo.path().join("generated/fleet")), expected[1]);
    let leftovers: Vec<String> = std::fs::read_dir(repo.path().join("generated"))
        .expect("read")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cfggen-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Where the kills landed depends on the machine's speed, so it is
    // shown, not asserted: what is asserted holds wherever they land.
    eprintln!("kills that left v1: {}, v2: {}", landed[0], landed[1]);
}

/// A writer another thread reads while the command runs.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Shared {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn concurrent_renders_of_one_environment_wait_for_each_other() {
    // In the process, with its stderr the command's own: the render says
    // it waits through it (not the process's), and writes nothing until
    // the other writer lets go; no sleep decides the outcome.
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let generated = repo.path().join("generated");
    let lock = cfggen_write::lock_environment(&generated, "staging", |_| {}).expect("lock");
    let err = Shared::default();
    let mut stderr = err.clone();
    let root = repo.path().display().to_string();
    let render = std::thread::spawn(move || {
        let mut stdout = Vec::new();
        let args = ["cfggen", "--root", root.as_str(), "render", "staging"];
        cfggen::run(args, &mut stdout, &mut stderr)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while !err
        .text()
        .contains("waiting: another cfggen is writing generated/staging/")
    {
        assert!(
            !render.is_finished(),
            "done without waiting: {}",
            err.text()
        );
        assert!(
            Instant::now() < deadline,
            "no word of waiting: {}",
            err.text()
        );
        std::thread::yield_now();
    }
    assert!(
        !generated.join("staging").exists(),
        "the render must wait for the lock"
    );
    drop(lock);
    assert_eq!(render.join().expect("the render"), 0, "{}", err.text());
    assert!(generated
        .join("staging/web/deployment-web-app.yaml")
        .is_file());
}

/// Every rendered document of every shipped and fixture environment.
fn all_rendered() -> Vec<(String, serde_json::Value)> {
    let mut docs = Vec::new();
    for (root, env) in crate::support::rendered_environments() {
        let (_, rendered) = crate::support::render_env(&root, env);
        for (path, text) in rendered.texts() {
            let value: serde_json::Value = cfggen_yaml::from_str(text).expect("YAML");
            docs.push((format!("{env}/{path}"), value));
        }
    }
    docs
}

#[test]
fn no_secret_value_can_reach_the_output() {
    let mut checked = 0;
    // The literals under secret-looking names that the rules let through
    // (a path, an object's name, a reviewed `notSecret`), which `cfggen
    // secrets` lists for review: nothing else may reach the output.
    let mut reviewed = std::collections::BTreeSet::new();
    for (root, env) in crate::support::rendered_environments() {
        let (loaded, _) = crate::support::render_env(&root, env);
        for l in cfggen_model::validate::secret_looking_literals(&loaded.environment) {
            reviewed.insert((l.var, l.value));
        }
    }
    assert!(!reviewed.is_empty(), "the fixtures have no such literal");
    for (path, doc) in all_rendered() {
        // Every file is an object with a kind, but the 1Password inventory
        // and the list of what is made elsewhere.
        let kind = doc.get("kind").and_then(|k| k.as_str());
        assert!(
            kind.is_some()
                || path.ends_with("onepassword.yaml")
                || path.ends_with("made-elsewhere.yaml"),
            "{path}: no kind"
        );
        assert_ne!(kind, Some("Secret"), "{path}: cfggen never writes a Secret");
        // ExternalSecret templates may only carry placeholders and names.
        if let Some(data) = doc
            .pointer("/spec/target/template/data")
            .and_then(|d| d.as_object())
        {
            for (key, value) in data {
                let v = value.as_str().unwrap();
                // A template composes secret values from placeholders; the
                // text around them is no credential.
                let literal: String = v
                    .split("{{")
                    .map(|part| part.split_once("}}").map_or(part, |(_, after)| after))
                    .collect();
                assert!(
                    v.contains("{{") || key == "username",
                    "{path}: template key {key} holds a literal"
                );
                assert!(
                    !cfggen_model::validate::looks_like_secret_value(&literal),
                    "{path}: template key {key} holds a credential-looking literal"
                );
            }
        }
        // No literal value for a secret-looking variable, nor a value that
        // looks like a credential.
        let containers = doc
            .pointer("/spec/template/spec/containers")
            .and_then(|c| c.as_array());
        for c in containers.into_iter().flatten() {
            for var in c
                .get("env")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
            {
                let name = var.get("name").and_then(|n| n.as_str()).unwrap();
                if let Some(value) = var.get("value").and_then(|v| v.as_str()) {
                    assert!(
                        !cfggen_model::validate::looks_secret(name)
                            || reviewed.contains(&(name.to_owned(), value.to_owned())),
                        "{path}: {name} has a literal value no rule lets through"
                    );
                    assert!(
                        !cfggen_model::validate::looks_like_secret_value(value),
                        "{path}: {name}"
                    );
                }
                checked += 1;
            }
        }
        // The inventory names references only, or an item by its title
        // where no reference can carry the title.
        for r in doc
            .get("references")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            match r.get("reference").and_then(|v| v.as_str()) {
                Some(reference) => assert!(reference.starts_with("op://"), "{path}: {reference}"),
                None => {
                    let note = r.get("note").and_then(|v| v.as_str()).unwrap_or_default();
                    assert!(note.contains("reads the item by title"), "{path}: {r:?}");
                    let item = r.get("item").and_then(|v| v.as_str()).unwrap_or_default();
                    assert!(
                        !cfggen_model::validate::looks_like_secret_value(item),
                        "{path}: {item}"
                    );
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} env vars looked at");
}

/// Moves `rel` of the repository out into a temporary folder and leaves a
/// link to it in its place; with `marker` written into every YAML file
/// moved, so a test can tell whether cfggen quoted the outside content.
#[cfg(unix)]
fn link_out(repo: &TestRepo, rel: &str, marker: &str) -> tempfile::TempDir {
    let outside = tempfile::tempdir().expect("tempdir");
    let inside = repo.path().join(rel);
    if inside.exists() {
        crate::support::copy_tree(&inside, outside.path());
        std::fs::remove_dir_all(&inside).expect("remove");
    }
    for entry in std::fs::read_dir(outside.path()).expect("read") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read");
            // An unknown key, so that a loader that read the file would
            // quote this very line in its error.
            std::fs::write(&path, format!("{text}\n{marker}: true\n")).expect("write");
        }
    }
    std::os::unix::fs::symlink(outside.path(), &inside).expect("symlink");
    outside
}

#[cfg(unix)]
#[test]
fn a_linked_environments_or_bases_folder_out_of_the_repository_is_never_read() {
    for rel in ["environments", "environments/bases"] {
        let repo = TestRepo::copy_of(&fixtures().join("valid"));
        let marker = "outside-the-repository";
        let _outside = link_out(&repo, rel, marker);
        for args in [
            &["validate", "staging"][..],
            &["render", "staging"],
            &["check"],
        ] {
            let out = repo.run(args);
            assert_eq!(out.code, 2, "{rel} {args:?}: {}", out.stdout);
            assert!(
                out.stderr.contains("link-out-of-repository"),
                "{rel} {args:?}: {}",
                out.stderr
            );
            assert!(
                !out.stderr.contains(marker) && !out.stdout.contains(marker),
                "{rel} {args:?} quotes the outside file: {}",
                out.stderr
            );
        }
        assert!(!repo.path().join("generated").exists(), "{rel}");
    }
}

#[cfg(unix)]
#[test]
fn a_linked_environment_output_folder_out_of_the_repository_is_never_touched() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    assert_eq!(repo.run(&["render", "staging"]).code, 0);
    let outside = link_out(&repo, "generated/staging", "unused");
    let before = contents(outside.path());
    for args in [&["render", "staging"][..], &["diff", "staging"], &["check"]] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("outside the repository")
                || out.stdout.contains("outside the repository"),
            "{args:?}: {}{}",
            out.stdout,
            out.stderr
        );
    }
    assert_eq!(
        contents(outside.path()),
        before,
        "the outside folder is untouched"
    );
}

#[cfg(unix)]
#[test]
fn a_linked_schemas_folder_out_of_the_repository_is_never_written() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let outside = link_out(&repo, "schemas", "unused");
    let out = repo.run(&["schema"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("link-out-of-repository"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(outside.path()).expect("read").count(), 0);
}

/// The secret every path of the battery below plants: a literal under a
/// secret-looking name that no rule lets through.
const PLANTED: &str = "Pl4nted-S3cret-v4lue";

/// A small environment of one app, `web`, with `extra` under the app and
/// `apps_extra` beside it.
fn leak_env(extra: &str, apps_extra: &str) -> String {
    format!(
        "name: leak\ncluster: {{name: lab, server: https://k8s.example.com:6443}}\n\
         argocd: {{repoURL: https://git.example.com/platform/gitops.git}}\n\
         apps:\n  web:\n    image: docker.io/library/nginx:1.27\n    components:\n      main:\n        ports: {{http: 80}}\n{extra}{apps_extra}"
    )
}

/// Every file under `dir` of the repository, path → text.
fn tree(repo: &TestRepo, dir: &str) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(repo.path(), &repo.path().join(dir), &mut out);
    out
}

/// Asserts a run refused the secret: exit 2, an error located at `at`
/// (`file:line:` or the snippet's `[file:line:`), and the value on no
/// output stream.
fn refused(out: &crate::support::Output, at: &str, what: &str) {
    assert_eq!(out.code, 2, "{what}: {}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(at),
        "{what}: no error at {at}:\n{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains(PLANTED) && !out.stderr.contains(PLANTED),
        "{what}: the value was shown:\n{}{}",
        out.stdout,
        out.stderr
    );
}

/// A path of the battery: its name, what goes under the app, what goes
/// beside it, a file it reads, and where the error must be.
type Planted<'a> = (&'a str, String, String, Option<(&'a str, String)>, &'a str);

#[test]
fn a_secret_planted_on_any_path_is_refused_and_never_written() {
    let deployment = |env: &str| {
        format!(
            "    manifests:\n      - inline:\n          apiVersion: apps/v1\n          kind: Deployment\n          metadata: {{name: raw}}\n          spec:\n            selector: {{matchLabels: {{app: raw}}}}\n            template:\n              metadata: {{labels: {{app: raw}}}}\n              spec: {{containers: [{{name: raw, image: docker.io/library/nginx:1.27, env: [{env}]}}]}}\n"
        )
    };
    let chart = |values: &str| {
        format!("  chart:\n    namespace: chart\n    helm:\n      repoURL: https://charts.example.com\n      chart: thing\n      version: 1.2.3\n{values}")
    };
    // (path, what goes under the app, what goes beside it, a file, where the error is)
    let paths: Vec<Planted> = vec![
        ("typed env", format!("        env: {{DB_PASSWORD: {PLANTED}}}\n"), String::new(), None, "leak.yaml:10:"),
        ("typed args", format!("        args: [--password, {PLANTED}]\n"), String::new(), None, "leak.yaml:10:"),
        ("raw env", deployment(&format!("{{name: DB_PASSWORD, value: {PLANTED}}}")), String::new(), None, "leak.yaml:19:"),
        (
            "raw ConfigMap",
            format!("    manifests:\n      - inline: {{apiVersion: v1, kind: ConfigMap, metadata: {{name: raw}}, data: {{API_TOKEN: {PLANTED}}}}}\n"),
            String::new(),
            None,
            "leak.yaml:11:",
        ),
        (
            "patch",
            format!("    patches:\n      - target: {{kind: Deployment, name: web-main}}\n        merge: {{spec: {{template: {{spec: {{containers: [{{name: main, env: [{{name: DB_PASSWORD, value: {PLANTED}}}]}}]}}}}}}}}\n"),
            String::new(),
            None,
            "leak.yaml:12:",
        ),
        ("Helm values", String::new(), chart(&format!("      values: {{auth: {{password: {PLANTED}}}}}\n")), None, "leak.yaml:16:"),
        (
            "Helm valuesFile",
            String::new(),
            chart("      valuesFile: environments/files/values.yaml\n"),
            Some(("environments/files/values.yaml", format!("replicas: 2\nauth:\n  password: {PLANTED}\n"))),
            "values.yaml:3:",
        ),
        (
            "ConfigMap from a file",
            "    configMaps:\n      settings: {files: [environments/files/app.env]}\n".into(),
            String::new(),
            Some(("environments/files/app.env", format!("LOG_LEVEL=info\nDB_PASSWORD={PLANTED}\n"))),
            "app.env:2:",
        ),
    ];
    for (what, extra, beside, file, at) in paths {
        let repo = TestRepo::new();
        repo.write("environments/leak.yaml", &leak_env("", ""));
        assert_eq!(
            repo.run(&["render", "leak"]).code,
            0,
            "{what}: the clean environment"
        );
        let before = tree(&repo, "generated");
        if let Some((rel, text)) = &file {
            repo.write(rel, text);
        }
        repo.write("environments/leak.yaml", &leak_env(&extra, &beside));
        for args in [
            &["render", "leak"][..],
            &["check"],
            &["validate", "leak"],
            &["diff", "leak"],
        ] {
            refused(&repo.run(args), at, &format!("{what}, {}", args[0]));
        }
        let after = tree(&repo, "generated");
        assert_eq!(before, after, "{what}: generated/ changed");
        assert!(
            after.values().all(|t| !t.contains(PLANTED)),
            "{what}: written"
        );
    }
}

#[test]
fn import_moves_a_planted_secret_out_instead_of_copying_it() {
    let input = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - name: web\n        image: docker.io/library/nginx:1.27\n        env:\n        - {{name: DB_PASSWORD, value: {PLANTED}}}\n        - name: API_TOKEN\n          valueFrom: {{configMapKeyRef: {{name: web-config, key: API_TOKEN}}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web-config, namespace: shop}}\ndata: {{API_TOKEN: {PLANTED}x, LOG: info}}\n"
    );
    let repo = TestRepo::new();
    repo.write(
        "environments/bases/platform.yaml",
        "argocd: {repoURL: https://git.example.com/platform/gitops.git}\nonepassword: {vault: platform, store: {name: onepassword, provider: onepassword}}\napps: {}\n",
    );
    repo.write(
        "environments/leak.yaml",
        "name: leak\nextends: [platform]\ncluster: {name: lab, server: https://k8s.example.com:6443}\n",
    );
    repo.write("in/app.yaml", &input);
    let envs = tree(&repo, "environments");
    for args in [
        &["import", "leak", "in/app.yaml"][..],
        &["import", "leak", "in/app.yaml", "--dry-run"],
    ] {
        let out = repo.run_in(repo.path(), &[&["--color", "never"][..], args].concat());
        refused(&out, "in/app.yaml:13:", args.last().unwrap_or(&""));
        assert!(out.stderr.contains("in/app.yaml:20:"), "{}", out.stderr);
        assert_eq!(tree(&repo, "environments"), envs, "environments/ changed");
    }
    // Moved out: the values become 1Password references to create.
    let out = repo.run_in(
        repo.path(),
        &[
            "--color",
            "never",
            "import",
            "leak",
            "in/app.yaml",
            "--skip-secrets",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "op://platform/shop/db-password  <- DB_PASSWORD of Deployment web (in/app.yaml:13:"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "op://platform/shop/API_TOKEN  <- API_TOKEN of ConfigMap web-config (in/app.yaml:20:"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(PLANTED) && !out.stderr.contains(PLANTED));
    let render = repo.run(&["render", "leak"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    for dir in ["environments", "generated"] {
        for (path, text) in tree(&repo, dir) {
            assert!(!text.contains(PLANTED), "{path} holds the value");
        }
    }
    let secrets = repo.run(&["secrets", "leak"]);
    assert!(
        secrets
            .stdout
            .contains("<- env DB_PASSWORD of Deployment shop/web"),
        "{}",
        secrets.stdout
    );
}
