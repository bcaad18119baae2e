//! DMS-100 PRSM load PRSU sets: `exports/prsm-loads.txt` or `.csv`.
//!
//! Which PRSUs belong to which load: one row per loadname and PRSU, the
//! patch content PRSM associates with the loadname. PAL (after an XPM
//! reload) and SPARTS (when an SPM DEST returns to service) compare a
//! DEST's running patch content with this set, as filtered by the Apply On
//! Reload flags. Collect it from a MAP terminal with, for example,
//! `PRSM; SELECT LOADNAME PRSUID FROM PRSUSET WHERE LOADNAME = <load>` for
//! each loadname of the DEST set.
//!
//! # Columns
//!
//! | field      | header names                                       |
//! |------------|----------------------------------------------------|
//! | `loadname` | `LOADNAME`, `Load Name`, `LOAD` (required)         |
//! | `prsu`     | `PRSUID`, `PRSU`, `PRSU ID`, `PRSU Name` (required) |
//!
//! A row without either value is Malformed. Both are kept upper case with
//! single spaces. Command echoes (`>SELECT …`) and bare prompts are
//! skipped, as are blank lines, `#` comments and rule lines; a header
//! without rows means no load has PRSUs. The columns are declared in
//! `inputs/prsm-loads.toml` and read by the generic table parser
//! (`parse::table`).
//!
//! # Example
//!
//! ```text
//! >SELECT LOADNAME PRSUID FROM PRSUSET
//! LOADNAME  PRSUID
//! --------  --------
//! XLT23BK   ABC04X17
//! SPM23AJ   DEF09S0P
//! SPM23AJ   GHI12Q07
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// One PRSU of one load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadPrsu {
    /// 1-based line of the row.
    pub line: usize,
    pub loadname: String,
    pub prsu: String,
}

/// The columns, as `inputs/prsm-loads.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/prsm-loads.toml")));

/// Parses a PRSM load PRSU set table, text or CSV.
pub fn parse(text: &str) -> Outcome<Vec<LoadPrsu>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, export_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("prsm_loads.rs"))
    }

    #[test]
    fn documentation_example_parses() {
        let block = &doc_blocks()[0];
        let got = parsed(&parse(block), block);
        let brief: Vec<(usize, &str, &str)> = got
            .iter()
            .map(|r| (r.line, r.loadname.as_str(), r.prsu.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                (4, "XLT23BK", "ABC04X17"),
                (5, "SPM23AJ", "DEF09S0P"),
                (6, "SPM23AJ", "GHI12Q07"),
            ]
        );
    }

    #[test]
    fn rows_need_both_values() {
        let got = parsed(&parse("load,prsu\nxlt23bk,abc04x17\n"), "csv");
        assert_eq!(
            (got[0].loadname.as_str(), got[0].prsu.as_str()),
            ("XLT23BK", "ABC04X17")
        );
        for row in ["XLT23BK,", ",ABC04X17", "-,ABC04X17"] {
            let text = format!("LOADNAME,PRSUID\nA,B\n{row}\n");
            let m = testing::malformed(&parse(&text), &text);
            assert_eq!(m.line, 3, "{row}");
            assert!(m.reason.contains("has no"), "{}", m.reason);
        }
        assert_eq!(parsed(&parse("LOADNAME  PRSUID\n"), "header"), vec![]);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        let alphabet = [
            "LOADNAME", "PRSUID", "XLT", ",", "  ", " ", "\n", ">", "-", "é",
        ];
        inputs.extend(export_junk(
            "LOADNAME,PRSUID",
            "LOADNAME  PRSUID",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }
}
