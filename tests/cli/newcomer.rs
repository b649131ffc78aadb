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

/// A repository of a base `platform` and the environments `dev` and
/// `prod` extending it, with `base` as the base's apps.
fn extended(base: &str, prod_apps: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "environments/bases/platform.yaml",
        &format!(
            "argocd:\n  repoURL: https://git.example.com/gitops.git\napps:{}\n{base}",
            if base.is_empty() { " {}" } else { "" }
        ),
    );
    for env in ["dev", "prod"] {
        let apps = if env == "prod" { prod_apps } else { "" };
        repo.write(
            &format!("environments/{env}.yaml"),
            &format!(
                "name: {env}\nextends: [platform]\ncluster: {{name: {env}, server: https://kubernetes.default.svc}}\n{apps}"
            ),
        );
    }
    repo
}

/// The same mistake in several components of one app is reported for
/// each in one run, and a problem of the base that both environments
/// share is printed once.
#[test]
fn one_mistake_in_every_component_is_reported_at_once() {
    let mut base =
        String::from("  shop:\n    image: docker.io/traefik/whoami:v1.10.3\n    components:\n");
    for c in ["web", "api", "cart"] {
        base.push_str(&format!(
            "      {c}: {{ports: {{http: 80, metrics: 9090}}}}\n"
        ));
    }
    base.push_str("    services:\n");
    for c in ["web", "api", "cart"] {
        base.push_str(&format!(
            "      {c}: {{component: {c}, ports: [{{port: 80, targetPort: 80}}, {{port: 9090, targetPort: 9090}}]}}\n"
        ));
    }
    let repo = extended(&base, "");
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    for c in ["web", "api", "cart"] {
        assert!(
            out.stderr
                .contains(&format!("field: apps.shop.services.{c}.ports")),
            "{c}\n{}",
            out.stderr
        );
    }
    assert_eq!(
        out.stderr
            .matches("has no name, and the Service has several ports")
            .count(),
        3,
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("newcomer_one_mistake_in_three_components", out.stderr);
}

/// A value serde refuses and a field a refused value's removal leaves
/// missing: only the first is reported (the second is of cfggen's making).
#[test]
fn a_refused_value_is_reported_and_what_its_removal_causes_is_not() {
    let base = "  shop:\n    image: docker.io/traefik/whoami:v1.10.3\n    components:\n      web: {ports: {http: 80, admin: 81}}\n      api: {ports: {http: 80, admin: 81}}\n    services:\n      web: {component: web, ports: [{port: 80}, {port: 81}]}\n";
    let repo = extended(base, "");
    let out = repo.run(&["validate", "dev"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stderr.matches("  × ").count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("field: apps.shop.services.web.ports"),
        "{}",
        out.stderr
    );
}

/// After an app is removed from the base, the override of it left in
/// `prod.yaml` is reported as such, not as an app without an image.
#[test]
fn an_override_of_an_app_no_base_defines_says_so() {
    let base = "  hello:\n    image: docker.io/traefik/whoami:v1.10.3\n    components:\n      web: {ports: {http: 80}}\n";
    let repo = extended(
        "",
        "apps:\n  helo:\n    components:\n      web:\n        replicas: 2\n",
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("has no image"), "{}", out.stderr);
    insta::assert_snapshot!("newcomer_override_without_base", out.stderr);
    // A base that defines a close name: did you mean it?
    let repo = extended(
        base,
        "apps:\n  helo:\n    components:\n      web:\n        replicas: 2\n",
    );
    let out = repo.run(&["validate", "prod"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `hello`?"),
        "{}",
        out.stderr
    );
    // An app the environment defines whole, with its image, is an app.
    let repo = extended(
        "",
        "apps:\n  solo:\n    image: docker.io/traefik/whoami:v1.10.3\n    components:\n      web: {ports: {http: 80}}\n",
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// A pod field the model lacks: the hint lists the fields and names the
/// way out, a patch of the rendered workload.
#[test]
fn an_unknown_pod_field_points_at_a_patch() {
    let base = "  shop:\n    image: docker.io/traefik/whoami:v1.10.3\n    components:\n      web: {ports: {http: 80}, shareProcessNamespace: true}\n";
    let repo = extended(base, "");
    let out = repo.run(&["validate", "dev"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // The hint wraps; its words, in order, name the patch.
    let words = out.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("apps.shop.patches: [{target: {kind: Deployment, name:"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("newcomer_unknown_pod_field", out.stderr);
}
