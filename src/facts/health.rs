//! TPD platform health: the class verdicts of `syscheck`.

use super::node_facts::NodeFacts;
use super::problem::{FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::vendor::syscheck;
use serde_json::{Value as Json, json};

pub const SYSCHECK: FactSpec = FactSpec {
    name: "syscheck",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["syscheck"],
    summary: "The classes `syscheck` ran (disk, hardware, net, proc, services, system, upgrade, …) \
              with their verdicts and failure lines.",
    fields: Fields::Listed(&[
        (
            "classes",
            "list",
            "one map per class, in the order printed:",
        ),
        ("classes[].name", "string", "class name"),
        (
            "classes[].verdict",
            "string|null",
            "OK, FAILED, … as printed; null when the output stops before it",
        ),
        (
            "classes[].ok",
            "bool",
            "the verdict is OK and no failure line was printed",
        ),
        (
            "classes[].failures",
            "list",
            "{module, severity, alarm, text, source}: the module lines that report a failure",
        ),
        ("classes[].source", "map", "{file, line} of the class line"),
        ("log_location", "string|null", "the fail log syscheck named"),
    ]),
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = facts.parse("syscheck", syscheck::parse)?;
    let Some(report) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let classes: Vec<Json> = report
        .classes
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "verdict": c.verdict,
                "ok": c.ok,
                "failures": c.failures.iter().map(|f| json!({
                    "module": f.module,
                    "severity": f.severity,
                    "alarm": f.alarm,
                    "text": f.text,
                    "source": source(&shown, f.line),
                })).collect::<Vec<_>>(),
                "source": source(&shown, c.line),
            })
        })
        .collect();
    Ok(json!({ "classes": classes, "log_location": report.log_location }))
}
