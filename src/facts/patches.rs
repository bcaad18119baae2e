//! Patch state per NE (and per board) from the patch-state export.

use super::ne_rows;
use super::node_facts::NodeFacts;
use super::problem::FactResult;
use super::spec::{Build, FactSpec, Source, to_fact, typed};
use crate::parse::vendor::patches::{self, HuaweiPatchState};
use schemars::JsonSchema;
use serde::Serialize;

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
    schema: typed::<Vec<Patch>>,
};

/// A `patches` row.
#[derive(Serialize, JsonSchema)]
struct Patch<'r> {
    /// NE name or ID as exported (the hostname, `ne_name` or `ne_id` of
    /// node.json); the node's hostname when the export has no NE column
    ne: String,
    /// patch name, e.g. V100R004C01SPH106
    patch: &'r str,
    /// package version
    version: Option<&'r str>,
    /// normalised by the export's vocabulary (`active`: a trial, lost at the
    /// next restart)
    state: HuaweiPatchState,
    /// state as exported
    raw_state: &'r str,
    /// board type, when per board
    board: Option<&'r str>,
    /// slot, when per board
    slot: Option<&'r str>,
    /// `NE` or `NE board slot`, for messages and fingerprints
    #[serde(rename = "where")]
    place: String,
    /// {file, line}
    source: Source,
}

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
            out.push(Patch {
                ne,
                patch: &p.patch,
                version: p.version.as_deref(),
                state: p.state,
                raw_state: &p.raw_state,
                board: p.board.as_deref(),
                slot: p.slot.as_deref(),
                place,
                source: Source::new(rel, p.line),
            });
        }
    }
    to_fact(&out)
}
