//! The examples of a `[table]` spec: each text must give the rows it
//! states, so that a spec is checked where it is written (`inputs check`,
//! `rules check`).

use serde_json::Value as Json;

use super::{TableRow, TableSpec};
use crate::parse::Outcome;

/// The line of each `[[table.examples]]` of an input file's text.
pub fn example_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[table.examples]]")
        .map(|(i, _)| i + 1)
        .collect()
}

impl TableSpec {
    /// What `inputs check` (and `rules check`, for a site folder) says of
    /// the examples: that there are none, or each one that does not give
    /// its rows, at its `[[table.examples]]` line (`example_lines`, from
    /// [`example_lines`]); `None` for the table as a whole.
    pub fn example_findings(&self, example_lines: &[usize]) -> Vec<(Option<usize>, String)> {
        if self.examples.is_empty() {
            return vec![(
                None,
                "[table] has no [[table.examples]]: give an export's text and the rows it must \
                 give, so that the spec is checked"
                    .into(),
            )];
        }
        self.example_problems()
            .into_iter()
            .map(|(n, message)| (example_lines.get(n - 1).copied(), message))
            .collect()
    }

    /// Every example's problem: a text that does not parse, or rows other
    /// than those it must give. Each with the example's number (1-based).
    pub fn example_problems(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (n, example) in self.examples.iter().enumerate() {
            let at = n + 1;
            let got = match self.parse(&example.text) {
                Outcome::Parsed { records } => records,
                Outcome::Malformed(m) => {
                    out.push((
                        at,
                        format!(
                            "example {at} is malformed at its line {}: {}",
                            m.line, m.reason
                        ),
                    ));
                    continue;
                }
                Outcome::NotApplicable(na) => {
                    out.push((at, format!("example {at} is not an export: {}", na.reason)));
                    continue;
                }
            };
            let want: Vec<TableRow> = example.rows.iter().map(toml_row).collect();
            let got: Vec<TableRow> = got.into_iter().map(comparable).collect();
            if let Some(why) = rows_differ(&got, &want) {
                out.push((at, format!("example {at}: {why}")));
            }
        }
        out
    }
}

/// An expected row of an example, as JSON.
fn toml_row(row: &toml::Table) -> TableRow {
    match serde_json::to_value(row) {
        Ok(Json::Object(map)) => map,
        _ => TableRow::new(),
    }
}

/// A row as examples state it: without `line` and absent fields.
fn comparable(mut row: TableRow) -> TableRow {
    row.remove("line");
    row.retain(|_, v| !v.is_null());
    row
}

/// The first difference between the rows read and those an example
/// states, said for a person.
fn rows_differ(got: &[TableRow], want: &[TableRow]) -> Option<String> {
    if got.len() != want.len() {
        return Some(format!(
            "gives {} rows, the example states {}",
            got.len(),
            want.len()
        ));
    }
    for (n, (got, want)) in got.iter().zip(want).enumerate() {
        let fields = got.keys().chain(want.keys());
        for field in fields {
            let shown = |v: Option<&Json>| v.map_or("absent".to_string(), Json::to_string);
            if got.get(field) != want.get(field) {
                return Some(format!(
                    "row {}: {field} is {}, the example states {}",
                    n + 1,
                    shown(got.get(field)),
                    shown(want.get(field))
                ));
            }
        }
    }
    None
}
