//! One time-source fact from whichever daemon the node runs: ntpd
//! (`ntpq -np`) or chronyd (`chronyc sources` + `chronyc tracking`); on a
//! host with neither (systemd-timesyncd), what `timedatectl` says.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::time::chronyc::{self, ChronySource, ChronyTracking};
use crate::parse::time::ntpq::{self, NtpPeer, NtpqReport};
use crate::parse::time::timedatectl::{self, TimedatectlStatus};
use crate::parse::{Absence, Outcome};
use serde_json::{Value as Json, json};

pub const TIME: FactSpec = FactSpec {
    name: "time",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["ntpq", "chronyc-sources", "chronyc-tracking", "timedatectl"],
    summary: "The node's time synchronisation, normalised over ntpd, chronyd and \
              systemd-timesyncd. ntpq is used when it lists associations; chronyc otherwise; \
              `timedatectl` when neither lists its peers (it tells only whether the clock is \
              synchronised and the NTP service runs, so `peers_listed` is false). A daemon that \
              refuses the connection gives `running: false`.",
    fields: Fields::Listed(&[
        (
            "daemon",
            "string",
            "`ntpd`, `chronyd`, `systemd-timesyncd`, or `NTP service` when timedatectl does not name the service (all its layouts but `systemd-timesyncd.service active`)",
        ),
        (
            "running",
            "bool",
            "the daemon answered the query; with timedatectl, the NTP service line says active/yes (the synchronised line when there is none)",
        ),
        (
            "synchronised",
            "bool",
            "ntpd has a system peer (`*`/`o`); timedatectl says `System clock synchronized: yes` (`NTP synchronized: yes`); chronyd has a `*` source and leap status is not `Not synchronised`; in both, that peer is a valid source (stratum below 16, not `.INIT.`/`.STEP.`, reach above 0)",
        ),
        (
            "status",
            "string",
            "one line on the state, quoted from the input when it said so",
        ),
        (
            "status_source",
            "map",
            "{file, line} of the line that decided the status",
        ),
        ("leap_status", "string|null", "chronyc tracking leap status"),
        (
            "system_offset_ms",
            "double|null",
            "chronyc tracking system time offset, + when the clock is fast",
        ),
        (
            "peers_listed",
            "bool",
            "the input lists the peers (ntpq, chronyc); false when the daemon did not answer or only `timedatectl` was read",
        ),
        ("selected", "peer|null", "the system peer, if any"),
        (
            "peers",
            "list<peer>",
            "every association; `.POOL.` rows have `pool: true`",
        ),
        ("peer.remote", "string", "address or name of the peer"),
        (
            "peer.refid",
            "string",
            "ntpd refid (`.GPS.`, `.INIT.`, …); empty for chronyd",
        ),
        ("peer.stratum", "int", "stratum (16 = unsynchronised)"),
        (
            "peer.kind",
            "string",
            "ntpd `t` column (u, b, m, l, s, p); `^`, `=`, `#` for chronyd",
        ),
        (
            "peer.tally",
            "string",
            "the tally or state character as printed",
        ),
        (
            "peer.state",
            "string",
            "sys.peer, pps.peer, candidate, backup, outlier, falseticker, excess, reject (ntpd); synced, combined, not-combined, unreachable, falseticker, too-variable (chronyd)",
        ),
        ("peer.selected", "bool", "this is the system peer"),
        (
            "peer.usable",
            "bool",
            "survived selection (ntpd `*` `o` `+` `#`; chronyd `*` `+` `-`) and is a valid source: not `unsynchronised`, `reachable`",
        ),
        ("peer.falseticker", "bool", "tally `x`"),
        (
            "peer.pool",
            "bool",
            "a `.POOL.` placeholder row, not a peer",
        ),
        (
            "peer.unsynchronised",
            "bool",
            "stratum 16, or refid `.INIT.` / `.STEP.`",
        ),
        (
            "peer.local_clock",
            "bool",
            "the undisciplined local clock (`.LOCL.`, 127.127.1.x)",
        ),
        (
            "peer.reach",
            "int|null",
            "reach register decoded from octal (null when not printed)",
        ),
        (
            "peer.reachable",
            "bool",
            "at least one of the last 8 polls answered",
        ),
        ("peer.offset_ms", "double", "offset in milliseconds"),
        (
            "peer.jitter_ms",
            "double",
            "jitter (ntpd) or error bound (chronyd), ms",
        ),
        ("peer.source", "map", "{file, line}"),
    ]),
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let ntpq = facts.parse("ntpq", ntpq::parse);
    if let Ok((rel, Outcome::Parsed { records })) = &ntpq
        && (!records.peers.is_empty() || records.no_associations)
    {
        return Ok(from_ntpq(rel, records));
    }
    let sources = facts.parse("chronyc-sources", chronyc::parse_sources);
    let tracking = facts.parse("chronyc-tracking", chronyc::parse_tracking);
    if let Ok((rel, Outcome::Parsed { records })) = &sources {
        let tracking = match &tracking {
            Ok((trel, Outcome::Parsed { records })) => Some((trel.as_str(), records)),
            _ => None,
        };
        return Ok(from_chrony(rel, records, tracking));
    }
    if let Ok((rel, Outcome::Parsed { records })) = &ntpq {
        // A header and no rows: ntpd runs with nothing configured.
        return Ok(from_ntpq(rel, records));
    }
    // Neither daemon lists peers: systemd-timesyncd, or a stopped daemon
    // beside a clock that systemd says is synchronised.
    let status = facts.parse("timedatectl", timedatectl::parse);
    if let Ok((rel, Outcome::Parsed { records })) = &status {
        return Ok(from_timedatectl(rel, records));
    }
    let ntpq = ntpq.map(|(rel, o)| (rel, not_parsed(&o)));
    let sources = sources.map(|(rel, o)| (rel, not_parsed(&o)));
    let status = status.map(|(rel, o)| (rel, not_parsed(&o)));
    for (daemon, result) in [("ntpd", &ntpq), ("chronyd", &sources)] {
        if let Ok((rel, Some(Outcome::NotApplicable(na)))) = result
            && na.kind == Absence::ServiceDown
        {
            return Ok(json!({
                "daemon": daemon,
                "running": false,
                "synchronised": false,
                "status": na.reason,
                "status_source": source(rel, na.line.unwrap_or(1)),
                "leap_status": null,
                "system_offset_ms": null,
                "peers_listed": false,
                "selected": null,
                "peers": [],
            }));
        }
    }
    // Nothing usable: report the most telling problem, malformed first.
    let problems: Vec<FactProblem> = [&ntpq, &sources, &status]
        .into_iter()
        .filter_map(|r| match r {
            Ok((rel, Some(outcome))) => outcome_problem(rel, outcome),
            Ok((_, None)) => None,
            Err(p) => Some(p.clone()),
        })
        .collect();
    let pick = problems
        .iter()
        .find(|p| matches!(p, FactProblem::Malformed { .. }))
        .or_else(|| {
            problems
                .iter()
                .find(|p| matches!(p, FactProblem::Unreadable { .. }))
        })
        .cloned();
    Err(pick.unwrap_or_else(|| FactProblem::Missing {
        input: "time (ntpq, chronyc or timedatectl)".into(),
        looked_for: problems
            .iter()
            .flat_map(|p| match p {
                FactProblem::Missing { looked_for, .. } => looked_for.clone(),
                _ => vec![],
            })
            .collect(),
    }))
}

/// The outcome without its records, so ntpq and chronyc outcomes compare.
fn not_parsed<T>(outcome: &Outcome<T>) -> Option<Outcome<()>> {
    match outcome {
        Outcome::Parsed { .. } => None,
        Outcome::NotApplicable(na) => Some(Outcome::NotApplicable(na.clone())),
        Outcome::Malformed(m) => Some(Outcome::Malformed(m.clone())),
    }
}

fn ntp_state(tally: &str) -> &'static str {
    match tally {
        "*" => "sys.peer",
        "o" => "pps.peer",
        "+" => "candidate",
        "#" => "backup",
        "-" => "outlier",
        "x" => "falseticker",
        "." => "excess",
        _ => "reject",
    }
}

fn ntp_peer(rel: &str, p: &NtpPeer) -> Json {
    let pool = p.refid == ".POOL." || p.kind == "p";
    let unsynchronised = p.stratum >= 16 || p.refid == ".INIT." || p.refid == ".STEP.";
    let valid = !unsynchronised && p.reach > 0;
    json!({
        "remote": p.remote,
        "refid": p.refid,
        "stratum": p.stratum,
        "kind": p.kind,
        "tally": p.tally,
        "state": ntp_state(&p.tally),
        "selected": p.tally == "*" || p.tally == "o",
        "usable": valid && matches!(p.tally.as_str(), "*" | "o" | "+" | "#"),
        "falseticker": p.tally == "x",
        "pool": pool,
        "unsynchronised": unsynchronised,
        "local_clock": p.refid == ".LOCL." || p.remote.starts_with("127.127.1."),
        "reach": p.reach,
        "reachable": p.reach > 0,
        "offset_ms": p.offset_ms,
        "jitter_ms": p.jitter_ms,
        "source": source(rel, p.line),
    })
}

/// Why the selected peer is no time source, if it is not: a `*` on a peer
/// at stratum 16 or with reach 0 leaves the node unsynchronised whatever
/// the other peers say.
fn selected_fault(peer: &Json) -> Option<String> {
    let remote = peer["remote"].as_str().unwrap_or_default();
    if peer["unsynchronised"].as_bool() == Some(true) {
        let refid = peer["refid"].as_str().filter(|r| !r.is_empty());
        return Some(format!(
            "the system peer {remote} is at stratum {}{} and synchronises nothing",
            peer["stratum"],
            refid.map(|r| format!(" (refid {r})")).unwrap_or_default()
        ));
    }
    (peer["reachable"].as_bool() == Some(false)).then(|| {
        format!("the system peer {remote} has reach 0: none of its last 8 polls was answered")
    })
}

fn from_ntpq(rel: &str, report: &NtpqReport) -> Json {
    let peers: Vec<Json> = report.peers.iter().map(|p| ntp_peer(rel, p)).collect();
    let selected = report
        .peers
        .iter()
        .zip(&peers)
        .find(|(p, _)| p.tally == "*" || p.tally == "o");
    let fault = selected.and_then(|(_, j)| selected_fault(j));
    let (status, line) = match (selected, report.no_associations) {
        (_, true) => (
            "ntpd has no associations: No association ID's returned".to_string(),
            1,
        ),
        (Some((p, _)), _) => (
            fault
                .clone()
                .unwrap_or_else(|| format!("synchronised to {}", p.remote)),
            p.line,
        ),
        (None, _) => (
            format!(
                "no system peer among {} association(s): no row carries the `*` or `o` tally",
                report.peers.iter().filter(|p| p.refid != ".POOL.").count()
            ),
            report.peers.first().map_or(1, |p| p.line),
        ),
    };
    json!({
        "daemon": "ntpd",
        "running": true,
        "synchronised": selected.is_some() && fault.is_none(),
        "status": status,
        "status_source": source(rel, line),
        "leap_status": null,
        "system_offset_ms": null,
        "peers_listed": true,
        "selected": selected.map(|(_, j)| j.clone()),
        "peers": peers,
    })
}

fn chrony_state(state: &str) -> &'static str {
    match state {
        "*" => "synced",
        "+" => "combined",
        "-" => "not-combined",
        "?" => "unreachable",
        "x" => "falseticker",
        "~" => "too-variable",
        _ => "unknown",
    }
}

fn chrony_peer(rel: &str, s: &ChronySource) -> Json {
    let reachable = match s.reach {
        Some(r) => r > 0,
        None => s.state != "?",
    };
    let unsynchronised = s.stratum >= 16 || (s.stratum == 0 && s.mode != "#");
    json!({
        "remote": s.name,
        "refid": "",
        "stratum": s.stratum,
        "kind": s.mode,
        "tally": s.state,
        "state": chrony_state(&s.state),
        "selected": s.state == "*",
        "usable": reachable && !unsynchronised && matches!(s.state.as_str(), "*" | "+" | "-"),
        "falseticker": s.state == "x",
        "pool": false,
        "unsynchronised": unsynchronised,
        "local_clock": false,
        "reach": s.reach,
        "reachable": reachable,
        "offset_ms": s.offset_ms,
        "jitter_ms": s.error_ms,
        "source": source(rel, s.line),
    })
}

fn from_chrony(
    rel: &str,
    sources: &[ChronySource],
    tracking: Option<(&str, &ChronyTracking)>,
) -> Json {
    let peers: Vec<Json> = sources.iter().map(|s| chrony_peer(rel, s)).collect();
    let selected = sources.iter().zip(&peers).find(|(s, _)| s.state == "*");
    let fault = selected.and_then(|(_, j)| selected_fault(j));
    let leap = tracking.and_then(|(_, t)| t.leap_status.clone());
    let leap_unsync = leap.as_deref() == Some("Not synchronised");
    let (status, status_source) = if leap_unsync {
        let (trel, t) = tracking.expect("leap status comes from tracking");
        (
            "chronyd reports Leap status : Not synchronised".to_string(),
            source(trel, t.leap_status_line.unwrap_or(1)),
        )
    } else if let Some((s, _)) = selected {
        let status = fault
            .clone()
            .unwrap_or_else(|| format!("synchronised to {}", s.name));
        (status, source(rel, s.line))
    } else {
        (
            format!("no source marked `^*` among {} source(s)", sources.len()),
            source(rel, sources.first().map_or(1, |s| s.line)),
        )
    };
    json!({
        "daemon": "chronyd",
        "running": true,
        "synchronised": selected.is_some() && fault.is_none() && !leap_unsync,
        "status": status,
        "status_source": status_source,
        "leap_status": leap,
        "system_offset_ms": tracking.and_then(|(_, t)| t.system_offset_ms),
        "peers_listed": true,
        "selected": selected.map(|(_, j)| j.clone()),
        "peers": peers,
    })
}

fn from_timedatectl(rel: &str, s: &TimedatectlStatus) -> Json {
    let daemon = match &s.ntp_service {
        Some((key, _)) if key.starts_with("systemd-timesyncd") => "systemd-timesyncd",
        _ => "NTP service",
    };
    let running = match &s.ntp_service {
        Some((_, value)) => matches!(value.as_str(), "active" | "yes"),
        None => s.synchronized,
    };
    let service = s
        .ntp_service
        .as_ref()
        .map(|(key, value)| format!(" ({key}: {value})"))
        .unwrap_or_default();
    json!({
        "daemon": daemon,
        "running": running,
        "synchronised": s.synchronized,
        "status": format!("timedatectl says {}{service}", s.synchronized_text),
        "status_source": source(rel, s.synchronized_line),
        "leap_status": null,
        "system_offset_ms": null,
        "peers_listed": false,
        "selected": null,
        "peers": [],
    })
}
