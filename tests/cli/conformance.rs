//! Every rendered document is checked against the schema of the component
//! that will receive it, offline:
//!
//! * custom resources (ExternalSecret, CNPG Cluster and Database, Argo CD
//!   Application) against the strict JSON Schemas made from the upstream
//!   CRDs in `../shared/crds/jsonschema/` (read there, never copied) where
//!   they are beside the repository, else against the upstream CRD files
//!   the project vendors (`crates/cfggen-load/crds/`), made strict here
//!   (unknown fields refused), so that a clone alone runs every check;
//! * core kinds (Deployment, Service, Ingress, ConfigMap) by reading them
//!   into their `k8s-openapi` types and back: a field the type does not
//!   have would be lost on the way, and is reported.
//!
//! `tests/fixtures/conformance/invalid/` holds documents that break each
//! route once, to prove the checks can fail.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::{fixtures, workspace};

/// The converted upstream schemas beside the repository, if there (in CI,
/// where `.ci/run` puts `../shared` beside it, they must be).
fn crd_schemas() -> Option<PathBuf> {
    let dir = workspace().join("../shared/crds/jsonschema");
    assert!(
        dir.is_dir() || std::env::var_os("CI").is_none(),
        "../shared/crds/jsonschema is missing in CI"
    );
    dir.is_dir().then_some(dir)
}

/// A CRD schema made strict: an object schema that lists `properties`
/// and keeps no unknown fields takes no others.
fn strict(schema: &mut Value) {
    let Value::Object(node) = schema else { return };
    let open = [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
    ]
    .iter()
    .any(|k| node.get(*k) == Some(&Value::Bool(true)));
    if node.contains_key("properties") && !node.contains_key("additionalProperties") && !open {
        node.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, value) in node.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(children)) => {
                children.values_mut().for_each(strict)
            }
            ("anyOf" | "allOf" | "oneOf", Value::Array(children)) => {
                children.iter_mut().for_each(strict)
            }
            ("items" | "additionalProperties" | "not", child) => strict(child),
            _ => {}
        }
    }
}

struct Checker {
    /// `../shared/crds/jsonschema`, or none: the vendored CRDs.
    dir: Option<PathBuf>,
    validators: BTreeMap<String, Option<jsonschema::Validator>>,
}

/// Paths present in `original` that the typed round trip lost.
fn lost(original: &Value, round_trip: &Value, path: &str, out: &mut Vec<String>) {
    match (original, round_trip) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let sub = format!("{path}.{k}");
                match b.get(k) {
                    Some(w) => lost(v, w, &sub, out),
                    None => out.push(sub),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, v) in a.iter().enumerate() {
                match b.get(i) {
                    Some(w) => lost(v, w, &format!("{path}[{i}]"), out),
                    None => out.push(format!("{path}[{i}]")),
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path} (changed)")),
        _ => {}
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    doc: &Value,
) -> Result<(), String> {
    let typed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    lost(doc, &back, "", &mut missing);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fields unknown to the Kubernetes API type: {}",
            missing.join(", ")
        ))
    }
}

/// The schema of `api` `kind` in a CRD file under the shipped platform's
/// or the workloads fixture's `crds/`.
fn kept_crd_schema(api: &str, kind: &str) -> Option<Value> {
    crd_schema_in(
        &[workspace().join("crds"), fixtures().join("workloads/crds")],
        api,
        kind,
    )
}

/// The schema of `api` `kind` in a CRD file (one CRD a file) of `dirs`.
fn crd_schema_in(dirs: &[PathBuf], api: &str, kind: &str) -> Option<Value> {
    let (group, version) = api.split_once('/')?;
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            // A file of one CRD, or of several (Istio's), one document each.
            let text = std::fs::read_to_string(&path).unwrap();
            for document in text.split("\n---\n") {
                let Ok(crd) = cfggen_yaml::from_str::<Value>(document) else {
                    continue;
                };
                if crd.pointer("/spec/group").and_then(Value::as_str) != Some(group)
                    || crd.pointer("/spec/names/kind").and_then(Value::as_str) != Some(kind)
                {
                    continue;
                }
                let versions = crd.pointer("/spec/versions").and_then(Value::as_array)?;
                return versions
                    .iter()
                    .find(|v| v.get("name").and_then(Value::as_str) == Some(version))
                    .and_then(|v| v.pointer("/schema/openAPIV3Schema"))
                    .cloned();
            }
        }
    }
    None
}

impl Checker {
    fn new(dir: Option<PathBuf>) -> Self {
        Checker {
            dir,
            validators: BTreeMap::new(),
        }
    }

    fn check(&mut self, text: &str) -> Result<&'static str, String> {
        let doc: Value = cfggen_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let kind = doc.get("kind").and_then(Value::as_str).unwrap().to_owned();
        let api = doc.get("apiVersion").and_then(Value::as_str).unwrap();
        let version = api.rsplit('/').next().unwrap();
        macro_rules! typed {
            ($($api:literal, $kind:literal => $t:ty;)*) => {
                match (api, kind.as_str()) {
                    $(($api, $kind) => return round_trip::<$t>(&doc).map(|()| "k8s-openapi"),)*
                    _ => {}
                }
            };
        }
        use k8s_openapi::api::{apps, batch, core, networking, policy, rbac};
        typed! {
            "apps/v1", "Deployment" => apps::v1::Deployment;
            "apps/v1", "StatefulSet" => apps::v1::StatefulSet;
            "apps/v1", "DaemonSet" => apps::v1::DaemonSet;
            "batch/v1", "CronJob" => batch::v1::CronJob;
            "batch/v1", "Job" => batch::v1::Job;
            "v1", "Pod" => core::v1::Pod;
            "v1", "ReplicationController" => core::v1::ReplicationController;
            "v1", "Service" => core::v1::Service;
            "discovery.k8s.io/v1", "EndpointSlice" => k8s_openapi::api::discovery::v1::EndpointSlice;
            "v1", "ConfigMap" => core::v1::ConfigMap;
            "v1", "ServiceAccount" => core::v1::ServiceAccount;
            "v1", "PersistentVolumeClaim" => core::v1::PersistentVolumeClaim;
            "v1", "PersistentVolume" => core::v1::PersistentVolume;
            "v1", "Namespace" => core::v1::Namespace;
            "networking.k8s.io/v1", "Ingress" => networking::v1::Ingress;
            "networking.k8s.io/v1", "IngressClass" => networking::v1::IngressClass;
            "policy/v1", "PodDisruptionBudget" => policy::v1::PodDisruptionBudget;
            "networking.k8s.io/v1", "NetworkPolicy" => networking::v1::NetworkPolicy;
            "autoscaling/v2", "HorizontalPodAutoscaler" => k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
            "storage.k8s.io/v1", "StorageClass" => k8s_openapi::api::storage::v1::StorageClass;
            "node.k8s.io/v1", "RuntimeClass" => k8s_openapi::api::node::v1::RuntimeClass;
            "rbac.authorization.k8s.io/v1", "Role" => rbac::v1::Role;
            "rbac.authorization.k8s.io/v1", "RoleBinding" => rbac::v1::RoleBinding;
            "rbac.authorization.k8s.io/v1", "ClusterRole" => rbac::v1::ClusterRole;
            "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" => rbac::v1::ClusterRoleBinding;
        }
        // Cilium's policies: by Cilium's own validators, in
        // `rendered_cilium_policies_pass_ciliums_validators`.
        if CILIUM_KINDS.contains(&(api, kind.as_str())) {
            return Ok("Cilium's validators");
        }
        // A custom resource of a CRD a repository keeps in `crds/` (the
        // shipped platform's, the workloads fixture's): against that CRD.
        if let Some(schema) = kept_crd_schema(api, &kind) {
            let validator = jsonschema::draft4::new(&schema).unwrap();
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            return if errors.is_empty() {
                Ok("a CRD kept in crds/")
            } else {
                Err(errors.join("; "))
            };
        }
        let file = format!("{}_{version}-strict.json", kind.to_ascii_lowercase());
        let dir = self.dir.clone();
        // By group too: an Istio Gateway is not the Gateway API's.
        let key = format!("{api}/{kind}");
        let validator = self.validators.entry(key).or_insert_with(|| {
            // `../shared`'s schema where it has the kind; else the
            // vendored CRD, made strict.
            let shared = dir.and_then(|dir| {
                let text = std::fs::read_to_string(dir.join(&file)).ok()?;
                let schema: Value = serde_json::from_str(&text).ok()?;
                jsonschema::draft7::new(&schema).ok()
            });
            shared.or_else(|| {
                let vendored = [workspace().join("crates/cfggen-load/crds")];
                let mut schema = crd_schema_in(&vendored, api, &kind)?;
                // Some CRDs (Istio's) list only `spec` and `status`: the
                // object's own fields are the API server's to check.
                if let Some(own) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                    for key in ["apiVersion", "kind", "metadata"] {
                        own.entry(key).or_insert(Value::Object(Default::default()));
                    }
                }
                strict(&mut schema);
                jsonschema::draft4::new(&schema).ok()
            })
        });
        let Some(validator) = validator else {
            return Err(format!("no schema for {api} {kind} ({file})"));
        };
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok("CRD schema")
        } else {
            Err(errors.join("; "))
        }
    }
}

/// The Cilium kinds cfggen renders, whose CRDs it does not carry: checked
/// by the validators `@kubernetes-models/cilium` generates from Cilium's
/// CRDs (types, enums, patterns, required fields), run by
/// `tests/cilium/validate.mjs`.
const CILIUM_KINDS: [(&str, &str); 8] = [
    ("cilium.io/v2", "CiliumNetworkPolicy"),
    ("cilium.io/v2", "CiliumClusterwideNetworkPolicy"),
    ("cilium.io/v2", "CiliumLoadBalancerIPPool"),
    ("cilium.io/v2alpha1", "CiliumLoadBalancerIPPool"),
    ("cilium.io/v2alpha1", "CiliumL2AnnouncementPolicy"),
    ("cilium.io/v2", "CiliumBGPClusterConfig"),
    ("cilium.io/v2", "CiliumBGPPeerConfig"),
    ("cilium.io/v2", "CiliumBGPAdvertisement"),
];

/// `tests/cilium`, with its validators installed as `.ci/run` installs
/// them (where Node.js is, once for the tests that run at the same time).
fn cilium_validators() -> Option<PathBuf> {
    let dir = workspace().join("tests/cilium");
    let installed = || dir.join("node_modules/@kubernetes-models/cilium").is_dir();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    static INSTALL: std::sync::Once = std::sync::Once::new();
    if node && !installed() {
        INSTALL.call_once(|| {
            let _ = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .status();
        });
    }
    crate::support::available(
        node && installed(),
        "the Cilium validators (cd tests/cilium && npm ci)",
    )
    .then_some(dir)
}

/// Runs Cilium's validators on `files`: what they print, and whether all
/// passed.
fn run_cilium_validators(dir: &std::path::Path, files: &[PathBuf]) -> (bool, String) {
    let out = std::process::Command::new("node")
        .arg(dir.join("validate.mjs"))
        .args(files)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn rendered_cilium_policies_pass_ciliums_validators() {
    let Some(dir) = cilium_validators() else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (path, text) in rendered_documents() {
        let doc: Value = cfggen_yaml::from_str(&text).unwrap();
        if !doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|api| api.starts_with("cilium.io/"))
        {
            continue;
        }
        let file = temp.path().join(path.replace('/', "_"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    assert!(
        files.len() >= 3,
        "only {} Cilium policies rendered",
        files.len()
    );
    let (passed, report) = run_cilium_validators(&dir, &files);
    assert!(
        passed,
        "Cilium's validators refuse rendered policies:\n{report}"
    );
    // And they can fail: a port as a number (Cilium's schema wants text)
    // and an entity Cilium does not know.
    let broken = fixtures().join("conformance/cilium/broken-policy.yaml");
    let (passed, report) = run_cilium_validators(&dir, &[broken]);
    assert!(!passed, "{report}");
    assert!(report.contains("port must be string"), "{report}");
    assert!(
        report.contains("fromEntities/0 must be equal to one of the allowed values"),
        "{report}"
    );
}

/// Every rendered manifest of the shipped environments and the fixture.
fn rendered_documents() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    for (root, env) in crate::support::rendered_environments() {
        let (_, rendered) = crate::support::render_env(&root, env);
        for (path, text) in rendered.texts() {
            if path.ends_with("kustomization.yaml")
                || path == cfggen_render::INVENTORY_FILE
                || path == cfggen_render::MADE_ELSEWHERE_FILE
            {
                continue;
            }
            docs.push((format!("{env}/{path}"), text.to_owned()));
        }
    }
    docs
}

#[test]
fn every_rendered_document_matches_its_schema() {
    let mut checker = Checker::new(crd_schemas());
    let mut by_route: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (path, text) in rendered_documents() {
        match checker.check(&text) {
            Ok(route) => *by_route.entry(route).or_default() += 1,
            Err(e) => failures.push(format!("{path}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "rendered documents the operators would reject:\n{}",
        failures.join("\n")
    );
    assert!(
        by_route.get("CRD schema").copied().unwrap_or(0) >= 10,
        "{by_route:?}"
    );
    assert!(
        by_route.get("k8s-openapi").copied().unwrap_or(0) >= 10,
        "{by_route:?}"
    );
}

#[test]
fn the_committed_generated_tree_matches_its_schemas() {
    let mut checker = Checker::new(crd_schemas());
    let mut count = 0;
    for env in ["dev", "prod"] {
        let root = workspace().join("generated").join(env);
        for folder in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(folder.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = file.file_name().to_string_lossy().into_owned();
                if name == "kustomization.yaml" {
                    continue;
                }
                let text = std::fs::read_to_string(file.path()).unwrap();
                if let Err(e) = checker.check(&text) {
                    panic!("{}: {e}", file.path().display());
                }
                count += 1;
            }
        }
    }
    assert!(count >= 26, "only {count} documents checked");
}

#[test]
fn broken_documents_are_rejected() {
    let mut checker = Checker::new(crd_schemas());
    let invalid = fixtures().join("conformance/invalid");
    let mut seen = 0;
    let mut report = String::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&invalid)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap();
        match checker.check(&text) {
            Ok(route) => panic!("{name} passed the {route} check but is broken"),
            Err(e) => report.push_str(&format!("{name}: {e}\n")),
        }
        seen += 1;
    }
    assert!(seen >= 6);
    insta::assert_snapshot!("conformance_rejections", report);
}
