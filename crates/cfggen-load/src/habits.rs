//! Hints for habits from Kubernetes YAML: when a value has the shape the
//! Kubernetes field would have and cfggen cannot take it as it is, the
//! hint shows the cfggen form of that very value.

use cfggen_path::{FieldPath, Seg};
use serde_json::Value;

/// Well-known port names, by number, for a port written without one.
const WELL_KNOWN: &[(u64, &str)] = &[
    (53, "dns"),
    (80, "http"),
    (443, "https"),
    (3000, "http"),
    (3306, "mysql"),
    (5432, "postgres"),
    (5672, "amqp"),
    (6379, "redis"),
    (8000, "http"),
    (8080, "http"),
    (8443, "https"),
    (9090, "metrics"),
    (9200, "http"),
    (11211, "memcached"),
    (27017, "mongodb"),
];

/// A hint for a schema error at `path` of the environment `root`, when
/// the value there is a Kubernetes habit cfggen has a form for.
pub(crate) fn hint(path: &FieldPath, root: &Value) -> Option<String> {
    let segs = path.segs();
    let at = segs
        .iter()
        .rposition(|s| matches!(s, Seg::Key(k) if k == "ports"))?;
    let owner = &segs[..at];
    let ports = lookup(root, &segs[..=at])?.as_array()?;
    let numbers: Vec<u64> = ports.iter().filter_map(port_number).collect();
    if numbers.len() != ports.len() || numbers.is_empty() {
        return None;
    }
    let is_service =
        owner.len() >= 2 && matches!(&owner[owner.len() - 2], Seg::Key(k) if k == "services");
    if is_service {
        return Some(service_hint(root, owner, &numbers));
    }
    let container = match owner.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    let names = port_names(container, &numbers);
    let map = pairs(&names, &numbers);
    let list = names
        .iter()
        .zip(&numbers)
        .map(|(n, p)| format!("{{name: {n}, containerPort: {p}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "container ports have names, which Services and probes use: write `ports: {{{map}}}`, or the Kubernetes list `ports: [{list}]`"
    ))
}

/// The number of a port written as `6379` or `{containerPort: 6379}`
/// (without a name).
fn port_number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::Object(m) if !m.contains_key("name") => m
            .get("containerPort")
            .or_else(|| m.get("port"))
            .and_then(Value::as_u64),
        _ => None,
    }
}

/// A name for each port: a well-known one, else the container's, else
/// `port-<number>`; never the same twice.
fn port_names(container: &str, numbers: &[u64]) -> Vec<String> {
    let container_ok = !container.is_empty()
        && container.len() <= 15
        && container.chars().any(|c| c.is_ascii_lowercase())
        && container
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let mut out: Vec<String> = Vec::new();
    for n in numbers {
        let known = WELL_KNOWN.iter().find(|(p, _)| p == n).map(|(_, s)| *s);
        let candidates = known
            .into_iter()
            .chain(container_ok.then_some(container))
            .map(str::to_owned)
            .chain(std::iter::once(format!("port-{n}")));
        let name = candidates
            .into_iter()
            .find(|c| !out.contains(c))
            .unwrap_or_else(|| format!("port-{n}"));
        out.push(name);
    }
    out
}

fn pairs(names: &[String], numbers: &[u64]) -> String {
    names
        .iter()
        .zip(numbers)
        .map(|(n, p)| format!("{n}: {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Service ports written as bare numbers: they need the container port
/// each forwards to.
fn service_hint(root: &Value, service: &[Seg], numbers: &[u64]) -> String {
    // The app is two steps above `services.<name>`.
    let app = &service[..service.len() - 2];
    let target_names: Vec<String> = lookup(root, service)
        .and_then(|s| s.get("component"))
        .and_then(Value::as_str)
        .and_then(|c| {
            let mut p = app.to_vec();
            p.extend([Seg::Key("components".into()), Seg::Key(c.into())]);
            lookup(root, &p)?
                .get("ports")?
                .as_object()
                .map(|m| m.keys().cloned().collect())
        })
        .unwrap_or_default();
    let names: Vec<String> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            target_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| port_names("", &[*n]).remove(0))
        })
        .collect();
    let map = pairs(&names, numbers);
    let (first_name, first_port) = (&names[0], numbers[0]);
    format!(
        "a Service port forwards to a container port by its name: write `ports: {{{map}}}` (the key names the container port, the number is the Service's), or the Kubernetes list `ports: [{{port: {first_port}, targetPort: {first_name}}}]`"
    )
}

fn lookup<'a>(root: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    segs.iter().try_fold(root, |v, s| match s {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_ports_as_numbers_get_the_mapping_form() {
        let root = json!({"apps": {"cache": {"components": {"redis": {"ports": [6379]}}}}});
        let path = FieldPath::of(&["apps", "cache", "components", "redis", "ports"]).index(0);
        let h = hint(&path, &root).unwrap();
        assert!(h.contains("`ports: {redis: 6379}`"), "{h}");
        assert!(h.contains("[{name: redis, containerPort: 6379}]"), "{h}");
    }

    #[test]
    fn unnamed_kubernetes_ports_get_names_never_twice() {
        let root = json!({"apps": {"a": {"components": {"web": {"ports": [{"containerPort": 8080}, {"containerPort": 8000}, {"containerPort": 9000}]}}}}});
        let path = FieldPath::of(&["apps", "a", "components", "web", "ports"]);
        let h = hint(&path, &root).unwrap();
        assert!(
            h.contains("`ports: {http: 8080, web: 8000, port-9000: 9000}`"),
            "{h}"
        );
    }

    #[test]
    fn service_ports_as_numbers_name_the_component_port() {
        let root = json!({"apps": {"a": {
            "components": {"api": {"ports": {"grpc": 8080}}},
            "services": {"api": {"component": "api", "ports": [5000]}}
        }}});
        let path = FieldPath::of(&["apps", "a", "services", "api", "ports"]).index(0);
        let h = hint(&path, &root).unwrap();
        assert!(h.contains("`ports: {grpc: 5000}`"), "{h}");
        assert!(h.contains("[{port: 5000, targetPort: grpc}]"), "{h}");
    }

    #[test]
    fn other_values_get_no_hint() {
        let root = json!({"apps": {"a": {"components": {"web": {"ports": {"http": "x"}}}}}});
        let path = FieldPath::of(&["apps", "a", "components", "web", "ports", "http"]);
        assert_eq!(hint(&path, &root), None);
    }
}
