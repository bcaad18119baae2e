//! Each fixture fleet's README quotes the runs it expects in `console`
//! blocks: a `$ upcheck check …` line, then (after an optional `…`) the
//! summary line the run ends with. This test runs every quoted command and
//! compares, so the READMEs cannot go stale as the catalog grows.

use std::process::Command;

/// (README, arguments, expected summary line) of every quoted run.
fn quoted_runs() -> Vec<(String, Vec<String>, String)> {
    let mut runs = Vec::new();
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let readme = entry.unwrap().path().join("README.md");
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue;
        };
        let mut command: Option<Vec<String>> = None;
        for line in text.lines() {
            if let Some(args) = line.strip_prefix("$ upcheck ") {
                command = Some(args.split_whitespace().map(String::from).collect());
            } else if line.contains(" node(s), ") {
                if let Some(args) = command.take() {
                    runs.push((readme.display().to_string(), args, line.to_string()));
                }
            } else if line.starts_with("```") {
                command = None;
            }
        }
    }
    runs.sort();
    runs
}

#[test]
fn every_quoted_fleet_run_prints_the_quoted_summary() {
    let runs = quoted_runs();
    // openscape4000 ×2, dms-prsm ×2, cluster-patch ×3 at least.
    assert!(runs.len() >= 7, "{runs:?}");
    for (readme, args, expected) in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_upcheck"))
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout.lines().last().unwrap_or_default();
        assert_eq!(last, expected, "{readme}: upcheck {}", args.join(" "));
    }
}
