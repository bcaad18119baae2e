//! The chain of causes as links between rows: a symptom names each cause
//! (`← caused by 10010 management-version-mismatch (above)`), a cause
//! each symptom (`→ causes 20002 patch-not-running (below)`), so every
//! failure keeps its own row and severity.

use crate::model::{Cause, Evaluation, Status};
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};

/// The failures each cause has, found once per table.
pub struct Links<'a> {
    report: &'a Report,
    symptoms: BTreeMap<Cause, Vec<&'a Evaluation>>,
}

impl<'a> Links<'a> {
    pub fn new(report: &'a Report) -> Self {
        let mut symptoms: BTreeMap<Cause, Vec<&Evaluation>> = BTreeMap::new();
        // Only failures (held whole) have causes.
        for e in report.evaluations.wholes() {
            for cause in &e.caused_by {
                symptoms.entry(cause.clone()).or_default().push(e);
            }
        }
        Links { report, symptoms }
    }

    /// The link lines of `rows[i]`: its causes, then (when it fails) what
    /// it causes, each once by code and subject.
    pub fn lines(&self, rows: &[&Evaluation], i: usize) -> Vec<String> {
        let e = rows[i];
        let mut out = Vec::new();
        for cause in &e.caused_by {
            if let Some(c) = self.report.failures_of(cause).next() {
                out.push(format!(
                    "← caused by {} {}{}",
                    c.code,
                    c.name,
                    whereabouts(rows, i, c)
                ));
            }
        }
        if e.status != Status::Fail {
            return out;
        }
        let me = Cause {
            code: e.code,
            node: e.node.clone(),
        };
        let mut seen = BTreeSet::new();
        for s in self.symptoms.get(&me).into_iter().flatten() {
            if seen.insert((s.code, &s.node)) {
                out.push(format!(
                    "→ causes {} {}{}",
                    s.code,
                    s.name,
                    whereabouts(rows, i, s)
                ));
            }
        }
        out
    }
}

/// Where the row of `other` is seen from `rows[i]`: above or below in the
/// same block, else the subject it is on.
fn whereabouts(rows: &[&Evaluation], i: usize, other: &Evaluation) -> String {
    let same =
        |r: &&Evaluation| r.code == other.code && r.node == other.node && r.status == other.status;
    match rows.iter().position(same) {
        Some(j) if j < i => " (above)".to_string(),
        Some(j) if j > i => " (below)".to_string(),
        _ => format!(" on {} {}", other.scope.as_str(), other.node),
    }
}
