//! The Oracle Policy Management fleet in its four states (see
//! fixtures/oracle-pm/README.md): each planted problem is found once, and
//! the healthy states stay clean.

use crate::common::check_json;
use serde_json::Value;
use std::collections::BTreeSet;

/// (code, node) of every evaluation with this status.
fn with_status(report: &Value, status: &str) -> BTreeSet<(u64, String)> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == status)
        .map(|e| {
            let node = e["node"].as_str().unwrap();
            let node = node.rsplit('/').next().unwrap().to_string();
            (e["code"].as_u64().unwrap(), node)
        })
        .collect()
}

#[test]
fn each_planted_problem_is_found_once() {
    let (report, code) = check_json(&["fixtures/oracle-pm/pre-with-problems", "--phase", "pre"]);
    assert_eq!(code, 1);
    let expected: BTreeSet<(u64, String)> = [
        (20007, "cmp-s1-b"),
        (50001, "cmp-s2-a"),
        (20006, "cmp-s2-b"),
        (20008, "mpe-s1-a"),
        (10006, "mpe-s1-b"),
        // The same planted release makes cluster mpe-1 mixed with a plain
        // Standby on the other release (3.1.4.6).
        (70016, "mpe-1"),
        (30005, "mpe-s2-b"),
        (30011, "mpe-s2-b"),
        (70009, "mpe-s2-b"),
        (10003, "mra-s1-a"),
        (70002, "pre-with-problems"),
        (60002, "pre-with-problems"),
    ]
    .into_iter()
    .map(|(c, n)| (c, n.to_string()))
    .collect();
    assert_eq!(with_status(&report, "fail"), expected);
    let fails = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "fail")
        .count();
    assert_eq!(
        fails,
        expected.len(),
        "one finding per problem or consequence"
    );
    let oos = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == 70002 && e["status"] == "fail")
        .unwrap();
    assert!(
        oos["message"]
            .as_str()
            .unwrap()
            .starts_with("mra-s1-b is out of service (OOS) and no upgrade"),
        "{oos}"
    );
    assert!(with_status(&report, "unknown").is_empty());
}

#[test]
fn the_healthy_pre_snapshot_is_clean() {
    let (report, code) = check_json(&["fixtures/oracle-pm/healthy-pre", "--phase", "pre"]);
    assert_eq!(code, 0);
    assert!(with_status(&report, "fail").is_empty());
    assert!(with_status(&report, "unknown").is_empty());
}

#[test]
fn mid_upgrade_shows_only_the_expected_transient_alarms() {
    let (report, code) = check_json(&[
        "fixtures/oracle-pm/mid-upgrade-post",
        "--phase",
        "post",
        "--baseline-snapshot",
        "fixtures/oracle-pm/healthy-pre",
    ]);
    assert_eq!(code, 0, "info findings do not fail the run");
    let fails = with_status(&report, "fail");
    assert!(!fails.is_empty());
    assert!(fails.iter().all(|(c, _)| *c == 60003), "{fails:?}");
    assert!(with_status(&report, "unknown").is_empty());
}

#[test]
fn the_completed_upgrade_is_clean_against_its_baseline() {
    let (report, code) = check_json(&[
        "fixtures/oracle-pm/completed-post",
        "--phase",
        "post",
        "--baseline-snapshot",
        "fixtures/oracle-pm/healthy-pre",
    ]);
    assert_eq!(code, 0);
    assert!(with_status(&report, "fail").is_empty());
    assert!(with_status(&report, "unknown").is_empty());
}

#[test]
fn new_alarms_need_a_baseline() {
    let (report, code) = check_json(&["fixtures/oracle-pm/completed-post", "--phase", "post"]);
    assert_eq!(code, 3);
    assert!(with_status(&report, "unknown").contains(&(60005, "completed-post".to_string())));
}
