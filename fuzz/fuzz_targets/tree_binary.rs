//! The binary form of a parsed tree (`cfggen_yaml::decode`), which the
//! cache gives back: any bytes decode to a tree or to nothing, never a
//! panic or an allocation beyond them; and a YAML document's tree decodes
//! to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = cfggen_yaml::Limits::default();
    let id = cfggen_yaml::FileId(0);
    // As the cache's bytes, behind the form's header (the encoding of a
    // null, without the null) or not.
    let _ = cfggen_yaml::decode(data, id, &limits);
    let mut framed = cfggen_yaml::encode(&cfggen_yaml::Node {
        value: cfggen_yaml::Value::Null,
        loc: cfggen_yaml::Location { file: id, start: 0, end: 0 },
    });
    framed.truncate(framed.len() - 3);
    framed.extend_from_slice(data);
    let _ = cfggen_yaml::decode(&framed, id, &limits);
    // As a YAML document: its tree, encoded, decodes to itself.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(node) = cfggen_yaml::parse(id, text, &limits) {
            let encoded = cfggen_yaml::encode(&node);
            let back = cfggen_yaml::decode(&encoded, id, &limits);
            assert_eq!(back.map(|n| cfggen_yaml::encode(&n)), Some(encoded));
        }
    }
});
