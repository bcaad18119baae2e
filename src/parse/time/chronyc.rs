//! `chronyc sources` / `chronyc -n sources` and `chronyc tracking`: what
//! chronyd reports about its time sources and about the system clock.
//!
//! Sources, as printed by chrony 1.2x to 4.x (chrony 4 drops the
//! `210 Number of sources` line; chrony 1.x has no `Reach` column):
//!
//! ```text
//! 210 Number of sources = 3
//! MS Name/IP address         Stratum Poll Reach LastRx Last sample
//! ===============================================================================
//! #* GPS0                          0   4   377    11   -479ns[ -621ns] +/-  134ns
//! ^? foo.example.net               2   6   377    23   -923us[ -924us] +/-   43ms
//! ```
//!
//! `M` is the mode (`^` server, `=` peer, `#` reference clock), `S` the state
//! (`*` selected, `+` combined, `-` not combined, `?` unreachable, `x`
//! falseticker, `~` too variable). The last sample is the adjusted offset,
//! the measured offset in brackets and the error bound, each with its unit.
//! A long name (an IPv6 address) pushes the other columns right, so rows are
//! read by whitespace, not by position. `chronyc -v sources` prints a legend
//! above the header; it is skipped.
//!
//! Tracking is `Key : value` lines (`Reference ID`, `Stratum`, `System time`,
//! `Leap status`, …); chrony 1.x lacks `Last offset` and `Leap status`.
//!
//! When chronyd is not running both commands print `506 Cannot talk to daemon`.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::parse::{Absence, Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChronySource {
    /// 1-based line of the row.
    pub line: usize,
    /// `^` server, `=` peer, `#` reference clock.
    pub mode: String,
    /// `*` selected, `+` combined, `-` not combined, `?` unreachable,
    /// `x` falseticker, `~` too variable.
    pub state: String,
    pub name: String,
    pub stratum: i64,
    /// log2 of the polling interval in seconds; negative below one second.
    pub poll: i64,
    /// The reach register decoded from octal; `None` for chrony 1.x, whose
    /// table has no Reach column.
    pub reach: Option<i64>,
    /// Time since the last sample as printed (`11`, `47m`, `-` for never).
    pub last_rx: String,
    /// Adjusted offset (before `[`), in milliseconds.
    pub offset_ms: f64,
    /// Measured offset (inside `[ ]`), in milliseconds.
    pub measured_offset_ms: f64,
    /// Error bound (after `+/-`), in milliseconds.
    pub error_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChronyTracking {
    /// `CB00710F` from `CB00710F (ntp1.example.net)`; `00000000` when unsynchronised.
    pub reference_id: String,
    /// The name in parentheses; `None` when they are empty.
    pub reference_name: Option<String>,
    pub stratum: Option<i64>,
    /// System clock minus NTP time: `X seconds slow` is `-X*1000`, `fast` is `+X*1000`.
    pub system_offset_ms: Option<f64>,
    pub last_offset_ms: Option<f64>,
    /// As printed: `Normal`, `Not synchronised`, `Insert second`, `Delete second`.
    pub leap_status: Option<String>,
    /// 1-based line of `Leap status`.
    pub leap_status_line: Option<usize>,
}

/// chronyd does not answer: chronyc prints this for every command.
const DAEMON_DOWN: &str = "Cannot talk to daemon";

/// `-923us[ -924us] +/-   43ms`; spacing varies (and may be collapsed).
static LAST_SAMPLE: LazyLock<Regex> = LazyLock::new(|| {
    let n = r"([+-]?[0-9]+(?:\.[0-9]+)?)(ns|us|ms|s)";
    Regex::new(&format!(r"^{n}\s*\[\s*{n}\s*\]\s*\+/-\s*{n}$"))
        // A constant pattern: it either always compiles or fails every test.
        .expect("LAST_SAMPLE is a valid regex")
});

pub fn parse_sources(text: &str) -> Outcome<Vec<ChronySource>> {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    // Lines above the header (`210 Number of sources`, the `-v` legend) carry
    // nothing the rows do not.
    let Some(header_at) = lines
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("MS Name/IP address"))
    else {
        return sources_without_table(text, &lines);
    };
    let has_reach = lines
        .get(header_at)
        .is_some_and(|(_, l)| l.split_whitespace().any(|t| t == "Reach"));

    let mut sources = Vec::new();
    for &(no, line) in lines.iter().skip(header_at + 1) {
        if line.trim().is_empty() || is_rule(line) {
            continue;
        }
        match read_source(no, line, has_reach) {
            Ok(s) => sources.push(s),
            Err(reason) => return Outcome::malformed(no, reason),
        }
    }
    Outcome::parsed(sources)
}

fn read_source(no: usize, line: &str, has_reach: bool) -> Result<ChronySource, String> {
    let columns = if has_reach { 6 } else { 5 };
    let (fields, sample) = take_fields(line, columns);
    let (ms, name, stratum, poll, reach, last_rx) = match (has_reach, fields.as_slice()) {
        (true, &[ms, name, stratum, poll, reach, last_rx]) => {
            (ms, name, stratum, poll, Some(reach), last_rx)
        }
        (false, &[ms, name, stratum, poll, last_rx]) => (ms, name, stratum, poll, None, last_rx),
        _ => {
            let names = if has_reach {
                "MS, Name/IP address, Stratum, Poll, Reach, LastRx and Last sample"
            } else {
                "MS, Name/IP address, Stratum, Poll, LastRx and Last sample"
            };
            return Err(format!(
                "row has {} columns, too few for {names}",
                fields.len()
            ));
        }
    };

    let mut ms_chars = ms.chars();
    let (Some(mode), Some(state), None) = (ms_chars.next(), ms_chars.next(), ms_chars.next())
    else {
        return Err(format!("MS column: {ms:?} is not a mode and a state"));
    };
    if !['^', '=', '#'].contains(&mode) {
        return Err(format!("MS column: {mode:?} is not a source mode"));
    }
    if !['*', '+', '-', '?', 'x', '~'].contains(&state) {
        return Err(format!("MS column: {state:?} is not a source state"));
    }
    let stratum = stratum
        .parse::<i64>()
        .map_err(|_| format!("Stratum column: {stratum:?} is not a number"))?;
    let poll = poll
        .parse::<i64>()
        .map_err(|_| format!("Poll column: {poll:?} is not a number"))?;
    let reach = match reach {
        Some(r) => Some(
            octal_reach(r)
                .ok_or_else(|| format!("Reach column: {r:?} is not an 8-bit octal register"))?,
        ),
        None => None,
    };
    if !is_last_rx(last_rx) {
        return Err(format!("LastRx column: {last_rx:?} is not an interval"));
    }
    let sample = sample.trim();
    let (offset_ms, measured_offset_ms, error_ms) = read_last_sample(sample).ok_or_else(|| {
        format!("Last sample column: {sample:?} is not `offset[measured] +/- error`")
    })?;
    Ok(ChronySource {
        line: no,
        mode: mode.to_string(),
        state: state.to_string(),
        name: name.to_string(),
        stratum,
        poll,
        reach,
        last_rx: last_rx.to_string(),
        offset_ms,
        measured_offset_ms,
        error_ms,
    })
}

/// The first `n` whitespace-separated fields and the text after them.
fn take_fields(line: &str, n: usize) -> (Vec<&str>, &str) {
    let mut rest = line;
    let mut fields = Vec::with_capacity(n);
    while fields.len() < n {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        // `find` returns a char boundary, so both halves exist.
        let (field, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
        fields.push(field);
        rest = after;
    }
    (fields, rest)
}

/// `-` (never), or a count with an optional unit: chronyc switches from
/// seconds to `m`, `h`, `d`, `y` as the interval grows.
fn is_last_rx(s: &str) -> bool {
    if s == "-" {
        return true;
    }
    let digits = s.strip_suffix(['s', 'm', 'h', 'd', 'y']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn octal_reach(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    i64::from_str_radix(s, 8).ok().filter(|v| *v <= 0o377)
}

/// Offsets and error of the last sample, in milliseconds.
fn read_last_sample(s: &str) -> Option<(f64, f64, f64)> {
    let caps = LAST_SAMPLE.captures(s)?;
    let value = |i: usize| -> Option<f64> {
        let number: f64 = caps.get(i)?.as_str().parse().ok()?;
        to_ms(number, caps.get(i + 1)?.as_str())
    };
    Some((value(1)?, value(3)?, value(5)?))
}

/// Dividing by a power of ten (rather than multiplying by its inverse)
/// keeps `-6983us` at `-6.983` instead of `-6.9830000000000005`.
fn to_ms(value: f64, unit: &str) -> Option<f64> {
    match unit {
        "ns" => Some(value / 1e6),
        "us" => Some(value / 1e3),
        "ms" => Some(value),
        "s" => Some(value * 1e3),
        _ => None,
    }
}

fn is_rule(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '=')
}

/// A message from chronyc or the collector instead of a daemon answer:
/// the line that holds `506 Cannot talk to daemon`, if any.
fn daemon_down<T>(lines: &[(usize, &str)]) -> Option<Outcome<T>> {
    lines
        .iter()
        .find(|(_, l)| l.contains(DAEMON_DOWN))
        .map(|&(no, l)| {
            Outcome::not_applicable(
                Absence::ServiceDown,
                format!("chronyd does not answer: {}", l.trim()),
                Some(no),
            )
        })
}

fn sources_without_table(text: &str, lines: &[(usize, &str)]) -> Outcome<Vec<ChronySource>> {
    if let Some(out) = daemon_down(lines) {
        return out;
    }
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    // Only the count line, and it says there is nothing to list.
    let count_zero = lines.iter().any(|(_, l)| {
        l.trim()
            .strip_prefix("210 Number of sources")
            .and_then(|r| r.trim_start().strip_prefix('='))
            .is_some_and(|n| n.trim() == "0")
    });
    if count_zero {
        return Outcome::parsed(Vec::new());
    }
    Outcome::malformed(
        1,
        "no chronyc sources header (MS Name/IP address Stratum Poll Reach LastRx Last sample)",
    )
}

pub fn parse_tracking(text: &str) -> Outcome<ChronyTracking> {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    let fields: Vec<(usize, &str, &str)> = lines
        .iter()
        .filter_map(|&(no, l)| {
            let (key, value) = l.split_once(':')?;
            Some((no, key.trim(), value.trim()))
        })
        .collect();
    let Some(&(ref_no, _, ref_value)) = fields.iter().find(|(_, k, _)| *k == "Reference ID") else {
        if let Some(out) = daemon_down(&lines) {
            return out;
        }
        if let Some(na) = collector_message(text) {
            return Outcome::NotApplicable(na);
        }
        return Outcome::malformed(1, "no `Reference ID` line: not chronyc tracking output");
    };

    let (reference_id, reference_name) = match read_reference(ref_value) {
        Ok(pair) => pair,
        Err(reason) => return Outcome::malformed(ref_no, reason),
    };
    let mut tracking = ChronyTracking {
        reference_id,
        reference_name,
        stratum: None,
        system_offset_ms: None,
        last_offset_ms: None,
        leap_status: None,
        leap_status_line: None,
    };
    for &(no, key, value) in &fields {
        let read = match key {
            "Stratum" => value
                .parse::<i64>()
                .map(|s| tracking.stratum = Some(s))
                .map_err(|_| format!("Stratum: {value:?} is not a number")),
            "System time" => read_system_time(value)
                .map(|ms| tracking.system_offset_ms = Some(ms))
                .ok_or_else(|| {
                    format!("System time: {value:?} is not `N seconds slow|fast of NTP time`")
                }),
            "Last offset" => read_seconds(value)
                .map(|ms| tracking.last_offset_ms = Some(ms))
                .ok_or_else(|| format!("Last offset: {value:?} is not `N seconds`")),
            "Leap status" if !value.is_empty() => {
                tracking.leap_status = Some(value.to_string());
                tracking.leap_status_line = Some(no);
                Ok(())
            }
            "Leap status" => Err("Leap status is empty".to_string()),
            // Frequency, skew, root delay…: not needed by the checks.
            _ => Ok(()),
        };
        if let Err(reason) = read {
            return Outcome::malformed(no, reason);
        }
    }
    Outcome::parsed(tracking)
}

/// `CB00710F (ntp1.example.net)` -> (`CB00710F`, Some(`ntp1.example.net`)).
fn read_reference(value: &str) -> Result<(String, Option<String>), String> {
    let (id, name) = match value.split_once('(') {
        Some((id, rest)) => {
            let Some(name) = rest.trim_end().strip_suffix(')') else {
                return Err(format!("Reference ID: {value:?} has an unclosed `(`"));
            };
            (id.trim(), Some(name.trim()).filter(|n| !n.is_empty()))
        }
        None => (value, None),
    };
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(format!("Reference ID: {value:?} has no single identifier"));
    }
    Ok((id.to_string(), name.map(str::to_string)))
}

/// `0.000001501 seconds slow of NTP time` -> -0.001501 ms: the system clock
/// is behind NTP time.
fn read_system_time(value: &str) -> Option<f64> {
    let mut tokens = value.split_whitespace();
    let seconds = finite(tokens.next()?)?;
    if tokens.next()? != "seconds" {
        return None;
    }
    match tokens.next()? {
        "slow" => Some(-seconds * 1e3),
        "fast" => Some(seconds * 1e3),
        _ => None,
    }
}

/// `-0.000001632 seconds` -> -0.001632 ms.
fn read_seconds(value: &str) -> Option<f64> {
    let mut tokens = value.split_whitespace();
    let seconds = finite(tokens.next()?)?;
    (tokens.next()? == "seconds" && tokens.next().is_none()).then_some(seconds * 1e3)
}

fn finite(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{close, lcg_junk, parse_every_prefix, parsed, samples};

    fn selected(s: &[ChronySource]) -> &ChronySource {
        s.iter()
            .find(|s| s.state == "*")
            .expect("a selected source")
    }

    #[test]
    fn every_chronyc_sources_sample_has_its_expected_outcome() {
        for (name, text) in samples("chronyc-sources") {
            let out = parse_sources(&text);
            match name.as_str() {
                "chronyc-n-sources-sos-rhcos-all-unreachable.txt" => {
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 8);
                    assert!(s.iter().all(|s| s.state == "?" && s.reach == Some(0)));
                    // Too long for its column: pushes the rest of the row right.
                    assert_eq!(s[0].name, "2620:138:5000:0:5054:ff:fe89:6673");
                    assert_eq!(
                        (s[0].stratum, s[0].poll, s[0].last_rx.as_str()),
                        (0, 6, "-")
                    );
                    assert!(close(s[0].offset_ms, 0.0) && close(s[0].error_ms, 0.0));
                }
                "chronyc-sources-chrony-manual-2012.txt"
                | "chronyc-sources-chrony-manual-v4.txt" => {
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 3);
                    let sel = selected(&s);
                    assert_eq!((sel.mode.as_str(), sel.name.as_str()), ("#", "GPS0"));
                    assert!(close(sel.offset_ms, -0.000479));
                    assert!(close(sel.measured_offset_ms, -0.000621));
                    assert!(close(sel.error_ms, 0.000134));
                    assert!(close(s[2].offset_ms, -2.629));
                    assert!(close(s[2].error_ms, 86.0));
                }
                "chronyc-sources-chrony-manual-v1.txt" => {
                    // chrony 1.x: no Reach column.
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 3);
                    assert!(s.iter().all(|s| s.reach.is_none()));
                    // Exactly the printed value, without a binary-rounding tail.
                    assert_eq!(s[0].measured_offset_ms.to_string(), "-6.983");
                    let sel = selected(&s);
                    assert_eq!((sel.name.as_str(), sel.last_rx.as_str()), ("g.h.i", "47m"));
                    assert!(close(sel.offset_ms, 8.839));
                    assert!(close(sel.measured_offset_ms, 11.0));
                }
                "chronyc-sources-ic-doc.txt" => {
                    // The count line says 6; the docstring lists 4 rows.
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 4);
                    let sel = selected(&s);
                    assert_eq!(sel.name, "10.64.108.95");
                    assert_eq!((sel.poll, sel.reach), (10, Some(255)));
                    assert!(close(sel.offset_ms, -0.091));
                }
                "chronyc-sources-ic-test-collapsed-spacing.txt" => {
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 3);
                    assert_eq!(selected(&s).name, "GPS0");
                    assert_eq!((s[1].name.as_str(), s[1].state.as_str()), ("a.b.c", "?"));
                    assert!(close(s[1].error_ms, 43.0));
                }
                "chronyc-sources-ica-rhel67-binary-missing.txt" => {
                    let Outcome::NotApplicable(na) = &out else {
                        panic!("{name}: {out:?}")
                    };
                    assert_eq!(na.kind, Absence::ToolMissing);
                }
                "chronyc-sources-ica-rhel7.txt" => {
                    let s = parsed(&out, &name);
                    assert_eq!(s.len(), 4);
                    let sel = selected(&s);
                    assert_eq!(sel.name, "utcnist2.colorado.edu");
                    assert!(close(sel.offset_ms, -1.297));
                    assert_eq!(sel.line, 5);
                    assert_eq!(s[0].reach, Some(0o27));
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn every_chronyc_tracking_sample_has_its_expected_outcome() {
        for (name, text) in samples("chronyc-tracking") {
            let t = parsed(&parse_tracking(&text), &name);
            match name.as_str() {
                "chronyc-tracking-chrony-manual-2012.txt" => {
                    assert_eq!(t.reference_id, "1.2.3.4");
                    assert_eq!(t.reference_name.as_deref(), Some("foo.example.net"));
                    assert_eq!(t.stratum, Some(3));
                    assert!(close(t.system_offset_ms.unwrap(), -0.001501));
                    assert!(close(t.last_offset_ms.unwrap(), -0.001632));
                    assert_eq!(t.leap_status.as_deref(), Some("Normal"));
                    assert_eq!(t.leap_status_line, Some(13));
                }
                "chronyc-tracking-chrony-manual-2017.txt" => {
                    assert_eq!(t.reference_id, "CB00710F");
                    assert_eq!(t.reference_name.as_deref(), Some("ntp1.example.net"));
                    assert!(close(t.system_offset_ms.unwrap(), -0.006523));
                    assert_eq!(t.leap_status.as_deref(), Some("Normal"));
                }
                "chronyc-tracking-chrony-manual-v1.txt" => {
                    // chrony 1.x: no Last offset, no Leap status.
                    assert_eq!(t.reference_name.as_deref(), Some("a.b.c"));
                    assert_eq!(t.system_offset_ms, Some(0.0));
                    assert_eq!(t.last_offset_ms, None);
                    assert_eq!((t.leap_status, t.leap_status_line), (None, None));
                }
                "chronyc-tracking-sos-rhcos-not-synchronised.txt" => {
                    assert_eq!(t.reference_id, "00000000");
                    assert_eq!(t.reference_name, None);
                    assert_eq!(t.stratum, Some(0));
                    assert_eq!(t.last_offset_ms, Some(0.0));
                    assert_eq!(t.leap_status.as_deref(), Some("Not synchronised"));
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    const HEADER: &str = "210 Number of sources = 1\nMS Name/IP address         Stratum Poll Reach LastRx Last sample\n===============================================================================\n";

    #[test]
    fn units_are_converted_to_milliseconds() {
        let cases = [
            ("+500ns[ -250ns] +/-  100ns", 0.0005, -0.00025, 0.0001),
            ("-923us[ -924us] +/-   43ms", -0.923, -0.924, 43.0),
            ("+12ms[  +11ms] +/-  214ms", 12.0, 11.0, 214.0),
            ("+2s[   -1s] +/-    3s", 2000.0, -1000.0, 3000.0),
            ("+1.5ms[+1.5ms] +/- 2.5ms", 1.5, 1.5, 2.5),
        ];
        for (sample, off, meas, err) in cases {
            let text = format!("{HEADER}^* a.example.net   2   6   377    11   {sample}\n");
            let s = parsed(&parse_sources(&text), sample);
            assert!(close(s[0].offset_ms, off), "{sample}: {}", s[0].offset_ms);
            assert!(close(s[0].measured_offset_ms, meas), "{sample}");
            assert!(close(s[0].error_ms, err), "{sample}");
        }
    }

    #[test]
    fn reach_is_octal_and_poll_may_be_negative() {
        let text = format!(
            "{HEADER}#* PPS0   0  -3   17    1   +12ns[ +13ns] +/-  20ns\n^+ b.example.net  2  10  376  2h  +1ms[ +1ms] +/- 9ms\n"
        );
        let s = parsed(&parse_sources(&text), "reach");
        assert_eq!((s[0].poll, s[0].reach), (-3, Some(15)));
        assert_eq!(
            (s[1].poll, s[1].reach, s[1].last_rx.as_str()),
            (10, Some(254), "2h")
        );
    }

    #[test]
    fn verbose_legend_above_the_header_is_skipped() {
        let text = "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n / .- Source state '*' = current best, '+' = combined, '-' = not combined,\n| /             'x' = may be in error, '~' = too variable, '?' = unusable.\n||                                                  .- xxxx [ yyyy ] +/- zzzz\n||      Reachability register (octal) -.           |  xxxx = adjusted offset,\n||      Log2(Polling interval) --.      |          |  yyyy = measured offset,\n||                                \\     |          |  zzzz = estimated error.\n||                                 |    |           \\\nMS Name/IP address         Stratum Poll Reach LastRx Last sample\n===============================================================================\n^* ntp1.example.net              2   6   377    23   -923us[ -924us] +/-   43ms\n";
        let s = parsed(&parse_sources(text), "verbose");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, 11);
    }

    #[test]
    fn chrony_2_and_3_verbose_legends_with_the_count_line_are_skipped() {
        // `chronyc -n sources -v` of chrony 3.x (CentOS 7), trailing spaces kept.
        let v3 = "210 Number of sources = 2\n\n  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n / .- Source state '*' = current synced, '+' = combined , '-' = not combined,\n| /   '?' = unreachable, 'x' = time may be in error, '~' = time too variable.\n||                                                 .- xxxx [ yyyy ] +/- zzzz\n||      Reachability register (octal) -.           |  xxxx = adjusted offset,\n||      Log2(Polling interval) --.      |          |  yyyy = measured offset,\n||                                \\     |          |  zzzz = estimated error.\n||                                 |    |           \\\nMS Name/IP address         Stratum Poll Reach LastRx Last sample               \n===============================================================================\n^* 192.168.0.51                  3   7   377    28  -2156us[-2156us] +/-   45ms\n^? 94.237.64.20                  2   6     1     1    +93ms[  +93ms] +/-  173ms\n";
        let s = parsed(&parse_sources(v3), "v3");
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].state.as_str()), (13, "*"));
        assert_eq!(s[1].reach, Some(1));
        // chrony 2.x printed a shorter legend; a name cut by chronyc ends in `>`.
        let v2 = "210 Number of sources = 1\n  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n / .- Source state '*' = current synced, '+' = combined , '-' = not combined,\n| /   '?' = unreachable, 'x' = time may be in error, '~' = time too variable.\n||                                                 .- xxxx [ yyyy ] +/- zzzz\n||                                                /   xxxx = adjusted offset,\n||         Log2(Polling interval) -.             |    yyyy = measured offset,\n||                                  \\            |    zzzz = estimated error.\n||                                   |           |\nMS Name/IP address         Stratum Poll Reach LastRx Last sample\n===============================================================================\n^* vmhost-external-minor.wo>     8   6    17    23   -497ns[-7000ns] +/-  956us\n";
        let s = parsed(&parse_sources(v2), "v2");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "vmhost-external-minor.wo>");
        assert_eq!(s[0].reach, Some(15));
        // No sources: the legend and an empty table.
        let none = "210 Number of sources = 0\n\n  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n||                                 |    |           \\\nMS Name/IP address         Stratum Poll Reach LastRx Last sample               \n===============================================================================\n\n";
        assert!(parsed(&parse_sources(none), "none").is_empty());
    }

    #[test]
    fn cannot_talk_to_daemon_means_chronyd_is_down() {
        for out in [
            parse_sources("506 Cannot talk to daemon\n"),
            parse_sources("210 Number of sources = 0\n506 Cannot talk to daemon\n"),
        ] {
            let Outcome::NotApplicable(na) = out else {
                panic!("expected NotApplicable")
            };
            assert_eq!(na.kind, Absence::ServiceDown);
        }
        let Outcome::NotApplicable(na) = parse_tracking("506 Cannot talk to daemon\n") else {
            panic!("expected NotApplicable")
        };
        assert_eq!((na.kind, na.line), (Absence::ServiceDown, Some(1)));
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        for text in ["", "bash: chronyc: command not found\n"] {
            assert!(matches!(parse_sources(text), Outcome::NotApplicable(_)));
            assert!(matches!(parse_tracking(text), Outcome::NotApplicable(_)));
        }
    }

    #[test]
    fn a_header_without_rows_is_an_empty_list() {
        assert_eq!(parse_sources(HEADER), Outcome::parsed(Vec::new()));
        assert_eq!(
            parse_sources("210 Number of sources = 0\n"),
            Outcome::parsed(Vec::new())
        );
    }

    #[test]
    fn a_file_without_header_is_malformed() {
        let Outcome::Malformed(m) = parse_sources("hello\nworld\n") else {
            panic!("expected Malformed")
        };
        assert_eq!(m.line, 1);
        let Outcome::Malformed(m) = parse_tracking("Stratum : 3\n") else {
            panic!("expected Malformed")
        };
        assert_eq!(m.line, 1);
    }

    #[test]
    fn a_bad_row_reports_its_line_and_column() {
        let good = "^+ a.example.net   2   6   377    11   -923us[ -924us] +/-   43ms";
        let cases = [
            (
                "^! a.example.net   2   6   377    11   -923us[ -924us] +/-   43ms",
                "MS column",
            ),
            (
                "%* a.example.net   2   6   377    11   -923us[ -924us] +/-   43ms",
                "MS column",
            ),
            (
                "^*a a.example.net   2   6   377    11   -923us[ -924us] +/-   43ms",
                "MS column",
            ),
            (
                "^* a.example.net   two 6   377    11   -923us[ -924us] +/-   43ms",
                "Stratum column",
            ),
            (
                "^* a.example.net   2   6.5 377    11   -923us[ -924us] +/-   43ms",
                "Poll column",
            ),
            (
                "^* a.example.net   2   6   378    11   -923us[ -924us] +/-   43ms",
                "Reach column",
            ),
            (
                "^* a.example.net   2   6   377    1q   -923us[ -924us] +/-   43ms",
                "LastRx column",
            ),
            (
                "^* a.example.net   2   6   377    11   -923xs[ -924us] +/-   43ms",
                "Last sample column",
            ),
            (
                "^* a.example.net   2   6   377    11   -923us -924us +/-   43ms",
                "Last sample column",
            ),
            ("^* a.example.net   2   6   377    11", "Last sample column"),
            ("^* a.example.net   2", "too few"),
        ];
        for (row, column) in cases {
            let text = format!("{HEADER}{good}\n{row}\n");
            let Outcome::Malformed(m) = parse_sources(&text) else {
                panic!("expected Malformed for {row:?}")
            };
            assert_eq!(m.line, 5, "{row:?}");
            assert!(m.reason.contains(column), "{row:?}: {}", m.reason);
        }
    }

    #[test]
    fn system_time_sign_follows_slow_and_fast() {
        let slow = parse_tracking(
            "Reference ID    : C0A80101 (gw)\nSystem time     : 0.250000000 seconds slow of NTP time\n",
        );
        assert!(close(
            parsed(&slow, "slow").system_offset_ms.unwrap(),
            -250.0
        ));
        let fast = parse_tracking(
            "Reference ID    : C0A80101 (gw)\nSystem time     : 1.5 seconds fast of NTP time\n",
        );
        assert!(close(
            parsed(&fast, "fast").system_offset_ms.unwrap(),
            1500.0
        ));
    }

    #[test]
    fn tracking_ignores_unknown_keys_and_reports_bad_values() {
        let t = parsed(
            &parse_tracking(
                "Reference ID    : 47505300 (GPS)\nSomething new   : 42 widgets\nstray line without a colon\nLeap status     : Insert second\n",
            ),
            "unknown",
        );
        assert_eq!(t.reference_name.as_deref(), Some("GPS"));
        assert_eq!(t.leap_status.as_deref(), Some("Insert second"));
        assert_eq!(t.leap_status_line, Some(4));
        assert_eq!(t.stratum, None);

        for (line, key) in [
            ("Stratum         : three", "Stratum"),
            (
                "System time     : 0.1 seconds sideways of NTP time",
                "System time",
            ),
            ("Last offset     : -0.1 minutes", "Last offset"),
            ("Leap status     :", "Leap status"),
        ] {
            let text = format!("Reference ID    : 7F7F0101 ()\nStratum         : 10\n{line}\n");
            let Outcome::Malformed(m) = parse_tracking(&text) else {
                panic!("expected Malformed for {line:?}")
            };
            assert_eq!(m.line, 3, "{line:?}");
            assert!(m.reason.starts_with(key), "{line:?}: {}", m.reason);
        }
        let Outcome::Malformed(m) = parse_tracking("Reference ID    : 7F7F0101 (local\n") else {
            panic!("expected Malformed")
        };
        assert_eq!(m.line, 1);
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let text =
            format!("{HEADER}^* a.example.net   2   6   377    11   -923us[ -924us] +/-   43ms\n");
        let json = serde_json::to_value(parse_sources(&text)).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"][0]["reach"], 255);
        let json = serde_json::to_value(parse_tracking("506 Cannot talk to daemon\n")).unwrap();
        assert_eq!(json["outcome"], "not-applicable");
        assert_eq!(json["kind"], "service-down");
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            format!("{HEADER}^* ñtp.exämple.cöm 2 6 377 11 -923µs[ -924us] +/- 43ms\n"),
            format!("{HEADER}^é\n^*\n#\n"),
            format!("{HEADER}^* 日本語 2 6 377 11 -923us[ -924us] +/- 43ms\n"),
            format!(
                "{HEADER}^* a 99999999999999999999 -99999999999999999999 77777777777777777777 9 +1e999s[+1s] +/- 1s\n"
            ),
            "Reference ID    : é (ü\nSystem time     : ñ seconds slow\nLeap status     : Ünknown\n"
                .to_string(),
            "Reference ID    : 1.2.3.4 (a)\nSystem time     : 1e400 seconds fast of NTP time\n"
                .to_string(),
            "Reference ID : :::: ((()))\n".to_string(),
        ];
        let junk = String::from_utf8_lossy(&lcg_junk(0x9e37_79b9, 4096)).into_owned();
        inputs.push(junk.clone());
        inputs.push(format!("{HEADER}{junk}"));
        inputs.push(format!("Reference ID : X\n{junk}"));
        for kind in ["chronyc-sources", "chronyc-tracking"] {
            for (_, text) in samples(kind) {
                inputs.push(text);
            }
        }
        parse_every_prefix(&inputs, parse_sources);
        parse_every_prefix(&inputs, parse_tracking);
    }
}
