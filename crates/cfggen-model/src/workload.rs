//! What kind of workload a component is, and the settings of each kind:
//! a Deployment (the default) with its update strategy, a StatefulSet with
//! its claim templates and governing Service, a DaemonSet, a CronJob, a
//! Job, a bare Pod and a ReplicationController; and a PodDisruptionBudget
//! when one is asked for.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;
use crate::storage::Claim;

/// The Kubernetes Deployment strategy (`RollingUpdate` with `maxSurge` and
/// `maxUnavailable`, or `Recreate`).
pub type DeploymentStrategy = k8s_openapi::api::apps::v1::DeploymentStrategy;
/// The Kubernetes StatefulSet update strategy.
pub type StatefulSetUpdateStrategy = k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy;
/// The Kubernetes DaemonSet update strategy.
pub type DaemonSetUpdateStrategy = k8s_openapi::api::apps::v1::DaemonSetUpdateStrategy;

/// The kind of workload a component becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Kind {
    /// Identical pods, replaced on update (the default).
    #[default]
    Deployment,
    /// Pods with stable names and their own volumes.
    StatefulSet,
    /// One pod per node.
    DaemonSet,
    /// A Job on a schedule.
    CronJob,
    /// Pods that run to completion once.
    Job,
    /// One pod, made once and replaced by no controller (a test pod, a
    /// debugging shell): its labels are the pod's.
    Pod,
    /// Identical pods kept running by the older controller (a
    /// `ReplicationController`, which a Deployment replaces): no rolling
    /// update.
    ReplicationController,
}

impl Kind {
    /// The Kubernetes kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::CronJob => "CronJob",
            Kind::Job => "Job",
            Kind::Pod => "Pod",
            Kind::ReplicationController => "ReplicationController",
        }
    }

    /// Whether the kind has a replica count.
    pub fn has_replicas(self) -> bool {
        matches!(
            self,
            Kind::Deployment | Kind::StatefulSet | Kind::ReplicationController
        )
    }

    /// Whether its pods run to completion (a Job, or a CronJob's Jobs).
    pub fn runs_to_completion(self) -> bool {
        matches!(self, Kind::CronJob | Kind::Job)
    }
}

/// StatefulSet settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatefulSetSettings {
    /// The governing Service: one of the app's `services`, headless.
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub service_name: String,
    /// `OrderedReady` (the default) or `Parallel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_management_policy: Option<PodManagementPolicy>,
    /// How pods are replaced on update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<StatefulSetUpdateStrategy>,
    /// Whether the claims of `volumeClaimTemplates` are deleted with the
    /// StatefulSet (`whenDeleted`) or when it scales down (`whenScaled`):
    /// `Retain` (the default) or `Delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_retention_policy:
        Option<k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy>,
    /// A claim per pod, by name; a container mounts one by that name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub volume_claim_templates: IndexMap<String, Claim>,
}

/// How a StatefulSet starts and stops its pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PodManagementPolicy {
    /// One after the other.
    OrderedReady,
    /// All at once.
    Parallel,
}

impl PodManagementPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PodManagementPolicy::OrderedReady => "OrderedReady",
            PodManagementPolicy::Parallel => "Parallel",
        }
    }
}

/// DaemonSet settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaemonSetSettings {
    /// How pods are replaced on update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<DaemonSetUpdateStrategy>,
}

/// CronJob settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CronJobSettings {
    /// When to run: five cron fields (`30 2 * * *`) or a macro (`@daily`).
    #[schemars(extend("examples" = ["30 2 * * *", "@hourly"]))]
    pub schedule: String,
    /// The time zone of the schedule, e.g. `Europe/Berlin`; the
    /// controller's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$"), extend("examples" = ["Etc/UTC"]))]
    pub time_zone: Option<String>,
    /// `Allow` (the default), `Forbid` or `Replace` a run still going.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// Stop scheduling new runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspend: bool,
    /// Finished Jobs kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<u32>,
    /// Failed Jobs kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<u32>,
    /// Seconds after its time a missed run may still start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<u32>,
}

/// What a CronJob does with a run that is still going.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Start the next one too.
    Allow,
    /// Skip the next one.
    Forbid,
    /// Stop it and start the next one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// Settings of a Job (or of the Jobs a CronJob starts).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JobSettings {
    /// Retries before the Job fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<u32>,
    /// Seconds the Job may run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<u32>,
    /// Seconds a finished Job is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<u32>,
    /// Pods that must succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<u32>,
    /// Pods that run at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
    /// `OnFailure` (the default) or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<JobRestartPolicy>,
}

/// When a Job's pod is restarted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum JobRestartPolicy {
    /// Restart the container when it fails.
    #[default]
    OnFailure,
    /// Never: a failure makes a new pod.
    Never,
}

impl JobRestartPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobRestartPolicy::OnFailure => "OnFailure",
            JobRestartPolicy::Never => "Never",
        }
    }
}

/// A PodDisruptionBudget for the component: exactly one of the two.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DisruptionBudget {
    /// The budget's name; the workload's when absent. Set it to keep the
    /// name of a budget that already exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
    /// Pods that must stay up during voluntary disruptions: a number or a
    /// percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<Amount>,
    /// Pods that may be down at once: a number or a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<Amount>,
}

/// A PodDisruptionBudget of pods the app does not run as one of its
/// components (a chart's, an operator's: a Prometheus's servers), by
/// name (`disruptionBudgets.<name>`): its selector picks them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "selector": {"matchLabels": {"app.kubernetes.io/name": "kubechecks"}},
    "minAvailable": 1
}]))]
pub struct PodBudget {
    /// The pods, by their labels (Kubernetes `LabelSelector`).
    pub selector: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    /// Pods that must stay up during voluntary disruptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<Amount>,
    /// Pods that may be down at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<Amount>,
    /// `IfHealthyBudget` (Kubernetes' default) or `AlwaysAllow`: whether
    /// pods that are not ready may be evicted regardless.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["IfHealthyBudget", "AlwaysAllow"]))]
    pub unhealthy_pod_eviction_policy: Option<String>,
    /// Labels of the budget, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the budget.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A number of pods, or a percentage of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Amount {
    /// A number of pods.
    Count(u32),
    /// A percentage, e.g. `"50%"`.
    Percent(#[schemars(regex(pattern = "^[0-9]{1,3}%$"))] String),
}

/// Whether a CronJob schedule is well formed: five fields of numbers,
/// ranges, lists, steps, `*` or `?` (and month and day names), or one of
/// the macros. Returns what is wrong.
pub fn schedule_error(schedule: &str) -> Option<String> {
    const MACROS: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    let s = schedule.trim();
    if s.starts_with('@') {
        return (!MACROS.contains(&s))
            .then(|| format!("`{s}` is not one of {}", MACROS.join(", ")));
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Some("a time zone in the schedule is not allowed; set `timeZone`".into());
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "it has {} fields; a schedule has five: minute hour day-of-month month day-of-week",
            fields.len()
        ));
    }
    const MONTHS: &[&str] = &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let specs: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day of month", 1, 31, &[]),
        ("month", 1, 12, MONTHS),
        ("day of week", 0, 7, DAYS),
    ];
    for (field, (what, min, max, words)) in fields.iter().zip(specs) {
        if let Some(why) = field_error(field, min, max, words) {
            return Some(format!("the {what} field `{field}` {why}"));
        }
    }
    None
}

/// What is wrong with one cron field, if anything.
fn field_error(field: &str, min: u32, max: u32, words: &[&str]) -> Option<String> {
    let value = |v: &str| -> Option<u32> {
        v.parse::<u32>().ok().or_else(|| {
            let upper = v.to_ascii_uppercase();
            words
                .iter()
                .position(|w| *w == upper)
                .and_then(|i| u32::try_from(i).ok())
                .map(|i| i + if words.len() == 12 { 1 } else { 0 })
        })
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            if step.parse::<u32>().map_or(true, |n| n == 0) {
                return Some(format!(
                    "has the step `{step}`, which is not a positive number"
                ));
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (range, None),
        };
        for v in std::iter::once(a).chain(b) {
            match value(v) {
                Some(n) if (min..=max).contains(&n) => {}
                Some(n) => return Some(format!("has {n}, outside {min}–{max}")),
                None => return Some(format!("has `{v}`, which is not a number")),
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        for ok in [
            "30 2 * * *",
            "*/15 * * * *",
            "0 0 1,15 * MON-FRI",
            "@daily",
            "0 4 * JAN,JUL 0",
        ] {
            assert_eq!(schedule_error(ok), None, "{ok}");
        }
        for bad in [
            "* * * *",
            "61 * * * *",
            "0 24 * * *",
            "@sometimes",
            "*/0 * * * *",
            "0 0 0 * *",
            "a b c d e",
        ] {
            assert!(schedule_error(bad).is_some(), "{bad}");
        }
        assert_eq!(
            schedule_error("61 * * * *").unwrap(),
            "the minute field `61` has 61, outside 0–59"
        );
    }
}
