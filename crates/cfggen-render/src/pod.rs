//! A component's pod template: its containers (init containers, native
//! sidecars, the main container and its peers), their environment, probes, resources
//! and mounts, the pod's volumes and its settings.

use std::collections::BTreeMap;

use cfggen_model::app::{config_map_name, Component, ContainerRole};
use cfggen_model::container::{
    Container as ModelContainer, EnvFrom, EnvValue, PortRef, Probe as ModelProbe, Resources,
};
use cfggen_model::storage::{EmptyDir, KeysSource, Volume as ModelVolume};
use cfggen_model::{App, ConfigMapKeyRef, Environment, SecretFieldRef};
use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, ConfigMapKeySelector, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvFromSource, EnvVar, EnvVarSource, ExecAction, GRPCAction,
    HTTPGetAction, HTTPHeader, HostPathVolumeSource, KeyToPath, LocalObjectReference,
    NFSVolumeSource, ObjectFieldSelector, PersistentVolumeClaimVolumeSource, PodSpec,
    PodTemplateSpec, Probe, ResourceFieldSelector, ResourceRequirements, SecretEnvSource,
    SecretKeySelector, SecretVolumeSource, TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::RenderError;

/// What every part of one pod needs to know.
pub(crate) struct PodOf<'a> {
    pub env: &'a Environment,
    pub app_name: &'a str,
    pub app: &'a App,
    pub cname: &'a str,
    pub comp: &'a Component,
}

/// The labels that select a component's pods: its `selectorLabels`, or
/// cfggen's `app.kubernetes.io/name` and `…/component`.
pub(crate) fn selector_of(
    app_name: &str,
    cname: &str,
    comp: &Component,
) -> BTreeMap<String, String> {
    comp.selector(app_name, cname)
}

pub(crate) fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn map_of(m: &indexmap::IndexMap<String, String>) -> Option<BTreeMap<String, String>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

impl PodOf<'_> {
    /// The pod template.
    pub(crate) fn template(&self) -> Result<PodTemplateSpec, RenderError> {
        let comp = self.comp;
        let mut init = Vec::new();
        let mut sidecars = Vec::new();
        let mut main = Vec::new();
        let mut extra = Vec::new();
        for (role, name, c) in comp.containers(self.cname) {
            let mut container = self.container(role, name, c)?;
            match role {
                ContainerRole::Init => init.push(container),
                ContainerRole::Sidecar => {
                    container.restart_policy = Some("Always".into());
                    sidecars.push(container);
                }
                ContainerRole::Extra => extra.push(container),
                ContainerRole::Main => main.push(container),
            }
        }
        init.extend(sidecars);
        // The main container first, then its peers.
        main.extend(extra);
        let p = &comp.pod;
        let metadata = ObjectMeta {
            labels: Some(comp.pod_labels(self.app.name_label(self.app_name), self.cname)),
            annotations: map_of(&p.annotations),
            ..ObjectMeta::default()
        };
        let restart_policy = comp.kind.runs_to_completion().then(|| {
            comp.job
                .as_ref()
                .and_then(|j| j.restart_policy)
                .unwrap_or_default()
                .as_str()
                .to_owned()
        });
        Ok(PodTemplateSpec {
            metadata: Some(metadata),
            spec: Some(PodSpec {
                containers: main,
                init_containers: non_empty(init),
                volumes: non_empty(self.volumes()),
                service_account_name: p.service_account.clone(),
                automount_service_account_token: p.automount_service_account_token,
                security_context: p.security_context.as_deref().cloned(),
                node_selector: map_of(&p.node_selector),
                tolerations: non_empty(p.tolerations.clone()),
                affinity: p.affinity.as_deref().cloned(),
                topology_spread_constraints: non_empty(p.topology_spread_constraints.clone()),
                runtime_class_name: p.runtime_class_name.clone(),
                priority_class_name: p.priority_class_name.clone(),
                host_network: p.host_network.then_some(true),
                host_pid: p.host_pid.then_some(true),
                host_ipc: p.host_ipc.then_some(true),
                dns_policy: p.dns_policy.map(|d| d.as_str().to_owned()),
                enable_service_links: p.enable_service_links,
                termination_grace_period_seconds: p.termination_grace_period_seconds.map(i64::from),
                image_pull_secrets: non_empty(
                    p.image_pull_secrets
                        .iter()
                        .map(|name| LocalObjectReference { name: name.clone() })
                        .collect(),
                ),
                restart_policy,
                ..PodSpec::default()
            }),
        })
    }

    /// One container.
    fn container(
        &self,
        role: ContainerRole,
        name: &str,
        c: &ModelContainer,
    ) -> Result<Container, RenderError> {
        let mut env = env_vars(self.app, c)?;
        if role == ContainerRole::Main {
            if let Some(db) = self
                .app
                .database
                .as_ref()
                .filter(|db| db.reaches(self.cname))
            {
                database_env(self.env, self.app_name, self.app, db, &mut env)?;
            }
        }
        Ok(Container {
            name: name.to_owned(),
            image: self
                .app
                .image_of_container(c)
                .map(|i| i.as_written().to_owned()),
            image_pull_policy: c.image_pull_policy.map(|p| p.as_str().to_owned()),
            command: non_empty(c.command.clone()),
            args: non_empty(c.args.clone()),
            working_dir: c.working_dir.clone(),
            termination_message_path: c.termination_message_path.clone(),
            termination_message_policy: c.termination_message_policy.map(|p| p.as_str().to_owned()),
            tty: c.tty.then_some(true),
            stdin: c.stdin.then_some(true),
            ports: non_empty(
                c.ports
                    .iter()
                    .map(|(pname, port)| ContainerPort {
                        name: Some(pname.clone()),
                        container_port: i32::from(port.number()),
                        protocol: Some(port.protocol().as_str().into()),
                        host_port: port.host_port().map(i32::from),
                        ..ContainerPort::default()
                    })
                    .collect(),
            ),
            env: non_empty(env),
            env_from: non_empty(c.env_from.iter().map(|f| env_from(self.app, f)).collect()),
            liveness_probe: c.probes.liveness.as_deref().map(probe),
            readiness_probe: c.probes.readiness.as_deref().map(probe),
            startup_probe: c.probes.startup.as_deref().map(probe),
            resources: c.resources.as_ref().map(resources),
            volume_mounts: non_empty(mounts(c)),
            security_context: c.security_context.as_deref().cloned(),
            lifecycle: c.lifecycle.as_deref().cloned(),
            ..Container::default()
        })
    }

    /// The pod's volumes: every volume a container declares with a source,
    /// once (a claim template of a StatefulSet is no pod volume).
    fn volumes(&self) -> Vec<Volume> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (_, _, c) in self.comp.containers(self.cname) {
            for (vname, v) in &c.volumes {
                if v.sources().is_empty() || !seen.insert(vname.clone()) {
                    continue;
                }
                out.push(volume(self.app, vname, v));
            }
        }
        // Sorted as the containers declare them: main container's first,
        // as cfggen always wrote them.
        let order: Vec<String> = self.comp.container.volumes.keys().cloned().collect();
        out.sort_by_key(|v| {
            order
                .iter()
                .position(|n| *n == v.name)
                .unwrap_or(usize::MAX)
        });
        out
    }
}

fn keys_items(source: &KeysSource) -> (Option<Vec<KeyToPath>>, Option<i32>, Option<bool>) {
    let spec = source.spec();
    let items = non_empty(
        spec.items
            .iter()
            .map(|(key, path)| KeyToPath {
                key: key.clone(),
                path: path.clone(),
                mode: None,
            })
            .collect(),
    );
    (
        items,
        spec.default_mode.as_ref().and_then(|m| m.value()),
        spec.optional,
    )
}

/// A pod volume from its declaration.
fn volume(app: &App, vname: &str, v: &ModelVolume) -> Volume {
    Volume {
        name: vname.to_owned(),
        config_map: v.config_map.as_ref().map(|cm| {
            let (items, default_mode, optional) = keys_items(cm);
            ConfigMapVolumeSource {
                name: cm_name(app, cm.name()),
                items,
                default_mode,
                optional,
            }
        }),
        secret: v.secret.as_ref().map(|s| {
            let (items, default_mode, optional) = keys_items(s);
            SecretVolumeSource {
                secret_name: Some(s.name().to_owned()),
                items,
                default_mode,
                optional,
            }
        }),
        empty_dir: v.empty_dir.as_ref().and_then(|e| match e {
            EmptyDir::Flag(false) => None,
            EmptyDir::Flag(true) => Some(EmptyDirVolumeSource::default()),
            EmptyDir::Spec(spec) => Some(EmptyDirVolumeSource {
                medium: spec.medium.map(|_| "Memory".to_owned()),
                size_limit: spec.size_limit.clone().map(Quantity),
            }),
        }),
        persistent_volume_claim: v.persistent_volume_claim.as_ref().map(|claim| {
            PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: None,
            }
        }),
        host_path: v.host_path.as_ref().map(|h| HostPathVolumeSource {
            path: h.path.clone(),
            type_: h.kind.map(|k| k.as_str().to_owned()),
        }),
        nfs: v.nfs.as_ref().map(|n| NFSVolumeSource {
            server: n.server.clone(),
            path: n.path.clone(),
            read_only: n.read_only.then_some(true),
        }),
        projected: v.projected.as_ref().map(|p| {
            let mut p = p.clone();
            // The app's ConfigMaps by their rendered (hashed) names.
            for source in p.sources.iter_mut().flatten() {
                if let Some(cm) = source.config_map.as_mut() {
                    cm.name = cm_name(app, &cm.name);
                }
            }
            p
        }),
        downward_api: v.downward_api.clone(),
        csi: v.csi.clone(),
        ephemeral: v.ephemeral.clone(),
        image: v.image.clone(),
        ..Volume::default()
    }
}

/// The mounts of a container.
fn mounts(c: &ModelContainer) -> Vec<VolumeMount> {
    let mut out = Vec::new();
    for (vname, v) in &c.volumes {
        for m in v.all_mounts() {
            out.push(VolumeMount {
                name: vname.clone(),
                mount_path: m.mount_path,
                sub_path: m.sub_path,
                read_only: m.read_only.then_some(true),
                mount_propagation: v.mount_propagation.map(|p| p.as_str().to_owned()),
                ..VolumeMount::default()
            });
        }
    }
    out
}

fn secret_env(name: &str, secret: &str, key: &str, optional: bool) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: key.to_owned(),
                optional: optional.then_some(true),
            }),
            ..EnvVarSource::default()
        }),
    }
}

fn literal_env(name: &str, value: String) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: Some(value),
        value_from: None,
    }
}

fn source_env(name: &str, source: EnvVarSource) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: None,
        value_from: Some(source),
    }
}

/// The Secret name and key a `<secret>/<field>` reference resolves to.
pub(crate) fn resolve_secret<'a>(
    app: &'a App,
    r: &'a SecretFieldRef,
) -> Result<(&'a str, &'a str), RenderError> {
    // Made elsewhere, from another store, or by a raw manifest of the
    // app: as written.
    if app.external_secrets.contains_key(r.secret())
        || app.own_store_secret(r.secret()).is_some()
        || (!app.secrets.contains_key(r.secret())
            && app.makes(cfggen_model::app::Made::Secret, r.secret()))
    {
        return Ok((r.secret(), r.field()));
    }
    let item = app
        .secrets
        .get(r.secret())
        .ok_or_else(|| RenderError::Unresolved(format!("secret `{r}`")))?;
    // A field (its Secret key), or a key the item's template makes.
    match (
        item.fields.get(r.field()),
        item.template.contains_key(r.field()),
    ) {
        (Some(field), _) => Ok((r.secret(), field.key(r.field()))),
        (None, true) => Ok((r.secret(), r.field())),
        (None, false) => Err(RenderError::Unresolved(format!("secret field `{r}`"))),
    }
}

/// The name a ConfigMap of the app is rendered under (hashed or not).
fn cm_name(app: &App, logical: &str) -> String {
    app.config_maps
        .get(logical)
        .map_or_else(|| logical.to_owned(), |cm| config_map_name(logical, cm))
}

fn config_map_env(app: &App, var: &str, r: &ConfigMapKeyRef, optional: bool) -> EnvVar {
    source_env(
        var,
        EnvVarSource {
            config_map_key_ref: Some(ConfigMapKeySelector {
                name: cm_name(app, r.config_map()),
                key: r.key().to_owned(),
                optional: optional.then_some(true),
            }),
            ..EnvVarSource::default()
        },
    )
}

fn env_vars(app: &App, c: &ModelContainer) -> Result<Vec<EnvVar>, RenderError> {
    let mut vars = Vec::new();
    for (var, value) in &c.env {
        vars.push(match value {
            EnvValue::Literal(lit) | EnvValue::Declared { value: lit, .. } => {
                literal_env(var, lit.to_string())
            }
            EnvValue::Secret { secret, optional } => {
                let (secret_name, key) = resolve_secret(app, secret)?;
                secret_env(var, secret_name, key, *optional)
            }
            EnvValue::ConfigMap {
                config_map,
                optional,
            } => config_map_env(app, var, config_map, *optional),
            EnvValue::Field { field } => source_env(
                var,
                EnvVarSource {
                    field_ref: Some(ObjectFieldSelector {
                        field_path: field.clone(),
                        api_version: None,
                    }),
                    ..EnvVarSource::default()
                },
            ),
            EnvValue::Resource { resource, divisor } => source_env(
                var,
                EnvVarSource {
                    resource_field_ref: Some(ResourceFieldSelector {
                        resource: resource.clone(),
                        divisor: divisor.clone().map(Quantity),
                        container_name: None,
                    }),
                    ..EnvVarSource::default()
                },
            ),
        });
    }
    Ok(vars)
}

fn env_from(app: &App, from: &EnvFrom) -> EnvFromSource {
    match from {
        EnvFrom::Secret {
            secret,
            prefix,
            optional,
        } => EnvFromSource {
            secret_ref: Some(SecretEnvSource {
                name: secret.clone(),
                optional: optional.then_some(true),
            }),
            prefix: prefix.clone(),
            ..EnvFromSource::default()
        },
        EnvFrom::ConfigMap {
            config_map,
            prefix,
            optional,
        } => EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: cm_name(app, config_map),
                optional: optional.then_some(true),
            }),
            prefix: prefix.clone(),
            ..EnvFromSource::default()
        },
    }
}

/// The connection variables of the app's database that it asks for.
fn database_env(
    env: &Environment,
    name: &str,
    app: &App,
    db: &cfggen_model::Database,
    vars: &mut Vec<EnvVar>,
) -> Result<(), RenderError> {
    let e = &db.env;
    if e.host.is_some() || e.port.is_some() {
        let cluster = env
            .postgres
            .get(&db.cluster)
            .ok_or_else(|| RenderError::Unresolved(format!("postgres cluster `{}`", db.cluster)))?;
        if let Some(var) = &e.host {
            vars.push(literal_env(var, cluster.host(&db.cluster)));
        }
        if let Some(var) = &e.port {
            vars.push(literal_env(var, cluster.port.to_string()));
        }
    }
    if let Some(var) = &e.name {
        vars.push(literal_env(var, db.name(name).to_owned()));
    }
    if let Some(var) = &e.user {
        vars.push(literal_env(var, db.owner(name).to_owned()));
    }
    if let Some(var) = &e.password {
        let (secret_name, key) = resolve_secret(app, &db.password)?;
        vars.push(secret_env(var, secret_name, key, false));
    }
    if let Some(var) = &e.url {
        vars.push(secret_env(
            var,
            &cfggen_model::Database::url_secret_name(name),
            "url",
            false,
        ));
    }
    Ok(())
}

fn port_ref(port: &PortRef) -> IntOrString {
    match port {
        PortRef::Number(n) => IntOrString::Int(i32::from(*n)),
        PortRef::Name(s) => IntOrString::String(s.clone()),
    }
}

fn probe(p: &ModelProbe) -> Probe {
    Probe {
        http_get: p.http.as_ref().map(|h| HTTPGetAction {
            path: Some(h.path.clone()),
            port: port_ref(&h.port),
            scheme: h.scheme.map(|s| s.as_str().to_owned()),
            http_headers: non_empty(
                h.headers
                    .iter()
                    .map(|(name, value)| HTTPHeader {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            ),
            ..HTTPGetAction::default()
        }),
        tcp_socket: p.tcp.as_ref().map(|port| TCPSocketAction {
            port: port_ref(port),
            host: None,
        }),
        grpc: p.grpc.as_ref().map(|g| GRPCAction {
            port: i32::from(g.port),
            service: g.service.clone(),
        }),
        exec: p.exec.as_ref().map(|command| ExecAction {
            command: Some(command.clone()),
        }),
        initial_delay_seconds: p.initial_delay_seconds.and_then(|v| i32::try_from(v).ok()),
        period_seconds: p.period_seconds.and_then(|v| i32::try_from(v).ok()),
        timeout_seconds: p.timeout_seconds.and_then(|v| i32::try_from(v).ok()),
        failure_threshold: p.failure_threshold.and_then(|v| i32::try_from(v).ok()),
        success_threshold: p.success_threshold.and_then(|v| i32::try_from(v).ok()),
        ..Probe::default()
    }
}

/// Requests and limits as Kubernetes writes them.
pub(crate) fn resources(r: &Resources) -> ResourceRequirements {
    let amounts = |m: &Option<indexmap::IndexMap<String, cfggen_model::container::Quantity>>| {
        m.as_ref().map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Quantity(v.to_string())))
                .collect::<BTreeMap<_, _>>()
        })
    };
    ResourceRequirements {
        requests: amounts(&r.requests),
        limits: amounts(&r.limits),
        ..ResourceRequirements::default()
    }
}
