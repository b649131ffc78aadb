//! Dapr building blocks of an app (`daprComponents`,
//! `daprConfigurations`): the `dapr.io/v1alpha1` Components its sidecars
//! load (a state store, a pub/sub broker, a binding) and the
//! Configurations they run with (tracing, metrics, features).
//!
//! A component's metadata is a value, an environment variable of the
//! sidecar, or a key of a Secret: a secret value never sits in config.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names;
use crate::refs::{SecretFieldRef, REF_PATTERN};

/// A Dapr Component, by name (`daprComponents.<name>`): the name the
/// app's code uses for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "type": "state.redis",
    "version": "v1",
    "metadata": {"redisHost": "redis-master:6379", "redisPassword": {"secret": "redis/redis-password"}}
}]))]
pub struct DaprComponent {
    /// The component's type: its building block and implementation
    /// (`state.redis`, `pubsub.kafka`, `bindings.cron`).
    #[serde(rename = "type")]
    #[schemars(regex(pattern = r"^[a-z0-9]+\.[a-zA-Z0-9.\-_]+$"), extend("examples" = ["state.redis"]))]
    pub kind: String,
    /// The version of the component's interface (`v1`).
    #[schemars(regex(pattern = "^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$"))]
    pub version: String,
    /// Its settings, by name, in order.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub metadata: IndexMap<String, DaprValue>,
    /// The Dapr secret store `{secret: …}` values read from; Kubernetes
    /// Secrets of the app's namespace (`kubernetes`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<String>,
    /// The app IDs that may load it; every app of the namespace when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// How long the sidecar waits for it to start (`30s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DURATION))]
    pub init_timeout: Option<String>,
    /// Whether the sidecar starts although the component fails to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_errors: Option<bool>,
    /// Labels of the Component, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Component.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// One setting of a Dapr component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum DaprValue {
    /// A value as written (text, a number, a flag). Never a secret.
    Literal(crate::container::Literal),
    /// `{secret: <secret>/<key>}`: a key of a Secret (of the component's
    /// secret store; a Kubernetes Secret of the app by default).
    Secret {
        /// `<secret>/<key>`.
        #[schemars(regex(pattern = REF_PATTERN), extend("examples" = ["redis/redis-password"]))]
        secret: SecretFieldRef,
    },
    /// `{env: <VAR>}`: an environment variable of the sidecar.
    Env {
        /// The variable's name.
        #[schemars(regex(pattern = names::ENV_VAR))]
        env: String,
    },
}

/// A Dapr Configuration, by name (`daprConfigurations.<name>`): what the
/// sidecars of the pods that name it (`dapr.io/config`) run with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("examples" = [{
    "tracing": {"samplingRate": "1", "zipkin": {"endpointAddress": "http://zipkin.monitoring:9411/api/v2/spans"}}
}]))]
pub struct DaprConfiguration {
    /// Distributed tracing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<DaprTracing>,
    /// Whether the sidecars expose metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<DaprToggle>,
    /// Preview features, each on or off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<DaprFeature>,
    /// Labels of the Configuration, beside cfggen's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    /// Annotations of the Configuration.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// How a Dapr sidecar traces calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaprTracing {
    /// The share of calls traced, `0` to `1`, as text (`"1"`: every call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^(0(\.[0-9]+)?|1(\.0+)?)$"))]
    pub sampling_rate: Option<String>,
    /// Whether spans are written to the sidecar's output too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<bool>,
    /// A Zipkin collector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zipkin: Option<DaprZipkin>,
    /// An OpenTelemetry collector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otel: Option<DaprOtel>,
}

/// A Zipkin collector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaprZipkin {
    /// Its spans endpoint (`http://zipkin:9411/api/v2/spans`).
    #[schemars(regex(pattern = "^https?://"))]
    pub endpoint_address: String,
}

/// An OpenTelemetry collector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaprOtel {
    /// Its address (`otel-collector:4317`).
    pub endpoint_address: String,
    /// Whether the connection uses TLS.
    pub is_secure: bool,
    /// `grpc` or `http`.
    #[schemars(extend("enum" = ["grpc", "http"]))]
    pub protocol: String,
}

/// Something a Dapr sidecar does or does not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaprToggle {
    /// On or off.
    pub enabled: bool,
}

/// A preview feature of Dapr, on or off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaprFeature {
    /// The feature's name.
    #[schemars(length(min = 1))]
    pub name: String,
    /// On or off.
    pub enabled: bool,
}

impl DaprComponent {
    /// Whether its `{secret: …}` values are Kubernetes Secrets of the
    /// app's namespace (the `kubernetes` store, Dapr's default).
    pub fn reads_kubernetes_secrets(&self) -> bool {
        self.secret_store
            .as_deref()
            .is_none_or(|s| s == "kubernetes")
    }
}
