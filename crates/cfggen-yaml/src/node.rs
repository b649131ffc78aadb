//! The positioned YAML tree, path look-ups and the base/overlay merge.

use cfggen_path::Seg;

/// Which source file a node came from. The caller owns the file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Where a node is in its source: file and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file the node was read from.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Location {
    /// Number of bytes the location covers.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the location covers no bytes (a point).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A YAML value with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written.
    pub loc: Location,
}

/// A resolved YAML value (YAML 1.2 core schema).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Any other scalar, and every quoted scalar.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys, in source order, without duplicates.
    Map(Vec<Entry>),
}

/// A mapping key: its text and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text.
    pub text: String,
    /// Where the key is written.
    pub loc: Location,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: Key,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The mapping entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry for `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.text == key)
    }

    /// The value for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The string value, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Follows `path` down the tree; `None` where a step does not exist.
    pub fn lookup(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => node.get(k)?,
                (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Follows `path` as far as it exists and returns the deepest node
    /// reached, the key of the last mapping step taken (if any), and how
    /// many steps were taken.
    pub fn lookup_prefix(&self, path: &[Seg]) -> (&Node, Option<&Key>, usize) {
        let mut node = self;
        let mut key = None;
        for (depth, seg) in path.iter().enumerate() {
            let next = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => node.entry(k).map(|e| (&e.value, Some(&e.key))),
                (Seg::Index(i), Value::Seq(items)) => items.get(*i).map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((n, k)) => {
                    node = n;
                    key = k;
                }
                None => return (node, key, depth),
            }
        }
        (node, key, path.len())
    }

    /// Whether `other` holds the same data: the same values, keys in the
    /// same order, wherever each is written (locations are not compared;
    /// a float equals itself bit for bit, NaN included).
    pub fn same_data(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_data(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.key.text == y.key.text && x.value.same_data(&y.value))
            }
            _ => false,
        }
    }

    /// Moves the whole tree to another file id (a tree parsed once and
    /// reused by several loads gets each load's id).
    pub fn set_file(&mut self, file: FileId) {
        self.loc.file = file;
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_file(file)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key.loc.file = file;
                e.value.set_file(file);
            }),
            _ => {}
        }
    }

    /// Moves every location of the tree `by` bytes forward (a document
    /// parsed on its own, inside a longer text).
    pub fn shift(&mut self, by: usize) {
        self.loc.start += by;
        self.loc.end += by;
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.shift(by)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key.loc.start += by;
                e.key.loc.end += by;
                e.value.shift(by);
            }),
            _ => {}
        }
    }

    /// [`Node::to_json`], consuming the tree: each part is freed as soon
    /// as it is converted and strings are moved, not copied, so a large
    /// tree and its plain data are never held whole at once.
    pub fn into_json(self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(b),
            Value::Int(i) => J::from(i),
            Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s),
            Value::Seq(items) => J::Array(items.into_iter().map(Node::into_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .into_iter()
                    .map(|e| (e.key.text, e.value.into_json()))
                    .collect(),
            ),
        }
    }

    /// The plain data of this tree, for JSON Schema validation and serde.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.text.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Applies `overlay` on top of `base`: where both are mappings they merge
/// key by key (recursively, base keys first in base order, new keys after);
/// anything else in the overlay replaces the base value whole. Locations
/// are kept, so a merged value still points at the file that set it.
pub fn merge(base: Node, overlay: Node) -> Node {
    match (base.value, overlay.value) {
        (Value::Map(mut base_entries), Value::Map(overlay_entries)) => {
            // Index the base keys once: overlays of large maps (a thousand
            // apps) must not cost a scan per key.
            let mut index: std::collections::HashMap<String, usize> = base_entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.text.clone(), i))
                .collect();
            for entry in overlay_entries {
                match index.get(&entry.key.text) {
                    Some(&i) => {
                        let slot = &mut base_entries[i];
                        let old = std::mem::replace(
                            &mut slot.value,
                            Node {
                                value: Value::Null,
                                loc: entry.value.loc,
                            },
                        );
                        slot.value = merge(old, entry.value);
                        slot.key = entry.key;
                    }
                    None => {
                        index.insert(entry.key.text.clone(), base_entries.len());
                        base_entries.push(entry);
                    }
                }
            }
            Node {
                value: Value::Map(base_entries),
                loc: overlay.loc,
            }
        }
        (_, value) => Node {
            value,
            loc: overlay.loc,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn into_json_is_to_json() {
        let text = "a: [1, 2.5, x, null, true]\nb: {c: 'd', e: {}}\n";
        let node = match crate::parse(super::FileId(0), text, &crate::Limits::default()) {
            Ok(n) => n,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(node.clone().into_json(), node.to_json());
    }

    use super::*;
    use crate::{parse, Limits};

    fn p(file: u32, text: &str) -> Node {
        match parse(FileId(file), text, &Limits::default()) {
            Ok(n) => n,
            Err(e) => panic!("test input must parse: {e}"),
        }
    }

    #[test]
    fn merge_maps_by_key_and_replaces_lists_and_scalars() {
        let base = p(0, "a: {x: 1, y: 2}\nl: [1, 2]\ns: base\nkeep: 1\n");
        let over = p(1, "a: {y: 3, z: 4}\nl: [9]\ns: over\n");
        let merged = merge(base, over);
        assert_eq!(
            merged.to_json(),
            serde_json::json!({"a": {"x": 1, "y": 3, "z": 4}, "l": [9], "s": "over", "keep": 1})
        );
        let y = merged.lookup(&["a".into(), "y".into()]);
        assert_eq!(y.map(|n| n.loc.file), Some(FileId(1)));
        let x = merged.lookup(&["a".into(), "x".into()]);
        assert_eq!(x.map(|n| n.loc.file), Some(FileId(0)));
    }

    #[test]
    fn same_data_ignores_where_values_are_written_but_not_order_or_type() {
        let a = p(0, "a: {x: 1, y: [2.5, yes]}\nb: ~\n");
        let moved = p(
            1,
            "# a comment\na:\n  x: 1\n  y:\n    - 2.5\n    - 'yes'\nb: null\n",
        );
        assert!(a.same_data(&moved));
        assert_ne!(a, moved, "the locations differ");
        for other in [
            "a: {y: [2.5, yes], x: 1}\nb: ~\n",
            "a: {x: '1', y: [2.5, yes]}\nb: ~\n",
            "a: {x: 1, y: [2.5]}\nb: ~\n",
            "a: {x: 1, y: [2.5, yes]}\n",
            "a: {x: 1, y: [2.50001, yes]}\nb: ~\n",
        ] {
            assert!(!a.same_data(&p(0, other)), "{other}");
        }
        let nan = p(0, "a: .nan\n");
        assert!(nan.same_data(&p(1, "a: .NaN\n")));
    }

    #[test]
    fn lookup_prefix_stops_at_missing_step() {
        let n = p(0, "a:\n  b: [x, y]\n");
        let path: Vec<Seg> = vec!["a".into(), "b".into(), 1.into()];
        assert_eq!(n.lookup(&path).and_then(Node::as_str), Some("y"));
        let missing: Vec<Seg> = vec!["a".into(), "c".into(), "d".into()];
        let (node, key, depth) = n.lookup_prefix(&missing);
        assert_eq!(depth, 1);
        assert_eq!(key.map(|k| k.text.as_str()), Some("a"));
        assert!(node.as_map().is_some());
    }
}
