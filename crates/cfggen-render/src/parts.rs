//! The many like items of an environment — its apps, the databases of the
//! apps on a cluster, the Argo CD Applications, the kustomizations —
//! rendered in parts, tasks of the caller's worker pool (rayon's), each
//! run of consecutive items into a part
//! of the output of its own, then the parts put together in order so that
//! the rendering is the very one a single thread makes:
//!
//! * a folder's namespace is set by its first object, as it would be;
//! * a patch has matched when it matched in any part;
//! * against digests ([`Keep::Differing`]), which files keep their text
//!   within the limit is decided again in order from the length of each
//!   file that differs; a part that dropped a text the whole keeps (the
//!   parts share the limit, and its share ran out) renders that item again
//!   for it;
//! * a part that failed, or that renders a file another part (or the
//!   output before it) renders too, is rendered again, its items one after
//!   the other, into the output as it stands: the error is the one a
//!   single thread reports.

use std::collections::{BTreeMap, BTreeSet};

use cfggen_model::app::App;
use cfggen_model::Environment;
use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};

use crate::{workloads, Keep, Output, RenderError};

/// How many items (apps, databases, Applications, folders) a part renders
/// at least:
/// below, a thread costs more than it saves.
const MIN_ITEMS_A_PART: usize = 32;

/// A file of a part whose digest is not the one known.
pub(crate) struct Differing {
    path: String,
    /// The length of its text.
    len: usize,
    /// The item (its index among those rendered in parts) that renders it.
    item: usize,
}

impl Differing {
    /// A file of the item being rendered (its index is set once the item
    /// is done).
    pub(crate) fn new(path: &str, len: usize) -> Differing {
        Differing {
            path: path.to_owned(),
            len,
            item: usize::MAX,
        }
    }
}

/// Renders every app of `env` into `out`, in up to `jobs` parts.
pub(crate) fn render_apps(
    out: &mut Output<'_>,
    env: &Environment,
    jobs: usize,
) -> Result<(), RenderError> {
    let apps: Vec<(&String, &App)> = env.apps.iter().collect();
    in_parts(out, &apps, jobs, |out, (name, app)| {
        workloads::render_app(out, env, name, app)
    })
}

/// Renders each of `items` into `out` with `render`, in up to `jobs`
/// parts, as one thread rendering them in order would.
pub(crate) fn in_parts<T: Sync>(
    out: &mut Output<'_>,
    items: &[T],
    jobs: usize,
    render: impl Fn(&mut Output<'_>, &T) -> Result<(), RenderError> + Sync,
) -> Result<(), RenderError> {
    let parts = jobs.min(items.len() / MIN_ITEMS_A_PART);
    if parts < 2 || matches!(out.keep, Keep::Whole) {
        return one_by_one(out, items, &render);
    }
    let size = items.len().div_ceil(parts);
    let runs: Vec<(usize, &[T])> = items
        .chunks(size)
        .enumerate()
        .map(|(i, run)| (i * size, run))
        .collect();
    // Against digests, the parts share the limit of the text kept, so that
    // they hold no more than a single thread would.
    let keep = match out.keep {
        Keep::Differing(known, limit) => Keep::Differing(known, limit / parts),
        keep => keep,
    };
    let blanks: Vec<Output<'_>> = runs.iter().map(|_| out.part(keep)).collect();
    let render = &render;
    // Each part is a task of the caller's worker pool (rayon's, on the
    // threads its caller gave it): a thread that is idle takes the parts
    // another has not begun, so the environments rendered at once share
    // the threads to the end.
    let parts: Vec<Result<Output<'_>, RenderError>> = runs
        .par_iter()
        .zip(blanks)
        .map(|(&(first, run), mut part)| {
            for (i, item) in run.iter().enumerate() {
                let done = part.differing.as_ref().map_or(0, Vec::len);
                render(&mut part, item)?;
                for d in part.differing.iter_mut().flatten().skip(done) {
                    d.item = first + i;
                }
            }
            Ok(part)
        })
        .collect();
    for ((_, run), part) in runs.iter().zip(parts) {
        match part {
            Ok(part) if !part.facts.keys().any(|p| out.facts.contains_key(p)) => {
                absorb(out, part, items, render)?;
            }
            // As a single thread would: the same error, at the same file.
            _ => one_by_one(out, run, render)?,
        }
    }
    Ok(())
}

fn one_by_one<T>(
    out: &mut Output<'_>,
    items: &[T],
    render: &impl Fn(&mut Output<'_>, &T) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    for item in items {
        render(out, item)?;
    }
    Ok(())
}

impl<'k> Output<'k> {
    /// An empty output of the same environment, with the same patches
    /// (none matched yet), keeping `keep` of each file.
    fn part(&self, keep: Keep<'k>) -> Output<'k> {
        let patches = self
            .patches
            .iter()
            .map(|p| crate::Pending {
                matched: false,
                ..p.clone()
            })
            .collect();
        let mut part = Output::new(self.header.clone(), keep, patches, self.escapes.clone());
        part.differing = matches!(keep, Keep::Differing(..)).then(Vec::new);
        part
    }
}

/// Adds a part, which renders no file `out` renders, to `out`; `items`
/// are what the parts rendered, with `render`.
fn absorb<T>(
    out: &mut Output<'_>,
    mut part: Output<'_>,
    items: &[T],
    render: &impl Fn(&mut Output<'_>, &T) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    for (mine, theirs) in out.patches.iter_mut().zip(&part.patches) {
        mine.matched |= theirs.matched;
    }
    out.used.append(&mut part.used);
    out.leaks.append(&mut part.leaks);
    out.folders.absorb(std::mem::take(&mut part.folders));
    out.facts.append(&mut part.facts);
    let mut missing: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    if let Keep::Differing(_, limit) = out.keep {
        // Which texts are kept, decided again in app order.
        for d in part.differing.take().unwrap_or_default() {
            let text = part.files.remove(&d.path);
            if out.kept + d.len > limit {
                if let Some(text) = text {
                    let digest = cfggen_tree::Digest::of(text.as_bytes());
                    out.digests.insert(d.path, digest);
                }
            } else {
                out.kept += d.len;
                match text {
                    Some(text) => {
                        out.files.insert(d.path, text);
                    }
                    None => {
                        missing.entry(d.item).or_default().insert(d.path);
                    }
                }
            }
        }
    }
    out.files.append(&mut part.files);
    out.digests.append(&mut part.digests);
    for (item, paths) in missing {
        let Some(item) = items.get(item) else {
            return Err(RenderError::Internal(format!(
                "a part names item {item} of {}, to render again",
                items.len()
            )));
        };
        let mut again = out.part(Keep::Text);
        render(&mut again, item)?;
        for path in paths {
            let Some(text) = again.files.remove(&path) else {
                return Err(RenderError::Internal(format!(
                    "{path}, rendered against its digest, is not rendered again for its text"
                )));
            };
            out.digests.remove(&path);
            out.files.insert(path, text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{render, render_keeping, Keep, RenderedEnv};
    use cfggen_model::Validated;
    use cfggen_tree::Digest;

    /// An environment of `n` apps, each with a database on one cluster,
    /// 1Password secrets, a Service and probes; `raw` more apps that each
    /// carry the same cluster-scoped manifest.
    fn environment(n: usize, raw: usize) -> cfggen_model::Environment {
        let mut apps = serde_json::Map::new();
        for i in 0..n + raw {
            let name = format!("app-{i:03}");
            apps.insert(
                name.clone(),
                serde_json::json!({
                    "image": format!("registry.example.com/team/{name}:1.{i}"),
                    "components": {"app": {
                        "ports": {"http": 8080},
                        "env": {"API_TOKEN": {"secret": format!("{name}/api-token")}},
                        "probes": {"readiness": {"http": {"path": "/ready", "port": "http"}}},
                    }},
                    "services": {name.clone(): {"component": "app", "ports": {"http": 80}}},
                    "database": {
                        "cluster": "pg",
                        "name": name.replace('-', "_"),
                        "owner": name.replace('-', "_"),
                        "password": format!("{name}/password"),
                    },
                    "secrets": {name.clone(): {"item": format!("App {i}"), "fields": {
                        "password": {"key": "DATABASE_PASSWORD"},
                        "api-token": {"key": "API_TOKEN"},
                    }}},
                }),
            );
        }
        let env = serde_json::json!({
            "name": "dev",
            "namespace": "shop",
            "cluster": {"name": "lab", "server": "https://k8s.example.com:6443"},
            "argocd": {"repoURL": "https://git.example.com/platform/gitops.git"},
            "onepassword": {"vault": "dev", "store": {"name": "op", "provider": "onepassword"}},
            "postgres": {"pg": {"namespace": "databases", "instances": 1,
                "image": "ghcr.io/cloudnative-pg/postgresql:18.3", "storage": {"size": "1Gi"}}},
            "apps": apps,
        });
        let mut env: cfggen_model::Environment =
            serde_json::from_value(env).unwrap_or_else(|e| panic!("the test environment: {e}"));
        let manifest = serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "reader"},
        });
        for (_, app) in env.apps.iter_mut().skip(n) {
            app.loaded_manifests.push((0, manifest.clone()));
        }
        env
    }

    fn validated(n: usize, raw: usize) -> Validated {
        cfggen_model::validate(environment(n, raw), "dev")
            .unwrap_or_else(|issues| panic!("the test environment: {issues:?}"))
    }

    fn same(a: &RenderedEnv, b: &RenderedEnv, what: &str) {
        assert_eq!(a.files, b.files, "{what}: texts");
        assert_eq!(a.digests, b.digests, "{what}: digests");
        assert_eq!(a.facts, b.facts, "{what}: facts");
    }

    const SOURCES: &[&str] = &["environments/dev.yaml"];

    fn sources() -> Vec<String> {
        SOURCES.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_text_a_part_cannot_give_again_is_an_internal_error() {
        // Not an environment validation let through: the renderer's own
        // bookkeeping, said so.
        let env = validated(1, 0);
        let digests = BTreeMap::new();
        let keep = Keep::Differing(&digests, 1 << 20);
        let escapes = std::sync::Arc::new(crate::leaks::Escapes::of(&env));
        for (item, what) in [(5, "item 5 of 1"), (0, "is not rendered again")] {
            let mut out = Output::new(String::new(), keep, Vec::new(), escapes.clone());
            let mut part = out.part(keep);
            part.differing = Some(vec![Differing {
                path: "web/deployment-web.yaml".into(),
                len: 10,
                item,
            }]);
            let err = absorb(&mut out, part, &[()], &|_, _| Ok(())).err();
            let text = err.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(matches!(err, Some(RenderError::Internal(_))), "{text}");
            assert!(text.contains(what) && !text.contains("validated"), "{text}");
        }
    }

    #[test]
    fn rendered_in_parts_it_is_the_rendering_of_one_thread() {
        let env = validated(200, 0);
        let one = render(&env, &sources()).unwrap_or_else(|e| panic!("{e}"));
        assert!(one.len() > 1400, "{}", one.len());
        for jobs in [2, 3, 4, 7] {
            let many = render_keeping(&env, &sources(), Keep::Text, jobs)
                .unwrap_or_else(|e| panic!("{e}"));
            same(&one, &many, &format!("{jobs} threads"));
        }
    }

    #[test]
    fn against_digests_the_texts_kept_are_the_ones_one_thread_keeps() {
        let env = validated(200, 0);
        let full = render(&env, &sources()).unwrap_or_else(|e| panic!("{e}"));
        // On disk: the last apps' files differ (all in the last part), and
        // so do the inventory and a file of an early app.
        let mut known: BTreeMap<String, Digest> = full
            .files
            .iter()
            .map(|(p, t)| (p.clone(), Digest::of(t.as_bytes())))
            .collect();
        let differing: Vec<String> = known
            .keys()
            .filter(|p| p.starts_with("app-19") || p.starts_with("app-003/"))
            .chain([crate::INVENTORY_FILE.to_owned()].iter())
            .cloned()
            .collect();
        for p in &differing {
            known.insert(p.clone(), Digest::of(b"edited"));
        }
        let all: usize = differing.iter().map(|p| full.files[p].len()).sum();
        // Every limit: all kept, most, a few, none.
        for limit in [usize::MAX, all, all * 2 / 3, all / 4, 10] {
            let one = render_keeping(&env, &sources(), Keep::Differing(&known, limit), 1)
                .unwrap_or_else(|e| panic!("{e}"));
            for jobs in [2, 3, 4] {
                let many = render_keeping(&env, &sources(), Keep::Differing(&known, limit), jobs)
                    .unwrap_or_else(|e| panic!("{e}"));
                same(&one, &many, &format!("limit {limit}, {jobs} threads"));
            }
            if limit >= all {
                assert!(one.has_text_against(&known), "limit {limit}");
            }
        }
    }

    #[test]
    fn a_file_two_parts_render_is_the_error_one_thread_reports() {
        let env = validated(120, 2);
        let one = render(&env, &sources()).map(|_| ());
        let Err(expected) = one else {
            panic!("two apps render one ClusterRole: an error");
        };
        assert!(
            matches!(expected, RenderError::ManifestCollision { .. }),
            "{expected:?}"
        );
        for jobs in [2, 3, 4] {
            match render_keeping(&env, &sources(), Keep::Text, jobs) {
                Err(e) => assert_eq!(format!("{e:?}"), format!("{expected:?}"), "{jobs}"),
                Ok(_) => panic!("{jobs} threads: no error"),
            }
        }
    }
}
