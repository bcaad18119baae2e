//! Saved `ping` runs: `commands/ping`, collected on the DC or NMS server as
//! `ping -c 4 <NE IP>` (Linux, Unix) or `ping -n 4 <NE IP>` (Windows), one
//! run or several (one per NE address) in one file.
//!
//! # Runs
//!
//! A run starts at its header line and ends at its summary line; a record
//! is made of each summary, with the counts as printed:
//!
//! | ping                     | header                                            | summary |
//! |--------------------------|---------------------------------------------------|---------|
//! | Linux (iputils)          | `PING host (address) 56(84) bytes of data.`       | `4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3004ms` |
//! | BusyBox, macOS, BSD      | `PING host (address): 56 data bytes`              | `4 packets transmitted, 4 packets received, 0.0% packet loss` |
//! | Windows                  | `Pinging host [address] with 32 bytes of data:`  | `Packets: Sent = 4, Received = 0, Lost = 4 (100% loss),` |
//!
//! `target` is the host as given to ping (the first word after `PING` or
//! `Pinging`), `address` what it resolved to. Without a header line, the
//! statistics line above the summary (`--- host ping statistics ---`,
//! `Ping statistics for host:`) names the target. When the summary prints
//! no loss (iputils does not when it sent nothing), it is worked out from
//! the counts: 100% when nothing was sent.
//!
//! Windows counts an ICMP error reply (`Reply from 10.71.32.1: Destination
//! host unreachable.`, `TTL expired in transit.`) as received: such replies
//! of a run are counted in `error_replies`, so that a reader can tell that
//! the host did not answer although the summary says it did.
//!
//! # Errors
//!
//! A host that cannot be resolved gives a record of its own, with
//! `transmitted` and `received` 0, `loss_percent` 100 and the message in
//! `error`: the host cannot be reached by that name.
//!
//! - `ping: unknown host HOST` (older iputils)
//! - `ping: HOST: Name or service not known`, `… Temporary failure in name
//!   resolution`, `… No address associated with hostname` (iputils)
//! - `ping: cannot resolve HOST: Unknown host` (macOS, BSD)
//! - `ping: bad address 'HOST'` (BusyBox)
//! - `Ping request could not find host HOST. Please check the name and try
//!   again.` (Windows)
//!
//! A run that ends without a summary after ping reported that the network or
//! the host is unreachable (`connect: Network is unreachable`, `ping:
//! sendto: No route to host`, `… Host is down`, `… Network is down`) is
//! read the same way, with that message as `error`.
//!
//! A run that ends without a summary otherwise (the next header, or the end
//! of the file, comes first) was cut off: the file is Malformed at the
//! run's header. So is a file with no run at all, unless it is empty or
//! holds only collector messages (`command not found`), or only says that
//! ping could not open its socket (`ping: socket: Operation not
//! permitted`): those are NotApplicable. Replies, timeouts, round-trip
//! times, blank lines and any other lines (a shell prompt, the command
//! line) are skipped. Summaries in languages other than English are not
//! read.
//!
//! # Examples
//!
//! An NE that does not answer, from a Linux server:
//!
//! ```text
//! PING 10.71.32.11 (10.71.32.11) 56(84) bytes of data.
//! From 10.71.32.1 icmp_seq=1 Destination Host Unreachable
//! From 10.71.32.1 icmp_seq=2 Destination Host Unreachable
//! From 10.71.32.1 icmp_seq=3 Destination Host Unreachable
//! From 10.71.32.1 icmp_seq=4 Destination Host Unreachable
//!
//! --- 10.71.32.11 ping statistics ---
//! 4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3004ms
//! pipe 4
//! ```
//!
//! Three NEs in one file: one answers, one loses a packet, one name does not
//! resolve:
//!
//! ```text
//! $ ping -c 4 osn6800-01
//! PING osn6800-01 (10.71.32.10) 56(84) bytes of data.
//! 64 bytes from 10.71.32.10: icmp_seq=1 ttl=64 time=0.412 ms
//! 64 bytes from 10.71.32.10: icmp_seq=2 ttl=64 time=0.389 ms
//! 64 bytes from 10.71.32.10: icmp_seq=3 ttl=64 time=0.421 ms
//! 64 bytes from 10.71.32.10: icmp_seq=4 ttl=64 time=0.398 ms
//!
//! --- osn6800-01 ping statistics ---
//! 4 packets transmitted, 4 received, 0% packet loss, time 3003ms
//! rtt min/avg/max/mdev = 0.389/0.405/0.421/0.012 ms
//! $ ping -c 4 osn6800-02
//! PING osn6800-02 (10.71.32.12) 56(84) bytes of data.
//! 64 bytes from 10.71.32.12: icmp_seq=1 ttl=64 time=0.502 ms
//! 64 bytes from 10.71.32.12: icmp_seq=3 ttl=64 time=0.517 ms
//! 64 bytes from 10.71.32.12: icmp_seq=4 ttl=64 time=0.498 ms
//!
//! --- osn6800-02 ping statistics ---
//! 4 packets transmitted, 3 received, 25% packet loss, time 3010ms
//! rtt min/avg/max/mdev = 0.498/0.505/0.517/0.008 ms
//! $ ping -c 4 osn6800-03
//! ping: osn6800-03: Name or service not known
//! ```
//!
//! BusyBox:
//!
//! ```text
//! PING 10.71.32.11 (10.71.32.11): 56 data bytes
//!
//! --- 10.71.32.11 ping statistics ---
//! 4 packets transmitted, 0 packets received, 100% packet loss
//! ```
//!
//! Windows, where an unreachable reply counts as received, then a name
//! that does not resolve:
//!
//! ```text
//! Pinging 10.71.32.11 with 32 bytes of data:
//! Request timed out.
//! Reply from 10.71.32.1: Destination host unreachable.
//! Request timed out.
//! Request timed out.
//!
//! Ping statistics for 10.71.32.11:
//!     Packets: Sent = 4, Received = 1, Lost = 3 (75% loss),
//! Ping request could not find host osn6800-03. Please check the name and try again.
//! ```

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::parse::{Absence, Outcome, clipped, collector_message, numbered_lines};

/// One ping run: a summary, or a host ping could not reach by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PingRun {
    /// 1-based line of the summary, or of the error.
    pub line: usize,
    /// The host as given to ping.
    pub target: Option<String>,
    /// The address it resolved to, when the header printed one.
    pub address: Option<String>,
    pub transmitted: u32,
    /// As printed; on Windows this includes `error_replies`.
    pub received: u32,
    pub loss_percent: f64,
    /// ICMP error replies (`Destination host unreachable`) that Windows
    /// counts as received.
    pub error_replies: u32,
    /// Why ping reached nothing, for a run without a summary.
    pub error: Option<String>,
    /// The summary or error line, trimmed.
    pub summary: String,
}

// `[0-9]` rather than `\d`, which would also match non-ASCII digits.
static UNIX_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^PING\s+([^\s(]+)(?:\s*\(([^)]*)\))?").expect("constant pattern")
});

static WINDOWS_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Pinging\s+(\S+)(?:\s+\[([^\]]*)\])?\s+with\s+[0-9]+\s+bytes")
        .expect("constant pattern")
});

static STATISTICS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^-{2,}\s*(\S+)\s+(?i:ping statistics)\s*-{2,}$|^Ping statistics for (.+):$")
        .expect("constant pattern")
});

static UNIX_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]+) packets transmitted, ([0-9]+) (?:packets )?received")
        .expect("constant pattern")
});

static UNIX_LOSS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r", ([0-9]+(?:\.[0-9]+)?)% packet loss").expect("constant pattern")
});

static WINDOWS_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^Packets: Sent = ([0-9]+), Received = ([0-9]+), Lost = [0-9]+ \(([0-9]+(?:\.[0-9]+)?)% loss\)",
    )
    .expect("constant pattern")
});

/// Name-resolution failures; the first group that matched is the host.
static UNRESOLVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ^ping:\ unknown\ host\ (\S+)
        | ^ping:\ cannot\ resolve\ (\S+):
        | ^ping:\ bad\ address\ '([^']*)'
        | ^ping:\ (\S+):\ (?i:name\ or\ service\ not\ known|temporary\ failure\ in\ name\ resolution
            |no\ address\ associated\ with\ hostname|unknown\ host|nodename\ nor\ servname)
        | ^Ping\ request\ could\ not\ find\ host\ (.+?)\.\ Please",
    )
    .expect("constant pattern")
});

/// Messages that the network or the host cannot be reached.
static UNREACHABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:ping: )?(?:connect|sendto|sendmsg|send): (?:network is unreachable|no route to host|host is down|network is down)",
    )
    .expect("constant pattern")
});

/// ping could not open its socket: it did not run.
static NO_SOCKET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^ping:.*(?:socket|operation not permitted|permission denied)")
        .expect("constant pattern")
});

/// A run between its header and its summary.
struct Open {
    /// The header line, or the first line seen of a run without one.
    line: usize,
    quoted: String,
    target: Option<String>,
    address: Option<String>,
    error_replies: u32,
    /// The last unreachable message, with its line.
    error: Option<(usize, String)>,
}

impl Open {
    fn new(line: usize, text: &str) -> Self {
        Open {
            line,
            quoted: text.to_string(),
            target: None,
            address: None,
            error_replies: 0,
            error: None,
        }
    }

    /// The record of a run that ended without a summary: an error record
    /// when ping said why, else the run was cut off.
    fn unfinished(self) -> Result<PingRun, Outcome<Vec<PingRun>>> {
        match self.error {
            Some((line, message)) => Ok(PingRun {
                line,
                target: self.target,
                address: self.address,
                transmitted: 0,
                received: 0,
                loss_percent: 100.0,
                error_replies: self.error_replies,
                error: Some(message.clone()),
                summary: message,
            }),
            None => Err(Outcome::malformed(
                self.line,
                format!(
                    "the ping run '{}' has no summary line ('N packets transmitted, …' or \
                     'Packets: Sent = N, …'): it was cut off",
                    clipped(&self.quoted, 60)
                ),
            )),
        }
    }
}

/// A count as printed; `Err` when it does not fit.
fn count(line: usize, digits: &str) -> Result<u32, Outcome<Vec<PingRun>>> {
    digits.parse().map_err(|_| {
        Outcome::malformed(
            line,
            format!("packet count '{}' is too large", clipped(digits, 30)),
        )
    })
}

/// Parses one or more saved ping runs.
pub fn parse(text: &str) -> Outcome<Vec<PingRun>> {
    match runs(text) {
        Ok(records) if records.is_empty() => no_runs(text),
        Ok(records) => Outcome::parsed(records),
        Err(outcome) => outcome,
    }
}

fn runs(text: &str) -> Result<Vec<PingRun>, Outcome<Vec<PingRun>>> {
    let mut records = Vec::new();
    let mut open: Option<Open> = None;
    for (no, raw) in numbered_lines(text) {
        let line = raw.trim();
        let header = UNIX_HEADER
            .captures(line)
            .or_else(|| WINDOWS_HEADER.captures(line));
        if let Some(c) = header {
            if let Some(run) = open.take() {
                records.push(run.unfinished()?);
            }
            let mut run = Open::new(no, line);
            // `PING host: 56 data bytes` (Solaris) ends the name with a colon.
            run.target = c
                .get(1)
                .map(|m| m.as_str().trim_end_matches(':').to_string())
                .filter(|t| !t.is_empty());
            run.address = c
                .get(2)
                .map(|m| m.as_str().trim().to_string())
                .filter(|a| !a.is_empty());
            open = Some(run);
            continue;
        }
        if let Some(c) = STATISTICS.captures(line) {
            let run = open.get_or_insert_with(|| Open::new(no, line));
            if run.target.is_none() {
                run.target = c
                    .get(1)
                    .or_else(|| c.get(2))
                    .map(|m| m.as_str().trim().to_string());
            }
            continue;
        }
        let summary = if let Some(c) = UNIX_SUMMARY.captures(line) {
            let transmitted = count(no, &c[1])?;
            let received = count(no, &c[2])?;
            let loss = UNIX_LOSS
                .captures(line)
                .and_then(|l| l[1].parse::<f64>().ok());
            Some((transmitted, received, loss))
        } else if let Some(c) = WINDOWS_SUMMARY.captures(line) {
            let loss = c[3].parse::<f64>().ok();
            Some((count(no, &c[1])?, count(no, &c[2])?, loss))
        } else {
            None
        };
        if let Some((transmitted, received, loss)) = summary {
            let run = open.take().unwrap_or_else(|| Open::new(no, line));
            let loss_percent = match loss {
                Some(l) if l <= 100.0 => l,
                Some(_) => {
                    return Err(Outcome::malformed(
                        no,
                        format!("'{}' reports more than 100% loss", clipped(line, 60)),
                    ));
                }
                None if transmitted == 0 => 100.0,
                None => {
                    100.0 * f64::from(transmitted.saturating_sub(received)) / f64::from(transmitted)
                }
            };
            records.push(PingRun {
                line: no,
                target: run.target,
                address: run.address,
                transmitted,
                received,
                loss_percent,
                error_replies: run.error_replies,
                error: None,
                summary: line.to_string(),
            });
            continue;
        }
        if let Some(c) = UNRESOLVED.captures(line) {
            if let Some(run) = open.take() {
                records.push(run.unfinished()?);
            }
            let host = c
                .iter()
                .skip(1)
                .flatten()
                .next()
                .map(|m| m.as_str().to_string());
            records.push(PingRun {
                line: no,
                target: host,
                address: None,
                transmitted: 0,
                received: 0,
                loss_percent: 100.0,
                error_replies: 0,
                error: Some(line.to_string()),
                summary: line.to_string(),
            });
            continue;
        }
        if UNREACHABLE.is_match(line) {
            let run = open.get_or_insert_with(|| Open::new(no, line));
            run.error = Some((no, line.to_string()));
            continue;
        }
        if let Some(run) = open.as_mut()
            && line.starts_with("Reply from ")
            && {
                let l = line.to_ascii_lowercase();
                l.contains("unreachable") || l.contains("ttl expired")
            }
        {
            run.error_replies += 1;
        }
    }
    if let Some(run) = open.take() {
        records.push(run.unfinished()?);
    }
    Ok(records)
}

/// What a file without any run is.
fn no_runs(text: &str) -> Outcome<Vec<PingRun>> {
    if let Some(na) = collector_message(text) {
        return Outcome::NotApplicable(na);
    }
    let mut lines = numbered_lines(text).filter(|(_, l)| !l.trim().is_empty());
    let Some((first_no, first)) = lines.next() else {
        return Outcome::not_applicable(Absence::Empty, "the file is empty", None);
    };
    if std::iter::once((first_no, first))
        .chain(lines)
        .all(|(_, l)| NO_SOCKET.is_match(l.trim()))
    {
        return Outcome::not_applicable(
            Absence::ToolMissing,
            format!("ping could not run: {}", clipped(first.trim(), 80)),
            Some(first_no),
        );
    }
    Outcome::malformed(
        first_no,
        format!(
            "no ping run: no summary line ('N packets transmitted, …' or 'Packets: Sent = N, …') \
             and no unresolved host; the file starts with '{}'",
            clipped(first.trim(), 60)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{
        self, close, junk, lcg_junk, not_applicable, parse_every_prefix, parsed,
    };

    fn runs(text: &str) -> Vec<PingRun> {
        parsed(&parse(text), text)
    }

    fn malformed(text: &str) -> (usize, String) {
        let m = testing::malformed(&parse(text), text);
        (m.line, m.reason)
    }

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("ping.rs"))
    }

    /// A run, its fields in declaration order.
    #[allow(clippy::too_many_arguments)]
    fn run(
        line: usize,
        target: Option<&str>,
        address: Option<&str>,
        transmitted: u32,
        received: u32,
        loss_percent: f64,
        error_replies: u32,
        error: Option<&str>,
        summary: &str,
    ) -> PingRun {
        PingRun {
            line,
            target: target.map(str::to_string),
            address: address.map(str::to_string),
            transmitted,
            received,
            loss_percent,
            error_replies,
            error: error.map(str::to_string),
            summary: summary.into(),
        }
    }

    #[test]
    fn documentation_examples_parse() {
        let blocks = doc_blocks();
        assert_eq!(blocks.len(), 4);
        let summary = "4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3004ms";
        assert_eq!(
            runs(&blocks[0]),
            vec![run(
                8,
                Some("10.71.32.11"),
                Some("10.71.32.11"),
                4,
                0,
                100.0,
                0,
                None,
                summary
            )]
        );
        let unresolved = "ping: osn6800-03: Name or service not known";
        assert_eq!(
            runs(&blocks[1]),
            vec![
                run(
                    9,
                    Some("osn6800-01"),
                    Some("10.71.32.10"),
                    4,
                    4,
                    0.0,
                    0,
                    None,
                    "4 packets transmitted, 4 received, 0% packet loss, time 3003ms"
                ),
                run(
                    18,
                    Some("osn6800-02"),
                    Some("10.71.32.12"),
                    4,
                    3,
                    25.0,
                    0,
                    None,
                    "4 packets transmitted, 3 received, 25% packet loss, time 3010ms"
                ),
                run(
                    21,
                    Some("osn6800-03"),
                    None,
                    0,
                    0,
                    100.0,
                    0,
                    Some(unresolved),
                    unresolved
                ),
            ]
        );
        assert_eq!(
            runs(&blocks[2]),
            vec![run(
                4,
                Some("10.71.32.11"),
                Some("10.71.32.11"),
                4,
                0,
                100.0,
                0,
                None,
                "4 packets transmitted, 0 packets received, 100% packet loss"
            )]
        );
        let not_found =
            "Ping request could not find host osn6800-03. Please check the name and try again.";
        assert_eq!(
            runs(&blocks[3]),
            vec![
                run(
                    8,
                    Some("10.71.32.11"),
                    None,
                    4,
                    1,
                    75.0,
                    1,
                    None,
                    "Packets: Sent = 4, Received = 1, Lost = 3 (75% loss),"
                ),
                run(
                    9,
                    Some("osn6800-03"),
                    None,
                    0,
                    0,
                    100.0,
                    0,
                    Some(not_found),
                    not_found
                ),
            ]
        );
    }

    #[test]
    fn headers_of_each_ping() {
        for (header, target, address) in [
            (
                "PING 10.1.1.1 (10.1.1.1) 56(84) bytes of data.",
                "10.1.1.1",
                Some("10.1.1.1"),
            ),
            (
                "PING ne01.example (10.1.1.1): 56 data bytes",
                "ne01.example",
                Some("10.1.1.1"),
            ),
            ("PING ::1(::1) 56 data bytes", "::1", Some("::1")),
            ("PING ne01: 56 data bytes", "ne01", None),
            (
                "Pinging ne01 [10.1.1.1] with 32 bytes of data:",
                "ne01",
                Some("10.1.1.1"),
            ),
            ("Pinging 10.1.1.1 with 32 bytes of data:", "10.1.1.1", None),
        ] {
            let got = runs(&format!(
                "{header}\n4 packets transmitted, 4 received, 0% packet loss\n"
            ));
            assert_eq!(got[0].target.as_deref(), Some(target), "{header}");
            assert_eq!(got[0].address.as_deref(), address, "{header}");
            assert_eq!(got[0].line, 2);
        }
    }

    #[test]
    fn summaries_of_each_ping() {
        for (summary, transmitted, received, loss) in [
            (
                "4 packets transmitted, 4 received, 0% packet loss, time 3003ms",
                4,
                4,
                0.0,
            ),
            (
                "4 packets transmitted, 4 received, +1 duplicates, 0% packet loss, time 3003ms",
                4,
                4,
                0.0,
            ),
            (
                "5 packets transmitted, 3 received, +2 errors, 40% packet loss, time 4005ms",
                5,
                3,
                40.0,
            ),
            (
                "3 packets transmitted, 2 received, 33.3333% packet loss, time 2002ms",
                3,
                2,
                33.3333,
            ),
            (
                "4 packets transmitted, 4 packets received, 0.0% packet loss",
                4,
                4,
                0.0,
            ),
            ("0 packets transmitted, 0 received", 0, 0, 100.0),
            ("4 packets transmitted, 3 received", 4, 3, 25.0),
            (
                "    Packets: Sent = 4, Received = 4, Lost = 0 (0% loss),",
                4,
                4,
                0.0,
            ),
            (
                "Packets: Sent = 4, Received = 0, Lost = 4 (100% loss),",
                4,
                0,
                100.0,
            ),
        ] {
            let got = runs(&format!("{summary}\r\n"));
            assert_eq!(got.len(), 1, "{summary}");
            let r = &got[0];
            assert_eq!(
                (r.transmitted, r.received),
                (transmitted, received),
                "{summary}"
            );
            assert!(close(r.loss_percent, loss), "{summary}: {}", r.loss_percent);
            assert_eq!((r.target.as_ref(), r.line), (None, 1), "{summary}");
            assert_eq!(r.summary, summary.trim());
        }
    }

    #[test]
    fn statistics_line_names_a_run_without_header() {
        let got = runs(
            "--- ne01 ping statistics ---\n4 packets transmitted, 0 received, 100% packet loss\n",
        );
        assert_eq!(got[0].target.as_deref(), Some("ne01"));
        let got = runs(
            "Ping statistics for fe80::1:\n    Packets: Sent = 4, Received = 4, Lost = 0 (0% loss),\n",
        );
        assert_eq!(got[0].target.as_deref(), Some("fe80::1"));
        // Solaris spells it in capitals without spaces.
        let got = runs(
            "----ne02 PING Statistics----\n4 packets transmitted, 4 packets received, 0% packet loss\n",
        );
        assert_eq!(got[0].target.as_deref(), Some("ne02"));
        // The header's name wins over the statistics line's.
        let got = runs(
            "PING ne01 (10.1.1.1) 56(84) bytes of data.\n--- 10.1.1.1 ping statistics ---\n\
             1 packets transmitted, 1 received, 0% packet loss\n",
        );
        assert_eq!(got[0].target.as_deref(), Some("ne01"));
    }

    #[test]
    fn unresolved_hosts() {
        for (line, host) in [
            ("ping: unknown host ne09", "ne09"),
            ("ping: ne09: Name or service not known", "ne09"),
            ("ping: ne09: Temporary failure in name resolution", "ne09"),
            ("ping: ne09: No address associated with hostname", "ne09"),
            ("ping: cannot resolve ne09: Unknown host", "ne09"),
            ("ping: bad address 'ne09'", "ne09"),
            (
                "Ping request could not find host ne09.example. Please check the name and try again.",
                "ne09.example",
            ),
        ] {
            let got = runs(&format!("{line}\n"));
            assert_eq!(
                got,
                vec![run(1, Some(host), None, 0, 0, 100.0, 0, Some(line), line)],
                "{line}"
            );
        }
    }

    #[test]
    fn unreachable_network_without_summary() {
        let got = runs("connect: Network is unreachable\n");
        let message = "connect: Network is unreachable";
        assert_eq!(
            got,
            vec![run(1, None, None, 0, 0, 100.0, 0, Some(message), message)]
        );
        let text = "PING 10.1.1.1 (10.1.1.1): 56 data bytes\nping: sendto: Network is unreachable\n\
                    PING 10.1.1.2 (10.1.1.2): 56 data bytes\n\
                    4 packets transmitted, 4 packets received, 0% packet loss\n";
        let got = runs(text);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (
                got[0].line,
                got[0].target.as_deref(),
                got[0].error.as_deref()
            ),
            (
                2,
                Some("10.1.1.1"),
                Some("ping: sendto: Network is unreachable")
            )
        );
        assert!(close(got[0].loss_percent, 100.0));
        assert_eq!((got[1].line, got[1].error.as_ref()), (4, None));
        // Per-packet errors inside a run that has its summary change nothing.
        let text = "PING 10.1.1.1 (10.1.1.1) 56(84) bytes of data.\n\
                    ping: sendmsg: No route to host\nping: sendmsg: No route to host\n\
                    --- 10.1.1.1 ping statistics ---\n\
                    2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1001ms\n";
        let got = runs(text);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].line, got[0].error.as_ref()), (5, None));
        // A host that is down, from macOS.
        let got = runs("PING ne (10.1.1.1): 56 data bytes\nping: sendto: Host is down\n");
        assert_eq!(got[0].error.as_deref(), Some("ping: sendto: Host is down"));
    }

    #[test]
    fn windows_error_replies() {
        let text = "Pinging 10.1.1.1 with 32 bytes of data:\n\
                    Reply from 10.1.1.254: Destination host unreachable.\n\
                    Reply from 10.1.1.254: Destination net unreachable.\n\
                    Reply from 10.9.9.9: TTL expired in transit.\n\
                    Reply from 10.1.1.1: bytes=32 time<1ms TTL=64\n\
                    Reply from ::1: time<1ms\n\n\
                    Ping statistics for 10.1.1.1:\n\
                    \x20   Packets: Sent = 5, Received = 5, Lost = 0 (0% loss),\n\
                    Approximate round trip times in milli-seconds:\n\
                    \x20   Minimum = 0ms, Maximum = 0ms, Average = 0ms\n";
        let got = runs(text);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].received, got[0].error_replies), (5, 3));
        assert_eq!(got[0].line, 9);
        // Error replies belong to their own run.
        let two = format!("{text}{text}");
        let got = runs(&two);
        assert_eq!(
            got.iter().map(|r| r.error_replies).collect::<Vec<_>>(),
            vec![3, 3]
        );
    }

    #[test]
    fn cut_off_runs_are_malformed_at_their_header() {
        let (line, why) = malformed(
            "PING ne01 (10.1.1.1) 56(84) bytes of data.\n64 bytes from 10.1.1.1: icmp_seq=1 ttl=64 time=0.4 ms\n",
        );
        assert_eq!(line, 1);
        assert!(
            why.contains("cut off") && why.contains("PING ne01"),
            "{why}"
        );
        // Cut off before the next run starts.
        let (line, _) = malformed(
            "4 packets transmitted, 4 received, 0% packet loss\n\
             PING ne02 (10.1.1.2) 56(84) bytes of data.\n\
             PING ne03 (10.1.1.3) 56(84) bytes of data.\n\
             4 packets transmitted, 4 received, 0% packet loss\n",
        );
        assert_eq!(line, 2);
        // ... or before an unresolved host.
        let (line, _) =
            malformed("Pinging ne02 [10.1.1.2] with 32 bytes of data:\nping: unknown host ne03\n");
        assert_eq!(line, 1);
        // A statistics line with nothing after it.
        let (line, _) = malformed("--- ne01 ping statistics ---\n");
        assert_eq!(line, 1);
        // A long header is quoted clipped.
        let long = format!("PING {}", "n".repeat(300));
        let (_, why) = malformed(&long);
        assert!(why.contains('…') && why.len() < 250, "{why}");
    }

    #[test]
    fn no_run_at_all() {
        let (line, why) = malformed("\n$ ping -c 4 ne01\nping: invalid option -- 'z'\n");
        assert_eq!(line, 2);
        assert!(
            why.contains("no ping run") && why.contains("$ ping -c 4 ne01"),
            "{why}"
        );
        // Summaries in another language are not read.
        let (line, _) = malformed(
            "Ping-Statistik für 10.1.1.1:\n    Pakete: Gesendet = 4, Empfangen = 4, Verloren = 0\n",
        );
        assert_eq!(line, 1);
        let (_, why) = malformed("4 packets transmitted, 5 received, 101% packet loss\n");
        assert!(why.contains("more than 100%"), "{why}");
        let (line, why) = malformed("PING x\n99999999999 packets transmitted, 0 received\n");
        assert_eq!(line, 2);
        assert!(why.contains("too large"), "{why}");
    }

    #[test]
    fn collector_messages_and_no_socket() {
        for text in ["", "\n \r\n"] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(na.kind, Absence::Empty, "{text:?}");
        }
        for (text, line) in [
            ("bash: ping: command not found\n", 1),
            ("\nping: socket: Operation not permitted\n", 2),
            ("ping: icmp open socket: Operation not permitted\n", 1),
            ("ping: permission denied (are you root?)\n", 1),
        ] {
            let na = not_applicable(&parse(text), text);
            assert_eq!(
                (na.kind, na.line),
                (Absence::ToolMissing, Some(line)),
                "{text}"
            );
        }
    }

    #[test]
    fn serialises() {
        let json = serde_json::to_value(parse("ping: unknown host ne09\n")).unwrap();
        assert_eq!(json["outcome"], "parsed");
        let r = &json["records"][0];
        assert_eq!(r["target"], "ne09");
        assert_eq!(r["loss_percent"], 100.0);
        assert_eq!(r["error"], "ping: unknown host ne09");
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        inputs.extend([
            "PING (\nPinging [ with 1 bytes\n--- ping statistics ---\n".to_string(),
            "Ping statistics for :\n    Packets: Sent = 1, Received = 9, Lost = 0 (0% loss),\n"
                .into(),
            "PING 北京 (é)\nReply from x: unreachable\n1 packets transmitted, 1 received\n".into(),
        ]);
        let alphabet = [
            "PING ",
            "Pinging ",
            "ne01 ",
            "(10.1.1.1)",
            "[10.1.1.1]",
            " with 32 bytes",
            "--- ",
            " ping statistics ---",
            "4 packets transmitted, ",
            "3 received, ",
            "25% packet loss",
            "Packets: Sent = 4, Received = 1, Lost = 3 (75% loss),",
            "Reply from 1: Destination host unreachable.",
            "ping: unknown host ",
            "connect: Network is unreachable",
            "\n",
            "\r\n",
            " ",
            "é",
            "\0",
        ];
        for seed in 1..=8 {
            inputs.push(String::from_utf8_lossy(&junk(seed, 512)).into_owned());
            inputs.push(String::from_utf8_lossy(&lcg_junk(seed as u32, 512)).into_owned());
        }
        for seed in 1..=48 {
            let mut text = String::new();
            for b in junk(seed, 40) {
                text.push_str(alphabet[b as usize % alphabet.len()]);
            }
            inputs.push(text);
        }
        parse_every_prefix(&inputs, parse);
    }
}
