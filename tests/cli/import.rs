//! `cfggen import` on a corpus of real manifests (`tests/fixtures/import`,
//! each file's source and licence in its SOURCES.md), into a repository
//! made by `cfggen init`: what becomes typed, what stays raw and why, the
//! round trip, idempotence, and the input errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::support::{fixtures, workspace, Output, TestRepo};

/// A repository made by `cfggen init`, with the CRDs of the operators the
/// corpus uses: the project's own (`crds/`), the corpus's
/// (`tests/fixtures/import/crds`, sources in its SOURCES.md) and the
/// upstream ones beside the repository (`../shared/crds`, read there,
/// copied only into the temporary repository).
pub(crate) struct Fresh {
    _parent: TestRepo,
    pub(crate) root: PathBuf,
}

impl Fresh {
    pub(crate) fn new(with_shared_crds: bool) -> Option<Fresh> {
        let parent = TestRepo::new();
        let out = parent.run_in(parent.path(), &["init", "repo"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let root = parent.path().join("repo");
        let crds = root.join("crds");
        std::fs::create_dir_all(&crds).unwrap();
        let shared = workspace().join("../shared/crds");
        let mut dirs = vec![workspace().join("crds")];
        if with_shared_crds {
            dirs.push(fixtures().join("import/crds"));
            if !crate::support::available(shared.is_dir(), "../shared/crds (beside the repository)")
            {
                return None;
            }
            dirs.push(shared);
        }
        for dir in dirs {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "yaml") {
                    std::fs::copy(e.path(), crds.join(e.file_name())).unwrap();
                }
            }
        }
        Some(Fresh {
            _parent: parent,
            root,
        })
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self._parent.run_in(&self.root, args)
    }

    /// Declares the environment's 1Password store: the ClusterSecretStore
    /// `store` of a 1Password Connect server that serves `vault`.
    pub(crate) fn with_onepassword(self, vault: &str, store: &str) -> Fresh {
        let path = self.root.join("environments/dev.yaml");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!(
            "onepassword:\n  vault: {vault}\n  store: {{name: {store}, provider: onepassword}}\n"
        ));
        std::fs::write(&path, text).unwrap();
        self
    }

    fn env(&self) -> String {
        std::fs::read_to_string(self.root.join("environments/dev.yaml")).unwrap()
    }
}

/// The apps the corpus began with, which import, render and check clean
/// together (the whole corpus, with its results, is `corpus.rs`'s).
const FIRST_APPS: &[&str] = &[
    "actions-runners",
    "adservice",
    "blackbox-exporter",
    "cartservice",
    "cassandra",
    "checkoutservice",
    "cnpg-database",
    "cnpg-roles-with-secret",
    "currencyservice",
    "emailservice",
    "eso-onepassword-sdk",
    "frontend",
    "keycloak-postgres",
    "loadgenerator",
    "node-exporter",
    "onepassword-connect",
    "openebs-zfs",
    "paymentservice",
    "podinfo",
    "podinfo-database",
    "productcatalogservice",
    "prometheus-frontend",
    "recommendationservice",
    "shippingservice",
    "tf-serving",
];

/// The corpus's first app folders, sorted.
fn corpus() -> Vec<(String, PathBuf)> {
    let dir = fixtures().join("import");
    let mut apps: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir() && FIRST_APPS.contains(&&*e.file_name().to_string_lossy()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    apps.sort();
    apps
}

/// Output with the corpus's absolute paths made relative, for snapshots.
fn relative(text: &str) -> String {
    let prefix = format!("{}/", fixtures().join("import").display());
    text.replace(&prefix, "tests/fixtures/import/")
}

/// The `round trip: A of B` counts of an import's report.
/// The round trip of every app and cluster of a report, added up.
fn round_trip(stdout: &str) -> Option<(usize, usize)> {
    let mut sum = None;
    for line in stdout.lines().filter(|l| l.contains("round trip: ")) {
        let rest = line.split("round trip: ").nth(1)?;
        let mut words = rest.split_whitespace();
        let same: usize = words.next()?.parse().ok()?;
        let total: usize = words.nth(1)?.parse().ok()?;
        let (s, t) = sum.unwrap_or((0, 0));
        sum = Some((s + same, t + total));
    }
    sum
}

#[test]
fn the_corpus_imports_renders_and_round_trips() {
    // The store the corpus's homelab apps read.
    // The CRDs of its custom resources are those cfggen carries.
    let Some(repo) =
        Fresh::new(false).map(|f| f.with_onepassword("kubernetes-home-ops", "onepassword"))
    else {
        return;
    };
    let apps = corpus();
    assert!(apps.len() >= 20, "only {} apps in the corpus", apps.len());
    let mut table = String::new();
    let mut round_tripped = 0;
    let mut typed = 0;
    for (name, path) in &apps {
        let path = path.display().to_string();
        // Only apps whose round trip is clean are written, so that the
        // environment renders and checks clean after.
        let args = vec!["import", "dev", &path, "--app", name];
        let mut out = repo.run(&[args.as_slice(), &["--dry-run"]].concat());
        if out.code == 0 {
            out = repo.run(&args);
        }
        if name == "actions-runners" {
            // Its ExternalSecrets read the environment's 1Password store.
            assert!(
                out.stdout
                    .contains("typed  ExternalSecret github-org-token → secrets.github-org-token"),
                "{}",
                out.stdout
            );
        }
        let line = match out.code {
            0 | 1 => {
                let (same, total) = round_trip(&out.stdout)
                    .unwrap_or_else(|| panic!("{name}: no round trip\n{}", out.stdout));
                let summary = out
                    .stdout
                    .lines()
                    .filter(|l| l.starts_with("app ") || l.starts_with("postgres cluster "))
                    .collect::<Vec<_>>()
                    .join("; ");
                typed += out
                    .stdout
                    .lines()
                    .filter(|l| l.starts_with("  typed "))
                    .count();
                if out.code == 0 {
                    assert_eq!(
                        same, total,
                        "{name}: exit 0 with differences\n{}",
                        out.stdout
                    );
                    round_tripped += 1;
                } else {
                    assert!(
                        same < total || out.stdout.contains("the input's own problems"),
                        "{name}: exit 1 without a difference\n{}",
                        out.stdout
                    );
                }
                format!(
                    "{name}: exit {}, {summary}; {same} of {total} objects the same",
                    out.code
                )
            }
            _ => {
                // Bad input is an error at its file and line.
                let first = relative(out.stderr.lines().next().unwrap_or_default());
                assert!(
                    first.starts_with("error: tests/fixtures/import/") && first.contains(".yaml:"),
                    "{name}: {}",
                    out.stderr
                );
                format!("{name}: exit 2, {first}")
            }
        };
        table.push_str(&line);
        table.push('\n');
    }
    assert!(
        round_tripped >= 23,
        "{round_tripped} apps round-trip\n{table}"
    );
    assert!(typed >= 62, "only {typed} objects typed\n{table}");
    insta::assert_snapshot!("import_corpus", table);

    // Every app written renders, and the repository checks clean.
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // Importing again is refused without --replace, and with it gives the
    // same file.
    let before = repo.env();
    let (name, path) = &apps[1];
    let again = repo.run(&["import", "dev", &path.display().to_string(), "--app", name]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again
            .stderr
            .contains(&format!("already has an app `{name}`")),
        "{}",
        again.stderr
    );
    for (name, path) in &apps {
        let path = path.display().to_string();
        if repo.env().contains(&format!("\n  {name}:\n")) {
            let out = repo.run(&["import", "dev", &path, "--app", name, "--replace"]);
            assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        }
    }
    assert_eq!(
        repo.env(),
        before,
        "a second import with --replace changed the file"
    );
}

/// The hand-written Authentik deployment beside the repository
/// (`../shared/reference/blumeops-authentik`, GPL: read there, never
/// copied): what of it becomes typed, and its round trip.
#[test]
#[ignore = "reads ../shared/reference beside the repository; .ci/run runs it"]
fn the_reference_deployment_imports_and_round_trips() {
    let dir = workspace().join("../shared/reference/blumeops-authentik");
    if !crate::support::available(dir.is_dir(), "../shared/reference (beside the repository)") {
        return;
    }
    let Some(repo) =
        Fresh::new(true).map(|f| f.with_onepassword("blumeops", "onepassword-blumeops"))
    else {
        return;
    };
    let mut args = vec!["import".to_owned(), "dev".to_owned()];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        // kustomization.yaml is kustomize's, not a Kubernetes object; the
        // Argo CD Application is one cfggen renders itself (import keeps it
        // raw, with why).
        .filter(|p| {
            p.extension().is_some_and(|x| x == "yaml")
                && !p.ends_with("kustomization.yaml")
                && !p.ends_with("argocd-app-authentik.yaml")
        })
        .collect();
    files.sort();
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = repo.run(&args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let report = out.stdout.replace(
        &format!("{}/", dir.display()),
        "../shared/reference/blumeops-authentik/",
    );
    insta::assert_snapshot!("import_reference_report", report);
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// A Role whose typed form the rules refuse (a verb cfggen does not know)
/// stays raw with its binding; the account it is bound to stays typed.
#[test]
fn a_refused_role_leaves_its_account_typed() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reader, namespace: ops}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, namespace: ops}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get, frobnicate]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader, namespace: ops}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects: [{kind: ServiceAccount, name: reader, namespace: ops}]\n";
    std::fs::write(repo.root.join("rbac.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "rbac.yaml", "--dry-run"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for line in [
        "typed  ServiceAccount reader → serviceAccounts.reader",
        "raw    Role reader: cfggen's rules refuse its typed form: `frobnicate`",
        "raw    RoleBinding reader: cfggen's rules refuse its typed form: `frobnicate`",
    ] {
        assert!(out.stdout.contains(line), "{line}\n{}", out.stdout);
    }
}

#[test]
fn typed_form_of_a_hardened_microservice() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let path = fixtures().join("import/checkoutservice");
    let out = repo.run(&[
        "import",
        "dev",
        &path.display().to_string(),
        "--app",
        "checkout",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    insta::assert_snapshot!("import_checkout_report", relative(&out.stdout));
    let env = repo.env();
    let apps = &env[env.find("apps:").unwrap()..];
    insta::assert_snapshot!("import_checkout_apps", apps);
    // The same comparison by hand, for a migration: the environment
    // against the manifests it replaces, and against others.
    let same = repo.run(&["diff", "dev", "--against", &path.display().to_string()]);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert!(
        same.stdout
            .contains("round trip: 3 of 3 objects render the same"),
        "{}",
        same.stdout
    );
    let other = fixtures().join("import/adservice").display().to_string();
    let differs = repo.run(&["diff", "dev", "--against", &other]);
    assert_eq!(differs.code, 1, "{}{}", differs.stdout, differs.stderr);
    assert!(
        differs.stdout.contains("Deployment adservice"),
        "{}",
        differs.stdout
    );
    assert!(
        differs.stdout.contains("not rendered"),
        "{}",
        differs.stdout
    );
}

#[test]
fn a_dry_run_writes_nothing_and_stdin_is_read() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let before = repo.env();
    let text = std::fs::read_to_string(fixtures().join("import/adservice/adservice.yaml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cfggen"))
        .env("CFGGEN_CACHE", "off")
        .current_dir(&repo.root)
        .args(["--color", "never", "import", "dev", "-", "--dry-run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No namespace in the input: one app, `default`.
    assert!(
        stdout.starts_with("app default (namespace default): 3 typed, 0 raw"),
        "{stdout}"
    );
    assert!(
        stdout.contains("dry run: environments/dev.yaml not written"),
        "{stdout}"
    );
    assert_eq!(repo.env(), before);
}

fn input_error(repo: &Fresh, file: &str, text: &str, extra: &[&str]) -> String {
    let path = repo.root.join(file);
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["import", "dev", file];
    args.extend_from_slice(extra);
    let out = repo.run(&args);
    assert_eq!(out.code, 2, "{file}: {}", out.stdout);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    out.stderr
}

#[test]
fn every_input_error_names_its_file_and_line() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let before = repo.env();
    let mut all = String::new();
    for (file, text) in [
        ("not-yaml.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a\n"),
        ("not-an-object.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n"),
        ("no-kind.yaml", "apiVersion: v1\nmetadata: {name: a}\n"),
        ("secret.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: hunter2}\n"),
        ("application.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec: {project: default}\n"),
    ] {
        all.push_str(&format!("--- {file}\n{}", input_error(&repo, file, text, &[])));
    }
    insta::assert_snapshot!("import_input_errors", all);
    // Nothing was written.
    assert_eq!(repo.env(), before);
    // --skip-secrets moves the values to 1Password references, which
    // needs the environment's store (hostile.rs moves them through one).
    let out = repo.run(&["import", "dev", "secret.yaml", "--skip-secrets"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("secret.yaml:5:1: --skip-secrets moves secret values into 1Password references, and the environment declares no 1Password store"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

/// Written for this test (not from the corpus): a web app with an Ingress,
/// a nightly CronJob, a one-off Job and its ConfigMap.
const SHOP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: report-script, namespace: shop}
data:
  report.sh: |
    #!/bin/sh
    echo report
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ghcr.io/example/web:1.4.2
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {cert-manager.io/cluster-issuer: letsencrypt}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: web-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly-report, namespace: shop}
spec:
  schedule: "15 3 * * *"
  concurrencyPolicy: Forbid
  suspend: false
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: ghcr.io/example/report:2.0.0
            command: [/scripts/report.sh]
            volumeMounts: [{name: scripts, mountPath: /scripts}]
          volumes:
          - name: scripts
            configMap: {name: report-script, defaultMode: 0755}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  ttlSecondsAfterFinished: 3600
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - {name: migrate, image: "ghcr.io/example/web:1.4.2", args: [migrate]}
"#;

#[test]
fn jobs_cron_jobs_and_ingresses_are_typed() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    std::fs::write(repo.root.join("shop.yaml"), SHOP).unwrap();
    let out = repo.run(&["import", "dev", "shop.yaml"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .starts_with("app shop (namespace shop): 6 typed, 0 raw"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("round trip: 6 of 6 objects render the same"),
        "{}",
        out.stdout
    );
    let env = repo.env();
    insta::assert_snapshot!("import_shop_apps", &env[env.find("apps:").unwrap()..]);
    // The mode `0755` is octal, as Kubernetes reads it, and written so.
    assert!(env.contains("defaultMode: '0755'"), "{env}");
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// A CloudNativePG cluster, the ExternalSecret cfggen would write for a
/// role's password, a role whose password Secret is made elsewhere and a
/// Database under its own name → one `postgres` entry, which renders
/// back to the same objects.
#[test]
fn a_cloudnativepg_cluster_its_roles_and_databases_become_a_postgres_entry() {
    let Some(repo) = Fresh::new(false).map(|f| f.with_onepassword("ops", "onepassword-ops")) else {
        return;
    };
    let text = r#"apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: main-pg, namespace: databases}
spec:
  instances: 3
  imageName: ghcr.io/cloudnative-pg/postgresql:18.3
  storage: {size: 20Gi, storageClass: fast}
  postgresql:
    parameters: {max_connections: "200"}
    synchronous: {method: any, number: 1}
  bootstrap:
    initdb: {database: app, owner: app}
  managed:
    roles:
    - name: keycloak
      login: true
      passwordSecret: {name: main-pg-keycloak}
    - name: grafana_reader
      login: true
      inRoles: [pg_read_all_data]
      connectionLimit: 10
      passwordSecret: {name: grafana-reader-credentials}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: main-pg-keycloak, namespace: databases}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: ClusterSecretStore, name: onepassword-ops}
  target:
    name: main-pg-keycloak
    creationPolicy: Owner
    template:
      type: kubernetes.io/basic-auth
      data: {username: keycloak, password: "{{ .password }}"}
  data:
  - secretKey: password
    remoteRef: {key: Keycloak, property: database-password}
---
apiVersion: postgresql.cnpg.io/v1
kind: Database
metadata: {name: keycloak-db, namespace: databases}
spec:
  name: keycloak
  owner: keycloak
  cluster: {name: main-pg}
  extensions: [{name: pg_trgm, ensure: present}]
"#;
    std::fs::write(repo.root.join("pg.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "pg.yaml"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    insta::assert_snapshot!("import_postgres_report", out.stdout);
    let env = repo.env();
    let entry = &env[env.find("postgres:\n  main-pg:").unwrap()..];
    insta::assert_snapshot!("import_postgres_entry", entry);
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    // Imported again: refused, then the same file with --replace.
    let again = repo.run(&["import", "dev", "pg.yaml"]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again
            .stderr
            .contains("already has a postgres cluster `main-pg`"),
        "{}",
        again.stderr
    );
    let replaced = repo.run(&["import", "dev", "pg.yaml", "--replace"]);
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    assert_eq!(repo.env(), env);
}

/// A Database whose owner's password the app's own secret reads (one
/// 1Password item and field) becomes the app's `database`.
#[test]
fn a_database_whose_password_an_app_reads_becomes_the_apps_database() {
    let Some(repo) = Fresh::new(false).map(|f| f.with_onepassword("ops", "onepassword-ops")) else {
        return;
    };
    let es = |name: &str, ns: &str, template: &str, data: &str| {
        format!("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  secretStoreRef: {{kind: ClusterSecretStore, name: onepassword-ops}}\n  target:\n{template}  data:\n{data}")
    };
    let text = [
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: main-pg, namespace: databases}\nspec:\n  storage: {size: 20Gi}\n  managed:\n    roles:\n    - {name: keycloak, login: true, createdb: true, passwordSecret: {name: main-pg-keycloak}}\n".to_owned(),
        es(
            "main-pg-keycloak",
            "databases",
            "    template:\n      type: kubernetes.io/basic-auth\n      data: {username: keycloak, password: \"{{ .password }}\"}\n",
            "  - {secretKey: password, remoteRef: {key: Keycloak, property: database-password}}\n",
        ),
        "apiVersion: postgresql.cnpg.io/v1\nkind: Database\nmetadata: {name: main-pg-keycloak, namespace: databases}\nspec: {name: keycloak, owner: keycloak, cluster: {name: main-pg}}\n".to_owned(),
        es(
            "keycloak-config",
            "keycloak",
            "",
            "  - {secretKey: KC_DB_PASSWORD, remoteRef: {key: Keycloak, property: database-password}}\n  - {secretKey: KC_ADMIN_PASSWORD, remoteRef: {key: Keycloak, property: admin-password}}\n",
        ),
    ]
    .join("---\n");
    std::fs::write(repo.root.join("pg.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "pg.yaml"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    insta::assert_snapshot!("import_app_database_report", out.stdout);
    let env = repo.env();
    let entry = &env[env.find("  keycloak:\n    secrets:").unwrap()..];
    insta::assert_snapshot!("import_app_database_entry", entry);
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// A custom resource whose CRD neither the repository nor cfggen has
/// stays raw and unchecked: import says so, `render` and `check` pass
/// with a warning at its line, and `uncheckedKinds: error` refuses it. A
/// CRD in the input is the schema of the custom resources beside it; a
/// kind cfggen carries the CRD of (Gateway API) is checked.
#[test]
fn a_kind_without_a_schema_stays_raw_unchecked_with_a_warning() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gadgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Gadget, plural: gadgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {type: object, properties: {size: {type: integer}}}\n";
    let input = format!(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w, namespace: shop}}\nspec: {{size: 3}}\n---\n{crd}---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {{name: g, namespace: shop}}\nspec: {{size: 3}}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r, namespace: shop}}\nspec:\n  parentRefs: [{{name: gw}}]\n"
    );
    std::fs::write(repo.root.join("in.yaml"), &input).unwrap();
    let out = repo.run(&["import", "dev", "in.yaml", "--app", "shop"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("raw    Widget w: cfggen has no typed form for a Widget (unchecked: cfggen has no schema for its kind)"),
        "{}",
        out.stdout
    );
    for checked in ["Gadget g", "HTTPRoute r"] {
        let line = out.stdout.lines().find(|l| l.contains(checked)).unwrap();
        assert!(!line.contains("unchecked"), "{line}");
    }
    for command in [&["render", "dev"][..], &["check"], &["validate", "dev"]] {
        let run = repo.run(command);
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("cfggen has no schema for example.com/v1 Widget")
                && run
                    .stderr
                    .contains("warning: 1 warning (unchecked-kind); nothing was refused"),
            "{command:?}: {}",
            run.stderr
        );
    }
    // The CRD in the input checks its Gadget: a misspelt field is an error.
    let env = repo.env();
    std::fs::write(
        repo.root.join("environments/dev.yaml"),
        env.replace("size: 3\n", "sise: 3\n"),
    )
    .unwrap();
    let run = repo.run(&["validate", "dev"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`spec.sise` is not a field of example.com/v1 Gadget"),
        "{}",
        run.stderr
    );
    // A team that wants every object checked says so.
    std::fs::write(
        repo.root.join("environments/dev.yaml"),
        format!("{env}uncheckedKinds: error\n"),
    )
    .unwrap();
    let run = repo.run(&["validate", "dev"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("unchecked-kind\n"), "{}", run.stderr);
}

/// Live objects (`kubectl get -o yaml`, from Argo CD's and k9s's test
/// data): what the API server wrote (status, uid, resourceVersion,
/// managedFields, the last-applied annotation, allocated addresses,
/// defaults, the claim-protection finalizer) is not configuration, so
/// they import as the manifests they were applied from, and `diff
/// --against` the live objects shows no drift.
#[test]
fn live_objects_import_as_the_manifests_they_were_applied_from() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let corpus = crate::support::fixtures().join("import");
    for (app, file, typed) in [
        (
            "live-guestbook",
            "live-deployment.yaml",
            "typed  Deployment kustomize-guestbook-ui → components.",
        ),
        (
            "live-nginx-sts",
            "pvc.yaml",
            "typed  PersistentVolumeClaim www-nginx-sts-0 → claims.",
        ),
        (
            "live-icx-db",
            "",
            "left   ReplicaSet icx-db-7d4b578979: made by Deployment icx-db, its controller",
        ),
    ] {
        let path = corpus.join(app).join(file).display().to_string();
        let out = repo.run(&["import", "dev", &path, "--app", app]);
        assert!(out.code == 0, "{app}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains(typed), "{app}: {}", out.stdout);
        let against = repo.run(&["diff", "dev", "--against", &path]);
        assert_eq!(
            against.code, 0,
            "{app}: {}{}",
            against.stdout, against.stderr
        );
    }
}

/// What the input reads but does not hold — a ConfigMap a kustomize
/// `configMapGenerator` makes, a Secret made by hand, the Service of a
/// Helm chart an Ingress routes to — is declared as made elsewhere, for
/// a workload kept raw too; the repository then renders and checks
/// clean, and `made-elsewhere.yaml` lists the ConfigMaps and Services.
#[test]
fn what_the_input_reads_but_does_not_hold_is_declared_made_elsewhere() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let input = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/example/web:v1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        envFrom: [{configMapRef: {name: web-env}}, {secretRef: {name: web-creds}}]\n        env: [{name: MODE, valueFrom: {configMapKeyRef: {name: web-settings, key: mode}}}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd, namespace: shop}\nspec:\n  selector: {matchLabels: {app: odd}}\n  template:\n    metadata: {labels: {app: odd}}\n    spec:\n      shareProcessNamespace: true\n      containers:\n      - name: odd\n        image: ghcr.io/example/odd:v1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        volumeMounts: [{name: rules, mountPath: /rules}]\n      volumes: [{name: rules, configMap: {name: odd-rules}}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: docs, namespace: shop}\nspec:\n  rules:\n  - host: docs.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: docs, port: {name: http}}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: agent-metrics, namespace: shop}\nspec:\n  selector: {app.kubernetes.io/name: agent}\n  ports: [{name: metrics, port: 9100, targetPort: metrics}]\n";
    std::fs::write(repo.root.join("in.yaml"), input).unwrap();
    let out = repo.run(&["import", "dev", "in.yaml", "--app", "shop"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for said in [
        "raw    Deployment odd:",
        "typed  Service agent-metrics → services.agent-metrics",
        "note: declared made elsewhere: externalPods.agent (the input refers to it and does not make it)",
        "note: declared made elsewhere: externalServices.docs",
    ] {
        assert!(out.stdout.contains(said), "{said}\n{}", out.stdout);
    }
    let env = repo.env();
    for declared in [
        "    externalSecrets:\n      web-creds: {}\n",
        "    externalConfigMaps:\n      odd-rules: {}\n      web-env: {}\n      web-settings:\n        keys:\n        - mode\n",
        "    externalServices:\n      docs:\n        ports:\n        - http\n",
        "    externalPods:\n      agent:\n        labels:\n          app.kubernetes.io/name: agent\n",
    ] {
        assert!(env.contains(declared), "{declared}\n{env}");
    }
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let listed =
        std::fs::read_to_string(repo.root.join("generated/dev/made-elsewhere.yaml")).unwrap();
    for name in [
        "name: odd-rules",
        "name: web-env",
        "name: web-settings",
        "name: docs",
        "pods:\n- namespace: shop\n  name: agent\n  labels:\n    app.kubernetes.io/name: agent\n",
    ] {
        assert!(listed.contains(name), "{name}\n{listed}");
    }
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// A Namespace object becomes an entry of the environment's `namespaces`
/// (labels and annotations kept, what Kubernetes writes left out); a
/// second app carrying the same Namespace imports too, and one that
/// carries another form of it shows the difference.
#[test]
fn a_namespace_object_is_typed_once_per_environment() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let namespace = |labels: &str| {
        format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: media\n  labels: {{kubernetes.io/metadata.name: media, {labels}}}\n  annotations: {{owner: media-team}}\n---\n")
    };
    let config = |name: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: media}}\ndata: {{a: b}}\n")
    };
    let first = namespace("pod-security.kubernetes.io/enforce: baseline") + &config("one");
    std::fs::write(repo.root.join("one.yaml"), first).unwrap();
    let out = repo.run(&["import", "dev", "one.yaml", "--app", "one"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("typed  Namespace media → namespaces.media"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("a Kubernetes default left out"),
        "{}",
        out.stdout
    );
    let env = repo.env();
    assert!(
        env.contains("namespaces:\n  media:\n    labels:\n      pod-security.kubernetes.io/enforce: baseline\n    annotations:\n      owner: media-team\n"),
        "{env}"
    );
    // The same Namespace in a second app: typed against the declaration.
    let second = namespace("pod-security.kubernetes.io/enforce: baseline") + &config("two");
    std::fs::write(repo.root.join("two.yaml"), second).unwrap();
    let out = repo.run(&["import", "dev", "two.yaml", "--app", "two"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        repo.env().matches("\n  media:").count(),
        1,
        "{}",
        repo.env()
    );
    // Another form of it: the round trip says what differs.
    let third = namespace("pod-security.kubernetes.io/enforce: restricted") + &config("three");
    std::fs::write(repo.root.join("three.yaml"), third).unwrap();
    let out = repo.run(&["import", "dev", "three.yaml", "--app", "three"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "metadata.labels.pod-security.kubernetes.io/enforce: \"restricted\" → \"baseline\""
        ),
        "{}",
        out.stdout
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let rendered =
        std::fs::read_to_string(repo.root.join("generated/dev/cluster/namespace-media.yaml"))
            .unwrap();
    assert!(
        rendered.contains("pod-security.kubernetes.io/enforce: baseline"),
        "{rendered}"
    );
}

/// A Gateway API HTTPRoute of one path per rule to the app's Service is
/// typed and renders the same; one with a filter the model has no place
/// for (a mirror) stays raw, with why.
#[test]
fn an_http_route_to_the_apps_service_is_typed() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: 'nginx:1.27', ports: [{name: http, containerPort: 8080}]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: shop}\nspec:\n  parentRefs: [{name: external, namespace: gateway}]\n  hostnames: [shop.example.com]\n  rules:\n    - backendRefs: [{name: web, port: 80}]\n      matches: [{path: {type: PathPrefix, value: /}}]\n      timeouts: {request: 0s}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: old, namespace: shop}\nspec:\n  parentRefs: [{name: external, namespace: gateway}]\n  rules:\n    - backendRefs: [{name: web, port: 80}]\n      filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web, port: 80}}}]\n";
    std::fs::write(repo.root.join("shop.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "shop.yaml", "--app", "shop"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for line in [
        "typed  HTTPRoute web → httpRoutes.web",
        "raw    HTTPRoute old: a `RequestMirror` filter: cfggen's rule sets headers, redirects or rewrites",
        "round trip: 4 of 4 objects render the same, 0 differ",
    ] {
        assert!(out.stdout.contains(line), "{line}\n{}", out.stdout);
    }
    let env = repo.env();
    assert!(
        env.contains("    httpRoutes:\n      web:\n        parentRefs:\n        - name: external\n          namespace: gateway\n"),
        "{env}"
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// A claim bound to a PersistentVolume that neither the environment nor
/// the input has is typed, the volume declared made elsewhere; one bound
/// to a volume of the input binds to it.
#[test]
fn a_claim_bound_to_a_volume_made_elsewhere_is_typed() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let text = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: config, namespace: media}\nspec:\n  storageClassName: ''\n  volumeName: pv-config\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n";
    std::fs::write(repo.root.join("claim.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "claim.yaml", "--app", "media"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("typed  PersistentVolumeClaim config → claims.config"),
        "{}",
        out.stdout
    );
    let env = repo.env();
    assert!(
        env.contains("    externalPersistentVolumes:\n      pv-config: {}\n"),
        "{env}"
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let listed =
        std::fs::read_to_string(repo.root.join("generated/dev/made-elsewhere.yaml")).unwrap();
    assert!(
        listed.contains("persistentVolumes:\n- name: pv-config\n  readBy: media\n"),
        "{listed}"
    );
}

/// An AppProject in Argo CD's namespace becomes an entry of the
/// environment's `argocd.projects`, written once; a second app's import
/// adds its own beside it.
#[test]
fn an_app_project_is_typed_into_argocd_projects() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let project = |name: &str| {
        format!("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {{name: {name}, namespace: argocd}}\nspec:\n  sourceRepos: ['https://github.com/example/homelab']\n  destinations: [{{namespace: '*', server: '*'}}]\n  clusterResourceWhitelist: [{{group: '*', kind: '*'}}]\n")
    };
    std::fs::write(repo.root.join("infra.yaml"), project("infra")).unwrap();
    let out = repo.run(&["import", "dev", "infra.yaml", "--app", "infra"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("typed  AppProject infra → argocd.projects.infra"),
        "{}",
        out.stdout
    );
    std::fs::write(repo.root.join("apps.yaml"), project("apps")).unwrap();
    let out = repo.run(&["import", "dev", "apps.yaml", "--app", "apps"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let env = repo.env();
    assert!(
        env.contains("argocd:\n  projects:\n    infra:\n")
            && env.contains("\n    apps:\n      sourceRepos:"),
        "{env}"
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert!(repo
        .root
        .join("generated/dev/argocd/appproject-apps.yaml")
        .is_file());
}

/// A workload whose `app.kubernetes.io/name` is not the app's keeps it as
/// its component's `nameLabel`, and the Service that selects it, labelled
/// so too, stays typed.
#[test]
fn a_workload_with_a_name_label_of_its_own_is_typed() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let workload = |name: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: ai, labels: {{app.kubernetes.io/name: {name}}}}}\nspec:\n  selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}\n  template:\n    metadata: {{labels: {{app.kubernetes.io/name: {name}}}}}\n    spec:\n      containers: [{{name: {name}, image: 'nginx:1.27', ports: [{{name: http, containerPort: 8080}}]}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: ai, labels: {{app.kubernetes.io/name: {name}}}}}\nspec:\n  selector: {{app.kubernetes.io/name: {name}}}\n  ports: [{{name: http, port: 80, targetPort: http}}]\n---\n")
    };
    let text = workload("researcher") + &workload("nextjs");
    std::fs::write(repo.root.join("ai.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "ai.yaml", "--app", "ai"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("round trip: 4 of 4 objects render the same, 0 differ"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("raw    "), "{}", out.stdout);
    let env = repo.env();
    assert!(env.contains("nameLabel: nextjs"), "{env}");
    assert!(env.contains("nameLabel: researcher"), "{env}");
}

/// An app whose objects name several namespaces: the app takes the one
/// most of them name; the objects of another stay raw and keep theirs,
/// in a folder whose kustomization sets no namespace (so Kustomize moves
/// none), and the environment renders and checks clean.
#[test]
fn an_app_across_namespaces_keeps_its_other_objects_raw_in_their_own() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site, namespace: site-ns}\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: more, namespace: site-ns}\ndata: {c: d}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-site, namespace: infra-ns}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: site-ns}}}]}]\n";
    std::fs::write(repo.root.join("site.yaml"), input).unwrap();
    let out = repo.run(&["import", "dev", "site.yaml", "--app", "site"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("raw    NetworkPolicy allow-site: it is in namespace `infra-ns`, and the app in `site-ns`"),
        "{}",
        out.stdout
    );
    assert!(repo.env().contains("namespace: site-ns"), "{}", repo.env());
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let folder = repo.root.join("generated/dev/site");
    let policy =
        std::fs::read_to_string(folder.join("networkpolicy-infra-ns-allow-site.yaml")).unwrap();
    assert!(policy.contains("namespace: infra-ns"), "{policy}");
    let config = std::fs::read_to_string(folder.join("configmap-site.yaml")).unwrap();
    assert!(config.contains("namespace: site-ns"), "{config}");
    let kustomization = std::fs::read_to_string(folder.join("kustomization.yaml")).unwrap();
    assert!(!kustomization.contains("namespace:"), "{kustomization}");
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(!check.stderr.contains("namespace"), "{}", check.stderr);
}

/// An ExternalSecret of a store other than 1Password (a Bitwarden
/// ClusterSecretStore here) becomes one of the app's `storeSecrets`, its
/// store an entry of the environment's `secretStores`; the Deployment
/// that reads it is typed against it, and the whole renders the same and
/// checks clean.
#[test]
fn an_external_secret_of_another_store_is_typed_with_its_store() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let input = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: web-creds, namespace: shop}\nspec:\n  refreshInterval: 1h\n  secretStoreRef: {kind: ClusterSecretStore, name: bitwarden-backend}\n  target: {name: web-creds, creationPolicy: Owner}\n  data:\n  - {secretKey: DB_PASSWORD, remoteRef: {key: shop-db-password}}\n  - {secretKey: API_TOKEN, remoteRef: {key: shop-api, property: token}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/example/web:v1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        env:\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: web-creds, key: DB_PASSWORD}}}\n        - {name: API_TOKEN, valueFrom: {secretKeyRef: {name: web-creds, key: API_TOKEN}}}\n";
    std::fs::write(repo.root.join("in.yaml"), input).unwrap();
    let out = repo.run(&["import", "dev", "in.yaml", "--app", "shop"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for said in [
        "typed  ExternalSecret web-creds → storeSecrets.web-creds",
        "typed  Deployment web → components.web",
        "2 of 2 objects render the same",
    ] {
        assert!(out.stdout.contains(said), "{said}\n{}", out.stdout);
    }
    let env = repo.env();
    for declared in [
        "secretStores:\n  bitwarden-backend:\n    kind: ClusterSecretStore\n    refreshInterval: 1h\n",
        "    storeSecrets:\n      web-creds:\n        store: bitwarden-backend\n        keys:\n          DB_PASSWORD:\n            key: shop-db-password\n          API_TOKEN:\n            key: shop-api\n            property: token\n",
    ] {
        assert!(env.contains(declared), "{declared}\n{env}");
    }
    assert!(!env.contains("externalSecrets"), "{env}");
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // Importing again reads the store the environment now declares.
    let again = repo.run(&["import", "dev", "in.yaml", "--app", "shop", "--replace"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(
        repo.env().matches("bitwarden-backend:").count(),
        1,
        "{}",
        repo.env()
    );
}

#[test]
fn a_cluster_with_its_backups_imports_into_the_folder_of_its_app() {
    // An app and its own CloudNativePG cluster in one namespace named
    // after the app: the cluster's Barman Cloud stores and schedules come
    // in typed, and cluster and app share generated/dev/wiki/ and one
    // Application.
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let input = r#"apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: wiki-db, namespace: wiki}
spec:
  instances: 2
  minSyncReplicas: 1
  maxSyncReplicas: 1
  storage: {size: 5Gi, resizeInUseVolumes: false, pvcTemplate: {accessModes: [ReadWriteOnce]}}
  monitoring: {enablePodMonitor: false}
  affinity: {enablePodAntiAffinity: true, topologyKey: kubernetes.io/hostname}
  plugins:
  - name: barman-cloud.cloudnative-pg.io
    enabled: true
    isWALArchiver: true
    parameters: {barmanObjectName: wiki-minio}
  externalClusters:
  - name: wiki-db-offsite
    plugin:
      name: barman-cloud.cloudnative-pg.io
      parameters: {barmanObjectName: wiki-offsite}
---
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata: {name: wiki-minio, namespace: wiki}
spec:
  retentionPolicy: 14d
  configuration:
    destinationPath: s3://backups/wiki
    endpointURL: https://minio.storage.svc:9000
    s3Credentials:
      accessKeyId: {name: wiki-s3, key: AWS_ACCESS_KEY_ID}
      secretAccessKey: {name: wiki-s3, key: AWS_SECRET_ACCESS_KEY}
---
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata: {name: wiki-offsite, namespace: wiki}
spec:
  configuration:
    destinationPath: s3://offsite/wiki
    s3Credentials:
      accessKeyId: {name: wiki-offsite, key: keyID}
      secretAccessKey: {name: wiki-offsite, key: applicationKey}
---
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata: {name: wiki-db-weekly, namespace: wiki}
spec:
  schedule: "0 0 3 * * 0"
  backupOwnerReference: self
  cluster: {name: wiki-db}
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
    parameters: {barmanObjectName: wiki-offsite}
"#
    .to_owned()
        + &wiki_deployment("");
    std::fs::write(repo.root.join("in.yaml"), input).unwrap();
    let out = repo.run(&["import", "dev", "in.yaml", "--app", "wiki"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for said in [
        "typed  Cluster wiki-db → postgres.wiki-db",
        "typed  ObjectStore wiki-minio → postgres.wiki-db.backups.stores.wiki-minio",
        "typed  ObjectStore wiki-offsite → postgres.wiki-db.backups.stores.wiki-offsite",
        "typed  ScheduledBackup wiki-db-weekly → postgres.wiki-db.backups.schedules.wiki-db-weekly",
        "4 of 4 objects render the same",
        "typed  Deployment wiki → components.wiki",
    ] {
        assert!(out.stdout.contains(said), "{said}\n{}", out.stdout);
    }
    let env = repo.env();
    for declared in [
        "      walArchive: wiki-minio\n",
        "      schedules:\n        wiki-db-weekly:\n          schedule: 0 0 3 * * 0\n          store: wiki-offsite\n          owner: self\n",
        "      recoverySources:\n        wiki-db-offsite: wiki-offsite\n",
        "    minSyncReplicas: 1\n    maxSyncReplicas: 1\n",
    ] {
        assert!(env.contains(declared), "{declared}\n{env}");
    }
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let folder = repo.root.join("generated/dev/wiki");
    for file in [
        "cluster-wiki-db.yaml",
        "objectstore-wiki-minio.yaml",
        "scheduledbackup-wiki-db-weekly.yaml",
        "deployment-wiki.yaml",
    ] {
        assert!(folder.join(file).is_file(), "{file}");
    }
    let applications: Vec<_> = std::fs::read_dir(repo.root.join("generated/dev/argocd"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("wiki"))
        .collect();
    assert_eq!(applications, ["application-dev-wiki.yaml"]);
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn a_1password_title_a_reference_cannot_carry_is_typed_and_reached_by_title() {
    // 1Password Connect reads an item by its title, whatever its
    // characters; only an op:// reference cannot carry one with
    // parentheses. The secret is typed, its ExternalSecret carries the
    // title, and the inventory says how to reach the item.
    let Some(repo) = Fresh::new(false).map(|f| f.with_onepassword("homelab", "onepassword")) else {
        return;
    };
    let input = r#"apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: wiki-admin, namespace: wiki}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: ClusterSecretStore, name: onepassword}
  target: {name: wiki-admin, creationPolicy: Owner}
  data:
  - secretKey: ADMIN_PASSWORD
    remoteRef: {key: "Wiki (homelab)", property: password}
"#
    .to_owned()
        + &wiki_deployment(
            "        env:\n        - name: ADMIN_PASSWORD\n          valueFrom: {secretKeyRef: {name: wiki-admin, key: ADMIN_PASSWORD}}\n",
        );
    std::fs::write(repo.root.join("in.yaml"), input).unwrap();
    let out = repo.run(&["import", "dev", "in.yaml", "--app", "wiki"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for said in [
        "typed  ExternalSecret wiki-admin → secrets.wiki-admin",
        "2 of 2 objects render the same",
    ] {
        assert!(out.stdout.contains(said), "{said}\n{}", out.stdout);
    }
    assert!(
        repo.env().contains("item: Wiki (homelab)"),
        "{}",
        repo.env()
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let inventory =
        std::fs::read_to_string(repo.root.join("generated/dev/onepassword.yaml")).unwrap();
    assert!(!inventory.contains("reference:"), "{inventory}");
    assert!(inventory.contains("item: Wiki (homelab)"), "{inventory}");
    assert!(
        inventory.contains(
            "the store reads the item by title (`op item get \"Wiki (homelab)\" --vault homelab`)"
        ),
        "{inventory}"
    );
    let text = repo.run(&["secrets", "dev"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.starts_with(
            "(no op:// reference)\n  vault homelab, item Wiki (homelab), field password\n  note: the title has characters an op:// reference cannot carry"
        ),
        "{}",
        text.stdout
    );
    let env_file = repo.run(&["secrets", "dev", "--format", "env"]);
    assert!(
        env_file
            .stdout
            .contains("# WIKI_HOMELAB_PASSWORD: item \"Wiki (homelab)\" has no op:// reference"),
        "{}",
        env_file.stdout
    );
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// The Deployment `wiki` in namespace `wiki`, as a document to append,
/// with `container` (indented lines) in its one container.
fn wiki_deployment(container: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: wiki, namespace: wiki}}\nspec:\n  selector: {{matchLabels: {{app: wiki}}}}\n  template:\n    metadata: {{labels: {{app: wiki}}}}\n    spec:\n      containers:\n      - name: wiki\n        image: ghcr.io/example/wiki:v1\n{container}"
    )
}

/// An Argo CD Application in the input (an app-of-apps) does not stop the
/// import: it stays raw, with why, and the environment renders.
#[test]
fn an_argo_cd_application_of_the_input_stays_raw() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: apps, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: 'https://git.example.com/gitops.git', path: k8s/apps, targetRevision: HEAD}\n  destination: {name: in-cluster, namespace: argocd}\n---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: apps, namespace: argocd}\nspec:\n  sourceRepos: ['*']\n  destinations: [{namespace: '*', server: '*'}]\n";
    std::fs::write(repo.root.join("sets.yaml"), text).unwrap();
    let out = repo.run(&["import", "dev", "sets.yaml", "--app", "sets"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("raw    Application apps: an Argo CD Application of the input (an app-of-apps, another repository's app): cfggen renders an Application per app itself"),
        "{}",
        out.stdout
    );
    let render = repo.run(&["render", "dev"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
}

/// Flux post-build variables (`${CLUSTER_DOMAIN}`): an import that the
/// variable makes fail says how to give its value; with the values of the
/// Flux Kustomization or its settings ConfigMap, the objects come in as
/// Flux would apply them, and a variable still without value is noted.
#[test]
fn flux_post_build_variables_are_put_in_as_flux_would() {
    let Some(repo) = Fresh::new(false) else {
        return;
    };
    let input = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: public, namespace: gateways}]\n  hostnames: [\"shop.${CLUSTER_DOMAIN}\"]\n  rules:\n  - backendRefs: [{name: shop, port: 80}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: shop, namespace: shop}\ndata:\n  URL: https://shop.${CLUSTER_DOMAIN}\n  TEAM: ${TEAM:=web}\n  OWNER: ${OWNER}\n  LITERAL: $${CLUSTER_DOMAIN}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: shop}\nspec: {url: https://charts.example.com}\n";
    std::fs::write(repo.root.join("in.yaml"), input).unwrap();
    let settings = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-settings, namespace: flux-system}\ndata:\n  CLUSTER_DOMAIN: example.org\n";
    std::fs::write(repo.root.join("settings.yaml"), settings).unwrap();
    let bare = repo.run(&["import", "dev", "in.yaml", "--app", "shop"]);
    assert_eq!(bare.code, 2, "{}{}", bare.stdout, bare.stderr);
    insta::assert_snapshot!("import_flux_variable_unset", bare.stderr);
    let given = repo.run(&[
        "import",
        "dev",
        "in.yaml",
        "--app",
        "shop",
        "--substitute-from",
        "settings.yaml",
        "--substitute",
        "TEAM=shop",
    ]);
    assert_eq!(given.code, 0, "{}{}", given.stdout, given.stderr);
    for said in [
        "typed  HTTPRoute shop → httpRoutes.shop",
        "note: the input uses `${OWNER}` (first at in.yaml:16:10), kept as written",
    ] {
        assert!(given.stdout.contains(said), "{said}\n{}", given.stdout);
    }
    let env = repo.env();
    for written in [
        "shop.example.org",
        "URL: https://shop.example.org",
        "TEAM: shop",
        "OWNER: ${OWNER}",
        "LITERAL: ${CLUSTER_DOMAIN}",
    ] {
        assert!(env.contains(written), "{written}\n{env}");
    }
    // A value that is not NAME=VALUE, and a Secret of values, are refused.
    for (args, said) in [
        (
            &["--substitute", "CLUSTER_DOMAIN"][..],
            "`CLUSTER_DOMAIN` is not NAME=VALUE",
        ),
        (
            &["--substitute-from", "secret.yaml"][..],
            "never copies one into config",
        ),
    ] {
        std::fs::write(
            repo.root.join("secret.yaml"),
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {A: b}\n",
        )
        .unwrap();
        let mut all = vec!["import", "dev", "in.yaml", "--app", "other"];
        all.extend(args);
        let out = repo.run(&all);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(said), "{said}\n{}", out.stderr);
    }
}
