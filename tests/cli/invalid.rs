//! The invalid-input corpus: `tests/fixtures/invalid/*.yaml`, one mistake
//! per file. Each runs as `environments/broken.yaml` of a repository whose
//! bases are `tests/fixtures/invalid/bases/`. The first line of a case may
//! say what must be reported:
//!
//! ```text
//! # expect: <code> at <file>:<line>:<column> [field <path>]
//! ```
//!
//! and the whole error text is snapshot-tested so reviewers read it.
//!
//! `tests/fixtures/warnings/*.yaml` are cases Kubernetes takes and cfggen
//! warns about, in the same form: each validates (exit 0) and prints its
//! warning at the place its first line says.

use std::path::PathBuf;

use crate::support::{fixtures, TestRepo};

struct Expect {
    code: String,
    position: String,
    field: Option<String>,
}

fn parse_expect(text: &str) -> Option<Expect> {
    let line = text.lines().next()?.strip_prefix("# expect: ")?;
    let mut words = line.split_whitespace();
    let code = words.next()?.to_owned();
    let _at = words.next().filter(|w| *w == "at")?;
    let position = words.next()?.to_owned();
    let field = match (words.next(), words.next()) {
        (Some("field"), Some(path)) => Some(path.to_owned()),
        _ => None,
    };
    Some(Expect {
        code,
        position,
        field,
    })
}

/// `cfggen validate broken` of one case, as `environments/broken.yaml`
/// over the invalid corpus's bases: its name, its text and the run.
fn validate_case(case: &std::path::Path) -> (String, String, crate::support::Output) {
    let name = case
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap();
    let text = std::fs::read_to_string(case).unwrap();
    let repo = TestRepo::new();
    crate::support::copy_tree(
        &fixtures().join("invalid/bases"),
        &repo.path().join("environments/bases"),
    );
    repo.write("environments/broken.yaml", &text);
    let out = repo.run(&["validate", "broken"]);
    (name, text, out)
}

fn cases() -> Vec<PathBuf> {
    cases_in("invalid")
}

fn cases_in(folder: &str) -> Vec<PathBuf> {
    let dir = fixtures().join(folder);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap();
    cases.sort();
    cases
}

#[test]
fn corpus_is_large_enough() {
    assert!(cases().len() >= 25, "only {} invalid cases", cases().len());
}

#[test]
fn every_invalid_file_is_rejected_with_a_located_error() {
    let mut missing_expectations = Vec::new();
    for case in cases() {
        let (name, text, out) = validate_case(&case);
        assert_eq!(out.code, 2, "{name}: expected exit 2\n{}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{name}: stdout should be empty: {}",
            out.stdout
        );
        match parse_expect(&text) {
            Some(expect) => {
                assert!(
                    out.stderr.starts_with(&format!("{}\n", expect.code)),
                    "{name}: expected code {} first\n{}",
                    expect.code,
                    out.stderr
                );
                assert!(
                    out.stderr.contains(&format!("[{}]", expect.position)),
                    "{name}: expected position {}\n{}",
                    expect.position,
                    out.stderr
                );
                if let Some(field) = &expect.field {
                    assert!(
                        out.stderr.contains(&format!("field: {field}\n")),
                        "{name}: expected field {field}\n{}",
                        out.stderr
                    );
                }
            }
            None => missing_expectations.push(name.clone()),
        }
        insta::with_settings!({
            description => format!("cfggen validate broken, with tests/fixtures/invalid/{name}.yaml"),
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("invalid__{name}"), out.stderr);
        });
    }
    assert!(
        missing_expectations.is_empty(),
        "cases without an `# expect:` line: {missing_expectations:?}"
    );
}

#[test]
fn every_warning_case_validates_with_a_located_warning() {
    let cases = cases_in("warnings");
    assert!(cases.len() >= 3, "only {} warning cases", cases.len());
    for case in cases {
        let (name, text, out) = validate_case(&case);
        assert_eq!(out.code, 0, "{name}: expected exit 0\n{}", out.stderr);
        let expect = parse_expect(&text).unwrap_or_else(|| panic!("{name}: no `# expect:` line"));
        assert!(
            out.stderr.starts_with(&format!("{}\n", expect.code)),
            "{name}: expected warning {} first\n{}",
            expect.code,
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("[{}]", expect.position)),
            "{name}: expected position {}\n{}",
            expect.position,
            out.stderr
        );
        if let Some(field) = &expect.field {
            assert!(
                out.stderr.contains(&format!("field: {field}")),
                "{name}: expected field {field}\n{}",
                out.stderr
            );
        }
        insta::with_settings!({
            description => format!("cfggen validate broken, with tests/fixtures/warnings/{name}.yaml"),
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("warning__{name}"), out.stderr);
        });
    }
}
