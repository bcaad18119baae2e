//! CMP GUI exports that follow the steps of the MPE/MRA upgrade: the
//! configuration state of each cluster (System tab), the audit log of
//! what operators changed and the KPIs. Like the alarm export they cover
//! the whole system, so the file usually sits in one node's
//! snapshot only: the fact is present on every node, with `exported` false
//! where there is no file, and the rules combine the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::vendor::{audit_log, cluster_config, kpi};
use serde_json::{Value as Json, json};

pub const CLUSTER_CONFIG: FactSpec = FactSpec {
    name: "cluster_config",
    always: false,
    build: Build::Node(build_cluster_config),
    diff: None,
    inputs: &["cluster-config"],
    summary: "The configuration state of the MPE and MRA clusters (CMP GUI, cluster → System \
              tab), one entry per server row.",
    fields: Fields::Listed(&[
        (
            "exported",
            "bool",
            "the snapshot holds the export (false: no file; the list is then empty)",
        ),
        ("file", "string|null", "the export read"),
        ("servers", "list", "one map per row:"),
        ("servers[].cluster", "string", "cluster name"),
        (
            "servers[].kind",
            "string|null",
            "cluster type as printed (MPE, MRA)",
        ),
        ("servers[].server", "string|null", "server name"),
        (
            "servers[].role",
            "string|null",
            "lowercase: active, standby, forced standby, …",
        ),
        (
            "servers[].release",
            "string|null",
            "the server's running release",
        ),
        (
            "servers[].config_version",
            "string|null",
            "the version of the cluster's configuration on the CMP",
        ),
        ("servers[].config", "string", "the config status as printed"),
        (
            "servers[].mismatch",
            "bool",
            "the config status says `Config mismatch` (or yes in a mismatch column)",
        ),
        ("servers[].source", "map", "{file, line}"),
    ]),
};

/// No file: an empty, explicitly unexported fact rather than a missing one.
fn not_exported(list: &str) -> Json {
    json!({ "exported": false, "file": null, list: [] })
}

pub fn build_cluster_config(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("cluster-config", cluster_config::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(not_exported("servers")),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let servers: Vec<Json> = rows
        .iter()
        .map(|r| {
            json!({
                "cluster": r.cluster,
                "kind": r.kind,
                "server": r.server,
                "role": r.role,
                "release": r.release,
                "config_version": r.config_version,
                "config": r.config,
                "mismatch": r.mismatch,
                "source": source(&shown, r.line),
            })
        })
        .collect();
    Ok(json!({ "exported": true, "file": shown, "servers": servers }))
}

pub const AUDIT_LOG: FactSpec = FactSpec {
    name: "audit_log",
    always: false,
    build: Build::Node(build_audit_log),
    diff: None,
    inputs: &["audit-log"],
    summary: "The CMP audit log: the operators' actions (CMP GUI, Audit Log, exported).",
    fields: Fields::Listed(&[
        (
            "exported",
            "bool",
            "the snapshot holds the export (false: no file; the list is then empty)",
        ),
        ("file", "string|null", "the export read"),
        ("entries", "list", "one map per audited action:"),
        ("entries[].time", "string", "time as printed"),
        (
            "entries[].epoch",
            "int|null",
            "time, seconds since 1970 (null: a form not read)",
        ),
        ("entries[].user", "string|null", "operator"),
        (
            "entries[].action",
            "string",
            "action as printed (Create, Modify, Delete, Deploy, Login, …)",
        ),
        (
            "entries[].object_type",
            "string|null",
            "kind of object (Policy, Network Element, MPE, …)",
        ),
        ("entries[].object", "string|null", "object acted on"),
        ("entries[].description", "string|null", "description"),
        ("entries[].source", "map", "{file, line}"),
    ]),
};

pub fn build_audit_log(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("audit-log", audit_log::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(not_exported("entries")),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let entries: Vec<Json> = rows
        .iter()
        .map(|e| {
            json!({
                "time": e.time,
                "epoch": e.epoch,
                "user": e.user,
                "action": e.action,
                "object_type": e.object_type,
                "object": e.object,
                "description": e.description,
                "source": source(&shown, e.line),
            })
        })
        .collect();
    Ok(json!({ "exported": true, "file": shown, "entries": entries }))
}

pub const KPIS: FactSpec = FactSpec {
    name: "kpis",
    always: false,
    build: Build::Node(build_kpis),
    diff: None,
    inputs: &["kpi"],
    summary: "The KPI samples exported from the CMP (KPI Dashboard or Trending Reports): before \
              the window, after each failover and at the end.",
    fields: Fields::Listed(&[
        (
            "exported",
            "bool",
            "the snapshot holds a KPI export (false: no file; the list is then empty)",
        ),
        ("file", "string|null", "the export read"),
        ("samples", "list", "one map per row:"),
        ("samples[].time", "string", "time as printed"),
        (
            "samples[].epoch",
            "int",
            "time, seconds since 1970 (UTC unless the time gives an offset)",
        ),
        (
            "samples[].element",
            "string|null",
            "the cluster or server measured (null: the system)",
        ),
        ("samples[].kpi", "string", "KPI or counter name as printed"),
        (
            "samples[].value",
            "double|null",
            "the value (`%` dropped); null when the export shows `-` or `N/A`",
        ),
        ("samples[].source", "map", "{file, line}"),
    ]),
};

pub fn build_kpis(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("kpi", kpi::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return Ok(not_exported("samples")),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let samples: Vec<Json> = rows
        .iter()
        .map(|s| {
            json!({
                "time": s.time,
                "epoch": s.time_epoch,
                "element": s.element,
                "kpi": s.kpi,
                "value": s.value,
                "source": source(&shown, s.line),
            })
        })
        .collect();
    Ok(json!({ "exported": true, "file": shown, "samples": samples }))
}
