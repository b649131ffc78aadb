//! An app's Dapr Components and Configurations (`daprComponents`,
//! `daprConfigurations`), in its folder: a component's settings as the
//! list Dapr reads, each a value, a Secret's key or a sidecar variable.

use cfggen_model::dapr::{DaprComponent, DaprValue};
use cfggen_model::App;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::custom::each;
use crate::{file_name, own_meta, waves, Output, RenderError};

const API_VERSION: &str = "dapr.io/v1alpha1";

/// A Component: unlike most kinds, its secret store and scopes sit
/// beside its spec.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Component<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: Spec<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<Auth<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Auth<'a> {
    secret_store: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    metadata: Vec<Setting<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    init_timeout: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ignore_errors: Option<bool>,
}

/// One entry of a component's `spec.metadata`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Setting<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a cfggen_model::container::Literal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key_ref: Option<SecretKey<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env_ref: Option<&'a str>,
}

#[derive(Serialize)]
struct SecretKey<'a> {
    name: &'a str,
    key: &'a str,
}

fn setting<'a>(name: &'a str, value: &'a DaprValue) -> Setting<'a> {
    let mut s = Setting {
        name,
        value: None,
        secret_key_ref: None,
        env_ref: None,
    };
    match value {
        DaprValue::Literal(lit) => s.value = Some(lit),
        DaprValue::Secret { secret } => {
            s.secret_key_ref = Some(SecretKey {
                name: secret.secret(),
                key: secret.field(),
            });
        }
        DaprValue::Env { env } => s.env_ref = Some(env),
    }
    s
}

fn component(
    out: &mut Output,
    name: &str,
    app: &App,
    cname: &str,
    c: &DaprComponent,
) -> Result<(), RenderError> {
    let ns = app.namespace(name);
    let object = Component {
        api_version: API_VERSION,
        kind: "Component",
        metadata: own_meta(
            cname,
            ns,
            app.name_label(name),
            &c.labels,
            &c.annotations,
            waves::PREREQUISITES,
        ),
        spec: Spec {
            kind: &c.kind,
            version: &c.version,
            metadata: c.metadata.iter().map(|(k, v)| setting(k, v)).collect(),
            init_timeout: c.init_timeout.as_deref(),
            ignore_errors: c.ignore_errors,
        },
        auth: c
            .secret_store
            .as_deref()
            .map(|secret_store| Auth { secret_store }),
        scopes: &c.scopes,
    };
    out.resource(name, ns, file_name("Component", cname), &object)
}

/// Every Dapr Component and Configuration of the app, synced before the
/// workloads whose sidecars load them.
pub(crate) fn dapr(out: &mut Output, name: &str, app: &App) -> Result<(), RenderError> {
    for (cname, c) in &app.dapr_components {
        component(out, name, app, cname, c)?;
    }
    each(
        out,
        name,
        app,
        (API_VERSION, "Configuration"),
        (waves::PREREQUISITES, false),
        &app.dapr_configurations,
    )
}
