//! JUnit XML, the report CI systems read natively: one `<testsuite>` per
//! node (and per cluster, site or fleet group), one `<testcase>` per
//! evaluation. A pass is an empty testcase; a fail has `<failure>`; an
//! unknown has `<error>` (the check itself could not run); not-applicable
//! and waived are `<skipped>`, the latter with the waiver's reason. With a
//! baseline, messages start with `[new]` or `[known]`, and known failures
//! can be reported as skipped or passed (`--junit-known`). Each testcase
//! names the evidence file (`file`), which GitLab shows.

use super::{Report, baseline_tag, subject_heading, subject_ranges};
use crate::model::{BaselineState, Evaluation, Status};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

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

pub fn render_junit(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec<u8> cannot fail; the error type is io's.
    let _ = write_document(&mut writer, report);
    let text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    // The writer escapes markup but passes control characters through,
    // and XML 1.0 forbids most of them even as references. Only input text
    // can hold them, so replacing them in the whole document is exact.
    let mut text = crate::model::quote::xml_safe(&text).into_owned();
    text.push('\n');
    text
}

fn write_document(w: &mut Writer<Vec<u8>>, report: &Report) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let known = report.junit_known;
    let counts = Counts::of(report.evaluations.briefs().map(|e| {
        // A baseline state is set on failures only, which are held whole.
        outcome_of(e.status, e.whole.and_then(|e| e.baseline), known)
    }));
    w.create_element("testsuites")
        .with_attributes([
            ("name", format!("upcheck {}", report.phase).as_str()),
            ("tests", &counts.tests.to_string()),
            ("failures", &counts.failures.to_string()),
            ("errors", &counts.errors.to_string()),
            ("skipped", &counts.skipped.to_string()),
            ("timestamp", &report.provenance.generated_at),
        ])
        .write_inner_content(|w| {
            // Each suite's evaluations are made whole while it is written.
            for (id, range) in subject_ranges(&report.evaluations).into_iter().enumerate() {
                let suite: Vec<_> = range.map(|i| report.evaluations.get(i)).collect();
                let suite: Vec<&Evaluation> = suite.iter().map(|e| &**e).collect();
                write_suite(w, report, id, &suite)?;
            }
            Ok(())
        })?;
    Ok(())
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

fn write_suite(
    w: &mut Writer<Vec<u8>>,
    report: &Report,
    id: usize,
    suite: &[&Evaluation],
) -> io::Result<()> {
    let head = suite[0];
    let counts = Counts::of(suite.iter().map(|e| outcome(e, report.junit_known)));
    let p = &report.provenance;
    let properties = [
        ("upcheck.version", report.tool.version.to_string()),
        ("upcheck.phase", report.phase.to_string()),
        ("upcheck.rules_digest", p.rules_digest.clone()),
        ("upcheck.inputs_digest", p.inputs_digest.clone()),
        ("upcheck.generated_at", p.generated_at.clone()),
        ("upcheck.command_line", p.command_line.join(" ")),
        ("upcheck.scope", head.scope.as_str().to_string()),
    ];
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
                for (name, value) in &properties {
                    w.create_element("property")
                        .with_attributes([("name", *name), ("value", value.as_str())])
                        .write_empty()?;
                }
                Ok(())
            })?;
            for e in suite {
                write_case(w, report, e)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, report: &Report, e: &Evaluation) -> io::Result<()> {
    // The name stays the same whether a failure is new or known, so that
    // CI keeps one history per finding; the tag is in the message.
    let mut name = format!("{} {}", e.code, e.name);
    if !e.key.is_empty() {
        name.push_str(&format!(" [{}]", e.key));
    }
    let classname = format!("upcheck.{}.{}", e.scope.as_str(), e.node);
    let (file, _) = report.place(e);
    let case = w.create_element("testcase").with_attributes([
        ("name", name.as_str()),
        ("classname", classname.as_str()),
        ("file", file.as_str()),
    ]);
    let message = format!("{}{}", baseline_tag(e), e.message);
    let (element, kind) = match outcome(e, report.junit_known) {
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
