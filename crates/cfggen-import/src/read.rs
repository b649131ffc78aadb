//! Manifest text → Kubernetes objects, each with the file and line it
//! starts at. What is not a Kubernetes object, or is a Secret holding
//! data, is an input error with its place.

use serde_json::Value;

/// One Kubernetes object of the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// The file it was read from (`-` for standard input).
    pub file: String,
    /// 1-based line of its first key.
    pub line: usize,
    /// 1-based column of its first key.
    pub column: usize,
    /// The object.
    pub value: Value,
    /// The secret values in it (a literal under a secret-looking name, a
    /// value shaped like a credential), each with the 1-based line and
    /// column of the value: never imported as they are.
    pub secrets: Vec<SecretAt>,
}

/// A secret value of an input object, and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct SecretAt {
    /// 1-based line of the value.
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
    /// What the secret check found.
    pub finding: cfggen_model::validate::Finding,
}

/// The secret values of the object read from `node`, placed in `text`.
fn secrets_in(node: &cfggen_yaml::Node, value: &Value, text: &str) -> Vec<SecretAt> {
    if value.get("kind").and_then(Value::as_str) == Some("Secret") {
        // A Secret with data is refused or left out whole.
        return Vec::new();
    }
    cfggen_model::validate::scan(value)
        .into_iter()
        .map(|finding| {
            let at = node
                .lookup(finding.path.segs())
                .map_or(node.loc.start, |n| {
                    let within = text
                        .get(n.loc.start..n.loc.end)
                        .and_then(|t| t.find(finding.value.expose()));
                    n.loc.start + within.unwrap_or(0)
                });
            let (line, column) = line_col(text, at);
            SecretAt {
                line,
                column,
                finding,
            }
        })
        .collect()
}

impl Object {
    /// Its `kind`.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// Its `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Its `metadata.name`.
    pub fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Its `metadata.namespace`, if it names one.
    pub fn namespace(&self) -> Option<&str> {
        self.value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
    }

    /// `Kind name`, for reports.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind(), self.name())
    }

    /// `file:line:column`.
    pub fn place(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An input that cannot be imported, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl InputError {
    /// An error about object `o`, at its place.
    pub fn at(o: &Object, message: String, hint: &str) -> InputError {
        InputError {
            file: o.file.clone(),
            line: o.line,
            column: o.column,
            message,
            hint: Some(hint.to_owned()),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Every object of one manifest file or stream (`---`-separated
/// documents; `kind: List` is unpacked). Empty documents are skipped.
pub fn read(file: &str, text: &str) -> Result<Vec<Object>, InputError> {
    let limits = cfggen_yaml::Limits::default();
    let nodes = cfggen_yaml::parse_stream(cfggen_yaml::FileId(0), text, &limits).map_err(|e| {
        let (line, column) = line_col(text, e.loc.start);
        InputError {
            file: file.to_owned(),
            line,
            column,
            message: format!("not YAML: {}", e.message),
            hint: e.hint.clone(),
        }
    })?;
    let mut out = Vec::new();
    for node in nodes {
        let (line, column) = line_col(text, node.loc.start);
        let value = crate::live::as_applied(node.to_json());
        if value.is_null() {
            continue;
        }
        let at = |message: String, hint: Option<&str>| InputError {
            file: file.to_owned(),
            line,
            column,
            message,
            hint: hint.map(str::to_owned),
        };
        let secrets = secrets_in(&node, &value, text);
        let object = Object {
            file: file.to_owned(),
            line,
            column,
            value,
            secrets,
        };
        // `kind: List`, and `kubectl get` lists (`RoleList`, …).
        if object.kind().ends_with("List") && object.value.get("items").is_some_and(Value::is_array)
        {
            let items = object
                .value
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, item) in items.into_iter().enumerate() {
                let segs = [
                    cfggen_model::Seg::Key("items".into()),
                    cfggen_model::Seg::Index(i),
                ];
                let secrets = node
                    .lookup(&segs)
                    .map(|n| secrets_in(n, &item, text))
                    .unwrap_or_default();
                let o = Object {
                    value: crate::live::as_applied(item),
                    secrets,
                    ..object.clone()
                };
                check(&o).map_err(|(m, h)| at(m, h))?;
                out.push(o);
            }
            continue;
        }
        check(&object).map_err(|(m, h)| at(m, h))?;
        out.push(object);
    }
    Ok(out)
}

/// Whether a document is a Kubernetes object cfggen can take.
fn check(o: &Object) -> Result<(), (String, Option<&'static str>)> {
    if !o.value.is_object() {
        return Err((
            "this document is not a Kubernetes object (a mapping with `apiVersion`, `kind` and `metadata.name`)".into(),
            None,
        ));
    }
    for (field, present) in [
        ("apiVersion", !o.api_version().is_empty()),
        ("kind", !o.kind().is_empty()),
        ("metadata.name", !o.name().is_empty()),
    ] {
        if !present {
            return Err((
                format!("this document is not a Kubernetes object: it has no `{field}`"),
                Some("import takes rendered manifests (`kubectl kustomize`, `helm template`); a template or a kustomize patch is not one"),
            ));
        }
    }
    Ok(())
}

/// Whether an object is a Secret that holds values.
pub fn is_secret_with_data(o: &Object) -> bool {
    o.kind() == "Secret"
        && o.api_version() == "v1"
        && ["data", "stringData"].iter().any(|k| {
            o.value
                .get(*k)
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_lists_and_places() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
        let objects = read("in.yaml", text).unwrap();
        let names: Vec<&str> = objects.iter().map(Object::name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!((objects[0].line, objects[0].column), (1, 1));
        assert_eq!(objects[1].line, 6);
    }

    #[test]
    fn what_is_not_an_object_is_an_error_at_its_line() {
        let e = read(
            "x.yaml",
            "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nfoo: 1\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (5, 1));
        assert!(e.message.contains("no `apiVersion`"), "{e}");
        let e = read("x.yaml", "a: [1\n").unwrap_err();
        assert!(e.message.starts_with("not YAML"), "{e}");
    }
}
