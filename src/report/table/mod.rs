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

mod rows;
mod rules_list;
mod statistics;
mod width;

pub use rules_list::render_rules;
pub use statistics::render_statistics;
pub use width::DEFAULT_WIDTH;
pub(super) use width::{push_wrapped, push_wrapped_after};

use super::Report;
use crate::model::Status;
pub(super) use width::MIN_WIDTH;

/// How the table is laid out.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Columns no line may exceed (see [`DEFAULT_WIDTH`]).
    pub width: usize,
    /// Passing and not-applicable evaluations get rows too.
    pub show_passing: bool,
}

/// The table of a report: a block per subject, then the summary line.
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
        rows::block_rows(&mut out, report, &block, (width, status_width));
        out.push('\n');
    }
    push_wrapped(&mut out, &report.summary_line(), "", width);
    out
}
