//! Severity and status in colour, for a terminal that takes it.

use crate::model::{Severity, Status};
use anstyle::{AnsiColor, Style};

/// `text` padded to `width` columns, in `style` when `color` (the padding
/// outside the escapes, so columns stay aligned).
pub fn paint(text: &str, width: usize, style: Style, color: bool) -> String {
    if color {
        let pad = width.saturating_sub(text.len());
        format!("{style}{text}{style:#}{:pad$}", "")
    } else {
        format!("{text:<width$}")
    }
}

/// Critical bold red, major red, minor yellow, info blue: the order a
/// reader's eye should take.
pub fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical | Severity::Major => AnsiColor::Red,
        Severity::Minor => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Blue,
    };
    let style = Style::new().fg_color(Some(color.into()));
    if severity == Severity::Critical {
        style.bold()
    } else {
        style
    }
}

/// fail red, unknown magenta (undecided, not passed), waived cyan, pass
/// green, not applicable dimmed.
pub fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Fail => AnsiColor::Red,
        Status::Unknown => AnsiColor::Magenta,
        Status::Waived => AnsiColor::Cyan,
        Status::Pass => AnsiColor::Green,
        Status::NotApplicable => return Style::new().dimmed(),
    };
    Style::new().fg_color(Some(color.into()))
}
