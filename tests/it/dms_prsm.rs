//! The DMS-100 PRSM offices (fixtures/dms-prsm, see its README): before the
//! window each planted PRSM problem is found once, after it the PAL/SPARTS
//! audit failures are; the control office and the healthy DESTs stay
//! clean; a cut-off PRSM table makes the rules that read it unknown, naming
//! the file and the line.

use crate::common::{check_json, copy_tree};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use upcheck::model::fingerprint;

const FLEET: &str = "fixtures/dms-prsm";

fn evaluations<'a>(report: &'a Value, status: &str) -> Vec<&'a Value> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == status)
        .collect()
}

/// The fingerprints of the failures: code, node and key, stable.
fn failures(report: &Value) -> BTreeSet<String> {
    evaluations(report, "fail")
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

fn expected(items: &[(u32, &str, &str)]) -> BTreeSet<String> {
    items
        .iter()
        .map(|(code, node, key)| fingerprint(*code, node, key).to_string())
        .collect()
}

/// The messages of the failures, for reading a failed assertion.
fn messages(report: &Value) -> Vec<String> {
    evaluations(report, "fail")
        .iter()
        .map(|e| format!("{} {} {}", e["code"], e["node"], e["message"]))
        .collect()
}

#[test]
fn before_the_window_each_planted_problem_is_found_once() {
    let (report, code) = check_json(&[FLEET, "--phase", "pre"]);
    assert_eq!(code, 1);
    let want = expected(&[
        (20012, "dms-east-cm", "PRSU STU08S11"),
        (20012, "dms-east-cm", "DEST SPM 2 CEM 1"),
        (20013, "dms-east-cm", "ABC04X17 LTC 0"),
        (20013, "dms-east-cm", "DEF09S0P SPM 1 CEM 1"),
        (20015, "dms-east-cm", "image SPM 1 CEM 0"),
        (20015, "dms-east-cm", "PRSU GHI12Q07"),
    ]);
    assert_eq!(failures(&report), want, "{:#?}", messages(&report));
    assert_eq!(evaluations(&report, "fail").len(), want.len());
    assert!(evaluations(&report, "unknown").is_empty());
    // What PAL and SPARTS will do is in the messages.
    let text = messages(&report).join("\n");
    for needle in [
        "PAL still re-applies it after a reload, because AOR=Y on another XPM DEST with loadname XLT23BK",
        "SPARTS will apply it at the next RTS of SPM 1 CEM 1",
        "SPARTS will not be able to apply or remove any PRSU on it",
        "before PRSU PQR21S03 was removed there (2026-11-19 03:05:12)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn after_the_window_the_audit_failures_are_found_once() {
    let (report, code) = check_json(&[FLEET, "--phase", "post"]);
    assert_eq!(code, 1);
    let want = expected(&[
        (20014, "dms-east-cm", "SPM 2 CEM 0"),
        (20014, "dms-east-cm", "LTC 1"),
    ]);
    assert_eq!(failures(&report), want, "{:#?}", messages(&report));
    assert_eq!(evaluations(&report, "fail").len(), want.len());
    assert!(evaluations(&report, "unknown").is_empty());
    let spm = evaluations(&report, "fail")
        .into_iter()
        .find(|e| e["message"].as_str().unwrap().contains("SPM 2 CEM 0"))
        .unwrap();
    let message = spm["message"].as_str().unwrap();
    assert!(
        message.contains("in the load per AOR but not applied: PQR21S03")
            && message.contains("SPM301 NOV21 01:40:07 patchfail FAILED"),
        "{message}"
    );
    // The evidence points at the DEST, its PRSU row and the SPM301 report.
    let files: Vec<&str> = spm["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("logs/spm301.log")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("exports/prsm-prsus.txt")),
        "{files:?}"
    );
}

#[test]
fn the_control_office_and_the_healthy_dests_are_clean() {
    for phase in ["pre", "post"] {
        let (report, _) = check_json(&[FLEET, "--phase", phase]);
        let passing: Vec<&Value> = evaluations(&report, "pass")
            .into_iter()
            .filter(|e| e["node"] == "dms-west-cm")
            .collect();
        assert!(
            !passing.is_empty(),
            "{phase}: the control office is checked"
        );
        for e in report["evaluations"].as_array().unwrap() {
            if e["node"] == "dms-west-cm" {
                assert!(
                    e["status"] == "pass" || e["status"] == "not-applicable",
                    "{phase}: {e}"
                );
            }
        }
        // No failure names a DEST or PRSU that was planted healthy.
        for m in messages(&report) {
            for healthy in ["LGC 0", "SPM 2 CEM 1: ", "LGN02P05", "BAS07C11", "JKL33M02"] {
                assert!(!m.contains(healthy), "{phase}: {m}");
            }
        }
    }
}

#[test]
fn a_cut_off_prsu_table_is_unknown_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("dms-east-cm");
    copy_tree(
        Path::new("fixtures/dms-prsm/pre/office-east/dms-east-cm"),
        &node,
    );
    let table = node.join("exports/prsm-prsus.txt");
    let text = std::fs::read_to_string(&table).unwrap();
    // The capture stopped in the middle of the status of line 7.
    let cut = text.find("ABC04X17  GEN       LTC 1        APP").unwrap() + 36;
    std::fs::write(&table, &text[..cut]).unwrap();
    let (report, code) = check_json(&[dir.path().to_str().unwrap(), "--phase", "pre"]);
    assert_eq!(code, 3, "unknown, and nothing fails");
    let unknown = evaluations(&report, "unknown");
    let codes: BTreeSet<u64> = unknown
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    // The rules that read the table, and the input-malformed finding.
    assert_eq!(codes, BTreeSet::from([20012, 20013, 20015, 90002]));
    for e in unknown {
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("exports/prsm-prsus.txt is malformed at line 7")
                && message.contains("status 'APP'"),
            "{message}"
        );
    }
    assert!(evaluations(&report, "fail").is_empty());
}

#[test]
fn an_office_wide_aor_n_soak_is_minor_and_says_so() {
    let fires = "fixtures/rules/20013-prsu-aor-inconsistent/fires";
    let (report, _) = check_json(&[fires, "--phase", "pre", "--select", "20013"]);
    let by_node = |node: &str| -> Vec<&Value> {
        evaluations(&report, "fail")
            .into_iter()
            .filter(|e| e["node"] == node)
            .collect()
    };
    // ABC04X17 has AOR=N on both XPM DESTs of XLT23BK: the user guide's soak.
    let soak = by_node("xpm-office-soak");
    assert_eq!(soak.len(), 1, "{soak:?}");
    assert_eq!(soak[0]["severity"], "minor");
    let message = soak[0]["message"].as_str().unwrap();
    assert!(
        message.contains("office-wide AOR=N soak")
            && message.contains("assign aor n in prsuset abc04x17 on xpm"),
        "{message}"
    );
    // AOR=Y on LTC 1 too: the flag on LTC 0 was set by hand, no soak.
    let by_hand = by_node("applied-aor-n");
    assert_eq!(by_hand[0]["severity"], "major");
    assert!(!by_hand[0]["message"].as_str().unwrap().contains("soak"));
}

#[test]
fn stopped_or_delayed_sparts_and_pal_are_found() {
    let fires = "fixtures/rules/20024-prsm-autoproc-stopped/fires";
    let (report, code) = check_json(&[fires, "--phase", "pre", "--select", "20024"]);
    assert_eq!(code, 1);
    let found: BTreeSet<(String, String)> = evaluations(&report, "fail")
        .iter()
        .map(|e| {
            (
                e["node"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("sparts-stopped", "SPARTS is STOPPED: SPM DESTs"),
        ("pal-delayed", "PAL is Delayed until 2026-11-18 06:00:00"),
    ];
    for (node, text) in want {
        assert!(
            found.iter().any(|(n, m)| n == node && m.contains(text)),
            "{node}: {found:?}"
        );
    }
    assert_eq!(found.len(), 2, "{found:?}");
    // A process the export does not list is unknown, not a pass.
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("dms-west-cm");
    copy_tree(
        Path::new("fixtures/dms-prsm/pre/office-west/dms-west-cm"),
        &node,
    );
    std::fs::write(
        node.join("exports/prsm-autoproc.txt"),
        "PROCESS  STATUS\nSPARTS   STARTED\n",
    )
    .unwrap();
    let (report, _) = check_json(&[dir.path().to_str().unwrap(), "--select", "20024"]);
    let unknown = evaluations(&report, "unknown");
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not list the automated process PAL"),
        "{}",
        unknown[0]
    );
}
