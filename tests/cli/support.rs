//! Test support: temporary repositories and running the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    workspace().join("tests/fixtures")
}

/// Whether an optional test input (a tool, `../shared`) is there. Outside
/// CI a missing one skips the test with a reason printed where a person
/// sees it (straight to the terminal's stderr, which the test harness does
/// not capture) and recorded in the file `CFGGEN_SKIP_LOG` names, if set;
/// in CI (`CI` set), where `.ci/run` provides every input, a missing one
/// fails.
pub fn available(present: bool, what: &str) -> bool {
    if !present {
        assert!(std::env::var_os("CI").is_none(), "{what} is missing in CI");
        report_skip(&format!("{what} is not available here"));
    }
    present
}

/// Says that a test skipped, and why, outside the harness's capture.
pub fn report_skip(why: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let line = format!("SKIPPED {test}: {why}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("CFGGEN_SKIP_LOG") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("the skip log can be written");
        file.write_all(line.as_bytes())
            .expect("the skip log can be written");
    }
}

/// The environments whose rendered output the cross-checks read: the
/// shipped ones and the fixture.
pub fn rendered_environments() -> Vec<(PathBuf, &'static str)> {
    vec![
        (workspace(), "dev"),
        (workspace(), "prod"),
        (fixtures().join("valid"), "staging"),
        (fixtures().join("workloads"), "lab"),
        (fixtures().join("newcomer"), "dev"),
        (fixtures().join("newcomer"), "habits"),
    ]
}

/// Loads and renders one environment of the repository at `root`.
pub fn render_env(root: &Path, env: &str) -> (cfggen_load::Loaded, cfggen_render::RenderedEnv) {
    let loaded = match cfggen_load::load_environment(&cfggen_load::Repo::new(root), env) {
        Ok(l) => l,
        Err(d) => panic!(
            "{env} does not load: {}",
            cfggen::render_diagnostics(&d, false)
        ),
    };
    let rendered = cfggen_render::render(&loaded.environment, &loaded.files).expect("renders");
    (loaded, rendered)
}

/// A temporary cfggen repository, with a cache folder of its own.
pub struct TestRepo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

/// What a run printed and returned.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestRepo {
    /// An empty repository with an `environments/` folder.
    pub fn new() -> Self {
        let temp = || match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("cannot make a temp dir: {e}"),
        };
        let repo = TestRepo {
            dir: temp(),
            cache: temp(),
        };
        repo.mkdir("environments/bases");
        repo
    }

    /// A copy of the shipped platform: its environments and the files
    /// they read, its CRDs, generated output and schemas.
    pub fn shipped() -> Self {
        let repo = TestRepo::new();
        for dir in ["environments", "crds", "generated", "schemas"] {
            copy_tree(&workspace().join(dir), &repo.path().join(dir));
        }
        repo
    }

    /// A copy of a folder tree as a repository.
    pub fn copy_of(src: &Path) -> Self {
        let repo = TestRepo::new();
        copy_tree(src, repo.path());
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn mkdir(&self, rel: &str) {
        if let Err(e) = std::fs::create_dir_all(self.path().join(rel)) {
            panic!("mkdir {rel}: {e}");
        }
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(&path, text) {
            panic!("write {rel}: {e}");
        }
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// Runs `cfggen --root <repo> --color never <args>`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }

    /// The folder of the repository's cache (`CFGGEN_CACHE`).
    pub fn cache(&self) -> &Path {
        self.cache.path()
    }

    /// [`TestRepo::run`] with environment variables set.
    pub fn run_with(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfggen"));
        cmd.arg("--root")
            .arg(self.path())
            .args(["--color", "never"])
            .args(args)
            .env("CFGGEN_CACHE", self.cache.path())
            .envs(vars.iter().copied());
        run_command(cmd)
    }

    /// Runs `cfggen <args>` with the repository as the working folder.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfggen"));
        cmd.current_dir(cwd)
            .args(args)
            .env("NO_COLOR", "1")
            .env("CFGGEN_CACHE", self.cache.path());
        run_command(cmd)
    }
}

fn run_command(mut cmd: Command) -> Output {
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run cfggen: {e}"),
    };
    let output = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !output.stderr.contains("panicked"),
        "cfggen panicked:\n{}",
        output.stderr
    );
    output
}

pub fn copy_tree(src: &Path, dst: &Path) {
    let entries = match std::fs::read_dir(src) {
        Ok(e) => e,
        Err(e) => panic!("read {}: {e}", src.display()),
    };
    let _ = std::fs::create_dir_all(dst);
    for entry in entries.flatten() {
        let from = entry.path();
        let to = dst.join(entry.file_name());
        if from.is_dir() {
            copy_tree(&from, &to);
        } else if let Err(e) = std::fs::copy(&from, &to) {
            panic!("copy {}: {e}", from.display());
        }
    }
}

/// Writes `environments/fleet.yaml`: `apps` like apps, each with a
/// Service, a database on one cluster and a 1Password secret, all of
/// image tag `tag`.
pub fn fleet(repo: &TestRepo, apps: usize, tag: &str) {
    let mut text = String::from(
        "name: fleet\ncluster: {name: fleet, server: https://k8s.example.com:6443}\n\
         argocd: {repoURL: ssh://git@forge.example.com/gitops.git}\n\
         onepassword: {vault: fleet, store: {name: op, provider: onepassword}}\n\
         postgres:\n  pg: {namespace: databases, storage: {size: 1Gi}}\napps:\n",
    );
    for i in 0..apps {
        text.push_str(&format!(
            "  app-{i}:\n    image: registry.example.com/app-{i}:{tag}\n    components:\n      web:\n        ports: {{http: 8080}}\n        env: {{TOKEN: {{secret: app-{i}-secrets/token}}}}\n    services:\n      app-{i}: {{component: web, ports: {{http: 80}}}}\n    database: {{cluster: pg, name: app_{i}, password: app-{i}-secrets/db}}\n    secrets:\n      app-{i}-secrets: {{item: App {i}, fields: {{token: {{}}, db: {{}}}}}}\n"
        ));
    }
    repo.write("environments/fleet.yaml", &text);
}
