//! A change to a few apps of a large environment, rendered from those
//! apps alone.
//!
//! The ground is a rendering known to be committed: the environment as
//! last loaded (its [`Inputs`], its file's text) rendered to the tree now
//! in `generated/<env>/`, and was valid. When only the environment file
//! changed since, and in it only the entries of some apps, the
//! environment is cut down, before and after, to the settings outside the
//! apps and those apps alone (their entries in the file and in its bases:
//! [`crate::cut::only_apps`]), and the two small environments are loaded
//! and rendered as any other. What they render is the whole rendering's
//! share of those apps; the change is taken to the committed tree only
//! when it is plainly confined to them:
//!
//! - the two render the same files, and the new one is valid, passes the
//!   lint, and reads no file and lists no folder otherwise than the ground
//!   recorded (so the ground's record of inputs still holds);
//! - each app claims the same before and after
//!   ([`cfggen_model::validate::claims`]: all that the rules that span
//!   apps see of an app, by the model's types, even where nothing is
//!   rendered, as on a remote cluster) — so those rules find in the whole
//!   what they found in the valid ground;
//! - every file whose text the change alters is, as committed, the file
//!   the cut-down environment rendered before — nothing of another app
//!   is in it (an aggregate such as `onepassword.yaml` or a Postgres
//!   cluster of every app's roles is not; a change to those is rendered
//!   whole);
//! - and the facts the lint and the rules that span apps read of it (kind,
//!   name, namespace, labels, ports, references, …) are the same.
//!
//! A file the change leaves alone in the small environments is left alone
//! in the whole: each app's share of the files is rendered from that app
//! and the settings outside the apps. Anything else — a change outside the
//! apps or to another input, an app added, removed or moved, more than a
//! few apps, a small environment that does not load (an app that reads
//! another app's secret, say), a change that reaches a file of other apps
//! — gives `None`, and the environment is loaded and rendered whole, which
//! also reports its problems at their lines. `delta_tests` compares the
//! two ways on every kind of change.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cfggen_model::validate::Claims;
use cfggen_render::RenderedEnv;
use cfggen_source::{environment_file, Inputs, Overlay, Source, BASES_DIR};
use cfggen_tree::{Digest, File};

use crate::scale::Mechanism;

/// The most apps a change may touch to be rendered from them alone.
const MOST_APPS: usize = 16;

/// How large an environment file must be for its changes to be rendered
/// from the apps they touch (the cache keeps the text of such files
/// only): below, rendering it whole costs about what this costs.
pub(crate) const DELTA_MIN_BYTES: usize = 64 * 1024;

/// A change rendered from the apps it touches.
pub(crate) struct Delta {
    /// The environment's rendering: the text of each file the change
    /// alters, the committed digest of every other.
    pub(crate) rendered: RenderedEnv,
    /// What loading the environment whole would read now.
    pub(crate) inputs: Inputs,
}

/// What an environment was last rendered from, and is committed as.
pub(crate) struct Ground<'g> {
    /// What its load read.
    pub(crate) inputs: &'g Inputs,
    /// The text of its environment file then.
    pub(crate) text: &'g [u8],
    /// The committed tree, which is its rendering: each file's digest.
    pub(crate) committed: &'g BTreeMap<String, Digest>,
}

/// The environment `name` as its files are now in `session`'s source,
/// rendered from the apps its file's change touches, or `None` when the
/// change is not confined to a few apps (see the module's documentation).
pub(crate) fn render_change(
    session: &cfggen_load::Session,
    trees: &dyn cfggen_load::Trees,
    name: &str,
    ground: &Ground<'_>,
) -> Option<Delta> {
    let source = &session.shared_source();
    let rel = environment_file(name);
    let max = crate::cache::max_file_bytes();
    let now = source.read(&rel, max).ok()?;
    let last_hash = ground.inputs.hash_of(&rel)?;
    if cfggen_source::content_hash(ground.text) != last_hash
        || !ground
            .inputs
            .unchanged_but(source.as_ref(), max, Some(&rel))
    {
        return None;
    }
    let (then_text, now_text) = (
        std::str::from_utf8(ground.text).ok()?,
        std::str::from_utf8(&now).ok()?,
    );
    let id = cfggen_yaml::FileId(0);
    let limits = cfggen_yaml::Limits::default();
    let then_tree = trees.tree(&rel, id, then_text, &limits).ok()?;
    let now_tree = trees.tree(&rel, id, now_text, &limits).ok()?;
    let changed = crate::cut::changed_apps(&then_tree, &now_tree)?;
    if changed.is_empty() {
        // Comments, blank lines, quoting: the same data renders the same.
        return Some(Delta {
            rendered: as_committed(name, ground.committed),
            inputs: ground.inputs.with_file(&rel, &now),
        });
    }
    if changed.len() > MOST_APPS {
        return None;
    }
    let keep = |app: &str| changed.contains(app);
    // The bases, cut down to those apps (the same before and after).
    let mut bases = BTreeMap::new();
    for base in ground.inputs.files().filter(|f| is_base(f)) {
        let bytes = source.read(base, max).ok()?;
        if ground.inputs.hash_of(base) != Some(cfggen_source::content_hash(&bytes).as_str()) {
            return None;
        }
        let text = std::str::from_utf8(&bytes).ok()?;
        // A large base is cut from its lines when they show its shape
        // plainly, else through its tree.
        let by_lines = (!Mechanism::LineCut.is_off())
            .then(|| crate::cut::only_apps_by_lines(text, keep))
            .flatten();
        let cut = match by_lines {
            Some(cut) => cut,
            None => {
                let tree = trees.tree(base, id, text, &limits).ok()?;
                crate::cut::only_apps(text, &tree, keep).ok()?
            }
        };
        bases.insert(base.to_owned(), cut.into_bytes());
    }
    let cut_down = |text: &str, tree: &cfggen_yaml::Node| {
        let mut files = bases.clone();
        let cut = crate::cut::only_apps(text, tree, keep).ok()?;
        files.insert(rel.clone(), cut.into_bytes());
        Some(files)
    };
    let (before, claimed) = render_alone(source, name, cut_down(then_text, &then_tree)?, None)?;
    let (after, claims) = render_alone(source, name, cut_down(now_text, &now_tree)?, Some(ground))?;
    // What the rules that span apps compare is the same: they find what
    // they found in the whole (valid) environment.
    if claimed != claims {
        return None;
    }
    let rendered = apply(name, ground.committed, before, after)?;
    Some(Delta {
        rendered,
        inputs: ground.inputs.with_file(&rel, &now),
    })
}

/// Whether `rel` is a base file.
fn is_base(rel: &str) -> bool {
    rel.strip_prefix(BASES_DIR)
        .is_some_and(|r| r.starts_with('/'))
}

/// The committed tree as a rendering that holds no text.
fn as_committed(name: &str, committed: &BTreeMap<String, Digest>) -> RenderedEnv {
    let mut rendered = RenderedEnv::named(name);
    rendered.files = committed
        .iter()
        .map(|(path, digest)| (path.clone(), File::Digest(*digest)))
        .collect();
    rendered
}

/// The environment `name` loaded from `source` with `files` in place of
/// its own, rendered, with each file's text and facts, and what each of
/// its apps claims that no other app may ([`cfggen_model::validate::claims`]).
/// With `ground`, it must also pass the lint, and every other file its
/// load reads and folder it lists must give what the ground's load read
/// (nothing changed since they were compared, and nothing is read that
/// the ground does not record).
fn render_alone(
    source: &Arc<dyn Source>,
    name: &str,
    files: BTreeMap<String, Vec<u8>>,
    ground: Option<&Ground<'_>>,
) -> Option<(RenderedEnv, BTreeMap<String, Claims>)> {
    let replaced: BTreeSet<String> = files.keys().cloned().collect();
    let session = cfggen_load::Session::with_source(Arc::new(Overlay::new(source.clone(), files)));
    let loaded = session.load(name).ok()?;
    // Warnings are printed by the command's own session: rendered whole.
    if !loaded.warnings.is_empty() {
        return None;
    }
    let rendered = cfggen_render::render(&loaded.environment, &loaded.files).ok()?;
    if let Some(ground) = ground {
        if !loaded.inputs.within(ground.inputs, &replaced)
            || !cfggen_lint::lint(&rendered).is_empty()
        {
            return None;
        }
    }
    let claims = loaded
        .environment
        .apps
        .iter()
        .map(|(app, a)| (app.clone(), cfggen_model::validate::claims(app, a)))
        .collect();
    Some((rendered, claims))
}

/// The committed tree with the change from `before` to `after` applied,
/// when it is confined to files of those apps alone; `None` otherwise.
fn apply(
    name: &str,
    committed: &BTreeMap<String, Digest>,
    before: RenderedEnv,
    after: RenderedEnv,
) -> Option<RenderedEnv> {
    if !before.files.keys().eq(after.files.keys()) {
        return None;
    }
    let mut rendered = as_committed(name, committed);
    for (path, text) in after.files {
        let then = before.files.get(&path)?;
        if *then == text {
            continue;
        }
        let alone = committed.get(&path) == Some(&then.digest());
        if !alone || before.facts.get(&path) != after.facts.get(&path) {
            return None;
        }
        rendered.files.insert(path, text);
    }
    Some(rendered)
}

#[cfg(test)]
mod delta_tests {
    //! The two ways compared: every scalar of every app of the fixture
    //! environments changed in turn, each change rendered whole and from
    //! the apps it touches. Where the latter gives a rendering, it must be
    //! the whole one's, file for file, and read what a whole load reads.

    use std::collections::HashMap;
    use std::path::Path;

    use super::*;
    use cfggen_yaml::{FileId, Limits, Node, Value};

    /// Trees parsed, as a run without a cache has them.
    struct Parse;

    impl cfggen_load::Trees for Parse {
        fn tree(
            &self,
            _: &str,
            id: FileId,
            text: &str,
            limits: &Limits,
        ) -> Result<Node, Box<cfggen_yaml::YamlError>> {
            cfggen_yaml::parse(id, text, limits)
        }
    }

    /// Every file under `dir`, by path relative to it.
    fn files_under(dir: &Path) -> HashMap<String, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut HashMap<String, Vec<u8>>) {
            let entries =
                std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path))
                {
                    out.insert(rel.to_string_lossy().replace('\\', "/"), bytes);
                }
            }
        }
        let mut out = HashMap::new();
        walk(dir, dir, &mut out);
        out
    }

    fn project(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    /// The repository of the shipped environments.
    fn shipped() -> HashMap<String, Vec<u8>> {
        let mut files = HashMap::new();
        for dir in ["environments", "crds"] {
            for (rel, bytes) in files_under(&project(dir)) {
                files.insert(format!("{dir}/{rel}"), bytes);
            }
        }
        files
    }

    /// A whole load, rendering and lint of `name`.
    fn whole(files: &HashMap<String, Vec<u8>>, name: &str) -> Option<(RenderedEnv, Inputs)> {
        let session = cfggen_load::Session::in_memory(files.clone());
        let loaded = session.load(name).ok()?;
        let rendered = cfggen_render::render(&loaded.environment, &loaded.files).ok()?;
        cfggen_lint::lint(&rendered)
            .is_empty()
            .then_some((rendered, loaded.inputs))
    }

    fn digests(rendered: &RenderedEnv) -> BTreeMap<String, Digest> {
        rendered
            .files
            .iter()
            .map(|(p, f)| (p.clone(), f.digest()))
            .collect()
    }

    /// An environment's whole rendering as the cache records it: the
    /// ground of a change.
    struct Recorded {
        text: String,
        inputs: Inputs,
        committed: BTreeMap<String, Digest>,
    }

    impl Recorded {
        fn of(files: &HashMap<String, Vec<u8>>, name: &str) -> Recorded {
            let text = String::from_utf8(files[&environment_file(name)].clone())
                .unwrap_or_else(|e| panic!("{e}"));
            let (rendered, inputs) = whole(files, name).unwrap_or_else(|| panic!("{name} renders"));
            Recorded {
                text,
                inputs,
                committed: digests(&rendered),
            }
        }

        fn ground(&self) -> Ground<'_> {
            Ground {
                inputs: &self.inputs,
                text: self.text.as_bytes(),
                committed: &self.committed,
            }
        }
    }

    /// Each scalar of each app in `text`, by app and by its path in the
    /// app: its span and its value.
    fn scalars(text: &str) -> Vec<(String, String, usize, usize, Value)> {
        fn leaves(
            node: &Node,
            app: &str,
            path: String,
            out: &mut Vec<(String, String, usize, usize, Value)>,
        ) {
            match &node.value {
                Value::Seq(items) => {
                    for (i, n) in items.iter().enumerate() {
                        leaves(n, app, format!("{path}[{i}]"), out);
                    }
                }
                Value::Map(entries) => {
                    for e in entries {
                        leaves(&e.value, app, format!("{path}.{}", e.key.text), out);
                    }
                }
                Value::Null => {}
                value if !node.loc.is_empty() => {
                    out.push((
                        app.to_owned(),
                        path,
                        node.loc.start,
                        node.loc.end,
                        value.clone(),
                    ));
                }
                _ => {}
            }
        }
        let root = cfggen_yaml::parse(FileId(0), text, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        for app in root.get("apps").and_then(Node::as_map).unwrap_or_default() {
            leaves(&app.value, &app.key.text, String::new(), &mut out);
        }
        out
    }

    /// The changes to try in `text`: each scalar of each app changed
    /// (a number up by one, a flag turned, a string lengthened), and set
    /// to the value another app has at the same place (its namespace, a
    /// Service's or a database's name, a 1Password item: what collides).
    fn changes(text: &str) -> Vec<(usize, usize, String)> {
        let all = scalars(text);
        let mut out = Vec::new();
        for (app, path, start, end, value) in &all {
            let changed = match value {
                Value::Int(i) => (i + 1).to_string(),
                Value::Bool(b) => (!b).to_string(),
                Value::Float(f) => format!("{}", f + 0.5),
                Value::String(s) => format!("{s}1"),
                _ => continue,
            };
            out.push((*start, *end, changed));
            let others: BTreeSet<&str> = all
                .iter()
                .filter(|(a, p, _, _, v)| a != app && p == path && v != value)
                .filter_map(|(_, _, _, _, v)| match v {
                    Value::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            out.extend(others.into_iter().map(|v| (*start, *end, v.to_owned())));
        }
        out
    }

    /// Each two apps of `text`, the second's name as a string.
    fn pairs(text: &str) -> Vec<(String, String)> {
        let root = cfggen_yaml::parse(FileId(0), text, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = root
            .get("apps")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.text.clone())
            .collect();
        let mut out = Vec::new();
        for a in &names {
            for b in names.iter().filter(|b| *b != a) {
                out.push((a.clone(), b.clone()));
                out.push((a.clone(), b.replace('-', "_")));
            }
        }
        out
    }

    /// Changes every scalar of every app of environment `name` in turn;
    /// returns how many changes were rendered from their apps alone.
    fn compare_every_change(files: &HashMap<String, Vec<u8>>, name: &str) -> usize {
        let rel = environment_file(name);
        let recorded = Recorded::of(files, name);
        let (text, ground) = (&recorded.text, recorded.ground());
        let mut alone = 0;
        let mut tried = Vec::new();
        for (start, end, value) in changes(text) {
            let Ok(changed) = cfggen_edit::replace_scalar(text, start, end, &value) else {
                continue;
            };
            tried.push((
                changed,
                format!("`{}` → `{value}` at {start}", &text[start..end]),
            ));
        }
        for (app, other) in pairs(text) {
            for path in [
                vec!["apps", &app, "namespace"],
                vec!["apps", &app, "database", "name"],
                vec!["apps", &app, "database", "owner"],
            ] {
                if let Ok(changed) = cfggen_edit::set_path(text, &path, &other) {
                    tried.push((changed, format!("{} → `{other}`", path.join("."))));
                }
            }
        }
        for (changed, what) in tried {
            let mut now = files.clone();
            now.insert(rel.clone(), changed.clone().into_bytes());
            let session = cfggen_load::Session::in_memory(now.clone());
            let Some(delta) = render_change(&session, &Parse, name, &ground) else {
                continue;
            };
            let at = format!("{name}: {what}");
            let (full, full_inputs) = whole(&now, name)
                .unwrap_or_else(|| panic!("{at}: rendered alone, but the whole is not valid"));
            assert_eq!(digests(&delta.rendered), digests(&full), "{at}");
            for (path, text) in delta.rendered.texts() {
                assert_eq!(Some(text), full.text(path), "{at}: {path}");
            }
            // What the ground records covers what a whole load reads.
            assert!(full_inputs.within(&delta.inputs, &BTreeSet::new()), "{at}");
            alone += 1;
        }
        alone
    }

    #[test]
    fn a_change_rendered_from_its_apps_is_the_whole_rendering() {
        let files = shipped();
        let prod = compare_every_change(&files, "prod");
        let dev = compare_every_change(&files, "dev");
        let valid = files_under(&project("tests/fixtures/valid"));
        let staging = compare_every_change(&valid, "staging");
        // The platform's base without the apostrophes of its comments: cut
        // from its lines, not its tree.
        let base = "environments/bases/platform.yaml";
        let mut plain = files.clone();
        let text = String::from_utf8(files[base].clone()).unwrap_or_default();
        let uncommented: String = text
            .split_inclusive('\n')
            .map(|l| match l.trim_start().starts_with('#') {
                true => l.replace('\'', ""),
                false => l.to_owned(),
            })
            .collect();
        assert!(crate::cut::only_apps_by_lines(&uncommented, |a| a == "authentik").is_some());
        plain.insert(base.to_owned(), uncommented.into_bytes());
        let by_lines = compare_every_change(&plain, "prod");
        assert_eq!(by_lines, prod, "the same changes, rendered alone");
        assert!(
            prod >= 5 && dev >= 1 && staging >= 1,
            "rendered alone: prod {prod}, dev {dev}, staging {staging}"
        );
    }

    /// The shipped platform as one file, `flat`: every app setting is in
    /// the environment file itself; `edit` changes its data first.
    fn flat(
        edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>),
    ) -> HashMap<String, Vec<u8>> {
        let files = shipped();
        let parse = |rel: &str| {
            let text = String::from_utf8(files[rel].clone()).unwrap_or_else(|e| panic!("{e}"));
            cfggen_yaml::parse(FileId(0), &text, &Limits::default())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let merged = cfggen_yaml::merge(
            parse("environments/bases/platform.yaml"),
            parse("environments/prod.yaml"),
        );
        let mut json = merged.into_json();
        if let Some(map) = json.as_object_mut() {
            map.remove("extends");
            map.insert("name".into(), "flat".into());
            edit(map);
        }
        let mut flat = files.clone();
        flat.insert(
            "environments/flat.yaml".into(),
            cfggen_yaml::emit(&json).into_bytes(),
        );
        flat
    }

    #[test]
    fn every_app_setting_of_a_flat_platform_changed_in_turn() {
        let alone = compare_every_change(&flat(|_| {}), "flat");
        assert!(alone >= 50, "rendered alone: {alone}");
    }

    #[test]
    fn apps_on_a_remote_cluster_claim_what_renders_nothing() {
        // A remote cluster renders no roles and no databases here, yet two
        // apps must not claim one of either on it.
        let files = flat(|env| {
            env.insert(
                "postgres".into(),
                serde_json::json!({"shared-pg": {
                    "namespace": "databases", "host": "pg.example.com", "remote": true
                }}),
            );
        });
        let alone = compare_every_change(&files, "flat");
        assert!(alone >= 50, "rendered alone: {alone}");
    }

    #[test]
    fn every_app_setting_of_the_workloads_fixture_changed_in_turn() {
        let files = files_under(&project("tests/fixtures/workloads"));
        let alone = compare_every_change(&files, "lab");
        assert!(alone >= 20, "rendered alone: {alone}");
    }

    #[test]
    fn a_folder_the_change_lists_first_is_rendered_whole() {
        // The same files as a folder: the same ConfigMap, but the folder
        // is listed now, which the ground does not record (a file added
        // to it later would go unseen).
        let files = files_under(&project("tests/fixtures/workloads"));
        let rel = environment_file("lab");
        let recorded = Recorded::of(&files, "lab");
        let (text, ground) = (&recorded.text, recorded.ground());
        let listed = text.replace(
            "        files:\n          - environments/files/jellyfin/branding.css\n          - environments/files/jellyfin/logo.png\n",
            "        folder: environments/files/jellyfin\n",
        );
        assert_ne!(&listed, text);
        let mut now = files.clone();
        now.insert(rel, listed.into_bytes());
        let (full, full_inputs) = whole(&now, "lab").unwrap_or_else(|| panic!("lab renders"));
        assert_eq!(digests(&full), recorded.committed, "the same ConfigMap");
        assert_ne!(full_inputs, recorded.inputs);
        let session = cfggen_load::Session::in_memory(now);
        assert!(render_change(&session, &Parse, "lab", &ground).is_none());
    }

    #[test]
    fn a_change_outside_the_apps_or_to_another_file_is_rendered_whole() {
        let files = shipped();
        let rel = environment_file("prod");
        let recorded = Recorded::of(&files, "prod");
        let (text, ground) = (&recorded.text, recorded.ground());
        let delta = |now: &HashMap<String, Vec<u8>>| {
            render_change(
                &cfggen_load::Session::in_memory(now.clone()),
                &Parse,
                "prod",
                &ground,
            )
            .is_some()
        };
        let with = |rel: &str, text: String| {
            let mut now = files.clone();
            now.insert(rel.to_owned(), text.into_bytes());
            now
        };
        // The same data, written otherwise: nothing to render.
        let commented = with(&rel, text.replace("apps:\n", "apps: # the apps\n"));
        assert!(delta(&commented));
        let same = render_change(
            &cfggen_load::Session::in_memory(commented),
            &Parse,
            "prod",
            &ground,
        );
        assert!(same
            .is_some_and(|d| d.rendered.texts().next().is_none()
                && digests(&d.rendered) == recorded.committed));
        // An app's image: rendered from that app.
        let image = text.replace(
            "authentik:v2026.2.0-2d4098e-nix",
            "authentik:v2026.2.1-2d4098e-nix",
        );
        assert_ne!(&image, text);
        assert!(delta(&with(&rel, image.clone())));
        // A setting outside the apps, a base, an app removed: whole.
        assert!(!delta(&with(
            &rel,
            text.replace("instances: 2", "instances: 3")
        )));
        let base = "environments/bases/platform.yaml";
        let base_text = String::from_utf8(files[base].clone()).unwrap_or_default();
        assert!(!delta(&with(base, format!("{base_text}\n# edited\n"))));
        let removed = text.replace("  meilisearch:\n", "  meilisearch-gone:\n");
        assert!(!delta(&with(&rel, removed)));
        // A ground whose text is not the one its load read.
        let other = Ground {
            text: image.as_bytes(),
            ..ground
        };
        assert!(render_change(
            &cfggen_load::Session::in_memory(files.clone()),
            &Parse,
            "prod",
            &other
        )
        .is_none());
    }
}
