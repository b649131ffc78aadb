//! `cfggen init [DIR]`: a new repository — environments (a base, `dev`
//! and `prod` with one small app), schemas, the rendered output, a
//! `.gitignore` for the lock files, a CI workflow that runs `cfggen
//! check`, editor settings, and what to do next. It writes nothing when
//! any of its files exists.

use std::io::Write;
use std::path::{Path, PathBuf};

use cfggen_load::Repo;

use crate::commands::Ctx;
use crate::{EXIT_ERROR, EXIT_OK};

const PLATFORM: &str = r#"# yaml-language-server: $schema=../../schemas/partial-environment.schema.json
#
# What every environment shares. Environments extend this base and
# override what differs: maps merge by key, scalars and lists replace.

argocd:
  # The Git repository Argo CD reads generated/ from.
  repoURL: https://git.example.com/platform/gitops.git

apps:
  # One small app: a web server, its Service, probes and resources.
  hello:
    image: docker.io/traefik/whoami:v1.10.3
    components:
      web:
        ports: {http: 80}
        probes:
          readiness: {http: {path: /health, port: http}}
        resources:
          requests: {cpu: 10m, memory: 16Mi}
          limits: {memory: 64Mi}
    services:
      # Listens on 80, forwards to the container port named `http`.
      hello: {component: web, ports: {http: 80}}
"#;

const DEV: &str = r#"# yaml-language-server: $schema=../schemas/partial-environment.schema.json
#
# Development: extends the platform base, and says where it deploys.

name: dev
extends: [platform]
cluster:
  name: dev
  server: https://kubernetes.default.svc
"#;

const PROD: &str = r#"# yaml-language-server: $schema=../schemas/partial-environment.schema.json
#
# Production: pinned images only, and more replicas.

name: prod
extends: [platform]
cluster:
  name: prod
  server: https://kubernetes.default.svc
images:
  requirePinned: true
apps:
  hello:
    components:
      web:
        replicas: 2
"#;

const NEXT_STEPS: &str = r#"# Environments

Each `<env>.yaml` here is one environment; `bases/` holds what they share.
cfggen renders each into `generated/<env>/`, which Argo CD deploys.

What to do next:

1. Set `argocd.repoURL` in `bases/platform.yaml` to this repository, and
   each environment's `cluster.server` to its Kubernetes API server.
2. Replace the `hello` app with yours (the README of cfggen has a complete
   example); `cfggen validate` checks every environment as you go, and
   editors with yaml-language-server complete and check each file.
3. Run `cfggen render --all` and commit `environments/`, `schemas/` and
   `generated/` together. Point an Argo CD app-of-apps at
   `generated/<env>/argocd/`.
4. CI runs `cfggen check` (`.github/workflows/cfggen.yml`): it fails when
   `generated/` or `schemas/` is not what the environments render.
5. When an app reads a secret, add the environment's `onepassword` settings
   (vault and ClusterSecretStore); `cfggen secrets <env>` lists the items to
   create in 1Password.
6. To bring in apps you already run, `cfggen import <env> <path>…` reads
   their manifests (files, folders, or `-` for `kubectl kustomize` output)
   and proves that the typed apps render the same objects. Put the
   CustomResourceDefinitions of the operators whose custom resources your
   apps carry in a `crds/` folder here, so cfggen can check them.
"#;

const GITIGNORE: &str =
    "# Locks cfggen takes while it writes generated/<env>/.\ngenerated/.*.cfggen.lock\n";

/// The CI workflow: `examples/ci/cfggen-check.yaml`, where a team that
/// adopts cfggen in an existing repository copies it from. It pins this
/// version of cfggen (a test keeps the two equal).
const WORKFLOW: &str = include_str!("../../../examples/ci/cfggen-check.yaml");

const VSCODE: &str = r#"{
  "yaml.validate": true,
  "yaml.completion": true,
  "yaml.schemas": {
    "./schemas/partial-environment.schema.json": ["environments/**/*.yaml"]
  }
}
"#;

/// The files `init` writes itself (the schemas and `generated/` follow).
const FILES: &[(&str, &str)] = &[
    ("environments/bases/platform.yaml", PLATFORM),
    ("environments/dev.yaml", DEV),
    ("environments/prod.yaml", PROD),
    ("environments/README.md", NEXT_STEPS),
    (".gitignore", GITIGNORE),
    (".github/workflows/cfggen.yml", WORKFLOW),
    (".vscode/settings.json", VSCODE),
];

/// What `init` would make that is already there: its files, and the
/// folders it fills (`environments/`, `schemas/`, `generated/`).
fn conflicts(dir: &Path) -> Vec<String> {
    let folders = ["environments", "schemas", "generated"];
    folders
        .iter()
        .map(|f| f.to_string())
        .chain(FILES.iter().map(|(rel, _)| rel.to_string()))
        .filter(|rel| std::fs::symlink_metadata(dir.join(rel)).is_ok())
        .collect()
}

/// `cfggen init [DIR]`.
pub(crate) fn init(
    dir: Option<&Path>,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
) -> u8 {
    let dir = dir.map_or_else(
        || std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        Path::to_path_buf,
    );
    let existing = conflicts(&dir);
    if !existing.is_empty() {
        let _ = writeln!(
            stderr,
            "error: {} already holds {}; cfggen init writes only into a folder without them, and wrote nothing",
            dir.display(),
            existing
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            stderr,
            "  help: run `cfggen init <new-folder>` for a new repository beside it"
        );
        return EXIT_ERROR;
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            let _ = writeln!(stderr, "error: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
        let _ = writeln!(stdout, "wrote {rel}");
    }
    let mut ctx = Ctx::new(Repo::new(dir.clone()), color, stdout, stderr);
    let code = crate::commands::write_schemas(&mut ctx);
    if code != EXIT_OK {
        return code;
    }
    let code = crate::commands::render_names(&mut ctx, &["dev".to_owned(), "prod".to_owned()]);
    if code != EXIT_OK {
        return code;
    }
    let _ = writeln!(
        ctx.stdout,
        "\nA cfggen repository is ready in {}. Next: environments/README.md",
        dir.display()
    );
    EXIT_OK
}
