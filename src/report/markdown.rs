//! Markdown for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab
//! and Azure pipeline summaries): the verdict, a status line per node or
//! group, the failing findings with evidence and remediation, the unknown
//! and waived ones, then every evaluation and the provenance folded away in
//! `<details>`.

use super::{Report, by_subject, subject_heading};
use crate::model::{Evaluation, Severity, Status};
use crate::quote::printable;
use std::fmt::Write;

pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let failed = report.count(Status::Fail);
    let verdict = if failed > 0 {
        "❌ failing"
    } else if report.count(Status::Unknown) > 0 {
        "⚠️ incomplete"
    } else {
        "✅ clean"
    };
    let _ = writeln!(out, "## upcheck {} check: {verdict}\n", report.phase);
    let _ = writeln!(out, "{}\n", report.summary_line());

    out.push_str("| | subject | worst | fail | unknown | waived | pass | not applicable |\n");
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|\n");
    let subjects = by_subject(&report.evaluations);
    for subject in &subjects {
        let n = |s: Status| subject.iter().filter(|e| e.status == s).count();
        let worst = worst(subject);
        let glyph = match worst {
            Some(_) => "❌",
            None if n(Status::Unknown) > 0 => "⚠️",
            None => "✅",
        };
        let _ = writeln!(
            out,
            "| {glyph} | {} | {} | {} | {} | {} | {} | {} |",
            inline(&subject_heading(subject[0])),
            worst.map(Severity::as_str).unwrap_or("-"),
            n(Status::Fail),
            n(Status::Unknown),
            n(Status::Waived),
            n(Status::Pass),
            n(Status::NotApplicable),
        );
    }

    for (status, title) in [
        (Status::Fail, "Failing findings"),
        (Status::Unknown, "Unknown: not checked"),
        (Status::Waived, "Waived"),
    ] {
        let listed: Vec<&Evaluation> = report
            .evaluations
            .iter()
            .filter(|e| e.status == status)
            .collect();
        if listed.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}");
        for subject in by_subject(listed) {
            let _ = writeln!(out, "\n#### {}\n", inline(&subject_heading(subject[0])));
            for e in subject {
                finding(&mut out, e);
            }
        }
    }

    let _ = writeln!(
        out,
        "\n<details><summary>All {} evaluations</summary>\n",
        report.evaluations.len()
    );
    out.push_str("| subject | code | name | severity | status | message |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for e in &report.evaluations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            inline(&subject_heading(e)),
            e.code,
            e.name,
            e.severity,
            e.status,
            inline(&e.message)
        );
    }
    out.push_str("\n</details>\n");

    let p = &report.provenance;
    out.push_str("\n<details><summary>Provenance</summary>\n\n");
    let _ = writeln!(out, "- tool: {} {}", report.tool.name, report.tool.version);
    let _ = writeln!(out, "- phase: {}", report.phase);
    let _ = writeln!(out, "- rules digest: `{}`", p.rules_digest);
    let _ = writeln!(out, "- inputs digest: `{}`", p.inputs_digest);
    let _ = writeln!(out, "- generated at: {}", p.generated_at);
    let _ = writeln!(out, "- command line: `{}`", code(&p.command_line.join(" ")));
    out.push_str("\n</details>\n");
    out
}

/// The highest severity failing in a subject.
fn worst(subject: &[&Evaluation]) -> Option<Severity> {
    subject
        .iter()
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
