//! DMS-100 SPM301 logs: `logs/spm301.log` or `logs/logutil-spm.txt`.
//!
//! SPARTS (SPM Patching After Return To Service) ends by informing the SPM
//! OAMP software of the state of the patchfail alarm, and an SPM301 log
//! shows it: cleared when the extra PRSUs were removed and the missing
//! ones applied, failed otherwise (PRSUs that could not be applied, PRSM
//! busy, …; SPARTS then retries about every 30 minutes). Collect the logs
//! from a MAP terminal with `LOGUTIL; OPEN SPM` (then `BACK ALL`), or copy
//! them from the log device; other logs in the file are skipped.
//!
//! # Format
//!
//! A DMS log report is a header line at the first column and body lines
//! indented under it. The header is an optional alarm mark (`*`, `**`,
//! `***`, `*C*`), the log name (letters and three digits: `SPM301`), the
//! date and time without a year (`NOV20 23:41:05`), the sequence number,
//! the event type and free text. Only SPM301 reports are read; in each:
//!
//! - the DEST is the first `SPM n`, optionally followed by `CEM n`, in the
//!   header text or the body (`SPM 3 CEM 1`);
//! - the patchfail state is the word after `PATCHFAIL …:` (any case) in
//!   the header text or the body: `FAILED`, `FAIL` or `SET` is failed,
//!   `CLEARED`, `CLEAR` or `CLR` is cleared;
//! - a body line `Reason: …` is kept.
//!
//! An SPM301 report without a DEST or a patchfail state is Malformed at its
//! header line (a report cut off after its header is too). A line at the
//! first column that is not a log header is Malformed, except the MAP
//! session around the logs: command echoes (`>LOGUTIL`), prompts
//! (`LOGUTIL:`, `CI:`), blank lines and `#` comments. An empty file is
//! empty; a file without SPM301 reports holds none.
//!
//! The layout of the SPM301 body is not published with the PRSM quick
//! reference; the fields above are looked for anywhere in the report so
//! that the order of its lines does not matter.
//!
//! # Example
//!
//! ```text
//! >LOGUTIL;OPEN SPM;BACK ALL
//! ** SPM301 NOV20 23:41:05 6100 FAIL SPM Patchfail Alarm
//!        SPM 3 CEM 1
//!        PATCHFAIL alarm: FAILED
//!        Reason: SPARTS could not apply PRSU DEF09S0P
//! PM128 NOV20 23:40:12 6000 TBL ISTB LTC 0
//!        Node : ISTb
//!    SPM301 NOV21 00:12:40 6153 INFO SPM Patchfail Alarm
//!        SPM 2 CEM 0
//!        PATCHFAIL alarm: CLEARED
//! ```

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::model::vocabulary::vocabulary;
use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

vocabulary! {
    /// The state of the patchfail alarm an SPM301 report gives.
    pub enum Patchfail {
        Failed = "failed",
        Cleared = "cleared",
    }
}

impl Patchfail {
    /// The state a report's `PATCHFAIL …:` word means, any case; `None`
    /// for a word that is neither.
    pub fn from_vendor_word(word: &str) -> Option<Patchfail> {
        match word.to_ascii_uppercase().as_str() {
            "FAILED" | "FAIL" | "SET" => Some(Patchfail::Failed),
            "CLEARED" | "CLEAR" | "CLR" => Some(Patchfail::Cleared),
            _ => None,
        }
    }
}

/// One SPM301 report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spm301 {
    /// 1-based line of the header.
    pub line: usize,
    /// Date and time as printed, e.g. `NOV20 23:41:05`.
    pub time: String,
    /// The same in the `Nov 20 23:41:05` form, for placing it in a year.
    pub syslog_time: String,
    pub sequence: String,
    pub dest: String,
    pub patchfail: Patchfail,
    pub reason: Option<String>,
}

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s{0,3}(?:\*C\*|\*{1,3})?\s*([A-Z]{2,6}[0-9]{3})\s+([A-Z]{3})\s?([0-9]{1,2})\s+([0-9]{2}:[0-9]{2}:[0-9]{2})\s+([0-9]{1,6})\b\s*(.*)$",
    )
    .expect("constant pattern")
});

static DEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bSPM\s+([0-9]{1,3})(?:\s+CEM\s+([0-9]{1,2}))?\b").expect("constant pattern")
});

static PATCHFAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bPATCHFAIL\b[^:]*:\s*([A-Za-z]+)").expect("constant pattern")
});

static REASON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*Reason\s*:\s*(.+?)\s*$").expect("constant pattern"));

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A report being read: its header and its text lines.
struct Report<'t> {
    line: usize,
    time: String,
    syslog_time: String,
    sequence: String,
    lines: Vec<&'t str>,
}

/// Parses a capture of DMS logs, keeping the SPM301 reports.
pub fn parse(text: &str) -> Outcome<Vec<Spm301>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut reports = Vec::new();
    let mut current: Option<Report<'_>> = None;
    for (no, raw) in numbered_lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(c) = HEADER.captures(line) {
            if let Some(done) = current.take() {
                match finish(done) {
                    Ok(r) => reports.push(r),
                    Err(m) => return m,
                }
            }
            if &c[1] != "SPM301" {
                continue;
            }
            let Some(month) = MONTHS.iter().position(|m| *m == &c[2]) else {
                return Outcome::malformed(no, format!("'{}' is not a month", &c[2]));
            };
            let tail = c.get(6).map_or("", |m| m.as_str());
            current = Some(Report {
                line: no,
                time: format!("{}{} {}", &c[2], &c[3], &c[4]),
                syslog_time: format!("{} {} {}", title_case(MONTHS[month]), &c[3], &c[4]),
                sequence: c[5].to_string(),
                lines: vec![tail],
            });
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(report) = current.as_mut() {
                report.lines.push(trimmed);
            }
            continue;
        }
        if is_session_line(trimmed) {
            continue;
        }
        return Outcome::malformed(
            no,
            format!(
                "'{}' is not a DMS log header (LOGNAME MMMDD HH:MM:SS SEQ TYPE …)",
                clipped(trimmed, 60)
            ),
        );
    }
    if let Some(done) = current.take() {
        match finish(done) {
            Ok(r) => reports.push(r),
            Err(m) => return m,
        }
    }
    Outcome::parsed(reports)
}

fn title_case(upper: &str) -> String {
    let mut out = upper[..1].to_string();
    out.push_str(&upper[1..].to_ascii_lowercase());
    out
}

/// MAP session lines around the logs.
fn is_session_line(t: &str) -> bool {
    t.starts_with('>')
        || t.starts_with('#')
        || ["LOGUTIL:", "CI:", "LOGUTIL", "CI"]
            .iter()
            .any(|p| t.eq_ignore_ascii_case(p))
}

/// The SPM301 record of a report, or why it is malformed.
fn finish(report: Report<'_>) -> Result<Spm301, Outcome<Vec<Spm301>>> {
    let dest = report.lines.iter().find_map(|l| DEST.captures(l));
    let Some(dest) = dest else {
        return Err(Outcome::malformed(
            report.line,
            "the SPM301 report names no SPM DEST (SPM n CEM n)",
        ));
    };
    let dest = match dest.get(2) {
        Some(unit) => format!("SPM {} CEM {}", &dest[1], unit.as_str()),
        None => format!("SPM {}", &dest[1]),
    };
    let state = report.lines.iter().find_map(|l| PATCHFAIL.captures(l));
    let Some(state) = state else {
        return Err(Outcome::malformed(
            report.line,
            "the SPM301 report gives no patchfail state (PATCHFAIL …: FAILED or CLEARED)",
        ));
    };
    let Some(patchfail) = Patchfail::from_vendor_word(&state[1]) else {
        return Err(Outcome::malformed(
            report.line,
            format!(
                "patchfail state '{}' is neither FAILED nor CLEARED",
                clipped(&state[1], 20)
            ),
        ));
    };
    let reason = report
        .lines
        .iter()
        .find_map(|l| REASON.captures(l))
        .map(|c| c[1].to_string());
    Ok(Spm301 {
        line: report.line,
        time: report.time,
        syslog_time: report.syslog_time,
        sequence: report.sequence,
        dest,
        patchfail,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, not_applicable, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("prsm_spm301.rs"))
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    #[test]
    fn documentation_example_parses() {
        let block = &doc_blocks()[0];
        let got = parsed(&parse(block), block);
        assert_eq!(
            got,
            vec![
                Spm301 {
                    line: 2,
                    time: "NOV20 23:41:05".into(),
                    syslog_time: "Nov 20 23:41:05".into(),
                    sequence: "6100".into(),
                    dest: "SPM 3 CEM 1".into(),
                    patchfail: Patchfail::Failed,
                    reason: Some("SPARTS could not apply PRSU DEF09S0P".into()),
                },
                Spm301 {
                    line: 8,
                    time: "NOV21 00:12:40".into(),
                    syslog_time: "Nov 21 00:12:40".into(),
                    sequence: "6153".into(),
                    dest: "SPM 2 CEM 0".into(),
                    patchfail: Patchfail::Cleared,
                    reason: None,
                },
            ]
        );
    }

    #[test]
    fn states_and_dests_anywhere_in_the_report() {
        let got = parsed(
            &parse("SPM301 JAN 5 01:02:03 12 INFO SPM 7 PATCHFAIL: clr\n"),
            "one line",
        );
        assert_eq!(
            (got[0].dest.as_str(), got[0].patchfail.as_str()),
            ("SPM 7", "cleared")
        );
        assert_eq!(got[0].time, "JAN5 01:02:03");
        let got = parsed(
            &parse("*C* SPM301 DEC31 23:59:59 1 FAIL x\n  patchfail set: SET\n  spm 12 cem 1\n"),
            "body",
        );
        assert_eq!(
            (got[0].dest.as_str(), got[0].patchfail.as_str()),
            ("SPM 12 CEM 1", "failed")
        );
    }

    #[test]
    fn incomplete_reports_and_stray_lines_are_malformed() {
        let (line, why) =
            malformed("PM128 NOV20 23:40:12 6000 TBL\nSPM301 NOV20 23:41:05 6100 INFO x\n");
        assert_eq!(line, 2);
        assert!(why.contains("no SPM DEST"), "{why}");
        let (line, why) = malformed("SPM301 NOV20 23:41:05 6100 INFO SPM 3\n  PATCHFAIL: maybe\n");
        assert_eq!(line, 1);
        assert!(why.contains("'maybe'"), "{why}");
        let (line, why) = malformed("SPM301 NOV20 23:41:05 6100 INFO SPM 3\n");
        assert_eq!(line, 1);
        assert!(why.contains("no patchfail state"), "{why}");
        let (line, why) = malformed("SPM301 NOV20 23:4\n");
        assert_eq!(line, 1);
        assert!(why.contains("not a DMS log header"), "{why}");
        let (line, why) = malformed("SPM301 XYZ20 23:41:05 6100 INFO SPM 3\n");
        assert_eq!(line, 1);
        assert!(why.contains("'XYZ' is not a month"), "{why}");
    }

    #[test]
    fn other_logs_and_session_lines_hold_no_reports() {
        let text =
            ">LOGUTIL\nLOGUTIL:\nPM128 NOV20 23:40:12 6000 TBL ISTB LTC 0\n   Node : ISTb\n# end\n";
        assert_eq!(parsed(&parse(text), text), vec![]);
        let na = not_applicable(&parse(""), "empty");
        assert_eq!(na.kind, Absence::Empty);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 400)).into_owned());
        }
        let alphabet = [
            "SPM301 ",
            "NOV20 ",
            "23:41:05 ",
            "6100 ",
            "SPM 3 ",
            "CEM 1",
            "PATCHFAIL: ",
            "FAILED",
            "\n",
            "   ",
            "*",
            "é",
            "Reason: ",
        ];
        for seed in 1..=32 {
            let text: String = junk(seed, 40)
                .iter()
                .map(|b| alphabet[*b as usize % alphabet.len()])
                .collect();
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
