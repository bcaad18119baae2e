//! The policy of a run on the demo fleet: waivers (live, expired, unused),
//! a baseline report, severity overrides, and upcheck.toml with the flags
//! winning over it.

use crate::common::{json_of, run_on};
use serde_json::Value;
use std::path::Path;

/// The day of these runs: waivers in the tests expire around it.
const NOV_21: &str = "1795219200";

/// The report follows docs/report.schema.json, waiver and baseline
/// fields included.
fn assert_follows_schema(report: &Value) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn evals(report: &Value, code: u64) -> Vec<&Value> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code)
        .collect()
}

const WAIVERS: &str = r#"# Accepted until the window.
[[waiver]]
code = 50001
node = "cmp-west-*"
reason = "admusr password reset booked for the window"
approver = "j.doe"
ticket = "CHG-1234"
created = 2026-11-01
expires = 2026-12-31

[[waiver]]
code = 30002
cluster = "mpe-east"
reason = "archive volume"
approver = "a.lee"
expires = 2026-06-30

[[waiver]]
code = 40001
node = "gone-*"
reason = "decommissioned"
approver = "a.lee"
expires = 2027-06-30
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_live_waiver_waives_and_expired_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(dir.path(), "waivers.toml", WAIVERS);
    let plain = json_of(&run_on(
        NOV_21,
        &["check", "fixtures/demo", "--format", "json"],
    ));
    let out = run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--waivers",
            &waivers,
        ],
    );
    let report = json_of(&out);

    let weak = evals(&report, 50001)
        .into_iter()
        .find(|e| e["node"] == "cmp-west-b")
        .unwrap();
    assert_eq!(weak["status"], "waived");
    assert_eq!(
        weak["waiver"]["reason"],
        "admusr password reset booked for the window"
    );
    assert_eq!(weak["waiver"]["approver"], "j.doe");
    assert_eq!(weak["waiver"]["ticket"], "CHG-1234");
    assert_eq!(weak["waiver"]["expires"], "2026-12-31");
    assert_eq!(weak["waiver"]["source"]["line"], 2);
    assert_follows_schema(&report);
    assert_eq!(report["summary"]["by_status"]["waived"], 1);
    assert_eq!(
        report["summary"]["by_status"]["fail"].as_u64().unwrap(),
        plain["summary"]["by_status"]["fail"].as_u64().unwrap() - 1 + 2,
        "one failure waived, two waiver findings"
    );

    let expired = &evals(&report, 90005)[0];
    assert_eq!(expired["status"], "fail");
    assert_eq!(expired["severity"], "minor");
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .starts_with("the waiver of 30002 for cluster mpe-east expired on 2026-06-30"),
        "{expired}"
    );
    assert_eq!(expired["evidence"][0]["line"], 11);
    let unused = &evals(&report, 90006)[0];
    assert_eq!(unused["severity"], "info");
    assert!(
        unused["message"]
            .as_str()
            .unwrap()
            .contains("40001 for node gone-*")
    );
    assert_eq!(unused["node"], "fixtures/demo");

    // The waived failure stays in every format, with its waiver.
    let junit = String::from_utf8(
        run_on(
            NOV_21,
            &[
                "check",
                "fixtures/demo",
                "--format",
                "junit",
                "--waivers",
                &waivers,
            ],
        )
        .stdout,
    )
    .unwrap();
    assert!(junit.contains(
        "<skipped message=\"waived by j.doe until 2026-12-31 (CHG-1234): admusr password reset booked for the window; account admusr"
    ));
    let sarif = json_of(&run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "sarif",
            "--waivers",
            &waivers,
        ],
    ));
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r.get("suppressions")
                .is_some_and(|s| s != &serde_json::json!([]))
        })
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "50001");
    let suppression = &suppressed[0]["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(
        suppression["justification"],
        "admusr password reset booked for the window"
    );
    assert_eq!(suppression["properties"]["approver"], "j.doe");
    for format in ["table", "markdown", "html"] {
        let text = String::from_utf8(
            run_on(
                NOV_21,
                &[
                    "check",
                    "fixtures/demo",
                    "--format",
                    format,
                    "--waivers",
                    &waivers,
                ],
            )
            .stdout,
        )
        .unwrap();
        assert!(
            text.contains("waived by j.doe until 2026-12-31 (CHG-1234)"),
            "{format}"
        );
    }
}

#[test]
fn a_bad_waiver_stops_the_run_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(
        dir.path(),
        "waivers.toml",
        "[[waiver]]\ncode = 50001\nnode = \"x\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"next week\"\n",
    );
    let out = run_on(NOV_21, &["check", "fixtures/demo", "--waivers", &waivers]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("waivers.toml:6: expires: `next week` is not a date"),
        "{err}"
    );
}

#[test]
fn with_a_baseline_only_new_failures_decide_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.json").display().to_string();
    let without_5 = dir.path().join("without-5.json").display().to_string();
    let out = run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--output",
            &full,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--output",
            &without_5,
            "--ignore",
            "5",
        ],
    );

    // Everything known: nothing new fails.
    let out = run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--baseline",
            &full,
            "--allow-unknown",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let report = json_of(&out);
    let failing: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "fail")
        .collect();
    assert!(!failing.is_empty());
    assert!(failing.iter().all(|e| e["baseline"] == "known"));
    assert!(
        report["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["status"] == "pass")
            .all(|e| e.get("baseline").is_none())
    );

    // The baseline accepts the unknowns too: without --allow-unknown the
    // run is clean, and every unknown is marked known.
    let out = run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--baseline",
            &full,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let report = json_of(&out);
    let unknown: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "unknown")
        .collect();
    assert!(!unknown.is_empty());
    assert!(unknown.iter().all(|e| e["baseline"] == "known"));

    // A baseline without the unknowns: they are new, and exit 3 says so.
    let mut only_failures: Value =
        serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    only_failures["evaluations"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["status"] != "unknown");
    let only_failures = write(dir.path(), "only-failures.json", &only_failures.to_string());
    let out = run_on(
        NOV_21,
        &["check", "fixtures/demo", "--baseline", &only_failures],
    );
    assert_eq!(out.status.code(), Some(3));

    // The 5xxxx failure was not in that baseline: it is new and fails.
    let out = run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--baseline",
            &without_5,
            "--allow-unknown",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    let new: Vec<(u64, &str)> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["baseline"] == "new")
        .map(|e| (e["code"].as_u64().unwrap(), e["node"].as_str().unwrap()))
        .collect();
    assert_eq!(new, vec![(50001, "cmp-west-b")]);
    assert_follows_schema(&report);
    let sarif = json_of(&run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "sarif",
            "--baseline",
            &without_5,
        ],
    ));
    let states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);
    assert!(states.contains(&"unchanged"));

    let not_a_report = write(dir.path(), "x.json", "{\"a\": 1}");
    let out = run_on(
        NOV_21,
        &["check", "fixtures/demo", "--baseline", &not_a_report],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an upcheck JSON report"));
}

#[test]
fn severity_overrides_change_levels_and_turn_rules_off() {
    let report = json_of(&run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--severity",
            "50001=info,4xxxx=minor",
        ],
    ));
    assert!(
        evals(&report, 50001)
            .iter()
            .all(|e| e["severity"] == "info")
    );
    assert!(
        evals(&report, 40002)
            .iter()
            .all(|e| e["severity"] == "minor")
    );
    let off = json_of(&run_on(
        NOV_21,
        &[
            "check",
            "fixtures/demo",
            "--format",
            "json",
            "--severity",
            "5=off",
        ],
    ));
    assert!(
        off["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"].as_u64().unwrap() / 10000 != 5)
    );
    let out = run_on(
        NOV_21,
        &["check", "fixtures/demo", "--severity", "50001=low"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`low` is not a severity"));
}

/// A copy of the demo fleet with an upcheck.toml at its root.
fn demo_with_config(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new("fixtures/demo") {
        let entry = entry.unwrap();
        let target = dir
            .path()
            .join(entry.path().strip_prefix("fixtures/demo").unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    write(dir.path(), "upcheck.toml", config);
    dir
}

#[test]
fn upcheck_toml_sets_the_policy_and_flags_win() {
    // Everything that fails in the demo at major and above is made minor
    // or ignored: with fail_on = "critical" the run is clean but unknown.
    let fleet = demo_with_config(
        "fail_on = \"critical\"\nallow_unknown = true\nignore = [\"5\"]\n\n[severity]\n\"2xxxx\" = \"minor\"\n\"3\" = \"minor\"\n\"4\" = \"minor\"\n\"6\" = \"minor\"\n\"7\" = \"minor\"\n\"8\" = \"minor\"\n\"1\" = \"minor\"\n",
    );
    let root = fleet.path().to_str().unwrap();
    let out = run_on(NOV_21, &["check", root, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    assert!(evals(&report, 50001).is_empty(), "ignored by upcheck.toml");
    assert!(
        evals(&report, 40002)
            .iter()
            .all(|e| e["severity"] == "minor")
    );
    // Flags win: --fail-on minor, and --severity over [severity].
    let out = run_on(NOV_21, &["check", root, "--fail-on", "minor"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run_on(
        NOV_21,
        &[
            "check",
            root,
            "--format",
            "json",
            "--severity",
            "40002=critical",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        evals(&json_of(&out), 40002)
            .iter()
            .all(|e| e["severity"] == "critical")
    );
    // --ignore replaces the file's list.
    let out = run_on(
        NOV_21,
        &["check", root, "--format", "json", "--ignore", "6"],
    );
    assert!(!evals(&json_of(&out), 50001).is_empty());

    let broken = demo_with_config("fail_on = \"major\"\nfail_onn = 1\n");
    let out = run_on(NOV_21, &["check", broken.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("upcheck.toml:2:") && err.contains("fail_onn"),
        "{err}"
    );
}
