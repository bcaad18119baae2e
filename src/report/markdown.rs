//! Markdown for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab
//! and Azure pipeline summaries): the verdict, a status line per node or
//! group, the failing findings with evidence and remediation, the unknown
//! and waived ones, and the provenance folded away in `<details>`. Clean
//! subjects are one line, passing evaluations are left to the HTML and
//! JSON reports, and the page stays below GitHub's 1 MiB limit at any
//! fleet size: past the caps, a line says how many more and where.

use super::{Report, by_subject, subject_heading, subject_ranges};
use crate::model::quote::printable;
use crate::model::{Brief, Evaluation, Severity, Status};
use std::fmt::Write;
use std::ops::Range;

/// GitHub refuses a step summary above 1 MiB; the page stays below this,
/// with room for the provenance and the notes that say what was left out.
const BUDGET: usize = 1_000_000 - 16 * 1024;

/// At most this many subjects in the status table and findings in the
/// lists: a summary is read, the artifacts hold the rest.
const MAX_SUBJECTS: usize = 200;
const MAX_FINDINGS: usize = 300;

/// Where the rest is.
const SEE_ARTIFACTS: &str = "see the HTML or JSON report artifact";

/// The page being written: items are added whole while they fit the
/// budget and the caps, and the ones left out are counted.
struct Page {
    out: String,
}

impl Page {
    /// Adds `item` unless it would pass the budget.
    fn fits(&mut self, item: &str) -> bool {
        let fits = self.out.len() + item.len() <= BUDGET;
        if fits {
            self.out.push_str(item);
        }
        fits
    }

    fn more(&mut self, left_out: usize, what: &str) {
        if left_out > 0 {
            let _ = writeln!(self.out, "\n_{left_out} more {what}; {SEE_ARTIFACTS}._");
        }
    }
}

pub fn render_markdown(report: &Report) -> String {
    let mut page = Page { out: String::new() };
    let failed = report.count(Status::Fail);
    let verdict = if failed > 0 {
        "❌ failing"
    } else if report.count(Status::Unknown) > 0 {
        "⚠️ incomplete"
    } else {
        "✅ clean"
    };
    let _ = writeln!(page.out, "## upcheck {} check: {verdict}\n", report.phase);
    let _ = writeln!(page.out, "{}\n", report.summary_line());
    status_table(&mut page, report);
    let mut listed = 0;
    for (status, title) in [
        (Status::Fail, "Failing findings"),
        (Status::Unknown, "Unknown: not checked"),
        (Status::Waived, "Waived"),
    ] {
        listed += findings(&mut page, report, status, title, listed);
    }
    let _ = writeln!(
        page.out,
        "\nEvery evaluation, passing ones too, is in the HTML and JSON reports."
    );
    let mut out = page.out;
    let p = &report.provenance;
    out.push_str("\n<details><summary>Provenance</summary>\n\n");
    let _ = writeln!(out, "- tool: {} {}", report.tool.name, report.tool.version);
    let _ = writeln!(out, "- phase: {}", report.phase);
    let _ = writeln!(out, "- rules digest: `{}`", p.rules_digest);
    let _ = writeln!(out, "- inputs digest: `{}`", p.inputs_digest);
    let _ = writeln!(out, "- generated at: {}", p.generated_at);
    let command: String = p.command_line.join(" ").chars().take(2000).collect();
    let _ = writeln!(out, "- command line: `{}`", code(&command));
    out.push_str("\n</details>\n");
    out
}

/// A row per subject with a failing, unknown or waived evaluation, worst
/// first; the clean ones are counted on one line.
fn status_table(page: &mut Page, report: &Report) {
    let subjects = subject_ranges(&report.evaluations);
    let problem = |e: Brief| matches!(e.status, Status::Fail | Status::Unknown | Status::Waived);
    let mut shown: Vec<&Range<usize>> = (subjects.iter())
        .filter(|s| briefs(report, s).any(problem))
        .collect();
    shown.sort_by_cached_key(|s| std::cmp::Reverse(worst(briefs(report, s))));
    let clean = subjects.len() - shown.len();
    if shown.is_empty() {
        let _ = writeln!(page.out, "All {clean} subject(s) passed.");
        return;
    }
    page.out
        .push_str("| | subject | worst | fail | unknown | waived | pass | not applicable |\n");
    page.out.push_str("|---|---|---|--:|--:|--:|--:|--:|\n");
    let mut left_out = 0;
    for (i, subject) in shown.iter().enumerate() {
        if i >= MAX_SUBJECTS || !page.fits(&status_row(report, subject)) {
            left_out = shown.len() - i;
            break;
        }
    }
    page.more(left_out, "subject(s) with problems");
    if clean > 0 {
        let _ = writeln!(
            page.out,
            "\n✅ {clean} other subject(s) passed every check."
        );
    }
}

/// What the evaluations of a subject say, none made whole.
fn briefs<'a>(report: &'a Report, subject: &Range<usize>) -> impl Iterator<Item = Brief<'a>> {
    subject.clone().map(|i| report.evaluations.brief(i))
}

fn status_row(report: &Report, subject: &Range<usize>) -> String {
    let n = |s: Status| briefs(report, subject).filter(|e| e.status == s).count();
    let worst = worst(briefs(report, subject));
    let glyph = match worst {
        Some(_) => "❌",
        None if n(Status::Unknown) > 0 => "⚠️",
        None => "✅",
    };
    format!(
        "| {glyph} | {} | {} | {} | {} | {} | {} | {} |\n",
        inline(&subject_heading(&report.evaluations.get(subject.start))),
        worst.map_or("-", Severity::as_str),
        n(Status::Fail),
        n(Status::Unknown),
        n(Status::Waived),
        n(Status::Pass),
        n(Status::NotApplicable),
    )
}

/// The evaluations of one status, by subject, while the caps allow;
/// returns how many were listed.
fn findings(page: &mut Page, report: &Report, status: Status, title: &str, before: usize) -> usize {
    // Failing, unknown and waived evaluations are held whole.
    let listed: Vec<&Evaluation> = report
        .evaluations
        .wholes()
        .filter(|e| e.status == status)
        .collect();
    if listed.is_empty() {
        return 0;
    }
    let _ = writeln!(page.out, "\n### {title}");
    let total = listed.len();
    let mut shown = 0;
    'subjects: for subject in by_subject(listed) {
        let mut heading = format!("\n#### {}\n\n", inline(&subject_heading(subject[0])));
        for e in subject {
            let mut item = std::mem::take(&mut heading);
            finding(&mut item, e);
            if before + shown >= MAX_FINDINGS || !page.fits(&item) {
                break 'subjects;
            }
            shown += 1;
        }
    }
    page.more(total - shown, &format!("{} finding(s)", status.as_str()));
    shown
}

/// The highest severity failing in a subject.
fn worst<'a>(subject: impl Iterator<Item = Brief<'a>>) -> Option<Severity> {
    subject
        .filter(|e| e.status == Status::Fail)
        .map(|e| e.severity)
        .max()
}

fn finding(out: &mut String, e: &Evaluation) {
    let _ = writeln!(
        out,
        "- {}**{}** `{} {}`: {}",
        super::baseline_tag(e),
        e.severity,
        e.code,
        e.name,
        inline(&e.message)
    );
    if let Some(w) = &e.waiver {
        let _ = writeln!(out, "  - {}", inline(&super::waiver_text(w)));
    }
    for ev in &e.evidence {
        let place = ev.place();
        match &ev.excerpt {
            Some(x) => {
                let _ = writeln!(out, "  - at `{}`: `{}`", code(&place), code(x));
            }
            None => {
                let _ = writeln!(out, "  - at `{}`", code(&place));
            }
        }
    }
    for cause in &e.caused_by {
        let _ = writeln!(
            out,
            "  - caused by {} on {}",
            cause.code,
            inline(&cause.node)
        );
    }
    if e.status == Status::Fail && !e.remediation.is_empty() {
        let _ = writeln!(out, "  - fix: {}", inline(&e.remediation));
    }
}

/// Text on one line of a table or list: newlines joined, control
/// characters shown, table pipes, HTML openers and link brackets escaped,
/// and addresses put in code spans, so input text cannot change the page,
/// link anywhere or load an image.
fn inline(s: &str) -> String {
    s.split_whitespace()
        .map(|word| {
            if word.contains("://") || word.to_ascii_lowercase().starts_with("www.") {
                format!("`{}`", code(word))
            } else {
                printable(word)
                    .replace('\\', "\\\\")
                    .replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('[', "\\[")
                    .replace(']', "\\]")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text inside a code span (where nothing is a link): a backtick would end
/// it, a pipe would end a table cell.
fn code(s: &str) -> String {
    printable(s).replace('`', "'").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_break_a_table_or_open_html() {
        assert_eq!(inline("a | b\n  <script>"), "a \\| b &lt;script>");
    }

    #[test]
    fn input_text_cannot_link_or_load_an_image() {
        assert_eq!(
            inline("see [here](http://x.example/a) ![t](https://x.example/p.png)"),
            "see `[here](http://x.example/a)` `![t](https://x.example/p.png)`"
        );
        assert_eq!(
            inline("![pixel](data/x.png) [a](b)"),
            "!\\[pixel\\](data/x.png) \\[a\\](b)"
        );
        assert_eq!(inline("www.x.example/a"), "`www.x.example/a`");
        assert_eq!(
            inline("a\u{1b}]8;;http://x\u{7}b"),
            "`a\\e]8;;http://x\\x07b`"
        );
    }
}
