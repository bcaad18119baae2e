//! Shards: `check --shard K/N` evaluates the nodes whose path hashes to
//! shard K of N, and carries what group-scope rules need so that `merge`
//! can evaluate them over the whole fleet.

use crate::engine::group::{GroupMember, ShardRoot};
use crate::policy::Selection;
use crate::snapshot::Node;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// A `--shard` value that is not `K/N`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected K/N with 1 <= K <= N (e.g. 1/3), got `{0}`")]
pub struct ShardError(String);

impl std::str::FromStr for Shard {
    type Err = ShardError;

    /// `K/N` with 1 ≤ K ≤ N, e.g. `1/3`, `2/3`, `3/3`.
    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let usage = || ShardError(text.to_string());
        let (k, n) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = k.trim().parse().map_err(|_| usage())?;
        let count: usize = n.trim().parse().map_err(|_| usage())?;
        if count == 0 || index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the node at `relative_path` (from the path given) is in this shard.
    pub fn holds(&self, relative_path: &str) -> bool {
        shard_of(relative_path, self.count) == self.index
    }

    /// Whether `node` is in this shard.
    pub fn holds_node(&self, node: &Node) -> bool {
        self.holds(&relative_path(node))
    }
}

/// The 1-based shard of `relative_path` among `count`: the first eight
/// bytes of its sha256, modulo `count`. A hash of the path relative to the
/// folder given (never of the absolute path) so that every machine and
/// checkout puts a node in the same shard.
pub fn shard_of(relative_path: &str, count: usize) -> usize {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(relative_path.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % count as u64) as usize + 1
}

/// The node folder relative to the path it was found under, `/`-separated
/// on every platform; empty when that path is the node folder itself.
pub fn relative_path(node: &Node) -> String {
    let rel = node.dir.strip_prefix(&node.root).unwrap_or(&node.dir);
    slash_path(rel)
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a shard report carries beyond a check report (JSON `shard`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct ShardData {
    /// This shard, 1-based.
    #[schemars(range(min = 1))]
    pub index: usize,
    /// The number of shards.
    #[schemars(range(min = 1))]
    pub count: usize,
    /// The fleet group waiver findings belong to: the first folder given.
    pub fleet: String,
    /// The codes the run kept (`--select`, `--ignore`, severity `off`).
    pub selection: Selection,
    /// The paths checked, in order, with the plan each one's nodes see.
    pub roots: Vec<ShardRoot>,
    /// Every node of the shard, with the facts group-scope rules need.
    pub nodes: Vec<GroupMember>,
    /// The stable locator of each evaluation (the item a rule failed on),
    /// in the order of `evaluations`: it orders and fingerprints them.
    pub keys: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse::<Shard>().unwrap().to_string(), "1/1");
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/3/4", "-1/3", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.to_string().contains("K/N"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_path_lands_in_exactly_one_shard() {
        for count in 1..6 {
            for path in ["east/mpe-east-a", "west/cmp-b", "", "a/b/c"] {
                let shard = shard_of(path, count);
                assert!((1..=count).contains(&shard));
                let holders = (1..=count)
                    .filter(|&index| Shard { index, count }.holds(path))
                    .count();
                assert_eq!(holders, 1, "{path} in {count}");
            }
        }
        // The hash is part of the contract: shards computed elsewhere agree.
        // (first 8 bytes of sha256, big-endian) mod N, plus 1.
        assert_eq!(shard_of("east/mpe-east-a", 7), 2);
        assert_eq!(shard_of("site-east/cmp-east-a", 7), 6);
        let spread: std::collections::BTreeSet<usize> = (0..40)
            .map(|i| shard_of(&format!("site/node-{i:02}"), 4))
            .collect();
        assert_eq!(spread.len(), 4, "40 nodes spread over all 4 shards");
    }
}
