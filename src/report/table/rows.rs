//! The rows of one subject, worst first: each evaluation with its message,
//! waiver, evidence, links to its causes and consequences, and (when it
//! fails) a one-line fix beneath it.

use super::colour::{paint, severity_style, status_style};
use super::links::Links;
use super::width::{push_unsplit, push_wrapped, push_wrapped_after, text_width};
use crate::model::Evaluation;
use std::cmp::Reverse;

/// Where the rows of the table start.
const ROW_INDENT: &str = "  ";
/// Where the lines beneath a row start: under the row's severity.
const DETAIL_INDENT: &str = "         ";

/// How rows are laid out, the same in every block of a table.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub width: usize,
    /// The widest status shown, so blocks align.
    pub status_width: usize,
    pub color: bool,
}

/// `rows` ordered worst first (failures, unknowns, waived, then the rest;
/// within each the most severe first, then by code), as a row each.
pub fn push_block(out: &mut String, links: &Links, mut rows: Vec<&Evaluation>, layout: Layout) {
    rows.sort_by_key(|e| (e.status, Reverse(e.severity), e.code));
    for i in 0..rows.len() {
        push_row(out, links, &rows, i, layout);
    }
}

fn push_row(out: &mut String, links: &Links, rows: &[&Evaluation], i: usize, layout: Layout) {
    let (e, width) = (rows[i], layout.width);
    let row = format!(
        "{ROW_INDENT}{:<5}  {} {}  ",
        e.code,
        paint(
            e.severity.as_str(),
            8,
            severity_style(e.severity),
            layout.color
        ),
        paint(
            e.status.as_str(),
            layout.status_width,
            status_style(e.status),
            layout.color
        ),
    );
    let lead = " ".repeat(text_width(&row));
    push_wrapped_after(out, &row, &e.name, &lead, width);
    let message = format!("{}{}", crate::report::baseline_tag(e), e.message);
    push_wrapped(out, &message, DETAIL_INDENT, width);
    if let Some(w) = &e.waiver {
        push_wrapped(out, &crate::report::waiver_text(w), DETAIL_INDENT, width);
    }
    push_evidence(out, e, width);
    for link in links.lines(rows, i) {
        push_wrapped(out, &link, DETAIL_INDENT, width);
    }
    if e.status == crate::model::Status::Fail {
        push_wrapped(out, &fix(e.code, &e.remediation), DETAIL_INDENT, width);
    }
}

/// Where the evaluation points, on a line of its own, with the lines
/// around a log match.
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

/// `fix: ` and the first sentence of the remediation (as clippy's `help:`
/// on every diagnostic), else where the rule's full text is.
fn fix(code: u32, remediation: &str) -> String {
    match first_sentence(remediation) {
        Some(s) => format!("fix: {s}"),
        None => format!("run: upcheck explain {code}"),
    }
}

/// The first sentence of `text`'s first paragraph on one line: up to a
/// full stop followed by a space and a capital letter, or the paragraph.
fn first_sentence(text: &str) -> Option<String> {
    let paragraph = text.trim().split("\n\n").next()?;
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let end = words
        .windows(2)
        .position(|w| w[0].ends_with('.') && w[1].starts_with(char::is_uppercase))
        .map_or(words.len(), |i| i + 1);
    (end > 0).then(|| words[..end].join(" "))
}

#[cfg(test)]
mod tests {
    use super::{first_sentence, fix};

    #[test]
    fn the_fix_is_the_first_sentence_of_the_remediation() {
        let text = "Upgrade the DC(CMF) and NMS to versions the plan validates for\nthis NE version \
                    before the window. When that cannot be done, wait.\n\nMore.";
        assert_eq!(
            first_sentence(text).as_deref(),
            Some(
                "Upgrade the DC(CMF) and NMS to versions the plan validates for this NE version before the window."
            )
        );
        assert_eq!(
            first_sentence("Run `x --check` until it ends in `OK.` Then go.").as_deref(),
            Some("Run `x --check` until it ends in `OK.` Then go.")
        );
        assert_eq!(first_sentence(" \n "), None);
        assert_eq!(fix(10010, "Upgrade. Then wait."), "fix: Upgrade.");
        assert_eq!(fix(99001, ""), "run: upcheck explain 99001");
    }
}
