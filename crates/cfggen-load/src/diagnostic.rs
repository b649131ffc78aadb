//! Located diagnostics: what went wrong, where (file, line, column, field
//! path), what was expected, and a hint. Data only: the binary prints them.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A source file as read, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    text: String,
    /// Byte offset of the start of every line, for line numbers in
    /// logarithmic time (an environment file has thousands of positions
    /// to report, e.g. every `image`).
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A source file with its display path and text.
    pub fn new(path: String, text: String) -> Arc<Self> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            path,
            text,
            line_starts,
        })
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        // The number of line starts at or before the offset is its line.
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
            .unwrap_or(0);
        let col = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line.max(1), col)
    }
}

/// What tells one diagnostic from another (see [`Diagnostic::identity`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    code: &'static str,
    message: String,
    field: Option<String>,
    place: Option<(String, usize, usize)>,
}

/// A place in a source file.
#[derive(Clone, Debug)]
pub struct Place {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Byte range.
    pub span: Range<usize>,
}

impl Place {
    /// The same place in a copy of its file where the text at the place,
    /// and every other occurrence of it, is stars: for a problem about a
    /// secret value, whose snippet must not show it.
    pub fn hiding_value(&self) -> Place {
        let text = self.file.text();
        let shown = text.get(self.span.clone()).unwrap_or_default();
        let value = shown.trim_matches(|c| c == '"' || c == '\'');
        if value.is_empty() {
            return self.clone();
        }
        let hidden = text.replace(value, &"*".repeat(value.len()));
        Place {
            file: SourceFile::new(self.file.path.clone(), hidden),
            span: self.span.clone(),
        }
    }
}

/// One problem found while loading an environment.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// A stable short name of the problem, e.g. `unknown-key`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// The field path, e.g. `apps.authentik.database.owner`.
    pub field: Option<String>,
    /// Where.
    pub place: Option<Place>,
    /// The label under the snippet: what was expected there.
    pub label: Option<String>,
    /// A second place that matters, with its label.
    pub related: Option<(Place, String)>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// What tells one problem from another: its code, message and field,
    /// and the file and span it points at. Two environments that extend
    /// one base find its problems with equal identities.
    pub fn identity(&self) -> Identity {
        Identity {
            code: self.code,
            message: self.message.clone(),
            field: self.field.clone(),
            place: self
                .place
                .as_ref()
                .map(|p| (p.file.path.clone(), p.span.start, p.span.end)),
        }
    }

    /// A diagnostic with no location (a missing file, say).
    pub fn bare(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            field: None,
            place: None,
            label: None,
            related: None,
            hint: None,
        }
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `path:line:column` of the diagnostic, if it has a place.
    pub fn position(&self) -> Option<(String, usize, usize)> {
        let place = self.place.as_ref()?;
        let (line, col) = place.file.line_col(place.span.start);
        Some((place.file.path.clone(), line, col))
    }

    /// One line: `path:line:col: error[code]: field: message`.
    pub fn one_line(&self) -> String {
        let mut s = String::new();
        if let Some((path, line, col)) = self.position() {
            s.push_str(&format!("{path}:{line}:{col}: "));
        }
        s.push_str(&format!("error[{}]: ", self.code));
        if let Some(field) = &self.field {
            s.push_str(&format!("{field}: "));
        }
        s.push_str(&self.message);
        s
    }

    fn sort_key(&self) -> (String, usize, &'static str) {
        match &self.place {
            Some(p) => (p.file.path.clone(), p.span.start, self.code),
            None => (String::new(), 0, self.code),
        }
    }
}

/// Sorts diagnostics by file and position, for stable output.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(field) = &self.field {
            write!(f, "\n  field: {field}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let f = SourceFile::new("x.yaml".into(), "a: 1\nébc: 2\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (2, 1));
        // `b` is after the two-byte `é`.
        assert_eq!(f.line_col(7), (2, 2));
        // The end of the file, and past it.
        assert_eq!(f.line_col(14), (3, 1));
        assert_eq!(f.line_col(99), (3, 1));
        let g = SourceFile::new("y.yaml".into(), "no newline".into());
        assert_eq!(g.line_col(3), (1, 4));
    }
}
