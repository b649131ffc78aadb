//! cfggen's render stage: a validated [`Environment`] → the in-memory tree
//! of files that make up `generated/<env>/`. Pure: no I/O, no clock, no
//! randomness; the same environment renders to the same bytes.
//!
//! Layout of one environment:
//!
//! ```text
//! <app>/                 one folder per app: Deployments, Services, Ingress,
//!                        ConfigMaps, ExternalSecrets, kustomization.yaml
//! <postgres namespace>/  per namespace of Postgres clusters: Cluster (with
//!                        the managed roles of every app on it), Databases,
//!                        role-password ExternalSecrets, kustomization.yaml
//! argocd/                one Application per folder above, kustomization.yaml
//! onepassword.yaml       every op:// reference and what consumes it
//! ```
//!
//! Kubernetes objects are built from `k8s-openapi` types; the custom
//! resources from the typed structs in [`crds`].

mod autoscaling;
mod backup;
mod certificates;
mod classes;
mod config;
pub mod crds;
mod custom;
mod dapr;
mod elsewhere;
mod flux;
mod folders;
mod inventory;
mod istio;
mod leaks;
mod monitors;
mod namespaces;
mod network;
mod pod;
mod postgres;
mod projects;
mod rbac;
mod routes;
mod services;
mod storage;
mod velero;
mod workloads;

use std::collections::BTreeMap;

use cfggen_model::{names, Environment, Validated};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

pub use cfggen_tree::{File, RenderedEnv, HEADER_PREFIX, INVENTORY_FILE, MADE_ELSEWHERE_FILE};
pub use inventory::{external_secrets, inventory, ExternalEntry, InventoryEntry};
pub use leaks::Leak;

/// Sync waves: what must exist before what.
pub mod waves {
    /// Role-password ExternalSecrets: before the Cluster that reads them.
    pub const ROLE_SECRETS: i32 = -3;
    /// Postgres clusters.
    pub const CLUSTERS: i32 = -2;
    /// Databases, app ExternalSecrets and ConfigMaps: before the workloads.
    pub const PREREQUISITES: i32 = -1;
    /// Deployments and Services.
    pub const WORKLOADS: i32 = 0;
    /// Ingresses, once their Services exist.
    pub const EXPOSURE: i32 = 1;
}

/// The annotation Argo CD orders a sync by.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// The folder of the Argo CD Applications in an environment.
pub const ARGOCD_FOLDER: &str = "argocd";
/// The label cfggen puts on every object it renders, and its value.
pub use cfggen_model::names::MANAGED_BY;
/// The folder of an environment's cluster-scoped objects (PersistentVolumes).
pub use cfggen_model::validate::CLUSTER_FOLDER;

/// A render failure: only a bug in cfggen can cause one, since the
/// environment is validated.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A reference that validation should have resolved does not: a rule
    /// of `cfggen_model::validate` let something through. Reported, never
    /// skipped, so the output is never silently missing a piece.
    #[error("internal error: {0} does not resolve in a validated environment")]
    Unresolved(String),
    /// A value could not be written as YAML.
    #[error("cannot write {path} as YAML: {message}")]
    Emit {
        /// The file.
        path: String,
        /// What the YAML writer said.
        message: String,
    },
    /// Two objects would be written to one file.
    #[error("two objects would be written to {0}")]
    Collision(String),
    /// A raw manifest names an object that is already rendered (by a typed
    /// field or another manifest).
    #[error("the manifest's {object} is already rendered, as {file}")]
    ManifestCollision {
        /// The manifest entry.
        path: cfggen_model::FieldPath,
        /// Its kind and name.
        object: String,
        /// The file both would be written to.
        file: String,
    },
    /// A patch matched no rendered object.
    #[error("the patch of {target} matches no object that is rendered")]
    PatchUnmatched {
        /// Where the patch is declared.
        path: cfggen_model::FieldPath,
        /// What it looks for.
        target: String,
        /// The closest object it may have meant, or the objects there are.
        suggestion: Option<String>,
    },
    /// Secret values in objects about to be written (a literal under a
    /// secret-looking name, a value shaped like a credential) that no
    /// `notSecret` declares: nothing is written.
    #[error("{} secret value(s) would be written", .0.len())]
    Secrets(Vec<Leak>),
    /// A `notSecret` entry that declares nothing the rendering holds.
    #[error(
        "`notSecret` names {object} field `{field}`, which holds no value the secret check refuses"
    )]
    NotSecretUnused {
        /// Where the entry is written.
        path: cfggen_model::FieldPath,
        /// The object it names.
        object: String,
        /// The field it names.
        field: String,
    },
    /// A JSON patch operation could not be applied.
    #[error("the patch cannot be applied: {message}")]
    Patch {
        /// Where the patch is declared.
        path: cfggen_model::FieldPath,
        /// What went wrong.
        message: String,
    },
}

/// Renders `env`, whose source files (relative to the repository root)
/// are `sources`, for the header line of every file. Of the data behind
/// each file, [`RenderedEnv::facts`] keeps what the checks of the output
/// read ([`cfggen_tree::Facts`]).
pub fn render(env: &Validated, sources: &[String]) -> Result<RenderedEnv, RenderError> {
    render_keeping(env, sources, Keep::Text)
}

/// [`render`], keeping every object whole in [`RenderedEnv::objects`] too
/// (for comparing them with other manifests, as `cfggen import` does).
pub fn render_whole(env: &Validated, sources: &[String]) -> Result<RenderedEnv, RenderError> {
    render_keeping(env, sources, Keep::Whole)
}

/// What a rendering keeps of each file beside its facts.
#[derive(Clone, Copy)]
pub enum Keep<'k> {
    /// Its text.
    Text,
    /// Its digest ([`File::Digest`]): for checking a large
    /// environment, or comparing it with what is on disk, without holding
    /// its text.
    Digests,
    /// Its text when its digest is not the one given for its path (the
    /// digests of the committed tree, say) and the text kept is under the
    /// limit (bytes), else its digest: a large environment is compared
    /// with what is on disk, and its differences written or shown, from
    /// one rendering that holds the text of its differences only. Past the
    /// limit, a file that differs is kept as a digest too
    /// ([`RenderedEnv::against`] tells).
    Differing(&'k BTreeMap<String, cfggen_tree::Digest>, usize),
    /// Its text and the whole data it was written from.
    Whole,
    /// Its digest, its text handed to the function (its path, its text)
    /// as soon as it is made: a large environment is written without its
    /// text held whole.
    Handed(&'k (dyn Fn(&str, &str) + Sync)),
}

/// [`render`], keeping `keep` of each file.
pub fn render_keeping(
    env: &Validated,
    sources: &[String],
    keep: Keep<'_>,
) -> Result<RenderedEnv, RenderError> {
    let mut patches: Vec<Pending> = env
        .patches
        .iter()
        .enumerate()
        .map(|(i, p)| Pending {
            folder: None,
            patch: p.clone(),
            path: cfggen_model::FieldPath::of(&["patches"]).index(i),
            matched: false,
        })
        .collect();
    for (name, app) in &env.apps {
        patches.extend(app.patches.iter().enumerate().map(|(i, p)| Pending {
            folder: Some(name.clone()),
            patch: p.clone(),
            path: cfggen_model::FieldPath::of(&["apps", name, "patches"]).index(i),
            matched: false,
        }));
    }
    let escapes = leaks::Escapes::of(env);
    let mut out = Output::new(header(sources), keep, patches, escapes);
    // The inventory first: its data (a line per 1Password reference of
    // the environment) is the largest single object, and is freed before
    // the files of the apps pile up.
    let entries = inventory(env)?;
    let external = external_secrets(env);
    // An environment that reads nothing from 1Password and uses no
    // external Secret has no inventory.
    if !entries.is_empty() || !external.is_empty() {
        let doc = inventory::InventoryDoc {
            environment: &env.name,
            vault: env.onepassword.as_ref().map(|op| op.vault.as_str()),
            references: &entries,
            external: &external,
        };
        out.file(INVENTORY_FILE.to_owned(), &doc)?;
    }
    drop((entries, external));
    elsewhere::made_elsewhere(&mut out, env)?;
    // Before the apps: a raw manifest of a Namespace the environment
    // declares is the manifest's collision, at its line.
    namespaces::namespaces(&mut out, env)?;
    for (name, app) in &env.apps {
        workloads::render_app(&mut out, env, name, app)?;
    }
    postgres::render_clusters(&mut out, env)?;
    storage::persistent_volumes(&mut out, env)?;
    storage::storage_classes(&mut out, env)?;
    render_applications(&mut out, env)?;
    projects::projects(&mut out, env)?;
    if !out.leaks.is_empty() {
        return Err(RenderError::Secrets(std::mem::take(&mut out.leaks)));
    }
    if let Some((entry, path)) = out.escapes.unused(&out.used).next() {
        return Err(RenderError::NotSecretUnused {
            path: path.clone(),
            object: entry.object.clone(),
            field: entry.field.clone(),
        });
    }
    if let Some(p) = out.patches.iter().find(|p| !p.matched) {
        return Err(RenderError::PatchUnmatched {
            path: p.path.clone(),
            target: match &p.patch.target.name {
                Some(n) => format!("{} `{n}`", p.patch.target.kind),
                None => format!("any {}", p.patch.target.kind),
            },
            suggestion: out.patch_suggestion(p),
        });
    }
    out.finish_kustomizations()?;
    Ok(RenderedEnv {
        name: env.name.clone(),
        files: out.files,
        facts: out.facts,
        objects: out.objects,
    })
}

/// The environment's 1Password settings, which validation guarantees
/// whenever something reads 1Password.
pub(crate) fn onepassword(
    env: &cfggen_model::Environment,
) -> Result<&cfggen_model::environment::OnePassword, RenderError> {
    env.onepassword
        .as_ref()
        .ok_or_else(|| RenderError::Unresolved("the environment's `onepassword`".into()))
}

/// The first line of every generated file.
pub fn header(sources: &[String]) -> String {
    format!(
        "{HEADER_PREFIX} from {}; do not edit, run `cfggen render`.\n",
        sources.join(" + ")
    )
}

/// Collects files; remembers each folder's namespace and resources for
/// its kustomization.yaml.
pub(crate) struct Output<'k> {
    header: String,
    files: BTreeMap<String, File>,
    facts: BTreeMap<String, cfggen_tree::Facts>,
    objects: BTreeMap<String, serde_json::Value>,
    /// What to keep of each file beside its facts.
    keep: Keep<'k>,
    /// The bytes of text kept so far.
    kept: usize,
    /// The folders, their files and namespaces.
    folders: folders::Folders,
    /// The patches to apply, and whether each matched an object.
    patches: Vec<Pending>,
    /// What the environment declares not secret.
    escapes: leaks::Escapes,
    /// The `notSecret` entries that matched a finding.
    used: std::collections::BTreeSet<usize>,
    /// Secret values found in the files so far.
    leaks: Vec<Leak>,
}

/// A patch waiting for its objects.
struct Pending {
    /// The app folder it is limited to; every folder for an environment's.
    folder: Option<String>,
    patch: cfggen_model::patch::Patch,
    /// Where it is declared.
    path: cfggen_model::FieldPath,
    matched: bool,
}

impl<'k> Output<'k> {
    /// An output with nothing in it yet, whose files start with `header`,
    /// keeping `keep` of each, with `patches` to apply.
    fn new(
        header: String,
        keep: Keep<'k>,
        patches: Vec<Pending>,
        escapes: leaks::Escapes,
    ) -> Output<'k> {
        Output {
            header,
            files: BTreeMap::new(),
            facts: BTreeMap::new(),
            objects: BTreeMap::new(),
            keep,
            kept: 0,
            folders: folders::Folders::default(),
            patches,
            escapes,
            used: std::collections::BTreeSet::new(),
            leaks: Vec::new(),
        }
    }

    /// Writes `value` as `<folder>/<file>` and lists it in the folder's
    /// kustomization.
    pub(crate) fn resource<T: Serialize>(
        &mut self,
        folder: &str,
        namespace: &str,
        file: String,
        value: &T,
    ) -> Result<(), RenderError> {
        let path = self.list(folder, Some(namespace), file);
        let mut data = to_data(&path, value)?;
        for p in self.patches.iter_mut() {
            let here = p.folder.as_deref().is_none_or(|f| f == folder);
            if here && p.patch.target.matches(&data) {
                p.patch
                    .apply(&mut data)
                    .map_err(|message| RenderError::Patch {
                        path: p.path.clone(),
                        message,
                    })?;
                p.matched = true;
            }
        }
        self.file_data(path, data)
    }

    /// "Did you mean …?" for a patch that matched nothing: the closest
    /// name among the patchable objects of its kind in its scope, else the
    /// closest kind there.
    fn patch_suggestion(&self, p: &Pending) -> Option<String> {
        let in_scope = |path: &str| {
            let folder = path.split('/').next().unwrap_or_default();
            let namespaced = self
                .folders
                .get(folder)
                .is_some_and(|f| f.scope.is_namespaced());
            namespaced && p.folder.as_deref().is_none_or(|f| f == folder)
        };
        let objects: Vec<(&str, &str)> = self
            .facts
            .iter()
            .filter(|(path, _)| in_scope(path))
            .filter_map(|(_, facts)| match facts {
                cfggen_tree::Facts::Object(o) if !o.kind.is_empty() && !o.name.is_empty() => {
                    Some((o.kind.as_str(), o.name.as_str()))
                }
                _ => None,
            })
            .collect();
        let target = &p.patch.target;
        let names: Vec<&str> = objects
            .iter()
            .filter(|(k, _)| *k == target.kind)
            .map(|(_, n)| *n)
            .collect();
        if let (Some(name), false) = (&target.name, names.is_empty()) {
            let kind = &target.kind;
            return Some(
                match cfggen_model::suggest::closest(name, names.iter().copied()) {
                    Some(best) => format!("did you mean {kind} `{best}`?"),
                    None => format!("the {kind} objects there: `{}`", names.join("`, `")),
                },
            );
        }
        let mut kinds: Vec<&str> = objects.iter().map(|(k, _)| *k).collect();
        kinds.sort_unstable();
        kinds.dedup();
        cfggen_model::suggest::closest(&target.kind, kinds.iter().copied()).map(|k| {
            format!(
                "no {} is rendered there; did you mean kind `{k}`?",
                target.kind
            )
        })
    }

    /// Writes a cluster-scoped object as `<folder>/<file>`, in a folder
    /// whose kustomization sets no namespace.
    pub(crate) fn cluster_resource<T: Serialize>(
        &mut self,
        folder: &str,
        file: String,
        value: &T,
    ) -> Result<(), RenderError> {
        let path = self.list(folder, None, file);
        self.file(path, value)
    }

    /// Lists `file`, an object of `namespace` (none: cluster-scoped), in
    /// `folder`'s kustomization and returns its path.
    fn list(&mut self, folder: &str, namespace: Option<&str>, file: String) -> String {
        let path = format!("{folder}/{file}");
        self.folders.entry(folder).list(namespace, file);
        path
    }

    /// Writes `value` as the file `path`.
    pub(crate) fn file<T: Serialize>(
        &mut self,
        path: String,
        value: &T,
    ) -> Result<(), RenderError> {
        let data = to_data(&path, value)?;
        self.file_data(path, data)
    }

    /// Writes the plain data of an object as the file `path`.
    fn file_data(&mut self, path: String, data: serde_json::Value) -> Result<(), RenderError> {
        let leaks_before = self.leaks.len();
        leaks::check(&self.escapes, &path, &data, &mut self.leaks, &mut self.used);
        // A file that would carry a secret is never handed on: the
        // rendering fails once every file is made.
        let clean = self.leaks.len() == leaks_before;
        let body = cfggen_yaml::emit(&data);
        let mut text = String::with_capacity(self.header.len() + body.len());
        text.push_str(&self.header);
        text.push_str(&body);
        let facts = cfggen_tree::Facts::of(&path, &data);
        if self.facts.insert(path.clone(), facts).is_some() {
            return Err(RenderError::Collision(path));
        }
        let file = match self.keep {
            Keep::Text => File::Text(text),
            Keep::Digests => File::Digest(cfggen_tree::Digest::of(text.as_bytes())),
            Keep::Differing(known, limit) => {
                let digest = cfggen_tree::Digest::of(text.as_bytes());
                let differs = known.get(&path) != Some(&digest);
                if !differs || self.kept + text.len() > limit {
                    File::Digest(digest)
                } else {
                    self.kept += text.len();
                    File::Text(text)
                }
            }
            Keep::Whole => {
                self.objects.insert(path.clone(), data);
                File::Text(text)
            }
            Keep::Handed(hand) => {
                if clean {
                    hand(&path, &text);
                }
                File::Digest(cfggen_tree::Digest::of(text.as_bytes()))
            }
        };
        self.files.insert(path, file);
        Ok(())
    }

    /// Writes each folder's kustomization.yaml.
    fn finish_kustomizations(&mut self) -> Result<(), RenderError> {
        for (name, folder) in self.folders.take() {
            let mut resources = folder.files;
            resources.sort();
            let k = crds::Kustomization {
                api_version: "kustomize.config.k8s.io/v1beta1".into(),
                kind: "Kustomization".into(),
                namespace: folder.scope.namespace(),
                resources,
            };
            self.file(format!("{name}/kustomization.yaml"), &k)?;
        }
        Ok(())
    }
}

/// The plain data of an object to write as `path`.
fn to_data<T: Serialize>(path: &str, value: &T) -> Result<serde_json::Value, RenderError> {
    serde_json::to_value(value).map_err(|e| RenderError::Emit {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// The file name of an object: `<kind>-<name>.yaml`, lower case.
pub(crate) fn file_name(kind: &str, name: &str) -> String {
    format!("{}-{name}.yaml", kind.to_ascii_lowercase())
}

/// The file of an object of namespace `namespace` in the folder of an app
/// of namespace `app_namespace`: of another namespace, its file name says
/// which.
pub(crate) fn file_name_in(kind: &str, name: &str, namespace: &str, app_namespace: &str) -> String {
    if namespace == app_namespace {
        file_name(kind, name)
    } else {
        file_name(kind, &format!("{namespace}-{name}"))
    }
}

/// The labels of everything cfggen renders: `managed-by`, plus `extra`.
pub(crate) fn managed_labels(
    extra: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = extra.into_iter().collect();
    labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
    labels
}

/// Labels cfggen puts on everything it renders for an app; `app` is the
/// value of its name label (`App::name_label`).
pub(crate) fn app_labels(app: &str, component: Option<&str>) -> BTreeMap<String, String> {
    managed_labels(selector(app, component))
}

/// The metadata of an object of an app that has labels and annotations
/// of its own: its labels over the app's (see [`own_labels_over`]), its
/// annotations beside the sync wave.
pub(crate) fn own_meta(
    name: &str,
    namespace: &str,
    app_label: &str,
    labels: &indexmap::IndexMap<String, String>,
    annotations: &indexmap::IndexMap<String, String>,
    wave: i32,
) -> ObjectMeta {
    let mut all = app_labels(app_label, None);
    own_labels_over(&mut all, labels);
    let mut metadata = meta(name, namespace, all, wave);
    if let Some(a) = metadata.annotations.as_mut() {
        a.extend(annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    metadata
}

/// An object's own labels over the ones cfggen puts on what it renders:
/// the object's win, for its metadata selects no pod (a workload's pod
/// labels and selectors are cfggen's, and not made here).
pub(crate) fn own_labels_over(
    labels: &mut BTreeMap<String, String>,
    own: &indexmap::IndexMap<String, String>,
) {
    labels.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
}

/// The labels that select an app's (component's) pods.
pub(crate) fn selector(app: &str, component: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert(names::LABEL_APP.into(), app.to_owned());
    if let Some(c) = component {
        labels.insert(names::LABEL_COMPONENT.into(), c.to_owned());
    }
    labels
}

/// Object metadata with labels and a sync wave.
pub(crate) fn meta(
    name: &str,
    namespace: &str,
    labels: BTreeMap<String, String>,
    wave: i32,
) -> ObjectMeta {
    let mut annotations = BTreeMap::new();
    annotations.insert(SYNC_WAVE.to_owned(), wave.to_string());
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(namespace.to_owned()),
        labels: Some(labels),
        annotations: Some(annotations),
        ..ObjectMeta::default()
    }
}

/// The folder a Postgres namespace renders into: the namespace's name,
/// which is also the folder of the app of that name, in that namespace,
/// when there is one (validation refuses one in another namespace).
pub fn postgres_folder(namespace: &str) -> String {
    namespace.to_owned()
}

/// Where an Application takes its manifests from: the folder cfggen
/// rendered, a Helm chart, or both.
fn app_sources(out: &Output, env: &Environment, folder: &str) -> Vec<crds::ApplicationSource> {
    let argo = &env.argocd;
    let own = crds::ApplicationSource {
        repo_url: argo.repo_url.clone(),
        chart: None,
        target_revision: argo.target_revision.clone(),
        path: Some(format!("generated/{}/{folder}", env.name)),
        helm: None,
    };
    let Some(helm) = env.apps.get(folder).and_then(|a| a.helm.as_ref()) else {
        return vec![own];
    };
    let chart = crds::ApplicationSource {
        repo_url: helm.repo_url.clone(),
        chart: Some(helm.chart.clone()),
        target_revision: helm.version.clone(),
        path: None,
        helm: Some(crds::HelmSource {
            release_name: helm
                .release_name
                .clone()
                .unwrap_or_else(|| folder.to_owned()),
            values: helm.values_text.clone(),
            values_object: (!helm.values.is_empty()).then(|| {
                serde_json::Value::Object(
                    helm.values
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }),
        }),
    };
    if out.folders.contains(folder) {
        vec![chart, own]
    } else {
        vec![chart]
    }
}

fn render_applications(out: &mut Output, env: &Environment) -> Result<(), RenderError> {
    let target = |folder: String, namespace: String, wave, own| Target {
        folder,
        namespace,
        wave,
        own,
        sources: Vec::new(),
    };
    let mut targets: Vec<Target<'_>> = Vec::new();
    let mut pg_namespaces: Vec<&str> = env
        .postgres
        .values()
        .filter(|c| !c.remote)
        .map(|c| c.namespace.as_str())
        .collect();
    pg_namespaces.sort_unstable();
    pg_namespaces.dedup();
    // The clusters of an app's namespace named after the app render into
    // the app's folder, which its Application deploys.
    pg_namespaces.retain(|ns| !env.apps.contains_key(*ns));
    for ns in pg_namespaces {
        targets.push(target(
            postgres_folder(ns),
            ns.to_owned(),
            waves::CLUSTERS,
            None,
        ));
    }
    // The environment's cluster-scoped objects, and the apps' (raw ones,
    // cluster-wide policies), have a folder of their own.
    if env.has_cluster_objects() || out.folders.contains(CLUSTER_FOLDER) {
        targets.push(target(
            CLUSTER_FOLDER.to_owned(),
            "default".to_owned(),
            waves::CLUSTERS,
            None,
        ));
    }
    for (name, app) in &env.apps {
        targets.push(target(
            name.clone(),
            app.namespace(name).to_owned(),
            waves::WORKLOADS,
            app.argocd.as_ref(),
        ));
    }
    // Which folders have files is known now, before the Applications'.
    for t in &mut targets {
        t.sources = app_sources(out, env, &t.folder);
    }
    for target in &targets {
        application(out, env, target)?;
    }
    Ok(())
}

/// What an Argo CD Application is made for.
struct Target<'e> {
    folder: String,
    namespace: String,
    /// Its sync wave.
    wave: i32,
    /// The app's own Argo CD settings.
    own: Option<&'e cfggen_model::argocd::AppArgoCd>,
    sources: Vec<crds::ApplicationSource>,
}

/// The Argo CD Application of one folder.
fn application(out: &mut Output<'_>, env: &Environment, t: &Target<'_>) -> Result<(), RenderError> {
    let argo = &env.argocd;
    let settings = cfggen_model::argocd::resolve(env, t.own);
    let name = format!("{}-{}", env.name, t.folder);
    let labels = managed_labels([("cfggen.dev/environment".to_owned(), env.name.clone())]);
    let mut metadata = meta(&name, &argo.namespace, labels, t.wave);
    metadata.finalizers = (!settings.finalizers.is_empty()).then(|| settings.finalizers.to_vec());
    let sources = &t.sources;
    let application = crds::Application {
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "Application".into(),
        metadata,
        spec: crds::ApplicationSpec {
            project: settings.project.to_owned(),
            source: sources.first().filter(|_| sources.len() == 1).cloned(),
            sources: if sources.len() > 1 {
                sources.clone()
            } else {
                Vec::new()
            },
            destination: crds::ApplicationDestination {
                server: settings.server.to_owned(),
                namespace: t.namespace.clone(),
            },
            sync_policy: crds::SyncPolicy {
                automated: settings
                    .automated
                    .map(|(prune, self_heal)| crds::AutomatedSync { prune, self_heal }),
                sync_options: settings.options.clone(),
            },
            ignore_differences: settings
                .ignore_differences
                .iter()
                .map(|d| crds::IgnoreDifference {
                    group: d.group.clone(),
                    kind: d.kind.clone(),
                    name: d.name.clone(),
                    json_pointers: d.json_pointers.clone(),
                    jq_path_expressions: d.jq_path_expressions.clone(),
                    managed_fields_managers: d.managed_fields_managers.clone(),
                })
                .collect(),
        },
    };
    out.resource(
        ARGOCD_FOLDER,
        &argo.namespace,
        file_name("Application", &name),
        &application,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validated() -> Validated {
        let env = serde_json::json!({
            "name": "dev",
            "namespace": "shop",
            "cluster": {"name": "lab", "server": "https://k8s.example.com:6443"},
            "argocd": {"repoURL": "https://git.example.com/platform/gitops.git"},
            "apps": {
                "web": {"components": {"app": {"image": "ghcr.io/example/web:v1"}}},
                "api": {"components": {"app": {"image": "ghcr.io/example/api:v1"}}},
            },
        });
        let env = match serde_json::from_value(env) {
            Ok(env) => env,
            Err(e) => panic!("the test environment: {e}"),
        };
        match cfggen_model::validate(env, "dev") {
            Ok(v) => v,
            Err(issues) => panic!("the test environment: {issues:?}"),
        }
    }

    #[test]
    fn a_rendering_against_digests_keeps_the_text_of_what_differs_only() {
        let sources = vec!["environments/dev.yaml".to_owned()];
        let full = match render(&validated(), &sources) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert!(full.files.len() > 4, "{:?}", full.files.keys());
        // What is on disk: the web app's files as rendered, an api file
        // edited, another missing, and a file rendered no more.
        let mut known: BTreeMap<String, cfggen_tree::Digest> = full
            .files
            .iter()
            .map(|(p, f)| (p.clone(), f.digest()))
            .collect();
        let api: Vec<String> = known
            .keys()
            .filter(|p| p.starts_with("api/"))
            .cloned()
            .collect();
        assert!(api.len() >= 2, "{api:?}");
        known.insert(api[0].clone(), cfggen_tree::Digest::of(b"edited"));
        known.remove(&api[1]);
        known.insert("old/gone.yaml".into(), cfggen_tree::Digest::of(b"gone"));
        let against =
            match render_keeping(&validated(), &sources, Keep::Differing(&known, usize::MAX)) {
                Ok(r) => r,
                Err(e) => panic!("{e}"),
            };
        let texts: Vec<&String> = against.texts().map(|(p, _)| p).collect();
        assert_eq!(texts, vec![&api[0], &api[1]]);
        assert_eq!(against.text(&api[0]), full.text(&api[0]));
        assert_eq!(against.len(), full.len());
        for (path, file) in &full.files {
            assert_eq!(against.digest(path), Some(file.digest()));
        }
        assert!(!against.same_as(&known));
        assert!(against.against(&known).is_some());
        assert_eq!(against.facts, full.facts, "the lint reads the same facts");
        // Past its limit, a rendering keeps a differing file as a digest
        // too, and says that it lacks a text.
        let limit = full.text(&api[0]).map_or(0, str::len);
        let limited = match render_keeping(&validated(), &sources, Keep::Differing(&known, limit)) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            limited.texts().map(|(p, _)| p).collect::<Vec<_>>(),
            vec![&api[0]]
        );
        assert_eq!(limited.len(), full.len());
        assert!(limited.against(&known).is_none());
    }

    #[test]
    fn a_rendering_that_hands_its_texts_on_hands_each_once_and_keeps_digests() {
        let sources = vec!["environments/dev.yaml".to_owned()];
        let full = render(&validated(), &sources).unwrap_or_else(|e| panic!("{e}"));
        let handed = std::sync::Mutex::new(BTreeMap::new());
        let hand = |path: &str, text: &str| {
            if let Ok(mut handed) = handed.lock() {
                assert!(
                    handed.insert(path.to_owned(), text.to_owned()).is_none(),
                    "{path} twice"
                );
            }
        };
        let kept = render_keeping(&validated(), &sources, Keep::Handed(&hand))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.texts().next().is_none(), "no text is kept");
        assert_eq!(kept.tree_digest(), full.tree_digest());
        let handed = handed.into_inner().unwrap_or_default();
        let texts: BTreeMap<String, String> = full
            .texts()
            .map(|(p, t)| (p.clone(), t.to_owned()))
            .collect();
        assert_eq!(handed, texts);
    }

    #[test]
    fn a_file_that_would_carry_a_secret_is_never_handed_on() {
        let env = serde_json::json!({
            "name": "dev",
            "namespace": "shop",
            "cluster": {"name": "lab", "server": "https://k8s.example.com:6443"},
            "argocd": {"repoURL": "https://git.example.com/platform/gitops.git"},
            "apps": {"web": {
                "components": {"app": {"image": "ghcr.io/example/web:v1"}},
                "patches": [{
                    "target": {"kind": "Deployment", "name": "web-app"},
                    "merge": {"spec": {"template": {"spec": {"containers": [
                        {"name": "app", "env": [{"name": "DB_PASSWORD", "value": "Zx9kq2LmP0vR7tW"}]}
                    ]}}}},
                }],
            }},
        });
        let env = serde_json::from_value(env).unwrap_or_else(|e| panic!("{e}"));
        let env = cfggen_model::validate(env, "dev").unwrap_or_else(|i| panic!("{i:?}"));
        let handed = std::sync::Mutex::new(Vec::new());
        let hand = |path: &str, _: &str| {
            if let Ok(mut handed) = handed.lock() {
                handed.push(path.to_owned());
            }
        };
        let sources = vec!["environments/dev.yaml".to_owned()];
        let result = render_keeping(&env, &sources, Keep::Handed(&hand));
        let Err(RenderError::Secrets(leaks)) = result else {
            panic!("a leak: {result:?}");
        };
        let handed = handed.into_inner().unwrap_or_default();
        assert!(!handed.is_empty(), "the other files are handed on");
        for leak in &leaks {
            assert!(!handed.contains(&leak.file), "{} was handed on", leak.file);
        }
    }
}
