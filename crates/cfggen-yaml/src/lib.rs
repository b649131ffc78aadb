//! cfggen's one YAML module.
//!
//! Every byte of YAML that cfggen reads or writes goes through this crate:
//!
//! * [`parse`] turns a YAML text into a [`Node`] tree in which every value
//!   and every mapping key knows where it came from ([`Location`]: file and
//!   byte range). Duplicate keys, multiple documents, unsupported tags,
//!   non-string keys and oversized inputs are errors with a location.
//! * [`Node::to_json`] gives the plain data model the JSON Schema validator
//!   and serde work on; [`Node::lookup`] walks a field path back to the
//!   node, so errors found on the plain data can point at the source.
//! * [`merge`] implements the base/overlay rule: maps merge by key, scalars
//!   and lists replace.
//! * [`emit`] writes canonical YAML; [`from_str`] reads generated YAML back
//!   into typed values (through `serde_yaml`, the maintained `yaml_serde`
//!   fork), for the drift check and the tests.
//!
//! Parsing environment files uses `saphyr-parser`, an event parser that
//! reports the span of every event; `serde_yaml` keeps no positions for
//! values.
//!
//! ```
//! use cfggen_yaml::{parse, FileId, Limits};
//! let node = parse(FileId(0), "a:\n  b: 1\n", &Limits::default()).unwrap();
//! let b = node.lookup(&["a".into(), "b".into()]).unwrap();
//! assert_eq!(b.loc.start, 8);
//! assert_eq!(node.to_json(), serde_json::json!({"a": {"b": 1}}));
//! ```

mod emit;
mod node;
mod parse;

pub use cfggen_path::{FieldPath, Seg};
pub use emit::emit;
pub use node::{merge, Entry, FileId, Key, Location, Node, Value};
pub use parse::{parse, parse_stream, Limits, YamlError, YamlErrorKind};

/// Reads generated YAML (cfggen's own output) into a typed value. Not for
/// environment files: those go through [`parse`], which keeps positions.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_yaml::Error> {
    serde_yaml::from_str(text)
}
