//! The OpenScape 4000 fleet (fixtures/openscape4000, see its README): each
//! planted AMO PATCH problem is found once, on its system; the healthy
//! system is clean; a cut-off input is unknown, naming the file and line.

use crate::common::{check_json, copy_tree, evaluations};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const FLEET: &str = "fixtures/openscape4000";

fn check(path: &str, phase: &str) -> (Value, i32) {
    check_json(&[path, "--phase", phase])
}

/// (code, node) of every evaluation with this status.
fn with_status(report: &Value, status: &str) -> BTreeSet<(u64, String)> {
    evaluations(report)
        .iter()
        .filter(|e| e["status"] == status)
        .map(|e| {
            let node = e["node"].as_str().unwrap();
            (e["code"].as_u64().unwrap(), node.to_string())
        })
        .collect()
}

fn set(pairs: &[(u64, &str)]) -> BTreeSet<(u64, String)> {
    pairs.iter().map(|(c, n)| (*c, n.to_string())).collect()
}

#[test]
fn each_planted_problem_is_found_once_before_the_window() {
    let (report, code) = check(FLEET, "pre");
    assert_eq!(code, 1);
    let expected = set(&[
        (20009, "os4k-muc-b"),
        (20020, "os4k-muc-b"),
        (20010, "os4k-ber-a"),
        (20011, "os4k-ber-a"),
        (20021, "os4k-ber-b"),
    ]);
    assert_eq!(with_status(&report, "fail"), expected);
    let fails: Vec<&Value> = evaluations(&report)
        .iter()
        .filter(|e| e["status"] == "fail")
        .collect();
    assert_eq!(fails.len(), expected.len(), "one finding per problem");
    assert!(with_status(&report, "unknown").is_empty());
    let message = |code: u64| {
        fails.iter().find(|e| e["code"] == code).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message(20009).contains("PA10003 is active in main memory only"));
    assert!(message(20020).contains("PA10002"));
    assert!(message(20010).contains("SUBSYSTEM ZMIPTCH0.D.10.029"));
    assert!(message(20011).contains("PA10004"));
    assert!(message(20021).contains("related patch PA10009"));
}

#[test]
fn after_the_window_only_the_effectiveness_check_runs() {
    let (report, code) = check(FLEET, "post");
    assert_eq!(code, 1);
    assert_eq!(with_status(&report, "fail"), set(&[(20009, "os4k-muc-b")]));
    assert!(with_status(&report, "unknown").is_empty());
}

#[test]
fn the_healthy_system_is_clean_and_checked() {
    let (report, code) = check(&format!("{FLEET}/site-munich/os4k-muc-a"), "pre");
    assert_eq!(code, 0);
    assert!(with_status(&report, "fail").is_empty());
    assert!(with_status(&report, "unknown").is_empty());
    let passed: BTreeSet<u64> = with_status(&report, "pass")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        passed,
        [20009, 20010, 20011, 20020, 20021, 20025, 20026]
            .into_iter()
            .collect()
    );
}

/// The failure messages of a rule's `fires` fixtures, by node.
fn fixture_failures(rule: &str) -> Vec<(String, String)> {
    let (report, _) = check(&format!("fixtures/rules/{rule}/fires"), "pre");
    let code: u64 = rule[..5].parse().unwrap();
    evaluations(&report)
        .iter()
        .filter(|e| e["status"] == "fail" && e["code"] == code)
        .map(|e| {
            (
                e["node"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_consistency_test_allows_the_dummy_range() {
    // Installed D.10.031 with dummy D.10.027: a patch for D.10.033 fits
    // (the passes fixture), one for D.10.029 does not.
    let fails = fixture_failures("20010-patch-header-mismatch");
    let missed: Vec<&String> = fails
        .iter()
        .filter(|(n, _)| n == "dummy-range-missed")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(missed.len(), 1, "{fails:?}");
    assert!(
        missed[0].contains("SUBSYSTEM ZMIPTCH0.D.10.029")
            && missed[0].contains("ZMIPTCH0.D.10.031 with dummy correction version D.10.027"),
        "{}",
        missed[0]
    );
    let (report, code) = check("fixtures/rules/20010-patch-header-mismatch/passes", "pre");
    assert!(with_status(&report, "fail").is_empty(), "{code}");
    assert!(with_status(&report, "pass").contains(&(20010, "dummy-range".to_string())));
}

#[test]
fn the_address_check_names_the_block_outside_the_subsystem() {
    let fails = fixture_failures("20025-patch-address-outside-subsystem");
    assert_eq!(fails.len(), 1, "{fails:?}");
    let message = &fails[0].1;
    assert!(
        message.contains("patches 02C00:007FE (4 bytes, line")
            && message.contains("DATE AREA (B,E) 02C00:00000,02C00:007FF"),
        "{message}"
    );
}

#[test]
fn an_interrupted_megapatch_sequence_is_found_from_what_it_left() {
    let fails = fixture_failures("20026-patch-sequence-interrupted");
    assert_eq!(fails.len(), 1, "{fails:?}");
    let message = &fails[0].1;
    assert!(
        message.contains("group GRP04")
            && message.contains("PA10013 hd-only")
            && message.contains("PA10014 inactive")
            && !message.contains("PA10008"),
        "{message}"
    );
}

/// The messages of the unknown evaluations of a report.
fn unknown_messages(report: &Value) -> Vec<String> {
    evaluations(report)
        .iter()
        .filter(|e| e["status"] == "unknown")
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_cut_off_catalog_listing_is_unknown_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("os4k-muc-a");
    copy_tree(Path::new(&format!("{FLEET}/site-munich/os4k-muc-a")), &node);
    let listing = node.join("exports/display-patch.txt");
    let text = fs::read_to_string(&listing).unwrap();
    // The capture stops in the middle of the third row.
    let cut: String = text.lines().take(10).collect::<Vec<_>>().join("\n");
    let cut = format!("{}\n", &cut[..cut.len() - 30]);
    fs::write(&listing, cut).unwrap();
    let (report, code) = check(dir.path().to_str().unwrap(), "pre");
    assert_eq!(code, 3);
    assert!(with_status(&report, "fail").is_empty());
    let unknown = with_status(&report, "unknown");
    let codes: BTreeSet<u64> = unknown.iter().map(|(c, _)| *c).collect();
    // 90002 is the tool's own finding for the malformed file.
    assert_eq!(
        codes,
        [20009, 20011, 20020, 20021, 20026, 90002]
            .into_iter()
            .collect()
    );
    for message in unknown_messages(&report) {
        assert!(
            message.contains("exports/display-patch.txt is malformed at line 10")
                && message.contains("the row is cut off"),
            "{message}"
        );
    }
    // 20010 does not read the listing.
    assert!(with_status(&report, "pass").contains(&(20010, "os4k-muc-a".into())));
}

#[test]
fn a_cut_off_patch_file_is_unknown_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("os4k-muc-a");
    copy_tree(Path::new(&format!("{FLEET}/site-munich/os4k-muc-a")), &node);
    let file = node.join("pds/PATCH/PA10005.E");
    let text = fs::read_to_string(&file).unwrap();
    let cut: String = text.lines().take(10).flat_map(|l| [l, "\n"]).collect();
    fs::write(&file, cut).unwrap();
    let (report, code) = check(dir.path().to_str().unwrap(), "pre");
    assert_eq!(code, 3);
    let codes: BTreeSet<u64> = with_status(&report, "unknown")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        codes,
        [20010, 20011, 20021, 20025, 90002].into_iter().collect()
    );
    for message in unknown_messages(&report) {
        assert!(
            message.contains("pds/PATCH/PA10005.E is malformed at line 1")
                && message.contains("no ****EOH"),
            "{message}"
        );
    }
}

#[test]
fn missing_inputs_are_unknown_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("os4k-muc-a");
    copy_tree(Path::new(&format!("{FLEET}/site-munich/os4k-muc-a")), &node);
    fs::remove_dir_all(node.join("pds")).unwrap();
    fs::remove_file(node.join("exports/installed-aps.txt")).unwrap();
    let (report, code) = check(dir.path().to_str().unwrap(), "pre");
    assert_eq!(code, 3);
    let unknown: BTreeSet<u64> = with_status(&report, "unknown")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(unknown, [20010, 20011, 20021, 20025].into_iter().collect());
    let messages = unknown_messages(&report);
    assert!(
        messages
            .iter()
            .all(|m| m.contains("input `amo-patch-files` is missing: looked for pds/**")),
        "{messages:?}"
    );
    // The catalog alone still answers 20009, 20020 and 20026.
    let passed: BTreeSet<u64> = with_status(&report, "pass")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(passed, [20009, 20020, 20026].into_iter().collect());
}
