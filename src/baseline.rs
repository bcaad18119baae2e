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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_fingerprint_is_refused_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base.json");
        let good = "0123456789abcdef0123456789abcdef";
        std::fs::write(
            &path,
            format!(
                r#"{{"evaluations": [{{"status": "pass", "fingerprint": "x"}},
                   {{"status": "fail", "fingerprint": "{good}"}}]}}"#
            ),
        )
        .unwrap();
        assert_eq!(load(&path).unwrap().len(), 1, "only failures are read");
        std::fs::write(
            &path,
            r#"{"evaluations": [{"status": "fail", "fingerprint": "fp"}]}"#,
        )
        .unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.contains("base.json: evaluation 0"), "{err}");
        assert!(err.contains("not 32 hex digits"), "{err}");
    }
}
