//! The time stamp at the start of a log line, for log-pattern rules.
//!
//! Recognised at the start of the line, after an optional syslog priority
//! (`<34>`, `<34>1 `) and an optional `[`:
//!
//! - ISO 8601 / RFC 3339 and the forms vendor logs print:
//!   `2026-11-21T10:15:40Z`, `2026-11-21 10:15:40`, `2026-11-21 10:15:40,123`,
//!   `2026-11-21T10:15:40.123+08:00`;
//! - syslog and `journalctl` short form, `Nov 21 10:15:40` or `Nov  1 10:15:40`,
//!   which has no year: the year is the one that puts the line at most two
//!   days after the snapshot was collected (a log copied on 2 January holds
//!   lines from 31 December of the year before). Without a collection time
//!   the time is kept as text and has no epoch;
//! - the month-first form of vendor GUIs, `11/21/2026 10:15:40`.
//!
//! A time without an offset is taken as UTC, as the rest of upcheck does.
//! Anything else (kernel uptime stamps `[    0.000000]`, free text) has no
//! time.

use super::gui_time;
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

static PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:<[0-9]{1,3}>(?:[0-9] )?)?\[?").expect("constant pattern"));

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,9})?(?: ?(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)\b)?",
    )
    .expect("constant pattern")
});

static SYSLOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Z][a-z]{2}) {1,2}([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})\b")
        .expect("constant pattern")
});

static US: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2}\b")
        .expect("constant pattern")
});

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A time found on a line: as printed, and in seconds since 1970 when the
/// text pins it down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineTime {
    pub text: String,
    pub epoch: Option<i64>,
}

/// The time at the start of `line`. `collected_epoch` places year-less
/// syslog times.
pub fn line_time(line: &str, collected_epoch: Option<i64>) -> Option<LineTime> {
    let start = PREFIX.find(line).map_or(0, |m| m.end());
    let rest = &line[start..];
    if let Some(m) = ISO.find(rest) {
        return Some(LineTime {
            text: m.as_str().to_string(),
            epoch: gui_time::epoch(m.as_str()),
        });
    }
    if let Some(m) = US.find(rest) {
        return Some(LineTime {
            text: m.as_str().to_string(),
            epoch: gui_time::epoch(m.as_str()),
        });
    }
    let c = SYSLOG.captures(rest)?;
    let month = MONTHS.iter().position(|m| *m == &c[1])? as u32 + 1;
    let text = c[0].to_string();
    let num = |i: usize| c[i].parse::<u32>().ok();
    let (day, h, m, s) = (num(2)?, num(3)?, num(4)?, num(5)?);
    let epoch = collected_epoch.and_then(|collected| {
        let year = chrono::DateTime::from_timestamp(collected, 0)?.year();
        let at = |year: i32| {
            NaiveDate::from_ymd_opt(year, month, day)?
                .and_hms_opt(h, m, s)
                .map(|t| t.and_utc().timestamp())
        };
        match at(year) {
            Some(e) if e <= collected + 2 * 86_400 => Some(e),
            _ => at(year - 1),
        }
    });
    Some(LineTime { text, epoch })
}

/// A time text on its own (a rule's `time` capture), in any form above.
pub fn time_text(text: &str, collected_epoch: Option<i64>) -> LineTime {
    line_time(text.trim(), collected_epoch).unwrap_or_else(|| LineTime {
        text: text.trim().to_string(),
        epoch: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{junk, samples};

    // 2026-11-21T12:00:00Z
    const COLLECTED: i64 = 1_795_262_400;

    #[test]
    fn iso_forms_and_offsets() {
        let t = line_time("2026-11-21 10:15:40 ERROR x", None).unwrap();
        assert_eq!(t.text, "2026-11-21 10:15:40");
        assert_eq!(t.epoch, Some(COLLECTED - 6_260));
        let t = line_time("[2026-11-21T10:15:40.5+01:00] x", None).unwrap();
        assert_eq!(t.epoch, Some(COLLECTED - 6_260 - 3_600));
        let t = line_time("2026-11-21 10:15:40,123 INFO", None).unwrap();
        assert_eq!(t.epoch, Some(COLLECTED - 6_260));
        let t = line_time("<34>1 2026-11-21T10:15:40Z host app - -", None).unwrap();
        assert_eq!(t.epoch, Some(COLLECTED - 6_260));
        let t = line_time("11/21/2026 10:15:40 task failed", None).unwrap();
        assert_eq!(t.epoch, Some(COLLECTED - 6_260));
    }

    #[test]
    fn syslog_times_take_the_year_of_the_collection() {
        let t = line_time("Nov 21 10:15:40 host sshd[1]: x", Some(COLLECTED)).unwrap();
        assert_eq!(t.text, "Nov 21 10:15:40");
        assert_eq!(t.epoch, Some(COLLECTED - 6_260));
        // Two days ahead is still this year (a clock off, a zone); more is last year.
        let ahead = line_time("Nov 23 10:15:40 h x", Some(COLLECTED)).unwrap();
        assert_eq!(ahead.epoch, Some(COLLECTED - 6_260 + 2 * 86_400));
        let last_year = line_time("Dec 31 23:59:59 h x", Some(COLLECTED)).unwrap();
        assert!(last_year.epoch.unwrap() < COLLECTED - 300 * 86_400);
        let single_digit = line_time("Nov  1 00:00:00 h x", Some(COLLECTED)).unwrap();
        assert_eq!(single_digit.text, "Nov  1 00:00:00");
        assert_eq!(line_time("Nov 21 10:15:40 h", None).unwrap().epoch, None);
        // 29 February of a year that has none falls back a year, then gives up.
        assert!(
            line_time("Feb 30 10:00:00 h", Some(COLLECTED))
                .unwrap()
                .epoch
                .is_none()
        );
    }

    #[test]
    fn lines_without_a_time_have_none() {
        for line in [
            "[    0.000000] Linux version 3.10.0",
            "Strange line",
            "",
            "2026-13-45",
            "Foo 21 10:15:40 x",
        ] {
            assert_eq!(line_time(line, Some(COLLECTED)), None, "{line}");
        }
        assert_eq!(time_text(" soon ", None).text, "soon");
    }

    #[test]
    fn every_real_syslog_line_has_a_time() {
        for kind in ["messages", "yum-log"] {
            for (name, text) in samples(kind) {
                let mut timed = 0;
                for line in text.lines() {
                    if line.starts_with("-- ") || line.starts_with('[') || line.is_empty() {
                        continue;
                    }
                    match line_time(line, Some(COLLECTED)) {
                        Some(t) => {
                            timed += 1;
                            assert!(t.epoch.is_some(), "{name}: {line}");
                        }
                        None => assert!(
                            !SYSLOG.is_match(line) && !line.as_bytes()[0].is_ascii_digit(),
                            "{name}: no time read from {line:?}"
                        ),
                    }
                }
                assert!(timed > 0 || name.contains("dmesg"), "{name}: no timed line");
            }
        }
    }

    #[test]
    fn junk_never_panics() {
        for seed in 0..64 {
            let text = String::from_utf8_lossy(&junk(seed, 2048)).into_owned();
            for line in text.lines() {
                let _ = line_time(line, Some(COLLECTED));
                let _ = line_time(&format!("Nov 21 10:15:40{line}"), Some(i64::MAX));
            }
        }
    }
}
