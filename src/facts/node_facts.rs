//! The facts of one node: the files read for it, once, within its input
//! budget, and the facts built from them, cached.

use super::fleet_inputs::{FleetInputs, FleetRead};
use super::problem::{FactProblem, FactResult};
use super::tables::{NO_TABLES, SiteTables};
use crate::parse::Outcome;
use crate::snapshot::{self, Node};
use serde_json::Value as Json;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A file that was read: its text (for evidence excerpts) and digest.
pub struct InputRead {
    /// Path relative to the node folder.
    pub rel: String,
    /// Shared: a fleet file (beside plan.toml) is read once and counted as
    /// read by each node that uses it, without a copy per node.
    pub text: Arc<String>,
    pub digest: String,
    /// Lines (1-based, inclusive) of PEM private key blocks, found when an
    /// excerpt of the file is first asked for.
    pub key_blocks: std::sync::OnceLock<Vec<(usize, usize)>>,
}

/// A file a parser rejected, reported once per node as a tool finding.
#[derive(Debug, Clone)]
pub struct MalformedInput {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

/// A file that exists but was not read, reported once per node as a tool
/// finding: why, and the code that says it (90003, or 90007 to 90009).
#[derive(Debug, Clone)]
pub struct UnreadInput {
    pub path: String,
    pub reason: String,
    pub code: u32,
}

/// The bytes of input text one node may hold while it is evaluated,
/// unless `--max-node-input-mib` says otherwise.
pub const DEFAULT_NODE_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The facts of one node, built lazily and cached. The node's folder (and
/// its baseline's) stays indexed while they are built.
pub struct NodeFacts<'a> {
    pub node: &'a Node,
    /// The same node in the pre snapshot, when one was given.
    pub baseline: Option<&'a Node>,
    /// Each fact built, shared with the rules that read it (never copied).
    pub(super) cache: BTreeMap<&'static str, Result<Arc<Json>, FactProblem>>,
    /// Files read, by the path shown in findings (node folder joined).
    pub reads: BTreeMap<String, InputRead>,
    pub malformed: Vec<MalformedInput>,
    pub unreadable: Vec<UnreadInput>,
    /// The node folder's files, listed on first use.
    files: Option<Vec<String>>,
    /// What more than one fact is built from (a parsed input, the staged
    /// images), computed once per node: see [`NodeFacts::derived`].
    derived: BTreeMap<&'static str, Arc<dyn Any + Send + Sync>>,
    /// Bytes of input text this node may still hold in `reads`.
    budget: u64,
    /// What the node's fleet root shares with its other nodes: the plan
    /// file read for it, and the facts built from fleet files.
    pub fleet: Arc<FleetInputs>,
    /// The site's table inputs, facts beside the built-in ones.
    pub tables: &'a SiteTables,
}

impl Drop for NodeFacts<'_> {
    fn drop(&mut self) {
        self.node.release_index();
        if let Some(baseline) = self.baseline {
            baseline.release_index();
        }
    }
}

impl<'a> NodeFacts<'a> {
    pub fn new(node: &'a Node) -> Self {
        node.hold_index();
        NodeFacts {
            node,
            baseline: None,
            cache: BTreeMap::new(),
            reads: BTreeMap::new(),
            malformed: Vec::new(),
            unreadable: Vec::new(),
            files: None,
            derived: BTreeMap::new(),
            budget: DEFAULT_NODE_INPUT_BYTES,
            fleet: Arc::default(),
            tables: &NO_TABLES,
        }
    }

    /// The site's table inputs, which the catalog loaded.
    #[must_use]
    pub fn with_tables(mut self, tables: &'a SiteTables) -> Self {
        self.tables = tables;
        self
    }

    /// The plan file the run read for the node's fleet root, for a node
    /// whose facts are built alone.
    #[must_use]
    pub fn with_plan_file(mut self, file: Option<std::path::PathBuf>) -> Self {
        self.fleet = Arc::new(FleetInputs::new(file));
        self
    }

    /// What the node's fleet root shares with its other nodes.
    #[must_use]
    pub fn with_fleet(mut self, fleet: Arc<FleetInputs>) -> Self {
        self.fleet = fleet;
        self
    }

    /// The bytes of input text the node may hold in all.
    #[must_use]
    pub fn with_input_limit(mut self, bytes: u64) -> Self {
        self.budget = bytes;
        self
    }

    #[must_use]
    pub fn with_baseline(mut self, baseline: Option<&'a Node>) -> Self {
        if let Some(old) = self.baseline {
            old.release_index();
        }
        if let Some(new) = baseline {
            // Held for as long as this node's facts: baseline facts read
            // it a fact at a time.
            new.hold_index();
        }
        self.baseline = baseline;
        self
    }

    /// The fact `name` of the baseline node. Its files count as read by
    /// this node (evidence excerpts, input digest, tool findings).
    pub fn baseline_fact(&mut self, name: &str) -> FactResult {
        let Some(baseline) = self.baseline else {
            return Err(FactProblem::Missing {
                input: "baseline snapshot".into(),
                looked_for: vec![
                    format!("{} in --baseline-snapshot DIR", self.node.name()),
                    "a pre/ folder beside post/".into(),
                ],
            });
        };
        // The baseline's texts are held with this node's: one budget.
        let mut other = NodeFacts::new(baseline)
            .with_input_limit(self.budget)
            .with_tables(self.tables);
        let result = other.get(name);
        self.budget = other.budget;
        self.reads.append(&mut other.reads);
        self.malformed.append(&mut other.malformed);
        self.unreadable.append(&mut other.unreadable);
        result
    }

    /// A path shown in findings, relative to the node folder: the stable
    /// part used in fingerprints, whatever path the user typed.
    pub fn node_relative(&self, shown: &str) -> String {
        self.reads.get(shown).map_or_else(
            || {
                self.node
                    .relative(std::path::Path::new(shown))
                    .to_string_lossy()
                    .into_owned()
            },
            |r| r.rel.clone(),
        )
    }

    /// Reads and parses one logical input. Missing and unreadable files are
    /// problems; the parser's outcome is returned as is with the path shown
    /// in findings (the node folder joined with the file's relative path).
    pub fn parse<T>(
        &mut self,
        input: &str,
        parser: fn(&str) -> Outcome<T>,
    ) -> Result<(String, Outcome<T>), FactProblem> {
        let Some(spec) = snapshot::input_spec(input) else {
            return Err(FactProblem::Missing {
                input: input.to_string(),
                looked_for: vec![],
            });
        };
        let path = self
            .node
            .resolve(spec)
            .map_err(|looked_for| FactProblem::Missing {
                input: input.to_string(),
                looked_for,
            })?;
        self.parse_file(&path, parser)
    }

    /// Reads and parses one file of the node (once; later calls reuse the
    /// text). An unreadable file is a problem.
    pub fn parse_file<T>(
        &mut self,
        path: &std::path::Path,
        parser: impl FnOnce(&str) -> Outcome<T>,
    ) -> Result<(String, Outcome<T>), FactProblem> {
        let rel = self.read_file(path)?;
        let text = &self.reads[&rel].text;
        let outcome = parser(text);
        if let Outcome::Malformed(m) = &outcome
            && !self.malformed.iter().any(|x| x.path == rel)
        {
            self.malformed.push(MalformedInput {
                path: rel.clone(),
                line: m.line,
                reason: m.reason.clone(),
            });
        }
        Ok((rel, outcome))
    }

    /// Reads one file of the node once; returns the path shown in findings,
    /// the key of its text in `reads`. An unreadable file is a problem.
    pub fn read_file(&mut self, path: &std::path::Path) -> Result<String, FactProblem> {
        // What `display().to_string()` gives, without the formatter.
        let rel = path.to_string_lossy().into_owned();
        if self.reads.contains_key(&rel) {
            return Ok(rel);
        }
        // A many-NE export elsewhere in the fleet is read as its owner would.
        let read = match self.node.shared.read(path, self.budget) {
            Some(read) if !path.starts_with(&self.node.dir) => read,
            _ => self.node.read_within(path, self.budget),
        };
        match read {
            Ok(text) => {
                self.budget = self.budget.saturating_sub(text.len() as u64);
                let digest = text_digest(&text);
                let node_rel = self.node.relative(path).to_string_lossy().into_owned();
                let read = InputRead {
                    rel: node_rel,
                    text: Arc::new(text),
                    digest,
                    key_blocks: std::sync::OnceLock::new(),
                };
                self.reads.insert(rel.clone(), read);
                Ok(rel)
            }
            Err(e) => {
                if !self.unreadable.iter().any(|u| u.path == rel) {
                    self.unreadable.push(UnreadInput {
                        path: rel.clone(),
                        reason: e.reason.clone(),
                        code: e.code,
                    });
                }
                Err(FactProblem::Unreadable {
                    path: rel,
                    reason: e.reason,
                })
            }
        }
    }

    /// Counts a file of the fleet (beside plan.toml) as read by this node;
    /// its name alone is the stable part used in fingerprints.
    pub fn add_fleet_read(&mut self, read: &FleetRead) {
        if self.reads.contains_key(&read.shown) {
            return;
        }
        let read_here = InputRead {
            rel: read.rel.clone(),
            text: read.text.clone(),
            digest: read.digest.clone(),
            key_blocks: std::sync::OnceLock::new(),
        };
        self.reads.insert(read.shown.clone(), read_here);
    }

    /// The value `key` names, computed by `compute` on first use and kept
    /// with the node's facts: what two facts are built from is computed
    /// once per node. `key` names one type of value.
    pub(super) fn derived<T: Any + Send + Sync>(
        &mut self,
        key: &'static str,
        compute: impl FnOnce(&mut Self) -> T,
    ) -> Arc<T> {
        if let Some(known) = self.derived.get(key)
            && let Ok(known) = Arc::clone(known).downcast::<T>()
        {
            return known;
        }
        let value = Arc::new(compute(self));
        self.derived.insert(key, value.clone());
        value
    }

    /// Every file of the node folder, relative to it with `/` separators,
    /// sorted; listed once per node.
    pub fn files(&mut self) -> &[String] {
        let node = self.node;
        self.files.get_or_insert_with(|| node.files())
    }

    /// The text of line `line` of a file read for this node.
    pub fn line_text(&self, rel: &str, line: usize) -> Option<&str> {
        let text = &self.reads.get(rel)?.text;
        text.lines().nth(line.checked_sub(1)?)
    }

    /// Whether `line` of `rel` lies inside a private key, where a line of
    /// base64 is the key itself and no excerpt may show it.
    pub fn in_private_key(&self, rel: &str, line: usize) -> bool {
        let Some(read) = self.reads.get(rel) else {
            return false;
        };
        read.key_blocks
            .get_or_init(|| crate::model::redact::private_key_blocks(&read.text))
            .iter()
            .any(|&(first, last)| (first..=last).contains(&line))
    }
}

/// The digest of a file's text, as input digests combine it.
pub(super) fn text_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::model::hex(&Sha256::digest(text.as_bytes()))
}
