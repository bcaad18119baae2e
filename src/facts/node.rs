//! Identity (node.json), the maintenance plan and rule parameters.

use super::node_facts::NodeFacts;
use super::problem::FactResult;
use super::spec::{Build, FactSpec, typed};
use crate::snapshot::Node;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

pub const NODE: FactSpec = FactSpec {
    name: "node",
    always: true,
    build: Build::Node(build_identity),
    diff: None,
    inputs: &[],
    summary: "The node's identity and state from node.json. Unknown fields are kept; \
              the documented ones are always present (null when node.json lacks them).",
    schema: typed::<Identity>,
};

pub const PLAN: FactSpec = FactSpec {
    name: "plan",
    always: true,
    build: Build::Plan,
    diff: None,
    inputs: &[],
    summary: "plan.toml at the fleet root as a map (empty when there is none). \
              Rules read optional keys with has(), e.g. `has(plan.upgrade_filesystem)`.",
    schema: typed::<Plan>,
};

pub const PARAMS: FactSpec = FactSpec {
    name: "params",
    always: true,
    build: Build::RuleParams,
    diff: None,
    inputs: &[],
    summary: "The `[params]` table of the rule being evaluated: thresholds an operator tunes \
              without touching the expression.",
    schema: typed::<Map<String, Json>>,
};

/// The `node` fact: node.json with every documented field present (null
/// when node.json lacks it), so that rules can test
/// `node.platform in [...]` without guarding each field.
#[derive(Serialize, JsonSchema)]
struct Identity {
    /// host name; the folder name when node.json has none
    hostname: String,
    /// site the node belongs to
    #[schemars(with = "Option<String>")]
    site: Json,
    /// cluster the node belongs to (cluster-scope rules group by it)
    #[schemars(with = "Option<String>")]
    cluster: Json,
    /// cmp, mpe, mpe-li, mra, ne, pbx, switch, server, …
    #[schemars(with = "Option<String>")]
    role: Json,
    /// tpd, osn6800, openscape4000, dms100, linux, …
    #[schemars(with = "Option<String>")]
    platform: Json,
    /// active, standby, forced-standby, spare, oos, zombie
    #[schemars(with = "Option<String>")]
    ha_role: Json,
    /// release running when collected
    #[schemars(with = "Option<String>")]
    running_release: Json,
    /// release before the last upgrade
    #[schemars(with = "Option<String>")]
    previous_release: Json,
    /// release the window upgrades to
    #[schemars(with = "Option<String>")]
    target_release: Json,
    /// on, off, sync-broken
    #[schemars(with = "Option<String>")]
    replication: Json,
    /// RFC 3339 time the snapshot was taken
    #[schemars(with = "Option<String>")]
    collected_at: Json,
    /// whose clock collected_at was read from: `node` (the node's own: a
    /// sosreport, or collect without --collected-at), else the collector's
    #[schemars(with = "Option<String>")]
    collected_at_clock: Json,
    /// RFC 3339 time the server's last upgrade completed (Upgrade Manager,
    /// Upgrade Operation column)
    #[schemars(with = "Option<String>")]
    upgraded_at: Json,
    /// the Upgrade Manager's Upgrade Operation column for the server as
    /// printed, e.g. `[Step 20] 4% Initiate upgrade - Initiate upgrade
    /// (Elapsed Time: 0:00:33)` while it runs
    #[schemars(with = "Option<String>")]
    upgrade_operation: Json,
    /// free-form component versions
    #[schemars(with = "Map<String, Json>")]
    versions: Json,
    /// free-form labels
    #[schemars(with = "Map<String, Json>")]
    labels: Json,
    /// the snapshot folder as given on the command line
    path: String,
    /// collected_at in seconds since 1970 (null without a valid
    /// collected_at)
    collected_epoch: Option<i64>,
    /// collected_at in days since 1970
    collected_day: Option<i64>,
    /// upgraded_at in seconds since 1970 (null without a valid upgraded_at)
    upgraded_epoch: Option<i64>,
    /// node.json's other fields, kept as they are
    #[serde(flatten)]
    others: Map<String, Json>,
}

/// The `node` fact: identity needs no input beyond node.json.
fn build_identity(facts: &mut NodeFacts) -> FactResult {
    Ok(identity_fact(facts.node))
}

/// The `node` fact of `node`.
pub fn identity_fact(node: &Node) -> Json {
    let mut others = node.identity.clone();
    // The fields the fact sets itself replace node.json's.
    for set in [
        "hostname",
        "path",
        "collected_epoch",
        "collected_day",
        "upgraded_epoch",
    ] {
        others.remove(set);
    }
    let mut given = |key: &str| others.remove(key).unwrap_or(Json::Null);
    let collected = node.field("collected_at").and_then(epoch_of);
    let identity = Identity {
        hostname: node.name(),
        site: given("site"),
        cluster: given("cluster"),
        role: given("role"),
        platform: given("platform"),
        ha_role: given("ha_role"),
        running_release: given("running_release"),
        previous_release: given("previous_release"),
        target_release: given("target_release"),
        replication: given("replication"),
        collected_at: given("collected_at"),
        collected_at_clock: given("collected_at_clock"),
        upgraded_at: given("upgraded_at"),
        upgrade_operation: given("upgrade_operation"),
        versions: others.remove("versions").unwrap_or_else(|| json!({})),
        labels: others.remove("labels").unwrap_or_else(|| json!({})),
        path: node.dir.display().to_string(),
        collected_epoch: collected,
        collected_day: collected.map(|e| e.div_euclid(86400)),
        upgraded_epoch: node.field("upgraded_at").and_then(epoch_of),
        others,
    };
    serde_json::to_value(&identity)
        .expect("a fact type serializes to JSON: its map keys are strings")
}

/// The `plan` fact: plan.toml as written, its documented keys typed for
/// the docs, and the times it gives in seconds since 1970. A key the file
/// does not set is absent (rules test it with has()).
#[derive(Serialize, Deserialize, JsonSchema, Default)]
struct Plan {
    /// RFC 3339 start of the maintenance window
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "String")]
    window_start: Json,
    /// filesystem the upgrade writes to (default /var/TKLC)
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "String")]
    upgrade_filesystem: Json,
    /// free space the upgrade filesystem needs, KiB
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "i64")]
    upgrade_min_free_kib: Json,
    /// target release per role
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "Map<String, Json>")]
    target_release: Json,
    /// RFC 3339 time of the health check run 24–36 h before the window,
    /// when the snapshot checked is a later one
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "String")]
    health_check_at: Json,
    /// releases that upgrade directly to the target
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "Vec<String>")]
    supported_start_releases: Json,
    /// accounts the procedure logs in with
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "Vec<String>")]
    accounts: Json,
    /// clusters that may upgrade at once (default 4)
    #[serde(default, skip_serializing_if = "Json::is_null")]
    #[schemars(with = "i64")]
    max_parallel_clusters: Json,
    /// window_start in seconds since 1970 (added when window_start is
    /// valid)
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    window_start_epoch: Option<i64>,
    /// window_start in days since 1970 (added when window_start is valid)
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    window_start_day: Option<i64>,
    /// health_check_at in seconds since 1970
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    health_check_at_epoch: Option<i64>,
    /// the file's other keys, as written
    #[serde(flatten)]
    others: Map<String, Json>,
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
        let line = e.span().map_or(1, |s| {
            text.get(..s.start)
                .map_or(1, |t| t.matches('\n').count() + 1)
        });
        PlanError::Syntax {
            path: path.to_path_buf(),
            line,
            message: e.message().trim().to_string(),
        }
    })?;
    let as_written = toml_to_json(toml::Value::Table(table));
    // Every key reads as JSON of any shape: this cannot fail.
    let mut plan: Plan = serde_json::from_value(as_written).unwrap_or_default();
    // A time read replaces what the file says of it; else the file's key
    // stays, as written.
    if let Some(epoch) = plan.window_start.as_str().and_then(epoch_of) {
        plan.others.remove("window_start_epoch");
        plan.others.remove("window_start_day");
        plan.window_start_epoch = Some(epoch);
        plan.window_start_day = Some(epoch.div_euclid(86400));
    }
    if let Some(epoch) = plan.health_check_at.as_str().and_then(epoch_of) {
        plan.others.remove("health_check_at_epoch");
        plan.health_check_at_epoch = Some(epoch);
    }
    Ok(serde_json::to_value(&plan)
        .expect("a fact type serializes to JSON: its map keys are strings"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_keeps_every_key_as_written_and_adds_the_times_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.toml");
        let text = "window_start = 2026-11-21T14:00:00Z\nhealth_check_at = \"not a time\"\n\
                    health_check_at_epoch = 7\nprimary_site = \"east\"\n\
                    [target_release]\nmpe = \"12.1.2\"\n";
        std::fs::write(&path, text).unwrap();
        let want = json!({
            "window_start": "2026-11-21T14:00:00Z",
            "window_start_epoch": 1_795_269_600,
            "window_start_day": 20_778,
            "health_check_at": "not a time",
            "health_check_at_epoch": 7,
            "primary_site": "east",
            "target_release": { "mpe": "12.1.2" },
        });
        assert_eq!(plan_fact(&path).unwrap(), want);
    }
}
