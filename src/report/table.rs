//! The terminal table: one block per node (then per group) of the failing
//! and unknown evaluations, and a summary line.
//!
//! Each evaluation is a row (code, severity, status, name) with its
//! message, evidence, causes and fix on the lines beneath it, indented
//! under the name. Every line fits the width: prose wraps at spaces, and
//! an evidence location is a line of its own that is never split (one
//! longer than the width stays whole, so it can be copied).
//!
//! A chain of causes is printed once: the failure at its end carries its
//! causes beneath it (`← caused by …`) and the remediation of the root
//! cause; the causes get no rows of their own. A second failure with the
//! same cause points back at it (`see above`).

use super::Report;
use crate::model::quote::printable;
use crate::model::{Cause, Evaluation, Status};
use std::collections::BTreeSet;

/// Where the rows of the table start.
const ROW_INDENT: &str = "  ";
/// Where the lines beneath a row start: under the row's severity.
const DETAIL_INDENT: &str = "         ";

/// How the table is laid out.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Columns no line may exceed (see [`DEFAULT_WIDTH`]).
    pub width: usize,
    /// Passing and not-applicable evaluations get rows too.
    pub show_passing: bool,
}

/// The width of a table that does not go to a terminal, or whose
/// terminal does not say.
pub const DEFAULT_WIDTH: usize = 100;
/// Below this the table would be a column of single words.
const MIN_WIDTH: usize = 40;

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

pub fn render_table(report: &Report, options: TableOptions) -> String {
    let width = options.width.max(MIN_WIDTH);
    let shown = report.evaluations.iter().filter(|e| {
        options.show_passing || matches!(e.status, Status::Fail | Status::Unknown | Status::Waived)
    });
    let blocks = super::by_subject(shown);
    // One status column for the whole table, so blocks align.
    let status_width = blocks
        .iter()
        .flatten()
        .map(|e| e.status.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for block in blocks {
        push_wrapped(&mut out, &super::subject_heading(block[0]), "", width);
        block_rows(&mut out, report, &block, (width, status_width));
        out.push('\n');
    }
    push_wrapped(&mut out, &report.summary_line(), "", width);
    out
}

/// The rows of one subject; `columns` is the width of the table and of
/// its status column.
fn block_rows(out: &mut String, report: &Report, block: &[&Evaluation], columns: (usize, usize)) {
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
        let message = format!("{}{}", super::baseline_tag(e), e.message);
        push_wrapped(out, &message, DETAIL_INDENT, width);
        if let Some(w) = &e.waiver {
            push_wrapped(out, &super::waiver_text(w), DETAIL_INDENT, width);
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
        Some(l) => format!("at {}:{l}", printable(&ev.path)),
        None => format!("in {}", printable(&ev.path)),
    };
    let indent = [DETAIL_INDENT, ROW_INDENT]
        .into_iter()
        .find(|i| i.len() + text_width(&place) <= width)
        .unwrap_or("");
    out.push_str(indent);
    out.push_str(&place);
    out.push('\n');
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

/// `rules list`: a header and a row per rule (code, severity, scope,
/// phases, name) with its title beside it, wrapped in the columns left;
/// when fewer than `MIN_TITLE` are left, the title goes beneath.
pub fn render_rules(rules: &[&crate::catalog::Rule], width: usize) -> String {
    const MIN_TITLE: usize = 30;
    let width = width.max(MIN_WIDTH);
    let phases: Vec<String> = rules
        .iter()
        .map(|r| {
            r.phases
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let phases_width = phases.iter().map(|p| p.len()).max().unwrap_or(0).max(6);
    let name_width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    let key = |code: &str, severity: &str, scope: &str, phases: &str, name: &str| {
        format!("{code:<5}  {severity:<8} {scope:<7} {phases:<phases_width$} {name:<name_width$}  ")
    };
    let key_width = text_width(&key("", "", "", "", ""));
    let beside = width.saturating_sub(key_width) >= MIN_TITLE;
    let mut out = String::new();
    let mut row = |key: String, title: &str| {
        if beside {
            push_wrapped_after(&mut out, &key, title, &" ".repeat(key_width), width);
        } else {
            push_wrapped(&mut out, key.trim_end(), "", width);
            push_wrapped(&mut out, title, "       ", width);
        }
    };
    row(key("code", "severity", "scope", "phases", "name"), "title");
    for (r, phases) in rules.iter().zip(&phases) {
        let code = r.code.to_string();
        row(
            key(
                &code,
                r.severity.as_str(),
                r.scope.as_str(),
                phases,
                &r.name,
            ),
            &r.title,
        );
    }
    out.push_str(&format!("{} rule(s)\n", rules.len()));
    out
}

/// `text`, made printable (a line break or a control character inside it
/// is shown, so it cannot forge a row), wrapped at spaces into lines of at
/// most `width` columns that start with `indent`. A word longer than a
/// line is broken: only prose goes through here, never a location.
fn push_wrapped(out: &mut String, text: &str, indent: &str, width: usize) {
    push_wrapped_after(out, indent, text, indent, width);
}

/// Like [`push_wrapped`], the first line starting with `first` instead.
fn push_wrapped_after(out: &mut String, first: &str, text: &str, indent: &str, width: usize) {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(indent)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(&printable(text), options) {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Columns `text` takes on a terminal.
fn text_width(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// The first paragraph of a remediation, on one line.
fn one_paragraph(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}
