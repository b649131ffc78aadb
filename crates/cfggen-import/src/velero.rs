//! A Velero Schedule → one of the app's `veleroSchedules`, built as the
//! model's own type (whose template is Velero's, field for field).

use cfggen_model::velero::VeleroSchedule;
use serde_json::Value;

use crate::take::{typed, Taker, Why};

/// The `veleroSchedules` entry of a `velero.io/v1` Schedule of an app
/// whose name label is `name_label`, or why it stays raw.
pub(crate) fn schedule(object: &Value, name_label: &str) -> Result<VeleroSchedule, Why> {
    let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
    let flag = |spec: &mut Taker, key: &str| -> Result<Option<bool>, Why> {
        spec.take(key)
            .map(|v| {
                v.as_bool()
                    .ok_or(format!("`spec.{key}` is not true or false"))
            })
            .transpose()
    };
    let schedule = VeleroSchedule {
        schedule: spec.string("schedule")?.ok_or("no `spec.schedule`")?,
        paused: flag(&mut spec, "paused")?,
        skip_immediately: flag(&mut spec, "skipImmediately")?,
        use_owner_references_in_backup: flag(&mut spec, "useOwnerReferencesInBackup")?,
        template: typed(
            spec.take_any("template").unwrap_or(Value::Null),
            "spec.template",
        )?,
        labels: crate::take::own_strings(labels, name_label),
        annotations: crate::take::own_strings(annotations, name_label),
    };
    spec.done()?;
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn daily(template: Value) -> Value {
        json!({"apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": {"name": "daily-web", "namespace": "velero", "labels": {"backup-tier": "daily"}},
            "spec": {"schedule": "0 2 * * *", "paused": false, "template": template}})
    }

    #[test]
    fn a_schedule_keeps_its_template_as_velero_writes_it() {
        let s = schedule(
            &daily(json!({"includedNamespaces": ["web"], "ttl": "336h",
                "orLabelSelectors": [{"matchLabels": {"app": "web"}}],
                "excludedResources": ["events"], "defaultVolumesToFsBackup": true,
                "metadata": {"labels": {"tier": "daily"}}})),
            "velero",
        )
        .unwrap();
        assert_eq!(s.schedule, "0 2 * * *");
        assert_eq!(s.paused, Some(false));
        assert_eq!(s.template.included_namespaces, ["web"]);
        assert_eq!(s.template.ttl.as_deref(), Some("336h"));
        assert_eq!(s.template.default_volumes_to_fs_backup, Some(true));
        assert_eq!(s.labels["backup-tier"], "daily");
        let rendered = serde_json::to_value(&s.template).unwrap();
        assert_eq!(
            rendered["orLabelSelectors"],
            json!([{"matchLabels": {"app": "web"}}])
        );
        assert_eq!(rendered["metadata"], json!({"labels": {"tier": "daily"}}));
    }

    #[test]
    fn hooks_have_no_typed_form_and_keep_it_raw() {
        let why = schedule(&daily(json!({"hooks": {"resources": []}})), "velero").unwrap_err();
        assert_eq!(
            why,
            "`hooks` (in `spec.template`) has no typed form in cfggen"
        );
        let why = schedule(
            &json!({"apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": {"name": "x"}, "spec": {"template": {}}}),
            "velero",
        )
        .unwrap_err();
        assert_eq!(why, "no `spec.schedule`");
    }
}
