//! The terminal table: it takes the width it is given and never splits an
//! evidence location.

use crate::common::{check_json, stdout, upcheck};
use std::collections::BTreeSet;

/// `at path:line` (or `in path`) of an evidence entry, as the table shows it.
fn location(evidence: &serde_json::Value) -> Option<String> {
    let path = evidence["path"].as_str()?;
    Some(match evidence["line"].as_u64() {
        Some(l) => format!("at {path}:{l}"),
        None => format!("in {path}"),
    })
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
        let out = upcheck()
            .args(["check", "fixtures/compliance", "--show-passing"])
            .env("COLUMNS", width.to_string())
            .output()
            .unwrap();
        let text = stdout(&out);
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
        let out = upcheck()
            .args(["rules", "list"])
            .env("COLUMNS", width.to_string())
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(text.contains("patch-not-running"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= width, "rules list, {width}: {line}");
        }
    }
}

/// `diff` follows the same width rule as the table of `check`.
#[test]
fn the_diff_fits_the_width() {
    let pair = [
        "fixtures/osn6800-upgrade/pre",
        "fixtures/osn6800-upgrade/post",
    ];
    for width in [80usize, 200] {
        let out = upcheck()
            .arg("diff")
            .args(pair)
            .env("COLUMNS", width.to_string())
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(text.contains("got worse"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= width, "diff, {width}: {line}");
        }
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest > 120 || width == 80, "the width is used: {widest}");
    }
}
