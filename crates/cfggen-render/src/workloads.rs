//! An app's folder: its workloads — a Deployment, StatefulSet, DaemonSet,
//! CronJob, Job, bare Pod or ReplicationController per component, with a PodDisruptionBudget where asked —
//! and, through the other modules, its ConfigMaps, ExternalSecrets,
//! claims, service accounts, Services and Ingresses.

use cfggen_model::app::{workload_name, Component};
use cfggen_model::workload::{Amount, Kind};
use cfggen_model::{App, Environment};
use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, Pod, PodTemplateSpec, ReplicationController, ReplicationControllerSpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

use crate::pod::{selector_of, PodOf};
use crate::{
    app_labels, config, file_name, meta, rbac, services, storage, waves, Output, RenderError,
};

pub(crate) fn render_app(
    out: &mut Output,
    env: &Environment,
    name: &str,
    app: &App,
) -> Result<(), RenderError> {
    config::config_maps(out, name, app)?;
    config::external_secrets(out, env, name, app)?;
    config::store_secrets(out, env, name, app)?;
    config::database_url(out, env, name, app)?;
    storage::claims(out, name, app)?;
    crate::network::network_policies(out, name, app)?;
    crate::network::cilium_policies(out, name, app)?;
    crate::velero::velero_schedules(out, name, app)?;
    crate::monitors::monitors(out, name, app)?;
    crate::monitors::prometheuses(out, name, app)?;
    crate::dapr::dapr(out, name, app)?;
    pod_budgets(out, name, app)?;
    crate::monitors::grafana_dashboards(out, name, app)?;
    crate::certificates::certificates_and_gateways(out, name, app)?;
    crate::flux::flux(out, name, app)?;
    crate::istio::istio(out, name, app)?;
    crate::classes::classes(out, name, app)?;
    rbac::service_accounts(out, name, app)?;
    rbac::roles(out, name, app)?;
    for (cname, comp) in &app.components {
        let pod = PodOf {
            env,
            app_name: name,
            app,
            cname,
            comp,
        };
        workload(out, &pod)?;
        if comp.disruption_budget.is_some() {
            disruption_budget(out, &pod)?;
        }
        crate::autoscaling::autoscaler(out, &pod)?;
    }
    services::services(out, name, app)?;
    services::ingresses(out, name, app)?;
    crate::routes::http_routes(out, name, app)?;
    crate::routes::grpc_routes(out, name, app)?;
    crate::routes::stream_routes(out, name, app)?;
    manifests(out, name, app)
}

/// The app's raw manifests, as the loader checked them: namespaced ones
/// in the app's folder (in the app's namespace, or in the one they name),
/// cluster-scoped ones in the `cluster` folder.
fn manifests(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (i, object) in &app.loaded_manifests {
        let kind = object
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        let object_name = object
            .pointer("/metadata/name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        // A namespaced object has the app's namespace, or keeps its own
        // (and its file name says which).
        let own = object
            .pointer("/metadata/namespace")
            .map(|n| n.as_str().unwrap_or(ns));
        let file = crate::file_name_in(kind, object_name, own.unwrap_or(ns), ns);
        let written = if let Some(own) = own {
            out.resource(name, own, file, object)
        } else {
            out.cluster_resource(crate::CLUSTER_FOLDER, file, object)
        };
        written.map_err(|e| match e {
            RenderError::Collision(file) => RenderError::ManifestCollision {
                path: cfggen_model::FieldPath::of(&["apps", name, "manifests"]).index(*i),
                object: format!("{kind} `{object_name}`"),
                file,
            },
            other => other,
        })?;
    }
    Ok(())
}

/// The workload's pod count: none when an autoscaler owns it.
fn replicas(comp: &Component) -> Option<i32> {
    if comp.autoscaling.is_some() {
        return None;
    }
    Some(i32::try_from(comp.replica_count()).unwrap_or(i32::MAX))
}

fn i32_of(v: Option<u32>) -> Option<i32> {
    v.and_then(|v| i32::try_from(v).ok())
}

/// One component's workload, of its kind.
fn workload(out: &mut Output, pod: &PodOf<'_>) -> Result<(), RenderError> {
    let (name, app, comp) = (pod.app_name, pod.app, pod.comp);
    let ns = app.namespace(name);
    let object_name = workload_name(name, pod.cname, comp);
    let mut labels = app_labels(
        comp.label_of(app.name_label(name)),
        Some(comp.component_label_of(pod.cname)),
    );
    for (k, v) in &comp.labels {
        labels.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let mut metadata = meta(&object_name, ns, labels, waves::WORKLOADS);
    if let Some(annotations) = metadata.annotations.as_mut() {
        for (k, v) in &comp.annotations {
            annotations.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let selector = LabelSelector {
        match_labels: Some(selector_of(app.name_label(name), pod.cname, comp)),
        match_expressions: None,
    };
    let template = pod.template()?;
    let file = file_name(comp.kind.as_str(), &object_name);
    match comp.kind {
        Kind::Deployment => out.resource(
            name,
            ns,
            file,
            &Deployment {
                metadata,
                spec: Some(DeploymentSpec {
                    replicas: replicas(comp),
                    selector,
                    template,
                    min_ready_seconds: i32_of(comp.min_ready_seconds),
                    revision_history_limit: i32_of(comp.revision_history_limit),
                    progress_deadline_seconds: i32_of(comp.progress_deadline_seconds),
                    strategy: comp.strategy.clone(),
                    ..DeploymentSpec::default()
                }),
                ..Deployment::default()
            },
        ),
        Kind::StatefulSet => out.resource(
            name,
            ns,
            file,
            &stateful_set(comp, metadata, selector, template),
        ),
        Kind::DaemonSet => out.resource(
            name,
            ns,
            file,
            &DaemonSet {
                metadata,
                spec: Some(DaemonSetSpec {
                    selector,
                    template,
                    min_ready_seconds: i32_of(comp.min_ready_seconds),
                    revision_history_limit: i32_of(comp.revision_history_limit),
                    update_strategy: comp
                        .daemon_set
                        .as_ref()
                        .and_then(|d| d.update_strategy.clone()),
                }),
                ..DaemonSet::default()
            },
        ),
        Kind::Job => out.resource(
            name,
            ns,
            file,
            &Job {
                metadata,
                spec: Some(job_spec(comp, template)),
                ..Job::default()
            },
        ),
        Kind::CronJob => out.resource(name, ns, file, &cron_job(comp, metadata, template)),
        Kind::Pod => out.resource(name, ns, file, &bare_pod(metadata, template)),
        Kind::ReplicationController => out.resource(
            name,
            ns,
            file,
            &ReplicationController {
                metadata,
                spec: Some(ReplicationControllerSpec {
                    replicas: replicas(comp),
                    selector: selector.match_labels,
                    template: Some(template),
                    min_ready_seconds: i32_of(comp.min_ready_seconds),
                }),
                ..ReplicationController::default()
            },
        ),
    }
}

/// A bare Pod: the workload's name, the pod's labels over the
/// component's, the pod's annotations beside the component's.
fn bare_pod(mut metadata: ObjectMeta, template: PodTemplateSpec) -> Pod {
    let pod_meta = template.metadata.unwrap_or_default();
    for (own, theirs) in [
        (&mut metadata.labels, pod_meta.labels),
        (&mut metadata.annotations, pod_meta.annotations),
    ] {
        if let Some(theirs) = theirs {
            own.get_or_insert_with(BTreeMap::new).extend(theirs);
        }
    }
    Pod {
        metadata,
        spec: template.spec,
        ..Pod::default()
    }
}

fn stateful_set(
    comp: &Component,
    metadata: ObjectMeta,
    selector: LabelSelector,
    template: PodTemplateSpec,
) -> StatefulSet {
    let sts = comp.stateful_set.clone().unwrap_or_default();
    let templates: Vec<PersistentVolumeClaim> = sts
        .volume_claim_templates
        .iter()
        .map(|(claim_name, claim)| {
            let (mut labels, mut annotations) = (BTreeMap::new(), BTreeMap::new());
            claim.metadata_over(&mut labels, &mut annotations);
            PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(claim_name.clone()),
                    labels: (!labels.is_empty()).then_some(labels),
                    annotations: (!annotations.is_empty()).then_some(annotations),
                    ..ObjectMeta::default()
                },
                spec: Some(storage::claim_spec(claim)),
                ..PersistentVolumeClaim::default()
            }
        })
        .collect();
    StatefulSet {
        metadata,
        spec: Some(StatefulSetSpec {
            replicas: replicas(comp),
            selector,
            template,
            min_ready_seconds: i32_of(comp.min_ready_seconds),
            revision_history_limit: i32_of(comp.revision_history_limit),
            service_name: Some(sts.service_name.clone()),
            pod_management_policy: sts.pod_management_policy.map(|p| p.as_str().to_owned()),
            update_strategy: sts.update_strategy.clone(),
            persistent_volume_claim_retention_policy: sts
                .persistent_volume_claim_retention_policy
                .clone(),
            volume_claim_templates: crate::pod::non_empty(templates),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

fn cron_job(comp: &Component, metadata: ObjectMeta, template: PodTemplateSpec) -> CronJob {
    let cron = comp.cron_job.clone().unwrap_or_default();
    CronJob {
        metadata,
        spec: Some(CronJobSpec {
            schedule: cron.schedule.clone(),
            time_zone: cron.time_zone.clone(),
            concurrency_policy: cron.concurrency_policy.map(|p| p.as_str().to_owned()),
            suspend: cron.suspend.then_some(true),
            successful_jobs_history_limit: i32_of(cron.successful_jobs_history_limit),
            failed_jobs_history_limit: i32_of(cron.failed_jobs_history_limit),
            starting_deadline_seconds: cron.starting_deadline_seconds.map(i64::from),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(job_spec(comp, template)),
            },
        }),
        ..CronJob::default()
    }
}

/// The spec of a Job (or of a CronJob's Jobs).
fn job_spec(comp: &Component, template: PodTemplateSpec) -> JobSpec {
    let job = comp.job.clone().unwrap_or_default();
    JobSpec {
        template,
        backoff_limit: i32_of(job.backoff_limit),
        active_deadline_seconds: job.active_deadline_seconds.map(i64::from),
        ttl_seconds_after_finished: i32_of(job.ttl_seconds_after_finished),
        completions: i32_of(job.completions),
        parallelism: i32_of(job.parallelism),
        ..JobSpec::default()
    }
}

fn amount(a: &Amount) -> IntOrString {
    match a {
        Amount::Count(n) => IntOrString::Int(i32::try_from(*n).unwrap_or(i32::MAX)),
        Amount::Percent(p) => IntOrString::String(p.clone()),
    }
}

/// The app's PodDisruptionBudgets of pods it does not run as
/// components, each with its own selector.
pub(crate) fn pod_budgets(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (bname, pdb) in &app.disruption_budgets {
        let object = PodDisruptionBudget {
            metadata: crate::own_meta(
                bname,
                ns,
                app.name_label(name),
                &pdb.labels,
                &pdb.annotations,
                waves::WORKLOADS,
            ),
            spec: Some(PodDisruptionBudgetSpec {
                selector: Some(pdb.selector.clone()),
                min_available: pdb.min_available.as_ref().map(amount),
                max_unavailable: pdb.max_unavailable.as_ref().map(amount),
                unhealthy_pod_eviction_policy: pdb.unhealthy_pod_eviction_policy.clone(),
            }),
            ..PodDisruptionBudget::default()
        };
        out.resource(name, ns, file_name("PodDisruptionBudget", bname), &object)?;
    }
    Ok(())
}

/// The component's PodDisruptionBudget.
fn disruption_budget(out: &mut Output, pod: &PodOf<'_>) -> Result<(), RenderError> {
    let (name, app, comp) = (pod.app_name, pod.app, pod.comp);
    let Some(pdb) = &comp.disruption_budget else {
        return Ok(());
    };
    let ns = app.namespace(name);
    let object_name = pdb
        .name
        .clone()
        .unwrap_or_else(|| workload_name(name, pod.cname, comp));
    let object = PodDisruptionBudget {
        metadata: meta(
            &object_name,
            ns,
            app_labels(
                comp.label_of(app.name_label(name)),
                Some(comp.component_label_of(pod.cname)),
            ),
            waves::WORKLOADS,
        ),
        spec: Some(PodDisruptionBudgetSpec {
            selector: Some(LabelSelector {
                match_labels: Some(selector_of(app.name_label(name), pod.cname, comp)),
                match_expressions: None,
            }),
            min_available: pdb.min_available.as_ref().map(amount),
            max_unavailable: pdb.max_unavailable.as_ref().map(amount),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    };
    out.resource(
        name,
        ns,
        file_name("PodDisruptionBudget", &object_name),
        &object,
    )
}
