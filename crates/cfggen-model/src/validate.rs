//! Semantic rules: what a JSON Schema cannot say about an environment.
//!
//! [`validate`] returns every problem it finds, each with the field path
//! it is about, so the loader can point at the source line.

use std::collections::HashMap;

pub use cfggen_path::{FieldPath, Seg};

use crate::app::{
    workload_name, App, Component, EnvValue, Ingress, Literal, PortRef, Probe, Service, Volume,
};
use crate::database::Database;
use crate::environment::Environment;
use crate::environment::StoreProvider;
use crate::image::ImageRef;
use crate::refs::SecretFieldRef;
use crate::secrets::SecretItem;
use crate::{names, suggest};

/// Whether an issue is about a mapping key or the value under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The value at the path.
    Value,
    /// The key of the last path step.
    Key,
}

/// A semantic problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// A stable short name of the rule, e.g. `undeclared-cluster`.
    pub code: &'static str,
    /// The field the problem is about.
    pub path: FieldPath,
    /// Whether the key or the value is at fault.
    pub target: Target,
    /// What is wrong.
    pub message: String,
    /// A label under the source snippet: what was expected there.
    pub label: String,
    /// What to do about it.
    pub hint: Option<String>,
}

struct Checker<'a> {
    env: &'a Environment,
    issues: Vec<Issue>,
}

impl Checker<'_> {
    fn push(
        &mut self,
        code: &'static str,
        path: FieldPath,
        target: Target,
        message: String,
        label: impl Into<String>,
        hint: Option<String>,
    ) {
        self.issues.push(Issue {
            code,
            path,
            target,
            message,
            label: label.into(),
            hint,
        });
    }
}

/// An environment that passed every semantic rule. Only [`validate`]
/// makes one, and the renderer takes nothing else: every reference in it
/// resolves, every name is valid.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated(Environment);

impl Validated {
    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.0
    }
}

impl std::ops::Deref for Validated {
    type Target = Environment;

    fn deref(&self) -> &Environment {
        &self.0
    }
}

/// Applies every semantic rule to an environment loaded from the file
/// `environments/<stem>.yaml`: the environment, validated, or every
/// problem found, in a stable order.
pub fn validate(env: Environment, stem: &str) -> Result<Validated, Vec<Issue>> {
    let issues = check(&env, stem);
    if issues.is_empty() {
        Ok(Validated(env))
    } else {
        Err(issues)
    }
}

/// Every problem of an environment loaded from `environments/<stem>.yaml`,
/// in a stable order.
pub fn check(env: &Environment, stem: &str) -> Vec<Issue> {
    let mut c = Checker {
        env,
        issues: Vec::new(),
    };
    if env.name != stem {
        c.push(
            "name-mismatch",
            FieldPath::of(&["name"]),
            Target::Value,
            format!(
                "environment name `{}` does not match its file name `{stem}.yaml`",
                env.name
            ),
            format!("expected `{stem}`"),
            Some(format!(
                "set `name: {stem}`, or rename the file to `{}.yaml`",
                env.name
            )),
        );
    }
    check_vault(
        &mut c,
        &env.onepassword.vault,
        FieldPath::of(&["onepassword", "vault"]),
    );
    for (name, cluster) in &env.postgres {
        if let Some(image) = &cluster.image {
            check_pinned(&mut c, image, FieldPath::of(&["postgres", name, "image"]));
        }
    }
    for (name, app) in &env.apps {
        check_app(&mut c, name, app);
    }
    check_folders(&mut c);
    check_roles(&mut c);
    check_unique_objects(&mut c);
    c.issues
}

fn check_vault(c: &mut Checker<'_>, vault: &str, path: FieldPath) {
    if !names::is_op_name(vault) && !names::is_op_id(vault) {
        c.push(
            "op-name",
            path,
            Target::Value,
            format!("1Password vault `{vault}` cannot be named in a secret reference"),
            "not a secret-reference name",
            Some(
                "a secret reference (op://…) accepts only letters, digits, `-`, `_`, `.` and spaces; use the vault's 26-character ID instead"
                    .into(),
            ),
        );
    }
}

fn check_pinned(c: &mut Checker<'_>, image: &ImageRef, path: FieldPath) {
    if c.env.images.require_pinned && !image.is_pinned() {
        let why = match image.tag() {
            Some(_) => "the tag `latest` moves",
            None => "it has no tag or digest, so it means `latest`",
        };
        c.push(
            "unpinned-image",
            path,
            Target::Value,
            format!(
                "image `{image}` is not pinned, and environment `{}` requires pinned images ({why})",
                c.env.name
            ),
            "expected a version tag or a digest",
            Some(format!(
                "use a release tag such as `{}:v1.2.3`, or a digest `@sha256:…`",
                image.name()
            )),
        );
    }
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "PRIVATEKEY",
];
const KEY_PREFIXES: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "SECRET",
];

/// Whether an environment variable name looks like it holds a secret.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        SECRET_WORDS.contains(w) || (*w == "KEY" && i > 0 && KEY_PREFIXES.contains(&words[i - 1]))
    })
}

/// Prefixes of well-known credential formats.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "sk-proj-",
    "AKIA",
    "ASIA",
    "AIza",
    "-----BEGIN",
];

/// Whether a literal looks like a credential: a well-known token format,
/// or a long random-looking string (high Shannon entropy, letters and
/// digits, none of the separators of URLs, paths or host names).
pub fn looks_like_secret_value(value: &str) -> bool {
    let v = value.trim();
    if TOKEN_PREFIXES
        .iter()
        .any(|p| v.starts_with(p) && v.len() >= p.len() + 16)
    {
        return true;
    }
    if v.len() < 32
        || v.chars()
            .any(|c| c.is_whitespace() || "/.:@,;=".contains(c))
    {
        return false;
    }
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
    if !(has_digit && has_alpha) {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = v.chars().count() as f64;
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 4.3
}

fn check_secret_ref(
    c: &mut Checker<'_>,
    app: &App,
    r: &SecretFieldRef,
    path: FieldPath,
    what: &str,
) {
    let Some(item) = app.secrets.get(r.secret()) else {
        c.push(
            "unknown-secret",
            path,
            Target::Value,
            format!(
                "{what} reads secret `{}`, which the app does not declare",
                r.secret()
            ),
            "not a key of the app's `secrets`",
            suggest::hint(r.secret(), app.secrets.keys().map(String::as_str))
                .or_else(|| Some("declare the 1Password item under the app's `secrets`".into())),
        );
        return;
    };
    if !item.fields.contains_key(r.field()) {
        c.push(
            "unknown-secret-field",
            path,
            Target::Value,
            format!(
                "{what} reads field `{}` of secret `{}`, but that item declares no such field",
                r.field(),
                r.secret()
            ),
            "not a declared field",
            suggest::hint(r.field(), item.fields.keys().map(String::as_str)).or_else(|| {
                Some(format!(
                    "add `{}: {{}}` under `secrets.{}.fields`",
                    r.field(),
                    r.secret()
                ))
            }),
        );
    }
}

/// One app: its image, secrets, components, services, ingress, database.
fn check_app(c: &mut Checker<'_>, name: &str, app: &App) {
    let base = FieldPath::of(&["apps", name]);
    if let Some(image) = &app.image {
        check_pinned(c, image, base.key("image"));
    }
    for (secret_name, item) in &app.secrets {
        check_secret_item(c, &base.key("secrets").key(secret_name), secret_name, item);
    }
    for (cname, comp) in &app.components {
        let cpath = base.key("components").key(cname);
        check_component(c, name, app, cname, comp, &cpath);
        for (var, value) in &comp.env {
            check_env_value(c, app, var, value, cpath.key("env").key(var));
        }
        for (probe_name, probe) in comp.probes.iter() {
            check_probe(
                c,
                cname,
                comp,
                probe_name,
                probe,
                &cpath.key("probes").key(probe_name),
            );
        }
        for (vname, volume) in &comp.volumes {
            check_volume(c, app, vname, volume, &cpath.key("volumes").key(vname));
        }
    }
    for (sname, svc) in &app.services {
        check_service(c, name, app, sname, svc, &base.key("services").key(sname));
    }
    if let Some(ingress) = &app.ingress {
        check_ingress(c, name, app, ingress, &base.key("ingress"));
    }
    if let Some(db) = &app.database {
        check_database(c, name, app, db, &base);
    }
}

/// A 1Password item: names a secret reference can carry, the vault the
/// store can read, one Secret key per field.
fn check_secret_item(c: &mut Checker<'_>, ipath: &FieldPath, secret_name: &str, item: &SecretItem) {
    if item.reference_name().is_none() {
        c.push(
            "op-name",
            ipath.key("item"),
            Target::Value,
            format!(
                "1Password item title `{}` cannot be used in a secret reference",
                item.item
            ),
            "has characters a secret reference cannot carry",
            Some(
                "secret references (op://…) accept only letters, digits, `-`, `_`, `.` and spaces; add `id:` with the item's 26-character ID (`op item get \"<title>\" --format json | jq -r .id`)"
                    .into(),
            ),
        );
    }
    if let Some(vault) = &item.vault {
        check_vault(c, vault, ipath.key("vault"));
        let sdk = c.env.onepassword.store.provider == StoreProvider::Sdk;
        if sdk && *vault != c.env.onepassword.vault {
            c.push(
                "store-vault",
                ipath.key("vault"),
                Target::Value,
                format!(
                    "item vault `{vault}` differs from the environment's vault `{}`, and a `onepasswordSDK` store reads one vault only",
                    c.env.onepassword.vault
                ),
                "not readable through the store",
                Some("move the item into the environment's vault, or remove `vault:`".into()),
            );
        }
    }
    let mut keys: HashMap<&str, &str> = HashMap::new();
    for (label, field) in &item.fields {
        let fpath = ipath.key("fields").key(label);
        if !names::is_op_name(label) {
            c.push(
                "op-name",
                fpath.clone(),
                Target::Key,
                format!("field label `{label}` cannot be used in a secret reference"),
                "has characters a secret reference cannot carry",
                Some(
                    "rename the field in 1Password to letters, digits, `-`, `_`, `.` and spaces"
                        .into(),
                ),
            );
        }
        if let Some(section) = &field.section {
            if !names::is_op_name(section) {
                c.push(
                    "op-name",
                    fpath.key("section"),
                    Target::Value,
                    format!("section `{section}` cannot be used in a secret reference"),
                    "has characters a secret reference cannot carry",
                    Some("rename the section in 1Password to letters, digits, `-`, `_`, `.` and spaces".into()),
                );
            }
        }
        let key = field.key(label);
        if field.key.is_none()
            && !key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-._".contains(ch))
        {
            c.push(
                "secret-key",
                fpath.clone(),
                Target::Key,
                format!("field `{label}` needs a `key`: its label is not a valid Secret key"),
                "not a valid Secret key",
                Some("set `key:` to letters, digits, `-`, `_` and `.`".into()),
            );
        }
        if let Some(first) = keys.insert(key, label) {
            c.push(
                "secret-key",
                fpath.clone(),
                Target::Key,
                format!("fields `{first}` and `{label}` both become key `{key}` of Secret `{secret_name}`"),
                "same Secret key as another field",
                Some("give one of them another `key:`".into()),
            );
        }
    }
}

/// A component: its workload name and its image.
fn check_component(
    c: &mut Checker<'_>,
    name: &str,
    app: &App,
    cname: &str,
    comp: &Component,
    cpath: &FieldPath,
) {
    let deployment = workload_name(name, cname);
    if let Some(why) = names::dns1123_label_error(&deployment) {
        c.push(
            "invalid-name",
            cpath.clone(),
            Target::Key,
            format!("the Deployment name `{deployment}` (app + component) is not a valid Kubernetes name: {why}"),
            "makes an invalid Deployment name",
            Some("shorten the app or component name".into()),
        );
    }
    match (&comp.image, &app.image) {
        (Some(image), _) => check_pinned(c, image, cpath.key("image")),
        (None, Some(_)) => {}
        (None, None) => c.push(
            "missing-image",
            cpath.clone(),
            Target::Key,
            format!("component `{cname}` has no image, and app `{name}` sets none"),
            "no image",
            Some(format!(
                "set `apps.{name}.image`, or `image` on the component"
            )),
        ),
    }
}

/// An environment variable: no secret as a literal, references resolve.
fn check_env_value(c: &mut Checker<'_>, app: &App, var: &str, value: &EnvValue, vpath: FieldPath) {
    match value {
        EnvValue::Literal(lit) if looks_secret(var) => {
            let shown = match lit {
                Literal::String(_) => "a literal value".to_owned(),
                other => format!("the literal `{other}`"),
            };
            c.push(
                "secret-literal",
                vpath,
                Target::Value,
                format!("`{var}` looks like a secret but is given {shown}"),
                "literal value for a secret-looking variable",
                Some(format!(
                    "keep the value in 1Password and write `{var}: {{secret: <secret>/<field>}}`; config holds references, never secret values"
                )),
            );
        }
        EnvValue::Literal(Literal::String(text)) if looks_like_secret_value(text) => {
            c.push(
                "secret-value",
                vpath,
                Target::Value,
                format!("the value of `{var}` looks like a credential (a token, key or password), and config must not hold one"),
                "looks like a secret value",
                Some(format!(
                    "store it in 1Password and write `{var}: {{secret: <secret>/<field>}}`; if it is not secret, put it in a ConfigMap"
                )),
            );
        }
        EnvValue::Literal(_) => {}
        EnvValue::Secret { secret } => {
            check_secret_ref(c, app, secret, vpath.key("secret"), &format!("`{var}`"));
        }
        EnvValue::ConfigMap { config_map: r } => match app.config_maps.get(r.config_map()) {
            Some(cm) if cm.data.contains_key(r.key()) => {}
            Some(cm) => c.push(
                "unknown-configmap",
                vpath.key("configMap"),
                Target::Value,
                format!("ConfigMap `{}` has no key `{}`", r.config_map(), r.key()),
                "not a key of that ConfigMap",
                suggest::hint(r.key(), cm.data.keys().map(String::as_str)),
            ),
            None => c.push(
                "unknown-configmap",
                vpath.key("configMap"),
                Target::Value,
                format!(
                    "`{var}` reads ConfigMap `{}`, which the app does not declare",
                    r.config_map()
                ),
                "not a key of the app's `configMaps`",
                suggest::hint(r.config_map(), app.config_maps.keys().map(String::as_str)),
            ),
        },
    }
}

/// A probe: exactly one check, on a port the component declares.
fn check_probe(
    c: &mut Checker<'_>,
    cname: &str,
    comp: &Component,
    probe_name: &str,
    probe: &Probe,
    ppath: &FieldPath,
) {
    let kinds = usize::from(probe.http.is_some())
        + usize::from(probe.tcp.is_some())
        + usize::from(probe.exec.is_some());
    if kinds != 1 {
        c.push(
            "probe-kind",
            ppath.clone(),
            Target::Value,
            format!("the {probe_name} probe must have exactly one of `http`, `tcp` or `exec`; it has {kinds}"),
            "expected one check",
            None,
        );
    }
    let ports = [
        probe
            .http
            .as_ref()
            .map(|h| (&h.port, ppath.key("http").key("port"))),
        probe.tcp.as_ref().map(|p| (p, ppath.key("tcp"))),
    ];
    for (port, path) in ports.into_iter().flatten() {
        let known = match port {
            PortRef::Name(n) => comp.ports.contains_key(n),
            PortRef::Number(n) => comp.ports.values().any(|p| p == n),
        };
        if !known {
            c.push(
                "unknown-port",
                path,
                Target::Value,
                format!("the {probe_name} probe checks port `{port}`, which component `{cname}` does not declare"),
                "not one of the component's ports",
                suggest::hint(&port.to_string(), comp.ports.keys().map(String::as_str))
                    .or_else(|| Some("declare it under the component's `ports`".into())),
            );
        }
    }
}

/// A volume: exactly one source, which the app declares.
fn check_volume(c: &mut Checker<'_>, app: &App, vname: &str, volume: &Volume, vpath: &FieldPath) {
    let sources = usize::from(volume.config_map.is_some())
        + usize::from(volume.secret.is_some())
        + usize::from(volume.empty_dir);
    if sources != 1 {
        c.push(
            "volume-source",
            vpath.clone(),
            Target::Key,
            format!("volume `{vname}` must have exactly one of `configMap`, `secret` or `emptyDir`; it has {sources}"),
            "expected one source",
            None,
        );
    }
    if let Some(cm) = &volume.config_map {
        if !app.config_maps.contains_key(cm) {
            c.push(
                "unknown-configmap",
                vpath.key("configMap"),
                Target::Value,
                format!("volume `{vname}` mounts ConfigMap `{cm}`, which the app does not declare"),
                "not a key of the app's `configMaps`",
                suggest::hint(cm, app.config_maps.keys().map(String::as_str)),
            );
        }
    }
    if let Some(secret) = &volume.secret {
        if !app.secrets.contains_key(secret) {
            c.push(
                "unknown-secret",
                vpath.key("secret"),
                Target::Value,
                format!(
                    "volume `{vname}` mounts secret `{secret}`, which the app does not declare"
                ),
                "not a key of the app's `secrets`",
                suggest::hint(secret, app.secrets.keys().map(String::as_str)),
            );
        }
    }
}

/// A Service: selects a component of the app, forwards ports it declares.
fn check_service(
    c: &mut Checker<'_>,
    name: &str,
    app: &App,
    sname: &str,
    svc: &Service,
    spath: &FieldPath,
) {
    let Some(comp) = app.components.get(&svc.component) else {
        c.push(
            "unknown-component",
            spath.key("component"),
            Target::Value,
            format!(
                "service `{sname}` selects component `{}`, which app `{name}` does not have",
                svc.component
            ),
            "not one of the app's components",
            suggest::hint(&svc.component, app.components.keys().map(String::as_str)),
        );
        return;
    };
    for port in svc.ports.keys() {
        if !comp.ports.contains_key(port) {
            c.push(
                "unknown-port",
                spath.key("ports").key(port),
                Target::Key,
                format!("service `{sname}` forwards port `{port}`, which component `{}` does not declare", svc.component),
                "not one of the component's ports",
                suggest::hint(port, comp.ports.keys().map(String::as_str)),
            );
        }
    }
}

/// The Ingress: routes to a Service and port of the app.
fn check_ingress(c: &mut Checker<'_>, name: &str, app: &App, ingress: &Ingress, ipath: &FieldPath) {
    match app.services.get(&ingress.service) {
        None => c.push(
            "unknown-service",
            ipath.key("service"),
            Target::Value,
            format!(
                "the ingress routes to service `{}`, which app `{name}` does not declare",
                ingress.service
            ),
            "not one of the app's services",
            suggest::hint(&ingress.service, app.services.keys().map(String::as_str)),
        ),
        Some(svc) if !svc.ports.contains_key(&ingress.port) => c.push(
            "unknown-port",
            ipath.key("port"),
            Target::Value,
            format!(
                "service `{}` has no port `{}`",
                ingress.service, ingress.port
            ),
            "not one of the service's ports",
            suggest::hint(&ingress.port, svc.ports.keys().map(String::as_str)),
        ),
        Some(_) => {}
    }
}

/// The database: on a declared cluster, its password a declared field,
/// its connection variables set once, for components the app has.
fn check_database(c: &mut Checker<'_>, name: &str, app: &App, db: &Database, base: &FieldPath) {
    let dpath = base.key("database");
    if !c.env.postgres.contains_key(&db.cluster) {
        let hint = suggest::hint(&db.cluster, c.env.postgres.keys().map(String::as_str))
            .or_else(|| Some("declare the cluster under `postgres:`".into()));
        c.push(
            "undeclared-cluster",
            dpath.key("cluster"),
            Target::Value,
            format!("database of app `{name}` is on cluster `{}`, which the environment does not declare", db.cluster),
            "not a key of `postgres`",
            hint,
        );
    }
    check_secret_ref(
        c,
        app,
        &db.password,
        dpath.key("password"),
        "the database password",
    );
    for (i, cname) in db.components.iter().flatten().enumerate() {
        if !app.components.contains_key(cname) {
            c.push(
                "unknown-component",
                dpath.key("components").index(i),
                Target::Value,
                format!("database connection settings go to component `{cname}`, which app `{name}` does not have"),
                "not one of the app's components",
                suggest::hint(cname, app.components.keys().map(String::as_str)),
            );
        }
    }
    for (field, var) in db.env.iter() {
        for (cname, comp) in app.components.iter().filter(|(cname, _)| db.reaches(cname)) {
            if comp.env.contains_key(var) {
                c.push(
                    "env-conflict",
                    base.key("components").key(cname).key("env").key(var),
                    Target::Key,
                    format!("`{var}` is set here and also by the database connection (`apps.{name}.database.env.{field}`)"),
                    "set twice",
                    Some(format!("remove `{var}` here; cfggen sets it from the database declaration")),
                );
            }
        }
    }
}

/// Apps, Postgres namespaces and `argocd` each render into a folder of
/// `generated/<env>/`; two must not share one.
fn check_folders(c: &mut Checker<'_>) {
    let env = c.env;
    for name in env.apps.keys() {
        let clash = if name == "argocd" {
            Some("the Argo CD Applications".to_owned())
        } else {
            env.postgres
                .iter()
                .find(|(_, pg)| pg.namespace == *name)
                .map(|(pg, _)| format!("Postgres cluster `{pg}` (its namespace)"))
        };
        if let Some(other) = clash {
            c.push(
                "folder-conflict",
                FieldPath::of(&["apps", name]),
                Target::Key,
                format!(
                    "app `{name}` would render into generated/{}/{name}/, the folder of {other}",
                    env.name
                ),
                "folder already used",
                Some("rename the app".into()),
            );
        }
    }
}

fn check_roles(c: &mut Checker<'_>) {
    let mut roles: HashMap<(&str, &str), &str> = HashMap::new();
    let mut dbs: HashMap<(&str, &str), &str> = HashMap::new();
    let env = c.env;
    for (name, app) in &env.apps {
        let Some(db) = &app.database else { continue };
        let dpath = FieldPath::of(&["apps", name, "database"]);
        let owner = db.owner(name);
        if let Some(first) = roles.insert((&db.cluster, owner), name) {
            c.push(
                "duplicate-role",
                if db.owner.is_some() {
                    dpath.key("owner")
                } else {
                    dpath.clone()
                },
                if db.owner.is_some() {
                    Target::Value
                } else {
                    Target::Key
                },
                format!(
                    "apps `{first}` and `{name}` both claim role `{owner}` on cluster `{}`",
                    db.cluster
                ),
                "role already claimed",
                Some("each app owns its own role; set a different `owner`".into()),
            );
        }
        let dbname = db.name(name);
        if let Some(first) = dbs.insert((&db.cluster, dbname), name) {
            c.push(
                "duplicate-database",
                if db.name.is_some() {
                    dpath.key("name")
                } else {
                    dpath.clone()
                },
                if db.name.is_some() {
                    Target::Value
                } else {
                    Target::Key
                },
                format!(
                    "apps `{first}` and `{name}` both claim database `{dbname}` on cluster `{}`",
                    db.cluster
                ),
                "database already claimed",
                Some("set a different `name`".into()),
            );
        }
    }
}

/// Two apps in one namespace must not produce objects of one kind and name.
fn check_unique_objects(c: &mut Checker<'_>) {
    let env = c.env;
    let mut seen: HashMap<(String, &'static str, String), String> = HashMap::new();
    for (name, app) in &env.apps {
        let ns = app.namespace(name).to_owned();
        let mut objects: Vec<(&'static str, String, FieldPath)> = Vec::new();
        for cname in app.components.keys() {
            objects.push((
                "Deployment",
                workload_name(name, cname),
                FieldPath::of(&["apps", name, "components", cname]),
            ));
        }
        for sname in app.services.keys() {
            objects.push((
                "Service",
                sname.clone(),
                FieldPath::of(&["apps", name, "services", sname]),
            ));
        }
        for cm in app.config_maps.keys() {
            objects.push((
                "ConfigMap",
                cm.clone(),
                FieldPath::of(&["apps", name, "configMaps", cm]),
            ));
        }
        for s in app.secrets.keys() {
            objects.push((
                "Secret",
                s.clone(),
                FieldPath::of(&["apps", name, "secrets", s]),
            ));
        }
        for (kind, oname, path) in objects {
            if let Some(first) = seen.insert((ns.clone(), kind, oname.clone()), name.clone()) {
                c.push(
                    "name-conflict",
                    path,
                    Target::Key,
                    format!("{kind} `{oname}` in namespace `{ns}` is produced by app `{first}` and again by app `{name}`"),
                    "same name as another object",
                    Some("rename one of them, or put the apps in different namespaces".into()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        for n in [
            "DB_PASSWORD",
            "AUTHENTIK_SECRET_KEY",
            "GITHUB_TOKEN",
            "API_KEY",
            "aws_access_key_id",
            "password",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in [
            "AUTHENTIK_REDIS__HOST",
            "KEYCLOAK_URL",
            "LOG_LEVEL",
            "CACHE_KEY_PREFIX",
            "PASSENGER_COUNT",
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }

    #[test]
    fn secret_looking_values() {
        for v in [
            "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
            "AKIAIOSFODNN7EXAMPLEABCD",
            "-----BEGIN OPENSSH PRIVATE KEY----- abc",
            "q8Zr3LmX0pVt7Yb2Nc5Wk1Hs9Gd4Fj6Ae0Ru3Ti8",
        ] {
            assert!(looks_like_secret_value(v), "{v}");
        }
        for v in [
            "info",
            "authentik-redis",
            "https://auth.example.com/application/o/grafana/",
            "registry.example.com/platform/authentik:v2026.2.0-2d4098e-nix",
            "a-very-long-but-ordinary-kebab-case-setting-name",
            "0123456789012345678901234567890123456789",
            "pg.ops.eblu.me",
        ] {
            assert!(!looks_like_secret_value(v), "{v}");
        }
    }
}
