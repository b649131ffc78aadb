//! An app and its parts: components (Deployments), services, ingress,
//! ConfigMaps; the database and secrets models live in their own modules.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::database::Database;
use crate::image::ImageRef;
use crate::names;
use crate::refs::{ConfigMapKeyRef, SecretFieldRef, REF_PATTERN};
use crate::secrets::SecretItem;

/// An app: one namespace, one image (components may override it), its
/// workloads, how they are reached, its database and its secrets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// Namespace the app runs in; the app's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_LABEL))]
    pub namespace: Option<String>,
    /// The image every component runs unless it names its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The app's workloads, by name; each becomes the Deployment `<app>-<component>`.
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub components: IndexMap<String, Component>,
    /// Services, by their Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub services: IndexMap<String, Service>,
    /// An Ingress in front of one of the services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Ingress>,
    /// ConfigMaps, by their Kubernetes name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub config_maps: IndexMap<String, ConfigMap>,
    /// The app's PostgreSQL database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Database>,
    /// 1Password items the app reads, by the name of the Kubernetes Secret
    /// each becomes.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_SUBDOMAIN}))]
    pub secrets: IndexMap<String, SecretItem>,
}

impl App {
    /// The namespace: declared, or the app's name.
    pub fn namespace<'a>(&'a self, app_name: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(app_name)
    }

    /// The image a component runs: its own, or the app's.
    pub fn image_of<'a>(&'a self, component: &'a Component) -> Option<&'a ImageRef> {
        component.image.as_ref().or(self.image.as_ref())
    }
}

/// The name of a component's workload (its Deployment): `<app>-<component>`.
pub fn workload_name(app: &str, component: &str) -> String {
    format!("{app}-{component}")
}

/// A workload: one Deployment with one container.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Component {
    /// The image, when it is not the app's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Replaces the image's entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["server"]]))]
    pub args: Vec<String>,
    /// Number of pods.
    #[serde(default = "default_replicas")]
    pub replicas: u32,
    /// Container ports, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::PORT_NAME}), extend("examples" = [{"http": 9000}]))]
    pub ports: IndexMap<String, u16>,
    /// Environment variables: a literal value, or a reference to a secret
    /// field or ConfigMap key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::ENV_VAR}))]
    pub env: IndexMap<String, EnvValue>,
    /// Health checks.
    #[serde(default, skip_serializing_if = "Probes::is_empty")]
    pub probes: Probes,
    /// CPU and memory requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Volumes mounted into the container, by volume name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub volumes: IndexMap<String, Volume>,
}

fn default_replicas() -> u32 {
    1
}

/// The value of an environment variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum EnvValue {
    /// A literal value. Never a secret: names that look secret
    /// (`…PASSWORD`, `…TOKEN`, …) must come from a secret.
    Literal(Literal),
    /// `{secret: <secret>/<field>}`: a field of one of the app's secrets.
    Secret {
        /// `<secret>/<field>`: a key of the app's `secrets` and one of its fields.
        #[schemars(regex(pattern = REF_PATTERN), extend("examples" = ["authentik-config/secret-key"]))]
        secret: SecretFieldRef,
    },
    /// `{configMap: <configmap>/<key>}`: a key of one of the app's ConfigMaps.
    ConfigMap {
        /// `<configmap>/<key>`.
        #[serde(rename = "configMap")]
        #[schemars(regex(pattern = REF_PATTERN))]
        config_map: ConfigMapKeyRef,
    },
}

/// A literal environment value; numbers and booleans become strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    /// Text.
    String(String),
    /// A whole number.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::String(s) => f.write_str(s),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// The three Kubernetes probes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probes {
    /// Restart the container when this fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
    /// Take the pod out of its Services while this fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    /// Hold the other probes until this succeeds once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
}

impl Probes {
    /// No probe at all.
    pub fn is_empty(&self) -> bool {
        self.liveness.is_none() && self.readiness.is_none() && self.startup.is_none()
    }

    /// The declared probes with their field names.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Probe)> {
        [
            ("liveness", &self.liveness),
            ("readiness", &self.readiness),
            ("startup", &self.startup),
        ]
        .into_iter()
        .filter_map(|(n, p)| p.as_ref().map(|p| (n, p)))
    }
}

/// A probe: exactly one of `http`, `tcp` or `exec`, and its timing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// An HTTP GET that must answer 2xx/3xx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpProbe>,
    /// A TCP port that must accept connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<PortRef>,
    /// A command that must exit 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    /// Seconds before the first check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<u32>,
    /// Seconds a check may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// Failed checks in a row that count as failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
}

/// An HTTP GET probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpProbe {
    /// The path to GET.
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/-/health/live/"]))]
    pub path: String,
    /// A port of the component: its name or number.
    pub port: PortRef,
}

/// A container port, by name or number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortRef {
    /// A port number.
    Number(u16),
    /// A port name from the component's `ports`.
    Name(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

/// CPU and memory requests and limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// What the scheduler reserves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<CpuMemory>,
    /// The most the container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<CpuMemory>,
}

/// A CPU and memory amount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CpuMemory {
    /// CPU, e.g. `100m` or `1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::QUANTITY), extend("examples" = ["100m"]))]
    pub cpu: Option<String>,
    /// Memory, e.g. `256Mi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::QUANTITY), extend("examples" = ["256Mi"]))]
    pub memory: Option<String>,
}

/// A volume mounted into the container: exactly one of `configMap`,
/// `secret` or `emptyDir`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Volume {
    /// One of the app's ConfigMaps; each key becomes a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// One of the app's secrets; each field becomes a file named by its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Scratch space that lives as long as the pod.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_dir: bool,
    /// Where the volume appears in the container.
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/blueprints/custom"]))]
    pub mount_path: String,
    /// Mount read-only.
    #[serde(default)]
    pub read_only: bool,
}

/// A Service in front of one component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// The component whose pods the Service selects.
    pub component: String,
    /// Service ports by the name of the component port they forward to,
    /// with the port number the Service listens on.
    #[schemars(extend("propertyNames" = {"pattern": names::PORT_NAME}), extend("examples" = [{"http": 9000}]))]
    pub ports: IndexMap<String, u16>,
}

/// An Ingress that routes to one of the app's Services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ingress {
    /// The Ingress name; the app's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = names::DNS1123_SUBDOMAIN))]
    pub name: Option<String>,
    /// The ingress class (`ingressClassName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["tailscale"]))]
    pub class_name: Option<String>,
    /// One of the app's Services.
    pub service: String,
    /// A port name of that Service.
    pub port: String,
    /// Host names served; with none, the Service is the default backend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Send all traffic to the Service as the default backend, and use
    /// `hosts` only for TLS (as the Tailscale ingress controller expects),
    /// instead of one routing rule per host.
    #[serde(default)]
    pub default_backend: bool,
    /// Serve TLS for the hosts.
    #[serde(default)]
    pub tls: bool,
    /// Annotations for the ingress controller and dashboards.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A ConfigMap: file names to contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigMap {
    /// Keys (file names when mounted) to text.
    #[schemars(extend("propertyNames" = {"pattern": names::DATA_KEY}))]
    pub data: IndexMap<String, String>,
}
