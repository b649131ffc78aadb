//! Environment file → bases merged → JSON Schema → typed `Environment` →
//! semantic rules. Every failure becomes a located [`Diagnostic`].

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use cfggen_model::app::{FileContent, Manifest};
use cfggen_model::schema::{environment_schema, partial_schema};
use cfggen_model::validate::Target;
use cfggen_model::{names, suggest, Validated};
use cfggen_path::FieldPath;
use cfggen_source::{
    base_file, base_names, environment_file, environment_names, Inputs, MemorySource, Repo, Source,
    SourceError, ENVIRONMENTS_DIR,
};
use cfggen_yaml::{FileId, Limits, Location, Node, YamlError, YamlErrorKind};

use crate::diagnostic::{self, Diagnostic, Place, SourceFile};
use crate::schema_errors;

/// A loaded, validated environment and the files it was made from.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The environment's name (its file stem).
    pub name: String,
    /// The typed environment, validated.
    pub environment: Validated,
    /// The files read, relative to the root: the environment file first,
    /// then its bases in the order they apply.
    pub files: Vec<String>,
    /// Where each `image` of an app or component is written.
    pub images: Vec<ImageSite>,
    /// Finds the source line of a field path, for problems found after
    /// loading (a patch that matches nothing, a manifest of an object
    /// cfggen renders); kept only for an environment with patches or
    /// manifests.
    pub locator: Option<Arc<Locator>>,
    /// Every file the load read and folder it listed, with what each
    /// gave: while [`Session::unchanged`] holds for them, loading the
    /// environment again gives the same.
    pub inputs: Inputs,
    /// What holds but the user should know: a manifest no schema checks
    /// (`unchecked-kind`).
    pub warnings: Vec<Diagnostic>,
    /// The bases the load found (or was told, [`Tuning::checked_bases`])
    /// to pass the partial schema, by the hash of their bytes
    /// ([`cfggen_source::content_hash`]).
    pub bases_passed: BTreeSet<String>,
}

/// The merged document of an environment and its files: a field path →
/// its place in the source.
#[derive(Debug)]
pub struct Locator {
    root: Node,
    files: Files,
}

impl Locator {
    /// Where a field is written.
    pub fn place(&self, path: &FieldPath) -> Option<Place> {
        place_for(&self.root, path, Target::Key, &self.files)
    }

    /// Where a value that ended up in the output is written: the first
    /// string of the environment under `scope` (then anywhere in it) that
    /// is the value or holds it, with its field path; else the first file
    /// the load read (a values file, a ConfigMap's file, a manifest file)
    /// that holds it, on a line with `name` if one has it. The place is
    /// the value itself, so that the caller can hide it.
    pub fn find_value(
        &self,
        scope: &FieldPath,
        value: &str,
        name: Option<&str>,
    ) -> Option<(Option<FieldPath>, Place)> {
        if value.is_empty() {
            return None;
        }
        fn in_tree<'n>(
            root: &'n Node,
            at: FieldPath,
            value: &str,
        ) -> Option<(FieldPath, &'n Node)> {
            find_string(root, at.clone(), value, true)
                .or_else(|| find_string(root, at, value, false))
        }
        let found = self
            .root
            .lookup(scope.segs())
            .and_then(|node| in_tree(node, scope.clone(), value))
            .or_else(|| in_tree(&self.root, FieldPath::default(), value));
        if let Some((path, node)) = found {
            let file = self.files.get(node.loc.file)?;
            let span = node.loc.start..node.loc.end;
            let within = file.text().get(span.clone()).and_then(|t| t.find(value));
            let span = match within {
                Some(off) => span.start + off..span.start + off + value.len(),
                None => span,
            };
            return Some((
                Some(path),
                Place {
                    file: file.clone(),
                    span,
                },
            ));
        }
        for file in &self.files.files {
            let text = file.text();
            let at_name = name.and_then(|n| {
                text.match_indices(value).map(|(i, _)| i).find(|&i| {
                    let line_start = text[..i].rfind('\n').map_or(0, |s| s + 1);
                    text[line_start..i].contains(n)
                })
            });
            if let Some(start) = at_name.or_else(|| text.find(value)) {
                let span = start..start + value.len();
                return Some((
                    None,
                    Place {
                        file: file.clone(),
                        span,
                    },
                ));
            }
        }
        None
    }
}

/// The first string under `node` (at `path`) that is `value` (`exact`)
/// or holds it, with its path.
fn find_string<'n>(
    node: &'n Node,
    path: FieldPath,
    value: &str,
    exact: bool,
) -> Option<(FieldPath, &'n Node)> {
    match &node.value {
        cfggen_yaml::Value::String(s) if (exact && s == value) || (!exact && s.contains(value)) => {
            Some((path, node))
        }
        cfggen_yaml::Value::Map(entries) => entries
            .iter()
            .find_map(|e| find_string(&e.value, path.key(&e.key.text), value, exact)),
        cfggen_yaml::Value::Seq(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, n)| find_string(n, path.index(i), value, exact)),
        _ => None,
    }
}

/// Where an app's or a component's `image` is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSite {
    /// The app.
    pub app: String,
    /// The component, for a component's own image.
    pub component: Option<String>,
    /// The file, relative to the root.
    pub file: String,
    /// Byte range of the value in the file (quotes included).
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

fn image_sites(merged: &Node, files: &Files) -> Vec<ImageSite> {
    let mut sites = Vec::new();
    let site = |app: &str, component: Option<&str>, node: &Node| {
        let file = files.get(node.loc.file)?;
        let (line, column) = file.line_col(node.loc.start);
        Some(ImageSite {
            app: app.to_owned(),
            component: component.map(str::to_owned),
            file: file.path.clone(),
            start: node.loc.start,
            end: node.loc.end,
            line,
            column,
        })
    };
    for app in merged
        .get("apps")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        if let Some(s) = app
            .value
            .get("image")
            .and_then(|n| site(&app.key.text, None, n))
        {
            sites.push(s);
        }
        let components = app
            .value
            .get("components")
            .and_then(Node::as_map)
            .unwrap_or_default();
        for c in components {
            if let Some(s) = c
                .value
                .get("image")
                .and_then(|n| site(&app.key.text, Some(&c.key.text), n))
            {
                sites.push(s);
            }
        }
    }
    sites
}

/// Which schema a file is checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemaKind {
    Full,
    Partial,
}

pub(crate) struct Schemas {
    pub full: (&'static serde_json::Value, &'static jsonschema::Validator),
    pub partial: (&'static serde_json::Value, &'static jsonschema::Validator),
}

/// Makes the schema every load checks the merged environment against
/// (`full`), or the one of each file of it (the partial one): generated
/// and compiled once per process, so that a load finds it made. A command
/// may make each on a thread of its own beside its other work before its
/// first load.
pub fn warm_schema(full: bool) {
    let _ = validator(if full {
        SchemaKind::Full
    } else {
        SchemaKind::Partial
    });
}

/// The schemas as JSON, generated once: the full one and the partial one.
fn generated() -> &'static (serde_json::Value, serde_json::Value) {
    static GENERATED: OnceLock<(serde_json::Value, serde_json::Value)> = OnceLock::new();
    GENERATED.get_or_init(|| (environment_schema(), partial_schema()))
}

/// A schema as JSON and its validator, compiled once.
type Compiled = (&'static serde_json::Value, &'static jsonschema::Validator);

/// The schema of `kind` and its validator, compiled once.
fn validator(kind: SchemaKind) -> Result<Compiled, &'static String> {
    static FULL: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    static PARTIAL: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    let (full, partial) = generated();
    let (schema, cell) = match kind {
        SchemaKind::Full => (full, &FULL),
        SchemaKind::Partial => (partial, &PARTIAL),
    };
    let compiled = cell.get_or_init(|| jsonschema::draft7::new(schema).map_err(|e| e.to_string()));
    compiled.as_ref().map(|v| (schema, v))
}

fn schemas() -> Result<Schemas, Diagnostic> {
    let both = validator(SchemaKind::Full)
        .and_then(|full| validator(SchemaKind::Partial).map(|partial| Schemas { full, partial }));
    both.map_err(|e| {
        Diagnostic::bare(
            "internal",
            format!("cfggen's own schema does not compile: {e}"),
        )
    })
}

/// When a load places its problems and warnings at their files and
/// lines, which takes the parsed tree kept whole through the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placing {
    /// A first run keeps no tree; one that finds a problem or a warning
    /// runs again, placing them (what most loads find is nothing).
    WhenFound,
    /// From the first run, for a caller that expects warnings.
    FromTheStart,
    /// Never: one run, its problems and warnings unplaced, and not kept
    /// among the session's warnings; for a caller that reports nothing of
    /// the load.
    Never,
}

/// The files read so far; a [`FileId`] is an index into it.
#[derive(Default, Debug)]
pub(crate) struct Files {
    files: Vec<Arc<SourceFile>>,
}

impl Files {
    pub(crate) fn get(&self, id: FileId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize)
    }

    pub(crate) fn place(&self, loc: Location) -> Option<Place> {
        self.get(loc.file).map(|file| Place {
            file: file.clone(),
            span: loc.start..loc.end,
        })
    }
}

/// A base file read, parsed and checked against the partial schema once
/// per session: its tree (file id 0), or the problems found.
struct BaseEntry {
    file: Arc<SourceFile>,
    result: Result<Node, Vec<Diagnostic>>,
    /// What reading the base read.
    read: Inputs,
    /// The hash of its bytes when it passes the partial schema.
    passed: Option<String>,
}

/// A base as the session holds it: parsed once, by the first load that
/// needs it; `None` when it could not be read.
type BaseCell = OnceLock<Option<Arc<BaseEntry>>>;

/// A file under `crds/` that gives no definitions: (its path, why) when
/// it cannot be read, (its path, its text) when it is not YAML.
#[derive(Clone, Debug)]
enum BrokenCrdFile {
    Unreadable(String, String),
    NotYaml(String, String),
}

/// Loads the environments of one repository. Bases shared by several
/// environments are read, parsed and schema-checked once; a session can be
/// used from several threads at once. Every file is read through the
/// session's [`Source`]: the repository on disk, or files in memory, with
/// the same loading (bases included) either way.
pub struct Session {
    source: Arc<dyn Source>,
    /// How loads reuse earlier work and spend memory.
    tuning: Tuning,
    /// Each base by path, parsed once: a load that needs a base another
    /// load is parsing waits for it rather than parsing it again. `None`:
    /// it could not be read (each load reports that at its own `extends`).
    bases: Mutex<HashMap<String, Arc<BaseCell>>>,
    /// The CRDs under `crds/`, read once, what reading them read, and the
    /// files that could not be read or parsed.
    crds: OnceLock<(Arc<crate::manifests::Crds>, Inputs, Vec<BrokenCrdFile>)>,
    /// The warnings of the loads that succeeded (see [`Session::warnings`]).
    warnings: Mutex<Vec<Diagnostic>>,
}

/// How a session's loads reuse the work of earlier runs and spend memory:
/// the one parameter through which whatever drives the loads (the
/// binary's engine) tunes them. The default is plain loading: every file
/// parsed, every base checked, bases shared between loads. A load gives
/// the same result under any tuning.
#[derive(Clone, Default)]
pub struct Tuning {
    /// Each load parses its bases itself instead of sharing a tree parsed
    /// once (it then owns the tree and merges into it in place), and
    /// checks a base's document without holding its tree beside it: for
    /// a platform so large that memory matters more than time.
    pub own_bases: bool,
    /// Gives the tree of each file loads read; `None`: each is parsed.
    pub trees: Option<Arc<dyn Trees>>,
    /// The bases known to pass the partial schema, by the hash of their
    /// bytes ([`cfggen_source::content_hash`]): a load does not check
    /// them again. Only what [`Loaded::bases_passed`] gave in an earlier
    /// run of this very build: the check is a function of the bytes and
    /// of the schema the build holds, and a hash given wrongly lets a
    /// base past a check.
    pub checked_bases: BTreeSet<String>,
}

/// Gives the tree of a file a load reads, as [`cfggen_yaml::parse`] would
/// parse it (a tree kept from an earlier run of the same bytes, say). It
/// must give exactly the tree the parse gives, locations included.
pub trait Trees: Send + Sync {
    /// The tree of the file `rel` whose text is `text`, its nodes in file
    /// `id`, within `limits`.
    fn tree(
        &self,
        rel: &str,
        id: FileId,
        text: &str,
        limits: &Limits,
    ) -> Result<Node, Box<YamlError>>;
}

impl Session {
    /// A session over the repository on disk.
    pub fn new(repo: Repo) -> Self {
        Session::with_source(Arc::new(repo))
    }

    /// A session over any source of files.
    pub fn with_source(source: Arc<dyn Source>) -> Self {
        Session::tuned(source, Tuning::default())
    }

    /// A session over any source of files whose loads are tuned by
    /// `tuning`.
    pub fn tuned(source: Arc<dyn Source>, tuning: Tuning) -> Self {
        Session {
            source,
            tuning,
            bases: Mutex::new(HashMap::new()),
            crds: OnceLock::new(),
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// A session over files held in memory (path relative to the root →
    /// bytes), such as `environments/dev.yaml` and
    /// `environments/bases/platform.yaml`. For tests and fuzzing.
    pub fn in_memory(files: HashMap<String, Vec<u8>>) -> Self {
        Session::with_source(Arc::new(MemorySource::new(files)))
    }

    /// Where the files come from.
    pub fn source(&self) -> &dyn Source {
        self.source.as_ref()
    }

    /// Where the files come from, to share.
    pub fn shared_source(&self) -> Arc<dyn Source> {
        self.source.clone()
    }

    /// Loads and validates `environments/<name>.yaml` with its bases.
    pub fn load(&self, name: &str) -> Result<Loaded, Vec<Diagnostic>> {
        self.load_placing(name, Placing::WhenFound)
    }

    /// [`Session::load`], placing its problems and warnings as `placing`
    /// says: a caller that reports nothing of the load (it reads a few
    /// settings) has them unplaced from one run, and one that expects
    /// warnings has them placed from the first run, instead of a second.
    pub fn load_placing(&self, name: &str, placing: Placing) -> Result<Loaded, Vec<Diagnostic>> {
        // A first load keeps no tree to place problems through; one that
        // finds a problem or a warning is run again, placing them.
        let loaded = match placing {
            Placing::Never => return Loader::new(self, false).run(name),
            Placing::FromTheStart => Loader::new(self, true).run(name),
            Placing::WhenFound => match Loader::new(self, false).run(name) {
                Err(_) => Loader::new(self, true).run(name),
                Ok(l) if !l.warnings.is_empty() => Loader::new(self, true).run(name),
                loaded => loaded,
            },
        };
        if let Ok(l) = &loaded {
            if !l.warnings.is_empty() {
                if let Ok(mut all) = self.warnings.lock() {
                    all.extend(l.warnings.iter().cloned());
                }
            }
        }
        loaded
    }

    /// The warnings of every load of the session that succeeded, each
    /// once, in order of file and line, taken: a command prints them once
    /// when it is done.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let mut all = match self.warnings.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Vec::new(),
        };
        diagnostic::sort(&mut all);
        all.dedup_by(|a, b| a.one_line() == b.one_line());
        all
    }

    /// The environment `name` loaded again keeping its merged tree and
    /// every file it read: where a value that ended up in its rendering is
    /// written ([`Locator::find_value`]). `None` when it does not load.
    pub fn locator(&self, name: &str) -> Option<Arc<Locator>> {
        Loader::new(self, true).run(name).ok()?.locator
    }

    /// Whether reading `inputs` again through this session's source gives
    /// what a load read: then loading the environment again gives what
    /// that load gave (loading reads the repository through the source
    /// only, and is otherwise a function of the files it reads).
    pub fn unchanged(&self, inputs: &Inputs) -> bool {
        inputs.unchanged_in(self.source.as_ref(), Limits::default().max_bytes as u64)
    }
}

/// Where a manifest object is written: a document of a manifest file, or
/// an inline entry (its field path).
enum Written {
    File(FileId, Node),
    Inline(FieldPath),
}

struct Loader<'a> {
    session: &'a Session,
    files: Files,
    diagnostics: Vec<Diagnostic>,
    /// What holds but the user should know (an object no schema checks).
    warnings: Vec<Diagnostic>,
    limits: Limits,
    /// Keep the merged tree to place problems through. A first load does
    /// not (it converts the tree into the document instead of copying it,
    /// and, when it owns its bases, checks them without holding their trees);
    /// [`Session::load`] runs a load that failed again, placing them.
    placed: bool,
    /// What this load read of the repository, shared reads included.
    inputs: Inputs,
    /// The bases found or trusted to pass the partial schema, by hash.
    bases_passed: BTreeSet<String>,
}

/// Loads and validates `environments/<name>.yaml` with its bases.
pub fn load_environment(repo: &Repo, name: &str) -> Result<Loaded, Vec<Diagnostic>> {
    Session::new(repo.clone()).load(name)
}

/// A file that could not be read, as a diagnostic.
pub fn source_diagnostic(e: &SourceError) -> Diagnostic {
    match e {
        SourceError::OutsideRepository { .. } => {
            Diagnostic::bare("link-out-of-repository", e.to_string()).with_hint(
                "cfggen reads and writes only inside the repository; replace the link with the files themselves",
            )
        }
        SourceError::TooLarge { .. } => Diagnostic::bare("too-large", e.to_string())
            .with_hint("environment files are small; split the platform into bases"),
        SourceError::NotFound(_) | SourceError::Io { .. } => Diagnostic::bare("io", e.to_string()),
    }
}

impl<'a> Loader<'a> {
    fn new(session: &'a Session, placed: bool) -> Self {
        Loader {
            session,
            files: Files::default(),
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            limits: Limits::default(),
            placed,
            inputs: Inputs::default(),
            bases_passed: BTreeSet::new(),
        }
    }

    fn run(mut self, name: &str) -> Result<Loaded, Vec<Diagnostic>> {
        match self.load(name) {
            Some(loaded) if self.diagnostics.is_empty() => Ok(loaded),
            _ => {
                let mut d = self.diagnostics;
                if d.is_empty() {
                    d.push(Diagnostic::bare(
                        "internal",
                        "loading failed without a reason",
                    ));
                }
                diagnostic::sort(&mut d);
                Err(d)
            }
        }
    }

    /// Reports that `name` names no environment (`message` says why).
    fn unknown_environment(&mut self, name: &str, message: String) -> Option<Loaded> {
        let hint = self.known_environments_hint(name);
        let d = Diagnostic::bare("unknown-environment", message).with_hint(hint);
        self.diagnostics.push(d);
        None
    }

    fn load(&mut self, name: &str) -> Option<Loaded> {
        if let Some(why) = names::dns1123_label_error(name) {
            let message = format!("`{name}` is not an environment name: {why}");
            return self.unknown_environment(name, message);
        }
        let rel = environment_file(name);
        let node = match self.read(&rel) {
            Err(SourceError::NotFound(_)) => {
                let message = format!("there is no environment `{name}` ({rel} does not exist)");
                return self.unknown_environment(name, message);
            }
            fetched => self.parse_fetched(&rel, fetched, None)?,
        };
        // Taken once the file is parsed: made meanwhile on another thread
        // when the command started them (`warm_schema`).
        let schemas = &match schemas() {
            Ok(s) => s,
            Err(d) => {
                self.diagnostics.push(d);
                return None;
            }
        };
        let mut files = vec![rel];
        let extends = extends_of(&node);
        // Problems confined to apps do not stop the stages after: those
        // apps are left out and the rest is checked, so that one run
        // reports every problem that can be found.
        let mut left_out = std::collections::BTreeSet::new();
        let merged = if extends.is_empty() {
            node
        } else {
            left_out = self.schema_stage(&node, &node.to_json(), SchemaKind::Partial, schemas)?;
            let mut acc: Option<Node> = None;
            for (base, loc) in extends {
                let resolved = self.resolve_base(&base, loc, &mut vec![], &mut files, schemas)?;
                acc = Some(match acc {
                    Some(prev) => cfggen_yaml::merge(prev, resolved),
                    None => resolved,
                });
            }
            match acc {
                Some(bases) => {
                    left_out.extend(self.overrides_without_base(&node, &bases));
                    cfggen_yaml::merge(bases, node)
                }
                None => node,
            }
        };
        let images = image_sites(&merged, &self.files);
        let (merged, json, left_out) = self.document(merged, left_out, schemas)?;
        let mut environment = self.deserialize(&merged, json, left_out)?;
        environment.apply_default_namespace();
        let before = self.diagnostics.len();
        self.read_config_files(&mut environment, &merged);
        self.read_manifests(&mut environment, &merged);
        if self.diagnostics.len() > before {
            // A file that cannot be read would make the rules report
            // keys and objects missing that are not.
            return None;
        }
        let environment = self.semantic_stage(environment, name, &merged)?;
        if !self.diagnostics.is_empty() {
            return None;
        }
        // Render problems are found only for patches and manifests.
        let may_fail_render = !environment.patches.is_empty()
            || environment
                .apps
                .values()
                .any(|a| !a.patches.is_empty() || !a.manifests.is_empty());
        let locator = (may_fail_render || self.placed).then(|| {
            Arc::new(Locator {
                root: merged,
                files: std::mem::take(&mut self.files),
            })
        });
        Some(Loaded {
            name: name.to_owned(),
            environment,
            files,
            images,
            locator,
            inputs: std::mem::take(&mut self.inputs),
            warnings: std::mem::take(&mut self.warnings),
            bases_passed: std::mem::take(&mut self.bases_passed),
        })
    }

    /// The apps the environment file `own` changes that no base defines
    /// and that carry no image: what is left of an override when the app
    /// is removed from the base (an app defined whole in the file names
    /// its image). Each is reported as such, and left out, rather than as
    /// an app without an image.
    fn overrides_without_base(
        &mut self,
        own: &Node,
        bases: &Node,
    ) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let Some(apps) = own.get("apps").and_then(Node::as_map) else {
            return out;
        };
        let defined: Vec<&str> = bases
            .get("apps")
            .and_then(Node::as_map)
            .map(|a| a.iter().map(|e| e.key.text.as_str()).collect())
            .unwrap_or_default();
        let file = self
            .files
            .get(own.loc.file)
            .map_or_else(|| "the environment file".to_owned(), |f| f.path.clone());
        for entry in apps {
            let name = entry.key.text.as_str();
            if defined.contains(&name) || !is_override_only(&entry.value) {
                continue;
            }
            let hint = match suggest::closest(name, defined.iter().copied()) {
                Some(best) => format!(
                    "did you mean `{best}`? If app `{name}` is gone, remove `apps.{name}` from {file}; to add it here, give it an `image`"
                ),
                None => format!(
                    "if app `{name}` is gone, remove `apps.{name}` from {file}; to add it here, give it an `image`"
                ),
            };
            self.diagnostics.push(Diagnostic {
                code: "override-without-base",
                message: format!("{file} overrides app `{name}`, which no base it extends defines"),
                field: Some(format!("apps.{name}")),
                place: self.files.place(entry.key.loc),
                label: Some("no base defines this app".into()),
                related: None,
                hint: Some(hint),
            });
            out.insert(name.to_owned());
        }
        out
    }

    /// The semantic rules: the environment validated, its warnings kept
    /// and its problems reported, placed through `merged`.
    fn semantic_stage(
        &mut self,
        environment: cfggen_model::Environment,
        name: &str,
        merged: &Node,
    ) -> Option<Validated> {
        match cfggen_model::validate(environment, name) {
            Ok(valid) => {
                for w in valid.warnings() {
                    let place = place_for(merged, &w.path, w.target, &self.files);
                    self.warnings.push(Diagnostic {
                        code: w.code,
                        message: w.message.clone(),
                        field: Some(w.path.to_string()),
                        place,
                        label: Some(w.label.clone()),
                        related: None,
                        hint: w.hint.clone(),
                    });
                }
                Some(valid)
            }
            Err(issues) => {
                for issue in issues {
                    let mut place = place_for(merged, &issue.path, issue.target, &self.files);
                    if matches!(issue.code, "secret-literal" | "secret-value") {
                        place = place.map(|p| p.hiding_value());
                    }
                    self.diagnostics.push(Diagnostic {
                        code: issue.code,
                        message: issue.message,
                        field: Some(issue.path.to_string()),
                        place,
                        label: Some(issue.label),
                        related: None,
                        hint: issue.hint,
                    });
                }
                None
            }
        }
    }

    /// The document of the merged tree, checked against the full schema,
    /// without the apps left out (those `left_out` already, and those with
    /// a schema problem), and the tree the later stages place problems
    /// through. A first load converts the tree into the document instead
    /// of copying it, and keeps no tree: problems are placed through the
    /// tree, and a load that finds one is run again, keeping it. Patches
    /// and manifests need the tree after loading, to place a render
    /// problem.
    fn document(
        &mut self,
        merged: Node,
        mut left_out: std::collections::BTreeSet<String>,
        schemas: &Schemas,
    ) -> Option<(Node, serde_json::Value, std::collections::BTreeSet<String>)> {
        let (merged, mut json) = if !self.placed && !places_render_problems(&merged) {
            let loc = merged.loc;
            let json = merged.into_json();
            let nothing = Node {
                value: cfggen_yaml::Value::Null,
                loc,
            };
            (nothing, json)
        } else {
            let json = merged.to_json();
            (merged, json)
        };
        leave_out(&mut json, &left_out);
        let more = self.schema_stage(&merged, &json, SchemaKind::Full, schemas)?;
        leave_out(&mut json, &more);
        left_out.extend(more);
        Some((merged, json, left_out))
    }

    /// The CustomResourceDefinitions under `crds/`, read once per session.
    /// A file that cannot be read or is not YAML is an error at the file
    /// (its definitions would otherwise be missing without a word).
    fn crds(&mut self) -> Arc<crate::manifests::Crds> {
        let (crds, read, broken) = self.session.crds.get_or_init(|| {
            let source = self.session.source.as_ref();
            let mut read = Inputs::default();
            let mut broken = Vec::new();
            let listed = source.list(crate::manifests::CRDS_DIR);
            read.list(crate::manifests::CRDS_DIR, &listed);
            let mut docs = Vec::new();
            for name in listed
                .unwrap_or_default()
                .into_iter()
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            {
                let rel = format!("{}/{name}", crate::manifests::CRDS_DIR);
                let bytes = source.read(&rel, self.limits.max_bytes as u64);
                read.read(&rel, &bytes);
                let text = match bytes.map(String::from_utf8) {
                    Ok(Ok(text)) => text,
                    Ok(Err(_)) => {
                        broken.push(BrokenCrdFile::Unreadable(
                            rel,
                            "it is not UTF-8 text".into(),
                        ));
                        continue;
                    }
                    Err(e) => {
                        broken.push(BrokenCrdFile::Unreadable(rel, e.to_string()));
                        continue;
                    }
                };
                match cfggen_yaml::parse_stream(FileId(0), &text, &self.limits) {
                    Ok(nodes) => docs.extend(nodes.iter().map(Node::to_json)),
                    Err(_) => broken.push(BrokenCrdFile::NotYaml(rel, text)),
                }
            }
            (Arc::new(crate::manifests::crds_of(&docs)), read, broken)
        });
        self.inputs.extend(read);
        let (crds, broken) = (crds.clone(), broken.clone());
        for file in broken {
            self.broken_crd_file(file);
        }
        crds
    }

    /// The error of a file under `crds/` that gives no definitions.
    fn broken_crd_file(&mut self, file: BrokenCrdFile) {
        let hint = Some(format!(
            "fix or remove the file: cfggen reads every `.yaml` file under `{}/` for CustomResourceDefinitions",
            crate::manifests::CRDS_DIR
        ));
        match file {
            BrokenCrdFile::Unreadable(rel, why) => self.diagnostics.push(Diagnostic {
                code: "crd-file",
                message: format!("`{rel}` cannot be read: {why}"),
                field: None,
                place: None,
                label: None,
                related: None,
                hint,
            }),
            BrokenCrdFile::NotYaml(rel, text) => {
                // Parsed again as a file of this load, for the place.
                let id = FileId(u32::try_from(self.files.files.len()).unwrap_or(u32::MAX));
                let parsed = cfggen_yaml::parse_stream(id, &text, &self.limits);
                self.files.files.push(SourceFile::new(rel, text));
                if let Err(e) = parsed {
                    let mut d = self.yaml_diagnostic(*e);
                    d.hint = hint;
                    self.diagnostics.push(d);
                }
            }
        }
    }

    /// Keeps a file read for its data (a values file, a ConfigMap's file)
    /// among those a problem can point into, when this load places
    /// problems.
    fn remember(&mut self, rel: &str, text: &str) {
        if self.placed {
            self.files
                .files
                .push(SourceFile::new(rel.to_owned(), text.to_owned()));
        }
    }

    /// Reads a file of the repository, recording what it gave.
    fn read(&mut self, rel: &str) -> Result<Vec<u8>, SourceError> {
        let bytes = self.session.source.read(rel, self.limits.max_bytes as u64);
        self.inputs.read(rel, &bytes);
        bytes
    }

    /// Lists a folder of the repository, recording what it gave.
    fn list(&mut self, dir: &str) -> Result<Vec<String>, SourceError> {
        let names = self.session.source.list(dir);
        self.inputs.list(dir, &names);
        names
    }

    /// Reads and checks every app's raw manifests: each object gets the
    /// app's namespace when it is namespaced and names none. The
    /// CustomResourceDefinitions among them are schemas for the others,
    /// so every object is read before any is checked.
    fn read_manifests(&mut self, env: &mut cfggen_model::Environment, merged: &Node) {
        if env.apps.values().all(|a| a.manifests.is_empty()) {
            return;
        }
        let crds = self.crds();
        // Every object: its app, its entry, its data, where it is written.
        let mut objects: Vec<(String, usize, serde_json::Value, Written)> = Vec::new();
        for (app_name, app) in env.apps.iter() {
            for (i, m) in app.manifests.iter().enumerate() {
                let mpath = FieldPath::of(&["apps", app_name, "manifests"]).index(i);
                match m {
                    Manifest::File { file } => {
                        let Some((id, nodes)) = self.read_manifest_file(file, merged, &mpath)
                        else {
                            continue;
                        };
                        for node in nodes {
                            let json = node.to_json();
                            objects.push((app_name.clone(), i, json, Written::File(id, node)));
                        }
                    }
                    Manifest::Inline { inline } => {
                        let json = serde_json::Value::Object(inline.clone());
                        objects.push((
                            app_name.clone(),
                            i,
                            json,
                            Written::Inline(mpath.key("inline")),
                        ));
                    }
                }
            }
        }
        let definitions: Vec<serde_json::Value> = objects
            .iter()
            .filter(|(_, _, json, _)| {
                json.get("kind").and_then(|k| k.as_str()) == Some("CustomResourceDefinition")
            })
            .map(|(_, _, json, _)| json.clone())
            .collect();
        let from_manifests = crate::manifests::crds_of(&definitions);
        let schemas = crate::manifests::Schemas {
            repository: &crds,
            manifests: &from_manifests,
        };
        let strict = env.unchecked_kinds == cfggen_model::environment::UncheckedKinds::Error;
        let mut loaded: std::collections::BTreeMap<String, Vec<(usize, serde_json::Value)>> =
            std::collections::BTreeMap::new();
        for (app_name, i, json, written) in objects {
            let namespace = env
                .apps
                .get(&app_name)
                .map(|a| a.namespace(&app_name).to_owned())
                .unwrap_or_default();
            let object =
                self.checked(
                    json,
                    &schemas,
                    &namespace,
                    strict,
                    |loader, p, t| match &written {
                        Written::File(id, node) => {
                            let at = Location {
                                file: *id,
                                ..crate::manifests::location_at(node, p, t)
                            };
                            (None, Some(at))
                        }
                        Written::Inline(base) => {
                            let full: FieldPath =
                                base.segs().iter().chain(p.segs()).cloned().collect();
                            (place_for(merged, &full, t, &loader.files), None)
                        }
                    },
                );
            loaded
                .entry(app_name)
                .or_default()
                .extend(object.map(|o| (i, o)));
        }
        for (app_name, app) in env.apps.iter_mut() {
            app.loaded_manifests = loaded.remove(app_name).unwrap_or_default();
        }
    }

    /// One manifest object, checked; with the app's namespace when it is
    /// namespaced and names none (one that names another keeps it). `place` locates a path of the object. An
    /// object no schema checks is a warning (`strict`: an error).
    fn checked(
        &mut self,
        mut json: serde_json::Value,
        schemas: &crate::manifests::Schemas<'_>,
        namespace: &str,
        strict: bool,
        place: impl Fn(&Self, &FieldPath, Target) -> (Option<Place>, Option<Location>),
    ) -> Option<serde_json::Value> {
        let located = |loader: &Self, p: &FieldPath, t: Target| {
            let (direct, loc) = place(loader, p, t);
            direct.or_else(|| loc.and_then(|l| loader.files.place(l)))
        };
        match crate::manifests::check(&json, schemas) {
            Err(problems) => {
                for p in problems {
                    let place = located(self, &p.path, p.target);
                    self.diagnostics.push(Diagnostic {
                        code: p.code,
                        message: p.message,
                        field: (!p.path.is_empty()).then(|| p.path.to_string()),
                        place,
                        label: Some("here".into()),
                        related: None,
                        hint: p.hint,
                    });
                }
                None
            }
            Ok(crate::manifests::Checked {
                namespaced,
                checked,
            }) => {
                if !checked {
                    let path = FieldPath::of(&["kind"]);
                    let api = json
                        .get("apiVersion")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    let kind = json
                        .get("kind")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    let d = Diagnostic {
                        code: "unchecked-kind",
                        message: format!("cfggen has no schema for {api} {kind}: the object is written as it is, unchecked"),
                        field: Some(path.to_string()),
                        place: located(self, &path, Target::Value),
                        label: Some("no schema for this kind".into()),
                        related: None,
                        hint: Some("add the operator's CustomResourceDefinition (a YAML file) under `crds/`, or among the app's manifests, to have its objects checked".into()),
                    };
                    if strict {
                        self.diagnostics.push(d);
                        return None;
                    }
                    self.warnings.push(d);
                }
                let own = json
                    .pointer("/metadata/namespace")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                let problem = match (namespaced, own.as_deref()) {
                    (true, None) => {
                        if let Some(meta) = json.get_mut("metadata").and_then(|m| m.as_object_mut())
                        {
                            meta.insert("namespace".into(), namespace.into());
                        }
                        None
                    }
                    (false, Some(_)) => {
                        Some("the object is cluster-scoped, so it takes no namespace".to_owned())
                    }
                    _ => None,
                };
                if let Some(message) = problem {
                    let path = FieldPath::of(&["metadata", "namespace"]);
                    let place = located(self, &path, Target::Value);
                    self.diagnostics.push(Diagnostic {
                        code: "manifest-namespace",
                        message,
                        field: Some(path.to_string()),
                        place,
                        label: Some("namespace".into()),
                        related: None,
                        hint: Some("leave `metadata.namespace` out".into()),
                    });
                    return None;
                }
                Some(json)
            }
        }
    }

    /// A manifest file of the repository, registered for diagnostics and
    /// parsed into its documents.
    fn read_manifest_file(
        &mut self,
        file: &str,
        merged: &Node,
        mpath: &FieldPath,
    ) -> Option<(FileId, Vec<Node>)> {
        let fpath = mpath.key("file");
        let bytes = match self.read(file) {
            Ok(b) => b,
            Err(SourceError::NotFound(_)) => {
                self.file_error(
                    "manifest-file",
                    merged,
                    &fpath,
                    format!("the manifest file `{file}` does not exist"),
                    "no such file",
                );
                return None;
            }
            Err(e) => {
                self.file_error(
                    "manifest-file",
                    merged,
                    &fpath,
                    e.to_string(),
                    "cannot be read",
                );
                return None;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            self.file_error(
                "manifest-file",
                merged,
                &fpath,
                format!("`{file}` is not UTF-8 text"),
                "not text",
            );
            return None;
        };
        let id = FileId(u32::try_from(self.files.files.len()).unwrap_or(u32::MAX));
        let parsed = cfggen_yaml::parse_stream(id, &text, &self.limits);
        self.files
            .files
            .push(SourceFile::new(file.to_owned(), text));
        match parsed {
            Ok(nodes) => Some((id, nodes)),
            Err(e) => {
                let d = self.yaml_diagnostic(*e);
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// Reads the files of every ConfigMap made from `files` or a `folder`
    /// through the session's source (inside the repository only); each
    /// file becomes a key named after it.
    fn read_config_files(&mut self, env: &mut cfggen_model::Environment, merged: &Node) {
        for (app_name, app) in env.apps.iter_mut() {
            if let Some(helm) = app.helm.as_mut() {
                if let Some(file) = helm.values_file.clone() {
                    let path = FieldPath::of(&["apps", app_name, "helm", "valuesFile"]);
                    match self.read(&file) {
                        Ok(bytes) => match String::from_utf8(bytes) {
                            Ok(text) => {
                                self.remember(&file, &text);
                                helm.values_text = Some(text);
                            }
                            Err(_) => self.file_error(
                                "values-file",
                                merged,
                                &path,
                                format!("the values file `{file}` is not UTF-8 text"),
                                "not text",
                            ),
                        },
                        Err(SourceError::NotFound(_)) => self.file_error(
                            "values-file",
                            merged,
                            &path,
                            format!("the values file `{file}` does not exist"),
                            "no such file",
                        ),
                        Err(e) => self.file_error(
                            "values-file",
                            merged,
                            &path,
                            e.to_string(),
                            "cannot be read",
                        ),
                    }
                }
            }
            for (cm_name, cm) in app.config_maps.iter_mut() {
                let base = FieldPath::of(&["apps", app_name, "configMaps", cm_name]);
                let mut wanted: Vec<(String, FieldPath)> = cm
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.clone(), base.key("files").index(i)))
                    .collect();
                if let Some(folder) = &cm.folder {
                    let path = base.key("folder");
                    match self.list(folder) {
                        Ok(names) if names.is_empty() => {
                            self.config_file_error(
                                merged,
                                &path,
                                format!("folder `{folder}` holds no file"),
                                "empty folder",
                            );
                        }
                        Ok(names) => wanted.extend(
                            names
                                .into_iter()
                                .map(|n| (format!("{folder}/{n}"), path.clone())),
                        ),
                        Err(e) => {
                            self.config_file_error(merged, &path, e.to_string(), "cannot be read")
                        }
                    }
                }
                for (file, path) in wanted {
                    let key = file.rsplit('/').next().unwrap_or(&file).to_owned();
                    if !names::is_data_key(&key) {
                        self.config_file_error(merged, &path, format!("the file name `{key}` is not a valid ConfigMap key (letters, digits, `-`, `_`, `.`)"), "invalid key");
                        continue;
                    }
                    if cm.data.contains_key(&key) || cm.loaded.contains_key(&key) {
                        self.config_file_error(
                            merged,
                            &path,
                            format!("two entries of ConfigMap `{cm_name}` make the key `{key}`"),
                            "key made twice",
                        );
                        continue;
                    }
                    match self.read(&file) {
                        Ok(bytes) => {
                            let content = match String::from_utf8(bytes) {
                                Ok(text) => {
                                    self.remember(&file, &text);
                                    FileContent::Text(text)
                                }
                                Err(e) => FileContent::Binary(e.into_bytes()),
                            };
                            cm.loaded.insert(key, content);
                        }
                        Err(e) => {
                            let (message, label) = match &e {
                                SourceError::NotFound(_) => (
                                    format!("ConfigMap `{cm_name}` reads `{file}`, which does not exist"),
                                    "no such file",
                                ),
                                SourceError::OutsideRepository { .. } => {
                                    (e.to_string(), "outside the repository")
                                }
                                other => (other.to_string(), "cannot be read"),
                            };
                            self.config_file_error(merged, &path, message, label);
                        }
                    }
                }
            }
        }
    }

    fn config_file_error(&mut self, merged: &Node, path: &FieldPath, message: String, label: &str) {
        self.file_error("configmap-file", merged, path, message, label);
    }

    /// A file of the repository that the environment names cannot be used.
    fn file_error(
        &mut self,
        code: &'static str,
        merged: &Node,
        path: &FieldPath,
        message: String,
        label: &str,
    ) {
        self.diagnostics.push(Diagnostic {
            code,
            message,
            field: Some(path.to_string()),
            place: place_for(merged, path, Target::Value, &self.files),
            label: Some(label.to_owned()),
            related: None,
            hint: Some("paths are from the repository's root, e.g. `environments/files/app/config.yaml`, and stay inside it".into()),
        });
    }

    fn known_environments_hint(&self, wrong: &str) -> String {
        let known = environment_names(self.session.source()).unwrap_or_default();
        if known.is_empty() {
            return format!("add {ENVIRONMENTS_DIR}/{wrong}.yaml");
        }
        if let Some(best) = suggest::closest(wrong, known.iter().map(String::as_str)) {
            return format!("did you mean `{best}`?");
        }
        format!("environments here: {}", known.join(", "))
    }

    /// Reads and parses one file; `from` is where it was asked for.
    fn read_from(&mut self, rel: &str, from: Option<Place>) -> Option<Node> {
        let fetched = self.read(rel);
        self.parse_fetched(rel, fetched, from)
    }

    /// Parses the bytes of a file read (or reports why it was not).
    fn parse_fetched(
        &mut self,
        rel: &str,
        fetched: Result<Vec<u8>, SourceError>,
        from: Option<Place>,
    ) -> Option<Node> {
        let id = FileId(u32::try_from(self.files.files.len()).unwrap_or(u32::MAX));
        let bytes = match fetched {
            Ok(b) => b,
            Err(e) => {
                let mut d = source_diagnostic(&e);
                d.place = from;
                self.diagnostics.push(d);
                return None;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = SourceFile::new(rel.to_owned(), text);
                self.diagnostics.push(Diagnostic {
                    code: "not-utf8",
                    message: format!("{rel} is not UTF-8 text"),
                    field: None,
                    place: Some(Place {
                        file,
                        span: offset..offset,
                    }),
                    label: Some("invalid byte here".into()),
                    related: None,
                    hint: Some("save the file as UTF-8".into()),
                });
                return None;
            }
        };
        let parsed = self.parse_or_decode(rel, id, &text);
        self.files.files.push(SourceFile::new(rel.to_owned(), text));
        match parsed {
            Ok(node) => Some(node),
            Err(e) => {
                let d = self.yaml_diagnostic(*e);
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// The tree of `text`, the file `rel` read: from the session's
    /// [`Tuning::trees`] when it has one, else parsed.
    fn parse_or_decode(&self, rel: &str, id: FileId, text: &str) -> Result<Node, Box<YamlError>> {
        match &self.session.tuning.trees {
            Some(trees) => trees.tree(rel, id, text, &self.limits),
            None => cfggen_yaml::parse(id, text, &self.limits),
        }
    }

    fn yaml_diagnostic(&self, e: YamlError) -> Diagnostic {
        let (code, label) = match e.kind {
            YamlErrorKind::Syntax => ("yaml-syntax", "here"),
            YamlErrorKind::DuplicateKey => ("duplicate-key", "defined again here"),
            YamlErrorKind::NonStringKey => ("non-string-key", "not a plain key"),
            YamlErrorKind::UnsupportedTag => ("yaml-tag", "unsupported tag"),
            YamlErrorKind::MultipleDocuments => ("multiple-documents", "second document"),
            YamlErrorKind::LimitExceeded => ("too-large", "limit reached here"),
        };
        // A syntax error at the very end of the file is about the last
        // line; point there rather than past it.
        let mut loc = e.loc;
        if let Some(file) = self.files.get(loc.file) {
            let text = file.text();
            if loc.start >= text.len() && text.ends_with('\n') && !text.is_empty() {
                loc.start = text.len() - 1;
                loc.end = loc.start;
            }
        }
        let hint = e.hint.or_else(|| {
            (e.kind == YamlErrorKind::Syntax).then(|| {
                "check the indentation (keys of one mapping line up) and close every `[`, `{` and quote".to_owned()
            })
        });
        let field = (!e.path.is_empty()).then(|| e.path.to_string());
        Diagnostic {
            code,
            message: e.message,
            field,
            place: self.files.place(loc),
            label: Some(label.into()),
            related: e
                .related
                .and_then(|l| self.files.place(l))
                .map(|p| (p, "first defined here".to_owned())),
            hint,
        }
    }

    /// Checks a document against a schema: the apps to leave out of the
    /// later stages (none when it passes), or `None` when a problem
    /// outside the apps stops loading.
    fn schema_stage(
        &mut self,
        node: &Node,
        json: &serde_json::Value,
        kind: SchemaKind,
        schemas: &Schemas,
    ) -> Option<std::collections::BTreeSet<String>> {
        if self.check_schema_of(node, json, kind, schemas).is_some() {
            return Some(std::collections::BTreeSet::new());
        }
        schema_errors::failing_apps(json, kind, schemas)
    }

    fn check_schema(&mut self, node: &Node, kind: SchemaKind, schemas: &Schemas) -> Option<()> {
        self.check_schema_of(node, &node.to_json(), kind, schemas)
    }

    fn check_schema_of(
        &mut self,
        node: &Node,
        json: &serde_json::Value,
        kind: SchemaKind,
        schemas: &Schemas,
    ) -> Option<()> {
        let found = schema_errors::check(node, json, kind, schemas, &self.files);
        if found.is_empty() {
            Some(())
        } else {
            self.diagnostics.extend(found);
            None
        }
    }

    fn resolve_base(
        &mut self,
        base: &str,
        from: Location,
        chain: &mut Vec<String>,
        files: &mut Vec<String>,
        schemas: &Schemas,
    ) -> Option<Node> {
        let place = self.files.place(from);
        if let Some(why) = names::dns1123_label_error(base) {
            self.diagnostics.push(Diagnostic {
                code: "unknown-base",
                message: format!("`{base}` is not a base name: {why}"),
                field: Some("extends".into()),
                place,
                label: Some("expected the name of a file in environments/bases/".into()),
                related: None,
                hint: Some(
                    "write the file name without folder or `.yaml`, e.g. `extends: [platform]`"
                        .into(),
                ),
            });
            return None;
        }
        if chain.iter().any(|b| b == base) {
            chain.push(base.to_owned());
            self.diagnostics.push(Diagnostic {
                code: "extends-cycle",
                message: format!("bases extend each other in a cycle: {}", chain.join(" → ")),
                field: Some("extends".into()),
                place,
                label: Some("closes the cycle".into()),
                related: None,
                hint: Some("remove one of the `extends` entries".into()),
            });
            return None;
        }
        let rel = base_file(base);
        if !self.session.source.is_file(&rel) {
            let known = base_names(self.session.source()).unwrap_or_default();
            let hint = match suggest::closest(base, known.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`?"),
                None if known.is_empty() => format!("create {rel}"),
                None => format!("bases here: {}", known.join(", ")),
            };
            self.diagnostics.push(Diagnostic {
                code: "unknown-base",
                message: format!("base `{base}` does not exist ({rel} not found)"),
                field: Some("extends".into()),
                place,
                label: Some("no such base".into()),
                related: None,
                hint: Some(hint),
            });
            return None;
        }
        let node = self.base_file(&rel, base, from, schemas)?;
        if !files.contains(&rel) {
            files.push(rel.clone());
        }
        chain.push(base.to_owned());
        let mut acc: Option<Node> = None;
        for (parent, loc) in extends_of(&node) {
            let resolved = self.resolve_base(&parent, loc, chain, files, schemas)?;
            acc = Some(match acc {
                Some(prev) => cfggen_yaml::merge(prev, resolved),
                None => resolved,
            });
        }
        chain.pop();
        Some(match acc {
            Some(parents) => cfggen_yaml::merge(parents, node),
            None => node,
        })
    }

    /// A base file, parsed and checked against the partial schema: from
    /// the session's shared bases when another load already read it.
    fn base_file(
        &mut self,
        rel: &str,
        base: &str,
        from: Location,
        schemas: &Schemas,
    ) -> Option<Node> {
        if self.session.tuning.own_bases {
            let entry = self.read_base(rel, base, from, schemas)?;
            self.inputs.extend(&entry.read);
            self.bases_passed.extend(entry.passed.clone());
            return self.use_base(entry.file, entry.result);
        }
        let cell = self
            .session
            .bases
            .lock()
            .ok()
            .map(|mut m| m.entry(rel.to_owned()).or_default().clone())
            .unwrap_or_default();
        let mut reported = false;
        let shared = cell.get_or_init(|| {
            reported = true;
            self.read_base(rel, base, from, schemas).map(Arc::new)
        });
        let entry = match shared {
            Some(e) => e.clone(),
            // Not read: reported by this load, or read again to report it
            // at this load's own `extends`.
            None if reported => return None,
            None => Arc::new(self.read_base(rel, base, from, schemas)?),
        };
        self.inputs.extend(&entry.read);
        self.bases_passed.extend(entry.passed.clone());
        self.use_base(entry.file.clone(), entry.result.clone())
    }

    /// A base's tree, as this load's own file (its problems reported).
    fn use_base(
        &mut self,
        file: Arc<SourceFile>,
        result: Result<Node, Vec<Diagnostic>>,
    ) -> Option<Node> {
        match result {
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                None
            }
            Ok(mut node) => {
                let id = FileId(u32::try_from(self.files.files.len()).unwrap_or(u32::MAX));
                self.files.files.push(file);
                node.set_file(id);
                Some(node)
            }
        }
    }

    /// Reads a base on its own (file id 0), to share with other loads.
    fn read_base(
        &mut self,
        rel: &str,
        base: &str,
        from: Location,
        schemas: &Schemas,
    ) -> Option<BaseEntry> {
        let mut own = Loader::new(self.session, true);
        let from_place = self.files.place(from);
        let fetched = own.read(rel);
        let hash = fetched
            .as_ref()
            .ok()
            .map(|b| cfggen_source::content_hash(b));
        let node = own.parse_fetched(rel, fetched, from_place.clone());
        let Some(file) = own.files.files.first().cloned() else {
            // Not even read (I/O): report now, do not share.
            self.diagnostics.extend(own.diagnostics);
            return None;
        };
        let mut read = std::mem::take(&mut own.inputs);
        let trusted = |h: &String| self.session.tuning.checked_bases.contains(h);
        let mut passed = None;
        let result = match node {
            None => Err(own.diagnostics),
            Some(node) => {
                if let Some(entry) = node.entry("name") {
                    own.diagnostics.push(Diagnostic {
                        code: "base-has-name",
                        message: format!("base `{base}` sets `name`; only environments have names"),
                        field: Some("name".into()),
                        place: own.files.place(entry.key.loc),
                        label: Some("not allowed in a base".into()),
                        related: None,
                        hint: Some(
                            "remove `name` from the base; each environment file names itself"
                                .into(),
                        ),
                    });
                    Err(own.diagnostics)
                } else if hash.as_ref().is_some_and(trusted) {
                    passed = hash;
                    Ok(node)
                } else {
                    let checked = if self.session.tuning.own_bases && !self.placed {
                        own.check_base_without_tree(node, rel, from_place, schemas, &mut read)
                    } else if own
                        .check_schema(&node, SchemaKind::Partial, schemas)
                        .is_none()
                    {
                        Err(own.diagnostics)
                    } else {
                        Ok(node)
                    };
                    if checked.is_ok() {
                        passed = hash;
                    }
                    checked
                }
            }
        };
        Some(BaseEntry {
            file,
            result,
            read,
            passed,
        })
    }

    /// The check of a base a load owns against the partial schema, which
    /// never holds the base's tree and its document at once: the tree is
    /// converted into the document, the document checked (its problems
    /// not placed: a load that fails is run again placing them), and the
    /// file parsed again for merging.
    fn check_base_without_tree(
        mut self,
        node: Node,
        rel: &str,
        from: Option<Place>,
        schemas: &Schemas,
        read: &mut Inputs,
    ) -> Result<Node, Vec<Diagnostic>> {
        let nothing = Node {
            value: cfggen_yaml::Value::Null,
            loc: node.loc,
        };
        let json = node.into_json();
        if self
            .check_schema_of(&nothing, &json, SchemaKind::Partial, schemas)
            .is_none()
        {
            return Err(self.diagnostics);
        }
        drop(json);
        let mut again = Loader::new(self.session, true);
        let node = again.read_from(rel, from);
        read.extend(&again.inputs);
        match node {
            Some(node) => Ok(node),
            None => Err(again.diagnostics),
        }
    }

    /// The typed environment of the document `json` of the merged tree
    /// `node`, whose apps `left_out` were taken out of it. The document is
    /// consumed as it is read (a large environment never holds both
    /// whole). A value serde refuses is reported and cut out of the
    /// document, which is made again from `node`, so that one run reports
    /// every such value, several in one app included; an app with one is
    /// left out of the environment, so the rules after see whole apps
    /// only. A refusal caused by a cut (a required field cut away) is not
    /// reported.
    fn deserialize(
        &mut self,
        node: &Node,
        json: serde_json::Value,
        left_out: std::collections::BTreeSet<String>,
    ) -> Option<cfggen_model::Environment> {
        let mut json = Some(json);
        let mut cuts: Vec<Vec<cfggen_path::Seg>> = Vec::new();
        let mut refused_apps = std::collections::BTreeSet::new();
        let mut refused_elsewhere = false;
        loop {
            let doc = json.take().unwrap_or_else(|| {
                let mut doc = node.to_json();
                leave_out(&mut doc, &left_out);
                for cut in &cuts {
                    cut_out(&mut doc, cut);
                }
                doc
            });
            let e = match serde_path_to_error::deserialize::<_, cfggen_model::Environment>(doc) {
                Ok(mut env) if !refused_elsewhere => {
                    env.apps.retain(|app, _| !refused_apps.contains(app));
                    return Some(env);
                }
                Ok(_) => return None,
                Err(e) => e,
            };
            let path: FieldPath = e
                .path()
                .iter()
                .filter_map(|seg| match seg {
                    serde_path_to_error::Segment::Seq { index } => {
                        Some(cfggen_path::Seg::Index(*index))
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        Some(cfggen_path::Seg::Key(key.clone()))
                    }
                    _ => None,
                })
                .collect();
            let caused_by_cut = cuts.iter().any(|cut| cut.starts_with(path.segs()));
            if !caused_by_cut {
                self.refused(node, &path, &e.inner().to_string());
            }
            // A list item is cut with its list: indices stay true.
            let keyed = path
                .segs()
                .iter()
                .rposition(|s| matches!(s, cfggen_path::Seg::Key(_)))
                .map_or(0, |i| i + 1);
            let cut = path.segs()[..keyed].to_vec();
            match cut.as_slice() {
                [cfggen_path::Seg::Key(apps), cfggen_path::Seg::Key(app), ..] if apps == "apps" => {
                    refused_apps.insert(app.clone());
                }
                _ => refused_elsewhere = true,
            }
            // Without the tree (a first load) nothing can be made again;
            // a cut that was made already, or of the whole document, is
            // no progress.
            if node.get("apps").is_none() || cut.is_empty() || cuts.contains(&cut) {
                return None;
            }
            cuts.push(cut);
        }
    }

    /// Reports a value serde refused, at `path` of the merged tree `node`.
    fn refused(&mut self, node: &Node, path: &FieldPath, text: &str) {
        let (message, hint) = cfggen_model::error::split_message(text);
        let is_image = path.last_key() == Some("image");
        self.diagnostics.push(Diagnostic {
            code: if is_image {
                "invalid-image"
            } else {
                "invalid-value"
            },
            message: message.to_owned(),
            field: Some(path.to_string()),
            place: place_for(node, path, Target::Value, &self.files),
            label: Some(
                if is_image {
                    "not a valid image reference"
                } else {
                    "invalid value"
                }
                .into(),
            ),
            related: None,
            hint: hint.map(str::to_owned),
        });
    }
}

/// Whether an environment's merged tree has patches or manifests, whose
/// render problems are placed through the tree after loading.
fn places_render_problems(merged: &Node) -> bool {
    let listed = |n: Option<&Node>| {
        n.is_some_and(|n| matches!(&n.value, cfggen_yaml::Value::Seq(items) if !items.is_empty()))
    };
    listed(merged.get("patches"))
        || merged
            .get("apps")
            .and_then(Node::as_map)
            .is_some_and(|apps| {
                apps.iter()
                    .any(|a| listed(a.value.get("patches")) || listed(a.value.get("manifests")))
            })
}

/// Removes the apps named in `apps` from an environment document.
fn leave_out(json: &mut serde_json::Value, apps: &std::collections::BTreeSet<String>) {
    if let Some(all) = json.get_mut("apps").and_then(|a| a.as_object_mut()) {
        for app in apps {
            all.shift_remove(app);
        }
    }
}

/// Whether an app as one file writes it has components and no image,
/// neither its own nor a component's: an override, not an app.
fn is_override_only(app: &Node) -> bool {
    let Some(components) = app.get("components").and_then(Node::as_map) else {
        return false;
    };
    app.get("image").is_none() && components.iter().all(|c| c.value.get("image").is_none())
}

/// Removes the map entry at `path` (keys only) from a document.
fn cut_out(json: &mut serde_json::Value, path: &[cfggen_path::Seg]) {
    let Some((cfggen_path::Seg::Key(last), parents)) = path.split_last() else {
        return;
    };
    let mut at = json;
    for seg in parents {
        let next = match seg {
            cfggen_path::Seg::Key(k) => at.get_mut(k.as_str()),
            cfggen_path::Seg::Index(i) => at.get_mut(*i),
        };
        match next {
            Some(n) => at = n,
            None => return,
        }
    }
    if let Some(map) = at.as_object_mut() {
        map.shift_remove(last);
    }
}

/// The `extends` entries of a file, with their locations.
fn extends_of(node: &Node) -> Vec<(String, Location)> {
    let Some(value) = node.get("extends") else {
        return Vec::new();
    };
    match &value.value {
        cfggen_yaml::Value::String(s) => vec![(s.clone(), value.loc)],
        cfggen_yaml::Value::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| (s.to_owned(), i.loc)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Where in the source a field path points: the key for collections and
/// for key targets, the value otherwise; the deepest existing step when
/// the path does not exist in the source (a default, say).
pub(crate) fn place_for(
    root: &Node,
    path: &FieldPath,
    target: Target,
    files: &Files,
) -> Option<Place> {
    let segs = source_path(root, path);
    let segs = segs.as_slice();
    let (node, key, depth) = root.lookup_prefix(segs);
    let whole = depth == segs.len();
    let collection = matches!(
        node.value,
        cfggen_yaml::Value::Map(_) | cfggen_yaml::Value::Seq(_)
    );
    let loc = match key {
        Some(k) if !whole || target == Target::Key || collection => k.loc,
        _ if depth == 0 && collection => first_line(node),
        _ => node.loc,
    };
    files.place(loc)
}

/// A field path of the typed model as a path of the file: a port written
/// in a Kubernetes list form is keyed by its name in the model and by
/// its index in the file.
fn source_path(root: &Node, path: &FieldPath) -> Vec<cfggen_path::Seg> {
    use cfggen_path::Seg;
    let mut node = Some(root);
    let mut out = Vec::with_capacity(path.segs().len());
    for seg in path.segs() {
        let seg = match (seg, node.map(|n| &n.value)) {
            (Seg::Key(k), Some(cfggen_yaml::Value::Seq(items))) => items
                .iter()
                .position(|item| {
                    cfggen_model::ports::listed_name(&item.to_json()) == Some(k.as_str())
                })
                .map_or_else(|| seg.clone(), Seg::Index),
            _ => seg.clone(),
        };
        node = node.and_then(|n| match (&seg, &n.value) {
            (Seg::Key(k), cfggen_yaml::Value::Map(_)) => n.get(k),
            (Seg::Index(i), cfggen_yaml::Value::Seq(items)) => items.get(*i),
            _ => None,
        });
        out.push(seg);
    }
    out
}

/// The first key of a mapping, or the start of the node: where to point for
/// a whole-file problem.
pub(crate) fn first_line(node: &Node) -> Location {
    match node.as_map().and_then(|m| m.first()) {
        Some(e) => e.key.loc,
        None => Location {
            file: node.loc.file,
            start: node.loc.start,
            end: node.loc.start,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session over `files` (path → text).
    fn session(files: &[(&str, &str)]) -> Session {
        tuned(files, Tuning::default())
    }

    fn tuned(files: &[(&str, &str)], tuning: Tuning) -> Session {
        let files: HashMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
            .collect();
        Session::tuned(Arc::new(MemorySource::new(files)), tuning)
    }

    const DEV: &str =
        "name: dev\nextends: [shared]\ncluster: {name: lab, server: https://k.example.com}\n";
    const PROD: &str =
        "name: prod\nextends: [shared]\ncluster: {name: lab, server: https://k.example.com}\n";
    const SHARED: &str = "namespace: web\nargocd: {repoURL: https://git.example.com/gitops.git}\napps:\n  web:\n    image: nginx:1.27\n    configMaps:\n      conf:\n        files: [config/app.conf]\n      more:\n        folder: config/more\n    manifests:\n      - inline: {apiVersion: v1, kind: ConfigMap, metadata: {name: extra}}\n";

    #[test]
    fn a_load_places_its_warnings_as_asked() {
        let widget = "name: dev\ncluster: {name: lab, server: https://k.example.com}\nargocd: {repoURL: https://git.example.com/gitops.git}\napps:\n  web:\n    image: nginx:1.27\n    manifests:\n      - inline: {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}\n";
        let files = [("environments/dev.yaml", widget)];
        for placing in [Placing::WhenFound, Placing::FromTheStart] {
            let s = session(&files);
            let loaded = s.load_placing("dev", placing).expect("it loads");
            assert!(!loaded.warnings.is_empty(), "{placing:?}");
            assert!(
                loaded.warnings.iter().all(|w| w.place.is_some()),
                "{placing:?}: {:?}",
                loaded.warnings
            );
            assert_eq!(s.warnings().len(), loaded.warnings.len());
        }
        // Read for its settings: warned, and nothing kept to report.
        let s = session(&files);
        let loaded = s.load_placing("dev", Placing::Never).expect("it loads");
        assert!(!loaded.warnings.is_empty());
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn a_load_records_every_file_it_read_shared_ones_included() {
        let files = [
            ("environments/dev.yaml", DEV),
            ("environments/prod.yaml", PROD),
            ("environments/bases/shared.yaml", SHARED),
            ("config/app.conf", "a = 1\n"),
            ("config/more/b.conf", "b = 2\n"),
            ("config/unread.conf", "c = 3\n"),
        ];
        for own_bases in [false, true] {
            let dev = recorded_loads(&files, own_bases);
            // A change to any file it read is seen; to a file it did not
            // read, not.
            let changed = |rel: &str| {
                let edited: Vec<(&str, &str)> = files
                    .iter()
                    .map(|(p, t)| (*p, if *p == rel { "changed: true\n" } else { *t }))
                    .collect();
                session(&edited).unchanged(&dev)
            };
            assert!(!changed("environments/bases/shared.yaml"));
            assert!(!changed("config/more/b.conf"));
            assert!(!changed("environments/dev.yaml"));
            assert!(changed("environments/prod.yaml"));
            assert!(changed("config/unread.conf"));
        }
    }

    #[test]
    fn a_base_trusted_to_pass_the_partial_schema_is_not_checked_again() {
        let base = |replicas: &str| {
            format!(
                "namespace: web\nargocd: {{repoURL: https://git.example.com/gitops.git}}\napps:\n  web:\n    image: nginx:1.27\n    components:\n      web:\n        replicas: {replicas}\n"
            )
        };
        // The environment sets what the base sets wrongly: only the check
        // of the base on its own refuses it.
        let dev = format!("{DEV}apps:\n  web:\n    components:\n      web:\n        replicas: 2\n");
        let (good, wrong) = (base("1"), base("two"));
        for own_bases in [false, true] {
            let with_base = |text: &str, trusted: &str| {
                let tuning = Tuning {
                    own_bases,
                    checked_bases: BTreeSet::from([cfggen_source::content_hash(
                        trusted.as_bytes(),
                    )]),
                    ..Tuning::default()
                };
                let s = tuned(
                    &[
                        ("environments/dev.yaml", &dev),
                        ("environments/bases/shared.yaml", text),
                    ],
                    tuning,
                );
                s.load("dev").map(|l| (l.name, l.bases_passed))
            };
            // Checked, it is refused.
            assert!(with_base(&wrong, &good).is_err(), "own bases: {own_bases}");
            // Trusted by the hash of its bytes, it is not checked.
            let (name, found) = with_base(&wrong, &wrong).unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(name, "dev", "own bases: {own_bases}");
            assert_eq!(found.len(), 1, "own bases: {own_bases}");
            // A base that passes is found to, by the hash of its bytes.
            let (_, found) = with_base(&good, &wrong).unwrap_or_else(|d| panic!("{d:?}"));
            let expected = BTreeSet::from([cfggen_source::content_hash(good.as_bytes())]);
            assert_eq!(found, expected, "own bases: {own_bases}");
        }
    }

    /// [`Trees`] that parse, but give the tree of `instead` for the file
    /// `rel`, and count what they were asked.
    struct Swapped {
        rel: &'static str,
        instead: String,
        asked: Mutex<Vec<String>>,
    }

    impl Trees for Swapped {
        fn tree(
            &self,
            rel: &str,
            id: FileId,
            text: &str,
            limits: &Limits,
        ) -> Result<Node, Box<YamlError>> {
            if let Ok(mut asked) = self.asked.lock() {
                asked.push(rel.to_owned());
            }
            let text = if rel == self.rel { &self.instead } else { text };
            cfggen_yaml::parse(id, text, limits)
        }
    }

    #[test]
    fn a_load_reads_every_file_through_the_trees_it_is_given() {
        let base = "namespace: web\nargocd: {repoURL: https://git.example.com/gitops.git}\napps:\n  web:\n    image: nginx:1.27\n    components:\n      web:\n        replicas: 1\n";
        for own_bases in [false, true] {
            let trees = Arc::new(Swapped {
                rel: "environments/bases/shared.yaml",
                instead: base.replace("nginx:1.27", "nginx:1.28"),
                asked: Mutex::new(Vec::new()),
            });
            let tuning = Tuning {
                own_bases,
                trees: Some(trees.clone()),
                ..Tuning::default()
            };
            let s = tuned(
                &[
                    ("environments/dev.yaml", DEV),
                    ("environments/bases/shared.yaml", base),
                ],
                tuning,
            );
            let loaded = s.load("dev").unwrap_or_else(|d| panic!("{d:?}"));
            let image = loaded
                .environment
                .apps
                .get("web")
                .and_then(|a| a.image.clone());
            assert_eq!(
                image.map(|i| i.as_written().to_owned()).as_deref(),
                Some("nginx:1.28"),
                "own bases: {own_bases}"
            );
            let asked = trees.asked.lock().map(|a| a.clone()).unwrap_or_default();
            assert!(
                asked.iter().any(|r| r == "environments/dev.yaml"),
                "{asked:?}"
            );
        }
    }

    /// Loads dev and prod in one session (owning their bases or not), checks what each
    /// recorded, and gives dev's.
    fn recorded_loads(files: &[(&str, &str)], own_bases: bool) -> Inputs {
        let s = tuned(
            files,
            Tuning {
                own_bases,
                ..Tuning::default()
            },
        );
        let load = |name: &str| match s.load(name) {
            Ok(loaded) => loaded,
            Err(d) => panic!("{name}: {d:?}"),
        };
        // The second load takes the base and the CRDs the first read from
        // the session, and records them all the same.
        let (dev, prod) = (load("dev"), load("prod"));
        for (loaded, own) in [
            (&dev, "environments/dev.yaml"),
            (&prod, "environments/prod.yaml"),
        ] {
            let mut expected = Inputs::default();
            for rel in [
                own,
                "environments/bases/shared.yaml",
                "config/app.conf",
                "config/more/b.conf",
            ] {
                expected.read(rel, &s.source().read(rel, 1 << 20));
            }
            for dir in ["config/more", crate::manifests::CRDS_DIR] {
                expected.list(dir, &s.source().list(dir));
            }
            assert_eq!(loaded.inputs, expected, "{own}, own bases: {own_bases}");
            assert!(s.unchanged(&loaded.inputs));
        }
        dev.inputs
    }
}
