//! Snapshot text as it may be shown: clipped to a bounded size, and made
//! safe for where it goes (a terminal, an XML document). Every excerpt and
//! every message that quotes input passes through [`clip`]; every string a
//! terminal format prints passes through [`printable`]. Secrets are
//! `redact`'s concern.

use std::borrow::Cow;

/// Characters of input kept where input is quoted.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `s` when it has at most [`MAX_QUOTED_CHARS`] characters; otherwise its
/// first ones, an ellipsis and the size of the whole (`…[67108860 bytes]`),
/// so that one huge line cannot make a huge report. Costs
/// O([`MAX_QUOTED_CHARS`]) whatever the length of `s`.
pub fn clip(s: &str) -> Cow<'_, str> {
    clip_to(s, MAX_QUOTED_CHARS)
}

/// [`clip`] with another limit, for texts that are more than a quote (a
/// whole message, which holds quotes and the words around them).
pub fn clip_to(s: &str, max_chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}…[{} bytes]", &s[..cut], s.len())),
    }
}

/// A message of the tool that may quote input: the quotes are clipped
/// where they are made, this bounds what is left (a list of many quoted
/// values). Four quotes' worth.
pub fn clip_message(s: &str) -> Cow<'_, str> {
    clip_to(s, 4 * MAX_QUOTED_CHARS)
}

/// A message that quotes input where it was made without clipping (a
/// parser's reason): every run of text without white space that is longer
/// than a quote is clipped as a quote is, then the whole as a message.
pub fn clip_quotes(s: &str) -> Cow<'_, str> {
    let long_word = s
        .split_whitespace()
        .any(|w| w.char_indices().nth(MAX_QUOTED_CHARS).is_some());
    if !long_word {
        return clip_message(s);
    }
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() && out.len() < 4 * 4 * MAX_QUOTED_CHARS {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push_str(&clip(&rest[..word_end]));
        rest = &rest[word_end..];
        let gap_end = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&rest[..gap_end]);
        rest = &rest[gap_end..];
    }
    Cow::Owned(clip_message(&out).into_owned())
}

/// `s` with every character that a terminal would act on shown instead:
/// C0 and C1 controls, DEL, and the invisible characters that reorder or
/// hide text (bidirectional overrides, zero-width joiners). Escape shows as
/// `\e`, carriage return as `\r`, newline as `\n`, the others as `\x07` or
/// `\u{202e}`; a tab becomes a space. So a host name cannot retitle the
/// terminal, clear the screen, or overwrite a line of the table.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_showing) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_showing(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`] for a text whose line breaks are its own structure (a
/// rendered document, a multi-line error): newlines are kept.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_showing(c)) {
        return Cow::Borrowed(s);
    }
    let lines: Vec<Cow<str>> = s.split('\n').map(printable).collect();
    Cow::Owned(lines.join("\n"))
}

/// `s` with the characters XML 1.0 forbids even as character references
/// (C0 controls other than tab, newline and carriage return; U+FFFE and
/// U+FFFF) shown as [`printable`] shows them, so the document stays
/// well-formed whatever the input held.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if !s.chars().any(forbidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if forbidden(c) {
            push_shown(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_showing(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

fn push_shown(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push(' '),
        '\0' => out.push_str("\\0"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_with_its_size() {
        assert!(matches!(clip("ENCRYPT_METHOD SHA512"), Cow::Borrowed(_)));
        let line = "x".repeat(64 << 20);
        let c = clip(&line);
        assert_eq!(c, format!("{}…[67108864 bytes]", "x".repeat(200)));
        // Cut on a character, never inside one.
        let wide = "é".repeat(300);
        assert_eq!(clip(&wide), format!("{}…[600 bytes]", "é".repeat(200)));
        assert_eq!(clip(&"y".repeat(200)), "y".repeat(200));
    }

    #[test]
    fn long_words_of_a_message_are_clipped_as_quotes() {
        let word = "Q".repeat(1 << 20);
        let reason = format!("\"{word}\" is not a key");
        assert_eq!(
            clip_quotes(&reason),
            format!("\"{}…[1048578 bytes] is not a key", "Q".repeat(199))
        );
        let spaced = "ab ".repeat(1 << 20);
        assert!(clip_quotes(&spaced).chars().count() < 4 * MAX_QUOTED_CHARS + 20);
        assert_eq!(clip_quotes("short reason"), "short reason");
    }

    #[test]
    fn terminal_controls_are_shown_not_sent() {
        assert_eq!(
            printable("host\u{1b}]0;owned\u{7}\u{1b}[2J\rx\ny\tz"),
            "host\\e]0;owned\\x07\\e[2J\\rx\\ny z"
        );
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(printable("jörg 用户 ✅"), "jörg 用户 ✅");
        assert_eq!(printable_lines("a\u{1b}[2J\nb\r"), "a\\e[2J\nb\\r");
    }

    #[test]
    fn xml_forbidden_characters_are_replaced_and_allowed_ones_kept() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\td\ne\rf"), "a\\0b\\ec\td\ne\rf");
        assert_eq!(xml_safe("\u{ffff}"), "\\u{ffff}");
        assert_eq!(xml_safe("\u{85}é"), "\u{85}é");
    }
}
