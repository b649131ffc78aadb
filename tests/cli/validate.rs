//! `cfggen validate` on valid repositories, and its command-line behaviour.

use crate::support::{fixtures, TestRepo};

#[test]
fn shipped_environments_validate() {
    let repo_env = TestRepo::shipped();
    let out = repo_env.run(&["validate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("ok dev:"), "{}", out.stdout);
    assert!(out.stdout.contains("ok prod:"), "{}", out.stdout);
    let all = repo_env.run(&["validate", "--all"]);
    assert_eq!(all.code, 0);
    assert_eq!(all.stdout, out.stdout);
}

#[test]
fn valid_fixture_validates_and_lists_its_files() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let out = repo.run(&["validate", "staging"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout, @"ok staging: 2 apps, 1 postgres cluster (environments/staging.yaml + environments/bases/common.yaml + environments/bases/web.yaml)");
}

#[test]
fn unknown_environment_is_an_error_with_a_suggestion() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let out = repo.run(&["validate", "stagign"]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn one_bad_environment_does_not_hide_the_others() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    repo.write(
        "environments/zz-broken.yaml",
        "name: zz-broken\nextends: [common]\nclustr: {}\n",
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("ok staging:"), "{}", out.stdout);
    assert!(
        out.stderr.contains("error: invalid: zz-broken (1 problem)"),
        "{}",
        out.stderr
    );
}

#[test]
fn root_is_found_by_walking_up() {
    let repo = TestRepo::copy_of(&fixtures().join("valid"));
    let deep = repo.path().join("environments/bases");
    let out = repo.run_in(&deep, &["validate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let repo = TestRepo::new();
    let out = repo.run_in(dir.path(), &["validate"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no cfggen repository here"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_arguments_exit_2() {
    let repo = TestRepo::new();
    let out = repo.run(&["validate", "--bogus"]);
    assert_eq!(out.code, 2);
    let out = repo.run(&["frobnicate"]);
    assert_eq!(out.code, 2);
}

#[test]
fn a_crd_file_that_is_not_yaml_is_an_error_at_its_line() {
    // Its definitions would be missing without a word, and the custom
    // resources of its kinds then reported as kinds with no CRD.
    let repo = TestRepo::new();
    let base = std::fs::read_to_string(fixtures().join("invalid/bases/base.yaml")).unwrap();
    repo.write("environments/bases/base.yaml", &base);
    repo.write(
        "crds/tailscale.com_connectors.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: connectors.tailscale.com\nspec: [\n",
    );
    repo.write(
        "environments/broken.yaml",
        "name: broken\nextends: [base]\napps:\n  web:\n    manifests:\n      - inline:\n          apiVersion: tailscale.com/v1alpha1\n          kind: Connector\n          metadata: {name: web-exit}\n          spec: {exitNode: true}\n",
    );
    let out = repo.run(&["validate", "broken"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("crds/tailscale.com_connectors.yaml:5:8"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("crd_file_not_yaml", out.stderr);
}
