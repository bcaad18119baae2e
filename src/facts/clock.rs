//! System clock (`date`) and hardware clock (`hwclock`) facts.

use super::{FactProblem, FactResult, FactSpec, NodeFacts, outcome_problem, source};
use crate::parse::date::{self, ClockReading};
use crate::parse::{Outcome, hwclock};
use chrono::{DateTime, NaiveDateTime};
use serde_json::{Value as Json, json};

pub const CLOCK: FactSpec = FactSpec {
    name: "clock",
    always: false,
    inputs: &["date"],
    summary: "The system clock when the snapshot was taken, set against node.json \
              `collected_at` (the collector's own clock). A `date` whose zone is unknown or \
              ambiguous (CST, IST) is read against collected_at: the whole quarter-hour offset \
              nearest to it is taken as the zone, and `zone_inferred` is set.",
    fields: &[
        ("text", "string", "the line as printed"),
        ("zone", "string|null", "zone as printed"),
        (
            "zone_inferred",
            "bool",
            "the UTC offset was inferred from collected_at",
        ),
        (
            "system_epoch",
            "double|null",
            "system time, seconds since 1970 UTC",
        ),
        (
            "collected_at_epoch",
            "double|null",
            "node.json collected_at, seconds since 1970 UTC",
        ),
        (
            "offset_s",
            "double|null",
            "system_epoch − collected_at_epoch: how far the node's clock is from the collector's",
        ),
        ("source", "map", "{file, line}"),
    ],
};

pub const RTC: FactSpec = FactSpec {
    name: "rtc",
    always: false,
    inputs: &["hwclock", "date"],
    summary: "The hardware clock (RTC) against the system clock read in the same shell. \
              `Cannot access the Hardware Clock` (no RTC, as on many VMs) makes rules on it \
              not applicable.",
    fields: &[
        ("text", "string", "hwclock output line"),
        ("zone", "string|null", "zone as printed"),
        (
            "rtc_epoch",
            "double|null",
            "hardware clock time, seconds since 1970 UTC",
        ),
        ("system_epoch", "double|null", "system clock from `date`"),
        (
            "drift_s",
            "double|null",
            "rtc − system in seconds; null when the two cannot be compared",
        ),
        ("source", "map", "{file, line} of the hwclock line"),
        ("system_source", "map", "{file, line} of the date line"),
    ],
};

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

pub fn build_clock(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("date", date::parse)?;
    let r = reading(&rel, &outcome)?;
    let collected = collected_at(facts);
    let (epoch, inferred) = match (
        r.epoch,
        collected,
        r.local.as_deref().and_then(local_as_utc),
    ) {
        (Some(e), _, _) => (Some(e), false),
        (None, Some(c), Some(wall)) => {
            // Whole quarter hours, as every real zone offset is.
            let offset = ((wall - c) / 900.0).round() * 900.0;
            if offset.abs() <= 14.0 * 3600.0 {
                (Some(wall - offset), true)
            } else {
                (None, false)
            }
        }
        _ => (None, false),
    };
    Ok(json!({
        "text": r.text,
        "zone": r.zone,
        "zone_inferred": inferred,
        "system_epoch": epoch,
        "collected_at_epoch": collected,
        "offset_s": epoch.zip(collected).map(|(e, c)| e - c),
        "source": source(&rel, r.line),
    }))
}

pub fn build_rtc(facts: &mut NodeFacts) -> FactResult {
    let (rel, outcome) = facts.parse("hwclock", hwclock::parse)?;
    let rtc = reading(&rel, &outcome)?.clone();
    let clock = facts.get("clock")?;
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
    Ok(json!({
        "text": rtc.text,
        "zone": rtc.zone,
        "rtc_epoch": rtc.epoch,
        "system_epoch": system_epoch,
        "drift_s": drift,
        "source": source(&rel, rtc.line),
        "system_source": source(&drel, system.line),
    }))
}
