//! A Gateway API HTTPRoute in cfggen's form: an entry of the app's
//! `httpRoutes`, each rule one path (or none) to one Service and port.

use serde_json::{json, Map, Value};

use crate::take::{Taker, Why};

/// An HTTPRoute's typed form, and the Services and ports its rules route
/// to; or why it has none (a rule with several backends or matches, a
/// filter, a header match, a backend in another namespace, …).
pub(crate) fn http_route(
    namespace: &str,
    object: &Value,
) -> Result<(Value, Vec<(String, Value)>), Why> {
    let (mut t, mut meta) = crate::take::object(object)?;
    let labels = meta.strings("labels")?;
    let annotations = meta.strings("annotations")?;
    meta.done()?;
    let mut spec = t.sub("spec")?;
    t.done()?;
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
    let mut refs = r.list("backendRefs")?;
    if refs.len() != 1 {
        return Err(
            "a rule with several backends (or none): cfggen's rule routes to one Service".into(),
        );
    }
    let mut b = Taker::new(refs.remove(0), &format!(".spec.rules[{i}].backendRefs[0]"))?;
    let group = b.string("group")?;
    let kind = b.string("kind")?;
    if group.is_some_and(|g| !g.is_empty()) || kind.is_some_and(|k| k != "Service") {
        return Err("a backend other than a Service".into());
    }
    if b.string("namespace")?.is_some_and(|ns| ns != namespace) {
        return Err("a backend in another namespace".into());
    }
    let service = b.string("name")?.ok_or("a backend without a name")?;
    let port = b.take("port").ok_or("a backend without a port")?;
    // One backend takes every request whatever its weight but 0.
    if let Some(weight) = b.take("weight") {
        if weight == json!(0) {
            return Err("a backend of weight 0".into());
        }
        if weight != json!(1) {
            return Err("a backend's weight: cfggen's rule routes to one Service".into());
        }
    }
    b.done()?;
    backends.push((service.clone(), port.clone()));
    out.insert("service".into(), service.into());
    out.insert("port".into(), port);
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

#[cfg(test)]
mod tests {
    use super::*;

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
            json!({"backendRefs": [{"name": "a", "port": 80}], "filters": [{"type": "RequestRedirect"}]}),
            json!({"backendRefs": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}),
            json!({"backendRefs": [{"name": "a", "port": 80}], "matches": [{"headers": [{"name": "x", "value": "y"}]}]}),
            json!({"backendRefs": [{"name": "a", "namespace": "other", "port": 80}]}),
        ] {
            assert!(http_route("shop", &with(rule.clone())).is_err(), "{rule}");
        }
    }
}
