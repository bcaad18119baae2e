//! Generated documentation: `explain`, docs/rules.md and docs/facts.md all
//! come from the catalog and the fact specs, so they cannot drift apart.

use crate::catalog::{Catalog, Rule};
use crate::facts::{self, FACTS};
use crate::model::tool_codes::TOOL_CODES;
use crate::snapshot;
use std::fmt::Write;

/// `upcheck explain CODE`.
pub fn explain(catalog: &Catalog, code: u32) -> Option<String> {
    if let Some(rule) = catalog.rules.get(&code) {
        return Some(explain_rule(rule));
    }
    let tool = crate::model::tool_codes::tool_code(code)?;
    Some(format!(
        "{} {}\n{}\n\nseverity: {} (always reported as unknown)\nphases: all\nscope: node or fleet\n\n{}\n\nRemediation:\n{}\n",
        tool.code, tool.name, tool.title, tool.severity, tool.explanation, tool.remediation
    ))
}

fn inputs_of(rule: &Rule) -> Vec<String> {
    rule.requires
        .iter()
        .filter_map(|r| facts::spec(r))
        .flat_map(|f| {
            f.inputs.iter().map(move |i| {
                let files = snapshot::input_spec(i)
                    .map(|s| s.paths.native.join(" | "))
                    .unwrap_or_default();
                format!("{} ← {i}: {files}", f.name)
            })
        })
        .collect()
}

fn explain_rule(rule: &Rule) -> String {
    let mut s = String::new();
    let phases: Vec<&str> = rule.phases.iter().map(|p| p.as_str()).collect();
    let _ = writeln!(s, "{} {}", rule.code, rule.name);
    let _ = writeln!(s, "{}\n", rule.title);
    let _ = writeln!(s, "severity: {}", rule.severity);
    let _ = writeln!(s, "phases: {}", phases.join(", "));
    let _ = writeln!(s, "scope: {}", rule.scope.as_str());
    if let Some(a) = &rule.applies_to_source {
        let _ = writeln!(s, "applies to: {a}");
    }
    if !rule.depends_on.is_empty() {
        let deps: Vec<String> = rule.depends_on.iter().map(u32::to_string).collect();
        let _ = writeln!(s, "follows from: {}", deps.join(", "));
    }
    let _ = writeln!(s, "inputs:");
    for i in inputs_of(rule) {
        let _ = writeln!(s, "  {i}");
    }
    if let Some(params) = rule.params.as_object().filter(|p| !p.is_empty()) {
        let _ = writeln!(s, "parameters:");
        for (k, v) in params {
            let _ = writeln!(s, "  {k} = {v}");
        }
    }
    let _ = writeln!(s, "\n{}\n", rule.explanation);
    let _ = writeln!(s, "Remediation:\n{}", rule.remediation);
    if !rule.references.is_empty() {
        let _ = writeln!(s, "\nReferences:");
        for r in &rule.references {
            let _ = writeln!(s, "  - {r}");
        }
    }
    s
}

/// docs/rules.md: the catalog.
pub fn rules_markdown(catalog: &Catalog) -> String {
    let mut s = String::from(
        "# Rule catalog\n\nGenerated from `rules/` by the test suite \
         (`UPCHECK_UPDATE_DOCS=1 cargo test --test it docs_fresh` rewrites it); do not edit by hand.\n\n\
         | code | name | severity | phases | scope | title |\n|---|---|---|---|---|---|\n",
    );
    for r in catalog.rules.values() {
        let phases: Vec<&str> = r.phases.iter().map(|p| p.as_str()).collect();
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} | {} | {} |",
            r.code,
            r.file_stem(),
            r.name,
            r.severity,
            phases.join(", "),
            r.scope.as_str(),
            r.title
        );
    }
    for t in TOOL_CODES {
        let _ = writeln!(
            s,
            "| [{}](#{}-{}) | {} | {} | all | node, fleet | {} |",
            t.code, t.code, t.name, t.name, t.severity, t.title
        );
    }
    for r in catalog.rules.values() {
        let _ = write!(s, "\n## {}\n\n", r.file_stem());
        let _ = writeln!(s, "```\n{}```", explain_rule(r));
    }
    for t in TOOL_CODES {
        let _ = write!(
            s,
            "\n## {}-{}\n\n{}. Severity {}, always reported as `unknown`.\n\n{}\n\nRemediation: {}\n",
            t.code, t.name, t.title, t.severity, t.explanation, t.remediation
        );
    }
    s
}

/// docs/facts.md: the fact model rules see.
pub fn facts_markdown() -> String {
    let mut s = String::from(
        "# Facts\n\nWhat rules see of a node. Generated from the fact specs in `src/facts/` by the \
         test suite (`UPCHECK_UPDATE_DOCS=1 cargo test --test it docs_fresh` rewrites it); do not edit \
         by hand. `upcheck facts NODE_DIR` prints them for one node.\n\n\
         In cluster, site and fleet scope rules see `nodes` (a list of maps, each with `node` and \
         the facts the rule requires) and `group` (`name`, `scope`, `size`) instead of one node's facts.\n",
    );
    for f in FACTS {
        let _ = write!(s, "\n## `{}`\n\n{}\n", f.name, f.summary);
        if !f.inputs.is_empty() {
            let _ = writeln!(s, "\nInputs (first existing file wins):\n");
            for i in f.inputs {
                if let Some(spec) = snapshot::input_spec(i) {
                    let files: Vec<String> =
                        spec.paths.native.iter().map(|c| format!("`{c}`")).collect();
                    let _ = writeln!(s, "- `{i}`: {}", files.join(", "));
                }
            }
        }
        let fields = f.fields();
        if !fields.is_empty() {
            let _ = writeln!(s, "\n| field | type | meaning |\n|---|---|---|");
            for field in fields {
                let _ = writeln!(s, "| `{}` | {} | {} |", field.name, field.ty, field.meaning);
            }
        }
    }
    s
}
