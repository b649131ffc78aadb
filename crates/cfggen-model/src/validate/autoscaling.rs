//! Rules about a component's autoscaler: of a Deployment or a
//! StatefulSet, the only one to count its pods, its bounds in order, and
//! the requests its utilization targets are a share of.

use super::{Checker, Target};
use crate::app::{Component, ContainerRole};
use crate::workload::Kind;
use crate::FieldPath;

/// The autoscaler of component `cname`, when it has one.
pub(super) fn check_autoscaling(
    c: &mut Checker<'_>,
    cname: &str,
    comp: &Component,
    cpath: &FieldPath,
) {
    let Some(hpa) = &comp.autoscaling else {
        return;
    };
    let apath = cpath.key("autoscaling");
    if !matches!(comp.kind, Kind::Deployment | Kind::StatefulSet) {
        c.push(
            "autoscaling-kind",
            apath.clone(),
            Target::Key,
            format!(
                "component `{cname}` is a {}, which a HorizontalPodAutoscaler cannot scale",
                comp.kind.as_str()
            ),
            "not a Deployment or a StatefulSet",
            Some(
                "remove `autoscaling`, or make the component a Deployment or a StatefulSet".into(),
            ),
        );
    }
    if comp.replicas.is_some() {
        c.push(
            "autoscaling-replicas",
            cpath.key("replicas"),
            Target::Key,
            format!("component `{cname}` sets `replicas` beside `autoscaling`, and the autoscaler counts its pods"),
            "the autoscaler's to set",
            Some(format!(
                "remove `replicas`; set `autoscaling.minReplicas` ({} now) for the fewest pods",
                hpa.min()
            )),
        );
    }
    if hpa.min() > hpa.max_replicas {
        c.push(
            "autoscaling-bounds",
            apath.key("minReplicas"),
            Target::Value,
            format!(
                "component `{cname}` scales between {} and {} pods: the fewest is more than the most",
                hpa.min(),
                hpa.max_replicas
            ),
            "above `maxReplicas`",
            Some(format!("set it to at most {}", hpa.max_replicas)),
        );
    }
    // A utilization is a share of the request: every container needs one.
    for resource in hpa.utilization_resources() {
        let without: Vec<&str> = comp
            .containers(cname)
            .into_iter()
            .filter(|(role, _, _)| *role != ContainerRole::Init)
            .filter(|(_, _, container)| {
                !container
                    .resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .is_some_and(|r| r.contains_key(resource))
            })
            .map(|(_, name, _)| name)
            .collect();
        if without.is_empty() {
            continue;
        }
        c.warn(
            "autoscaling-requests",
            apath.key("metrics"),
            Target::Key,
            format!(
                "component `{cname}` scales on its {resource} utilization, and container{} {} request{} no {resource}: the autoscaler cannot compute it",
                if without.len() == 1 { "" } else { "s" },
                without.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                if without.len() == 1 { "s" } else { "" }
            ),
            "no request to be a share of",
            Some(format!("set `resources.requests.{resource}` on every container of the pod")),
        );
    }
}
