//! `--baseline report.json`: an earlier JSON report whose failures are
//! known. Each failure of this run is marked `new` or `known` by its
//! fingerprint, and only new ones decide the exit code, so a nightly job
//! goes red on what changed, not on what was already accepted.

use crate::model::{BaselineState, Evaluation, Fingerprint, Status};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The fingerprints of the failing (and waived) evaluations of a report.
pub fn load(path: &Path) -> Result<BTreeSet<Fingerprint>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let report: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}: the baseline is not JSON: {e}",
            path.display(),
            e.line()
        )
    })?;
    let evaluations = report["evaluations"].as_array().ok_or_else(|| {
        format!(
            "{}: not an upcheck JSON report (no `evaluations`): write one with `check --format json`",
            path.display()
        )
    })?;
    evaluations
        .iter()
        .enumerate()
        .filter(|(_, e)| e["status"] == "fail" || e["status"] == "waived")
        .map(|(i, e)| {
            e["fingerprint"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|why| format!("{}: evaluation {i}: {why}", path.display()))
        })
        .collect()
}

/// Marks each failing or waived evaluation `new` or `known`.
pub fn mark(evaluations: &mut [Evaluation], known: &BTreeSet<Fingerprint>) {
    for e in evaluations
        .iter_mut()
        .filter(|e| matches!(e.status, Status::Fail | Status::Waived))
    {
        e.baseline = Some(if known.contains(&e.fingerprint) {
            BaselineState::Known
        } else {
            BaselineState::New
        });
    }
}
