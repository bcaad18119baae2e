//! What the DMS-100 PRSM table parsers written in Rust share: the MAP
//! session lines around a PRSM table.
//!
//! A PRSM query is run from a MAP terminal (`PRSM` at the CI level, then
//! the query), and a capture of the session holds the command lines as
//! echoed after the prompt (`>SELECT …`, `> report …`) and, at the end,
//! `PRSM` or `CI` prompts. Lines that start with `>` are command echoes
//! and are skipped, so a capture can be saved whole; so are lines holding
//! only a prompt word (`PRSM:`, `CI:`). Everything else is read by the
//! shared table reader (see `export_table`): CSV, or a table aligned on two
//! or more spaces, with the header row first.

use crate::parse::Outcome;
use crate::parse::export_table::{self, Row, Spec};

/// Reads a PRSM table with the MAP session lines blanked out, so that the
/// line numbers of the rest stay those of the file.
pub(crate) fn read<F, R>(
    text: &str,
    spec: &Spec<'_, F>,
    record: impl FnMut(&Row<'_, F>) -> Result<R, String>,
) -> Outcome<Vec<R>>
where
    F: Copy + PartialEq,
{
    let kept: Vec<&str> = text
        .split('\n')
        .map(|line| if is_session_line(line) { "" } else { line })
        .collect();
    export_table::read(&kept.join("\n"), spec, record)
}

/// A command echo (`>SELECT …`) or a bare prompt (`PRSM:`, `CI:`).
fn is_session_line(line: &str) -> bool {
    let t = line.trim_start_matches('\u{feff}').trim();
    t.starts_with('>')
        || ["PRSM:", "CI:", "PRSM", "CI"]
            .iter()
            .any(|p| t.eq_ignore_ascii_case(p))
}

/// A name PRSM compares without regard to case or spacing: upper case,
/// runs of spaces as one (`spm 3  cem 1` = `SPM 3 CEM 1`).
pub(crate) fn normal_name(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_lines_and_names() {
        assert!(is_session_line(">SELECT PRSUID FROM PRSUSET"));
        assert!(is_session_line("  > report destset"));
        assert!(is_session_line("PRSM:"));
        assert!(is_session_line("ci"));
        assert!(!is_session_line("PRSUID  DEST"));
        assert_eq!(normal_name(" spm 3  cem 1 "), "SPM 3 CEM 1");
    }
}
