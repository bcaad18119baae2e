//! The Huawei OSN 6800 load failure (fixtures/huawei-osn6800-load-failure):
//! diagnosis names 80001 first on the failing NE, caused by 20002 for the
//! upgrade-specific patch, with the remediation; the control NE is clean.
//! The table of that diagnosis is the file case tests/cmd/check-huawei-diagnose.

use crate::common::{copy_tree, run};
use serde_json::{Value, json};
use std::path::Path;

const FLEET: &str = "fixtures/huawei-osn6800-load-failure";

fn report() -> Value {
    let out = run(&["check", FLEET, "--phase", "diagnose", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn failures<'a>(report: &'a Value, node: &str) -> Vec<&'a Value> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"] == node && e["status"] == "fail")
        .collect()
}

#[test]
fn json_ranks_root_causes_first_and_links_consequences() {
    let report = report();
    let failing = failures(&report, "ne-osn6800-01");
    let codes: Vec<u64> = failing
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, vec![20002, 20002, 80001, 80002, 80005], "{codes:?}");
    let cause = json!([{"code": 20002, "node": "ne-osn6800-01"}]);
    assert_eq!(failing[2]["caused_by"], cause);
    assert_eq!(failing[3]["caused_by"], cause);
    assert!(failing[0].get("caused_by").is_none());
    assert!(
        failing[3]["message"]
            .as_str()
            .unwrap()
            .contains("cause found: 20002 patch-not-running")
    );
    assert!(failures(&report, "ne-osn6800-02").is_empty());
    let unknown = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "unknown")
        .count();
    assert_eq!(unknown, 0, "every diagnosis input is in the fixture");
}

#[test]
fn the_log_failure_carries_its_context() {
    let report = report();
    let log = failures(&report, "ne-osn6800-01")
        .into_iter()
        .find(|e| e["code"] == 80005)
        .unwrap();
    let evidence = &log["evidence"][0];
    assert_eq!(evidence["line"], 8);
    let context: Vec<&str> = evidence["context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(context.len(), 4, "three lines before, the line, none after");
    assert!(
        context[3].starts_with("8> 2012-07-20 15:29:52"),
        "{context:?}"
    );
}

#[test]
fn the_pre_check_would_have_caught_it() {
    let out = run(&[
        "check", FLEET, "--phase", "pre", "--format", "json", "--select", "1,2,3",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<u64> = failures(&report, "ne-osn6800-01")
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    // The old DC/NMS pair (10010) is the root of the patch that never ran.
    assert_eq!(codes, vec![10010, 20002, 20002, 20005], "{codes:?}");
    assert!(failures(&report, "ne-osn6800-02").is_empty());
}

/// One NMS export for many NEs (fixtures/osn6800-nms-export): the patch
/// list at the fleet root and the NE list, task log and board storage in
/// the management server's snapshot are split by NE and judged per NE.
fn nms_report(phase: &str) -> Value {
    let out = run(&[
        "check",
        "fixtures/osn6800-nms-export",
        "--phase",
        phase,
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_many_ne_export_is_judged_per_ne_wherever_it_sits() {
    let report = nms_report("pre");
    let codes = |node: &str| -> Vec<u64> {
        failures(&report, node)
            .iter()
            .map(|e| e["code"].as_u64().unwrap())
            .collect()
    };
    // ne-a: its rows of the root's patch list are activating (Patch State,
    // not the NE's Status column); its CF cards have room, the full OFS1
    // partitions do not count.
    assert_eq!(codes("ne-a"), vec![20002, 20002, 20005]);
    // ne-b is OSN-B-NMS / 9-102 in the exports: running, but disconnected
    // in the NMS NE list; ne-a's Normal row is not its.
    assert_eq!(codes("ne-b"), vec![10002]);
    let b = failures(&report, "ne-b")[0];
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .starts_with("OSN-B-NMS is unreachable")
    );
    assert!(failures(&report, "u2000-nms").is_empty());
    let passed = |node: &str, code: u64| {
        report["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"] == node && e["code"] == code && e["status"] == "pass")
    };
    assert!(passed("ne-a", 10002) && passed("ne-a", 30004) && passed("ne-b", 20002));
    // The rows of ne-c, which has no snapshot, are reported with their lines.
    let unmatched: Vec<(String, String)> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == 90011)
        .map(|e| {
            (
                e["status"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(unmatched.len(), 2, "{unmatched:?}");
    for (status, message) in &unmatched {
        assert_eq!(status, "unknown");
        assert!(message.contains("name NE ne-c"), "{message}");
    }
    assert!(
        unmatched
            .iter()
            .any(|(_, m)| m.contains("exports/patches.csv: 1 row(s)") && m.contains("line(s) 7"))
    );
}

/// Two NE snapshots and a patch list for both at the fleet root, as
/// `patches` (the CSV text); the JSON report of `--select 20002`.
fn root_patch_list_report(patches: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    for (ne, id) in [("ne-a", "9-101"), ("ne-b", "9-102")] {
        let node = dir.path().join(ne);
        std::fs::create_dir_all(&node).unwrap();
        let identity = json!({"hostname": ne, "platform": "osn6800", "ne_id": id});
        std::fs::write(node.join("node.json"), identity.to_string()).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("exports")).unwrap();
    std::fs::write(dir.path().join("exports/patches.csv"), patches).unwrap();
    let out = run(&[
        "check",
        dir.path().to_str().unwrap(),
        "--select",
        "20002",
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A bad value in a row of a many-NE export does not hide the file: each
/// NE it names is told the file and line, not that its patch list is
/// missing.
#[test]
fn a_bad_row_in_a_many_ne_export_is_reported_to_each_ne_it_names() {
    let report = root_patch_list_report(
        "NE,Patch Name,Patch State\n\
         ne-a,SPH106,Running\n\
         9-102,,Running\n",
    );
    for ne in ["ne-a", "ne-b"] {
        let found: Vec<&Value> = (report["evaluations"].as_array().unwrap().iter())
            .filter(|e| e["node"] == ne && e["code"] == 20002)
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["status"], "unknown");
        let message = found[0]["message"].as_str().unwrap();
        assert!(
            message
                .contains("exports/patches.csv is malformed at line 3: the row has no patch name"),
            "{message}"
        );
    }
}

/// A many-NE export outside the snapshots that cannot be split at all is
/// reported once, with its line: no node reads it.
#[test]
fn a_many_ne_export_that_cannot_be_split_is_reported_for_the_fleet() {
    let report = root_patch_list_report("NE,Patch Name,Patch State\nne-a,\"SPH106,Running\n");
    let found: Vec<&Value> = (report["evaluations"].as_array().unwrap().iter())
        .filter(|e| e["code"] == 90002)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["scope"], "fleet");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("patches.csv is malformed at line 2: a quoted value is not closed")
            && message.contains("the patches export cannot be split by NE"),
        "{message}"
    );
    assert_eq!(found[0]["evidence"][0]["line"], 2);
    // The NEs are not judged on it: their patch list is missing.
    let missing = (report["evaluations"].as_array().unwrap().iter())
        .filter(|e| e["code"] == 20002 && e["status"] == "unknown")
        .count();
    assert_eq!(missing, 2);
}

/// The NMS fixture copied, `text` appended to the file `rel` in it (made
/// when missing); the JSON report of `args` over the copy.
fn nms_copy_report(rel: &str, text: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("fixtures/osn6800-nms-export"), dir.path());
    let file = dir.path().join(rel);
    let mut content = std::fs::read_to_string(&file).unwrap_or_default();
    content.push_str(text);
    std::fs::write(&file, content).unwrap();
    let mut all = vec!["check", dir.path().to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&run(&all).stdout).unwrap()
}

/// The 90002 findings of a report: node, message, evidence path.
fn malformed(report: &Value) -> Vec<(String, String, String)> {
    (report["evaluations"].as_array().unwrap().iter())
        .filter(|e| e["code"] == 90002)
        .map(|e| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                text(&e["node"]),
                text(&e["message"]),
                text(&e["evidence"][0]["path"]),
            )
        })
        .collect()
}

/// The management server's task log, whose table breaks, is named by
/// the server's node even though no check of that node reads it: the
/// NEs' rows in it reach no NE.
#[test]
fn a_many_ne_export_of_a_node_that_cannot_be_split_is_reported_by_that_node() {
    let report = nms_copy_report(
        "u2000-nms/exports/dc-tasks.csv",
        "x,\"never closed\n",
        &["--phase", "diagnose"],
    );
    let found = malformed(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let (node, message, path) = &found[0];
    assert_eq!(node, "u2000-nms");
    assert!(path.ends_with("u2000-nms/exports/dc-tasks.csv"), "{path}");
    assert!(
        message.contains("a quoted value is not closed")
            && message.contains("the dc-tasks export cannot be split by NE"),
        "{message}"
    );
}

/// An NE whose checks read its own broken export reports it once.
#[test]
fn an_ne_own_broken_export_is_reported_once() {
    let report = nms_copy_report(
        "site-a/ne-a/exports/patches.csv",
        "NE,Patch Name,Patch State\nne-a,\"SPH106,Running\n",
        &["--phase", "pre", "--select", "20002"],
    );
    let found = malformed(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "ne-a");
    assert!(found[0].2.ends_with("ne-a/exports/patches.csv"));
}

#[test]
fn a_many_ne_task_log_diagnoses_each_ne() {
    let report = nms_report("diagnose");
    let a: Vec<u64> = failures(&report, "ne-a")
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert!(a.contains(&80001) && a.contains(&80002), "{a:?}");
    let b: Vec<u64> = failures(&report, "ne-b")
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert!(!b.contains(&80001), "{b:?}");
}

#[test]
fn an_unknown_patch_state_word_is_unknown_not_critical() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("ne-odd");
    std::fs::create_dir_all(node.join("exports")).unwrap();
    std::fs::write(
        node.join("node.json"),
        r#"{"hostname": "ne-odd", "platform": "osn6800"}"#,
    )
    .unwrap();
    std::fs::write(
        node.join("exports/patches.csv"),
        "NE,Patch,Patch State,Board,Slot\nne-odd,SPH106,Rollbacking,SCC,9\nne-odd,SPH106,Running,SCC,10\n",
    )
    .unwrap();
    let out = run(&[
        "check",
        dir.path().to_str().unwrap(),
        "--select",
        "20002,20004",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let evals = report["evaluations"].as_array().unwrap();
    let of = |code: u64, status: &str| {
        evals
            .iter()
            .filter(|e| e["code"] == code && e["status"] == status)
            .count()
    };
    assert_eq!(of(20002, "fail"), 0, "{evals:?}");
    assert_eq!(of(20002, "unknown"), 1, "{evals:?}");
    assert_eq!((of(20004, "unknown"), of(20004, "fail")), (1, 0));
    let unknown = evals
        .iter()
        .find(|e| e["code"] == 20002 && e["status"] == "unknown")
        .unwrap();
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("'Rollbacking'"),
        "{unknown}"
    );
    assert_eq!(out.status.code(), Some(3));
}
