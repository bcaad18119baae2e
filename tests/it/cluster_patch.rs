//! The cluster patch installer fleet (fixtures/cluster-patch, see its
//! README): each planted problem is found in the phases that look for it,
//! the partial install is diagnosed as a chain (80009 ← 20018, 20017), the
//! healthy cluster is clean, and a cut history file is unknown with its
//! file and line.

use crate::common::{check_json, copy_tree, evaluations};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const FLEET: &str = "fixtures/cluster-patch";

/// (code, node or group) of every evaluation with this status.
fn with_status(report: &Value, status: &str) -> BTreeSet<(u64, String)> {
    evaluations(report)
        .iter()
        .filter(|e| e["status"] == status)
        .map(|e| {
            (
                e["code"].as_u64().unwrap(),
                e["node"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(u64, &str)]) -> BTreeSet<(u64, String)> {
    items.iter().map(|(c, n)| (*c, n.to_string())).collect()
}

fn fail_count(report: &Value) -> usize {
    evaluations(report)
        .iter()
        .filter(|e| e["status"] == "fail")
        .count()
}

#[test]
fn pre_finds_each_planted_problem_once() {
    let (report, code) = check_json(&[FLEET, "--phase", "pre"]);
    assert_eq!(code, 1);
    let expected = set(&[
        (20016, "west"),
        (20017, "west-a"),
        (20017, "west-b"),
        (20022, "north-a"),
        (20023, "north-b"),
    ]);
    assert_eq!(with_status(&report, "fail"), expected);
    assert_eq!(
        fail_count(&report),
        expected.len(),
        "one finding per problem"
    );
    // Without its history, north-a cannot be compared: unknown, not pass.
    assert_eq!(
        with_status(&report, "unknown"),
        set(&[(20016, "north"), (20017, "north-a"), (20023, "north-a")])
    );
    let by_key = |code: u64, node: &str| -> Value {
        evaluations(&report)
            .iter()
            .find(|e| e["code"] == code && e["node"] == node && e["status"] == "fail")
            .cloned()
            .unwrap()
    };
    let lag = by_key(20016, "west");
    let message = lag["message"].as_str().unwrap();
    assert!(
        message.contains("west-c APP-7.2.0 + APP-7.2.0-F1")
            && message.contains("west-a APP-7.2.0 + APP-7.2.0-F1 + APP-7.2.0-F2"),
        "{message}"
    );
    let modified = by_key(20017, "west-a");
    assert!(
        modified["message"].as_str().unwrap().starts_with(
            "/opt/app/scripts/failover.sh is 4120 bytes, the patch history records 3968 bytes"
        ),
        "{modified}"
    );
    assert!(
        modified["evidence"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("west-a/exports/patch-files.txt")
    );
    let newer = by_key(20023, "north-b");
    assert!(
        newer["message"]
            .as_str()
            .unwrap()
            .contains("/opt/app/lib/libnet.so is build 4240 in the cluster (patch APP-7.2.0-F4), newer than build 4210"),
        "{newer}"
    );
    let history = by_key(20022, "north-a");
    assert_eq!(
        history["evidence"][0]["line"], 3,
        "the PATCH_HISTORY_DIR line"
    );
}

#[test]
fn post_finds_the_lagging_node_and_the_partial_install() {
    let (report, code) = check_json(&[FLEET, "--phase", "post"]);
    assert_eq!(code, 1);
    assert_eq!(
        with_status(&report, "fail"),
        set(&[(20016, "west"), (20018, "west-b")])
    );
    assert_eq!(fail_count(&report), 2);
    let partial = evaluations(&report)
        .iter()
        .find(|e| e["code"] == 20018 && e["status"] == "fail")
        .unwrap();
    let message = partial["message"].as_str().unwrap();
    for needle in [
        "patch APP-7.2.0-F3 did not install completely",
        "no completion line in patch.log and no rollback line",
        "3 line(s) in patch.err",
        "at the build of APP-7.2.0-F3 /opt/app/bin/appserver; still older /opt/app/lib/libnet.so (build 4100)",
    ] {
        assert!(message.contains(needle), "missing {needle:?} in {message}");
    }
}

#[test]
fn diagnose_chains_the_partial_patch_to_its_causes() {
    let (report, code) = check_json(&[FLEET, "--phase", "diagnose"]);
    assert_eq!(code, 1);
    assert_eq!(
        with_status(&report, "fail"),
        set(&[
            (20017, "west-a"),
            (20017, "west-b"),
            (20018, "west-b"),
            (80009, "west-b"),
            // The generic log rules read patch.log too: its last error, and
            // the full filesystem that broke the install off.
            (80005, "west-b"),
            (80006, "west-b"),
        ])
    );
    assert_eq!(fail_count(&report), 6, "one finding per problem");
    // Without its history, north-a's files cannot be compared.
    assert_eq!(with_status(&report, "unknown"), set(&[(20017, "north-a")]));
    let partial = evaluations(&report)
        .iter()
        .find(|e| e["code"] == 80009 && e["status"] == "fail")
        .unwrap();
    assert_eq!(
        partial["caused_by"],
        serde_json::json!([
            {"code": 20018, "node": "west-b"},
            {"code": 20017, "node": "west-b"},
        ])
    );
    // The root causes rank before their consequence on the node.
    let west_b: Vec<u64> = evaluations(&report)
        .iter()
        .filter(|e| e["node"] == "west-b" && e["status"] == "fail")
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    let at = |code| west_b.iter().position(|&c| c == code).unwrap();
    assert!(at(20018) < at(80009) && at(20017) < at(80009), "{west_b:?}");
    // The customised file on west-a is no partial patch.
    assert!(
        !evaluations(&report)
            .iter()
            .any(|e| e["code"] == 80009 && e["node"] == "west-a" && e["status"] != "pass")
    );
}

#[test]
fn the_healthy_cluster_is_clean_in_every_phase() {
    for phase in ["pre", "post", "diagnose"] {
        let east = format!("{FLEET}/east");
        let (report, _) = check_json(&[&east, "--phase", phase]);
        assert!(with_status(&report, "fail").is_empty(), "{phase}");
        let unknown = with_status(&report, "unknown");
        assert!(unknown.is_empty(), "{phase}: {unknown:?}");
        let passed = with_status(&report, "pass");
        assert!(passed.contains(&(20016, "east".to_string())) || phase == "diagnose");
        assert!(passed.contains(&(20017, "east-a".to_string())) || phase == "post");
    }
}

#[test]
fn a_cut_history_file_is_unknown_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new(FLEET).join("east").as_path(), dir.path());
    let history = dir
        .path()
        .join("east-a/var/opt/app/patch/history/APP-7.2.0-F2.hist");
    let text = std::fs::read_to_string(&history).unwrap();
    // The copy stopped inside the record of failover.sh (line 6).
    let cut = text.find("/opt/app/scripts/failover.sh 4180").unwrap() + 32;
    std::fs::write(&history, &text[..cut]).unwrap();
    let (report, code) = check_json(&[dir.path().to_str().unwrap(), "--phase", "pre"]);
    assert_eq!(code, 3, "unknown, not pass");
    assert!(with_status(&report, "fail").is_empty());
    let unknown = with_status(&report, "unknown");
    for expected in [(20017, "east-a"), (20022, "east-a"), (20016, "east")] {
        assert!(
            unknown.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {unknown:?}"
        );
    }
    let modified = evaluations(&report)
        .iter()
        .find(|e| e["code"] == 20017 && e["node"] == "east-a")
        .unwrap();
    let message = modified["message"].as_str().unwrap();
    assert!(
        message.contains("APP-7.2.0-F2.hist is malformed at line 6")
            && message.contains("expected PATH BUILD SIZE"),
        "{message}"
    );
    assert!(
        unknown.contains(&(90002, "east-a".to_string())),
        "the malformed file is a tool finding too: {unknown:?}"
    );
}

#[test]
fn an_odd_patch_log_line_is_unknown_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new(FLEET).join("east").as_path(), dir.path());
    let log = dir.path().join("east-b/opt/patch/patch.log");
    let mut text = std::fs::read_to_string(&log).unwrap();
    // An interactive prompt saved with the log: not a line the installer logs.
    text.push_str("Overwrite /opt/app/scripts/failover.sh? [y/N] n\n");
    std::fs::write(&log, text).unwrap();
    let (report, code) = check_json(&[dir.path().to_str().unwrap(), "--phase", "post"]);
    assert_eq!(code, 3);
    let incomplete = evaluations(&report)
        .iter()
        .find(|e| e["code"] == 20018 && e["node"] == "east-b")
        .unwrap();
    assert_eq!(incomplete["status"], "unknown");
    let message = incomplete["message"].as_str().unwrap();
    assert!(
        message.contains("east-b/opt/patch/patch.log is malformed at line 8")
            && message.contains("expected 'YYYY-MM-DD HH:MM:SS LEVEL text'"),
        "{message}"
    );
    assert_eq!(incomplete["evidence"][0]["line"], 8);
    // The other node of the cluster is judged as before.
    assert!(
        with_status(&report, "pass").contains(&(20018, "east-a".to_string())),
        "{report}"
    );
}
