//! What a newcomer writes first: `tests/fixtures/newcomer`, an 11-service
//! shop with no secrets and no database in the fewest lines the format
//! allows (`dev`), and the same shop written with Kubernetes habits
//! (`habits`).

use crate::render::tree;
use crate::support::{fixtures, TestRepo};

fn repo() -> TestRepo {
    TestRepo::copy_of(&fixtures().join("newcomer"))
}

/// The rendered files of one folder, without their header line (which
/// names the environment file).
fn bodies(repo: &TestRepo, folder: &str) -> Vec<(String, String)> {
    tree(&repo.path().join(folder))
        .into_iter()
        .map(|(path, (bytes, _))| {
            let text = String::from_utf8(bytes).unwrap();
            let body = text.split_once('\n').map_or("", |(_, b)| b).to_owned();
            (path, body)
        })
        .collect()
}

#[test]
fn golden_render_of_the_shortest_shop() {
    let repo = repo();
    let out = repo.run(&["render", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let files = tree(&repo.path().join("generated/dev"));
    // Nothing reads 1Password, so there are no 1Password settings and no
    // inventory.
    assert!(
        !files.contains_key("onepassword.yaml"),
        "{:?}",
        files.keys()
    );
    let all: String = files
        .iter()
        .map(|(path, (bytes, _))| format!("--- {path}\n{}", String::from_utf8_lossy(bytes)))
        .collect();
    // Every app takes the environment's namespace; images stay as written.
    assert!(!all.contains("namespace: boutique"), "{all}");
    assert!(all.contains("- image: redis:7.2-alpine\n"), "{all}");
    let config = repo.read("environments/dev.yaml");
    let config_lines = config
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .count();
    let rendered_lines = all.lines().count();
    assert!(
        config_lines * 8 < rendered_lines,
        "{config_lines} lines of config for {rendered_lines} rendered lines"
    );
    insta::assert_snapshot!("render_newcomer_dev_tree", all);
}

#[test]
fn kubernetes_habits_render_the_same_objects() {
    let repo = repo();
    assert_eq!(repo.run(&["render", "--all"]).code, 0);
    let short = bodies(&repo, "generated/dev/boutique");
    let habits = bodies(&repo, "generated/habits/boutique");
    assert_eq!(short.len(), 23);
    assert_eq!(short, habits);
}

#[test]
fn secrets_lists_the_literals_under_secret_looking_names() {
    let repo = repo();
    let out = repo.run(&["secrets", "habits"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("secrets_habits_literals", out.stdout);
    // And the shop reads nothing from 1Password at all.
    let out = repo.run(&["secrets", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "dev reads nothing from 1Password\n");
}

#[test]
fn the_readme_example_renders() {
    let readme = std::fs::read_to_string(crate::support::workspace().join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n# environments/dev.yaml\n")
        .expect("the README's environment section opens with a complete example");
    let body = &readme[start + "```yaml\n".len()..];
    let example = &body[..body.find("```").unwrap()];
    let repo = TestRepo::new();
    repo.write("environments/dev.yaml", example);
    let out = repo.run(&["render", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let service = repo.read("generated/dev/boutique/service-cart.yaml");
    assert!(service.contains("port: 7070"), "{service}");
    assert!(service.contains("targetPort: grpc"), "{service}");
    let redis = repo.read("generated/dev/boutique/deployment-boutique-redis.yaml");
    assert!(redis.contains("image: redis:7.2-alpine"), "{redis}");
    assert!(redis.contains("namespace: shop"), "{redis}");
}
