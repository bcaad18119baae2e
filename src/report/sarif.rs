//! SARIF 2.1.0 for code-scanning dashboards. The driver lists every rule
//! of the catalog and the tool's own codes; each failing, waived or unknown
//! evaluation is a result located at the snapshot file and line that show
//! it, fingerprinted with the evaluation's stable fingerprint. A waived
//! failure carries a suppression; an unknown one is an `open` result (the
//! check could not decide). Passing and not-applicable evaluations are left
//! out: SARIF lists findings, the JSON and JUnit reports list everything.
//!
//! GitHub code scanning adds its own demands, which the output meets: every
//! result has a physical location (a finding without evidence is located at
//! its node's node.json, a group's at the plan.toml or a member's
//! node.json), every URI is relative to `%SRCROOT%` (the folder upcheck
//! runs in), and every rule has an absolute `helpUri`.

use super::pieces::{nested_formatter, text_of, write_array};
use super::{Report, RuleDescriptor};
use crate::model::{BaselineState, Evaluation, Severity, Status, TOOL};
use serde::Serialize;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultKind, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The official SARIF 2.1.0 schema, which the output follows.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of upcheck's fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "upcheck/v1";

/// What every artifact URI is relative to: the folder upcheck runs in
/// (the checkout, in CI), GitHub's and SARIF's usual name for it.
const SRCROOT: &str = "%SRCROOT%";

/// Where `helpUri` points when neither `UPCHECK_DOCS_URL` nor the
/// package's `repository` says: the folder packages install docs in.
const LOCAL_DOCS: &str = "file:///usr/share/doc/upcheck/";

/// The base `helpUri`s are built on (ends with `/`): `UPCHECK_DOCS_URL`,
/// else the package's repository at this version's tag, else the local
/// docs folder. SARIF wants an absolute URI there.
fn docs_base() -> String {
    let base = match std::env::var("UPCHECK_DOCS_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => match env!("CARGO_PKG_REPOSITORY") {
            "" => LOCAL_DOCS.to_string(),
            repo => format!(
                "{}/blob/v{}/docs/",
                repo.trim_end_matches('/'),
                TOOL.version
            ),
        },
    };
    if base.ends_with('/') {
        base
    } else {
        base + "/"
    }
}

/// The anchor of a rule's section in docs/rules.md.
fn help_uri(base: &str, rule: &RuleDescriptor) -> String {
    format!("{base}rules.md#{}-{}", rule.code, rule.name)
}

/// The SARIF log as [`write_sarif`] writes it.
pub fn render_sarif(report: &Report) -> String {
    let mut text = Vec::new();
    match write_sarif(report, &mut text) {
        Ok(()) => text_of(text),
        Err(e) => format!("{{\"error\": \"cannot serialise the SARIF log: {e}\"}}\n"),
    }
}

/// Where the results go in the log's text.
const EMPTY_RESULTS: &str = "\"results\": []";

/// The results' depth in the log: the log, `runs`, the run, `results`.
const RESULT_DEPTH: usize = 4;

/// The SARIF log, written to `out` without building it whole: the log
/// without results is serialised, and the results are
/// built and serialised in parallel a piece at a time (`super::pieces`)
/// in their place. A fleet with a finding on every node makes a log of
/// tens of megabytes, which one thread took six times as long as the
/// JSON report to build and write.
pub fn write_sarif(report: &Report, out: &mut (dyn Write + Send)) -> io::Result<()> {
    let findings = Findings::of(report);
    let head = serde_json::to_string_pretty(&sarif_log(report, vec![]))?;
    let at = (head.find(EMPTY_RESULTS))
        .ok_or_else(|| io::Error::other("the SARIF log has no results field"))?;
    // Up to `"results": `, the array, then what follows its `[]`.
    let (before, after) = head.split_at(at + EMPTY_RESULTS.len() - 2);
    out.write_all(before.as_bytes())?;
    let element = |i: usize, buf: &mut Vec<u8>| {
        let formatter = nested_formatter(RESULT_DEPTH)?;
        let mut serializer = serde_json::Serializer::with_formatter(buf, formatter);
        Ok(findings.result(i).serialize(&mut serializer)?)
    };
    write_array(findings.evaluations.len(), RESULT_DEPTH, element, out)?;
    out.write_all(&after.as_bytes()[2..])?;
    out.write_all(b"\n")
}

/// The evaluations the log has a result for, and what their results need.
struct Findings<'a> {
    /// Failing, waived and unknown: the evaluations held whole.
    evaluations: Vec<&'a Evaluation>,
    locator: Locator<'a>,
    rule_index: BTreeMap<u32, i64>,
}

impl<'a> Findings<'a> {
    fn of(report: &'a Report) -> Findings<'a> {
        let evaluations = (report.evaluations.wholes())
            .filter(|e| matches!(e.status, Status::Fail | Status::Waived | Status::Unknown))
            .collect();
        let rule_index = (report.rules.iter().enumerate())
            .map(|(i, r)| (r.code, i as i64))
            .collect();
        Findings {
            evaluations,
            locator: Locator::new(report),
            rule_index,
        }
    }

    fn result(&self, i: usize) -> SarifResult {
        let e = self.evaluations[i];
        result(e, self.rule_index.get(&e.code).copied(), &self.locator)
    }
}

/// The SARIF log of `report`: one run, its rules, and `results`.
fn sarif_log(report: &Report, results: Vec<SarifResult>) -> Sarif {
    let base = docs_base();
    let rules: Vec<ReportingDescriptor> =
        report.rules.iter().map(|r| descriptor(r, &base)).collect();
    let p = &report.provenance;
    let driver = ToolComponent::builder()
        .name(TOOL.name)
        .version(TOOL.version)
        .semantic_version(TOOL.version)
        .rules(rules)
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .command_line(p.command_line.join(" "))
        .arguments(p.command_line.iter().skip(1).cloned().collect::<Vec<_>>())
        .start_time_utc(p.generated_at.clone())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .properties(bag([
            ("phase", json!(report.phase)),
            ("rulesDigest", json!(p.rules_digest)),
            ("inputsDigest", json!(p.inputs_digest)),
            ("generatedAt", json!(p.generated_at)),
        ]))
        .build();
    Sarif::builder()
        .version(json!("2.1.0"))
        .schema(SCHEMA_URI)
        .runs(vec![run])
        .build()
}

/// SARIF has three levels; critical and major are both errors.
fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::Major => ResultLevel::Error,
        Severity::Minor => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.trim().to_string())
        .build()
}

fn bag<const N: usize>(entries: [(&str, serde_json::Value); N]) -> PropertyBag {
    PropertyBag::builder()
        .additional_properties(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
        .build()
}

fn descriptor(rule: &RuleDescriptor, docs: &str) -> ReportingDescriptor {
    let uri = help_uri(docs, rule);
    // What `upcheck explain` prints; as Markdown, kept preformatted (its
    // lines are laid out for a terminal) and linked to the rule's section.
    let help_text = rule.help.trim().to_string();
    let markdown = format!(
        "```text\n{}\n```\n\n[{} {} in the rule catalog]({uri})",
        help_text.replace("```", "'''"),
        rule.code,
        rule.name
    );
    ReportingDescriptor::builder()
        .id(rule.code.to_string())
        .name(rule.name.clone())
        .short_description(text(&rule.title))
        .full_description(text(&rule.explanation))
        .help_uri(uri)
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(bag([("severity", json!(rule.severity.as_str()))]))
        .build()
}

/// Finds the file each result is located at, as a URI relative to
/// `%SRCROOT%`.
struct Locator<'a> {
    report: &'a Report,
    cwd: PathBuf,
}

impl<'a> Locator<'a> {
    fn new(report: &'a Report) -> Locator<'a> {
        let cwd = std::env::current_dir().unwrap_or_default();
        Locator { report, cwd }
    }

    fn artifact(&self, path: &str) -> ArtifactLocation {
        ArtifactLocation::builder()
            .uri(uri(&relative_to(Path::new(path), &self.cwd)))
            .uri_base_id(SRCROOT)
            .build()
    }

    /// The evidence, else the file the subject is declared in.
    fn places(&self, e: &Evaluation) -> Vec<(String, Option<usize>)> {
        if e.evidence.is_empty() {
            return vec![(self.report.subject_file(e), None)];
        }
        e.evidence
            .iter()
            .map(|ev| (ev.path.clone(), ev.line))
            .collect()
    }
}

/// `path` relative to `base` (both made absolute against `base`), with
/// `..` where it lies outside: SARIF and GitHub want URIs relative to the
/// source root, whatever path was given on the command line.
fn relative_to(path: &Path, base: &Path) -> String {
    fn parts(p: &Path) -> Vec<String> {
        p.components()
            .filter(|c| *c != Component::CurDir && *c != Component::RootDir)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    }
    if path.is_relative() {
        return parts(path).join("/");
    }
    let (to, from) = (parts(path), parts(base));
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let up = (common..from.len()).map(|_| "..".to_string());
    up.chain(to[common..].iter().cloned())
        .collect::<Vec<_>>()
        .join("/")
}

fn result(e: &Evaluation, rule_index: Option<i64>, locator: &Locator) -> SarifResult {
    let locations: Vec<Location> = locator
        .places(e)
        .into_iter()
        .map(|(path, line)| {
            let artifact = locator.artifact(&path);
            let physical = match line.filter(|l| *l > 0) {
                Some(line) => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .region(Region::builder().start_line(line as i64).build())
                    .build(),
                None => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .build(),
            };
            Location::builder().physical_location(physical).build()
        })
        .collect();
    let message = Message::builder()
        // Viewers that ignore `kind` (GitHub) still tell an unknown apart.
        .text(format!(
            "{}{} {}: {}",
            super::unknown_tag(e),
            e.node,
            e.name,
            e.message
        ))
        .build();
    let mut properties = vec![
        ("severity", json!(e.severity.as_str())),
        ("status", json!(e.status.as_str())),
        ("scope", json!(e.scope.as_str())),
        ("node", json!(e.node)),
    ];
    if !e.caused_by.is_empty() {
        properties.push(("causedBy", json!(e.caused_by)));
    }
    let properties = PropertyBag::builder()
        .additional_properties(
            properties
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
        .build();
    let fingerprints = BTreeMap::from([(FINGERPRINT_KEY.to_string(), e.fingerprint.to_string())]);
    let (kind, level) = match e.status {
        // An unknown is not a finding yet: SARIF's `open` kind, which
        // allows no level but `none`.
        Status::Unknown => (ResultKind::Open, ResultLevel::None),
        _ => (ResultKind::Fail, level(e.severity)),
    };
    // A waiver is an external suppression: it lives in waivers.toml.
    let suppressions: Vec<Suppression> = e
        .waiver
        .iter()
        .map(|w| {
            Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(w.reason.trim().to_string())
                .properties(bag([
                    ("approver", json!(w.approver)),
                    ("ticket", json!(w.ticket)),
                    ("created", json!(w.created)),
                    ("expires", json!(w.expires)),
                ]))
                .build()
        })
        .collect();
    let baseline_state = e.baseline.map(|b| match b {
        BaselineState::New => json!("new"),
        BaselineState::Known => json!("unchanged"),
    });
    let base = SarifResult::builder()
        .rule_id(e.code.to_string())
        .kind(kind)
        .level(level)
        .message(message)
        .locations(locations)
        .partial_fingerprints(fingerprints)
        .suppressions(suppressions)
        .properties(properties);
    let mut result = match rule_index {
        Some(i) => base.rule_index(i).build(),
        None => base.build(),
    };
    result.baseline_state = baseline_state;
    result
}

/// A relative URI reference for a snapshot path: `/` separators, and the
/// characters a URI reserves percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_written_in_pieces_is_the_log_serde_writes_whole() {
        // 400 nodes: results in several pieces.
        for nodes in [0, 1, 40, 400] {
            let report = crate::report::complexity::report(nodes);
            let written = render_sarif(&report);
            let findings = Findings::of(&report);
            let results = (0..findings.evaluations.len())
                .map(|i| findings.result(i))
                .collect();
            let rendered =
                serde_json::to_string_pretty(&sarif_log(&report, results)).unwrap() + "\n";
            assert_eq!(
                rendered.matches("\"ruleId\"").count() > 0,
                nodes > 0,
                "{nodes} nodes"
            );
            assert_eq!(written, rendered, "{nodes} nodes");
        }
    }

    #[test]
    fn uris_are_relative_references_with_reserved_characters_encoded() {
        assert_eq!(
            uri("fixtures/demo/site east/ntpq_-np"),
            "fixtures/demo/site%20east/ntpq_-np"
        );
        assert_eq!(uri("commands/date_-u_+%s"), "commands/date_-u_%2B%25s");
        assert_eq!(uri("a\\b#c"), "a/b%23c");
    }

    #[test]
    fn paths_are_made_relative_to_the_source_root() {
        let cwd = Path::new("/srv/ci/checkout");
        let rel = |p: &str| relative_to(Path::new(p), cwd);
        assert_eq!(
            rel("/srv/ci/checkout/fleet/a/node.json"),
            "fleet/a/node.json"
        );
        assert_eq!(rel("./fleet/a/node.json"), "fleet/a/node.json");
        assert_eq!(rel("/srv/ci/other/node.json"), "../other/node.json");
    }

    #[test]
    fn critical_and_major_are_errors_minor_a_warning_info_a_note() {
        assert_eq!(level(Severity::Critical), ResultLevel::Error);
        assert_eq!(level(Severity::Major), ResultLevel::Error);
        assert_eq!(level(Severity::Minor), ResultLevel::Warning);
        assert_eq!(level(Severity::Info), ResultLevel::Note);
    }
}
