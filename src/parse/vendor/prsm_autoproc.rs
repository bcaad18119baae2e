//! DMS-100 PRSM automated processes: `exports/prsm-autoproc.txt` or `.csv`.
//!
//! PRSM runs some of its work by itself: SPARTS brings an SPM DEST's
//! patches up to date when it returns to service, PAL re-applies PRSUs after
//! an XPM reload, and the other automated processes of the office. The
//! `AUTOPROC` command queries their status and can `START`, `STOP` or
//! `DELAY` any of them. Collect it from a MAP terminal with
//! `PRSM; AUTOPROC QUERY ALL` (see `prsm;help commands autoproc` for the
//! exact form of the office's load) and save the table it prints.
//!
//! The user guide gives no print layout, so upcheck reads the same kind of
//! table as the other PRSM queries: a header row naming the columns, then
//! one row per process, aligned on two or more spaces or as CSV.
//!
//! # Columns
//!
//! | field     | header names                                             |
//! |-----------|----------------------------------------------------------|
//! | `process` | `PROCESS`, `AUTOPROC`, `Process Name`, `NAME` (required) |
//! | `status`  | `STATUS`, `STATE` (required)                             |
//! | `until`   | `UNTIL`, `DELAYED UNTIL`, `RESUME`, `RESUME TIME`        |
//!
//! The process name is kept upper case with single spaces. The status is
//! normalised (any case) to:
//!
//! | status    | printed as                                           |
//! |-----------|------------------------------------------------------|
//! | `started` | STARTED, START, RUNNING, ACTIVE, ON, ENABLED, IDLE   |
//! | `stopped` | STOPPED, STOP, OFF, DISABLED, INACTIVE               |
//! | `delayed` | DELAYED, DELAY                                       |
//! | `unknown` | anything else; `raw_status` keeps what was printed   |
//!
//! A row without a process or a status is Malformed at its line. Command
//! echoes (`>AUTOPROC …`) and bare prompts are skipped, as are blank lines,
//! `#` comments and rule lines. The columns are declared in
//! `inputs/prsm-autoproc.toml` and read by the generic table parser
//! (`parse::table`).
//!
//! # Example
//!
//! ```text
//! >AUTOPROC QUERY ALL
//! PROCESS   STATUS   UNTIL
//! --------  -------  -------------------
//! SPARTS    STARTED
//! PAL       DELAYED  2026-11-18 06:00:00
//! DBAUDIT   STOPPED
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

vocabulary! {
    /// An automated process's status, normalised as the `status` column of
    /// `inputs/prsm-autoproc.toml` says.
    pub enum AutoprocStatus {
        Started = "started",
        // `AUTOPROC STOP`.
        Stopped = "stopped",
        // `AUTOPROC DELAY`.
        Delayed = "delayed",
        // A word no list of the column holds; `raw_status` keeps it.
        Unknown = "unknown",
    }
}

/// One automated process and its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoProcess {
    /// 1-based line of the row.
    pub line: usize,
    pub process: String,
    pub status: AutoprocStatus,
    pub raw_status: String,
    /// Until when a delayed process waits, as printed.
    pub until: Option<String>,
}

/// The columns, as `inputs/prsm-autoproc.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/prsm-autoproc.toml")));

/// Parses the AUTOPROC status table, text or CSV.
pub fn parse(text: &str) -> Outcome<Vec<AutoProcess>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, doc_text_blocks, parsed};

    fn records(text: &str) -> Vec<AutoProcess> {
        parsed(&parse(text), text)
    }

    #[test]
    fn documented_example() {
        let blocks = doc_text_blocks(include_str!("prsm_autoproc.rs"));
        let got = records(&blocks[0]);
        let brief: Vec<(usize, &str, &str, Option<&str>)> = got
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.process.as_str(),
                    p.status.as_str(),
                    p.until.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                (4, "SPARTS", "started", None),
                (5, "PAL", "delayed", Some("2026-11-18 06:00:00")),
                (6, "DBAUDIT", "stopped", None),
            ]
        );
    }

    #[test]
    fn statuses_csv_and_unknown_words() {
        let got = records("Process Name;State\nsparts;Stop\npal;running\nPOSTRELD;Suspended\n");
        assert_eq!(got[0].process, "SPARTS");
        assert_eq!(got[0].status.as_str(), "stopped");
        assert_eq!(got[1].status.as_str(), "started");
        assert_eq!(
            (got[2].status.as_str(), got[2].raw_status.as_str()),
            ("unknown", "Suspended")
        );
    }

    #[test]
    fn bad_rows_and_headers() {
        let m = testing::malformed(&parse("PROCESS  STATUS\nSPARTS\n"), "");
        assert_eq!(m.line, 2);
        let m = testing::malformed(&parse("SPARTS STARTED\n"), "");
        assert!(m.reason.contains("STATUS column"), "{}", m.reason);
        assert_eq!(records("PROCESS  STATUS\n"), vec![]);
    }

    #[test]
    fn the_status_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<AutoprocStatus>(
            include_str!("../../../inputs/prsm-autoproc.toml"),
            "status",
        );
    }
}
