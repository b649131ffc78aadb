//! An app's folder: Deployments, Services, Ingress, ConfigMaps and the
//! ExternalSecrets of its 1Password items.

use std::collections::BTreeMap;

use cfggen_model::app::workload_name;
use cfggen_model::app::{Component, EnvValue, PortRef, Probe as ModelProbe, Resources};
use cfggen_model::{App, ConfigMapKeyRef, Environment, SecretFieldRef};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapKeySelector, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SecretKeySelector, SecretVolumeSource, Service,
    ServicePort, ServiceSpec, TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::{app_labels, crds, file_name, meta, selector, waves, Output, RenderError};

pub(crate) fn render_app(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    config_maps(out, name, app)?;
    external_secrets(out, env, name, app)?;
    for (cname, component) in &app.components {
        let deployment = deployment(env, name, app, cname, component)?;
        out.resource(
            name,
            app.namespace(name),
            file_name("Deployment", &workload_name(name, cname)),
            &deployment,
        )?;
    }
    services(out, name, app)?;
    if let Some(ingress) = &app.ingress {
        render_ingress(out, name, app, ingress)?;
    }
    Ok(())
}

fn config_maps(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (cm_name, cm) in &app.config_maps {
        let object = ConfigMap {
            metadata: meta(cm_name, ns, app_labels(name, None), waves::PREREQUISITES),
            data: Some(
                cm.data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            ..ConfigMap::default()
        };
        out.resource(name, ns, file_name("ConfigMap", cm_name), &object)?;
    }
    Ok(())
}

/// One ExternalSecret per 1Password item of the app.
fn external_secrets(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (secret_name, item) in &app.secrets {
        let data = item
            .fields
            .iter()
            .map(|(label, field)| {
                let (key, property) = item.remote_ref(env.onepassword.store.provider, label, field);
                crds::ExternalSecretData {
                    secret_key: field.key(label).to_owned(),
                    remote_ref: crds::RemoteRef { key, property },
                }
            })
            .collect();
        let object = external_secret(
            env,
            meta(
                secret_name,
                ns,
                app_labels(name, None),
                waves::PREREQUISITES,
            ),
            secret_name,
            None,
            data,
        );
        out.resource(name, ns, file_name("ExternalSecret", secret_name), &object)?;
    }
    Ok(())
}

fn services(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (sname, svc) in &app.services {
        let object = Service {
            metadata: meta(
                sname,
                ns,
                app_labels(name, Some(&svc.component)),
                waves::WORKLOADS,
            ),
            spec: Some(ServiceSpec {
                selector: Some(selector(name, Some(&svc.component))),
                ports: Some(
                    svc.ports
                        .iter()
                        .map(|(port_name, port)| ServicePort {
                            name: Some(port_name.clone()),
                            port: i32::from(*port),
                            target_port: Some(IntOrString::String(port_name.clone())),
                            protocol: Some("TCP".into()),
                            ..ServicePort::default()
                        })
                        .collect(),
                ),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        };
        out.resource(name, ns, file_name("Service", sname), &object)?;
    }
    Ok(())
}

fn render_ingress(
    out: &mut Output,
    name: &str,
    app: &App,
    ingress: &cfggen_model::app::Ingress,
) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    let ingress_name = ingress.name.clone().unwrap_or_else(|| name.to_owned());
    let backend = IngressServiceBackend {
        name: ingress.service.clone(),
        port: Some(ServiceBackendPort {
            name: Some(ingress.port.clone()),
            number: None,
        }),
    };
    let mut metadata = meta(&ingress_name, ns, app_labels(name, None), waves::EXPOSURE);
    if let Some(annotations) = metadata.annotations.as_mut() {
        for (k, v) in &ingress.annotations {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let (default_backend, rules) = if ingress.hosts.is_empty() || ingress.default_backend {
        (
            Some(IngressBackend {
                service: Some(backend),
                resource: None,
            }),
            None,
        )
    } else {
        let rules = ingress
            .hosts
            .iter()
            .map(|host| IngressRule {
                host: Some(host.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(backend.clone()),
                            resource: None,
                        },
                    }],
                }),
            })
            .collect();
        (None, Some(rules))
    };
    let object = Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: ingress.class_name.clone(),
            default_backend,
            rules,
            tls: (ingress.tls && !ingress.hosts.is_empty()).then(|| {
                vec![IngressTLS {
                    hosts: Some(ingress.hosts.clone()),
                    secret_name: None,
                }]
            }),
        }),
        ..Ingress::default()
    };
    out.resource(name, ns, file_name("Ingress", &ingress_name), &object)
}

/// An ExternalSecret against the environment's ClusterSecretStore.
pub(crate) fn external_secret(
    env: &Environment,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    target: &str,
    template: Option<crds::ExternalSecretTemplate>,
    data: Vec<crds::ExternalSecretData>,
) -> crds::ExternalSecret {
    crds::ExternalSecret {
        api_version: "external-secrets.io/v1".into(),
        kind: "ExternalSecret".into(),
        metadata,
        spec: crds::ExternalSecretSpec {
            refresh_interval: env.onepassword.refresh_interval.clone(),
            secret_store_ref: crds::SecretStoreRef {
                kind: "ClusterSecretStore".into(),
                name: env.onepassword.store.name.clone(),
            },
            target: crds::ExternalSecretTarget {
                name: target.to_owned(),
                creation_policy: "Owner".into(),
                template,
            },
            data,
        },
    }
}

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: key.to_owned(),
                optional: None,
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

/// The Secret name and key a `<secret>/<field>` reference resolves to.
pub(crate) fn resolve_secret<'a>(
    app: &'a App,
    r: &'a SecretFieldRef,
) -> Result<(&'a str, &'a str), RenderError> {
    let field = app
        .secrets
        .get(r.secret())
        .and_then(|item| item.fields.get(r.field()))
        .ok_or_else(|| RenderError::Unresolved(format!("secret field `{r}`")))?;
    Ok((r.secret(), field.key(r.field())))
}

fn config_map_env(var: &str, r: &ConfigMapKeyRef) -> EnvVar {
    EnvVar {
        name: var.to_owned(),
        value: None,
        value_from: Some(EnvVarSource {
            config_map_key_ref: Some(ConfigMapKeySelector {
                name: r.config_map().to_owned(),
                key: r.key().to_owned(),
                optional: None,
            }),
            ..EnvVarSource::default()
        }),
    }
}

fn env_vars(
    env: &Environment,
    name: &str,
    app: &App,
    cname: &str,
    component: &Component,
) -> Result<Vec<EnvVar>, RenderError> {
    let mut vars = Vec::new();
    for (var, value) in &component.env {
        vars.push(match value {
            EnvValue::Literal(lit) => literal_env(var, lit.to_string()),
            EnvValue::Secret { secret } => {
                let (secret_name, key) = resolve_secret(app, secret)?;
                secret_env(var, secret_name, key)
            }
            EnvValue::ConfigMap { config_map } => config_map_env(var, config_map),
        });
    }
    if let Some(db) = app.database.as_ref().filter(|db| db.reaches(cname)) {
        database_env(env, name, app, db, &mut vars)?;
    }
    Ok(vars)
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
        vars.push(secret_env(var, secret_name, key));
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
            ..HTTPGetAction::default()
        }),
        tcp_socket: p.tcp.as_ref().map(|port| TCPSocketAction {
            port: port_ref(port),
            host: None,
        }),
        exec: p.exec.as_ref().map(|command| ExecAction {
            command: Some(command.clone()),
        }),
        initial_delay_seconds: p.initial_delay_seconds.and_then(|v| i32::try_from(v).ok()),
        period_seconds: p.period_seconds.and_then(|v| i32::try_from(v).ok()),
        timeout_seconds: p.timeout_seconds.and_then(|v| i32::try_from(v).ok()),
        failure_threshold: p.failure_threshold.and_then(|v| i32::try_from(v).ok()),
        ..Probe::default()
    }
}

pub(crate) fn resources(r: &Resources) -> ResourceRequirements {
    let amounts = |cm: &Option<cfggen_model::app::CpuMemory>| {
        cm.as_ref().map(|cm| {
            let mut m = BTreeMap::new();
            if let Some(cpu) = &cm.cpu {
                m.insert("cpu".to_owned(), Quantity(cpu.clone()));
            }
            if let Some(memory) = &cm.memory {
                m.insert("memory".to_owned(), Quantity(memory.clone()));
            }
            m
        })
    };
    ResourceRequirements {
        requests: amounts(&r.requests),
        limits: amounts(&r.limits),
        ..ResourceRequirements::default()
    }
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn deployment(
    env: &Environment,
    name: &str,
    app: &App,
    cname: &str,
    component: &Component,
) -> Result<Deployment, RenderError> {
    let ns = app.namespace(name);
    let image = app.image_of(component).map(ToString::to_string);
    let mounts: Vec<VolumeMount> = component
        .volumes
        .iter()
        .map(|(vname, v)| VolumeMount {
            name: vname.clone(),
            mount_path: v.mount_path.clone(),
            read_only: v.read_only.then_some(true),
            ..VolumeMount::default()
        })
        .collect();
    let volumes: Vec<Volume> = component
        .volumes
        .iter()
        .map(|(vname, v)| Volume {
            name: vname.clone(),
            config_map: v.config_map.as_ref().map(|cm| ConfigMapVolumeSource {
                name: cm.clone(),
                ..ConfigMapVolumeSource::default()
            }),
            secret: v.secret.as_ref().map(|s| SecretVolumeSource {
                secret_name: Some(s.clone()),
                ..SecretVolumeSource::default()
            }),
            empty_dir: v.empty_dir.then(EmptyDirVolumeSource::default),
            ..Volume::default()
        })
        .collect();
    let container = Container {
        name: cname.to_owned(),
        image,
        command: non_empty(component.command.clone()),
        args: non_empty(component.args.clone()),
        ports: non_empty(
            component
                .ports
                .iter()
                .map(|(pname, port)| ContainerPort {
                    name: Some(pname.clone()),
                    container_port: i32::from(*port),
                    protocol: Some("TCP".into()),
                    ..ContainerPort::default()
                })
                .collect(),
        ),
        env: non_empty(env_vars(env, name, app, cname, component)?),
        liveness_probe: component.probes.liveness.as_ref().map(probe),
        readiness_probe: component.probes.readiness.as_ref().map(probe),
        startup_probe: component.probes.startup.as_ref().map(probe),
        resources: component.resources.as_ref().map(resources),
        volume_mounts: non_empty(mounts),
        ..Container::default()
    };
    let labels = app_labels(name, Some(cname));
    Ok(Deployment {
        metadata: meta(
            &workload_name(name, cname),
            ns,
            labels.clone(),
            waves::WORKLOADS,
        ),
        spec: Some(DeploymentSpec {
            replicas: Some(i32::try_from(component.replicas).unwrap_or(i32::MAX)),
            selector: LabelSelector {
                match_labels: Some(selector(name, Some(cname))),
                match_expressions: None,
            },
            template: PodTemplateSpec {
                metadata: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes: non_empty(volumes),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    })
}
