//! `--baseline report.json`: an earlier JSON report whose failures and
//! unknowns are known. Each failure and each unknown of this run is marked
//! `new` or `known` by its fingerprint, and only new ones decide the exit
//! code, so a nightly job goes red on what changed, not on what was already
//! accepted. A failure is known only as a failure and an unknown only as an
//! unknown: a check that could not run before and fails now is news.

use crate::model::{BaselineState, Evaluations, Fingerprint, Status};
use crate::policy::PolicyError;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// What a baseline report accepted, by fingerprint.
#[derive(Debug, Default)]
pub struct Known {
    /// Failing and waived evaluations.
    pub failures: BTreeSet<Fingerprint>,
    pub unknowns: BTreeSet<Fingerprint>,
}

/// The fingerprints of the failing (and waived) and unknown evaluations of a report.
pub fn load(path: &Path) -> Result<Known, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        what: " the baseline",
        source,
    })?;
    let report: Value = serde_json::from_str(&text).map_err(|e| {
        PolicyError::at(
            path,
            Some(e.line()),
            format!("the baseline is not JSON: {e}"),
        )
    })?;
    let evaluations = report["evaluations"].as_array().ok_or_else(|| {
        PolicyError::at(
            path,
            None,
            "not an upcheck JSON report (no `evaluations`): write one with `check --format json`",
        )
    })?;
    let mut known = Known::default();
    for (i, e) in evaluations.iter().enumerate() {
        let set = match e["status"].as_str() {
            Some("fail" | "waived") => &mut known.failures,
            Some("unknown") => &mut known.unknowns,
            _ => continue,
        };
        let fingerprint = e["fingerprint"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .map_err(|why| PolicyError::at(path, None, format!("evaluation {i}: {why}")))?;
        set.insert(fingerprint);
    }
    Ok(known)
}

/// Marks each failure and unknown `known` when the baseline holds it with
/// the same status, else `new`.
/// Failing, waived and unknown evaluations are held whole.
pub fn mark(evaluations: &mut Evaluations, known: &Known) {
    for e in evaluations.wholes_mut() {
        let set = match e.status {
            Status::Fail | Status::Waived => &known.failures,
            Status::Unknown => &known.unknowns,
            _ => continue,
        };
        e.baseline = Some(if set.contains(&e.fingerprint) {
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
        let known = load(&path).unwrap();
        assert_eq!(known.failures.len(), 1, "passes are not read");
        assert!(known.unknowns.is_empty());
        std::fs::write(
            &path,
            r#"{"evaluations": [{"status": "fail", "fingerprint": "fp"}]}"#,
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("base.json: evaluation 0"), "{err}");
        assert!(err.contains("not 32 hex digits"), "{err}");
    }
}
