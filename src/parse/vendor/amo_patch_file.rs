//! OpenScape 4000 patch files in E-file format, as AMO PATCH adds them to
//! the patch catalog from the `:PDS:` area of the hard disk; one file per
//! patch, copied into the snapshot under `pds/`.
//!
//! A patch file is a header between `/***SOH2***…<` and `****EOH***…/<`,
//! then the patch body `PRO PATCH:`. The header's labels are, in order:
//! `PATCH#`, `MRCAT#`, `TR#`, `DATE`, `AUTHOR`, `RESPONSIBLE`, `CONTACT`,
//! `PROCESSOR`, `APS-NAME`, `SUBSYSTEM`, `SRC-MODULE`, `SRC-PROCEDURE`,
//! `PATCH AREA SUSY`, `CODE AREA (B,E)`, `DATE AREA (B,E)`, `BASIC PATCH`,
//! `ACTIVATION`, `RELATED PATCHES` and `ERROR DESCRIPT.` (repeatable).
//!
//! # Header layouts
//!
//! As the AMO description prints the structure: the labels first, one per
//! line, then a `:` line per label, then the values, one per line, each
//! ending in `<`:
//!
//! ```text
//! /***SOH2*************************************************************<
//! PATCH#
//! APS-NAME
//! SUBSYSTEM
//! DATE
//! :
//! :
//! :
//! :
//! PA10001.E01<
//! SP300-V10.031<
//! ZMIPTCH0.D.10.031<
//! 04.03.25<
//! ****EOH*************************************************************/<
//! PRO PATCH:
//! BYTE 01A2B:00040 LENGTH 00003
//! /* OLD DATA
//! = "                  "
//! */
//! /* NEW DATA
//! =*/
//! BYTE 01A2B:00040 = 090,090,0EB
//! ```
//!
//! And one field per line, `LABEL : value<`:
//!
//! ```text
//! /***SOH2*************************************************************<
//! PATCH#            : PA10002.E01<
//! MRCAT#            : 123456<
//! TR#               : TR004711<
//! DATE              : 05.03.25<
//! APS-NAME          : SP300-V10.031<
//! SUBSYSTEM         : ZMIPTCH0.D.10.031<
//! RELATED PATCHES   : PA10001<
//! ERROR DESCRIPT.   : CALL DROPS AFTER TRANSFER<
//! ERROR DESCRIPT.   : ON DIGITAL TRUNKS<
//! ****EOH*************************************************************/<
//! PRO PATCH:
//! BYTE 01A2B:00050 LENGTH 00002
//! /* OLD DATA
//! = 074,012
//! */
//! /* NEW DATA
//! =*/
//! BYTE 01A2B:00050 = 0EB,012
//! ```
//!
//! The `:` lines of the first layout are skipped whatever their number (the
//! description's listing shows one fewer than there are labels). The `<`
//! that ends a value is dropped; a value without it is read too (the
//! description's ACTIVATION value has none). Labels are matched
//! case-insensitively with runs of spaces taken as one.
//!
//! # Header problems
//!
//! A header that breaks these rules is still read, and its defects are kept
//! as problems with their lines, for rule 20010: a label that is not one of
//! the above, a label given twice (other than `ERROR DESCRIPT.`), labels
//! and values that do not pair up (first layout), a line that is not
//! `LABEL : value` (second layout), a `DATE` that is not `DD.MM.YY`, and a
//! `CODE AREA (B,E)` or `DATE AREA (B,E)` that is not two hex addresses.
//!
//! # Body
//!
//! `PRO PATCH:` is followed by one block per patched area:
//!
//! - `BYTE seg:off LENGTH n` — the address and the number of bytes;
//! - optionally `/* OLD DATA`, then `= …` and `*/`: the old data, which the
//!   deactivation writes back. It is either the reserved area, a quoted run
//!   of blanks (`= "          "`), that AMO PATCH fills when it activates
//!   the patch, or the bytes themselves (`= 074,012`), supplied with the
//!   patch or secured at activation. The bytes may run over several lines;
//! - `/* NEW DATA` and `=*/` (on one line or two), then
//!   `BYTE seg:off = b,b,…`: the new data, continued on the next line when
//!   the line ends in `,`.
//!
//! Numbers are hexadecimal: written as in the description, a leading `0`
//! and hex digits (`01A2B`, `0EB`), or with a `0x` prefix (`0x1A2B`); a
//! trailing `H` is allowed. A byte is at most `0FF`.
//!
//! # Errors
//!
//! Malformed, with the line: a file that does not start with the `SOH`
//! line, a header without its `EOH` line, a body without `PRO PATCH:` or
//! without any block, a block cut off before its new data, an `OLD DATA`
//! comment that is not closed, a number that is not hex, and any other line
//! in the body. An empty file, or one holding only collector messages, is
//! `NotApplicable`.

use serde::Serialize;

use crate::parse::{Outcome, clipped, collector_message, numbered_lines};

/// The header labels, in the order of the description.
pub const LABELS: [&str; 19] = [
    "PATCH#",
    "MRCAT#",
    "TR#",
    "DATE",
    "AUTHOR",
    "RESPONSIBLE",
    "CONTACT",
    "PROCESSOR",
    "APS-NAME",
    "SUBSYSTEM",
    "SRC-MODULE",
    "SRC-PROCEDURE",
    "PATCH AREA SUSY",
    "CODE AREA (B,E)",
    "DATE AREA (B,E)",
    "BASIC PATCH",
    "ACTIVATION",
    "RELATED PATCHES",
    "ERROR DESCRIPT.",
];

/// The one label that may repeat.
const REPEATABLE: &str = "ERROR DESCRIPT.";

/// One header field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderField {
    pub label: &'static str,
    pub value: String,
    /// 1-based line of the value.
    pub line: usize,
}

/// A header defect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderProblem {
    pub line: usize,
    pub reason: String,
}

/// What a block holds as old data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OldData {
    /// No `/* OLD DATA` comment.
    Absent,
    /// The reserved area of blanks, not yet filled.
    Reserved,
    /// Bytes: supplied with the patch or secured at activation.
    Bytes,
}

/// One patched area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchBlock {
    /// 1-based line of `BYTE … LENGTH …`.
    pub line: usize,
    /// `seg:off` as printed.
    pub address: String,
    pub length: u64,
    pub old_data: OldData,
    pub old_bytes: usize,
    pub new_bytes: usize,
}

/// One patch file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchFile {
    /// 1-based line of the SOH line.
    pub line: usize,
    pub fields: Vec<HeaderField>,
    pub problems: Vec<HeaderProblem>,
    pub blocks: Vec<PatchBlock>,
}

impl PatchFile {
    /// The first value of a label.
    pub fn field(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }
}

/// Parses one patch file.
pub fn parse(text: &str) -> Outcome<PatchFile> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let lines: Vec<(usize, &str)> = numbered_lines(text)
        .map(|(n, l)| (n, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let Some(&(soh_line, first)) = lines.first() else {
        return Outcome::not_applicable(crate::parse::Absence::Empty, "the file is empty", None);
    };
    if !first.starts_with("/***SOH") {
        return Outcome::malformed(
            soh_line,
            format!(
                "not a patch file in E-file format: it starts '{}', not /***SOH2***…<",
                clipped(first, 40)
            ),
        );
    }
    let Some(eoh) = lines.iter().position(|(_, l)| l.starts_with("****EOH")) else {
        return Outcome::malformed(
            soh_line,
            "the header is not closed: no ****EOH****…/< line (the file is cut off)",
        );
    };
    let (fields, mut problems) = header(&lines[1..eoh]);
    problems.extend(field_problems(&fields));
    let blocks = match body(&lines[eoh + 1..], lines[eoh].0) {
        Ok(b) => b,
        Err((line, why)) => return Outcome::malformed(line, why),
    };
    Outcome::parsed(PatchFile {
        line: soh_line,
        fields,
        problems,
        blocks,
    })
}

/// The label a text names, if any.
fn label_of(text: &str) -> Option<&'static str> {
    let norm = text.split_whitespace().collect::<Vec<_>>().join(" ");
    LABELS
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(&norm))
}

fn value_of(text: &str) -> String {
    text.strip_suffix('<').unwrap_or(text).trim().to_string()
}

fn problem(line: usize, reason: impl Into<String>) -> HeaderProblem {
    HeaderProblem {
        line,
        reason: reason.into(),
    }
}

/// `LABEL : value<` split, when the text before the first `:` is a label.
fn inline_field(text: &str) -> Option<(&'static str, &str)> {
    // Labels hold no `:`, so the first one ends the label.
    let (label, value) = text.split_once(':')?;
    Some((label_of(label)?, value))
}

fn header(lines: &[(usize, &str)]) -> (Vec<HeaderField>, Vec<HeaderProblem>) {
    let mut fields = Vec::new();
    let mut problems = Vec::new();
    let inline = lines
        .first()
        .is_some_and(|(_, l)| inline_field(l).is_some());
    if inline {
        for &(no, text) in lines {
            match inline_field(text) {
                Some((label, value)) => fields.push(HeaderField {
                    label,
                    value: value_of(value),
                    line: no,
                }),
                None => problems.push(problem(
                    no,
                    format!("'{}' is not LABEL : value", clipped(text, 40)),
                )),
            }
        }
        return (fields, problems);
    }
    // Labels first, then `:` lines, then values.
    let mut labels: Vec<(usize, &'static str)> = Vec::new();
    let mut rest = lines;
    while let Some((&(no, text), tail)) = rest.split_first() {
        if text == ":" {
            break;
        }
        match label_of(text) {
            Some(label) => labels.push((no, label)),
            None if labels.is_empty() || tail.iter().any(|(_, t)| *t == ":") => {
                problems.push(problem(
                    no,
                    format!("'{}' is not a header label", clipped(text, 40)),
                ));
            }
            // No `:` line follows: the values start here.
            None => break,
        }
        rest = tail;
    }
    let values: Vec<(usize, &str)> = rest.iter().copied().filter(|(_, t)| *t != ":").collect();
    if values.len() != labels.len() {
        let at = values
            .get(labels.len())
            .or(values.last())
            .map_or(labels.last().map_or(0, |l| l.0), |v| v.0);
        problems.push(problem(
            at,
            format!(
                "the header has {} label(s) but {} value(s)",
                labels.len(),
                values.len()
            ),
        ));
    }
    for ((_, label), (no, value)) in labels.iter().zip(&values) {
        fields.push(HeaderField {
            label,
            value: value_of(value),
            line: *no,
        });
    }
    (fields, problems)
}

/// Duplicate labels, and values that break their field's form.
fn field_problems(fields: &[HeaderField]) -> Vec<HeaderProblem> {
    let mut problems = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if f.label != REPEATABLE && fields[..i].iter().any(|g| g.label == f.label) {
            problems.push(problem(f.line, format!("{} is given twice", f.label)));
        }
        match f.label {
            "DATE" if !f.value.is_empty() && !is_date(&f.value) => problems.push(problem(
                f.line,
                format!("DATE '{}' is not DD.MM.YY", clipped(&f.value, 20)),
            )),
            "CODE AREA (B,E)" | "DATE AREA (B,E)" if !f.value.is_empty() && !is_area(&f.value) => {
                problems.push(problem(
                    f.line,
                    format!(
                        "{} '{}' is not two hex addresses (begin, end)",
                        f.label,
                        clipped(&f.value, 30)
                    ),
                ));
            }
            _ => {}
        }
    }
    problems
}

fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    let num = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !parts.iter().all(|p| num(p)) {
        return false;
    }
    let (day, month): (u32, u32) = (parts[0].parse().unwrap_or(0), parts[1].parse().unwrap_or(0));
    (1..=31).contains(&day) && (1..=12).contains(&month)
}

/// `b,e` or `(b,e)` of two addresses.
fn is_area(value: &str) -> bool {
    let inner = value.trim_start_matches('(').trim_end_matches(')');
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    parts.len() == 2 && parts.iter().all(|p| address(p).is_some())
}

/// A hex number: `0` then hex digits, or `0x` then hex digits; an optional
/// trailing `H`.
fn hex(text: &str) -> Option<u64> {
    let t = text.strip_suffix(['H', 'h']).unwrap_or(text);
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .or_else(|| t.starts_with('0').then_some(t))?;
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// An address as numbers, `(segment, offset)`; a flat address (one
/// number) has segment 0. `None` for anything else.
pub fn address_parts(text: &str) -> Option<(u64, u64)> {
    match text.trim().split_once(':') {
        Some((seg, off)) => Some((hex(seg.trim())?, hex(off.trim())?)),
        None => Some((0, hex(text.trim())?)),
    }
}

/// The begin and end of an area value, `b,e` or `(b,e)`.
pub fn area_bounds(value: &str) -> Option<((u64, u64), (u64, u64))> {
    let inner = value.trim().trim_start_matches('(').trim_end_matches(')');
    let (begin, end) = inner.split_once(',')?;
    Some((address_parts(begin)?, address_parts(end)?))
}

/// `seg:off` of two hex numbers, or one hex number.
fn address(text: &str) -> Option<String> {
    match text.split_once(':') {
        Some((seg, off)) => {
            hex(seg)?;
            hex(off)?;
        }
        None => {
            hex(text)?;
        }
    }
    Some(text.to_string())
}

/// Bytes of a `b,b,…` list; a trailing `,` continues on the next line.
fn byte_list(text: &str, line: usize) -> Result<usize, (usize, String)> {
    let mut count = 0;
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match hex(item) {
            Some(b) if b <= 0xFF => count += 1,
            _ => {
                return Err((
                    line,
                    format!("'{}' is not a hex byte (0hh)", clipped(item, 20)),
                ));
            }
        }
    }
    Ok(count)
}

/// The body after the header: `PRO PATCH:` and its blocks.
fn body(lines: &[(usize, &str)], eoh_line: usize) -> Result<Vec<PatchBlock>, (usize, String)> {
    let mut it = lines.iter().copied().peekable();
    match it.next() {
        Some((_, l)) if l.eq_ignore_ascii_case("PRO PATCH:") => {}
        Some((no, l)) => {
            return Err((
                no,
                format!("'{}' where PRO PATCH: was expected", clipped(l, 40)),
            ));
        }
        None => {
            return Err((
                eoh_line,
                "the file ends after the header: no PRO PATCH: body (cut off)".into(),
            ));
        }
    }
    let mut blocks = Vec::new();
    while let Some((no, text)) = it.next() {
        let (address, length) = byte_length(text).ok_or_else(|| {
            (
                no,
                format!(
                    "'{}' where BYTE seg:off LENGTH n was expected",
                    clipped(text, 50)
                ),
            )
        })?;
        let mut block = PatchBlock {
            line: no,
            address,
            length,
            old_data: OldData::Absent,
            old_bytes: 0,
            new_bytes: 0,
        };
        let cut = |why: &str| {
            (
                no,
                format!("the block at {} is cut off: {why}", block_addr(text)),
            )
        };
        let Some((old_no, next)) = it.next() else {
            return Err(cut("no NEW DATA"));
        };
        let mut next = (old_no, next);
        if starts_comment(next.1, "OLD DATA") {
            let (kind, count) = old_data(&mut it, next)?;
            block.old_data = kind;
            block.old_bytes = count;
            next = it.next().ok_or_else(|| cut("no NEW DATA"))?;
        }
        if !starts_comment(next.1, "NEW DATA") {
            return Err((
                next.0,
                format!("'{}' where /* NEW DATA was expected", clipped(next.1, 40)),
            ));
        }
        if !next.1.ends_with("=*/") {
            match it.next() {
                Some((_, "=*/")) => {}
                Some((n, l)) => {
                    return Err((n, format!("'{}' where =*/ was expected", clipped(l, 40))));
                }
                None => return Err(cut("no new data after /* NEW DATA")),
            }
        }
        let (new_no, new_line) = it
            .next()
            .ok_or_else(|| cut("no new data after /* NEW DATA"))?;
        let list = new_data(new_line).ok_or_else(|| {
            (
                new_no,
                format!(
                    "'{}' where BYTE seg:off = bytes was expected",
                    clipped(new_line, 50)
                ),
            )
        })?;
        block.new_bytes = byte_list(list, new_no)?;
        let mut open = list.trim_end().ends_with(',');
        while open {
            let Some((n, l)) = it.next() else {
                return Err((new_no, "the new data is cut off after a ','".into()));
            };
            block.new_bytes += byte_list(l, n)?;
            open = l.ends_with(',');
        }
        blocks.push(block);
    }
    if blocks.is_empty() {
        return Err((
            lines[0].0,
            "PRO PATCH: holds no BYTE … LENGTH block (cut off)".into(),
        ));
    }
    Ok(blocks)
}

fn block_addr(text: &str) -> &str {
    text.split_whitespace().nth(1).unwrap_or("")
}

/// `/* OLD DATA`, `/* NEW DATA` with any spacing.
fn starts_comment(text: &str, what: &str) -> bool {
    text.strip_prefix("/*")
        .map(str::trim_start)
        .is_some_and(|r| {
            r.get(..what.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(what))
        })
}

/// `BYTE seg:off LENGTH n`.
fn byte_length(text: &str) -> Option<(String, u64)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [byte, addr, length, n]
            if byte.eq_ignore_ascii_case("BYTE") && length.eq_ignore_ascii_case("LENGTH") =>
        {
            Some((address(addr)?, hex(n)?))
        }
        _ => None,
    }
}

/// The byte list of `BYTE seg:off = b,b,…`.
fn new_data(text: &str) -> Option<&str> {
    let (head, list) = text.split_once('=')?;
    let words: Vec<&str> = head.split_whitespace().collect();
    match words.as_slice() {
        [byte, addr] if byte.eq_ignore_ascii_case("BYTE") => {
            address(addr)?;
            Some(list)
        }
        _ => None,
    }
}

/// The old data comment, from its `/* OLD DATA` line to `*/`.
fn old_data<'a>(
    it: &mut impl Iterator<Item = (usize, &'a str)>,
    (open_no, open): (usize, &'a str),
) -> Result<(OldData, usize), (usize, String)> {
    let mut content: Vec<(usize, &str)> = Vec::new();
    let after = open.trim_start_matches("/*").trim_start();
    let first = after.get(8..).unwrap_or("").trim();
    let mut closed = false;
    for (no, text) in std::iter::once((open_no, first)).chain(it.by_ref()) {
        let (part, ends) = match text.strip_suffix("*/") {
            Some(p) => (p.trim(), true),
            None => (text, false),
        };
        if !part.is_empty() {
            content.push((no, part));
        }
        if ends {
            closed = true;
            break;
        }
    }
    if !closed {
        return Err((
            open_no,
            "the /* OLD DATA comment is not closed with */ (cut off)".into(),
        ));
    }
    let Some(&(first_no, first)) = content.first() else {
        return Ok((OldData::Absent, 0));
    };
    let Some(value) = first.strip_prefix('=').map(str::trim) else {
        return Err((
            first_no,
            format!("'{}' where = old data was expected", clipped(first, 40)),
        ));
    };
    if value.starts_with('"') {
        // The reserved area: a quoted run of blanks, filled at activation.
        return Ok((OldData::Reserved, 0));
    }
    let mut count = byte_list(value, first_no)?;
    for &(no, text) in &content[1..] {
        count += byte_list(text, no)?;
    }
    Ok(if count == 0 {
        (OldData::Reserved, 0)
    } else {
        (OldData::Bytes, count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{self, junk, lcg_junk, not_applicable, parse_every_prefix, parsed};

    fn file(text: &str) -> PatchFile {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("amo_patch_file.rs"))
    }

    const SOH: &str = "/***SOH2*****<\n";
    const EOH: &str = "****EOH*****/<\n";
    const BODY: &str =
        "PRO PATCH:\nBYTE 01A2B:00040 LENGTH 00001\n/* NEW DATA\n=*/\nBYTE 01A2B:00040 = 090\n";

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        let first = file(&blocks[0]);
        assert_eq!(first.problems, vec![]);
        assert_eq!(first.field("PATCH#"), Some("PA10001.E01"));
        assert_eq!(first.field("APS-NAME"), Some("SP300-V10.031"));
        assert_eq!(first.field("SUBSYSTEM"), Some("ZMIPTCH0.D.10.031"));
        assert_eq!(first.field("DATE"), Some("04.03.25"));
        assert_eq!(first.fields[0].line, 10);
        assert_eq!(
            first.blocks,
            vec![PatchBlock {
                line: 16,
                address: "01A2B:00040".into(),
                length: 3,
                old_data: OldData::Reserved,
                old_bytes: 0,
                new_bytes: 3,
            }]
        );
        let second = file(&blocks[1]);
        assert_eq!(second.problems, vec![]);
        assert_eq!(second.field("RELATED PATCHES"), Some("PA10001"));
        let errors: Vec<&str> = second
            .fields
            .iter()
            .filter(|f| f.label == "ERROR DESCRIPT.")
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(
            errors,
            vec!["CALL DROPS AFTER TRANSFER", "ON DIGITAL TRUNKS"]
        );
        assert_eq!(second.blocks[0].old_data, OldData::Bytes);
        assert_eq!(
            (second.blocks[0].old_bytes, second.blocks[0].new_bytes),
            (2, 2)
        );
    }

    #[test]
    fn the_seed_structure_reads_with_its_quirks() {
        // 21 labels, 20 `:` lines, an ACTIVATION value without `<`.
        let mut text = String::from(SOH);
        let labels: Vec<&str> = LABELS
            .iter()
            .copied()
            .chain([REPEATABLE, REPEATABLE])
            .collect();
        for l in &labels {
            text.push_str(&format!("{l}\n"));
        }
        for _ in 0..20 {
            text.push_str(":\n");
        }
        for l in &labels {
            let value = match *l {
                "DATE" => "04.03.25<".to_string(),
                "CODE AREA (B,E)" | "DATE AREA (B,E)" => "01A2B:00000,01A2B:0FFFF<".to_string(),
                "ACTIVATION" => "AUTO".to_string(),
                other => format!("{}<", other.replace(' ', "")),
            };
            text.push_str(&format!("{value}\n"));
        }
        text.push_str(EOH);
        text.push_str(
            "PRO PATCH:\nBYTE 0xxxx:0xxxx LENGTH 0xxxx\n"
                .replace("0xxxx", "0x10")
                .as_str(),
        );
        text.push_str("/* OLD DATA\n= \"reserved area (by blanks) for old data\"\n*/\n/* NEW DATA\n=*/\nBYTE 0x10:0x10 = 0x01,0x02,\n0x03\n");
        let got = file(&text);
        assert_eq!(got.problems, vec![]);
        assert_eq!(got.fields.len(), 21);
        assert_eq!(got.field("ACTIVATION"), Some("AUTO"));
        assert_eq!(got.blocks[0].old_data, OldData::Reserved);
        assert_eq!((got.blocks[0].length, got.blocks[0].new_bytes), (16, 3));
    }

    #[test]
    fn header_defects_are_problems_not_errors() {
        let got = file(&format!(
            "{SOH}PATCH# : P1<\nDATE : 32.13.25<\nWHO : me<\nPATCH# : P2<\ngarbage\nCODE AREA (B,E) : here<\n{EOH}{BODY}"
        ));
        let reasons: Vec<(usize, &str)> = got
            .problems
            .iter()
            .map(|p| (p.line, p.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (4, "'WHO : me<' is not LABEL : value"),
                (6, "'garbage' is not LABEL : value"),
                (3, "DATE '32.13.25' is not DD.MM.YY"),
                (5, "PATCH# is given twice"),
                (
                    7,
                    "CODE AREA (B,E) 'here' is not two hex addresses (begin, end)"
                ),
            ]
        );
        let got = file(&format!("{SOH}PATCH#\nDATE\n:\n:\nP1<\n{EOH}{BODY}"));
        assert_eq!(
            got.problems[0].reason,
            "the header has 2 label(s) but 1 value(s)"
        );
        assert_eq!(got.fields.len(), 1);
        let got = file(&format!("{SOH}PATCH#\nNOLABEL\n:\n:\nP1<\n{EOH}{BODY}"));
        assert!(
            got.problems[0]
                .reason
                .contains("'NOLABEL' is not a header label")
        );
    }

    #[test]
    fn structural_errors_are_malformed() {
        for (text, line, needle) in [
            ("hello\n".to_string(), 1, "not a patch file"),
            (format!("{SOH}PATCH# : P1<\n"), 1, "not closed"),
            (
                format!("{SOH}PATCH# : P1<\n{EOH}"),
                3,
                "ends after the header",
            ),
            (
                format!("{SOH}{EOH}BYTE 01:01 LENGTH 01\n"),
                3,
                "PRO PATCH: was expected",
            ),
            (format!("{SOH}{EOH}PRO PATCH:\n"), 3, "no BYTE"),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n"),
                4,
                "cut off: no NEW DATA",
            ),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* OLD DATA\n= 012\n"),
                5,
                "not closed with */",
            ),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* OLD DATA\n= 0ZZ\n*/\n"),
                6,
                "not a hex byte",
            ),
            (
                format!(
                    "{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* NEW DATA\n=*/\nBYTE 01:01 = 0100\n"
                ),
                7,
                "not a hex byte",
            ),
            (
                format!(
                    "{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* NEW DATA\n=*/\nBYTE 01:01 = 012,\n"
                ),
                7,
                "cut off after a ','",
            ),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 1G:01 LENGTH 01\n"),
                4,
                "BYTE seg:off LENGTH n",
            ),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\nstray\n"),
                5,
                "/* NEW DATA was expected",
            ),
            (
                format!("{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* NEW DATA\n=\n"),
                6,
                "=*/ was expected",
            ),
            (
                format!(
                    "{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 01\n/* NEW DATA =*/\nWORD 01:01 = 01\n"
                ),
                6,
                "BYTE seg:off = bytes",
            ),
        ] {
            let (got_line, why) = malformed(&text);
            assert_eq!(got_line, line, "{text}: {why}");
            assert!(why.contains(needle), "{text}: {why}");
        }
    }

    #[test]
    fn old_data_forms() {
        let with_old = |old: &str| {
            file(&format!(
                "{SOH}{EOH}PRO PATCH:\nBYTE 01:01 LENGTH 03\n{old}\n/* NEW DATA =*/\nBYTE 01:01 = 01,02,03\n"
            ))
            .blocks[0]
                .clone()
        };
        let b = with_old("/* OLD DATA\n= \"      \"\n*/");
        assert_eq!((b.old_data, b.old_bytes), (OldData::Reserved, 0));
        let b = with_old("/* OLD DATA\n= 0x01,0x02,\n0x03\n*/");
        assert_eq!((b.old_data, b.old_bytes), (OldData::Bytes, 3));
        let b = with_old("/* OLD DATA = 01,02,03 */");
        assert_eq!((b.old_data, b.old_bytes), (OldData::Bytes, 3));
        let b = with_old("/* OLD DATA\n*/");
        assert_eq!(b.old_data, OldData::Absent);
        let b = with_old("");
        assert_eq!(b.old_data, OldData::Absent);
    }

    #[test]
    fn empty_and_collector_messages() {
        assert_eq!(not_applicable(&parse(""), "").kind, Absence::Empty);
        let text = "cp: cannot stat 'PA1.E': No such file or directory\n";
        assert_eq!(
            not_applicable(&parse(text), text).kind,
            Absence::ToolMissing
        );
    }

    #[test]
    fn a_cut_file_is_malformed_at_a_line_or_a_shorter_file() {
        for block in doc_blocks() {
            let full = file(&block);
            for (i, _) in block.char_indices().skip(1) {
                let cut = &block[..i];
                match parse(cut) {
                    Outcome::Parsed { records } => {
                        assert!(records.blocks.len() <= full.blocks.len(), "{cut}");
                        assert!(records.fields.len() <= full.fields.len(), "{cut}");
                    }
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
            "BYTE ",
            "LENGTH ",
            "01A:",
            "0FF",
            "0x",
            ",",
            "=",
            "*/",
            "/* OLD DATA",
            "/* NEW DATA",
            "\n",
            " ",
            "\"",
            "PATCH#",
            ":",
            "<",
            "é",
            "PRO PATCH:\n",
        ];
        for seed in 1..=48 {
            let mut text = format!("{SOH}PATCH# : P<\n{EOH}");
            for b in junk(seed, 48) {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
