//! The cross-vendor `patch_state` fact over each vendor's fixture fleets:
//! Huawei OSN 6800, OpenScape 4000, DMS PRSM and the cluster patch
//! installer, each patch in the shared vocabulary beside its vendor's word.

use serde_json::Value;
use std::path::PathBuf;
use upcheck::facts::{FactProblem, NodeFacts};
use upcheck::snapshot;

/// (name, where, state, vendor_state, fact) of each row of node `node`
/// under `fleet`.
fn rows(fleet: &str, node: &str) -> Vec<(String, String, String, String, String)> {
    let value = fact(fleet, node).unwrap_or_else(|p| panic!("{node}: {}", p.describe()));
    let text = |r: &Value, k: &str| {
        r[k].as_str()
            .unwrap_or_else(|| panic!("{k}: {r}"))
            .to_string()
    };
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["source"]["line"].as_u64().unwrap() > 0, "{r}");
            (
                text(r, "name"),
                text(r, "where"),
                text(r, "state"),
                text(r, "vendor_state"),
                text(r, "fact"),
            )
        })
        .collect()
}

fn fact(fleet: &str, node: &str) -> Result<Value, FactProblem> {
    let (nodes, _) = snapshot::discover(&[PathBuf::from(fleet)]);
    let node = nodes
        .iter()
        .find(|n| n.name() == node)
        .unwrap_or_else(|| panic!("no node {node} under {fleet}"));
    NodeFacts::new(node).get("patch_state")
}

fn row(r: [&str; 5]) -> (String, String, String, String, String) {
    let [a, b, c, d, e] = r.map(str::to_string);
    (a, b, c, d, e)
}

#[test]
fn huawei_patches_keep_their_place_and_map_trial_to_temporary() {
    assert_eq!(
        rows("fixtures/osn6800-upgrade/post", "ne-east-02"),
        [
            row([
                "V100R004C01SPH106",
                "ne-east-02 board SCC slot 9",
                "running",
                "running",
                "patches"
            ]),
            row([
                "V100R004C01SPH106",
                "ne-east-02 board SCC slot 10",
                "activating",
                "activating",
                "patches"
            ]),
        ]
    );
    let trial = rows(
        "fixtures/rules/20003-trial-patch-before-reboot/fires",
        "ne-trial",
    );
    assert_eq!(trial[0].2, "temporary");
    assert_eq!(trial[0].3, "active");
}

#[test]
fn openscape_patches_are_running_only_on_hard_disk_and_in_memory() {
    let got = rows("fixtures/openscape4000", "os4k-muc-b");
    let states: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|r| (r.0.as_str(), r.2.as_str(), r.3.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("PA10001", "running", "hd&ram"),
            ("PA10002", "running", "hd&ram"),
            ("PA10003", "temporary", "ram-only"),
            ("PA10005", "running", "hd&ram"),
            ("PA10008", "not-running", "inactive"),
        ]
    );
    assert_eq!(got[0].1, "ZMIPTCH0.D.10.031");
    assert!(got.iter().all(|r| r.4 == "openscape_patches"));
    let hd_only = rows("fixtures/rules/20009-patch-not-effective/fires", "hd-only");
    assert_eq!(
        hd_only[1],
        row([
            "PA10004",
            "ZMDAMCJA.D.10.035",
            "pending-reload",
            "hd-only",
            "openscape_patches"
        ])
    );
}

#[test]
fn prsm_prsus_are_one_row_per_dest() {
    let got = rows("fixtures/dms-prsm/pre", "dms-west-cm");
    assert_eq!(got.len(), 13);
    assert_eq!(
        got[1],
        row(["JKL33M02", "CM", "loaded", "VA", "prsm_prsus"])
    );
    assert!(
        got.iter()
            .filter(|r| r.0 == "DEF09S0P")
            .all(|r| r.2 == "running" && r.3 == "APPLIED")
    );
    let removed = rows(
        "fixtures/rules/20013-prsu-aor-inconsistent/fires",
        "removed-aor-y",
    );
    assert!(removed.contains(&row([
        "DEF09S0P",
        "SPM 1 CEM 1",
        "not-running",
        "REMOVED",
        "prsm_prsus"
    ])));
}

#[test]
fn the_cluster_installer_history_is_running_and_a_broken_last_run_failed() {
    assert_eq!(
        rows("fixtures/cluster-patch/west", "west-c"),
        [
            row([
                "APP-7.2.0",
                "west-c",
                "running",
                "installed",
                "cluster_patch"
            ]),
            row([
                "APP-7.2.0-F1",
                "west-c",
                "running",
                "installed",
                "cluster_patch"
            ]),
        ]
    );
    let fires = "fixtures/rules/20018-patch-install-incomplete/fires";
    let last = |node: &str| rows(fires, node).pop().unwrap();
    assert_eq!(
        last("broke-off"),
        row([
            "APP-7.2.0-F3",
            "broke-off",
            "failed",
            "start install patch",
            "patch_run"
        ])
    );
    assert_eq!(
        last("reversed"),
        row([
            "APP-7.2.0-F3",
            "reversed",
            "failed",
            "rollback complete",
            "patch_run"
        ])
    );
}

#[test]
fn a_node_without_any_patch_source_is_missing_and_says_where_it_looked() {
    let (nodes, _) = snapshot::discover(&[PathBuf::from("fixtures/oracle-pm/healthy-pre")]);
    let node = nodes.first().expect("a node");
    match NodeFacts::new(node).get("patch_state") {
        Err(FactProblem::Missing { looked_for, .. }) => {
            let all = looked_for.join(", ");
            for input in [
                "(for patches)",
                "(for openscape_patches)",
                "(for prsm_prsus)",
            ] {
                assert!(all.contains(input), "{all}");
            }
            assert!(
                all.contains("opt/patch/patch.conf (for cluster_patch)"),
                "{all}"
            );
        }
        other => panic!("expected missing, got {other:?}"),
    }
}
