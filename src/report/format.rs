//! The report formats and which renderer writes each.

use super::{Report, TableOptions};
use clap::ValueEnum;
use std::io::Write;

/// The formats of a check report.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The terminal table: failures and unknowns per node.
    Table,
    /// Every evaluation, per docs/report.schema.json.
    Json,
    /// JUnit XML: a testsuite per node or group, a testcase per evaluation.
    Junit,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// Markdown for a CI job summary.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands: annotations on the run and the pull request.
    Github,
    /// GitLab Code Quality JSON, shown in the merge request.
    Gitlab,
}

impl ReportFormat {
    /// JSON, JUnit and HTML are streamed (they hold every evaluation),
    /// rendered in parallel; the other formats are rendered whole first.
    pub fn write(
        self,
        report: &Report,
        table: TableOptions,
        out: &mut (dyn Write + Send),
    ) -> std::io::Result<()> {
        match self {
            ReportFormat::Json => super::write_report_json(report, out),
            ReportFormat::Junit => super::write_junit(report, out),
            ReportFormat::Html => super::write_html(report, out),
            ReportFormat::Sarif => super::write_sarif(report, out),
            other => out.write_all(other.render(report, table).as_bytes()),
        }
    }

    fn render(self, report: &Report, table: TableOptions) -> String {
        match self {
            ReportFormat::Table => super::render_table(report, table),
            ReportFormat::Json => super::render_json(report),
            ReportFormat::Junit => super::render_junit(report),
            ReportFormat::Sarif => super::render_sarif(report),
            ReportFormat::Markdown => super::render_markdown(report),
            ReportFormat::Html => super::render_html(report),
            ReportFormat::Github => super::render_github(report),
            ReportFormat::Gitlab => super::render_gitlab(report),
        }
    }
}
