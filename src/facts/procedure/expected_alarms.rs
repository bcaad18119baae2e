//! The alarms the Policy Management 12.1.2 procedure names as expected at a
//! step, kept as data in `expected_alarms.toml` (embedded in the binary) and
//! turned around: for an alarm number, the stages during which some step
//! expects it and the sections that say so.

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
    stages: Vec<String>,
    alarms: Vec<String>,
}

/// Alarm number → stage → sections naming the alarm during that stage.
type ByAlarm = BTreeMap<String, BTreeMap<String, Vec<String>>>;

static BY_ALARM: LazyLock<ByAlarm> = LazyLock::new(|| {
    // The table is compiled in and checked by the tests below: a parse error
    // here is a bug in the shipped file, not bad input.
    let table: Table = toml::from_str(TABLE).expect("expected_alarms.toml is valid");
    let mut by_alarm = ByAlarm::new();
    for step in table.step {
        for alarm in &step.alarms {
            for stage in &step.stages {
                by_alarm
                    .entry(alarm.clone())
                    .or_default()
                    .entry(stage.clone())
                    .or_default()
                    .push(step.section.clone());
            }
        }
    }
    by_alarm
});

/// `[{stage, sections}]` for an alarm number; empty when no step of the
/// procedure names it.
pub fn expected_at(alarm_id: &str) -> Json {
    let Some(stages) = BY_ALARM.get(alarm_id.trim()) else {
        return json!([]);
    };
    stages
        .iter()
        .map(|(stage, sections)| json!({"stage": stage, "sections": sections.join("; ")}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::procedure::progress::STAGES;

    #[test]
    fn every_stage_of_the_table_is_one_upcheck_recognises() {
        for stages in BY_ALARM.values() {
            for stage in stages.keys() {
                assert!(STAGES.contains(&stage.as_str()), "unknown stage {stage}");
            }
        }
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
