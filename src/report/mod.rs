//! Reports: the stamped result of a run, and one renderer per format.

mod diff;
mod json;
mod table;

pub use diff::render_diff_table;
pub use json::render_json;
pub use table::render_table;

use crate::model::{Evaluation, Phase, Severity, Status};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

/// Counts for summaries.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub nodes: usize,
    pub evaluations: usize,
    /// Evaluations per status; every status present, zero or not.
    pub by_status: BTreeMap<&'static str, usize>,
    /// Failing evaluations per severity.
    pub failing_by_severity: BTreeMap<&'static str, usize>,
}

/// Everything a run produced, stamped so an auditor can tell what was checked.
#[derive(Debug, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub phase: &'static str,
    pub rules_digest: String,
    pub inputs_digest: String,
    pub generated_at: String,
    pub summary: Summary,
    pub evaluations: Vec<Evaluation>,
}

impl Report {
    pub fn new(
        phase: Phase,
        rules_digest: String,
        inputs_digest: String,
        generated_at: String,
        nodes: usize,
        evaluations: Vec<Evaluation>,
    ) -> Report {
        let mut by_status: BTreeMap<&'static str, usize> =
            Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut failing_by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for e in &evaluations {
            *by_status.entry(e.status.as_str()).or_default() += 1;
            if e.status == Status::Fail {
                *failing_by_severity.entry(e.severity.as_str()).or_default() += 1;
            }
        }
        Report {
            tool: TOOL,
            phase: phase.as_str(),
            rules_digest,
            inputs_digest,
            generated_at,
            summary: Summary {
                nodes,
                evaluations: evaluations.len(),
                by_status,
                failing_by_severity,
            },
            evaluations,
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.summary
            .by_status
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// The one-line summary human formats end with.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let fails: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = s.failing_by_severity[sev.as_str()];
                (n > 0).then(|| format!("{n} {sev}"))
            })
            .collect();
        let failed = self.count(Status::Fail);
        let detail = if fails.is_empty() {
            String::new()
        } else {
            format!(" ({})", fails.join(", "))
        };
        format!(
            "{} node(s), {} evaluation(s): {failed} failed{detail}, {} unknown, {} passed, {} not applicable, {} waived",
            s.nodes,
            s.evaluations,
            self.count(Status::Unknown),
            self.count(Status::Pass),
            self.count(Status::NotApplicable),
            self.count(Status::Waived),
        )
    }
}

/// The time stamped on reports: SOURCE_DATE_EPOCH when set (reproducible
/// builds convention), else now.
pub fn generated_at() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now);
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
