//! Prometheus operator monitors: a ServiceMonitor scrapes the endpoints
//! of the Services its selector picks, by the names of their ports; a
//! PodMonitor scrapes pods, by the names of their containers' ports.
//! Both are `monitoring.coreos.com/v1`, rendered in the app's folder.

use indexmap::IndexMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Prometheus duration: `30s`, `1m30s`, `1h` (units y, w, d, h, m, s,
/// ms, largest first).
pub const PROMETHEUS_DURATION: &str =
    "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

/// A ServiceMonitor: which Services Prometheus scrapes, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitor {
    /// The namespace the monitor is made in, when not the app's: it
    /// scrapes Services of that namespace (another tool's, a chart's), which
    /// cfggen does not check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// The Services scraped, by their labels (Kubernetes
    /// `LabelSelector`): a Service of the app carries
    /// `app.kubernetes.io/name`, its `labels` and, when it selects a
    /// component, `app.kubernetes.io/component`.
    pub selector: LabelSelector,
    /// The namespaces the Services are in; the monitor's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<NamespaceSelector>,
    /// The Service ports scraped, each by its name.
    pub endpoints: Vec<Endpoint>,
    /// The Service label whose value names the job; the Service's name
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_label: Option<String>,
    /// Service labels copied onto the scraped series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_labels: Vec<String>,
    /// Pod labels copied onto the scraped series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_target_labels: Vec<String>,
    /// The most samples a scrape may return (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_limit: Option<u64>,
    /// The most targets (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_limit: Option<u64>,
    /// Labels of the ServiceMonitor (a Prometheus picks monitors by
    /// them, e.g. `release: prometheus`), beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the ServiceMonitor.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A PodMonitor: which pods Prometheus scrapes, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodMonitor {
    /// The namespace the monitor is made in, when not the app's: it
    /// scrapes pods of that namespace (another tool's, a chart's), which
    /// cfggen does not check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = crate::names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// The pods scraped, by their labels (Kubernetes `LabelSelector`).
    pub selector: LabelSelector,
    /// The namespaces the pods are in; the monitor's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<NamespaceSelector>,
    /// The container ports scraped, each by its name.
    pub pod_metrics_endpoints: Vec<Endpoint>,
    /// The pod label whose value names the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_label: Option<String>,
    /// Pod labels copied onto the scraped series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_target_labels: Vec<String>,
    /// The most samples a scrape may return (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_limit: Option<u64>,
    /// The most targets (0: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_limit: Option<u64>,
    /// Labels of the PodMonitor, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the PodMonitor.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// The namespaces a monitor looks in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespaceSelector {
    /// Every namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<bool>,
    /// These namespaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_names: Vec<String>,
}

/// One endpoint a monitor scrapes (the Prometheus operator's `Endpoint`
/// and `PodMetricsEndpoint`, but for the credentials read from Secrets
/// and the OAuth2 and proxy settings).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoint {
    /// The name of the Service's (or the container's) port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The target port, by number or name (deprecated by the operator in
    /// favour of `port`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<IntOrString>,
    /// The HTTP path; `/metrics` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `http` or `https` (the operator takes `HTTP` and `HTTPS` too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["http", "https", "HTTP", "HTTPS"]))]
    pub scheme: Option<String>,
    /// URL parameters of each scrape.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub params: IndexMap<String, Vec<String>>,
    /// How often; the Prometheus's global interval when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = PROMETHEUS_DURATION))]
    pub interval: Option<String>,
    /// How long a scrape may take; at most `interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = PROMETHEUS_DURATION))]
    pub scrape_timeout: Option<String>,
    /// Keeps the target's labels where they clash with the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honor_labels: Option<bool>,
    /// Keeps the target's timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honor_timestamps: Option<bool>,
    /// Marks a series stale when it stops, even with timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_timestamps_staleness: Option<bool>,
    /// A file in the Prometheus pod holding the bearer token (a
    /// ServiceMonitor's only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token_file: Option<String>,
    /// TLS of an `https` scrape (its files, in the Prometheus pod, a
    /// ServiceMonitor's only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsFiles>,
    /// Follows HTTP redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    /// Allows HTTP/2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "enableHttp2")]
    pub enable_http2: Option<bool>,
    /// Drops targets whose pods have ended (the default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_running: Option<bool>,
    /// Rewrites of the target's labels before the scrape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relabelings: Vec<Relabeling>,
    /// Rewrites of the scraped series before they are stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metric_relabelings: Vec<Relabeling>,
}

/// TLS of a scrape, from files in the Prometheus pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsFiles {
    /// The CA certificate file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// The client certificate file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The client key file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// The name the target's certificate must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Takes any certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
}

/// A Prometheus relabeling rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Relabeling {
    /// The labels whose values are joined and matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_labels: Vec<String>,
    /// What joins them; `;` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// The label written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_label: Option<String>,
    /// The regular expression matched; `(.*)` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// The modulus of `hashmod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modulus: Option<u64>,
    /// What is written; `$1` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// `replace` (the default), `keep`, `drop`, `hashmod`, `labelmap`,
    /// `labeldrop`, `labelkeep`, `lowercase`, `uppercase`, `keepequal`,
    /// `dropequal` (the operator takes them capitalised too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["replace", "Replace", "keep", "Keep", "drop", "Drop", "hashmod", "HashMod", "labelmap", "LabelMap", "labeldrop", "LabelDrop", "labelkeep", "LabelKeep", "lowercase", "Lowercase", "uppercase", "Uppercase", "keepequal", "KeepEqual", "dropequal", "DropEqual"]))]
    pub action: Option<String>,
}

/// The milliseconds of a Prometheus duration (`1m30s`), when it is one.
pub fn duration_ms(text: &str) -> Option<u64> {
    const UNITS: [(&str, u64); 7] = [
        ("ms", 1),
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
    ];
    if text == "0" {
        return Some(0);
    }
    let (mut rest, mut total) = (text, 0u64);
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().ok()?;
        let (unit, factor) = UNITS.iter().find(|(u, _)| rest[digits..].starts_with(u))?;
        total = total.checked_add(n.checked_mul(*factor)?)?;
        rest = &rest[digits + unit.len()..];
    }
    (!text.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_durations_in_milliseconds() {
        assert_eq!(duration_ms("30s"), Some(30_000));
        assert_eq!(duration_ms("1m30s"), Some(90_000));
        assert_eq!(duration_ms("500ms"), Some(500));
        assert_eq!(duration_ms("1h"), Some(3_600_000));
        assert_eq!(duration_ms("0"), Some(0));
        assert_eq!(duration_ms(""), None);
        assert_eq!(duration_ms("30"), None);
        assert_eq!(duration_ms("1x"), None);
    }
}
