//! Canonical YAML output: block style, two-space indent, sequences under a
//! key at the key's indent (as `kubectl` prints them), keys in the value's
//! order, strings plain where no YAML 1.1 or 1.2 reader could take them
//! for anything else, single-quoted otherwise, literal blocks (`|`) for
//! multi-line text, double quotes only for text a block cannot carry.
//!
//! Written by hand because it is the hot path of rendering (a fleet of a
//! thousand apps emits tens of thousands of documents); a property test
//! checks that what it writes reads back equal.

use serde_json::Value;

/// Writes `value` as one YAML document (no `---`), ending in a newline.
pub fn emit(value: &Value) -> String {
    let mut out = String::with_capacity(1024);
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            write_scalar(&mut out, scalar, 2);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    let mut first = true;
    for (k, v) in map {
        if !first {
            indent(out, level);
        }
        first = false;
        write_string(out, k, level, true);
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

/// The value after `key:` (the cursor is right after the colon).
fn write_value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, level);
            write_seq(out, a, level);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, level + 2);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    let mut first = true;
    for item in items {
        if !first {
            indent(out, level);
        }
        first = false;
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                write_map(out, m, level + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push(' ');
                write_seq(out, a, level + 2);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, level + 2);
                out.push('\n');
            }
        }
    }
}

/// A scalar (or an empty collection) at the cursor; `level` is the indent
/// of block-scalar content lines.
fn write_scalar(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                if f.is_nan() {
                    out.push_str(".nan");
                } else if f.is_infinite() {
                    out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
                } else {
                    let s = n.to_string();
                    out.push_str(&s);
                    if !s.contains(['.', 'e', 'E']) {
                        out.push_str(".0");
                    }
                }
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s, level, false),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

fn write_string(out: &mut String, s: &str, level: usize, key: bool) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if !key && s.contains('\n') && block_safe(s) {
        write_block(out, s, level);
    } else if s.chars().any(needs_escape) || s.contains('\n') {
        write_double_quoted(out, s);
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    }
}

/// Characters YAML readers treat as line breaks or reject unescaped.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A literal block can carry the text unchanged: no control characters
/// but newlines and tabs, no line with trailing blanks, and it does not
/// start with a blank line or a space the indentation would swallow.
fn block_safe(s: &str) -> bool {
    !s.chars().any(|c| needs_escape(c) && c != '\n' && c != '\t')
        && !s.starts_with([' ', '\t', '\n'])
        && s.split('\n').all(|line| !line.ends_with([' ', '\t']))
}

fn write_block(out: &mut String, s: &str, level: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
    }
    // `|+` keeps the newlines after the last line as empty lines; the
    // caller ends the last one.
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Words YAML 1.1 or 1.2 readers resolve to booleans, null or special
/// floats.
fn is_special_word(s: &str) -> bool {
    matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "="
            | "<<"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    )
}

/// Whether a string can be written without quotes and read back as the
/// same string by any YAML 1.1 or 1.2 reader.
fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // Only short words can be special; look them up only then.
    if bytes.len() <= 6 && is_special_word(s) {
        return false;
    }
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    ) {
        // `-x` and `:x` are plain in YAML 1.2, but not in every reader.
        return false;
    }
    if matches!(bytes[bytes.len() - 1], b' ' | b':') {
        return false;
    }
    let mut prev = 0u8;
    for &b in bytes {
        match b {
            b'\t' | b'\n' | b'\r' => return false,
            b' ' if prev == b':' => return false,
            b'#' if prev == b' ' => return false,
            0..=0x1f | 0x7f => return false,
            // Non-ASCII: NEL, line/paragraph separators, BOM and C1
            // controls need escapes; check those characters exactly.
            0x80.. => {
                if s.chars().any(needs_escape) {
                    return false;
                }
                break;
            }
            _ => {}
        }
        prev = b;
    }
    // `: ` and ` #` may sit after a non-ASCII character the loop stopped at.
    if !s.is_ascii() && (s.contains(": ") || s.contains(" #")) {
        return false;
    }
    !looks_numeric(s)
}

/// Anything that starts like a number and has only characters numbers,
/// dates and times use: a reader might take it for one.
fn looks_numeric(s: &str) -> bool {
    let b = s.as_bytes();
    let starts = b[0].is_ascii_digit()
        || (matches!(b[0], b'+' | b'-' | b'.')
            && b.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'.'));
    starts
        && s.bytes().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    b'.' | b'_'
                        | b':'
                        | b'+'
                        | b'-'
                        | b'x'
                        | b'X'
                        | b'o'
                        | b'O'
                        | b'T'
                        | b't'
                        | b'Z'
                        | b'z'
                        | b' '
                )
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn kubernetes_style_layout() {
        let v = json!({
            "apiVersion": "apps/v1",
            "metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "a"}, "annotations": {"argocd.argoproj.io/sync-wave": "-1"}},
            "spec": {"replicas": 2, "containers": [{"name": "x", "args": ["server"], "env": [{"name": "PORT", "value": "5432"}]}], "empty": {}, "none": []},
        });
        assert_eq!(
            emit(&v),
            "apiVersion: apps/v1\nmetadata:\n  name: a\n  labels:\n    app.kubernetes.io/name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: '-1'\nspec:\n  replicas: 2\n  containers:\n  - name: x\n    args:\n    - server\n    env:\n    - name: PORT\n      value: '5432'\n  empty: {}\n  none: []\n"
        );
    }

    #[test]
    fn quoting() {
        for (s, want) in [
            ("100m", "100m"),
            ("256Mi", "256Mi"),
            ("7-alpine", "7-alpine"),
            ("yes", "'yes'"),
            ("1.2.3", "'1.2.3'"),
            ("2026-02-20", "'2026-02-20'"),
            ("0x1f", "'0x1f'"),
            ("{{ .password }}", "'{{ .password }}'"),
            ("it's", "it's"),
            ("a: b", "'a: b'"),
            ("-x", "'-x'"),
            ("", "''"),
            ("Authentik (platform)", "Authentik (platform)"),
            ("tab\there", "\"tab\\there\""),
        ] {
            let mut out = String::new();
            write_string(&mut out, s, 0, false);
            assert_eq!(out, want, "{s:?}");
        }
    }

    #[test]
    fn multi_line_text_is_a_literal_block() {
        let v =
            json!({"data": {"a.yaml": "x: 1\ny: 2\n", "b": "no newline\nat end", "c": "two\n\n"}});
        assert_eq!(
            emit(&v),
            "data:\n  a.yaml: |\n    x: 1\n    y: 2\n  b: |-\n    no newline\n    at end\n  c: |+\n    two\n\n"
        );
        let back: Value = serde_yaml::from_str(&emit(&v)).unwrap();
        assert_eq!(back, v);
    }

    fn arb_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ._:/#'\"{}\\[\\],&*!|>%@`?=~+-]{0,12}",
            "[0-9.:+eExX_-]{1,8}",
            "(yes|no|on|off|null|true|false|~|y|n|Y|N|NULL|-|---|\\.\\.\\.)",
            "[a-z \t\n]{0,20}",
            "\\PC{0,10}",
        ]
    }

    pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            arb_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((arb_string(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn emitted_yaml_reads_back_equal(v in arb_value()) {
            let text = emit(&v);
            let back: Result<Value, _> = serde_yaml::from_str(&text);
            prop_assert!(back.is_ok(), "{text}\n{back:?}");
            prop_assert_eq!(back.ok(), Some(v.clone()), "libyaml reading\n{}", text);
            let ours = crate::parse(crate::FileId(0), &text, &crate::Limits::default())
                .map(|n| n.to_json());
            prop_assert_eq!(ours.ok(), Some(v), "cfggen's reader\n{}", text);
        }
    }
}
