//! The order of the upgrade, read from the start and end times of the
//! Upgrade Manager log (rule 70006):
//! - no MPE/MRA action starts before every CMP cluster has completed its
//!   upgrade (2.3.1; 6.1, 7.1, 8.1, 9.1 "CMP servers MUST be upgraded first";
//!   10.2 "All CMP clusters must be upgraded … prior to");
//! - the secondary-site CMP starts after the primary-site CMP completed
//!   ("Site-1 CMP MUST be upgraded to the new release first");
//! - in a cluster the standby is upgraded first, the cluster fails over,
//!   then the remaining server is upgraded (3.1.4.3);
//! - never two servers of one cluster at once (3.1.4.5).

use super::fleet::{Action, CMP, Direction, Fleet, MPE_MRA, Server};
use crate::parse::vendor::upgrade_log::UpgradeResult;
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

struct Found<'f> {
    violations: Vec<Json>,
    missing: BTreeSet<String>,
    fleet: &'f Fleet<'f>,
}

impl Found<'_> {
    fn violation(&mut self, key: String, message: String, at: &Action) {
        self.violations
            .push(json!({"key": key, "message": message, "source": at.source}));
    }
}

/// `upgrade_order(nodes, target, primary_site)`: `{violations: [{key,
/// message, source}], missing: [what could not be judged]}`.
pub fn order(nodes: &Json, target: &str, primary_site: &str) -> Json {
    let fleet = Fleet::read(nodes);
    let mut found = Found {
        violations: vec![],
        missing: BTreeSet::new(),
        fleet: &fleet,
    };
    let upgrades: Vec<&Action> = fleet
        .actions
        .iter()
        .filter(|a| a.direction == Some(Direction::Upgrade) && a.start_epoch.is_some())
        .collect();
    for a in &upgrades {
        if fleet.role_of(a).is_none() {
            let host = a.host.unwrap_or("?");
            found.missing.insert(format!(
                "the upgrade log names {host}, which no snapshot describes (role unknown)"
            ));
        }
    }
    cmp_before_mpe_mra(&mut found, &upgrades, target);
    primary_site_first(&mut found, &upgrades, target, primary_site);
    one_server_at_a_time(&mut found, &upgrades);
    json!({"violations": found.violations, "missing": found.missing})
}

/// The first action of each cluster (or server) of the given roles.
fn first_per_cluster<'a>(
    fleet: &Fleet<'a>,
    upgrades: &[&'a Action<'a>],
    roles: &[&str],
) -> BTreeMap<&'a str, &'a Action<'a>> {
    let mut first: BTreeMap<&str, &Action> = BTreeMap::new();
    for a in upgrades {
        if !fleet.role_of(a).is_some_and(|r| roles.contains(&r)) {
            continue;
        }
        let Some(cluster) = fleet.cluster_of(a).or(a.host) else {
            continue;
        };
        let earlier = first
            .get(cluster)
            .is_some_and(|f| f.start_epoch <= a.start_epoch);
        if !earlier {
            first.insert(cluster, a);
        }
    }
    first
}

/// The action of `blockers` that had not completed when `action` started,
/// the latest to complete.
fn unfinished_at<'a>(blockers: &[&'a Action<'a>], action: &Action) -> Option<&'a Action<'a>> {
    let start = action.start_epoch?;
    blockers
        .iter()
        .copied()
        .filter(|b| b.end_or_open() > start)
        .max_by_key(|b| b.end_or_open())
}

fn cmp_before_mpe_mra(found: &mut Found, upgrades: &[&Action], target: &str) {
    let fleet = found.fleet;
    let first = first_per_cluster(fleet, upgrades, MPE_MRA);
    if first.is_empty() {
        return;
    }
    let cmps: Vec<_> = fleet.servers.iter().filter(|s| s.is(CMP)).collect();
    if cmps.is_empty() {
        found.missing.insert(
            "no CMP snapshot in the fleet: cannot tell when the CMP clusters completed".into(),
        );
    }
    for s in cmps.iter().filter(|s| s.running.is_none()) {
        found.missing.insert(format!(
            "CMP {} has no running_release in node.json",
            s.hostname
        ));
    }
    let cmp_actions: Vec<&Action> = upgrades
        .iter()
        .copied()
        .filter(|a| fleet.role_of(a).is_some_and(|r| CMP.contains(&r)))
        .collect();
    let old_cmp = cmps.iter().copied().find(|s| s.on(target) == Some(false));
    for (cluster, m) in first {
        let Some(why) = too_early(m, &cmp_actions, old_cmp) else {
            continue;
        };
        let what = fleet.role_of(m).unwrap_or("?");
        let message = format!(
            "{} ({what} cluster {cluster}) started before every CMP cluster had completed its upgrade: {why}",
            m.describe()
        );
        found.violation(format!("cmp-first {cluster}"), message, m);
    }
}

/// What had not completed when `first` started: the action of `blockers`
/// that ended last after its start, else a CMP still on the old release.
fn too_early(first: &Action, blockers: &[&Action], old: Option<&Server>) -> Option<String> {
    if let Some(b) = unfinished_at(blockers, first) {
        return Some(b.describe());
    }
    old.map(|s| format!("CMP {} still runs {}", s.hostname, s.running.unwrap_or("?")))
}

fn primary_site_first(found: &mut Found, upgrades: &[&Action], target: &str, primary: &str) {
    let fleet = found.fleet;
    let site_of = |a: &Action| fleet.targets(a).iter().find_map(|s| s.site);
    let cmp_actions: Vec<&Action> = upgrades
        .iter()
        .copied()
        .filter(|a| fleet.role_of(a).is_some_and(|r| CMP.contains(&r)))
        .collect();
    if cmp_actions.is_empty() {
        return;
    }
    let cmp_sites: BTreeSet<&str> = fleet
        .servers
        .iter()
        .filter(|s| s.is(CMP))
        .filter_map(|s| s.site)
        .collect();
    if primary.is_empty() {
        if cmp_sites.len() > 1 {
            let sites = cmp_sites.into_iter().collect::<Vec<_>>().join(", ");
            found.missing.insert(format!(
                "plan.toml primary_site: the CMP clusters are on sites {sites} and the primary site's must be upgraded first"
            ));
        }
        return;
    }
    let on_primary: Vec<&Action> = cmp_actions
        .iter()
        .copied()
        .filter(|a| site_of(a) == Some(primary))
        .collect();
    let old_primary = fleet
        .servers
        .iter()
        .find(|s| s.is(CMP) && s.site == Some(primary) && s.on(target) == Some(false));
    let secondary: Vec<&Action> = cmp_actions
        .iter()
        .copied()
        .filter(|a| site_of(a).is_some_and(|s| s != primary))
        .collect();
    for (cluster, s) in first_per_cluster(fleet, &secondary, CMP) {
        let Some(why) = too_early(s, &on_primary, old_primary) else {
            continue;
        };
        let site = site_of(s).unwrap_or("?");
        let message = format!(
            "secondary-site CMP {} (cluster {cluster}, site {site}) started before the primary site {primary}'s CMP upgrade had completed: {why}",
            s.describe()
        );
        found.violation(format!("primary-site-first {cluster}"), message, s);
    }
}

/// Within each cluster: never two servers at once, and the remaining server
/// only after the cluster failed over to the upgraded one.
fn one_server_at_a_time(found: &mut Found, upgrades: &[&Action]) {
    let fleet = found.fleet;
    let mut by_cluster: BTreeMap<&str, Vec<&Action>> = BTreeMap::new();
    for a in upgrades.iter().filter(|a| a.is_server_upgrade()) {
        if let Some(cluster) = fleet.cluster_of(a) {
            by_cluster.entry(cluster).or_default().push(a);
        }
    }
    for (cluster, mut servers) in by_cluster {
        servers.sort_by_key(|a| a.start_epoch);
        for (i, first) in servers.iter().enumerate() {
            for second in &servers[i + 1..] {
                if first.host == second.host || first.result == UpgradeResult::Failed {
                    continue;
                }
                let start = second.start_epoch.unwrap_or(i64::MAX);
                let (a, b) = (first.host.unwrap_or("?"), second.host.unwrap_or("?"));
                if start < first.end_or_open() {
                    let message = format!(
                        "two servers of cluster {cluster} upgraded at once: {} and {}",
                        first.describe(),
                        second.describe()
                    );
                    found.violation(format!("one-at-a-time {cluster} {a} {b}"), message, second);
                } else if !failed_over_between(fleet, cluster, first, second) {
                    let message = format!(
                        "{} started before cluster {cluster} failed over to the upgraded {a} ({}): the standby is upgraded first, then the cluster fails over, then the remaining server",
                        second.describe(),
                        first.describe()
                    );
                    found.violation(format!("standby-first {cluster} {a} {b}"), message, second);
                }
            }
        }
    }
}

fn failed_over_between(fleet: &Fleet, cluster: &str, first: &Action, second: &Action) -> bool {
    let (from, to) = (first.end_or_open(), second.start_epoch.unwrap_or(i64::MAX));
    // node.json and the GUI may name the cluster differently: the failover
    // is the cluster's when either name matches.
    let names = [
        Some(cluster),
        fleet.log_cluster_of(first),
        fleet.log_cluster_of(second),
    ];
    fleet.actions.iter().any(|f| {
        f.is_failover_to_new()
            && (names.contains(&fleet.cluster_of(f)) || names.contains(&f.host))
            && f.start_epoch.is_some_and(|t| t >= from && t <= to)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(
        id: i64,
        parent: i64,
        name: &str,
        start: i64,
        end: Option<i64>,
        scope: &str,
        host: &str,
    ) -> Json {
        json!({"id": id, "parent": parent, "action": name, "start": format!("t{start}"),
               "start_epoch": start, "end": end.map(|e| format!("t{e}")), "end_epoch": end,
               "scope": scope, "hostname": host,
               "result": if end.is_some() { "success" } else { "in-progress" },
               "source": {"file": "log", "line": id}})
    }

    fn fleet(actions: Vec<Json>) -> Json {
        let node = |h: &str, role: &str, cluster: &str| {
            json!({"node": {"hostname": h, "role": role, "cluster": cluster, "site": "s1",
                            "running_release": "12.1.2.0.0_22.1.0"}})
        };
        let mut nodes = vec![
            node("cmp-a", "cmp", "CMP Site1 Cluster"),
            node("cmp-b", "cmp", "CMP Site1 Cluster"),
            node("chris15", "mpe", "TestMPE"),
        ];
        nodes.push(
            json!({"node": {"hostname": "chris16", "role": "mpe", "cluster": "TestMPE",
            "site": "s1", "running_release": "12.1.2.0.0_22.1.0"},
            "upgrade_log": {"exported": true, "actions": actions}}),
        );
        Json::Array(nodes)
    }

    /// Figure 2 of the procedure: standby upgraded, failover, then the
    /// remaining server; after a CMP upgrade that ended before.
    fn figure_2(with_failover: bool) -> Vec<Json> {
        let mut log = vec![
            action(1, 0, "Initiate upgrade", 0, Some(100), "Server", "cmp-b"),
            action(6, 0, "Preflight Check", 200, Some(217), "Server", "chris16"),
            action(
                7,
                6,
                "Initiate upgrade",
                217,
                Some(3_999),
                "Server",
                "chris16",
            ),
            action(
                8,
                6,
                "Modify the role/replication ...",
                217,
                Some(221),
                "Cluster",
                "TestMPE",
            ),
            action(
                11,
                0,
                "Preflight Check",
                7_233,
                Some(7_245),
                "Server",
                "chris15",
            ),
            action(
                12,
                11,
                "Initiate upgrade",
                7_245,
                Some(10_975),
                "Server",
                "chris15",
            ),
        ];
        if with_failover {
            log.push(action(
                10,
                0,
                "Failover to new version",
                7_200,
                Some(7_200),
                "Cluster",
                "TestMPE",
            ));
        }
        log
    }

    #[test]
    fn the_procedures_own_log_is_in_order() {
        let out = order(&fleet(figure_2(true)), "12.1.2", "");
        assert_eq!(out["violations"], json!([]), "{out}");
        assert_eq!(out["missing"], json!([]), "{out}");
    }

    #[test]
    fn the_remaining_server_waits_for_the_failover() {
        let out = order(&fleet(figure_2(false)), "12.1.2", "");
        let v = out["violations"].as_array().unwrap();
        assert_eq!(v.len(), 1, "{out}");
        assert_eq!(v[0]["key"], "standby-first TestMPE chris16 chris15");
        assert!(v[0]["message"].as_str().unwrap().contains("t217"), "{out}");
    }

    #[test]
    fn mpe_actions_wait_for_every_cmp_action_to_end() {
        let mut log = figure_2(true);
        let cmp = "CMP Site1 Cluster";
        log.push(action(
            19,
            0,
            "Failover to new version",
            120,
            Some(120),
            "Cluster",
            cmp,
        ));
        log.push(action(
            20,
            0,
            "Initiate upgrade",
            150,
            None,
            "Server",
            "cmp-a",
        ));
        let out = order(&fleet(log), "12.1.2", "");
        let v = out["violations"].as_array().unwrap();
        assert_eq!(v.len(), 1, "{out}");
        assert_eq!(v[0]["key"], "cmp-first TestMPE");
        let message = v[0]["message"].as_str().unwrap();
        assert!(
            message.contains("`Preflight Check` on chris16 (started t200"),
            "{message}"
        );
        assert!(
            message.contains("`Initiate upgrade` on cmp-a (started t150, not completed)"),
            "{message}"
        );
    }

    #[test]
    fn a_server_no_snapshot_describes_is_missing_input() {
        let mut log = figure_2(true);
        log.push(action(
            30,
            0,
            "Initiate upgrade",
            50,
            Some(60),
            "Server",
            "ghost",
        ));
        let out = order(&fleet(log), "12.1.2", "");
        assert_eq!(out["missing"].as_array().unwrap().len(), 1, "{out}");
    }
}
