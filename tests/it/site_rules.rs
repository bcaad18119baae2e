//! The site folder of docs/writing-rules.md, kept as `examples/site-rules/`:
//! a vendor export upcheck has never seen, declared by one input file, read
//! by one site rule, with no rebuild. Both commands of the walk-through run
//! here as an operator runs them.

use crate::common::{check_json, run, stderr, stdout};

/// `upcheck ARGS`: exit code, stdout, stderr.
fn upcheck(args: &[&str]) -> (i32, String, String) {
    let out = run(args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn rules_check_proves_the_site_rule_and_its_input_examples() {
    let (code, out, err) = upcheck(&[
        "rules",
        "check",
        "--rules",
        "examples/site-rules",
        "--deny-warnings",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "1 rule(s) checked, 2 fixture run(s): 0 error(s), 0 warning(s)\n"
    );
}

#[test]
fn check_reads_the_site_export_as_a_fact() {
    let (report, code) = check_json(&[
        "examples/site-rules/fixtures/fleet-north",
        "--rules",
        "examples/site-rules",
        "--select",
        "25001",
    ]);
    assert_eq!(code, 1, "a major failure fails the run");
    let mut got: Vec<(String, String, String, String)> = report["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .filter(|e| e["code"] == 25001)
        .map(|e| {
            let evidence = &e["evidence"][0];
            (
                e["node"].as_str().unwrap_or("").to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
                format!(
                    "{}:{}",
                    evidence["path"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or(""),
                    evidence["line"]
                ),
            )
        })
        .collect();
    got.sort();
    let want = [
        (
            "mgw-north-02",
            "fail",
            "patch MG-2026-0107 on MGW-NORTH-02 is Rolled Back, expected committed",
            "nms-patches.csv:4",
        ),
        (
            "mgw-north-02",
            "unknown",
            "patch MG-2026-0112 on MGW-NORTH-02 shows the state 'Pending Approval', \
             which the input's vocabulary does not know",
            "nms-patches.csv:5",
        ),
        (
            "msc-north-01",
            "fail",
            "patch CP-2026-0431 on MSC-NORTH-01 is Activing, expected committed",
            "nms-patches.csv:5",
        ),
        ("msc-north-03", "pass", "no finding in 2 item(s)", ":null"),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_bad_site_spec_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::create_dir_all(site.join("inputs")).unwrap();
    std::fs::create_dir_all(site.join("rules")).unwrap();
    let spec = std::fs::read_to_string("examples/site-rules/inputs/nms-patches.toml").unwrap();
    let bad = spec.replacen("type = \"percent\"", "type = \"percentage\"", 1);
    std::fs::write(site.join("inputs/nms-patches.toml"), &bad).unwrap();
    let line = bad
        .lines()
        .position(|l| l.contains("\"percentage\""))
        .unwrap();
    let (code, _, err) = upcheck(&["rules", "check", "--rules", &site.display().to_string()]);
    assert_eq!(code, 2, "{err}");
    let file = site.join("inputs/nms-patches.toml").display().to_string();
    assert!(
        err.contains(&format!("error: {file}:")) && err.contains("unknown variant `percentage`"),
        "{err}"
    );
    assert!(line > 0);
}
