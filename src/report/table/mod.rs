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
    /// Whether `e` gets a row.
    fn shows(&self, e: &Evaluation) -> bool {
        match e.status {
            Status::Fail => true,
            Status::Unknown | Status::Waived => !self.quiet,
            Status::Pass | Status::NotApplicable => self.show_passing && !self.quiet,
        }
    }
}

/// The table of a report: a block per subject with rows, worst first,
/// then a line per scope naming the clean subjects, then the summary line.
pub fn render_table(report: &Report, options: TableOptions) -> String {
    let width = options.width.max(MIN_WIDTH);
    let blocks: Vec<(Vec<&Evaluation>, Vec<&Evaluation>)> =
        order::worst_first(super::by_subject(&report.evaluations))
            .into_iter()
            .map(|block| {
                let rows = block.iter().copied().filter(|e| options.shows(e)).collect();
                (block, rows)
            })
            .collect();
    let layout = rows::Layout {
        width,
        // One status column for the whole table, so blocks align.
        status_width: (blocks.iter().flat_map(|(_, rows)| rows))
            .map(|e| e.status.as_str().len())
            .max()
            .unwrap_or(0),
        color: options.color,
    };
    let links = links::Links::new(report);
    let mut out = String::new();
    for (block, rows) in &blocks {
        if !rows.is_empty() {
            push_wrapped(&mut out, &super::subject_heading(block[0]), "", width);
            rows::push_block(&mut out, &links, rows.clone(), layout);
            out.push('\n');
        }
    }
    if !options.quiet {
        let clean = blocks.iter().filter(|(_, rows)| rows.is_empty());
        for line in order::clean_lines(clean.map(|(block, _)| block[0]), width) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    push_wrapped(&mut out, &report.summary_line(), "", width);
    out
}
