//! The binary form of a parsed tree, which the cache gives back
//! (`cfggen_engine::fuzz::tree_form`): any bytes decode to a tree or to
//! nothing, never a panic or an allocation beyond them; and a YAML
//! document's tree decodes to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cfggen_engine::fuzz::tree_form(data));
