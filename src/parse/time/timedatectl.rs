//! `timedatectl` (`timedatectl status`): what systemd knows of the clock and
//! of the NTP service, in every layout since systemd 2xx.
//!
//! ```text
//!                Local time: Mon 2022-11-14 22:37:01 EST
//!            Universal time: Tue 2022-11-15 03:37:01 UTC
//!                  RTC time: Tue 2022-11-15 03:37:40
//!                 Time zone: America/New_York (EST, -0500)
//! System clock synchronized: yes
//!               NTP service: active
//!           RTC in local TZ: no
//! ```
//!
//! The two lines that matter were renamed over the years (the versions are
//! those of the distributions where each layout is seen):
//!
//! | systemd | synchronised | NTP service |
//! |---|---|---|
//! | 219 (RHEL 7) | `NTP synchronized: yes` | `NTP enabled: yes` |
//! | 229 (Ubuntu 16.04) | `NTP synchronized: yes` | `Network time on: yes` |
//! | 237 (Ubuntu 18.04) | `System clock synchronized: yes` | `systemd-timesyncd.service active: yes` |
//! | 239 and later | `System clock synchronized: yes` | `NTP service: active` (`inactive`, `n/a`) |
//!
//! Keys are right-aligned, so each line is read as `key: value` after
//! trimming. Unknown keys, the DST continuation lines and the RTC warning
//! are skipped. Some captures keep the colour escapes of the warning
//! (`ESC[1;39m`, or a literal `^[[1;39m`); they are removed first.
//!
//! When the bus cannot be reached (a container without systemd) timedatectl
//! prints `Failed to create bus connection: …` or `Failed to query server:
//! …`: the status is not known, which is no finding on the clock.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::date;
use crate::parse::{Absence, Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedatectlStatus {
    /// `System clock synchronized` / `NTP synchronized`.
    pub synchronized: bool,
    /// 1-based line of the synchronised line.
    pub synchronized_line: usize,
    /// The synchronised line as printed (key and value), trimmed.
    pub synchronized_text: String,
    /// The NTP service line: key as printed and value (`active`, `yes`, `n/a`).
    pub ntp_service: Option<(String, String)>,
    /// `America/New_York` from `Time zone: America/New_York (EST, -0500)`.
    pub time_zone: Option<String>,
    /// `EST` from the same line.
    pub zone_abbreviation: Option<String>,
    /// `-0500` read as seconds east of UTC (-18000).
    pub utc_offset_s: Option<i32>,
    /// 1-based line of `Time zone`.
    pub time_zone_line: Option<usize>,
    /// `RTC in local TZ`.
    pub rtc_in_local_tz: Option<bool>,
}

/// Keys that say whether the clock is synchronised, newest first.
const SYNCHRONIZED_KEYS: [&str; 2] = ["System clock synchronized", "NTP synchronized"];

/// Keys that say whether the NTP service runs, newest first.
const SERVICE_KEYS: [&str; 4] = [
    "NTP service",
    "systemd-timesyncd.service active",
    "Network time on",
    "NTP enabled",
];

/// Colour escapes, raw or as a literal `^[` pair.
static ANSI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\x1b|\^\[)\[[0-9;]*m")
        // A constant pattern: it either always compiles or fails every test.
        .expect("ANSI is a valid regex")
});

/// `America/New_York (EST, -0500)`.
static TIME_ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\S+)\s*\(([^,()]*),\s*([+-]\d{4})\)$").expect("TIME_ZONE is a valid regex")
});

pub fn parse(text: &str) -> Outcome<TimedatectlStatus> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut status = Fields::default();
    let mut last_line = 1;
    for (no, raw) in numbered_lines(text) {
        let line = ANSI.replace_all(raw, "");
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        last_line = no;
        if line.starts_with("Failed to ") {
            return Outcome::not_applicable(
                Absence::ToolMissing,
                format!("timedatectl could not ask systemd: {line}"),
                Some(no),
            );
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if let Err(why) = status.take(no, line, key.trim(), value.trim()) {
            return Outcome::malformed(no, why);
        }
    }
    match status.finish() {
        Some(s) => Outcome::parsed(s),
        None if status.any_key => Outcome::malformed(
            last_line,
            "no `System clock synchronized:` or `NTP synchronized:` line",
        ),
        None => Outcome::malformed(
            1,
            "no timedatectl status lines (`Local time:`, `System clock synchronized:`, …)",
        ),
    }
}

/// The fields seen so far.
#[derive(Default)]
struct Fields {
    any_key: bool,
    synchronized: Option<(bool, usize, String)>,
    ntp_service: Option<(String, String)>,
    time_zone: Option<(String, Option<String>, Option<i32>, usize)>,
    rtc_in_local_tz: Option<bool>,
}

impl Fields {
    fn take(&mut self, no: usize, line: &str, key: &str, value: &str) -> Result<(), String> {
        if SYNCHRONIZED_KEYS.contains(&key) {
            self.any_key = true;
            // The first one printed wins; no layout prints two.
            if self.synchronized.is_none() {
                self.synchronized = Some((yes_no(key, value)?, no, line.to_string()));
            }
        } else if SERVICE_KEYS.contains(&key) {
            self.any_key = true;
            self.ntp_service
                .get_or_insert_with(|| (key.to_string(), value.to_string()));
        } else if key == "Time zone" {
            self.any_key = true;
            self.time_zone = Some(read_time_zone(value, no));
        } else if key == "RTC in local TZ" {
            self.any_key = true;
            self.rtc_in_local_tz = Some(yes_no(key, value)?);
        } else if matches!(key, "Local time" | "Universal time" | "RTC time") {
            self.any_key = true;
        }
        Ok(())
    }

    fn finish(&self) -> Option<TimedatectlStatus> {
        let (synchronized, synchronized_line, synchronized_text) = self.synchronized.clone()?;
        let (time_zone, zone_abbreviation, utc_offset_s, time_zone_line) = match &self.time_zone {
            Some((tz, abbr, off, line)) => (Some(tz.clone()), abbr.clone(), *off, Some(*line)),
            None => (None, None, None, None),
        };
        Some(TimedatectlStatus {
            synchronized,
            synchronized_line,
            synchronized_text,
            ntp_service: self.ntp_service.clone(),
            time_zone,
            zone_abbreviation,
            utc_offset_s,
            time_zone_line,
            rtc_in_local_tz: self.rtc_in_local_tz,
        })
    }
}

fn yes_no(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(format!("{key}: {other:?} is neither yes nor no")),
    }
}

/// `America/New_York (EST, -0500)`; `n/a` or a bare name keeps the name only.
fn read_time_zone(value: &str, no: usize) -> (String, Option<String>, Option<i32>, usize) {
    match TIME_ZONE.captures(value) {
        Some(c) => (
            c[1].to_string(),
            Some(c[2].trim().to_string()).filter(|a| !a.is_empty()),
            date::zone_offset(&c[3]),
            no,
        ),
        None => (value.to_string(), None, None, no),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::samples;

    fn parsed(text: &str) -> TimedatectlStatus {
        match parse(text) {
            Outcome::Parsed { records } => records,
            other => panic!("not parsed: {other:?}"),
        }
    }

    #[test]
    fn every_timedatectl_sample_has_its_expected_outcome() {
        // file -> (synchronized, NTP service line, UTC offset)
        type Expectation<'a> = (&'a str, bool, Option<(&'a str, &'a str)>, Option<i32>);
        let expected: &[Expectation] = &[
            (
                "timedatectl-hotsos-ceph-mon.txt",
                true,
                Some(("NTP service", "inactive")),
                Some(0),
            ),
            (
                "timedatectl-hotsos-kubernetes.txt",
                true,
                Some(("NTP service", "active")),
                Some(0),
            ),
            (
                "timedatectl-hotsos-openstack.txt",
                true,
                Some(("NTP service", "active")),
                Some(0),
            ),
            (
                "timedatectl-hotsos-rabbitmq.txt",
                true,
                Some(("NTP service", "inactive")),
                Some(0),
            ),
            (
                "timedatectl-hotsos-vault.txt",
                true,
                Some(("NTP service", "inactive")),
                Some(0),
            ),
            (
                "timedatectl-ic-test-est.txt",
                true,
                Some(("NTP service", "active")),
                Some(-18000),
            ),
            (
                "timedatectl-ic-test-rhel7-ansi-warning.txt",
                true,
                Some(("NTP enabled", "yes")),
                Some(-21600),
            ),
            (
                "timedatectl-ic-test-rhel7-dst.txt",
                true,
                Some(("NTP enabled", "yes")),
                Some(-18000),
            ),
            (
                "timedatectl-ic-test-rtc-local-warning.txt",
                true,
                Some(("NTP service", "active")),
                Some(-28800),
            ),
            (
                "timedatectl-jc-centos77.txt",
                true,
                Some(("NTP enabled", "yes")),
                Some(-25200),
            ),
            (
                "timedatectl-jc-rtc-local.txt",
                true,
                Some(("NTP service", "active")),
                Some(7200),
            ),
            (
                "timedatectl-jc-ubuntu1804.txt",
                true,
                Some(("systemd-timesyncd.service active", "yes")),
                Some(0),
            ),
        ];
        let mut seen = 0;
        for (name, text) in samples("timedatectl") {
            if name == "timedatectl-timesync-status-jc.txt" {
                // Another command (`timedatectl timesync-status`): no status lines.
                assert!(matches!(parse(&text), Outcome::Malformed(_)), "{name}");
                seen += 1;
                continue;
            }
            let &(_, synced, service, offset) = expected
                .iter()
                .find(|(f, ..)| *f == name)
                .unwrap_or_else(|| panic!("no expectation for {name}"));
            let s = parsed(&text);
            assert_eq!(s.synchronized, synced, "{name}");
            assert_eq!(
                s.ntp_service,
                service.map(|(k, v)| (k.to_string(), v.to_string())),
                "{name}"
            );
            assert_eq!(s.utc_offset_s, offset, "{name}");
            seen += 1;
        }
        assert_eq!(seen, expected.len() + 1);
    }

    #[test]
    fn the_rhel7_colour_codes_and_dst_lines_are_skipped() {
        let text = crate::parse::testing::sample(
            "timedatectl",
            "timedatectl-ic-test-rhel7-ansi-warning.txt",
        );
        let s = parsed(&text);
        assert_eq!(s.synchronized_line, 6);
        assert_eq!(s.synchronized_text, "NTP synchronized: yes");
        assert_eq!(s.rtc_in_local_tz, Some(true));
        assert_eq!(s.zone_abbreviation.as_deref(), Some("CST"));
        assert_eq!(s.time_zone.as_deref(), Some("America/Chicago"));
    }

    #[test]
    fn ubuntu_1604_network_time_on_and_unsynchronised() {
        let text = "      Local time: Wed 2016-11-02 10:15:01 CET\n  Universal time: Wed 2016-11-02 09:15:01 UTC\n        RTC time: Wed 2016-11-02 09:15:01\n       Time zone: Europe/Berlin (CET, +0100)\n Network time on: yes\nNTP synchronized: no\n RTC in local TZ: no\n";
        let s = parsed(text);
        assert!(!s.synchronized);
        assert_eq!(s.synchronized_line, 6);
        assert_eq!(
            s.ntp_service,
            Some(("Network time on".to_string(), "yes".to_string()))
        );
        assert_eq!(s.utc_offset_s, Some(3600));
    }

    #[test]
    fn n_a_zone_and_crlf_are_read() {
        let text = "               Local time: Thu 2022-02-10 09:47:45 UTC\r\n                Time zone: n/a\r\nSystem clock synchronized: no\r\n              NTP service: n/a\r\n";
        let s = parsed(text);
        assert!(!s.synchronized);
        assert_eq!(s.time_zone.as_deref(), Some("n/a"));
        assert_eq!(s.utc_offset_s, None);
        assert_eq!(
            s.ntp_service,
            Some(("NTP service".to_string(), "n/a".to_string()))
        );
    }

    #[test]
    fn bus_errors_and_collector_messages_are_not_applicable() {
        for text in [
            "Failed to create bus connection: No such file or directory\n",
            "Failed to query server: Connection timed out\n",
            "bash: timedatectl: command not found\n",
            "",
        ] {
            assert!(matches!(parse(text), Outcome::NotApplicable(_)), "{text:?}");
        }
    }

    #[test]
    fn a_bad_value_or_a_missing_sync_line_is_malformed_with_its_line() {
        let bad = "       Time zone: Etc/UTC (UTC, +0000)\nNTP synchronized: perhaps\n";
        assert_eq!(
            parse(bad).without_records(),
            Outcome::malformed(2, "NTP synchronized: \"perhaps\" is neither yes nor no")
        );
        let truncated = "               Local time: Thu 2022-02-10 09:47:45 UTC\n           Universal time: Thu 2022-02-10 09:47:45 UTC\n";
        assert!(matches!(
            parse(truncated),
            Outcome::Malformed(m) if m.line == 2
        ));
        assert!(matches!(
            parse("Wed May 14 14:22:18 UTC 2025\n"),
            Outcome::Malformed(m) if m.line == 1
        ));
    }
}
