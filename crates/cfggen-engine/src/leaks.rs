//! A secret value that would have been written, as a diagnostic: at the
//! line of the environment file (or values file, ConfigMap file, manifest
//! file) that wrote it, with its field path, and never showing the value.

use cfggen_load::{Diagnostic, Locator};
use cfggen_model::validate::Why;
use cfggen_model::FieldPath;
use cfggen_render::Leak;

/// The rendered file of `leak`, under `generated/<env>/`.
fn rendered_file(env: &str, leak: &Leak) -> String {
    format!("{}/{env}/{}", cfggen_source::GENERATED_DIR, leak.file)
}

/// The diagnostic of one leak, placed through `locator` where it finds
/// the value.
pub(crate) fn diagnostic(locator: Option<&Locator>, env: &str, leak: &Leak) -> Diagnostic {
    let f = &leak.finding;
    let scope = match &leak.app {
        Some(app) => FieldPath::of(&["apps", app]),
        None => FieldPath::default(),
    };
    let found = locator.and_then(|l| l.find_value(&scope, f.value.expose(), f.name.as_deref()));
    let message = format!(
        "{} — {} field `{}` would carry it into {}",
        f.describe(),
        leak.object,
        f.field,
        rendered_file(env, leak)
    );
    let code = match f.why {
        Why::Named => "secret-literal",
        Why::Shaped | Why::KnownFormat => "secret-value",
    };
    let mut d = Diagnostic::bare(code, message).with_hint(hint(leak));
    d.label = Some(
        match f.why {
            Why::Named => "literal value for a secret-looking name",
            Why::Shaped => "looks like a secret value",
            Why::KnownFormat => "a credential's form",
        }
        .into(),
    );
    match found {
        Some((path, place)) => {
            d.field = Some(path.map_or_else(|| f.field.clone(), |p| p.to_string()));
            d.place = Some(place.hiding_value());
        }
        None => d.field = Some(f.field.clone()),
    }
    d
}

fn hint(leak: &Leak) -> String {
    let f = &leak.finding;
    let store = "keep the value in 1Password: declare it under the app's `secrets` and read it from the Secret cfggen renders (`valueFrom.secretKeyRef`, or `{secret: <secret>/<field>}` in a typed `env`)";
    match (f.why, &leak.app) {
        (Why::KnownFormat, _) => format!(
            "a credential in this form is a secret whatever anyone declares: revoke it, then {store}"
        ),
        (_, Some(app)) => format!(
            "{store}; if it is not a secret, say why under `apps.{app}.notSecret`: `{{object: {}, field: \"{}\", why: …}}`",
            leak.object, f.field
        ),
        (_, None) => store.to_owned(),
    }
}
