//! No secret value is written: every object, as it becomes a file (after
//! its patches), goes through the one secret check
//! ([`cfggen_model::validate::scan`]). A finding that no `notSecret`
//! declares is a [`Leak`]; the rendering fails with all of them
//! ([`crate::RenderError::Secrets`]), and nothing is written.

use std::collections::BTreeSet;

use cfggen_model::validate::{Finding, Why};
use cfggen_model::{EnvValue, Environment, FieldPath};

/// A secret value in an object about to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// The file, relative to `generated/<env>/`.
    pub file: String,
    /// The object, `Kind/name`.
    pub object: String,
    /// The app whose object it is, if any.
    pub app: Option<String>,
    /// What was found, and where in the object.
    pub finding: Finding,
}

/// What the environment declares not secret.
#[derive(Debug, Default)]
pub(crate) struct Escapes {
    /// Each app's `notSecret` entries: the app, the entry, where it is.
    entries: Vec<(String, cfggen_model::secrets::NotSecret, FieldPath)>,
    /// Typed literals declared not secret: app, variable, value.
    declared: BTreeSet<(String, String, String)>,
    /// The environment's name: an app's Application is `<env>-<app>`.
    env: String,
    /// The apps: each has the folder of its name.
    apps: BTreeSet<String>,
}

impl Escapes {
    pub(crate) fn of(env: &Environment) -> Escapes {
        let mut escapes = Escapes {
            env: env.name.clone(),
            apps: env.apps.keys().cloned().collect(),
            ..Escapes::default()
        };
        for (name, app) in &env.apps {
            for (i, entry) in app.not_secret.iter().enumerate() {
                let path = FieldPath::of(&["apps", name, "notSecret"]).index(i);
                escapes.entries.push((name.clone(), entry.clone(), path));
            }
            for (cname, comp) in &app.components {
                for (_, _, container) in comp.containers(cname) {
                    for (var, value) in &container.env {
                        if let EnvValue::Declared { value, .. } = value {
                            let key = (name.clone(), var.clone(), value.to_string());
                            escapes.declared.insert(key);
                        }
                    }
                }
            }
        }
        escapes
    }

    /// The app a file of the environment belongs to: its folder's, or,
    /// in the Argo CD folder, its Application's.
    fn app_of(&self, file: &str, object_name: &str) -> Option<String> {
        let folder = file.split('/').next().unwrap_or_default();
        if self.apps.contains(folder) {
            return Some(folder.to_owned());
        }
        let app = object_name.strip_prefix(&format!("{}-", self.env))?;
        (folder == crate::ARGOCD_FOLDER && self.apps.contains(app)).then(|| app.to_owned())
    }

    /// Whether `finding` is declared not secret: `Some(Some(i))` by the
    /// `notSecret` entry `i`, `Some(None)` by a typed `{value, notSecret}`
    /// of the same variable and value, `None` when it is not.
    fn declares(
        &self,
        app: Option<&str>,
        object: &str,
        finding: &Finding,
    ) -> Option<Option<usize>> {
        let app = app?;
        if finding.why == Why::KnownFormat {
            return None;
        }
        if let Some(i) = self
            .entries
            .iter()
            .position(|(a, e, _)| a == app && e.object == object && e.field == finding.field)
        {
            return Some(Some(i));
        }
        let typed = finding.name.as_ref().is_some_and(|var| {
            let key = (
                app.to_owned(),
                var.clone(),
                finding.value.expose().to_owned(),
            );
            self.declared.contains(&key)
        });
        typed.then_some(None)
    }

    /// The entries no finding matched, with where each is written.
    pub(crate) fn unused<'a>(
        &'a self,
        used: &'a BTreeSet<usize>,
    ) -> impl Iterator<Item = (&'a cfggen_model::secrets::NotSecret, &'a FieldPath)> {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(i, _)| !used.contains(i))
            .map(|(_, (_, e, p))| (e, p))
    }
}

/// Checks the data of `file` before it is written: each finding no
/// declaration covers is kept in `leaks`, each entry that covers one is
/// noted in `used`.
pub(crate) fn check(
    escapes: &Escapes,
    file: &str,
    data: &serde_json::Value,
    leaks: &mut Vec<Leak>,
    used: &mut BTreeSet<usize>,
) {
    let findings = cfggen_model::validate::scan(data);
    if findings.is_empty() {
        return;
    }
    let kind = data.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    let name = data
        .pointer("/metadata/name")
        .and_then(|k| k.as_str())
        .unwrap_or("");
    let object = format!("{kind}/{name}");
    let app = escapes.app_of(file, name);
    for finding in findings {
        match escapes.declares(app.as_deref(), &object, &finding) {
            Some(Some(i)) => {
                used.insert(i);
            }
            Some(None) => {}
            None => leaks.push(Leak {
                file: file.to_owned(),
                object: object.clone(),
                app: app.clone(),
                finding,
            }),
        }
    }
}
