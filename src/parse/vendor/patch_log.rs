//! The cluster patch installer's log: `patch.log`.
//!
//! The installer appends one line per step of a run: the start, each file
//! checked and replaced, the errors it met, the reversal of a run it could
//! not complete, and the completion. A run that started and has no
//! completion line did not finish: the cluster may hold a mix of older and
//! newer files.
//!
//! ```text
//! 2026-11-20 22:05:11 INFO  start install patch APP-7.2.0-F3 (fix)
//! 2026-11-20 22:05:12 INFO  /opt/app/bin/appserver: cluster build 4180, patch build 4210
//! 2026-11-20 22:05:14 INFO  replaced /opt/app/bin/appserver (build 4210, 1859584 bytes)
//! 2026-11-20 22:05:15 ERROR size mismatch /opt/app/lib/libnet.so: current size 404992, history size 404480
//! 2026-11-20 22:05:15 INFO  reversing the update: restoring 1 file(s)
//! 2026-11-20 22:05:16 INFO  rollback complete: cluster remains in same state
//! ```
//!
//! A run that completed:
//!
//! ```text
//! 2026-09-15 02:10:31 INFO  start install patch APP-7.2.0-F2 (fix)
//! 2026-09-15 02:10:44 INFO  install complete: patch APP-7.2.0-F2, 2 file(s) replaced
//! ```
//!
//! # Lines
//!
//! `YYYY-MM-DD HH:MM:SS LEVEL TEXT`, UTC, where `LEVEL` is `INFO`,
//! `WARN`, `WARNING`, `ERROR` or `FATAL`, separated by blanks. A line
//! starting with a blank continues the entry above it (its text is
//! appended after a space). Blank lines are skipped; CRLF is accepted.
//! Any other line, a time that is not a date, or a continuation before the
//! first entry is Malformed at that line.
//!
//! Texts the installer writes with a meaning of their own:
//!
//! | text                                               | kind             |
//! |----------------------------------------------------|------------------|
//! | `start install patch ID (fix)`, `… (update)`       | `start`          |
//! | `install complete: patch ID…`                      | `complete`       |
//! | `rollback complete…`                               | `rolled-back`    |
//! | `size mismatch PATH: current size N, history size M` | `size-mismatch` |
//!
//! Every other entry is of kind `step`. An empty file is a log with no
//! runs.

use chrono::NaiveDateTime;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

use crate::model::vocabulary::vocabulary;
use crate::parse::vendor::patch_record::PatchType;
use crate::parse::{Outcome, clipped, numbered_lines};

vocabulary! {
    /// An entry's log level.
    pub enum LogLevel {
        Info = "info",
        Warn = "warn",
        // `ERROR` and `FATAL`.
        Error = "error",
    }
}

impl LogLevel {
    /// The level a printed level names; `None` for another word.
    pub fn from_vendor_word(word: &str) -> Option<LogLevel> {
        match word {
            "INFO" => Some(LogLevel::Info),
            "WARN" | "WARNING" => Some(LogLevel::Warn),
            "ERROR" | "FATAL" => Some(LogLevel::Error),
            _ => None,
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// 1-based line the entry starts on.
    pub line: usize,
    /// As printed.
    pub time: String,
    /// Seconds since 1970.
    pub epoch: i64,
    pub level: LogLevel,
    pub text: String,
    pub kind: EntryKind,
}

/// What an entry says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EntryKind {
    Start {
        patch: String,
        patch_type: PatchType,
    },
    Complete {
        patch: String,
    },
    RolledBack,
    SizeMismatch {
        path: String,
        current_size: u64,
        history_size: u64,
    },
    Step,
}

static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})\s+([A-Z]+)(?:\s+(.*))?$")
        .expect("constant pattern")
});
static START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^start install patch (\S+) \((fix|update)\)").expect("constant pattern")
});
static COMPLETE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^install complete: patch ([^\s,]+)").expect("constant pattern"));
static MISMATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^size mismatch (.+): current size ([0-9]{1,19}), history size ([0-9]{1,19})$")
        .expect("constant pattern")
});

/// Parses a `patch.log`.
pub fn parse(text: &str) -> Outcome<Vec<LogEntry>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries: Vec<LogEntry> = Vec::new();
    for (no, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(last) = entries.last_mut() else {
                return Outcome::malformed(no, "a continuation line before the first entry");
            };
            last.text.push(' ');
            last.text.push_str(line.trim());
            continue;
        }
        let Some(c) = ENTRY.captures(line) else {
            return Outcome::malformed(
                no,
                format!(
                    "expected 'YYYY-MM-DD HH:MM:SS LEVEL text', got '{}'",
                    clipped(line, 60)
                ),
            );
        };
        let time = &c[1];
        let Ok(at) = NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S") else {
            return Outcome::malformed(no, format!("'{time}' is not a date and time"));
        };
        let Some(level) = LogLevel::from_vendor_word(&c[2]) else {
            return Outcome::malformed(no, format!("'{}' is not a log level", clipped(&c[2], 20)));
        };
        let text = c.get(3).map_or("", |m| m.as_str()).trim().to_string();
        entries.push(LogEntry {
            line: no,
            time: time.to_string(),
            epoch: at.and_utc().timestamp(),
            level,
            kind: kind(&text),
            text,
        });
    }
    // The kind is decided on the whole entry, continuation lines included.
    for e in &mut entries {
        e.kind = kind(&e.text);
    }
    Outcome::parsed(entries)
}

fn kind(text: &str) -> EntryKind {
    if let Some(c) = START.captures(text) {
        let patch_type = if &c[2] == "fix" {
            PatchType::Fix
        } else {
            PatchType::Update
        };
        return EntryKind::Start {
            patch: c[1].to_string(),
            patch_type,
        };
    }
    if let Some(c) = COMPLETE.captures(text) {
        return EntryKind::Complete {
            patch: c[1].to_string(),
        };
    }
    if text.starts_with("rollback complete") {
        return EntryKind::RolledBack;
    }
    if let Some(c) = MISMATCH.captures(text)
        && let (Ok(current_size), Ok(history_size)) = (c[2].parse(), c[3].parse())
    {
        return EntryKind::SizeMismatch {
            path: c[1].to_string(),
            current_size,
            history_size,
        };
    }
    EntryKind::Step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, junk, lcg_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("patch_log.rs"))
    }

    fn kinds(entries: &[LogEntry]) -> Vec<&EntryKind> {
        entries.iter().map(|e| &e.kind).collect()
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 2);
        let partial = parsed(&parse(&blocks[0]), "partial");
        assert_eq!(partial.len(), 6);
        assert_eq!(
            kinds(&partial),
            vec![
                &EntryKind::Start {
                    patch: "APP-7.2.0-F3".into(),
                    patch_type: PatchType::Fix
                },
                &EntryKind::Step,
                &EntryKind::Step,
                &EntryKind::SizeMismatch {
                    path: "/opt/app/lib/libnet.so".into(),
                    current_size: 404_992,
                    history_size: 404_480,
                },
                &EntryKind::Step,
                &EntryKind::RolledBack,
            ]
        );
        assert_eq!(partial[3].level, LogLevel::Error);
        assert_eq!(partial[3].line, 4);
        assert_eq!(partial[0].epoch, 1_795_212_311);
        assert_eq!(partial[0].time, "2026-11-20 22:05:11");
        let complete = parsed(&parse(&blocks[1]), "complete");
        assert_eq!(
            complete[1].kind,
            EntryKind::Complete {
                patch: "APP-7.2.0-F2".into()
            }
        );
        assert_eq!(
            complete[1].text,
            "install complete: patch APP-7.2.0-F2, 2 file(s) replaced"
        );
    }

    #[test]
    fn continuations_levels_and_empty() {
        let text = "2026-01-01 00:00:00 FATAL cannot restore /a:\r\n   Input/output error\n\n2026-01-01 00:00:01 WARNING x\n2026-01-01 00:00:02 INFO\n";
        let got = parsed(&parse(text), "cont");
        assert_eq!(got[0].text, "cannot restore /a: Input/output error");
        assert_eq!(got[0].level, LogLevel::Error);
        assert_eq!(got[1].level, LogLevel::Warn);
        assert_eq!(got[2].text, "");
        assert_eq!(parsed(&parse(""), "empty"), vec![]);
        // A start split over two lines still counts.
        let got = parsed(
            &parse("2026-01-01 00:00:00 INFO start install patch\n  U2 (update)\n"),
            "split",
        );
        assert_eq!(
            got[0].kind,
            EntryKind::Start {
                patch: "U2".into(),
                patch_type: PatchType::Update
            }
        );
    }

    #[test]
    fn bad_lines_are_malformed_at_their_line() {
        for (text, line, needle) in [
            ("  orphan\n", 1, "continuation line before"),
            (
                "2026-01-01 00:00:00 INFO a\nOverwrite? [y/N] n\n",
                2,
                "expected 'YYYY-MM-DD",
            ),
            ("2026-13-01 00:00:00 INFO a\n", 1, "not a date"),
            ("2026-01-01 00:00:00 DEBUG a\n", 1, "not a log level"),
            ("2026-01-01 00:00 INFO a\n", 1, "expected"),
        ] {
            let m = testing::malformed(&parse(text), text);
            assert_eq!(m.line, line, "{text:?}: {}", m.reason);
            assert!(m.reason.contains(needle), "{text:?}: {}", m.reason);
        }
    }

    #[test]
    fn truncated_and_junk_never_panic() {
        let mut inputs = doc_blocks();
        // Cut anywhere, a log is malformed at a line or holds no more
        // entries than the whole one.
        for block in &inputs {
            let whole = parsed(&parse(block), "whole").len();
            for (i, _) in block.char_indices() {
                match parse(&block[..i]) {
                    Outcome::Parsed { records } => assert!(records.len() <= whole),
                    Outcome::Malformed(m) => assert!(m.line >= 1),
                    Outcome::NotApplicable(na) => panic!("{i}: {na:?}"),
                }
            }
        }
        for seed in 1..=16 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 256)).into_owned());
            let mut text = String::from("2026-11-20 22:05:11 INFO  ");
            for b in lcg_junk(seed as u32, 64) {
                text.push_str(
                    [
                        "size mismatch ",
                        "/a",
                        ": current size 1",
                        ", history size 2",
                        "\n",
                        " ",
                        "start install patch X (fix)",
                        "2026-11-20 22:05:11 ERROR ",
                        "9",
                    ][b as usize % 9],
                );
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
