//! The binary end to end: the demo fleet, exit codes, output formats,
//! determinism, and bad input that must be reported and survived.

use crate::common::{check_json, run, stdout, upcheck};
use serde_json::Value;
use std::path::Path;

fn evals<'a>(report: &'a Value, code: u64, node: &str) -> Vec<&'a Value> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code && e["node"] == node)
        .collect()
}

/// The demo's table, exit code and all, is the file case tests/cmd/check-demo.
#[test]
fn the_readme_quotes_the_demo_summary_and_passes_need_show_passing() {
    let out = run(&["check", "fixtures/demo"]);
    let text = stdout(&out);
    // The table ends with the clean nodes and the summary, wrapped to
    // its width, and the README quotes them as they are (at the width of
    // a pipe).
    let last_lines: Vec<&str> = text.lines().rev().take_while(|l| !l.is_empty()).collect();
    assert!(
        last_lines.iter().any(|l| l.starts_with("13 node(s), ")),
        "{text}"
    );
    let readme = std::fs::read_to_string("README.md").unwrap();
    for line in last_lines {
        assert!(
            readme.lines().any(|l| l == line),
            "README.md does not quote the demo summary: {line}"
        );
    }
    assert!(
        !text.contains(" pass "),
        "passing rows only with --show-passing"
    );
    let all = stdout(&run(&["check", "fixtures/demo", "--show-passing"]));
    assert!(all.contains(" pass "));
}

#[test]
fn demo_json_has_the_stamps_and_every_evaluation() {
    let (report, code) = check_json(&["fixtures/demo"]);
    assert_eq!(code, 1);
    assert_eq!(report["tool"]["name"], "upcheck");
    assert_eq!(report["generated_at"], "2026-11-20T08:00:00Z");
    for key in ["rules_digest", "inputs_digest"] {
        assert!(
            report[key].as_str().unwrap().starts_with("sha256:"),
            "{key}"
        );
    }
    let evaluations = report["evaluations"].as_array().unwrap();
    assert_eq!(report["summary"]["evaluations"], evaluations.len());
    let passed = evaluations.iter().filter(|e| e["status"] == "pass").count();
    assert_eq!(report["summary"]["by_status"]["pass"], passed);
    assert!(passed > 50, "passing evaluations are kept in JSON");

    // The seed case: SPH106 activating on the NE is 20002, at the right line.
    let patch = evals(&report, 20002, "ne-osn6800-01");
    let sph106 = patch
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("SPH106"))
        .unwrap();
    assert_eq!(sph106["status"], "fail");
    assert_eq!(sph106["severity"], "critical");
    assert_eq!(sph106["evidence"][0]["line"], 2);
    assert!(
        sph106["evidence"][0]["excerpt"]
            .as_str()
            .unwrap()
            .contains("activating")
    );
    assert_eq!(sph106["fingerprint"].as_str().unwrap().len(), 32);

    // Graded severity and root causes.
    let minor = evals(&report, 40008, "mra-east-a");
    assert_eq!(minor[0]["severity"], "minor");
    let cascade = evals(&report, 40001, "mpe-east-b");
    assert_eq!(
        cascade[0]["caused_by"],
        serde_json::json!([
            {"code": 40002, "node": "mpe-east-b"},
            {"code": 40003, "node": "mpe-east-b"}
        ])
    );
    // Time across the whole fleet, not only within a cluster.
    let skew = evals(&report, 40009, "fixtures/demo");
    assert_eq!(skew[0]["scope"], "fleet");
    assert_eq!(skew[0]["status"], "fail");
    let message = skew[0]["message"].as_str().unwrap();
    assert!(message.contains("mra-east-b 47 s"), "{message}");

    // A missing input is unknown, naming the paths looked for.
    let missing = evals(&report, 40008, "mpe-west-b");
    assert_eq!(missing[0]["status"], "unknown");
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("commands/hwclock")
    );
    // Vendor rules do not apply to servers, Linux rules not to the NE.
    assert_eq!(
        evals(&report, 20002, "cmp-east-a")[0]["status"],
        "not-applicable"
    );
    assert_eq!(
        evals(&report, 40001, "ne-osn6800-01")[0]["status"],
        "not-applicable"
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let one = run(&["check", "fixtures/demo", "--format", "json", "-j", "1"]);
    let eight = run(&["check", "fixtures/demo", "--format", "json", "-j", "8"]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, eight.stdout);
}

/// Every format of `upcheck check FLEET --phase PHASE -j JOBS`: the table
/// on stdout, the others written with --report into `dir` (the run's
/// working directory, so that the command line in each report is the same
/// for every `dir`).
fn every_format(fleet: &str, phase: &str, jobs: &str, dir: &Path) -> Vec<(String, Vec<u8>)> {
    const FORMATS: [&str; 5] = ["json", "junit", "sarif", "markdown", "html"];
    let fleet = Path::new(env!("CARGO_MANIFEST_DIR")).join(fleet);
    let mut args = vec![
        "check".to_string(),
        fleet.display().to_string(),
        "--phase".into(),
        phase.into(),
        "-j".into(),
        jobs.into(),
    ];
    for format in FORMATS {
        args.extend(["--report".into(), format!("{format}={format}.out")]);
    }
    let out = upcheck()
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("upcheck runs");
    assert!(
        out.status.code().is_some_and(|c| c != 2),
        "{}: {}",
        fleet.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reports = vec![("table".to_string(), out.stdout)];
    for format in FORMATS {
        let bytes = std::fs::read(dir.join(format!("{format}.out"))).unwrap();
        reports.push((format.to_string(), bytes));
    }
    reports
}

#[test]
fn every_format_of_every_fixture_fleet_is_identical_with_1_and_8_threads() {
    for (fleet, phase) in [
        ("fixtures/compliance", "pre"),
        ("fixtures/oracle-pm/pre-with-problems", "pre"),
        ("fixtures/oracle-pm/mid-upgrade-post", "post"),
        ("fixtures/osn6800-upgrade", "post"),
        ("fixtures/huawei-osn6800-load-failure", "diagnose"),
        ("fixtures/openscape4000", "post"),
        ("fixtures/dms-prsm", "post"),
        ("fixtures/cluster-patch", "diagnose"),
        ("fixtures/bad-input/fleet", "pre"),
    ] {
        let (one, eight) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let reports_one = every_format(fleet, phase, "1", one.path());
        let reports_eight = every_format(fleet, phase, "8", eight.path());
        for ((format, a), (_, b)) in reports_one.iter().zip(&reports_eight) {
            assert!(a.len() > 100, "{fleet} {format}: {} bytes", a.len());
            assert!(
                a == b,
                "{fleet} --phase {phase}: {format} differs between -j1 and -j8"
            );
        }
    }
}

#[test]
fn exit_codes_follow_fail_on_and_unknowns() {
    // 40008 on the demo: one minor failure and one unknown.
    let code = |extra: &[&str]| {
        let mut args = vec!["check", "fixtures/demo", "--select", "40008"];
        args.extend(extra);
        run(&args).status.code().unwrap()
    };
    assert_eq!(
        code(&[]),
        3,
        "minor is below the default major, unknown remains"
    );
    assert_eq!(code(&["--allow-unknown"]), 0);
    assert_eq!(code(&["--fail-on", "minor"]), 1);
    // never: a report that must not gate the job, unknowns included.
    assert_eq!(code(&["--fail-on", "never"]), 0);
    assert_eq!(code(&["--fail-on", "never", "--allow-unknown"]), 0);
    assert_eq!(
        run(&["check", "fixtures/demo", "--select", "ntp"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["check", "fixtures/demo", "--phase", "later"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn select_and_ignore_by_family() {
    let (report, _) = check_json(&["fixtures/demo", "--select", "4xxxx", "--ignore", "40009"]);
    let codes: Vec<u64> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert!(
        codes.iter().all(|c| c / 10000 == 4 && *c != 40009),
        "{codes:?}"
    );
    assert!(codes.contains(&40001));
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out = run(&[
        "check",
        "fixtures/demo",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["summary"]["nodes"], 13);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    let bad = run(&[
        "check",
        "fixtures/demo",
        "--output",
        "/nonexistent-dir/x.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn explain_prints_the_rule() {
    let out = run(&["explain", "20002"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for needle in [
        "20002 patch-not-running",
        "severity: critical",
        "phases: pre, post, diagnose",
        "patches ← patches: exports/patches.csv",
        "Remediation:",
        ":patchpkg-set-time:3,1",
        "References:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(stdout(&run(&["explain", "90002"])).contains("input-malformed"));
    assert_eq!(run(&["explain", "12345"]).status.code(), Some(2));
}

#[test]
fn rules_list_and_check() {
    let out = run(&["rules", "list", "--format", "json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_u64().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
    assert!(codes.contains(&20002) && codes.contains(&40009));
    assert!(stdout(&run(&["rules", "list"])).contains("patch-not-running"));
    let check = run(&["rules", "check", "--deny-warnings"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn facts_show_what_rules_see() {
    let out = run(&[
        "facts",
        "fixtures/demo/site-east/cmp-east-b",
        "--plan",
        "fixtures/demo/plan.toml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(facts["node"]["hostname"], "cmp-east-b");
    assert_eq!(facts["time"]["daemon"], "chronyd");
    assert_eq!(facts["time"]["synchronised"], true);
    assert_eq!(facts["plan"]["upgrade_filesystem"], "/var/TKLC");
    assert!(
        facts["patches"]["problem"]
            .as_str()
            .unwrap()
            .contains("exports/patches.csv")
    );
    assert_eq!(run(&["facts", "fixtures"]).status.code(), Some(2));
}

#[test]
fn parse_reads_every_real_ntpq_and_df_sample() {
    for (kind, dir) in [("ntpq", "ntpq-pn"), ("df", "df")] {
        let dir = Path::new("../shared/real-world").join(dir);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let out = run(&["parse", kind, path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0));
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_ne!(v["outcome"], "malformed", "{}: {v}", path.display());
            n += 1;
        }
        assert!(n > 5, "{kind}: only {n} samples");
    }
}

/// A fleet with one node whose files are given.
fn fleet(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join("node1").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const NODE_JSON: &str =
    r#"{"hostname": "node1", "platform": "tpd", "collected_at": "2026-11-20T08:00:00Z"}"#;

#[test]
fn malformed_input_is_located_and_the_run_goes_on() {
    let dir = fleet(&[
        ("node.json", NODE_JSON),
        (
            "commands/ntpq_-np",
            "     remote           refid      st t when poll reach   delay   offset  jitter\n==============================================================================\n*10.0.0.1 $6$saltsalt$secrethashbody .GPS. 1 u 33 64 377 zero 0.1 0.1\n",
        ),
        (
            "commands/df_-Pk",
            "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 10000000 1000000 9000000 10% /\n",
        ),
    ]);
    // Time and storage only: the node has no other inputs.
    let (report, code) = check_json(&[dir.path().to_str().unwrap(), "--select", "3,4"]);
    assert_eq!(code, 3, "unknowns and no failure");
    let bad = evals(&report, 90002, "node1");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["status"], "unknown");
    assert_eq!(bad[0]["evidence"][0]["line"], 3);
    let sync = evals(&report, 40001, "node1");
    assert_eq!(sync[0]["status"], "unknown");
    assert!(
        sync[0]["message"]
            .as_str()
            .unwrap()
            .contains("malformed at line 3")
    );
    // df was fine: its rules still ran.
    assert_eq!(evals(&report, 30002, "node1")[0]["status"], "pass");
    // No secret leaves in any field.
    let text = report.to_string();
    assert!(
        !text.contains("secrethashbody") && !text.contains("saltsalt"),
        "{text}"
    );
}

#[test]
fn a_collector_error_is_an_unreadable_input_and_survives_select() {
    let dir = fleet(&[
        ("node.json", NODE_JSON),
        ("commands/ntpq_-np", "bash: ntpq: command not found\n"),
    ]);
    let (report, code) = check_json(&[dir.path().to_str().unwrap(), "--select", "40001"]);
    assert_eq!(code, 3);
    let unreadable = evals(&report, 90003, "node1");
    assert_eq!(
        unreadable.len(),
        1,
        "tool findings are kept whatever --select says"
    );
    assert!(
        unreadable[0]["message"]
            .as_str()
            .unwrap()
            .contains("command not found")
    );
    let sync = evals(&report, 40001, "node1");
    assert_eq!(sync[0]["status"], "unknown");
    let (report, _) = check_json(&[dir.path().to_str().unwrap(), "--ignore", "9"]);
    assert!(
        evals(&report, 90003, "node1").is_empty(),
        "--ignore removes them"
    );
}

#[test]
fn unreadable_node_json_is_reported() {
    let dir = fleet(&[("node.json", "{ not json")]);
    let (report, code) = check_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 3);
    let node = evals(&report, 90001, "node1");
    assert!(node[0]["message"].as_str().unwrap().contains("node.json:1"));
    assert!(
        evals(&report, 40001, "node1")
            .iter()
            .all(|e| e["status"] == "unknown")
    );
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let out = run(&["check", "fixtures/demo", "fixtures/no-such-fleet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("fixtures/no-such-fleet: no such file or directory")
    );
}

#[test]
fn a_rule_that_errors_at_run_time_is_unknown_with_the_reason() {
    let dir = fleet(&[
        ("node.json", NODE_JSON),
        ("commands/ntpq_-np", "No association ID's returned\n"),
    ]);
    let rules = tempfile::tempdir().unwrap();
    let rule = std::fs::read_to_string("rules/40001-ntp-unsynchronised.toml")
        .unwrap()
        .replace(
            "expr = \"!time.synchronised\"",
            "expr = \"time.no_such_field > 1\"",
        );
    std::fs::write(rules.path().join("40001-ntp-unsynchronised.toml"), rule).unwrap();
    let (report, _) = check_json(&[
        "--rules",
        rules.path().to_str().unwrap(),
        "--select",
        "40001,9",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(evals(&report, 40001, "node1")[0]["status"], "unknown");
    let err = evals(&report, 90004, "node1");
    assert_eq!(err.len(), 1);
    assert!(
        err[0]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_field")
    );
}

#[test]
fn a_broken_rule_catalog_is_a_tool_error() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("40001-ntp-unsynchronised.toml"),
        std::fs::read_to_string("rules/40001-ntp-unsynchronised.toml")
            .unwrap()
            .replace("!time.synchronised", "!time.synchronised &&"),
    )
    .unwrap();
    let out = run(&[
        "check",
        "--rules",
        rules.path().to_str().unwrap(),
        "fixtures/demo",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("40001-ntp-unsynchronised.toml:"), "{err}");
    let check = run(&["rules", "check", rules.path().to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(2));
}

#[test]
fn a_log_rule_without_its_logs_is_unknown_naming_the_globs() {
    let out = run(&[
        "check",
        "fixtures/rules/80012-no-known-cause/fires",
        "--phase",
        "diagnose",
        "--select",
        "80005",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(3), "unknown only: exit 3");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &evals(&report, 80005, "cmp-west-a")[0];
    assert_eq!(e["status"], "unknown");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("**/upgrade*.log"), "{message}");
}

#[test]
fn checking_nothing_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let not_a_snapshot = dir.path().join("notes.txt");
    std::fs::write(&not_a_snapshot, "not a snapshot\n").unwrap();
    for path in [&empty, &not_a_snapshot] {
        let out = run(&["check", &path.display().to_string()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(err.contains("no node snapshot under"), "{err}");
        assert!(out.stdout.is_empty(), "no report of nothing");
    }
}

#[test]
fn a_code_that_matches_no_rule_is_a_usage_error() {
    for flags in [
        ["--select", "99999"],
        ["--ignore", "40006"],
        ["--severity", "40006=off"],
    ] {
        let mut args = vec!["check", "fixtures/demo"];
        args.extend(flags);
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains("no rule has the code"), "{err}");
    }
    let out = run(&["check", "fixtures/demo", "--select", "40006"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean 40001"), "{err}");
    // A family with rules, and a tool code, are fine.
    assert_ne!(
        run(&["check", "fixtures/demo", "--select", "4xxxx"])
            .status
            .code(),
        Some(2)
    );
    assert_ne!(
        run(&["check", "fixtures/demo", "--ignore", "90006"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn explain_takes_a_code_or_a_name() {
    let by_code = run(&["explain", "20002"]);
    let by_name = run(&["explain", "patch-not-running"]);
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(by_code.stdout, by_name.stdout);
    assert!(stdout(&by_name).starts_with("20002 patch-not-running"));
    let tool = run(&["explain", "snapshot-unreadable"]);
    assert!(stdout(&tool).starts_with("90001 snapshot-unreadable"));
    let typo = run(&["explain", "patch-not-runing"]);
    assert_eq!(typo.status.code(), Some(2));
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(err.contains("did you mean patch-not-running?"), "{err}");
}

#[test]
fn rules_list_filters_by_family_and_phase() {
    let list = |extra: &[&str]| {
        let mut args = vec!["rules", "list", "--format", "json"];
        args.extend(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{extra:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array().unwrap().clone()
    };
    let all = list(&[]);
    let time = list(&["--family", "4"]);
    assert!(!time.is_empty() && time.len() < all.len());
    assert!(
        time.iter()
            .all(|r| r["code"].as_u64().unwrap() / 10000 == 4)
    );
    let diagnose = list(&["--phase", "diagnose"]);
    assert!(!diagnose.is_empty() && diagnose.len() < all.len());
    assert!(diagnose.iter().all(|r| {
        r["phases"]
            .as_array()
            .unwrap()
            .contains(&Value::from("diagnose"))
    }));
    let both = list(&["--family", "8xxxx,20002", "--phase", "diagnose"]);
    assert!(
        both.iter()
            .all(|r| r["code"].as_u64().unwrap() / 10000 == 8 || r["code"] == 20002)
    );
    assert_eq!(
        run(&["rules", "list", "--family", "ntp"]).status.code(),
        Some(2)
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        // Every subcommand is completed.
        for sub in ["check", "merge", "diff", "explain", "collect"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let man = stdout(&run(&["man"]));
    assert!(man.contains(".TH upcheck 1"), "{man}");
    assert!(man.contains("check"));
}

#[test]
fn the_command_definition_is_consistent() {
    use clap::CommandFactory;
    upcheck::cli::Cli::command().debug_assert();
}
