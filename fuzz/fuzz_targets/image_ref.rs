//! ImageRef: any string parses or errors; what parses prints and re-parses
//! to the same reference.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(image) = cfggen_model::ImageRef::parse(text) {
        let printed = image.to_string();
        let again = cfggen_model::ImageRef::parse(&printed);
        assert_eq!(again.as_ref().ok(), Some(&image), "{text:?} printed as {printed:?}");
        let _ = image.is_pinned();
    }
});
