//! Cross-references in rendered output, checked on the rendered objects
//! themselves (not by construction), for every shipped environment and the
//! fixture: every `secretKeyRef` names a Secret and key an ExternalSecret
//! of the same namespace produces; every ConfigMap reference resolves;
//! every Database owner is a managed role of its Cluster whose password
//! Secret an ExternalSecret produces; every container image is the
//! `ImageRef` the environment declares.

use std::collections::{BTreeMap, BTreeSet};

use cfggen_render::crds;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Pod, PodSpec, PodTemplateSpec, ReplicationController};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A rendered workload of any kind, with its pod spec.
struct Workload {
    kind: String,
    metadata: ObjectMeta,
    pod: PodSpec,
}

impl Workload {
    fn of(kind: &str, path: &str, text: &str) -> Option<Workload> {
        let (metadata, template) = match kind {
            "Deployment" => {
                let d: Deployment = parse(path, text);
                (d.metadata, d.spec.map(|s| s.template))
            }
            "StatefulSet" => {
                let d: StatefulSet = parse(path, text);
                (d.metadata, d.spec.map(|s| s.template))
            }
            "DaemonSet" => {
                let d: DaemonSet = parse(path, text);
                (d.metadata, d.spec.map(|s| s.template))
            }
            "Job" => {
                let d: Job = parse(path, text);
                (d.metadata, d.spec.map(|s| s.template))
            }
            "CronJob" => {
                let d: CronJob = parse(path, text);
                (
                    d.metadata,
                    d.spec.and_then(|s| s.job_template.spec).map(|s| s.template),
                )
            }
            "ReplicationController" => {
                let d: ReplicationController = parse(path, text);
                (d.metadata, d.spec.and_then(|s| s.template))
            }
            // A bare Pod is its own template.
            "Pod" => {
                let d: Pod = parse(path, text);
                let template = d.spec.map(|spec| PodTemplateSpec {
                    metadata: None,
                    spec: Some(spec),
                });
                (d.metadata, template)
            }
            _ => return None,
        };
        Some(Workload {
            kind: kind.to_owned(),
            metadata,
            pod: template.and_then(|t| t.spec).expect("a pod spec"),
        })
    }

    /// Every container: init containers (and sidecars), then the others.
    fn containers(&self) -> impl Iterator<Item = &k8s_openapi::api::core::v1::Container> {
        self.pod
            .init_containers
            .iter()
            .flatten()
            .chain(&self.pod.containers)
    }
}

#[derive(Default)]
struct Objects {
    deployments: Vec<Workload>,
    config_maps: Vec<ConfigMap>,
    external_secrets: Vec<crds::ExternalSecret>,
    clusters: Vec<crds::Cluster>,
    databases: Vec<crds::Database>,
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> T {
    match cfggen_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("{path}: cannot read back as its type: {e}\n{text}"),
    }
}

fn objects(root: &std::path::Path, env: &str) -> (cfggen_load::Loaded, Objects) {
    let (loaded, rendered) = crate::support::render_env(root, env);
    let mut o = Objects::default();
    for (path, text) in rendered.texts() {
        let value: serde_json::Value = parse(path, text);
        match value.get("kind").and_then(|k| k.as_str()) {
            Some(kind) if Workload::of(kind, path, text).is_some() => {
                o.deployments.extend(Workload::of(kind, path, text));
            }
            Some("ConfigMap") => o.config_maps.push(parse(path, text)),
            Some("ExternalSecret") => o.external_secrets.push(parse(path, text)),
            Some("Cluster") => o.clusters.push(parse(path, text)),
            Some("Database") => o.databases.push(parse(path, text)),
            _ => {}
        }
    }
    (loaded, o)
}

fn cases() -> Vec<(std::path::PathBuf, &'static str)> {
    crate::support::rendered_environments()
}

/// (namespace, Secret name) → keys the ExternalSecrets there produce.
fn produced_keys(o: &Objects) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut keys: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for es in &o.external_secrets {
        let ns = es.metadata.namespace.clone().unwrap();
        let entry = keys.entry((ns, es.spec.target.name.clone())).or_default();
        let fields = es.spec.data.iter().map(|d| d.secret_key.clone());
        match &es.spec.target.template {
            Some(t) if !t.data.is_empty() => {
                entry.extend(t.data.keys().cloned());
                if t.merge_policy.as_deref() == Some("Merge") {
                    entry.extend(fields);
                }
            }
            _ => entry.extend(fields),
        }
    }
    keys
}

/// Secrets the inventory lists as made elsewhere: (namespace, name) →
/// keys (empty: any key).
fn external_secrets(root: &std::path::Path, env: &str) -> BTreeMap<(String, String), Vec<String>> {
    let (_, rendered) = crate::support::render_env(root, env);
    // An environment that reads nothing from 1Password has no inventory.
    let Some(text) = rendered.text(cfggen_render::INVENTORY_FILE) else {
        return BTreeMap::new();
    };
    let inventory: serde_json::Value = parse(cfggen_render::INVENTORY_FILE, text);
    inventory
        .get("external")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .map(|e| {
            let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap().to_owned();
            let keys = e
                .get("keys")
                .and_then(|k| k.as_array())
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
            ((s("namespace"), s("secretName")), keys)
        })
        .collect()
}

#[test]
fn every_secret_key_ref_is_produced_by_an_external_secret() {
    let mut total = 0;
    for (root, env) in cases() {
        let (_, o) = objects(&root, env);
        let mut keys = produced_keys(&o);
        let external = external_secrets(&root, env);
        for ((ns, name), listed) in &external {
            keys.entry((ns.clone(), name.clone()))
                .or_default()
                .extend(listed.iter().cloned());
        }
        let mut refs = 0;
        for d in &o.deployments {
            let ns = d.metadata.namespace.clone().unwrap();
            let spec = &d.pod;
            for c in d.containers() {
                for var in c.env.iter().flatten() {
                    let Some(sel) = var
                        .value_from
                        .as_ref()
                        .and_then(|v| v.secret_key_ref.as_ref())
                    else {
                        continue;
                    };
                    refs += 1;
                    let id = (ns.clone(), sel.name.clone());
                    let produced = keys.get(&id);
                    let any_key = external.get(&id).is_some_and(Vec::is_empty);
                    assert!(
                        any_key || produced.is_some_and(|k| k.contains(&sel.key)),
                        "{env}: env {} of {ns}/{} reads Secret {}/{} key {}, which no ExternalSecret produces",
                        var.name,
                        d.metadata.name.clone().unwrap(),
                        ns,
                        sel.name,
                        sel.key
                    );
                }
            }
            for v in spec.volumes.iter().flatten() {
                if let Some(secret) = v.secret.as_ref().and_then(|s| s.secret_name.clone()) {
                    assert!(
                        keys.contains_key(&(ns.clone(), secret.clone())),
                        "{env}: volume Secret {secret}"
                    );
                }
            }
        }
        total += refs;
    }
    // Some environments (the newcomer's shop) read no secret at all.
    assert!(
        total > 0,
        "no secretKeyRef at all; the check checked nothing"
    );
}

#[test]
fn every_config_map_reference_resolves() {
    for (root, env) in cases() {
        let (_, o) = objects(&root, env);
        let mut maps: BTreeMap<(String, String), BTreeSet<String>> = o
            .config_maps
            .iter()
            .map(|cm| {
                (
                    (
                        cm.metadata.namespace.clone().unwrap(),
                        cm.metadata.name.clone().unwrap(),
                    ),
                    cm.data.iter().flatten().map(|(k, _)| k.clone()).collect(),
                )
            })
            .collect();
        // And those made elsewhere, with the keys they are said to have.
        let (_, rendered) = crate::support::render_env(&root, env);
        if let Some(text) = rendered.text(cfggen_render::MADE_ELSEWHERE_FILE) {
            let doc: serde_json::Value = parse(cfggen_render::MADE_ELSEWHERE_FILE, text);
            for e in doc["configMaps"].as_array().into_iter().flatten() {
                let s = |k: &str| e[k].as_str().unwrap().to_owned();
                let keys = e["keys"].as_array().into_iter().flatten();
                maps.insert(
                    (s("namespace"), s("name")),
                    keys.filter_map(|k| k.as_str().map(str::to_owned)).collect(),
                );
            }
        }
        for d in &o.deployments {
            let ns = d.metadata.namespace.clone().unwrap();
            let spec = &d.pod;
            for v in spec.volumes.iter().flatten() {
                if let Some(cm) = &v.config_map {
                    assert!(
                        maps.contains_key(&(ns.clone(), cm.name.clone())),
                        "{env}: volume ConfigMap {ns}/{}",
                        cm.name
                    );
                }
            }
            for c in d.containers() {
                for var in c.env.iter().flatten() {
                    if let Some(sel) = var
                        .value_from
                        .as_ref()
                        .and_then(|v| v.config_map_key_ref.as_ref())
                    {
                        let keys = maps.get(&(ns.clone(), sel.name.clone()));
                        assert!(
                            keys.is_some_and(|k| k.contains(&sel.key)),
                            "{env}: {} reads {}/{}",
                            var.name,
                            sel.name,
                            sel.key
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn database_owner_role_and_password_secret_agree() {
    for (root, env) in cases() {
        let (loaded, o) = objects(&root, env);
        let keys = produced_keys(&o);
        // Databases on a remote cluster are kept where it runs.
        let env_model = &loaded.environment;
        let expected_dbs = env_model
            .apps
            .values()
            .filter_map(|a| a.database.as_ref())
            .filter(|db| {
                env_model
                    .postgres
                    .get(&db.cluster)
                    .is_some_and(|c| !c.remote)
            })
            .count();
        let local = || env_model.postgres.values().filter(|c| !c.remote);
        let standalone_dbs: usize = local().map(|c| c.databases.len()).sum();
        // Password Secrets made elsewhere: named, not produced.
        let elsewhere: Vec<&str> = local()
            .flat_map(|c| c.roles.values())
            .filter_map(|r| r.password_secret.as_deref())
            .collect();
        assert_eq!(
            o.databases.len(),
            expected_dbs + standalone_dbs,
            "{env}: one Database per app database and database of no app on a cluster rendered here"
        );
        for db in &o.databases {
            let ns = db.metadata.namespace.clone().unwrap();
            let cluster = o
                .clusters
                .iter()
                .find(|c| {
                    c.metadata.name.as_deref() == Some(db.spec.cluster.name.as_str())
                        && c.metadata.namespace.as_deref() == Some(ns.as_str())
                })
                .unwrap_or_else(|| {
                    panic!(
                        "{env}: Database {} names a Cluster that is not rendered",
                        db.spec.name
                    )
                });
            let roles = cluster
                .spec
                .managed
                .as_ref()
                .map(|m| m.roles.as_slice())
                .unwrap();
            let role = roles
                .iter()
                .find(|r| r.name == db.spec.owner)
                .unwrap_or_else(|| {
                    panic!(
                        "{env}: owner {} of {} is not a managed role",
                        db.spec.owner, db.spec.name
                    )
                });
            assert!(role.login, "{env}: role {} cannot log in", role.name);
            let secret = role
                .password_secret
                .as_ref()
                .unwrap_or_else(|| panic!("{env}: the owner role {} has no password", role.name));
            if elsewhere.contains(&secret.name.as_str()) {
                continue;
            }
            let produced = keys.get(&(ns.clone(), secret.name.clone()));
            assert!(
                produced.is_some_and(|k| k.contains("password") && k.contains("username")),
                "{env}: password Secret {} of role {} is not produced as basic-auth",
                secret.name,
                role.name
            );
            let es = o
                .external_secrets
                .iter()
                .find(|e| e.spec.target.name == secret.name)
                .expect("password ExternalSecret");
            let username = es
                .spec
                .target
                .template
                .as_ref()
                .and_then(|t| t.data.get("username"));
            assert_eq!(
                username,
                Some(&role.name),
                "{env}: the password Secret's username is the role"
            );
        }
    }
}

#[test]
fn container_images_are_the_declared_image_refs() {
    for (root, env) in cases() {
        let (loaded, o) = objects(&root, env);
        let mut checked = 0;
        for (app_name, app) in &loaded.environment.apps {
            for (cname, component) in &app.components {
                let name = cfggen_model::app::workload_name(app_name, cname, component);
                let w = o
                    .deployments
                    .iter()
                    .find(|d| {
                        d.kind == component.kind.as_str()
                            && d.metadata.name.as_deref() == Some(name.as_str())
                    })
                    .unwrap_or_else(|| {
                        panic!("{env}: {} {name} is not rendered", component.kind.as_str())
                    });
                for (_, container_name, container) in component.containers(cname) {
                    let rendered = w
                        .containers()
                        .find(|c| c.name == container_name)
                        .unwrap_or_else(|| {
                            panic!("{env}: {name} has no container {container_name}")
                        });
                    // Rendered as written (`redis:7`, not `docker.io/library/redis:7`).
                    let declared = app
                        .image_of_container(container)
                        .map(|i| i.as_written().to_owned());
                    assert_eq!(
                        rendered.image, declared,
                        "{env}: image of {name}/{container_name}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 0);
    }
}
