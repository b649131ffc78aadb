//! An app's Velero backup Schedules, in its folder.

use cfggen_model::velero::BackupTemplate;
use cfggen_model::App;
use serde::Serialize;

use crate::custom::{resource, Custom};
use crate::{waves, Output, RenderError};

/// The spec of a `velero.io/v1` Schedule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScheduleSpec<'a> {
    schedule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    paused: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_immediately: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    use_owner_references_in_backup: Option<bool>,
    template: &'a BackupTemplate,
}

/// One Schedule per entry of the app's `veleroSchedules`: its own labels
/// under the app's (cfggen's win), its annotations; the template as
/// written.
pub(crate) fn velero_schedules(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    for (sname, schedule) in &app.velero_schedules {
        let custom = Custom {
            kind: ("velero.io/v1", "Schedule"),
            name: sname,
            labels: &schedule.labels,
            annotations: &schedule.annotations,
            wave: waves::WORKLOADS,
            cluster_wide: false,
            namespace: None,
        };
        let spec = ScheduleSpec {
            schedule: &schedule.schedule,
            paused: schedule.paused,
            skip_immediately: schedule.skip_immediately,
            use_owner_references_in_backup: schedule.use_owner_references_in_backup,
            template: &schedule.template,
        };
        resource(out, name, app, custom, &spec)?;
    }
    Ok(())
}
