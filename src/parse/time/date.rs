//! `date`, `date -u`, `date -u +%s` and `date -u +%s.%N` output.
//!
//! The file holds one reading; the first non-blank line that parses is taken,
//! so a stray stderr line above the output does not hide it. Accepted forms:
//!
//! - C locale: `Wed May 14 14:22:18 UTC 2025`, `Mon Aug  3 09:12:51 PDT 2020`;
//! - 12-hour locales: `Tue Jan  5 01:02:04 AM UTC 2021`, and the day-first
//!   `Tue 05 Jan 2021 01:02:04 PM UTC` (also what older `hwclock` prints);
//! - RFC 2822 (`date -R`): `Wed, 14 May 2025 14:22:18 +0000`;
//! - RFC 3339 / ISO 8601 (`date -Iseconds`, `date --rfc-3339=seconds|ns`):
//!   `2026-11-20T08:00:01+00:00`, `2026-11-20 08:00:01.123456789+00:00`,
//!   `2026-11-20T08:00:01Z`, `2026-11-20T08:00:01,123456789+00:00`;
//! - epoch seconds (`+%s`, `+%s.%N`): `1763625601`, `1763625601.123456789`.
//!
//! Zones are numeric (`+0800`, `-05:00`, `+08`) or abbreviations resolved
//! through a fixed table ([`zone_offset`]). When the zone is missing, unknown
//! or ambiguous the wall time is still reported, but `utc_offset_s` and
//! `epoch` are `None`: guessing an offset would invent a clock skew.
//! A weekday that does not match the date makes the line unparseable, since
//! `date` cannot print one; such a line has been edited or corrupted.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use regex::Regex;
use serde::Serialize;

use crate::parse::{Outcome, collector_message, numbered_lines};

/// One clock reading, from `date` or `hwclock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockReading {
    /// 1-based line the reading was taken from.
    pub line: usize,
    /// The line as printed, trimmed.
    pub text: String,
    /// Wall time `YYYY-MM-DDTHH:MM:SS[.f…]` as printed, 24-hour; the fraction
    /// keeps the printed digits. `None` for epoch output.
    pub local: Option<String>,
    /// Zone as printed: `UTC`, `EDT`, `+0800`, `+00:00`, `Z`. `None` when the
    /// line prints none (epoch output, the oldest `hwclock`).
    pub zone: Option<String>,
    /// Resolved offset east of UTC in seconds; `None` when the zone is
    /// missing, unknown or ambiguous, and for epoch output.
    pub utc_offset_s: Option<i32>,
    /// Seconds since 1970-01-01T00:00:00Z, when the offset is known or the
    /// output was an epoch.
    pub epoch: Option<f64>,
}

/// Parses `date` output: the first non-blank line that is a reading.
pub fn parse(text: &str) -> Outcome<ClockReading> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut first_failure: Option<(usize, String)> = None;
    for (no, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let result = match parse_epoch(trimmed) {
            Some(reading) => Ok(reading),
            None => parse_wall(trimmed),
        };
        match result {
            Ok(reading) => return Outcome::parsed(reading.at(no, trimmed)),
            Err(why) => {
                first_failure.get_or_insert((no, why));
            }
        }
    }
    // collector_message answers for files without a non-blank line.
    let (no, why) = first_failure.unwrap_or((1, "no date reading found".into()));
    Outcome::malformed(no, why)
}

/// A reading before it is tied to its line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub local: Option<String>,
    pub zone: Option<String>,
    pub utc_offset_s: Option<i32>,
    pub epoch: Option<f64>,
}

impl Reading {
    pub(crate) fn at(self, line: usize, text: &str) -> ClockReading {
        ClockReading {
            line,
            text: text.to_string(),
            local: self.local,
            zone: self.zone,
            utc_offset_s: self.utc_offset_s,
            epoch: self.epoch,
        }
    }
}

/// Abbreviations with a single meaning in practice, offsets in seconds east
/// of UTC.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("UT", 0),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("CDT", -5 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
    ("CET", 3600),
    ("CEST", 2 * 3600),
    ("EET", 2 * 3600),
    ("EEST", 3 * 3600),
    ("WET", 0),
    ("WEST", 3600),
    ("MSK", 3 * 3600),
    ("JST", 9 * 3600),
    ("KST", 9 * 3600),
    ("HKT", 8 * 3600),
    ("SGT", 8 * 3600),
    ("AEST", 10 * 3600),
    ("AEDT", 11 * 3600),
    ("ACST", 9 * 3600 + 1800),
    ("AWST", 8 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
    ("PKT", 5 * 3600),
    ("WIB", 7 * 3600),
];

/// Offset of a time-zone abbreviation or numeric zone, None when unknown or ambiguous.
///
/// Numeric zones are `±HH`, `±HHMM` or `±HH:MM` (hours up to 23, as RFC 3339
/// allows). Abbreviations are matched case-insensitively against a fixed
/// table of unambiguous ones (UTC, GMT, Z, UT, the US, European, Russian,
/// East Asian and Australasian zones, PKT, WIB).
///
/// Ambiguous abbreviations give `None` rather than a guess, because a wrong
/// offset shows up as hours of false clock skew:
/// - `CST`: US Central (−06:00), China (+08:00) and Cuba (−05:00) all print it;
/// - `IST`: India (+05:30), Ireland in summer (+01:00), Israel (+02:00);
/// - `BST`: British Summer Time (+01:00), Bangladesh (+06:00);
/// - `AST`: Atlantic (−04:00), Arabia (+03:00).
///
/// Any other abbreviation is unknown and also gives `None`.
pub fn zone_offset(zone: &str) -> Option<i32> {
    let zone = zone.trim();
    if let Some(rest) = zone.strip_prefix('+') {
        return numeric_offset(rest);
    }
    if let Some(rest) = zone.strip_prefix('-') {
        return numeric_offset(rest).map(|s| -s);
    }
    ZONES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(zone))
        .map(|&(_, offset)| offset)
}

/// `HH`, `HHMM` or `HH:MM` after the sign.
fn numeric_offset(digits: &str) -> Option<i32> {
    let (hh, mm) = match digits.len() {
        2 => (digits, "00"),
        4 => (digits.get(..2)?, digits.get(2..)?),
        5 => {
            let (hh, mm) = digits.split_once(':')?;
            (hh, mm)
        }
        _ => return None,
    };
    let hours = two_digits(hh)?;
    let minutes = two_digits(mm)?;
    (hours <= 23 && minutes <= 59).then_some(hours * 3600 + minutes * 60)
}

fn two_digits(s: &str) -> Option<i32> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `+%s` or `+%s.%N`. Up to 12 integer digits keeps the value exact in an
/// f64 to the microsecond and covers any year a clock could show.
fn parse_epoch(s: &str) -> Option<Reading> {
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let digits = |d: &str, max: usize| {
        !d.is_empty() && d.len() <= max && d.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(int, 12) || !frac.is_none_or(|f| digits(f, 9)) {
        return None;
    }
    Some(Reading {
        local: None,
        zone: None,
        utc_offset_s: None,
        epoch: Some(s.parse().ok()?),
    })
}

/// A wall-clock line: RFC 3339 / ISO 8601, or the `date` / `hwclock` words
/// form. Shared with `hwclock`.
pub(crate) fn parse_wall(s: &str) -> Result<Reading, String> {
    let result = if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && s.contains('-') {
        parse_iso(s)
    } else {
        parse_words(s)
    };
    result.map_err(|why| format!("{why}: `{}`", excerpt(s)))
}

/// At most 80 characters of a line, for reasons.
pub(crate) fn excerpt(s: &str) -> String {
    crate::parse::clipped(s, 80)
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    // `[0-9]` rather than `\d`, which would also match non-ASCII digits.
    Regex::new(
        r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]{1,9}))?(.*)$",
    )
    .expect("constant pattern")
});

fn parse_iso(s: &str) -> Result<Reading, String> {
    let caps = ISO
        .captures(s)
        .ok_or("not an ISO 8601 time (YYYY-MM-DD HH:MM:SS±hh:mm)")?;
    let num = |i: usize| -> u32 {
        caps.get(i)
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(u32::MAX)
    };
    let year = i32::try_from(num(1)).map_err(|_| "bad year")?;
    let rest = caps.get(8).map_or("", |m| m.as_str()).trim();
    let zone = if rest.is_empty() {
        None
    } else if is_zone(rest) {
        Some(rest)
    } else {
        return Err(format!("unexpected `{}` after the time", excerpt(rest)));
    };
    let frac = caps.get(7).map(|m| m.as_str());
    build(year, num(2), num(3), (num(4), num(5), num(6)), frac, zone)
}

/// The words form, in either order of its date part:
/// `[Wdy[,]] (Mon D | D Mon) [YYYY] HH:MM:SS[.f] [AM|PM] [ZONE] [YYYY]`,
/// with the year given exactly once.
fn parse_words(s: &str) -> Result<Reading, String> {
    const WANT: &str = "not a date reading (expected e.g. `Wed May 14 14:22:18 UTC 2025`)";
    let mut toks = s.split_whitespace().peekable();
    let weekday = match toks
        .peek()
        .and_then(|t| weekday_of(t.trim_end_matches(',')))
    {
        Some(w) => {
            toks.next();
            Some(w)
        }
        None => None,
    };
    let a = toks.next().ok_or(WANT)?;
    let b = toks.next().ok_or(WANT)?;
    let (day, month) = match (month_of(a), month_of(b)) {
        (Some(m), None) => (day_of(b).ok_or(WANT)?, m),
        (None, Some(m)) => (day_of(a).ok_or(WANT)?, m),
        _ => return Err(WANT.into()),
    };
    let mut year = None;
    let mut tok = toks.next().ok_or("no time of day")?;
    if let Some(y) = year_of(tok) {
        year = Some(y);
        tok = toks.next().ok_or("no time of day")?;
    }
    let (mut hour, minute, second, frac) = time_of(tok).ok_or("no time of day")?;
    let mut next = toks.next();
    if let Some(pm) = next.and_then(meridiem_of) {
        hour = to_24h(hour, pm).ok_or("hour out of range for a 12-hour clock")?;
        next = toks.next();
    }
    let mut zone = None;
    if let Some(z) = next.filter(|t| is_zone(t)) {
        zone = Some(z);
        next = toks.next();
    }
    if year.is_none() {
        year = next.and_then(year_of);
        if year.is_none() {
            return Err("no year".into());
        }
        next = toks.next();
    }
    if let Some(extra) = next {
        return Err(format!("unexpected `{}`", excerpt(extra)));
    }
    let year = year.ok_or("no year")?;
    if let Some(w) = weekday {
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or("no such date")?;
        if date.weekday() != w {
            return Err(format!(
                "weekday {w} does not match {year:04}-{month:02}-{day:02}, a {}",
                date.weekday()
            ));
        }
    }
    build(year, month, day, (hour, minute, second), frac, zone)
}

/// Checks the fields and works out the epoch when the offset is known.
fn build(
    year: i32,
    month: u32,
    day: u32,
    (hour, minute, second): (u32, u32, u32),
    frac: Option<&str>,
    zone: Option<&str>,
) -> Result<Reading, String> {
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or("no such date")?;
    // 60 is a leap second; chrono's NaiveTime would reject it.
    if hour > 23 || minute > 59 || second > 60 {
        return Err("time of day out of range".into());
    }
    let mut local = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if let Some(f) = frac {
        local.push('.');
        local.push_str(f);
    }
    let utc_offset_s = zone.and_then(zone_offset);
    let epoch = utc_offset_s.map(|offset| {
        let midnight = date.and_time(NaiveTime::MIN).and_utc().timestamp();
        let secs = midnight + i64::from(hour * 3600 + minute * 60 + second) - i64::from(offset);
        let fraction = frac
            .and_then(|f| format!("0.{f}").parse::<f64>().ok())
            .unwrap_or(0.0);
        secs as f64 + fraction
    });
    Ok(Reading {
        local: Some(local),
        zone: zone.map(str::to_string),
        utc_offset_s,
        epoch,
    })
}

fn weekday_of(t: &str) -> Option<Weekday> {
    const NAMES: [(&str, &str, Weekday); 7] = [
        ("Mon", "Monday", Weekday::Mon),
        ("Tue", "Tuesday", Weekday::Tue),
        ("Wed", "Wednesday", Weekday::Wed),
        ("Thu", "Thursday", Weekday::Thu),
        ("Fri", "Friday", Weekday::Fri),
        ("Sat", "Saturday", Weekday::Sat),
        ("Sun", "Sunday", Weekday::Sun),
    ];
    NAMES
        .iter()
        .find(|(short, long, _)| t.eq_ignore_ascii_case(short) || t.eq_ignore_ascii_case(long))
        .map(|&(_, _, w)| w)
}

fn month_of(t: &str) -> Option<u32> {
    const NAMES: [(&str, &str); 12] = [
        ("Jan", "January"),
        ("Feb", "February"),
        ("Mar", "March"),
        ("Apr", "April"),
        ("May", "May"),
        ("Jun", "June"),
        ("Jul", "July"),
        ("Aug", "August"),
        ("Sep", "September"),
        ("Oct", "October"),
        ("Nov", "November"),
        ("Dec", "December"),
    ];
    NAMES
        .iter()
        .position(|(short, long)| t.eq_ignore_ascii_case(short) || t.eq_ignore_ascii_case(long))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn day_of(t: &str) -> Option<u32> {
    let ok = (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| t.parse().ok())
        .flatten()
        .filter(|d| (1..=31).contains(d))
}

fn year_of(t: &str) -> Option<i32> {
    let ok = t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| t.parse().ok()).flatten()
}

/// `H:MM:SS` or `HH:MM:SS`, with an optional `.fraction` on the seconds.
fn time_of(t: &str) -> Option<(u32, u32, u32, Option<&str>)> {
    let mut parts = t.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (s, frac) = match s.split_once(['.', ',']) {
        Some((s, f)) => (s, Some(f)),
        None => (s, None),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let shape = (1..=2).contains(&h.len())
        && m.len() == 2
        && s.len() == 2
        && all_digits(h)
        && all_digits(m)
        && all_digits(s)
        && frac.is_none_or(|f| (1..=9).contains(&f.len()) && all_digits(f));
    if !shape {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?, s.parse().ok()?, frac))
}

/// `true` for PM.
fn meridiem_of(t: &str) -> Option<bool> {
    if t.eq_ignore_ascii_case("AM") {
        Some(false)
    } else if t.eq_ignore_ascii_case("PM") {
        Some(true)
    } else {
        None
    }
}

/// 12 AM is midnight, 12 PM is noon; hour 0 or above 12 is not 12-hour time.
fn to_24h(hour: u32, pm: bool) -> Option<u32> {
    match (hour, pm) {
        (12, false) => Some(0),
        (12, true) => Some(12),
        (1..=11, false) => Some(hour),
        (1..=11, true) => Some(hour + 12),
        _ => None,
    }
}

/// Shape of a zone as `date` and `hwclock` print it: an abbreviation of
/// letters (`UTC`, `ChST`) or a signed number (`+08`, `+0800`, `-05:00`).
fn is_zone(t: &str) -> bool {
    if let Some(num) = t.strip_prefix(['+', '-']) {
        return match num.len() {
            2 | 4 => num.bytes().all(|b| b.is_ascii_digit()),
            5 => num
                .split_once(':')
                .is_some_and(|(h, m)| two_digits(h).is_some() && two_digits(m).is_some()),
            _ => false,
        };
    }
    (1..=6).contains(&t.len())
        && t.bytes().all(|b| b.is_ascii_alphabetic())
        && meridiem_of(t).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{close_some, junk, malformed, parsed, sample, samples};
    use crate::parse::{Absence, NotApplicable};

    fn reading(text: &str) -> ClockReading {
        parsed(&parse(text), text)
    }

    fn malformed_line(text: &str) -> usize {
        malformed(&parse(text), text).line
    }

    /// What a sample must give.
    struct Expect {
        zone: Option<&'static str>,
        local: &'static str,
        epoch: Option<f64>,
    }

    fn expected(name: &str) -> Option<Expect> {
        let e = |zone, local, epoch| Some(Expect { zone, local, epoch });
        match name {
            "date-hotsos-sunbeam.txt" => e(Some("UTC"), "2025-05-14T14:22:18", Some(1747232538.0)),
            // CST is ambiguous (US Central or China): wall time only.
            "date-ic-doc.txt" => e(Some("CST"), "2016-06-24T09:13:34", None),
            "date-ica-rhel67.txt" => e(Some("EDT"), "2017-05-30T13:08:42", Some(1496164122.0)),
            "date-ica-rhel7.txt" => e(Some("EDT"), "2017-05-30T12:31:45", Some(1496161905.0)),
            "date-jc-pdt.txt" => e(Some("PDT"), "2020-08-03T09:12:51", Some(1596471171.0)),
            "date-jc-ubuntu2004-12h-no-newline.txt" => {
                e(Some("UTC"), "2021-01-05T01:02:04", Some(1609808524.0))
            }
            "date-sos-rhcos.txt" => e(Some("UTC"), "2019-10-02T02:54:30", Some(1569984870.0)),
            "date-utc-ic-doc.txt" => e(Some("UTC"), "2016-06-24T09:13:34", Some(1466759614.0)),
            "date-utc-ica-rhel67.txt" => e(Some("UTC"), "2017-05-30T17:08:42", Some(1496164122.0)),
            "date-utc-ica-rhel7.txt" => e(Some("UTC"), "2017-05-30T16:31:45", Some(1496161905.0)),
            _ => None,
        }
    }

    #[test]
    fn every_real_world_sample_parses_as_expected() {
        let samples = samples("date");
        let names: Vec<&str> = samples.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names.len(), 10, "sample count changed: {names:?}");
        for (name, text) in &samples {
            let want =
                expected(name).unwrap_or_else(|| panic!("no expectation listed for sample {name}"));
            let got = reading(text);
            assert_eq!(got.line, 1, "{name}");
            assert_eq!(got.zone.as_deref(), want.zone, "{name}");
            assert_eq!(got.local.as_deref(), Some(want.local), "{name}");
            match want.epoch {
                Some(epoch) => assert!(close_some(got.epoch, epoch), "{name}: {got:?}"),
                None => assert_eq!(got.epoch, None, "{name}"),
            }
            assert_eq!(got.utc_offset_s.is_some(), want.epoch.is_some(), "{name}");
        }
    }

    #[test]
    fn local_and_utc_samples_of_one_host_agree() {
        for host in ["ica-rhel67", "ica-rhel7"] {
            let local = sample("date", &format!("date-{host}.txt"));
            let utc = sample("date", &format!("date-utc-{host}.txt"));
            assert_eq!(reading(&local).epoch, reading(&utc).epoch, "{host}");
        }
    }

    #[test]
    fn c_locale_utc() {
        let r = reading("Wed May 14 14:22:18 UTC 2025\n");
        assert_eq!(
            r,
            ClockReading {
                line: 1,
                text: "Wed May 14 14:22:18 UTC 2025".into(),
                local: Some("2025-05-14T14:22:18".into()),
                zone: Some("UTC".into()),
                utc_offset_s: Some(0),
                epoch: Some(1747232538.0),
            }
        );
    }

    #[test]
    fn padded_day_and_us_zone() {
        let r = reading("Mon Aug  3 09:12:51 PDT 2020");
        assert_eq!(r.local.as_deref(), Some("2020-08-03T09:12:51"));
        assert_eq!(r.utc_offset_s, Some(-7 * 3600));
        assert!(close_some(r.epoch, 1596471171.0));
    }

    #[test]
    fn twelve_hour_clock() {
        let r = reading("Tue Jan  5 01:02:04 AM UTC 2021");
        assert_eq!(r.local.as_deref(), Some("2021-01-05T01:02:04"));
        assert!(close_some(r.epoch, 1609808524.0));
        let r = reading("Tue Jan  5 12:02:04 AM UTC 2021");
        assert_eq!(r.local.as_deref(), Some("2021-01-05T00:02:04"));
        assert!(close_some(r.epoch, 1609808524.0 - 3600.0));
        let r = reading("Tue Jan  5 12:02:04 PM UTC 2021");
        assert_eq!(r.local.as_deref(), Some("2021-01-05T12:02:04"));
        let r = reading("Tue Jan  5 01:02:04 PM UTC 2021");
        assert_eq!(r.local.as_deref(), Some("2021-01-05T13:02:04"));
        let r = reading("Tue 05 Jan 2021 11:59:59 pm UTC");
        assert_eq!(r.local.as_deref(), Some("2021-01-05T23:59:59"));
        // Not 12-hour times.
        assert_eq!(malformed_line("Tue Jan  5 00:02:04 AM UTC 2021"), 1);
        assert_eq!(malformed_line("Tue Jan  5 13:02:04 PM UTC 2021"), 1);
    }

    #[test]
    fn epoch_seconds() {
        let r = reading("1763625601\n");
        assert_eq!(r.epoch, Some(1763625601.0));
        assert_eq!((r.local, r.zone, r.utc_offset_s), (None, None, None));
        assert_eq!(r.text, "1763625601");
        let r = reading("1763625601.123456789");
        assert!(close_some(r.epoch, 1_763_625_601.123_456_7));
        assert_eq!(r.local, None);
        // A clock reset to 1970 must still read.
        assert_eq!(reading("86400").epoch, Some(86400.0));
        assert_eq!(malformed_line("1763625601."), 1);
        assert_eq!(malformed_line("17636256011234"), 1);
    }

    #[test]
    fn numeric_zones() {
        let r = reading("Thu Nov 20 16:00:01 +0800 2025");
        assert_eq!(r.zone.as_deref(), Some("+0800"));
        assert_eq!(r.utc_offset_s, Some(8 * 3600));
        assert!(close_some(r.epoch, 1763625601.0));
        let r = reading("Thu Nov 20 03:00:01 -05:00 2025");
        assert_eq!(r.utc_offset_s, Some(-5 * 3600));
        assert!(close_some(r.epoch, 1763625601.0));
        let r = reading("Thu Nov 20 16:00:01 +08 2025");
        assert_eq!(r.utc_offset_s, Some(8 * 3600));
        // RFC 2822, `date -R`.
        let r = reading("Thu, 20 Nov 2025 08:00:01 +0000");
        assert_eq!(r.zone.as_deref(), Some("+0000"));
        assert!(close_some(r.epoch, 1763625601.0));
    }

    #[test]
    fn rfc3339_and_iso() {
        let r = reading("2026-11-20T08:00:01+00:00");
        assert_eq!(r.local.as_deref(), Some("2026-11-20T08:00:01"));
        assert_eq!(r.zone.as_deref(), Some("+00:00"));
        assert_eq!(r.utc_offset_s, Some(0));
        assert!(close_some(r.epoch, 1795161601.0));
        let r = reading("2026-11-20 08:00:01+00:00");
        assert!(close_some(r.epoch, 1795161601.0));
        let r = reading("2026-11-20 16:00:01.123456789+08:00");
        assert_eq!(r.local.as_deref(), Some("2026-11-20T16:00:01.123456789"));
        assert!(close_some(r.epoch, 1_795_161_601.123_456_7));
        let r = reading("2026-11-20T08:00:01,5Z");
        assert_eq!(r.zone.as_deref(), Some("Z"));
        assert!(close_some(r.epoch, 1795161601.5));
        let r = reading("2026-11-20 03:00:01 EST");
        assert!(close_some(r.epoch, 1795161601.0));
        // No zone: local time only.
        let r = reading("2026-11-20T08:00:01");
        assert_eq!((r.zone, r.epoch), (None, None));
        assert_eq!(malformed_line("2026-11-20T08:00:01+00:00 extra"), 1);
        assert_eq!(malformed_line("2026-02-30T08:00:01+00:00"), 1);
        assert_eq!(malformed_line("2026-11-20T24:00:01+00:00"), 1);
        assert_eq!(malformed_line("2026-11-20"), 1);
    }

    #[test]
    fn ambiguous_zones_keep_the_wall_time_only() {
        for zone in ["CST", "IST", "BST", "AST"] {
            assert_eq!(zone_offset(zone), None, "{zone}");
            let r = reading(&format!("Fri Jun 24 09:13:34 {zone} 2016"));
            assert_eq!(r.zone.as_deref(), Some(zone));
            assert_eq!(r.local.as_deref(), Some("2016-06-24T09:13:34"));
            assert_eq!((r.utc_offset_s, r.epoch), (None, None));
        }
        let r = reading("Fri Jun 24 09:13:34 XYZ 2016");
        assert_eq!((r.zone.as_deref(), r.epoch), (Some("XYZ"), None));
    }

    #[test]
    fn zone_table() {
        let h = 3600;
        for (zone, offset) in [
            ("UTC", 0),
            ("utc", 0),
            ("GMT", 0),
            ("Z", 0),
            ("UT", 0),
            ("EST", -5 * h),
            ("EDT", -4 * h),
            ("CDT", -5 * h),
            ("MST", -7 * h),
            ("MDT", -6 * h),
            ("PST", -8 * h),
            ("PDT", -7 * h),
            ("AKST", -9 * h),
            ("AKDT", -8 * h),
            ("HST", -10 * h),
            ("CET", h),
            ("CEST", 2 * h),
            ("EET", 2 * h),
            ("EEST", 3 * h),
            ("WET", 0),
            ("WEST", h),
            ("MSK", 3 * h),
            ("JST", 9 * h),
            ("KST", 9 * h),
            ("HKT", 8 * h),
            ("SGT", 8 * h),
            ("AEST", 10 * h),
            ("AEDT", 11 * h),
            ("ACST", 9 * h + 1800),
            ("AWST", 8 * h),
            ("NZST", 12 * h),
            ("NZDT", 13 * h),
            ("PKT", 5 * h),
            ("WIB", 7 * h),
            ("+0800", 8 * h),
            ("+08:00", 8 * h),
            ("+08", 8 * h),
            ("-05:00", -5 * h),
            ("-0500", -5 * h),
            ("+0545", 5 * h + 45 * 60),
            ("-00:00", 0),
        ] {
            assert_eq!(zone_offset(zone), Some(offset), "{zone}");
        }
        for zone in [
            "", "+", "+8", "+080", "+2400", "+0860", "+08:0", "+08-00", "ABC", "+０８", "EST5EDT",
        ] {
            assert_eq!(zone_offset(zone), None, "{zone:?}");
        }
    }

    #[test]
    fn first_parseable_line_is_taken() {
        let r = reading("\n  \ndate: warning: something odd\nWed May 14 14:22:18 UTC 2025\n");
        assert_eq!(r.line, 4);
        let r = reading("   Wed May 14 14:22:18 UTC 2025   \r\n");
        assert_eq!(r.text, "Wed May 14 14:22:18 UTC 2025");
    }

    #[test]
    fn wrong_weekday_or_date_is_malformed() {
        match parse("Thu May 14 14:22:18 UTC 2025") {
            Outcome::Malformed(m) => assert!(m.reason.contains("weekday"), "{}", m.reason),
            other => panic!("{other:?}"),
        }
        assert_eq!(malformed_line("Fri Feb 30 14:22:18 UTC 2025"), 1);
        assert_eq!(malformed_line("May 14 14:61:18 UTC 2025"), 1);
        assert_eq!(malformed_line("Wed May 14 14:22:18 UTC"), 1);
        assert_eq!(malformed_line("Wed May 14 14:22:18 UTC 2025 2026"), 1);
        assert_eq!(malformed_line("\n\nhello world\nstill nothing\n"), 3);
    }

    #[test]
    fn collector_messages() {
        let na = |text: &str| match parse(text) {
            Outcome::NotApplicable(NotApplicable { kind, .. }) => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(na("bash: date: command not found\n"), Absence::ToolMissing);
        assert_eq!(
            na("timeout: failed to run command ‘date’: No such file or directory\n"),
            Absence::ToolMissing
        );
        assert_eq!(na(""), Absence::Empty);
        assert_eq!(na(" \n\n"), Absence::Empty);
    }

    #[test]
    fn serialises_with_the_outcome_tag() {
        let json = serde_json::to_value(parse("1763625601")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"]["epoch"], 1763625601.0);
        assert_eq!(json["records"]["local"], serde_json::Value::Null);
    }

    #[test]
    fn never_panics() {
        let good = [
            "Wed May 14 14:22:18 UTC 2025",
            "Tue Jan  5 01:02:04 AM UTC 2021",
            "Thu, 20 Nov 2025 08:00:01 +0000",
            "2026-11-20 08:00:01.123456789+08:00",
            "1763625601.123456789",
            "Mi 14. Mai 14:22:18 MESZ 2025",
            "2025年 05月 14日 星期三 14:22:18 CST",
            "Wed May 14 14:22:18 ÜTC 2025",
            "Wed May 1４ 14:22:18 UTC 2025",
            "2026-11-20T08:00:01+０0:00",
            "9999-12-31T23:59:60-23:59",
            "0000-01-01T00:00:00+23:59",
            "\u{feff}\0\u{7f}\u{10ffff}",
        ];
        for line in good {
            for (cut, _) in line.char_indices() {
                let _ = parse(&line[..cut]);
                let _ = parse(&line[cut..]);
            }
            let _ = parse(line);
        }
        for seed in 0..500 {
            let bytes = junk(seed, (seed as usize % 64) + 1);
            let _ = parse(&String::from_utf8_lossy(&bytes));
            let mut mixed = b"Wed May 14 ".to_vec();
            mixed.extend(bytes);
            let _ = parse(&String::from_utf8_lossy(&mixed));
        }
    }
}
