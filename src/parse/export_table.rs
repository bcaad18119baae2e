//! The reader under the `[table]` parser (`parse::table`), which reads
//! every header-named vendor export: a table whose first row names its
//! columns, saved as CSV or copied as a whitespace-aligned text table. The
//! caller declares its columns in a [`Spec`] and builds one record from
//! each [`Row`]; this module finds the header row, the form and the
//! separator, and cuts the rows into cells. Each export's parser module
//! repeats for operators what is accepted here, with its own examples.
//!
//! # Header names
//!
//! Matched case-insensitively, with surrounding spaces ignored, runs of
//! spaces taken as one and `_` taken as a space (`patch_name` =
//! `Patch Name`). A name that a GUI cut short, ending in `...` or `…`
//! (`Pare...`, `Durat…`, `Action N...`), matches the field whose known
//! header names it is the start of, when exactly one field has such a name.
//! Columns may come in any order; other columns are ignored. When two
//! columns mean the same field, the header decides, never the position:
//! the column whose name comes first in the field's list of names wins
//! (`Patch State` over a `Status` that may be the NE's), and only between
//! columns of the same name (or two cut names) does the first win.
//!
//! A parser may let the name of some fields end in a note in parentheses or
//! brackets, such as a unit (`Free (KB)`, `Total[MB]`): when the whole name
//! matches no field, the name before the note is matched against those
//! fields, and the parser reads the note with [`Row::note`].
//!
//! # CSV form
//!
//! Comma, semicolon or tab separated; the separator is the one that splits
//! the header row into all the required columns (tried in the order tab,
//! semicolon, comma, so a header holding a tab is read as tab-separated).
//! Records are read by `csv-core`: a UTF-8 byte-order mark, CRLF line
//! ends, and quoted values (`"…"`, with `""` for a quote, and separators or
//! line breaks inside) are accepted, also after spaces (`a, "b, c"`). Text
//! after a closing quote is kept (`"a" b` reads as `a b`). Missing trailing
//! values are absent, extra ones ignored. A quoted value still open at the
//! end of the file is Malformed at the line its record starts on.
//!
//! # Text-table form
//!
//! Columns are separated by two or more spaces, so values may contain
//! single spaces. Each column starts where its header name starts; a value
//! belongs to the column under whose header it lies, and a column may be
//! left blank. Tabs are expanded to 8-column stops. Positions are counted in
//! characters; when a row does not line up with the header, it is split at
//! its runs of two or more spaces instead, provided that gives one value per
//! column.
//!
//! # Both forms
//!
//! Blank lines, lines starting with `#` and rule lines (`-----  ====`) are
//! skipped; the first other line is the header. An empty file, or one of
//! only such lines, is NotApplicable (empty); a header without the required
//! columns is Malformed at its line, naming the missing columns, unless the
//! file is a collector message (`command not found`); a header with no rows
//! is Parsed with none.

mod csv_records;

use super::{Absence, Outcome, collector_message, numbered_lines};
use csv_records::CsvReader;

/// The columns of one export, built once and used for every file read.
#[derive(Debug)]
pub(crate) struct Spec<F> {
    /// The export as messages name it: `no {what} header`.
    what: String,
    /// Each field with the header names it goes by; messages quote the
    /// first name as the column's.
    columns: Vec<(F, Vec<String>)>,
    /// Fields a header must name for the file to be read as this export.
    required: Vec<F>,
    /// The header names as they are compared.
    names: Names<F>,
}

impl<F: Copy + PartialEq> Spec<F> {
    /// `noted`: the fields whose header name may end in a note
    /// (`Free (KB)`).
    pub fn new<'n>(
        what: &str,
        columns: impl IntoIterator<Item = (F, &'n [&'n str])>,
        required: &[F],
        noted: &[F],
    ) -> Self {
        let columns: Vec<(F, Vec<String>)> = (columns.into_iter())
            .map(|(field, names)| (field, names.iter().map(ToString::to_string).collect()))
            .collect();
        Spec {
            what: what.to_string(),
            names: Names::of(&columns, noted),
            columns,
            required: required.to_vec(),
        }
    }
}

/// One data row: the line it starts on and its cells by field.
pub(crate) struct Row<'r, F> {
    /// 1-based line the row starts on (a quoted CSV value may span lines).
    pub line: usize,
    /// The field of each header column.
    fields: &'r [Option<F>],
    /// The row's values in header-column order.
    cells: &'r [String],
    /// The header names as printed, in header-column order.
    names: &'r [String],
}

impl<F: Copy + PartialEq> Row<'_, F> {
    /// The trimmed value of `field`; `None` when the header lacks the
    /// column or the row leaves it blank.
    pub fn get(&self, field: F) -> Option<&str> {
        self.fields
            .iter()
            .position(|f| *f == Some(field))
            .and_then(|i| self.cells.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The note that ends the header name of `field`'s column, trimmed and
    /// without its parentheses or brackets: `KB` for `Free (KB)`. `None`
    /// when the header lacks the column or its name has no note.
    pub fn note(&self, field: F) -> Option<&str> {
        let i = self.fields.iter().position(|f| *f == Some(field))?;
        split_note(self.names.get(i)?).map(|(_, note)| note)
    }
}

/// A name and the note in parentheses or brackets that ends it:
/// `Free (KB)` → (`Free`, `KB`). `None` without a note or without a name
/// before it.
fn split_note(name: &str) -> Option<(&str, &str)> {
    let name = name.trim();
    let (open, body) = if let Some(body) = name.strip_suffix(')') {
        ('(', body)
    } else {
        ('[', name.strip_suffix(']')?)
    };
    let (stem, note) = body.rsplit_once(open)?;
    let stem = stem.trim_end();
    (!stem.is_empty()).then_some((stem, note.trim()))
}

/// Reads an export and builds a record from each data row with `record`.
/// Rows are handed over as they are read, so the first bad line, whether
/// the table or the record breaks on it, makes the file Malformed; an
/// `Err` from `record` does so at the row's line.
pub(crate) fn read<F, R>(
    text: &str,
    spec: &Spec<F>,
    mut record: impl FnMut(&Row<'_, F>) -> Result<R, String>,
) -> Outcome<Vec<R>>
where
    F: Copy + PartialEq,
{
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

    let names = &spec.names;
    let mut best: Vec<Option<F>> = Vec::new();
    for delimiter in ['\t', ';', ','] {
        if !header.contains(delimiter) {
            continue;
        }
        let mut reader = CsvReader::new(text, delimiter);
        let header_cells = match reader.next_record() {
            Some(Ok(row)) => row.fields,
            _ => continue,
        };
        let fields = names.fields_of(header_cells.iter().map(String::as_str));
        if spec.has_required(&fields) {
            return read_csv(reader, &fields, &header_cells, &mut record);
        }
        if known(&fields) > known(&best) {
            best = fields;
        }
    }
    let header_cells = chunks(&expand_tabs(header));
    let fields = names.fields_of(header_cells.iter().map(|(_, name)| name.as_str()));
    if spec.has_required(&fields) {
        let (starts, header_names): (Vec<usize>, Vec<String>) = header_cells.into_iter().unzip();
        let header = Header {
            fields: &fields,
            names: &header_names,
        };
        return read_table(text, header_no, &starts, &header, &mut record);
    }
    if known(&fields) > known(&best) {
        best = fields;
    }

    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let missing: Vec<String> = spec
        .required
        .iter()
        .filter(|f| !best.contains(&Some(**f)))
        .map(|f| spec.describe(*f))
        .collect();
    Outcome::malformed(
        header_no,
        format!(
            "no {} header: the first row must name {}, separated by commas, \
             semicolons, tabs, or two or more spaces",
            spec.what,
            join_and(&missing)
        ),
    )
}

/// Lowercase, `_` as space, runs of spaces as one.
pub(crate) fn words(s: &str) -> String {
    words_split_at(s, &['_'])
}

/// Lowercase, each of `spaces` as a space, runs of spaces as one: the
/// words of `s` (split at white space and at `spaces`) joined by one space.
pub(crate) fn words_split_at(s: &str, spaces: &[char]) -> String {
    let mut joined = String::with_capacity(s.len());
    let split = s.split(|c: char| c.is_whitespace() || spaces.contains(&c));
    for word in split.filter(|w| !w.is_empty()) {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    if joined.is_ascii() {
        joined.make_ascii_lowercase();
        return joined;
    }
    joined.to_lowercase()
}

/// The known header names of a [`Spec`], normalised, and the fields
/// whose names may carry a note.
#[derive(Debug)]
struct Names<F> {
    names: Vec<(F, String)>,
    noted: Vec<F>,
}

impl<F: Copy + PartialEq> Names<F> {
    fn of(columns: &[(F, Vec<String>)], noted: &[F]) -> Self {
        Names {
            names: (columns.iter())
                .flat_map(|(field, names)| names.iter().map(move |n| (*field, words(n))))
                .collect(),
            noted: noted.to_vec(),
        }
    }

    /// The field a header name stands for, if any, and the rank of the
    /// name among the known names (lower is more specific; a cut name
    /// ranks last).
    fn field_of(&self, name: &str) -> Option<(F, usize)> {
        let key = words(name);
        if let Some(rank) = self.names.iter().position(|(_, n)| *n == key) {
            return Some((self.names[rank].0, rank));
        }
        // `Free (KB)`: the name before a note, for the fields that take one.
        if let Some((stem, _)) = split_note(name) {
            let stem = words(stem);
            if let Some(rank) = self
                .names
                .iter()
                .position(|(f, n)| *n == stem && self.noted.contains(f))
            {
                return Some((self.names[rank].0, rank));
            }
        }
        // A GUI cuts a long name to fit its column: `Pare...` for `Parent`.
        let stem = key
            .strip_suffix("...")
            .or_else(|| key.strip_suffix('…'))?
            .trim_end();
        if stem.is_empty() {
            return None;
        }
        let mut found = None;
        for &(field, ref n) in &self.names {
            if n.starts_with(stem) {
                match found {
                    None => found = Some(field),
                    Some(f) if f == field => {}
                    Some(_) => return None,
                }
            }
        }
        found.map(|field| (field, self.names.len()))
    }

    /// The field of each header column. A field named by several columns
    /// keeps the one with the best-ranked name, the first of equals.
    fn fields_of<'n>(&self, names: impl Iterator<Item = &'n str>) -> Vec<Option<F>> {
        let ranked: Vec<Option<(F, usize)>> = names.map(|n| self.field_of(n)).collect();
        ranked
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let (field, rank) = (*column)?;
                let beaten = ranked.iter().enumerate().any(|(j, other)| {
                    other.is_some_and(|(f, r)| f == field && (r < rank || (r == rank && j < i)))
                });
                (!beaten).then_some(field)
            })
            .collect()
    }
}

impl<F: Copy + PartialEq> Spec<F> {
    fn has_required(&self, fields: &[Option<F>]) -> bool {
        self.required.iter().all(|f| fields.contains(&Some(*f)))
    }

    /// `a Patch column (Patch, Patch Name)`, for messages.
    fn describe(&self, field: F) -> String {
        let names: Vec<&str> = self
            .columns
            .iter()
            .filter(|(f, _)| *f == field)
            .flat_map(|(_, names)| names.iter().map(String::as_str))
            .collect();
        let Some(first) = names.first() else {
            return "a required column".into();
        };
        let article = if first.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {first} column ({})", names.join(", "))
    }
}

/// `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn known<F>(fields: &[Option<F>]) -> usize {
    fields.iter().flatten().count()
}

/// Blank, `#` comment, or a rule line such as `-----  ====`.
fn is_skipped(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || is_rule(t)
}

fn is_rule(t: &str) -> bool {
    let (mut dashes, mut marks) = (false, 0);
    for c in t.chars() {
        match c {
            '-' | '=' => dashes = true,
            '+' => {}
            c if c.is_whitespace() => continue,
            _ => return false,
        }
        marks += 1;
    }
    dashes && marks >= 3
}

fn read_csv<F: Copy + PartialEq, R>(
    mut reader: CsvReader<'_>,
    fields: &[Option<F>],
    names: &[String],
    record: &mut impl FnMut(&Row<'_, F>) -> Result<R, String>,
) -> Outcome<Vec<R>> {
    let mut records = Vec::new();
    while let Some(row) = reader.next_record() {
        let row = match row {
            Ok(row) => row,
            Err((line, why)) => return Outcome::malformed(line, why),
        };
        if row.fields.iter().all(|f| f.is_empty() || is_rule(f)) {
            continue;
        }
        let by_field = Row {
            line: row.line,
            fields,
            cells: &row.fields,
            names,
        };
        match record(&by_field) {
            Ok(r) => records.push(r),
            Err(why) => return Outcome::malformed(row.line, why),
        }
    }
    Outcome::parsed(records)
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

/// The columns of a text table's header: the field and the name of each.
struct Header<'h, F> {
    fields: &'h [Option<F>],
    names: &'h [String],
}

fn read_table<F: Copy + PartialEq, R>(
    text: &str,
    header_no: usize,
    starts: &[usize],
    header: &Header<'_, F>,
    record: &mut impl FnMut(&Row<'_, F>) -> Result<R, String>,
) -> Outcome<Vec<R>> {
    let mut records = Vec::new();
    for (no, line) in numbered_lines(text).skip(header_no) {
        if is_skipped(line) {
            continue;
        }
        let chars = expand_tabs(line);
        let cells = if let Some(cells) = table_cells(&chars, starts) {
            cells
        } else {
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
        };
        let row = Row {
            line: no,
            fields: header.fields,
            cells: &cells,
            names: header.names,
        };
        match record(&row) {
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
        let cell = trimmed(chars.get(from..to.max(from))?);
        if cell.windows(2).any(|pair| pair == [' ', ' ']) {
            return None;
        }
        cells.push(cell.iter().collect());
    }
    Some(cells)
}

/// `chars` without the white space around them.
fn trimmed(chars: &[char]) -> &[char] {
    let start = chars.iter().position(|c| !c.is_whitespace());
    let Some(start) = start else {
        return &[];
    };
    let end = chars
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(start, |e| e + 1);
    &chars[start..end]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, junk, lcg_junk, parse_every_prefix, parsed};
    use super::*;
    use std::sync::LazyLock;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum T {
        Name,
        State,
        Board,
        Note,
        Parent,
        Duration,
        Start,
        End,
    }

    const ALL: [T; 8] = [
        T::Name,
        T::State,
        T::Board,
        T::Note,
        T::Parent,
        T::Duration,
        T::Start,
        T::End,
    ];

    static SPEC: LazyLock<Spec<T>> = LazyLock::new(|| {
        let columns: [(T, &[&str]); 8] = [
            (T::Name, &["Name", "Item Name"]),
            (T::State, &["State", "Status"]),
            (T::Board, &["Board", "Board Type"]),
            (T::Note, &["Note", "Description"]),
            (T::Parent, &["Parent"]),
            (T::Duration, &["Duration"]),
            (T::Start, &["Start Time", "Start"]),
            (T::End, &["End Time", "End"]),
        ];
        Spec::new("test-export", columns, &[T::Name, T::State], &[T::Duration])
    });

    /// One row as read: its line and the value of every field, in `ALL` order.
    type Read = (usize, Vec<Option<String>>);

    fn read_rows(text: &str) -> Outcome<Vec<Read>> {
        read(text, &SPEC, |row| {
            Ok((
                row.line,
                ALL.iter()
                    .map(|&f| row.get(f).map(str::to_string))
                    .collect(),
            ))
        })
    }

    fn rows(text: &str) -> Vec<Read> {
        parsed(&read_rows(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&read_rows(text), text);
        (m.line, m.reason)
    }

    /// The value of `field` in a row as read.
    fn get(row: &Read, field: T) -> Option<&str> {
        let i = ALL.iter().position(|&f| f == field).unwrap();
        row.1[i].as_deref()
    }

    #[test]
    fn csv_quoted_separator_and_line_break() {
        let text = "Name,Description,State\n\
                    SPH1,\"fixes a, b\nand c\",Running\n\
                    \n\
                    SPH2 , \"x\" ,  Idle  \n";
        let got = rows(text);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0, get(&got[0], T::Name)), (2, Some("SPH1")));
        assert_eq!(get(&got[0], T::Note), Some("fixes a, b\nand c"));
        // The second record starts after the quoted line break and a blank.
        assert_eq!((got[1].0, get(&got[1], T::Name)), (5, Some("SPH2")));
        assert_eq!(get(&got[1], T::Note), Some("x"));
        assert_eq!(get(&got[1], T::State), Some("Idle"));
        let (line, why) = malformed("Name,State\nSPH1,\"Running\n");
        assert_eq!(line, 2);
        assert!(why.contains("quoted"), "{why}");
        // A line break written as CRLF inside quotes is read as `\n`.
        let got = rows("Name,Description,State\r\nSPH1,\"a\r\nb\r\",Running\r\n");
        assert_eq!(get(&got[0], T::Note), Some("a\nb"));
    }

    #[test]
    fn csv_quotes_doubled_and_text_after_a_closing_quote() {
        let got = rows("\"Name\";\"State\"\n\"a \"\"b\"\"\";\"x\" y\n");
        assert_eq!(get(&got[0], T::Name), Some("a \"b\""));
        assert_eq!(get(&got[0], T::State), Some("x y"));
    }

    #[test]
    fn csv_extra_and_missing_trailing_fields() {
        let got = rows("Name,State,Board\nSPH1,Running\nSPH2,Running,MPU,,\n");
        assert_eq!(get(&got[0], T::Board), None);
        assert_eq!(get(&got[1], T::Board), Some("MPU"));
    }

    #[test]
    fn csv_separator_is_the_one_splitting_the_required_columns() {
        // Commas in the values of a semicolon file.
        let got = rows("Name;State;Note\nA;up;x, y\n");
        assert_eq!(get(&got[0], T::Note), Some("x, y"));
        // A semicolon inside a header name of a comma file.
        let got = rows("Name,State,\"Note; free text\"\nA,up,z\n");
        assert_eq!(get(&got[0], T::State), Some("up"));
        // Tab first: a tab header with commas in a name.
        let got = rows("Name\tState\tNote, etc\r\nA\tup\tq\r\n");
        assert_eq!(get(&got[0], T::State), Some("up"));
    }

    #[test]
    fn bom_crlf_comments_and_rules_are_skipped() {
        let text = "\u{feff}# exported 2025-05-01\r\n\
                    \r\n\
                    Name,State\r\n\
                    -----,-----\r\n\
                    # a comment between rows\r\n\
                    A,up\r\n\
                    ,\r\n\
                    B,down\r\n";
        let got = rows(text);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0, get(&got[0], T::Name)), (6, Some("A")));
        assert_eq!((got[1].0, get(&got[1], T::State)), (8, Some("down")));
        let got = rows("\u{feff}Name  State\r\n====  =====\r\nA     up\r\n");
        assert_eq!((got[0].0, get(&got[0], T::State)), (3, Some("up")));
    }

    #[test]
    fn text_table_cells_by_column_start() {
        let text = "Item Name   Board Type  Status\n\
                    SPH 1                   Up now\n\
                    SPH2        MPU 0       Down\n";
        let got = rows(text);
        assert_eq!(get(&got[0], T::Name), Some("SPH 1"));
        assert_eq!(get(&got[0], T::Board), None);
        assert_eq!(get(&got[0], T::State), Some("Up now"));
        assert_eq!(get(&got[1], T::Board), Some("MPU 0"));
    }

    #[test]
    fn text_table_misaligned_row_falls_back_to_spacing() {
        // Wide characters padded by display width leave the row short.
        let text = "Board     Name   State\n\
                    北京-01  SPH1   Running\n\
                    上海-02   SPH2   Active\n";
        let got = rows(text);
        assert_eq!(get(&got[0], T::Board), Some("北京-01"));
        assert_eq!(get(&got[0], T::Name), Some("SPH1"));
        assert_eq!(get(&got[1], T::Board), Some("上海-02"));
        assert_eq!(get(&got[1], T::State), Some("Active"));
        let (line, why) = malformed("Board  Name  State\nNE1    SPH1Running\n");
        assert_eq!(line, 2);
        assert!(why.contains("line up"), "{why}");
    }

    #[test]
    fn tabs() {
        let got = rows("Name\t\tState\nSPH1\t\tRunning\n");
        // A tab in the header makes it tab-separated CSV: an empty middle column.
        assert_eq!(get(&got[0], T::Name), Some("SPH1"));
        assert_eq!(get(&got[0], T::State), Some("Running"));
        // Spaces in the header: a text table, its rows' tabs expanded.
        let got = rows("Name    State\nSPH1\tRunning\n");
        assert_eq!(get(&got[0], T::State), Some("Running"));
    }

    #[test]
    fn header_names_case_underscores_and_spaces() {
        let got = rows("  ITEM_NAME ;status;board   type\nA;up;MPU\n");
        assert_eq!(get(&got[0], T::Name), Some("A"));
        assert_eq!(get(&got[0], T::State), Some("up"));
        assert_eq!(get(&got[0], T::Board), Some("MPU"));
        // The first of two columns for one field wins; unknown columns are ignored.
        let got = rows("Name,Vendor,State,Status\nA,Acme,up,down\n");
        assert_eq!(get(&got[0], T::State), Some("up"));
    }

    #[test]
    fn header_names_cut_by_a_gui() {
        let text = "Na...\tStat…\tPare...\tDurat...\tStart T...\tEnd...\tBoard Ty …\n\
                    A\tup\t6\t0:00:17\t2/9/2015 9:21:36\t2/9/2015 9:21:54\tMPU\n";
        let got = rows(text);
        let want = [
            (T::Name, "A"),
            (T::State, "up"),
            (T::Parent, "6"),
            (T::Duration, "0:00:17"),
            (T::Start, "2/9/2015 9:21:36"),
            (T::End, "2/9/2015 9:21:54"),
            (T::Board, "MPU"),
        ];
        for (field, value) in want {
            assert_eq!(get(&got[0], field), Some(value), "{field:?}");
        }
        // `Start...` begins both names of one field: not ambiguous.
        let got = rows("Name,State,Start...\nA,up,9:00\n");
        assert_eq!(get(&got[0], T::Start), Some("9:00"));
        // `St...` begins State, Status and Start Time: ambiguous, ignored.
        let got = rows("Name,State,St...\nA,up,9:00\n");
        assert_eq!(get(&got[0], T::Start), None);
        // An empty stem, a cut in the middle, or no ellipsis: no match.
        for name in ["...", "…", "Pa...rent", "Pare", "Pare.."] {
            let got = rows(&format!("Name,State,{name}\nA,up,6\n"));
            assert_eq!(get(&got[0], T::Parent), None, "{name}");
        }
        // A cut name for a field already taken does not replace it.
        let got = rows("Name,State,Stat...\nA,up,down\n");
        assert_eq!(get(&got[0], T::State), Some("up"));
    }

    #[test]
    fn notes_after_names_of_the_fields_that_take_them() {
        let notes = |text: &str| {
            parsed(
                &read(text, &SPEC, |row| {
                    Ok((
                        row.get(T::Duration).map(str::to_string),
                        row.note(T::Duration).map(str::to_string),
                        row.note(T::Name).map(str::to_string),
                    ))
                }),
                text,
            )
        };
        let some = |s: &str| Some(s.to_string());
        for (header, note) in [
            ("Duration (s)", some("s")),
            ("duration(s)", some("s")),
            ("DURATION [ min ]", some("min")),
            ("Duration", None),
        ] {
            let got = notes(&format!("Name,State,{header}\nA,up,17\n"));
            assert_eq!(got, vec![(some("17"), note, None)], "{header}");
        }
        // The same in a text table.
        let got = notes("Name  State  Duration (s)\nA     up     17\n");
        assert_eq!(got, vec![(some("17"), some("s"), None)]);
        // Only the fields that take a note: `Parent (id)` matches nothing.
        let got = rows("Name,State,Parent (id)\nA,up,6\n");
        assert_eq!(get(&got[0], T::Parent), None);
        // An exact name wins; a note with no name before it is no name.
        for header in ["(s)", "Duration ()x", "Duration (s"] {
            let got = notes(&format!("Name,State,{header}\nA,up,17\n"));
            assert_eq!(got[0].0, None, "{header}");
        }
        assert_eq!(split_note("Free ( KB )"), Some(("Free", "KB")));
        assert_eq!(split_note("Size[MB]"), Some(("Size", "MB")));
        assert_eq!(split_note("Free (a) (KB)"), Some(("Free (a)", "KB")));
        assert_eq!(split_note("(KB)"), None);
        assert_eq!(split_note("Free"), None);
    }

    #[test]
    fn missing_required_columns_are_named() {
        let (line, why) = malformed("# note\nName,Board\nA,MPU\n");
        assert_eq!(line, 2);
        assert_eq!(
            why,
            "no test-export header: the first row must name a State column (State, Status), \
             separated by commas, semicolons, tabs, or two or more spaces"
        );
        let (line, why) = malformed("A up\nB down\n");
        assert_eq!(line, 1);
        assert!(
            why.contains("a Name column (Name, Item Name) and a State column"),
            "{why}"
        );
        assert_eq!(SPEC.describe(T::End), "an End Time column (End Time, End)");
        let three = ["a".to_string(), "b".into(), "c".into()];
        assert_eq!(join_and(&three), "a, b and c");
        assert_eq!(join_and(&three[..2]), "a and b");
        assert_eq!(join_and(&three[..1]), "a");
    }

    #[test]
    fn empty_header_only_and_collector_messages() {
        assert_eq!(rows("Name,State\n"), vec![]);
        assert_eq!(rows("Name  State\n----  -----\n"), vec![]);
        for text in [
            "",
            "\r\n \n",
            "\u{feff}",
            "# nothing exported\n\n",
            "-----\n",
        ] {
            let na = testing::not_applicable(&read_rows(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        let na = testing::not_applicable(&read_rows("bash: cmp-export: command not found\n"), "");
        assert_eq!((na.kind, na.line), (Absence::ToolMissing, Some(1)));
    }

    #[test]
    fn record_errors_are_malformed_at_the_row_and_the_first_bad_line_wins() {
        let refuse_b = |text: &str| {
            read(text, &SPEC, |row| match row.get(T::Name) {
                Some("B") => Err("B is refused".to_string()),
                name => Ok(name.map(str::to_string)),
            })
        };
        let m = testing::malformed(&refuse_b("Name,State\nA,up\nB,up\n\"C,up\n"), "csv");
        assert_eq!((m.line, m.reason.as_str()), (3, "B is refused"));
        let m = testing::malformed(&refuse_b("Name,State\nA,up\n\"B,up\nB,up\n"), "csv");
        assert!(m.reason.contains("quoted"), "{}", m.reason);
        let m = testing::malformed(&refuse_b("Name  State\nA     up\n\nB     up\n"), "table");
        assert_eq!(m.line, 4);
    }

    #[test]
    fn never_panics() {
        let mut inputs: Vec<String> = vec![
            "\u{feff}Name;State\r\nN1;\"P\"\"1\";Running\r\n".into(),
            "Name,State\nSPH1,\"Run\nning\"\n".into(),
            "Name  State\n北京局   补丁一     运行\né  ü\t\tß\n".into(),
            "Na...\tSta…\n\t\t\t\n\"\t\"\n".into(),
            "…,...\n...,…\n".into(),
        ];
        let alphabet = [
            "Name", "State", "Pare...", "…", ",", ";", "\t", "\"", "\n", "\r\n", "  ", " ", "#",
            "---", "é", "北京", "\u{feff}", "\0",
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 512)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 512)).into_owned());
        }
        for seed in 1..=64 {
            let mut text = String::from(if seed % 2 == 0 {
                "Name,State\n"
            } else {
                "Name  State\n"
            });
            for b in junk(seed, 64) {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, read_rows);
    }
}
