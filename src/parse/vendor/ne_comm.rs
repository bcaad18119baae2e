//! NE communication state: `exports/ne-communication.csv` or
//! `exports/ne-communication.txt`.
//!
//! Whether the NMS (U2000, T2000) or the DC can talk to each NE, as its NE
//! list shows it: one row per NE. A package upgrade rolls back when the
//! communication with the NE fails while the files are copied. The file is
//! a table with a header row, written either as CSV or as a
//! whitespace-aligned text table.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`ne_name` = `NE Name`). A name cut short by a GUI and ending in `...`
//! or `…` (`Gateway...`) matches the field whose names below it is the
//! start of, when exactly one field has such a name. Columns may come in
//! any order; other columns are ignored; when two columns mean the same
//! field, the one whose name comes first in the list below wins, wherever it
//! stands (the header decides, never the position).
//!
//! | field     | header names                                                               |
//! |-----------|----------------------------------------------------------------------------|
//! | `ne`      | `NE`, `NE Name`, `NE ID` (required)                                        |
//! | `state`   | `Communication State`, `Communication Status`, `Comm State`, `Comm Status`, `Connection Status`, `Connection State`, `Status` (required) |
//! | `gateway` | `Gateway NE`, `Gateway`                                                    |
//! | `ip`      | `IP Address`, `NE IP`, `IP`                                                |
//!
//! Values are trimmed; an empty optional value, or the `-` or `--` that the
//! NMS prints for none, is absent. A row without an NE or a state makes the
//! file Malformed at that row's line.
//!
//! # States
//!
//! The state is normalised (case-insensitive; spaces, `_` and `-` alike)
//! to:
//!
//! | state          | printed as                                                    |
//! |----------------|---------------------------------------------------------------|
//! | `normal`       | normal, communication normal, connected, online, on-line, reachable, up |
//! | `disconnected` | disconnected, offline, off-line, communication failure, communication interrupted, interrupted, unreachable, not reachable, down, not connected |
//! | `unknown`      | anything else; `raw_state` keeps what was printed             |
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into an NE and a state column (tried in the order tab,
//! semicolon, comma). A UTF-8 byte-order mark, CRLF line ends, and quoted
//! values are accepted. A complete file:
//!
//! ```text
//! # NE list of the U2000, 2012-07-20 11:10
//! NE Name,NE Type,IP Address,Gateway NE,Communication Status
//! OSN6800-01,OptiX OSN 6800,10.71.32.10,,Normal
//! OSN6800-02,OptiX OSN 6800,10.71.32.11,OSN6800-01,Disconnected
//! OSN6800-03,OptiX OSN 6800,10.71.32.12,OSN6800-01,Unknown
//! ```
//!
//! # Text-table form
//!
//! Columns are separated by two or more spaces, so values may contain
//! single spaces. Each column starts where its header name starts; a value
//! belongs to the column under whose header it lies, and a column may be
//! left blank. Tabs are expanded to 8-column stops. An optional rule line of
//! `-` or `=` may follow the header. When a row does not line up with the
//! header, it is split at its runs of two or more spaces instead, provided
//! that gives one value per column. A complete file:
//!
//! ```text
//! NE          Gateway     Comm State
//! ----------  ----------  -------------------------
//! OSN6800-01              Online
//! OSN6800-02  OSN6800-01  Communication interrupted
//! ```
//!
//! In both forms blank lines and lines starting with `#` are skipped, and a
//! header with no rows means no NEs. The columns and states are declared
//! in `inputs/ne-communication.toml` and read by the generic table parser
//! (`parse::table`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

vocabulary! {
    /// An NE's communication state as the NMS shows it, normalised as the
    /// `state` column of `inputs/ne-communication.toml` says.
    pub enum CommState {
        Normal = "normal",
        Disconnected = "disconnected",
        // A word no list of the column holds.
        Unknown = "unknown",
    }
}

/// The communication state of one NE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeCommState {
    /// 1-based line the row starts on.
    pub line: usize,
    pub ne: String,
    pub state: CommState,
    /// The state as printed.
    pub raw_state: String,
    pub gateway: Option<String>,
    pub ip: Option<String>,
}

/// The columns and states, as `inputs/ne-communication.toml` declares them.
pub(crate) static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/ne-communication.toml")));

/// Parses an NE communication state export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<NeCommState>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::Vocabulary;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    fn states(text: &str) -> Vec<NeCommState> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("ne_comm.rs"))
    }

    fn rec(
        line: usize,
        ne: &str,
        state: &str,
        raw: &str,
        gateway: Option<&str>,
        ip: Option<&str>,
    ) -> NeCommState {
        NeCommState {
            line,
            ne: ne.into(),
            state: CommState::from_word(state).unwrap(),
            raw_state: raw.into(),
            gateway: gateway.map(str::to_string),
            ip: ip.map(str::to_string),
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            states(&blocks[0]),
            vec![
                rec(
                    3,
                    "OSN6800-01",
                    "normal",
                    "Normal",
                    None,
                    Some("10.71.32.10")
                ),
                rec(
                    4,
                    "OSN6800-02",
                    "disconnected",
                    "Disconnected",
                    Some("OSN6800-01"),
                    Some("10.71.32.11")
                ),
                rec(
                    5,
                    "OSN6800-03",
                    "unknown",
                    "Unknown",
                    Some("OSN6800-01"),
                    Some("10.71.32.12")
                ),
            ]
        );
        assert_eq!(
            states(&blocks[1]),
            vec![
                rec(3, "OSN6800-01", "normal", "Online", None, None),
                rec(
                    4,
                    "OSN6800-02",
                    "disconnected",
                    "Communication interrupted",
                    Some("OSN6800-01"),
                    None
                ),
            ]
        );
    }

    #[test]
    fn every_state_mapping() {
        for (raw, want) in [
            ("Normal", "normal"),
            ("Communication Normal", "normal"),
            ("connected", "normal"),
            ("ONLINE", "normal"),
            ("On-line", "normal"),
            ("Reachable", "normal"),
            ("Up", "normal"),
            ("Disconnected", "disconnected"),
            ("Offline", "disconnected"),
            ("Off-line", "disconnected"),
            ("Communication Failure", "disconnected"),
            ("communication_interrupted", "disconnected"),
            ("Interrupted", "disconnected"),
            ("Unreachable", "disconnected"),
            ("Not Reachable", "disconnected"),
            ("Down", "disconnected"),
            ("Not Connected", "disconnected"),
            ("Unknown", "unknown"),
            ("Logging in", "unknown"),
            ("断开", "unknown"),
        ] {
            let got = states(&format!("NE;Status\nNE1; {raw} \n"));
            assert_eq!(got[0].state.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_state, raw, "{raw}");
        }
    }

    #[test]
    fn header_aliases() {
        for state in [
            "Communication State",
            "Communication Status",
            "Comm State",
            "comm_status",
            "Connection Status",
            "Connection State",
            "Status",
        ] {
            for ne in ["NE", "NE Name"] {
                let got = states(&format!("{ne},{state}\nNE1,up\n"));
                assert_eq!(
                    (got[0].ne.as_str(), got[0].state.as_str()),
                    ("NE1", "normal")
                );
            }
        }
        for (header, gateway, ip) in [
            ("Gateway NE", Some("v"), None),
            ("Gateway", Some("v"), None),
            ("Gateway...", Some("v"), None),
            ("IP Address", None, Some("v")),
            ("NE IP", None, Some("v")),
            ("IP", None, Some("v")),
        ] {
            let got = states(&format!("NE\t{header}\tStatus\nNE1\tv\tup\n"));
            assert_eq!(got[0].gateway.as_deref(), gateway, "{header}");
            assert_eq!(got[0].ip.as_deref(), ip, "{header}");
        }
    }

    #[test]
    fn malformed_rows_and_headers() {
        let (line, why) = malformed("NE,Status\nNE1,up\n,down\n");
        assert_eq!(line, 3);
        assert!(why.contains("no NE"), "{why}");
        let (line, why) = malformed("NE,Status\nNE1,--\n");
        assert_eq!(line, 2);
        assert!(why.contains("communication state"), "{why}");
        let (line, why) = malformed("NE Name,IP Address\nNE1,10.1.1.1\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("no NE communication export header")
                && why.contains("a Communication State column"),
            "{why}"
        );
    }

    #[test]
    fn empty_header_only_and_collector_messages() {
        assert_eq!(states("NE,Status\n"), vec![]);
        for text in ["", "\n", "\u{feff}"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        let text = "cat: exports/ne-communication.csv: No such file or directory\n";
        assert_eq!(
            not_applicable(&parse(text), text).kind,
            Absence::ToolMissing
        );
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.push("NE;Status\r\n\"N\"\"E\";\"do\nwn\"\r\n北京\t断开\n".into());
        let alphabet = [
            "NE",
            "Status",
            "Gateway...",
            "…",
            ",",
            ";",
            "\t",
            "\"",
            "\n",
            "\r\n",
            "  ",
            " ",
            "#",
            "---",
            "é",
            "北京",
            "\u{feff}",
            "Normal",
            "--",
            "\0",
        ];
        inputs.extend(export_junk("NE,Status", "NE  Status", &alphabet));
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn the_state_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<CommState>(
            include_str!("../../../inputs/ne-communication.toml"),
            "state",
        );
    }
}
