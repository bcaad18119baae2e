//! The terminal form of a diff: one block per node that changed, a count of
//! the nodes that did not, and a summary line.

use super::table::{MIN_WIDTH, push_wrapped, push_wrapped_after};
use crate::diff::{Alarm, Diff, Finding, NodeDiff, NodeStatus, PatchChange};
use crate::model::Scope;

/// The diff at `width` columns (the table's width rule): every line wraps
/// at spaces, a node's lines indented under its heading.
pub fn render_diff_table(diff: &Diff, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::new();
    let mut quiet = Vec::new();
    for node in &diff.nodes {
        if node.status == NodeStatus::Unchanged && node.notes.is_empty() {
            quiet.push(node);
            continue;
        }
        // A line holds names and messages from snapshots: wrapping shows a
        // control character or a line break in one, it does not send it.
        push_wrapped(&mut out, &heading(node), "", width);
        for line in lines(node) {
            push_wrapped_after(&mut out, "  ", &line, "    ", width);
        }
        out.push('\n');
    }
    if !quiet.is_empty() {
        push_wrapped(
            &mut out,
            &format!("{} unchanged", counted(&quiet)),
            "",
            width,
        );
    }
    push_wrapped(&mut out, &summary_line(diff), "", width);
    out
}

/// "3 node(s)", or "3 node(s) and 2 group(s)" when clusters, sites or the
/// fleet are among them.
fn counted(entries: &[&NodeDiff]) -> String {
    let nodes = entries.iter().filter(|n| n.scope == Scope::Node).count();
    match entries.len() - nodes {
        0 => format!("{nodes} node(s)"),
        groups => format!("{nodes} node(s) and {groups} group(s)"),
    }
}

fn heading(node: &NodeDiff) -> String {
    let mut h = match node.scope {
        Scope::Fleet => node.node.clone(),
        scope => format!("{} {}", scope.as_str(), node.node),
    };
    h.push_str(&format!(": {}", node.status.as_str()));
    if node.worse {
        h.push_str(", got worse");
    }
    h
}

fn lines(node: &NodeDiff) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &node.release {
        out.push(format!(
            "release {} → {}",
            r.before.as_deref().unwrap_or("(none)"),
            r.after.as_deref().unwrap_or("(none)")
        ));
    }
    out.extend(node.patches.iter().map(patch_line));
    for (alarms, what) in [
        (&node.alarms.raised, "raised"),
        (&node.alarms.cleared, "cleared"),
    ] {
        out.extend(alarms.iter().map(|a| alarm_line(a, what)));
    }
    let f = &node.findings;
    for (list, what) in [(&f.new, "new"), (&f.resolved, "resolved")] {
        out.extend(list.iter().map(|x| finding_line("finding", x, what)));
    }
    out.extend(
        f.new_unknown
            .iter()
            .map(|x| finding_line("unknown", x, "appeared")),
    );
    if !f.unchanged.is_empty() {
        out.push(format!("{} finding(s) unchanged", f.unchanged.len()));
    }
    out.extend(node.notes.iter().map(|n| format!("note: {n}")));
    out
}

fn patch_line(p: &PatchChange) -> String {
    let change = match (&p.before, &p.after) {
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (None, Some(a)) => format!("added ({a})"),
        (Some(b), None) => format!("removed (was {b})"),
        (None, None) => "unchanged".to_string(),
    };
    let worse = if p.worse { " (worse)" } else { "" };
    format!("patch {} on {}: {change}{worse}", p.patch, p.place)
}

fn alarm_line(a: &Alarm, what: &str) -> String {
    let mut s = format!("alarm {}", a.id);
    if let Some(name) = &a.name {
        s.push_str(&format!(" {name}"));
    }
    if let Some(server) = &a.server {
        s.push_str(&format!(" on {server}"));
    }
    if let Some(instance) = &a.instance {
        s.push_str(&format!(" ({instance})"));
    }
    let worse = if what == "raised" && a.is_serious() {
        ", worse"
    } else {
        ""
    };
    format!("{s} {what} ({}{worse})", a.severity)
}

fn finding_line(kind: &str, f: &Finding, what: &str) -> String {
    format!(
        "{kind} {} {} {what} ({}): {}",
        f.code, f.name, f.severity, f.message
    )
}

/// Counts over every node, and the verdict.
fn summary_line(diff: &Diff) -> String {
    let count = |status: NodeStatus| diff.nodes.iter().filter(|n| n.status == status).count();
    let sum = |f: fn(&NodeDiff) -> usize| diff.nodes.iter().map(f).sum::<usize>();
    let verdict = if diff.worse {
        "got worse"
    } else {
        "nothing got worse"
    };
    format!(
        "{}: {} changed, {} unchanged, {} added, {} removed; \
         {} new finding(s), {} resolved, {} new unknown(s), {} patch change(s), \
         {} alarm(s) raised, {} cleared: {verdict}",
        counted(&diff.nodes.iter().collect::<Vec<_>>()),
        count(NodeStatus::Changed),
        count(NodeStatus::Unchanged),
        count(NodeStatus::Added),
        count(NodeStatus::Removed),
        sum(|n| n.findings.new.len()),
        sum(|n| n.findings.resolved.len()),
        sum(|n| n.findings.new_unknown.len()),
        sum(|n| n.patches.len()),
        sum(|n| n.alarms.raised.len()),
        sum(|n| n.alarms.cleared.len()),
    )
}
