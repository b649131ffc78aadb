//! A component's HorizontalPodAutoscaler, beside its workload.

use cfggen_model::app::workload_name;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};

use crate::pod::PodOf;
use crate::{app_labels, file_name, meta, waves, Output, RenderError};

/// The autoscaler of the component, when it has one: `autoscaling/v2`,
/// aimed at its workload, with the component's labels.
pub(crate) fn autoscaler(out: &mut Output, pod: &PodOf<'_>) -> Result<(), RenderError> {
    let (name, app, comp) = (pod.app_name, pod.app, pod.comp);
    let Some(hpa) = &comp.autoscaling else {
        return Ok(());
    };
    let ns = app.namespace(name);
    let workload = workload_name(name, pod.cname, comp);
    let object_name = hpa.name.clone().unwrap_or_else(|| workload.clone());
    let object = HorizontalPodAutoscaler {
        metadata: meta(
            &object_name,
            ns,
            app_labels(
                comp.label_of(app.name_label(name)),
                Some(comp.component_label_of(pod.cname)),
            ),
            waves::WORKLOADS,
        ),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: comp.kind.as_str().into(),
                name: workload,
            },
            min_replicas: hpa.min_replicas.and_then(|n| i32::try_from(n).ok()),
            max_replicas: i32::try_from(hpa.max_replicas).unwrap_or(i32::MAX),
            metrics: (!hpa.metrics.is_empty()).then(|| hpa.metrics.clone()),
            behavior: hpa.behavior.clone(),
        }),
        ..HorizontalPodAutoscaler::default()
    };
    out.resource(
        name,
        ns,
        file_name("HorizontalPodAutoscaler", &object_name),
        &object,
    )
}
