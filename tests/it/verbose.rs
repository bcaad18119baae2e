//! `check -v` and `merge -v` say on stderr which settings, waivers,
//! baseline, plan and rule files were loaded, or where each was looked
//! for; without `-v` they say nothing of it.

use crate::common::run;

const KINDS: [&str; 5] = ["rules:", "config:", "waivers:", "baseline:", "plan:"];

/// The `-v` lines of a run: `upcheck: KIND …`, in order.
fn loaded(args: &[&str]) -> Vec<String> {
    let out = run(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("upcheck: "))
        .filter(|l| KINDS.iter().any(|k| l.starts_with(k)))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_fleet_without_settings_says_where_it_looked() {
    assert_eq!(
        loaded(&["check", "fixtures/demo", "-v", "--format", "json"]),
        [
            format!("rules: {} in the catalog; no --rules folder", rule_count()),
            "config: none (no fixtures/demo/upcheck.toml)".to_string(),
            "waivers: none (no fixtures/demo/waivers.toml)".to_string(),
            "baseline: none (no --baseline)".to_string(),
            "plan: fixtures/demo/plan.toml (found)".to_string(),
        ]
    );
}

/// The built-in catalog's size, as `rules list --format json` counts it.
fn rule_count() -> String {
    let out = run(&["rules", "list", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rules.as_array().unwrap().len().to_string()
}

#[test]
fn every_file_loaded_is_named_with_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("accepted.json");
    let baseline = baseline.to_str().unwrap();
    let accepted = run(&[
        "check",
        "fixtures/compliance",
        "--format",
        "json",
        "--output",
        baseline,
    ]);
    assert_eq!(accepted.status.code(), Some(1));
    let lines = loaded(&[
        "check",
        "fixtures/compliance",
        "--verbose",
        "--baseline",
        baseline,
        "--rules",
        "examples/site-rules",
        "--format",
        "json",
    ]);
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(
        lines[0].ends_with("; 1 from --rules folders"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "rules: examples/site-rules/rules: 1 rule(s)");
    assert_eq!(lines[2], "config: fixtures/compliance/upcheck.toml (found)");
    assert_eq!(
        lines[3],
        "waivers: fixtures/compliance/waivers.toml (found): 3 waiver(s)"
    );
    let known = format!("baseline: {baseline}: ");
    assert!(lines[4].starts_with(&known), "{}", lines[4]);
    assert!(!lines[4].contains(": 0 failing"), "{}", lines[4]);
    assert_eq!(lines[5], "plan: fixtures/compliance/plan.toml (found)");
}

#[test]
fn a_node_snapshot_given_alone_is_never_a_source_of_policy() {
    let lines = loaded(&["check", "fixtures/compliance/site-east/mpe-east-a", "-v"]);
    assert!(
        lines.contains(&"config: none (fixtures/compliance/site-east/mpe-east-a is a node snapshot, whose upcheck.toml is never loaded; give --config)".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"plan: none (no fleet folder given to look in; give --plan)".to_string())
    );
}

#[test]
fn merge_names_its_own_files_and_the_shards_plans() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard.json");
    let shard = shard.to_str().unwrap();
    let out = run(&[
        "check",
        "fixtures/compliance",
        "--shard",
        "1/1",
        "--format",
        "json",
        "--output",
        shard,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let waivers = "fixtures/compliance/waivers.toml";
    let lines = loaded(&[
        "merge",
        shard,
        "-v",
        "--waivers",
        waivers,
        "--format",
        "json",
    ]);
    assert!(
        lines
            .contains(&"config: none (merge reads a settings file only with --config)".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!("waivers: {waivers} (--waivers): 3 waiver(s)")),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"plan: fixtures/compliance/plan.toml (read by the shard runs)".to_string()),
        "{lines:#?}"
    );
}

#[test]
fn without_verbose_nothing_is_said() {
    assert_eq!(
        loaded(&["check", "fixtures/compliance", "--format", "json"]),
        Vec::<String>::new()
    );
}
