//! Name rules: Kubernetes names (DNS-1123), port names, 1Password names.
//!
//! The regular expressions go into the JSON Schemas for editors; the
//! functions are what cfggen itself applies, with a reason on failure.

/// The label naming the app of what cfggen renders (and selecting its pods).
pub const LABEL_APP: &str = "app.kubernetes.io/name";
/// The label naming the component of what cfggen renders.
pub const LABEL_COMPONENT: &str = "app.kubernetes.io/component";
/// The label cfggen puts on every object it renders, and its value.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "cfggen");

/// A DNS-1123 label: most Kubernetes object names, namespaces, app names.
pub const DNS1123_LABEL: &str = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
/// A DNS-1123 subdomain: ConfigMap, Secret and Ingress names.
pub const DNS1123_SUBDOMAIN: &str =
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// The name of a Role, ClusterRole or binding: a path segment (any text
/// but `/` and `%`; not `.` or `..`, which a rule refuses), as
/// `system:coredns`.
pub const RBAC_NAME: &str = "^[^/%]+$";
/// An IANA service name, which Kubernetes requires for named ports.
pub const PORT_NAME: &str = "^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$";
/// A label value Kubernetes takes (not empty): at most 63 letters,
/// digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub const LABEL_VALUE: &str = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$";
/// A key of a ConfigMap or Secret.
pub const DATA_KEY: &str = "^[-._a-zA-Z0-9]+$";
/// An environment variable name.
pub const ENV_VAR: &str = "^[-._a-zA-Z][-._a-zA-Z0-9]*$";
/// A database's name in PostgreSQL: lower case, digits, `_` and `-`
/// (CloudNativePG quotes it), at most 63 bytes.
pub const DATABASE_NAME: &str = "^[a-z_][a-z0-9_-]{0,62}$";
/// A name a 1Password secret reference (`op://…`) can carry.
pub const OP_NAME: &str = "^[A-Za-z0-9 ._-]+$";
/// A 1Password item or vault ID: 26 lower-case letters and digits.
pub const OP_ID: &str = "^[a-z0-9]{26}$";
/// A Kubernetes quantity such as `100m`, `256Mi` or `1.5`.
pub const QUANTITY: &str =
    "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][-+]?[0-9]+))?$";
/// A Go duration such as `1h`, `30m` or `1h30m`.
pub const DURATION: &str = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
/// How often External Secrets reads a secret again: a Go duration, or
/// `0`: never (read, or generated, once).
pub const REFRESH_INTERVAL: &str = "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$";
/// A host name of a Gateway API route: a DNS subdomain, or one under
/// `*.`.
pub const ROUTE_HOSTNAME: &str =
    "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A Gateway API duration: up to four parts of hours, minutes, seconds
/// and milliseconds (`10s`, `1m30s`, `500ms`).
pub const ROUTE_DURATION: &str = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

/// The seconds of a duration as Go writes it ([`DURATION`]: `1h30m`,
/// `90s`, `1.5h`), when it is one.
pub fn go_duration_secs(text: &str) -> Option<f64> {
    let (mut rest, mut total) = (text, 0.0);
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let n: f64 = rest[..digits].parse().ok()?;
        let units = [
            ("ns", 1e-9),
            ("us", 1e-6),
            ("µs", 1e-6),
            ("ms", 1e-3),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
        ];
        let (unit, factor) = units
            .into_iter()
            .filter(|(u, _)| rest[digits..].starts_with(u))
            .max_by_key(|(u, _)| u.len())?;
        total += n * factor;
        rest = &rest[digits + unit.len()..];
    }
    (!text.is_empty()).then_some(total)
}

/// Whether a label name (or a non-empty value) is what Kubernetes takes:
/// at most 63 letters, digits, `-`, `_` and `.`, starting and ending with
/// a letter or digit.
pub fn is_label_name(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether a text is a valid ConfigMap or Secret key.
pub fn is_data_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && key != "."
        && key != ".."
}

/// Says in words what a schema pattern of this module asks for.
pub fn describe_pattern(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        DNS1123_LABEL => "a DNS-1123 label: at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit",
        DNS1123_SUBDOMAIN => "a DNS-1123 subdomain: lower-case letters, digits, `-` and `.`, each part starting and ending with a letter or digit",
        PORT_NAME => "a port name: at most 15 lower-case letters, digits and `-`, starting and ending with a letter or digit",
        DATA_KEY => "a ConfigMap/Secret key: letters, digits, `-`, `_` and `.`",
        ENV_VAR => "an environment variable name: letters, digits, `_`, `-` and `.`, not starting with a digit",
        OP_NAME => "a name a 1Password secret reference can carry: letters, digits, `-`, `_`, `.` and spaces",
        OP_ID => "a 1Password ID: 26 lower-case letters and digits",
        LABEL_VALUE => "a label value: at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
        QUANTITY => "a Kubernetes quantity such as `100m`, `256Mi` or `2`",
        DURATION => "a duration such as `1h`, `30m` or `1h30m`",
        REFRESH_INTERVAL => "a duration such as `1h`, `30m` or `1h30m`, or `0` (once)",
        ROUTE_HOSTNAME => "a host name such as `shop.example.com` or `*.example.com`",
        ROUTE_DURATION => "a Gateway API duration such as `10s`, `1m30s` or `500ms` (`0s`: no limit)",
        crate::image::IMAGE_PATTERN => "an image reference such as `ghcr.io/org/app:v1.2.3`",
        crate::helm::CHART_VERSION => "an exact chart version such as `4.12.1`",
        crate::argocd::SYNC_OPTION => "an Argo CD sync option such as `ServerSideApply=true`, `CreateNamespace=true`, `PruneLast=true` or `PrunePropagationPolicy=foreground`",
        _ => return None,
    })
}

/// What to do when a value does not match a pattern of this module.
pub fn pattern_hint(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        DNS1123_LABEL | DNS1123_SUBDOMAIN => "Kubernetes names are lower case, e.g. `authentik-server`",
        OP_NAME => "a secret reference (op://…) carries only these characters; where the 1Password name has others, use its 26-character ID",
        QUANTITY => "write CPU as `100m` or `1`, memory as `256Mi` or `1Gi`",
        DURATION => "write durations as `30s`, `5m` or `1h`",
        ENV_VAR => "environment variable names are like `LOG_LEVEL`",
        LABEL_VALUE => "put free text in an annotation; a label value is like `ingress-nginx`",
        crate::helm::CHART_VERSION => "a range would install whatever is newest when Argo CD syncs; pin the version you reviewed",
        _ => return None,
    })
}

/// Why a name is not a DNS-1123 label, or `None` if it is one.
pub fn dns1123_label_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > 63 {
        return Some(format!(
            "it is {} characters long; at most 63 are allowed",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(if c.is_ascii_uppercase() {
            "it has upper-case letters; Kubernetes names are lower case".into()
        } else {
            format!("`{c}` is not allowed; use lower-case letters, digits and `-`")
        });
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it must start and end with a letter or digit".into());
    }
    None
}

/// Whether a name is a path segment, as Kubernetes takes the names of
/// RBAC objects (no `/` or `%`, not `.` or `..`).
pub fn is_path_segment_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name != "."
        && name != ".."
        && !name.contains(['/', '%'])
        && !name.chars().any(char::is_control)
}

/// Whether a name is one Kubernetes takes for an object of `api`:
/// a path segment for RBAC objects (`system:coredns`), a DNS-1123
/// subdomain for every other.
pub fn is_object_name(api: &str, name: &str) -> bool {
    if api.starts_with("rbac.authorization.k8s.io/") {
        is_path_segment_name(name)
    } else {
        is_dns1123_subdomain(name)
    }
}

/// Whether a name matches [`DNS1123_SUBDOMAIN`] (and is at most 253 long).
pub fn is_dns1123_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .split('.')
            .all(|part| dns1123_label_error(part).is_none())
}

/// Whether a 1Password secret reference can carry this vault, item,
/// section or field name.
pub fn is_op_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-'))
}

/// Whether this is a 1Password item or vault ID.
pub fn is_op_id(id: &str) -> bool {
    id.len() == 26
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Parses a Kubernetes quantity (`100m`, `1.5Gi`, `2e3`) to a number.
pub fn quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_in_seconds() {
        assert_eq!(go_duration_secs("90s"), Some(90.0));
        assert_eq!(go_duration_secs("1h30m"), Some(5400.0));
        assert_eq!(go_duration_secs("2160h"), Some(7_776_000.0));
        assert_eq!(go_duration_secs("1.5h"), Some(5400.0));
        assert_eq!(go_duration_secs("500ms"), Some(0.5));
        assert_eq!(go_duration_secs(""), None);
        assert_eq!(go_duration_secs("90"), None);
        assert_eq!(go_duration_secs("14d"), None);
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("100m"), Some(0.1));
        assert_eq!(quantity("1"), Some(1.0));
        assert_eq!(quantity("1Gi"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(quantity("1.5k"), Some(1500.0));
        assert_eq!(quantity("2e3"), Some(2000.0));
        assert_eq!(quantity("abc"), None);
        assert!(quantity("256Mi") < quantity("1Gi"));
        assert!(quantity("1000m") == quantity("1"));
    }

    #[test]
    fn dns_labels() {
        assert!(dns1123_label_error("authentik-server").is_none());
        assert!(dns1123_label_error("a").is_none());
        assert!(dns1123_label_error("Auth").is_some());
        assert!(dns1123_label_error("-a").is_some());
        assert!(dns1123_label_error("a_b").is_some());
        assert!(dns1123_label_error(&"a".repeat(64)).is_some());
        assert!(dns1123_label_error("").is_some());
    }

    #[test]
    fn subdomains() {
        assert!(is_dns1123_subdomain("a.b-c.d"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_subdomain("../etc"));
    }

    #[test]
    fn op_names() {
        assert!(is_op_name("Authentik blumeops"));
        assert!(is_op_name("postgresql-password"));
        assert!(!is_op_name("Authentik (blumeops)"));
        assert!(!is_op_name(""));
        assert!(is_op_id("abcdefghijklmnopqrstuvwxy1"));
        assert!(!is_op_id("ABCDEFGHIJKLMNOPQRSTUVWXY1"));
    }
}
