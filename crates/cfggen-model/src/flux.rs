//! Flux chart installs: HelmReleases (`helm.toolkit.fluxcd.io/v2`) that
//! the Flux helm-controller installs in the cluster, and the sources of
//! their charts, OCIRepositories and HelmRepositories
//! (`source.toolkit.fluxcd.io/v1`). Unlike an app's `helm` (a chart Argo
//! CD renders), Flux renders these itself; cfggen writes the objects, and
//! checks what they name.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;

/// A Flux duration: `10m`, `1h30m`, `90s`.
pub const FLUX_DURATION: &str = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

/// A HelmRelease: a chart (from a source) and its values, installed by
/// Flux into the app's namespace (or `targetNamespace`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "interval": "30m",
    "chartRef": {"kind": "OCIRepository", "name": "app-template"},
    "values": {"controllers": {"main": {"replicas": 1}}}
}]))]
pub struct HelmRelease {
    /// How often Flux reconciles the release.
    #[schemars(regex(pattern = FLUX_DURATION), extend("examples" = ["30m"]))]
    pub interval: String,
    /// The chart as an OCIRepository (or a HelmChart) that holds it;
    /// instead of `chart`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<SourceRef>,
    /// The chart by name and version in a HelmRepository (or a
    /// GitRepository, a Bucket); instead of `chartRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<ChartTemplate>,
    /// The Helm release name; `[<targetNamespace>-]<name>` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// The namespace the chart's objects go to; the HelmRelease's own
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub target_namespace: Option<String>,
    /// HelmReleases installed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Dependency>,
    /// How long a Helm action may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub timeout: Option<String>,
    /// Whether Flux leaves the release alone for now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// The service account Flux acts as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// How the release is installed the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<HelmAction>,
    /// How it is upgraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<HelmAction>,
    /// Values, inline (over those of `valuesFrom`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub values: IndexMap<String, serde_json::Value>,
    /// Values from the app's ConfigMaps and Secrets, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_from: Vec<ValuesFrom>,
    /// What Flux does to the chart's objects after Helm renders them and
    /// before it applies them, in order: Kustomize patches and image
    /// overrides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_renderers: Vec<PostRenderer>,
    /// Labels of the HelmRelease, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the HelmRelease.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A post-renderer of a HelmRelease.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PostRenderer {
    /// Kustomize, run over the chart's objects.
    pub kustomize: KustomizeRenderer,
}

/// What Kustomize changes in the chart's objects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizeRenderer {
    /// Patches, in order: strategic merge patches, or JSON 6902 patches
    /// (a list of operations) with the `target` they change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<KustomizePatch>,
    /// Images to replace by name, tag or digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<KustomizeImage>,
}

/// One Kustomize patch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizePatch {
    /// The patch, as YAML text: a strategic merge patch (an object), or
    /// JSON 6902 operations (a list of `op`, `path`, `value`).
    #[schemars(extend("examples" = ["- op: add\n  path: /spec/template/spec/enableServiceLinks\n  value: false\n"]))]
    pub patch: String,
    /// The objects it changes; for a strategic merge patch, the object
    /// it names when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<PatchTarget>,
}

/// The objects a Kustomize patch changes: each field set must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    /// Their API group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Their API version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Their kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Their name (a regular expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their namespace (a regular expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A label selector they match, e.g. `app.kubernetes.io/name=web`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// An annotation selector they match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_selector: Option<String>,
}

/// An image Kustomize replaces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KustomizeImage {
    /// The image as the chart names it, without tag.
    pub name: String,
    /// Another image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
    /// Another tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_tag: Option<String>,
    /// A digest, in place of the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// A source of a chart, by kind and name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourceRef {
    /// `OCIRepository` or `HelmChart` (a `chartRef`); `HelmRepository`,
    /// `GitRepository` or `Bucket` (a `chart`'s `sourceRef`).
    #[schemars(extend("enum" = ["OCIRepository", "HelmChart", "HelmRepository", "GitRepository", "Bucket"]))]
    pub kind: String,
    /// Its name: one of the app's `ociRepositories` or
    /// `helmRepositories`, or one of its `namespace`.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: String,
    /// Its namespace, when not the app's (a source shared from
    /// `flux-system`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// Its API version, when not Flux's current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// A chart by name from a source (`chart.spec`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartTemplate {
    /// The chart.
    pub spec: ChartSpec,
}

/// A chart's name, version and source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartSpec {
    /// The chart's name (its path, in a GitRepository).
    pub chart: String,
    /// The version, or a semver range; the latest when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the chart is.
    pub source_ref: SourceRef,
    /// How often Flux looks for a new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub interval: Option<String>,
    /// `ChartVersion` (the default) or `Revision`: what makes a new
    /// chart artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["ChartVersion", "Revision"]))]
    pub reconcile_strategy: Option<String>,
    /// Values files of the chart, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_files: Vec<String>,
}

/// A HelmRelease installed before this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dependency {
    /// Its name.
    pub name: String,
    /// Its namespace, when not the app's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// How a Helm install or upgrade runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmAction {
    /// `Skip`, `Create` or `CreateReplace`: what happens to the chart's
    /// CustomResourceDefinitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Skip", "Create", "CreateReplace"]))]
    pub crds: Option<String>,
    /// Whether the target namespace is made (install only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Whether Helm waits for the objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// How long the action may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub timeout: Option<String>,
    /// What Flux does when the action fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
}

/// What Flux does when a Helm action fails.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Remediation {
    /// How many times it tries again; `-1` for ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -1))]
    pub retries: Option<i64>,
    /// Whether the last failure is remediated too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
    /// `rollback` or `uninstall` (an upgrade's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["rollback", "uninstall"]))]
    pub strategy: Option<String>,
}

/// Values read from a ConfigMap or Secret of the app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ValuesFrom {
    /// `ConfigMap` or `Secret`.
    #[schemars(extend("enum" = ["ConfigMap", "Secret"]))]
    pub kind: String,
    /// Its name: one the app declares.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: String,
    /// The key holding the values (YAML); `values.yaml` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
    /// Where in the values the key's text goes, as one value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_path: Option<String>,
    /// Whether the release goes on when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// An OCIRepository: an OCI artifact (a chart, a bundle of manifests)
/// Flux pulls and watches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "url": "oci://ghcr.io/bjw-s-labs/helm/app-template",
    "ref": {"tag": "4.2.0"},
    "interval": "15m"
}]))]
pub struct OciRepository {
    /// The artifact's repository.
    #[schemars(regex(pattern = "^oci://"), extend("examples" = ["oci://ghcr.io/bjw-s-labs/helm/app-template"]))]
    pub url: String,
    /// How often Flux looks for a new artifact.
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub interval: String,
    /// Which artifact: a tag, a semver range, or a digest; `latest` when
    /// absent.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<OciReference>,
    /// Which layer of the artifact is taken, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_selector: Option<LayerSelector>,
    /// `generic` (the default), `aws`, `azure` or `gcp`: how Flux logs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["generic", "aws", "azure", "gcp"]))]
    pub provider: Option<String>,
    /// A `kubernetes.io/dockerconfigjson` Secret of the app to log in
    /// with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalRef>,
    /// How long a pull may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub timeout: Option<String>,
    /// Whether the registry is reached over plain HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Whether Flux leaves the source alone for now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Labels of the OCIRepository, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the OCIRepository.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// Which OCI artifact: by tag, semver range or digest (the first of those
/// given, in the order digest, semver, tag).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OciReference {
    /// A tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A semver range, the newest tag in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// A regular expression the tags of the range must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver_filter: Option<String>,
    /// A digest, `sha256:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^sha256:[a-f0-9]{64}$"))]
    pub digest: Option<String>,
}

/// Which layer of an OCI artifact is taken.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LayerSelector {
    /// Its media type (a Helm chart's:
    /// `application/vnd.cncf.helm.chart.content.v1.tar+gzip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `extract` (the default) or `copy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["extract", "copy"]))]
    pub operation: Option<String>,
}

/// An object of the app's namespace, by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalRef {
    /// Its name.
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: String,
}

/// A HelmRepository: a Helm chart repository (HTTPS, or OCI) Flux
/// indexes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "url": "https://kubernetes-sigs.github.io/external-dns",
    "interval": "30m"
}]))]
pub struct HelmRepository {
    /// The repository: `https://…`, or `oci://…` with `type: oci`.
    #[schemars(regex(pattern = "^(https?|oci)://"))]
    pub url: String,
    /// How often Flux reads its index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub interval: Option<String>,
    /// `default` (HTTP) or `oci`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["default", "oci"]))]
    pub kind: Option<String>,
    /// `generic` (the default), `aws`, `azure` or `gcp` (`oci` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["generic", "aws", "azure", "gcp"]))]
    pub provider: Option<String>,
    /// A Secret of the app with the repository's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalRef>,
    /// Whether the credentials go to the charts' hosts too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_credentials: Option<bool>,
    /// How long an index download may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = FLUX_DURATION))]
    pub timeout: Option<String>,
    /// Whether Flux leaves the source alone for now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Labels of the HelmRepository, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the HelmRepository.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}
