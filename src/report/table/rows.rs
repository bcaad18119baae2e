//! The rows of one subject: each evaluation with its message, evidence,
//! causes and fix beneath it.

use super::width::{push_unsplit, push_wrapped, push_wrapped_after};
use crate::model::{Cause, Evaluation, Status};
use crate::report::Report;
use std::collections::BTreeSet;

/// Where the rows of the table start.
const ROW_INDENT: &str = "  ";
/// Where the lines beneath a row start: under the row's severity.
const DETAIL_INDENT: &str = "         ";

/// The rows of one subject; `columns` is the width of the table and of
/// its status column.
pub(super) fn block_rows(
    out: &mut String,
    report: &Report,
    block: &[&Evaluation],
    columns: (usize, usize),
) {
    let (width, status_width) = columns;
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
    let mut printed: BTreeSet<Cause> = BTreeSet::new();
    for e in chained.into_iter().chain(rest) {
        let row = format!(
            "{ROW_INDENT}{:<5}  {:<8} {:<status_width$}  ",
            e.code,
            e.severity.as_str(),
            e.status.as_str()
        );
        let lead = " ".repeat(row.len());
        push_wrapped_after(out, &row, &e.name, &lead, width);
        let message = format!("{}{}", crate::report::baseline_tag(e), e.message);
        push_wrapped(out, &message, DETAIL_INDENT, width);
        if let Some(w) = &e.waiver {
            push_wrapped(out, &crate::report::waiver_text(w), DETAIL_INDENT, width);
        }
        push_evidence(out, e, width);
        let mut fixes = Vec::new();
        push_causes(out, report, e, 0, &mut printed, &mut fixes, width);
        for (code, fix) in fixes {
            push_wrapped(out, &format!("fix ({code}): {fix}"), DETAIL_INDENT, width);
        }
    }
}

/// Where the evaluation points, each location on a line of its own, with
/// the lines around a log match.
fn push_evidence(out: &mut String, e: &Evaluation, width: usize) {
    let Some(ev) = e.evidence.first() else {
        return;
    };
    let place = match ev.line {
        Some(l) => format!("at {}:{l}", ev.path),
        None => format!("in {}", ev.path),
    };
    push_unsplit(out, &place, &[DETAIL_INDENT, ROW_INDENT], width);
    for line in &ev.context {
        push_wrapped(out, line, &format!("{DETAIL_INDENT}  "), width);
    }
}

/// `← caused by` lines for each cause of `e`, depth first; the remediation
/// of every root cause reached goes to `fixes` once.
fn push_causes(
    out: &mut String,
    report: &Report,
    e: &Evaluation,
    depth: usize,
    printed: &mut BTreeSet<Cause>,
    fixes: &mut Vec<(u32, String)>,
    width: usize,
) {
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
            let line = format!(
                "{lead} {} {} on {} (see above)",
                cause.code, first.name, cause.node
            );
            push_wrapped(out, &line, DETAIL_INDENT, width);
            continue;
        }
        for c in &failures {
            let line = format!("{lead} {} {} on {}: {}", c.code, c.name, c.node, c.message);
            push_wrapped(out, &line, DETAIL_INDENT, width);
        }
        if first.caused_by.is_empty() {
            if !first.remediation.is_empty() && !fixes.iter().any(|(code, _)| *code == first.code) {
                fixes.push((first.code, one_paragraph(&first.remediation)));
            }
        } else {
            push_causes(out, report, first, depth + 1, printed, fixes, width);
        }
    }
}

/// The first paragraph of a remediation, on one line.
fn one_paragraph(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}
