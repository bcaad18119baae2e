//! DMS-100 patched images: `exports/prsm-images.txt` or `.csv`.
//!
//! When each DEST's image was last dumped: the flash image of an SPM, the
//! image file an XPM is reloaded from, the office image of the CM. A DEST
//! that reloads from an image dumped before its last PRSU apply or remove
//! comes up with the patch content it had then (a stale image). Collect the
//! image names and dump times from the image file listing (`LISTSF`,
//! `DSKUT LISTFL`) or the dump reports, one row per DEST.
//!
//! # Columns
//!
//! | field    | header names                                              |
//! |----------|-----------------------------------------------------------|
//! | `dest`   | `DEST`, `Destination` (required)                         |
//! | `image`  | `IMAGE`, `Image Name`, `FILE`, `File Name`                |
//! | `dumped` | `DUMPED`, `Dump Time`, `Dumped At`, `Image Date` (required) |
//!
//! The dump time is read as `2026-11-18 21:05:00` (also with `T`, an
//! offset or ` UTC`), `11/18/2026 21:05:00` or `Nov 18, 2026 21:05:00`, in
//! UTC unless it carries an offset. Any other text, or a row without a
//! DEST or a dump time, is Malformed: an image whose age cannot be read
//! cannot be called fresh. DEST is kept upper case with single spaces.
//! Command echoes and bare prompts are skipped, as are blank lines, `#`
//! comments and rule lines. The columns are declared in
//! `inputs/prsm-images.toml` and read by the generic table parser
//! (`parse::table`).
//!
//! # Example
//!
//! ```text
//! DEST         IMAGE                 DUMPED
//! -----------  --------------------  -------------------
//! CM           IMG_BASE23BD_1118     2026-11-18 23:30:00
//! SPM 3 CEM 0  SPM3CEM0_FLASH        2026-11-18 21:05:00
//! LTC 0        XLT23BK_LTC0          11/16/2026 04:00:00
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// The image of one DEST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// 1-based line of the row.
    pub line: usize,
    pub dest: String,
    pub image: Option<String>,
    /// As printed.
    pub dumped: String,
    pub dumped_epoch: i64,
}

/// The columns, as `inputs/prsm-images.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/prsm-images.toml")));

/// Parses a table of image dump times, text or CSV.
pub fn parse(text: &str) -> Outcome<Vec<Image>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, export_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("prsm_images.rs"))
    }

    #[test]
    fn documentation_example_parses() {
        let block = &doc_blocks()[0];
        let got = parsed(&parse(block), block);
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[1],
            Image {
                line: 4,
                dest: "SPM 3 CEM 0".into(),
                image: Some("SPM3CEM0_FLASH".into()),
                dumped: "2026-11-18 21:05:00".into(),
                dumped_epoch: 1_795_035_900,
            }
        );
        // Month first.
        assert_eq!(got[2].dumped_epoch, 1_794_801_600);
    }

    #[test]
    fn unreadable_times_and_missing_values_are_malformed() {
        for (row, needle) in [
            ("LTC 0,X,18/11/2026 04:00:00", "dump time '18/11/2026"),
            ("LTC 0,X,2026-11-18 04:0", "dump time '2026-11-18 04:0'"),
            ("LTC 0,X,", "no dump time"),
            (",X,2026-11-18 04:00:00", "no DEST"),
        ] {
            let text = format!("DEST,IMAGE,DUMPED\nCM,I,2026-11-18 04:00:00\n{row}\n");
            let m = testing::malformed(&parse(&text), &text);
            assert_eq!(m.line, 3, "{row}");
            assert!(m.reason.contains(needle), "{row}: {}", m.reason);
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        let alphabet = [
            "DEST",
            "IMAGE",
            "DUMPED",
            "2026-11-18 21:05:00",
            "LTC 0",
            ",",
            "  ",
            " ",
            "\n",
            ">",
            "-",
            "é",
            ":",
        ];
        inputs.extend(export_junk(
            "DEST,IMAGE,DUMPED",
            "DEST  IMAGE  DUMPED",
            &alphabet,
        ));
        parse_every_prefix(&inputs, parse);
    }
}
