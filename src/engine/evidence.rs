//! Evidence: the files and lines a finding points at, with short redacted excerpts.

use crate::catalog::{Rule, expr};
use crate::facts::{self, FactProblem, NodeFacts};
use crate::model::Evidence;
use crate::model::quote::clip;
use crate::model::redact::redact_in;
use crate::snapshot;
use cel::Context;
use cel::common::value::Val;
use serde_json::Value as Json;

pub(super) fn evidence_path(path: String) -> Evidence {
    Evidence {
        path,
        line: None,
        excerpt: None,
        context: vec![],
    }
}

/// A short, redacted excerpt of line `line` of `path`.
pub(super) fn excerpt(facts: &NodeFacts, path: &str, line: usize) -> Option<String> {
    if facts.in_private_key(path, line) {
        return Some(crate::model::redact::REDACTED.to_string());
    }
    facts.line_text(path, line).map(|l| shown_line(path, l))
}

/// A line of `path` as an excerpt shows it: clipped first, so that
/// redaction never reads more than a clipped line.
pub(super) fn shown_line(path: &str, line: &str) -> String {
    redact_in(path, &clip(line.trim_end()))
}

/// Files that a fact was read from, for evidence when no line is known.
pub(super) fn input_files(facts: &NodeFacts, fact: &str) -> Vec<Evidence> {
    let node = facts.node;
    let Some(spec) = facts::spec(fact) else {
        return (facts.tables.find(fact))
            .and_then(|input| facts::tables::resolve(node, input).ok())
            .map(|p| evidence_path(p.display().to_string()))
            .into_iter()
            .collect();
    };
    spec.inputs
        .iter()
        .filter_map(|i| snapshot::input_spec(i))
        .filter_map(|i| node.resolve(i).ok())
        .map(|p| evidence_path(p.display().to_string()))
        .collect()
}

pub(super) fn problem_evidence(problem: &FactProblem) -> Vec<Evidence> {
    match problem {
        FactProblem::Missing { .. } => vec![],
        FactProblem::Unreadable { path, .. } | FactProblem::NotApplicable { path, .. } => {
            vec![evidence_path(path.clone())]
        }
        FactProblem::Malformed { path, line, .. } => vec![Evidence {
            path: path.clone(),
            line: Some(*line),
            excerpt: None,
            context: vec![],
        }],
    }
}

/// `{file, line}` maps (or a list of them) as evidence.
pub(super) fn sources(value: &Json) -> Vec<Evidence> {
    match value {
        Json::Array(items) => items.iter().flat_map(sources).collect(),
        Json::Object(map) => match map.get("file").and_then(Json::as_str) {
            Some(file) => vec![Evidence {
                path: file.to_string(),
                line: map.get("line").and_then(Json::as_u64).map(|l| l as usize),
                excerpt: None,
                context: map
                    .get("context")
                    .and_then(Json::as_array)
                    .map(|lines| {
                        lines
                            .iter()
                            .filter_map(Json::as_str)
                            .map(|l| shown_line(file, l))
                            .collect()
                    })
                    .unwrap_or_default(),
            }],
            None => vec![],
        },
        _ => vec![],
    }
}

/// The rule's `evidence` expression, else the item's `source`, else the
/// files the rule's facts came from.
pub(super) fn rule_evidence(
    rule: &Rule,
    facts: Option<&NodeFacts>,
    scope: &Context,
    item: Option<&dyn Val>,
) -> Vec<Evidence> {
    let from_rule = rule
        .evidence
        .as_ref()
        .and_then(|p| expr::eval(p, scope).ok())
        .map(|v| sources(&expr::to_json(&v)))
        .filter(|v| !v.is_empty());
    if let Some(found) = from_rule {
        return found;
    }
    // Only the item's `source` is converted: an item of a fleet rule may
    // carry whole members.
    if let Some(source) = item.and_then(expr::source_of) {
        let found = sources(&expr::to_json(&source));
        if !found.is_empty() {
            return found;
        }
    }
    // Resolved only here: most evaluations pass and need no evidence.
    facts
        .map(|facts| {
            rule.requires
                .iter()
                .flat_map(|fact| input_files(facts, fact))
                .collect()
        })
        .unwrap_or_default()
}
