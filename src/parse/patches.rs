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
//! (`patch_name` = `Patch Name`). Columns may come in any order; other
//! columns are ignored; when two columns mean the same field the first wins.
//!
//! | field     | header names                                                  |
//! |-----------|---------------------------------------------------------------|
//! | `ne`      | `NE`, `NE Name`                                               |
//! | `patch`   | `Patch`, `Patch Name`, `Patch Package`, `Patch Package Name` (required) |
//! | `version` | `Package Version`, `Version`, `Patch Version`                 |
//! | `state`   | `State`, `Status`, `Patch State`, `Running State` (required)  |
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
//! | `unknown`     | anything else; `raw_state` keeps what was printed       |
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
//! a header with no rows means no patches.

use serde::Serialize;

use super::{Absence, Outcome, collector_message, numbered_lines};

/// One patch, on one board when the export lists boards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchRecord {
    /// 1-based line the row starts on.
    pub line: usize,
    pub ne: Option<String>,
    pub patch: String,
    pub version: Option<String>,
    /// Normalised, lowercase: running | activating | active | loaded |
    /// deactivated | idle | failed | unknown.
    pub state: String,
    /// The state as printed.
    pub raw_state: String,
    pub board: Option<String>,
    pub slot: Option<String>,
    pub time: Option<String>,
}

/// Parses a patch-state export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<PatchRecord>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(na) = collector_message(text)
        && na.kind == Absence::Empty
    {
        return Outcome::NotApplicable(na);
    }
    let Some((header_no, header)) = numbered_lines(text).find(|(_, l)| !is_skipped(l)) else {
        return Outcome::not_applicable(
            Absence::Empty,
            "the file holds only blank and comment lines",
            None,
        );
    };

    let mut best: Vec<Option<Field>> = Vec::new();
    for delimiter in ['\t', ';', ','] {
        if !header.contains(delimiter) {
            continue;
        }
        let mut reader = CsvReader::new(text, delimiter);
        let names = match reader.next_record() {
            Some(Ok(row)) => row.fields,
            _ => continue,
        };
        let fields = fields_of(names.iter().map(String::as_str));
        if has_required(&fields) {
            return parse_csv(reader, &fields);
        }
        if known(&fields) > known(&best) {
            best = fields;
        }
    }
    let header_cells = chunks(&expand_tabs(header));
    let fields = fields_of(header_cells.iter().map(|(_, name)| name.as_str()));
    if has_required(&fields) {
        let starts = header_cells.iter().map(|&(start, _)| start).collect();
        return parse_table(text, header_no, starts, &fields);
    }
    if known(&fields) > known(&best) {
        best = fields;
    }

    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut missing = Vec::new();
    if !best.contains(&Some(Field::Patch)) {
        missing.push("a Patch column (Patch, Patch Name, Patch Package, Patch Package Name)");
    }
    if !best.contains(&Some(Field::State)) {
        missing.push("a State column (State, Status, Patch State, Running State)");
    }
    Outcome::malformed(
        header_no,
        format!(
            "no patch-export header: the first row must name {}, separated by commas, \
             semicolons, tabs, or two or more spaces",
            missing.join(" and ")
        ),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Ne,
    Patch,
    Version,
    State,
    Board,
    Slot,
    Time,
}

/// Lowercase, `_` as space, runs of spaces as one.
fn words(s: &str) -> String {
    s.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn field_of(name: &str) -> Option<Field> {
    Some(match words(name).as_str() {
        "ne" | "ne name" => Field::Ne,
        "patch" | "patch name" | "patch package" | "patch package name" => Field::Patch,
        "package version" | "version" | "patch version" => Field::Version,
        "state" | "status" | "patch state" | "running state" => Field::State,
        "board" | "board type" => Field::Board,
        "slot" | "slot id" => Field::Slot,
        "loaded at" | "time" => Field::Time,
        _ => return None,
    })
}

/// The field of each header column; a repeated field keeps its first column.
fn fields_of<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Option<Field>> {
    let mut fields: Vec<Option<Field>> = Vec::new();
    for name in names {
        let field = field_of(name).filter(|f| !fields.contains(&Some(*f)));
        fields.push(field);
    }
    fields
}

fn has_required(fields: &[Option<Field>]) -> bool {
    fields.contains(&Some(Field::Patch)) && fields.contains(&Some(Field::State))
}

fn known(fields: &[Option<Field>]) -> usize {
    fields.iter().flatten().count()
}

/// Normalised state of a printed one.
fn normalise_state(raw: &str) -> &'static str {
    let key = words(&raw.replace('-', " "))
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")");
    match key.as_str() {
        "running" | "run" | "committed" | "confirmed" => "running",
        "activating" | "activing" => "activating",
        "active" | "activated" | "trial" | "active(trial)" => "active",
        "loaded" | "downloaded" | "dld" | "lod" => "loaded",
        "deactivated" | "deactive" | "inactive" | "dea" => "deactivated",
        "idle" | "not loaded" => "idle",
        "failed" | "fault" => "failed",
        _ => "unknown",
    }
}

/// Builds a record from one row's cells, taken in header-column order.
fn record(line: usize, fields: &[Option<Field>], cells: &[String]) -> Result<PatchRecord, String> {
    let value = |want: Field| {
        fields
            .iter()
            .position(|f| *f == Some(want))
            .and_then(|i| cells.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let patch = value(Field::Patch).ok_or("the row has no patch name")?;
    let raw_state = value(Field::State).ok_or("the row has no state")?;
    Ok(PatchRecord {
        line,
        ne: value(Field::Ne),
        patch,
        version: value(Field::Version),
        state: normalise_state(&raw_state).to_string(),
        raw_state,
        board: value(Field::Board),
        slot: value(Field::Slot),
        time: value(Field::Time),
    })
}

/// Blank, `#` comment, or a rule line such as `-----  ====`.
fn is_skipped(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || is_rule(t)
}

fn is_rule(t: &str) -> bool {
    t.chars().any(|c| c == '-' || c == '=')
        && t.chars()
            .all(|c| matches!(c, '-' | '=' | '+') || c.is_whitespace())
        && t.chars().filter(|c| !c.is_whitespace()).count() >= 3
}

fn parse_csv(mut reader: CsvReader<'_>, fields: &[Option<Field>]) -> Outcome<Vec<PatchRecord>> {
    let mut records = Vec::new();
    while let Some(row) = reader.next_record() {
        let row = match row {
            Ok(row) => row,
            Err((line, why)) => return Outcome::malformed(line, why),
        };
        if row.fields.iter().all(|f| f.is_empty() || is_rule(f)) {
            continue;
        }
        match record(row.line, fields, &row.fields) {
            Ok(r) => records.push(r),
            Err(why) => return Outcome::malformed(row.line, why),
        }
    }
    Outcome::parsed(records)
}

struct CsvRow {
    line: usize,
    fields: Vec<String>,
}

/// RFC 4180 records over the whole text, so a quoted value may span lines;
/// lines are counted as [`numbered_lines`] counts them.
struct CsvReader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    delimiter: char,
    line: usize,
}

impl<'a> CsvReader<'a> {
    fn new(text: &'a str, delimiter: char) -> Self {
        CsvReader {
            chars: text.chars().peekable(),
            delimiter,
            line: 1,
        }
    }

    /// The next record, skipping blank, comment and rule lines.
    fn next_record(&mut self) -> Option<Result<CsvRow, (usize, String)>> {
        loop {
            self.chars.peek()?;
            let rest_of_line: String = self.chars.clone().take_while(|&c| c != '\n').collect();
            if is_skipped(&rest_of_line) {
                self.skip_line();
                continue;
            }
            return Some(self.record());
        }
    }

    fn skip_line(&mut self) {
        for c in self.chars.by_ref() {
            if c == '\n' {
                self.line += 1;
                return;
            }
        }
    }

    fn record(&mut self) -> Result<CsvRow, (usize, String)> {
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            let (field, more) = self.field(line)?;
            fields.push(field);
            if !more {
                return Ok(CsvRow { line, fields });
            }
        }
    }

    /// One field, trimmed, and whether another follows in this record.
    fn field(&mut self, record_line: usize) -> Result<(String, bool), (usize, String)> {
        let delimiter = self.delimiter;
        while self
            .chars
            .peek()
            .is_some_and(|&c| c != delimiter && c != '\n' && c.is_whitespace())
        {
            self.chars.next();
        }
        let mut value = String::new();
        if self.chars.peek() == Some(&'"') {
            self.chars.next();
            loop {
                match self.chars.next() {
                    None => {
                        return Err((
                            record_line,
                            "a quoted value is not closed before the end of the file".into(),
                        ));
                    }
                    Some('"') if self.chars.peek() == Some(&'"') => {
                        self.chars.next();
                        value.push('"');
                    }
                    Some('"') => break,
                    Some('\r') if self.chars.peek() == Some(&'\n') => {}
                    Some('\n') => {
                        self.line += 1;
                        value.push('\n');
                    }
                    Some(c) => value.push(c),
                }
            }
        }
        // Unquoted text, or whatever follows a closing quote up to the
        // separator (kept rather than rejected: `"a" b` reads as `a b`).
        loop {
            match self.chars.next() {
                None => return Ok((value.trim().to_string(), false)),
                Some('\n') => {
                    self.line += 1;
                    return Ok((value.trim().to_string(), false));
                }
                Some(c) if c == delimiter => return Ok((value.trim().to_string(), true)),
                Some(c) => value.push(c),
            }
        }
    }
}

/// Tabs to spaces at 8-column stops, so tab-aligned rows line up.
fn expand_tabs(line: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(line.len());
    for c in line.chars() {
        if c == '\t' {
            out.push(' ');
            while out.len() % 8 != 0 {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Values separated by two or more spaces, with their start columns.
fn chunks(chars: &[char]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut spaces = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            spaces += 1;
            continue;
        }
        match current.as_mut() {
            Some((_, value)) if spaces < 2 => {
                if spaces == 1 {
                    value.push(' ');
                }
                value.push(c);
            }
            _ => {
                out.extend(current.take());
                current = Some((i, c.to_string()));
            }
        }
        spaces = 0;
    }
    out.extend(current);
    out
}

fn parse_table(
    text: &str,
    header_no: usize,
    starts: Vec<usize>,
    fields: &[Option<Field>],
) -> Outcome<Vec<PatchRecord>> {
    let mut records = Vec::new();
    for (no, line) in numbered_lines(text).skip(header_no) {
        if is_skipped(line) {
            continue;
        }
        let chars = expand_tabs(line);
        let cells = match table_cells(&chars, &starts) {
            Some(cells) => cells,
            None => {
                let found = chunks(&chars);
                if found.len() != starts.len() {
                    return Outcome::malformed(
                        no,
                        format!(
                            "the row does not line up with the header: {} values for {} columns",
                            found.len(),
                            starts.len()
                        ),
                    );
                }
                found.into_iter().map(|(_, v)| v).collect()
            }
        };
        match record(no, fields, &cells) {
            Ok(r) => records.push(r),
            Err(why) => return Outcome::malformed(no, why),
        }
    }
    Outcome::parsed(records)
}

/// Cuts a row at the header's column starts; `None` when a value runs
/// across a column start or a cell holds two values.
fn table_cells(chars: &[char], starts: &[usize]) -> Option<Vec<String>> {
    let is_blank = |i: usize| chars.get(i).is_none_or(|c| c.is_whitespace());
    let mut cells = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let from = if i == 0 { 0 } else { start.min(chars.len()) };
        let to = starts
            .get(i + 1)
            .map_or(chars.len(), |&next| next.min(chars.len()));
        if i > 0 && start > 0 && !is_blank(start) && !is_blank(start - 1) {
            return None;
        }
        let cell: String = chars.get(from..to.max(from))?.iter().collect();
        let cell = cell.trim();
        if cell.contains("  ") {
            return None;
        }
        cells.push(cell.to_string());
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, junk, parsed};
    use super::*;

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
            state: state.into(),
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
        assert_eq!(got[0].state, "running");
        assert_eq!(got[0].raw_state, "Running");
        assert_eq!(got[1].line, 3);
        assert_eq!(got[1].patch, "SPH2301 \"hot\"");
        assert_eq!(got[1].slot.as_deref(), Some("3"));
        assert_eq!(got[1].state, "active");
        assert_eq!(got[1].raw_state, "Active(Trial)");
    }

    #[test]
    fn csv_quoted_separator_and_line_break() {
        let text = "Patch,Description,State\n\
                    SPH1,\"fixes a, b\nand c\",Running\n\
                    \n\
                    SPH2 , \"x\" ,  Idle  \n";
        let got = records(text);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].line, got[0].patch.as_str()), (2, "SPH1"));
        // The second record starts after the quoted line break and a blank.
        assert_eq!((got[1].line, got[1].patch.as_str()), (5, "SPH2"));
        assert_eq!(
            (got[1].raw_state.as_str(), got[1].state.as_str()),
            ("Idle", "idle")
        );
        let (line, why) = malformed("Patch,State\nSPH1,\"Running\n");
        assert_eq!(line, 2);
        assert!(why.contains("quoted"), "{why}");
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
    fn csv_extra_and_missing_trailing_fields() {
        let got = records("Patch,State,Board\nSPH1,Running\nSPH2,Running,MPU,,\n");
        assert_eq!(got[0].board, None);
        assert_eq!(got[1].board.as_deref(), Some("MPU"));
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
    fn text_table_misaligned_row_falls_back_to_spacing() {
        // Wide characters padded by display width leave the row short.
        let text = "NE        Patch  State\n\
                    北京-01  SPH1   Running\n\
                    上海-02   SPH2   Active\n";
        let got = records(text);
        assert_eq!(got[0].ne.as_deref(), Some("北京-01"));
        assert_eq!(got[0].patch, "SPH1");
        assert_eq!(got[1].ne.as_deref(), Some("上海-02"));
        assert_eq!(got[1].state, "active");
        let (line, why) = malformed("NE    Patch  State\nNE1   SPH1Running\n");
        assert_eq!(line, 2);
        assert!(why.contains("line up"), "{why}");
    }

    #[test]
    fn tabs() {
        let got = records("Patch\t\tState\nSPH1\t\tRunning\n");
        // A tab in the header makes it tab-separated CSV: an empty middle column.
        assert_eq!(got[0].patch, "SPH1");
        assert_eq!(got[0].state, "running");
        let got = records("Patch   State\nSPH1\tRunning\n");
        assert_eq!(got[0].state, "running");
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
            assert_eq!(got[0].state, want, "{raw}");
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
        // The first of two columns for one field wins.
        let got = records("Patch,State,Status\nP1,Running,Failed\n");
        assert_eq!(got[0].state, "running");
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
}
