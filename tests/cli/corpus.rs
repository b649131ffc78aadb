//! Adoption of real repositories: every app of the import corpus
//! (`tests/fixtures/import`, sources and licences in its SOURCES.md)
//! imported as a new user would, the single apps into one repository made
//! by `cfggen init`, and each whole repository under `repos/` app by app
//! into one of its own; then `render` and `check` of each. The outcome,
//! per app (exit code, objects typed and raw, why each raw one is raw), is
//! `tests/fixtures/import/RESULTS.md`, which this test keeps current as
//! `cfggen schema --check` keeps `schemas/`: it fails while the file is
//! stale (`CFGGEN_WRITE_RESULTS=1` writes it), and while fewer objects
//! come in typed than the floor below.

use std::path::{Path, PathBuf};

use crate::import::Fresh;
use crate::support::fixtures;

/// The share of the corpus's objects that must come in typed, in tenths
/// of a percent: it only goes up (the goal is 950).
const TYPED_FLOOR_PERMILLE: usize = 932;

/// The Flux post-build variables of apps from repositories Flux applies:
/// the file under `flux-settings/` that their Flux Kustomization reads
/// (`postBuild.substituteFrom`) or is (`postBuild.substitute`), passed to
/// import with `--substitute-from`.
const FLUX_SETTINGS: &[(&str, &str)] = &[
    ("ecommerce-cart-service", "ricsanfre-pi-cluster-prod.yaml"),
    ("ecommerce-frontend", "ricsanfre-pi-cluster-prod.yaml"),
    ("kafka-schema-registry", "ricsanfre-pi-cluster-prod.yaml"),
    ("keycloak-postgres", "ricsanfre-pi-cluster-prod.yaml"),
    ("radarr", "mirceanton-radarr.ks.yaml"),
    ("zigbee2mqtt", "mirceanton-zigbee2mqtt.ks.yaml"),
];

/// One app's import.
struct Imported {
    app: String,
    code: i32,
    typed: usize,
    /// Each raw object and why.
    raw: Vec<String>,
    /// Each live object left out, and its controller (not counted).
    left: Vec<String>,
    /// The objects of its input (`kind:` lines), for an app that did not
    /// import.
    objects: usize,
    /// The first line of its error, for exit 2.
    error: String,
    /// The first line of the error of a first import that refused secret
    /// values, when the app was imported again with `--skip-secrets`, as
    /// that error's hint says.
    refused_secrets: Option<String>,
}

/// The YAML files directly in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

/// The objects a file holds, counted by its top-level `kind`s.
fn objects_in(files: &[PathBuf]) -> usize {
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.lines()
                .filter(|l| l.starts_with("kind:") || l.starts_with("  \"kind\":"))
                .count()
                .max(usize::from(text.trim_start().starts_with('{')))
        })
        .sum()
}

/// Imports `files` as app `app` (all in one app; `None`: one app per
/// namespace) into `repo`.
fn import(repo: &Fresh, app: &str, files: &[PathBuf], by_namespace: bool) -> Imported {
    let paths: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut args: Vec<&str> = vec!["import", "dev"];
    args.extend(paths.iter().map(String::as_str));
    if !by_namespace {
        args.extend(["--app", app]);
    }
    let settings = FLUX_SETTINGS
        .iter()
        .find(|(a, _)| *a == app)
        .map(|(_, file)| {
            fixtures()
                .join("import/flux-settings")
                .join(file)
                .display()
                .to_string()
        });
    if let Some(file) = &settings {
        args.extend(["--substitute-from", file]);
    }
    let prefix = format!("{}/", fixtures().join("import").display());
    let first_error = |stderr: &str| {
        stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .replace(&prefix, "")
    };
    // An import that fails (exit 2) writes nothing. One that refuses
    // secret values says how to move them to 1Password: a new user does
    // as it says.
    let mut out = repo.run(&args);
    let mut refused_secrets = None;
    if out.code == 2 && out.stderr.contains("pass --skip-secrets") {
        refused_secrets = Some(first_error(&out.stderr));
        args.push("--skip-secrets");
        out = repo.run(&args);
    }
    let error = first_error(&out.stderr);
    assert!(
        matches!(out.code, 0..=2),
        "{app}: exit {}\n{}",
        out.code,
        out.stderr
    );
    Imported {
        app: app.to_owned(),
        code: out.code,
        typed: out
            .stdout
            .lines()
            .filter(|l| l.starts_with("  typed "))
            .count(),
        raw: out
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("  raw    "))
            .map(str::to_owned)
            .collect(),
        left: out
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("  left   "))
            .map(|l| format!("left out: {l}"))
            .collect(),
        objects: objects_in(files),
        error,
        refused_secrets,
    }
}

/// `render` and `check` of a repository after its imports: exit codes,
/// and how many of each error (by code) a failure reports.
fn render_and_check(repo: &Fresh) -> String {
    let mut out = String::new();
    for command in [&["render", "dev"][..], &["check"]] {
        let run = repo.run(command);
        out.push_str(&format!(
            "- `cfggen {}`: exit {}",
            command.join(" "),
            run.code
        ));
        if run.code != 0 {
            // Each problem is printed under its code, on a line of its
            // own; the closing warning line names the warnings' codes.
            let warned: Vec<&str> = run
                .stderr
                .lines()
                .filter_map(|l| {
                    l.strip_prefix("warning: ")?
                        .split_once('(')?
                        .1
                        .split_once(')')
                })
                .flat_map(|(codes, _)| codes.split(", "))
                .collect();
            let count = |warnings: bool| {
                let mut codes: std::collections::BTreeMap<&str, usize> = Default::default();
                for line in run.stderr.lines() {
                    if !line.is_empty()
                        && line.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && warned.contains(&line) == warnings
                    {
                        *codes.entry(line).or_default() += 1;
                    }
                }
                codes
                    .iter()
                    .map(|(c, n)| format!("{n} {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (errors, warnings) = (false, true);
            out.push_str(&format!(" — errors: {}", count(errors)));
            let warnings = count(warnings);
            if !warnings.is_empty() {
                out.push_str(&format!("; warnings: {warnings}"));
            }
            // What each error says (its first line), after its code.
            let mut code = "";
            let mut said: Vec<String> = Vec::new();
            let mut open = false;
            for line in run.stderr.lines() {
                let trimmed = line.trim_start();
                if !line.is_empty() && line.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    code = line;
                } else if let Some(message) = trimmed.strip_prefix("× ") {
                    open = !warned.contains(&code);
                    if open {
                        said.push(format!("\n  - {code}: {message}"));
                    }
                } else if let (true, Some(more), Some(last)) =
                    (open, trimmed.strip_prefix("│ "), said.last_mut())
                {
                    // The message goes on, wrapped, until its field.
                    if more.trim_start().starts_with("field:") {
                        open = false;
                    } else {
                        // miette breaks lines after a hyphen, too.
                        if !last.ends_with('-') {
                            last.push(' ');
                        }
                        last.push_str(more.trim());
                    }
                } else {
                    open = false;
                }
            }
            said.sort();
            said.dedup();
            out.push_str(&said.concat());
        }
        out.push('\n');
    }
    out
}

/// Totals of a group: (apps, by exit code, objects, typed, raw).
fn totals(apps: &[Imported]) -> (usize, [usize; 3], usize, usize, usize) {
    let mut codes = [0; 3];
    let (mut objects, mut typed, mut raw) = (0, 0, 0);
    for a in apps {
        codes[usize::try_from(a.code).unwrap_or(2).min(2)] += 1;
        if a.code == 2 {
            objects += a.objects;
        } else {
            objects += a.typed + a.raw.len();
            typed += a.typed;
            raw += a.raw.len();
        }
    }
    (apps.len(), codes, objects, typed, raw)
}

fn table(apps: &[Imported]) -> String {
    let mut out = String::from("| app | exit | typed | raw | raw objects, and why (or the error) |\n| --- | --- | --- | --- | --- |\n");
    for a in apps {
        let mut why = if a.code == 2 {
            a.error.clone()
        } else {
            a.raw
                .iter()
                .chain(&a.left)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut code = a.code.to_string();
        if let Some(refused) = &a.refused_secrets {
            code = format!("2, then {code} with `--skip-secrets`");
            why = if why.is_empty() {
                format!("first: {refused}")
            } else {
                format!("first: {refused}; then: {why}")
            };
        }
        let why = why.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            a.app,
            code,
            a.typed,
            if a.code == 2 { a.objects } else { a.raw.len() },
            why
        ));
    }
    out
}

/// The apps of a whole repository, as its APPS.md lists them: each app's
/// name and the YAML files of all its folders (an app may have several,
/// its workloads and its network policies, say), in the order listed.
/// `argocd`, the folder of the Argo CD Applications cfggen renders, is
/// imported as `argocd-app`; a second app of one name in another
/// namespace as `<app>-<namespace>`.
fn repository_apps(dir: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let text = std::fs::read_to_string(dir.join("APPS.md")).unwrap();
    // (name imported as, name listed, namespace, files)
    let mut apps: Vec<(String, String, String, Vec<PathBuf>)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| app ") && !l.starts_with("| ---"))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(app), Some(namespace), Some(folder)) = (cells.get(1), cells.get(2), cells.get(3))
        else {
            continue;
        };
        let app = if *app == "argocd" { "argocd-app" } else { app };
        let files = files_in(&dir.join(folder));
        if let Some((.., all)) = apps
            .iter_mut()
            .find(|(_, listed, ns, _)| listed == app && ns == namespace)
        {
            all.extend(files);
            continue;
        }
        // Another app of the name in another namespace (a cluster-scoped
        // one's is `cluster`).
        let name = if apps.iter().any(|(_, listed, ..)| listed == app) {
            let ns = if namespace.starts_with('(') {
                "cluster"
            } else {
                namespace
            };
            format!("{app}-{ns}")
        } else {
            app.to_owned()
        };
        apps.push((name, app.to_owned(), (*namespace).to_owned(), files));
    }
    apps.into_iter()
        .filter(|(.., files)| !files.is_empty())
        .map(|(app, .., files)| (app, files))
        .collect()
}

#[test]
fn every_corpus_app_imports_and_the_results_are_current() {
    let corpus = fixtures().join("import");
    let mut names: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !["LICENSES", "crds", "repos", "flux-settings"].contains(&n.as_str()))
        .collect();
    names.sort();
    let mut repos: Vec<PathBuf> = std::fs::read_dir(corpus.join("repos"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    // Each repository on its own thread.
    let sections: Vec<(String, Vec<Imported>, String)> = std::thread::scope(|scope| {
        let corpus = &corpus;
        let names = &names;
        // The single apps, into one repository with the 1Password store
        // the homelab apps read.
        let single = scope.spawn(move || {
            let repo = Fresh::new(false)
                .expect("a new repository")
                .with_onepassword("kubernetes-home-ops", "onepassword");
            let apps: Vec<Imported> = names
                .iter()
                .map(|name| {
                    // The CloudNativePG sample names no namespace: imported
                    // by namespace, its cluster becomes a `postgres` entry.
                    import(
                        &repo,
                        name,
                        &files_in(&corpus.join(name)),
                        name == "cnpg-database",
                    )
                })
                .collect();
            ("Single apps".to_owned(), apps, render_and_check(&repo))
        });
        // Each whole repository, app by app, into one repository.
        let whole: Vec<_> = repos
            .iter()
            .map(|dir| {
                scope.spawn(move || {
                    let repo = Fresh::new(false).expect("a new repository");
                    let apps: Vec<Imported> = repository_apps(dir)
                        .iter()
                        .map(|(app, files)| import(&repo, app, files, false))
                        .collect();
                    let name = format!(
                        "repos/{}",
                        dir.file_name().unwrap_or_default().to_string_lossy()
                    );
                    (name, apps, render_and_check(&repo))
                })
            })
            .collect();
        std::iter::once(single)
            .chain(whole)
            .map(|h| h.join().expect("a section"))
            .collect()
    });

    let mut text = String::from(
        "# Import corpus: results\n\n\
         What `cfggen import` makes of every app of the corpus (sources in SOURCES.md), as a new \
         user would run it: the single apps into one repository made by `cfggen init`, each whole \
         repository under `repos/` app by app (the folders its APPS.md lists) into one of its own; \
         then `cfggen render dev` and `cfggen check` of each repository. Written by \
         `tests/cli/corpus.rs`, which fails while this file is stale: \
         `CFGGEN_WRITE_RESULTS=1 cargo test --test cli corpus` writes it. Apps of a repository \
         that Flux applies are imported with the values of their Flux post-build variables \
         (`--substitute-from`, the files under `flux-settings/`).\n\n\
         An import that refuses secret values (exit 2) says to import again with \
         `--skip-secrets`, which moves each value to a 1Password reference and lists the fields \
         to create; the app is imported again so, as a new user would, and both runs are shown. \
         Objects of an app that did not import (exit 2) count as not typed. Live objects a \
         controller of the cluster made (a Deployment's ReplicaSet), which import leaves out \
         and lists, are not counted.\n\n\
         ## Totals\n\n\
         | source | apps | exit 0 | exit 1 | exit 2 | objects | typed | raw | typed % |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut all_objects = 0;
    let mut all_typed = 0;
    for (name, apps, _) in &sections {
        let (n, codes, objects, typed, raw) = totals(apps);
        all_objects += objects;
        all_typed += typed;
        text.push_str(&format!(
            "| {name} | {n} | {} | {} | {} | {objects} | {typed} | {raw} | {:.1} |\n",
            codes[0],
            codes[1],
            codes[2],
            100.0 * typed as f64 / objects.max(1) as f64
        ));
    }
    let permille = 1000 * all_typed / all_objects.max(1);
    text.push_str(&format!(
        "| all | {} | | | | {all_objects} | {all_typed} | | {:.1} |\n",
        sections.iter().map(|(_, a, _)| a.len()).sum::<usize>(),
        permille as f64 / 10.0
    ));
    for (name, apps, after) in &sections {
        text.push_str(&format!("\n## {name}\n\n{after}\n{}", table(apps)));
    }

    let path = corpus.join("RESULTS.md");
    if std::env::var_os("CFGGEN_WRITE_RESULTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let first_difference = committed
        .lines()
        .zip(text.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
    assert!(
        committed == text,
        "tests/fixtures/import/RESULTS.md is stale from line {}: run `CFGGEN_WRITE_RESULTS=1 cargo test --test cli corpus` and review its diff\ncommitted: {}\nnow:       {}",
        first_difference + 1,
        committed.lines().nth(first_difference).unwrap_or("(end)"),
        text.lines().nth(first_difference).unwrap_or("(end)"),
    );
    assert!(
        permille >= TYPED_FLOOR_PERMILLE,
        "{} of {all_objects} objects typed ({permille}‰), under the floor of {TYPED_FLOOR_PERMILLE}‰",
        all_typed
    );
}
