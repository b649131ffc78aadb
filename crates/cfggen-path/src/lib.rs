//! Field paths: how every stage of cfggen names a place in an environment
//! (`apps.authentik.database.owner`, `apps.a.components.web.args[2]`).
//!
//! The YAML tree walks them back to a line and column, the model's
//! semantic rules report them, the loader prints them. One type, so a
//! path built in one stage means the same in every other.
//!
//! ```
//! use cfggen_path::FieldPath;
//! let p = FieldPath::of(&["apps", "a"]).key("args").index(2);
//! assert_eq!(p.to_string(), "apps.a.args[2]");
//! ```

use std::fmt;

/// One step of a field path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg::Key(s.to_owned())
    }
}

impl From<String> for Seg {
    fn from(s: String) -> Self {
        Seg::Key(s)
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path into a document, e.g. `apps.authentik.database.owner`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// The path with one more key.
    #[must_use]
    pub fn key(&self, k: &str) -> FieldPath {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_owned()));
        FieldPath(v)
    }

    /// The path with one more index.
    #[must_use]
    pub fn index(&self, i: usize) -> FieldPath {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        FieldPath(v)
    }

    /// A path of keys.
    pub fn of(keys: &[&str]) -> FieldPath {
        FieldPath(keys.iter().map(|k| Seg::Key((*k).to_owned())).collect())
    }

    /// The steps.
    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    /// Whether this is the document itself.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last key, if the path ends with one.
    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl From<Vec<Seg>> for FieldPath {
    fn from(segs: Vec<Seg>) -> Self {
        FieldPath(segs)
    }
}

impl FromIterator<Seg> for FieldPath {
    fn from_iter<I: IntoIterator<Item = Seg>>(iter: I) -> Self {
        FieldPath(iter.into_iter().collect())
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            if i > 0 && matches!(seg, Seg::Key(_)) {
                f.write_str(".")?;
            }
            write!(f, "{seg}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_yaml_keys() {
        let p = FieldPath::of(&["apps", "a"])
            .key("database")
            .index(2)
            .key("x");
        assert_eq!(p.to_string(), "apps.a.database[2].x");
        assert_eq!(FieldPath::default().to_string(), "(top level)");
        assert_eq!(FieldPath::from(vec![Seg::Index(0)]).to_string(), "[0]");
        assert_eq!(p.last_key(), Some("x"));
    }
}
