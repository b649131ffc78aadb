//! An EndpointSlice of a Service without pods → that Service's
//! `endpoints`: the addresses, one endpoint each, on the ports the
//! Service forwards to, built as the model's own type.

use cfggen_model::service::Endpoints;
use serde_json::{Map, Value};

use crate::take::{Taker, Why};

/// The label that ties a slice to its Service.
const SERVICE_NAME: &str = "kubernetes.io/service-name";
/// The label that says who keeps a slice.
const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";

/// A slice, read: its Service, its endpoints in the model's form, and
/// its ports (name, protocol, number) to hold against the Service's.
#[derive(Debug)]
pub(crate) struct Slice {
    pub endpoints: Endpoints,
    ports: Vec<(Option<String>, String, i64)>,
}

/// The Service a slice `name` belongs to and the slice, or why it stays
/// raw.
pub(crate) fn slice(name: &str, object: &Value, name_label: &str) -> Result<(String, Slice), Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    meta.done()?;
    // cfggen's own labels, of cfggen's values, go without saying.
    let mut labels: Map<String, Value> = crate::take::own_strings(labels, name_label)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let service = labels
        .shift_remove(SERVICE_NAME)
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or("an EndpointSlice of no Service (no `kubernetes.io/service-name` label)")?;
    let managed_by = labels
        .shift_remove(MANAGED_BY)
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|m| m != "cfggen");
    if let Some(key) = labels.keys().next() {
        return Err(format!(
            "its label `{key}`: cfggen labels a Service's slice itself"
        ));
    }
    let address_type = t.string("addressType")?.filter(|a| a != "IPv4");
    let mut addresses = Vec::new();
    for e in t.list("endpoints")? {
        let mut e = Taker::new(e, "endpoints[]")?;
        let list = e.list("addresses")?;
        let [address] = list.as_slice() else {
            return Err("an endpoint of several addresses, of which kube-proxy uses the first only (EndpointSlice API: the addresses of one endpoint are fungible): cfggen writes one endpoint per address, which would send traffic to all; kept as written".into());
        };
        addresses.push(
            address
                .as_str()
                .ok_or("an address that is not text")?
                .to_owned(),
        );
        // Written out empty, as Argo CD would otherwise see drift.
        if e.take_any("conditions")
            .is_some_and(|c| !crate::take::is_empty(&c))
        {
            return Err(
                "an endpoint's `conditions`: a Service's own slice leaves them to Kubernetes"
                    .into(),
            );
        }
        e.done()?;
    }
    if addresses.is_empty() {
        return Err("an EndpointSlice without endpoints".into());
    }
    let mut ports = Vec::new();
    for p in t.list("ports")? {
        let mut p = Taker::new(p, "ports[]")?;
        let port_name = p.string("name")?;
        let protocol = p.string("protocol")?.unwrap_or_else(|| "TCP".into());
        let number = p
            .take("port")
            .and_then(|n| n.as_i64())
            .ok_or("a port without a number")?;
        p.done()?;
        ports.push((port_name, protocol, number));
    }
    t.done()?;
    let endpoints = Endpoints {
        addresses,
        address_type,
        name: (name != service).then(|| name.to_owned()),
        managed_by,
    };
    Ok((service, Slice { endpoints, ports }))
}

/// Whether the slice is what cfggen renders for the Service `service`
/// (in its typed form): a Service without pods, whose ports forward to
/// the slice's.
pub(crate) fn fits(service: &Map<String, Value>, slice: &Slice) -> Result<(), Why> {
    if service.contains_key("component") || service.contains_key("selector") {
        return Err("its Service selects pods, whose endpoints Kubernetes writes".into());
    }
    let ports = service
        .get("ports")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let rendered: Vec<(Option<String>, String, i64)> = ports
        .iter()
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).map(str::to_owned);
            let protocol = p
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("TCP")
                .to_owned();
            let target = p.get("targetPort").or_else(|| p.get("port"));
            (name, protocol, target.and_then(Value::as_i64).unwrap_or(-1))
        })
        .collect();
    if rendered == slice.ports {
        Ok(())
    } else {
        Err("its ports are not the ones its Service forwards to".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slice_of(extra: Value) -> Value {
        let mut object = json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "nas", "labels": {"kubernetes.io/service-name": "nas",
                "endpointslice.kubernetes.io/managed-by": "cluster-admins"}},
            "addressType": "IPv4",
            "ports": [{"name": "https", "protocol": "TCP", "port": 443}],
            "endpoints": [{"addresses": ["192.168.1.117"], "conditions": {}}]});
        if let (Some(o), Value::Object(e)) = (object.as_object_mut(), extra) {
            o.extend(e);
        }
        object
    }

    #[test]
    fn a_slice_of_a_service_without_pods_is_its_endpoints() {
        let (service, slice) = slice("nas", &slice_of(json!({})), "nas").unwrap();
        assert_eq!(service, "nas");
        assert_eq!(slice.endpoints.addresses, ["192.168.1.117"]);
        assert_eq!(
            slice.endpoints.managed_by.as_deref(),
            Some("cluster-admins")
        );
        assert_eq!(slice.endpoints.address_type, None);
        let svc = json!({"ports": [{"name": "https", "port": 443}]});
        assert_eq!(fits(svc.as_object().unwrap(), &slice), Ok(()));
        let other = json!({"ports": [{"name": "https", "port": 443, "targetPort": 8443}]});
        assert!(fits(other.as_object().unwrap(), &slice).is_err());
        let selecting = json!({"component": "web", "ports": [{"name": "https", "port": 443}]});
        assert!(fits(selecting.as_object().unwrap(), &slice).is_err());
    }

    #[test]
    fn what_cfggen_would_not_write_keeps_it_raw() {
        let zone = slice_of(json!({"endpoints": [{"addresses": ["10.0.0.1"], "zone": "a"}]}));
        assert!(slice("nas", &zone, "nas").unwrap_err().contains("zone"));
        let two = slice_of(json!({"endpoints": [{"addresses": ["10.0.0.1", "10.0.0.2"]}]}));
        assert!(slice("nas", &two, "nas").is_err());
        let ready = slice_of(
            json!({"endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": true}}]}),
        );
        assert!(slice("nas", &ready, "nas").is_err());
    }
}
