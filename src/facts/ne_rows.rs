//! The rows of an export split by NE (see crate::facts::shared_exports) that
//! belong to this node: those of its own file that name no NE or name it,
//! and those of the fleet's other files that name it.

use std::path::PathBuf;

use super::node_facts::NodeFacts;
use super::problem::{FactProblem, parsed};
use crate::facts::shared_exports::{ne_names, normal};
use crate::parse::Outcome;

/// The node's rows of `input`, per file read: the shown path and the rows.
/// Missing when no file holds a row for the node; a file that holds only
/// other NEs' rows does not stand in for the node's.
pub fn read<T>(
    facts: &mut NodeFacts,
    input: &str,
    parser: fn(&str) -> Outcome<Vec<T>>,
    ne_of: fn(&T) -> Option<&str>,
) -> Result<Vec<(String, Vec<T>)>, FactProblem> {
    let names = ne_names(facts.node);
    let names_it = |row: &T| ne_of(row).is_some_and(|ne| names.contains(&normal(ne)));
    let mut out = Vec::new();
    let mut looked_for = Vec::new();
    let mut others_only = false;
    match facts.parse(input, parser) {
        Ok((rel, outcome)) => {
            let rows = parsed(&rel, outcome)?;
            let total = rows.len();
            let mine: Vec<T> = rows
                .into_iter()
                .filter(|r| ne_of(r).is_none() || names_it(r))
                .collect();
            others_only = total > 0 && mine.is_empty();
            if others_only {
                looked_for.push(format!("a row naming {} in {rel}", names.join(" or ")));
            } else {
                out.push((rel, mine));
            }
        }
        Err(FactProblem::Missing { looked_for: l, .. }) => looked_for = l,
        Err(other) => return Err(other),
    }
    let shared: Vec<PathBuf> = facts.node.shared.files_for(&facts.node.dir, input).to_vec();
    for path in shared {
        let (rel, outcome) = facts.parse_file(&path, parser)?;
        let rows = parsed(&rel, outcome)?;
        out.push((rel, rows.into_iter().filter(|r| names_it(r)).collect()));
    }
    if out.is_empty() {
        if !others_only {
            looked_for.push(format!(
                "rows naming {} in a many-NE export at the fleet root or in another snapshot",
                names.join(" or ")
            ));
        }
        return Err(FactProblem::Missing {
            input: input.to_string(),
            looked_for,
        });
    }
    Ok(out)
}
