//! OpenScape 4000 installed APS: the program system (APS) and its
//! subsystems with their correction versions, as loaded in the PGLIB;
//! saved as `exports/installed-aps.txt`.
//!
//! The AMO description gives no print layout for this list, so upcheck
//! reads a plain form of its own: one subsystem per line, the APS name and
//! the subsystem with its correction version, separated by spaces or a tab.
//! An optional header line `APS-NAME SUBSYSTEM` (any case) comes first;
//! blank lines and `#` comments are skipped; a third column (a comment, the
//! load place) is ignored, unless the header names it `DUMMY` (or
//! `DUMMY-CV`, any word starting with `DUMMY`).
//!
//! ```text
//! # installed APS (AMO APS), transcribed 2025-03-04
//! APS-NAME        SUBSYSTEM
//! SP300-V10.031   ZMIPTCH0.D.10.031
//! SP300-V10.031   ZMDAMCJA.D.10.035
//! SP300-V10.031   ZMDSIG00.D.10.033   loaded
//! ```
//!
//! The subsystem name is the part before the first `.`; the rest is its
//! correction version (`D.10.031`). A line with one column only is
//! Malformed at that line, as is a file without any subsystem (a list cut
//! before its first entry cannot pass as "nothing installed"). An empty
//! file, or one holding only collector messages, is `NotApplicable`.
//!
//! # Dummy correction version
//!
//! A subsystem header may carry a valid dummy correction version entry;
//! the consistency test of AMO PATCH (TEST=YES) then allows a patch built
//! for another correction version of the subsystem, as long as the
//! installed one lies between the dummy and the patch's (source)
//! correction version. When the header line names a third column
//! `DUMMY`, that column holds the subsystem header's dummy correction
//! version, as `D.10.027` or with the subsystem name (`ZMIPTCH0.D.10.027`);
//! `-` or a missing value means the entry is not valid:
//!
//! ```text
//! APS-NAME        SUBSYSTEM           DUMMY
//! SP300-V10.031   ZMIPTCH0.D.10.031   D.10.027
//! SP300-V10.031   ZMDAMCJA.D.10.035   -
//! ```

use serde::Serialize;

use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// One installed subsystem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstalledSubsystem {
    pub line: usize,
    pub aps: String,
    /// Subsystem with its correction version, e.g. `ZMIPTCH0.D.10.031`.
    pub subsystem: String,
    /// The name before the first `.`, e.g. `ZMIPTCH0`.
    pub name: String,
    /// The rest, e.g. `D.10.031`; `None` without a `.`.
    pub correction: Option<String>,
    /// The valid dummy correction version of the subsystem header, e.g.
    /// `D.10.027`; `None` when the list has no DUMMY column or no entry.
    pub dummy: Option<String>,
}

/// A correction version as a key that sorts as the versions do: numeric
/// parts padded to ten digits, letters upper case (`D.10.9` before
/// `D.10.031`).
pub fn correction_key(version: &str) -> String {
    version
        .split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                format!("{:0>10}", part.trim_start_matches('0'))
            } else {
                part.to_ascii_uppercase()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Parses the installed APS list.
pub fn parse(text: &str) -> Outcome<Vec<InstalledSubsystem>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut out = Vec::new();
    let mut last = 1;
    let mut has_dummy = false;
    for (no, raw) in numbered_lines(text) {
        last = no;
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if out.is_empty()
            && words.len() >= 2
            && words[0].eq_ignore_ascii_case("APS-NAME")
            && words[1].eq_ignore_ascii_case("SUBSYSTEM")
        {
            has_dummy = words
                .get(2)
                .is_some_and(|w| w.to_ascii_uppercase().starts_with("DUMMY"));
            continue;
        }
        let [aps, subsystem, ..] = words.as_slice() else {
            return Outcome::malformed(
                no,
                format!("'{}' is not APS-NAME SUBSYSTEM", clipped(line, 60)),
            );
        };
        let (name, correction) = match subsystem.split_once('.') {
            Some((n, c)) => (n.to_string(), Some(c.to_string())),
            None => (subsystem.to_string(), None),
        };
        let dummy = words
            .get(2)
            .filter(|_| has_dummy)
            .filter(|d| **d != "-")
            .map(|d| {
                let own = format!("{name}.");
                d.strip_prefix(own.as_str()).unwrap_or(d).to_string()
            });
        out.push(InstalledSubsystem {
            line: no,
            aps: aps.to_string(),
            subsystem: subsystem.to_string(),
            name,
            correction,
            dummy,
        });
    }
    if out.is_empty() {
        return Outcome::malformed(last, "the list names no installed subsystem");
    }
    Outcome::parsed(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, not_applicable, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("installed_aps.rs"))
    }

    #[test]
    fn documentation_example_parses() {
        let text = &doc_blocks()[0];
        let got = parsed(&parse(text), text);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            InstalledSubsystem {
                line: 3,
                aps: "SP300-V10.031".into(),
                subsystem: "ZMIPTCH0.D.10.031".into(),
                name: "ZMIPTCH0".into(),
                correction: Some("D.10.031".into()),
                dummy: None,
            }
        );
        assert_eq!(got[2].subsystem, "ZMDSIG00.D.10.033");
    }

    #[test]
    fn dummy_column_and_correction_keys() {
        let text = &doc_blocks()[1];
        let got = parsed(&parse(text), text);
        assert_eq!(got[0].dummy.as_deref(), Some("D.10.027"));
        assert_eq!(got[1].dummy, None);
        let got = parsed(
            &parse("APS-NAME SUBSYSTEM DUMMY-CV\nA ZM01.D.10.031 ZM01.D.10.029\n"),
            "",
        );
        assert_eq!(got[0].dummy.as_deref(), Some("D.10.029"));
        // Without a DUMMY header the third column is a comment.
        let got = parsed(&parse("A ZM01.D.10.031 loaded\n"), "");
        assert_eq!(got[0].dummy, None);
        assert!(correction_key("D.10.9") < correction_key("D.10.031"));
        assert!(correction_key("d.10.031") == correction_key("D.10.31"));
        assert!(correction_key("D.10.035") > correction_key("D.10.031"));
    }

    #[test]
    fn bad_lines_and_empty_lists() {
        let m = testing::malformed(&parse("APS-NAME SUBSYSTEM\nSP300\n"), "one column");
        assert_eq!(m.line, 2);
        assert!(m.reason.contains("'SP300' is not APS-NAME SUBSYSTEM"));
        let m = testing::malformed(&parse("APS-NAME SUBSYSTEM\n# none\n"), "header only");
        assert_eq!(m.line, 2);
        let got = parsed(&parse("A\tZM00\n"), "tab");
        assert_eq!(
            (got[0].name.as_str(), got[0].correction.clone()),
            ("ZM00", None)
        );
        assert_eq!(not_applicable(&parse(""), "").kind, Absence::Empty);
    }

    #[test]
    fn a_cut_list_is_malformed_at_a_line_or_a_shorter_list() {
        let block = &doc_blocks()[0];
        let full = parsed(&parse(block), block).len();
        for (i, _) in block.char_indices().skip(1) {
            let cut = &block[..i];
            match parse(cut) {
                Outcome::Parsed { records } => assert!(records.len() <= full, "{cut}"),
                Outcome::Malformed(m) => assert!(m.line >= 1, "{cut}"),
                Outcome::NotApplicable(na) => panic!("{cut}: {na:?}"),
            }
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 300)).into_owned());
        }
        parse_every_prefix(&inputs, parse);
    }
}
