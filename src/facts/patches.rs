//! Patch state per NE (and per board) from the patch-state export.

use super::ne_rows;
use super::node_facts::NodeFacts;
use super::problem::FactResult;
use super::spec::{Build, FactSpec, Fields, source};
use crate::parse::vendor::patches;
use serde_json::{Value as Json, json};

pub const PATCHES: FactSpec = FactSpec {
    name: "patches",
    always: false,
    build: Build::Node(build),
    diff: None,
    inputs: &["patches"],
    summary: "Installed patches as the NE patch query or the DC Patch View shows them \
              (exports/patches.csv or exports/patches.txt; see docs/snapshot-format.md): the \
              rows of the node's own export that name no NE or name this NE, and the rows of a \
              many-NE export elsewhere in the fleet that name it.",
    fields: Fields::Listed(&[
        (
            "ne",
            "string",
            "NE name or ID as exported (the hostname, `ne_name` or `ne_id` of node.json); the \
             node's hostname when the export has no NE column",
        ),
        ("patch", "string", "patch name, e.g. V100R004C01SPH106"),
        ("version", "string|null", "package version"),
        (
            "state",
            "string",
            "normalised: running, activating, active (trial), loaded, deactivated, idle, failed, unknown",
        ),
        ("raw_state", "string", "state as exported"),
        ("board", "string|null", "board type, when per board"),
        ("slot", "string|null", "slot, when per board"),
        (
            "where",
            "string",
            "`NE` or `NE board slot`, for messages and fingerprints",
        ),
        ("source", "map", "{file, line}"),
    ]),
};

pub fn build(facts: &mut NodeFacts) -> FactResult {
    let files = ne_rows::read(facts, "patches", patches::parse, |p| p.ne.as_deref())?;
    let host = facts.node.name();
    let mut out = Vec::new();
    for (rel, records) in &files {
        for p in records {
            let ne = p.ne.clone().unwrap_or_else(|| host.clone());
            let mut place = ne.clone();
            if let Some(b) = &p.board {
                place.push_str(&format!(" board {b}"));
            }
            if let Some(s) = &p.slot {
                place.push_str(&format!(" slot {s}"));
            }
            out.push(json!({
                "ne": ne,
                "patch": p.patch,
                "version": p.version,
                "state": p.state,
                "raw_state": p.raw_state,
                "board": p.board,
                "slot": p.slot,
                "where": place,
                "source": source(rel, p.line),
            }));
        }
    }
    Ok(Json::Array(out))
}
