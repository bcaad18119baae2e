//! The formats CI systems read from a job directly, as ruff offers them:
//! GitHub Actions workflow commands (`::error file=…,line=…::…`), which
//! annotate the run and the pull request, and GitLab Code Quality JSON,
//! which GitLab shows in the merge request. Both list the failing and
//! unknown evaluations (waived ones are accepted, passing ones are no
//! finding), each at its evidence, else at the file its subject is
//! declared in.

use super::pieces::{nested_formatter, text_of, write_array};
use super::{Report, baseline_tag, unknown_tag};
use crate::model::{Evaluation, Severity, Status};
use serde::Serialize;
use serde_json::json;

/// The evaluations CI annotates (held whole).
fn findings(report: &Report) -> impl Iterator<Item = &Evaluation> {
    report
        .evaluations
        .wholes()
        .filter(|e| matches!(e.status, Status::Fail | Status::Unknown))
}

/// GitHub Actions workflow commands: critical and major failures are
/// errors, minor ones warnings, info and unknown ones notices.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for e in findings(report) {
        let command = match (e.status, e.severity) {
            (Status::Unknown, _) | (_, Severity::Info) => "notice",
            (_, Severity::Minor) => "warning",
            _ => "error",
        };
        let (file, line) = report.place(e);
        let status = unknown_tag(e);
        let title = format!("upcheck {} {} ({})", e.code, e.name, e.severity);
        let message = format!(
            "{}{status}{} {}: {}",
            baseline_tag(e),
            e.node,
            e.code,
            e.message
        );
        out.push_str(&format!(
            "::{command} file={},line={line},title={}::{}\n",
            property(&file),
            property(&title),
            data(&message)
        ));
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped (GitHub's rules),
/// and control characters shown, so input text cannot start a command of
/// its own on a new line.
fn data(s: &str) -> String {
    crate::model::quote::printable(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: `:` and `,` escaped too.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The GitLab Code Quality report: a pretty JSON array of issues
/// ([`gitlab_issue`]), each built and serialised on its own, in pieces on
/// the run's threads (`super::pieces`) rather than as one tree of the
/// whole fleet.
pub fn render_gitlab(report: &Report) -> String {
    let findings: Vec<&Evaluation> = findings(report).collect();
    let issue = |i: usize, buf: &mut Vec<u8>| {
        let formatter = nested_formatter(1)?;
        let mut serializer = serde_json::Serializer::with_formatter(buf, formatter);
        Ok(gitlab_issue(report, findings[i]).serialize(&mut serializer)?)
    };
    let mut text = Vec::new();
    match write_array(findings.len(), 1, issue, &mut text) {
        Ok(()) => text_of(text) + "\n",
        Err(_) => "[]\n".into(),
    }
}

/// One Code Quality issue. Severity: critical → critical, major → major,
/// minor → minor, info → info; an unknown is `info` (the check could not
/// decide; GitLab has no other word for it). The fingerprint is the
/// evaluation's.
fn gitlab_issue(report: &Report, e: &Evaluation) -> serde_json::Value {
    let (path, line) = report.place(e);
    let severity = match (e.status, e.severity) {
        (Status::Unknown, _) | (_, Severity::Info) => "info",
        (_, Severity::Minor) => "minor",
        (_, Severity::Major) => "major",
        (_, Severity::Critical) => "critical",
    };
    let status = unknown_tag(e);
    json!({
        "description": format!("{}{status}{} {} {}: {}", baseline_tag(e), e.node, e.code, e.name, e.message),
        "check_name": format!("{} {}", e.code, e.name),
        "fingerprint": e.fingerprint.to_string(),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_quality_report_in_pieces_is_what_serde_writes_whole() {
        // 400 nodes: issues in several pieces.
        for nodes in [0, 1, 40, 400] {
            let report = crate::report::complexity::report(nodes);
            let issues: Vec<serde_json::Value> =
                (findings(&report).map(|e| gitlab_issue(&report, e))).collect();
            let whole = serde_json::to_string_pretty(&issues).unwrap() + "\n";
            assert_eq!(issues.is_empty(), nodes == 0);
            assert_eq!(render_gitlab(&report), whole, "{nodes} nodes");
        }
    }

    #[test]
    fn workflow_command_text_cannot_start_a_command() {
        assert_eq!(data("50%\n::error::x"), "50%25\\n::error::x");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
