//! Port collections: cfggen's mapping by name, or the Kubernetes list
//! people already write. Both forms load into the same mapping, so every
//! rule and the renderer see one shape.
//!
//! - Container ports: `{http: 8080}`, or
//!   `[{name: http, containerPort: 8080}]`.
//! - Service ports: `{grpc: 5000}` (the Service listens on 5000 and
//!   forwards to the container port named `grpc`), or
//!   `[{port: 5000, targetPort: grpc}]`.

use std::ops::{Deref, DerefMut};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::container::{Port, PortRef, PortSpec, Protocol};
use crate::error::tagged_message;
use crate::names;
use crate::service::{ServicePort, ServicePortSpec};

/// A container's ports by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerPorts(pub IndexMap<String, Port>, pub Repeated);

/// A Service's ports by name. The one port of a Service may have no name
/// in Kubernetes (`[{port: 80, targetPort: 8080}]`): written so, it is
/// keyed here by its number, always has its `targetPort`, and
/// [`ServicePorts::unnamed`] is set, so that it is rendered without a
/// name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServicePorts(pub IndexMap<String, ServicePort>, pub Repeated, pub Unnamed);

/// Whether the Service's one port was written without a name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unnamed(pub bool);

impl ServicePorts {
    /// The name a port is rendered with: its key, or none for the one
    /// unnamed port.
    pub fn rendered_name<'a>(&self, key: &'a str) -> Option<&'a str> {
        (!self.2 .0).then_some(key)
    }
}

/// The entries of a list form whose name an earlier entry already has,
/// by index: left out of the mapping, and reported by the rules
/// (`duplicate-port`) at their place in the file.
pub type Repeated = Vec<(usize, String)>;

macro_rules! map_newtype {
    ($t:ty, $v:ty) => {
        impl Deref for $t {
            type Target = IndexMap<String, $v>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
        impl DerefMut for $t {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
        impl<'a> IntoIterator for &'a $t {
            type Item = (&'a String, &'a $v);
            type IntoIter = indexmap::map::Iter<'a, String, $v>;
            fn into_iter(self) -> Self::IntoIter {
                self.0.iter()
            }
        }
    };
}
map_newtype!(ContainerPorts, Port);

impl Serialize for ContainerPorts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl ContainerPorts {
    /// Whether there is no port (for `skip_serializing_if`).
    pub fn is_none(&self) -> bool {
        self.0.is_empty()
    }
}
map_newtype!(ServicePorts, ServicePort);

impl Serialize for ServicePorts {
    /// The mapping; the one unnamed port in the list form it was written in.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.2 .0 {
            let listed: Vec<ServicePortSpec> = self.0.values().map(ServicePort::spec).collect();
            return listed.serialize(s);
        }
        self.0.serialize(s)
    }
}

/// A container port as Kubernetes writes it, in a list.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListedContainerPort {
    /// The port's name, which Services and probes use.
    #[schemars(regex(pattern = names::PORT_NAME))]
    pub name: String,
    /// The port number.
    #[schemars(range(min = 1))]
    pub container_port: u16,
    /// The protocol; TCP when absent.
    #[serde(default)]
    pub protocol: Protocol,
    /// Also expose the port on the node's address.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub host_port: Option<u16>,
}

/// A Service port as Kubernetes writes it, in a list.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListedServicePort {
    /// The Service port's name; the `targetPort` when that is a name.
    #[serde(default)]
    #[schemars(regex(pattern = names::PORT_NAME))]
    pub name: Option<String>,
    /// The port the Service listens on.
    #[schemars(range(min = 1))]
    pub port: u16,
    /// Where traffic goes: a container port's name or number; the
    /// container port named like the Service port when absent.
    #[serde(default)]
    pub target_port: Option<PortRef>,
    /// The protocol; the container port's when absent.
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// The port on every node (`NodePort` and `LoadBalancer`), 30000–32767.
    #[serde(default)]
    #[schemars(range(min = 30000, max = 32767))]
    pub node_port: Option<u16>,
    /// The application protocol, e.g. `https`.
    #[serde(default)]
    pub app_protocol: Option<String>,
}

/// The key a port of a list form gets: its `name`, or else (a Service
/// port) the container port its `targetPort` names.
fn listed_key<'a>(name: Option<&'a str>, target: Option<&'a str>) -> Option<&'a str> {
    name.or(target)
}

/// The key of a port written in a list form (`{name: http, …}` or
/// `{port: 5000, targetPort: grpc}`), for finding it in the file.
pub fn listed_name(item: &serde_json::Value) -> Option<&str> {
    listed_key(
        item.get("name").and_then(serde_json::Value::as_str),
        item.get("targetPort").and_then(serde_json::Value::as_str),
    )
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Written<V, L> {
    Map(IndexMap<String, V>),
    List(Vec<L>),
}

/// Collects the `(name, value)` pairs of a list: the mapping, and the
/// entries whose name came before.
fn collect<V, E>(
    items: impl Iterator<Item = Result<(String, V), E>>,
) -> Result<(IndexMap<String, V>, Repeated), E> {
    let mut out = IndexMap::new();
    let mut repeated = Vec::new();
    for (i, item) in items.enumerate() {
        let (name, value) = item?;
        if out.contains_key(&name) {
            repeated.push((i, name));
        } else {
            out.insert(name, value);
        }
    }
    Ok((out, repeated))
}

impl<'de> Deserialize<'de> for ContainerPorts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Written::<Port, ListedContainerPort>::deserialize(d)? {
            Written::Map(map) => Ok(ContainerPorts(map, Vec::new())),
            Written::List(list) => {
                let items = list.into_iter().map(|p| {
                    let port = if p.protocol == Protocol::Tcp && p.host_port.is_none() {
                        Port::Number(p.container_port)
                    } else {
                        Port::Spec(PortSpec {
                            port: p.container_port,
                            protocol: p.protocol,
                            host_port: p.host_port,
                        })
                    };
                    Ok::<_, D::Error>((p.name, port))
                });
                let (map, repeated) = collect(items)?;
                Ok(ContainerPorts(map, repeated))
            }
        }
    }
}

impl<'de> Deserialize<'de> for ServicePorts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Written::<ServicePort, ListedServicePort>::deserialize(d)? {
            Written::Map(map) => Ok(ServicePorts(map, Vec::new(), Unnamed(false))),
            Written::List(list) => {
                let alone = list.len() == 1;
                let mut unnamed = false;
                let items = list.into_iter().map(|p| {
                    let target = match &p.target_port {
                        Some(PortRef::Name(n)) => Some(n.as_str()),
                        _ => None,
                    };
                    let name = match listed_key(p.name.as_deref(), target) {
                        Some(n) => n.to_owned(),
                        // Kubernetes names the one port of a Service
                        // only if it likes: forwarded to its target, or
                        // to the same number.
                        None if alone => {
                            unnamed = true;
                            let spec = ServicePortSpec {
                                port: p.port,
                                node_port: p.node_port,
                                target_port: Some(p.target_port.unwrap_or(PortRef::Number(p.port))),
                                protocol: p.protocol,
                                app_protocol: p.app_protocol,
                            };
                            return Ok((p.port.to_string(), ServicePort::Spec(spec)));
                        }
                        None => {
                            return Err(serde::de::Error::custom(tagged_message(
                                &format!("Service port {} has no name, and the Service has several ports", p.port),
                                "give every port a `name` (Kubernetes requires one when a Service has several ports), or a `targetPort` that names a container port",
                            )))
                        }
                    };
                    let target_port = match p.target_port {
                        Some(PortRef::Name(n)) if n == name => None,
                        other => other,
                    };
                    let port = if target_port.is_none()
                        && p.protocol.is_none()
                        && p.node_port.is_none()
                        && p.app_protocol.is_none()
                    {
                        ServicePort::Number(p.port)
                    } else {
                        ServicePort::Spec(ServicePortSpec {
                            port: p.port,
                            node_port: p.node_port,
                            target_port,
                            protocol: p.protocol,
                            app_protocol: p.app_protocol,
                        })
                    };
                    Ok((name, port))
                });
                let (map, repeated) = collect(items)?;
                Ok(ServicePorts(map, repeated, Unnamed(unnamed)))
            }
        }
    }
}

/// `{"anyOf": [mapping of V by port name, list of L]}`.
fn either<V: JsonSchema, L: JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
    map_example: serde_json::Value,
    list_example: serde_json::Value,
) -> schemars::Schema {
    let value = generator.subschema_for::<V>();
    let listed = generator.subschema_for::<L>();
    schemars::json_schema!({
        "anyOf": [
            {
                "type": "object",
                "description": "By port name.",
                "additionalProperties": value,
                "propertyNames": {"pattern": names::PORT_NAME},
                "examples": [map_example]
            },
            {
                "type": "array",
                "description": "The Kubernetes list form.",
                "items": listed,
                "examples": [list_example]
            }
        ]
    })
}

impl JsonSchema for ContainerPorts {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ContainerPorts".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        either::<Port, ListedContainerPort>(
            generator,
            serde_json::json!({"http": 9000, "dns": {"port": 53, "protocol": "UDP"}}),
            serde_json::json!([{"name": "http", "containerPort": 9000}]),
        )
    }
}

impl JsonSchema for ServicePorts {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServicePorts".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        either::<ServicePort, ListedServicePort>(
            generator,
            serde_json::json!({"grpc": 5000}),
            serde_json::json!([{"port": 5000, "targetPort": "grpc"}]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(json: &str) -> Result<ContainerPorts, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn service(json: &str) -> Result<ServicePorts, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn container_list_loads_as_the_mapping() {
        let list = container(
            r#"[{"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}]"#,
        )
        .unwrap();
        let map = container(r#"{"http": 8080, "dns": {"port": 53, "protocol": "UDP"}}"#).unwrap();
        assert_eq!(list, map);
    }

    #[test]
    fn a_name_twice_in_a_list_is_kept_for_the_rules() {
        let ports = container(
            r#"[{"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}]"#,
        )
        .unwrap();
        assert_eq!(ports.len(), 1);
        assert_eq!(ports.1, vec![(1, "http".to_owned())]);
    }

    #[test]
    fn service_list_forms() {
        let by_target = service(r#"[{"port": 5000, "targetPort": "grpc"}]"#).unwrap();
        assert_eq!(by_target, service(r#"{"grpc": 5000}"#).unwrap());
        let named = service(r#"[{"name": "web", "port": 80, "targetPort": "http"}]"#).unwrap();
        assert_eq!(
            named.get("web"),
            Some(&ServicePort::Spec(ServicePortSpec {
                port: 80,
                node_port: None,
                target_port: Some(PortRef::Name("http".into())),
                protocol: None,
                app_protocol: None,
            }))
        );
        let numbered = service(r#"[{"name": "http", "port": 80, "targetPort": 8080}]"#).unwrap();
        assert_eq!(
            numbered.get("http").and_then(|p| p.spec().target_port),
            Some(PortRef::Number(8080))
        );
        let e = service(r#"[{"port": 80}, {"port": 81, "name": "b"}]"#).unwrap_err();
        assert!(
            e.contains("has no name, and the Service has several ports"),
            "{e}"
        );
    }

    #[test]
    fn the_one_port_of_a_service_may_have_no_name() {
        let alone = service(r#"[{"port": 80, "targetPort": 8080}]"#).unwrap();
        assert_eq!(alone.rendered_name("80"), None);
        assert_eq!(
            alone.get("80").and_then(|p| p.spec().target_port),
            Some(PortRef::Number(8080))
        );
        // Without a target it forwards to the same number.
        let same = service(r#"[{"port": 80}]"#).unwrap();
        assert_eq!(
            same.get("80").and_then(|p| p.spec().target_port),
            Some(PortRef::Number(80))
        );
        // Written back, it is the list it was read from.
        let json = serde_json::to_value(&alone).unwrap();
        assert_eq!(json, serde_json::json!([{"port": 80, "targetPort": 8080}]));
        let named = service(r#"{"http": 80}"#).unwrap();
        assert_eq!(named.rendered_name("http"), Some("http"));
    }
}
