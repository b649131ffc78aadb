//! The Kubernetes-level lint (`cfggen-lint`, run by `cfggen validate`):
//! one fixture per rule under `tests/fixtures/lint/<rule>/`, each a few
//! files laid over the rendered fixture environment to break that rule,
//! and only that rule.

use std::path::Path;

use crate::support::fixtures;

fn rendered_fixture() -> cfggen_render::RenderedEnv {
    crate::support::render_env(&fixtures().join("valid"), "staging").1
}

fn overlay(env: &mut cfggen_render::RenderedEnv, dir: &Path, prefix: &str) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.path().is_dir() {
            overlay(env, &entry.path(), &rel);
        } else {
            // The lint must read this file's text, not the rendered data.
            env.facts.remove(&rel);
            let text = std::fs::read_to_string(entry.path()).unwrap();
            env.files.insert(rel, cfggen_render::File::Text(text));
        }
    }
}

#[test]
fn the_rendered_fixture_and_shipped_environments_are_clean() {
    for (root, name) in crate::support::rendered_environments() {
        let (_, rendered) = crate::support::render_env(&root, name);
        assert_eq!(
            cfggen_lint::lint(&rendered),
            vec![],
            "{name} of {}",
            root.display()
        );
    }
}

#[test]
fn each_rule_has_a_fixture_that_breaks_it_alone() {
    let rules = [
        "service-selector",
        "probe-port",
        "secret-ref",
        "configmap-ref",
        "ingress-backend",
        "namespace",
        "requests-limits",
        "claim-ref",
    ];
    let mut report = String::new();
    for rule in rules {
        let mut env = rendered_fixture();
        overlay(&mut env, &fixtures().join("lint").join(rule), "");
        let issues = cfggen_lint::lint(&env);
        assert!(!issues.is_empty(), "{rule}: the fixture breaks nothing");
        for i in &issues {
            assert_eq!(i.rule.code(), rule, "{rule}: unexpected finding {i:?}");
            report.push_str(&format!(
                "{rule}: {} {} {}: {}\n",
                i.file, i.resource, i.field, i.message
            ));
        }
    }
    insta::assert_snapshot!("lint_findings", report);
}

#[test]
fn validate_render_and_check_report_lint_findings_with_exit_2() {
    // Requests above limits pass the config schema and the model's rules;
    // the lint of the rendered tree is what catches them.
    let repo = crate::support::TestRepo::copy_of(&fixtures().join("valid"));
    let env = repo.read("environments/staging.yaml");
    repo.write(
        "environments/staging.yaml",
        &env.replace(
            "        replicas: 3",
            "        replicas: 3\n        resources:\n          requests: {memory: 2Gi}\n          limits: {memory: 1Gi}",
        ),
    );
    for args in [&["validate"][..], &["render", "--all"], &["check"]] {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with("requests-limits\n"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("Deployment worker/worker-main"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(
        !repo.path().join("generated").exists(),
        "render must not write"
    );
    insta::assert_snapshot!("lint_validate_stderr", repo.run(&["validate"]).stderr);
}
