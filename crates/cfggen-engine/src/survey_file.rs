//! A survey in a compact binary form, for the cache: a large
//! tree's survey is read at the start of every `check` and `render`, and
//! JSON cost as much as a third of a clean `check` of 10,000 apps.
//!
//! The form: a magic line, the count of files, then each file in path
//! order — the bytes its path shares with the one before (u32), the rest
//! of its path (u32 length, UTF-8), its digest (24 bytes), and a byte
//! saying whether a stamp follows (five 64-bit numbers). Little-endian.
//! [`decode_survey`] checks every length against what is left, refuses
//! paths out of order, and gives `None` for anything else, never a panic.

use cfggen_write::{Digest, Known, Stamp};

use crate::survey::Survey;

const MAGIC: &[u8] = b"cfggen survey 1\n";

/// `survey` in the binary form.
pub(crate) fn encode_survey(survey: &Survey) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + survey.len() * 80);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(survey.len() as u64).to_le_bytes());
    let mut before: &str = "";
    for (path, known) in survey {
        let shared = before
            .bytes()
            .zip(path.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        // A shared prefix ends on a character boundary of both.
        let shared = (0..=shared)
            .rev()
            .find(|&i| path.is_char_boundary(i))
            .unwrap_or(0);
        let rest = &path.as_bytes()[shared..];
        // A path of 4 GiB: written so that it does not read back, and the
        // tree is surveyed again.
        let word = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        out.extend_from_slice(&word(shared));
        out.extend_from_slice(&word(rest.len()));
        out.extend_from_slice(rest);
        out.extend_from_slice(&known.digest.to_bytes());
        match &known.stamp {
            Some(stamp) => {
                out.push(1);
                for word in stamp.words() {
                    out.extend_from_slice(&word.to_le_bytes());
                }
            }
            None => out.push(0),
        }
        before = path;
    }
    out
}

/// The survey [`encode_survey`] gave `bytes` for, or `None`.
pub(crate) fn decode_survey(bytes: &[u8]) -> Option<Survey> {
    let mut r = Reader(bytes.strip_prefix(MAGIC)?);
    let count = u64::from_le_bytes(r.array()?);
    let mut survey = Survey::new();
    let mut path = String::new();
    for _ in 0..count {
        let shared = u32::from_le_bytes(r.array()?) as usize;
        let len = u32::from_le_bytes(r.array()?) as usize;
        let rest = std::str::from_utf8(r.take(len)?).ok()?;
        let mut next = path.get(..shared)?.to_owned();
        next.push_str(rest);
        if next <= path && !survey.is_empty() {
            return None;
        }
        let digest = Digest::from_bytes(r.array()?);
        let stamp = match r.take(1)? {
            [0] => None,
            [1] => {
                let mut words = [0u64; 5];
                for w in &mut words {
                    *w = u64::from_le_bytes(r.array()?);
                }
                Some(Stamp::from_words(words))
            }
            _ => return None,
        };
        survey.insert(next.clone(), Known { digest, stamp });
        path = next;
    }
    r.0.is_empty().then_some(survey)
}

/// The bytes not read yet.
struct Reader<'b>(&'b [u8]);

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> Survey {
        let stamp = Stamp::from_words([10, 1_700_000_000_000_000_000, 5, 77, 2049]);
        Survey::from([
            (
                "a/x.yaml".to_owned(),
                Known {
                    digest: Digest::of(b"1"),
                    stamp: Some(stamp),
                },
            ),
            (
                "a/y.yaml".to_owned(),
                Known {
                    digest: Digest::of(b"2"),
                    stamp: None,
                },
            ),
            (
                "a/ÿé.yaml".to_owned(),
                Known {
                    digest: Digest::of(b"3"),
                    stamp: Some(stamp),
                },
            ),
            (
                "a/ÿö.yaml".to_owned(),
                Known {
                    digest: Digest::of(b"4"),
                    stamp: None,
                },
            ),
            (
                "kustomization.yaml".to_owned(),
                Known {
                    digest: Digest::of(b""),
                    stamp: None,
                },
            ),
        ])
    }

    #[test]
    fn a_survey_reads_back_as_written() {
        for s in [Survey::new(), survey()] {
            assert_eq!(decode_survey(&encode_survey(&s)), Some(s));
        }
    }

    #[test]
    fn anything_but_a_whole_survey_is_refused() {
        let bytes = encode_survey(&survey());
        for cut in 0..bytes.len() {
            assert_eq!(decode_survey(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_survey(&longer), None);
        // Every byte changed in turn: never a panic.
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 0x41;
            let _ = decode_survey(&changed);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_without_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut all = MAGIC.to_vec();
            all.extend_from_slice(&bytes);
            let _ = decode_survey(&all);
            let _ = decode_survey(&bytes);
        }

        #[test]
        fn any_survey_reads_back(paths in proptest::collection::btree_set("[a-zé/._-]{1,12}", 0..20)) {
            let s: Survey = paths
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, Known { digest: Digest::of(&[i as u8]), stamp: (i % 2 == 0).then(|| Stamp::from_words([i as u64; 5])) }))
                .collect();
            proptest::prop_assert_eq!(decode_survey(&encode_survey(&s)), Some(s));
        }
    }
}
