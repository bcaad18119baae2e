//! The alarms the Policy Management 12.1.2 procedure names as expected at a
//! step, with the severity the step gives each, kept as data in
//! `expected_alarms.toml` (embedded in the binary) and turned around: for an
//! alarm number, the stages during which some step expects it, the highest
//! severity expected then, and the sections that say so.

use super::progress::Stage;
use crate::model::vocabulary::vocabulary;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::sync::LazyLock;

const TABLE: &str = include_str!("expected_alarms.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    step: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    section: String,
    stages: Vec<Stage>,
    #[serde(default)]
    critical: Vec<String>,
    #[serde(default)]
    major: Vec<String>,
    #[serde(default)]
    minor: Vec<String>,
}

impl Step {
    /// Each alarm of the step with the severity the step gives it.
    fn alarms(&self) -> impl Iterator<Item = (&String, Severity)> {
        let at = |severity: Severity| move |id| (id, severity);
        (self.critical.iter().map(at(Severity::Critical)))
            .chain(self.major.iter().map(at(Severity::Major)))
            .chain(self.minor.iter().map(at(Severity::Minor)))
    }
}

vocabulary! {
    /// A severity a step of the procedure expects an alarm at, ordered
    /// minor < major < critical.
    pub enum Severity {
        Minor = "minor",
        Major = "major",
        Critical = "critical",
    }
}

/// What the steps of one stage expect of one alarm.
struct Expected {
    severity: Severity,
    sections: Vec<String>,
}

/// Alarm number → stage → what the steps of that stage expect of it.
type ByAlarm = BTreeMap<String, BTreeMap<Stage, Expected>>;

static BY_ALARM: LazyLock<ByAlarm> = LazyLock::new(|| {
    // The table is compiled in and checked by the tests below: a parse error
    // here is a bug in the shipped file, not bad input.
    let table: Table = toml::from_str(TABLE).expect("expected_alarms.toml is valid");
    let mut by_alarm = ByAlarm::new();
    for step in &table.step {
        for (alarm, severity) in step.alarms() {
            for &stage in &step.stages {
                let expected = by_alarm
                    .entry(alarm.clone())
                    .or_default()
                    .entry(stage)
                    .or_insert(Expected {
                        severity,
                        sections: vec![],
                    });
                // Steps of one stage cannot be told apart: the highest
                // severity any of them names is the one expected.
                if severity > expected.severity {
                    expected.severity = severity;
                }
                expected.sections.push(step.section.clone());
            }
        }
    }
    by_alarm
});

/// `[{stage, severity, sections}]` for an alarm number; empty when no step
/// of the procedure names it.
pub fn expected_at(alarm_id: &str) -> Json {
    let Some(stages) = BY_ALARM.get(alarm_id.trim()) else {
        return json!([]);
    };
    stages
        .iter()
        .map(|(stage, e)| {
            json!({"stage": stage, "severity": e.severity, "sections": e.sections.join("; ")})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stage the table names that upcheck does not recognise would fail
    /// to load (`Stage` has no other words).
    #[test]
    fn the_table_loads() {
        assert!(BY_ALARM.len() > 20, "{}", BY_ALARM.len());
        assert!(
            toml::from_str::<Table>("[[step]]\nsection = 'x'\nstages = ['cmp-upgrades']").is_err()
        );
    }

    #[test]
    fn alarms_are_expected_where_the_procedure_names_them() {
        let stages = |id: &str| -> Vec<String> {
            expected_at(id)
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["stage"].as_str().unwrap().to_string())
                .collect()
        };
        // 70021 only while a 10.5/11.5 CMP is upgraded (6.1.1/7.1.1 step 10).
        assert_eq!(stages("70021"), ["cmp-legacy-upgrade"]);
        // 71402 only after an MPE/MRA failover (10.2 step 6).
        assert_eq!(stages("71402"), ["mpe-mra-mixed"]);
        // 31284 only in the System Maintenance backout (12.3.5 step 6).
        assert_eq!(stages("31284"), ["cmp-backout"]);
        assert_eq!(stages("31126"), ["cmp-backout", "mpe-mra-backout"]);
        assert!(stages("78001").contains(&"mpe-mra-upgrade".to_string()));
        assert!(!stages("78001").contains(&"cmp-upgrade".to_string()));
        assert!(stages("31236").iter().all(|s| s == "cmp-backout"));
        assert_eq!(expected_at("32509"), json!([]));
        let severity = |id: &str, stage: &str| -> String {
            expected_at(id)
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["stage"] == stage)
                .map(|e| e["severity"].as_str().unwrap().to_string())
                .unwrap_or_default()
        };
        // 70021 is a Major alarm of 6.1.1/7.1.1 step 10.
        assert_eq!(severity("70021", "cmp-legacy-upgrade"), "major");
        // 10.2 step 6: "Expected Critical Alarm None", 78001 Minor.
        assert_eq!(severity("78001", "mpe-mra-mixed"), "minor");
        assert_eq!(severity("31101", "cmp-mixed"), "minor");
        // 31236 is Critical in 12.3.5 step 2 and Major in step 6: the
        // highest of one stage is expected.
        assert_eq!(severity("31236", "cmp-backout"), "critical");
        assert_eq!(severity("70025", "cmp-upgrade"), "critical");
        assert_eq!(severity("31126", "mpe-mra-backout"), "major");
        let sections = expected_at("70021")[0]["sections"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            sections.starts_with("6.1.1 and 7.1.1 step 10"),
            "{sections}"
        );
    }
}
