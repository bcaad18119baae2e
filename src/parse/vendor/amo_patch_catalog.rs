//! OpenScape 4000 patch catalog: the output of `DISPLAY-PATCH:SYS;` (AMO
//! PATCH), saved as `exports/display-patch.txt`.
//!
//! The AMO prints one table row per catalogued patch: the subsystem the
//! patch applies to, its group identifier, its patch number, and where it is
//! active: on the hard disk (the `H`/`HD` column: in the PGLIB) and in main
//! memory (the `RAM` columns). The layout as the AMO description prints it:
//!
//! ```text
//! DISPLAY-PATCH:SYS;
//! H500:  AMO PATCH STARTED
//! +-------------------+----------+-------------+-+--------------+--------------+
//! |     SUBSYSTEM     |  GROUP   |    PATNO    |H|     RAM      |     DATE     |
//! |                   |          |             |D+-+---+---+--+-+              |
//! |                   |          |             | |A|VMS|TCS|BP|G| HHMM |DDMMYY |
//! +-------------------+----------+-------------+-+-+---+---+--+-+------+-------+
//! | ZMIPTCH0.D.10.031 |          | D60007      |X|X|---|---|--|-| 1107 | 210892|
//! | ZMIPTCH0.D.10.031 | KV15TS06 | D60001      |X|X|---|---|--|-| 0944 | 280692|
//! | ZMDAMCJA.D.10.035 |          |*PATCHAMC    |X|X|---|---|--|-| 0821 | 010892|
//! +-------------------+----------+-------------+-+-+---+---+--+-+------+-------+
//! AMO-PATCH-111   PATCH - ADMINISTRATION AND ACTIVATION
//! DISPLAY COMPLETED;
//! ```
//!
//! and with a one-line header, as saved by some terminal captures:
//!
//! ```text
//! | SUBSYSTEM         | GROUP    | PATNO       |H|A|VMS|TCS|BP|G| HHMM | DDMMYY |
//! | ZMXXXX00.D.10.031 | GRP01    | PA10001     |X|X|---|---|--|-| 1107 | 040325 |
//! | ZMXXXX00.D.10.031 | GRP01    |*PA10002     |X|-|---|---|--|-| 1110 | 040325 |
//! | ZMXXXX00.D.10.031 | GRP02    |+PA10003     |-|X|---|---|--|-| 1112 | 040325 |
//! ```
//!
//! # Rows
//!
//! A data row is a line between `|` bars holding eleven cells:
//!
//! | cell | meaning |
//! |------|---------|
//! | SUBSYSTEM | subsystem with its correction version, e.g. `ZMIPTCH0.D.10.031` (required) |
//! | GROUP | group identifier (GRPID); may be blank |
//! | PATNO | patch number (required), after the markers: `*` added with TEST=N (no consistency check), `+` activated by MegaPatch |
//! | H (HD) | `X`: active on the hard disk (in the PGLIB) |
//! | A | `X`: active in the main memory of the ADS (module A1) |
//! | VMS | one flag each for V1, V2, V3 |
//! | TCS | one flag each for T1, T2, T3 (TFS in the description's note) |
//! | BP | one flag each for BPA, BPB |
//! | G | `X`: active in at least one GP (LTG) |
//! | HHMM, DDMMYY | time and date of the last relevant access to the patch file: adding, (de)activation on the hard disk; both may be blank |
//!
//! A flag is `X` (active) or `-` or blank (not active), any case. A flag
//! column may hold fewer flags than units (blank ones are not active), but
//! not more. The memory units a patch is active in are named `ADS`, `V1` to
//! `V3`, `T1` to `T3`, `BPA`, `BPB` and `GP`.
//!
//! # Frame lines
//!
//! Skipped: blank lines, borders (`+---+`), header rows (cells holding only
//! the header words), the command echo (`DISPLAY-PATCH:SYS;`,
//! `DIS-PATCH:GRP,KV15TS07;`, with or without a prompt `<`), advisories
//! (`H500: AMO PATCH STARTED`), the AMO's closing lines
//! (`AMO-PATCH-111 … `, `DISPLAY COMPLETED;`, `… EXECUTED;`) and a lone `<`
//! prompt.
//!
//! # Errors
//!
//! Malformed, with the line: a row that is cut off (no closing `|`), a row
//! without eleven cells, a flag other than `X`, `-` or blank, a time or
//! date that is not a valid `HHMM` / `DDMMYY`, an error message of the AMO
//! (`F01: …`), any other line, and a file without the table header (a
//! capture cut before the table cannot pass as an empty catalog). A header
//! without rows is an empty catalog. An empty file, or one holding only
//! collector messages, is `NotApplicable`.

use serde::Serialize;

use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// One catalogued patch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogEntry {
    /// 1-based line of the row.
    pub line: usize,
    pub subsystem: String,
    /// Group identifier; `None` when blank.
    pub group: Option<String>,
    /// Patch number without its markers.
    pub patno: String,
    /// `*`: added with TEST=N, without consistency check.
    pub test_no: bool,
    /// `+`: activated by MegaPatch.
    pub mega_patch: bool,
    /// Active on the hard disk (in the PGLIB).
    pub hard_disk: bool,
    /// Memory units the patch is active in: ADS, V1–V3, T1–T3, BPA, BPB, GP.
    pub memory_units: Vec<&'static str>,
    /// `HHMM` as printed.
    pub time: Option<String>,
    /// `DDMMYY` as printed.
    pub date: Option<String>,
    /// Time and date as `YYYY-MM-DD HH:MM` (two-digit years below 70 are 20xx).
    pub changed_at: Option<String>,
}

/// The memory units of the flag columns A, VMS, TCS, BP, G, in order.
const MEMORY_COLUMNS: [&[&str]; 5] = [
    &["ADS"],
    &["V1", "V2", "V3"],
    &["T1", "T2", "T3"],
    &["BPA", "BPB"],
    &["GP"],
];

/// Words of the header rows.
const HEADER_WORDS: [&str; 16] = [
    "SUBSYSTEM",
    "GROUP",
    "PATNO",
    "H",
    "HD",
    "D",
    "RAM",
    "DATE",
    "A",
    "VMS",
    "TCS",
    "TFS",
    "BP",
    "G",
    "HHMM",
    "DDMMYY",
];

/// Parses a `DISPLAY-PATCH` listing.
pub fn parse(text: &str) -> Outcome<Vec<CatalogEntry>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut entries = Vec::new();
    let mut header_seen = false;
    let mut last_line = 0;
    for (no, raw) in numbered_lines(text) {
        last_line = no;
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || is_frame(line) {
            continue;
        }
        if line.starts_with('|') {
            match row(line) {
                Ok(Row::Header) => header_seen = true,
                Ok(Row::Data(cells)) => match entry(no, &cells) {
                    Ok(e) => entries.push(e),
                    Err(why) => return Outcome::malformed(no, why),
                },
                Err(why) => return Outcome::malformed(no, why),
            }
            continue;
        }
        if is_amo_error(line) {
            return Outcome::malformed(
                no,
                format!("the AMO reported an error: {}", clipped(line, 80)),
            );
        }
        return Outcome::malformed(
            no,
            format!(
                "not a line of a DISPLAY-PATCH listing: '{}'",
                clipped(line, 60)
            ),
        );
    }
    if !header_seen {
        return Outcome::malformed(
            last_line.max(1),
            "no DISPLAY-PATCH table header (| SUBSYSTEM | GROUP | PATNO | …): the listing is cut off or is another output",
        );
    }
    Outcome::parsed(entries)
}

/// Borders, command echoes, advisories and closing lines.
fn is_frame(line: &str) -> bool {
    if line.starts_with('+') && line.chars().all(|c| matches!(c, '+' | '-' | '=')) {
        return true;
    }
    let line = line.trim_start_matches('<').trim_start();
    if line.is_empty() {
        return true;
    }
    let upper = line.to_ascii_uppercase();
    let command = upper.split_once("-PATCH").is_some_and(|(verb, rest)| {
        !verb.is_empty()
            && verb.chars().all(|c| c.is_ascii_alphabetic())
            && (rest.starts_with(':') || rest.is_empty() || rest.starts_with(' '))
    });
    command
        || upper.starts_with("AMO-PATCH")
        || advisory(&upper).is_some_and(|letter| letter == 'H')
        || upper.ends_with("COMPLETED;")
        || upper.ends_with("EXECUTED;")
        || upper.ends_with("EXECUTED")
}

/// The letter of an AMO message line `H500: …`, `F01: …`.
fn advisory(upper: &str) -> Option<char> {
    let (tag, _) = upper.split_once(':')?;
    let mut chars = tag.chars();
    let letter = chars.next()?;
    let digits = chars.as_str();
    (letter.is_ascii_alphabetic()
        && !digits.is_empty()
        && digits.len() <= 4
        && digits.chars().all(|c| c.is_ascii_digit()))
    .then_some(letter)
}

fn is_amo_error(line: &str) -> bool {
    advisory(&line.to_ascii_uppercase()).is_some_and(|l| l == 'F')
}

enum Row<'a> {
    Header,
    Data(Vec<&'a str>),
}

fn row(line: &str) -> Result<Row<'_>, String> {
    let Some(inner) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
        return Err(format!(
            "the row is cut off (no closing |): '{}'",
            clipped(line, 80)
        ));
    };
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    let header_like = |cell: &str| {
        cell.split(|c: char| c.is_whitespace() || c == '+' || c == '-')
            .filter(|w| !w.is_empty())
            .all(|w| HEADER_WORDS.contains(&w.to_ascii_uppercase().as_str()))
    };
    let first_is_data = !cells[0].is_empty() && !header_like(cells[0]);
    if !first_is_data {
        if cells.iter().all(|c| header_like(c)) {
            return Ok(Row::Header);
        }
        return Err(format!(
            "a row without a subsystem: '{}'",
            clipped(line, 80)
        ));
    }
    if cells.len() != 11 {
        return Err(format!(
            "a row with {} cells, 11 expected (SUBSYSTEM, GROUP, PATNO, H, A, VMS, TCS, BP, G, HHMM, DDMMYY): '{}'",
            cells.len(),
            clipped(line, 80)
        ));
    }
    Ok(Row::Data(cells))
}

/// The flags of one column: `X` set, `-` or blank not.
fn flags(cell: &str, units: &[&'static str], column: &str) -> Result<Vec<&'static str>, String> {
    let chars: Vec<char> = cell.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() > units.len() {
        return Err(format!(
            "the {column} column holds '{}', at most {} flag(s) expected",
            clipped(cell, 12),
            units.len()
        ));
    }
    let mut set = Vec::new();
    for (c, unit) in chars.iter().zip(units) {
        match c {
            'X' | 'x' => set.push(*unit),
            '-' => {}
            other => {
                return Err(format!(
                    "the {column} column holds '{other}', a flag is X, - or blank"
                ));
            }
        }
    }
    Ok(set)
}

fn two_digits(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// `YYYY-MM-DD HH:MM` of an `HHMM` and `DDMMYY` pair.
fn changed_at(time: &str, date: &str) -> Result<String, String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(time, 4) || two_digits(&time[..2]) > 23 || two_digits(&time[2..]) > 59 {
        return Err(format!("'{}' is not a time HHMM", clipped(time, 12)));
    }
    if !digits(date, 6) {
        return Err(format!("'{}' is not a date DDMMYY", clipped(date, 12)));
    }
    let (day, month, yy) = (
        two_digits(&date[..2]),
        two_digits(&date[2..4]),
        two_digits(&date[4..]),
    );
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if day == 0 || day > days {
        return Err(format!("'{date}' is not a date DDMMYY"));
    }
    Ok(format!(
        "{year:04}-{month:02}-{day:02} {}:{}",
        &time[..2],
        &time[2..]
    ))
}

fn entry(line: usize, cells: &[&str]) -> Result<CatalogEntry, String> {
    let marked = cells[2];
    let patno = marked.trim_start_matches(['*', '+']).trim();
    if patno.is_empty() {
        return Err("the row has no patch number (PATNO)".into());
    }
    if patno.chars().any(char::is_whitespace) {
        return Err(format!(
            "the patch number '{}' holds a space",
            clipped(patno, 20)
        ));
    }
    let markers = &marked[..marked.len() - marked.trim_start_matches(['*', '+']).len()];
    let hard_disk = !flags(cells[3], &["HD"], "H")?.is_empty();
    let mut memory_units = Vec::new();
    for (cell, (units, column)) in cells[4..9]
        .iter()
        .zip(MEMORY_COLUMNS.iter().zip(["A", "VMS", "TCS", "BP", "G"]))
    {
        memory_units.extend(flags(cell, units, column)?);
    }
    let (time, date) = (cells[9], cells[10]);
    let changed_at = match (time.is_empty(), date.is_empty()) {
        (true, true) => None,
        (false, false) => Some(changed_at(time, date)?),
        _ => return Err("the row has a time without a date, or a date without a time".into()),
    };
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(CatalogEntry {
        line,
        subsystem: cells[0].to_string(),
        group: some(cells[1]),
        patno: patno.to_string(),
        test_no: markers.contains('*'),
        mega_patch: markers.contains('+'),
        hard_disk,
        memory_units,
        time: some(time),
        date: some(date),
        changed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, lcg_junk, not_applicable, parse_every_prefix, parsed};

    fn entries(text: &str) -> Vec<CatalogEntry> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("amo_patch_catalog.rs"))
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        let full = entries(&blocks[0]);
        assert_eq!(full.len(), 3);
        assert_eq!(
            full[0],
            CatalogEntry {
                line: 8,
                subsystem: "ZMIPTCH0.D.10.031".into(),
                group: None,
                patno: "D60007".into(),
                test_no: false,
                mega_patch: false,
                hard_disk: true,
                memory_units: vec!["ADS"],
                time: Some("1107".into()),
                date: Some("210892".into()),
                changed_at: Some("1992-08-21 11:07".into()),
            }
        );
        assert_eq!(full[1].group.as_deref(), Some("KV15TS06"));
        assert_eq!(
            (full[2].patno.as_str(), full[2].test_no),
            ("PATCHAMC", true)
        );

        let short = entries(&blocks[1]);
        let summary: Vec<(&str, bool, bool, bool, bool)> = short
            .iter()
            .map(|e| {
                (
                    e.patno.as_str(),
                    e.hard_disk,
                    !e.memory_units.is_empty(),
                    e.test_no,
                    e.mega_patch,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("PA10001", true, true, false, false),
                ("PA10002", true, false, true, false),
                ("PA10003", false, true, false, true),
            ]
        );
        assert_eq!(short[0].changed_at.as_deref(), Some("2025-03-04 11:07"));
        assert_eq!(short[2].line, 4);
    }

    #[test]
    fn memory_units_are_named() {
        let text = "| SUBSYSTEM | GROUP | PATNO |H|A|VMS|TCS|BP|G| HHMM | DDMMYY |\n\
                    | ZM.D.10.031 | | P1 |-|-|X-X|-x-|-X|X| | |\n\
                    | ZM.D.10.031 | | P2 | | |   |   |  | | | |\n\
                    | ZM.D.10.031 | | +*P3 |x|X|X|--|X|-| 0000 | 290224 |\n";
        let got = entries(text);
        assert_eq!(got[0].memory_units, vec!["V1", "V3", "T2", "BPB", "GP"]);
        assert!(!got[0].hard_disk && got[0].changed_at.is_none());
        assert!(got[1].memory_units.is_empty() && !got[1].hard_disk);
        assert_eq!(got[2].memory_units, vec!["ADS", "V1", "BPA"]);
        assert!(got[2].test_no && got[2].mega_patch);
        assert_eq!(got[2].changed_at.as_deref(), Some("2024-02-29 00:00"));
    }

    #[test]
    fn frame_lines_are_skipped() {
        let text = "<DISPLAY-PATCH:SYS;\r\n\
                    DIS-PATCH:GRP,KV15TS07;\r\n\
                    H500:  AMO PATCH STARTED\r\n\
                    \r\n\
                    | SUBSYSTEM | GROUP | PATNO |H|A|VMS|TCS|BP|G| HHMM | DDMMYY |\r\n\
                    +---+---+\r\n\
                    AMO-PATCH-111   PATCH - ADMINISTRATION AND ACTIVATION\r\n\
                    DISPLAY COMPLETED;\r\n\
                    AMO-PATCH-111 EXECUTED\r\n\
                    <\r\n";
        assert_eq!(entries(text), vec![]);
    }

    #[test]
    fn bad_rows_are_malformed_at_their_line() {
        let head = "| SUBSYSTEM | GROUP | PATNO |H|A|VMS|TCS|BP|G| HHMM | DDMMYY |\n";
        for (row, needle) in [
            (
                "| ZM.D.10.031 | G | PA1 |X|X|---|---|--|-| 1107 | 0403",
                "cut off",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |X|X|---|---|--| 1107 | 040325 |",
                "10 cells",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |Y|X|---|---|--|-| 1107 | 040325 |",
                "'Y'",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |X|X|----|---|--|-| 1107 | 040325 |",
                "VMS column",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |X|X|---|---|--|-| 2407 | 040325 |",
                "time HHMM",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |X|X|---|---|--|-| 1107 | 310425 |",
                "date DDMMYY",
            ),
            (
                "| ZM.D.10.031 | G | PA1 |X|X|---|---|--|-| 1107 |  |",
                "without a date",
            ),
            (
                "| ZM.D.10.031 | G | * |X|X|---|---|--|-| 1107 | 040325 |",
                "no patch number",
            ),
            (
                "| ZM.D.10.031 | G | P A |X|X|---|---|--|-| 1107 | 040325 |",
                "holds a space",
            ),
            (
                "|  | G | PA1 |X|X|---|---|--|-| 1107 | 040325 |",
                "without a subsystem",
            ),
            ("F23: PATCH CATALOG NOT FOUND", "AMO reported an error"),
            ("some other text", "not a line of a DISPLAY-PATCH"),
        ] {
            let (line, why) = malformed(&format!("{head}{row}\n"));
            assert_eq!(line, 2, "{row}");
            assert!(why.contains(needle), "{row}: {why}");
        }
    }

    #[test]
    fn a_listing_without_its_header_is_malformed() {
        let (line, why) = malformed("DISPLAY-PATCH:SYS;\nH500:  AMO PATCH STARTED\n");
        assert_eq!(line, 2);
        assert!(why.contains("no DISPLAY-PATCH table header"), "{why}");
    }

    #[test]
    fn empty_and_collector_messages() {
        for text in ["", "\n \n"] {
            assert_eq!(not_applicable(&parse(text), text).kind, Absence::Empty);
        }
        let text = "bash: comwin: command not found\n";
        assert_eq!(
            not_applicable(&parse(text), text).kind,
            Absence::ToolMissing
        );
    }

    #[test]
    fn a_cut_listing_is_malformed_at_a_line_or_a_shorter_catalog() {
        for block in doc_blocks() {
            let full = entries(&block).len();
            for (i, _) in block.char_indices().skip(1) {
                let cut = &block[..i];
                match parse(cut) {
                    Outcome::Parsed { records } => assert!(records.len() <= full, "{cut}"),
                    Outcome::Malformed(m) => {
                        assert!(m.line >= 1 && m.line <= cut.lines().count().max(1), "{cut}");
                    }
                    Outcome::NotApplicable(na) => panic!("{cut}: {na:?}"),
                }
            }
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 400)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 400)).into_owned());
        }
        let alphabet = [
            "|", "X", "-", " ", "*", "+", "\n", "0", "9", "é", "H500:", "F1:", "ZM",
        ];
        for seed in 1..=32 {
            let mut text = String::from("| SUBSYSTEM | PATNO |\n");
            for b in junk(seed, 64) {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
