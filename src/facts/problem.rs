//! Why a fact could not be built, and how a parser's outcome becomes one.

use crate::parse::{Absence, Outcome};
use serde_json::Value as Json;

/// Why a fact could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum FactProblem {
    /// No candidate file exists.
    Missing {
        input: String,
        looked_for: Vec<String>,
    },
    /// A file exists but could not be read.
    Unreadable { path: String, reason: String },
    /// A file exists but breaks its format.
    Malformed {
        path: String,
        line: usize,
        reason: String,
    },
    /// The input says the check does not apply here (no RTC on a VM).
    NotApplicable { path: String, reason: String },
}

impl FactProblem {
    pub fn describe(&self) -> String {
        match self {
            FactProblem::Missing { input, looked_for } => {
                format!(
                    "input `{input}` is missing: looked for {}",
                    looked_for.join(", ")
                )
            }
            FactProblem::Unreadable { path, reason } => format!("{path} is unreadable: {reason}"),
            FactProblem::Malformed { path, line, reason } => {
                format!("{path} is malformed at line {line}: {reason}")
            }
            FactProblem::NotApplicable { path, reason } => format!("{path}: {reason}"),
        }
    }
}

/// A fact's value, or the problem that stands in for it.
pub type FactResult = Result<Json, FactProblem>;

/// The records of a parsed file, or the problem that stands in for them.
pub(crate) fn parsed<T>(rel: &str, outcome: Outcome<T>) -> Result<T, FactProblem> {
    match outcome {
        Outcome::Parsed { records } => Ok(records),
        // outcome_problem answers None only for Parsed.
        other => Err(outcome_problem(rel, &other).expect("not parsed")),
    }
}

/// Turns a parser outcome that is not `Parsed` into the matching problem.
pub fn outcome_problem<T>(rel: &str, outcome: &Outcome<T>) -> Option<FactProblem> {
    match outcome {
        Outcome::Parsed { .. } => None,
        Outcome::Malformed(m) => Some(FactProblem::Malformed {
            path: rel.to_string(),
            line: m.line,
            reason: m.reason.clone(),
        }),
        Outcome::NotApplicable(na) => Some(match na.kind {
            // The collector failed or wrote nothing: as good as missing.
            Absence::ToolMissing | Absence::Empty => FactProblem::Unreadable {
                path: rel.to_string(),
                reason: na.reason.clone(),
            },
            Absence::ServiceDown | Absence::NoDevice => FactProblem::NotApplicable {
                path: rel.to_string(),
                reason: na.reason.clone(),
            },
        }),
    }
}
