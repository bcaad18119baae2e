//! The JSON report: every evaluation, passing ones included (compliance
//! needs them), with the stamps of the run. Also renders a diff.

use serde::Serialize;
use std::io::Write;

/// Pretty-printed JSON of a report (or a diff), ending in a newline.
pub fn render_json<T: Serialize>(report: &T) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"cannot serialise the report: {e}\"}}")
    });
    text.push('\n');
    text
}

/// The same JSON as [`render_json`], written as it is serialised.
pub fn write_json<T: Serialize>(report: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
