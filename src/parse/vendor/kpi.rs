//! KPI export of the CMP: `exports/kpi.csv` (or `.txt`).
//!
//! The KPIs the procedure has the operator look at and export before the
//! window (§4.5 step 3), after each MPE/MRA failover (§10.2: traffic must
//! become active within 90 seconds) and at the end (§11 step 3), from the
//! KPI Dashboard or the Trending Reports. One row per sample, the rows of
//! every export in one file:
//!
//! | field     | header names                                                                 |
//! |-----------|------------------------------------------------------------------------------|
//! | `time`    | `Time`, `Timestamp`, `Date/Time`, `Sample Time`, `Interval Start`, `Date` (required) |
//! | `element` | `Cluster`, `Cluster Name`, `Server`, `Server Name`, `Network Element`, `Hostname`, `Name` |
//! | `kpi`     | `KPI`, `KPI Name`, `Counter`, `Counter Name`, `Measurement`, `Statistic` (required) |
//! | `value`   | `Value`, `Current Value`, `Count`, `Rate`                                    |
//!
//! A time in a form `gui_time` does not read, or a value that is not a
//! number (`%` after it allowed), makes the file Malformed at its row; a
//! value of `-`, `--` or `N/A` (a server that reports nothing) is absent.
//! The columns are declared in `inputs/kpi.toml` and read by the generic
//! table parser (`parse::table`).
//!
//! # Example
//!
//! ```text
//! Time,Cluster,KPI,Value
//! 11/20/2026 10:00:00,mpe-1,TPS,412
//! 11/21/2026 14:55:30,mpe-1,TPS,0
//! 11/21/2026 14:56:20,mpe-1,TPS,-
//! ```

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::parse::Outcome;
use crate::parse::table::TableSpec;

/// One KPI sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiSample {
    /// 1-based line of the row.
    pub line: usize,
    pub time: String,
    pub time_epoch: Option<i64>,
    /// The cluster or server it was measured on; none for the system.
    pub element: Option<String>,
    pub kpi: String,
    pub value: Option<f64>,
}

/// The columns, as `inputs/kpi.toml` declares them.
static SPEC: LazyLock<TableSpec> =
    LazyLock::new(|| TableSpec::built_in(include_str!("../../../inputs/kpi.toml")));

/// Parses a KPI export, CSV or text table.
pub fn parse(text: &str) -> Outcome<Vec<KpiSample>> {
    SPEC.parse_as(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::testing::{self, export_junk, parse_every_prefix, parsed};

    fn doc_blocks() -> Vec<String> {
        testing::doc_text_blocks(include_str!("kpi.rs"))
    }

    #[test]
    fn documentation_example_parses() {
        let block = &doc_blocks()[0];
        let got = parsed(&parse(block), block);
        let brief: Vec<String> = got
            .iter()
            .map(|s| {
                format!(
                    "{} {:?} {:?} {} {:?}",
                    s.line, s.time_epoch, s.element, s.kpi, s.value
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                r#"2 Some(1795168800) Some("mpe-1") TPS Some(412.0)"#,
                r#"3 Some(1795272930) Some("mpe-1") TPS Some(0.0)"#,
                r#"4 Some(1795272980) Some("mpe-1") TPS None"#,
            ]
        );
    }

    #[test]
    fn a_bad_time_or_value_is_malformed_at_its_row() {
        for (row, why) in [
            ("yesterday,mpe-1,TPS,3", "not a time"),
            ("11/21/2026 14:55:30,mpe-1,TPS,many", "not a percentage"),
            ("11/21/2026 14:55:30,mpe-1,,3", "has no KPI name"),
        ] {
            let text = format!("Time,Cluster,KPI,Value\n11/21/2026 14:55:00,mpe-1,TPS,3\n{row}\n");
            let m = testing::malformed(&parse(&text), &text);
            assert_eq!(m.line, 3, "{row}");
            assert!(m.reason.contains(why), "{row}: {}", m.reason);
        }
    }

    #[test]
    fn a_header_without_a_kpi_column_is_no_kpi_export() {
        let text = "Time,Cluster,Value\n11/21/2026 14:55:00,mpe-1,3\n";
        assert!(!matches!(parse(text), Outcome::Parsed { .. }));
        assert_eq!(parsed(&parse("Time,KPI,Value\n"), "header"), vec![]);
    }

    #[test]
    fn never_panics() {
        let mut inputs = doc_blocks();
        let alphabet = [
            "Time",
            "KPI",
            "Value",
            "TPS",
            "11/21/2026 14:55:00",
            ",",
            "  ",
            "%",
            "\n",
            "-",
            "é",
        ];
        inputs.extend(export_junk("Time,KPI,Value", "Time  KPI  Value", &alphabet));
        parse_every_prefix(&inputs, parse);
    }
}
