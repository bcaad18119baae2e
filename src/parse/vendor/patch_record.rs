//! Patch records of the cluster patch installer: the history files in the
//! folder named by `PATCH_HISTORY_DIR`, and the manifest of a patch.
//!
//! Both list the files of one patch with the build number and size the
//! installer compares: a history file is written when a patch completes
//! and records what it installed; the manifest comes with the patch and
//! says what it will install. A patch is a *fix* (some files) or an
//! *update* (a full distribution).
//!
//! A history file, one per installed patch (any file name):
//!
//! ```text
//! # written by the installer when the patch completed
//! PATCH=APP-7.2.0-F2
//! TYPE=fix
//! INSTALLED=2026-09-15 02:10:44
//! /opt/app/bin/appserver 4180 1851392
//! /opt/app/scripts/failover.sh 4180 3968
//! ```
//!
//! The manifest of the patch about to be installed has no `INSTALLED`:
//!
//! ```text
//! PATCH=APP-7.2.0-F3
//! TYPE=fix
//! DESCRIPTION=appserver failover timer; libnet keepalive
//! /opt/app/bin/appserver 4210 1859584
//! /opt/app/lib/libnet.so 4210 406528
//! ```
//!
//! # Lines
//!
//! - Blank lines and lines starting with `#` are skipped; CRLF is accepted.
//! - `KEY=value` header lines, in any order and anywhere in the file:
//!   `PATCH` (the patch name, no blanks), `TYPE` (`fix` or `update`, any
//!   case) and, in a history file, `INSTALLED` (`YYYY-MM-DD HH:MM:SS` or
//!   `YYYY-MM-DDTHH:MM:SSZ`, UTC) are required, once each. Other upper-case
//!   keys (`DESCRIPTION`) are skipped.
//! - File records: `PATH BUILD SIZE`. The path is absolute (starts with
//!   `/`); the build number and the size in bytes are the last two
//!   blank-separated fields, so the path may hold blanks. A path listed
//!   twice is Malformed at its second line.
//!
//! Any other line is Malformed at that line, as is a file without a
//! required key or without a file record (at its last line): a history or
//! manifest cut short must not read as a smaller patch.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::model::vocabulary::{Vocabulary, vocabulary};
use crate::parse::{Absence, Outcome, clipped, numbered_lines};

vocabulary! {
    /// What a cluster patch replaces.
    pub enum PatchType {
        // Some files.
        Fix = "fix",
        // A full distribution.
        Update = "update",
    }
}

impl PatchType {
    /// The type a `TYPE=` value names, any case; `None` for another word.
    pub fn from_vendor_word(word: &str) -> Option<PatchType> {
        PatchType::from_word(&word.to_ascii_lowercase())
    }
}

/// One patch: a history file or a manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchRecord {
    pub patch: String,
    /// 1-based line of `PATCH=`.
    pub patch_line: usize,
    pub patch_type: PatchType,
    /// `INSTALLED` as printed (history only).
    pub installed: Option<String>,
    /// `INSTALLED` in seconds since 1970 (history only).
    pub installed_epoch: Option<i64>,
    /// Files in the order listed.
    pub files: Vec<PatchFile>,
}

/// One file of a patch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchFile {
    /// 1-based line.
    pub line: usize,
    pub path: String,
    pub build: u64,
    /// Bytes.
    pub size: u64,
}

/// Parses a history file (`INSTALLED` required).
pub fn parse_history(text: &str) -> Outcome<PatchRecord> {
    parse(text, true)
}

/// Parses a patch manifest (no `INSTALLED`).
pub fn parse_manifest(text: &str) -> Outcome<PatchRecord> {
    parse(text, false)
}

fn parse(text: &str, history: bool) -> Outcome<PatchRecord> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut patch: Option<(String, usize)> = None;
    let mut patch_type: Option<PatchType> = None;
    let mut installed: Option<(String, i64)> = None;
    let mut files: Vec<PatchFile> = Vec::new();
    let mut last = 0;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        last = no;
        if trimmed.starts_with('/') {
            match file_record(no, trimmed) {
                Ok(file) => {
                    if files.iter().any(|f| f.path == file.path) {
                        return Outcome::malformed(
                            no,
                            format!("{} is listed twice", clipped(&file.path, 80)),
                        );
                    }
                    files.push(file);
                }
                Err(why) => return Outcome::malformed(no, why),
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Outcome::malformed(
                no,
                format!(
                    "expected KEY=value or PATH BUILD SIZE, got '{}'",
                    clipped(trimmed, 60)
                ),
            );
        };
        let value = value.trim();
        let repeated = |key: &str| Outcome::malformed(no, format!("{key} is set twice"));
        match key {
            "PATCH" => {
                if patch.is_some() {
                    return repeated(key);
                }
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return Outcome::malformed(
                        no,
                        format!("PATCH '{}' is not a patch name", clipped(value, 40)),
                    );
                }
                patch = Some((value.to_string(), no));
            }
            "TYPE" => {
                if patch_type.is_some() {
                    return repeated(key);
                }
                let Some(known) = PatchType::from_vendor_word(value) else {
                    return Outcome::malformed(
                        no,
                        format!("TYPE '{}' is neither fix nor update", clipped(value, 40)),
                    );
                };
                patch_type = Some(known);
            }
            "INSTALLED" if history => {
                if installed.is_some() {
                    return repeated(key);
                }
                let Some(epoch) = epoch(value) else {
                    return Outcome::malformed(
                        no,
                        format!(
                            "INSTALLED '{}' is not YYYY-MM-DD HH:MM:SS",
                            clipped(value, 40)
                        ),
                    );
                };
                installed = Some((value.to_string(), epoch));
            }
            _ if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => {}
            _ => {
                return Outcome::malformed(
                    no,
                    format!("'{}' is not a record key", clipped(key, 40)),
                );
            }
        }
    }
    if last == 0 {
        return Outcome::not_applicable(Absence::Empty, "the file holds no patch record", None);
    }
    let missing: Vec<String> = [
        ("PATCH", patch.is_none()),
        ("TYPE", patch_type.is_none()),
        ("INSTALLED", history && installed.is_none()),
    ]
    .into_iter()
    .filter(|(_, absent)| *absent)
    .map(|(k, _)| format!("no {k} line"))
    .collect();
    if !missing.is_empty() {
        return Outcome::malformed(last, missing.join(", "));
    }
    if files.is_empty() {
        return Outcome::malformed(last, "no file record (PATH BUILD SIZE)");
    }
    let (patch, patch_line) = patch.expect("checked");
    let (installed, installed_epoch) = installed.map_or((None, None), |(t, e)| (Some(t), Some(e)));
    Outcome::parsed(PatchRecord {
        patch,
        patch_line,
        patch_type: patch_type.expect("checked"),
        installed,
        installed_epoch,
        files,
    })
}

/// `PATH BUILD SIZE`, the numbers taken from the right.
fn file_record(line: usize, text: &str) -> Result<PatchFile, String> {
    let bad = || format!("expected PATH BUILD SIZE, got '{}'", clipped(text, 80));
    let (rest, size) = text.rsplit_once(char::is_whitespace).ok_or_else(bad)?;
    let (path, build) = rest
        .trim_end()
        .rsplit_once(char::is_whitespace)
        .ok_or_else(bad)?;
    let number = |s: &str, what: &str| {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{what} '{}' is not a number", clipped(s, 20)));
        }
        s.parse::<u64>()
            .map_err(|_| format!("{what} '{}' is too large", clipped(s, 20)))
    };
    Ok(PatchFile {
        line,
        path: path.trim_end().to_string(),
        build: number(build, "build")?,
        size: number(size, "size")?,
    })
}

/// Seconds since 1970 of `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn epoch(text: &str) -> Option<i64> {
    let plain = text.strip_suffix('Z').unwrap_or(text).replacen('T', " ", 1);
    NaiveDateTime::parse_from_str(&plain, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, junk, lcg_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("patch_record.rs"))
    }

    fn malformed(out: Outcome<PatchRecord>, text: &str) -> (usize, String) {
        let m = testing::malformed(&out, text);
        (m.line, m.reason)
    }

    fn file(line: usize, path: &str, build: u64, size: u64) -> PatchFile {
        PatchFile {
            line,
            path: path.into(),
            build,
            size,
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        let history = parsed(&parse_history(&blocks[0]), "history");
        assert_eq!(
            history,
            PatchRecord {
                patch: "APP-7.2.0-F2".into(),
                patch_line: 2,
                patch_type: PatchType::Fix,
                installed: Some("2026-09-15 02:10:44".into()),
                installed_epoch: Some(1_789_438_244),
                files: vec![
                    file(5, "/opt/app/bin/appserver", 4180, 1_851_392),
                    file(6, "/opt/app/scripts/failover.sh", 4180, 3968),
                ],
            }
        );
        let manifest = parsed(&parse_manifest(&blocks[1]), "manifest");
        assert_eq!(manifest.patch, "APP-7.2.0-F3");
        assert_eq!(manifest.installed, None);
        assert_eq!(
            manifest.files,
            vec![
                file(4, "/opt/app/bin/appserver", 4210, 1_859_584),
                file(5, "/opt/app/lib/libnet.so", 4210, 406_528),
            ]
        );
        // A manifest is not a history: it says nothing of when.
        let (line, why) = malformed(parse_history(&blocks[1]), &blocks[1]);
        assert_eq!(line, 5);
        assert!(why.contains("no INSTALLED line"), "{why}");
    }

    #[test]
    fn paths_with_blanks_types_and_times() {
        let text = "PATCH=U1\r\nTYPE=Update\r\nINSTALLED=2026-03-10T08:00:00Z\r\n/opt/app/doc/read me.txt\t7 12\r\n";
        let rec = parsed(&parse_history(text), "blanks");
        assert_eq!(rec.patch_type, PatchType::Update);
        assert_eq!(rec.installed_epoch, Some(1_773_129_600));
        assert_eq!(rec.files, vec![file(4, "/opt/app/doc/read me.txt", 7, 12)]);
    }

    #[test]
    fn bad_lines_are_malformed_at_their_line() {
        let head = "PATCH=P\nTYPE=fix\nINSTALLED=2026-01-01 00:00:00\n";
        for (body, line, needle) in [
            ("/a 1 2\n/a 3 4\n", 5, "listed twice"),
            ("/a 1\n", 4, "expected PATH BUILD SIZE"),
            ("/a x 2\n", 4, "build 'x'"),
            ("/a 1 2k\n", 4, "size '2k'"),
            ("/a\n", 4, "expected PATH BUILD SIZE"),
            ("/a 1 99999999999999999999999\n", 4, "too large"),
            ("a 1 2\n", 4, "expected KEY=value"),
            ("TYPE=fix\n/a 1 2\n", 4, "TYPE is set twice"),
            ("lower=1\n/a 1 2\n", 4, "not a record key"),
            ("# no files\n", 3, "no file record"),
        ] {
            let text = format!("{head}{body}");
            let (got, why) = malformed(parse_history(&text), &text);
            assert_eq!(got, line, "{body:?}: {why}");
            assert!(why.contains(needle), "{body:?}: {why}");
        }
        for (text, line, needle) in [
            (
                "PATCH=P\nTYPE=hotfix\n/a 1 2\n",
                2,
                "neither fix nor update",
            ),
            ("PATCH=P Q\nTYPE=fix\n/a 1 2\n", 1, "not a patch name"),
            ("PATCH=P\nINSTALLED=yesterday\n", 2, "not YYYY-MM-DD"),
            ("TYPE=fix\n/a 1 2\n", 2, "no PATCH line, no INSTALLED line"),
        ] {
            let (got, why) = malformed(parse_history(text), text);
            assert_eq!(got, line, "{text:?}: {why}");
            assert!(why.contains(needle), "{text:?}: {why}");
        }
        // In a manifest INSTALLED is just another key.
        let rec = parsed(
            &parse_manifest("PATCH=P\nTYPE=fix\nINSTALLED=x\n/a 1 2\n"),
            "manifest",
        );
        assert_eq!(rec.files.len(), 1);
    }

    #[test]
    fn empty_is_not_applicable() {
        for text in ["", "# nothing\n\n"] {
            let na = testing::not_applicable(&parse_history(text), text);
            assert_eq!(na.kind, Absence::Empty);
        }
    }

    #[test]
    fn truncated_and_junk_never_panic() {
        let blocks = doc_blocks();
        // Cut anywhere, a record is malformed or lists no more files than
        // the whole one: it never gains a file.
        for block in &blocks {
            for (i, _) in block.char_indices() {
                for out in [parse_history(&block[..i]), parse_manifest(&block[..i])] {
                    if let Outcome::Parsed { records } = out {
                        assert!(records.files.len() <= 2);
                    }
                }
            }
        }
        let mut inputs = blocks;
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 256)).into_owned());
            let mut text = String::from("PATCH=P\nTYPE=fix\n");
            for b in lcg_junk(seed as u32, 64) {
                text.push_str(["/", "1", " ", "\n", "=", "x", "\t", "é", "9"][b as usize % 9]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse_history);
        parse_every_prefix(&inputs, parse_manifest);
    }
}
