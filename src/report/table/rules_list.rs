//! `rules list` as a table that fits the width.

use super::width::{MIN_WIDTH, push_wrapped, push_wrapped_after, text_width};
use crate::catalog::Rule;

/// A header and a row per rule (code, severity, scope, phases, name) with
/// its title beside it, wrapped in the columns left; when fewer than
/// `MIN_TITLE` are left, the title goes beneath.
pub fn render_rules(rules: &[&Rule], width: usize) -> String {
    const MIN_TITLE: usize = 30;
    let width = width.max(MIN_WIDTH);
    let phases: Vec<String> = rules
        .iter()
        .map(|r| {
            r.phases
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let phases_width = phases.iter().map(String::len).max().unwrap_or(0).max(6);
    let name_width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    let key = |code: &str, severity: &str, scope: &str, phases: &str, name: &str| {
        format!("{code:<5}  {severity:<8} {scope:<7} {phases:<phases_width$} {name:<name_width$}  ")
    };
    let key_width = text_width(&key("", "", "", "", ""));
    let beside = width.saturating_sub(key_width) >= MIN_TITLE;
    let mut out = String::new();
    let mut row = |key: String, title: &str| {
        if beside {
            push_wrapped_after(&mut out, &key, title, &" ".repeat(key_width), width);
        } else {
            push_wrapped(&mut out, key.trim_end(), "", width);
            push_wrapped(&mut out, title, "       ", width);
        }
    };
    row(key("code", "severity", "scope", "phases", "name"), "title");
    for (r, phases) in rules.iter().zip(&phases) {
        let code = r.code.to_string();
        let severity = r.severity.as_str();
        row(
            key(&code, severity, r.scope.as_str(), phases, &r.name),
            &r.title,
        );
    }
    out.push_str(&format!("{} rule(s)\n", rules.len()));
    out
}
