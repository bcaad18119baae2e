//! `check --shard K/N` + `merge` equals one `check`: the same evaluations
//! (every field), summary and digests, on fleets with node-, cluster- and
//! fleet-scope rules; and merge refuses reports that are not one run.

use crate::common::{run, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs upcheck writing a JSON report to `out`; returns the report and the exit code.
fn report(args: &[&str], out: &Path) -> (Value, i32) {
    let mut all = args.to_vec();
    let out_arg = out.to_str().unwrap();
    all.extend(["--format", "json", "--output", out_arg]);
    let o = run(&all);
    assert!(out.is_file(), "{args:?} wrote no report: {}", stderr(&o));
    (read_json(out), o.status.code().unwrap())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("upcheck-shard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The shard reports of `fleet` in `count` shards, with `extra` check flags.
fn shards(fleet: &str, count: usize, extra: &[&str], dir: &Path) -> Vec<PathBuf> {
    (1..=count)
        .map(|k| {
            let file = dir.join(format!("shard-{k}-of-{count}.json"));
            let spec = format!("{k}/{count}");
            let mut args = vec!["check", fleet, "--shard", &spec];
            args.extend(extra);
            let (json, code) = report(&args, &file);
            assert_eq!(code, 0, "a shard run exits 0 on findings");
            assert_eq!(json["shard"]["index"], k);
            assert_eq!(json["shard"]["count"], count);
            file
        })
        .collect()
}

fn without_command_line(mut report: Value) -> Value {
    report.as_object_mut().unwrap().remove("command_line");
    report
}

fn scopes(report: &Value) -> std::collections::BTreeSet<String> {
    report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["scope"].as_str().unwrap().to_string())
        .collect()
}

/// For N = 1, 2, 3: the merged shards equal the single run, and the shards
/// themselves evaluated no group-scope rule.
fn assert_merge_equals_single(name: &str, fleet: &str, check_flags: &[&str], merge_flags: &[&str]) {
    let dir = temp_dir(name);
    let mut args = vec!["check", fleet];
    args.extend(check_flags);
    args.extend(merge_flags);
    let (single, single_code) = report(&args, &dir.join("single.json"));
    let group_scopes = scopes(&single);
    assert!(
        group_scopes.contains("cluster") || group_scopes.contains("fleet"),
        "{fleet}: the single run has group-scope evaluations to compare"
    );
    for count in 1..=3 {
        let files = shards(fleet, count, check_flags, &dir);
        let mut held_nodes = 0;
        for file in &files {
            let shard = read_json(file);
            held_nodes += shard["shard"]["nodes"].as_array().unwrap().len();
            let shard_scopes = scopes(&shard);
            for scope in ["cluster", "site"] {
                assert!(
                    !shard_scopes.contains(scope),
                    "{} evaluated {scope} rules",
                    file.display()
                );
            }
        }
        assert_eq!(
            held_nodes,
            single["summary"]["nodes"].as_u64().unwrap() as usize
        );
        let mut args = vec!["merge"];
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        args.extend(merge_flags);
        let (merged, merged_code) = report(&args, &dir.join(format!("merged-{count}.json")));
        assert_eq!(merged_code, single_code, "{fleet} N={count}: exit code");
        assert_eq!(
            merged["evaluations"].as_array().unwrap().len(),
            single["evaluations"].as_array().unwrap().len(),
            "{fleet} N={count}: evaluation count"
        );
        for (m, s) in merged["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .zip(single["evaluations"].as_array().unwrap())
        {
            assert_eq!(m, s, "{fleet} N={count}: evaluations differ");
        }
        assert_eq!(
            without_command_line(merged),
            without_command_line(single.clone()),
            "{fleet} N={count}: summary, digests or stamps differ"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_fleet_in_shards_merges_to_the_single_run() {
    assert_merge_equals_single("demo", "fixtures/demo", &[], &[]);
}

#[test]
fn oracle_pm_fleet_in_shards_merges_to_the_single_run() {
    assert_merge_equals_single("oracle", "fixtures/oracle-pm/pre-with-problems", &[], &[]);
}

#[test]
fn cluster_patch_fleet_in_shards_merges_to_the_single_run() {
    // 20016 cluster-build-mismatch compares the members of each cluster,
    // which the shards split between them.
    let dir = temp_dir("cluster-patch-split");
    let files = shards("fixtures/cluster-patch", 3, &[], &dir);
    let clusters_of = |file: &PathBuf| -> Vec<String> {
        read_json(file)["shard"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["group_facts"].get("20016").is_some())
            .map(|n| n["cluster"].as_str().unwrap().to_string())
            .collect()
    };
    let split = files
        .iter()
        .map(clusters_of)
        .filter(|c| !c.is_empty())
        .count();
    assert!(split >= 2, "the clusters' members are spread over shards");
    assert_merge_equals_single("cluster-patch", "fixtures/cluster-patch", &[], &[]);
    let (single, _) = report(
        &["check", "fixtures/cluster-patch"],
        &dir.join("single.json"),
    );
    assert!(
        single["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == 20016 && e["status"] == "fail"),
        "the fixture has a failing cluster-scope 20016 to reproduce"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn waivers_and_severity_overrides_apply_in_merge_as_in_check() {
    // The single run finds upcheck.toml and waivers.toml at the fleet root;
    // merge is given the same file.
    let dir = temp_dir("compliance");
    let (single, _) = report(&["check", "fixtures/compliance"], &dir.join("single.json"));
    let statuses = single.to_string();
    assert!(statuses.contains("\"waived\"") && statuses.contains("90006"));
    let files = shards("fixtures/compliance", 2, &[], &dir);
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["--config", "fixtures/compliance/upcheck.toml"]);
    let (merged, _) = report(&args, &dir.join("merged.json"));
    assert_eq!(without_command_line(merged), without_command_line(single));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn severity_flags_and_a_baseline_report_apply_in_merge_as_in_check() {
    let dir = temp_dir("policy-flags");
    let baseline = dir.join("baseline.json");
    report(&["check", "fixtures/demo", "--ignore", "2"], &baseline);
    let baseline = baseline.to_str().unwrap().to_string();
    let merge_flags = [
        "--severity",
        "30001=critical",
        "--baseline",
        &baseline,
        "--fail-on",
        "critical",
    ];
    // --ignore goes to the shards: it decides what runs (and is read).
    assert_merge_equals_single(
        "policy-flags-demo",
        "fixtures/demo",
        &["--ignore", "4"],
        &merge_flags,
    );
    let (single, _) = report(
        &[
            &["check", "fixtures/demo", "--ignore", "4"][..],
            &merge_flags[..],
        ]
        .concat(),
        &dir.join("single.json"),
    );
    let text = single.to_string();
    assert!(text.contains("\"new\"") && text.contains("\"known\""));
    assert!(!text.contains("\"code\":40001"), "4xxxx ignored");

    // `off` given to merge only: the same evaluations, but the shards
    // read the inputs of the rules turned off, which the digest shows.
    let files = shards("fixtures/demo", 2, &[], &dir);
    let mut args = vec!["merge", "--severity", "4xxxx=off"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let (merged, _) = report(&args, &dir.join("merged-off.json"));
    let (single, _) = report(
        &["check", "fixtures/demo", "--severity", "4xxxx=off"],
        &dir.join("single-off.json"),
    );
    assert_eq!(merged["evaluations"], single["evaluations"]);
    assert_eq!(merged["summary"], single["summary"]);
    assert_ne!(merged["inputs_digest"], single["inputs_digest"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shard_reports_follow_the_published_schema() {
    let schema: Value = read_json(Path::new("docs/report.schema.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = temp_dir("schema");
    for file in shards("fixtures/cluster-patch", 2, &[], &dir) {
        let json = read_json(&file);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file:?}: {errors:#?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn merge_error(files: &[&Path]) -> String {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2), "merge of {files:?} must fail");
    assert!(o.stdout.is_empty(), "no report on error");
    stderr(&o)
}

#[test]
fn merge_refuses_reports_that_are_not_one_run() {
    let dir = temp_dir("errors");
    let three = shards("fixtures/demo", 3, &[], &dir);
    let (s1, s2, s3) = (three[0].as_path(), three[1].as_path(), three[2].as_path());

    let err = merge_error(&[s1, s2]);
    assert!(err.contains("3/3 missing"), "{err}");
    let err = merge_error(&[s1, s2, s3, s2]);
    assert!(err.contains("shard 2/3 is given twice"), "{err}");

    // Shard 2 of a post run with shards 1 and 3 of a pre run.
    let post = dir.join("post-2.json");
    report(
        &[
            "check",
            "fixtures/demo",
            "--phase",
            "post",
            "--shard",
            "2/3",
        ],
        &post,
    );
    let err = merge_error(&[s1, &post, s3]);
    assert!(err.contains("phase pre vs post"), "{err}");

    // A catalog with one rule changed.
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    let rule = "40001-ntp-unsynchronised.toml";
    let text = std::fs::read_to_string(Path::new("rules").join(rule)).unwrap();
    std::fs::write(
        rules.join(rule),
        text.replacen("title = \"", "title = \"Changed: ", 1),
    )
    .unwrap();
    let other = dir.join("other-catalog-2.json");
    let rules_arg = rules.to_str().unwrap();
    report(
        &[
            "check",
            "fixtures/demo",
            "--shard",
            "2/3",
            "--rules",
            rules_arg,
        ],
        &other,
    );
    let err = merge_error(&[s1, &other, s3]);
    assert!(err.contains("rule catalog"), "{err}");

    // Another shard count.
    let two = shards("fixtures/demo", 2, &[], &dir);
    let err = merge_error(&[s1, &two[1], s3]);
    assert!(err.contains("shard count 3 vs 2"), "{err}");

    // A node claimed by two shards: shard 1 of 3 relabelled as 1/2 and 2/2.
    let mut relabelled = read_json(s1);
    relabelled["shard"]["count"] = 2.into();
    let relabelled_1 = dir.join("relabelled-1.json");
    std::fs::write(&relabelled_1, relabelled.to_string()).unwrap();
    relabelled["shard"]["index"] = 2.into();
    let relabelled_2 = dir.join("relabelled-2.json");
    std::fs::write(&relabelled_2, relabelled.to_string()).unwrap();
    let err = merge_error(&[&relabelled_1, &relabelled_2]);
    assert!(err.contains("is in both"), "{err}");

    // A report of a run without --shard.
    let plain = dir.join("plain.json");
    report(&["check", "fixtures/demo"], &plain);
    let err = merge_error(&[&plain]);
    assert!(err.contains("not a shard report"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shard_argument_is_validated() {
    for bad in ["0/3", "4/3", "3", "1/0", "x/2"] {
        let o = run(&["check", "fixtures/demo", "--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        assert!(stderr(&o).contains("expected K/N"), "{}", stderr(&o));
    }
    let o = run(&[
        "check",
        "fixtures/demo",
        "--shard",
        "1/2",
        "--waivers",
        "w.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("upcheck merge"), "{}", stderr(&o));
}
