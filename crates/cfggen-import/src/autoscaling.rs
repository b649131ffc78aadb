//! A HorizontalPodAutoscaler → the `autoscaling` of the component whose
//! workload it scales, built as the model's own type.

use cfggen_model::autoscaling::Autoscaling;
use serde_json::Value;

use crate::take::{Taker, Why};

/// What an autoscaler scales: the workload's kind and name.
pub(crate) struct Target {
    pub kind: String,
    pub name: String,
}

/// The autoscaler `name`, an `autoscaling/v2` HorizontalPodAutoscaler:
/// its target, and its `autoscaling` entry (named when its name is not
/// the workload's), or why it stays raw.
pub(crate) fn autoscaler(name: &str, object: &Value) -> Result<(Target, Autoscaling), Why> {
    let (mut t, meta) = crate::take::object(object)?;
    meta.done()
        .map_err(|why| format!("{why} (cfggen labels an autoscaler as its component)"))?;
    let mut spec = t.sub("spec")?;
    t.done()?;
    let mut target = spec.sub("scaleTargetRef")?;
    if target.string("apiVersion")?.as_deref() != Some("apps/v1") {
        return Err("it scales something other than an apps/v1 workload".into());
    }
    let kind = target.string("kind")?.unwrap_or_default();
    let target_name = target
        .string("name")?
        .ok_or("`spec.scaleTargetRef` names no workload")?;
    target.done()?;
    let count = |spec: &mut Taker, key: &str| -> Result<Option<u32>, Why> {
        spec.take(key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or(format!("`spec.{key}` is not a count"))
            })
            .transpose()
    };
    let min_replicas = count(&mut spec, "minReplicas")?;
    let max_replicas = count(&mut spec, "maxReplicas")?.ok_or("no `spec.maxReplicas`")?;
    let metrics = spec
        .take("metrics")
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("`spec.metrics`: {e}"))?
        .unwrap_or_default();
    let behavior = spec
        .take("behavior")
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("`spec.behavior`: {e}"))?;
    spec.done()?;
    let hpa = Autoscaling {
        name: (name != target_name).then(|| name.to_owned()),
        min_replicas,
        max_replicas,
        metrics,
        behavior,
    };
    Ok((
        Target {
            kind,
            name: target_name,
        },
        hpa,
    ))
}
