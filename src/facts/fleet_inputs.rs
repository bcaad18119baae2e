//! The inputs of a fleet root rather than of a node (plan.toml and the
//! files beside it): a fact built from them alone is the same for every
//! node of the root, so it is built once per root and lent to each node,
//! instead of reading and parsing the same files once per node.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::problem::{FactProblem, FactResult};

/// What the nodes of one fleet root share. The engine makes one per root
/// checked (so `check A B` never mixes two roots); a node's facts built
/// alone get their own.
#[derive(Default)]
pub struct FleetInputs {
    /// The plan file the run read for the root, if any.
    pub plan_file: Option<PathBuf>,
    /// The `backup_repository` fact, once built.
    pub(super) backup_repository: OnceLock<SharedFact>,
    /// Its rows by server (ASCII lower case): indexes into `backups`, in
    /// order, so that each node finds its own rows without a scan.
    pub(super) backups_by_server: OnceLock<HashMap<String, Vec<usize>>>,
}

impl FleetInputs {
    pub fn new(plan_file: Option<PathBuf>) -> FleetInputs {
        FleetInputs {
            plan_file,
            backup_repository: OnceLock::new(),
            backups_by_server: OnceLock::new(),
        }
    }
}

/// A fact built from fleet files, and the files it read: each node that
/// uses the fact counts them as read (evidence excerpts, input digest).
pub(super) struct SharedFact {
    pub result: FactResult,
    pub reads: Vec<FleetRead>,
}

/// A fleet file as read once for all the nodes of its root.
#[derive(Clone)]
pub struct FleetRead {
    /// The path shown in findings, its key in a node's reads.
    pub shown: String,
    /// Its name alone: the stable part used in fingerprints.
    pub rel: String,
    pub text: Arc<String>,
    pub digest: String,
}

impl FleetRead {
    /// Reads a file of the fleet (beside plan.toml).
    pub fn read(path: &Path) -> Result<FleetRead, FactProblem> {
        let shown = path.display().to_string();
        let text = crate::snapshot::read_input(path).map_err(|e| FactProblem::Unreadable {
            path: shown.clone(),
            reason: e.reason,
        })?;
        Ok(FleetRead {
            rel: path
                .file_name()
                .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
            digest: super::node_facts::text_digest(&text),
            text: Arc::new(text),
            shown,
        })
    }
}
