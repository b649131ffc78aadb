//! A container: the component's main container, a sidecar or an init
//! container. Its image, command, ports, environment, probes, resources,
//! mounts and security context.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::image::ImageRef;
use crate::names;
use crate::refs::{ConfigMapKeyRef, SecretFieldRef, REF_PATTERN};
use crate::storage::Volume;

/// The Kubernetes container security context, embedded as is
/// (`runAsNonRoot`, `readOnlyRootFilesystem`, `capabilities`, `privileged`,
/// `seccompProfile`, …).
pub type SecurityContext = k8s_openapi::api::core::v1::SecurityContext;

/// One container's settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// The image, when it is not the app's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// When the kubelet pulls the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<PullPolicy>,
    /// Replaces the image's entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("examples" = [["server"]]))]
    pub args: Vec<String>,
    /// The working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub working_dir: Option<String>,
    /// Where the container writes why it ended; `/dev/termination-log`
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^/"))]
    pub termination_message_path: Option<String>,
    /// Where Kubernetes reads why the container ended: `File` (the
    /// default) or `FallbackToLogsOnError` (the end of the log when the
    /// file is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<TerminationMessagePolicy>,
    /// Give the container a terminal (`kubectl attach -it`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tty: bool,
    /// Keep the container's standard input open (`kubectl attach`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stdin: bool,
    /// Container ports, by name: a number (TCP), or `{port, protocol}`;
    /// or the Kubernetes list, `[{name: http, containerPort: 9000}]`.
    #[serde(default, skip_serializing_if = "crate::ports::ContainerPorts::is_none")]
    pub ports: crate::ports::ContainerPorts,
    /// Environment variables: a literal value, a secret field, a ConfigMap
    /// key, a field of the pod (`{field: metadata.name}`) or a resource of
    /// the container (`{resource: limits.memory}`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::ENV_VAR}))]
    pub env: IndexMap<String, EnvValue>,
    /// Every key of a Secret (one of the app's `secrets`) or ConfigMap as
    /// environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    /// Health checks.
    #[serde(default, skip_serializing_if = "Probes::is_empty")]
    pub probes: Probes,
    /// Requests and limits of CPU, memory, `ephemeral-storage` and extended
    /// resources such as `nvidia.com/gpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Volumes mounted into the container, by volume name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": names::DNS1123_LABEL}))]
    pub volumes: IndexMap<String, Volume>,
    /// The container's security context (Kubernetes `SecurityContext`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Box<SecurityContext>>,
    /// Hooks run after the container starts and before it stops
    /// (Kubernetes `Lifecycle`: `postStart`, `preStop`, `stopSignal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Box<k8s_openapi::api::core::v1::Lifecycle>>,
}

/// When the kubelet pulls an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    /// On every start.
    Always,
    /// When the node does not have it.
    IfNotPresent,
    /// Never: the image must be on the node.
    Never,
}

impl PullPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

/// Where Kubernetes reads why a container ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TerminationMessagePolicy {
    /// The termination message file only.
    File,
    /// The end of the log when the file is empty and the container failed.
    FallbackToLogsOnError,
}

impl TerminationMessagePolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TerminationMessagePolicy::File => "File",
            TerminationMessagePolicy::FallbackToLogsOnError => "FallbackToLogsOnError",
        }
    }
}

/// A container port: a number (TCP), or a number with its protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Port {
    /// A TCP port.
    Number(#[schemars(range(min = 1))] u16),
    /// A port with a protocol.
    Spec(PortSpec),
}

/// A port with its protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortSpec {
    /// The port number.
    #[schemars(range(min = 1))]
    pub port: u16,
    /// The protocol; TCP when absent.
    #[serde(default)]
    pub protocol: Protocol,
    /// Also expose the port on the node's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub host_port: Option<u16>,
}

impl Port {
    /// The port number.
    pub fn number(&self) -> u16 {
        match self {
            Port::Number(n) => *n,
            Port::Spec(s) => s.port,
        }
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        match self {
            Port::Number(_) => Protocol::Tcp,
            Port::Spec(s) => s.protocol,
        }
    }

    /// The port on the node, if any.
    pub fn host_port(&self) -> Option<u16> {
        match self {
            Port::Number(_) => None,
            Port::Spec(s) => s.host_port,
        }
    }
}

/// A transport protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Protocol {
    /// TCP.
    #[default]
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
    /// SCTP.
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// The value of an environment variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum EnvValue {
    /// A literal value. Never a secret: a name that looks secret
    /// (`…PASSWORD`, `…TOKEN`, …) takes a literal only when it is plainly
    /// not one (a file path, the name of an object) or declared so.
    Literal(Literal),
    /// `{value: <literal>, notSecret: <why>}`: a literal that a reviewer
    /// declared not secret although its name looks so (a public client
    /// ID, the name of a Secret an operator reads); `cfggen secrets`
    /// lists each with its reason.
    Declared {
        /// The value.
        value: Literal,
        /// Why it is not a secret, for the reviewer.
        #[serde(rename = "notSecret")]
        #[schemars(length(min = 1), extend("examples" = ["the OAuth client's public ID"]))]
        not_secret: String,
    },
    /// `{secret: <secret>/<field>}`: a field of one of the app's secrets.
    Secret {
        /// `<secret>/<field>`: a key of the app's `secrets` and one of its fields.
        #[schemars(regex(pattern = REF_PATTERN), extend("examples" = ["authentik-config/secret-key"]))]
        secret: SecretFieldRef,
        /// Start the container even when the Secret or its key is not
        /// there (the variable is then unset).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
    /// `{configMap: <configmap>/<key>}`: a key of one of the app's ConfigMaps.
    ConfigMap {
        /// `<configmap>/<key>`.
        #[serde(rename = "configMap")]
        #[schemars(regex(pattern = REF_PATTERN))]
        config_map: ConfigMapKeyRef,
        /// Start the container even when the ConfigMap or its key is not
        /// there (the variable is then unset).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
    /// `{field: <path>}`: a field of the pod (the downward API), such as
    /// `metadata.name`, `metadata.namespace`, `spec.nodeName` or
    /// `status.podIP`.
    Field {
        /// The field path.
        #[schemars(extend("examples" = ["metadata.name", "status.podIP"]))]
        field: String,
    },
    /// `{resource: <requests|limits>.<name>}`: a request or limit of the
    /// container, such as `limits.memory`.
    Resource {
        /// `requests.cpu`, `limits.memory`, `requests.ephemeral-storage`, …
        #[schemars(regex(pattern = "^(requests|limits)\\.[a-z0-9.-]+(/[a-z0-9.-]+)?$"), extend("examples" = ["limits.memory"]))]
        resource: String,
        /// The unit the value is given in, e.g. `1Mi`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(regex(pattern = names::QUANTITY))]
        divisor: Option<String>,
    },
}

/// The downward-API fields an environment variable can read.
pub const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

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

/// Every key of a Secret or ConfigMap as environment variables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum EnvFrom {
    /// `{secret: <name>}`: one of the app's `secrets`.
    Secret {
        /// The Secret (a key of the app's `secrets`).
        secret: String,
        /// Put before every variable name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(regex(pattern = names::ENV_VAR))]
        prefix: Option<String>,
        /// Start the pod even when it is not there.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
    /// `{configMap: <name>}`: one of the app's `configMaps`.
    ConfigMap {
        /// The ConfigMap (a key of the app's `configMaps`).
        #[serde(rename = "configMap")]
        config_map: String,
        /// Put before every variable name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(regex(pattern = names::ENV_VAR))]
        prefix: Option<String>,
        /// Start the pod even when it is not there.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
}

/// The three Kubernetes probes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probes {
    /// Restart the container when this fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Box<Probe>>,
    /// Take the pod out of its Services while this fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Box<Probe>>,
    /// Hold the other probes until this succeeds once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Box<Probe>>,
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
        .filter_map(|(n, p)| p.as_deref().map(|p| (n, p)))
    }
}

/// A probe: exactly one of `http`, `tcp`, `grpc` or `exec`, and its timing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// An HTTP GET that must answer 2xx/3xx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpProbe>,
    /// A TCP port that must accept connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<PortRef>,
    /// A gRPC health check (`grpc.health.v1.Health`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcProbe>,
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
    /// Passed checks in a row that count as success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<u32>,
}

/// An HTTP GET probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpProbe {
    /// The path to GET.
    #[schemars(regex(pattern = "^/"), extend("examples" = ["/-/health/live/"]))]
    pub path: String,
    /// A port of the container: its name or number.
    pub port: PortRef,
    /// `HTTP` (the default) or `HTTPS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Scheme>,
    /// Headers sent with the request.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("examples" = [{"Host": "auth.example.com"}]))]
    pub headers: IndexMap<String, String>,
}

/// The scheme of an HTTP probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Scheme {
    /// Plain HTTP.
    #[serde(rename = "HTTP")]
    Http,
    /// HTTPS (the certificate is not verified).
    #[serde(rename = "HTTPS")]
    Https,
}

impl Scheme {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "HTTP",
            Scheme::Https => "HTTPS",
        }
    }
}

/// A gRPC health-check probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcProbe {
    /// The port number (Kubernetes takes no port name here).
    #[schemars(range(min = 1))]
    pub port: u16,
    /// The service name sent in the health check request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// A port, by name or number: of a container (probes, Service targets) or
/// of a Service (Ingress backends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortRef {
    /// A port number.
    Number(#[schemars(range(min = 1))] u16),
    /// A port name, from the container's or the Service's `ports`.
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

/// Requests and limits, by resource name (`cpu`, `memory`,
/// `ephemeral-storage`, `nvidia.com/gpu`, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// What the scheduler reserves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("propertyNames" = {"pattern": RESOURCE_NAME}), extend("examples" = [{"cpu": "100m", "memory": "256Mi"}]))]
    pub requests: Option<IndexMap<String, Quantity>>,
    /// The most the container may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("propertyNames" = {"pattern": RESOURCE_NAME}), extend("examples" = [{"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}]))]
    pub limits: Option<IndexMap<String, Quantity>>,
}

/// A resource name: `cpu`, `memory`, `ephemeral-storage`, `hugepages-2Mi`,
/// or an extended resource `<domain>/<name>`.
pub const RESOURCE_NAME: &str =
    "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$";

/// A Kubernetes quantity (`100m`, `256Mi`, `1`), written as text or a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Quantity {
    /// As text.
    Text(#[schemars(regex(pattern = names::QUANTITY))] String),
    /// A whole number.
    Whole(u64),
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Quantity::Text(s) => f.write_str(s),
            Quantity::Whole(n) => write!(f, "{n}"),
        }
    }
}

/// Whether a resource name is an extended resource (`vendor/name`), which
/// Kubernetes counts in whole units and never overcommits.
pub fn is_extended_resource(name: &str) -> bool {
    name.contains('/') && !name.starts_with("kubernetes.io/")
}
