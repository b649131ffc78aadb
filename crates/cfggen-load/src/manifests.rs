//! Raw manifests of an app: read (files of the repository, or inline),
//! and validated, not trusted — a core Kubernetes kind through its
//! `k8s-openapi` type (a field the type does not know is an error at its
//! line), a custom resource against its CRD: one under the repository's
//! `crds/`, one among the manifests of the environment (an operator's
//! install carries its CRDs beside its custom resources), or one cfggen
//! carries (`builtin_crds`). An object of a kind none of them knows is
//! kept unchecked: a warning, or an error where the environment sets
//! `uncheckedKinds: error`.

use std::collections::HashMap;

use cfggen_path::{FieldPath, Seg};
use cfggen_yaml::Node;
use serde_json::Value;

/// Folder of the CustomResourceDefinitions a repository keeps, for
/// checking custom resources.
pub const CRDS_DIR: &str = "crds";

/// A CRD's schema for one version of a kind, and whether its objects are
/// namespaced.
pub(crate) struct CrdVersion {
    pub validator: jsonschema::Validator,
    /// The schema it was made from, strict (see [`strict`]), for the
    /// fields an object takes.
    pub schema: Value,
    pub namespaced: bool,
}

/// The CRDs of the repository: (apiVersion, kind) → schema.
pub(crate) type Crds = HashMap<(String, String), CrdVersion>;

/// The CRDs found in the documents of `crds/`: every served version of
/// every CustomResourceDefinition.
pub(crate) fn crds_of(docs: &[Value]) -> Crds {
    let mut out = Crds::new();
    for doc in docs {
        if doc.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            continue;
        }
        let spec = doc.get("spec");
        let group = spec
            .and_then(|s| s.get("group"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = spec
            .and_then(|s| s.pointer("/names/kind"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let namespaced =
            spec.and_then(|s| s.get("scope")).and_then(Value::as_str) != Some("Cluster");
        for version in spec
            .and_then(|s| s.get("versions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = version.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut schema = version
                .pointer("/schema/openAPIV3Schema")
                .cloned()
                .unwrap_or(Value::Bool(true));
            // Every object takes these, whether its schema says so or not.
            if let Some(root) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for key in ["apiVersion", "kind", "metadata"] {
                    let kind = if key == "metadata" {
                        "object"
                    } else {
                        "string"
                    };
                    root.entry(key)
                        .or_insert_with(|| serde_json::json!({ "type": kind }));
                }
            }
            strict(&mut schema);
            // A pattern the regex engine refuses (Go's `(?i)` inside a
            // pattern) leaves that pattern unchecked, not the kind.
            let validator = jsonschema::draft4::new(&schema).or_else(|_| {
                let mut lenient = schema.clone();
                without_patterns(&mut lenient);
                jsonschema::draft4::new(&lenient)
            });
            if let Ok(validator) = validator {
                out.insert(
                    (format!("{group}/{name}"), kind.to_owned()),
                    CrdVersion {
                        validator,
                        schema,
                        namespaced,
                    },
                );
            }
        }
    }
    out
}

/// A schema without its `pattern`s.
fn without_patterns(schema: &mut Value) {
    match schema {
        Value::Object(node) => {
            if node.get("pattern").is_some_and(Value::is_string) {
                node.remove("pattern");
            }
            node.values_mut().for_each(without_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(without_patterns),
        _ => {}
    }
}

/// Makes a CRD schema reject unknown fields, as `kubectl apply` with
/// strict field validation does (the API server would otherwise prune a
/// misspelt field without a word): every object schema that lists
/// `properties`, and neither sets `additionalProperties` nor keeps unknown
/// fields (`x-kubernetes-preserve-unknown-fields`, an embedded resource),
/// gets `additionalProperties: false`.
fn strict(schema: &mut Value) {
    let Value::Object(node) = schema else {
        return;
    };
    let flag = |node: &serde_json::Map<String, Value>, key: &str| {
        node.get(key).and_then(Value::as_bool).unwrap_or(false)
    };
    let open = flag(node, "x-kubernetes-preserve-unknown-fields")
        || flag(node, "x-kubernetes-embedded-resource");
    if node.contains_key("properties") && !node.contains_key("additionalProperties") && !open {
        node.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, value) in node.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(children)) => {
                children.values_mut().for_each(strict);
            }
            ("anyOf" | "allOf" | "oneOf", Value::Array(children)) => {
                children.iter_mut().for_each(strict);
            }
            ("items" | "additionalProperties" | "not", child) => strict(child),
            _ => {}
        }
    }
}

/// One problem with a manifest: where (a path in the object) and what.
pub(crate) struct Problem {
    pub path: FieldPath,
    /// Whether the problem is the key at `path` (an unknown field) or its
    /// value.
    pub target: cfggen_model::validate::Target,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// Where custom resources find their schemas, in order: the repository's
/// `crds/`, the CRDs among the environment's manifests, cfggen's own.
pub(crate) struct Schemas<'a> {
    pub repository: &'a Crds,
    pub manifests: &'a Crds,
}

impl Schemas<'_> {
    fn get(&self, api: &str, kind: &str) -> Option<&CrdVersion> {
        let key = (api.to_owned(), kind.to_owned());
        self.repository
            .get(&key)
            .or_else(|| self.manifests.get(&key))
            .or_else(|| crate::builtin_crds::get(api, kind))
    }
}

/// What checking an object found, when it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    /// Whether it lives in a namespace.
    pub namespaced: bool,
    /// Whether a schema checked it (false: a kind cfggen knows no schema
    /// for, taken as written).
    pub checked: bool,
}

/// Kinds with no namespace, of the core API.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CSIDriver",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "CustomResourceDefinition",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
];

/// Checks one object; returns whether it is namespaced and was checked,
/// or its problems.
pub(crate) fn check(object: &Value, schemas: &Schemas<'_>) -> Result<Checked, Vec<Problem>> {
    let problem = |path: FieldPath, code, message: String, hint: Option<&str>| Problem {
        path,
        target: cfggen_model::validate::Target::Value,
        code,
        message,
        hint: hint.map(str::to_owned),
    };
    let (Some(api), Some(kind)) = (
        object.get("apiVersion").and_then(Value::as_str),
        object.get("kind").and_then(Value::as_str),
    ) else {
        return Err(vec![problem(
            FieldPath::default(),
            "manifest",
            "a manifest needs `apiVersion` and `kind`".into(),
            Some("write a whole Kubernetes object: apiVersion, kind, metadata.name, …"),
        )]);
    };
    let name = object.pointer("/metadata/name").and_then(Value::as_str);
    if !name.is_some_and(|n| cfggen_model::names::is_object_name(api, n)) {
        return Err(vec![problem(
            FieldPath::of(&["metadata"]),
            "manifest",
            format!("the {kind} needs `metadata.name`, a valid Kubernetes name"),
            None,
        )]);
    }
    if api == "v1" && kind == "Secret" {
        return Err(vec![problem(
            FieldPath::of(&["kind"]),
            "secret-manifest",
            "a Secret never goes into generated/: its values would be committed".into(),
            Some("declare the values in 1Password under the app's `secrets` (cfggen renders an ExternalSecret that makes the Secret); for a Secret made elsewhere (by hand, an operator, cert-manager), list it under the app's `externalSecrets`"),
        )]);
    }
    if let Some(result) = core_round_trip(api, kind, object) {
        return match result {
            Ok(()) => Ok(Checked {
                namespaced: !CLUSTER_SCOPED.contains(&kind),
                checked: true,
            }),
            Err(lost) => Err(lost
                .into_iter()
                .map(|(path, known)| {
                    let field = path.to_string();
                    let wrong = match path.segs().last() {
                        Some(Seg::Key(k)) => k.as_str(),
                        _ => "",
                    };
                    let hint = cfggen_model::suggest::hint(wrong, known.iter().map(String::as_str))
                        .unwrap_or_else(|| {
                            "check the spelling against the Kubernetes API reference".into()
                        });
                    Problem {
                        path,
                        target: cfggen_model::validate::Target::Key,
                        code: "manifest-field",
                        message: format!("`{field}` is not a field of {api} {kind}"),
                        hint: Some(hint),
                    }
                })
                .collect()),
        };
    }
    let Some(crd) = schemas.get(api, kind) else {
        // Unchecked: in a namespace unless it names none and its kind
        // says it is cluster-wide (`ClusterIssuer`, `ClusterPolicy`).
        let named = object.pointer("/metadata/namespace").is_some();
        return Ok(Checked {
            namespaced: named || !kind.starts_with("Cluster"),
            checked: false,
        });
    };
    let errors: Vec<Problem> = crd
        .validator
        .iter_errors(object)
        .flat_map(|e| {
            let path: FieldPath = e
                .instance_path()
                .iter()
                .map(|seg| match seg {
                    jsonschema::paths::LocationSegment::Property(p) => Seg::Key(p.into_owned()),
                    jsonschema::paths::LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
                e.kind()
            {
                return unknown_fields(
                    crd,
                    e.schema_path().as_str(),
                    &path,
                    unexpected,
                    (api, kind),
                );
            }
            vec![problem(
                path,
                "manifest-field",
                format!("{api} {kind}: {e}"),
                Some("its CustomResourceDefinition says what this object takes"),
            )]
        })
        .collect();
    if errors.is_empty() {
        Ok(Checked {
            namespaced: crd.namespaced,
            checked: true,
        })
    } else {
        Err(errors)
    }
}

/// One problem per field of a custom resource that its CRD does not have,
/// at the field, with the closest field the object does take.
/// `schema_path` points at the `additionalProperties` that refused them.
fn unknown_fields(
    crd: &CrdVersion,
    schema_path: &str,
    path: &FieldPath,
    unexpected: &[String],
    (api, kind): (&str, &str),
) -> Vec<Problem> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .and_then(|p| crd.schema.pointer(p));
    let known: Vec<&str> = parent
        .and_then(|p| p.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    unexpected
        .iter()
        .map(|field| {
            let at = path.key(field);
            Problem {
                message: format!("`{at}` is not a field of {api} {kind}"),
                hint: Some(
                    cfggen_model::suggest::hint(field, known.iter().copied()).unwrap_or_else(
                        || "its CustomResourceDefinition says what this object takes".into(),
                    ),
                ),
                path: at,
                target: cfggen_model::validate::Target::Key,
                code: "manifest-field",
            }
        })
        .collect()
}

/// Where a value of an object lost fields in its typed round trip.
fn lost(original: &Value, round_trip: &Value, path: &FieldPath, out: &mut Vec<FieldPath>) {
    match (original, round_trip) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let sub = path.key(k);
                match b.get(k) {
                    Some(w) => lost(v, w, &sub, out),
                    None if !v.is_null() => out.push(sub),
                    None => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, v) in a.iter().enumerate() {
                if let Some(w) = b.get(i) {
                    lost(v, w, &path.index(i), out);
                }
            }
        }
        _ => {}
    }
}

/// A field the typed round trip lost, with the fields its object does
/// have (for "did you mean …?").
type Lost = (FieldPath, Vec<String>);

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize + schemars::JsonSchema>(
    object: &Value,
) -> Result<(), Vec<Lost>> {
    let whole = || vec![(FieldPath::default(), Vec::new())];
    let typed: T = serde_json::from_value(object.clone()).map_err(|_| whole())?;
    let back = serde_json::to_value(&typed).map_err(|_| whole())?;
    let mut missing = Vec::new();
    lost(object, &back, &FieldPath::default(), &mut missing);
    if missing.is_empty() {
        return Ok(());
    }
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
    let schema = schema.as_value();
    Err(missing
        .into_iter()
        .map(|path| {
            let parent = &path.segs()[..path.segs().len().saturating_sub(1)];
            let known = properties_at(schema, schema, parent);
            (path, known)
        })
        .collect())
}

/// The property names of the object schema at `path` of `schema`
/// (following `$ref`s into `root`'s definitions); none when the path
/// leaves what the schema describes.
fn properties_at(root: &Value, schema: &Value, path: &[Seg]) -> Vec<String> {
    let schema = resolve(root, schema);
    match path.split_first() {
        None => schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
        Some((Seg::Key(k), rest)) => {
            let next = schema
                .pointer(&format!("/properties/{}", escape_pointer(k)))
                .or_else(|| schema.get("additionalProperties"));
            next.map_or_else(Vec::new, |n| properties_at(root, n, rest))
        }
        Some((Seg::Index(_), rest)) => schema
            .get("items")
            .map_or_else(Vec::new, |n| properties_at(root, n, rest)),
    }
}

/// `schema`, or what its `$ref` points to in `root`.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut at = schema;
    // A chain of references is short; the bound only stops a cycle.
    for _ in 0..8 {
        match at.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => at = target,
                None => break,
            },
            None => break,
        }
    }
    at
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The typed round trip of a core kind; `None` for a kind k8s-openapi
/// does not model (a custom resource).
fn core_round_trip(api: &str, kind: &str, object: &Value) -> Option<Result<(), Vec<Lost>>> {
    use k8s_openapi::api::{
        admissionregistration, apps, autoscaling, batch, core, discovery, networking, node, policy,
        rbac, scheduling, storage,
    };
    macro_rules! typed {
        ($($api:literal, $kind:literal => $t:ty;)*) => {
            match (api, kind) {
                $(($api, $kind) => Some(round_trip::<$t>(object)),)*
                _ => None,
            }
        };
    }
    typed! {
        "v1", "ConfigMap" => core::v1::ConfigMap;
        "v1", "Service" => core::v1::Service;
        "v1", "ServiceAccount" => core::v1::ServiceAccount;
        "v1", "PersistentVolumeClaim" => core::v1::PersistentVolumeClaim;
        "v1", "PersistentVolume" => core::v1::PersistentVolume;
        "v1", "Namespace" => core::v1::Namespace;
        "v1", "LimitRange" => core::v1::LimitRange;
        "v1", "ResourceQuota" => core::v1::ResourceQuota;
        "v1", "Endpoints" => core::v1::Endpoints;
        "autoscaling/v2", "HorizontalPodAutoscaler" => autoscaling::v2::HorizontalPodAutoscaler;
        "apps/v1", "Deployment" => apps::v1::Deployment;
        "apps/v1", "StatefulSet" => apps::v1::StatefulSet;
        "apps/v1", "DaemonSet" => apps::v1::DaemonSet;
        "batch/v1", "Job" => batch::v1::Job;
        "batch/v1", "CronJob" => batch::v1::CronJob;
        "networking.k8s.io/v1", "Ingress" => networking::v1::Ingress;
        "networking.k8s.io/v1", "IngressClass" => networking::v1::IngressClass;
        "networking.k8s.io/v1", "NetworkPolicy" => networking::v1::NetworkPolicy;
        "node.k8s.io/v1", "RuntimeClass" => node::v1::RuntimeClass;
        "policy/v1", "PodDisruptionBudget" => policy::v1::PodDisruptionBudget;
        "rbac.authorization.k8s.io/v1", "Role" => rbac::v1::Role;
        "rbac.authorization.k8s.io/v1", "RoleBinding" => rbac::v1::RoleBinding;
        "rbac.authorization.k8s.io/v1", "ClusterRole" => rbac::v1::ClusterRole;
        "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" => rbac::v1::ClusterRoleBinding;
        "scheduling.k8s.io/v1", "PriorityClass" => scheduling::v1::PriorityClass;
        "storage.k8s.io/v1", "StorageClass" => storage::v1::StorageClass;
        "storage.k8s.io/v1", "CSIDriver" => storage::v1::CSIDriver;
        "v1", "Pod" => core::v1::Pod;
        "v1", "ReplicationController" => core::v1::ReplicationController;
        "apps/v1", "ReplicaSet" => apps::v1::ReplicaSet;
        "discovery.k8s.io/v1", "EndpointSlice" => discovery::v1::EndpointSlice;
        "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration" => admissionregistration::v1::ValidatingWebhookConfiguration;
        "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration" => admissionregistration::v1::MutatingWebhookConfiguration;
        "apiextensions.k8s.io/v1", "CustomResourceDefinition" => k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
        "apiregistration.k8s.io/v1", "APIService" => k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
    }
}

/// Where in a manifest's source a path is: its value, or the key of its
/// last step.
pub(crate) fn location_at(
    root: &Node,
    path: &FieldPath,
    target: cfggen_model::validate::Target,
) -> cfggen_yaml::Location {
    let (node, key, _) = root.lookup_prefix(path.segs());
    match (target, key) {
        (cfggen_model::validate::Target::Key, Some(k)) => k.loc,
        _ => node.loc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crds() -> Crds {
        crds_of(&[json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {
                "group": "example.com",
                "names": {"kind": "Probe"},
                "scope": "Namespaced",
                "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": {"type": "object", "properties": {
                            "interval": {"type": "string"},
                            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                                      "properties": {"known": {"type": "string"}}}
                        }}
                    }
                }}}]
            }
        })])
    }

    fn probe(spec: Value) -> Value {
        json!({"apiVersion": "example.com/v1", "kind": "Probe", "metadata": {"name": "p"}, "spec": spec})
    }

    #[test]
    fn a_misspelt_custom_resource_field_is_an_error_at_the_field_with_the_closest_one() {
        let crds = crds();
        let schemas = Schemas {
            repository: &crds,
            manifests: &Crds::new(),
        };
        let problems = check(&probe(json!({"intervall": "30s"})), &schemas).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path.to_string(), "spec.intervall");
        assert_eq!(problems[0].target, cfggen_model::validate::Target::Key);
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("did you mean `interval`?")
        );
    }

    #[test]
    fn fields_a_crd_keeps_unknown_are_accepted() {
        let object = probe(json!({"interval": "30s", "extra": {"anything": 1}}));
        let crds = crds();
        let schemas = Schemas {
            repository: &Crds::new(),
            manifests: &crds,
        };
        assert_eq!(
            check(&object, &schemas).ok(),
            Some(Checked {
                namespaced: true,
                checked: true
            })
        );
    }

    #[test]
    fn a_kind_no_schema_knows_is_kept_unchecked() {
        let none = Crds::new();
        let schemas = Schemas {
            repository: &none,
            manifests: &none,
        };
        let route = json!({"apiVersion": "example.com/v1", "kind": "Route", "metadata": {"name": "r"}, "spec": {"any": 1}});
        assert_eq!(
            check(&route, &schemas).ok(),
            Some(Checked {
                namespaced: true,
                checked: false
            })
        );
        let cluster = json!({"apiVersion": "example.com/v1", "kind": "ClusterPolicy", "metadata": {"name": "p"}});
        assert_eq!(
            check(&cluster, &schemas).ok(),
            Some(Checked {
                namespaced: false,
                checked: false
            })
        );
        // cfggen carries the Gateway API's CRDs: a misspelt field is found.
        let http = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "r"}, "spec": {"parentRef": []}});
        let problems = check(&http, &schemas).unwrap_err();
        assert_eq!(problems[0].path.to_string(), "spec.parentRef");
        // A CustomResourceDefinition is a core kind.
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "routes.example.com"},
            "spec": {"group": "example.com", "names": {"kind": "Route", "plural": "routes"}, "scope": "Namespaced",
                     "versions": [{"name": "v1", "served": true, "storage": true}]}});
        assert_eq!(
            check(&crd, &schemas).ok(),
            Some(Checked {
                namespaced: false,
                checked: true
            })
        );
    }
}
