//! JUnit XML, the report CI systems read natively: one `<testsuite>` per
//! node (and per cluster, site or fleet group), one `<testcase>` per
//! evaluation. A pass is an empty testcase; a fail has `<failure>`; an
//! unknown has `<error>` (the check itself could not run); not-applicable
//! and waived are `<skipped>`, the latter with the waiver's reason. With a
//! baseline, messages start with `[new]` or `[known]`, and known failures
//! can be reported as skipped or passed (`--junit-known`). Each testcase
//! names the evidence file (`file`), which GitLab shows.

use super::pieces::write_pieces;
use super::{Report, baseline_tag, subject_heading, subject_ranges};
use crate::model::{BaselineState, Evaluation, Status};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::borrow::Cow;
use std::io::{self, Write};

/// How a failure the baseline report already had is reported.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KnownAs {
    /// A failure like a new one (its message starts with `[known]`).
    #[default]
    Failure,
    /// A skipped testcase: CI shows it without failing the test view.
    Skipped,
    /// A passing testcase.
    Passed,
}

/// What a testcase holds.
#[derive(PartialEq, Eq)]
enum Outcome {
    Pass,
    Failure,
    Error,
    Skipped,
}

fn outcome(e: &Evaluation, known: KnownAs) -> Outcome {
    outcome_of(e.status, e.baseline, known)
}

fn outcome_of(status: Status, baseline: Option<BaselineState>, known: KnownAs) -> Outcome {
    match status {
        Status::Pass => Outcome::Pass,
        Status::Fail if baseline == Some(BaselineState::Known) => match known {
            KnownAs::Failure => Outcome::Failure,
            KnownAs::Skipped => Outcome::Skipped,
            KnownAs::Passed => Outcome::Pass,
        },
        Status::Fail => Outcome::Failure,
        Status::Unknown => Outcome::Error,
        Status::NotApplicable | Status::Waived => Outcome::Skipped,
    }
}

/// Suites rendered as one piece (see `super::pieces`).
const SUITES_PER_PIECE: usize = 32;

/// The JUnit document of [`write_junit`], whole.
pub fn render_junit(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into a Vec<u8> cannot fail, and the document is UTF-8.
    let _ = write_junit(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The JUnit document of a report, ending in a newline, written as it is
/// rendered: its suites rendered in parallel (in the current rayon pool) a
/// few at a time, as one writer writing them one after the other would.
pub fn write_junit(report: &Report, out: &mut (dyn Write + Send)) -> io::Result<()> {
    write_junit_in(report, out, SUITES_PER_PIECE)
}

fn write_junit_in(
    report: &Report,
    out: &mut (dyn Write + Send),
    suites_per_piece: usize,
) -> io::Result<()> {
    // The document's head up to `<testsuites …>`, then its end, written by
    // one writer; each piece's writer starts where that head leaves it.
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.write_event(Event::Start(suites_start(report)))?;
    out.write_all(&xml_safe_bytes(std::mem::take(writer.get_mut()))?)?;
    let suites = subject_ranges(&report.evaluations);
    let properties = properties(report);
    write_pieces(
        suites.len().div_ceil(suites_per_piece),
        |piece| {
            let first = piece * suites_per_piece;
            let last = (first + suites_per_piece).min(suites.len());
            let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
            // Inside `<testsuites>`: one level deep, on a new line.
            w.write_event(Event::Start(BytesStart::new("testsuites")))?;
            w.get_mut().clear();
            for (id, range) in suites[first..last].iter().enumerate() {
                write_suite(&mut w, report, &properties, first + id, range.clone())?;
            }
            xml_safe_bytes(w.into_inner())
        },
        out,
    )?;
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    out.write_all(&xml_safe_bytes(writer.into_inner())?)?;
    out.write_all(b"\n")
}

/// The writer escapes markup but passes control characters through, and
/// XML 1.0 forbids most of them even as references. Only input text can
/// hold them, so replacing them in each piece of the document is exact.
fn xml_safe_bytes(bytes: Vec<u8>) -> io::Result<Vec<u8>> {
    let text = String::from_utf8(bytes).map_err(io::Error::other)?;
    Ok(match crate::model::quote::xml_safe(&text) {
        Cow::Borrowed(_) => text.into_bytes(),
        Cow::Owned(safe) => safe.into_bytes(),
    })
}

/// `<testsuites …>` with the counts of the whole report.
fn suites_start(report: &Report) -> BytesStart<'static> {
    let known = report.junit_known;
    let counts = Counts::of(report.evaluations.briefs().map(|e| {
        // A baseline state is set on failures only, which are held whole.
        outcome_of(e.status, e.whole.and_then(|e| e.baseline), known)
    }));
    BytesStart::new("testsuites").with_attributes([
        ("name", format!("upcheck {}", report.phase).as_str()),
        ("tests", &counts.tests.to_string()),
        ("failures", &counts.failures.to_string()),
        ("errors", &counts.errors.to_string()),
        ("skipped", &counts.skipped.to_string()),
        ("timestamp", &report.provenance.generated_at),
    ])
}

/// The properties every suite carries but its scope: the run's stamps.
fn properties(report: &Report) -> [(&'static str, String); 6] {
    let p = &report.provenance;
    [
        ("upcheck.version", report.tool.version.to_string()),
        ("upcheck.phase", report.phase.to_string()),
        ("upcheck.rules_digest", p.rules_digest.clone()),
        ("upcheck.inputs_digest", p.inputs_digest.clone()),
        ("upcheck.generated_at", p.generated_at.clone()),
        ("upcheck.command_line", p.command_line.join(" ")),
    ]
}

struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(outcomes: impl Iterator<Item = Outcome>) -> Counts {
        let mut counts = Counts {
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for o in outcomes {
            counts.tests += 1;
            match o {
                Outcome::Failure => counts.failures += 1,
                Outcome::Error => counts.errors += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Pass => {}
            }
        }
        counts
    }
}

/// One subject's suite; its evaluations are made whole while it is written.
fn write_suite(
    w: &mut Writer<Vec<u8>>,
    report: &Report,
    properties: &[(&str, String)],
    id: usize,
    range: std::ops::Range<usize>,
) -> io::Result<()> {
    let suite: Vec<_> = range.map(|i| report.evaluations.get(i)).collect();
    let head = &*suite[0];
    let counts = Counts::of(suite.iter().map(|e| outcome(e, report.junit_known)));
    let p = &report.provenance;
    w.create_element("testsuite")
        .with_attributes([
            ("name", subject_heading(head).as_str()),
            ("id", &id.to_string()),
            ("hostname", &head.node),
            ("tests", &counts.tests.to_string()),
            ("failures", &counts.failures.to_string()),
            ("errors", &counts.errors.to_string()),
            ("skipped", &counts.skipped.to_string()),
            ("timestamp", &p.generated_at),
        ])
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                let scope = ("upcheck.scope", head.scope.as_str());
                let all = properties.iter().map(|(n, v)| (*n, v.as_str()));
                for (name, value) in all.chain([scope]) {
                    w.create_element("property")
                        .with_attributes([("name", name), ("value", value)])
                        .write_empty()?;
                }
                Ok(())
            })?;
            let shared = Shared {
                classname: format!("upcheck.{}.{}", head.scope.as_str(), head.node),
                subject_file: report.subject_file(head),
                known: report.junit_known,
            };
            for e in &suite {
                write_case(w, &shared, e)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// What the testcases of one suite (one subject) have in common.
struct Shared {
    classname: String,
    /// Where a testcase without evidence is located (`Report::place`).
    subject_file: String,
    known: KnownAs,
}

fn write_case(w: &mut Writer<Vec<u8>>, shared: &Shared, e: &Evaluation) -> io::Result<()> {
    // The name stays the same whether a failure is new or known, so that
    // CI keeps one history per finding; the tag is in the message.
    let mut name = format!("{} {}", e.code, e.name);
    if !e.key.is_empty() {
        name.push_str(&format!(" [{}]", e.key));
    }
    // As `Report::place`: the first evidence, else the subject's file.
    let file = e
        .evidence
        .first()
        .map_or(&*shared.subject_file, |ev| &ev.path);
    let case = w.create_element("testcase").with_attributes([
        ("name", name.as_str()),
        ("classname", shared.classname.as_str()),
        ("file", file),
    ]);
    let message = format!("{}{}", baseline_tag(e), e.message);
    let (element, kind) = match outcome(e, shared.known) {
        Outcome::Pass => {
            case.write_empty()?;
            return Ok(());
        }
        Outcome::Failure => ("failure", e.severity.as_str()),
        Outcome::Error => ("error", "unknown"),
        Outcome::Skipped => {
            let message = match (&e.waiver, e.status) {
                (Some(w), _) => format!("{}; {}", super::waiver_text(w), e.message),
                (None, Status::Fail) => format!("{message} (in the baseline report)"),
                (None, _) => format!("not applicable: {}", e.message),
            };
            case.write_inner_content(|w| {
                w.create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
            return Ok(());
        }
    };
    case.write_inner_content(|w| {
        w.create_element(element)
            .with_attributes([("message", message.as_str()), ("type", kind)])
            .write_text_content(BytesText::new(&details(e)))?;
        Ok(())
    })?;
    Ok(())
}

/// The body of a failure or error: the message, where it was seen, what
/// caused it and what to do.
fn details(e: &Evaluation) -> String {
    let mut out = format!("{} {} ({}): {}\n", e.code, e.name, e.severity, e.message);
    for ev in &e.evidence {
        out.push_str("  at ");
        out.push_str(&ev.place());
        if let Some(excerpt) = &ev.excerpt {
            out.push_str(&format!(": {excerpt}"));
        }
        out.push('\n');
        for c in &ev.context {
            out.push_str(&format!("      {c}\n"));
        }
    }
    for cause in &e.caused_by {
        out.push_str(&format!("  caused by {} on {}\n", cause.code, cause.node));
    }
    if !e.remediation.is_empty() {
        out.push_str(&format!("remediation: {}\n", e.remediation.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(report: &Report, suites_per_piece: usize, threads: usize) -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| write_junit_in(report, &mut out, suites_per_piece))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// However the suites are cut into pieces and however many threads
    /// render them, the document is the one a single piece (one writer for
    /// every suite) makes.
    #[test]
    fn the_document_is_the_same_however_its_suites_are_cut_and_rendered() {
        for nodes in [0, 1, 3, 300] {
            let mut report = crate::report::complexity::report(nodes);
            report.junit_known = KnownAs::Skipped;
            for (i, e) in report.evaluations.wholes_mut().enumerate() {
                match i % 3 {
                    0 => e.message = format!("escape \u{1b}[31m <&> {i}").into(),
                    1 => e.baseline = Some(BaselineState::Known),
                    _ => e.key = format!("key {i}").into(),
                }
            }
            let whole = written(&report, usize::MAX, 1);
            assert!(whole.ends_with("</testsuites>\n"), "{whole}");
            assert!(!whole.contains('\u{1b}'));
            for (suites_per_piece, threads) in [(1, 1), (1, 8), (7, 2), (SUITES_PER_PIECE, 8)] {
                assert!(
                    written(&report, suites_per_piece, threads) == whole,
                    "{nodes} nodes, {suites_per_piece} suites a piece, {threads} threads"
                );
            }
        }
    }
}
