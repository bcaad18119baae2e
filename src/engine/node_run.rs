//! The node step: every node-scope rule on every node, in parallel, a
//! batch of nodes at a time.

use super::group::GroupMember;
use super::node::{NodeOutcome, evaluate_node};
use super::shard;
use crate::catalog::Rule;
use crate::catalog::expr::Bound;
use crate::facts::tables::SiteTables;
use crate::facts::{self, FleetInputs, NodeFacts};
use crate::model::Evaluations;
use crate::snapshot::Node;
use cel::Context;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The bytes of input text a run holds: per node (a file past it is not
/// read: 90009), and in all, by evaluating at most `total / per_node`
/// nodes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputMemory {
    pub per_node: u64,
    pub total: u64,
}

impl Default for InputMemory {
    fn default() -> Self {
        InputMemory {
            per_node: facts::DEFAULT_NODE_INPUT_BYTES,
            total: DEFAULT_INPUT_BYTES,
        }
    }
}

impl InputMemory {
    /// Nodes evaluated at once: each may hold `per_node`, all together no
    /// more than `total`. Whatever rayon's work stealing does, no more
    /// nodes than one batch are ever in flight.
    fn nodes_at_once(&self) -> usize {
        let n = self.total / self.per_node.max(1);
        usize::try_from(n)
            .unwrap_or(usize::MAX)
            .clamp(1, NODE_BATCH)
    }
}

/// The bytes of input text a whole run may hold, unless
/// `--max-input-mib` says otherwise.
pub const DEFAULT_INPUT_BYTES: u64 = 4096 * 1024 * 1024;

/// Nodes evaluated in parallel before their evaluations are collected.
const NODE_BATCH: usize = 256;

/// What every node of a run is evaluated with.
pub(super) struct NodeRun<'a, 'r> {
    /// Each fleet root's plan for CEL, and what its nodes share.
    pub(super) plans: &'a BTreeMap<PathBuf, (Bound, Arc<FleetInputs>)>,
    pub(super) baselines: &'a [Node],
    pub(super) node_rules: &'a [&'r Rule],
    pub(super) group_rules: &'a [&'a Rule],
    pub(super) root: &'a Context<'static, 'static>,
    pub(super) input_memory: InputMemory,
    /// The site's table inputs, lent to each node's facts.
    pub(super) tables: &'a SiteTables,
}

impl NodeRun<'_, '_> {
    /// Nodes are evaluated in parallel a batch at a time, and each batch's
    /// evaluations are moved into `held`, compact, so a large fleet never
    /// holds its evaluations twice. A batch is taken in while the next one
    /// is evaluated, so no thread waits for it. Returns every node as group
    /// rules see it, and the ISO digests used.
    pub(super) fn evaluate(
        &self,
        nodes: &[&Node],
        held: &mut Evaluations,
    ) -> (Vec<GroupMember>, crate::report::Digests) {
        // The first node of each hostname; a baseline is matched by name.
        let mut baselines: HashMap<String, &Node> = HashMap::new();
        for b in self.baselines {
            baselines.entry(b.name()).or_insert(b);
        }
        let mut members = Vec::with_capacity(nodes.len());
        let mut digests = crate::report::Digests::default();
        let mut take_in = |evaluated: Vec<(NodeOutcome, GroupMember)>| {
            reserve_for_rest(held, members.len(), nodes.len());
            for (outcome, member) in evaluated {
                held.extend(outcome.evaluations);
                digests.extend(outcome.digests);
                members.push(member);
            }
        };
        let mut pending = Vec::new();
        for batch in nodes.chunks(self.input_memory.nodes_at_once()) {
            let previous = std::mem::take(&mut pending);
            (pending, ()) = rayon::join(
                || {
                    (batch.par_iter())
                        .map(|node| self.evaluate_one(node, &baselines))
                        .collect()
                },
                || take_in(previous),
            );
        }
        take_in(pending);
        (members, digests)
    }

    /// One node's evaluations, and the node as group rules see it.
    fn evaluate_one(
        &self,
        node: &Node,
        baselines: &HashMap<String, &Node>,
    ) -> (NodeOutcome, GroupMember) {
        let (plan, fleet) = &self.plans[&node.root];
        let facts = NodeFacts::new(node)
            .with_baseline(baselines.get(&node.name()).copied())
            .with_input_limit(self.input_memory.per_node)
            .with_fleet(fleet.clone())
            .with_tables(self.tables);
        let mut outcome =
            evaluate_node(facts, &**plan, self.node_rules, self.group_rules, self.root);
        let member = GroupMember {
            node: node.name(),
            path: shard::relative_path(node),
            root: node.root.display().to_string(),
            site: node.field("site").map(str::to_string),
            cluster: node.field("cluster").map(str::to_string),
            inputs_digest: node_inputs_digest(std::mem::take(&mut outcome.reads)),
            group_facts: std::mem::take(&mut outcome.group_members),
        };
        (outcome, member)
    }
}

/// Room for the nodes not yet evaluated at the rate so far, and a
/// sixteenth more: the vector grows while it is small instead of doubling
/// when it holds most of the run.
fn reserve_for_rest(held: &mut Evaluations, done: usize, nodes: usize) {
    if done == 0 {
        return;
    }
    let rest = (nodes - done) * held.len().div_ceil(done);
    if held.spare() < rest {
        held.reserve_exact(rest + rest / 16);
    }
}

/// sha256 over the (file, content digest) pairs one node read, sorted.
fn node_inputs_digest(mut reads: Vec<(String, String)>) -> String {
    reads.sort();
    digest_of(
        reads
            .iter()
            .map(|(file, digest)| [file.as_str(), digest.as_str()]),
    )
}

pub(super) fn digest_of<'a>(parts: impl Iterator<Item = [&'a str; 2]>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for pair in parts {
        for part in pair {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    format!("sha256:{}", crate::model::hex(&h.finalize()))
}
