//! The terminal table: one block per node (then per group) of the failing
//! and unknown evaluations, and a summary line.
//!
//! A chain of causes is printed once: the failure at its end carries its
//! causes beneath it (`← caused by …`) and the remediation of the root
//! cause; the causes get no rows of their own. A second failure with the
//! same cause points back at it (`see above`).

use super::Report;
use crate::model::quote::printable;
use crate::model::{Cause, Evaluation, Status};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeSet;

/// `--statistics`: how many failing, unknown and waived evaluations per
/// code, severity and status, most first (as ruff's `--statistics`), then
/// the summary line: the size of a large fleet's problems at a glance.
pub fn render_statistics(report: &Report) -> String {
    let mut counts: std::collections::BTreeMap<(u32, &str, &str, &str), usize> =
        std::collections::BTreeMap::new();
    for e in &report.evaluations {
        if matches!(e.status, Status::Fail | Status::Unknown | Status::Waived) {
            let key = (e.code, &*e.name, e.severity.as_str(), e.status.as_str());
            *counts.entry(key).or_default() += 1;
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for ((code, name, severity, status), n) in rows {
        out.push_str(&format!(
            "{n:>7}  {code}  {name:<40} {severity:<8} {status}\n"
        ));
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}

pub fn render_table(report: &Report, show_passing: bool) -> String {
    let shown = report.evaluations.iter().filter(|e| {
        show_passing || matches!(e.status, Status::Fail | Status::Unknown | Status::Waived)
    });
    let mut out = String::new();
    for block in super::by_subject(shown) {
        out.push_str(&printable(&super::subject_heading(block[0])));
        out.push('\n');
        out.push_str(&block_table(report, &block));
        out.push_str("\n\n");
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}

fn block_table(report: &Report, block: &[&Evaluation]) -> String {
    let causes: BTreeSet<&Cause> = block.iter().flat_map(|e| &e.caused_by).collect();
    let is_cause = |e: &Evaluation| {
        e.status == Status::Fail
            && causes.contains(&Cause {
                code: e.code,
                node: e.node.clone(),
            })
    };
    // Symptoms with causes first, so a node's diagnosis leads its block.
    let (chained, rest): (Vec<&Evaluation>, Vec<&Evaluation>) = block
        .iter()
        .copied()
        .filter(|e| !is_cause(e))
        .partition(|e| !e.caused_by.is_empty());
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(["code", "name", "severity", "status", "message"]);
    let mut printed: BTreeSet<Cause> = BTreeSet::new();
    for e in chained.into_iter().chain(rest) {
        // Every piece from a snapshot is made printable on its own, before
        // the pieces are joined with the table's own line breaks.
        let mut message = format!("{}{}", super::baseline_tag(e), printable(&e.message));
        if let Some(w) = &e.waiver {
            push_line(&mut message, &super::waiver_text(w));
        }
        push_evidence(&mut message, e);
        let mut fixes = Vec::new();
        push_causes(&mut message, report, e, 0, &mut printed, &mut fixes);
        for (code, fix) in fixes {
            message.push_str(&format!("\nfix ({code}): {fix}"));
        }
        table.add_row([
            e.code.to_string(),
            e.name.to_string(),
            e.severity.to_string(),
            e.status.to_string(),
            message,
        ]);
    }
    table.to_string()
}

/// Where the evaluation points, with the lines around a log match.
fn push_evidence(message: &mut String, e: &Evaluation) {
    if let Some(ev) = e.evidence.first() {
        match ev.line {
            Some(l) => push_line(message, &format!("  at {}:{l}", ev.path)),
            None => push_line(message, &format!("  in {}", ev.path)),
        }
        for line in &ev.context {
            push_line(message, &format!("    {line}"));
        }
    }
}

/// `← caused by` lines for each cause of `e`, depth first; the remediation
/// of every root cause reached goes to `fixes` once.
fn push_causes(
    message: &mut String,
    report: &Report,
    e: &Evaluation,
    depth: usize,
    printed: &mut BTreeSet<Cause>,
    fixes: &mut Vec<(u32, String)>,
) {
    // Wrapping drops leading spaces, so a deeper link names its consequence.
    let lead = if depth == 0 {
        "← caused by".to_string()
    } else {
        format!("← {} is caused by", e.code)
    };
    for cause in &e.caused_by {
        let failures: Vec<&Evaluation> = report.failures_of(cause).collect();
        let Some(first) = failures.first() else {
            continue;
        };
        if !printed.insert(cause.clone()) || depth > 8 {
            push_line(
                message,
                &format!(
                    "{lead} {} {} on {} (see above)",
                    cause.code, first.name, cause.node
                ),
            );
            continue;
        }
        for c in &failures {
            push_line(
                message,
                &format!("{lead} {} {} on {}: {}", c.code, c.name, c.node, c.message),
            );
        }
        if first.caused_by.is_empty() {
            if !first.remediation.is_empty() && !fixes.iter().any(|(code, _)| *code == first.code) {
                fixes.push((first.code, one_paragraph(&first.remediation)));
            }
        } else {
            push_causes(message, report, first, depth + 1, printed, fixes);
        }
    }
}

/// A line of a message cell, made printable: a line break or a control
/// character inside it is shown, so it cannot forge a row.
fn push_line(message: &mut String, line: &str) {
    message.push('\n');
    message.push_str(&printable(line));
}

/// The first paragraph of a remediation, on one line.
fn one_paragraph(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}
