//! System clock (`date`) and hardware clock (`hwclock`) facts.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::time::date::{self, ClockReading};
use crate::parse::time::timedatectl::{self, TimedatectlStatus};
use crate::parse::{Outcome, time::hwclock};
use chrono::{DateTime, NaiveDateTime};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

pub const CLOCK: FactSpec = FactSpec {
    name: "clock",
    always: false,
    build: Build::Node(build_clock),
    diff: None,
    inputs: &["date", "timedatectl"],
    summary: "The system clock when the snapshot was taken, set against node.json \
              `collected_at` (the collector's own clock, unless `collected_at_clock` is \
              `node`). A `date` whose zone abbreviation is unknown or ambiguous (CST, IST) is \
              placed by the offset `timedatectl` prints for the same abbreviation when the \
              snapshot has it; else the whole quarter-hour offset nearest to collected_at is \
              taken as the zone and `zone_inferred` is set: such a clock can be any whole \
              number of hours off unseen, which only a comparison with the fleet can reveal.",
    schema: typed::<Clock>,
};

pub const RTC: FactSpec = FactSpec {
    name: "rtc",
    always: false,
    build: Build::Node(build_rtc),
    diff: None,
    inputs: &["hwclock", "date"],
    summary: "The hardware clock (RTC) against the system clock read in the same shell. \
              `Cannot access the Hardware Clock` (no RTC, as on many VMs) makes rules on it \
              not applicable.",
    schema: typed::<Rtc>,
};

/// The `clock` fact.
#[derive(Serialize, JsonSchema)]
struct Clock {
    /// the line as printed
    text: String,
    /// zone as printed
    zone: Option<String>,
    /// the zone's offset east of UTC as used (null for epoch output)
    utc_offset_s: Option<i32>,
    /// where the offset comes from: `date` (an unambiguous zone),
    /// `timedatectl` (its `Time zone` line for the same abbreviation),
    /// `inferred` (from collected_at); null for epoch output
    zone_source: Option<&'static str>,
    /// the UTC offset was inferred from collected_at
    zone_inferred: bool,
    /// system time, seconds since 1970 UTC
    system_epoch: Option<f64>,
    /// node.json collected_at, seconds since 1970 UTC
    collected_at_epoch: Option<f64>,
    /// whose clock collected_at was read from: `collector` (an independent
    /// reference) or `node` (the node's own, as in a sosreport: then
    /// offset_s says nothing about the node's clock); null without
    /// collected_at
    reference: Option<&'static str>,
    /// system_epoch − collected_at_epoch: how far the node's clock is from
    /// the collector's
    offset_s: Option<f64>,
    /// {file, line}
    source: Source,
}

/// The `rtc` fact.
#[derive(Serialize, JsonSchema)]
struct Rtc {
    /// hwclock output line
    text: String,
    /// zone as printed
    zone: Option<String>,
    /// hardware clock time, seconds since 1970 UTC
    rtc_epoch: Option<f64>,
    /// system clock from `date`
    system_epoch: Option<f64>,
    /// rtc − system in seconds; null when the two cannot be compared
    drift_s: Option<f64>,
    /// {file, line} of the hwclock line
    source: Source,
    /// {file, line} of the date line
    system_source: Source,
}

fn collected_at(facts: &NodeFacts) -> Option<f64> {
    let text = facts.node.field("collected_at")?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis() as f64 / 1000.0)
}

/// Seconds since 1970 of a wall time read as if it were UTC.
fn local_as_utc(local: &str) -> Option<f64> {
    let t = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(t.and_utc().timestamp_millis() as f64 / 1000.0)
}

fn reading<'r>(
    rel: &str,
    outcome: &'r Outcome<ClockReading>,
) -> Result<&'r ClockReading, FactProblem> {
    match outcome {
        Outcome::Parsed { records } => Ok(records),
        other => Err(outcome_problem(rel, other).expect("not parsed")),
    }
}

/// The offset `timedatectl` gives for the zone abbreviation `date` printed.
fn timedatectl_offset(facts: &mut NodeFacts, zone: Option<&str>) -> Option<i32> {
    let zone = zone?;
    let (_, outcome) = facts.parse("timedatectl", timedatectl::parse).ok()?;
    let status: &TimedatectlStatus = outcome.records()?;
    status
        .zone_abbreviation
        .as_deref()
        .filter(|abbr| abbr.eq_ignore_ascii_case(zone))
        .and(status.utc_offset_s)
}

pub fn build_clock(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("date", date::parse)?;
    let r = reading(&rel, &outcome)?.clone();
    let collected = collected_at(facts);
    let wall = r.local.as_deref().and_then(local_as_utc);
    let (epoch, offset, zone_source) = match (r.epoch, r.utc_offset_s, wall) {
        (Some(e), known, _) => (Some(e), known, known.map(|_| "date")),
        (None, _, Some(wall)) => match timedatectl_offset(facts, r.zone.as_deref()) {
            Some(o) => (Some(wall - f64::from(o)), Some(o), Some("timedatectl")),
            None => match collected.and_then(|c| inferred_offset(wall, c)) {
                Some(o) => (Some(wall - f64::from(o)), Some(o), Some("inferred")),
                None => (None, None, None),
            },
        },
        (None, _, None) => (None, None, None),
    };
    let reference = collected.map(|_| match facts.node.field("collected_at_clock") {
        Some("node") => "node",
        _ => "collector",
    });
    to_fact(&Clock {
        source: Source::new(&rel, r.line),
        text: r.text,
        zone: r.zone,
        utc_offset_s: offset,
        zone_source,
        zone_inferred: zone_source == Some("inferred"),
        system_epoch: epoch,
        collected_at_epoch: collected,
        reference,
        offset_s: epoch.zip(collected).map(|(e, c)| e - c),
    })
}

/// The whole quarter-hour offset (every real zone's step) that puts the
/// wall time nearest to collected_at; None beyond ±14 h.
fn inferred_offset(wall: f64, collected: f64) -> Option<i32> {
    let offset = ((wall - collected) / 900.0).round() * 900.0;
    (offset.abs() <= 14.0 * 3600.0).then_some(offset as i32)
}

pub fn build_rtc(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("hwclock", hwclock::parse)?;
    let rtc = reading(&rel, &outcome)?.clone();
    let clock = facts.get_shared("clock")?;
    let (drel, doutcome) = facts.parse("date", date::parse)?;
    let system = reading(&drel, &doutcome)?;
    let system_epoch = clock.get("system_epoch").and_then(Json::as_f64);
    let drift = match (rtc.epoch, system_epoch) {
        (Some(r), Some(s)) => Some(r - s),
        // Same zone, or neither printed one: the wall times compare directly.
        _ if rtc.zone == system.zone => rtc
            .local
            .as_deref()
            .and_then(local_as_utc)
            .zip(system.local.as_deref().and_then(local_as_utc))
            .map(|(r, s)| r - s),
        _ => None,
    };
    to_fact(&Rtc {
        text: rtc.text,
        zone: rtc.zone,
        rtc_epoch: rtc.epoch,
        system_epoch,
        drift_s: drift,
        source: Source::new(&rel, rtc.line),
        system_source: Source::new(&drel, system.line),
    })
}
