//! The CSV form of a header-named export: records read by the `csv` crate
//! over the whole text, each with the line it starts on as
//! `numbered_lines` counts it (see `export_table` for what is accepted).

use super::is_skipped;

/// One record: the line it starts on and its values.
pub(super) struct CsvRow {
    pub line: usize,
    pub fields: Vec<String>,
}

/// CSV records read by the `csv` crate over the whole text, so a quoted
/// value may span lines; lines are counted as `numbered_lines` counts
/// them, and records that start on a blank, comment or rule line are
/// skipped.
pub(super) struct CsvReader<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    delimiter: char,
    /// The lines of `text`, to tell skipped lines by their start.
    lines: Vec<&'a str>,
}

impl<'a> CsvReader<'a> {
    pub fn new(text: &'a str, delimiter: char) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter as u8)
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            // Lines end at `\n` only, as `numbered_lines` counts them; a
            // `\r` before it is trimmed with the value.
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(text.as_bytes());
        CsvReader {
            text,
            reader,
            record: csv::StringRecord::new(),
            delimiter,
            lines: text.split('\n').collect(),
        }
    }

    /// The next record, skipping blank, comment and rule lines.
    pub fn next_record(&mut self) -> Option<Result<CsvRow, (usize, String)>> {
        loop {
            let start = self.reader.position().clone();
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => return Some(Err((line_of_error(&e, &start), e.to_string()))),
            }
            let first = self.record.position().unwrap_or(&start);
            let from = usize::try_from(first.byte()).unwrap_or(usize::MAX);
            let to = usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
            let raw = self.text.get(from..to.min(self.text.len())).unwrap_or("");
            if raw.trim().is_empty() {
                continue;
            }
            // The position is where the reader stood, before the blank
            // lines it passed over.
            let blank = &raw[..raw.len() - raw.trim_start().len()];
            let line = usize::try_from(first.line())
                .unwrap_or(usize::MAX)
                .saturating_add(blank.matches('\n').count());
            if self
                .lines
                .get(line.wrapping_sub(1))
                .is_some_and(|l| is_skipped(l))
            {
                continue;
            }
            if to >= self.text.len() && quote_left_open(raw, self.delimiter) {
                return Some(Err((
                    line,
                    "a quoted value is not closed before the end of the file".into(),
                )));
            }
            let spaced_quote = has_spaced_quote(raw, self.delimiter);
            let fields = self.record.iter().map(|f| cell(f, spaced_quote)).collect();
            return Some(Ok(CsvRow { line, fields }));
        }
    }
}

/// The line a CSV error names, else the line the record started on.
fn line_of_error(e: &csv::Error, start: &csv::Position) -> usize {
    let at = e.position().unwrap_or(start);
    usize::try_from(at.line()).unwrap_or(usize::MAX)
}

/// A value as read: line breaks inside quotes as `\n`; and, in a record
/// where a quote follows spaces after a separator (`a, "b, c"`), which the
/// `csv` crate reads as plain text, the quotes taken off.
fn cell(value: &str, spaced_quote: bool) -> String {
    let value = value.replace("\r\n", "\n");
    if spaced_quote && value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        return value[1..value.len() - 1].replace("\"\"", "\"");
    }
    value
}

/// Whether a value of the record opens with a quote after spaces.
fn has_spaced_quote(raw: &str, delimiter: char) -> bool {
    raw.split(['\n', delimiter]).any(|part| {
        let rest = part.trim_start_matches([' ', '\t']);
        rest.len() < part.len() && rest.starts_with('"')
    })
}

/// Whether the last record of a file leaves a quoted value open: a value
/// that starts with a quote whose closing quote never comes.
fn quote_left_open(raw: &str, delimiter: char) -> bool {
    let mut chars = raw.chars().peekable();
    loop {
        while chars.peek().is_some_and(|&c| c == ' ' || c == '\t') {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return true,
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                    }
                    Some('"') => break,
                    Some(_) => {}
                }
            }
        }
        loop {
            match chars.next() {
                None => return false,
                Some(c) if c == delimiter || c == '\n' => break,
                Some(_) => {}
            }
        }
    }
}
