//! A parsed tree in a compact binary form, so that a large file whose
//! bytes did not change is not parsed again: [`decode`] of what [`encode`]
//! wrote gives the very tree, locations included, several times faster
//! than parsing its YAML. The form belongs to this build of cfggen; what
//! it is given back is checked as it is read, and anything that is not a
//! tree within the [`Limits`] is `None`, never a panic.
//!
//! Each node is a tag byte, its start and end (LEB128), and what the tag
//! calls for: nothing, eight bytes (an `i64` or the bits of an `f64`), a
//! length and UTF-8 bytes, or a count and the items (a mapping's entries
//! are the key's text, start and end, then the value).

use cfggen_yaml::{Entry, FileId, Key, Limits, Location, Node, Value};

/// What the form starts with: its name and version.
const MAGIC: &[u8] = b"cfggen-tree-1\n";

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STRING: u8 = 5;
const SEQ: u8 = 6;
const MAP: u8 = 7;

/// The binary form of `node` (whose file is not kept: [`decode`] is told).
pub(crate) fn encode(node: &Node) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    put_node(&mut out, node);
    out
}

/// The tree [`encode`] wrote into `bytes`, in file `file`; `None` when the
/// bytes are not such a tree, or one beyond `limits` (depth, nodes,
/// scalar length).
pub(crate) fn decode(bytes: &[u8], file: FileId, limits: &Limits) -> Option<Node> {
    let mut reader = Reader {
        bytes: bytes.strip_prefix(MAGIC)?,
        file,
        limits,
        nodes: 0,
    };
    let node = reader.node(0)?;
    reader.bytes.is_empty().then_some(node)
}

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_uint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn put_loc(out: &mut Vec<u8>, loc: Location) {
    put_uint(out, loc.start as u64);
    put_uint(out, loc.end as u64);
}

fn put_node(out: &mut Vec<u8>, node: &Node) {
    let tag = match &node.value {
        Value::Null => NULL,
        Value::Bool(false) => FALSE,
        Value::Bool(true) => TRUE,
        Value::Int(_) => INT,
        Value::Float(_) => FLOAT,
        Value::String(_) => STRING,
        Value::Seq(_) => SEQ,
        Value::Map(_) => MAP,
    };
    out.push(tag);
    put_loc(out, node.loc);
    match &node.value {
        Value::Null | Value::Bool(_) => {}
        Value::Int(i) => out.extend_from_slice(&i.to_le_bytes()),
        Value::Float(f) => out.extend_from_slice(&f.to_bits().to_le_bytes()),
        Value::String(s) => put_text(out, s),
        Value::Seq(items) => {
            put_uint(out, items.len() as u64);
            for item in items {
                put_node(out, item);
            }
        }
        Value::Map(entries) => {
            put_uint(out, entries.len() as u64);
            for entry in entries {
                put_text(out, &entry.key.text);
                put_loc(out, entry.key.loc);
                put_node(out, &entry.value);
            }
        }
    }
}

/// Reads a tree, within limits.
struct Reader<'a> {
    bytes: &'a [u8],
    file: FileId,
    limits: &'a Limits,
    /// Nodes read so far.
    nodes: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(*first)
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(taken)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }

    fn eight(&mut self) -> Option<[u8; 8]> {
        self.take(8)?.try_into().ok()
    }

    fn text(&mut self) -> Option<String> {
        let len = self.usize()?;
        if len > self.limits.max_scalar_bytes {
            return None;
        }
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }

    fn loc(&mut self) -> Option<Location> {
        let start = self.usize()?;
        let end = self.usize()?;
        (start <= end).then_some(Location {
            file: self.file,
            start,
            end,
        })
    }

    /// A count of items, each taking at least one byte.
    fn count(&mut self) -> Option<usize> {
        let n = self.usize()?;
        (n <= self.bytes.len()).then_some(n)
    }

    /// A list for `n` items, of which room for a few is taken now: what
    /// the count says is not believed before the items are read (nested
    /// lists each claiming the bytes left would reserve many times them).
    fn list<T>(n: usize) -> Vec<T> {
        Vec::with_capacity(n.min(16))
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return None;
        }
        let tag = self.byte()?;
        let loc = self.loc()?;
        let value = match tag {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            INT => Value::Int(i64::from_le_bytes(self.eight()?)),
            FLOAT => Value::Float(f64::from_bits(u64::from_le_bytes(self.eight()?))),
            STRING => Value::String(self.text()?),
            SEQ | MAP if depth >= self.limits.max_depth => return None,
            SEQ => {
                let n = self.count()?;
                let mut items = Self::list(n);
                for _ in 0..n {
                    items.push(self.node(depth + 1)?);
                }
                Value::Seq(items)
            }
            MAP => {
                let n = self.count()?;
                let mut entries = Self::list(n);
                for _ in 0..n {
                    let text = self.text()?;
                    let key = Key {
                        text,
                        loc: self.loc()?,
                    };
                    let value = self.node(depth + 1)?;
                    entries.push(Entry { key, value });
                }
                Value::Map(entries)
            }
            _ => return None,
        };
        Some(Node { value, loc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(text: &str) -> Node {
        match cfggen_yaml::parse(FileId(3), text, &Limits::default()) {
            Ok(node) => node,
            Err(e) => panic!("{e}"),
        }
    }

    const TEXT: &str = "a: 1\nb: [x, 'y', ~, true, false, 2.5, -7]\nc:\n  d: {e: |\n      two\n      lines\n    }\n  f: []\n  g: {}\nh: .nan\n";

    #[test]
    fn a_tree_decodes_to_itself_locations_included() {
        let node = parsed(TEXT);
        let bytes = encode(&node);
        let back = decode(&bytes, FileId(3), &Limits::default());
        // NaN is not equal to itself: compare the float's bits.
        assert_eq!(back.as_ref().map(encode), Some(bytes.clone()));
        let mut plain = node.clone();
        if let Value::Map(entries) = &mut plain.value {
            entries.retain(|e| e.key.text != "h");
        }
        let mut back_plain = back.unwrap_or_else(|| panic!("decoded"));
        if let Value::Map(entries) = &mut back_plain.value {
            entries.retain(|e| e.key.text != "h");
        }
        assert_eq!(back_plain, plain);
        // Told another file, every location is in it.
        let other = decode(&bytes, FileId(9), &Limits::default());
        assert_eq!(other.map(|n| n.loc.file), Some(FileId(9)));
    }

    #[test]
    fn what_is_not_a_tree_within_the_limits_is_none() {
        let bytes = encode(&parsed(TEXT));
        let limits = Limits::default();
        // Every truncation, and anything after the tree.
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end], FileId(0), &limits).is_none(), "{end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, FileId(0), &limits).is_none());
        // Deeper, or with more nodes, than allowed.
        let shallow = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        assert!(decode(&bytes, FileId(0), &shallow).is_none());
        let few = Limits {
            max_nodes: 5,
            ..Limits::default()
        };
        assert!(decode(&bytes, FileId(0), &few).is_none());
        // A count far beyond the bytes there is refused before any memory
        // is taken for it; nested counts that each claim the bytes left
        // take no room for them.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[SEQ, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(decode(&huge, FileId(0), &limits).is_none());
        let mut nested = MAGIC.to_vec();
        for _ in 0..60 {
            nested.extend_from_slice(&[SEQ, 0, 0, 0xff, 0x7f]);
        }
        nested.resize(nested.len() + 20_000, 0);
        assert!(decode(&nested, FileId(0), &limits).is_none());
    }

    /// Any JSON value of a few levels, its strings of characters YAML
    /// quotes, escapes or reads as other types.
    fn arb_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value as J;
        let text = prop_oneof![
            "[a-zA-Z0-9 ._:/#'\"{}\\[\\],&*!|>%@`?=~+-]{0,12}",
            "(yes|no|null|true|~|-|---)",
            "[a-z \t\n]{0,20}",
            "\\PC{0,10}",
        ];
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            text.clone().prop_map(J::String),
        ];
        leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(J::Array),
                prop::collection::vec((text.clone(), inner), 0..5)
                    .prop_map(|kv| J::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn any_parsed_document_decodes_to_itself(v in arb_value()) {
            let text = cfggen_yaml::emit(&v);
            let node = parsed(&text);
            let back = decode(&encode(&node), FileId(3), &Limits::default());
            prop_assert_eq!(back, Some(node));
        }

        #[test]
        fn no_bytes_make_it_panic(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = decode(&bytes, FileId(0), &Limits::default());
        }
    }
}
