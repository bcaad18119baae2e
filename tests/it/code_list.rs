//! The code list is public: rule codes are stable forever. Its snapshot
//! (`tests/it/snapshots/it__code_list__codes.snap`) holds every code of
//! `rules list --format json` with its name and severity, and every code of
//! rules/RETIRED.md as retired, so adding, renaming, re-grading or retiring a
//! rule shows as a diff in review. A code that leaves the catalog must be
//! retired in RETIRED.md, and a retired code is never used again.

use crate::common::{json_of, run};
use std::collections::BTreeMap;

const SNAPSHOT: &str = "tests/it/snapshots/it__code_list__codes.snap";

/// code -> (name, severity) of the built-in catalog.
fn catalog_codes() -> BTreeMap<u64, (String, String)> {
    let rules = json_of(&run(&["rules", "list", "--format", "json"]));
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_u64().unwrap(),
                (text(&r["name"]), text(&r["severity"])),
            )
        })
        .collect()
}

/// code -> name of the table rows of rules/RETIRED.md.
fn retired_codes() -> BTreeMap<u64, String> {
    let text = std::fs::read_to_string("rules/RETIRED.md").unwrap();
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.parse().ok()?;
            Some((code, cells.get(2)?.to_string()))
        })
        .collect()
}

/// The codes of a code-list snapshot: the first word of each row.
fn snapshot_codes(snapshot: &str) -> Vec<u64> {
    let body = snapshot.splitn(3, "---").nth(2).unwrap_or_default();
    body.lines()
        .filter_map(|line| line.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn every_code_with_its_name_and_severity_or_retirement() {
    let mut list = String::new();
    let retired = retired_codes();
    let mut rows: BTreeMap<u64, String> = catalog_codes()
        .into_iter()
        .map(|(code, (name, severity))| (code, format!("{code} {name} {severity}")))
        .collect();
    for (code, name) in &retired {
        rows.insert(*code, format!("{code} {name} retired"));
    }
    for row in rows.values() {
        list.push_str(row);
        list.push('\n');
    }
    insta::assert_snapshot!("codes", list);
}

#[test]
fn a_code_that_leaves_the_catalog_is_retired() {
    let accepted = std::fs::read_to_string(SNAPSHOT).unwrap();
    let (live, retired) = (catalog_codes(), retired_codes());
    let accepted = snapshot_codes(&accepted);
    assert!(
        accepted.len() >= live.len(),
        "{SNAPSHOT} lists too few codes"
    );
    let gone: Vec<u64> = accepted
        .into_iter()
        .filter(|code| !live.contains_key(code) && !retired.contains_key(code))
        .collect();
    assert!(
        gone.is_empty(),
        "codes {gone:?} left the catalog: list each in rules/RETIRED.md (a code is never reused)"
    );
}

#[test]
fn a_retired_code_is_never_reused() {
    let retired = retired_codes();
    assert!(
        !retired.is_empty(),
        "rules/RETIRED.md lists no code: is its table still there?"
    );
    let reused: Vec<(&u64, &String)> = catalog_codes()
        .into_keys()
        .filter_map(|code| retired.get_key_value(&code))
        .collect();
    assert!(reused.is_empty(), "retired codes in use again: {reused:?}");
}
