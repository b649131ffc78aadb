//! "Did you mean …?": the one place cfggen picks the closest known name to
//! a mistyped one (keys, apps, components, secrets, environments, bases).

/// The candidate closest to `wrong` (case-insensitive Damerau–Levenshtein),
/// if one is close enough to be a likely typo: at most 2 edits, or a third
/// of the candidate's length for long names.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = wrong.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A hint for a name that is not among `candidates`: "did you mean `x`?"
/// when one is close, else the list of declared names; `None` when
/// nothing is declared.
pub fn hint<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let all: Vec<&str> = candidates.into_iter().collect();
    if let Some(best) = closest(wrong, all.iter().copied()) {
        return Some(format!("did you mean `{best}`?"));
    }
    (!all.is_empty()).then(|| {
        format!(
            "declared: {}",
            all.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        assert_eq!(closest("blumeops-gp", ["blumeops-pg"]), Some("blumeops-pg"));
        assert_eq!(closest("Prod", ["prod", "dev"]), Some("prod"));
        assert_eq!(closest("zzz", ["blumeops-pg"]), None);
    }

    #[test]
    fn hints() {
        assert_eq!(
            hint("blumeops-gp", ["blumeops-pg"]),
            Some("did you mean `blumeops-pg`?".into())
        );
        assert_eq!(
            hint("zzz", ["blumeops-pg"]),
            Some("declared: `blumeops-pg`".into())
        );
        assert_eq!(hint("zzz", []), None);
    }
}
