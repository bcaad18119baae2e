//! The report formats checked by what reads them: every fixture's JSON
//! report against docs/report.schema.json, SARIF against the official
//! SARIF 2.1.0 schema, JUnit parsed as XML and held to the conventions CI
//! tools accept, and one run writing all the formats at once.

use crate::common::{run_on, upcheck};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use upcheck::catalog::Catalog;
use upcheck::engine::{self, RunOptions};
use upcheck::model::Phase;
use upcheck::policy::Selection;
use upcheck::report::{self, Report};

/// The day of these runs, which the reports' stamps are checked against.
const JAN_1: &str = "1767225600";

fn validator(schema_path: &str, formats: bool) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(formats)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{schema_path} is not a schema: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// Every fixture fleet, and the fires/passes fleet of every rule.
fn fixture_fleets() -> Vec<PathBuf> {
    let mut fleets = Vec::new();
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "rules" {
            for rule in std::fs::read_dir(&path).unwrap() {
                let rule = rule.unwrap().path();
                fleets.push(rule.join("fires"));
                fleets.push(rule.join("passes"));
            }
        } else if path.is_dir() {
            fleets.push(path);
        }
    }
    fleets.sort();
    fleets
}

/// The phases to run a fixture in: all three for a fleet, the first
/// phase of its rule for a rule's fires/passes fixture.
fn phases_of(fleet: &Path, catalog: &Catalog) -> Vec<Phase> {
    let rule_dir = fleet
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let code = rule_dir
        .and_then(|n| n.split('-').next())
        .and_then(|c| c.parse::<u32>().ok());
    match code.and_then(|c| catalog.rules.get(&c)) {
        Some(rule) if fleet.starts_with("fixtures/rules") => vec![rule.phases[0]],
        _ => vec![Phase::Pre, Phase::Post, Phase::Diagnose],
    }
}

#[test]
fn every_fixture_json_report_follows_the_published_schema() {
    // In process: one catalog load for some hundred runs.
    let schema = validator("docs/report.schema.json", true);
    let catalog = Catalog::load(&[]);
    let mut checked = 0;
    for fleet in fixture_fleets() {
        for phase in phases_of(&fleet, &catalog) {
            let options = RunOptions {
                phase: Some(phase),
                selection: Selection::default(),
                jobs: None,
                baseline: None,
                ..Default::default()
            };
            let run = engine::run(std::slice::from_ref(&fleet), &catalog, &options);
            let provenance = report::Provenance {
                rules_digest: catalog.digest(),
                inputs_digest: run.inputs_digest,
                generated_at: report::generated_at(),
                command_line: vec!["upcheck".into(), "check".into()],
            };
            let report = Report::new(
                phase,
                provenance,
                report::rule_descriptors(&catalog),
                run.nodes,
                run.evaluations,
            );
            let json: Value = serde_json::from_str(&report::render_json(&report)).unwrap();
            let what = format!("{} --phase {}", fleet.display(), phase.as_str());
            assert_valid(&schema, &json, &what);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} reports checked");
}

#[test]
fn the_schema_rejects_what_it_does_not_describe() {
    let schema = validator("docs/report.schema.json", true);
    let out = run_on(JAN_1, &["check", "fixtures/demo", "--format", "json"]);
    let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&schema, &report, "demo");
    report["evaluations"][0]["status"] = "passed".into();
    assert!(!schema.is_valid(&report));
    report["evaluations"][0]["status"] = "pass".into();
    report["evaluations"][0]["undocumented"] = true.into();
    assert!(!schema.is_valid(&report));
}

fn demo_sarif() -> Value {
    let out = run_on(JAN_1, &["check", "fixtures/demo", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    // Draft 4 with `format: uri` on relative references would be wrong to
    // assert: SARIF allows relative URI references there.
    let schema = validator("tests/schemas/sarif-schema-2.1.0.json", false);
    assert_valid(&schema, &demo_sarif(), "demo SARIF");
    let out = run_on(
        JAN_1,
        &[
            "check",
            "fixtures/huawei-osn6800-load-failure",
            "--phase",
            "diagnose",
            "--format",
            "sarif",
        ],
    );
    let diagnosis: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&schema, &diagnosis, "diagnosis SARIF");
}

#[test]
fn sarif_describes_every_rule_and_locates_every_failure() {
    let sarif = demo_sarif();
    let sarif_run = &sarif["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    let listed = run_on(JAN_1, &["rules", "list", "--format", "json"]);
    let catalog: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let catalog = catalog.as_array().unwrap();
    // The catalog plus the tool's own 9xxxx codes.
    assert_eq!(
        rules
            .iter()
            .filter(|r| !r["id"].as_str().unwrap().starts_with('9'))
            .count(),
        catalog.len()
    );
    let r20002 = rules.iter().find(|r| r["id"] == "20002").unwrap();
    assert_eq!(r20002["name"], "patch-not-running");
    assert_eq!(r20002["defaultConfiguration"]["level"], "error");
    assert!(
        !r20002["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert!(!r20002["help"]["text"].as_str().unwrap().is_empty());

    let report: Value = serde_json::from_slice(
        &run_on(JAN_1, &["check", "fixtures/demo", "--format", "json"]).stdout,
    )
    .unwrap();
    let failed: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "fail")
        .collect();
    let results = sarif_run["results"].as_array().unwrap();
    let fails: Vec<&Value> = results.iter().filter(|r| r["kind"] == "fail").collect();
    assert_eq!(fails.len(), failed.len());
    for e in failed {
        let r = fails
            .iter()
            .find(|r| r["partialFingerprints"]["upcheck/v1"] == e["fingerprint"])
            .unwrap_or_else(|| panic!("no SARIF result for {e}"));
        assert_eq!(r["ruleId"], e["code"].to_string());
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let Some(first) = e["evidence"].get(0) else {
            // Located at the node's node.json (GitHub rejects a result
            // without a location); github_code_scanning_… checks the rest.
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                uri.ends_with("/node.json") || uri.ends_with("plan.toml"),
                "{uri}"
            );
            continue;
        };
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert_eq!(percent_decoded(uri), first["path"].as_str().unwrap());
        if let Some(line) = first["line"].as_u64() {
            assert_eq!(location["region"]["startLine"], line);
        }
        let level = match e["severity"].as_str().unwrap() {
            "critical" | "major" => "error",
            "minor" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
    }
    let unknown = results.iter().filter(|r| r["kind"] == "open").count();
    assert_eq!(unknown as u64, report["summary"]["by_status"]["unknown"]);
    let invocation = &sarif_run["invocations"][0];
    assert_eq!(
        invocation["commandLine"],
        "upcheck check fixtures/demo --format sarif"
    );
    assert_eq!(invocation["startTimeUtc"], "2026-01-01T00:00:00Z");
    assert_eq!(
        sarif_run["properties"]["rulesDigest"],
        report["rules_digest"]
    );
    assert_eq!(
        sarif_run["properties"]["inputsDigest"],
        report["inputs_digest"]
    );
}

/// What GitHub code scanning demands beyond the schema: every result
/// located at a file (upload-sarif rejects the whole file otherwise), URIs
/// relative to `%SRCROOT%` even when the path given was absolute, and an
/// absolute `helpUri` and the `explain` text on every rule.
#[test]
fn sarif_meets_github_code_scanning_requirements() {
    let root = env!("CARGO_MANIFEST_DIR");
    let absolute = format!("{root}/fixtures/demo");
    let out = upcheck()
        .args(["check", &absolute, "--format", "sarif"])
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", JAN_1)
        .env_remove("UPCHECK_DOCS_URL")
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema = validator("tests/schemas/sarif-schema-2.1.0.json", false);
    assert_valid(&schema, &sarif, "SARIF of an absolute path");
    let sarif_run = &sarif["runs"][0];
    let results = sarif_run["results"].as_array().unwrap();
    // The demo has node-level findings without evidence (10010) and fleet
    // and node unknowns without evidence (10011, 40008).
    for code in ["10010", "10011", "40008"] {
        assert!(results.iter().any(|r| r["ruleId"] == code), "no {code}");
    }
    let open: Vec<&Value> = results.iter().filter(|r| r["kind"] == "open").collect();
    assert!(!open.is_empty());
    for r in open {
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("unknown: ")
        );
    }
    for r in results {
        let locations = r["locations"].as_array().unwrap();
        assert!(!locations.is_empty(), "{} has no location", r["ruleId"]);
        for l in locations {
            let artifact = &l["physicalLocation"]["artifactLocation"];
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
            let uri = artifact["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains(':') && !uri.starts_with(".."),
                "{uri} is not relative to the source root"
            );
            let file = Path::new(root).join(percent_decoded(uri));
            assert!(file.is_file(), "{uri} names no file");
        }
    }
    let rules_md = std::fs::read_to_string("docs/rules.md").unwrap();
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let (base, anchor) = uri.split_once("rules.md#").unwrap();
        assert!(base.contains("://"), "{uri} is not absolute");
        assert!(
            rules_md.contains(&format!("\n## {anchor}\n")),
            "{uri}: no such section in docs/rules.md"
        );
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(rule["help"]["markdown"].as_str().unwrap().contains(uri));
    }
    let explained = run_on(JAN_1, &["explain", "10010"]);
    let r10010 = rules.iter().find(|r| r["id"] == "10010").unwrap();
    assert_eq!(
        r10010["help"]["text"].as_str().unwrap(),
        String::from_utf8_lossy(&explained.stdout).trim()
    );
    // The base is configurable for a site's own copy of the docs.
    let out = upcheck()
        .args(["check", "fixtures/demo", "--format", "sarif"])
        .env("UPCHECK_DOCS_URL", "https://docs.example.org/upcheck")
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"]
            .as_str()
            .unwrap()
            .split_once('#')
            .unwrap()
            .0,
        "https://docs.example.org/upcheck/rules.md"
    );
}

fn percent_decoded(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&uri[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            assert!(!b" #?[]".contains(&bytes[i]), "{uri} is not encoded");
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn children<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .collect()
}

fn count_attr(node: roxmltree::Node, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> lacks {name}", node.tag_name().name()))
        .parse()
        .unwrap()
}

#[test]
fn junit_has_a_suite_per_subject_and_a_testcase_per_evaluation() {
    let out = run_on(JAN_1, &["check", "fixtures/demo", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let report: Value = serde_json::from_slice(
        &run_on(JAN_1, &["check", "fixtures/demo", "--format", "json"]).stdout,
    )
    .unwrap();
    let evaluations = report["evaluations"].as_array().unwrap();
    let by_status = &report["summary"]["by_status"];

    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(count_attr(root, "tests"), evaluations.len());
    assert_eq!(count_attr(root, "failures") as u64, by_status["fail"]);
    assert_eq!(count_attr(root, "errors") as u64, by_status["unknown"]);
    assert_eq!(
        count_attr(root, "skipped") as u64,
        by_status["not-applicable"].as_u64().unwrap() + by_status["waived"].as_u64().unwrap()
    );

    let mut subjects: Vec<(String, String)> = evaluations
        .iter()
        .map(|e| (e["scope"].to_string(), e["node"].to_string()))
        .collect();
    subjects.dedup();
    let suites = children(root, "testsuite");
    assert_eq!(suites.len(), subjects.len());
    let mut cases = 0;
    for suite in suites {
        let name = suite.attribute("name").unwrap();
        let tests = children(suite, "testcase");
        assert_eq!(count_attr(suite, "tests"), tests.len(), "{name}");
        let with = |tag: &str| {
            tests
                .iter()
                .filter(|t| !children(**t, tag).is_empty())
                .count()
        };
        assert_eq!(count_attr(suite, "failures"), with("failure"), "{name}");
        assert_eq!(count_attr(suite, "errors"), with("error"), "{name}");
        assert_eq!(count_attr(suite, "skipped"), with("skipped"), "{name}");
        let properties = children(children(suite, "properties")[0], "property");
        assert!(
            properties
                .iter()
                .any(|p| p.attribute("name") == Some("upcheck.rules_digest")
                    && p.attribute("value") == report["rules_digest"].as_str())
        );
        let mut names = std::collections::BTreeSet::new();
        for t in &tests {
            assert!(t.attribute("classname").is_some());
            assert!(
                names.insert(t.attribute("name").unwrap()),
                "{name}: duplicate testcase"
            );
            assert!(t.children().filter(roxmltree::Node::is_element).count() <= 1);
            for failure in children(*t, "failure") {
                assert!(failure.attribute("message").is_some());
                assert!(
                    ["critical", "major", "minor", "info"]
                        .contains(&failure.attribute("type").unwrap())
                );
            }
        }
        cases += tests.len();
    }
    assert_eq!(cases, evaluations.len());
    // A failure carries its evidence and remediation in the body.
    let weak_hash = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("50001 weak-password-hash [admusr]"))
        .expect("the planted 50001 testcase");
    let body = children(weak_hash, "failure")[0].text().unwrap();
    assert!(body.contains("etc/shadow:4"), "{body}");
    assert!(
        body.contains("remediation: Fix the hashing policy first"),
        "{body}"
    );
}

#[test]
fn one_run_writes_every_format_and_each_file_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let target = |format: &str, name: &str| format!("{format}={}", file(name).display());
    let out = run_on(
        JAN_1,
        &[
            "check",
            "fixtures/demo",
            "--report",
            &target("json", "report.json"),
            "--report",
            &target("junit", "junit.xml"),
            "--report",
            &target("sarif", "upcheck.sarif"),
            "--report",
            &target("markdown", "summary.md"),
            "--report",
            &target("html", "report.html"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let read = |name: &str| std::fs::read_to_string(file(name)).unwrap();
    let json: Value = serde_json::from_str(&read("report.json")).unwrap();
    // The table still goes to stdout, and tells the same run.
    let table = String::from_utf8_lossy(&out.stdout);
    let summary = format!(
        "13 node(s), {} evaluation(s)",
        json["summary"]["evaluations"]
    );
    assert!(table.contains(&summary), "{table}");
    roxmltree::Document::parse(&read("junit.xml")).unwrap();
    let _: Value = serde_json::from_str(&read("upcheck.sarif")).unwrap();
    let md = read("summary.md");
    assert!(md.starts_with("## upcheck pre check: ❌ failing"));
    assert!(md.contains("- **critical** `50001 weak-password-hash`"));
    assert!(md.contains(&format!(
        "rules digest: `{}`",
        json["rules_digest"].as_str().unwrap()
    )));
    let html = read("report.html");
    assert!(html.ends_with("</html>\n"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page fetches nothing"
    );
    // Every format carries the same provenance.
    for name in ["junit.xml", "upcheck.sarif", "summary.md", "report.html"] {
        let text = read(name);
        assert!(
            text.contains(json["inputs_digest"].as_str().unwrap()),
            "{name}"
        );
        assert!(text.contains("2026-01-01T00:00:00Z"), "{name}");
    }
}

#[test]
fn a_bad_report_target_is_a_usage_error() {
    for (arg, says) in [
        ("xml=out.xml", "unknown format `xml`"),
        ("junit", "expected FORMAT=FILE"),
        ("junit=", "no file after `junit=`"),
    ] {
        let out = run_on(JAN_1, &["check", "fixtures/demo", "--report", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{arg}: {err}");
    }
    let out = run_on(
        JAN_1,
        &[
            "check",
            "fixtures/demo",
            "--report",
            "json=no-such-folder/report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!Path::new("no-such-folder").exists());
}

/// Copies a node snapshot (hard links, node.json rewritten) under `dir`
/// `count` times with distinct hostnames.
fn fleet_of_copies(node: &Path, dir: &Path, count: usize) {
    let identity: Value =
        serde_json::from_str(&std::fs::read_to_string(node.join("node.json")).unwrap()).unwrap();
    let files: Vec<PathBuf> = walk(node);
    for i in 0..count {
        let copy = dir.join(format!("node-{i:04}"));
        for file in &files {
            let target = copy.join(file.strip_prefix(node).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            if file.ends_with("node.json") {
                let mut id = identity.clone();
                id["hostname"] = format!("node-{i:04}").into();
                std::fs::write(&target, id.to_string()).unwrap();
            } else {
                std::fs::hard_link(file, &target).unwrap();
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// GitHub refuses a step summary above 1 MiB: the Markdown of a 2,000-node
/// fleet, every node failing, stays below it and says where the rest is.
#[test]
fn markdown_of_a_large_fleet_fits_a_github_step_summary() {
    // Beside the fixtures (same file system) so that hard links work.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    fleet_of_copies(
        Path::new("fixtures/demo/site-east/ne-osn6800-01"),
        dir.path(),
        2000,
    );
    std::fs::copy("fixtures/demo/plan.toml", dir.path().join("plan.toml")).unwrap();
    let out = run_on(
        JAN_1,
        &[
            "check",
            dir.path().to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(md.contains("2000 node(s)"));
    assert!(md.contains("more subject(s) with problems; see the HTML or JSON report artifact"));
    assert!(md.contains("more fail finding(s); see the HTML or JSON report artifact"));
    assert!(md.contains("<summary>Provenance</summary>"));
}

/// A compliance run against a baseline report that lacks the 2xxxx
/// findings, in JUnit, with `extra` flags.
fn junit_with_baseline(dir: &Path, extra: &[&str]) -> String {
    let baseline = dir.join("accepted.json");
    let baseline = baseline.to_str().unwrap();
    let fleet = "fixtures/compliance";
    run_on(
        JAN_1,
        &[
            "check", fleet, "--ignore", "2", "--format", "json", "--output", baseline,
        ],
    );
    let mut args = vec!["check", fleet, "--baseline", baseline, "--format", "junit"];
    args.extend(extra);
    String::from_utf8(run_on(JAN_1, &args).stdout).unwrap()
}

/// Reads the JUnit file with junitparser, as Python CI tooling does, and
/// prints per suite: name, tests, failures, errors, skipped, then per
/// testcase its result and message.
const JUNITPARSER: &str = r#"
import sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print("suite", suite.name, suite.tests, suite.failures, suite.errors, suite.skipped)
    for case in suite:
        for r in case.result:
            print("case", type(r).__name__, case.name, "|", r.message)
"#;

fn junitparser(file: &Path) -> Option<String> {
    if std::env::var_os("UPCHECK_SKIP_PYTHON_JUNIT").is_some() {
        eprintln!("\n*** SKIPPED: the JUnit report was NOT read with junitparser ***\n");
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", JUNITPARSER])
        .arg(file)
        .output()
        .expect("python3 to read the JUnit report");
    assert!(
        out.status.success(),
        "junitparser: {} (scripts/test installs it; UPCHECK_SKIP_PYTHON_JUNIT=1 skips this)",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn junit_tags_baseline_failures_and_names_the_evidence_file() {
    let dir = tempfile::tempdir().unwrap();
    for known_as in ["failure", "skipped", "passed"] {
        let xml = junit_with_baseline(dir.path(), &["--junit-known", known_as]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let (mut new, mut known) = (0, 0);
        for case in &cases {
            let file = case.attribute("file").expect("a file attribute");
            assert!(Path::new(file).exists(), "{file}");
            if let Some(f) = case.children().find(|n| n.has_tag_name("failure")) {
                let message = f.attribute("message").unwrap();
                assert!(message.starts_with("[new] ") || message.starts_with("[known] "));
                new += usize::from(message.starts_with("[new] "));
                known += usize::from(message.starts_with("[known] "));
            }
        }
        assert!(new > 0, "{known_as}: no [new] failure");
        if known_as == "failure" {
            assert!(known > 0, "no [known] failure");
        } else {
            assert_eq!(known, 0, "{known_as}: a known failure is still a failure");
        }
        let skipped_known = cases
            .iter()
            .filter_map(|c| c.children().find(|n| n.has_tag_name("skipped")))
            .filter(|s| s.attribute("message").unwrap().starts_with("[known] "))
            .count();
        assert_eq!(skipped_known > 0, known_as == "skipped");

        let file = dir.path().join(format!("{known_as}.xml"));
        std::fs::write(&file, &xml).unwrap();
        let Some(parsed) = junitparser(&file) else {
            continue;
        };
        // junitparser agrees with the document's own counts per suite.
        for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
            let line = format!(
                "suite {} {} {} {} {}",
                suite.attribute("name").unwrap(),
                suite.attribute("tests").unwrap(),
                suite.attribute("failures").unwrap(),
                suite.attribute("errors").unwrap(),
                suite.attribute("skipped").unwrap()
            );
            assert!(parsed.lines().any(|l| l == line), "{line} not in\n{parsed}");
        }
        let failures = parsed
            .lines()
            .filter(|l| l.starts_with("case Failure "))
            .count();
        assert_eq!(failures, new + known);
        assert_eq!(
            parsed
                .lines()
                .any(|l| l.starts_with("case Skipped ") && l.contains("| [known] ")),
            known_as == "skipped"
        );
    }
}

/// `--format github`: one workflow command per failing or unknown
/// evaluation, at an existing file, the level by severity; `--format
/// gitlab`: Code Quality issues with the fields GitLab requires.
#[test]
fn github_annotations_and_gitlab_code_quality() {
    let report: Value = serde_json::from_slice(
        &run_on(JAN_1, &["check", "fixtures/demo", "--format", "json"]).stdout,
    )
    .unwrap();
    let findings: Vec<&Value> = report["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "fail" || e["status"] == "unknown")
        .collect();
    let out = run_on(JAN_1, &["check", "fixtures/demo", "--format", "github"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for (line, e) in lines.iter().zip(&findings) {
        let (command, rest) = line[2..].split_once(' ').unwrap();
        let (props, message) = rest.split_once("::").unwrap();
        let expected = match (
            e["status"].as_str().unwrap(),
            e["severity"].as_str().unwrap(),
        ) {
            ("unknown", _) | (_, "info") => "notice",
            (_, "minor") => "warning",
            _ => "error",
        };
        assert_eq!(command, expected, "{line}");
        let props: Vec<(&str, &str)> = props
            .split(',')
            .map(|p| p.split_once('=').unwrap())
            .collect();
        assert_eq!(props[0].0, "file");
        assert!(Path::new(&percent_decoded(props[0].1)).is_file(), "{line}");
        assert_eq!(props[1].0, "line");
        assert!(props[1].1.parse::<u32>().unwrap() >= 1);
        assert!(message.contains(&e["code"].to_string()), "{line}");
    }

    let out = run_on(JAN_1, &["check", "fixtures/demo", "--format", "gitlab"]);
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let mut fingerprints = std::collections::BTreeSet::new();
    for (issue, e) in issues.iter().zip(&findings) {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].is_string(), "{field} in {issue}");
        }
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap()));
        assert_eq!(issue["fingerprint"], e["fingerprint"]);
        let severity = issue["severity"].as_str().unwrap();
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
        if e["status"] == "fail" {
            assert_eq!(severity, e["severity"].as_str().unwrap());
        }
        assert!(Path::new(issue["location"]["path"].as_str().unwrap()).is_file());
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
}

/// `--statistics`: a count per code, severity and status that adds up to
/// the summary's failing, unknown and waived evaluations, most first.
#[test]
fn statistics_count_the_problems_per_code() {
    let report: Value = serde_json::from_slice(
        &run_on(JAN_1, &["check", "fixtures/demo", "--format", "json"]).stdout,
    )
    .unwrap();
    let by_status = &report["summary"]["by_status"];
    let expected = ["fail", "unknown", "waived"]
        .iter()
        .map(|s| by_status[s].as_u64().unwrap())
        .sum::<u64>();
    let out = run_on(JAN_1, &["check", "fixtures/demo", "--statistics"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (summary, rows) = lines.split_last().unwrap();
    assert!(summary.contains("node(s)"), "{summary}");
    let counts: Vec<u64> = rows
        .iter()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), expected);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "not most first");
}
