//! Parsers: one module per input format.
//!
//! A parser is a pure function from the text of one collected file to typed
//! records. It never does I/O. It answers with an [`Outcome`]:
//! - `Parsed` — the records;
//! - `NotApplicable` — the file holds a collector or daemon message instead of
//!   output (`command not found`, `Connection refused`, `Cannot access the
//!   Hardware Clock`); this is not an error of the input;
//! - `Malformed` — the file claims to be this format but a line breaks it.
//!
//! Grouped by what they parse: `time/` clocks and time stamps, `linux/` what
//! standard Linux and Unix tools and files print, `vendor/` vendor products'
//! exports, tools and logs; the machinery every parser shares (`Outcome`,
//! the `[table]` reader `table` over `export_table`, `size`, `kind`, tests)
//! stays here.

use serde::Serialize;

pub(crate) mod export_table;
pub mod kind;
pub mod linux;
#[cfg(test)]
mod properties;
pub(crate) mod size;
pub mod table;
#[cfg(test)]
pub(crate) mod testing;
pub mod time;
pub mod vendor;

/// What one parser made of one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome<T> {
    Parsed { records: T },
    NotApplicable(NotApplicable),
    Malformed(Malformed),
}

/// Why a file holds no output to parse. The kind decides what the facts make
/// of it: a missing tool is like a missing input, a stopped daemon is a
/// finding in itself, an absent device means the check does not apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotApplicable {
    pub kind: Absence,
    pub reason: String,
    /// 1-based line that told us, when one did.
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Absence {
    /// The collector could not run the command (not installed, not found).
    ToolMissing,
    /// The command ran but its daemon does not answer (`Connection refused`).
    ServiceDown,
    /// The thing the command reads does not exist here (no RTC on a VM).
    NoDevice,
    /// The file is empty or holds only blank lines.
    Empty,
}

/// Where and why a file stopped making sense.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malformed {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
}

impl<T> Outcome<T> {
    pub fn parsed(records: T) -> Self {
        Outcome::Parsed { records }
    }

    pub fn malformed(line: usize, reason: impl Into<String>) -> Self {
        Outcome::Malformed(Malformed {
            line,
            reason: shown_reason(reason.into()),
        })
    }

    pub fn not_applicable(kind: Absence, reason: impl Into<String>, line: Option<usize>) -> Self {
        Outcome::NotApplicable(NotApplicable {
            kind,
            reason: shown_reason(reason.into()),
            line,
        })
    }

    /// The same outcome without its records, so that outcomes of different
    /// parsers can be compared and checked alike.
    pub fn without_records(&self) -> Outcome<()> {
        match self {
            Outcome::Parsed { .. } => Outcome::parsed(()),
            Outcome::NotApplicable(na) => Outcome::NotApplicable(na.clone()),
            Outcome::Malformed(m) => Outcome::Malformed(m.clone()),
        }
    }

    /// The records, when parsed.
    pub fn records(&self) -> Option<&T> {
        match self {
            Outcome::Parsed { records } => Some(records),
            _ => None,
        }
    }
}

/// A reason as every output may show it: reasons quote the line that broke
/// the parser, which may be huge or hold a secret; every reason a parser
/// gives goes through here, so no parser clips or redacts by hand.
fn shown_reason(reason: String) -> String {
    crate::model::redact::redact(&crate::model::quote::clip_quotes(&reason))
}

/// Lines of a file with their 1-based numbers, CR stripped.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// At most `max` characters of input text quoted in a message, as
/// [`crate::model::quote::clip_to`] cuts it, for parsers that quote less than a
/// whole quote.
pub fn clipped(s: &str, max: usize) -> String {
    crate::model::quote::clip_to(s, max).into_owned()
}

/// Recognises output that is a message from the collector or the shell rather
/// than from the command: the command was not installed, could not be run, or
/// the file is empty. Only looks at files whose non-blank lines are all such
/// messages, so a stray stderr line above real output is not taken for one.
pub fn collector_message(text: &str) -> Option<NotApplicable> {
    // Read lazily: the first line of real output ends the search, where
    // every parser calls this on the whole file.
    let mut lines = numbered_lines(text).filter(|(_, l)| !l.trim().is_empty());
    let Some((first_no, first)) = lines.next() else {
        return Some(NotApplicable {
            kind: Absence::Empty,
            reason: "the file is empty".into(),
            line: None,
        });
    };
    const TOOL_MISSING: [&str; 5] = [
        "command not found",
        "No such file or directory",
        "failed to run command",
        "not found",
        "Permission denied",
    ];
    let tool_missing = |line: &str| TOOL_MISSING.iter().any(|m| line.contains(m));
    if tool_missing(first) && lines.all(|(_, l)| tool_missing(l)) {
        return Some(NotApplicable {
            kind: Absence::ToolMissing,
            reason: shown_reason(format!(
                "the collector could not run the command: {}",
                crate::model::quote::clip(first.trim())
            )),
            line: Some(first_no),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_files_are_empty() {
        assert_eq!(collector_message("").unwrap().kind, Absence::Empty);
        assert_eq!(collector_message("\n  \r\n").unwrap().kind, Absence::Empty);
    }

    #[test]
    fn collector_failures_are_tool_missing() {
        let na = collector_message("bash: ntpq: command not found\n").unwrap();
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(na.line, Some(1));
        let na = collector_message(
            "timeout: failed to run command `/usr/bin/chronyc': No such file or directory\n",
        )
        .unwrap();
        assert_eq!(na.kind, Absence::ToolMissing);
    }

    #[test]
    fn real_output_is_not_a_collector_message() {
        assert!(collector_message("Wed May 14 14:22:18 UTC 2025\n").is_none());
        let df = "/bin/df: '/x': No such file or directory\nFilesystem 1K-blocks Used Available Use% Mounted on\n";
        assert!(collector_message(df).is_none());
    }
}
