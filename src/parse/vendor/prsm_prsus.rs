//! DMS-100 PRSM PRSU status: `exports/prsm-prsus.txt` or `.csv`.
//!
//! One row per PRSU (post-release software update, a patch) and DEST (a
//! destination PRSM patches: the CM, an XPM such as `LTC 0`, an SPM unit
//! such as `SPM 3 CEM 1`), as the PRSM query of the PRSU set prints it:
//! the PRSU's category, its status on that DEST, the Apply On Reload (AOR)
//! flag of the PRSU on that DEST, and whether the PRSU is onhold. Collect
//! it from a MAP terminal with, for example,
//! `PRSM; SELECT PRSUID CATEGORY DEST PRSUSTATUS AOR ONHOLD DATE FROM PRSUSET`
//! (the field list is what upcheck reads; any query or report that prints
//! these columns will do).
//!
//! # Columns
//!
//! Header names are matched case-insensitively, `_` as a space; columns
//! may come in any order and other columns are ignored.
//!
//! | field      | header names                                              |
//! |------------|-----------------------------------------------------------|
//! | `prsu`     | `PRSUID`, `PRSU`, `PRSU ID`, `PRSU Name` (required)       |
//! | `category` | `CATEGORY`, `CAT`, `PRSU Category`                        |
//! | `dest`     | `DEST`, `Destination` (required)                          |
//! | `status`   | `PRSUSTATUS`, `PRSU Status`, `STATUS` (required)          |
//! | `aor`      | `AOR`, `Apply On Reload`                                  |
//! | `onhold`   | `ONHOLD`, `On Hold`, `HOLD`                               |
//! | `changed`  | `DATE`, `STATUS DATE`, `CHANGED`, `Last Change`           |
//!
//! - Statuses (any case): `applied` (`APPLIED`), `removed` (`REMOVED`),
//!   `validated` (`VA`, `VALIDATED`: the PRSU file has been validated for
//!   the DEST, not applied). Any other status makes the file Malformed at
//!   that row, so that a cut-off (`APP`) or unknown status is never read as
//!   one of these.
//! - `AOR` and `ONHOLD` are `Y` or `N` (also `YES`, `NO`); blank or `-` is
//!   absent (DESTs without PAL or SPARTS have no AOR). Other text is
//!   Malformed.
//! - A category of `???` is kept as printed: PRSM shows it for a PRSU it
//!   found applied but could not validate from its file.
//! - `changed`, the time of the PRSU's last apply or remove on the DEST,
//!   is read as `2026-11-18 22:40:05` (also with `T`, an offset or
//!   ` UTC`), `11/18/2026 22:40:05` or `Nov 18, 2026 22:40:05`, in UTC
//!   unless it carries an offset; any other text is Malformed.
//! - PRSU, DEST and category are compared without regard to case or
//!   spacing, and kept upper case with single spaces.
//!
//! The MAP session around the table may be saved with it: command echoes
//! (`>SELECT …`) and bare prompts (`PRSM:`) are skipped. Blank lines, `#`
//! comments and rule lines (`-----`) are skipped too. The columns are
//! declared in `inputs/prsm-prsus.toml` and read by the generic table
//! parser (`parse::table`).
//!
//! # Example
//!
//! ```text
//! >SELECT PRSUID CATEGORY DEST PRSUSTATUS AOR ONHOLD DATE FROM PRSUSET
//! PRSUID    CATEGORY  DEST         PRSUSTATUS  AOR  ONHOLD  DATE
//! --------  --------  -----------  ----------  ---  ------  -------------------
//! ABC04X17  GEN       LTC 0        APPLIED     N    N       2026-11-17 02:10:44
//! ABC04X17  GEN       LTC 1        REMOVED     N    N       2026-11-17 02:12:09
//! DEF09S0P  ACT       SPM 3 CEM 1  APPLIED     Y    Y       2026-11-18 22:40:05
//! GHI12Q07  ???       SPM 3 CEM 1  APPLIED     -    N
//! JKL33M02  OBS       CM           VA          -    N
//! ```
//!
//! The same as CSV:
//!
//! ```text
//! PRSUID,CATEGORY,DEST,PRSUSTATUS,AOR,ONHOLD,DATE
//! ABC04X17,GEN,LTC 0,APPLIED,N,N,2026-11-17 02:10:44
//! DEF09S0P,ACT,SPM 3 CEM 1,applied,Y,Y,
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

vocabulary! {
    /// A PRSU's status on a DEST, as the `status` column of
    /// `inputs/prsm-prsus.toml` reads it (no other word is read).
    pub enum PrsuStatus {
        Applied = "applied",
        Removed = "removed",
        // Known to PRSM from its file, never applied on the DEST.
        Validated = "validated",
    }
}

/// One PRSU on one DEST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrsuRow {
    /// 1-based line of the row.
    pub line: usize,
    pub prsu: String,
    pub category: Option<String>,
    pub dest: String,
    pub status: PrsuStatus,
    pub raw_status: String,
    /// The Apply On Reload flag on this DEST.
    pub aor: Option<bool>,
    pub onhold: Option<bool>,
    /// Time of the last apply or remove, as printed.
    pub changed: Option<String>,
    pub changed_epoch: Option<i64>,
}

/// The columns, as `inputs/prsm-prsus.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/prsm-prsus.toml")));

/// Parses a PRSM PRSU status table, text or CSV.
pub fn parse(text: &str) -> Outcome<Vec<PrsuRow>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    fn rows(text: &str) -> Vec<PrsuRow> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("prsm_prsus.rs"))
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        let table = rows(&blocks[0]);
        assert_eq!(table.len(), 5);
        assert_eq!(
            table[0],
            PrsuRow {
                line: 4,
                prsu: "ABC04X17".into(),
                category: Some("GEN".into()),
                dest: "LTC 0".into(),
                status: PrsuStatus::Applied,
                raw_status: "APPLIED".into(),
                aor: Some(false),
                onhold: Some(false),
                changed: Some("2026-11-17 02:10:44".into()),
                changed_epoch: Some(1_794_881_444),
            }
        );
        assert_eq!(
            (table[1].status.as_str(), table[1].aor),
            ("removed", Some(false))
        );
        assert_eq!(table[2].dest, "SPM 3 CEM 1");
        assert_eq!(table[2].onhold, Some(true));
        assert_eq!(table[3].category.as_deref(), Some("???"));
        assert_eq!((table[3].aor, table[3].changed_epoch), (None, None));
        assert_eq!((table[4].status.as_str(), table[4].line), ("validated", 8));
        let csv = rows(&blocks[1]);
        assert_eq!(csv.len(), 2);
        assert_eq!(csv[0].changed_epoch, table[0].changed_epoch);
        assert_eq!(
            (csv[1].status.as_str(), csv[1].raw_status.as_str()),
            ("applied", "applied")
        );
        assert_eq!(csv[1].changed, None);
    }

    #[test]
    fn names_are_compared_upper_case_with_single_spaces() {
        let got = rows("prsu_id;dest;status\nabc04x17;spm 3   cem 1;Removed\n");
        assert_eq!(got[0].prsu, "ABC04X17");
        assert_eq!(got[0].dest, "SPM 3 CEM 1");
        assert_eq!(got[0].status.as_str(), "removed");
    }

    #[test]
    fn bad_values_are_malformed_at_their_row() {
        let head = "PRSUID,DEST,PRSUSTATUS,AOR,ONHOLD,DATE\n";
        for (row, needle) in [
            ("A,LTC 0,APPL,Y,N,", "status 'APPL'"),
            ("A,LTC 0,APP,Y,N,", "status 'APP'"),
            ("A,LTC 0,APPLIED,X,N,", "AOR 'X'"),
            ("A,LTC 0,APPLIED,Y,maybe,", "ONHOLD 'maybe'"),
            ("A,LTC 0,APPLIED,Y,N,yesterday", "date 'yesterday'"),
            (",LTC 0,APPLIED,Y,N,", "no PRSU"),
            ("A,,APPLIED,Y,N,", "no DEST"),
            ("A,LTC 0,-,Y,N,", "no status"),
        ] {
            let (line, why) = malformed(&format!("{head}B,LTC 1,VA,,,\n{row}\n"));
            assert_eq!(line, 3, "{row}");
            assert!(why.contains(needle), "{row}: {why}");
        }
        let (line, why) = malformed("PRSUID  DEST\nA       LTC 0\n");
        assert_eq!(line, 1);
        assert!(why.contains("PRSUSTATUS"), "{why}");
    }

    #[test]
    fn a_cut_row_is_malformed_or_shorter() {
        let text = "PRSUID    DEST   PRSUSTATUS  AOR\nABC04X17  LTC 0  APPLIED     Y\nABC04X17  LTC 1  REMOV";
        let (line, why) = malformed(text);
        assert_eq!(line, 3);
        assert!(why.contains("'REMOV'"), "{why}");
    }

    #[test]
    fn empty_session_only_and_collector_messages() {
        assert_eq!(rows("PRSUID  DEST  PRSUSTATUS\n"), vec![]);
        for text in ["", "\n\n", ">SELECT PRSUID FROM PRSUSET\nPRSM:\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        let alphabet = [
            "PRSUID",
            "DEST",
            "PRSUSTATUS",
            "AOR",
            "APPLIED",
            "VA",
            "Y",
            "N",
            "???",
            ",",
            "  ",
            " ",
            "\n",
            ">",
            "2026-11-17 02:10:44",
            "-",
            "é",
            "\r",
            "\"",
        ];
        inputs.extend(export_junk(
            "PRSUID,DEST,PRSUSTATUS,AOR,ONHOLD,DATE",
            "PRSUID  DEST  PRSUSTATUS  AOR  ONHOLD  DATE",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }

    #[test]
    fn the_status_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<PrsuStatus>(
            include_str!("../../../inputs/prsm-prsus.toml"),
            "status",
        );
    }
}
