//! The cluster patch installer's error output: `patch.err`.
//!
//! The installer writes the errors of its last run here, as it shows them
//! on screen; an empty file means the run wrote none. Every non-blank line
//! is one error line, kept as printed (trailing blanks and CR removed):
//!
//! ```text
//! cannot replace /opt/app/lib/libnet.so: No space left on device
//! cannot restore /opt/app/bin/appserver from /var/opt/app/patch/backup/appserver.4180: Input/output error
//! patch APP-7.2.0-F3 not installed
//! ```
//!
//! The file is not checked against a collector message (`No such file or
//! directory` is an ordinary error of the installer). A line holding a
//! control character other than a tab, or a byte that is not UTF-8, is not
//! text the installer wrote: the file is Malformed at that line.

use serde::Serialize;

use crate::parse::{Outcome, numbered_lines};

/// One error line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrLine {
    /// 1-based line.
    pub line: usize,
    pub text: String,
}

/// Parses a `patch.err`.
pub fn parse(text: &str) -> Outcome<Vec<ErrLine>> {
    let mut lines = Vec::new();
    for (no, line) in numbered_lines(text) {
        if let Some(c) = line
            .chars()
            .find(|&c| (c.is_control() && c != '\t') || c == '\u{fffd}')
        {
            return Outcome::malformed(
                no,
                format!("the line holds {c:?}, which is not text the installer writes"),
            );
        }
        let text = line.trim_end();
        if !text.trim().is_empty() {
            lines.push(ErrLine {
                line: no,
                text: text.to_string(),
            });
        }
    }
    Outcome::parsed(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, junk, parse_every_prefix, parsed};

    #[test]
    fn documentation_example_parses() {
        let blocks = testing::doc_text_blocks(include_str!("patch_err.rs"));
        let got = parsed(&parse(&blocks[0]), "doc");
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].line, 3);
        assert_eq!(got[2].text, "patch APP-7.2.0-F3 not installed");
    }

    #[test]
    fn blank_and_empty() {
        assert_eq!(parsed(&parse(""), "empty"), vec![]);
        assert_eq!(parsed(&parse("\n  \r\n"), "blank"), vec![]);
        let got = parsed(&parse("\n\tcp: x: No such file or directory  \r\n"), "tab");
        assert_eq!(got[0].line, 2);
        assert_eq!(got[0].text, "\tcp: x: No such file or directory");
    }

    #[test]
    fn binary_is_malformed_at_its_line() {
        let m = testing::malformed(&parse("ok\nbad\u{1}\n"), "ctrl");
        assert_eq!(m.line, 2);
        let text = String::from_utf8_lossy(b"ok\n\xff\xfe\n").into_owned();
        let m = testing::malformed(&parse(&text), "utf8");
        assert_eq!(m.line, 2);
    }

    #[test]
    fn truncated_and_junk_never_panic() {
        let mut inputs = testing::doc_text_blocks(include_str!("patch_err.rs"));
        for (i, _) in inputs[0].char_indices() {
            let lines = parsed(&parse(&inputs[0][..i]), "prefix");
            assert!(lines.len() <= 3);
        }
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 256)).into_owned());
        }
        parse_every_prefix(&inputs, parse);
    }
}
