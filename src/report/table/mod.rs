//! The terminal table: one block per node (then per group) with a
//! problem, worst first; the clean ones on one line; a summary line.
//!
//! Each evaluation is a row (code, severity, status, name) with its
//! message, evidence, links and fix on the lines beneath it, indented
//! under the name. Every line fits the width: prose wraps at spaces, and
//! an evidence location is a line of its own that is never split (one
//! longer than the width stays whole, so it can be copied).
//!
//! Every failing evaluation has a row of its own with its own severity,
//! so the table shows as many failing rows as the summary counts; a chain
//! of causes is a link between rows (see [`links`]).

mod colour;
mod links;
mod order;
mod rows;
mod rules_list;
mod statistics;
mod width;

pub use rules_list::render_rules;
pub use statistics::render_statistics;
pub use width::DEFAULT_WIDTH;
pub(super) use width::{MIN_WIDTH, push_wrapped, push_wrapped_after};

use super::Report;
use crate::model::{Evaluation, Status};
use std::borrow::Cow;

/// How the table is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Columns no line may exceed (see [`DEFAULT_WIDTH`]).
    pub width: usize,
    /// Passing and not-applicable evaluations get rows too.
    pub show_passing: bool,
    /// Failing rows only, and no line for the clean subjects (`-q`).
    pub quiet: bool,
    /// Severity and status in colour (ANSI escapes).
    pub color: bool,
}

impl TableOptions {
    /// Whether an evaluation of `status` gets a row.
    fn shows(&self, status: Status) -> bool {
        match status {
            Status::Fail => true,
            Status::Unknown | Status::Waived => !self.quiet,
            Status::Pass | Status::NotApplicable => self.show_passing && !self.quiet,
        }
    }
}

/// The table of a report: a block per subject with rows, worst first,
/// then a line per scope naming the clean subjects, then the summary line.
/// Only the rows shown are made whole, a block at a time.
pub fn render_table(report: &Report, options: TableOptions) -> String {
    let width = options.width.max(MIN_WIDTH);
    let all = &report.evaluations;
    let shows = |i: usize| options.shows(all.brief(i).status);
    let blocks = order::worst_first(all, super::subject_ranges(all));
    let layout = rows::Layout {
        width,
        // One status column for the whole table, so blocks align.
        status_width: (blocks.iter().flat_map(Clone::clone))
            .filter(|&i| shows(i))
            .map(|i| all.brief(i).status.as_str().len())
            .max()
            .unwrap_or(0),
        color: options.color,
    };
    let links = links::Links::new(report);
    let mut out = String::new();
    for block in &blocks {
        let rows: Vec<Cow<Evaluation>> = block
            .clone()
            .filter(|&i| shows(i))
            .map(|i| all.get(i))
            .collect();
        if !rows.is_empty() {
            push_wrapped(
                &mut out,
                &super::subject_heading(&all.get(block.start)),
                "",
                width,
            );
            rows::push_block(
                &mut out,
                &links,
                rows.iter().map(|e| &**e).collect(),
                layout,
            );
            out.push('\n');
        }
    }
    if !options.quiet {
        let clean = (blocks.iter()).filter(|block| !(*block).clone().any(&shows));
        for line in order::clean_lines(clean.map(|block| all.brief(block.start)), width) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    push_wrapped(&mut out, &report.summary_line(), "", width);
    out
}
