//! The fact model: what rules see of a node. Facts are built on demand from
//! the node's inputs, once per node, and only when a selected rule needs
//! them. Every record that came from a line of a file carries
//! `source: {file, line}` so findings can point at it.

pub mod file_digest;
pub mod log_scan;
pub mod procedure;
pub mod shared_exports;

mod backups;
mod clock;
mod cluster_patch;
mod cmp_gui;
mod dms;
mod exports;
mod health;
mod huawei;
mod media;
pub use media::digests_used;
mod fields;
mod fleet_inputs;
pub use fleet_inputs::FleetInputs;
mod ne_rows;
mod node;
mod node_facts;
mod openscape;
mod patch_state;
mod patches;
mod platform;
mod problem;
mod registry;
mod security;
mod spec;
mod ssh_keys;
mod storage;
pub mod tables;
mod time;

pub use node::{identity_fact, plan_fact, toml_to_json};
pub use node_facts::{DEFAULT_NODE_INPUT_BYTES, InputRead, MalformedInput, NodeFacts, UnreadInput};
pub use patch_state::{PatchState, PatchStateRow};
pub(crate) use problem::parsed;
pub use problem::{FactProblem, FactResult, outcome_problem};
pub use registry::{FACTS, all_facts, names, spec};
pub use spec::{Build, DiffAs, FactSpec, FieldDoc, Source, source, to_fact, typed};

/// Facts of a one-node snapshot written for a test.
#[cfg(test)]
pub(crate) mod testing {
    use super::{FactResult, NodeFacts};
    use crate::snapshot;

    /// The facts `names` of a node whose folder holds `node.json` and
    /// `files` (relative path, text).
    pub fn facts_of(node_json: &str, files: &[(&str, &str)], names: &[&str]) -> Vec<FactResult> {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node");
        std::fs::create_dir_all(&node).unwrap();
        std::fs::write(node.join("node.json"), node_json).unwrap();
        for (rel, text) in files {
            let path = node.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (nodes, _) = snapshot::discover(&[dir.path().to_path_buf()]);
        let mut facts = NodeFacts::new(&nodes[0]);
        names.iter().map(|n| facts.get(n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;

    #[test]
    fn fact_names_are_unique_and_their_inputs_known() {
        // Input names are file names, unique by construction.
        let mut facts = names();
        facts.sort_unstable();
        let before = facts.len();
        facts.dedup();
        assert_eq!(facts.len(), before, "a fact name is used twice");
        for spec in FACTS {
            for input in spec.inputs {
                assert!(
                    snapshot::input_spec(input).is_some(),
                    "fact {} reads unknown input {input}",
                    spec.name
                );
            }
        }
    }
}
