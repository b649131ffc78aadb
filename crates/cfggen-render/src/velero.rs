//! An app's Velero backup Schedules, in its folder.

use cfggen_model::velero::BackupTemplate;
use cfggen_model::App;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::{file_name, own_meta, waves, Output, RenderError};

/// A `velero.io/v1` Schedule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schedule<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ScheduleSpec<'a>,
}

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
    let ns = app.namespace(name);
    for (sname, schedule) in &app.velero_schedules {
        let metadata = own_meta(
            sname,
            ns,
            app.name_label(name),
            &schedule.labels,
            &schedule.annotations,
            waves::WORKLOADS,
        );
        let object = Schedule {
            api_version: "velero.io/v1",
            kind: "Schedule",
            metadata,
            spec: ScheduleSpec {
                schedule: &schedule.schedule,
                paused: schedule.paused,
                skip_immediately: schedule.skip_immediately,
                use_owner_references_in_backup: schedule.use_owner_references_in_backup,
                template: &schedule.template,
            },
        };
        out.resource(name, ns, file_name("Schedule", sname), &object)?;
    }
    Ok(())
}
