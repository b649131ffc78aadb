//! Printing diagnostics: the loader's located [`Diagnostic`]s as miette
//! reports with source snippets (`file:line:col`, a label under the
//! value, the hint), coloured or not.

use std::fmt;

use cfggen_load::Diagnostic;
use miette::{LabeledSpan, NamedSource, SourceCode};

/// One diagnostic with its source, in the form miette prints.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<String>>,
}

impl<'a> Report<'a> {
    fn new(d: &'a Diagnostic) -> Self {
        let source = d.place.as_ref().map(|p| {
            NamedSource::new(p.file.path.clone(), p.file.text().to_owned()).with_language("yaml")
        });
        Report { d, source }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.d, f)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .hint
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let place = self.d.place.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            self.d.label.clone(),
            place.span.clone(),
        )];
        if let Some((other, label)) = &self.d.related {
            if other.file.path == place.file.path {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    other.span.clone(),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Whether the line a diagnostic points at is too long for a snippet (a
/// minified or hostile file): then only its position is printed.
fn on_a_long_line(d: &Diagnostic) -> bool {
    d.place.as_ref().is_some_and(|p| {
        let text = p.file.text();
        let start = text
            .get(..p.span.start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let end = text
            .get(p.span.start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| p.span.start + i);
        end.saturating_sub(start) > 500
    })
}

/// Renders diagnostics as text: graphical snippets with `file:line:col`,
/// coloured or not.
pub fn render_diagnostics(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        if on_a_long_line(d) {
            out.push_str(&d.one_line());
            out.push('\n');
            if let Some(h) = &d.hint {
                out.push_str(&format!("  help: {h}\n"));
            }
        } else if handler.render_report(&mut out, &Report::new(d)).is_err() {
            out.push_str(&d.one_line());
            out.push('\n');
        }
        // A related place in another file is printed as its own line.
        if let (Some(place), Some((other, label))) = (&d.place, &d.related) {
            if other.file.path != place.file.path {
                let (line, col) = other.file.line_col(other.span.start);
                out.push_str(&format!(
                    "  note: {label}: {}:{line}:{col}\n",
                    other.file.path
                ));
            }
        }
        out.push('\n');
    }
    out
}
