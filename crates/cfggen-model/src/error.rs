//! Messages that cross the serde boundary.
//!
//! serde only carries a string out of a failed `Deserialize`. Types of this
//! crate that reject a value (an [`ImageRef`](crate::ImageRef), say) put a
//! hint after [`HINT_MARK`]; [`split_message`] takes it apart again so the
//! loader can print message and hint separately.

/// Separates a message from its hint inside a serde error string.
pub const HINT_MARK: &str = "\u{1f}hint:";

/// Joins a message and a hint for a serde custom error.
pub fn tagged_message(message: &str, hint: &str) -> String {
    format!("{message}{HINT_MARK}{hint}")
}

/// Splits a serde error string into message and hint.
pub fn split_message(s: &str) -> (&str, Option<&str>) {
    match s.split_once(HINT_MARK) {
        Some((m, h)) => (m, Some(h)),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = tagged_message("bad", "do this");
        assert_eq!(split_message(&s), ("bad", Some("do this")));
        assert_eq!(split_message("plain"), ("plain", None));
    }
}
