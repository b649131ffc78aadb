//! The one secret check over everything cfggen writes: every rendered
//! object (typed, raw, patched, a Helm values object or values file,
//! ConfigMap data from files, an Argo CD Application) goes through
//! [`scan`] before it becomes a file. The rules are those of the typed
//! fields ([`looks_secret`], [`plainly_not_secret`],
//! [`looks_like_secret_value`]), applied wherever a value can hide:
//!
//! * a literal under a secret-looking name: an `env` entry
//!   (`{name: DB_PASSWORD, value: …}`), a map key (`data.API_TOKEN`,
//!   `auth.password`), a command-line flag (`[--password, …]`,
//!   `--token=…`), a `KEY=value` or `key: value` line of a text (a
//!   ConfigMap file, a values file);
//! * a value shaped like a credential, whatever its name: a well-known
//!   token format, a private key, a URL with a password in it, a long
//!   random-looking string.
//!
//! A finding keeps the value it found so that the caller can find where
//! it was written, but never shows it: [`Hidden`] prints as `<hidden>`.

use serde_json::Value;

use super::secrets::{is_known_token, looks_secret, random_looking};
use crate::container::Literal;
use crate::FieldPath;

/// A value that must not be shown: `Debug` and `Display` print `<hidden>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    /// The value itself, to search for where it is written; never to print.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl std::fmt::Display for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

/// Why a value is taken for a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// A literal under a secret-looking name (the finding's `name`).
    Named,
    /// A value shaped like a credential (a long random-looking string, a
    /// URL with a password).
    Shaped,
    /// A well-known credential format (a GitHub token, a private key):
    /// a secret whatever anyone declares, so no `notSecret` lets it pass.
    KnownFormat,
}

/// A secret value found in data about to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The JSON path of the scalar that holds it, in the scanned object.
    pub path: FieldPath,
    /// The same place as a reader names it: list items by their `name`
    /// (`containers[web].env[DB_PASSWORD]`), and inside a text the
    /// name or line (`data.app.env:API_TOKEN`, `…values:12`). A
    /// `notSecret` entry names a finding by this.
    pub field: String,
    /// The secret-looking name it is under (variable, key or flag).
    pub name: Option<String>,
    /// Why it is taken for a secret.
    pub why: Why,
    /// The value found.
    pub value: Hidden,
}

impl Finding {
    /// What the finding is, in words, without the value.
    pub fn describe(&self) -> String {
        match (self.why, &self.name) {
            (Why::Named, Some(n)) => {
                format!("`{n}` looks like a secret but is given a literal value")
            }
            (Why::KnownFormat, Some(n)) => {
                format!("the value of `{n}` has the form of a well-known credential")
            }
            (Why::KnownFormat, None) => {
                "a value has the form of a well-known credential".to_owned()
            }
            (_, Some(n)) => {
                format!("the value of `{n}` looks like a credential (a token, key or password)")
            }
            (_, None) => "a value looks like a credential (a token, key or password)".to_owned(),
        }
    }
}

/// Every secret value in `data`, in document order.
pub fn scan(data: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(data, &Trail::Root, &mut out);
    out
}

/// Where the walk is, from the root of the scanned object: turned into a
/// [`FieldPath`] and a field name only for a finding, so that walking
/// allocates nothing for the values that hold no secret (most of them).
#[derive(Clone, Copy)]
enum Trail<'a> {
    Root,
    /// A key of a mapping.
    Key(&'a Trail<'a>, &'a str),
    /// An item of a list (the list, to name the item by its `name` when
    /// the list's items are named, [`item_names`]).
    Item(&'a Trail<'a>, usize, &'a [Value]),
    /// Inside a text: the name or line number after `:` in the field
    /// name; the path is the text's.
    Within(&'a Trail<'a>, Within<'a>),
}

/// A place inside a text.
#[derive(Clone, Copy)]
enum Within<'a> {
    Name(&'a str),
    Line(usize),
}

impl Trail<'_> {
    fn path(&self) -> FieldPath {
        match self {
            Trail::Root => FieldPath::default(),
            Trail::Key(up, k) => up.path().key(k),
            Trail::Item(up, i, _) => up.path().index(*i),
            Trail::Within(up, _) => up.path(),
        }
    }

    fn field(&self) -> String {
        let mut out = String::new();
        self.write_field(&mut out);
        out
    }

    fn write_field(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Trail::Root => {}
            Trail::Key(up, k) => {
                up.write_field(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Trail::Item(up, i, items) => {
                up.write_field(out);
                let _ = match item_names(items).and_then(|n| n.get(*i).copied()) {
                    Some(n) => write!(out, "[{n}]"),
                    None => write!(out, "[{i}]"),
                };
            }
            Trail::Within(up, at) => {
                up.write_field(out);
                let _ = match at {
                    Within::Name(n) => write!(out, ":{n}"),
                    Within::Line(n) => write!(out, ":{n}"),
                };
            }
        }
    }
}

fn walk(value: &Value, trail: &Trail<'_>, out: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            // An `env` entry, or any `{name, value}` pair of that shape.
            let entry_name = map
                .get("name")
                .and_then(Value::as_str)
                .filter(|_| map.len() <= 3 && map.contains_key("value"));
            // External Secrets' `secretKey` names a key of the Secret.
            let structural = map.contains_key("remoteRef");
            for (k, v) in map {
                let at = Trail::Key(trail, k);
                match v {
                    Value::String(s) if k == "value" && entry_name.is_some() => {
                        let name = entry_name.unwrap_or_default();
                        named(name, s, &at, out);
                    }
                    Value::String(s) if !(structural && k == "secretKey") => {
                        if !named(k, s, &at, out) {
                            string(s, &at, out);
                        }
                    }
                    Value::String(_) => {}
                    other => walk(other, &at, out),
                }
            }
        }
        Value::Array(items) => {
            // A list of values under a key that names a secret (a
            // monitor's `params: {token: [...]}`) is read by that key.
            let key = match trail {
                Trail::Key(_, k) => Some(*k),
                _ => None,
            };
            let mut flag: Option<&str> = None;
            for (i, item) in items.iter().enumerate() {
                let at = Trail::Item(trail, i, items);
                if let Value::String(s) = item {
                    let taken = match flag.take() {
                        Some(name) if !s.starts_with('-') => named(name, s, &at, out),
                        _ => key.is_some_and(|k| named(k, s, &at, out)),
                    };
                    if !taken && !flagged(s, &at, out) {
                        string(s, &at, out);
                    }
                    flag = flag_name(s).filter(|_| !s.contains('='));
                } else {
                    flag = None;
                    walk(item, &at, out);
                }
            }
        }
        _ => {}
    }
}

/// The `name` of each item, when every item is a mapping with a
/// distinct one (containers, env, ports, volumes), as the drift report
/// names them.
fn item_names(items: &[Value]) -> Option<Vec<&str>> {
    let names: Option<Vec<&str>> = items
        .iter()
        .map(|i| i.get("name").and_then(Value::as_str))
        .collect();
    let names = names?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len() && !names.is_empty()).then_some(names)
}

/// Whether `name` names a secret (not a reference to one: `secretName`,
/// `passwordKey`, `PASSWORD_FILE` name where a secret is, and take a
/// name or a path).
pub fn names_a_secret(name: &str) -> bool {
    looks_secret(name) && !refers_to_secret(name)
}

/// Whether a secret-looking name names where a secret is rather than the
/// secret: its last word is `NAME`, `REF`, `FILE`, `PATH`, `DIR`, `KEY`
/// after a word that does not make a key a secret (`passwordKey`, but
/// not `apiKey`), …
fn refers_to_secret(name: &str) -> bool {
    let (mut before, mut last) = (None, None);
    for w in super::secrets::words(name) {
        (before, last) = (last, Some(w));
    }
    let Some(last) = last else {
        return false;
    };
    const REFERENCES: &[&str] = &[
        "NAME", "NAMES", "REF", "FILE", "FILES", "PATH", "DIR", "MOUNT", "ENABLED", "KEYS",
        "LENGTH", "POLICY", "ROTATION", "TTL", "URL", "URI", "ENDPOINT", "ID", "TYPE", "MODE",
    ];
    if super::secrets::is_one_of(last, REFERENCES) {
        return true;
    }
    last.eq_ignore_ascii_case("KEY")
        && before.is_some_and(|b| !super::secrets::is_one_of(b, super::secrets::KEY_PREFIXES))
}

/// A literal under `name`: a finding when the name names a secret and the
/// value is not plainly something else. Whether it was taken.
fn named(name: &str, value: &str, trail: &Trail<'_>, out: &mut Vec<Finding>) -> bool {
    if is_known_token(value) {
        push(out, trail, Some(name), Why::KnownFormat, value);
        return true;
    }
    if !names_a_secret(name) {
        return false;
    }
    if super::secrets::plainly_not_secret(&Literal::String(value.to_owned())).is_some() {
        return false;
    }
    push(out, trail, Some(name), Why::Named, value);
    true
}

/// A `--flag=value` item whose flag names a secret. Whether it was taken.
fn flagged(item: &str, trail: &Trail<'_>, out: &mut Vec<Finding>) -> bool {
    let Some((flag, value)) = item.split_once('=') else {
        return false;
    };
    match flag_name(flag) {
        Some(name) if !value.is_empty() => named(name, value, trail, out),
        _ => false,
    }
}

/// `password` of `--password` or `--db-password`; none for `-p`, `--`.
fn flag_name(item: &str) -> Option<&str> {
    let name = item.strip_prefix("--")?;
    (name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
    .then_some(name)
}

/// Any string: its shape, and, for a text of several lines or words, its
/// lines and words.
fn string(s: &str, trail: &Trail<'_>, out: &mut Vec<Finding>) {
    if s.contains('\n') {
        text(s, trail, out);
        return;
    }
    if let Some(why) = shaped(s) {
        push(out, trail, None, why, s);
        return;
    }
    if s.contains(char::is_whitespace) {
        words_of(s, trail, out);
    }
}

/// The shape of one value: a well-known format, a URL with a password,
/// a long random-looking string.
fn shaped(v: &str) -> Option<Why> {
    if is_known_token(v) {
        Some(Why::KnownFormat)
    } else if random_looking(v) || url_password(v) {
        Some(Why::Shaped)
    } else {
        None
    }
}

/// Whether `v` is a URL with a password in it
/// (`postgres://app:hunter2@db/app`); a placeholder (`$(PASSWORD)`,
/// `{{ .password }}`, `${PW}`, `***`) is not one.
pub fn url_password(v: &str) -> bool {
    // A quick look first: most values hold no `@`.
    if !v.contains('@') {
        return false;
    }
    let Some((scheme, rest)) = v.trim().split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_user, password)) = userinfo.split_once(':') else {
        return false;
    };
    !password.is_empty() && !is_placeholder(password)
}

/// A reference to a value given elsewhere: `$(VAR)`, `${VAR}`, `$VAR`,
/// `{{ … }}`, `%s`, `<password>`, a tag that a program resolves
/// (`!Env AUTHENTIK_SECRET`, `!Find […]`), or stars or x's that stand for
/// one.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    v.contains("$(")
        || v.contains("${")
        // Grafana's `$__env{X}`, `$__file{path}`.
        || v.contains("$__")
        || v.contains("{{")
        || v.contains("%s")
        || v.contains("%(")
        || (v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('!') && v[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        || (!v.is_empty()
            && v.chars()
                .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.'))
}

/// A text: each line as `KEY=value`, `key: value`, `"key": "value"`, and
/// a YAML `name:`/`value:` pair on two lines; each word's shape; private
/// keys. The lines of a public PEM block (a certificate) are skipped.
fn text(s: &str, trail: &Trail<'_>, out: &mut Vec<Finding>) {
    let mut in_pem = false;
    let mut pending_name: Option<&str> = None;
    for (n, line) in s.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("-----BEGIN") {
            if trimmed.contains("PRIVATE KEY") {
                let at = Trail::Within(trail, Within::Line(n + 1));
                push(out, &at, None, Why::KnownFormat, trimmed);
            } else {
                in_pem = true;
            }
            continue;
        }
        if trimmed.starts_with("-----END") {
            in_pem = false;
            continue;
        }
        if in_pem || trimmed.is_empty() {
            continue;
        }
        let comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        let before = out.len();
        if let (false, Some((key, value))) = (comment, key_value(trimmed)) {
            let name = match (key, pending_name.take()) {
                ("value", Some(var)) => var,
                _ => key,
            };
            if key == "name" {
                pending_name = Some(value);
            } else if !value.is_empty() && !value.starts_with(['{', '[', '|', '>', '&', '*']) {
                named(name, value, &Trail::Within(trail, Within::Name(name)), out);
            }
        }
        if out.len() == before {
            words_of_line(trimmed, n + 1, trail, out);
        }
    }
}

/// `key` and `value` of a `KEY=value`, `key: value` or `"key": "value",`
/// line (`export ` and a list's `- ` left out); none for other lines.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
    let eq = line.find('=');
    let colon = line
        .match_indices(':')
        .find(|(i, _)| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))
        .map(|(i, _)| i);
    let at = match (eq, colon) {
        (Some(e), Some(c)) => e.min(c),
        (e, c) => e.or(c)?,
    };
    let key = unquote(line[..at].trim());
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return None;
    }
    let value = line[at + 1..].trim();
    // A shell line that goes on (`MASTER_PASSWORD='', \`) ends before
    // its backslash.
    let value = value.strip_suffix('\\').unwrap_or(value).trim_end();
    let value = value.strip_suffix(',').unwrap_or(value).trim();
    let value = match value.split_once(" #") {
        Some((v, _)) if !value.starts_with(['"', '\'']) => v.trim(),
        _ => value,
    };
    Some((key, unquote(value)))
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The words of a one-line string (a shell command, say): flags with
/// their values, and each word's shape.
fn words_of(s: &str, trail: &Trail<'_>, out: &mut Vec<Finding>) {
    scan_words(split_words(s), trail, out);
}

fn words_of_line(line: &str, n: usize, trail: &Trail<'_>, out: &mut Vec<Finding>) {
    scan_words(
        split_words(line),
        &Trail::Within(trail, Within::Line(n)),
        out,
    );
}

fn split_words(s: &str) -> std::iter::Peekable<impl Iterator<Item = &str>> {
    s.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>'
            )
    })
    .filter(|w| !w.is_empty())
    .peekable()
}

fn scan_words<'s>(
    mut words: std::iter::Peekable<impl Iterator<Item = &'s str>>,
    trail: &Trail<'_>,
    out: &mut Vec<Finding>,
) {
    while let Some(w) = words.next() {
        let before = out.len();
        if flagged(w, trail, out) {
            return;
        }
        if let (Some(name), Some(next)) = (flag_name(w), words.peek()) {
            if !next.starts_with('-') && named(name, next, trail, out) {
                return;
            }
        }
        let value = w.split_once('=').map_or(w, |(_, v)| v);
        if let Some(why) = shaped(value) {
            push(out, trail, None, why, value);
        }
        if out.len() > before {
            return;
        }
    }
}

fn push(out: &mut Vec<Finding>, trail: &Trail<'_>, name: Option<&str>, why: Why, value: &str) {
    out.push(Finding {
        path: trail.path(),
        field: trail.field(),
        name: name.map(str::to_owned),
        why,
        value: Hidden(value.to_owned()),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Vec<(String, Why)> {
        scan(&v).into_iter().map(|f| (f.field, f.why)).collect()
    }

    const TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

    #[test]
    fn env_entries_map_keys_and_flags() {
        let d = json!({"spec": {"containers": [{"name": "web",
            "env": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}, {"name": "LOG", "value": "info"}],
            "args": ["--password", "hunter2", "--token=abc123XYZ", "--password-file", "/run/pw", "--verbose"],
            "command": ["sh", "-c", "app --api-key s3cr3tValue"]}]}});
        assert_eq!(
            fields(d),
            [
                (
                    "spec.containers[web].env[DB_PASSWORD].value".to_owned(),
                    Why::Named
                ),
                ("spec.containers[web].args[1]".to_owned(), Why::Named),
                ("spec.containers[web].args[2]".to_owned(), Why::Named),
                ("spec.containers[web].command[2]".to_owned(), Why::Named),
            ]
        );
        let cm = json!({"data": {"API_TOKEN": TOKEN, "apiToken": "s3cretValue", "passwordKey": "password",
            "secretName": "app-secret", "password": "", "url": "postgres://app:hunter2@db/app",
            "template": "postgres://{{ .user }}:{{ .password }}@db/app"}});
        assert_eq!(
            fields(cm),
            [
                ("data.API_TOKEN".to_owned(), Why::KnownFormat),
                ("data.apiToken".to_owned(), Why::Named),
                ("data.url".to_owned(), Why::Shaped),
            ]
        );
    }

    #[test]
    fn values_listed_under_a_secret_key() {
        let m = json!({"params": {"token": ["s3cretValue"], "module": ["http_2xx"]},
            "includedResources": ["secrets", "configmaps"]});
        assert_eq!(fields(m), [("params.token[0]".to_owned(), Why::Named)]);
    }

    #[test]
    fn texts_line_by_line() {
        let text = "# settings\nLOG_LEVEL=info\nexport DB_PASSWORD=hunter2\nspring.datasource.password: s3cret\n\
                    -----BEGIN CERTIFICATE-----\nMIIBq0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH\n-----END CERTIFICATE-----\n\
                    env:\n  - name: API_TOKEN\n    value: abc123\n";
        let found = fields(json!({"data": {"app.env": text}}));
        assert_eq!(
            found,
            [
                ("data.app.env:DB_PASSWORD".to_owned(), Why::Named),
                (
                    "data.app.env:spring.datasource.password".to_owned(),
                    Why::Named
                ),
                ("data.app.env:API_TOKEN".to_owned(), Why::Named),
            ]
        );
        // A shell line that goes on: the value ends at the backslash,
        // and an empty one is no secret.
        let script =
            "mysql -e \"CHANGE MASTER TO \\\n  MASTER_PASSWORD='', \\\n  MASTER_USER='root'\"\n";
        assert_eq!(fields(json!({"command": ["bash", "-c", script]})), []);
        let script = "mysql \\\n  DB_PASSWORD=hunter2 \\\n  --verbose\n";
        assert_eq!(
            fields(json!({"args": [script]})),
            [("args[0]:DB_PASSWORD".to_owned(), Why::Named)]
        );
        let key = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            fields(json!({"k": key})),
            [("k".to_owned(), Why::KnownFormat)]
        );
    }

    #[test]
    fn plain_settings_pass() {
        let d = json!({"metadata": {"annotations": {"vault.hashicorp.com/agent-inject-secret-db": "database/creds/db"}},
            "data": [{"secretKey": "password", "remoteRef": {"key": "item", "property": "password"}}],
            "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
            "automountServiceAccountToken": false, "tokenTTL": 3600,
            "args": ["--token-file=/var/run/token", "--secret-name", "app-secret", "--password=$(DB_PASSWORD)"],
            "sha": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"});
        assert_eq!(fields(d), []);
    }

    #[test]
    fn the_value_is_never_shown() {
        let f = scan(&json!({"password": "hunter2hunter2"}));
        assert_eq!(f.len(), 1);
        assert!(!format!("{f:?} {}", f[0].describe()).contains("hunter2"));
        assert_eq!(f[0].value.expose(), "hunter2hunter2");
    }
}
