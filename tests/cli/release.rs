//! `cfggen images`, `set-image` and `promote` on a copy of the shipped
//! platform: each edit changes exactly the expected bytes (the diff of the
//! edited file is a snapshot) and `cfggen check` passes afterwards.

use crate::support::TestRepo;

fn platform() -> TestRepo {
    TestRepo::shipped()
}

/// Runs a command, then returns the unified diff of every environment
/// file it changed.
fn edit(repo: &TestRepo, args: &[&str]) -> (crate::support::Output, String) {
    let files = [
        "environments/dev.yaml",
        "environments/prod.yaml",
        "environments/bases/platform.yaml",
    ];
    let before: Vec<String> = files.iter().map(|f| repo.read(f)).collect();
    let out = repo.run(args);
    let mut diff = String::new();
    for (f, old) in files.iter().zip(&before) {
        diff.push_str(&cfggen_diff::unified(f, old, &repo.read(f)));
    }
    (out, diff)
}

fn assert_check_passes(repo: &TestRepo) {
    let check = repo.run(&["check"]);
    assert_eq!(
        check.code, 0,
        "check after the edit:\n{}{}",
        check.stdout, check.stderr
    );
}

#[test]
fn images_lists_every_component_and_where_its_image_is_set() {
    let repo = platform();
    let out = repo.run(&["images", "prod"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("images_prod", out.stdout);
    let json = repo.run(&["images", "prod", "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(parsed[2]["component"], "redis");
    assert_eq!(parsed[2]["file"], "environments/bases/platform.yaml");
}

#[test]
fn a_tag_change_edits_one_value() {
    let repo = platform();
    let (out, diff) = edit(&repo, &["set-image", "prod", "authentik", ":v2026.3.0-nix"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("set_image_tag", format!("{}\n{diff}", out.stdout));
    assert_check_passes(&repo);
}

#[test]
fn a_digest_pin_keeps_the_tag() {
    let repo = platform();
    let digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let (out, diff) = edit(&repo, &["set-image", "dev", "authentik", digest]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("set_image_digest", diff);
    assert_check_passes(&repo);
}

#[test]
fn an_image_set_in_the_base_is_changed_there_and_every_user_re_rendered() {
    let repo = platform();
    let (out, diff) = edit(
        &repo,
        &["set-image", "prod", "authentik/redis", ":7.4-alpine"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "note: the image is set in environments/bases/platform.yaml, shared by: dev, prod"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("dev: 1 written") && out.stdout.contains("prod: 1 written"),
        "{}",
        out.stdout
    );
    insta::assert_snapshot!("set_image_base", diff);
    assert_check_passes(&repo);
}

#[test]
fn here_adds_an_override_in_the_environment_file() {
    let repo = platform();
    let (out, diff) = edit(
        &repo,
        &[
            "set-image",
            "prod",
            "authentik/redis",
            ":7.4-alpine",
            "--here",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("set_image_here", diff);
    assert!(
        out.stdout.contains("prod: 1 written") && !out.stdout.contains("dev:"),
        "{}",
        out.stdout
    );
    assert_check_passes(&repo);
}

#[test]
fn an_invalid_reference_or_an_unpinned_tag_changes_nothing() {
    let repo = platform();
    let (out, diff) = edit(
        &repo,
        &[
            "set-image",
            "prod",
            "authentik",
            "registry.example.com/Platform/authentik:v1",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("upper-case"), "{}", out.stderr);
    assert_eq!(diff, "");
    let (out, diff) = edit(&repo, &["set-image", "prod", "authentik", ":latest"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("requires pinned images"),
        "{}",
        out.stderr
    );
    assert_eq!(diff, "");
    let (out, _) = edit(&repo, &["set-image", "prod", "authentk", ":v2"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `authentik`?"),
        "{}",
        out.stderr
    );
    assert_check_passes(&repo);
}

#[test]
fn promote_copies_the_images_of_one_app_or_all() {
    let repo = platform();
    let (out, diff) = edit(&repo, &["promote", "dev", "prod", "authentik", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(diff, "", "a dry run writes nothing");
    insta::assert_snapshot!("promote_dry_run", out.stdout);

    let (out, diff) = edit(&repo, &["promote", "dev", "prod", "authentik"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("promote_one", diff);
    assert_check_passes(&repo);

    // All apps: nothing left to promote now.
    let (out, diff) = edit(&repo, &["promote", "dev", "prod"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("nothing to promote"), "{}", out.stdout);
    assert_eq!(diff, "");
}

#[test]
fn promote_of_all_apps_from_a_fresh_copy() {
    let repo = platform();
    let (out, diff) = edit(&repo, &["promote", "prod", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("promote_all", format!("{}\n{diff}", out.stdout));
    assert_check_passes(&repo);
}
