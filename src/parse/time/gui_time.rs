//! Times as vendor GUIs print them in their exports, read into epoch
//! seconds. Accepted forms, with runs of spaces taken as one:
//!
//! - `2/9/2015 9:21:36`: month first, then day and a four-digit year, as
//!   the Oracle CMP GUI prints it; one or two digits for month, day and hour;
//! - `2015-02-09 09:21:36`, also with `T` for the space and a fraction of a
//!   second (`.123` or `,123`, dropped);
//! - RFC 3339 / ISO 8601 with an offset: `2015-02-09T09:21:36+01:00`,
//!   `2015-02-09 09:21:36 +0100`, `2015-02-09T09:21:36+01`,
//!   `2015-02-09T09:21:36Z`;
//! - `Jul 12, 2016 13:14:59`, the month in English, abbreviated (`Jul`,
//!   `Jul.`) or in full (`July`).
//!
//! Each may end in ` UTC` or ` GMT`. A time without an offset is taken as
//! UTC. Anything else, an impossible date (`2/30/2015`, a day-first
//! `13/2/2015`), or an offset together with ` UTC` gives `None`.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

// `[0-9]` rather than `\d`, which would also match non-ASCII digits.
static US: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2})$")
        .expect("constant pattern")
});

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]{1,9})? ?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$",
    )
    .expect("constant pattern")
});

static MONTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z]{3,9})\.? ([0-9]{1,2}), ([0-9]{4}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2})$")
        .expect("constant pattern")
});

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Seconds since 1970-01-01T00:00:00Z of a time printed in one of the forms
/// above; `None` when it is in none of them or names no real instant.
pub(crate) fn epoch(text: &str) -> Option<i64> {
    let joined;
    let text = if is_single_spaced(text) {
        text
    } else {
        joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        joined.as_str()
    };
    let (text, said_utc) = match text.rsplit_once(' ') {
        Some((head, zone))
            if zone.eq_ignore_ascii_case("UTC") || zone.eq_ignore_ascii_case("GMT") =>
        {
            (head, true)
        }
        _ => (text, false),
    };
    // The forms are told apart by their shape, so only one pattern runs:
    // only the US form has a `/`, only the month-name form starts with a
    // letter.
    if text.contains('/') {
        let c = US.captures(text)?;
        let n = |i| number(c.get(i).map_or("", |m| m.as_str()));
        return utc(n(3)?, n(1)?, n(2)?, n(4)?, n(5)?, n(6)?);
    }
    if text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let c = MONTH_NAME.captures(text)?;
        let name = c.get(1).map_or("", |m| m.as_str()).to_lowercase();
        let month = MONTHS
            .iter()
            .position(|m| *m == name || (name.len() == 3 && m.starts_with(&name)))?;
        let n = |i| number(c.get(i).map_or("", |m| m.as_str()));
        return utc(
            n(3)?,
            u32::try_from(month).ok()? + 1,
            n(2)?,
            n(4)?,
            n(5)?,
            n(6)?,
        );
    }
    let c = ISO.captures(text)?;
    let n = |i| number(c.get(i).map_or("", |m| m.as_str()));
    let wall = utc(n(1)?, n(2)?, n(3)?, n(4)?, n(5)?, n(6)?)?;
    let offset_s = match c.get(7).map(|m| m.as_str()) {
        None => 0,
        // An offset and ` UTC` together contradict or repeat each other.
        Some(_) if said_utc => return None,
        Some("Z" | "z") => 0,
        Some(zone) => offset_seconds(zone)?,
    };
    Some(wall - offset_s)
}

/// No white space but single spaces between words: the text as the
/// patterns read it.
fn is_single_spaced(text: &str) -> bool {
    !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text.contains(|c: char| c.is_whitespace() && c != ' ')
}

fn number(digits: &str) -> Option<u32> {
    digits.parse().ok()
}

/// The epoch of a wall time read as UTC; `None` for an impossible one.
fn utc(year: u32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_opt(hour, min, sec)?;
    Some(NaiveDateTime::new(date, time).and_utc().timestamp())
}

/// `+01:00`, `-0530`, `+08` in seconds east of UTC.
fn offset_seconds(zone: &str) -> Option<i64> {
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    let hours: i64 = digits.get(..2)?.parse().ok()?;
    let minutes: i64 = match digits.get(2..) {
        Some("") | None => 0,
        Some(m) => m.parse().ok()?,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{junk, lcg_junk, parse_every_prefix};

    /// 2015-02-09T09:21:36Z.
    const T0: i64 = 1_423_473_696;

    #[test]
    fn every_documented_form() {
        for (text, want) in [
            ("2/9/2015 9:21:36", T0),
            ("02/09/2015 09:21:36", T0),
            ("2/9/2015  9:21:36", T0),
            ("2/9/2015 9:21:36 UTC", T0),
            ("2/9/2015 9:21:36 gmt", T0),
            ("2015-02-09 09:21:36", T0),
            ("2015-02-09T09:21:36", T0),
            ("2015-02-09 09:21:36.999", T0),
            ("2015-02-09T09:21:36,5", T0),
            ("2015-02-09 09:21:36 UTC", T0),
            ("2015-02-09T09:21:36Z", T0),
            ("2015-02-09t09:21:36z", T0),
            ("2015-02-09T10:21:36+01:00", T0),
            ("2015-02-09 10:21:36 +0100", T0),
            ("2015-02-09T10:21:36+01", T0),
            ("2015-02-09T03:51:36-05:30", T0),
            ("2015-02-09T09:21:36.123456789+00:00", T0),
            ("Feb 9, 2015 09:21:36", T0),
            ("feb 9, 2015 9:21:36 UTC", T0),
            ("February 9, 2015 9:21:36", T0),
            ("Feb. 9, 2015 9:21:36", T0),
            ("Jul 12, 2016 13:14:59", 1_468_329_299),
            ("  2/9/2015 10:25:06 ", T0 + 3_810),
            ("2015-02-09\t09:21:36\u{a0}UTC", T0),
            ("Feb 9,\u{2003}2015 9:21:36", T0),
        ] {
            assert_eq!(epoch(text), Some(want), "{text}");
        }
    }

    #[test]
    fn others_are_none() {
        for text in [
            "",
            "UTC",
            "2/9/2015",
            "9:21:36",
            "2/9/15 9:21:36",
            "13/2/2015 9:21:36",
            "2/30/2015 9:21:36",
            "2/9/2015 24:00:00",
            "2/9/2015 9:21",
            "2/9/2015 9:21:36 PM",
            "2/9/2015 9:21:36 CET",
            "2/9/2015 9:2...",
            "2015-02-09T09:21:36+01:00 UTC",
            "2015-02-09T09:21:36+24:00",
            "2015-02-09T09:21:36+1",
            "2015-2-9 09:21:36",
            "Jux 12, 2016 13:14:59",
            "Ju 12, 2016 13:14:59",
            "Julyy 12, 2016 13:14:59",
            "١٢/٩/٢٠١٥ 9:21:36",
            "2015/02/09 09:21:36",
            "Feb 9, 2015-02-09 09:21:36",
            "Feb 9, 2/9/2015 9:21:36",
        ] {
            assert_eq!(epoch(text), None, "{text}");
        }
    }

    #[test]
    fn never_panics() {
        let mut inputs: Vec<String> = vec![
            "2/9/2015 9:21:36 UTC".into(),
            "2015-02-09T09:21:36.123456789+05:30".into(),
            "Jul 12, 2016 13:14:59 GMT".into(),
            "9999-12-31T23:59:59-23:59".into(),
            "0000-01-01 00:00:00+23:59".into(),
            "99/99/9999 99:99:99 utc".into(),
            "é utc".into(),
            "2015-02-09T09:21:36+é".into(),
        ];
        for seed in 1..=32 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 64)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 64)).into_owned());
        }
        parse_every_prefix(&inputs, epoch);
    }
}
