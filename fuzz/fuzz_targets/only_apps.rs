//! An environment file cut down to some of its apps, the ground of a
//! change rendered from those apps alone (`cfggen_engine::fuzz::cuts`):
//! the cut through the tree and the cut from the lines never panic, and
//! whenever the lines give a cut, it is the tree's; `changed_apps` finds
//! nothing changed between a tree and itself; and any bytes, as the
//! binary form of a survey the cache gives back, give a survey or
//! nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cfggen_engine::fuzz::cuts(data));
