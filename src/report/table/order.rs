//! Which subject comes first, and the clean ones on one line.

use crate::model::{Brief, Evaluations, Scope, Severity, Status};
use std::cmp::Reverse;
use std::ops::Range;

/// The blocks (each subject's evaluations) of each scope (nodes, then
/// clusters, sites, the fleet) worst first: the most severe failure, then
/// the most failures, then the most unknowns, then by name.
pub fn worst_first(all: &Evaluations, mut blocks: Vec<Range<usize>>) -> Vec<Range<usize>> {
    blocks.sort_by_cached_key(|block| {
        let briefs = || block.clone().map(|i| all.brief(i));
        let failing = || briefs().filter(|e| e.status == Status::Fail);
        let worst: Option<Severity> = failing().map(|e| e.severity).max();
        let unknown = briefs().filter(|e| e.status == Status::Unknown).count();
        let head = all.brief(block.start);
        (
            head.scope,
            Reverse(worst),
            Reverse(failing().count()),
            Reverse(unknown),
            head.node.clone(),
        )
    });
    blocks
}

/// `N node(s) clean: a, b, … (+M more)`, one line per scope that has clean
/// subjects, naming as many as fit in `width`.
pub fn clean_lines<'a>(subjects: impl Iterator<Item = Brief<'a>>, width: usize) -> Vec<String> {
    let mut by_scope: Vec<(Scope, Vec<&str>)> = Vec::new();
    for e in subjects {
        match by_scope.iter_mut().find(|(scope, _)| *scope == e.scope) {
            Some((_, names)) => names.push(e.node),
            None => by_scope.push((e.scope, vec![&**e.node])),
        }
    }
    by_scope
        .into_iter()
        .map(|(scope, names)| clean_line(scope, &names, width))
        .collect()
}

fn clean_line(scope: Scope, names: &[&str], width: usize) -> String {
    let plural = match scope {
        Scope::Node => "node(s)",
        Scope::Cluster => "cluster(s)",
        Scope::Site => "site(s)",
        Scope::Fleet => "fleet(s)",
    };
    let head = format!("{} {plural} clean: ", names.len());
    let names: Vec<String> = names
        .iter()
        .map(|n| crate::model::quote::printable(n).into_owned())
        .collect();
    // The most names that fit with the `(+M more)` their omission needs.
    for shown in (1..=names.len()).rev() {
        let rest = names.len() - shown;
        let more = match rest {
            0 => String::new(),
            n => format!(", … (+{n} more)"),
        };
        let line = format!("{head}{}{more}", names[..shown].join(", "));
        if super::width::text_width(&line) <= width {
            return line;
        }
    }
    format!("{head}… (+{} more)", names.len())
}
