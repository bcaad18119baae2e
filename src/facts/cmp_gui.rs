//! CMP GUI exports that follow the steps of the MPE/MRA upgrade: the
//! configuration state of each cluster (System tab), the audit log of
//! what operators changed and the KPIs. Like the alarm export they cover
//! the whole system, so the file usually sits in one node's
//! snapshot only: the fact is present on every node, with `exported` false
//! where there is no file, and the rules combine the nodes of the fleet.

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::{audit_log, cluster_config, kpi};
use schemars::JsonSchema;
use serde::Serialize;

pub const CLUSTER_CONFIG: FactSpec = FactSpec {
    name: "cluster_config",
    always: false,
    build: Build::Node(build_cluster_config),
    diff: None,
    inputs: &["cluster-config"],
    summary: "The configuration state of the MPE and MRA clusters (CMP GUI, cluster → System \
              tab), one entry per server row.",
    schema: typed::<ClusterConfig>,
};

/// The `cluster_config` fact; without a file, empty and explicitly
/// unexported rather than missing.
#[derive(Serialize, JsonSchema, Default)]
struct ClusterConfig<'r> {
    /// the snapshot holds the export (false: no file; the list is then
    /// empty)
    exported: bool,
    /// the export read
    file: Option<String>,
    /// one map per row:
    servers: Vec<ClusterServer<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct ClusterServer<'r> {
    /// cluster name
    cluster: &'r str,
    /// cluster type as printed (MPE, MRA)
    kind: Option<&'r str>,
    /// server name
    server: Option<&'r str>,
    /// lowercase: active, standby, forced standby, …
    role: Option<&'r str>,
    /// the server's running release
    release: Option<&'r str>,
    /// the version of the cluster's configuration on the CMP
    config_version: Option<&'r str>,
    /// the config status as printed
    config: &'r str,
    /// the config status says `Config mismatch` (or yes in a mismatch
    /// column)
    mismatch: bool,
    /// {file, line}
    source: Source,
}

/// The `audit_log` fact; like `cluster_config` without a file.
#[derive(Serialize, JsonSchema, Default)]
struct AuditLog<'r> {
    /// the snapshot holds the export (false: no file; the list is then
    /// empty)
    exported: bool,
    /// the export read
    file: Option<String>,
    /// one map per audited action:
    entries: Vec<AuditEntry<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct AuditEntry<'r> {
    /// time as printed
    time: &'r str,
    /// time, seconds since 1970 (null: a form not read)
    epoch: Option<i64>,
    /// operator
    user: Option<&'r str>,
    /// action as printed (Create, Modify, Delete, Deploy, Login, …)
    action: &'r str,
    /// kind of object (Policy, Network Element, MPE, …)
    object_type: Option<&'r str>,
    /// object acted on
    object: Option<&'r str>,
    /// description
    description: Option<&'r str>,
    /// {file, line}
    source: Source,
}

/// The `kpis` fact; like `cluster_config` without a file.
#[derive(Serialize, JsonSchema, Default)]
struct Kpis<'r> {
    /// the snapshot holds a KPI export (false: no file; the list is then
    /// empty)
    exported: bool,
    /// the export read
    file: Option<String>,
    /// one map per row:
    samples: Vec<KpiSample<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct KpiSample<'r> {
    /// time as printed
    time: &'r str,
    /// time, seconds since 1970 (UTC unless the time gives an offset)
    epoch: Option<i64>,
    /// the cluster or server measured (null: the system)
    element: Option<&'r str>,
    /// KPI or counter name as printed
    kpi: &'r str,
    /// the value (`%` dropped); null when the export shows `-` or `N/A`
    value: Option<f64>,
    /// {file, line}
    source: Source,
}

pub fn build_cluster_config(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("cluster-config", cluster_config::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&ClusterConfig::default()),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let servers = rows
        .iter()
        .map(|r| ClusterServer {
            cluster: &r.cluster,
            kind: r.kind.as_deref(),
            server: r.server.as_deref(),
            role: r.role.as_deref(),
            release: r.release.as_deref(),
            config_version: r.config_version.as_deref(),
            config: &r.config,
            mismatch: r.mismatch,
            source: Source::new(&shown, r.line),
        })
        .collect();
    to_fact(&ClusterConfig {
        exported: true,
        file: Some(shown.clone()),
        servers,
    })
}

pub const AUDIT_LOG: FactSpec = FactSpec {
    name: "audit_log",
    always: false,
    build: Build::Node(build_audit_log),
    diff: None,
    inputs: &["audit-log"],
    summary: "The CMP audit log: the operators' actions (CMP GUI, Audit Log, exported).",
    schema: typed::<AuditLog>,
};

pub fn build_audit_log(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("audit-log", audit_log::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&AuditLog::default()),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let entries = rows
        .iter()
        .map(|e| AuditEntry {
            time: &e.time,
            epoch: e.epoch,
            user: e.user.as_deref(),
            action: &e.action,
            object_type: e.object_type.as_deref(),
            object: e.object.as_deref(),
            description: e.description.as_deref(),
            source: Source::new(&shown, e.line),
        })
        .collect();
    to_fact(&AuditLog {
        exported: true,
        file: Some(shown.clone()),
        entries,
    })
}

pub const KPIS: FactSpec = FactSpec {
    name: "kpis",
    always: false,
    build: Build::Node(build_kpis),
    diff: None,
    inputs: &["kpi"],
    summary: "The KPI samples exported from the CMP (KPI Dashboard or Trending Reports): before \
              the window, after each failover and at the end.",
    schema: typed::<Kpis>,
};

pub fn build_kpis(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = match facts.parse("kpi", kpi::parse) {
        Ok(read) => read,
        Err(FactProblem::Missing { .. }) => return to_fact(&Kpis::default()),
        Err(other) => return Err(other),
    };
    let Some(rows) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let samples = rows
        .iter()
        .map(|s| KpiSample {
            time: &s.time,
            epoch: s.time_epoch,
            element: s.element.as_deref(),
            kpi: &s.kpi,
            value: s.value,
            source: Source::new(&shown, s.line),
        })
        .collect();
    to_fact(&Kpis {
        exported: true,
        file: Some(shown.clone()),
        samples,
    })
}
