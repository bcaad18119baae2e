//! Exports from the Policy Management CMP GUI: the active alarms and the
//! Upgrade Manager log. The CMP exports them for the whole system, so the
//! file usually sits in one node's snapshot only; these facts are therefore
//! present on every node, with `exported` false where there is no file, and
//! the rules that read them combine the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, DiffAs, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::alarms::AlarmSeverity;
use crate::parse::vendor::upgrade_log::UpgradeResult;
use crate::parse::vendor::{alarms, upgrade_log};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

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
    schema: typed::<Alarms>,
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
    schema: typed::<Alarms>,
};

pub const UPGRADE_LOG: FactSpec = FactSpec {
    name: "upgrade_log",
    always: false,
    build: Build::Node(build_upgrade_log),
    diff: None,
    inputs: &["upgrade-log"],
    summary: "The Upgrade Manager's upgrade log (Upgrade Manager page, View Upgrade Log, \
              exported or copied as CSV or tab-separated text).",
    schema: typed::<UpgradeLog>,
};

/// The `alarms` fact; without a file, empty and explicitly unexported
/// rather than missing.
#[derive(Serialize, JsonSchema, Default)]
struct Alarms<'r> {
    /// the snapshot holds an alarm export (false: no file; the list is then
    /// empty)
    exported: bool,
    /// the export read
    file: Option<String>,
    /// one map per active alarm:
    alarms: Vec<Alarm<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct Alarm<'r> {
    /// alarm number as printed, e.g. 70500
    id: &'r str,
    /// as the export's vocabulary normalises it
    severity: AlarmSeverity,
    /// alarm name or text
    name: Option<&'r str>,
    /// server the alarm is raised on
    server: Option<&'r str>,
    /// alarm instance
    instance: Option<&'r str>,
    /// time raised, as printed
    raised_at: Option<&'r str>,
    /// time raised, seconds since 1970
    raised_epoch: Option<i64>,
    /// {file, line}
    source: Source,
    /// the stages of the Policy Management 12.1.2 procedure whose steps
    /// name the alarm as expected: `[{stage, severity, sections}]`,
    /// `severity` the highest the steps of that stage give it (critical,
    /// major or minor), empty when no step names it (see writing-rules.md,
    /// `upgrade_progress`)
    #[schemars(with = "Vec<Json>")]
    expected_at: Json,
}

/// The `upgrade_log` fact; like `alarms` without a file.
#[derive(Serialize, JsonSchema, Default)]
struct UpgradeLog<'r> {
    /// the snapshot holds an upgrade log (false: no file; the list is then
    /// empty)
    exported: bool,
    /// the export read
    file: Option<String>,
    /// one map per action:
    actions: Vec<Action<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct Action<'r> {
    /// action ID
    id: i64,
    /// ID of the action that started it
    parent: Option<i64>,
    /// action name, e.g. Initiate upgrade
    action: &'r str,
    /// start time as printed
    start: Option<&'r str>,
    /// start, seconds since 1970
    start_epoch: Option<i64>,
    /// end time as printed
    end: Option<&'r str>,
    /// end, seconds since 1970
    end_epoch: Option<i64>,
    /// server or cluster
    scope: Option<&'r str>,
    /// server (or cluster) acted on
    hostname: Option<&'r str>,
    /// the result, normalised
    result: UpgradeResult,
    /// the result as printed
    raw_result: &'r str,
    /// description
    description: Option<&'r str>,
    /// {file, line}
    source: Source,
}

pub fn build_alarms(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("alarms", alarms::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&Alarms::default()),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let alarms = rows
        .iter()
        .map(|a| Alarm {
            id: &a.id,
            severity: a.severity,
            name: a.name.as_deref(),
            server: a.server.as_deref(),
            instance: a.instance.as_deref(),
            raised_at: a.raised_at.as_deref(),
            raised_epoch: a.raised_epoch,
            source: Source::new(&shown, a.line),
            expected_at: crate::facts::procedure::expected_at(&a.id),
        })
        .collect();
    to_fact(&Alarms {
        exported: true,
        file: Some(shown.clone()),
        alarms,
    })
}

pub fn build_baseline_alarms(facts: &mut NodeFacts) -> FactResult {
    facts.baseline_fact("alarms")
}

pub fn build_upgrade_log(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("upgrade-log", upgrade_log::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&UpgradeLog::default()),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let actions = rows
        .iter()
        .map(|a| Action {
            id: a.id,
            parent: a.parent,
            action: &a.action,
            start: a.start.as_deref(),
            start_epoch: a.start_epoch,
            end: a.end.as_deref(),
            end_epoch: a.end_epoch,
            scope: a.scope.as_deref(),
            hostname: a.hostname.as_deref(),
            result: a.result,
            raw_result: &a.raw_result,
            description: a.description.as_deref(),
            source: Source::new(&shown, a.line),
        })
        .collect();
    to_fact(&UpgradeLog {
        exported: true,
        file: Some(shown.clone()),
        actions,
    })
}
