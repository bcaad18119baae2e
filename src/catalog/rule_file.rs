//! A rule file as written: its TOML keys, their canonical order, and
//! where in the text a value sits.

use super::problem::Problem;
use crate::facts::log_scan::LogSection;
use crate::model::{Phase, Scope, Severity};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// A rule file as written. Field order here is the canonical order of keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub code: u32,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub phases: Vec<Phase>,
    #[serde(default = "node_scope")]
    pub scope: Scope,
    pub applies_to: Option<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<u32>,
    pub for_each: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
    pub evidence: Option<Spanned<String>>,
    pub message: Spanned<String>,
    pub remediation: Arc<str>,
    pub explanation: String,
    #[serde(default)]
    pub references: Vec<String>,
    pub log: Option<LogSection>,
    #[serde(default)]
    pub params: toml::Table,
    #[serde(default)]
    pub not_applicable_when: Vec<ReasonWhen>,
    #[serde(default)]
    pub unknown_when: Vec<ReasonWhen>,
    #[serde(default)]
    pub fail_when: Vec<FailWhen>,
}

fn node_scope() -> Scope {
    Scope::Node
}

/// The canonical order of top-level keys in a rule file.
pub const KEY_ORDER: &[&str] = &[
    "code",
    "name",
    "title",
    "severity",
    "phases",
    "scope",
    "applies_to",
    "requires",
    "depends_on",
    "for_each",
    "key",
    "evidence",
    "message",
    "remediation",
    "explanation",
    "references",
    "log",
    "params",
    "not_applicable_when",
    "unknown_when",
    "fail_when",
];

/// A condition with the reason it gives (`not_applicable_when`,
/// `unknown_when`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonWhen {
    pub expr: Spanned<String>,
    pub reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailWhen {
    pub severity: Option<Severity>,
    pub expr: Spanned<String>,
    pub message: Option<Spanned<String>>,
}

/// The rule file decoded, or the TOML error at its line.
pub fn decode(origin: &str, text: &str) -> Result<RuleFile, Vec<Problem>> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        vec![Problem::error(origin, line, e.message().trim().to_string())]
    })
}

/// The 1-based line of byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// The 1-based line of a CEL error inside an expression (`<input>:L:C`).
pub fn cel_error_line(err: &str) -> usize {
    err.split("<input>:")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|l| l.parse().ok())
        .unwrap_or(1)
}
