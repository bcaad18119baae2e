//! NE board storage: `exports/ne-storage.csv` or `exports/ne-storage.txt`.
//!
//! How much room each board of an NE has left on its storage (the CF card,
//! the flash, the OFS partitions), as the NMS or the DC shows it or as the
//! board storage query prints it. A software package is copied to the
//! system control board (the SCC of an OSN 6800) before it is loaded, and
//! the copy rolls back when the board runs out of space. One row per board
//! and storage; the file is a table with a header row, written either as
//! CSV or as a whitespace-aligned text table.
//!
//! # Columns
//!
//! Header names are matched case-insensitively, with surrounding spaces
//! ignored, runs of spaces taken as one and `_` taken as a space
//! (`free_space` = `Free Space`). A name cut short by a GUI and ending in
//! `...` or `…` (`Stor...`) matches the field whose names below it is the
//! start of, when exactly one field has such a name. Columns may come in
//! any order; other columns are ignored; when two columns mean the same
//! field, the one whose name comes first in the list below wins, wherever it
//! stands (the header decides, never the position).
//!
//! | field     | header names                                                        |
//! |-----------|---------------------------------------------------------------------|
//! | `ne`      | `NE`, `NE Name`, `NE ID`                                            |
//! | `board`   | `Board`, `Board Name`, `Board Type` (required)                      |
//! | `slot`    | `Slot`, `Slot ID`, `Slot No.`                                       |
//! | `storage` | `Storage`, `Storage Type`, `Medium`, `Partition`                    |
//! | `total`   | `Total`, `Total Size`, `Total Space`, `Capacity`                    |
//! | `free`    | `Free`, `Free Space`, `Free Size`, `Remaining`, `Remaining Space`, `Available` (required) |
//!
//! The total and free columns may carry a unit after their name, in
//! parentheses or brackets: `Free (KB)`, `Total(MB)`, `Free [GB]`. Values
//! are trimmed; an empty optional value, or the `-` or `--` that the NMS
//! prints for none, is absent. A row without a board or a free value makes
//! the file Malformed at that row's line.
//!
//! # Sizes
//!
//! A size is a number, optionally followed (with or without a space) by a
//! unit, case-insensitive:
//!
//! | unit                         | means          |
//! |------------------------------|----------------|
//! | `B`, `Byte`, `Bytes`         | bytes          |
//! | `K`, `KB`, `KiB`             | 1024 bytes     |
//! | `M`, `MB`, `MiB`             | 1024² bytes    |
//! | `G`, `GB`, `GiB`             | 1024³ bytes    |
//! | `T`, `TB`, `TiB`             | 1024⁴ bytes    |
//!
//! A number without a unit is in the unit of its column's header, else in
//! bytes. The number may group thousands with commas (`152,043,520`) and
//! may have a decimal point (`1.8 MB`), but not when it counts bytes. A
//! decimal comma (`1,5`) is not read, so it cannot be misread as 15: like
//! any other value that is not a size (`full`, `-5`), or a free space larger
//! than the total, it makes the file Malformed at that row. Sizes are kept
//! in KiB, rounded down.
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into a board and a free column (tried in the order tab,
//! semicolon, comma). A UTF-8 byte-order mark, CRLF line ends, and quoted
//! values are accepted. Sizes in KB, from the header:
//!
//! ```text
//! # Board storage of NE OSN6800-01, queried 2012-07-20
//! NE,Board,Slot,Storage,Total (KB),Free (KB)
//! OSN6800-01,SCC,17,OFS1,62464,1820
//! OSN6800-01,SCC,17,OFS2,62464,31220
//! OSN6800-01,SCC,18,OFS1,62464,30102
//! ```
//!
//! With semicolons and quotes, the free space in MB from the header:
//!
//! ```text
//! "NE Name";"Board Type";"Slot";"Partition";"Capacity";"Remaining Space(MB)"
//! "OSN6800-01";"SCC";"17";"OFS1";"61 MB";"1.5"
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
//! that gives one value per column. Sizes with their units, and one in
//! bytes:
//!
//! ```text
//! NE Name     Board Name  Slot  Storage Type  Total Size  Free Space
//! ----------  ----------  ----  ------------  ----------  -----------
//! OSN6800-01  SCC         17    CF            256 MB      1.8 MB
//! OSN6800-01  SCC         17    Flash         64M         12,582,912
//! OSN6800-01  SCC         18    CF                        151,552 KiB
//! ```
//!
//! In both forms blank lines and lines starting with `#` are skipped, and a
//! header with no rows means no boards. The columns are declared in
//! `inputs/ne-storage.toml` and read by the generic table parser
//! (`parse::table`), whose `kib` type reads the sizes (`parse::size`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// The storage of one board, or one storage of a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardStorage {
    /// 1-based line the row starts on.
    pub line: usize,
    pub ne: Option<String>,
    pub board: String,
    pub slot: Option<String>,
    /// CF, Flash, OFS1, … as printed.
    pub storage: Option<String>,
    /// KiB, rounded down.
    pub total_kib: Option<u64>,
    /// KiB, rounded down.
    pub free_kib: u64,
}

/// The columns, as `inputs/ne-storage.toml` declares them.
pub(crate) static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/ne-storage.toml")));

/// Parses an NE board storage export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<BoardStorage>> {
    SPEC.parse_with(text, |board: BoardStorage| match board.total_kib {
        // The row's two sizes disagree: neither can be trusted.
        Some(total) if board.free_kib > total => Err(format!(
            "the free space ({} KiB) is more than the total ({total} KiB)",
            board.free_kib
        )),
        _ => Ok(board),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, export_junk, not_applicable, parse_every_prefix, parsed};

    fn boards(text: &str) -> Vec<BoardStorage> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("ne_storage.rs"))
    }

    fn rec(
        line: usize,
        slot: &str,
        storage: &str,
        total_kib: Option<u64>,
        free_kib: u64,
    ) -> BoardStorage {
        BoardStorage {
            line,
            ne: Some("OSN6800-01".into()),
            board: "SCC".into(),
            slot: Some(slot.into()),
            storage: Some(storage.into()),
            total_kib,
            free_kib,
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        let counts: Vec<usize> = blocks.iter().map(|b| boards(b).len()).collect();
        assert_eq!(counts, vec![3, 1, 3]);
        assert_eq!(
            boards(&blocks[0]),
            vec![
                rec(3, "17", "OFS1", Some(62_464), 1_820),
                rec(4, "17", "OFS2", Some(62_464), 31_220),
                rec(5, "18", "OFS1", Some(62_464), 30_102),
            ]
        );
        assert_eq!(
            boards(&blocks[1]),
            vec![rec(2, "17", "OFS1", Some(61 * 1024), 1_536)]
        );
        assert_eq!(
            boards(&blocks[2]),
            vec![
                // 1.8 MB = 1843.2 KiB.
                rec(3, "17", "CF", Some(262_144), 1_843),
                // 12,582,912 bytes.
                rec(4, "17", "Flash", Some(65_536), 12_288),
                rec(5, "18", "CF", None, 151_552),
            ]
        );
    }

    #[test]
    fn sizes_and_units() {
        for (raw, want) in [
            ("0", 0),
            ("1023", 0),
            ("1024", 1),
            ("152043520", 148_480),
            ("152,043,520", 148_480),
            ("152,043,520 B", 148_480),
            ("2048 bytes", 2),
            ("1 Byte", 0),
            ("1820K", 1_820),
            ("1820 kb", 1_820),
            ("1820 KiB", 1_820),
            ("1.5 KB", 1),
            ("64M", 65_536),
            ("64 MiB", 65_536),
            ("1.8 MB", 1_843),
            ("0.5 mb", 512),
            ("2 GB", 2 * 1024 * 1024),
            ("1.25G", 1_310_720),
            ("3 GiB", 3 * 1024 * 1024),
            ("1 TB", 1 << 30),
            ("1.000000000001 K", 1),
            ("1,024.5 MB", 1_049_088),
        ] {
            let got = boards(&format!("Board;Free\nSCC;{raw}\n"));
            assert_eq!(got[0].free_kib, want, "{raw}");
            let got = boards(&format!("Board,Free\nSCC,\"{raw}\"\n"));
            assert_eq!(got[0].free_kib, want, "{raw}");
        }
        for raw in [
            "full",
            "-5",
            "1,5",
            "1,5 MB",
            "15,00",
            "1234,567",
            ",123",
            "1.5.2 MB",
            "1.",
            ".5 MB",
            "10.5",
            "10.5 B",
            "5 PB",
            "5 MBs",
            "MB",
            "1 2",
            "٥",
            "99999999999999999999999999999999 GB",
            "18446744073709551616 T",
        ] {
            let (line, why) = malformed(&format!("Board;Free\nSCC;1\nSCC;{raw}\n"));
            assert_eq!(line, 3, "{raw}");
            assert!(why.starts_with("free space '"), "{raw}: {why}");
            assert!(why.contains(raw.trim()), "{raw}: {why}");
        }
        let (_, why) = malformed("Board;Free\nSCC;10.5\n");
        assert!(why.contains("byte count has no fraction"), "{why}");
        let (_, why) = malformed("Board;Total\nSCC;x\n");
        assert!(why.contains("Free column"), "{why}");
        let (line, why) = malformed("Board;Total;Free\nSCC;1 G;x\n");
        assert_eq!(line, 2);
        assert!(why.starts_with("free space 'x'"), "{why}");
        let (line, why) = malformed("Board;Total;Free\nSCC;1 X;1\n");
        assert_eq!(line, 2);
        assert!(why.starts_with("total '1 X'"), "{why}");
        let long = "9".repeat(300);
        let (_, why) = malformed(&format!("Board;Free\nSCC;{long}\n"));
        assert!(why.len() < 120 && why.contains('…'), "{why}");
    }

    #[test]
    fn units_from_the_header() {
        for (header, raw, want) in [
            ("Free (KB)", "1820", 1_820),
            ("Free(KB)", "1,820", 1_820),
            ("Free Space (MB)", "1.5", 1_536),
            ("Remaining [GB]", "2", 2 * 1024 * 1024),
            ("Available (bytes)", "4096", 4),
            ("Free (KB)", "2 MB", 2_048),
            ("free_space(mib)", "1", 1_024),
        ] {
            let got = boards(&format!("Board;{header}\nSCC;{raw}\n"));
            assert_eq!(got[0].free_kib, want, "{header} {raw}");
        }
        let got = boards("Board,Total (MB),Free (KB)\nSCC,64,1820\n");
        assert_eq!((got[0].total_kib, got[0].free_kib), (Some(65_536), 1_820));
        let (line, why) = malformed("Board,Free (%)\nSCC,12\n");
        assert_eq!(line, 2);
        assert!(
            why.contains("'%'") && why.contains("not a size unit"),
            "{why}"
        );
        let (_, why) = malformed("Board,Total (pages),Free\nSCC,12,1\n");
        assert!(why.contains("total column"), "{why}");
        // A header without rows is read whatever its unit.
        assert_eq!(boards("Board,Free (%)\n"), vec![]);
    }

    #[test]
    fn free_more_than_total_is_malformed() {
        let (line, why) = malformed("Board,Total,Free\nSCC,2 MB,1 MB\nSCC,1 MB,2 MB\n");
        assert_eq!(line, 3);
        assert!(why.contains("more than the total"), "{why}");
        let got = boards("Board,Total,Free\nSCC,1 MB,1024 KB\n");
        assert_eq!(got[0].free_kib, 1_024);
    }

    #[test]
    fn header_aliases_and_absent_values() {
        for (header, field) in [
            ("NE", "ne"),
            ("NE Name", "ne"),
            ("Slot", "slot"),
            ("Slot ID", "slot"),
            ("Slot No.", "slot"),
            ("Storage", "storage"),
            ("Storage Type", "storage"),
            ("Medium", "storage"),
            ("Partition", "storage"),
        ] {
            let got = boards(&format!("Board\t{header}\tFree\nSCC\tv\t1K\n"));
            let value = match field {
                "ne" => &got[0].ne,
                "slot" => &got[0].slot,
                _ => &got[0].storage,
            };
            assert_eq!(value.as_deref(), Some("v"), "{header}");
        }
        for total in ["Total", "Total Size", "Total Space", "Capacity"] {
            let got = boards(&format!("Board,{total},Free\nSCC,2K,1K\n"));
            assert_eq!(got[0].total_kib, Some(2), "{total}");
        }
        for board in ["Board", "Board Name", "board_type"] {
            for free in [
                "Free",
                "Free Space",
                "Free Size",
                "Remaining",
                "Remaining Space",
                "Available",
            ] {
                let got = boards(&format!("{board},{free}\nSCC,3K\n"));
                assert_eq!((got[0].board.as_str(), got[0].free_kib), ("SCC", 3));
            }
        }
        let got = boards("NE,Board,Slot,Storage,Total,Free\n-,SCC,--,-,--,1K\n");
        assert_eq!(
            got[0],
            BoardStorage {
                line: 2,
                ne: None,
                board: "SCC".into(),
                slot: None,
                storage: None,
                total_kib: None,
                free_kib: 1,
            }
        );
    }

    #[test]
    fn malformed_rows_and_headers() {
        let (line, why) = malformed("Board,Free\nSCC,1K\n,2K\n");
        assert_eq!(line, 3);
        assert!(why.contains("board"), "{why}");
        let (line, why) = malformed("Board,Free\nSCC,--\n");
        assert_eq!(line, 2);
        assert!(why.contains("no free space"), "{why}");
        let (line, why) = malformed("NE,Slot,Free\nNE1,17,1K\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("no board-storage export header")
                && why.contains("a Board column")
                && !why.contains("a Free column"),
            "{why}"
        );
    }

    #[test]
    fn empty_header_only_and_collector_messages() {
        assert_eq!(boards("Board,Free\n"), vec![]);
        for text in ["", " \n", "\u{feff}", "# nothing\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        let text = "bash: ne-storage: command not found\n";
        let na = not_applicable(&parse(text), text);
        assert_eq!(na.kind, Absence::ToolMissing);
    }

    #[test]
    fn serialises() {
        let json = serde_json::to_value(parse("Board,Free\nSCC,1 MB\n")).unwrap();
        assert_eq!(json["records"][0]["free_kib"], 1024);
        assert_eq!(json["records"][0]["total_kib"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.extend([
            "Board;Free (MB);Total [GB]\r\nSCC;1,024.999999999999;1.\r\n\"S\"\"C\";;\r\n"
                .to_string(),
            "Board  Free\n北京   ١٢ MB\nSCC    18446744073709551615 TiB\n".into(),
        ]);
        let alphabet = [
            "Board", "Free", "Total", "(KB)", "[", "]", "(", ")", "1", "024", ",", ".", ";", "\t",
            "\"", "\n", "  ", " ", "MB", "G", "#", "---", "é", "\u{feff}", "--", "\0",
        ];
        inputs.extend(export_junk(
            "Board,Total (MB),Free",
            "Board  Total  Free (KB)",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }
}
