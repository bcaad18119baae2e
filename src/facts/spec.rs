//! How a fact is declared: its name, inputs, documentation and the
//! function that builds it.

use super::node_facts::NodeFacts;
use super::problem::FactResult;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

/// Where a fact's value comes from.
#[derive(Clone, Copy)]
pub enum Build {
    /// Built from the node's inputs, once per node, on first use.
    Node(fn(&mut NodeFacts<'_>) -> FactResult),
    /// The fleet's plan.toml, which the run reads once and lends every node.
    Plan,
    /// The rule's own `[params]`: no node holds them.
    RuleParams,
}

/// A fact rules can read, the inputs it is built from, and its fields.
pub struct FactSpec {
    pub name: &'static str,
    /// Always present (identity, plan, parameters); never needs `requires`.
    pub always: bool,
    pub inputs: &'static [&'static str],
    pub summary: &'static str,
    /// (field, type, meaning)
    pub fields: &'static [(&'static str, &'static str, &'static str)],
    pub build: Build,
    /// How `upcheck diff` compares the fact between two snapshots of a
    /// node; None: it does not.
    pub diff: Option<DiffAs>,
}

/// How `upcheck diff` reads a fact: the fields that match a row on the two
/// sides and the field whose change it reports.
#[derive(Clone, Copy)]
pub enum DiffAs {
    /// A list of rows, each in a state: matched by (`place`, `name`), a
    /// change of `state` is a change; listed under `patches`.
    States {
        place: &'static str,
        name: &'static str,
        state: &'static str,
    },
    /// Rows that are there or not (alarms), in the list field `list`,
    /// compared only when the boolean field `exported` is true: a row only
    /// after is raised, only before cleared; listed under `alarms`.
    Raised {
        list: &'static str,
        exported: &'static str,
    },
}

/// `{file, line}` for a record.
pub fn source(file: &str, line: usize) -> Json {
    json!({ "file": file, "line": line })
}

/// `{file, line}` of a record, for facts built as typed rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub line: usize,
}
