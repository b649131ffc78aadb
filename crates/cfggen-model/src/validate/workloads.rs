//! Rules about a component as a workload: its name, the settings of its
//! kind (and only of its kind), replicas, a CronJob's schedule, a
//! StatefulSet's governing Service, a disruption budget, and the pod's
//! service account and image pull secrets.

use super::{Checker, Target};
use crate::app::{workload_name, App, Component};
use crate::secrets::SecretType;
use crate::workload::{schedule_error, Kind};
use crate::{names, suggest, FieldPath};

/// Every workload rule of one component.
pub(super) fn check_workload(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    cname: &str,
    comp: &Component,
    cpath: &FieldPath,
) {
    check_name(c, app_name, cname, comp, cpath);
    check_kind_settings(c, comp, cpath);
    check_selector_apart(c, app_name, app, cname, comp, cpath);
    check_counts(c, comp, cpath);
    if let Some(cron) = comp
        .cron_job
        .as_ref()
        .filter(|_| comp.kind == Kind::CronJob)
    {
        if let Some(why) = schedule_error(&cron.schedule) {
            c.push(
                "invalid-schedule",
                cpath.key("cronJob").key("schedule"),
                Target::Value,
                format!("`{}` is not a cron schedule: {why}", cron.schedule),
                "not a cron schedule",
                Some("five fields `minute hour day-of-month month day-of-week`, e.g. `30 2 * * *`, or `@daily`".into()),
            );
        }
    }
    if let Some(sts) = comp
        .stateful_set
        .as_ref()
        .filter(|_| comp.kind == Kind::StatefulSet)
    {
        check_governing_service(
            c,
            app,
            cname,
            &sts.service_name,
            &cpath.key("statefulSet").key("serviceName"),
        );
    }
    if let Some(pdb) = &comp.disruption_budget {
        let set =
            usize::from(pdb.min_available.is_some()) + usize::from(pdb.max_unavailable.is_some());
        if set != 1 {
            c.push(
                "disruption-budget",
                cpath.key("disruptionBudget"),
                Target::Key,
                format!("a disruption budget sets exactly one of `minAvailable` or `maxUnavailable`; this one sets {set}"),
                "expected one limit",
                None,
            );
        }
        if comp.kind.runs_to_completion() {
            c.push(
                "disruption-budget",
                cpath.key("disruptionBudget"),
                Target::Key,
                format!(
                    "a {} runs to completion; a disruption budget is for pods that keep running",
                    comp.kind.as_str()
                ),
                "not for this kind",
                Some("remove `disruptionBudget`".into()),
            );
        }
    }
    check_pod(c, app, comp, &cpath.key("pod"));
}

/// The workload's name is a valid name for its kind.
fn check_name(
    c: &mut Checker<'_>,
    app_name: &str,
    cname: &str,
    comp: &Component,
    cpath: &FieldPath,
) {
    let name = workload_name(app_name, cname, comp);
    let (path, target, origin) = match &comp.name {
        Some(_) => (cpath.key("name"), Target::Value, "its `name`"),
        None => (cpath.clone(), Target::Key, "app + component"),
    };
    if let Some(why) = names::dns1123_label_error(&name) {
        c.push(
            "invalid-name",
            path,
            target,
            format!(
                "the {} name `{name}` ({origin}) is not a valid Kubernetes name: {why}",
                comp.kind.as_str()
            ),
            format!("makes an invalid {} name", comp.kind.as_str()),
            Some("shorten the app or component name, or set `name`".into()),
        );
    } else if comp.kind == Kind::CronJob && name.len() > 52 {
        c.push(
            "invalid-name",
            path,
            target,
            format!("the CronJob name `{name}` is {} characters; Kubernetes allows 52, since each Job's name adds 11", name.len()),
            "too long for a CronJob",
            Some("shorten the app or component name, or set `name`".into()),
        );
    }
}

/// A replica count, `minReadySeconds`, `revisionHistoryLimit` and
/// `progressDeadlineSeconds` only on the kinds that have them.
fn check_counts(c: &mut Checker<'_>, comp: &Component, cpath: &FieldPath) {
    if comp.replicas.is_some() && !comp.kind.has_replicas() {
        c.push(
            "no-replicas",
            cpath.key("replicas"),
            Target::Key,
            format!(
                "a {} has no replica count{}",
                comp.kind.as_str(),
                if comp.kind == Kind::DaemonSet { ": it runs one pod per node" } else { "" }
            ),
            "not allowed for this kind",
            Some(match comp.kind {
                Kind::DaemonSet => "remove `replicas`; choose the nodes with `pod.nodeSelector` or `pod.tolerations`".into(),
                Kind::Pod => "remove `replicas`, or make it a `kind: Deployment` for several".into(),
                _ => "remove `replicas`; `job.parallelism` and `job.completions` say how many pods run".into(),
            }),
        );
    }
    // A ReplicationController keeps no revisions; a bare Pod is no set.
    let no_revisions = matches!(comp.kind, Kind::Pod | Kind::ReplicationController);
    for (field, set) in [
        (
            "minReadySeconds",
            comp.min_ready_seconds.is_some() && comp.kind != Kind::ReplicationController,
        ),
        (
            "revisionHistoryLimit",
            comp.revision_history_limit.is_some(),
        ),
        (
            "progressDeadlineSeconds",
            comp.progress_deadline_seconds.is_some() && comp.kind != Kind::Deployment,
        ),
    ] {
        let never = comp.kind.runs_to_completion() || no_revisions;
        if set && (never || field == "progressDeadlineSeconds") {
            c.push(
                "kind-settings",
                cpath.key(field),
                Target::Key,
                if field == "progressDeadlineSeconds" {
                    format!(
                        "a {} has no `{field}`; only a Deployment has",
                        comp.kind.as_str()
                    )
                } else if comp.kind.runs_to_completion() {
                    format!(
                        "a {} has no `{field}`; its pods run to completion",
                        comp.kind.as_str()
                    )
                } else {
                    format!("a {} has no `{field}`", comp.kind.as_str())
                },
                "not allowed for this kind",
                Some(format!("remove `{field}`")),
            );
        }
    }
}

/// A workload that keeps its pods by a selector (not a Job's, a CronJob's
/// or a bare Pod) selects no other component's pods: Kubernetes takes it,
/// and warns that controllers of overlapping selectors fight (a
/// warning).
fn check_selector_apart(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    cname: &str,
    comp: &Component,
    cpath: &FieldPath,
) {
    if comp.kind.runs_to_completion() || comp.kind == Kind::Pod {
        return;
    }
    let label = app.name_label(app_name);
    let selector = comp.selector(label, cname);
    // A Job's pods have their owner, which no other controller takes.
    let other = app.components.iter().find(|(other, o)| {
        *other != cname && !o.kind.runs_to_completion() && o.selected_by(label, other, &selector)
    });
    if let Some((other, _)) = other {
        let at = if comp.selector_labels.is_some() {
            cpath.key("selectorLabels")
        } else {
            cpath.key("componentLabel")
        };
        c.warn(
            "selector-overlap",
            at,
            Target::Key,
            format!("the selector of component `{cname}` also selects the pods of component `{other}`: its {} and `{other}`'s controller may fight over them", comp.kind.as_str()),
            "a selector of its own pods alone",
            Some(format!("give `{cname}` a `componentLabel` or `selectorLabels` that `{other}`'s pods do not carry")),
        );
    }
}

/// Settings of a kind appear only on that kind, and the kinds that need
/// settings have them.
fn check_kind_settings(c: &mut Checker<'_>, comp: &Component, cpath: &FieldPath) {
    let blocks: [(&str, bool, &[Kind]); 5] = [
        ("strategy", comp.strategy.is_some(), &[Kind::Deployment]),
        (
            "statefulSet",
            comp.stateful_set.is_some(),
            &[Kind::StatefulSet],
        ),
        ("daemonSet", comp.daemon_set.is_some(), &[Kind::DaemonSet]),
        ("cronJob", comp.cron_job.is_some(), &[Kind::CronJob]),
        ("job", comp.job.is_some(), &[Kind::Job, Kind::CronJob]),
    ];
    for (field, present, kinds) in blocks {
        if present && !kinds.contains(&comp.kind) {
            c.push(
                "kind-mismatch",
                cpath.key(field),
                Target::Key,
                format!(
                    "`{field}` is for a {}, and this component is a {}",
                    kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    comp.kind.as_str()
                ),
                format!("not for a {}", comp.kind.as_str()),
                Some(format!(
                    "set `kind: {}`, or remove `{field}`",
                    kinds[0].as_str()
                )),
            );
        }
    }
    let needed = match comp.kind {
        Kind::StatefulSet if comp.stateful_set.is_none() => Some((
            "statefulSet",
            "statefulSet: {serviceName: <headless service>}",
        )),
        Kind::CronJob if comp.cron_job.is_none() => {
            Some(("cronJob", "cronJob: {schedule: \"30 2 * * *\"}"))
        }
        _ => None,
    };
    if let Some((field, example)) = needed {
        c.push(
            "kind-settings",
            cpath.clone(),
            Target::Key,
            format!("a {} needs `{field}`", comp.kind.as_str()),
            format!("`{field}` is missing"),
            Some(format!("add `{example}`")),
        );
    }
}

/// A StatefulSet's governing Service: selecting this component; one of
/// the app's and headless, else a warning.
fn check_governing_service(
    c: &mut Checker<'_>,
    app: &App,
    cname: &str,
    service: &str,
    path: &FieldPath,
) {
    // Kubernetes takes a governing Service made elsewhere, or one that is
    // not headless: the pods then have no DNS names of their own
    // (`<pod>.<service>`) until one is there. A warning, not a refusal.
    let Some(svc) = app.services.get(service) else {
        c.warn(
            "governing-service",
            path.clone(),
            Target::Value,
            format!("the StatefulSet's governing Service `{service}` is not one of the app's services: its pods have DNS names of their own only once it is made elsewhere"),
            "not one of the app's services",
            suggest::hint(service, app.services.keys().map(String::as_str))
                .or_else(|| Some(format!("declare `services: {{{service}: {{component: {cname}, headless: true, ports: …}}}}`"))),
        );
        return;
    };
    if !svc.headless {
        c.warn(
            "governing-service",
            path.clone(),
            Target::Value,
            format!("the governing Service `{service}` of a StatefulSet is not headless: its pods have no DNS names of their own"),
            "not headless",
            Some(format!(
                "set `headless: true` on service `{service}`, or add a headless one"
            )),
        );
    }
    if svc.component.as_deref() != Some(cname) {
        c.push(
            "governing-service",
            path.clone(),
            Target::Value,
            format!("the governing Service `{service}` does not select component `{cname}`"),
            "selects other pods",
            Some(format!("set `component: {cname}` on service `{service}`")),
        );
    }
}

/// Pod settings: the service account is declared (or is `default`, which
/// Kubernetes makes in every namespace); image pull secrets are registry
/// credentials the app declares.
fn check_pod(c: &mut Checker<'_>, app: &App, comp: &Component, ppath: &FieldPath) {
    if let Some(account) = &comp.pod.service_account {
        super::rbac::check_account_declared(
            c,
            app,
            account,
            "the pods run",
            ppath.key("serviceAccount"),
        );
    }
    for (i, name) in comp.pod.image_pull_secrets.iter().enumerate() {
        let path = ppath.key("imagePullSecrets").index(i);
        if app.external_secrets.contains_key(name) {
            continue;
        }
        match app.secrets.get(name) {
            None => c.push(
                "unknown-secret",
                path,
                Target::Value,
                format!("image pull secret `{name}` is not one of the app's secrets"),
                "not a key of the app's `secrets`",
                suggest::hint(name, app.secrets.keys().map(String::as_str))
                    .or_else(|| Some("declare the registry credentials under the app's `secrets` with `type: dockerconfigjson`".into())),
            ),
            Some(item) if item.kind != Some(SecretType::Dockerconfigjson) => c.push(
                "pull-secret-type",
                path,
                Target::Value,
                format!("image pull secret `{name}` is not of `type: dockerconfigjson`"),
                "not registry credentials",
                Some(format!("set `type: dockerconfigjson` on secret `{name}`, with one field of `key: .dockerconfigjson`")),
            ),
            Some(_) => {}
        }
    }
}

/// The app's PodDisruptionBudgets of pods it does not run as
/// components: one limit each, and a selector that picks pods the app
/// knows of (its components', pods made elsewhere, raw manifests').
pub(super) fn check_pod_budgets(c: &mut Checker<'_>, app_name: &str, app: &App, base: &FieldPath) {
    for (name, pdb) in &app.disruption_budgets {
        let path = base.key("disruptionBudgets").key(name);
        super::labels::check_labels(c, &pdb.labels, &path.key("labels"));
        let set =
            usize::from(pdb.min_available.is_some()) + usize::from(pdb.max_unavailable.is_some());
        if set != 1 {
            c.push(
                "disruption-budget",
                path.clone(),
                Target::Key,
                format!("disruption budget `{name}` sets exactly one of `minAvailable` or `maxUnavailable`; this one sets {set}"),
                "expected one limit",
                None,
            );
        }
        // Only label equality is weighed; expressions pick as they will.
        if pdb
            .selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            continue;
        }
        let wanted = pdb
            .selector
            .match_labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        if !super::network::selects_pods_of(app_name, app, &wanted) {
            c.warn(
                "disruption-budget",
                path.key("selector"),
                Target::Key,
                format!("disruption budget `{name}` of app `{app_name}` selects none of the pods the app knows of, so it may guard nothing"),
                "selects no known pod",
                Some("select by labels the pods carry, or declare the pods another tool makes under `externalPods`".into()),
            );
        }
    }
}
