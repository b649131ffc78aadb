//! How an app is reached: its Services and Ingresses.

use cfggen_model::container::PortRef;
use cfggen_model::service::{Ingress as ModelIngress, IngressPath as ModelPath, ServiceType};
use cfggen_model::App;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::pod::selector_of;
use crate::{app_labels, file_name, meta, waves, Output, RenderError};

pub(crate) fn services(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (sname, svc) in &app.services {
        let component = svc
            .component
            .as_deref()
            .and_then(|c| app.components.get(c).map(|comp| (c, comp)));
        let selected = svc.selected(name, app);
        let ports = svc
            .ports
            .iter()
            .map(|(port_name, port)| {
                let spec = port.spec();
                // A Service without a selector forwards to numbers; one
                // with a selector, to the pods' ports (by name).
                let (target, protocol) = if component.is_none() && svc.selector.is_empty() {
                    (
                        match spec.target_port {
                            Some(PortRef::Number(n)) => IntOrString::Int(i32::from(n)),
                            Some(PortRef::Name(n)) => IntOrString::String(n),
                            None => IntOrString::Int(i32::from(spec.port)),
                        },
                        spec.protocol.unwrap_or_default(),
                    )
                } else {
                    // The pods are cfggen's: the protocol given, else the
                    // port they declare (by number, one protocol only:
                    // 53 both UDP and TCP is Kubernetes' TCP).
                    let target = port.target(port_name);
                    let declared = |p: &cfggen_model::container::Port| p.protocol();
                    let found: Vec<_> = match &target {
                        PortRef::Name(_) => selected
                            .iter()
                            .find_map(|(cname, comp)| comp.pod_port(cname, &target))
                            .map(|(_, p)| declared(p))
                            .into_iter()
                            .collect(),
                        PortRef::Number(n) => selected
                            .iter()
                            .flat_map(|(cname, comp)| comp.containers(cname))
                            .flat_map(|(_, _, c)| c.ports.values())
                            .filter(|p| p.number() == *n)
                            .map(declared)
                            .collect(),
                    };
                    let one = found
                        .first()
                        .copied()
                        .filter(|first| found.iter().all(|p| p == first));
                    let protocol = spec.protocol.or(one).unwrap_or_default();
                    let target = match target {
                        PortRef::Name(n) => IntOrString::String(n),
                        PortRef::Number(n) => IntOrString::Int(i32::from(n)),
                    };
                    (target, protocol)
                };
                ServicePort {
                    name: svc.ports.rendered_name(port_name).map(str::to_owned),
                    port: i32::from(spec.port),
                    target_port: Some(target),
                    protocol: Some(protocol.as_str().into()),
                    node_port: spec.node_port.map(i32::from),
                    app_protocol: spec.app_protocol.clone(),
                }
            })
            .collect();
        let labels = svc.rendered_labels(name, app);
        let mut metadata = meta(sname, ns, labels, waves::WORKLOADS);
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.extend(svc.annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let object = Service {
            metadata,
            spec: Some(ServiceSpec {
                type_: svc.kind.map(|k| k.as_str().to_owned()),
                cluster_ip: (svc.headless && svc.service_type() == ServiceType::ClusterIP)
                    .then(|| "None".to_owned())
                    .or_else(|| svc.cluster_ip.clone()),
                load_balancer_ip: svc.load_balancer_ip.clone(),
                load_balancer_class: svc.load_balancer_class.clone(),
                external_traffic_policy: svc.external_traffic_policy.map(|p| p.as_str().to_owned()),
                internal_traffic_policy: svc.internal_traffic_policy.map(|p| p.as_str().to_owned()),
                ip_families: (!svc.ip_families.is_empty()).then(|| {
                    svc.ip_families
                        .iter()
                        .map(|f| f.as_str().to_owned())
                        .collect()
                }),
                ip_family_policy: svc.ip_family_policy.map(|p| p.as_str().to_owned()),
                session_affinity: svc.session_affinity.clone(),
                session_affinity_config: svc.session_affinity_config.clone(),
                selector: if svc.selector.is_empty() {
                    component.map(|(cname, comp)| selector_of(app.name_label(name), cname, comp))
                } else {
                    Some(
                        svc.selector
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    )
                },
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        };
        if let Some(endpoints) = &svc.endpoints {
            let ports = object
                .spec
                .as_ref()
                .and_then(|s| s.ports.as_deref())
                .unwrap_or_default();
            endpoint_slice(out, name, app, sname, endpoints, ports)?;
        }
        out.resource(name, ns, file_name("Service", sname), &object)?;
    }
    Ok(())
}

/// The EndpointSlice of a Service without pods: its addresses, one
/// endpoint each, on the ports the Service forwards to.
fn endpoint_slice(
    out: &mut Output,
    name: &str,
    app: &App,
    service: &str,
    endpoints: &cfggen_model::service::Endpoints,
    ports: &[ServicePort],
) -> Result<(), RenderError> {
    use k8s_openapi::api::discovery::v1::{
        Endpoint, EndpointConditions, EndpointPort, EndpointSlice,
    };
    let ns = app.namespace(name);
    let slice_name = endpoints.name.as_deref().unwrap_or(service);
    let mut labels = app_labels(app.name_label(name), None);
    labels.insert("kubernetes.io/service-name".into(), service.to_owned());
    labels.insert(
        "endpointslice.kubernetes.io/managed-by".into(),
        endpoints
            .managed_by
            .clone()
            .unwrap_or_else(|| "cfggen".into()),
    );
    let object = EndpointSlice {
        metadata: meta(slice_name, ns, labels, waves::WORKLOADS),
        address_type: endpoints.address_type().to_owned(),
        // Empty conditions written out, as Argo CD otherwise sees the
        // defaults the API server fills in as drift.
        endpoints: endpoints
            .addresses
            .iter()
            .map(|a| Endpoint {
                addresses: vec![a.clone()],
                conditions: Some(EndpointConditions::default()),
                ..Endpoint::default()
            })
            .collect(),
        ports: Some(
            ports
                .iter()
                .map(|p| EndpointPort {
                    name: p.name.clone(),
                    protocol: p.protocol.clone(),
                    port: match &p.target_port {
                        Some(IntOrString::Int(n)) => Some(*n),
                        _ => Some(p.port),
                    },
                    app_protocol: None,
                })
                .collect(),
        ),
    };
    out.resource(name, ns, file_name("EndpointSlice", slice_name), &object)
}

fn backend(service: &str, port: &PortRef) -> IngressBackend {
    IngressBackend {
        service: Some(IngressServiceBackend {
            name: service.to_owned(),
            port: Some(match port {
                PortRef::Name(name) => ServiceBackendPort {
                    name: Some(name.clone()),
                    number: None,
                },
                PortRef::Number(n) => ServiceBackendPort {
                    name: None,
                    number: Some(i32::from(*n)),
                },
            }),
        }),
        resource: None,
    }
}

fn path(p: &ModelPath) -> HTTPIngressPath {
    HTTPIngressPath {
        path: Some(p.path.clone()),
        path_type: p.path_type.map_or("Prefix", |t| t.as_str()).to_owned(),
        backend: backend(&p.service, &p.port),
    }
}

/// The default backend and rules of an Ingress.
fn routes(
    ingress: &ModelIngress,
) -> Result<(Option<IngressBackend>, Option<Vec<IngressRule>>), RenderError> {
    if !ingress.rules.is_empty() {
        let rules = ingress
            .rules
            .iter()
            .map(|r| IngressRule {
                host: r.host.clone(),
                http: Some(HTTPIngressRuleValue {
                    paths: r.paths.iter().map(path).collect(),
                }),
            })
            .collect();
        return Ok((None, Some(rules)));
    }
    let (Some(service), Some(port)) = (&ingress.service, &ingress.port) else {
        return Err(RenderError::Unresolved(
            "an Ingress with neither `service` nor `rules`".into(),
        ));
    };
    if ingress.hosts.is_empty() || ingress.default_backend {
        return Ok((Some(backend(service, port)), None));
    }
    let rules = ingress
        .hosts
        .iter()
        .map(|host| IngressRule {
            host: Some(host.clone()),
            http: Some(HTTPIngressRuleValue {
                paths: vec![HTTPIngressPath {
                    path: Some("/".into()),
                    path_type: "Prefix".into(),
                    backend: backend(service, port),
                }],
            }),
        })
        .collect();
    Ok((None, Some(rules)))
}

/// Every Ingress of the app.
pub(crate) fn ingresses(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    for (ingress_name, ingress, _) in app.all_ingresses(name) {
        let mut metadata = meta(
            &ingress_name,
            ns,
            app_labels(app.name_label(name), None),
            waves::EXPOSURE,
        );
        if let Some(annotations) = metadata.annotations.as_mut() {
            for (k, v) in &ingress.annotations {
                annotations.insert(k.clone(), v.clone());
            }
        }
        if let Some(labels) = metadata.labels.as_mut() {
            crate::own_labels_over(labels, &ingress.labels);
        }
        let (default_backend, rules) = routes(ingress)?;
        let mut hosts: Vec<String> = ingress.hosts.clone();
        hosts.extend(ingress.rules.iter().filter_map(|r| r.host.clone()));
        let object = Ingress {
            metadata,
            spec: Some(IngressSpec {
                ingress_class_name: ingress.class_name.clone(),
                default_backend,
                rules,
                tls: if ingress.tls_entries.is_empty() {
                    (ingress.tls && !hosts.is_empty()).then(|| {
                        vec![IngressTLS {
                            hosts: Some(hosts),
                            secret_name: ingress.tls_secret.clone(),
                        }]
                    })
                } else {
                    Some(
                        ingress
                            .tls_entries
                            .iter()
                            .map(|t| IngressTLS {
                                hosts: (!t.hosts.is_empty()).then(|| t.hosts.clone()),
                                secret_name: t.secret_name.clone(),
                            })
                            .collect(),
                    )
                },
            }),
            ..Ingress::default()
        };
        out.resource(name, ns, file_name("Ingress", &ingress_name), &object)?;
    }
    Ok(())
}
