//! Identity (node.json), the maintenance plan and rule parameters.

use super::node_facts::NodeFacts;
use super::problem::FactResult;
use super::spec::{Build, FactSpec, Fields};
use crate::snapshot::Node;
use serde_json::{Value as Json, json};

pub const NODE: FactSpec = FactSpec {
    name: "node",
    always: true,
    build: Build::Node(build_identity),
    diff: None,
    inputs: &[],
    summary: "The node's identity and state from node.json. Unknown fields are kept; \
              the documented ones are always present (null when node.json lacks them).",
    fields: Fields::Listed(&[
        (
            "hostname",
            "string",
            "host name; the folder name when node.json has none",
        ),
        ("site", "string|null", "site the node belongs to"),
        (
            "cluster",
            "string|null",
            "cluster the node belongs to (cluster-scope rules group by it)",
        ),
        (
            "role",
            "string|null",
            "cmp, mpe, mpe-li, mra, ne, pbx, switch, server, …",
        ),
        (
            "platform",
            "string|null",
            "tpd, osn6800, openscape4000, dms100, linux, …",
        ),
        (
            "ha_role",
            "string|null",
            "active, standby, forced-standby, spare, oos, zombie",
        ),
        (
            "running_release",
            "string|null",
            "release running when collected",
        ),
        (
            "previous_release",
            "string|null",
            "release before the last upgrade",
        ),
        (
            "target_release",
            "string|null",
            "release the window upgrades to",
        ),
        ("replication", "string|null", "on, off, sync-broken"),
        (
            "collected_at",
            "string|null",
            "RFC 3339 time the snapshot was taken",
        ),
        (
            "collected_at_clock",
            "string|null",
            "whose clock collected_at was read from: `node` (the node's own: a sosreport, or collect without --collected-at), else the collector's",
        ),
        (
            "upgraded_at",
            "string|null",
            "RFC 3339 time the server's last upgrade completed (Upgrade Manager, Upgrade Operation column)",
        ),
        (
            "upgrade_operation",
            "string|null",
            "the Upgrade Manager's Upgrade Operation column for the server as printed, e.g. `[Step 20] 4% Initiate upgrade - Initiate upgrade (Elapsed Time: 0:00:33)` while it runs",
        ),
        ("versions", "map", "free-form component versions"),
        ("labels", "map", "free-form labels"),
        (
            "path",
            "string",
            "the snapshot folder as given on the command line",
        ),
        (
            "collected_epoch",
            "int|null",
            "collected_at in seconds since 1970 (null without a valid collected_at)",
        ),
        (
            "collected_day",
            "int|null",
            "collected_at in days since 1970",
        ),
    ]),
};

pub const PLAN: FactSpec = FactSpec {
    name: "plan",
    always: true,
    build: Build::Plan,
    diff: None,
    inputs: &[],
    summary: "plan.toml at the fleet root as a map (empty when there is none). \
              Rules read optional keys with has(), e.g. `has(plan.upgrade_filesystem)`.",
    fields: Fields::Listed(&[
        (
            "window_start",
            "string",
            "RFC 3339 start of the maintenance window",
        ),
        (
            "upgrade_filesystem",
            "string",
            "filesystem the upgrade writes to (default /var/TKLC)",
        ),
        (
            "upgrade_min_free_kib",
            "int",
            "free space the upgrade filesystem needs, KiB",
        ),
        ("target_release", "map", "target release per role"),
        (
            "window_start_epoch",
            "int",
            "window_start in seconds since 1970 (added when window_start is valid)",
        ),
        (
            "health_check_at",
            "string",
            "RFC 3339 time of the health check run 24–36 h before the window, when the snapshot checked is a later one",
        ),
        (
            "health_check_at_epoch",
            "int",
            "health_check_at in seconds since 1970",
        ),
        (
            "supported_start_releases",
            "list",
            "releases that upgrade directly to the target",
        ),
        ("accounts", "list", "accounts the procedure logs in with"),
        (
            "max_parallel_clusters",
            "int",
            "clusters that may upgrade at once (default 4)",
        ),
    ]),
};

pub const PARAMS: FactSpec = FactSpec {
    name: "params",
    always: true,
    build: Build::RuleParams,
    diff: None,
    inputs: &[],
    summary: "The `[params]` table of the rule being evaluated: thresholds an operator tunes \
              without touching the expression.",
    fields: Fields::Listed(&[]),
};

const IDENTITY_FIELDS: [&str; 13] = [
    "site",
    "cluster",
    "role",
    "platform",
    "ha_role",
    "running_release",
    "previous_release",
    "target_release",
    "replication",
    "collected_at",
    "collected_at_clock",
    "upgraded_at",
    "upgrade_operation",
];

/// node.json with every documented field present, so that rules can test
/// The `node` fact: identity needs no input beyond node.json.
fn build_identity(facts: &mut NodeFacts) -> FactResult {
    Ok(identity_fact(facts.node))
}

/// `node.platform in [...]` without guarding each field.
pub fn identity_fact(node: &Node) -> Json {
    let mut map = node.identity.clone();
    map.insert("hostname".into(), Json::String(node.name()));
    for f in IDENTITY_FIELDS {
        map.entry(f).or_insert(Json::Null);
    }
    map.entry("versions").or_insert(json!({}));
    map.entry("labels").or_insert(json!({}));
    map.insert("path".into(), Json::String(node.dir.display().to_string()));
    let collected = node.field("collected_at").and_then(epoch_of);
    map.insert("collected_epoch".into(), json!(collected));
    let upgraded = node.field("upgraded_at").and_then(epoch_of);
    map.insert("upgraded_epoch".into(), json!(upgraded));
    map.insert(
        "collected_day".into(),
        json!(collected.map(|e| e.div_euclid(86400))),
    );
    Json::Object(map)
}

/// Why a plan.toml cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: std::path::PathBuf,
        line: usize,
        message: String,
    },
}

/// plan.toml as JSON; `Err` names the file and line when it is invalid.
pub fn plan_fact(path: &std::path::Path) -> Result<Json, PlanError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(json!({})),
        Err(source) => {
            return Err(PlanError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                text.get(..s.start)
                    .map_or(1, |t| t.matches('\n').count() + 1)
            })
            .unwrap_or(1);
        PlanError::Syntax {
            path: path.to_path_buf(),
            line,
            message: e.message().trim().to_string(),
        }
    })?;
    let mut plan = toml_to_json(toml::Value::Table(table));
    let epoch = |key: &str| plan.get(key).and_then(Json::as_str).and_then(epoch_of);
    let start = epoch("window_start");
    let health_check = epoch("health_check_at");
    if let Some(map) = plan.as_object_mut() {
        if let Some(epoch) = start {
            map.insert("window_start_epoch".into(), json!(epoch));
            map.insert("window_start_day".into(), json!(epoch.div_euclid(86400)));
        }
        if let Some(epoch) = health_check {
            map.insert("health_check_at_epoch".into(), json!(epoch));
        }
    }
    Ok(plan)
}

/// Seconds since 1970 of an RFC 3339 time.
fn epoch_of(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp())
}

/// TOML to JSON, with dates as their RFC 3339 text.
pub fn toml_to_json(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}
