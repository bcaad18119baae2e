//! The GitHub and GitLab CI examples of docs/reports.md, tried end to end:
//! each `upcheck check` command line of their YAML is run as written on a
//! copy of the demo fleet at `fleet/`, from the folder a CI job runs in;
//! every file it writes must parse as its format, every path a finding
//! names must exist there, and every artifact the YAML uploads must be a
//! file the run wrote.

use crate::common::{copy_tree, upcheck};
use serde_json::Value;
use std::path::Path;

/// The fenced ```yaml blocks of docs/reports.md.
fn yaml_blocks() -> Vec<String> {
    let doc = std::fs::read_to_string("docs/reports.md").unwrap();
    doc.split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

/// The `upcheck check …` command of a block, its continuation lines
/// (a trailing `\`, or deeper indentation) joined, split into arguments.
fn command_of(block: &str) -> Vec<String> {
    let lines: Vec<&str> = block.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("upcheck check"))
        .expect("an upcheck check command");
    let indent = lines[start].find("upcheck").unwrap();
    let mut command = lines[start][indent..].to_string();
    for line in &lines[start + 1..] {
        let deeper = line.len() - line.trim_start().len() > indent;
        if !(command.ends_with('\\') || deeper) || line.trim_start().starts_with("- ") {
            break;
        }
        command = format!("{} {}", command.trim_end_matches('\\'), line.trim());
    }
    command.split_whitespace().map(str::to_string).collect()
}

/// The files a block hands to CI: `sarif_file`, `codequality`, `junit`
/// and the `paths: […]` entries.
fn artifacts_of(block: &str) -> Vec<String> {
    let mut files = Vec::new();
    for line in block.lines().map(str::trim) {
        if let Some((key, value)) = line.split_once(": ") {
            match key {
                "sarif_file" | "codequality" | "junit" => files.push(value.to_string()),
                "paths" => files.extend(
                    value
                        .trim_matches(|c| c == '[' || c == ']')
                        .split(", ")
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
    }
    files
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The file parses as `format`, and every path its findings name exists
/// under `job` (where CI resolves them).
fn check_written(job: &Path, format: &str, file: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    match format {
        "json" => assert!(json_of(file)["evaluations"].as_array().unwrap().len() > 100),
        "sarif" => assert_eq!(json_of(file)["version"], "2.1.0"),
        "junit" => {
            let xml = roxmltree::Document::parse(&text).unwrap();
            assert_eq!(xml.root_element().tag_name().name(), "testsuites");
        }
        "markdown" => assert!(!text.is_empty() && text.len() < 1 << 20),
        "html" => assert!(text.ends_with("</html>\n")),
        "gitlab" => {
            let issues = json_of(file);
            let issues = issues.as_array().unwrap();
            assert!(!issues.is_empty());
            for issue in issues {
                let path = issue["location"]["path"].as_str().unwrap();
                assert!(job.join(path).is_file(), "Code Quality names {path}");
            }
        }
        other => panic!("no check for {other}"),
    }
}

/// GitHub workflow commands: each names an existing file.
fn check_annotations(job: &Path, stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        assert!(line.starts_with("::"), "{line}");
        let escaped = line
            .split("file=")
            .nth(1)
            .and_then(|f| f.split(',').next())
            .unwrap();
        // Properties are escaped by GitHub's rules; `%25` last.
        let file = [
            ("%2C", ","),
            ("%3A", ":"),
            ("%0D", "\r"),
            ("%0A", "\n"),
            ("%25", "%"),
        ]
        .iter()
        .fold(escaped.to_string(), |f, (code, c)| f.replace(code, c));
        assert!(job.join(&file).is_file(), "annotation names {file}");
    }
}

#[test]
fn the_documented_ci_jobs_run_and_write_what_they_upload() {
    let blocks = yaml_blocks();
    assert_eq!(blocks.len(), 2, "a GitHub workflow and a GitLab job");
    for block in &blocks {
        let job = tempfile::tempdir().unwrap();
        copy_tree(Path::new("fixtures/demo"), &job.path().join("fleet"));
        let args = command_of(block);
        assert_eq!(args[..3], ["upcheck", "check", "fleet/"], "{args:?}");
        let out = upcheck()
            .current_dir(job.path())
            .args(&args[1..])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "the demo has findings: {args:?}"
        );
        let mut written = Vec::new();
        for pair in args.windows(2).filter(|w| w[0] == "--report") {
            let (format, file) = pair[1].split_once('=').unwrap();
            check_written(job.path(), format, &job.path().join(file));
            written.push(file.to_string());
        }
        match args.iter().position(|a| a == "--format") {
            Some(i) if args[i + 1] == "github" => {
                check_annotations(job.path(), &String::from_utf8_lossy(&out.stdout));
            }
            Some(i) => panic!("no check for --format {}", args[i + 1]),
            None => {}
        }
        let uploaded = artifacts_of(block);
        assert!(!uploaded.is_empty(), "{block}");
        for file in uploaded {
            assert!(
                written.contains(&file),
                "{file} is uploaded but not written by {args:?}"
            );
        }
    }
}
