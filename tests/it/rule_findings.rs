//! What every rule finds on its own fixtures, one insta snapshot per code
//! (`tests/it/snapshots/rules/<code>-<name>.snap`): each evaluation of its
//! `fires` and `passes` runs with status, severity, node, message and
//! evidence, trimmed from the JSON report. `rules check` only asks whether
//! a rule fired; here a change in what it says, or where it points, shows
//! as a diff in review. After an intended change,
//! `INSTA_UPDATE=always cargo test --test it rule_findings` rewrites them.

use serde_json::Value;
use std::fmt::Write;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use upcheck::catalog::{Catalog, Rule};
use upcheck::engine::{self, RunOptions};
use upcheck::policy::Selection;

/// One evaluation as the snapshot shows it: what the rule said, and where.
fn describe(e: &Value) -> String {
    let text = |key: &str| e[key].as_str().unwrap_or_default();
    let mut out = format!(
        "  {} {} {} {}\n    {}\n",
        e["code"],
        text("status"),
        text("severity"),
        text("node"),
        text("message")
    );
    for ev in e["evidence"].as_array().into_iter().flatten() {
        match ev["line"].as_u64() {
            Some(line) => writeln!(out, "    at {}:{line}", ev["path"].as_str().unwrap()),
            None => writeln!(out, "    at {}", ev["path"].as_str().unwrap()),
        }
        .unwrap();
    }
    out
}

/// The evaluations on `fixtures/rules/<rule>/<case>`, as `rules check` runs
/// them: the rule alone, in its first phase (tool findings show too).
fn findings(catalog: &Catalog, rule: &Rule, case: &str) -> String {
    let phase = rule.phases.first().copied();
    let options = RunOptions {
        phase,
        selection: Selection {
            select: vec![rule.code.to_string()],
            ignore: vec![],
        },
        jobs: Some(1),
        ..Default::default()
    };
    let dir = PathBuf::from(format!("fixtures/rules/{}/{case}", rule.file_stem()));
    let run = engine::run(std::slice::from_ref(&dir), catalog, &options);
    let phase = phase.map_or("none", |p| p.as_str());
    let mut out = format!("{case} (phase {phase})\n");
    for e in run.evaluations.iter() {
        out.push_str(&describe(&serde_json::to_value(e).unwrap()));
    }
    out
}

#[test]
fn every_rule_finds_on_its_fixtures_what_its_snapshot_says() {
    let catalog = Catalog::load(&[]);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/rules");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut changed = Vec::new();
    for rule in catalog.rules.values() {
        let stem = rule.file_stem();
        let mut text = format!(
            "{}\n{}",
            findings(&catalog, rule, "fires"),
            findings(&catalog, rule, "passes")
        );
        // The optional `unknown` case: inputs missing, the rule saying so.
        if PathBuf::from(format!("fixtures/rules/{stem}/unknown")).is_dir() {
            text = format!("{text}\n{}", findings(&catalog, rule, "unknown"));
        }
        // Every rule is compared (and its .snap.new written) before failing.
        let same = std::panic::catch_unwind(AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(stem.as_str(), text));
        }));
        if same.is_err() {
            changed.push(stem);
        }
    }
    assert!(changed.is_empty(), "findings changed: {changed:?}");
}
