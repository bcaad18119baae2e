//! How a fact is declared: its name, inputs, documentation and the
//! function that builds it.

pub use super::fields::{FieldDoc, typed};
use super::node_facts::NodeFacts;
use super::problem::FactResult;
use schemars::JsonSchema;
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
    /// The schema of the type the build function serializes: the fields,
    /// their types and their doc comments (`typed::<T>`).
    pub schema: fn() -> schemars::Schema,
    pub build: Build,
    /// How `upcheck diff` compares the fact between two snapshots of a
    /// node; None: it does not.
    pub diff: Option<DiffAs>,
}

impl FactSpec {
    /// The fact's fields in docs/facts.md's words.
    pub fn fields(&self) -> Vec<FieldDoc> {
        super::fields::documented(&(self.schema)())
    }
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

/// {file, line} of a record
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
// Inline: docs/facts.md shows a `source` as a map its field describes,
// never as a row type of its own.
#[schemars(inline)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

/// `{file, line}` of a record, or of a whole file (line null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(inline)]
pub struct FileSource {
    pub file: String,
    pub line: Option<usize>,
}

impl FileSource {
    /// A whole file, not one of its lines.
    pub fn whole(file: String) -> FileSource {
        FileSource { file, line: None }
    }

    pub fn line(file: &str, line: usize) -> FileSource {
        FileSource {
            file: file.to_string(),
            line: Some(line),
        }
    }
}

impl Source {
    pub fn new(file: &str, line: usize) -> Source {
        Source {
            file: file.to_string(),
            line,
        }
    }
}

/// A fact's typed value as the JSON rules see (keys sorted, as `json!`
/// gives them).
pub fn to_fact<T: Serialize>(value: &T) -> FactResult {
    Ok(serde_json::to_value(value)
        .expect("a fact type serializes to JSON: its map keys are strings"))
}
