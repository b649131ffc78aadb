//! Rules about secrets: 1Password names a secret reference can carry, one
//! Secret key per field, the keys a typed Secret needs, references that
//! resolve, and no secret value written as a literal.

use std::collections::HashMap;

use super::{check_vault, Checker, Target};
use crate::app::App;
use crate::environment::StoreProvider;
use crate::refs::SecretFieldRef;
use crate::secrets::SecretItem;
use crate::{names, suggest, FieldPath};

pub(crate) const SECRET_WORDS: &[&str] = &[
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
pub(crate) const KEY_PREFIXES: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "SECRET",
];

/// Whether a name (an environment variable, a key, a flag) looks like it
/// holds a secret: one of its words is `PASSWORD`, `TOKEN`, `SECRET`, …,
/// or `KEY` after `API`, `ACCESS`, `PRIVATE`, … (`apiToken`, `DB_PASSWORD`,
/// `spring.datasource.password`).
pub fn looks_secret(name: &str) -> bool {
    if !has_hint(name) {
        return false;
    }
    let mut before: Option<&str> = None;
    words(name).any(|w| {
        let secret = is_one_of(w, SECRET_WORDS)
            || (w.eq_ignore_ascii_case("KEY")
                && before.is_some_and(|b| is_one_of(b, KEY_PREFIXES)));
        before = Some(w);
        secret
    })
}

/// Whether `name` holds one of [`SECRET_HINTS`], in any case: the first
/// look at every name the secret check meets (every key of every
/// rendered object), so it allocates nothing.
fn has_hint(name: &str) -> bool {
    let bytes = name.as_bytes();
    (0..bytes.len()).any(|i| {
        let rest = &bytes[i..];
        HINT_STARTS[usize::from(bytes[i])]
            && SECRET_HINTS.iter().any(|h| {
                let h = h.as_bytes();
                rest.len() >= h.len() && rest[..h.len()].eq_ignore_ascii_case(h)
            })
    })
}

/// The bytes a hint of [`SECRET_HINTS`] starts with, in either case.
const HINT_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    let mut i = 0;
    while i < SECRET_HINTS.len() {
        let first = SECRET_HINTS[i].as_bytes()[0];
        starts[first as usize] = true;
        starts[first.to_ascii_uppercase() as usize] = true;
        i += 1;
    }
    starts
};

/// Parts of a name without which it cannot look secret: a quick test
/// before [`words`].
const SECRET_HINTS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "private",
];

/// The words of a name, to compare without case: split at every
/// character that is not an ASCII letter or digit, and where a lower-case
/// letter or digit meets an upper-case one (`apiToken` → `api`, `Token`).
/// Slices of the name: nothing is allocated.
pub(crate) fn words(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let start = i;
        let mut prev_lower = false;
        while let Some(&c) = bytes.get(i).filter(|c| c.is_ascii_alphanumeric()) {
            if c.is_ascii_uppercase() && prev_lower {
                break;
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            i += 1;
        }
        // Words end and start at ASCII characters: `start..i` is on
        // character boundaries.
        name.get(start..i).filter(|w| !w.is_empty())
    })
}

/// Whether `word` is one of `list` (upper case), in any case.
pub(crate) fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// Prefixes of well-known credential formats.
pub(crate) const TOKEN_PREFIXES: &[&str] = &[
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
];

/// The length of the shortest well-known token: a prefix of 4 and 16
/// more characters.
const SHORTEST_TOKEN: usize = 4 + 16;

/// Whether a value has the form of a well-known credential (a GitHub or
/// GitLab token, an AWS key ID, a PEM private key, …): a secret whatever
/// anyone declares.
pub fn is_known_token(value: &str) -> bool {
    // Every value written goes through here: most are shorter than the
    // shortest token and hold no private key.
    if value.len() < SHORTEST_TOKEN && !value.contains("-----BEGIN") {
        return false;
    }
    let v = value.trim();
    if v.starts_with("-----BEGIN") {
        // A certificate or public key is public; a private key is not.
        return v.lines().next().is_some_and(|l| l.contains("PRIVATE KEY"));
    }
    TOKEN_PREFIXES
        .iter()
        .any(|p| v.starts_with(p) && v.len() >= p.len() + 16)
}

/// Whether a literal looks like a credential: a well-known token format,
/// or a long random-looking string (high Shannon entropy, letters and
/// digits, none of the separators of URLs, paths or host names).
pub fn looks_like_secret_value(value: &str) -> bool {
    is_known_token(value) || random_looking(value)
}

/// Whether a value is a long random-looking string (the second half of
/// [`looks_like_secret_value`], for a caller that has asked
/// [`is_known_token`] already).
pub(crate) fn random_looking(value: &str) -> bool {
    if value.len() < 32 {
        return false;
    }
    let v = value.trim();
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

/// Passwords people leave in config, which look like plain names.
const DEFAULT_PASSWORDS: &[&str] = &[
    "admin", "changeit", "changeme", "default", "letmein", "pass", "passw0rd", "password",
    "postgres", "qwerty", "root", "secret", "test", "welcome",
];

/// Why a literal under a secret-looking name is plainly not a secret: a
/// file path (`/etc/oauth/client-secret`, a `…_FILE` variable), a file's
/// name (`tls.key`, `service-account.json`), `true` or `false`, or the name of an object (`operator`, `app-secret-v2`: words
/// of lower-case letters or digits joined by `-`, never mixing the two
/// as passwords do, and not a well-known default password). `None` for
/// anything else, which the rule refuses.
pub fn plainly_not_secret(value: &crate::container::Literal) -> Option<&'static str> {
    use crate::container::Literal;
    let text = match value {
        Literal::Bool(_) => return Some("`true` or `false`"),
        Literal::Int(_) => return None,
        Literal::String(s) => s.as_str(),
    };
    if looks_like_secret_value(text) || super::scan::url_password(text) {
        return None;
    }
    if text.is_empty() {
        return Some("empty");
    }
    // `MYSQL_ALLOW_EMPTY_PASSWORD: "1"`, `USE_PASSWORD: yes`.
    if [
        "0", "1", "yes", "no", "true", "false", "on", "off", "y", "n",
    ]
    .contains(&text.to_ascii_lowercase().as_str())
    {
        return Some("a switch (`1`, `yes`, `true`, …)");
    }
    if super::scan::is_placeholder(text) && !text.chars().all(|c| c == 'x' || c == 'X') {
        return Some("a reference to a value given elsewhere");
    }
    let spaceless = !text.chars().any(char::is_whitespace);
    if text.starts_with('/') && text.len() > 1 && spaceless {
        return Some("a file path");
    }
    if spaceless && text.contains("://") {
        return Some("a URL");
    }
    let word_ok = |w: &str| {
        !w.is_empty()
            && (w.chars().all(|c| c.is_ascii_lowercase())
                || w.chars().all(|c| c.is_ascii_digit())
                || (w.len() > 1
                    && w.starts_with('v')
                    && w[1..].chars().all(|c| c.is_ascii_digit())))
    };
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
    };
    if text.contains('/') && text.split('/').all(segment_ok) {
        return Some("a path");
    }
    // `CERT_PRIVATE_NAME: tls.key`: where the secret is, not what.
    if let Some((stem, extension)) = text.rsplit_once('.') {
        if FILE_EXTENSIONS.contains(&extension) && stem.split('.').all(segment_ok) {
            return Some("a file name");
        }
    }
    let is_name = text.len() <= 63
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.split('-').all(word_ok)
        && !DEFAULT_PASSWORDS.contains(&text);
    is_name.then_some("the name of an object")
}

/// The extensions of the files keys, certificates and credentials are
/// kept in: a value of a secret-looking variable that is such a file's
/// name says where the secret is.
const FILE_EXTENSIONS: &[&str] = &[
    "key", "pem", "crt", "cert", "cer", "der", "p12", "pfx", "jks", "keystore", "json", "yaml",
    "yml", "txt", "conf", "env", "asc", "gpg", "pub",
];

/// A literal under a secret-looking name that the rules let through, for
/// reviewers: where it is and why it passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretLookingLiteral {
    /// Where it is written.
    pub path: FieldPath,
    /// The variable.
    pub var: String,
    /// The value.
    pub value: String,
    /// Why it is not a secret: plainly so, or the declared reason.
    pub why: String,
    /// Whether a reviewer declared it (`notSecret`).
    pub declared: bool,
}

/// Every literal of the environment under a secret-looking name that the
/// rules let through, in file order.
pub fn secret_looking_literals(env: &crate::Environment) -> Vec<SecretLookingLiteral> {
    use crate::container::EnvValue;
    let mut out = Vec::new();
    for (app_name, app) in &env.apps {
        for (cname, comp) in &app.components {
            let cpath = FieldPath::of(&["apps", app_name, "components", cname]);
            for (role, container_name, container) in comp.containers(cname) {
                let base = match role.field() {
                    Some(field) => cpath.key(field).key(container_name),
                    None => cpath.clone(),
                };
                for (var, value) in &container.env {
                    let path = base.key("env").key(var);
                    let (value, why, declared) = match value {
                        EnvValue::Declared { value, not_secret } => {
                            (value, not_secret.clone(), true)
                        }
                        EnvValue::Literal(lit) if looks_secret(var) => {
                            match plainly_not_secret(lit) {
                                Some(why) => (lit, why.to_owned(), false),
                                None => continue,
                            }
                        }
                        _ => continue,
                    };
                    out.push(SecretLookingLiteral {
                        path,
                        var: var.clone(),
                        value: value.to_string(),
                        why,
                        declared,
                    });
                }
            }
        }
    }
    out
}

pub(super) fn check_secret_ref(
    c: &mut Checker<'_>,
    app: &App,
    r: &SecretFieldRef,
    path: FieldPath,
    what: &str,
) {
    if let Some(unmanaged) = app.external_secrets.get(r.secret()) {
        if !unmanaged.has_key(r.field()) {
            c.push(
                "unknown-secret-field",
                path,
                Target::Value,
                format!(
                    "{what} reads key `{}` of external secret `{}`, which lists no such key",
                    r.field(),
                    r.secret()
                ),
                "not one of its `keys`",
                suggest::hint(r.field(), unmanaged.keys.iter().map(String::as_str)),
            );
        }
        return;
    }
    if let Some(made) = app.own_store_secret(r.secret()) {
        if made
            .known_keys()
            .is_some_and(|keys| !keys.contains(&r.field()))
        {
            c.push(
                "unknown-secret-field",
                path,
                Target::Value,
                format!(
                    "{what} reads key `{}` of secret `{}`, which its `keys` do not list",
                    r.field(),
                    r.secret()
                ),
                "not one of its `keys`",
                suggest::hint(r.field(), made.keys.keys().map(String::as_str)).or_else(|| {
                    Some(format!(
                        "add `{}: {{key: …}}` under `storeSecrets.{}.keys`",
                        r.field(),
                        r.secret()
                    ))
                }),
            );
        }
        return;
    }
    let Some(item) = app.secrets.get(r.secret()) else {
        if app.makes(crate::app::Made::Secret, r.secret()) {
            return;
        }
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
    if !item.fields.contains_key(r.field()) && !item.template.contains_key(r.field()) {
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

/// An item title a secret reference cannot carry: the 1Password Connect
/// store takes any title, the SDK store reads through a reference, so
/// there the item needs its ID.
pub(super) fn check_item_title(c: &mut Checker<'_>, at: &FieldPath, item: &SecretItem) {
    let sdk = c
        .env
        .onepassword
        .as_ref()
        .is_some_and(|op| op.store.provider == StoreProvider::Sdk);
    if item.reference_name().is_some() || !sdk {
        return;
    }
    c.push(
        "op-name",
        at.clone(),
        Target::Value,
        format!(
            "1Password item title `{}` cannot be used in a secret reference, which the `onepasswordSDK` store reads through",
            item.item
        ),
        "has characters a secret reference cannot carry",
        Some(
            "secret references (op://…) accept only letters, digits, `-`, `_`, `.` and spaces; add `id:` with the item's 26-character ID (`op item get \"<title>\" --format json | jq -r .id`), or rename the item"
                .into(),
        ),
    );
}

/// A 1Password item: names a secret reference can carry, the vault the
/// store can read, one Secret key per field.
pub(super) fn check_secret_item(
    c: &mut Checker<'_>,
    ipath: &FieldPath,
    secret_name: &str,
    item: &SecretItem,
) {
    check_item_title(c, &ipath.key("item"), item);
    if let Some(vault) = &item.vault {
        check_vault(c, vault, ipath.key("vault"));
        let op = c.env.onepassword.as_ref();
        let sdk = op.is_some_and(|op| op.store.provider == StoreProvider::Sdk);
        let env_vault = op.map_or("", |op| op.vault.as_str());
        if sdk && vault != env_vault {
            c.push(
                "store-vault",
                ipath.key("vault"),
                Target::Value,
                format!(
                    "item vault `{vault}` differs from the environment's vault `{}`, and a `onepasswordSDK` store reads one vault only",
                    env_vault
                ),
                "not readable through the store",
                Some("move the item into the environment's vault, or remove `vault:`".into()),
            );
        }
    }
    let mut keys: HashMap<&str, &str> = HashMap::new();
    let sdk = c
        .env
        .onepassword
        .as_ref()
        .is_some_and(|op| op.store.provider == StoreProvider::Sdk);
    for (label, field) in &item.fields {
        let fpath = ipath.key("fields").key(label);
        if let Some(title) = field
            .item
            .as_deref()
            .filter(|t| sdk && !names::is_op_name(t))
        {
            c.push(
                "op-name",
                fpath.key("item"),
                Target::Value,
                format!(
                    "1Password item title `{title}` cannot be used in a secret reference, which the `onepasswordSDK` store reads through"
                ),
                "has characters a secret reference cannot carry",
                Some("rename the item to letters, digits, `-`, `_`, `.` and spaces, or read it through a secret of its own with its `id`".into()),
            );
        }
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

/// A typed Secret (`type: dockerconfigjson`, `tls`, `basic-auth`) has the
/// keys its type needs.
pub(super) fn check_secret_type(c: &mut Checker<'_>, ipath: &FieldPath, item: &SecretItem) {
    let Some(kind) = item.kind else { return };
    let keys: Vec<&str> = item.fields.iter().map(|(l, f)| f.key(l)).collect();
    for needed in kind.required_keys() {
        if !keys.contains(needed) {
            c.push(
                "secret-type",
                ipath.key("type"),
                Target::Value,
                format!(
                    "a `{}` Secret needs the key `{needed}`, and no field of this item gives it",
                    kind.as_str()
                ),
                "key missing for this type",
                Some(format!(
                    "add the 1Password field that holds it with `key: {needed}`"
                )),
            );
        }
    }
}

/// A secret's template: its keys are new, and every `{{ .key }}` it reads
/// is the key of one of the item's fields.
pub(super) fn check_secret_template(c: &mut Checker<'_>, ipath: &FieldPath, item: &SecretItem) {
    let field_keys: Vec<&str> = item.fields.iter().map(|(l, f)| f.key(l)).collect();
    for (key, template) in &item.template {
        let tpath = ipath.key("template").key(key);
        if field_keys.contains(&key.as_str()) {
            c.push(
                "secret-key",
                tpath.clone(),
                Target::Key,
                format!("template key `{key}` is also the key of a field of this item"),
                "same Secret key as a field",
                Some("give the template's key another name".into()),
            );
        }
        for read in crate::secrets::template_keys(template) {
            if !field_keys.contains(&read) {
                c.push(
                    "template-key",
                    tpath.clone(),
                    Target::Value,
                    format!("template `{key}` reads `.{read}`, which no field of this item provides"),
                    "reads a key no field gives",
                    Some(match suggest::closest(read, field_keys.iter().copied()) {
                        Some(best) if best.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') => {
                            format!("did you mean `.{best}`?")
                        }
                        Some(best) => format!(
                            "did you mean `{best}`? A key with `-` or `.` is read as `{{{{ index . \"{best}\" }}}}`"
                        ),
                        None => format!("add a field with `key: {read}`"),
                    }),
                );
            }
        }
    }
}

/// A Secret, ConfigMap, claim or Service is made by cfggen or elsewhere, not
/// both.
pub(super) fn check_external_secrets(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    let twice = [
        (
            "storeSecrets",
            "secrets",
            app.store_secrets
                .iter()
                .filter(|(_, made)| made.namespace.is_none())
                .map(|(n, _)| n)
                .filter(|n| app.secrets.contains_key(*n) || app.external_secrets.contains_key(*n))
                .collect::<Vec<_>>(),
        ),
        (
            "externalSecrets",
            "secrets",
            app.external_secrets
                .keys()
                .filter(|n| app.secrets.contains_key(*n))
                .collect::<Vec<_>>(),
        ),
        (
            "externalConfigMaps",
            "configMaps",
            app.external_config_maps
                .keys()
                .filter(|n| app.config_maps.contains_key(*n))
                .collect(),
        ),
        (
            "externalClaims",
            "claims",
            app.external_claims
                .keys()
                .filter(|n| app.claims.contains_key(*n))
                .collect(),
        ),
        (
            "externalServices",
            "services",
            app.external_services
                .keys()
                .filter(|n| app.services.contains_key(*n))
                .collect(),
        ),
    ];
    for (field, own, names) in twice {
        for name in names {
            c.push(
                "name-conflict",
                base.key(field).key(name),
                Target::Key,
                format!("`{name}` is both one of the app's `{own}` (made by cfggen) and one made elsewhere"),
                "declared twice",
                Some("keep one of the two".into()),
            );
        }
    }
}

/// Whether an app declares a secret, for rules that only need the name.
pub(super) fn check_secret_name(
    c: &mut Checker<'_>,
    app: &App,
    name: &str,
    path: FieldPath,
    what: &str,
) {
    if !app.secrets.contains_key(name)
        && !app.external_secrets.contains_key(name)
        && app.own_store_secret(name).is_none()
        && !app.makes(crate::app::Made::Secret, name)
    {
        c.push(
            "unknown-secret",
            path,
            Target::Value,
            format!("{what} reads secret `{name}`, which the app does not declare"),
            "not a key of the app's `secrets`",
            suggest::hint(name, app.secrets.keys().map(String::as_str))
                .or_else(|| Some("declare the 1Password item under the app's `secrets`".into())),
        );
    }
}

/// A Secret of another store reads a store the environment declares.
pub(super) fn check_store_secrets(
    c: &mut Checker<'_>,
    app_name: &str,
    app: &App,
    base: &FieldPath,
) {
    for (name, made) in &app.store_secrets {
        if made.namespace.as_deref() == Some(app.namespace(app_name)) {
            c.push(
                "store-secret-namespace",
                base.key("storeSecrets").key(name).key("namespace"),
                Target::Value,
                format!("secret `{name}` names the app's own namespace"),
                "another namespace",
                Some("remove `namespace`: a store secret is made in the app's namespace unless told otherwise".into()),
            );
        }
        let generated = made.password.is_some();
        let read = !(made.keys.is_empty() && made.extract.is_empty() && made.find.is_empty());
        if let Some(p) = &made.password {
            check_password(
                c,
                name,
                p,
                &base.key("storeSecrets").key(name).key("password"),
            );
        }
        if read && made.store.is_none() {
            c.push(
                "unknown-store",
                base.key("storeSecrets").key(name),
                Target::Key,
                format!("secret `{name}` reads remote secrets and names no `store`"),
                "a `store`",
                Some("add `store: <one of the environment's secretStores>`".into()),
            );
        }
        if !read && !generated {
            c.push(
                "store-secret-empty",
                base.key("storeSecrets").key(name),
                Target::Key,
                format!("secret `{name}` reads nothing: it has no `keys`, `extract` or `find`"),
                "an empty Secret",
                Some("list its keys (`keys: {password: {key: …}}`) or read a remote secret whole (`extract: [{key: …}]`)".into()),
            );
        }
        for (i, find) in made.find.iter().enumerate() {
            if find.name.is_none() && find.tags.is_empty() {
                c.push(
                    "store-secret-empty",
                    base.key("storeSecrets").key(name).key("find").index(i),
                    Target::Key,
                    format!("find {i} of secret `{name}` matches by neither name nor tags, which External Secrets refuses"),
                    "`name` or `tags`",
                    Some("add `name: {regexp: …}` or `tags: {…}`".into()),
                );
            }
        }
        let Some(store) = &made.store else {
            continue;
        };
        if !c.env.secret_stores.contains_key(store) {
            c.push(
                "unknown-store",
                base.key("storeSecrets").key(name).key("store"),
                Target::Value,
                format!(
                    "secret `{name}` reads store `{store}`, which the environment does not declare"
                ),
                "not one of the environment's `secretStores`",
                suggest::hint(store, c.env.secret_stores.keys().map(String::as_str)).or_else(
                    || {
                        Some(format!(
                            "declare it: `secretStores: {{{store}: {{kind: ClusterSecretStore}}}}`"
                        ))
                    },
                ),
            );
        }
    }
}

/// A generated password has room for the digits and symbols it asks for.
fn check_password(
    c: &mut Checker<'_>,
    name: &str,
    p: &crate::stores::PasswordGenerator,
    path: &FieldPath,
) {
    // External Secrets takes a quarter of the length for each left out.
    let quarter = p.length / 4;
    let asked = p
        .digits
        .unwrap_or(quarter)
        .saturating_add(p.symbols.unwrap_or(quarter));
    if asked > p.length {
        c.push(
            "password-generator",
            path.key("length"),
            Target::Value,
            format!(
                "the password of secret `{name}` is {} characters long and asks for {asked} digits and symbols",
                p.length
            ),
            "at least the digits and symbols",
            Some(format!("make `length` at least {asked}, or ask for fewer digits and symbols")),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_token_is_shorter_than_the_shortest() {
        let shortest = TOKEN_PREFIXES.iter().map(|p| p.len()).min().unwrap_or(0) + 16;
        assert_eq!(SHORTEST_TOKEN, shortest);
    }

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

    #[test]
    fn literals_that_are_plainly_not_secrets() {
        use crate::container::Literal;
        let s = |v: &str| plainly_not_secret(&Literal::String(v.into()));
        assert_eq!(s("/etc/oauth/client-secret"), Some("a file path"));
        assert_eq!(s("operator"), Some("the name of an object"));
        assert_eq!(s("tls.key"), Some("a file name"));
        assert_eq!(s("service-account.json"), Some("a file name"));
        // A dot alone does not make a file name.
        assert_eq!(s("hunter2.x"), None);
        assert_eq!(s("app-secret-v2"), Some("the name of an object"));
        assert_eq!(s("redis-0"), Some("the name of an object"));
        // `MYSQL_ALLOW_EMPTY_PASSWORD: "1"` says whether, not what.
        for v in ["1", "0", "yes", "No", "true", "off"] {
            assert_eq!(s(v), Some("a switch (`1`, `yes`, `true`, …)"), "{v}");
        }
        assert_eq!(
            s("$__env{OIDC_CLIENT_SECRET}"),
            Some("a reference to a value given elsewhere")
        );
        assert_eq!(
            plainly_not_secret(&Literal::Bool(true)),
            Some("`true` or `false`")
        );
        // What people use as passwords stays refused.
        for v in [
            "hunter2",
            "changeme",
            "password",
            "Tr0ub4dor&3",
            "s3cr3t",
            "/",
            "/path with space",
            "correct horse battery staple",
            "q8Zr3LmX0pVt7Yb2Nc5Wk1Hs9Gd4Fj6Ae0Ru3Ti8",
        ] {
            assert_eq!(s(v), None, "{v}");
        }
        assert_eq!(plainly_not_secret(&Literal::Int(1234)), None);
    }
}
