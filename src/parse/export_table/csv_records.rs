//! The CSV form of a header-named export: records read by `csv-core`
//! over the whole text, each with the line it starts on as
//! `numbered_lines` counts it (see `export_table` for what is accepted).

use super::is_skipped;
use std::borrow::Cow;
use std::cell::RefCell;

/// One record: the line it starts on and its values.
pub(super) struct CsvRow {
    pub line: usize,
    pub fields: Vec<String>,
}

/// CSV records read by `csv-core` over the whole text, so a quoted value
/// may span lines; lines are counted as `numbered_lines` counts them, and
/// records that start on a blank, comment or rule line are skipped.
pub(super) struct CsvReader<'a> {
    text: &'a str,
    /// The reader and its separator; taken back when this one is dropped.
    core: Option<(u8, Box<csv_core::Reader>)>,
    /// The bytes of `text` read so far.
    read: usize,
    /// The current record's values, end to end, and where each ends.
    values: Vec<u8>,
    ends: Vec<usize>,
    delimiter: char,
    /// The lines of `text`, to tell skipped lines by their start.
    lines: Vec<&'a str>,
}

thread_local! {
    /// The readers this thread built and is not using, by separator.
    static IDLE: RefCell<Vec<(u8, Box<csv_core::Reader>)>> = const { RefCell::new(Vec::new()) };
}

/// A reader for `delimiter`, reset after its last use on this thread, else
/// built: building one (its transition table) cost more than reading a
/// small export, and a fleet's NE exports are read once when the
/// snapshots are found and again for their facts. (A built reader is not
/// cloned: `csv-core` 0.1's clone of one copies only part of its table.)
fn take_core(delimiter: u8) -> Box<csv_core::Reader> {
    let idle = IDLE.with_borrow_mut(|idle| {
        let at = idle.iter().position(|(d, _)| *d == delimiter)?;
        Some(idle.swap_remove(at).1)
    });
    idle.unwrap_or_else(|| {
        let reader = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            // Lines end at `\n` only, as `numbered_lines` counts them; a
            // `\r` before it is trimmed with the value.
            .terminator(csv_core::Terminator::Any(b'\n'))
            .build();
        Box::new(reader)
    })
}

impl Drop for CsvReader<'_> {
    fn drop(&mut self) {
        if let Some((delimiter, mut core)) = self.core.take() {
            core.reset();
            IDLE.with_borrow_mut(|idle| {
                if idle.iter().all(|(d, _)| *d != delimiter) {
                    idle.push((delimiter, core));
                }
            });
        }
    }
}

impl<'a> CsvReader<'a> {
    /// A reader of `text`; `delimiter` is one of the separators tried
    /// (tab, semicolon, comma), any other reads as a comma.
    pub fn new(text: &'a str, delimiter: char) -> Self {
        let byte = u8::try_from(delimiter).ok().filter(u8::is_ascii);
        let byte = byte.unwrap_or(b',');
        CsvReader {
            text,
            core: Some((byte, take_core(byte))),
            read: 0,
            values: Vec::new(),
            ends: Vec::new(),
            delimiter,
            lines: text.split('\n').collect(),
        }
    }

    /// Reads the next record into `values` and `ends`; false at the end.
    fn read_record(&mut self) -> bool {
        use csv_core::ReadRecordResult::{End, InputEmpty, OutputEndsFull, OutputFull, Record};
        let Some((_, core)) = self.core.as_mut() else {
            return false;
        };
        let (mut out, mut ended) = (0, 0);
        loop {
            if self.values.len() == out {
                self.values.resize(out.max(256) * 2, 0);
            }
            if self.ends.len() == ended {
                self.ends.resize(ended.max(16) * 2, 0);
            }
            let input = &self.text.as_bytes()[self.read..];
            let (result, nin, nout, nend) =
                core.read_record(input, &mut self.values[out..], &mut self.ends[ended..]);
            self.read += nin;
            out += nout;
            ended += nend;
            match result {
                InputEmpty | OutputFull | OutputEndsFull => {}
                Record => {
                    self.ends.truncate(ended);
                    return true;
                }
                End => return false,
            }
        }
    }

    /// The next record, skipping blank, comment and rule lines.
    pub fn next_record(&mut self) -> Option<Result<CsvRow, (usize, String)>> {
        loop {
            let first_line = self.core.as_ref().map_or(1, |(_, core)| core.line());
            let from = self.read;
            self.ends.clear();
            if !self.read_record() {
                return None;
            }
            let to = self.read;
            let raw = self.text.get(from..to).unwrap_or("");
            if raw.trim().is_empty() {
                continue;
            }
            // The reader's line is where it stood, before the blank lines
            // it passed over.
            let blank = &raw[..raw.len() - raw.trim_start().len()];
            let line = usize::try_from(first_line)
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
            let mut start = 0;
            let fields = (self.ends.iter())
                .map(|&end| {
                    // Values are cut at ASCII separators and quotes: each
                    // is whole UTF-8, as the text is.
                    let bytes = &self.values[start..end];
                    let value = match std::str::from_utf8(bytes) {
                        Ok(value) => Cow::Borrowed(value),
                        Err(_) => String::from_utf8_lossy(bytes),
                    };
                    start = end;
                    cell(value.trim(), spaced_quote)
                })
                .collect();
            return Some(Ok(CsvRow { line, fields }));
        }
    }
}

/// A value as read: line breaks inside quotes as `\n`; and, in a record
/// where a quote follows spaces after a separator (`a, "b, c"`), which the
/// CSV reader reads as plain text, the quotes taken off.
fn cell(value: &str, spaced_quote: bool) -> String {
    // Looking for the byte first: `replace` sets up a substring search
    // for every value, most of which hold no line break.
    let value = if value.contains('\r') {
        value.replace("\r\n", "\n")
    } else {
        value.to_string()
    };
    if spaced_quote && value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        return value[1..value.len() - 1].replace("\"\"", "\"");
    }
    value
}

/// Whether a value of the record opens with a quote after spaces.
fn has_spaced_quote(raw: &str, delimiter: char) -> bool {
    // Most records hold no quote at all: one byte search says so.
    if !raw.contains('"') {
        return false;
    }
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

#[cfg(test)]
mod tests {
    use super::CsvReader;

    fn records(text: &str, delimiter: char) -> Vec<(usize, Vec<String>)> {
        let mut reader = CsvReader::new(text, delimiter);
        std::iter::from_fn(|| reader.next_record())
            .map(|r| r.map(|row| (row.line, row.fields)).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_reader_used_before_on_the_thread_reads_as_a_new_one() {
        let text = "A;B\n\"x\ny\";2\n\nz;3\n";
        let first = records(text, ';');
        assert_eq!(first.len(), 3);
        assert_eq!(first[1], (2, vec!["x\ny".to_string(), "2".to_string()]));
        assert_eq!(first[2].0, 5);
        // Left in the middle of a quoted value, then taken again.
        let mut left = CsvReader::new("A;\"open\n", ';');
        assert!(left.next_record().is_some());
        drop(left);
        for delimiter in [',', ';', '\t', ';'] {
            let again = records(&text.replace(';', &delimiter.to_string()), delimiter);
            assert_eq!(again, first, "separator {delimiter:?}");
        }
    }
}
