//! `--statistics`: the size of a large fleet's problems at a glance.

use crate::model::Status;
use crate::report::Report;
use std::collections::BTreeMap;

/// How many failing, unknown and waived evaluations per code, severity and
/// status, most first (as ruff's `--statistics`), then the summary line.
pub fn render_statistics(report: &Report) -> String {
    let mut counts: BTreeMap<(u32, &str, &str, &str), usize> = BTreeMap::new();
    // Failing, unknown and waived evaluations are held whole.
    for e in report.evaluations.wholes() {
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
