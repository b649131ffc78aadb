//! Integration tests: the real `cfggen` binary on fixture repositories in
//! temporary folders. One test binary for the whole workspace.

// A test fails by panicking; the input-safety lints are for the product.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod cache;
mod conformance;
mod corpus;
mod crossrefs;
mod drift;
mod editor;
mod fuzz_regressions;
mod hostile;
mod import;
mod init;
mod invalid;
mod layers;
mod lint;
mod newcomer;
mod release;
mod render;
mod schema;
mod support;
mod validate;
mod workflow;
