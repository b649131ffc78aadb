//! The environment loader: bytes → validated model or diagnostics, never a
//! panic. The input is an environment file, optionally followed by a line
//! `#--base--` and a base file it may extend as `extends: [b]`. Both are
//! served from memory through the same `Source` the disk uses, so bases
//! are read, schema-checked and merged exactly as in a repository (the
//! seeds in `fuzz/corpus/load_environment/` include environments that
//! merge a base). The diagnostics are rendered too, as a user sees them.
#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let marker = b"\n#--base--\n";
    let (env, base) = match data.windows(marker.len()).position(|w| w == marker) {
        Some(i) => (&data[..i], Some(&data[i + marker.len()..])),
        None => (data, None),
    };
    let mut files = HashMap::new();
    files.insert("environments/fuzz.yaml".to_owned(), env.to_vec());
    if let Some(base) = base {
        files.insert("environments/bases/b.yaml".to_owned(), base.to_vec());
    }
    let session = cfggen_load::Session::in_memory(files);
    match session.load("fuzz") {
        Ok(loaded) => {
            // A valid environment renders, and its output lints clean.
            if let Ok(rendered) = cfggen_render::render(&loaded.environment, &loaded.files) {
                let _ = cfggen_lint::lint(&rendered);
            }
        }
        Err(diagnostics) => {
            let _ = cfggen::render_diagnostics(&diagnostics, false);
            for d in &diagnostics {
                let _ = d.one_line();
            }
        }
    }
});
