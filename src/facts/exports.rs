//! Exports from the Policy Management CMP GUI: the active alarms and the
//! Upgrade Manager log. The CMP exports them for the whole system, so the
//! file usually sits in one node's snapshot only; these facts are therefore
//! present on every node, with `exported` false where there is no file, and
//! the rules that read them combine the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, DiffAs, FactSpec, Fields, source};
use crate::parse::vendor::{alarms, upgrade_log};
use serde_json::{Value as Json, json};

const ALARM_FIELDS: &[(&str, &str, &str)] = &[
    (
        "exported",
        "bool",
        "the snapshot holds an alarm export (false: no file; the list is then empty)",
    ),
    ("file", "string|null", "the export read"),
    ("alarms", "list", "one map per active alarm:"),
    (
        "alarms[].id",
        "string",
        "alarm number as printed, e.g. 70500",
    ),
    (
        "alarms[].severity",
        "string",
        "critical, major, minor, warning, info, cleared or unknown",
    ),
    ("alarms[].name", "string|null", "alarm name or text"),
    (
        "alarms[].server",
        "string|null",
        "server the alarm is raised on",
    ),
    ("alarms[].instance", "string|null", "alarm instance"),
    (
        "alarms[].raised_at",
        "string|null",
        "time raised, as printed",
    ),
    (
        "alarms[].raised_epoch",
        "int|null",
        "time raised, seconds since 1970",
    ),
    ("alarms[].source", "map", "{file, line}"),
    (
        "alarms[].expected_at",
        "list",
        "the stages of the Policy Management 12.1.2 procedure whose steps name the alarm as expected: `[{stage, severity, sections}]`, `severity` the highest the steps of that stage give it (critical, major or minor), empty when no step names it (see writing-rules.md, `upgrade_progress`)",
    ),
];

pub const ALARMS: FactSpec = FactSpec {
    name: "alarms",
    always: false,
    build: Build::Node(build_alarms),
    diff: Some(DiffAs::Raised {
        list: "alarms",
        exported: "exported",
    }),
    inputs: &["alarms"],
    summary: "The active alarms exported from the CMP GUI (Active Alarms, export to CSV).",
    fields: Fields::Listed(ALARM_FIELDS),
};

pub const BASELINE_ALARMS: FactSpec = FactSpec {
    name: "baseline_alarms",
    always: false,
    build: Build::Node(build_baseline_alarms),
    diff: None,
    inputs: &["alarms"],
    summary: "`alarms` of the same node (by hostname) in the baseline (pre) snapshot: \
              `--baseline-snapshot DIR`, or the `pre/` beside a checked `post/`. Missing without \
              a baseline node.",
    fields: Fields::Listed(ALARM_FIELDS),
};

pub const UPGRADE_LOG: FactSpec = FactSpec {
    name: "upgrade_log",
    always: false,
    build: Build::Node(build_upgrade_log),
    diff: None,
    inputs: &["upgrade-log"],
    summary: "The Upgrade Manager's upgrade log (Upgrade Manager page, View Upgrade Log, \
              exported or copied as CSV or tab-separated text).",
    fields: Fields::Listed(&[
        (
            "exported",
            "bool",
            "the snapshot holds an upgrade log (false: no file; the list is then empty)",
        ),
        ("file", "string|null", "the export read"),
        ("actions", "list", "one map per action:"),
        ("actions[].id", "int", "action ID"),
        (
            "actions[].parent",
            "int|null",
            "ID of the action that started it",
        ),
        (
            "actions[].action",
            "string",
            "action name, e.g. Initiate upgrade",
        ),
        ("actions[].start", "string|null", "start time as printed"),
        (
            "actions[].start_epoch",
            "int|null",
            "start, seconds since 1970",
        ),
        ("actions[].end", "string|null", "end time as printed"),
        ("actions[].end_epoch", "int|null", "end, seconds since 1970"),
        ("actions[].scope", "string|null", "server or cluster"),
        (
            "actions[].hostname",
            "string|null",
            "server (or cluster) acted on",
        ),
        (
            "actions[].result",
            "string",
            "success, failed, in-progress, pending, cancelled or unknown",
        ),
        ("actions[].raw_result", "string", "the result as printed"),
        ("actions[].description", "string|null", "description"),
        ("actions[].source", "map", "{file, line}"),
    ]),
};

/// No file: an empty, explicitly unexported fact rather than a missing one.
fn not_exported(list: &str) -> Json {
    json!({ "exported": false, "file": null, list: [] })
}

pub fn build_alarms(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("alarms", alarms::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(not_exported("alarms")),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let alarms: Vec<Json> = rows
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "severity": a.severity,
                "name": a.name,
                "server": a.server,
                "instance": a.instance,
                "raised_at": a.raised_at,
                "raised_epoch": a.raised_epoch,
                "source": source(&shown, a.line),
                "expected_at": crate::facts::procedure::expected_at(&a.id),
            })
        })
        .collect();
    Ok(json!({ "exported": true, "file": shown, "alarms": alarms }))
}

pub fn build_baseline_alarms(facts: &mut NodeFacts) -> FactResult {
    facts.baseline_fact("alarms")
}

pub fn build_upgrade_log(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("upgrade-log", upgrade_log::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(not_exported("actions")),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let actions: Vec<Json> = rows
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "parent": a.parent,
                "action": a.action,
                "start": a.start,
                "start_epoch": a.start_epoch,
                "end": a.end,
                "end_epoch": a.end_epoch,
                "scope": a.scope,
                "hostname": a.hostname,
                "result": a.result,
                "raw_result": a.raw_result,
                "description": a.description,
                "source": source(&shown, a.line),
            })
        })
        .collect();
    Ok(json!({ "exported": true, "file": shown, "actions": actions }))
}
