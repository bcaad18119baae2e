//! What is under way in a Policy Management fleet right now: which servers
//! are being upgraded or backed out, which clusters have an upgrade in
//! progress, and which stages of the procedure the fleet is in. The alarm
//! rules compare alarms with the stages, 70002 and 70007 read the servers
//! and clusters.
//!
//! A server's own upgrade (or backout) is in progress when any of these
//! says so:
//! - the upgrade log has an action on it that started and has not
//!   completed (result In Progress or Pending, or no end time);
//! - node.json `upgrade_operation` (the Upgrade Manager's Upgrade Operation
//!   column) shows a running action: `[Step 20] 4% Initiate upgrade …` or
//!   `… In Progress`;
//! - alarm 70507 (Upgrade In Progress) is raised on it.

use super::fleet::{CMP, Direction, Fleet, MPE_MRA, Server};
use crate::model::vocabulary::vocabulary;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

vocabulary! {
    /// The stages of the procedure the expected-alarm table names
    /// (`expected_alarms.toml` says how each is recognised). Declared in
    /// the order of their words, the order lists and maps of them keep.
    pub enum Stage {
        CmpBackout = "cmp-backout",
        CmpLegacyUpgrade = "cmp-legacy-upgrade",
        CmpMixed = "cmp-mixed",
        CmpUpgrade = "cmp-upgrade",
        MpeMraBackout = "mpe-mra-backout",
        MpeMraMixed = "mpe-mra-mixed",
        MpeMraUpgrade = "mpe-mra-upgrade",
        SystemMixed = "system-mixed",
    }
}

/// CMP releases upgraded with the old System Maintenance page (sections 6
/// and 7 of the procedure), the only upgrades that raise 70021.
const LEGACY_CMP_RELEASES: &[&str] = &["10.5", "11.5"];

const UPGRADE_IN_PROGRESS_ALARM: &str = "70507";

struct Activity {
    direction: Direction,
    why: String,
}

/// The own upgrade or backout of each server that has one in progress.
fn server_activity(fleet: &Fleet) -> BTreeMap<String, Activity> {
    let mut out: BTreeMap<String, Activity> = BTreeMap::new();
    for a in fleet.actions.iter().filter(|a| a.open()) {
        let (Some(direction), Some(host)) = (a.direction, a.host) else {
            continue;
        };
        if fleet.server(host).is_some() {
            out.entry(host.to_string()).or_insert(Activity {
                direction,
                why: format!("upgrade log: {}", a.describe()),
            });
        }
    }
    for s in &fleet.servers {
        let Some(op) = s.operation else { continue };
        if operation_running(op) {
            out.entry(s.hostname.to_string()).or_insert(Activity {
                direction: Direction::of(op).unwrap_or(Direction::Upgrade),
                why: format!("Upgrade Manager: `{op}`"),
            });
        }
    }
    for a in &fleet.alarms {
        let id = a["id"].as_str().unwrap_or("").trim();
        let Some(server) = a["server"].as_str() else {
            continue;
        };
        if id == UPGRADE_IN_PROGRESS_ALARM && fleet.server(server).is_some() {
            out.entry(server.to_string()).or_insert(Activity {
                direction: Direction::Upgrade,
                why: format!("alarm 70507 Upgrade In Progress on {server}"),
            });
        }
    }
    out
}

/// An Upgrade Operation cell of a running action: `[Step 20] 4% Initiate
/// upgrade …` or `… In Progress …`, not `… Completed Successfully at …`.
fn operation_running(op: &str) -> bool {
    let t = op.trim().to_ascii_lowercase();
    t.starts_with("[step") || t.contains("in progress") || t.contains("in-progress")
}

/// Clusters with an upgrade or backout in progress: a member's own, or an
/// open action on the cluster itself.
fn cluster_activity(
    fleet: &Fleet,
    servers: &BTreeMap<String, Activity>,
) -> BTreeMap<String, (Option<String>, String)> {
    let mut out = BTreeMap::new();
    for s in &fleet.servers {
        if let (Some(cluster), Some(act)) = (s.cluster, servers.get(s.hostname)) {
            out.entry(cluster.to_string()).or_insert((
                s.role.map(str::to_string),
                format!("{}: {}", s.hostname, act.why),
            ));
        }
    }
    for a in fleet
        .actions
        .iter()
        .filter(|a| a.open() && a.direction.is_some())
    {
        if let Some(cluster) = fleet.cluster_of(a) {
            out.entry(cluster.to_string()).or_insert((
                fleet.role_of(a).map(str::to_string),
                format!("upgrade log: {}", a.describe()),
            ));
        }
    }
    out
}

fn mixed<'a>(servers: impl Iterator<Item = &'a Server<'a>>) -> bool {
    let mut releases: Vec<&str> = servers.filter_map(|s| s.running).collect();
    releases.sort_unstable();
    releases.dedup();
    releases.len() > 1
}

/// The stage an upgrade or backout of a server of this role belongs to.
fn activity_stage(direction: Direction, role: Option<&str>) -> Option<Stage> {
    let cmp = role.is_some_and(|r| CMP.contains(&r));
    let mpe_mra = role.is_some_and(|r| MPE_MRA.contains(&r));
    match (direction, cmp, mpe_mra) {
        (Direction::Upgrade, true, _) => Some(Stage::CmpUpgrade),
        (Direction::Backout, true, _) => Some(Stage::CmpBackout),
        (Direction::Upgrade, _, true) => Some(Stage::MpeMraUpgrade),
        (Direction::Backout, _, true) => Some(Stage::MpeMraBackout),
        _ => None,
    }
}

/// The stages under way, each with what shows it.
fn stages(
    fleet: &Fleet,
    target: &str,
    servers: &BTreeMap<String, Activity>,
) -> BTreeMap<Stage, String> {
    let mut out = BTreeMap::new();
    for s in &fleet.servers {
        let Some(act) = servers.get(s.hostname) else {
            continue;
        };
        let Some(stage) = activity_stage(act.direction, s.role) else {
            continue;
        };
        out.entry(stage).or_insert_with(|| act.why.clone());
        let from = if s.on(target) == Some(true) {
            s.previous
        } else {
            s.running
        };
        let legacy = from.is_some_and(|r| LEGACY_CMP_RELEASES.iter().any(|l| r.starts_with(l)));
        if stage == Stage::CmpUpgrade && legacy {
            out.entry(Stage::CmpLegacyUpgrade)
                .or_insert_with(|| format!("{} from {}", act.why, from.unwrap_or("?")));
        }
    }
    for a in fleet.actions.iter().filter(|a| a.open()) {
        let Some(direction) = a.direction else {
            continue;
        };
        // Cluster-scope actions and servers no snapshot describes.
        let Some(stage) = activity_stage(direction, fleet.role_of(a)) else {
            continue;
        };
        out.entry(stage)
            .or_insert_with(|| format!("upgrade log: {}", a.describe()));
    }
    let cmps = || fleet.servers.iter().filter(|s| s.is(CMP));
    if mixed(cmps()) {
        out.insert(
            Stage::CmpMixed,
            "the CMP servers run different releases".into(),
        );
    }
    let mut mpe_mra_clusters: Vec<&str> = fleet
        .servers
        .iter()
        .filter(|s| s.is(MPE_MRA))
        .filter_map(|s| s.cluster)
        .collect();
    mpe_mra_clusters.sort_unstable();
    mpe_mra_clusters.dedup();
    if let Some(c) = mpe_mra_clusters
        .iter()
        .find(|c| mixed(fleet.cluster_members(c).filter(|s| s.is(MPE_MRA))))
    {
        out.insert(Stage::MpeMraMixed, format!("cluster {c} runs two releases"));
    }
    let managed = fleet.servers.iter().filter(|s| s.is(CMP) || s.is(MPE_MRA));
    if managed.clone().any(|s| s.on(target) == Some(true))
        && managed.clone().any(|s| s.on(target) == Some(false))
    {
        out.insert(
            Stage::SystemMixed,
            format!("some servers run {target}, others do not"),
        );
    }
    out
}

/// `upgrade_progress(nodes, target)` for the rules:
/// `{stages, why, servers: {host: {activity, why}}, clusters: {name: {role, why}}, sources}`.
pub fn progress(nodes: &Json, target: &str) -> Json {
    let fleet = Fleet::read(nodes);
    let servers = server_activity(&fleet);
    let clusters = cluster_activity(&fleet, &servers);
    let stages = stages(&fleet, target, &servers);
    let mut sources = vec![];
    if fleet.log_exported {
        sources.push("upgrade log");
    }
    if fleet.alarms_exported {
        sources.push("alarm export");
    }
    if fleet.servers.iter().any(|s| s.operation.is_some()) {
        sources.push("node.json upgrade_operation");
    }
    json!({
        "stages": stages.keys().collect::<Vec<_>>(),
        "why": stages,
        "servers": servers.iter().map(|(h, a)| (h.clone(), json!({"activity": a.direction.as_str(), "why": a.why}))).collect::<serde_json::Map<_, _>>(),
        "clusters": clusters.iter().map(|(c, (role, why))| (c.clone(), json!({"role": role, "why": why}))).collect::<serde_json::Map<_, _>>(),
        "sources": sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(h: &str, role: &str, cluster: &str, running: &str, extra: Json) -> Json {
        let mut n =
            json!({"hostname": h, "role": role, "cluster": cluster, "running_release": running});
        n.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"node": n})
    }

    #[test]
    fn an_open_log_action_makes_its_server_and_cluster_busy() {
        let mut cmp = node("cmp-a", "cmp", "cmp-1", "12.1.2.0.0_22.1.0", json!({}));
        cmp["upgrade_log"] = json!({"exported": true, "actions": [
            {"id": 9, "parent": 8, "action": "Initiate upgrade", "start": "x", "start_epoch": 1,
             "end": null, "end_epoch": null, "scope": "server", "hostname": "mpe-b",
             "result": "in-progress", "source": {}}]});
        let nodes = json!([
            cmp,
            node("mpe-a", "mpe", "mpe-1", "12.1.1.0.0_14.1.0", json!({})),
            node("mpe-b", "mpe", "mpe-1", "12.1.1.0.0_14.1.0", json!({}))
        ]);
        let p = progress(&nodes, "12.1.2");
        assert_eq!(p["servers"]["mpe-b"]["activity"], "upgrade");
        assert!(
            p["clusters"]["mpe-1"]["why"]
                .as_str()
                .unwrap()
                .contains("Initiate upgrade")
        );
        assert_eq!(p["stages"], json!(["mpe-mra-upgrade", "system-mixed"]));
    }

    #[test]
    fn the_upgrade_manager_column_and_alarm_70507_count_too() {
        let mut cmp = node(
            "cmp-a",
            "cmp",
            "cmp-1",
            "10.5.6.0.0_1.1.0",
            json!({"upgrade_operation": "[Step 20] 4% Initiate upgrade - Initiate upgrade (Elapsed Time: 0:00:33)"}),
        );
        cmp["alarms"] = json!({"exported": true, "alarms": [{"id": "70507", "server": "mra-b"}]});
        let nodes = json!([
            cmp,
            node(
                "cmp-b",
                "cmp",
                "cmp-1",
                "10.5.6.0.0_1.1.0",
                json!({"upgrade_operation": "Initiate upgrade Completed Successfully at Jul 12, 2016 13:14:59."})
            ),
            node("mra-b", "mra", "mra-1", "10.5.6.0.0_1.1.0", json!({}))
        ]);
        let p = progress(&nodes, "12.1.2");
        assert_eq!(p["servers"]["cmp-a"]["activity"], "upgrade");
        assert!(p["servers"].get("cmp-b").is_none());
        assert_eq!(p["servers"]["mra-b"]["activity"], "upgrade");
        let stages = p["stages"].as_array().unwrap();
        assert!(stages.contains(&json!("cmp-legacy-upgrade")), "{p}");
        assert!(!stages.contains(&json!("system-mixed")), "{p}");
    }
}
