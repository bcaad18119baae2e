//! Oracle TPD `syscheck` output: the platform health check of Tekelec/Oracle
//! servers (EPAP, ELAP, LSMS, Policy Management CMP/MPE/MRA).
//!
//! `syscheck` runs its modules class by class. Each class opens with a
//! `Running modules in class NAME...` line and closes with a verdict word on
//! its own, indented line. The normal form, `syscheck`:
//!
//! ```text
//! Running modules in class disk...
//!                                  OK
//!
//! Running modules in class hardware...
//!                                  OK
//!
//! Running modules in class proc...
//!                                  OK
//!
//! LOG LOCATION: /var/TKLC/log/syscheck/fail_log
//! ```
//!
//! The verbose form, `syscheck -v` (or `syscheck -v proc` for one class),
//! adds one line per module message inside a class, `module: text`:
//!
//! ```text
//! Running modules in class disk...
//!           fs: Current file space use in "/var/TKLC" is 64%.
//!           fs: Current Inode used in "/var/TKLC" is 95%.
//!                                  OK
//! Running modules in class proc...
//!           run: Checking smartd...
//!           run: Found 1 instance(s) of the smartd process.
//!                                  OK
//! ```
//!
//! Older releases (LSMS, ELAP) end with the log location on two lines, and
//! LSMS prints the class result once more before the verdict:
//!
//! ```text
//! Running modules in class proc...
//!           run: Checking sshd...
//!           run: Found 7 instance(s) of the sshd process.
//! Return string: "OK"
//!                                  OK
//! The log is available at:
//!   -->/var/TKLC/log/syscheck/fail_log
//! ```
//!
//! A module that finds a problem prints a failure line naming the alarm's
//! severity and its 16-hex-digit alarm data string; the class then ends with
//! a `One or more module in class "NAME" FAILED` line, or a verdict word
//! other than `OK`:
//!
//! ```text
//! Running modules in class disk...
//!           fs: FAILURE:: MAJOR::3000000000000002 -- Server Disk Space Shortage Error
//! One or more module in class "disk" FAILED
//!
//! Running modules in class net...
//!           ping: FAILURE:: MINOR::5000000000000002 -- Server Provisioning Network Error
//!                                  FAILURE
//!
//! Failures occured during system check. The failure log is available at:
//!   -->/var/TKLC/log/syscheck/fail_log
//! ```
//!
//! # Lines
//!
//! Leading and trailing blanks are ignored, and so are blank lines.
//!
//! - Class line: `Running modules in class NAME...` opens a class named by
//!   the text before the dots. A verdict word printed on the same line after
//!   the dots is that class's verdict.
//! - Verdict: a line holding one upper-case word (`OK`, `FAILED`, `FAILURE`,
//!   `WARNING`, …), or `One or more module(s) in class "NAME" WORD`, whose
//!   last word is the verdict. When a class prints more than one verdict, a
//!   verdict other than `OK` replaces an `OK`; other repeats are kept as
//!   messages.
//! - Failure: a line whose text, after an optional `module: ` and `*`,
//!   starts with `FAILURE`. Its severity is the first of `CRITICAL`, `MAJOR`
//!   or `MINOR` in it (kept lower-case) and its alarm the first token of
//!   exactly 16 hex digits, both looked for before ` -- ` (the alarm's
//!   description); either is `None` when missing. `text` is the line after
//!   `module: `.
//! - Message: `module: text`, where the module is one word of letters,
//!   digits, `_`, `-` or `.`.
//! - Any other line inside a class is a message with module `""` (such as
//!   LSMS's `Return string: "OK"`): the wording changes between releases,
//!   and a line `syscheck` added should not make the whole file unreadable.
//! - Log location: `LOG LOCATION: PATH`, or `-->PATH` either on its own line
//!   or after `The log is available at:` (also in `Failures occured during
//!   system check. The failure log is available at:`). The last one wins.
//! - Text before the first class line (a shell prompt, a banner) is ignored.
//!
//! A class is `ok` when its verdict is `OK` and it printed no failure line.
//! A class cut off before its verdict has `verdict: None` and is not ok.
//! Non-blank text without any class line is Malformed at its first non-blank
//! line; a collector message (`syscheck: command not found`) is
//! NotApplicable.

use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

/// One `syscheck` run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Syscheck {
    /// Classes in the order printed.
    pub classes: Vec<SyscheckClass>,
    /// The fail log `syscheck` named, when it did.
    pub log_location: Option<String>,
}

/// One `Running modules in class …` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyscheckClass {
    /// 1-based line of the `Running modules in class` line.
    pub line: usize,
    pub name: String,
    /// `OK`, `FAILED`, … as printed; `None` when the block has no verdict
    /// (output cut short).
    pub verdict: Option<String>,
    /// 1-based line of the verdict.
    pub verdict_line: Option<usize>,
    /// The verdict is `OK` and no failure line was printed.
    pub ok: bool,
    pub failures: Vec<SyscheckFailure>,
    pub messages: Vec<ModuleMessage>,
}

/// A `FAILURE` line: an alarm raised by a module.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyscheckFailure {
    /// 1-based line.
    pub line: usize,
    /// The module that printed it (`fs`, `ping`); `None` for a bare line.
    pub module: Option<String>,
    /// `critical`, `major` or `minor`.
    pub severity: Option<String>,
    /// The 16-hex-digit alarm data string, as printed.
    pub alarm: Option<String>,
    /// The line after `module: `, trimmed.
    pub text: String,
}

/// A line printed inside a class that is neither a verdict nor a failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleMessage {
    /// 1-based line.
    pub line: usize,
    /// The module (`fs`, `run`); `""` for a line without one.
    pub module: String,
    pub text: String,
}

const CLASS_LINE: &str = "Running modules in class";

/// Parses the saved output of `syscheck` or `syscheck -v`.
pub fn parse(text: &str) -> Outcome<Syscheck> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut classes: Vec<SyscheckClass> = Vec::new();
    let mut log_location = None;
    for (no, line) in numbered_lines(text) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix(CLASS_LINE) {
            let (name, after) = match rest.split_once("...") {
                Some((name, after)) => (name, after.trim_start_matches('.')),
                // A line cut inside the dots still names its class.
                None => (rest.trim_end_matches('.'), ""),
            };
            let name = name.trim();
            if name.is_empty() {
                return Outcome::malformed(no, format!("'{}' names no class", shown(line)));
            }
            let mut class = SyscheckClass {
                line: no,
                name: name.to_string(),
                verdict: None,
                verdict_line: None,
                ok: false,
                failures: Vec::new(),
                messages: Vec::new(),
            };
            let after = after.trim();
            if !after.is_empty() {
                inside(&mut class, no, after);
            }
            classes.push(class);
            continue;
        }
        if let Some(trailer) = log_trailer(line) {
            if let Some(path) = trailer {
                log_location = Some(path);
            }
            continue;
        }
        if let Some(class) = classes.last_mut() {
            inside(class, no, line);
        }
    }
    if classes.is_empty() {
        // collector_message answered for files with no non-blank line.
        let no = numbered_lines(text)
            .find(|(_, l)| !l.trim().is_empty())
            .map_or(1, |(no, _)| no);
        return Outcome::malformed(no, "no \"Running modules in class\" line found");
    }
    for class in &mut classes {
        class.ok = class.verdict.as_deref() == Some("OK") && class.failures.is_empty();
    }
    Outcome::parsed(Syscheck {
        classes,
        log_location,
    })
}

/// Files one trimmed, non-blank line printed inside `class`.
fn inside(class: &mut SyscheckClass, no: usize, line: &str) {
    if let Some(verdict) = verdict(line) {
        let replaces = match class.verdict.as_deref() {
            None => true,
            Some(current) => current == "OK" && verdict != "OK",
        };
        if replaces {
            class.verdict = Some(verdict.to_string());
            class.verdict_line = Some(no);
            return;
        }
    }
    let (module, text) = match split_module(line) {
        Some((module, text)) => (Some(module), text),
        None => (None, line),
    };
    if is_failure(text) {
        let head = text.split_once(" -- ").map_or(text, |(head, _)| head);
        let words = || head.split(|c: char| c.is_whitespace() || c == ':' || c == '*');
        let severity = words().find_map(|w| {
            ["critical", "major", "minor"]
                .into_iter()
                .find(|s| w.eq_ignore_ascii_case(s))
        });
        let alarm = words().find(|w| w.len() == 16 && w.bytes().all(|b| b.is_ascii_hexdigit()));
        class.failures.push(SyscheckFailure {
            line: no,
            module: module.map(str::to_string),
            severity: severity.map(str::to_string),
            alarm: alarm.map(str::to_string),
            text: text.to_string(),
        });
        return;
    }
    class.messages.push(ModuleMessage {
        line: no,
        module: module.unwrap_or_default().to_string(),
        text: text.to_string(),
    });
}

/// The verdict a line states: a lone upper-case word, or the last word of
/// `One or more module in class "NAME" FAILED`.
fn verdict(line: &str) -> Option<&str> {
    let is_word = |w: &str| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_uppercase());
    if is_word(line) {
        return Some(line);
    }
    let head = line.get(..18)?;
    if !head.eq_ignore_ascii_case("one or more module") {
        return None;
    }
    let last = line.split_whitespace().next_back()?;
    let last = last.trim_end_matches(['.', '!']);
    (line.contains(" class ") && !last.is_empty() && last.bytes().all(|b| b.is_ascii_alphabetic()))
        .then_some(last)
}

/// `module: text` → (`module`, `text`), the text trimmed.
fn split_module(line: &str) -> Option<(&str, &str)> {
    let (module, rest) = line.split_once(':')?;
    let is_module = !module.is_empty()
        && module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    // `FAILURE:: MAJOR::…` is not a module called FAILURE.
    let spaced = rest.is_empty() || rest.starts_with(char::is_whitespace);
    (is_module && spaced).then(|| (module, rest.trim()))
}

/// Text (after the module) that reports an alarm.
fn is_failure(text: &str) -> bool {
    let text = text.trim_start_matches('*').trim_start();
    text.strip_prefix("FAILURE").is_some_and(|rest| {
        rest.is_empty() || rest.starts_with(|c: char| c == ':' || c.is_whitespace())
    })
}

/// A line naming the fail log: `Some(Some(path))` when it gives the path,
/// `Some(None)` for `The log is available at:` with the path on the next
/// line, `None` for any other line.
fn log_trailer(line: &str) -> Option<Option<String>> {
    let path = |p: &str| {
        let p = p.trim();
        (!p.is_empty()).then(|| p.to_string())
    };
    if let Some(head) = line.get(..13)
        && head.eq_ignore_ascii_case("LOG LOCATION:")
    {
        return Some(path(line.get(13..).unwrap_or_default()));
    }
    if let Some(rest) = line.strip_prefix("-->") {
        return Some(path(rest));
    }
    const AVAILABLE: &str = "log is available at:";
    let at = line.to_ascii_lowercase().find(AVAILABLE)?;
    let after = line.get(at + AVAILABLE.len()..).unwrap_or_default();
    Some(after.trim().strip_prefix("-->").and_then(path))
}

/// At most 60 characters of `s`, for messages.
fn shown(s: &str) -> String {
    crate::parse::clipped(s, 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Absence;
    use crate::parse::testing::{
        junk, lcg_junk, malformed, not_applicable, parse_every_prefix, parsed,
    };

    const NORMAL: &str = "\
Running modules in class disk...
                                 OK

Running modules in class hardware...
                                 OK

Running modules in class proc...
                                 OK

LOG LOCATION: /var/TKLC/log/syscheck/fail_log
";

    const VERBOSE: &str = "\
Running modules in class disk...
          fs: Current file space use in \"/var/TKLC\" is 64%.
          fs: Current Inode used in \"/var/TKLC\" is 95%.
                                 OK
Running modules in class proc...
          run: Checking smartd...
          run: Found 1 instance(s) of the smartd process.
                                 OK
";

    const OLDER: &str = "\
Running modules in class proc...
          run: Checking sshd...
          run: Found 7 instance(s) of the sshd process.
Return string: \"OK\"
                                 OK
The log is available at:
  -->/var/TKLC/log/syscheck/fail_log
";

    const FAILED: &str = "\
Running modules in class disk...
          fs: FAILURE:: MAJOR::3000000000000002 -- Server Disk Space Shortage Error
One or more module in class \"disk\" FAILED

Running modules in class net...
          ping: FAILURE:: MINOR::5000000000000002 -- Server Provisioning Network Error
                                 FAILURE

Failures occured during system check. The failure log is available at:
  -->/var/TKLC/log/syscheck/fail_log
";

    fn message(line: usize, module: &str, text: &str) -> ModuleMessage {
        ModuleMessage {
            line,
            module: module.into(),
            text: text.into(),
        }
    }

    fn class(line: usize, name: &str, verdict_line: usize) -> SyscheckClass {
        SyscheckClass {
            line,
            name: name.into(),
            verdict: Some("OK".into()),
            verdict_line: Some(verdict_line),
            ok: true,
            failures: Vec::new(),
            messages: Vec::new(),
        }
    }

    #[test]
    fn normal_output() {
        let s = parsed(&parse(NORMAL), "normal");
        assert_eq!(
            s,
            Syscheck {
                classes: vec![
                    class(1, "disk", 2),
                    class(4, "hardware", 5),
                    class(7, "proc", 8),
                ],
                log_location: Some("/var/TKLC/log/syscheck/fail_log".into()),
            }
        );
    }

    #[test]
    fn verbose_output() {
        let s = parsed(&parse(VERBOSE), "verbose");
        let mut disk = class(1, "disk", 4);
        disk.messages = vec![
            message(2, "fs", "Current file space use in \"/var/TKLC\" is 64%."),
            message(3, "fs", "Current Inode used in \"/var/TKLC\" is 95%."),
        ];
        let mut proc = class(5, "proc", 8);
        proc.messages = vec![
            message(6, "run", "Checking smartd..."),
            message(7, "run", "Found 1 instance(s) of the smartd process."),
        ];
        assert_eq!(
            s,
            Syscheck {
                classes: vec![disk, proc],
                log_location: None,
            }
        );
    }

    #[test]
    fn older_trailer_and_return_string() {
        let s = parsed(&parse(OLDER), "older");
        let mut proc = class(1, "proc", 5);
        proc.messages = vec![
            message(2, "run", "Checking sshd..."),
            message(3, "run", "Found 7 instance(s) of the sshd process."),
            message(4, "", "Return string: \"OK\""),
        ];
        assert_eq!(
            s,
            Syscheck {
                classes: vec![proc],
                log_location: Some("/var/TKLC/log/syscheck/fail_log".into()),
            }
        );
    }

    #[test]
    fn failures_and_failed_verdicts() {
        let s = parsed(&parse(FAILED), "failed");
        assert_eq!(
            s,
            Syscheck {
                classes: vec![
                    SyscheckClass {
                        line: 1,
                        name: "disk".into(),
                        verdict: Some("FAILED".into()),
                        verdict_line: Some(3),
                        ok: false,
                        failures: vec![SyscheckFailure {
                            line: 2,
                            module: Some("fs".into()),
                            severity: Some("major".into()),
                            alarm: Some("3000000000000002".into()),
                            text: "FAILURE:: MAJOR::3000000000000002 -- Server Disk Space Shortage Error"
                                .into(),
                        }],
                        messages: Vec::new(),
                    },
                    SyscheckClass {
                        line: 5,
                        name: "net".into(),
                        verdict: Some("FAILURE".into()),
                        verdict_line: Some(7),
                        ok: false,
                        failures: vec![SyscheckFailure {
                            line: 6,
                            module: Some("ping".into()),
                            severity: Some("minor".into()),
                            alarm: Some("5000000000000002".into()),
                            text: "FAILURE:: MINOR::5000000000000002 -- Server Provisioning Network Error"
                                .into(),
                        }],
                        messages: Vec::new(),
                    },
                ],
                log_location: Some("/var/TKLC/log/syscheck/fail_log".into()),
            }
        );
    }

    #[test]
    fn failure_line_variants() {
        let text = "\
Running modules in class hardware...
FAILURE:: CRITICAL::1000000000000040 -- Server Fan Failure
          fan: * FAILURE::critical::1000000000000040
          mem: FAILURE
          fs: FAILURE:: MAJOR::TKSPLATMA2 -- 16 hex digits: abcdefabcdefabcd
          fs: Failure count is 0
                                 OK
";
        let s = parsed(&parse(text), "variants");
        let c = &s.classes[0];
        let got: Vec<_> = c
            .failures
            .iter()
            .map(|f| {
                (
                    f.line,
                    f.module.as_deref(),
                    f.severity.as_deref(),
                    f.alarm.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, None, Some("critical"), Some("1000000000000040")),
                (3, Some("fan"), Some("critical"), Some("1000000000000040")),
                (4, Some("mem"), None, None),
                // The description after ` -- ` is not searched for an alarm.
                (5, Some("fs"), Some("major"), None),
            ]
        );
        assert_eq!(
            c.failures[0].text,
            "FAILURE:: CRITICAL::1000000000000040 -- Server Fan Failure"
        );
        assert_eq!(c.failures[1].text, "* FAILURE::critical::1000000000000040");
        // Prose is not a failure line; a failure makes an OK class not ok.
        assert_eq!(c.messages, [message(6, "fs", "Failure count is 0")]);
        assert_eq!(c.verdict.as_deref(), Some("OK"));
        assert!(!c.ok);
    }

    #[test]
    fn verdict_variants() {
        let text = "\
Running modules in class disk...                                 OK
Running modules in class net...
                                 WARNING
Running modules in class proc...
                                 OK
One or more modules in class proc FAILED.
Running modules in class system...
                                 FAILED
                                 OK
Running modules in class upgrade...
";
        let s = parsed(&parse(text), "verdicts");
        let got: Vec<_> = s
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.verdict.as_deref(), c.verdict_line, c.ok))
            .collect();
        assert_eq!(
            got,
            [
                ("disk", Some("OK"), Some(1), true),
                ("net", Some("WARNING"), Some(3), false),
                ("proc", Some("FAILED"), Some(6), false),
                ("system", Some("FAILED"), Some(8), false),
                // Cut before its verdict.
                ("upgrade", None, None, false),
            ]
        );
        // The OK after FAILED does not replace it; it is kept.
        assert_eq!(s.classes[3].messages, [message(9, "", "OK")]);
    }

    #[test]
    fn unknown_lines_inside_a_class_are_messages() {
        let text = "\
[admusr@cmp-east-a ~]$ sudo syscheck -v
Running modules in class proc...
Checking something new in this release
          run: 
  http://x: y
                                 OK
";
        let s = parsed(&parse(text), "unknown");
        assert_eq!(s.classes.len(), 1);
        assert_eq!(s.classes[0].line, 2);
        assert_eq!(
            s.classes[0].messages,
            [
                message(3, "", "Checking something new in this release"),
                message(4, "run", ""),
                message(5, "", "http://x: y"),
            ]
        );
        assert!(s.classes[0].ok);
    }

    #[test]
    fn class_line_cut_inside_the_dots() {
        let s = parsed(&parse("Running modules in class disk..\n"), "cut");
        assert_eq!(s.classes[0].name, "disk");
        assert_eq!(s.classes[0].verdict, None);
        let m = malformed(&parse("Running modules in class ...\n  OK\n"), "no name");
        assert_eq!(m.line, 1);
        assert!(m.reason.contains("names no class"), "{}", m.reason);
    }

    #[test]
    fn log_location_forms() {
        let at = |text: &str| parsed(&parse(text), text).log_location;
        let head = "Running modules in class disk...\n OK\n";
        assert_eq!(
            at(&format!(
                "{head}The log is available at: -->/opt/TKLCplat/log/syscheck/fail_log\n"
            )),
            Some("/opt/TKLCplat/log/syscheck/fail_log".into())
        );
        assert_eq!(
            at(&format!("{head}-->   /a\nLOG LOCATION: /b\n")),
            Some("/b".into())
        );
        assert_eq!(at(&format!("{head}LOG LOCATION:\n")), None);
        assert_eq!(at(&format!("{head}The log is available at:\n")), None);
    }

    #[test]
    fn crlf_is_stripped() {
        let s = parsed(&parse(&FAILED.replace('\n', "\r\n")), "crlf");
        assert_eq!(s, parsed(&parse(FAILED), "lf"));
        let s = parsed(&parse(&NORMAL.replace('\n', "\r\n")), "crlf");
        assert_eq!(
            s.log_location.as_deref(),
            Some("/var/TKLC/log/syscheck/fail_log")
        );
        assert!(s.classes.iter().all(|c| c.ok));
    }

    #[test]
    fn text_without_a_class_is_malformed() {
        let m = malformed(&parse("\n\nsyscheck: some other output\n"), "other");
        assert_eq!(m.line, 3);
        assert!(
            m.reason.contains("Running modules in class"),
            "{}",
            m.reason
        );
        let m = malformed(&parse("LOG LOCATION: /x\n"), "only trailer");
        assert_eq!(m.line, 1);
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let na = not_applicable(&parse("bash: syscheck: command not found\n"), "missing");
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(na.line, Some(1));
        let na = not_applicable(
            &parse("sudo: /usr/TKLC/plat/bin/syscheck: Permission denied\r\n"),
            "denied",
        );
        assert_eq!(na.kind, Absence::ToolMissing);
        assert_eq!(not_applicable(&parse(" \n"), "empty").kind, Absence::Empty);
    }

    #[test]
    fn serialises_with_snake_case_fields() {
        let json = serde_json::to_value(parse(FAILED)).unwrap();
        assert_eq!(json["outcome"], "parsed");
        let disk = &json["records"]["classes"][0];
        assert_eq!(disk["verdict_line"], 3);
        assert_eq!(disk["ok"], false);
        assert_eq!(disk["failures"][0]["alarm"], "3000000000000002");
        assert_eq!(
            json["records"]["log_location"],
            "/var/TKLC/log/syscheck/fail_log"
        );
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            NORMAL.into(),
            VERBOSE.into(),
            OLDER.into(),
            FAILED.into(),
            "Running modules in class é...\n  fs: FAILURE:: MAJOR::ééééééééééééééé -- ü\n".into(),
            "Running modules in class\nOne or more module\n-->\nLOG LOCATION:é\n".into(),
            "Running modules in class 日本...\n\u{0}: \u{feff}FAILURE\n一 or more module in class\n"
                .into(),
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 2048)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 2048)).into_owned());
            // Junk inside a class, so the line classifiers see it.
            let body = String::from_utf8_lossy(&junk(seed + 100, 1024)).into_owned();
            inputs.push(format!("Running modules in class disk...\n{body}"));
        }
        parse_every_prefix(&inputs, parse);
    }
}
