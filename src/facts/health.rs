//! TPD platform health: the class verdicts of `syscheck`.

use super::node_facts::NodeFacts;
use super::problem::{FactResult, outcome_problem};
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::syscheck;
use schemars::JsonSchema;
use serde::Serialize;

pub const SYSCHECK: FactSpec = FactSpec {
    name: "syscheck",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["syscheck"],
    summary: "The classes `syscheck` ran (disk, hardware, net, proc, services, system, upgrade, …) \
              with their verdicts and failure lines.",
    schema: typed::<Syscheck>,
};

/// The `syscheck` fact.
#[derive(Serialize, JsonSchema)]
struct Syscheck<'r> {
    /// one map per class, in the order printed:
    classes: Vec<Class<'r>>,
    /// the fail log syscheck named
    log_location: Option<&'r str>,
}

#[derive(Serialize, JsonSchema)]
struct Class<'r> {
    /// class name
    name: &'r str,
    /// OK, FAILED, … as printed; null when the output stops before it
    verdict: Option<&'r str>,
    /// the verdict is OK and no failure line was printed
    ok: bool,
    /// the module lines that report a failure:
    failures: Vec<Failure<'r>>,
    /// {file, line} of the class line
    source: Source,
}

#[derive(Serialize, JsonSchema)]
struct Failure<'r> {
    /// the module that printed it (`fs`, `ping`); null for a bare line
    module: Option<&'r str>,
    /// `critical`, `major` or `minor`, as printed
    severity: Option<&'r str>,
    /// the 16-hex-digit alarm data string, as printed
    alarm: Option<&'r str>,
    /// the line after `module: `, trimmed
    text: &'r str,
    /// {file, line}
    source: Source,
}

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let (shown, outcome) = facts.parse("syscheck", syscheck::parse)?;
    let Some(report) = outcome.records() else {
        return Err(outcome_problem(&shown, &outcome).expect("not parsed"));
    };
    let classes = report
        .classes
        .iter()
        .map(|c| Class {
            name: &c.name,
            verdict: c.verdict.as_deref(),
            ok: c.ok,
            failures: c
                .failures
                .iter()
                .map(|f| Failure {
                    module: f.module.as_deref(),
                    severity: f.severity.as_deref(),
                    alarm: f.alarm.as_deref(),
                    text: &f.text,
                    source: Source::new(&shown, f.line),
                })
                .collect(),
            source: Source::new(&shown, c.line),
        })
        .collect();
    to_fact(&Syscheck {
        classes,
        log_location: report.log_location.as_deref(),
    })
}
