//! `ntpq -p` / `ntpq -pn` (also spelled `-np`): the peer table of ntpd
//! (classic ntp and NTPsec).
//!
//! ```text
//!      remote           refid      st t when poll reach   delay   offset  jitter
//! ==============================================================================
//! *72.5.72.15      216.218.254.202  2 u   63   64  377   22.654    0.231   1.964
//! +45.79.36.123 (t 216.218.254.202  2 u   11   64    7   68.172    4.404   4.878
//! ```
//!
//! The first character of a row is the tally code (`*` system peer, `o` PPS
//! peer, `+` candidate, `#` backup, `-` outlier, `x` falseticker, `.` excess,
//! space rejected). ntpq prints the remote as `%-15.15s`, so a resolved name
//! is cut to 15 characters and may then hold a space (`45.79.36.123 (t`); in
//! wide mode a longer remote stands alone on its line and the rest of the row
//! follows on the next, indented. Old ntpq names the last column `disp`.
//!
//! When ntpd is not running the file holds `ntpq: read: Connection refused`;
//! when it runs without peers, `No association ID's returned`.

use serde::Serialize;

use crate::parse::{Absence, Outcome, collector_message, numbered_lines};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NtpqReport {
    pub peers: Vec<NtpPeer>,
    /// "No association ID's returned": ntpd answers but has no peers.
    pub no_associations: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NtpPeer {
    /// 1-based line of the row (its first line when ntpq wrapped it).
    pub line: usize,
    /// One character: `*`, `o`, `+`, `#`, `-`, `x`, `.` or a space.
    pub tally: String,
    pub remote: String,
    pub refid: String,
    pub stratum: i64,
    /// The `t` column: `u` unicast, `b` broadcast, `m` multicast, `l` local
    /// (refclock), `s` symmetric, `p` pool, …
    pub kind: String,
    /// Poll interval in seconds. ntpq prints intervals above 2048 s in
    /// rounded minutes/hours/days (`68m`); those are converted back.
    pub poll: i64,
    /// The reach shift register, decoded from octal (`377` -> 255).
    pub reach: i64,
    /// The reach register as printed.
    pub reach_octal: String,
    pub delay_ms: f64,
    pub offset_ms: f64,
    /// The last column: `jitter`, or `disp` in old ntpq.
    pub jitter_ms: f64,
}

/// Tally codes ntpq prints in the first column.
const TALLY_CODES: [char; 8] = ['*', 'o', '+', '#', '-', 'x', '.', ' '];

/// Width of the remote field after the tally (`%-15.15s`).
const REMOTE_WIDTH: usize = 15;

/// Columns after `remote refid`, in order; the last one is named by the header.
const TAIL_COLUMNS: usize = 8;

pub fn parse(text: &str) -> Outcome<NtpqReport> {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    // Stray stderr lines (a resolver warning, say) may come before the header.
    let Some((header_at, last_column)) = lines
        .iter()
        .enumerate()
        .find_map(|(i, (_, l))| header_last_column(l).map(|c| (i, c)))
    else {
        return without_table(text, &lines);
    };

    let mut peers = Vec::with_capacity(lines.len() - header_at);
    let mut rows = lines.iter().skip(header_at + 1).peekable();
    // Reused for every row: most of a row's cost was allocating these.
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    while let Some(&(no, line)) = rows.next() {
        if line.trim().is_empty() || is_rule(line) {
            continue;
        }
        let mut chars = line.chars();
        let Some(tally) = chars.next() else {
            continue;
        };
        if !TALLY_CODES.contains(&tally) {
            return Outcome::malformed(
                no,
                format!("tally column: {tally:?} is not an ntpq tally code"),
            );
        }
        let after_tally = chars.as_str();
        tokens.clear();
        tokens.extend(after_tally.split_ascii_whitespace());

        let (remote, refid, tail, tail_line) = if let [remote] = tokens.as_slice() {
            // Wide mode: the remote alone here, the rest indented on the next line.
            let Some(&&(next_no, next)) = rows.peek().filter(|(_, l)| is_continuation(l)) else {
                return Outcome::malformed(
                    no,
                    format!(
                        "remote column {remote:?} is followed by nothing: the refid to {last_column} columns are missing"
                    ),
                );
            };
            rows.next();
            rest.clear();
            rest.extend(next.split_ascii_whitespace());
            let Some((refid, tail)) = split_tail(&rest) else {
                return Outcome::malformed(
                    next_no,
                    missing_columns(rest.len(), last_column, "continuation of a wrapped row"),
                );
            };
            if refid.is_empty() {
                return Outcome::malformed(next_no, "refid column is empty");
            }
            ((*remote).to_string(), refid.join(" "), tail, next_no)
        } else {
            let Some((head, tail)) = split_tail(&tokens) else {
                return Outcome::malformed(no, missing_columns(tokens.len(), last_column, "row"));
            };
            let (remote, refid) = match head {
                [] | [_] => {
                    return Outcome::malformed(
                        no,
                        missing_columns(tokens.len(), last_column, "row"),
                    );
                }
                [remote, refid] => ((*remote).to_string(), (*refid).to_string()),
                _ => match split_fixed_remote(after_tally, TAIL_COLUMNS) {
                    Ok(pair) => pair,
                    Err(reason) => return Outcome::malformed(no, reason),
                },
            };
            (remote, refid, tail, no)
        };

        match read_tail(tail, last_column) {
            Ok(t) => peers.push(NtpPeer {
                line: no,
                tally: tally.to_string(),
                remote,
                refid,
                stratum: t.stratum,
                kind: t.kind,
                poll: t.poll,
                reach: t.reach,
                reach_octal: t.reach_octal,
                delay_ms: t.delay_ms,
                offset_ms: t.offset_ms,
                jitter_ms: t.jitter_ms,
            }),
            Err(reason) => return Outcome::malformed(tail_line, reason),
        }
    }
    Outcome::parsed(NtpqReport {
        peers,
        no_associations: false,
    })
}

/// The name of the last column (`jitter` or `disp`) when `line` is the header.
fn header_last_column(line: &str) -> Option<&'static str> {
    const FIRST: [&str; 9] = [
        "remote", "refid", "st", "t", "when", "poll", "reach", "delay", "offset",
    ];
    let mut tokens = line.split_ascii_whitespace();
    if !FIRST.iter().all(|name| tokens.next() == Some(name)) {
        return None;
    }
    let last = tokens.next()?;
    if tokens.next().is_some() {
        return None;
    }
    match last {
        "jitter" => Some("jitter"),
        "disp" => Some("disp"),
        _ => None,
    }
}

fn is_rule(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '=')
}

/// The second line of a wrapped row: ntpq pads it with 17 spaces, where a
/// row with the blank tally has one space before the remote.
fn is_continuation(line: &str) -> bool {
    line.starts_with("  ") && !line.trim().is_empty()
}

/// Splits tokens into what comes before the last eight columns and those
/// eight; `None` when there are fewer than eight.
fn split_tail<'a, 'b>(tokens: &'b [&'a str]) -> Option<(&'b [&'a str], &'b [&'a str])> {
    let at = tokens.len().checked_sub(TAIL_COLUMNS)?;
    Some(tokens.split_at(at))
}

fn missing_columns(found: usize, last_column: &str, what: &str) -> String {
    format!(
        "{what} has {found} columns, too few for remote, refid, st, t, when, poll, reach, delay, offset and {last_column}"
    )
}

/// Reads `remote` and `refid` when the head of the row has more than two
/// tokens: the remote is the fixed 15-character field after the tally, the
/// refid whatever follows it before the numeric columns.
fn split_fixed_remote(after_tally: &str, tail_len: usize) -> Result<(String, String), String> {
    let remote: String = after_tally.chars().take(REMOTE_WIDTH).collect();
    let mut rest = after_tally.chars().skip(REMOTE_WIDTH);
    // A name cut at 15 characters is followed by the separating space; when
    // it is not, the row is laid out some other way and guessing would
    // mislabel the columns.
    if !rest.next().is_some_and(char::is_whitespace) {
        return Err(format!(
            "remote column: {:?} holds spaces but does not fit the 15-character remote field",
            remote.trim()
        ));
    }
    let rest: String = rest.collect();
    let tokens: Vec<&str> = rest.split_ascii_whitespace().collect();
    let refid_len = tokens.len().saturating_sub(tail_len);
    let refid = tokens.get(..refid_len).unwrap_or_default().join(" ");
    let remote = remote.trim().to_string();
    if remote.is_empty() {
        return Err("remote column is empty".into());
    }
    if refid.is_empty() {
        return Err(format!(
            "refid column: nothing between the remote {remote:?} and the st column"
        ));
    }
    Ok((remote, refid))
}

struct Tail {
    stratum: i64,
    kind: String,
    poll: i64,
    reach: i64,
    reach_octal: String,
    delay_ms: f64,
    offset_ms: f64,
    jitter_ms: f64,
}

/// Reads `st t when poll reach delay offset jitter`.
fn read_tail(tail: &[&str], last_column: &str) -> Result<Tail, String> {
    let &[st, t, when, poll, reach, delay, offset, jitter] = tail else {
        return Err(format!("expected the eight columns st to {last_column}"));
    };
    let stratum = st
        .parse::<i64>()
        .map_err(|_| format!("st column: {st:?} is not a stratum"))?;
    // The type is a letter; a number here means the columns are shifted.
    if t.chars().count() != 1 || t.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("t column: {t:?} is not a peer type"));
    }
    if when != "-" && interval_seconds(when).is_none() {
        return Err(format!("when column: {when:?} is not an interval"));
    }
    let poll = interval_seconds(poll)
        .ok_or_else(|| format!("poll column: {poll:?} is not an interval"))?;
    let reach_value = octal_reach(reach)
        .ok_or_else(|| format!("reach column: {reach:?} is not an 8-bit octal register"))?;
    Ok(Tail {
        stratum,
        kind: t.to_string(),
        poll,
        reach: reach_value,
        reach_octal: reach.to_string(),
        delay_ms: millis(delay, "delay")?,
        offset_ms: millis(offset, "offset")?,
        jitter_ms: millis(jitter, last_column)?,
    })
}

/// Seconds from ntpq's interval notation: plain seconds up to 2048, then
/// rounded minutes (`m`), hours (`h`) or days (`d`).
fn interval_seconds(s: &str) -> Option<i64> {
    let (digits, unit) = match s.strip_suffix(['m', 'h', 'd']) {
        Some(d) => (d, s.chars().last()?),
        None => (s, 's'),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    let factor = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => 1,
    };
    n.checked_mul(factor)
}

/// The reach register is eight bits printed in octal (`%3lo`): 0 to 377.
fn octal_reach(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    i64::from_str_radix(s, 8).ok().filter(|v| *v <= 0o377)
}

fn millis(s: &str, column: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{column} column: {s:?} is not a number of milliseconds"))
}

/// A file without the peer table: a message from ntpq or the collector.
fn without_table(text: &str, lines: &[(usize, &str)]) -> Outcome<NtpqReport> {
    for &(no, line) in lines {
        let l = line.trim();
        // ntpd is not running (or not listening): `ntpq: read: Connection refused`.
        // A daemon that is hung answers nothing: `localhost: timed out, nothing received`.
        if l.contains("Connection refused")
            || l.contains("timed out, nothing received")
            || l.contains("Request timed out")
        {
            return Outcome::not_applicable(
                Absence::ServiceDown,
                format!("ntpd does not answer: {l}"),
                Some(no),
            );
        }
        if l.contains("No association ID") {
            return Outcome::parsed(NtpqReport {
                peers: Vec::new(),
                no_associations: true,
            });
        }
    }
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    Outcome::malformed(
        1,
        "no ntpq peer table header (remote refid st t when poll reach delay offset jitter)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{close, lcg_junk, parse_every_prefix, parsed, samples};

    const HEADER: &str = "     remote           refid      st t when poll reach   delay   offset  jitter\n==============================================================================\n";

    fn selected(r: &NtpqReport) -> &NtpPeer {
        r.peers
            .iter()
            .find(|p| p.tally == "*")
            .expect("a selected peer")
    }

    #[test]
    fn every_ntpq_pn_sample_has_its_expected_outcome() {
        for (name, text) in samples("ntpq-pn") {
            let out = parse(&text);
            match name.as_str() {
                "ntpq-p-jc-centos77.txt" => {
                    // Taken seconds after start: nothing selected yet, `when` is `-`.
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 4);
                    assert!(r.peers.iter().all(|p| p.tally == " " && p.reach == 1));
                    assert_eq!(r.peers[1].remote, "ntp.wdc1.us.lea");
                    assert!(close(r.peers[3].offset_ms, 1.044));
                }
                "ntpq-p-jc-ubuntu1804-truncated-names.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 22);
                    let sel = selected(&r);
                    assert_eq!(sel.remote, "ntp2.wiktel.com");
                    assert!(close(sel.offset_ms, 0.473));
                    assert_eq!(r.peers[5].remote, "45.79.36.123 (t");
                    assert_eq!(r.peers[5].refid, "216.218.254.202");
                    assert_eq!(r.peers[6].remote, "199.188.64.12 (");
                    assert_eq!(r.peers[6].refid, "173.161.33.165");
                    assert_eq!(r.peers.iter().filter(|p| p.tally == "#").count(), 4);
                    assert_eq!(r.peers[0].kind, "p");
                }
                "ntpq-p-ntpsec-refclocks.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 5);
                    let sel = selected(&r);
                    assert_eq!(sel.remote, "SHM(1)");
                    assert_eq!((sel.stratum, sel.kind.as_str()), (0, "l"));
                    assert!(close(r.peers[0].offset_ms, -515.07));
                }
                "ntpq-pn-ic-doc-ipv6.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 4);
                    let sel = selected(&r);
                    assert_eq!(sel.remote, "2001:388:608c:8");
                    assert_eq!((sel.poll, sel.reach), (1024, 255));
                    assert!(close(sel.offset_ms, 1.939));
                }
                "ntpq-pn-ic-test-connection-refused.txt" => {
                    let Outcome::NotApplicable(na) = &out else {
                        panic!("{name}: {out:?}")
                    };
                    assert_eq!(na.kind, Absence::ServiceDown);
                    assert_eq!(na.line, Some(1));
                }
                "ntpq-pn-ic-test-init-unreachable.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 1);
                    let p = &r.peers[0];
                    assert_eq!((p.refid.as_str(), p.stratum, p.reach), (".INIT.", 16, 0));
                    assert_eq!(p.poll, 1024);
                }
                "ntpq-pn-ic-test-ntpd-output.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 2);
                    assert_eq!(selected(&r).remote, "ntp103.cm4.tbsi");
                    // The fixture prints this jitter with two decimals only.
                    assert!(close(r.peers[1].jitter_ms, 0.05));
                }
                "ntpq-pn-jc-centos77.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 4);
                    let sel = selected(&r);
                    assert_eq!(sel.remote, "72.5.72.15");
                    assert!(close(sel.offset_ms, 0.231));
                    assert_eq!(sel.line, 6);
                }
                "ntpq-pn-jc-ubuntu1804-pool.txt" => {
                    let r = parsed(&out, &name);
                    assert_eq!(r.peers.len(), 19);
                    let sel = selected(&r);
                    assert_eq!(
                        (sel.remote.as_str(), sel.refid.as_str()),
                        ("209.51.161.238", ".CDMA.")
                    );
                    assert!(close(sel.offset_ms, -65.938));
                    assert_eq!(r.peers.iter().filter(|p| p.refid == ".POOL.").count(), 5);
                }
                other => panic!("sample {other} has no expectation: add one to this test"),
            }
        }
    }

    #[test]
    fn names_cut_at_15_characters_may_hold_spaces() {
        let text = format!(
            "{HEADER}+45.79.36.123 (t 216.218.254.202  2 u   11   64    7   68.172    4.404   4.878\n"
        );
        let r = parsed(&parse(&text), "truncated");
        let p = &r.peers[0];
        assert_eq!(p.remote, "45.79.36.123 (t");
        assert_eq!(p.refid, "216.218.254.202");
        assert_eq!((p.stratum, p.poll, p.reach), (2, 64, 7));
    }

    #[test]
    fn wrapped_rows_are_joined() {
        let text = format!(
            "{HEADER}*time-a-wwv.nist.gov\n                 .NIST.           1 u   12   64  377   31.203   -0.512   0.411\n+10.0.0.1        .GPS.            1 u   10   64  377    0.500    0.100   0.050\n"
        );
        let r = parsed(&parse(&text), "wrapped");
        assert_eq!(r.peers.len(), 2);
        let p = &r.peers[0];
        assert_eq!(p.line, 3);
        assert_eq!(
            (p.remote.as_str(), p.refid.as_str()),
            ("time-a-wwv.nist.gov", ".NIST.")
        );
        assert!(close(p.offset_ms, -0.512));
        assert_eq!(r.peers[1].line, 5);
    }

    #[test]
    fn a_lone_remote_without_its_continuation_is_malformed() {
        let text = format!("{HEADER}*time-a-wwv.nist.gov\n");
        let Outcome::Malformed(m) = parse(&text) else {
            panic!("expected Malformed")
        };
        assert_eq!(m.line, 3);
        assert!(m.reason.contains("remote column"), "{}", m.reason);
    }

    #[test]
    fn reach_is_decoded_from_octal() {
        for (octal, value) in [
            ("377", 255),
            ("1", 1),
            ("7", 7),
            ("17", 15),
            ("0", 0),
            ("376", 254),
        ] {
            let text = format!(
                "{HEADER}*10.0.0.1        .GPS.            1 u   12   64  {octal:>3}    0.5   0.1   0.05\n"
            );
            let r = parsed(&parse(&text), octal);
            assert_eq!(r.peers[0].reach, value, "{octal}");
            assert_eq!(r.peers[0].reach_octal, octal);
        }
    }

    #[test]
    fn when_and_poll_may_carry_units() {
        let text = format!(
            "{HEADER}*10.0.0.1        .GPS.            1 u   3h  68m  377    0.5   0.1   0.05\n 10.0.0.2        .INIT.          16 u    - 1024    0    0.000    0.000   0.000\n"
        );
        let r = parsed(&parse(&text), "units");
        assert_eq!(r.peers[0].poll, 68 * 60);
        assert_eq!(r.peers[1].poll, 1024);
    }

    #[test]
    fn old_ntpq_disp_header_is_accepted() {
        let text = "     remote           refid      st t when poll reach   delay   offset    disp\n==============================================================================\n*10.1.1.1        .LOCL.          10 l   32   64  377    0.000    0.000   0.008\n";
        let r = parsed(&parse(text), "disp");
        assert_eq!(r.peers.len(), 1);
        assert!(close(r.peers[0].jitter_ms, 0.008));
        let bad = text.replace("0.008", "zz");
        let Outcome::Malformed(m) = parse(&bad) else {
            panic!("expected Malformed")
        };
        assert!(m.reason.starts_with("disp column"), "{}", m.reason);
    }

    #[test]
    fn stray_lines_before_the_header_are_ignored() {
        let text = format!(
            "ntpq: warning: could not resolve host\n{HEADER}*10.0.0.1        .GPS.            1 u   12   64  377    0.5   0.1   0.05\n"
        );
        let r = parsed(&parse(&text), "stray");
        assert_eq!(r.peers[0].line, 4);
    }

    #[test]
    fn connection_refused_means_ntpd_is_down() {
        let Outcome::NotApplicable(na) = parse("/usr/sbin/ntpq: read: Connection refused\n") else {
            panic!("expected NotApplicable")
        };
        assert_eq!(na.kind, Absence::ServiceDown);
        assert_eq!(na.line, Some(1));
        let Outcome::NotApplicable(na) =
            parse("localhost: timed out, nothing received\n***Request timed out\n")
        else {
            panic!("expected NotApplicable")
        };
        assert_eq!(na.kind, Absence::ServiceDown);
    }

    #[test]
    fn no_association_ids_is_an_empty_parsed_report() {
        let r = parsed(&parse("No association ID's returned\n"), "no assoc");
        assert!(r.no_associations);
        assert!(r.peers.is_empty());
    }

    #[test]
    fn collector_messages_are_not_applicable() {
        let Outcome::NotApplicable(na) = parse("bash: ntpq: command not found\n") else {
            panic!("expected NotApplicable")
        };
        assert_eq!(na.kind, Absence::ToolMissing);
        let Outcome::NotApplicable(na) = parse("") else {
            panic!("expected NotApplicable")
        };
        assert_eq!(na.kind, Absence::Empty);
    }

    #[test]
    fn a_file_without_header_is_malformed_at_line_1() {
        let Outcome::Malformed(m) = parse("something else entirely\n") else {
            panic!("expected Malformed")
        };
        assert_eq!(m.line, 1);
    }

    #[test]
    fn a_bad_row_reports_its_line_and_column() {
        let cases = [
            (
                "*10.0.0.1        .GPS.            1 u   12   64  389    0.5   0.1   0.05",
                "reach column",
            ),
            (
                "*10.0.0.1        .GPS.            x u   12   64  377    0.5   0.1   0.05",
                "st column",
            ),
            (
                "*10.0.0.1        .GPS.            1 u   12   64  377    0.5   abc   0.05",
                "offset column",
            ),
            (
                "*10.0.0.1        .GPS.            1 u   12   6q  377    0.5   0.1   0.05",
                "poll column",
            ),
            (
                "*10.0.0.1        .GPS.            1 u   1x   64  377    0.5   0.1   0.05",
                "when column",
            ),
            (
                "*10.0.0.1        .GPS.            1 7   12   64  377    0.5   0.1   0.05",
                "t column",
            ),
            (
                "?10.0.0.1        .GPS.            1 u   12   64  377    0.5   0.1   0.05",
                "tally column",
            ),
            ("*10.0.0.1        .GPS.     1 u 12", "too few"),
            ("*a b c d e f g h i j k l", "refid column"),
        ];
        for (row, column) in cases {
            let text = format!(
                "{HEADER}*10.0.0.2        .GPS.            1 u   12   64  377    0.5   0.1   0.05\n{row}\n"
            );
            let Outcome::Malformed(m) = parse(&text) else {
                panic!("expected Malformed for {row:?}")
            };
            assert_eq!(m.line, 4, "{row:?}");
            assert!(m.reason.contains(column), "{row:?}: {}", m.reason);
        }
    }

    #[test]
    fn header_with_no_rows_is_an_empty_table() {
        let r = parsed(&parse(HEADER), "header only");
        assert!(r.peers.is_empty());
        assert!(!r.no_associations);
    }

    #[test]
    fn serialises_as_tagged_outcome() {
        let text = format!(
            "{HEADER}*10.0.0.1        .GPS.            1 u   12   64  377    0.5   0.1   0.05\n"
        );
        let json = serde_json::to_value(parse(&text)).unwrap();
        assert_eq!(json["outcome"], "parsed");
        assert_eq!(json["records"]["peers"][0]["reach"], 255);
        assert_eq!(json["records"]["peers"][0]["reach_octal"], "377");
    }

    #[test]
    fn never_panics_on_truncated_junk_or_non_ascii_input() {
        let mut inputs: Vec<String> = vec![
            format!("{HEADER}*ñtp.exämple.cöm .GPS.  1 u 1 64 377 0.1 0.2 0.3\n"),
            format!("{HEADER}+ñtp ëxämplé çöm… .GPS.  1 u 1 64 377 0.1 0.2 0.3\n"),
            format!("{HEADER}é\n"),
            format!(
                "{HEADER}*日本語のホスト名です日本語のホスト名 .GPS. 1 u 1 64 377 0.1 0.2 0.3\n"
            ),
            format!("{HEADER}*\u{0}\u{1}\u{7f}\n\t\t\t\n*x\n"),
            format!(
                "{HEADER}*10.0.0.1 .GPS. 1 u 99999999999999999999d 99999999999999999999d 377 1e400 nan inf\n"
            ),
            "\u{feff}remote refid st t when poll reach delay offset jitter\n".to_string(),
        ];
        // Binary junk from a fixed pseudo-random sequence.
        let junk = lcg_junk(0x1234_5678, 4096);
        inputs.push(String::from_utf8_lossy(&junk).into_owned());
        inputs.push(format!("{HEADER}{}", String::from_utf8_lossy(&junk)));
        for (_, text) in samples("ntpq-pn") {
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
