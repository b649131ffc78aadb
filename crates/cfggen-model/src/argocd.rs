//! How Argo CD deploys an app: the sync policy (automated or manual,
//! prune, self-heal), sync options, ignored differences, the project,
//! finalizers and the destination cluster. The environment sets the
//! defaults (`argocd.sync`, `argocd.finalizers`, `clusters`); an app
//! overrides them in its own `argocd` block; [`resolve`] gives what
//! applies.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::environment::Environment;
use crate::names;

/// The sync policy: automated or manual, and its options. Every field
/// left out takes the environment's value, then the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyncSettings {
    /// Sync on every change in Git (`true`, the default) or only when a
    /// person asks (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<bool>,
    /// With automated sync, delete what is no longer in Git (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// With automated sync, undo changes made in the cluster (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
    /// Sync options; `[CreateNamespace=true]` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("items" = {"pattern": SYNC_OPTION}), extend("examples" = [["ServerSideApply=true", "CreateNamespace=true"]]))]
    pub options: Option<Vec<String>>,
}

/// The sync options Argo CD knows.
pub const SYNC_OPTION: &str = "^((CreateNamespace|ServerSideApply|PruneLast|ApplyOutOfSyncOnly|Replace|RespectIgnoreDifferences|Validate|FailOnSharedResource|SkipDryRunOnMissingResource|Prune|Delete)=(true|false)|PrunePropagationPolicy=(foreground|background|orphan)|Prune=confirm|Delete=confirm)$";

/// Common sync options, for "did you mean".
pub const KNOWN_SYNC_OPTIONS: &[&str] = &[
    "CreateNamespace=true",
    "ServerSideApply=true",
    "PruneLast=true",
    "ApplyOutOfSyncOnly=true",
    "Replace=true",
    "RespectIgnoreDifferences=true",
    "Validate=false",
    "FailOnSharedResource=true",
    "SkipDryRunOnMissingResource=true",
    "PrunePropagationPolicy=foreground",
    "PrunePropagationPolicy=background",
    "PrunePropagationPolicy=orphan",
    "Prune=confirm",
    "Delete=confirm",
];

/// An app's own Argo CD settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppArgoCd {
    /// The Argo CD project; the environment's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The sync policy, over the environment's.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sync: SyncSettings,
    /// Differences Argo CD ignores, e.g. the replicas an autoscaler sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<IgnoreDifference>,
    /// Finalizers of the Application; the environment's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = [["resources-finalizer.argocd.argoproj.io"]]))]
    pub finalizers: Option<Vec<String>>,
    /// The cluster the app deploys to: one of the environment's
    /// `clusters`; its `cluster` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub cluster: Option<String>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Whether sync settings are all left to the defaults.
pub fn is_default_sync(s: &SyncSettings) -> bool {
    is_default(s)
}

/// A difference Argo CD ignores when it compares Git with the cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IgnoreDifference {
    /// The API group; the core group when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["apps"]))]
    pub group: Option<String>,
    /// The kind, e.g. `Deployment`.
    pub kind: String,
    /// Only this object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields to ignore, as JSON pointers, e.g. `/spec/replicas`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("items" = {"pattern": "^(/[^/]*)*$"}), extend("examples" = [["/spec/replicas"]]))]
    pub json_pointers: Vec<String>,
    /// Fields to ignore, as jq paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jq_path_expressions: Vec<String>,
    /// Ignore the fields these field managers own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields_managers: Vec<String>,
}

/// Another cluster an environment deploys some apps to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtraCluster {
    /// Its API server URL, as Argo CD knows it.
    #[schemars(regex(pattern = "^https://"), extend("examples" = ["https://edge.example.com:6443"]))]
    pub server: String,
}

/// Extra clusters, by name.
pub type Clusters = IndexMap<String, ExtraCluster>;

/// What applies to one Application.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<'a> {
    /// The project.
    pub project: &'a str,
    /// Automated sync, with prune and self-heal; `None` for manual sync.
    pub automated: Option<(bool, bool)>,
    /// Sync options.
    pub options: Vec<String>,
    /// Ignored differences.
    pub ignore_differences: &'a [IgnoreDifference],
    /// Finalizers.
    pub finalizers: &'a [String],
    /// The destination API server.
    pub server: &'a str,
}

/// The settings of the Application of an app (`app` given) or of a folder
/// no app owns (Postgres, cluster-scoped objects): the app's, over the
/// environment's, over the defaults. An unknown cluster (which
/// validation refuses) falls back to the environment's.
pub fn resolve<'a>(env: &'a Environment, app: Option<&'a AppArgoCd>) -> Resolved<'a> {
    let own = app.map(|a| &a.sync);
    let env_sync = &env.argocd.sync;
    let pick = |f: fn(&SyncSettings) -> Option<bool>, default: bool| {
        own.and_then(f).or(f(env_sync)).unwrap_or(default)
    };
    let automated =
        pick(|s| s.automated, true).then(|| (pick(|s| s.prune, true), pick(|s| s.self_heal, true)));
    let options = own
        .and_then(|s| s.options.clone())
        .or_else(|| env_sync.options.clone())
        .unwrap_or_else(|| vec!["CreateNamespace=true".to_owned()]);
    let server = app
        .and_then(|a| a.cluster.as_ref())
        .and_then(|c| env.clusters.get(c))
        .map_or(env.cluster.server.as_str(), |c| c.server.as_str());
    Resolved {
        project: app
            .and_then(|a| a.project.as_deref())
            .unwrap_or(&env.argocd.project),
        automated,
        options,
        ignore_differences: app.map_or(&[], |a| a.ignore_differences.as_slice()),
        finalizers: app
            .and_then(|a| a.finalizers.as_deref())
            .unwrap_or(&env.argocd.finalizers),
        server,
    }
}
