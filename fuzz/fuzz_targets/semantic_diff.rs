//! The semantic diff of two YAML documents: never a panic, and a document
//! compared with itself has no changes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once("\n---\n").unwrap_or((text, ""));
    let _ = cfggen_diff::semantic_diff(a, b);
    if let Some(same) = cfggen_diff::semantic_diff(a, a) {
        assert!(same.is_empty(), "{a:?} differs from itself: {same:?}");
    }
    let _ = cfggen_diff::unified("x.yaml", a, b);
});
