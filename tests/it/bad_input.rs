//! fixtures/bad-input: each node of the fleet, each policy folder and each
//! rules folder carries one kind of bad input. Every case is reported with
//! its file (and line, where one applies), the checks that needed the
//! broken file are unknown, and every other node and check still runs.

use crate::common::{check_json, copy_tree, run};
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::path::Path;

const FLEET: &str = "fixtures/bad-input/fleet";

/// The one evaluation of `code` on `subject`.
fn eval<'a>(report: &'a Value, code: u64, subject: &str) -> &'a Value {
    let found: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code && e["node"] == subject)
        .collect();
    assert_eq!(found.len(), 1, "{code} on {subject}: {found:?}");
    found[0]
}

fn statuses(report: &Value, subject: &str, status: &str) -> usize {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"] == subject && e["status"] == status)
        .count()
}

/// A node's tool finding: its code, exact message and evidence (file and
/// line), and the rules the broken file made unknown.
struct Case {
    node: &'static str,
    code: u64,
    message: &'static str,
    file: &'static str,
    line: Option<u64>,
    unknown: &'static [u64],
}

const CASES: &[Case] = &[
    Case {
        node: "binary-junk",
        code: 90002,
        message: "fixtures/bad-input/fleet/binary-junk/commands/ntpq_-np is malformed at line 1: \
            no ntpq peer table header (remote refid st t when poll reach delay offset jitter)",
        file: "fixtures/bad-input/fleet/binary-junk/commands/ntpq_-np",
        line: Some(1),
        unknown: &[40001, 40002, 40003, 40004, 40005],
    },
    Case {
        node: "non-utf8",
        code: 90002,
        message: "fixtures/bad-input/fleet/non-utf8/commands/date_-u is malformed at line 1: \
            not a date reading (expected e.g. `Wed May 14 14:22:18 UTC 2025`): \
            `ven. 20 f\u{fffd}vr. 2026 08:00:03 UTC`",
        file: "fixtures/bad-input/fleet/non-utf8/commands/date_-u",
        line: Some(1),
        unknown: &[40008],
    },
    Case {
        node: "symlink-loop",
        code: 90003,
        message: "fixtures/bad-input/fleet/symlink-loop/commands/ntpq_-np is unreadable: \
            link loop: more than 40 links followed",
        file: "fixtures/bad-input/fleet/symlink-loop/commands/ntpq_-np",
        line: None,
        unknown: &[40001, 40002, 40003, 40004, 40005],
    },
    Case {
        node: "directory-as-file",
        code: 90003,
        message: "fixtures/bad-input/fleet/directory-as-file/commands/df_-Pk is unreadable: \
            is a folder, not a file",
        file: "fixtures/bad-input/fleet/directory-as-file/commands/df_-Pk",
        line: None,
        unknown: &[30001, 30002],
    },
    Case {
        node: "dangling-symlink",
        code: 90003,
        message: "fixtures/bad-input/fleet/dangling-symlink/etc/shadow is unreadable: \
            dangling link: etc/shadow -> shadow.not-collected, which does not exist in the snapshot",
        file: "fixtures/bad-input/fleet/dangling-symlink/etc/shadow",
        line: None,
        unknown: &[50001, 50002, 50003, 50004, 50011],
    },
    Case {
        node: "empty-node-json",
        code: 90001,
        message: "fixtures/bad-input/fleet/empty-node-json/node.json:1: invalid JSON: \
            EOF while parsing a value at line 1 column 0",
        file: "fixtures/bad-input/fleet/empty-node-json/node.json",
        line: None,
        unknown: &[10003, 30002, 40001, 50001],
    },
    Case {
        node: "invalid-node-json",
        code: 90001,
        message: "fixtures/bad-input/fleet/invalid-node-json/node.json:4: invalid JSON: \
            expected `,` or `}` at line 4 column 3",
        file: "fixtures/bad-input/fleet/invalid-node-json/node.json",
        line: None,
        unknown: &[10003, 30002, 40001, 50001],
    },
];

/// The checks of one case: the tool finding, the unknowns it explains,
/// and (when the node's identity could be read) the checks of its other
/// inputs still passing as they do on the intact node.
fn assert_case(report: &Value, case: &Case) {
    let finding = eval(report, case.code, case.node);
    assert_eq!(finding["status"], "unknown", "{}", case.node);
    assert_eq!(finding["message"], case.message, "{}", case.node);
    assert_eq!(finding["evidence"][0]["path"], case.file, "{}", case.node);
    assert_eq!(
        finding["evidence"][0].get("line").and_then(Value::as_u64),
        case.line,
        "{}",
        case.node
    );
    for &code in case.unknown {
        let e = eval(report, code, case.node);
        assert_eq!(e["status"], "unknown", "{code} on {}", case.node);
        assert!(
            e["message"].as_str().unwrap().contains(case.file),
            "{code} on {} does not name {}: {}",
            case.node,
            case.file,
            e["message"]
        );
    }
    if case.code == 90001 {
        assert_eq!(statuses(report, case.node, "pass"), 0, "{}", case.node);
    } else {
        passes_as_on_the_intact_node(report, case.node, case.unknown);
    }
}

/// Every check that passes on the intact node passes on `node` too, but
/// those the broken file feeds.
fn passes_as_on_the_intact_node(report: &Value, node: &str, broken: &[u64]) {
    let evaluations = report["evaluations"].as_array().unwrap();
    let passing = evaluations
        .iter()
        .filter(|e| e["node"] == "intact" && e["status"] == "pass")
        .map(|e| e["code"].as_u64().unwrap())
        .filter(|code| !broken.contains(code));
    for code in passing {
        let on_node: Vec<&Value> = evaluations
            .iter()
            .filter(|e| e["node"] == node && e["code"] == code)
            .collect();
        assert!(!on_node.is_empty(), "{code} not evaluated on {node}");
        for e in on_node {
            assert_eq!(e["status"], "pass", "{code} on {node}: {e}");
        }
    }
}

#[test]
fn every_bad_node_is_reported_where_it_breaks_and_the_rest_is_checked() {
    let (report, code) = check_json(&[FLEET]);
    assert_eq!(code, 3, "unknowns and no failure");
    assert_eq!(report["summary"]["nodes"], 8);
    for case in CASES {
        assert_case(&report, case);
    }
    // The fleet's clocks cannot all be placed without the node's date.
    let fleet = eval(&report, 40009, FLEET);
    assert_eq!(fleet["status"], "unknown");
    assert!(
        fleet["message"].as_str().unwrap().contains("non-utf8"),
        "{fleet}"
    );
    // The intact node: nothing unknown, its checks pass.
    assert_eq!(statuses(&report, "intact", "unknown"), 0);
    assert_eq!(statuses(&report, "intact", "fail"), 0);
    assert!(statuses(&report, "intact", "pass") > 20);
    // The folder that links to its own parent: reported, and not walked.
    let walk = eval(&report, 90007, "fixtures/bad-input/fleet/walk-loop");
    assert_eq!(
        walk["message"],
        "fixtures/bad-input/fleet/walk-loop: link to a folder (.): discovery does not follow \
         links; give the target on the command line to check it"
    );
}

#[test]
fn every_format_reports_the_bad_input_and_exits_3() {
    for format in ["table", "junit", "sarif", "markdown", "html"] {
        let out = run(&["check", FLEET, "--format", format]);
        assert_eq!(out.status.code(), Some(3), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        for case in CASES {
            assert!(
                text.contains(&format!("{}/", case.node)) || text.contains(case.node),
                "{format}: {} missing",
                case.node
            );
        }
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_200_mb_input_is_refused_by_size_and_the_run_goes_on() {
    let temp = tempfile::tempdir().unwrap();
    let fleet = temp.path().join("fleet");
    copy_tree(Path::new(FLEET), &fleet);
    let node = fleet.join("oversized");
    copy_tree(&fleet.join("intact"), &node);
    let identity = std::fs::read_to_string(node.join("node.json"))
        .unwrap()
        .replace("\"intact\"", "\"oversized\"");
    std::fs::write(node.join("node.json"), identity).unwrap();
    let repository = fleet.join("backup-repository.csv");
    let rows = std::fs::read_to_string(&repository).unwrap();
    let intact: String = rows
        .lines()
        .filter(|l| l.starts_with("intact,"))
        .map(|l| l.replace("intact", "oversized") + "\n")
        .collect();
    std::fs::write(&repository, rows + &intact).unwrap();
    // 200 MiB of a valid ntpq row: the size alone is what is wrong.
    let ntpq = node.join("commands/ntpq_-np");
    let row = "+10.250.32.11    10.250.1.5       2 u   12   64   377    0.530    0.287   0.044\n";
    let mut out = BufWriter::new(std::fs::File::create(&ntpq).unwrap());
    let mut written = 0u64;
    while written < 200 * 1024 * 1024 {
        out.write_all(row.as_bytes()).unwrap();
        written += row.len() as u64;
    }
    out.flush().unwrap();
    drop(out);

    let (report, code) = check_json(&[fleet.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(report["summary"]["nodes"], 9);
    let path = ntpq.display().to_string();
    let finding = eval(&report, 90003, "oversized");
    assert_eq!(
        finding["message"],
        format!(
            "{path} is unreadable: file is {written} bytes, more than the 67108864 byte limit for one input"
        )
    );
    assert_eq!(finding["evidence"][0]["path"], path);
    for code in [40001, 40002, 40003, 40004, 40005] {
        assert_eq!(eval(&report, code, "oversized")["status"], "unknown");
    }
    // The node's other checks, and the other nodes, ran as before.
    passes_as_on_the_intact_node(&report, "oversized", &[40001, 40002, 40003, 40004, 40005]);
    assert_eq!(statuses(&report, "intact", "unknown"), 0);
}

#[test]
fn an_invalid_plan_toml_is_located_and_the_nodes_are_still_checked() {
    let root = "fixtures/bad-input/invalid-plan-toml";
    let (report, code) = check_json(&[root]);
    assert_eq!(code, 3);
    let finding = eval(&report, 90001, root);
    assert_eq!(finding["status"], "unknown");
    assert_eq!(
        finding["message"],
        "fixtures/bad-input/invalid-plan-toml/plan.toml:3: invalid basic string, expected `\"`"
    );
    assert!(statuses(&report, "intact", "pass") > 20);
    // Only the checks that read the plan are unknown on the node, saying so.
    let unknown: Vec<(u64, &str)> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"] == "intact" && e["status"] == "unknown")
        .map(|e| (e["code"].as_u64().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(unknown, [(10009, "plan.toml has no valid window_start")]);
}

#[test]
fn a_bad_row_of_the_backup_repository_is_located_and_its_checks_are_unknown() {
    let root = "fixtures/bad-input/backup-repository-bad-row";
    let (report, code) = check_json(&[root, "--phase", "pre"]);
    assert_eq!(code, 3);
    let file = format!("{root}/backup-repository.csv");
    let message = format!("{file} is malformed at line 3: size `860 KB` is no number of bytes");
    let finding = eval(&report, 90002, "intact");
    assert_eq!(finding["message"], message);
    assert_eq!(finding["evidence"][0]["path"], file);
    assert_eq!(finding["evidence"][0]["line"], 3);
    // The checks that read the record say why they cannot judge; no pass.
    for code in [30005, 70009] {
        let e = eval(&report, code, "intact");
        assert_eq!(e["status"], "unknown");
        assert_eq!(e["message"], message);
    }
}

/// Policy files change what the findings mean (severities, waivers): a
/// broken one stops the run, naming the file and line, rather than
/// reporting without it.
#[test]
fn invalid_policy_toml_stops_the_run_naming_file_and_line() {
    for (root, expected) in [
        (
            "fixtures/bad-input/invalid-waivers-toml",
            "upcheck: fixtures/bad-input/invalid-waivers-toml/waivers.toml:4: \
             missing comma between array elements, expected `,`",
        ),
        (
            "fixtures/bad-input/invalid-upcheck-toml",
            "upcheck: fixtures/bad-input/invalid-upcheck-toml/upcheck.toml:2: \
             invalid float, expected `inf`",
        ),
    ] {
        let out = run(&["check", root, "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{root}");
        assert!(out.stdout.is_empty(), "{root}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().next(), Some(expected), "{root}: {stderr}");
    }
}

#[test]
fn a_cel_syntax_error_stops_the_run_at_its_file_and_line() {
    let out = run(&[
        "check",
        "--rules",
        "fixtures/bad-input/rules/cel-syntax-error",
        FLEET,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "error: fixtures/bad-input/rules/cel-syntax-error/40001-ntp-unsynchronised.toml:44: \
             fail_when.expr: ERROR: <input>:1:39: Syntax error:"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("the rule catalog has errors; `upcheck rules check` lists them"),
        "{stderr}"
    );
}

#[test]
fn a_rule_failing_at_run_time_is_unknown_on_every_node_and_the_rest_runs() {
    let rules = "fixtures/bad-input/rules/runtime-error";
    let (report, code) = check_json(&["--rules", rules, FLEET]);
    assert_eq!(code, 3);
    let message = "rule 40001 ntp-unsynchronised: fail_when failed: No such key: no_such_field";
    for node in ["intact", "non-utf8", "directory-as-file"] {
        let error = eval(&report, 90004, node);
        assert_eq!(error["status"], "unknown");
        assert_eq!(error["message"], message, "{node}");
        assert_eq!(
            error["evidence"][0]["path"],
            format!("{rules}/40001-ntp-unsynchronised.toml")
        );
        assert_eq!(
            error["evidence"][0]["line"], 44,
            "the line of the expression"
        );
        assert_eq!(eval(&report, 40001, node)["status"], "unknown");
    }
    // binary-junk's ntpq is malformed: 40001 never reaches its expression.
    assert!(
        eval(&report, 40001, "binary-junk")["message"]
            .as_str()
            .unwrap()
            .contains("is malformed at line 1")
    );
    // 30002, loaded from the same folder, runs.
    assert_eq!(eval(&report, 30002, "intact")["status"], "pass");
}
