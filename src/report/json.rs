//! The JSON report: every evaluation, passing ones included (compliance
//! needs them), with the stamps of the run.

use super::Report;

pub fn render_json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"cannot serialise the report: {e}\"}}")
    });
    text.push('\n');
    text
}
