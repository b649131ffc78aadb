//! JSON Schema validation of a positioned YAML tree, with each error turned
//! into a located, worded [`Diagnostic`].
//!
//! The validator reports a JSON pointer into the data; the tree maps it
//! back to file, line and column (as taplo does for TOML). The schema
//! location of the error gives the expected properties for "did you mean".

use cfggen_model::validate::Target;
use cfggen_model::{names, suggest};
use cfggen_path::{FieldPath, Seg};
use cfggen_yaml::Node;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::ValidationError;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::load::{place_for, Files, SchemaKind, Schemas};

/// Validates `node` against the schema `kind`; one diagnostic per problem.
pub(crate) fn check(
    node: &Node,
    instance: &Value,
    kind: SchemaKind,
    schemas: &Schemas,
    files: &Files,
) -> Vec<Diagnostic> {
    let (schema, validator) = match kind {
        SchemaKind::Full => (&schemas.full.0, &schemas.full.1),
        SchemaKind::Partial => (&schemas.partial.0, &schemas.partial.1),
    };
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let ctx = Ctx {
        node,
        schema,
        files,
    };
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let before = out.len();
        ctx.convert(&error, &mut out);
        if let Some(h) = crate::habits::hint(&field_path(error.instance_path()), instance) {
            for d in &mut out[before..] {
                d.hint = Some(h.clone());
            }
        }
    }
    out
}

/// The apps whose parts fail the schema `kind`, when every failure is
/// inside an app: the rest of the environment can still be checked
/// without them. `None` when something outside the apps fails.
pub(crate) fn failing_apps(
    instance: &Value,
    kind: SchemaKind,
    schemas: &Schemas,
) -> Option<std::collections::BTreeSet<String>> {
    let validator = match kind {
        SchemaKind::Full => &schemas.full.1,
        SchemaKind::Partial => &schemas.partial.1,
    };
    let mut apps = std::collections::BTreeSet::new();
    for error in validator.iter_errors(instance) {
        let path = field_path(error.instance_path());
        match path.segs() {
            [Seg::Key(apps_key), Seg::Key(app), ..] if apps_key == "apps" => {
                apps.insert(app.clone());
            }
            _ => return None,
        }
    }
    Some(apps)
}

struct Ctx<'a> {
    node: &'a Node,
    schema: &'a Value,
    files: &'a Files,
}

fn field_path(loc: &jsonschema::paths::Location) -> FieldPath {
    loc.iter()
        .map(|seg| match seg {
            LocationSegment::Property(p) => Seg::Key(p.into_owned()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn type_name(t: &str) -> &str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "null" => "nothing",
        other => other,
    }
}

impl Ctx<'_> {
    /// The schema object an error's keyword sits in (`.../additionalProperties`
    /// → its parent).
    fn schema_at(&self, schema_path: &jsonschema::paths::Location) -> Option<&Value> {
        let pointer = schema_path.as_str();
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        self.schema.pointer(parent)
    }

    /// The name of the type a schema location describes, e.g. `Database`.
    fn type_at(&self, schema_path: &jsonschema::paths::Location) -> Option<String> {
        let p = schema_path.as_str();
        let rest = p.strip_prefix("/definitions/")?;
        let name = rest.split('/').next()?;
        if rest.split('/').nth(1) == Some("properties") {
            // Nested inside a property of that type: too indirect to name.
            return None;
        }
        Some(name.to_owned())
    }

    /// The schema value at an error's keyword itself (the `anyOf` array).
    fn schema_at_keyword(&self, schema_path: &jsonschema::paths::Location) -> Option<&Value> {
        self.schema.pointer(schema_path.as_str())
    }

    /// Follows a local `$ref`.
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix('#')
                .and_then(|p| self.schema.pointer(p))
                .unwrap_or(schema),
            None => schema,
        }
    }

    /// The fixed words an `anyOf`/`oneOf` of `const`s or `enum`s allows.
    fn constants(&self, alternatives: &Value) -> Option<Vec<String>> {
        let mut words = Vec::new();
        for alt in alternatives.as_array()? {
            let alt = self.resolve(alt);
            if let Some(c) = alt.get("const").and_then(Value::as_str) {
                words.push(c.to_owned());
            } else if let Some(e) = alt.get("enum").and_then(Value::as_array) {
                words.extend(e.iter().filter_map(Value::as_str).map(str::to_owned));
            } else {
                return None;
            }
        }
        Some(words)
    }

    /// "a string, a whole number, `{secret: …}` or `{configMap: …}`".
    fn describe_alternatives(&self, alternatives: &Value) -> String {
        let forms = self.alternative_forms(alternatives);
        match forms.split_last() {
            None => "a value of another form".to_owned(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    fn alternative_forms(&self, alternatives: &Value) -> Vec<String> {
        let mut forms: Vec<String> = Vec::new();
        for alt in alternatives
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let alt = self.resolve(alt);
            let alt = match alt.get("allOf").and_then(Value::as_array) {
                Some(inner) if inner.len() == 1 => self.resolve(&inner[0]),
                _ => alt,
            };
            if let Some(nested) = alt.get("anyOf") {
                forms.extend(self.alternative_forms(nested));
            } else if let Some(key) = alt
                .get("required")
                .and_then(Value::as_array)
                .and_then(|r| r.first())
                .and_then(Value::as_str)
            {
                forms.push(format!("`{{{key}: …}}`"));
            } else if let Some(t) = alt.get("type").and_then(Value::as_str) {
                forms.push(type_name(t).to_owned());
            }
        }
        forms
    }

    /// One diagnostic (or several) for one validation error: one function
    /// per kind of error.
    fn convert(&self, error: &ValidationError<'_>, out: &mut Vec<Diagnostic>) {
        let at = At {
            ctx: self,
            path: field_path(error.instance_path()),
            instance: error.instance(),
        };
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                self.unknown_keys(&at, error, unexpected, out);
            }
            ValidationErrorKind::Required { property } => {
                out.push(self.missing(&at, error, property))
            }
            ValidationErrorKind::Type { kind } => out.push(wrong_type(&at, kind)),
            ValidationErrorKind::Pattern { pattern } => out.push(pattern_mismatch(&at, pattern)),
            ValidationErrorKind::PropertyNames { error: inner } => {
                out.push(invalid_key_name(&at, inner));
            }
            ValidationErrorKind::Enum { options } => {
                let words: Vec<String> = options
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(not_one_of(
                    &at,
                    &words,
                    format!("expected one of: {}", words.join(", ")),
                ));
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => out.push(at.diag(
                "out-of-range",
                format!("{} is below the minimum of {limit}", at.instance),
                Target::Value,
                format!("expected at least {limit}"),
                None,
            )),
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => out.push(at.diag(
                "out-of-range",
                format!("{} is above the maximum of {limit}", at.instance),
                Target::Value,
                format!("expected at most {limit}"),
                None,
            )),
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.alternatives(&at, error, context, out);
            }
            _ => out.push(at.diag(
                "invalid-value",
                error.to_string(),
                Target::Value,
                "invalid value".into(),
                None,
            )),
        }
    }

    /// `additionalProperties`: one `unknown-key` per key, with "did you mean".
    fn unknown_keys(
        &self,
        at: &At<'_, '_>,
        error: &ValidationError<'_>,
        unexpected: &[String],
        out: &mut Vec<Diagnostic>,
    ) {
        let parent = self.schema_at(error.schema_path());
        let known: Vec<&str> = parent
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let of = self.type_at(error.schema_path());
        let path = &at.path;
        for key in unexpected {
            let key_path = path.key(key);
            let hint = match suggest::closest(key, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None if known.is_empty() => "remove it".to_owned(),
                None => {
                    let listed = format!("expected one of: {}", known.join(", "));
                    match patch_way_out(path, key) {
                        Some(patch) => format!("{listed}; {patch}"),
                        None => listed,
                    }
                }
            };
            let where_ = if path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{path}`")
            };
            out.push(Diagnostic {
                code: "unknown-key",
                message: format!("unknown key `{key}` {where_}"),
                field: Some(key_path.to_string()),
                place: place_for(self.node, &key_path, Target::Key, self.files),
                label: Some(match &of {
                    Some(t) => format!("not a field of {t}"),
                    None => "unknown key".to_owned(),
                }),
                related: None,
                hint: Some(hint),
            });
        }
    }

    /// `required`: the missing field, with its description as the hint.
    fn missing(
        &self,
        at: &At<'_, '_>,
        error: &ValidationError<'_>,
        property: &Value,
    ) -> Diagnostic {
        let prop = property.as_str().unwrap_or_default();
        let description = self
            .schema_at(error.schema_path())
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(prop))
            .and_then(|p| p.get("description"))
            .and_then(Value::as_str)
            .map(|d| d.lines().next().unwrap_or(d).to_owned());
        let where_ = if at.path.is_empty() {
            "the environment".to_owned()
        } else {
            format!("`{}`", at.path)
        };
        at.diag(
            "missing-field",
            format!("{where_} is missing the required field `{prop}`"),
            Target::Key,
            format!("`{prop}` is missing here"),
            Some(match description {
                Some(d) => format!("add `{prop}`: {d}"),
                None => format!("add `{prop}`"),
            }),
        )
    }

    /// `anyOf` / `oneOf`: a choice of fixed words, a value whose shape fits
    /// one alternative (reported against it), or no fitting form at all.
    fn alternatives(
        &self,
        at: &At<'_, '_>,
        error: &ValidationError<'_>,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Vec<Diagnostic>,
    ) {
        let alternatives = self.schema_at_keyword(error.schema_path());
        if let Some(words) = alternatives.and_then(|a| self.constants(a)) {
            out.push(not_one_of(at, &words, "not an accepted value".into()));
            return;
        }
        let at_same = |e: &ValidationError<'_>| e.instance_path() == error.instance_path();
        let shape_mismatch = |errs: &Vec<ValidationError<'static>>| {
            errs.iter().any(|e| {
                at_same(e)
                    && matches!(
                        e.kind(),
                        ValidationErrorKind::Type { .. }
                            | ValidationErrorKind::AnyOf { .. }
                            | ValidationErrorKind::OneOfNotValid { .. }
                    )
            })
        };
        let best = context
            .iter()
            .filter(|errs| !errs.is_empty() && !shape_mismatch(errs))
            .min_by_key(|errs| errs.len());
        if let Some(errs) = best {
            let has_unknown = errs.iter().any(|e| {
                at_same(e) && matches!(e.kind(), ValidationErrorKind::AdditionalProperties { .. })
            });
            for e in errs {
                // With a misspelt key, "missing the right key" is the same mistake.
                if has_unknown
                    && at_same(e)
                    && matches!(e.kind(), ValidationErrorKind::Required { .. })
                {
                    continue;
                }
                self.convert(e, out);
            }
            return;
        }
        let forms = alternatives
            .map(|a| self.describe_alternatives(a))
            .unwrap_or_else(|| "a value of another form".to_owned());
        out.push(at.diag(
            "wrong-type",
            format!("expected {forms}, found {}", describe_value(at.instance)),
            Target::Value,
            "does not fit any accepted form".into(),
            None,
        ));
    }
}

/// Where a validation error is: its field path and the value there.
struct At<'c, 'a> {
    ctx: &'c Ctx<'a>,
    path: FieldPath,
    instance: &'c Value,
}

impl At<'_, '_> {
    fn diag(
        &self,
        code: &'static str,
        message: String,
        target: Target,
        label: String,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            message,
            field: Some(self.path.to_string()),
            place: place_for(self.ctx.node, &self.path, target, self.ctx.files),
            label: Some(label),
            related: None,
            hint,
        }
    }

    /// The value as text, for messages.
    fn text(&self) -> String {
        self.instance
            .as_str()
            .map_or_else(|| self.instance.to_string(), str::to_owned)
    }
}

/// `type`: what was expected and what was found, with a fix where the
/// mistake is a common one.
fn wrong_type(at: &At<'_, '_>, kind: &TypeKind) -> Diagnostic {
    let expected: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    let words: Vec<&str> = expected.iter().map(|t| type_name(t)).collect();
    if at.path.is_empty() {
        return at.diag(
            "not-a-mapping",
            format!(
                "a cfggen file is a mapping of settings (`name: …`, `apps: …`), but this one holds {}",
                describe_value(at.instance)
            ),
            Target::Value,
            "expected a mapping".into(),
            Some("start the file with `name: <environment>`, or `extends: [<base>]`".into()),
        );
    }
    let hint = match (expected.first().map(String::as_str), at.instance) {
        (Some("string"), Value::Number(_) | Value::Bool(_)) => {
            Some("quote the value to make it a string, e.g. \"1\"".to_owned())
        }
        (Some("object"), Value::Null) => {
            Some("write `{}` for an empty mapping, or remove the key".to_owned())
        }
        (Some("array"), Value::String(s)) => Some(format!("write a list: `[{s}]`")),
        _ => None,
    };
    at.diag(
        "wrong-type",
        format!(
            "expected {}, found {}",
            words.join(" or "),
            describe_value(at.instance)
        ),
        Target::Value,
        format!("expected {}", words.join(" or ")),
        hint,
    )
}

/// `pattern`: an invalid image reference gets the image parser's own
/// words; a name, the rule it breaks.
fn pattern_mismatch(at: &At<'_, '_>, pattern: &str) -> Diagnostic {
    let text = at.instance.as_str().unwrap_or_default();
    if pattern == cfggen_model::image::IMAGE_PATTERN {
        let (message, hint) = match cfggen_model::ImageRef::parse(text) {
            Err(e) => (e.to_string(), e.hint().to_owned()),
            Ok(_) => (
                "not a valid image reference".to_owned(),
                "write it as `registry/path/name:tag`".to_owned(),
            ),
        };
        return at.diag(
            "invalid-image",
            format!("invalid image reference `{text}`: {message}"),
            Target::Value,
            "not a valid image reference".into(),
            Some(hint),
        );
    }
    let is_name = pattern == names::DNS1123_LABEL || pattern == names::DNS1123_SUBDOMAIN;
    let expected = names::describe_pattern(pattern)
        .map_or_else(|| format!("text matching `{pattern}`"), str::to_owned);
    let reason = if pattern == names::DNS1123_LABEL {
        names::dns1123_label_error(text)
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    at.diag(
        if is_name {
            "invalid-name"
        } else {
            "invalid-value"
        },
        format!("`{text}` is not {expected}{reason}"),
        Target::Value,
        if is_name {
            "invalid name"
        } else {
            "invalid value"
        }
        .into(),
        pattern_hint(pattern, text),
    )
}

/// What to do about a value that does not match: a close known value, or
/// the pattern's advice.
fn pattern_hint(pattern: &str, text: &str) -> Option<String> {
    if pattern == cfggen_model::argocd::SYNC_OPTION {
        return suggest::hint(
            text,
            cfggen_model::argocd::KNOWN_SYNC_OPTIONS.iter().copied(),
        );
    }
    names::pattern_hint(pattern).map(str::to_owned)
}

/// `propertyNames`: a key that is not a valid name.
fn invalid_key_name(at: &At<'_, '_>, inner: &ValidationError<'_>) -> Diagnostic {
    let key = inner.instance().as_str().unwrap_or_default().to_owned();
    let key_path = at.path.key(&key);
    let expected = match inner.kind() {
        ValidationErrorKind::Pattern { pattern } => names::describe_pattern(pattern)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("a name matching `{pattern}`")),
        _ => inner.to_string(),
    };
    let reason = names::dns1123_label_error(&key)
        .filter(|_| expected.starts_with("a DNS-1123 label"))
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Diagnostic {
        code: "invalid-name",
        message: format!("`{key}` in `{}` is not {expected}{reason}", at.path),
        field: Some(key_path.to_string()),
        place: place_for(at.ctx.node, &key_path, Target::Key, at.ctx.files),
        label: Some("invalid name".into()),
        related: None,
        hint: Some("Kubernetes object names are lower case, e.g. `authentik-server`".into()),
    }
}

/// A value that is not one of a set of fixed words.
fn not_one_of(at: &At<'_, '_>, words: &[String], label: String) -> Diagnostic {
    let text = at.text();
    let hint = suggest::closest(&text, words.iter().map(String::as_str))
        .map(|best| format!("did you mean `{best}`?"));
    at.diag(
        "invalid-value",
        format!("`{text}` is not one of: {}", words.join(", ")),
        Target::Value,
        label,
        hint,
    )
}

/// For a key an app's typed fields lack, the way out: a patch of the
/// object cfggen renders. At a component (where a pod or container field
/// the model lacks is written) the patch is spelt out.
fn patch_way_out(path: &FieldPath, key: &str) -> Option<String> {
    match path.segs() {
        [Seg::Key(apps), Seg::Key(app), Seg::Key(components), Seg::Key(component)]
            if apps == "apps" && components == "components" =>
        {
            let workload = cfggen_model::app::default_workload_name(app, component);
            Some(format!(
                "a Kubernetes field cfggen does not model goes in a patch of the rendered object, e.g. for a pod field `apps.{app}.patches: [{{target: {{kind: Deployment, name: {workload}}}, merge: {{spec: {{template: {{spec: {{{key}: …}}}}}}}}}}]` (README: Patches)"
            ))
        }
        [Seg::Key(apps), Seg::Key(app), _, ..] if apps == "apps" => Some(format!(
            "a Kubernetes field cfggen does not model goes in a patch of the rendered object (`apps.{app}.patches`; README: Patches)"
        )),
        _ => None,
    }
}
