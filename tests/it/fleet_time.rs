//! 40009 fleet-time-skew on fleets built for each case: every server's clock
//! against the collector's and against every other server of the fleet,
//! across clusters, and the whole-hour errors an inferred zone would hide.

use crate::common::{check_json, evaluations};
use serde_json::Value;
use std::path::Path;

const COLLECTED_AT: &str = "2026-11-20T08:00:00Z";
/// COLLECTED_AT in seconds since 1970.
const COLLECTED: i64 = 1_795_161_600;

/// A native node in its own cluster, with the given command outputs.
fn node(fleet: &Path, name: &str, commands: &[(&str, &str)]) {
    let dir = fleet.join(name);
    std::fs::create_dir_all(dir.join("commands")).unwrap();
    let identity = serde_json::json!({
        "hostname": name,
        "cluster": format!("cluster-{name}"),
        "platform": "tpd",
        "collected_at": COLLECTED_AT,
    });
    std::fs::write(dir.join("node.json"), identity.to_string()).unwrap();
    for (file, text) in commands {
        std::fs::write(dir.join("commands").join(file), format!("{text}\n")).unwrap();
    }
}

fn epoch(name: &str, fleet: &Path, offset_s: i64) {
    node(
        fleet,
        name,
        &[("date_-u_+%s", &(COLLECTED + offset_s).to_string())],
    );
}

/// The one 40009 evaluation of the fleet.
fn judge(fleet: &Path) -> Value {
    let (report, _) = check_json(&["--select", "40009", fleet.to_str().unwrap()]);
    let evals: Vec<Value> = evaluations(&report)
        .iter()
        .filter(|e| e["code"] == 40009)
        .cloned()
        .collect();
    assert_eq!(evals.len(), 1, "{evals:?}");
    evals[0].clone()
}

fn message(e: &Value) -> &str {
    e["message"].as_str().unwrap()
}

#[test]
fn a_server_far_from_the_collector_fails_even_alone_in_its_cluster() {
    let dir = tempfile::tempdir().unwrap();
    epoch("cmp-a", dir.path(), 1);
    epoch("mpe-a", dir.path(), 40);
    let e = judge(dir.path());
    assert_eq!(e["status"], "fail", "{e}");
    assert!(message(&e).contains("mpe-a 40 s"), "{e}");
    assert!(!message(&e).contains("cmp-a"), "{e}");
}

#[test]
fn servers_of_different_clusters_are_compared_with_each_other() {
    let dir = tempfile::tempdir().unwrap();
    epoch("cmp-a", dir.path(), -7);
    epoch("mra-a", dir.path(), 8);
    let e = judge(dir.path());
    assert_eq!(e["status"], "fail", "{e}");
    assert!(message(&e).contains("spread 15 s"), "{e}");
}

#[test]
fn an_inferred_zone_says_so_and_a_whole_hour_disagreement_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Both print CST; mpe-b's clock is an hour fast, which an inferred
    // zone (UTC-05:00 instead of UTC-06:00) would otherwise absorb.
    node(
        dir.path(),
        "mpe-a",
        &[("date", "Fri Nov 20 02:00:01 CST 2026")],
    );
    node(
        dir.path(),
        "mpe-b",
        &[("date", "Fri Nov 20 03:00:02 CST 2026")],
    );
    let e = judge(dir.path());
    assert_eq!(e["status"], "fail", "{e}");
    let m = message(&e);
    assert!(m.contains("disagree by whole hours"), "{m}");
    assert!(m.contains("mpe-a CST = UTC-6 h (inferred)"), "{m}");
    assert!(m.contains("mpe-b CST = UTC-5 h (inferred)"), "{m}");
}

#[test]
fn timedatectl_places_an_ambiguous_zone_so_an_hour_off_shows() {
    let dir = tempfile::tempdir().unwrap();
    let status = "       Time zone: America/Chicago (CST, -0600)\nNTP synchronized: yes";
    node(
        dir.path(),
        "mpe-b",
        &[
            ("date", "Fri Nov 20 03:00:02 CST 2026"),
            ("timedatectl", status),
        ],
    );
    let e = judge(dir.path());
    assert_eq!(e["status"], "fail", "{e}");
    assert!(message(&e).contains("mpe-b 3602 s"), "{e}");
    assert!(!message(&e).contains("inferred"), "{e}");
}

#[test]
fn agreeing_clocks_pass_with_epoch_utc_and_an_uncontradicted_inferred_zone() {
    let dir = tempfile::tempdir().unwrap();
    epoch("cmp-a", dir.path(), 1);
    node(
        dir.path(),
        "mra-a",
        &[("date_-u", "Fri Nov 20 08:00:04 UTC 2026")],
    );
    node(
        dir.path(),
        "mpe-a",
        &[("date", "Fri Nov 20 02:00:02 CST 2026")],
    );
    let e = judge(dir.path());
    assert_eq!(e["status"], "pass", "{e}");
}

#[test]
fn a_clock_read_against_itself_is_unknown_unless_another_already_fails() {
    let dir = tempfile::tempdir().unwrap();
    epoch("cmp-a", dir.path(), 1);
    let report = dir.path().join("sosreport-mpe-2026-11-20-abc");
    std::fs::create_dir_all(report.join("sos_commands/date")).unwrap();
    std::fs::create_dir_all(report.join("sos_reports")).unwrap();
    std::fs::write(
        report.join("sos_commands/date/date"),
        "Fri Nov 20 09:00:05 CET 2026\n",
    )
    .unwrap();
    std::fs::write(
        report.join("sos_reports/manifest.json"),
        r#"{"start_time": "2026-11-20 09:00:03.000000"}"#,
    )
    .unwrap();
    // sos installs no platform: read as a TPD server here.
    std::fs::write(report.join("node.json"), r#"{"platform": "tpd"}"#).unwrap();
    let e = judge(dir.path());
    assert_eq!(e["status"], "unknown", "{e}");
    assert!(
        message(&e).contains("mpe (collected_at is its own clock"),
        "{e}"
    );
    // A server far off is reported all the same.
    epoch("mra-a", dir.path(), 90);
    let e = judge(dir.path());
    assert_eq!(e["status"], "fail", "{e}");
    assert!(message(&e).contains("mra-a 90 s"), "{e}");
}
