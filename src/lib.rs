//! upcheck reads node snapshots (command outputs and copied files), builds
//! facts from them, evaluates a catalog of CEL rules, and reports coded
//! findings.
//!
//! The folders follow the pipeline: `snapshot` finds nodes and reads their
//! inputs, `parse` turns each input into records, `facts` builds the values
//! rules see, `catalog` loads and compiles the rules, `engine` evaluates them,
//! `policy` applies selection, severities, waivers and baselines, `report` and
//! `diff` write the results, and `cli` wires the commands. `model` holds the
//! vocabulary every stage shares.

pub mod catalog;
pub mod cli;
pub mod diff;
pub mod engine;
pub mod facts;
pub mod inputs;
pub mod model;
pub mod parse;
pub mod policy;
pub mod report;
pub mod snapshot;
