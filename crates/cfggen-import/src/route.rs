//! Gateway API routes in cfggen's form: an HTTPRoute is an entry of the
//! app's `httpRoutes`, each rule one path (or none) to one Service and
//! port; a TLSRoute or TCPRoute one of `tlsRoutes` or `tcpRoutes`, its one
//! rule's backends.

use serde_json::{Map, Value};

use crate::take::{Taker, Why};

/// An HTTPRoute's typed form, and the Services and ports its rules route
/// to; or why it has none (a rule with several matches, a header match, a
/// filter the model has no place for, …).
pub(crate) fn http_route(
    namespace: &str,
    object: &Value,
) -> Result<(Value, Vec<(String, Value)>), Why> {
    let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
    let mut route = Map::new();
    let parents = spec
        .list("parentRefs")?
        .into_iter()
        .map(parent_ref)
        .collect::<Result<Vec<_>, _>>()?;
    if parents.is_empty() {
        return Err("an HTTPRoute attached to no Gateway".into());
    }
    route.insert("parentRefs".into(), Value::Array(parents));
    if let Some(hostnames) = spec.take("hostnames") {
        route.insert("hostnames".into(), hostnames);
    }
    let mut backends = Vec::new();
    let rules = spec
        .list("rules")?
        .into_iter()
        .enumerate()
        .map(|(i, r)| rule(i, r, namespace, &mut backends))
        .collect::<Result<Vec<_>, _>>()?;
    if rules.is_empty() {
        return Err("an HTTPRoute without rules".into());
    }
    route.insert("rules".into(), Value::Array(rules));
    spec.done()?;
    for (field, map) in [("annotations", annotations), ("labels", labels)] {
        if !map.is_empty() {
            route.insert(field.into(), Value::Object(map));
        }
    }
    Ok((Value::Object(route), backends))
}

/// A parent reference to a Gateway.
fn parent_ref(value: Value) -> Result<Value, Why> {
    let mut p = Taker::new(value, ".spec.parentRefs[]")?;
    let group = p.string("group")?;
    let kind = p.string("kind")?;
    if group.is_some_and(|g| g != "gateway.networking.k8s.io")
        || kind.is_some_and(|k| k != "Gateway")
    {
        return Err("a parent other than a Gateway".into());
    }
    let mut out = Map::new();
    for key in ["name", "namespace", "sectionName", "port"] {
        if let Some(v) = p.take(key) {
            out.insert(key.into(), v);
        }
    }
    p.done()?;
    Ok(Value::Object(out))
}

/// One rule: one backend (in the route's namespace), at most one match of
/// a path, timeouts.
fn rule(
    i: usize,
    value: Value,
    namespace: &str,
    backends: &mut Vec<(String, Value)>,
) -> Result<Value, Why> {
    let mut r = Taker::new(value, &format!(".spec.rules[{i}]"))?;
    let mut out = Map::new();
    let mut matches = r.list("matches")?;
    match matches.len() {
        0 => {}
        1 => {
            let mut m = Taker::new(matches.remove(0), &format!(".spec.rules[{i}].matches[0]"))?;
            let mut path = m.sub("path")?;
            m.done()?;
            let value = path.string("value")?;
            let kind = path.string("type")?;
            path.done()?;
            // A path match without a value is `/`, Gateway API's default.
            out.insert("path".into(), value.unwrap_or_else(|| "/".into()).into());
            match kind.as_deref() {
                None | Some("PathPrefix") => {}
                Some(k @ ("Exact" | "RegularExpression")) => {
                    out.insert("pathType".into(), k.into());
                }
                Some(other) => return Err(format!("a path match of type `{other}`")),
            }
        }
        _ => return Err("a rule with several matches: cfggen's rule matches one path".into()),
    }
    let typed = r
        .list("backendRefs")?
        .into_iter()
        .enumerate()
        .map(|(j, b)| backend(b, &format!(".spec.rules[{i}].backendRefs[{j}]"), namespace))
        .collect::<Result<Vec<_>, _>>()?;
    for b in typed.iter().filter(|b| b.namespace.is_none()) {
        let port = serde_json::to_value(&b.port).map_err(|e| e.to_string())?;
        backends.push((b.service.clone(), port));
    }
    match typed.as_slice() {
        // One Service of the namespace takes every request, whatever its
        // weight but 0.
        [one] if one.namespace.is_none() && one.weight.is_none_or(|w| w == 1) => {
            out.insert("service".into(), one.service.clone().into());
            out.insert(
                "port".into(),
                serde_json::to_value(&one.port).map_err(|e| e.to_string())?,
            );
        }
        [] => {}
        several => {
            let value = serde_json::to_value(several).map_err(|e| e.to_string())?;
            out.insert("backends".into(), value);
        }
    }
    for (field, value) in filters(r.list("filters")?, i)? {
        out.insert(field.into(), value);
    }
    if let Some(timeouts) = r.take("timeouts") {
        let mut t = Taker::new(timeouts, &format!(".spec.rules[{i}].timeouts"))?;
        let mut typed = Map::new();
        for key in ["request", "backendRequest"] {
            if let Some(v) = t.string(key)? {
                typed.insert(key.into(), v.into());
            }
        }
        t.done()?;
        out.insert("timeouts".into(), Value::Object(typed));
    }
    r.done()?;
    Ok(Value::Object(out))
}

/// A rule's filters in the model's fields (`requestHeaders`,
/// `responseHeaders`, `redirect`, `rewrite`), in the order cfggen writes
/// them; another filter, one twice, or another order keeps the route raw.
fn filters(list: Vec<Value>, i: usize) -> Result<Vec<(&'static str, Value)>, Why> {
    use cfggen_model::route::{HeaderChanges, PathChange, RouteRedirect, RouteRewrite};
    const ORDER: [(&str, &str, &str); 4] = [
        (
            "RequestHeaderModifier",
            "requestHeaderModifier",
            "requestHeaders",
        ),
        (
            "ResponseHeaderModifier",
            "responseHeaderModifier",
            "responseHeaders",
        ),
        ("RequestRedirect", "requestRedirect", "redirect"),
        ("URLRewrite", "urlRewrite", "rewrite"),
    ];
    let mut out = Vec::new();
    let mut last = None;
    for (j, f) in list.into_iter().enumerate() {
        let at = format!(".spec.rules[{i}].filters[{j}]");
        let mut f = Taker::new(f, &at)?;
        let kind = f.string("type")?.unwrap_or_default();
        let Some(place) = ORDER.iter().position(|(k, _, _)| *k == kind) else {
            return Err(format!(
                "a `{kind}` filter: cfggen's rule sets headers, redirects or rewrites"
            ));
        };
        if last.is_some_and(|l| l >= place) {
            return Err("filters in another order than cfggen writes them (request headers, response headers, redirect or rewrite), or one twice".into());
        }
        last = Some(place);
        let (_, key, field) = ORDER[place];
        let mut settings = f.sub(key)?;
        f.done()?;
        let path = |p: Option<Value>| -> Result<Option<PathChange>, Why> {
            let Some(p) = p else { return Ok(None) };
            let mut p = Taker::new(p, &format!("{at}.{key}.path"))?;
            let kind = p.string("type")?;
            let mut change = PathChange::default();
            match kind.as_deref() {
                Some("ReplaceFullPath") => {
                    change.replace_full_path = p.string("replaceFullPath")?
                }
                Some("ReplacePrefixMatch") => {
                    change.replace_prefix_match = p.string("replacePrefixMatch")?;
                }
                other => {
                    let other = other.unwrap_or_default();
                    return Err(format!("a path change of type `{other}`"));
                }
            }
            p.done()?;
            Ok(Some(change))
        };
        let value = match place {
            0 | 1 => {
                let mut h = HeaderChanges::default();
                for (list, map) in [("set", &mut h.set), ("add", &mut h.add)] {
                    for pair in settings.list(list)? {
                        let mut pair = Taker::new(pair, &format!("{at}.{key}.{list}[]"))?;
                        let name = pair.string("name")?.unwrap_or_default();
                        let value = pair.string("value")?.unwrap_or_default();
                        pair.done()?;
                        if map.insert(name.clone(), value).is_some() {
                            return Err(format!("header `{name}` {list} twice"));
                        }
                    }
                }
                h.remove = crate::take::typed(Value::Array(settings.list("remove")?), "remove")?;
                serde_json::to_value(h)
            }
            2 => {
                let r = RouteRedirect {
                    scheme: settings.string("scheme")?,
                    hostname: settings.string("hostname")?,
                    path: path(settings.take("path"))?,
                    port: crate::take::typed(settings.take("port").unwrap_or(Value::Null), "port")?,
                    status_code: crate::take::typed(
                        settings.take("statusCode").unwrap_or(Value::Null),
                        "statusCode",
                    )?,
                };
                serde_json::to_value(r)
            }
            _ => {
                let r = RouteRewrite {
                    hostname: settings.string("hostname")?,
                    path: path(settings.take("path"))?,
                };
                serde_json::to_value(r)
            }
        };
        settings.done()?;
        out.push((field, value.map_err(|e| e.to_string())?));
    }
    Ok(out)
}

/// A TLSRoute's or TCPRoute's typed form (of the model's types), and the
/// Services and ports it sends connections to; or why it has none.
pub(crate) fn stream_route(
    namespace: &str,
    name_label: &str,
    object: &Value,
) -> Result<(Value, Vec<(String, Value)>), Why> {
    use cfggen_model::route::{RouteVersion, TcpRoute, TlsRoute};
    let version = match object.get("apiVersion").and_then(Value::as_str) {
        Some("gateway.networking.k8s.io/v1") => None,
        Some("gateway.networking.k8s.io/v1alpha2") => Some(RouteVersion::V1alpha2),
        Some(other) => return Err(format!("{other}: cfggen writes v1 and v1alpha2")),
        None => return Err("no apiVersion".into()),
    };
    let tls = object.get("kind").and_then(Value::as_str) == Some("TLSRoute");
    let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
    let (parent_refs, hostnames) = parents_and_hosts(&mut spec)?;
    let mut rules = spec.list("rules")?;
    if rules.len() != 1 {
        return Err("a route of several rules (or none): cfggen's has one".into());
    }
    let mut rule = Taker::new(rules.remove(0), ".spec.rules[0]")?;
    let mut routed = Vec::new();
    let backends = rule_backends(&mut rule, ".spec.rules[0]", namespace, &mut routed)?;
    rule.done()?;
    spec.done()?;
    if backends.is_empty() {
        return Err("a route without backends".into());
    }
    let typed = if tls {
        if hostnames.is_empty() {
            return Err("a TLSRoute without host names".into());
        }
        serde_json::to_value(TlsRoute {
            parent_refs,
            hostnames,
            backends,
            version,
            annotations: crate::take::own_strings(annotations.clone(), name_label),
            labels: crate::take::own_strings(labels.clone(), name_label),
        })
    } else {
        if !hostnames.is_empty() {
            return Err("a TCPRoute with host names".into());
        }
        serde_json::to_value(TcpRoute {
            parent_refs,
            backends,
            version,
            annotations: crate::take::own_strings(annotations.clone(), name_label),
            labels: crate::take::own_strings(labels.clone(), name_label),
        })
    };
    Ok((typed.map_err(|e| e.to_string())?, routed))
}

/// A backend of a TLSRoute or TCPRoute: a Service of the route's
/// namespace, its port and weight.
fn backend(
    value: Value,
    at: &str,
    namespace: &str,
) -> Result<cfggen_model::route::RouteBackend, Why> {
    let mut b = Taker::new(value, at)?;
    let group = b.string("group")?;
    let kind = b.string("kind")?;
    if group.is_some_and(|g| !g.is_empty()) || kind.is_some_and(|k| k != "Service") {
        return Err("a backend other than a Service".into());
    }
    // The route's own namespace goes without saying.
    let other = b.string("namespace")?.filter(|ns| ns != namespace);
    let service = b.string("name")?.ok_or("a backend without a name")?;
    let port = b.take("port").ok_or("a backend without a port")?;
    let port = serde_json::from_value(port).map_err(|e| format!("{at}.port: {e}"))?;
    let weight = match b.take("weight") {
        Some(w) => Some(serde_json::from_value(w).map_err(|e| format!("{at}.weight: {e}"))?),
        None => None,
    };
    b.done()?;
    Ok(cfggen_model::route::RouteBackend {
        service,
        namespace: other,
        port,
        weight,
    })
}

/// A GRPCRoute → its `grpcRoutes` entry, and the (Service, port) pairs
/// it routes to in its own namespace.
pub(crate) fn grpc_route(
    namespace: &str,
    name_label: &str,
    object: &Value,
) -> Result<(Value, Vec<(String, Value)>), Why> {
    use cfggen_model::grpc_route::{GrpcMatch, GrpcRoute, GrpcRouteRule};
    let (labels, annotations, mut spec) = crate::take::labelled_spec(object)?;
    let (parent_refs, hostnames) = parents_and_hosts(&mut spec)?;
    let mut routed = Vec::new();
    let mut rules = Vec::new();
    for (r, rule) in spec.list("rules")?.into_iter().enumerate() {
        let mut rule = Taker::new(rule, &format!(".spec.rules[{r}]"))?;
        // The matches in the model's own type: Gateway API's fields.
        let matches: Vec<GrpcMatch> = serde_json::from_value(Value::Array(rule.list("matches")?))
            .map_err(|e| format!("`.spec.rules[{r}].matches`: {e}"))?;
        let at = format!(".spec.rules[{r}]");
        let backends = rule_backends(&mut rule, &at, namespace, &mut routed)?;
        rule.done()?;
        if backends.is_empty() {
            return Err(format!(
                "rule {r} has no backends (cfggen's rules send to a Service)"
            ));
        }
        rules.push(GrpcRouteRule { matches, backends });
    }
    spec.done()?;
    if rules.is_empty() {
        return Err("a GRPCRoute without rules".into());
    }
    let typed = serde_json::to_value(GrpcRoute {
        parent_refs,
        hostnames,
        rules,
        annotations: crate::take::own_strings(annotations, name_label),
        labels: crate::take::own_strings(labels, name_label),
    })
    .map_err(|e| e.to_string())?;
    Ok((typed, routed))
}

/// A route's Gateways (at least one) and host names.
fn parents_and_hosts(
    spec: &mut Taker,
) -> Result<(Vec<cfggen_model::route::ParentRef>, Vec<String>), Why> {
    let parent_refs = spec
        .list("parentRefs")?
        .into_iter()
        .map(|p| serde_json::from_value(parent_ref(p)?).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    if parent_refs.is_empty() {
        return Err("a route attached to no Gateway".into());
    }
    let hostnames: Vec<String> = match spec.take("hostnames") {
        Some(h) => serde_json::from_value(h).map_err(|e| format!("`.spec.hostnames`: {e}"))?,
        None => Vec::new(),
    };
    Ok((parent_refs, hostnames))
}

/// The backends of the rule at `at`; each Service of the route's own
/// namespace, with its port, joins `routed` (a Service of another
/// namespace is another app's).
fn rule_backends(
    rule: &mut Taker,
    at: &str,
    namespace: &str,
    routed: &mut Vec<(String, Value)>,
) -> Result<Vec<cfggen_model::route::RouteBackend>, Why> {
    rule.list("backendRefs")?
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let b = backend(b, &format!("{at}.backendRefs[{i}]"), namespace)?;
            if b.namespace.is_none() {
                let port = serde_json::to_value(&b.port).map_err(|e| e.to_string())?;
                routed.push((b.service.clone(), port));
            }
            Ok(b)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_route_of_one_path_per_rule_is_typed() {
        let object = json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "parentRefs": [{"name": "external", "namespace": "gateway"}],
                "hostnames": ["shop.example.com"],
                "rules": [
                    {"backendRefs": [{"name": "web", "port": 80}], "matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "timeouts": {"request": "0s"}},
                    {"backendRefs": [{"name": "api", "port": 8080}], "matches": [{"path": {"type": "Exact", "value": "/api"}}]}
                ]
            }
        });
        let (typed, backends) = http_route("shop", &object).unwrap();
        assert_eq!(
            typed,
            json!({
                "parentRefs": [{"name": "external", "namespace": "gateway"}],
                "hostnames": ["shop.example.com"],
                "rules": [
                    {"path": "/", "service": "web", "port": 80, "timeouts": {"request": "0s"}},
                    {"path": "/api", "pathType": "Exact", "service": "api", "port": 8080}
                ]
            })
        );
        assert_eq!(
            backends,
            vec![("web".into(), json!(80)), ("api".into(), json!(8080))]
        );
    }

    #[test]
    fn filters_several_backends_or_header_matches_keep_it_raw() {
        let with = |rule: Value| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "x"},
                   "spec": {"parentRefs": [{"name": "gw"}], "rules": [rule]}})
        };
        for rule in [
            json!({"backendRefs": [{"name": "a", "port": 80}], "filters": [{"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "b", "port": 80}}}]}),
            json!({"backendRefs": [{"name": "a", "port": 80}], "matches": [{"headers": [{"name": "x", "value": "y"}]}]}),
            // Not the order cfggen writes filters in.
            json!({"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}, {"type": "RequestHeaderModifier", "requestHeaderModifier": {"remove": ["x"]}}]}),
        ] {
            assert!(http_route("shop", &with(rule.clone())).is_err(), "{rule}");
        }
    }

    #[test]
    fn weighted_backends_other_namespaces_redirects_and_headers_are_typed() {
        let object = json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "parentRefs": [{"name": "external"}],
                "rules": [
                    {"matches": [{"path": {"value": "/login"}}], "backendRefs": [{"name": "login-v1", "port": 8080, "weight": 90}, {"name": "login-v2", "port": 8080, "weight": 10}]},
                    {"backendRefs": [{"name": "outpost", "namespace": "auth", "port": 9000}], "filters": [
                        {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "X-Env", "value": "prod"}], "remove": ["X-Debug"]}},
                        {"type": "ResponseHeaderModifier", "responseHeaderModifier": {"add": [{"name": "Cache-Control", "value": "no-cache"}]}}
                    ]},
                    {"backendRefs": [{"name": "web", "namespace": "shop", "port": 80, "weight": 100}]},
                    {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301, "path": {"type": "ReplaceFullPath", "replaceFullPath": "/"}}}]}
                ]
            }
        });
        let (typed, backends) = http_route("shop", &object).unwrap();
        assert_eq!(
            typed["rules"],
            json!([
                {"path": "/login", "backends": [{"service": "login-v1", "port": 8080, "weight": 90}, {"service": "login-v2", "port": 8080, "weight": 10}]},
                {"backends": [{"service": "outpost", "namespace": "auth", "port": 9000}],
                 "requestHeaders": {"set": {"X-Env": "prod"}, "remove": ["X-Debug"]},
                 "responseHeaders": {"add": {"Cache-Control": "no-cache"}}},
                {"backends": [{"service": "web", "port": 80, "weight": 100}]},
                {"redirect": {"scheme": "https", "path": {"replaceFullPath": "/"}, "statusCode": 301}}
            ])
        );
        // Another namespace's Service is not the app's to declare.
        let names: Vec<&str> = backends.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["login-v1", "login-v2", "web"]);
    }

    #[test]
    fn tls_and_tcp_routes_keep_their_backends_weights_and_version() {
        let tls = json!({
            "apiVersion": "gateway.networking.k8s.io/v1alpha2", "kind": "TLSRoute",
            "metadata": {"name": "nas", "namespace": "nas", "labels": {"tier": "edge"}},
            "spec": {
                "parentRefs": [{"name": "internal", "namespace": "gateway", "sectionName": "tls"}],
                "hostnames": ["nas.example.com"],
                "rules": [{"backendRefs": [{"name": "nas", "port": 443, "weight": 3}, {"name": "nas-b", "port": "https"}]}]
            }
        });
        let (typed, routed) = stream_route("nas", "nas", &tls).unwrap();
        assert_eq!(
            typed,
            json!({
                "parentRefs": [{"name": "internal", "namespace": "gateway", "sectionName": "tls"}],
                "hostnames": ["nas.example.com"],
                "backends": [{"service": "nas", "port": 443, "weight": 3}, {"service": "nas-b", "port": "https"}],
                "version": "v1alpha2",
                "labels": {"tier": "edge"}
            })
        );
        assert_eq!(
            routed,
            vec![("nas".into(), json!(443)), ("nas-b".into(), json!("https"))]
        );
        let tcp = json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "TCPRoute",
            "metadata": {"name": "mqtt"},
            "spec": {"parentRefs": [{"name": "internal", "port": 1883}], "rules": [{"backendRefs": [{"name": "mosquitto", "port": 1883}]}]}
        });
        let (typed, _) = stream_route("mqtt", "mqtt", &tcp).unwrap();
        assert_eq!(
            typed,
            json!({"parentRefs": [{"name": "internal", "port": 1883}], "backends": [{"service": "mosquitto", "port": 1883}]})
        );
        // What the model has no place for keeps the route raw, with why.
        let mut two_rules = tcp.clone();
        two_rules["spec"]["rules"] = json!([{"backendRefs": [{"name": "a", "port": 1}]}, {"backendRefs": [{"name": "b", "port": 2}]}]);
        let mut no_hosts = tls.clone();
        no_hosts["spec"]
            .as_object_mut()
            .unwrap()
            .remove("hostnames");
        for (object, why) in [
            (two_rules, "several rules"),
            (no_hosts, "without host names"),
        ] {
            let err = stream_route("mqtt", "mqtt", &object).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }
}
