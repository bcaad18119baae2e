//! Patch-state export: `exports/patches.csv` or `exports/patches.txt`.
//!
//! Operators copy what the Huawei DC "Patch View" window or the NE patch
//! query shows into one file per node: one row per patch, or per patch and
//! board when the boards are listed. The file is a table with a header row,
//! written either as CSV or as a whitespace-aligned text table.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`patch_name` = `Patch Name`). A name cut short by a GUI and ending in
//! `...` or `…` (`Patch Na...`, `Run…`) matches the field whose names below
//! it is the start of, when exactly one field has such a name. Columns may
//! come in any order; other columns are ignored.
//!
//! | field     | header names, most specific first                             |
//! |-----------|---------------------------------------------------------------|
//! | `ne`      | `NE`, `NE Name`, `NE ID`                                      |
//! | `patch`   | `Patch`, `Patch Name`, `Patch Package`, `Patch Package Name` (required) |
//! | `version` | `Package Version`, `Patch Version`, `Version`                 |
//! | `state`   | `Patch State`, `Patch Status`, `Running State`, `State`, `Status` (required) |
//!
//! An NMS export often has several state-like columns: the NE list's
//! `Status` (the NE's, `Normal`) beside the `Patch State`. When two columns
//! mean the same field, the header decides, never the position: the column
//! whose name comes first in the list above wins, so `Patch State` is read
//! wherever it stands and the NE's `Status` is ignored; between two
//! columns of equal rank the first wins.
//! | `board`   | `Board`, `Board Type`                                         |
//! | `slot`    | `Slot`, `Slot ID`                                             |
//! | `time`    | `Loaded At`, `Time`                                           |
//!
//! Values are trimmed; an empty optional value is absent. A row without a
//! patch or a state value makes the file Malformed at that row's line.
//!
//! # States
//!
//! The state is normalised (case-insensitive, spaces, `_` and `-` alike) to:
//!
//! | state         | printed as                                              |
//! |---------------|---------------------------------------------------------|
//! | `running`     | running, run, committed, confirmed                      |
//! | `activating`  | activating, activing (a common misspelling in NMS screens) |
//! | `active`      | active, activated, trial, active(trial): active but not confirmed, lost at the next restart |
//! | `loaded`      | loaded, downloaded, dld, lod                            |
//! | `deactivated` | deactivated, deactive, inactive, dea                    |
//! | `idle`        | idle, not loaded                                        |
//! | `failed`      | failed, fault                                           |
//! | `unknown`     | anything else; `raw_state` keeps what was printed. An unknown word is not judged: rules report the patch `unknown`, not failed |
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into a Patch and a State column (tried in the order tab,
//! semicolon, comma, so a header holding a tab is read as tab-separated). A UTF-8 byte-order mark,
//! CRLF line ends, and quoted values (`"…"`, with `""` for a quote, and
//! separators or line breaks inside) are accepted. A complete file:
//!
//! ```text
//! # exported from the Patch View of NE HLR-01, 2025-05-01
//! NE,Board,Slot,Patch Name,Package Version,Patch State,Loaded At
//! HLR-01,MPU,0,SPH2301,V100R019C10SPH2301,Running,2025-05-01 10:00:00
//! HLR-01,SPU,3,SPH2301,V100R019C10SPH2301,Activated,2025-05-01 10:02:11
//! HLR-01,SPU,4,SPH2302,V100R019C10SPH2302,Loaded,
//! ```
//!
//! The same with semicolons and quotes, as spreadsheet programs write it in
//! locales where the comma is the decimal mark:
//!
//! ```text
//! "NE Name";"Board Type";"Slot ID";"Patch";"Version";"Status"
//! "HLR-01";"MPU";"0";"SPH2301";"V100R019C10SPH2301";"Running"
//! "HLR-01";"SPU";"3";"SPH2301 ""hot""";"V100R019C10SPH2301";"Active(Trial)"
//! ```
//!
//! # Text-table form
//!
//! Columns are separated by two or more spaces, so values may contain single
//! spaces. Each column starts where its header name starts; a value belongs
//! to the column under whose header it lies, and a column may be left blank.
//! Tabs are expanded to 8-column stops. An optional rule line of `-` or `=`
//! may follow the header. A complete file:
//!
//! ```text
//! NE Name  Board Type  Slot  Patch Name  Package Version     Running State  Loaded At
//! -------  ----------  ----  ----------  ------------------  -------------  -------------------
//! HLR-01   MPU         0     SPH2301     V100R019C10SPH2301  Running        2025-05-01 10:00:00
//! HLR-01   SPU         3     SPH2301     V100R019C10SPH2301  Activated      2025-05-01 10:02:11
//! HLR-01   SPU         4     SPH2302     V100R019C10SPH2302  Not Loaded
//! ```
//!
//! Positions are counted in characters. When a row does not line up with the
//! header (a value runs across a column start, as happens when a tool pads
//! by display width around wide characters), the row is split at its runs of
//! two or more spaces instead, provided that gives one value per column.
//!
//! In both forms blank lines and lines starting with `#` are skipped, and
//! a header with no rows means no patches. The columns and states are
//! declared in `inputs/patches.toml` and read by the generic table parser
//! (`parse::table`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::vocabulary::vocabulary;
use crate::parse::Outcome;
use crate::parse::table::TableSpec;

vocabulary! {
    /// A Huawei patch state, normalised as the `state` column of
    /// `inputs/patches.toml` says (the printed words are data there).
    pub enum HuaweiPatchState {
        Running = "running",
        Activating = "activating",
        // Active but not confirmed (trial): lost at the next restart.
        Active = "active",
        Loaded = "loaded",
        Deactivated = "deactivated",
        Idle = "idle",
        Failed = "failed",
        // A word no list of the column holds.
        Unknown = "unknown",
    }
}

/// One patch, on one board when the export lists boards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchRecord {
    /// 1-based line the row starts on.
    pub line: usize,
    pub ne: Option<String>,
    pub patch: String,
    pub version: Option<String>,
    pub state: HuaweiPatchState,
    /// The state as printed.
    pub raw_state: String,
    pub board: Option<String>,
    pub slot: Option<String>,
    pub time: Option<String>,
}

/// The columns and states, as `inputs/patches.toml` declares them.
pub(crate) static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/patches.toml")));

/// Parses a patch-state export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<PatchRecord>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::Vocabulary;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, parsed};

    fn records(text: &str) -> Vec<PatchRecord> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    /// `[ne, board, slot, patch, version, raw_state, state, time]`, empty for absent.
    fn rec(line: usize, values: [&str; 8]) -> PatchRecord {
        let [ne, board, slot, patch, version, raw_state, state, time] = values;
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        PatchRecord {
            line,
            ne: opt(ne),
            patch: patch.into(),
            version: opt(version),
            state: HuaweiPatchState::from_word(state).unwrap(),
            raw_state: raw_state.into(),
            board: opt(board),
            slot: opt(slot),
            time: opt(time),
        }
    }

    /// The records of the examples in the module documentation.
    fn doc_records(first_line: usize) -> Vec<PatchRecord> {
        let n = first_line;
        vec![
            rec(
                n,
                [
                    "HLR-01",
                    "MPU",
                    "0",
                    "SPH2301",
                    "V100R019C10SPH2301",
                    "Running",
                    "running",
                    "2025-05-01 10:00:00",
                ],
            ),
            rec(
                n + 1,
                [
                    "HLR-01",
                    "SPU",
                    "3",
                    "SPH2301",
                    "V100R019C10SPH2301",
                    "Activated",
                    "active",
                    "2025-05-01 10:02:11",
                ],
            ),
        ]
    }

    /// The examples in the module documentation are what users copy.
    #[test]
    fn documentation_examples_parse() {
        let doc: Vec<&str> = include_str!("patches.rs")
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        let mut blocks: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        for line in doc {
            match (current.as_mut(), line) {
                (None, "```text") => current = Some(String::new()),
                (Some(_), "```") => blocks.extend(current.take()),
                (Some(block), _) => {
                    block.push_str(line);
                    block.push('\n');
                }
                (None, _) => {}
            }
        }
        let counts: Vec<usize> = blocks.iter().map(|b| records(b).len()).collect();
        assert_eq!(counts, vec![3, 2, 3]);
        assert_eq!(records(&blocks[0])[..2], doc_records(3)[..]);
        assert_eq!(records(&blocks[2])[..2], doc_records(3)[..]);
    }

    #[test]
    fn csv_documented_example() {
        let text = "# exported from the Patch View of NE HLR-01, 2025-05-01\n\
                    NE,Board,Slot,Patch Name,Package Version,Patch State,Loaded At\n\
                    HLR-01,MPU,0,SPH2301,V100R019C10SPH2301,Running,2025-05-01 10:00:00\n\
                    HLR-01,SPU,3,SPH2301,V100R019C10SPH2301,Activated,2025-05-01 10:02:11\n\
                    HLR-01,SPU,4,SPH2302,V100R019C10SPH2302,Loaded,\n";
        let got = records(text);
        let mut want = doc_records(3);
        want.push(rec(
            5,
            [
                "HLR-01",
                "SPU",
                "4",
                "SPH2302",
                "V100R019C10SPH2302",
                "Loaded",
                "loaded",
                "",
            ],
        ));
        assert_eq!(got, want);
    }

    #[test]
    fn csv_semicolon_quotes_bom_crlf() {
        let text = "\u{feff}\"NE Name\";\"Board Type\";\"Slot ID\";\"Patch\";\"Version\";\"Status\"\r\n\
                    \"HLR-01\";\"MPU\";\"0\";\"SPH2301\";\"V100R019C10SPH2301\";\"Running\"\r\n\
                    \"HLR-01\";\"SPU\";\"3\";\"SPH2301 \"\"hot\"\"\";\"V100R019C10SPH2301\";\"Active(Trial)\"\r\n";
        let got = records(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].ne.as_deref(), Some("HLR-01"));
        assert_eq!(got[0].board.as_deref(), Some("MPU"));
        assert_eq!(got[0].state.as_str(), "running");
        assert_eq!(got[0].raw_state, "Running");
        assert_eq!(got[1].line, 3);
        assert_eq!(got[1].patch, "SPH2301 \"hot\"");
        assert_eq!(got[1].slot.as_deref(), Some("3"));
        assert_eq!(got[1].state.as_str(), "active");
        assert_eq!(got[1].raw_state, "Active(Trial)");
    }

    #[test]
    fn csv_tab_separated() {
        let got = records("ne\tpatch_name\tSTATUS\tVendor\r\nNE1\tSPH9\tdld\tHuawei\r\n");
        assert_eq!(
            got,
            vec![rec(2, ["NE1", "", "", "SPH9", "", "dld", "loaded", ""])]
        );
    }

    #[test]
    fn text_table_documented_example() {
        let text = "\
NE Name  Board Type  Slot  Patch Name  Package Version     Running State  Loaded At
-------  ----------  ----  ----------  ------------------  -------------  -------------------
HLR-01   MPU         0     SPH2301     V100R019C10SPH2301  Running        2025-05-01 10:00:00
HLR-01   SPU         3     SPH2301     V100R019C10SPH2301  Activated      2025-05-01 10:02:11
HLR-01   SPU         4     SPH2302     V100R019C10SPH2302  Not Loaded
";
        let got = records(text);
        let mut want = doc_records(3);
        want.push(rec(
            5,
            [
                "HLR-01",
                "SPU",
                "4",
                "SPH2302",
                "V100R019C10SPH2302",
                "Not Loaded",
                "idle",
                "",
            ],
        ));
        assert_eq!(got, want);
    }

    #[test]
    fn text_table_blank_cells_rules_and_crlf() {
        let text = "# patch query\r\n\
                    \r\n\
                    Patch      Version   State\r\n\
                    =========  ========  ========\r\n\
                    SPH1                 Deactive\r\n\
                    SPH2       V2        FAULT\r\n\
                    \r\n";
        let got = records(text);
        assert_eq!(
            got,
            vec![
                rec(5, ["", "", "", "SPH1", "", "Deactive", "deactivated", ""]),
                rec(6, ["", "", "", "SPH2", "V2", "FAULT", "failed", ""]),
            ]
        );
    }

    #[test]
    fn every_state_mapping() {
        for (raw, want) in [
            ("running", "running"),
            ("Run", "running"),
            ("COMMITTED", "running"),
            ("Confirmed", "running"),
            ("Activating", "activating"),
            ("activing", "activating"),
            ("Active", "active"),
            ("activated", "active"),
            ("Trial", "active"),
            ("Active(Trial)", "active"),
            ("active (trial)", "active"),
            ("Loaded", "loaded"),
            ("Downloaded", "loaded"),
            ("DLD", "loaded"),
            ("lod", "loaded"),
            ("Deactivated", "deactivated"),
            ("deactive", "deactivated"),
            ("Inactive", "deactivated"),
            ("DEA", "deactivated"),
            ("Idle", "idle"),
            ("Not Loaded", "idle"),
            ("not_loaded", "idle"),
            ("not-loaded", "idle"),
            ("Failed", "failed"),
            ("Fault", "failed"),
            ("Rollback", "unknown"),
            ("运行", "unknown"),
        ] {
            let got = records(&format!("Patch,State\nSPH1,{raw}\n"));
            assert_eq!(got[0].state.as_str(), want, "{raw}");
            assert_eq!(got[0].raw_state, raw.trim(), "{raw}");
        }
    }

    #[test]
    fn header_aliases() {
        for (header, field) in [
            ("NE", "ne"),
            ("ne name", "ne"),
            ("Package Version", "version"),
            ("VERSION", "version"),
            ("Patch Version", "version"),
            ("Board", "board"),
            ("Board  Type", "board"),
            ("Slot", "slot"),
            ("Slot ID", "slot"),
            ("Loaded At", "time"),
            ("time", "time"),
        ] {
            let got = records(&format!(
                "Patch Package Name;{header};Patch State\nP1;v;Running\n"
            ));
            let value = match field {
                "ne" => &got[0].ne,
                "version" => &got[0].version,
                "board" => &got[0].board,
                "slot" => &got[0].slot,
                _ => &got[0].time,
            };
            assert_eq!(value.as_deref(), Some("v"), "{header}");
        }
        for patch in ["Patch", "Patch Name", "Patch Package", "PATCH PACKAGE NAME"] {
            for state in ["State", "Status", "Patch State", "running state"] {
                let got = records(&format!("{patch},{state}\nP1,Run\n"));
                assert_eq!(
                    (got[0].patch.as_str(), got[0].state.as_str()),
                    ("P1", "running")
                );
            }
        }
        // Of two columns for one field, the better-ranked name wins
        // wherever it stands; of two equal names, the first.
        let got = records("Patch,State,Status\nP1,Running,Failed\n");
        assert_eq!(got[0].state.as_str(), "running");
        let got = records("Patch,Status,State\nP1,Failed,Running\n");
        assert_eq!(got[0].state.as_str(), "running");
        let got = records("Patch,State,State\nP1,Running,Failed\n");
        assert_eq!(got[0].state.as_str(), "running");
    }

    /// An NMS NE list with the NE's `Status` before the patch's state: the
    /// patch state column is chosen by its header, in both forms.
    #[test]
    fn ne_status_beside_patch_state() {
        let csv = "NE Name,Status,Patch Name,Version,Patch State\n\
                   ne-01,Normal,SPH106,V100R004C01SPH106,Activating\n\
                   ne-02,Normal,SPH106,V100R004C01SPH106,Running\n";
        let got = records(csv);
        assert_eq!(
            got.iter().map(|r| r.raw_state.as_str()).collect::<Vec<_>>(),
            ["Activating", "Running"]
        );
        assert_eq!(got[0].state.as_str(), "activating");
        let table = "\
NE ID  Status  Running State  Patch
9-11   Normal  Activing       SPH106
";
        let got = records(table);
        assert_eq!(
            (got[0].ne.as_deref(), got[0].raw_state.as_str()),
            (Some("9-11"), "Activing")
        );
        assert_eq!(got[0].state.as_str(), "activating");
    }

    #[test]
    fn header_names_cut_by_a_gui() {
        let got = records("NE N...\tPatch Na...\tRun…\tLoaded…\nHLR-01\tSPH1\tRunning\tnow\n");
        assert_eq!(
            got,
            vec![rec(
                2,
                ["HLR-01", "", "", "SPH1", "", "Running", "running", "now"]
            )]
        );
        // `Patch...` starts names of three fields: no match.
        let (line, why) = malformed("Patch...,State\nSPH1,Running\n");
        assert_eq!(line, 1);
        assert!(why.contains("Patch column"), "{why}");
    }

    #[test]
    fn rows_without_patch_or_state_are_malformed() {
        let (line, why) = malformed("Patch,State\nSPH1,Running\n\n# note\n,Running\n");
        assert_eq!(line, 5);
        assert!(why.contains("patch"), "{why}");
        let (line, why) = malformed("Patch,State\nSPH1,  \n");
        assert_eq!(line, 2);
        assert!(why.contains("state"), "{why}");
        let (line, _) = malformed("Patch  State\nSPH1\n");
        assert_eq!(line, 2);
    }

    #[test]
    fn no_header_is_malformed_naming_the_columns() {
        let (line, why) = malformed("SPH1 Running\nSPH2 Idle\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("Patch column") && why.contains("State column"),
            "{why}"
        );
        let (line, why) = malformed("NE,Patch,Board\nNE1,SPH1,MPU\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("State column") && !why.contains("Patch column"),
            "{why}"
        );
    }

    #[test]
    fn empty_header_only_and_collector_messages() {
        assert_eq!(records("Patch,State\n"), vec![]);
        assert_eq!(records("Patch  State\n-----  -----\n"), vec![]);
        for text in ["", "\r\n \n", "\u{feff}", "# nothing exported\n\n"] {
            match parse(text) {
                Outcome::NotApplicable(na) => assert_eq!(na.kind, Absence::Empty, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        match parse("cat: exports/patches.csv: No such file or directory\n") {
            Outcome::NotApplicable(na) => assert_eq!(na.kind, Absence::ToolMissing),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn serialises() {
        let json = serde_json::to_value(parse("Patch,State\nSPH1,Trial\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["state"], "active");
        assert_eq!(json["records"][0]["raw_state"], "Trial");
        assert_eq!(json["records"][0]["ne"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let samples = [
            "\u{feff}NE;Patch;State\r\nN1;\"P\"\"1\";Running\r\n",
            "Patch,State\nSPH1,\"Run\nning\"\n",
            "NE Name  Patch      State\n北京局   补丁一     运行\né  ü\t\tß\n",
            "Patch\tState\n\t\t\t\n\"\t\"\n",
        ];
        for text in samples {
            for (cut, _) in text.char_indices() {
                let _ = parse(&text[..cut]);
                let _ = parse(&text[cut..]);
            }
        }
        let alphabet = [
            "Patch", "State", ",", ";", "\t", "\"", "\n", "\r\n", "  ", " ", "#", "---", "é",
            "北京", "\u{feff}", "Running", "\0",
        ];
        for seed in 0..800 {
            let bytes = junk(seed, 48);
            let _ = parse(&String::from_utf8_lossy(&bytes));
            let mut text = String::from(if seed % 2 == 0 {
                "Patch,State\n"
            } else {
                "Patch  State\n"
            });
            for b in bytes {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            let _ = parse(&text);
        }
    }

    #[test]
    fn the_state_enum_is_the_input_file_s_vocabulary() {
        crate::model::vocabulary::testing::assert_is_the_column_s::<HuaweiPatchState>(
            include_str!("../../../inputs/patches.toml"),
            "state",
        );
    }
}
