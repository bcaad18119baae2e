//! JUnit XML, the report CI systems read natively: one `<testsuite>` per
//! node (and per cluster, site or fleet group), one `<testcase>` per
//! evaluation. A pass is an empty testcase; a fail has `<failure>`; an
//! unknown has `<error>` (the check itself could not run); not-applicable
//! and waived are `<skipped>`, the latter with the waiver's reason.

use super::{Report, by_subject, subject_heading};
use crate::model::{Evaluation, Status};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

pub fn render_junit(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec<u8> cannot fail; the error type is io's.
    let _ = write_document(&mut writer, report);
    let text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    // The writer escapes markup but passes control characters through,
    // and XML 1.0 forbids most of them even as references. Only input text
    // can hold them, so replacing them in the whole document is exact.
    let mut text = crate::quote::xml_safe(&text).into_owned();
    text.push('\n');
    text
}

fn write_document(w: &mut Writer<Vec<u8>>, report: &Report) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<&Evaluation> = report.evaluations.iter().collect();
    let counts = Counts::of(&all);
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
            for (id, suite) in by_subject(&report.evaluations).iter().enumerate() {
                write_suite(w, report, id, suite)?;
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
    fn of(evaluations: &[&Evaluation]) -> Counts {
        let n = |f: fn(Status) -> bool| evaluations.iter().filter(|e| f(e.status)).count();
        Counts {
            tests: evaluations.len(),
            failures: n(|s| s == Status::Fail),
            errors: n(|s| s == Status::Unknown),
            skipped: n(|s| matches!(s, Status::NotApplicable | Status::Waived)),
        }
    }
}

fn write_suite(
    w: &mut Writer<Vec<u8>>,
    report: &Report,
    id: usize,
    suite: &[&Evaluation],
) -> io::Result<()> {
    let head = suite[0];
    let counts = Counts::of(suite);
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
                write_case(w, e)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, e: &Evaluation) -> io::Result<()> {
    let mut name = format!("{} {}", e.code, e.name);
    if !e.key.is_empty() {
        name.push_str(&format!(" [{}]", e.key));
    }
    let classname = format!("upcheck.{}.{}", e.scope.as_str(), e.node);
    let case = w
        .create_element("testcase")
        .with_attributes([("name", name.as_str()), ("classname", classname.as_str())]);
    match e.status {
        Status::Pass => {
            case.write_empty()?;
        }
        Status::Fail => {
            case.write_inner_content(|w| {
                w.create_element("failure")
                    .with_attributes([("message", &*e.message), ("type", e.severity.as_str())])
                    .write_text_content(BytesText::new(&details(e)))?;
                Ok(())
            })?;
        }
        Status::Unknown => {
            case.write_inner_content(|w| {
                w.create_element("error")
                    .with_attributes([("message", &*e.message), ("type", "unknown")])
                    .write_text_content(BytesText::new(&details(e)))?;
                Ok(())
            })?;
        }
        Status::NotApplicable | Status::Waived => {
            let message = match &e.waiver {
                Some(w) => format!("{}; {}", super::waiver_text(w), e.message),
                None => format!("not applicable: {}", e.message),
            };
            case.write_inner_content(|w| {
                w.create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
        }
    }
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
