//! Rules about an app's Dapr Components and Configurations: a component
//! setting under a secret-looking name is not a literal, and a Secret it
//! reads through Dapr's Kubernetes store is one the app declares.

use super::secrets::{check_secret_ref, looks_secret, plainly_not_secret};
use super::{Checker, Target};
use crate::app::App;
use crate::dapr::DaprValue;
use crate::FieldPath;

/// The app's Dapr objects.
pub(super) fn check_dapr(c: &mut Checker<'_>, app: &App, base: &FieldPath) {
    for (name, comp) in &app.dapr_components {
        let path = base.key("daprComponents").key(name);
        super::labels::check_labels(c, &comp.labels, &path.key("labels"));
        for (key, value) in &comp.metadata {
            let vpath = path.key("metadata").key(key);
            match value {
                DaprValue::Literal(lit)
                    if looks_secret(key) && plainly_not_secret(lit).is_none() =>
                {
                    c.push(
                        "secret-literal",
                        vpath,
                        Target::Value,
                        format!("setting `{key}` of Dapr component `{name}` looks like a secret but is given a literal value"),
                        "literal value for a secret-looking setting",
                        Some(format!("keep the value in 1Password and write `{key}: {{secret: <secret>/<key>}}` (a Secret of the app)")),
                    );
                }
                DaprValue::Secret { secret } if comp.reads_kubernetes_secrets() => {
                    check_secret_ref(
                        c,
                        app,
                        secret,
                        vpath.key("secret"),
                        &format!("setting `{key}` of Dapr component `{name}`"),
                    );
                }
                _ => {}
            }
        }
    }
    for (name, conf) in &app.dapr_configurations {
        let path = base.key("daprConfigurations").key(name);
        super::labels::check_labels(c, &conf.labels, &path.key("labels"));
    }
}
