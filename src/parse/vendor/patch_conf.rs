//! The cluster patch installer's settings: `patch.conf`.
//!
//! Shell-style `KEY=value` lines, as the installer reads them. The one key
//! upcheck needs is `PATCH_HISTORY_DIR`, the folder where the installer
//! keeps the patch history (one record per installed patch, see
//! [`super::patch_record`]); it must be an absolute path, because the
//! snapshot keeps the folder at the same path under the node folder.
//!
//! ```text
//! # patch.conf: settings of the cluster patch installer
//! INSTALL_ROOT=/opt/app
//! PATCH_HISTORY_DIR=/var/opt/app/patch/history
//! export PATCH_BACKUP_DIR="/var/opt/app/patch/backup"
//! ```
//!
//! # Lines
//!
//! - Blank lines and lines starting with `#` are skipped.
//! - `KEY=value`, optionally preceded by `export `. The key is letters,
//!   digits and `_`, not starting with a digit. Spaces around the `=` are
//!   not allowed by the shell and make the line Malformed. The value may be
//!   wrapped in one pair of `"` or `'` quotes, which are removed; a `#` after
//!   unquoted blanks starts a comment (`DIR=/x  # note`).
//! - When a key is set twice, the last line wins, as in the shell.
//!
//! Any other line is Malformed at that line. A file without a
//! `PATCH_HISTORY_DIR` line, or with a value that is not an absolute path,
//! is Malformed at its last line (or at the offending line), since the
//! installer could not find its history either.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::parse::{Absence, Outcome, clipped, numbered_lines};

/// The key naming the history folder.
pub const HISTORY_KEY: &str = "PATCH_HISTORY_DIR";

/// The settings of one `patch.conf`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchConf {
    /// `PATCH_HISTORY_DIR`, an absolute path.
    pub history_dir: String,
    /// 1-based line that set it.
    pub history_dir_line: usize,
    /// Every key with its value, the last setting of each.
    pub settings: BTreeMap<String, String>,
}

/// Parses a `patch.conf`.
pub fn parse(text: &str) -> Outcome<PatchConf> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut settings = BTreeMap::new();
    let mut history: Option<(String, usize)> = None;
    let mut last = 0;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        last = no;
        let assignment = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((key, raw)) = assignment.split_once('=') else {
            return Outcome::malformed(
                no,
                format!("expected KEY=value, got '{}'", clipped(trimmed, 60)),
            );
        };
        if !is_key(key) {
            return Outcome::malformed(
                no,
                format!(
                    "'{}' is not a setting name (letters, digits and _, no spaces around =)",
                    clipped(key, 40)
                ),
            );
        }
        let value = match unquote(raw) {
            Ok(v) => v,
            Err(why) => return Outcome::malformed(no, format!("{key}: {why}")),
        };
        if key == HISTORY_KEY {
            if !value.starts_with('/') {
                return Outcome::malformed(
                    no,
                    format!(
                        "{HISTORY_KEY} must be an absolute path, got '{}'",
                        clipped(&value, 60)
                    ),
                );
            }
            history = Some((value.clone(), no));
        }
        settings.insert(key.to_string(), value);
    }
    if last == 0 {
        return Outcome::not_applicable(Absence::Empty, "the file holds no settings", None);
    }
    match history {
        Some((history_dir, history_dir_line)) => Outcome::parsed(PatchConf {
            history_dir,
            history_dir_line,
            settings,
        }),
        None => Outcome::malformed(last, format!("no {HISTORY_KEY}= line")),
    }
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value without its quotes or trailing comment.
fn unquote(raw: &str) -> Result<String, String> {
    for quote in ['"', '\''] {
        if let Some(rest) = raw.strip_prefix(quote) {
            let Some((inner, after)) = rest.split_once(quote) else {
                return Err(format!("the value has no closing {quote}"));
            };
            let after = after.trim();
            if !(after.is_empty() || after.starts_with('#')) {
                return Err(format!(
                    "text after the closing quote: '{}'",
                    clipped(after, 40)
                ));
            }
            return Ok(inner.to_string());
        }
    }
    let value = match raw.find(" #").or_else(|| raw.find("\t#")) {
        Some(i) => &raw[..i],
        None => raw,
    };
    let value = value.trim_end();
    if value.contains(char::is_whitespace) {
        return Err(format!(
            "an unquoted value with blanks: '{}'",
            clipped(value, 40)
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, junk, lcg_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("patch_conf.rs"))
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    #[test]
    fn documentation_example_parses() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 1);
        let conf = parsed(&parse(&blocks[0]), "doc");
        assert_eq!(conf.history_dir, "/var/opt/app/patch/history");
        assert_eq!(conf.history_dir_line, 3);
        assert_eq!(conf.settings["INSTALL_ROOT"], "/opt/app");
        assert_eq!(
            conf.settings["PATCH_BACKUP_DIR"],
            "/var/opt/app/patch/backup"
        );
        assert_eq!(conf.settings.len(), 3);
    }

    #[test]
    fn quotes_comments_and_repeats() {
        let conf = parsed(
            &parse("PATCH_HISTORY_DIR=/a\r\nPATCH_HISTORY_DIR='/b c'  # moved\nX=1 # one\n"),
            "repeat",
        );
        assert_eq!(conf.history_dir, "/b c");
        assert_eq!(conf.history_dir_line, 2);
        assert_eq!(conf.settings["X"], "1");
        let conf = parsed(&parse("\u{feff}PATCH_HISTORY_DIR=/h\nEMPTY=\n"), "bom");
        assert_eq!(conf.settings["EMPTY"], "");
    }

    #[test]
    fn bad_lines_are_malformed_at_their_line() {
        for (text, line, needle) in [
            ("PATCH_HISTORY_DIR=/h\nnonsense\n", 2, "expected KEY=value"),
            ("PATCH_HISTORY_DIR = /h\n", 1, "not a setting name"),
            ("A=1\nPATCH_HISTORY_DIR=history\n", 2, "absolute path"),
            ("PATCH_HISTORY_DIR=\"/h\n", 1, "no closing"),
            ("PATCH_HISTORY_DIR=\"/h\" x\n", 1, "after the closing quote"),
            ("PATCH_HISTORY_DIR=/a b\n", 1, "unquoted value with blanks"),
            ("1X=2\nPATCH_HISTORY_DIR=/h\n", 1, "not a setting name"),
            (
                "# settings\nINSTALL_ROOT=/opt/app\n\n",
                2,
                "no PATCH_HISTORY_DIR",
            ),
        ] {
            let (got_line, why) = malformed(text);
            assert_eq!(got_line, line, "{text:?}: {why}");
            assert!(why.contains(needle), "{text:?}: {why}");
        }
    }

    #[test]
    fn empty_is_not_applicable() {
        for text in ["", "\n# only a comment\n"] {
            let na = testing::not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty);
        }
    }

    #[test]
    fn truncated_and_junk_never_panic() {
        let mut inputs = doc_blocks();
        // A file cut inside its PATCH_HISTORY_DIR line is either a shorter
        // path or malformed; never a parse without the key.
        for (i, _) in inputs[0].char_indices() {
            if let Outcome::Parsed { records } = parse(&inputs[0][..i]) {
                assert!(records.history_dir.starts_with('/'));
            }
        }
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 256)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 256)).into_owned());
        }
        parse_every_prefix(&inputs, parse);
    }
}
