//! The terminal table: one block per node (then per group) of the failing
//! and unknown evaluations, and a summary line.

use super::Report;
use crate::model::{Evaluation, Status};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

pub fn render_table(report: &Report, show_passing: bool) -> String {
    let shown: Vec<&Evaluation> = report
        .evaluations
        .iter()
        .filter(|e| {
            show_passing || matches!(e.status, Status::Fail | Status::Unknown | Status::Waived)
        })
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < shown.len() {
        let head = shown[i];
        let block: Vec<&Evaluation> = shown[i..]
            .iter()
            .take_while(|e| e.node == head.node && e.scope == head.scope)
            .copied()
            .collect();
        i += block.len();
        out.push_str(&heading(head));
        out.push('\n');
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(140)
            .set_header(["code", "name", "severity", "status", "message"]);
        for e in block {
            let mut message = e.message.clone();
            if !e.caused_by.is_empty() {
                let causes: Vec<String> = e.caused_by.iter().map(u32::to_string).collect();
                message.push_str(&format!(" ← caused by {}", causes.join(", ")));
            }
            if let Some(ev) = e.evidence.first() {
                match ev.line {
                    Some(l) => message.push_str(&format!("\n  at {}:{l}", ev.path)),
                    None => message.push_str(&format!("\n  in {}", ev.path)),
                }
            }
            table.add_row([
                e.code.to_string(),
                e.name.clone(),
                e.severity.to_string(),
                e.status.to_string(),
                message,
            ]);
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
    }
    out.push_str(&report.summary_line());
    out.push('\n');
    out
}

fn heading(e: &Evaluation) -> String {
    let mut h = format!("{} {}", e.scope.as_str(), e.node);
    let place: Vec<&str> = [e.site.as_deref(), e.cluster.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if e.scope.as_str() == "node" && !place.is_empty() {
        h.push_str(&format!(" ({})", place.join(" / ")));
    }
    h
}
