//! One NMS/DC export for many NEs. The NE list, the patch list, the task
//! log and the board storage of a DC(CMF) or NMS usually cover every NE it
//! manages in one file, saved once: at the fleet root (or in a folder
//! between it and the NE snapshots), or in the snapshot of the management
//! server. Such a file is split by its NE name/ID column and each row is
//! judged on the NE node it names, wherever the file sits (any node's
//! snapshot, the fleet root); a row naming no NE of the fleet is reported
//! rather than dropped. See docs/snapshot-format.md, "One NMS
//! export for many NEs".
//!
//! The index is built once per fleet root when the snapshots are found:
//! every candidate file is read once here for its NE column alone, and the
//! facts of a node then read in full only the files that name it. A bad
//! value elsewhere in a row does not stop the split: each node the file
//! names reads it and reports the file and line. A file outside the
//! snapshots that cannot be split at all (unreadable, no header, a quote
//! never closed) is reported once for the fleet, since no node reads it;
//! a node's own file whose table breaks is reported by that node, whether
//! or not its own checks read it (an NMS's snapshot holds the NEs' rows).

use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use super::problem::{FactProblem, parsed};
use crate::model::tool_codes::{INPUT_MALFORMED, INPUT_UNREADABLE};
use crate::parse::table::TableSpec;
use crate::parse::vendor::{dc_tasks, ne_comm, ne_storage, patches};
use crate::snapshot::confined::ReadError;
use crate::snapshot::{Layout, ListedFolders, Node, input_spec};

/// The inputs split by NE, each with the table its parser reads: the
/// split reads the same rows, and of each row only the `ne` field.
pub static SPLIT_INPUTS: [(&str, &LazyLock<TableSpec>); 4] = [
    ("patches", &patches::SPEC),
    ("dc-tasks", &dc_tasks::SPEC),
    ("ne-communication", &ne_comm::SPEC),
    ("ne-storage", &ne_storage::SPEC),
];

/// A row, or rows, of a shared export that name no NE of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    pub file: PathBuf,
    pub input: &'static str,
    /// The NE as the rows print it; `None` for rows without an NE value.
    pub ne: Option<String>,
    pub lines: Vec<usize>,
}

/// A file that could not be split by NE, and why: reported for the fleet
/// when it lies outside the snapshots (no node reads it), else by its node
/// when its table breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsplit {
    pub file: PathBuf,
    pub input: &'static str,
    /// The tool code of the problem: unreadable (or a refused link), or
    /// malformed.
    pub code: u32,
    /// The line that broke the table, when one did.
    pub line: Option<usize>,
    /// The problem as a node's facts would describe it.
    pub problem: String,
}

/// What the fleet's shared exports hold for whom.
#[derive(Debug, Default)]
pub struct SharedIndex {
    /// By node folder, then input: the files other than the node's own
    /// that hold rows naming it.
    files: BTreeMap<PathBuf, BTreeMap<&'static str, Vec<PathBuf>>>,
    /// Who reads each indexed file: its node, or its folder as a node of
    /// its own, so that links resolve inside that folder only.
    readers: BTreeMap<PathBuf, Node>,
    pub unmatched: Vec<Unmatched>,
    pub unsplit: Vec<Unsplit>,
    /// By node folder: its own files whose table breaks.
    unsplit_own: BTreeMap<PathBuf, Vec<Unsplit>>,
}

impl SharedIndex {
    /// The shared files of `input` that name the NE of the node in `dir`.
    pub fn files_for(&self, dir: &Path, input: &str) -> &[PathBuf] {
        self.files
            .get(dir)
            .and_then(|by_input| by_input.get(input))
            .map_or(&[], Vec::as_slice)
    }

    /// The files of the node in `dir` that could not be split by NE
    /// because their table breaks.
    pub fn unsplit_of(&self, dir: &Path) -> &[Unsplit] {
        self.unsplit_own.get(dir).map_or(&[], Vec::as_slice)
    }

    /// Reads an indexed file the way its owner would; `None` for a file
    /// the index does not hold.
    pub fn read(&self, path: &Path, budget: u64) -> Option<Result<String, ReadError>> {
        Some(self.readers.get(path)?.read_within(path, budget))
    }
}

/// The NE names and IDs a row may give for `node`, upper case: the
/// hostname and node.json's `ne_name` and `ne_id` (a string or a number).
pub fn ne_names(node: &Node) -> Vec<String> {
    let mut names = vec![node.name()];
    for key in ["ne_name", "ne_id"] {
        match node.identity.get(key) {
            Some(serde_json::Value::String(s)) => names.push(s.clone()),
            Some(serde_json::Value::Number(n)) => names.push(n.to_string()),
            _ => {}
        }
    }
    names.iter().map(|n| normal(n)).collect()
}

/// An NE value as it is compared: trimmed, upper case.
pub fn normal(ne: &str) -> String {
    ne.trim().to_uppercase()
}

/// Builds the index of each fleet root and hands it to the root's nodes.
pub fn attach(nodes: &mut [Node], listed: &ListedFolders) {
    let roots: BTreeSet<PathBuf> = nodes.iter().map(|n| n.root.clone()).collect();
    for root in roots {
        let members: Vec<&Node> = nodes.iter().filter(|n| n.root == root).collect();
        let index = Arc::new(index_root(&root, &members, listed));
        for node in nodes.iter_mut().filter(|n| n.root == root) {
            node.shared = index.clone();
        }
    }
}

/// A file that may hold rows of many NEs, and the node it belongs to.
struct Candidate<'a> {
    path: PathBuf,
    input: &'static str,
    table: &'static TableSpec,
    owner: Option<usize>,
    /// What reads it: the owning node, or its folder as a node.
    reader: Cow<'a, Node>,
}

fn index_root(root: &Path, members: &[&Node], listed: &ListedFolders) -> SharedIndex {
    // The names and the candidate files are found at once, and the
    // candidates are read and split in parallel: only the merge, in the
    // candidates' order, is serial.
    let (by_name, candidates) =
        rayon::join(|| names_of(members), || candidates(root, members, listed));
    // One reader a task: rayon's default cuts the list in four runs, and
    // one thread read the last run alone while the other waited.
    let mut splits: Vec<(usize, Result<Split, Unsplit>)> = (by_reader(&candidates).par_iter())
        .with_max_len(1)
        .flat_map_iter(|group| split_together(group, &candidates, &by_name))
        .collect();
    splits.sort_unstable_by_key(|(at, _)| *at);
    let splits = splits.into_iter().map(|(_, split)| split);
    let mut index = SharedIndex::default();
    for (candidate, split) in candidates.into_iter().zip(splits) {
        let Split { targets, unmatched } = match (split, candidate.owner) {
            (Ok(split), _) => split,
            // A node's own file: the node reports it, once, with the
            // problems its checks meet (unreadable: when they read it).
            (Err(unsplit), Some(owner)) if unsplit.code == INPUT_MALFORMED => {
                let own = index.unsplit_own.entry(members[owner].dir.clone());
                own.or_default().push(unsplit);
                continue;
            }
            (Err(_), Some(_)) => continue,
            (Err(unsplit), None) => {
                index.unsplit.push(unsplit);
                continue;
            }
        };
        if !targets.is_empty() {
            let reader = candidate.reader.into_owned();
            let reader = Node {
                shared: Arc::default(),
                ..reader
            };
            index
                .readers
                .entry(candidate.path.clone())
                .or_insert(reader);
        }
        for t in targets {
            let files = index
                .files
                .entry(members[t].dir.clone())
                .or_default()
                .entry(candidate.input)
                .or_default();
            if !files.contains(&candidate.path) {
                files.push(candidate.path.clone());
            }
        }
        index
            .unmatched
            .extend(unmatched.into_iter().map(|(ne, lines)| Unmatched {
                file: candidate.path.clone(),
                input: candidate.input,
                ne,
                lines,
            }));
    }
    index
}

/// Each NE name or ID of the members, upper case, and the first member
/// that gives it.
fn names_of(members: &[&Node]) -> BTreeMap<String, usize> {
    let names: Vec<Vec<String>> = members.par_iter().map(|node| ne_names(node)).collect();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for (i, names) in names.into_iter().enumerate() {
        for name in names {
            by_name.entry(name).or_insert(i);
        }
    }
    by_name
}

/// The candidates by what reads them, each by its place in the list: a
/// node's own files together, a folder's each on its own.
fn by_reader(candidates: &[Candidate]) -> Vec<Vec<usize>> {
    let mut groups = Vec::new();
    let mut by_owner: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (at, candidate) in candidates.iter().enumerate() {
        match candidate.owner {
            Some(owner) => by_owner.entry(owner).or_default().push(at),
            None => groups.push(vec![at]),
        }
    }
    groups.extend(by_owner.into_values());
    groups
}

/// Splits the candidates of one reader (see [`by_reader`]): a node's own
/// files with its folder opened once for them all, through the listing
/// discovery kept.
fn split_together(
    group: &[usize],
    candidates: &[Candidate],
    by_name: &BTreeMap<String, usize>,
) -> Vec<(usize, Result<Split, Unsplit>)> {
    let owner = group.first().map(|&at| &candidates[at]);
    let held = owner.filter(|c| c.owner.is_some() && c.reader.hold_listed_index());
    let splits = (group.iter())
        .map(|&at| (at, split(&candidates[at], by_name)))
        .collect();
    if let Some(owner) = held {
        owner.reader.set_index_down();
    }
    splits
}

/// What a candidate file holds for others: the members its rows name
/// (each once), and the rows naming no member, by NE as printed.
struct Split {
    targets: Vec<usize>,
    unmatched: BTreeMap<Option<String>, Vec<usize>>,
}

/// The rows of `candidate` split by the member they name, or why it
/// cannot be split.
fn split(candidate: &Candidate, by_name: &BTreeMap<String, usize>) -> Result<Split, Unsplit> {
    let shown = candidate.path.display().to_string();
    let text = (candidate.reader.read(&candidate.path)).map_err(|e| {
        let problem = FactProblem::Unreadable {
            path: shown.clone(),
            reason: e.reason,
        };
        candidate.unsplit(e.code, problem)
    })?;
    let rows = parsed(&shown, candidate.table.field_texts(&text, "ne")).map_err(|problem| {
        let code = match problem {
            FactProblem::Malformed { .. } => INPUT_MALFORMED,
            _ => INPUT_UNREADABLE,
        };
        candidate.unsplit(code, problem)
    })?;
    let mut targets: Vec<usize> = Vec::new();
    let mut unmatched: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (line, ne) in rows {
        let key = ne.as_deref().map(normal);
        let target = key.as_ref().and_then(|k| by_name.get(k).copied());
        match (target, candidate.owner) {
            // A node's own rows, or rows without an NE in its own file.
            (Some(t), Some(o)) if t == o => {}
            (None, Some(_)) if key.is_none() => {}
            (Some(t), _) => targets.push(t),
            (None, _) => unmatched.entry(ne).or_default().push(line),
        }
    }
    targets.sort_unstable();
    targets.dedup();
    Ok(Split { targets, unmatched })
}

impl Candidate<'_> {
    fn unsplit(&self, code: u32, problem: FactProblem) -> Unsplit {
        let line = match problem {
            FactProblem::Malformed { line, .. } => Some(line),
            _ => None,
        };
        Unsplit {
            file: self.path.clone(),
            input: self.input,
            code,
            line,
            problem: problem.describe(),
        }
    }
}

/// Every file of a split input under the root: each node's own, and the
/// first candidate in each folder from the root down to the nodes.
fn candidates<'a>(root: &Path, members: &[&'a Node], listed: &ListedFolders) -> Vec<Candidate<'a>> {
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    for node in members.iter().filter(|n| n.archive.is_none()) {
        for dir in node.dir.ancestors().skip(1) {
            // A folder's ancestors are in once the folder is.
            if !dir.starts_with(root) || folders.contains(dir) {
                break;
            }
            folders.insert(dir.to_path_buf());
        }
    }
    let folders: Vec<PathBuf> = folders.into_iter().collect();
    let mut out = Vec::new();
    for &(input, table) in &SPLIT_INPUTS {
        let table: &'static TableSpec = table;
        let Some(spec) = input_spec(input) else {
            continue;
        };
        // A few file system calls per folder and node, for every node of
        // the fleet: in parallel, kept in order.
        out.par_extend(folders.par_iter().filter_map(|folder| {
            // Most folders hold no exports: the walk's listing says so.
            let native = &spec.paths.native;
            if !native.iter().any(|rel| listed.may_hold(folder, rel)) {
                return None;
            }
            let reader = folder_reader(folder, root);
            let path = reader.resolve(spec).ok()?;
            Some(Candidate {
                path,
                input,
                table,
                owner: None,
                reader: Cow::Owned(reader),
            })
        }));
        out.par_extend(members.par_iter().enumerate().filter_map(|(i, &node)| {
            let path = node.resolve(spec).ok()?;
            Some(Candidate {
                path,
                input,
                table,
                owner: Some(i),
                reader: Cow::Borrowed(node),
            })
        }));
    }
    out
}

/// A folder above the NE snapshots, read like a node of its own: its
/// `exports/` resolve as a node's do, and links stay inside it.
fn folder_reader(folder: &Path, root: &Path) -> Node {
    Node {
        dir: folder.to_path_buf(),
        layout: Layout::Native,
        root: root.to_path_buf(),
        identity: serde_json::Map::new(),
        identity_error: None,
        archive: None,
        shared: Arc::default(),
        folder_index: crate::snapshot::folder_index::IndexSlot::default(),
    }
}
