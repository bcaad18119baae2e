//! Log-pattern rules: a rule's `[log]` table names log files of the node
//! (globs relative to the node folder) and a regular expression; every line
//! that matches becomes an element of the rule's `matches` list, with its
//! named captures, its time and the lines around it.

use super::node_facts::NodeFacts;
use super::problem::FactProblem;
use crate::parse::clipped;
use crate::parse::time::log_time::{self, LineTime};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

/// Lines kept around a match, at most.
const MAX_CONTEXT: usize = 20;
/// Matches kept per rule and node; the latest win, as the last failure
/// of a log is usually the one that mattered.
const MAX_MATCHES: usize = 1000;
/// Characters kept of one log line.
const MAX_LINE: usize = 300;
/// How far back a line without a time looks for the time of its entry.
const TIME_LOOKBACK: usize = 50;

/// The `[log]` table of a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    pub files: Vec<String>,
    pub pattern: String,
    pub near: Option<String>,
    pub near_lines: Option<usize>,
    #[serde(default)]
    pub context: usize,
    #[serde(default)]
    pub keep: Keep,
}

/// Which matches of a file a rule keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Keep {
    #[default]
    All,
    /// The last match of each file: with several failures in a log, the
    /// last is usually the fatal one.
    Last,
}

/// A compiled `[log]` table.
#[derive(Debug)]
pub struct LogPattern {
    pub files: Vec<String>,
    globs: GlobSet,
    pattern: Regex,
    near: Option<Regex>,
    near_lines: usize,
    context: usize,
    keep: Keep,
}

/// Why a `[log]` table cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum LogPatternError {
    #[error("log.files is empty: name the logs the rule reads")]
    NoFiles,
    #[error("log.files `{glob}`: {source}")]
    Glob {
        glob: String,
        source: globset::Error,
    },
    #[error("log.files: {0}")]
    Globs(globset::Error),
    #[error("log.{key}: {source}")]
    Regex {
        key: &'static str,
        source: regex::Error,
    },
    #[error("log.context is at most {MAX_CONTEXT} lines")]
    Context,
}

/// What a scan found: the files read (as shown in findings) and the matches.
pub struct LogScan {
    pub files: Vec<String>,
    pub matches: Vec<Json>,
}

impl LogPattern {
    pub fn compile(section: &LogSection) -> Result<LogPattern, LogPatternError> {
        if section.files.is_empty() {
            return Err(LogPatternError::NoFiles);
        }
        let mut globs = GlobSetBuilder::new();
        for f in &section.files {
            let glob =
                Glob::new(f.trim_start_matches('/')).map_err(|source| LogPatternError::Glob {
                    glob: f.clone(),
                    source,
                })?;
            globs.add(glob);
        }
        let globs = globs.build().map_err(LogPatternError::Globs)?;
        let regex = |key, text: &str| {
            Regex::new(text).map_err(|source| LogPatternError::Regex { key, source })
        };
        let pattern = regex("pattern", &section.pattern)?;
        let near = (section.near.as_deref())
            .map(|near| regex("near", near))
            .transpose()?;
        if section.context > MAX_CONTEXT {
            return Err(LogPatternError::Context);
        }
        Ok(LogPattern {
            files: section.files.clone(),
            globs,
            pattern,
            near,
            near_lines: section.near_lines.unwrap_or(3).min(MAX_CONTEXT),
            context: section.context,
            keep: section.keep,
        })
    }

    /// Whether `rel`, a path relative to the node folder, is one of the
    /// logs the rule reads.
    pub fn reads(&self, rel: &str) -> bool {
        self.globs.is_match(rel)
    }

    /// Scans the node's logs. No file matching `files` is a Missing problem;
    /// an unreadable file is skipped (it becomes a tool finding) unless no
    /// file could be read.
    pub fn scan(&self, facts: &mut NodeFacts) -> Result<LogScan, FactProblem> {
        // The node fact is built once per node and cached.
        let collected = facts
            .get_shared("node")
            .ok()
            .and_then(|node| node.get("collected_epoch").and_then(Json::as_i64));
        let names: Vec<String> = facts
            .files()
            .iter()
            .filter(|f| self.globs.is_match(f.as_str()))
            .cloned()
            .collect();
        if names.is_empty() {
            return Err(FactProblem::Missing {
                input: "log".into(),
                looked_for: self.files.clone(),
            });
        }
        let mut scan = LogScan {
            files: vec![],
            matches: vec![],
        };
        let mut last_problem = None;
        for name in names {
            let path = facts.node.dir.join(&name);
            let shown = match facts.read_file(&path) {
                Ok(shown) => shown,
                Err(problem) => {
                    last_problem = Some(problem);
                    continue;
                }
            };
            let read = &facts.reads[&shown];
            let found = self.scan_text(&shown, &read.rel, &read.text, collected);
            scan.files.push(shown);
            scan.matches.extend(found);
        }
        if scan.files.is_empty()
            && let Some(problem) = last_problem
        {
            return Err(problem);
        }
        if scan.matches.len() > MAX_MATCHES {
            scan.matches.drain(..scan.matches.len() - MAX_MATCHES);
        }
        Ok(scan)
    }

    /// The matches of one file; `shown` is its path in findings, `rel` the
    /// path inside the node folder (stable, for rule keys).
    fn scan_text(&self, shown: &str, rel: &str, text: &str, collected: Option<i64>) -> Vec<Json> {
        let lines: Vec<&str> = text.lines().collect();
        let mut found = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(caps) = self.pattern.captures(line) else {
                continue;
            };
            let mut captures = Map::new();
            for name in self.pattern.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    captures.insert(name.to_string(), json!(m.as_str()));
                }
            }
            let mut near_match = Json::Null;
            if let Some(near) = &self.near {
                let window =
                    i.saturating_sub(self.near_lines)..(i + self.near_lines + 1).min(lines.len());
                let Some((j, near_caps)) = window
                    .clone()
                    .find_map(|j| near.captures(lines[j]).map(|c| (j, c)))
                else {
                    continue;
                };
                for name in near.capture_names().flatten() {
                    if let Some(m) = near_caps.name(name) {
                        captures
                            .entry(name.to_string())
                            .or_insert_with(|| json!(m.as_str()));
                    }
                }
                near_match = json!({"line": j + 1, "text": clipped(lines[j], MAX_LINE)});
            }
            let time = match caps.name("time") {
                Some(m) => Some(log_time::time_text(m.as_str(), collected)),
                None => entry_time(&lines, i, collected),
            };
            let (time_text, epoch) = match time {
                Some(LineTime { text, epoch }) => (Json::from(text), json!(epoch)),
                None => (Json::Null, Json::Null),
            };
            // `7: text` around the match, `8> text` for the match itself.
            let numbered = |j: usize| {
                let mark = if j == i { '>' } else { ':' };
                format!("{}{mark} {}", j + 1, clipped(lines[j], MAX_LINE))
            };
            let from = i.saturating_sub(self.context);
            let to = (i + self.context + 1).min(lines.len());
            let plain = |range: std::ops::Range<usize>| -> Vec<String> {
                range.map(|j| clipped(lines[j], MAX_LINE)).collect()
            };
            let context: Vec<String> = if self.context == 0 {
                vec![]
            } else {
                (from..to).map(numbered).collect()
            };
            found.push(json!({
                "file": shown,
                "rel": rel,
                "line": i + 1,
                "text": clipped(line, MAX_LINE),
                "time": time_text,
                "epoch": epoch,
                "captures": captures,
                "near": near_match,
                "before": plain(from..i),
                "after": plain(i + 1..to),
                "source": {"file": shown, "line": i + 1, "context": context},
            }));
        }
        if self.keep == Keep::Last && found.len() > 1 {
            found.drain(..found.len() - 1);
        }
        found
    }
}

/// The time of the entry line `i` belongs to: its own, else that of the
/// nearest line above it that has one (a stack trace under its message).
fn entry_time(lines: &[&str], i: usize, collected: Option<i64>) -> Option<LineTime> {
    (i.saturating_sub(TIME_LOOKBACK)..=i)
        .rev()
        .find_map(|j| log_time::line_time(lines[j], collected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(toml_text: &str) -> LogPattern {
        let section: LogSection = toml::from_str(toml_text).unwrap();
        LogPattern::compile(&section).unwrap()
    }

    const LOG: &str = "\
2026-11-21 10:00:00 INFO start
2026-11-21 10:01:00 ERROR copy of a.iso failed
  at step 3
2026-11-21 10:02:00 INFO retry
2026-11-21 10:03:00 ERROR copy of b.iso failed
java.io.IOException: No space left on device
2026-11-21 10:04:00 INFO end
";

    #[test]
    fn matches_carry_captures_time_and_context() {
        let p = pattern(
            "files = ['x.log']\npattern = 'ERROR copy of (?P<package>\\S+) failed'\ncontext = 1",
        );
        let found = p.scan_text("n/x.log", "x.log", LOG, None);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0]["line"], 2);
        assert_eq!(found[0]["captures"]["package"], "a.iso");
        assert_eq!(found[0]["time"], "2026-11-21 10:01:00");
        assert!(found[0]["epoch"].is_i64());
        assert_eq!(
            found[0]["before"],
            json!(["2026-11-21 10:00:00 INFO start"])
        );
        assert_eq!(found[0]["after"], json!(["  at step 3"]));
        assert_eq!(
            found[0]["source"]["context"],
            json!([
                "1: 2026-11-21 10:00:00 INFO start",
                "2> 2026-11-21 10:01:00 ERROR copy of a.iso failed",
                "3:   at step 3"
            ])
        );
    }

    #[test]
    fn keep_last_keeps_the_last_match_of_a_file() {
        let p = pattern("files = ['x.log']\npattern = 'ERROR'\nkeep = 'last'");
        let found = p.scan_text("x.log", "x.log", LOG, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["line"], 5);
    }

    #[test]
    fn a_line_without_a_time_takes_its_entry_time() {
        let p = pattern("files = ['x.log']\npattern = 'No space left on device'");
        let found = p.scan_text("x.log", "x.log", LOG, None);
        assert_eq!(found[0]["time"], "2026-11-21 10:03:00");
    }

    #[test]
    fn near_requires_a_second_pattern_close_by() {
        let p = pattern(
            "files = ['x.log']\npattern = 'No space'\nnear = 'copy of (?P<package>\\S+)'\nnear_lines = 1",
        );
        let found = p.scan_text("x.log", "x.log", LOG, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["captures"]["package"], "b.iso");
        assert_eq!(found[0]["near"]["line"], 5);
        let far =
            pattern("files = ['x.log']\npattern = 'INFO end'\nnear = 'start'\nnear_lines = 2");
        assert!(far.scan_text("x.log", "x.log", LOG, None).is_empty());
    }

    #[test]
    fn real_logs_give_timed_matches() {
        use crate::parse::testing::samples;
        let p = pattern(
            "files = ['x']\npattern = '(?i)\\b(?:error|fail(?:ed|ure)?|session opened)\\b'\ncontext = 2",
        );
        let mut found = 0;
        for (name, text) in samples("messages") {
            for m in p.scan_text(&name, &name, &text, Some(1_795_262_400)) {
                found += 1;
                let line = m["line"].as_u64().unwrap() as usize;
                assert_eq!(m["text"], text.lines().nth(line - 1).unwrap(), "{name}");
                let context = m["source"]["context"].as_array().unwrap();
                assert!(
                    context
                        .iter()
                        .any(|l| l.as_str().unwrap().starts_with(&format!("{line}> ")))
                );
                if !name.starts_with("dmesg") {
                    assert!(m["epoch"].is_i64(), "{name}:{line} has no time");
                }
            }
        }
        assert!(found > 0, "the samples hold error and session lines");
    }

    #[test]
    fn bad_tables_are_refused() {
        for (text, want) in [
            ("files = []\npattern = 'x'", "log.files is empty"),
            ("files = ['a']\npattern = '('", "log.pattern"),
            ("files = ['a[']\npattern = 'x'", "log.files `a[`"),
            ("files = ['a']\npattern = 'x'\ncontext = 99", "at most 20"),
        ] {
            let section: LogSection = toml::from_str(text).unwrap();
            let err = LogPattern::compile(&section).unwrap_err();
            assert!(err.to_string().contains(want), "{err}");
        }
    }
}
