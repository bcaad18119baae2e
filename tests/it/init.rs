//! `upcheck init [DIR]`: the upcheck.toml and plan.toml it writes load as
//! written and with every example uncommented, a fleet checked with them
//! reads them, and an existing file is never overwritten without --force.

use crate::common::{copy_tree, run};
use std::path::Path;
use upcheck::cli::init::{PLAN_TOML, UPCHECK_TOML};
use upcheck::policy::FleetConfig;

/// The file with every example line (`#key = …`, `#[table]`: a `#` and no
/// space) made active; prose comments (`# …`) stay comments.
fn uncommented(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_files_load_as_written_and_with_every_example_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    // The example `waivers = "waivers.toml"` names a file that must be there.
    write(dir.path(), "waivers.toml", "");
    for text in [UPCHECK_TOML.to_string(), uncommented(UPCHECK_TOML)] {
        let config = write(dir.path(), "upcheck.toml", &text);
        FleetConfig::load(&config).unwrap_or_else(|e| panic!("{e}\n{text}"));
        // The codes and levels must also be ones the catalog has.
        let out = run(&[
            "check",
            "fixtures/demo",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let examples = uncommented(UPCHECK_TOML);
    assert!(examples.contains("\n\"5xxxx\" = \"off\""), "{examples}");

    let documented = std::fs::read_to_string("docs/snapshot-format.md").unwrap();
    for text in [PLAN_TOML.to_string(), uncommented(PLAN_TOML)] {
        let plan = write(dir.path(), "plan.toml", &text);
        let json = upcheck::facts::plan_fact(&plan).unwrap_or_else(|e| panic!("{e}\n{text}"));
        for key in json
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.ends_with("_epoch") && !k.ends_with("_day"))
        {
            assert!(
                documented.contains(&format!("| `{key}` |"))
                    || documented.contains(&format!("| `[{key}]` |"))
                    || documented.contains(&format!("| `[[{key}]]` |")),
                "plan key {key} is not in docs/snapshot-format.md"
            );
        }
    }
    let examples =
        upcheck::facts::plan_fact(&write(dir.path(), "plan.toml", &uncommented(PLAN_TOML)))
            .unwrap();
    assert!(examples["window_start_epoch"].is_i64(), "{examples}");
    assert!(
        examples["upgrade_path"][0]["prerequisite_patches"].is_array(),
        "{examples}"
    );
}

#[test]
fn a_fleet_initialised_is_checked_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet");
    copy_tree(Path::new("fixtures/demo"), &fleet);
    std::fs::remove_file(fleet.join("plan.toml")).unwrap();
    let fleet_arg = fleet.to_str().unwrap();
    let out = run(&["init", fleet_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(fleet.join("upcheck.toml")).unwrap(),
        UPCHECK_TOML
    );
    assert_eq!(
        std::fs::read_to_string(fleet.join("plan.toml")).unwrap(),
        PLAN_TOML
    );

    let out = run(&["check", fleet_arg, "-v", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "the demo has findings");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for file in [
        "config: {}/upcheck.toml (found)",
        "plan: {}/plan.toml (found)",
    ] {
        assert!(stderr.contains(&file.replace("{}", fleet_arg)), "{stderr}");
    }
}

#[test]
fn an_existing_file_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("new/fleet");
    let fleet_arg = fleet.to_str().unwrap();
    assert_eq!(run(&["init", fleet_arg]).status.code(), Some(0));
    let mine = "fail_on = \"critical\"\n";
    std::fs::write(fleet.join("upcheck.toml"), mine).unwrap();
    std::fs::remove_file(fleet.join("plan.toml")).unwrap();

    let out = run(&["init", fleet_arg]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{fleet_arg}/upcheck.toml exists")) && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(fleet.join("upcheck.toml")).unwrap(),
        mine
    );
    assert!(
        !fleet.join("plan.toml").exists(),
        "nothing written when one file exists"
    );

    assert_eq!(run(&["init", fleet_arg, "--force"]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(fleet.join("upcheck.toml")).unwrap(),
        UPCHECK_TOML
    );
}

#[test]
fn a_node_snapshot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    copy_tree(Path::new("fixtures/demo/site-east/cmp-east-a"), &node);
    let out = run(&["init", node.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a node snapshot"));
    assert!(!node.join("upcheck.toml").exists() && !node.join("plan.toml").exists());
}
