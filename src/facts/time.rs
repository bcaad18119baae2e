//! One time-source fact from whichever daemon the node runs: ntpd
//! (`ntpq -np`) or chronyd (`chronyc sources` + `chronyc tracking`); on a
//! host with neither (systemd-timesyncd), what `timedatectl` says.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::time::chronyc::{self, ChronySource, ChronyTracking};
use crate::parse::time::ntpq::{self, NtpPeer, NtpqReport};
use crate::parse::time::timedatectl::{self, TimedatectlStatus};
use crate::parse::{Absence, Outcome};
use schemars::JsonSchema;
use serde::Serialize;

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
    schema: typed::<Time>,
};

/// The `time` fact.
#[derive(Serialize, JsonSchema)]
struct Time<'r> {
    /// the time service read
    daemon: Daemon,
    /// the daemon answered the query; with timedatectl, the NTP service line
    /// says active/yes (the synchronised line when there is none)
    running: bool,
    /// ntpd has a system peer (`*`/`o`); timedatectl says `System clock
    /// synchronized: yes` (`NTP synchronized: yes`); chronyd has a `*`
    /// source and leap status is not `Not synchronised`; in both, that peer
    /// is a valid source (stratum below 16, not `.INIT.`/`.STEP.`, reach
    /// above 0)
    synchronised: bool,
    /// one line on the state, quoted from the input when it said so
    status: String,
    /// {file, line} of the line that decided the status
    status_source: Source,
    /// chronyc tracking leap status
    leap_status: Option<&'r str>,
    /// chronyc tracking system time offset, + when the clock is fast
    system_offset_ms: Option<f64>,
    /// the input lists the peers (ntpq, chronyc); false when the daemon did
    /// not answer or only `timedatectl` was read
    peers_listed: bool,
    /// the system peer, if any
    selected: Option<Peer<'r>>,
    /// every association; `.POOL.` rows have `pool: true`
    peers: Vec<Peer<'r>>,
}

/// The time service a node runs.
#[derive(Serialize, JsonSchema, Clone, Copy)]
enum Daemon {
    #[serde(rename = "ntpd")]
    Ntpd,
    #[serde(rename = "chronyd")]
    Chronyd,
    #[serde(rename = "systemd-timesyncd")]
    SystemdTimesyncd,
    /// timedatectl does not name the service: all its layouts but
    /// `systemd-timesyncd.service active`
    #[serde(rename = "NTP service")]
    NtpService,
}

/// An NTP association or chrony source.
#[derive(Serialize, JsonSchema, Clone)]
struct Peer<'r> {
    /// address or name of the peer
    remote: &'r str,
    /// ntpd refid (`.GPS.`, `.INIT.`, …); empty for chronyd
    refid: &'r str,
    /// stratum (16 = unsynchronised)
    stratum: i64,
    /// ntpd `t` column (u, b, m, l, s, p); `^`, `=`, `#` for chronyd
    kind: &'r str,
    /// the tally or state character as printed
    tally: &'r str,
    /// the tally's meaning
    state: PeerState,
    /// this is the system peer
    selected: bool,
    /// survived selection (ntpd `*` `o` `+` `#`; chronyd `*` `+` `-`) and
    /// is a valid source: not `unsynchronised`, `reachable`
    usable: bool,
    /// tally `x`
    falseticker: bool,
    /// a `.POOL.` placeholder row, not a peer
    pool: bool,
    /// stratum 16, or refid `.INIT.` / `.STEP.`
    unsynchronised: bool,
    /// the undisciplined local clock (`.LOCL.`, 127.127.1.x)
    local_clock: bool,
    /// reach register decoded from octal (null when not printed)
    reach: Option<i64>,
    /// at least one of the last 8 polls answered
    reachable: bool,
    /// offset in milliseconds
    offset_ms: f64,
    /// jitter (ntpd) or error bound (chronyd), ms
    jitter_ms: f64,
    /// {file, line}
    source: Source,
}

/// A peer's tally (ntpd) or state character (chronyd), in words.
#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum PeerState {
    /// ntpd `*`
    #[serde(rename = "sys.peer")]
    SysPeer,
    /// ntpd `o`
    #[serde(rename = "pps.peer")]
    PpsPeer,
    /// ntpd `+`
    Candidate,
    /// ntpd `#`
    Backup,
    /// ntpd `-`
    Outlier,
    /// ntpd or chronyd `x`
    Falseticker,
    /// ntpd `.`
    Excess,
    /// ntpd, any other tally
    Reject,
    /// chronyd `*`
    Synced,
    /// chronyd `+`
    Combined,
    /// chronyd `-`
    NotCombined,
    /// chronyd `?`
    Unreachable,
    /// chronyd `~`
    TooVariable,
    /// chronyd, any other state
    Unknown,
}

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let ntpq = facts.parse("ntpq", ntpq::parse);
    if let Ok((rel, Outcome::Parsed { records })) = &ntpq
        && (!records.peers.is_empty() || records.no_associations)
    {
        return to_fact(&from_ntpq(rel, records));
    }
    let sources = facts.parse("chronyc-sources", chronyc::parse_sources);
    let tracking = facts.parse("chronyc-tracking", chronyc::parse_tracking);
    if let Ok((rel, Outcome::Parsed { records })) = &sources {
        let tracking = match &tracking {
            Ok((trel, Outcome::Parsed { records })) => Some((trel.as_str(), records)),
            _ => None,
        };
        return to_fact(&from_chrony(rel, records, tracking));
    }
    if let Ok((rel, Outcome::Parsed { records })) = &ntpq {
        // A header and no rows: ntpd runs with nothing configured.
        return to_fact(&from_ntpq(rel, records));
    }
    // Neither daemon lists peers: systemd-timesyncd, or a stopped daemon
    // beside a clock that systemd says is synchronised.
    let status = facts.parse("timedatectl", timedatectl::parse);
    if let Ok((rel, Outcome::Parsed { records })) = &status {
        return to_fact(&from_timedatectl(rel, records));
    }
    let ntpq = ntpq.map(|(rel, o)| (rel, not_parsed(&o)));
    let sources = sources.map(|(rel, o)| (rel, not_parsed(&o)));
    let status = status.map(|(rel, o)| (rel, not_parsed(&o)));
    for (daemon, result) in [(Daemon::Ntpd, &ntpq), (Daemon::Chronyd, &sources)] {
        if let Ok((rel, Some(Outcome::NotApplicable(na)))) = result
            && na.kind == Absence::ServiceDown
        {
            return to_fact(&Time {
                daemon,
                running: false,
                synchronised: false,
                status: na.reason.clone(),
                status_source: Source::new(rel, na.line.unwrap_or(1)),
                leap_status: None,
                system_offset_ms: None,
                peers_listed: false,
                selected: None,
                peers: vec![],
            });
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

fn ntp_state(tally: &str) -> PeerState {
    match tally {
        "*" => PeerState::SysPeer,
        "o" => PeerState::PpsPeer,
        "+" => PeerState::Candidate,
        "#" => PeerState::Backup,
        "-" => PeerState::Outlier,
        "x" => PeerState::Falseticker,
        "." => PeerState::Excess,
        _ => PeerState::Reject,
    }
}

fn ntp_peer<'r>(rel: &str, p: &'r NtpPeer) -> Peer<'r> {
    let pool = p.refid == ".POOL." || p.kind == "p";
    let unsynchronised = p.stratum >= 16 || p.refid == ".INIT." || p.refid == ".STEP.";
    let valid = !unsynchronised && p.reach > 0;
    Peer {
        remote: &p.remote,
        refid: &p.refid,
        stratum: p.stratum,
        kind: &p.kind,
        tally: &p.tally,
        state: ntp_state(&p.tally),
        selected: p.tally == "*" || p.tally == "o",
        usable: valid && matches!(p.tally.as_str(), "*" | "o" | "+" | "#"),
        falseticker: p.tally == "x",
        pool,
        unsynchronised,
        local_clock: p.refid == ".LOCL." || p.remote.starts_with("127.127.1."),
        reach: Some(p.reach),
        reachable: p.reach > 0,
        offset_ms: p.offset_ms,
        jitter_ms: p.jitter_ms,
        source: Source::new(rel, p.line),
    }
}

/// Why the selected peer is no time source, if it is not: a `*` on a peer
/// at stratum 16 or with reach 0 leaves the node unsynchronised whatever
/// the other peers say.
fn selected_fault(peer: &Peer) -> Option<String> {
    let remote = peer.remote;
    if peer.unsynchronised {
        let refid = Some(peer.refid).filter(|r| !r.is_empty());
        return Some(format!(
            "the system peer {remote} is at stratum {}{} and synchronises nothing",
            peer.stratum,
            refid.map(|r| format!(" (refid {r})")).unwrap_or_default()
        ));
    }
    (!peer.reachable).then(|| {
        format!("the system peer {remote} has reach 0: none of its last 8 polls was answered")
    })
}

fn from_ntpq<'r>(rel: &str, report: &'r NtpqReport) -> Time<'r> {
    let peers: Vec<Peer> = report.peers.iter().map(|p| ntp_peer(rel, p)).collect();
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
    let selected = selected.map(|(_, peer)| peer.clone());
    Time {
        daemon: Daemon::Ntpd,
        running: true,
        synchronised: selected.is_some() && fault.is_none(),
        status,
        status_source: Source::new(rel, line),
        leap_status: None,
        system_offset_ms: None,
        peers_listed: true,
        selected,
        peers,
    }
}

fn chrony_state(state: &str) -> PeerState {
    match state {
        "*" => PeerState::Synced,
        "+" => PeerState::Combined,
        "-" => PeerState::NotCombined,
        "?" => PeerState::Unreachable,
        "x" => PeerState::Falseticker,
        "~" => PeerState::TooVariable,
        _ => PeerState::Unknown,
    }
}

fn chrony_peer<'r>(rel: &str, s: &'r ChronySource) -> Peer<'r> {
    let reachable = match s.reach {
        Some(r) => r > 0,
        None => s.state != "?",
    };
    let unsynchronised = s.stratum >= 16 || (s.stratum == 0 && s.mode != "#");
    Peer {
        remote: &s.name,
        refid: "",
        stratum: s.stratum,
        kind: &s.mode,
        tally: &s.state,
        state: chrony_state(&s.state),
        selected: s.state == "*",
        usable: reachable && !unsynchronised && matches!(s.state.as_str(), "*" | "+" | "-"),
        falseticker: s.state == "x",
        pool: false,
        unsynchronised,
        local_clock: false,
        reach: s.reach,
        reachable,
        offset_ms: s.offset_ms,
        jitter_ms: s.error_ms,
        source: Source::new(rel, s.line),
    }
}

fn from_chrony<'r>(
    rel: &str,
    sources: &'r [ChronySource],
    tracking: Option<(&str, &'r ChronyTracking)>,
) -> Time<'r> {
    let peers: Vec<Peer> = sources.iter().map(|s| chrony_peer(rel, s)).collect();
    let selected = sources.iter().zip(&peers).find(|(s, _)| s.state == "*");
    let fault = selected.and_then(|(_, j)| selected_fault(j));
    let leap = tracking.and_then(|(_, t)| t.leap_status.as_deref());
    let leap_unsync = leap == Some("Not synchronised");
    let (status, status_source) = if leap_unsync {
        let (trel, t) = tracking.expect("leap status comes from tracking");
        (
            "chronyd reports Leap status : Not synchronised".to_string(),
            Source::new(trel, t.leap_status_line.unwrap_or(1)),
        )
    } else if let Some((s, _)) = selected {
        let status = fault
            .clone()
            .unwrap_or_else(|| format!("synchronised to {}", s.name));
        (status, Source::new(rel, s.line))
    } else {
        (
            format!("no source marked `^*` among {} source(s)", sources.len()),
            Source::new(rel, sources.first().map_or(1, |s| s.line)),
        )
    };
    let selected = selected.map(|(_, peer)| peer.clone());
    Time {
        daemon: Daemon::Chronyd,
        running: true,
        synchronised: selected.is_some() && fault.is_none() && !leap_unsync,
        status,
        status_source,
        leap_status: leap,
        system_offset_ms: tracking.and_then(|(_, t)| t.system_offset_ms),
        peers_listed: true,
        selected,
        peers,
    }
}

fn from_timedatectl<'r>(rel: &str, s: &TimedatectlStatus) -> Time<'r> {
    let daemon = match &s.ntp_service {
        Some((key, _)) if key.starts_with("systemd-timesyncd") => Daemon::SystemdTimesyncd,
        _ => Daemon::NtpService,
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
    Time {
        daemon,
        running,
        synchronised: s.synchronized,
        status: format!("timedatectl says {}{service}", s.synchronized_text),
        status_source: Source::new(rel, s.synchronized_line),
        leap_status: None,
        system_offset_ms: None,
        peers_listed: false,
        selected: None,
        peers: vec![],
    }
}
