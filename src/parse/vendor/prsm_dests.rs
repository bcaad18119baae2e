//! DMS-100 PRSM DEST set: `exports/prsm-dests.txt` or `.csv`.
//!
//! One row per DEST (destination) PRSM patches, as the query of the DEST
//! set prints it: the DEST, its type, the loadname (the software load it
//! runs, which decides the PRSUs PAL and SPARTS apply to it), and whether
//! the DEST is held (`ASSIGN HOLD Y IN DESTSET …`: its patch content is
//! frozen and SPARTS cannot apply or remove PRSUs on it). Collect it from
//! a MAP terminal with, for example,
//! `PRSM; SELECT DEST DESTTYPE LOADNAME HOLD FROM DESTSET`.
//!
//! # Columns
//!
//! | field      | header names                                       |
//! |------------|----------------------------------------------------|
//! | `dest`     | `DEST`, `Destination` (required)                   |
//! | `type`     | `DESTTYPE`, `DEST Type`, `TYPE`                    |
//! | `loadname` | `LOADNAME`, `Load Name`, `LOAD` (required)         |
//! | `held`     | `HOLD`, `HELD`                                     |
//!
//! - The type is read upper case (`XPM`, `SPM`, `CM`, …). Without a type
//!   column, or with the value blank, it comes from the DEST's first word:
//!   `SPM` for `SPM 3 CEM 1`; `XPM` for the XPM peripherals (`LTC`, `LGC`,
//!   `DTC`, `LTCI`, `LGCI`, `DTCI`, `PDTC`, `RCC`, `RCC2`, `SMS`, `SMSR`,
//!   `SMU`, `RCO2`, `MSB7`, `IDTC`, `ILGC`, `ILTC`); otherwise the word
//!   itself (`CM`, `MS`, `LIU7`).
//! - `HOLD` is `Y` or `N` (also `YES`, `NO`); blank or `-` is not held.
//!   Other text is Malformed. A row without a DEST or a loadname is
//!   Malformed.
//! - DEST and loadname are kept upper case with single spaces.
//!
//! Command echoes (`>SELECT …`) and bare prompts are skipped, as are blank
//! lines, `#` comments and rule lines. The columns are declared in
//! `inputs/prsm-dests.toml` and read by the generic table parser
//! (`parse::table`); the type from the name is worked out here.
//!
//! # Example
//!
//! ```text
//! >SELECT DEST DESTTYPE LOADNAME HOLD FROM DESTSET
//! DEST         DESTTYPE  LOADNAME  HOLD
//! -----------  --------  --------  ----
//! CM           CM        BASE23BD  N
//! LTC 0        XPM       XLT23BK   N
//! SPM 3 CEM 0  SPM       SPM23AJ   N
//! SPM 3 CEM 1  SPM       SPM23AJ   Y
//! ```
//!
//! Without a type column, as CSV:
//!
//! ```text
//! DEST,LOADNAME,HOLD
//! LGC 2,XLG23BK,
//! SPM 4 CEM 0,SPM23AJ,N
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// One DEST of the DEST set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dest {
    /// 1-based line of the row.
    pub line: usize,
    pub dest: String,
    /// `XPM`, `SPM`, `CM`, … (see above).
    pub kind: String,
    pub loadname: String,
    pub held: bool,
}

/// A row as `inputs/prsm-dests.toml` reads it.
#[derive(Deserialize)]
struct Row {
    line: usize,
    dest: String,
    kind: Option<String>,
    loadname: String,
    held: Option<bool>,
}

/// The columns, as `inputs/prsm-dests.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/prsm-dests.toml")));

/// Parses a PRSM DEST set table, text or CSV.
pub fn parse(text: &str) -> Outcome<Vec<Dest>> {
    match SPEC.parse_as::<Row>(text) {
        Outcome::Parsed { records } => Outcome::parsed(
            records
                .into_iter()
                .map(|row| Dest {
                    line: row.line,
                    kind: row.kind.unwrap_or_else(|| kind_of(&row.dest)),
                    dest: row.dest,
                    loadname: row.loadname,
                    held: row.held.unwrap_or(false),
                })
                .collect(),
        ),
        Outcome::Malformed(m) => Outcome::Malformed(m),
        Outcome::NotApplicable(na) => Outcome::NotApplicable(na),
    }
}

/// First words of the XPM peripherals' DEST names.
const XPM_NAMES: [&str; 17] = [
    "LTC", "LGC", "DTC", "LTCI", "LGCI", "DTCI", "PDTC", "RCC", "RCC2", "SMS", "SMSR", "SMU",
    "RCO2", "MSB7", "IDTC", "ILGC", "ILTC",
];

/// The type a DEST name implies.
pub fn kind_of(dest: &str) -> String {
    let first = dest
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if XPM_NAMES.contains(&first.as_str()) {
        "XPM".into()
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, export_junk, parse_every_prefix, parsed};

    fn dests(text: &str) -> Vec<Dest> {
        parsed(&parse(text), text)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("prsm_dests.rs"))
    }

    fn dest(line: usize, name: &str, kind: &str, load: &str, held: bool) -> Dest {
        Dest {
            line,
            dest: name.into(),
            kind: kind.into(),
            loadname: load.into(),
            held,
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(
            dests(&blocks[0]),
            vec![
                dest(4, "CM", "CM", "BASE23BD", false),
                dest(5, "LTC 0", "XPM", "XLT23BK", false),
                dest(6, "SPM 3 CEM 0", "SPM", "SPM23AJ", false),
                dest(7, "SPM 3 CEM 1", "SPM", "SPM23AJ", true),
            ]
        );
        assert_eq!(
            dests(&blocks[1]),
            vec![
                dest(2, "LGC 2", "XPM", "XLG23BK", false),
                dest(3, "SPM 4 CEM 0", "SPM", "SPM23AJ", false),
            ]
        );
    }

    #[test]
    fn types_from_the_name_and_bad_rows() {
        assert_eq!(kind_of("liu7 101"), "LIU7");
        assert_eq!(kind_of("msb7 0"), "XPM");
        assert_eq!(kind_of(""), "");
        let got = dests("DEST;TYPE;LOAD\nlcm 0;;x\n");
        assert_eq!(got[0].kind, "LCM");
        for (row, needle) in [
            ("LTC 0,XLT,maybe", "HOLD 'maybe'"),
            (",XLT,N", "no DEST"),
            ("LTC 0,-,N", "no loadname"),
        ] {
            let text = format!("DEST,LOADNAME,HOLD\nLTC 1,XLT,N\n{row}\n");
            let m = testing::malformed(&parse(&text), &text);
            assert_eq!(m.line, 3, "{row}");
            assert!(m.reason.contains(needle), "{row}: {}", m.reason);
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        let alphabet = [
            "DEST", "LOADNAME", "HOLD", "SPM 3", "LTC", "Y", "N", ",", "  ", " ", "\n", ">", "-",
            "é", "\r",
        ];
        inputs.extend(export_junk(
            "DEST,DESTTYPE,LOADNAME,HOLD",
            "DEST  DESTTYPE  LOADNAME  HOLD",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }
}
