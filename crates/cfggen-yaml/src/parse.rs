//! YAML text → positioned [`Node`] tree.
//!
//! Scalars resolve by the YAML 1.2 core schema (so `yes` and `on` stay
//! strings, unlike YAML 1.1). Anchors and aliases work, but every alias
//! expansion counts against [`Limits::max_nodes`], so an alias bomb is an
//! error, not an out-of-memory kill.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::node::{Entry, FileId, Key, Location, Node, Value};
use cfggen_path::{FieldPath, Seg};

/// Bounds on what one YAML file may cost to load.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes a document may have, counting every alias expansion.
    pub max_nodes: usize,
    /// Longest accepted scalar (key or value), in bytes.
    pub max_scalar_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 2_000_000,
            max_scalar_bytes: 256 * 1024,
        }
    }
}

/// What went wrong while reading YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The text is not YAML.
    Syntax,
    /// A mapping has the same key twice.
    DuplicateKey,
    /// A mapping key is not a plain string (a mapping, a sequence, an alias).
    NonStringKey,
    /// A tag other than the core schema's.
    UnsupportedTag,
    /// More than one YAML document in the file.
    MultipleDocuments,
    /// One of the [`Limits`] was exceeded.
    LimitExceeded,
}

/// A YAML error with the place it happened.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What kind of error.
    pub kind: YamlErrorKind,
    /// Where.
    pub loc: Location,
    /// What, in words.
    pub message: String,
    /// A second place that matters (the first occurrence of a duplicate key).
    pub related: Option<Location>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The path of the mapping or list being read when it happened.
    pub path: FieldPath,
}

/// Converts the parser's character offsets to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    // (char index, byte index) of the last conversion: parse events move
    // forward, so walking from there is cheap.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            last: std::cell::Cell::new((0, 0)),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let (mut c, mut b) = self.last.get();
        if char_index < c {
            c = 0;
            b = 0;
        }
        let mut chars = self.text[b..].chars();
        while c < char_index {
            match chars.next() {
                Some(ch) => {
                    c += 1;
                    b += ch.len_utf8();
                }
                None => break,
            }
        }
        self.last.set((c, b));
        b
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// Key → index in `entries`, built once the map is large enough
        /// that a scan per key would cost more than hashing.
        index: Option<HashMap<String, usize>>,
        pending: Option<Key>,
        start: usize,
        anchor: usize,
    },
}

/// Maps with more keys than this get a hash index for duplicate checks.
const INDEX_AFTER: usize = 16;

struct Builder<'a> {
    file: FileId,
    offsets: Offsets<'a>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

/// Parses a stream of YAML documents separated by `---` lines (a file of
/// Kubernetes manifests, say), each with locations in the whole text.
/// Empty documents are skipped.
pub fn parse_stream(
    file: FileId,
    text: &str,
    limits: &Limits,
) -> Result<Vec<Node>, Box<YamlError>> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") || bare == "..." {
            push_document(file, text, start, offset, limits, &mut docs)?;
            start = offset + line.len();
        }
        offset += line.len();
    }
    push_document(file, text, start, text.len(), limits, &mut docs)?;
    Ok(docs)
}

fn push_document(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    limits: &Limits,
    docs: &mut Vec<Node>,
) -> Result<(), Box<YamlError>> {
    let part = text.get(start..end).unwrap_or_default();
    if part.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    }) {
        return Ok(());
    }
    let mut node = parse(file, part, limits).map_err(|mut e| {
        e.loc.start += start;
        e.loc.end += start;
        if let Some(r) = e.related.as_mut() {
            r.start += start;
            r.end += start;
        }
        e
    })?;
    node.shift(start);
    docs.push(node);
    Ok(())
}

/// Parses one YAML document. An empty file is `null`.
pub fn parse(file: FileId, text: &str, limits: &Limits) -> Result<Node, Box<YamlError>> {
    let at = |start: usize, end: usize| Location { file, start, end };
    if text.len() > limits.max_bytes {
        return Err(Box::new(YamlError {
            kind: YamlErrorKind::LimitExceeded,
            loc: at(0, 0),
            message: format!(
                "the file is {} bytes, more than the {} bytes cfggen reads",
                text.len(),
                limits.max_bytes
            ),
            related: None,
            hint: Some("environment files are small; split the platform into bases".into()),
            path: FieldPath::default(),
        }));
    }
    let mut b = Builder {
        file,
        offsets: Offsets::new(text),
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| b.parser_error(&e))?;
        if matches!(event, Event::DocumentStart(_)) {
            documents += 1;
            if documents > 1 {
                let pos = b.offsets.byte(span.start.index());
                return Err(Box::new(YamlError {
                    kind: YamlErrorKind::MultipleDocuments,
                    loc: at(pos, pos + 3.min(text.len() - pos)),
                    message: "a second YAML document starts here; a cfggen file holds exactly one"
                        .into(),
                    related: None,
                    hint: Some(
                        "remove the `---` line, or move the document into its own file".into(),
                    ),
                    path: FieldPath::default(),
                }));
            }
        }
        b.event(event, span)?;
    }
    Ok(b.root.unwrap_or(Node {
        value: Value::Null,
        loc: at(0, 0),
    }))
}

impl Builder<'_> {
    /// A parser error: a syntax error, or the nesting limit.
    fn parser_error(&self, e: &saphyr_parser::ScanError) -> Box<YamlError> {
        let pos = self.offsets.byte(e.marker().index());
        let loc = Location {
            file: self.file,
            start: pos,
            end: pos,
        };
        if e.info().contains("recursion limit") {
            return Box::new(YamlError {
                kind: YamlErrorKind::LimitExceeded,
                loc,
                message: format!("nesting deeper than {} levels", self.limits.max_depth),
                related: None,
                hint: Some(
                    "cfggen files are shallow; this is likely not an environment file".into(),
                ),
                path: self.current_path(),
            });
        }
        Box::new(YamlError {
            kind: YamlErrorKind::Syntax,
            loc,
            message: format!("invalid YAML: {}", e.info()),
            related: None,
            hint: None,
            path: self.current_path(),
        })
    }

    /// One parser event: a value, the start or end of a collection, an alias.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Box<YamlError>> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(&value, style, anchor, tag.as_deref(), span)
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "seq", span)?;
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: self.offsets.byte(span.start.index()),
                    anchor,
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "map", span)?;
                self.open(span)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    index: None,
                    pending: None,
                    start: self.offsets.byte(span.start.index()),
                    anchor,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span),
            Event::DocumentStart(_)
            | Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentEnd => Ok(()),
        }
    }

    /// The end of the innermost collection: it becomes a node.
    fn close(&mut self, span: Span) -> Result<(), Box<YamlError>> {
        let end = self.offsets.byte(span.end.index());
        let at = |start: usize| Location {
            file: self.file,
            start,
            end: end.max(start),
        };
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                start,
                anchor,
            }) => (
                Node {
                    value: Value::Seq(items),
                    loc: at(start),
                },
                anchor,
            ),
            Some(Frame::Map {
                entries,
                start,
                anchor,
                ..
            }) => (
                Node {
                    value: Value::Map(entries),
                    loc: at(start),
                },
                anchor,
            ),
            None => return Ok(()),
        };
        self.finish(node, anchor)
    }
}

impl Builder<'_> {
    fn loc(&self, span: Span) -> Location {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index());
        Location {
            file: self.file,
            start,
            end: end.max(start),
        }
    }

    fn error(
        &self,
        kind: YamlErrorKind,
        loc: Location,
        message: String,
        hint: Option<String>,
    ) -> Box<YamlError> {
        Box::new(YamlError {
            kind,
            loc,
            message,
            related: None,
            hint,
            path: self.current_path(),
        })
    }

    /// Where the builder is: the keys and indices of the open collections.
    fn current_path(&self) -> FieldPath {
        let mut path = Vec::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => path.push(Seg::Index(items.len())),
                Frame::Map { pending, .. } => {
                    if let Some(k) = pending {
                        path.push(Seg::Key(k.text.clone()));
                    }
                }
            }
        }
        FieldPath(path)
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Box<YamlError>> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(
                YamlErrorKind::LimitExceeded,
                self.loc(span),
                format!(
                    "the document expands to more than {} values (aliases included)",
                    self.limits.max_nodes
                ),
                Some(
                    "an alias repeats its anchor's whole value; use fewer or smaller aliases"
                        .into(),
                ),
            ));
        }
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    fn open(&mut self, span: Span) -> Result<(), Box<YamlError>> {
        if self.expecting_key() {
            return Err(self.error(
                YamlErrorKind::NonStringKey,
                self.loc(span),
                "a mapping key must be a plain string, not a mapping or a sequence".into(),
                None,
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(
                YamlErrorKind::LimitExceeded,
                self.loc(span),
                format!("nesting deeper than {} levels", self.limits.max_depth),
                Some("cfggen files are shallow; this is likely not an environment file".into()),
            ));
        }
        self.count(1, span)
    }

    fn check_collection_tag(
        &self,
        tag: Option<&saphyr_parser::Tag>,
        want: &str,
        span: Span,
    ) -> Result<(), Box<YamlError>> {
        match tag {
            None => Ok(()),
            Some(t) if t.is_yaml_core_schema() && t.suffix == want => Ok(()),
            Some(t) => Err(self.unsupported_tag(t, span)),
        }
    }

    fn unsupported_tag(&self, tag: &saphyr_parser::Tag, span: Span) -> Box<YamlError> {
        let shown = if tag.is_yaml_core_schema() {
            format!("!!{}", tag.suffix)
        } else {
            tag.to_string()
        };
        self.error(
            YamlErrorKind::UnsupportedTag,
            self.loc(span),
            format!("unsupported YAML tag `{shown}`"),
            Some("cfggen reads plain YAML data; quote the value to keep it as text".into()),
        )
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Result<(), Box<YamlError>> {
        let loc = self.loc(span);
        if text.len() > self.limits.max_scalar_bytes {
            return Err(self.error(
                YamlErrorKind::LimitExceeded,
                Location {
                    file: loc.file,
                    start: loc.start,
                    end: loc.start,
                },
                format!(
                    "a value of {} bytes, more than the {} bytes cfggen accepts in one value",
                    text.len(),
                    self.limits.max_scalar_bytes
                ),
                Some(
                    "keep large content (certificates, dashboards) out of environment files".into(),
                ),
            ));
        }
        if self.expecting_key() {
            if tag.is_some_and(|t| !(t.is_yaml_core_schema() && t.suffix == "str")) {
                return Err(self.error(
                    YamlErrorKind::NonStringKey,
                    loc,
                    "a mapping key must be a plain string".into(),
                    None,
                ));
            }
            return self.set_key(Key {
                text: text.to_owned(),
                loc,
            });
        }
        self.count(1, span)?;
        let value = match tag {
            Some(t) if t.is_yaml_core_schema() => match t.suffix.as_str() {
                "str" => Value::String(text.to_owned()),
                "null" | "bool" | "int" | "float" => {
                    let v = resolve_plain(text);
                    let ok = matches!(
                        (t.suffix.as_str(), &v),
                        ("null", Value::Null)
                            | ("bool", Value::Bool(_))
                            | ("int", Value::Int(_))
                            | ("float", Value::Float(_) | Value::Int(_))
                    );
                    if !ok {
                        return Err(self.error(
                            YamlErrorKind::UnsupportedTag,
                            loc,
                            format!("`{text}` is not a valid !!{}", t.suffix),
                            None,
                        ));
                    }
                    v
                }
                _ => return Err(self.unsupported_tag(t, span)),
            },
            Some(t) if t.handle == "!" && t.suffix.is_empty() => Value::String(text.to_owned()),
            Some(t) => return Err(self.unsupported_tag(t, span)),
            None if style == ScalarStyle::Plain => resolve_plain(text),
            None => Value::String(text.to_owned()),
        };
        self.finish(Node { value, loc }, anchor)
    }

    fn set_key(&mut self, key: Key) -> Result<(), Box<YamlError>> {
        if let Some(Frame::Map {
            entries,
            index,
            pending,
            ..
        }) = self.stack.last_mut()
        {
            if index.is_none() && entries.len() >= INDEX_AFTER {
                *index = Some(
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (e.key.text.clone(), i))
                        .collect(),
                );
            }
            let first = match index {
                Some(map) => map.get(&key.text).and_then(|&i| entries.get(i)),
                None => entries.iter().find(|e| e.key.text == key.text),
            };
            if let Some(first) = first {
                let related = Some(first.key.loc);
                let path = self.current_path().key(&key.text);
                return Err(Box::new(YamlError {
                    path,
                    kind: YamlErrorKind::DuplicateKey,
                    loc: key.loc,
                    message: format!("duplicate key `{}`", key.text),
                    related,
                    hint: Some(
                        "YAML keeps only one of them; remove or merge the two entries".into(),
                    ),
                }));
            }
            if let Some(map) = index {
                map.insert(key.text.clone(), entries.len());
            }
            *pending = Some(key);
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Box<YamlError>> {
        let loc = self.loc(span);
        if self.expecting_key() {
            return Err(self.error(
                YamlErrorKind::NonStringKey,
                loc,
                "a mapping key must be a plain string, not an alias".into(),
                None,
            ));
        }
        let Some(target) = self.anchors.get(&id) else {
            return Err(self.error(
                YamlErrorKind::Syntax,
                loc,
                "alias to an anchor that is not defined (or not finished) before it".into(),
                None,
            ));
        };
        let size = count_nodes(target);
        self.count(size, span)?;
        let Some(mut node) = self.anchors.get(&id).cloned() else {
            return Ok(());
        };
        node.loc = loc;
        self.finish(node, 0)
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Box<YamlError>> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, pending, ..
            }) => {
                if let Some(key) = pending.take() {
                    entries.push(Entry { key, value: node });
                }
            }
        }
        Ok(())
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|e| count_nodes(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            if let Ok(i) = i64::from_str_radix(hex, 16) {
                return Value::Int(i);
            }
        }
        return Value::String(text.to_owned());
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            if let Ok(i) = i64::from_str_radix(oct, 8) {
                return Value::Int(i);
            }
        }
        return Value::String(text.to_owned());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    // `0755` is octal to Kubernetes (YAML 1.1, as `kubectl` reads it) and
    // decimal to YAML 1.2: take it as Kubernetes does, since that is who
    // reads what cfggen writes (file modes are the common case).
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|c| c.is_ascii_digit()) {
        return match i64::from_str_radix(digits, 8) {
            Ok(i) if text.starts_with('-') => Value::Int(-i),
            Ok(i) => Value::Int(i),
            Err(_) => Value::String(text.to_owned()),
        };
    }
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::String(text.to_owned()),
        };
    }
    if is_core_float(digits) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(text.to_owned())
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[test]
    fn documents_keep_their_place_in_the_whole_text() {
        let text = "---\na: 1\n---\n# only a comment\n---\nb: 2\n";
        let docs = parse_stream(FileId(0), text, &Limits::default()).unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[1].get("b").unwrap();
        assert_eq!(&text[b.loc.start..b.loc.end], "2");
        let err = parse_stream(FileId(0), "a: 1\n---\nb: [\n", &Limits::default()).unwrap_err();
        assert!(err.loc.start >= 9, "{err:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        match parse(FileId(0), text, &Limits::default()) {
            Ok(n) => n,
            Err(e) => panic!("expected {text:?} to parse: {e}"),
        }
    }

    fn parse_err(text: &str) -> Box<YamlError> {
        match parse(FileId(0), text, &Limits::default()) {
            Ok(n) => panic!("expected {text:?} to fail, got {n:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn resolves_core_schema_scalars() {
        let n = parse_ok(
            "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: yes\ng: '1'\nh: 0x1f\ni: 1e3\nj: 99999999999999999999\nk: !!str 5\nl: 0755\nm: 09\nn: 0\n",
        );
        // `0755` is read as Kubernetes reads it (YAML 1.1 octal); `09` is
        // no octal number, so it stays text.
        assert_eq!(
            n.to_json(),
            serde_json::json!({"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": "yes",
                "g": "1", "h": 31, "i": 1000.0, "j": "99999999999999999999", "k": "5",
                "l": 493, "m": "09", "n": 0})
        );
    }

    #[test]
    fn locations_are_byte_offsets_even_after_non_ascii() {
        let text = "é: ünïcode\nkey: value\n";
        let n = parse_ok(text);
        let v = n.get("key").map(|v| v.loc);
        let start = text.find("value").unwrap();
        assert_eq!(v.map(|l| (l.start, l.end)), Some((start, start + 5)));
        let k = n.entry("key").map(|e| e.key.loc.start);
        assert_eq!(k, text.find("key"));
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let e = parse_err("a: 1\nb: 2\na: 3\n");
        assert_eq!(e.kind, YamlErrorKind::DuplicateKey);
        assert_eq!(e.loc.start, 10);
        assert_eq!(e.related.map(|l| l.start), Some(0));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = parse_err("a: [1, 2\nb: 3\n");
        assert_eq!(e.kind, YamlErrorKind::Syntax);
        let e = parse_err("a: 1\n  b: 2\n");
        assert_eq!(e.kind, YamlErrorKind::Syntax);
    }

    #[test]
    fn second_document_is_refused() {
        let e = parse_err("a: 1\n---\nb: 2\n");
        assert_eq!(e.kind, YamlErrorKind::MultipleDocuments);
    }

    #[test]
    fn aliases_expand_within_budget_and_bombs_fail() {
        let n = parse_ok("a: &x {k: v}\nb: *x\n");
        assert_eq!(
            n.to_json(),
            serde_json::json!({"a": {"k": "v"}, "b": {"k": "v"}})
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse_err(&bomb);
        assert_eq!(e.kind, YamlErrorKind::LimitExceeded);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse_err(&text).kind, YamlErrorKind::LimitExceeded);
        // Far deeper input stops in the parser's own recursion guard.
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_err(&text).kind,
            YamlErrorKind::LimitExceeded | YamlErrorKind::Syntax
        ));
    }

    #[test]
    fn custom_tags_and_complex_keys_are_refused() {
        assert_eq!(parse_err("a: !Env X\n").kind, YamlErrorKind::UnsupportedTag);
        assert_eq!(parse_err("? [a]\n: 1\n").kind, YamlErrorKind::NonStringKey);
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse_ok("").value, Value::Null);
        assert_eq!(parse_ok("# just a comment\n").value, Value::Null);
    }
}
