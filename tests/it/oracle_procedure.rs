//! Steps of the Policy Management 12.1.2 procedure as small fleets
//! (fixtures/oracle-pm-steps/): what the alarm and cluster rules make of a
//! fleet in the middle of a step, after it, and with an input missing.

use crate::common::check_json;

/// (status, message) of each evaluation of `code` on the fleet `scenario`.
fn evaluations(scenario: &str, code: u64) -> Vec<(String, String)> {
    let fleet = format!("fixtures/oracle-pm-steps/{scenario}");
    let select = code.to_string();
    let (report, _) = check_json(&[&fleet, "--phase", "post", "--select", &select]);
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code)
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            (text("status"), text("message"))
        })
        .collect()
}

fn status(scenario: &str, code: u64) -> String {
    let evals = evaluations(scenario, code);
    assert_eq!(evals.len(), 1, "{scenario} {code}: {evals:?}");
    evals[0].0.clone()
}

fn message(scenario: &str, code: u64) -> String {
    evaluations(scenario, code)
        .into_iter()
        .map(|(_, m)| m)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn alarms_of_the_legacy_cmp_upgrade_are_expected_during_it_only() {
    // 6.1.1 step 10: 31283, 70021, 70004, 31233 while the Force-Standby CMP
    // on 10.5 is being upgraded (node.json upgrade_operation).
    assert_eq!(status("cmp-legacy-upgrade", 60002), "pass");
    let listed = message("cmp-legacy-upgrade", 60003);
    assert!(
        listed.contains("70021") && listed.contains("6.1.1 and 7.1.1 step 10"),
        "{listed}"
    );
    assert_eq!(status("cmp-legacy-upgrade", 60004), "pass");
    // The Forced Standby CMP being upgraded is normal.
    assert_eq!(status("cmp-legacy-upgrade", 70002), "pass");
    // Once the CMP cluster is upgraded 70021 has outlived its step.
    assert_eq!(status("cmp-legacy-upgrade-over", 60002), "fail");
    assert_eq!(status("cmp-legacy-upgrade-over", 60004), "fail");
    let outlived = message("cmp-legacy-upgrade-over", 60004);
    assert!(
        outlived.contains("only during cmp-legacy-upgrade"),
        "{outlived}"
    );
}

#[test]
fn backout_alarms_and_the_oos_server_backing_out_are_expected() {
    // 12.3.5 step 2: 31236 critical, 31227, 31102 while the standby primary
    // CMP is backed out; it shows OOS.
    assert_eq!(status("cmp-backout", 60002), "pass");
    assert_eq!(status("cmp-backout", 60004), "pass");
    assert_eq!(status("cmp-backout", 70002), "pass");
    assert!(message("cmp-backout", 60003).contains("12.3.5 step 2"));
}

#[test]
fn a_missing_cmp_release_is_unknown_never_a_pass() {
    assert_eq!(status("no-cmp-snapshot", 70005), "unknown");
    assert!(message("no-cmp-snapshot", 70005).contains("no CMP snapshot"));
    assert_eq!(status("cmp-release-missing", 70005), "unknown");
    assert!(message("cmp-release-missing", 70005).contains("cmp-s1-a"));
    assert_eq!(status("no-cmp-snapshot", 70006), "unknown");
    assert_eq!(status("no-cmp-snapshot", 70007), "unknown");
    // One Active and one server without ha_role: not a pass for 70001.
    assert_eq!(status("ha-role-missing", 70001), "unknown");
    assert!(message("ha-role-missing", 70001).contains("mpe-s1-b"));
}

#[test]
fn the_upgrade_order_needs_the_primary_site() {
    assert_eq!(status("primary-site-unknown", 70006), "unknown");
    let why = message("primary-site-unknown", 70006);
    assert!(
        why.contains("primary_site") && why.contains("site-1, site-2"),
        "{why}"
    );
}

#[test]
fn an_expected_alarm_raised_above_the_steps_severity_is_not_expected() {
    // 10.2 step 3 expects 31283 Critical, 70004 Major and 78001 Minor while
    // the standby MPE is upgraded; 78001 raised as Major is not that alarm.
    let scenario = "alarm-above-expected-severity/post";
    assert_eq!(status(scenario, 60002), "fail");
    let unexpected = message(scenario, 60002);
    assert!(
        unexpected.contains("78001")
            && unexpected.contains("is major, above what the procedure expects")
            && unexpected.contains("minor during mpe-mra-upgrade (10.2 step 3"),
        "{unexpected}"
    );
    assert!(
        !unexpected.contains("31283") && !unexpected.contains("70004"),
        "{unexpected}"
    );
    let listed = message(scenario, 60003);
    assert!(
        listed.contains("31283") && listed.contains("70004") && !listed.contains("78001"),
        "{listed}"
    );
    // Against the pre snapshot beside it, 78001 is the one new alarm.
    let new = message(scenario, 60005);
    assert!(
        new.contains("78001") && !new.contains("31283") && !new.contains("70004"),
        "{new}"
    );
    assert_eq!(status(scenario, 60004), "pass");
}
