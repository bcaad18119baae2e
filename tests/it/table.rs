//! The terminal table: it takes the width it is given and never splits an
//! evidence location.

use crate::common::{check_json, evaluations, stdout, upcheck};
use std::collections::BTreeSet;

/// `at path:line` (or `in path`) of an evidence entry, as the table shows it.
fn location(evidence: &serde_json::Value) -> Option<String> {
    let path = evidence["path"].as_str()?;
    Some(match evidence["line"].as_u64() {
        Some(l) => format!("at {path}:{l}"),
        None => format!("in {path}"),
    })
}

/// What upcheck prints with `args` at `COLUMNS=width`.
fn at_width(args: &[&str], width: usize) -> String {
    let out = upcheck()
        .args(args)
        .env("COLUMNS", width.to_string())
        .output()
        .unwrap();
    stdout(&out)
}

/// Every line of the table fits `COLUMNS`, except an evidence location
/// longer than the width, which is a line of its own and never split.
#[test]
fn the_table_fits_the_width_and_never_splits_a_location() {
    let (report, _) = check_json(&["fixtures/compliance"]);
    let evaluations = report["evaluations"].as_array().unwrap();
    let every: BTreeSet<String> = evaluations
        .iter()
        .flat_map(|e| e["evidence"].as_array().into_iter().flatten())
        .filter_map(location)
        .collect();
    // The table shows the first evidence of each evaluation.
    let first: BTreeSet<String> = evaluations
        .iter()
        .filter_map(|e| location(&e["evidence"][0]))
        .collect();
    for width in [80usize, 200] {
        let text = at_width(&["check", "fixtures/compliance", "--show-passing"], width);
        let mut shown = BTreeSet::new();
        for line in text.lines() {
            let location = line.trim_start();
            if every.contains(location) {
                shown.insert(location.to_string());
            } else {
                let columns = line.chars().count();
                assert!(columns <= width, "{columns} > {width}: {line}");
            }
        }
        assert_eq!(shown, first, "COLUMNS={width}");
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest > 120 || width == 80, "the width is used: {widest}");
    }
    for width in [80usize, 200] {
        let text = at_width(&["rules", "list"], width);
        assert!(text.contains("patch-not-running"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= width, "rules list, {width}: {line}");
        }
    }
}

/// `diff` follows the same width rule as the table of `check`.
#[test]
fn the_diff_fits_the_width() {
    let args = [
        "diff",
        "fixtures/osn6800-upgrade/pre",
        "fixtures/osn6800-upgrade/post",
    ];
    for width in [80usize, 200] {
        let text = at_width(&args, width);
        assert!(text.contains("got worse"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= width, "diff, {width}: {line}");
        }
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest > 120 || width == 80, "the width is used: {widest}");
    }
}

/// A row of the table: its code, severity, status and the lines beneath
/// it.
#[derive(Debug)]
struct Row {
    code: String,
    severity: String,
    status: String,
    lines: Vec<String>,
}

/// The rows of a table, and its headings in order.
fn rows_of(text: &str) -> (Vec<Row>, Vec<String>) {
    let (mut rows, mut headings) = (Vec::<Row>::new(), Vec::new());
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("  ") && !line.starts_with("   ") && words[0].parse::<u32>().is_ok() {
            rows.push(Row {
                code: words[0].to_string(),
                severity: words[1].to_string(),
                status: words[2].to_string(),
                lines: Vec::new(),
            });
        } else if line.starts_with("   ") {
            rows.last_mut().unwrap().lines.push(line.trim().to_string());
        } else if !line.is_empty() && !line.contains(" clean: ") {
            headings.push(line.to_string());
        }
    }
    (rows, headings)
}

/// Every failing evaluation has a row of its own with its own severity
/// (a chain of causes no longer folds its causes into the symptom's row),
/// the chain is a link between rows, and every failing row has a fix.
#[test]
fn every_failure_has_its_own_row_severity_link_and_fix() {
    for args in [
        &["fixtures/demo"][..],
        &[
            "fixtures/huawei-osn6800-load-failure",
            "--phase",
            "diagnose",
        ],
        &["fixtures/compliance"],
    ] {
        let (report, _) = check_json(args);
        let mut expected: Vec<(String, String)> = evaluations(&report)
            .iter()
            .filter(|e| e["status"] == "fail")
            .map(|e| {
                (
                    e["code"].to_string(),
                    e["severity"].as_str().unwrap().into(),
                )
            })
            .collect();
        let out = upcheck().arg("check").args(args).output().unwrap();
        let (rows, _) = rows_of(&stdout(&out));
        let fails: Vec<&Row> = rows.iter().filter(|r| r.status == "fail").collect();
        let mut shown: Vec<(String, String)> = fails
            .iter()
            .map(|r| (r.code.clone(), r.severity.clone()))
            .collect();
        expected.sort();
        shown.sort();
        assert_eq!(shown, expected, "{args:?}");
        assert_eq!(
            fails.len() as u64,
            report["summary"]["by_status"]["fail"].as_u64().unwrap()
        );
        for r in &fails {
            let fix = r.lines.iter().any(|l| {
                l.starts_with("fix: ") || *l == format!("run: upcheck explain {}", r.code)
            });
            assert!(fix, "{args:?}: no fix on {r:?}");
        }
    }
    // The demo's minor 40005 is caused by three critical failures, each a
    // row of its own, linked both ways.
    let (rows, _) = rows_of(&stdout(
        &upcheck().args(["check", "fixtures/demo"]).output().unwrap(),
    ));
    let row = |code: &str| rows.iter().find(|r| r.code == code).unwrap();
    assert_eq!(row("40005").severity, "minor");
    for cause in ["40001", "40002", "40003"] {
        assert_eq!(row(cause).severity, "critical");
    }
    let symptom = &row("40005").lines;
    assert!(
        symptom.contains(&"← caused by 40001 ntp-unsynchronised (above)".to_string()),
        "{symptom:?}"
    );
    assert!(
        row("40001")
            .lines
            .contains(&"→ causes 40005 ntp-no-redundancy (below)".to_string()),
        "{:?}",
        row("40001")
    );
}

/// Nodes (then groups) come worst first: the most severe failure, then
/// the most failures; the clean nodes are named on one line.
#[test]
fn subjects_come_worst_first_and_clean_nodes_share_a_line() {
    let (report, _) = check_json(&["fixtures/demo"]);
    let rank = |s: &str| {
        ["info", "minor", "major", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    let mut worst: std::collections::BTreeMap<String, (Option<usize>, usize)> =
        std::collections::BTreeMap::new();
    for e in evaluations(&report).iter().filter(|e| e["scope"] == "node") {
        let entry = worst
            .entry(e["node"].as_str().unwrap().to_string())
            .or_default();
        if e["status"] == "fail" {
            entry.0 = entry.0.max(rank(e["severity"].as_str().unwrap()));
            entry.1 += 1;
        }
    }
    let text = stdout(&upcheck().args(["check", "fixtures/demo"]).output().unwrap());
    let (_, headings) = rows_of(&text);
    let order: Vec<(Option<usize>, usize)> = headings
        .iter()
        .filter_map(|h| h.strip_prefix("node "))
        .map(|h| worst[h.split(' ').next().unwrap()])
        .collect();
    assert!(order.len() > 3, "{text}");
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "{order:?}\n{text}");
    let clean: Vec<&String> = worst
        .iter()
        .filter(|(node, _)| {
            !headings
                .iter()
                .any(|h| h.starts_with(&format!("node {node} ")))
        })
        .map(|(node, _)| node)
        .collect();
    let line = text
        .lines()
        .find(|l| l.contains(" node(s) clean: "))
        .unwrap();
    assert!(
        line.starts_with(&format!("{} node(s) clean: ", clean.len())),
        "{line}"
    );
    for node in clean {
        assert!(line.contains(node.as_str()), "{node} in {line}");
    }
    // Named as many as fit, then counted.
    let narrow = at_width(&["check", "fixtures/demo"], 45);
    let line = narrow
        .lines()
        .find(|l| l.contains(" node(s) clean: "))
        .unwrap();
    assert!(
        line.ends_with(" more)") && line.chars().count() <= 45,
        "{line}"
    );
}

/// `-q`: the failing rows and the summary only; `--show-passing`: every
/// subject with all its rows, none collapsed.
#[test]
fn quiet_shows_failures_only_and_show_passing_everything() {
    let text = |flags: &[&str]| {
        let out = upcheck()
            .args(["check", "fixtures/demo"])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        stdout(&out)
    };
    let (all, quiet, passing) = (text(&[]), text(&["-q"]), text(&["--show-passing"]));
    let (rows, _) = rows_of(&quiet);
    assert!(rows.iter().all(|r| r.status == "fail"), "{quiet}");
    let fails = |t: &str| {
        rows_of(t)
            .0
            .into_iter()
            .filter(|r| r.status == "fail")
            .count()
    };
    assert_eq!(rows.len(), fails(&all));
    assert!(
        all.contains(" unknown ") && !quiet.contains(" clean: "),
        "{quiet}"
    );
    assert_eq!(quiet.lines().last(), all.lines().last());
    assert!(
        !passing.contains(" clean: ") && passing.contains(" pass "),
        "{passing}"
    );
    assert!(passing.contains("node cmp-east-a "), "{passing}");
    let out = upcheck()
        .args(["check", "fixtures/demo", "-q", "--show-passing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "-q and --show-passing conflict");
}

/// Colour on a terminal (a pseudo-terminal made by `script`), none
/// through a pipe; `--color always|never`, NO_COLOR and CLICOLOR_FORCE as
/// docs/reports.md says; the escapes take no columns and change nothing
/// else.
#[test]
fn colour_on_a_terminal_and_none_through_a_pipe() {
    const ESC: &str = "\x1b[";
    let bin = env!("CARGO_BIN_EXE_upcheck");
    let run = |on_terminal: bool, flags: &str, env: &[(&str, &str)]| {
        let command = format!("{bin} check fixtures/demo {flags}");
        let mut c = if on_terminal {
            let mut c = std::process::Command::new("script");
            c.args(["-qec", &command, "/dev/null"]);
            c
        } else {
            let mut c = std::process::Command::new("sh");
            c.args(["-c", &command]);
            c
        };
        c.env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm")
            .env("COLUMNS", "80")
            .env("SOURCE_DATE_EPOCH", crate::common::EPOCH)
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null());
        let out = c.output().expect("script (util-linux) runs");
        assert_eq!(out.status.code(), Some(1), "{command}");
        // A terminal ends its lines with CR LF.
        stdout(&out).replace("\r\n", "\n")
    };
    let tty = run(true, "", &[]);
    assert!(tty.contains("node ne-osn6800-01"), "{tty}");
    // Bold red critical, red fail, magenta unknown.
    for painted in [
        "\x1b[1m\x1b[31mcritical\x1b[0m",
        "\x1b[31mfail\x1b[0m",
        "\x1b[35munknown\x1b[0m",
    ] {
        assert!(tty.contains(painted), "{painted:?} in {tty}");
    }
    let piped = run(false, "", &[]);
    assert!(!piped.contains(ESC), "{piped}");
    assert!(!run(true, "--color never", &[]).contains(ESC));
    assert!(!run(true, "", &[("NO_COLOR", "1")]).contains(ESC));
    assert!(run(false, "", &[("CLICOLOR_FORCE", "1")]).contains(ESC));
    let forced = run(false, "--color always", &[]);
    assert!(forced.contains("\x1b[31mfail\x1b[0m"), "{forced}");
    // Without the escapes, the same table, every line within the width.
    let strip = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    for coloured in [&tty, &forced] {
        let plain = strip.replace_all(coloured, "");
        assert_eq!(plain, piped);
        for line in plain.lines().filter(|l| !l.trim_start().starts_with("at ")) {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}
