//! Rules about an app's ServiceMonitors and PodMonitors: a scrape's
//! timeout within its interval (the operator refuses the monitor
//! otherwise: an error). Two warnings, for Kubernetes and the operator
//! take both and the monitor scrapes nothing: when a monitor's selector
//! picks Services or pods of the app, an endpoint's port that none of
//! them has by name (the operator matches ports by name); a monitor that
//! picks none of the app's Services or pods, where the app has none from
//! elsewhere.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{Checker, Target};
use crate::app::App;
use crate::monitor::{duration_ms, Endpoint, NamespaceSelector};
use crate::FieldPath;

/// The monitors of app `app_name`.
pub(super) fn check_monitors(c: &mut Checker<'_>, app_name: &str, app: &App, base: &FieldPath) {
    let ns = app.namespace(app_name);
    for (name, m) in &app.service_monitors {
        let path = base.key("serviceMonitors").key(name);
        let at = m.namespace.as_deref().unwrap_or(ns);
        let picked = own_labels(&m.selector, m.namespace_selector.as_ref(), at, ns).map(|wanted| {
            let mut picked = Picked::default();
            for svc in app.services.values() {
                let labels = svc.rendered_labels(app_name, app);
                if wanted.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    picked.any = true;
                    let named = svc
                        .ports
                        .keys()
                        .filter(|p| svc.ports.rendered_name(p).is_some());
                    picked.ports.extend(named.cloned());
                }
            }
            picked
        });
        let none = app.services.is_empty() || !app.external_services.is_empty();
        let elsewhere = none || !app.manifests.is_empty() || app.helm.is_some();
        let what = ("ServiceMonitor", "Service", name.as_str(), "endpoints");
        check_monitor(c, what, &m.endpoints, picked, elsewhere, &path);
    }
    for (name, m) in &app.pod_monitors {
        let path = base.key("podMonitors").key(name);
        let at = m.namespace.as_deref().unwrap_or(ns);
        let picked = own_labels(&m.selector, m.namespace_selector.as_ref(), at, ns).map(|wanted| {
            let mut picked = Picked::default();
            for (cname, comp) in &app.components {
                if comp.selected_by(app.name_label(app_name), cname, &wanted) {
                    picked.any = true;
                    for (_, _, container) in comp.containers(cname) {
                        picked.ports.extend(container.ports.keys().cloned());
                    }
                }
            }
            picked
        });
        check_pod_endpoints(c, name, &m.pod_metrics_endpoints, &path);
        // A Postgres cluster's pods are the operator's.
        let elsewhere = !app.external_pods.is_empty()
            || !app.manifests.is_empty()
            || app.helm.is_some()
            || !c.env.postgres.is_empty();
        let what = ("PodMonitor", "pod", name.as_str(), "podMetricsEndpoints");
        check_monitor(c, what, &m.pod_metrics_endpoints, picked, elsewhere, &path);
    }
}

/// What a monitor's selector picks of the app: whether anything, and the
/// names of their ports (a Service's one unnamed port has none).
#[derive(Default)]
struct Picked {
    any: bool,
    ports: BTreeSet<String>,
}

/// A PodMonitor's endpoints: the operator's `PodMetricsEndpoint` has no
/// bearer token file and no TLS files, which the API server would drop
/// (or refuse) and the scrape then lacks.
fn check_pod_endpoints(c: &mut Checker<'_>, name: &str, endpoints: &[Endpoint], path: &FieldPath) {
    for (i, e) in endpoints.iter().enumerate() {
        let epath = path.key("podMetricsEndpoints").index(i);
        let files = e.tls_config.as_ref().map(|t| {
            [
                ("caFile", &t.ca_file),
                ("certFile", &t.cert_file),
                ("keyFile", &t.key_file),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
        });
        let field = match (&e.bearer_token_file, files.as_deref()) {
            (Some(_), _) => Some(epath.key("bearerTokenFile")),
            (None, Some([first, ..])) => Some(epath.key("tlsConfig").key(first)),
            _ => None,
        };
        if let Some(field) = field {
            c.push(
                "monitor-field",
                field,
                Target::Key,
                format!("PodMonitor `{name}` reads a file of the Prometheus pod, and a PodMonitor's endpoint has no such field"),
                "a ServiceMonitor's field only",
                Some("scrape through a ServiceMonitor, or give the credentials another way".into()),
            );
        }
    }
}

/// The labels a selector of labels alone wants, when it looks in the
/// app's namespace `ns` alone (a monitor in namespace `at` looks there
/// unless its `namespaceSelector` says otherwise): then the app's objects
/// are what it picks.
fn own_labels(
    selector: &LabelSelector,
    namespaces: Option<&NamespaceSelector>,
    at: &str,
    ns: &str,
) -> Option<indexmap::IndexMap<String, String>> {
    // A monitor looks in its own namespace `at`, unless told otherwise.
    let own = match namespaces {
        Some(n) if n.any == Some(true) => false,
        Some(n) if !n.match_names.is_empty() => n.match_names == [ns],
        _ => at == ns,
    };
    let labels = selector.match_labels.as_ref()?;
    (own && selector.match_expressions.is_none() && !labels.is_empty())
        .then(|| labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// One monitor (its kind, what it picks, its name, the field of its
/// endpoints) at `path`, given the port names of what its selector picks
/// of the app (none: it picks nothing; `None`: not known here) and
/// whether the app has Services or pods from elsewhere.
fn check_monitor(
    c: &mut Checker<'_>,
    (kind, picks, name, field): (&str, &str, &str, &str),
    endpoints: &[Endpoint],
    picked: Option<Picked>,
    elsewhere: bool,
    path: &FieldPath,
) {
    for (i, e) in endpoints.iter().enumerate() {
        let epath = path.key(field).index(i);
        let (Some(interval), Some(timeout)) = (e.interval.as_deref(), e.scrape_timeout.as_deref())
        else {
            continue;
        };
        if let (Some(iv), Some(to)) = (duration_ms(interval), duration_ms(timeout)) {
            if to > iv {
                c.push(
                    "monitor-timeout",
                    epath.key("scrapeTimeout"),
                    Target::Value,
                    format!("{kind} `{name}` scrapes every {interval} with a timeout of {timeout}, and Prometheus refuses a timeout longer than the interval"),
                    "longer than `interval`",
                    Some(format!("set `scrapeTimeout` to at most {interval}")),
                );
            }
        }
    }
    let Some(Picked { any, ports }) = picked else {
        return;
    };
    if !any {
        if !elsewhere {
            c.warn(
                "monitor-selects",
                path.key("selector"),
                Target::Key,
                format!("{kind} `{name}` picks no {picks} of the app by its selector, so it scrapes nothing the app makes"),
                format!("no {picks} of the app"),
                Some(format!("select by labels the app's {picks}s carry (cfggen's `app.kubernetes.io/name` and `app.kubernetes.io/component`, or their own `labels`)")),
            );
        }
        return;
    }
    for (i, e) in endpoints.iter().enumerate() {
        let Some(port) = e.port.as_deref().filter(|p| !ports.iter().any(|n| n == p)) else {
            continue;
        };
        c.warn(
            "monitor-port",
            path.key(field).index(i).key("port"),
            Target::Value,
            format!("{kind} `{name}` scrapes port `{port}`, and no {picks} of the app it picks has a port of that name"),
            format!("not a port name of its {picks}s"),
            Some(if ports.is_empty() {
                format!("name the {picks}s' ports, or scrape by `targetPort`")
            } else {
                format!("name one of {}", ports.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "))
            }),
        );
    }
}

/// The app's Prometheus servers: the service account they run as is
/// declared, and each picks up something to scrape.
pub(super) fn check_prometheuses(c: &mut Checker<'_>, app: &crate::App, base: &FieldPath) {
    for (name, p) in &app.prometheuses {
        let path = base.key("prometheuses").key(name);
        super::labels::check_labels(c, &p.labels, &path.key("labels"));
        if let Some(account) = &p.service_account_name {
            super::rbac::check_account_declared(
                c,
                app,
                account,
                &format!("Prometheus `{name}` runs"),
                path.key("serviceAccountName"),
            );
        }
        if p.selects_nothing() {
            c.warn(
                "prometheus-selects-nothing",
                path.clone(),
                Target::Key,
                format!("Prometheus `{name}` has no ServiceMonitor, PodMonitor, Probe or ScrapeConfig selector, so it scrapes nothing (a selector left out picks up none; `{{}}` picks up all)"),
                "scrapes nothing",
                Some("add `serviceMonitorSelector: {matchLabels: {…}}` (or `{}` for every ServiceMonitor)".into()),
            );
        }
    }
}
