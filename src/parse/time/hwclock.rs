//! `hwclock` / `hwclock --show` output: the hardware clock (RTC) reading.
//!
//! Accepted forms, one reading per file (the first non-blank line that
//! parses, so `--verbose` chatter or a stray warning above it is skipped):
//!
//! - util-linux ≥ 2.32, ISO 8601 with the local offset:
//!   `2026-11-20 08:00:01.204113+00:00`;
//! - older util-linux, local time with the zone abbreviation, 12- or 24-hour
//!   per locale: `Fri 20 Nov 2026 08:00:46 AM UTC  -0.531722 seconds`,
//!   `Thu 04 Jun 2015 14:33:04 CEST  -0.672623 seconds`;
//! - the oldest, without a zone: `Tue May 30 13:08:42 2017  -0.500000 seconds`.
//!   This is local time with an unknown offset, so `epoch` is `None`.
//!
//! The trailing `-0.531722 seconds` is how long `hwclock` waited for the
//! clock tick before reading, not the clock's drift, so it is dropped.
//!
//! A file that only says the clock cannot be reached (`Cannot access the
//! Hardware Clock via any known method.`, a clock-tick timeout, `No usable
//! clock interface found`, or a missing `/dev/rtc*`) is NotApplicable with
//! kind NoDevice: VMs and containers often have no RTC. Note that `hwclock`
//! run without root prints the same `Cannot access` message. A collector
//! message (`command not found`, `failed to run command`) is ToolMissing.

use std::sync::LazyLock;

use regex::Regex;

use super::date::{ClockReading, excerpt, parse_wall};
use crate::parse::{Absence, Outcome, collector_message, numbered_lines};

/// Messages meaning the command ran but found no hardware clock to read.
const NO_DEVICE: [&str; 3] = [
    "Cannot access the Hardware Clock via any known method",
    "to wait for clock tick timed out",
    "No usable clock interface found",
];

static READ_DELAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)\s+[-+]?[0-9]+(?:\.[0-9]+)?\s+seconds$").expect("constant pattern")
});

/// Parses `hwclock` output.
pub fn parse(text: &str) -> Outcome<ClockReading> {
    let mut first_failure: Option<(usize, String)> = None;
    let mut no_device: Option<(usize, &str)> = None;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let reading = match READ_DELAY.captures(trimmed).and_then(|c| c.get(1)) {
            Some(time) => parse_wall(time.as_str()),
            None => parse_wall(trimmed),
        };
        match reading {
            Ok(reading) => return Outcome::parsed(reading.at(no, trimmed)),
            Err(why) => {
                first_failure.get_or_insert((no, why));
            }
        }
        if no_device.is_none() && says_no_device(trimmed) {
            no_device = Some((no, trimmed));
        }
    }
    // A reading wins over a warning next to it; only without one does the
    // message decide.
    if let Some((no, message)) = no_device {
        return Outcome::not_applicable(
            Absence::NoDevice,
            format!("no hardware clock to read: {}", excerpt(message)),
            Some(no),
        );
    }
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let (no, why) = first_failure.unwrap_or((1, "no hardware clock reading found".into()));
    Outcome::malformed(no, format!("not a hwclock reading: {why}"))
}

/// Checked before the collector messages: `cannot open /dev/rtc0: No such
/// file or directory` names a missing device, not a missing tool.
fn says_no_device(line: &str) -> bool {
    let missing_rtc = (line.contains("/dev/rtc") || line.contains("/dev/misc/rtc"))
        && (line.contains("No such file or directory") || line.contains("No such device"));
    missing_rtc || NO_DEVICE.iter().any(|m| line.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::NotApplicable;
    use crate::parse::testing::{close_some, junk, malformed, not_applicable, parsed, samples};

    fn reading(text: &str) -> ClockReading {
        parsed(&parse(text), text)
    }

    fn absence(text: &str) -> NotApplicable {
        not_applicable(&parse(text), text)
    }

    fn malformed_line(text: &str) -> usize {
        malformed(&parse(text), text).line
    }

    enum Expect {
        Reading {
            local: &'static str,
            zone: &'static str,
            epoch: f64,
        },
        Absent(Absence, usize),
    }

    fn expected(name: &str) -> Option<Expect> {
        use Expect::*;
        Some(match name {
            "hwclock-hotsos-kubernetes.txt" => Reading {
                local: "2022-02-11T19:23:40.393733",
                zone: "+00:00",
                epoch: 1644607420.393733,
            },
            "hwclock-hotsos-openstack.txt" => Reading {
                local: "2022-02-10T16:19:16.999455",
                zone: "+00:00",
                epoch: 1644509956.999455,
            },
            "hwclock-hotsos-rabbitmq.txt" => Absent(Absence::NoDevice, 1),
            // `timeout: failed to run command ‘hwclock’` with curly quotes.
            "hwclock-hotsos-sunbeam.txt" => Absent(Absence::ToolMissing, 1),
            "hwclock-sos-rhcos.txt" => Reading {
                local: "2019-10-02T02:54:24.942284",
                zone: "+00:00",
                epoch: 1569984864.942284,
            },
            _ => return None,
        })
    }

    #[test]
    fn every_real_world_sample_parses_as_expected() {
        let samples = samples("hwclock");
        let names: Vec<&str> = samples.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names.len(), 5, "sample count changed: {names:?}");
        for (name, text) in &samples {
            let want =
                expected(name).unwrap_or_else(|| panic!("no expectation listed for sample {name}"));
            match want {
                Expect::Reading { local, zone, epoch } => {
                    let got = reading(text);
                    assert_eq!(got.line, 1, "{name}");
                    assert_eq!(got.local.as_deref(), Some(local), "{name}");
                    assert_eq!(got.zone.as_deref(), Some(zone), "{name}");
                    assert_eq!(got.utc_offset_s, Some(0), "{name}");
                    assert!(close_some(got.epoch, epoch), "{name}: {got:?}");
                }
                Expect::Absent(kind, line) => {
                    let na = absence(text);
                    assert_eq!((na.kind, na.line), (kind, Some(line)), "{name}");
                }
            }
        }
    }

    #[test]
    fn iso_form() {
        let r = reading("2026-11-20 08:00:01.204113+00:00\n");
        assert_eq!(
            r,
            ClockReading {
                line: 1,
                text: "2026-11-20 08:00:01.204113+00:00".into(),
                local: Some("2026-11-20T08:00:01.204113".into()),
                zone: Some("+00:00".into()),
                utc_offset_s: Some(0),
                epoch: Some(1795161601.204113),
            }
        );
        let r = reading("2026-11-20 16:00:01.204113+08:00");
        assert!(close_some(r.epoch, 1795161601.204113));
    }

    #[test]
    fn older_form_with_zone_and_read_delay() {
        let r = reading("Fri 20 Nov 2026 08:00:46 AM UTC  -0.531722 seconds\n");
        assert_eq!(r.text, "Fri 20 Nov 2026 08:00:46 AM UTC  -0.531722 seconds");
        assert_eq!(r.local.as_deref(), Some("2026-11-20T08:00:46"));
        assert_eq!(r.zone.as_deref(), Some("UTC"));
        // The delay is not added to the reading.
        assert!(close_some(r.epoch, 1795161646.0));

        let r = reading("Tue 30 May 2017 01:08:42 PM EDT  -0.500000 seconds");
        assert_eq!(r.local.as_deref(), Some("2017-05-30T13:08:42"));
        assert_eq!(r.utc_offset_s, Some(-4 * 3600));
        assert!(close_some(r.epoch, 1496164122.0));

        let r = reading("Thu 04 Jun 2015 14:33:04 CEST  -0.672623 seconds");
        assert_eq!(r.local.as_deref(), Some("2015-06-04T14:33:04"));
        assert_eq!(r.utc_offset_s, Some(2 * 3600));
        assert!(close_some(r.epoch, 1433421184.0));

        let r = reading("Tue 30 May 2017 12:08:42 AM EDT  0.500000 seconds");
        assert_eq!(r.local.as_deref(), Some("2017-05-30T00:08:42"));
        let r = reading("Tue 30 May 2017 12:08:42 PM EDT  -0.500000 seconds");
        assert_eq!(r.local.as_deref(), Some("2017-05-30T12:08:42"));
    }

    #[test]
    fn oldest_form_has_no_zone() {
        let r = reading("Tue May 30 13:08:42 2017  -0.500000 seconds\n");
        assert_eq!(r.local.as_deref(), Some("2017-05-30T13:08:42"));
        assert_eq!((r.zone, r.utc_offset_s, r.epoch), (None, None, None));
    }

    #[test]
    fn ambiguous_zone_gives_no_epoch() {
        let r = reading("Fri 24 Jun 2016 09:13:34 AM CST  -0.500000 seconds");
        assert_eq!(r.zone.as_deref(), Some("CST"));
        assert_eq!((r.utc_offset_s, r.epoch), (None, None));
    }

    #[test]
    fn no_device() {
        let text = "hwclock: Cannot access the Hardware Clock via any known method.\n\
                    hwclock: Use the --verbose option to see the details of our search for an access method.\n";
        let na = absence(text);
        assert_eq!((na.kind, na.line), (Absence::NoDevice, Some(1)));
        assert!(na.reason.contains("Cannot access"), "{}", na.reason);
        for text in [
            "select() to /dev/rtc0 to wait for clock tick timed out\n",
            "hwclock: select() to /dev/rtc to wait for clock tick timed out\n",
            "No usable clock interface found.\nhwclock: Cannot access the Hardware Clock via any known method.\n",
            "hwclock: cannot open /dev/rtc0: No such file or directory\n",
        ] {
            assert_eq!(absence(text).kind, Absence::NoDevice, "{text}");
        }
        // A warning next to a reading does not hide it.
        let r = reading(
            "hwclock: select() to /dev/rtc0 to wait for clock tick timed out\n\
             2026-11-20 08:00:01.204113+00:00\n",
        );
        assert_eq!(r.line, 2);
    }

    #[test]
    fn tool_missing_and_empty() {
        for text in [
            "bash: hwclock: command not found\n",
            "timeout: failed to run command ‘hwclock’: No such file or directory",
            "/bin/sh: /sbin/hwclock: No such file or directory\n",
        ] {
            let na = absence(text);
            assert_eq!(
                (na.kind, na.line),
                (Absence::ToolMissing, Some(1)),
                "{text}"
            );
        }
        assert_eq!(absence("").kind, Absence::Empty);
        assert_eq!(absence("\r\n\r\n").kind, Absence::Empty);
    }

    #[test]
    fn malformed_lines() {
        assert_eq!(
            malformed_line(
                "hwclock: ioctl(RTC_RD_TIME) to /dev/rtc0 to read the time failed: Invalid argument\n"
            ),
            1
        );
        assert_eq!(malformed_line("\n\nsomething else\n"), 3);
        // `hwclock` never prints bare epoch seconds.
        assert_eq!(malformed_line("1763625601\n"), 1);
        assert_eq!(malformed_line("  -0.500000 seconds\n"), 1);
        assert_eq!(
            malformed_line("Tue 30 May 2017 13:08:42 PM EDT  -0.5 seconds"),
            1
        );
        match parse("garbage") {
            Outcome::Malformed(m) => assert!(m.reason.contains("garbage"), "{}", m.reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn never_panics() {
        let lines = [
            "2026-11-20 08:00:01.204113+00:00",
            "Fri 20 Nov 2026 08:00:46 AM UTC  -0.531722 seconds",
            "Tue May 30 13:08:42 2017  -0.500000 seconds",
            "hwclock: Cannot access the Hardware Clock via any known method.",
            "Fr 20 Nov 2026 08:00:46 MEZ  -0,531722 Sekunden",
            "2026年11月20日 星期五 08时00分46秒  -0.531722 秒",
            "Fri 20 Nov 2026 08:00:46 ÅM UTC  -0.531722 seconds",
            "\u{feff}\0\u{7f}\u{10ffff}  seconds",
        ];
        for line in lines {
            for (cut, _) in line.char_indices() {
                let _ = parse(&line[..cut]);
                let _ = parse(&line[cut..]);
            }
        }
        for seed in 0..500 {
            let bytes = junk(seed, (seed as usize % 64) + 1);
            let _ = parse(&String::from_utf8_lossy(&bytes));
            let mut mixed = b"Fri 20 Nov 2026 ".to_vec();
            mixed.extend(&bytes);
            mixed.extend(b"  -0.5 seconds");
            let _ = parse(&String::from_utf8_lossy(&mixed));
        }
    }
}
