//! Lines that fit a width: prose wrapped at spaces, a location kept whole.

use crate::model::quote::printable;

/// The width of a table that does not go to a terminal, or whose
/// terminal does not say.
pub const DEFAULT_WIDTH: usize = 100;
/// Below this a table would be a column of single words.
pub const MIN_WIDTH: usize = 40;

/// `text`, made printable (a line break or a control character inside it
/// is shown, so it cannot forge a row), wrapped at spaces into lines of at
/// most `width` columns that start with `indent`. A word longer than a
/// line is broken: only prose goes through here, never a location.
pub fn push_wrapped(out: &mut String, text: &str, indent: &str, width: usize) {
    push_wrapped_after(out, indent, text, indent, width);
}

/// Like [`push_wrapped`], the first line starting with `first` instead.
pub fn push_wrapped_after(out: &mut String, first: &str, text: &str, indent: &str, width: usize) {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(indent)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(&printable(text), options) {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// `place` (a path, `path:line`) on a line of its own, never split: at the
/// first of `indents` that lets it fit, else at the margin; one longer than
/// the width stays whole, so it can be copied.
pub fn push_unsplit(out: &mut String, place: &str, indents: &[&str], width: usize) {
    let place = printable(place);
    let indent = indents
        .iter()
        .find(|i| i.len() + text_width(&place) <= width)
        .copied()
        .unwrap_or("");
    out.push_str(indent);
    out.push_str(&place);
    out.push('\n');
}

/// Columns `text` takes on a terminal.
pub fn text_width(text: &str) -> usize {
    textwrap::core::display_width(text)
}
