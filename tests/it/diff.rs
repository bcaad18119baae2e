//! `upcheck diff` end to end on fixtures/osn6800-upgrade (see its README):
//! trees, JSON reports, both mixed, and inputs it must refuse. The table of
//! the pair is the file case tests/cmd/diff-upgrade.

use crate::common::{json_of, run, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const PRE: &str = "fixtures/osn6800-upgrade/pre";
const POST: &str = "fixtures/osn6800-upgrade/post";

/// The JSON diff and the exit code.
fn diff_json(before: &str, after: &str, more: &[&str]) -> (Value, i32) {
    let mut args = vec!["diff", before, after, "--format", "json"];
    args.extend(more);
    let out = run(&args);
    (json_of(&out), out.status.code().unwrap())
}

fn node<'a>(diff: &'a Value, name: &str) -> &'a Value {
    diff["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == name)
        .unwrap_or_else(|| panic!("no node {name} in {diff:#}"))
}

/// Per node: the (code, fingerprint) of new, resolved and unchanged findings.
fn findings(diff: &Value) -> BTreeMap<String, [Vec<(u64, String)>; 3]> {
    let list = |n: &Value, key: &str| -> Vec<(u64, String)> {
        n["findings"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_u64().unwrap(),
                    f["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    diff["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap().to_string(),
                [list(n, "new"), list(n, "resolved"), list(n, "unchanged")],
            )
        })
        .collect()
}

#[test]
fn the_upgrade_pair_got_worse_on_ne_east_02() {
    let (diff, code) = diff_json(PRE, POST, &[]);
    assert_eq!(code, 1, "{diff:#}");
    assert_eq!(diff["tool"]["name"], "upcheck");
    assert_eq!(diff["before"], PRE);
    assert_eq!(diff["after"], POST);
    assert_eq!(diff["phase"], "post");
    assert_eq!(diff["worse"], true);

    // The clean upgrade: release, patches replaced, an alarm cleared.
    let one = node(&diff, "ne-east-01");
    assert_eq!(one["status"], "changed");
    assert_eq!(one["scope"], "node");
    assert_eq!(
        one["release"],
        serde_json::json!({"before": "V100R004C01 B01j", "after": "V100R004C04SPC800"})
    );
    let patches = one["patches"].as_array().unwrap();
    assert_eq!(patches.len(), 4, "{patches:#?}");
    assert!(patches.iter().all(|p| p["worse"] == false));
    assert!(patches.iter().any(|p| p["patch"] == "V100R004C01SPH106"
        && p["where"] == "ne-east-01 board SCC slot 9"
        && p["before"] == "running"
        && p["after"].is_null()));
    assert!(
        patches
            .iter()
            .any(|p| p["patch"] == "V100R004C04SPC800SPH001"
                && p["before"].is_null()
                && p["after"] == "running")
    );
    assert_eq!(one["alarms"]["raised"], serde_json::json!([]));
    assert_eq!(one["alarms"]["cleared"][0]["id"], "1087");
    assert_eq!(one["alarms"]["cleared"][0]["severity"], "minor");

    // The one that got worse.
    let two = node(&diff, "ne-east-02");
    assert_eq!(two["status"], "changed");
    assert_eq!(two["worse"], true);
    assert!(two["release"].is_null());
    assert_eq!(
        two["patches"],
        serde_json::json!([{
            "where": "ne-east-02 board SCC slot 10",
            "patch": "V100R004C01SPH106",
            "before": "running",
            "after": "activating",
            "worse": true
        }])
    );
    assert_eq!(
        two["alarms"]["raised"],
        serde_json::json!([{
            "id": "1302",
            "server": "ne-east-02",
            "instance": "SCC-10",
            "severity": "major",
            "name": "PATCH_ACT_TIMEOUT"
        }])
    );
    let new = two["findings"]["new"].as_array().unwrap();
    let patch = new
        .iter()
        .find(|f| f["code"] == 20002)
        .expect("20002 is new on ne-east-02");
    assert_eq!(patch["name"], "patch-not-running");
    assert_eq!(patch["severity"], "critical");
    assert!(
        patch["message"]
            .as_str()
            .unwrap()
            .contains("V100R004C01SPH106 on ne-east-02 board SCC slot 10 is activating")
    );
    assert_eq!(patch["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn a_tree_against_itself_is_unchanged() {
    let (diff, code) = diff_json(POST, POST, &[]);
    assert_eq!(code, 0, "{diff:#}");
    assert_eq!(diff["worse"], false);
    let nodes = diff["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    for n in nodes {
        assert_eq!(n["status"], "unchanged", "{n:#}");
        assert!(n["release"].is_null());
        assert_eq!(n["patches"], serde_json::json!([]));
        assert_eq!(n["alarms"]["raised"], serde_json::json!([]));
        assert_eq!(n["findings"]["new"], serde_json::json!([]));
        assert_eq!(n["findings"]["resolved"], serde_json::json!([]));
    }
    // The failure present on both sides is unchanged, not new.
    let two = node(&diff, "ne-east-02");
    assert!(
        two["findings"]["unchanged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == 20002)
    );

    let out = run(&["diff", POST, POST]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    assert!(table.starts_with("2 node(s) unchanged\n"), "{table}");
    assert!(table.trim_end().ends_with(": nothing got worse"), "{table}");
}

#[test]
fn an_archive_is_read_as_the_tree_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("post.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&archive).unwrap());
    builder.append_dir_all("post", POST).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let (from_folder, _) = diff_json(POST, POST, &[]);
    let (from_archive, code) = diff_json(POST, archive.to_str().unwrap(), &[]);
    assert_eq!(code, 0, "{from_archive:#}");
    assert_eq!(from_archive["worse"], false);
    assert_eq!(from_archive["nodes"], from_folder["nodes"]);
}

/// `check --phase post --format json --output` of a tree, into `dir`.
fn report(tree: &str, dir: &Path, name: &str) -> String {
    let file = dir.join(name).display().to_string();
    let out = run(&[
        "check", tree, "--phase", "post", "--format", "json", "--output", &file,
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    file
}

#[test]
fn reports_diff_like_the_trees_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let before = report(PRE, dir.path(), "pre.json");
    let after = report(POST, dir.path(), "post.json");

    let (from_reports, code) = diff_json(&before, &after, &[]);
    assert_eq!(code, 1, "{from_reports:#}");
    assert_eq!(from_reports["phase"], "post");
    let (from_trees, _) = diff_json(PRE, POST, &[]);
    assert_eq!(findings(&from_reports), findings(&from_trees));
    assert!(
        findings(&from_reports)["ne-east-02"][0]
            .iter()
            .any(|(code, _)| *code == 20002)
    );
    // Reports hold no release, patch or alarm state.
    for n in from_reports["nodes"].as_array().unwrap() {
        assert!(n["release"].is_null());
        assert_eq!(n["patches"], serde_json::json!([]));
        assert_eq!(n["alarms"]["cleared"], serde_json::json!([]));
    }

    // A report against a tree, written with --output.
    let written = dir.path().join("diff.json");
    let out = run(&[
        "diff",
        &before,
        POST,
        "--format",
        "json",
        "--output",
        written.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let mixed: Value = serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    assert_eq!(findings(&mixed), findings(&from_trees));

    // Only the 20002 finding got worse between the reports: --fail-on
    // never lets it pass, --fail-on critical does not.
    let (_, code) = diff_json(&before, &after, &["--fail-on", "never"]);
    assert_eq!(code, 0);
    let (_, code) = diff_json(&before, &after, &["--fail-on", "critical"]);
    assert_eq!(code, 1);
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, "{\"evaluations\": [").unwrap();
    let bare = dir.path().join("bare.json");
    std::fs::write(&bare, "{\"tool\": {\"name\": \"upcheck\"}}").unwrap();
    let missing = dir.path().join("missing");
    let cases = [
        (missing.display().to_string(), "no such file or directory"),
        (invalid.display().to_string(), "invalid JSON"),
        (bare.display().to_string(), "has no `evaluations` list"),
    ];
    for (path, reason) in &cases {
        for args in [["diff", path, POST], ["diff", PRE, path]] {
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(out.stdout.is_empty(), "{args:?}");
            let err = stderr(&out);
            assert!(
                err.contains(path.as_str()) && err.contains(reason),
                "{args:?}: {err}"
            );
        }
    }
}

/// (where, patch, before, after, worse) of each patch change of `node`.
fn patch_changes(diff: &Value, name: &str) -> Vec<(String, String, Value, Value, bool)> {
    node(diff, name)["patches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["where"].as_str().unwrap().to_string(),
                p["patch"].as_str().unwrap().to_string(),
                p["before"].clone(),
                p["after"].clone(),
                p["worse"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Two copies of the node folder `node`, before and after; `change` edits
/// the after copy (the node folder given).
fn before_after(node: &str, change: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let name = Path::new(node).file_name().unwrap();
    crate::common::copy_tree(Path::new(node), &dir.path().join("before").join(name));
    let after = dir.path().join("after").join(name);
    crate::common::copy_tree(Path::new(node), &after);
    change(&after);
    dir
}

fn sides(dir: &tempfile::TempDir) -> (String, String) {
    let side = |s: &str| dir.path().join(s).display().to_string();
    (side("before"), side("after"))
}

#[test]
fn an_openscape_patch_left_in_main_memory_only_is_worse() {
    let dir = before_after("fixtures/openscape4000/site-munich/os4k-muc-a", |after| {
        let file = after.join("exports/display-patch.txt");
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.replace("| PA10001     |X|X|", "| PA10001     |-|X|");
        std::fs::write(file, text).unwrap();
    });
    let (before, after) = sides(&dir);
    let (diff, _) = diff_json(&before, &after, &[]);
    assert_eq!(
        patch_changes(&diff, "os4k-muc-a"),
        [(
            "ZMIPTCH0.D.10.031".to_string(),
            "PA10001".to_string(),
            "running".into(),
            "temporary".into(),
            true
        )]
    );
    assert_eq!(diff["worse"], true);
}

#[test]
fn prsm_prsus_removed_or_applied_on_a_dest_are_patch_changes() {
    let (diff, code) = diff_json("fixtures/dms-prsm/pre", "fixtures/dms-prsm/post", &[]);
    assert_eq!(code, 1, "{diff:#}");
    let changes = patch_changes(&diff, "dms-east-cm");
    let change = |place: &str, patch: &str| {
        changes
            .iter()
            .find(|c| c.0 == place && c.1 == patch)
            .unwrap_or_else(|| panic!("no change of {patch} on {place}: {changes:#?}"))
            .clone()
    };
    let (_, _, b, a, worse) = change("SPM 2 CEM 0", "PQR21S03");
    assert_eq!(
        (b, a, worse),
        ("running".into(), "not-running".into(), true)
    );
    let (_, _, b, a, worse) = change("SPM 1 CEM 1", "DEF09S0P");
    assert_eq!(
        (b, a, worse),
        ("not-running".into(), "running".into(), false)
    );
    let (_, _, b, a, worse) = change("LTC 1", "VWX03L09");
    assert_eq!((b, a, worse), (Value::Null, "running".into(), false));
    assert!(
        node(&diff, "dms-west-cm")["patches"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_cluster_patch_install_that_was_rolled_back_is_a_failed_patch() {
    let dir = before_after("fixtures/cluster-patch/west/west-a", |after| {
        let file = after.join("opt/patch/patch.log");
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(
            "2026-11-20 22:05:11 INFO  start install patch APP-7.2.0-F2 (fix)\n\
             2026-11-20 22:05:15 ERROR cannot replace /opt/app/lib/libnet.so: Permission denied\n\
             2026-11-20 22:05:16 INFO  rollback complete: cluster remains in same state\n",
        );
        std::fs::write(file, text).unwrap();
    });
    let (before, after) = sides(&dir);
    let (diff, _) = diff_json(&before, &after, &[]);
    assert_eq!(
        patch_changes(&diff, "west-a"),
        [(
            "west-a".to_string(),
            "APP-7.2.0-F2".to_string(),
            "running".into(),
            "failed".into(),
            true
        )]
    );
}
