//! Each fixture fleet's README quotes the runs it expects in `console`
//! blocks: a `$ upcheck check …` line (optionally after
//! `SOURCE_DATE_EPOCH=N `, for runs whose result depends on the date), then
//! (after an optional `…`) the summary line the run ends with. This test runs every quoted command and
//! compares, so the READMEs cannot go stale as the catalog grows.

use crate::common::upcheck;

/// A quoted run: the README, SOURCE_DATE_EPOCH if set, the arguments and
/// the expected summary line.
type QuotedRun = (String, Option<String>, Vec<String>, String);

fn quoted_runs() -> Vec<QuotedRun> {
    let mut runs = Vec::new();
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let readme = entry.unwrap().path().join("README.md");
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue;
        };
        let mut command: Option<(Option<String>, Vec<String>)> = None;
        for line in text.lines() {
            if let Some(shell) = line.strip_prefix("$ ") {
                let (epoch, rest) = match shell.strip_prefix("SOURCE_DATE_EPOCH=") {
                    Some(rest) => {
                        let (epoch, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                        (Some(epoch.to_string()), rest)
                    }
                    None => (None, shell),
                };
                if let Some(args) = rest.strip_prefix("upcheck ") {
                    let args = args.split_whitespace().map(String::from).collect();
                    command = Some((epoch, args));
                }
            } else if line.contains(" node(s), ") {
                if let Some((epoch, args)) = command.take() {
                    runs.push((readme.display().to_string(), epoch, args, line.to_string()));
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
    // openscape4000 ×2, dms-prsm ×2, cluster-patch ×3, compliance at least.
    assert!(runs.len() >= 8, "{runs:?}");
    for (readme, epoch, args, expected) in runs {
        // As a reader runs it: on today's date unless the README says.
        let mut command = upcheck();
        command.args(&args).env_remove("SOURCE_DATE_EPOCH");
        if let Some(epoch) = epoch {
            command.env("SOURCE_DATE_EPOCH", epoch);
        }
        let out = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The table ends with the clean subjects' lines, then the summary
        // wrapped to its width: compare the summary as one line.
        let summary: Vec<&str> = (stdout.lines().rev())
            .take_while(|l| !l.is_empty() && !l.contains(" clean: "))
            .collect();
        let summary = summary.into_iter().rev().collect::<Vec<_>>().join(" ");
        assert_eq!(summary, expected, "{readme}: upcheck {}", args.join(" "));
    }
}
