//! Discovery: the node snapshots under the paths given to `check`, each
//! with its layout and identity (node.json, or what a sosreport says), the
//! problems met on the way, and the nodes a fleet cannot tell apart.

use super::archive::{self, Archive};
use super::confined::ReadError;
use super::folder_index::{FolderIndex, IndexSlot};
use super::{Layout, NODE_MARKER, Node, folder_name};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// Nodes a fleet cannot tell apart: several under one hostname (their
/// results would merge under it), or one with an empty hostname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    /// The hostname, empty for an empty one.
    pub name: String,
    pub message: String,
    /// The identity file (node.json, else the node folder) of each node.
    pub files: Vec<PathBuf>,
}

/// Every hostname given by more than one node, and every node whose
/// hostname is empty, in name order.
pub fn name_clashes(nodes: &[Node]) -> Vec<NameClash> {
    // A file system call per node: in parallel, kept in the nodes' order.
    let identities: Vec<(String, PathBuf)> = nodes
        .par_iter()
        .map(|node| {
            let marker = node.dir.join(NODE_MARKER);
            let file = if node.is_file(&marker) {
                marker
            } else {
                node.dir.clone()
            };
            (node.name(), file)
        })
        .collect();
    let mut by_name: std::collections::BTreeMap<String, Vec<PathBuf>> =
        std::collections::BTreeMap::new();
    for (name, file) in identities {
        by_name.entry(name).or_default().push(file);
    }
    let shown = |files: &[PathBuf]| {
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut clashes = Vec::new();
    for (name, files) in by_name {
        if name.trim().is_empty() {
            for file in files {
                clashes.push(NameClash {
                    name: name.clone(),
                    message: format!("{}: the hostname is empty", file.display()),
                    files: vec![file],
                });
            }
        } else if files.len() > 1 {
            clashes.push(NameClash {
                message: format!(
                    "hostname `{name}` is given by {} node snapshots: {}; their results would merge under one name",
                    files.len(),
                    shown(&files)
                ),
                name,
                files,
            });
        }
    }
    clashes
}

/// A problem met while walking, reported and skipped.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
    /// The tool code that reports it.
    pub code: u32,
}

impl WalkProblem {
    fn unreadable(path: &Path, message: impl Into<String>) -> WalkProblem {
        WalkProblem {
            path: path.to_path_buf(),
            message: message.into(),
            code: crate::model::tool_codes::SNAPSHOT_UNREADABLE,
        }
    }
}

/// Finds every node under `roots`, sorted by path. A node folder's own
/// subtree belongs to it, so the walk does not descend into it. Links are
/// not followed (a path given on the command line is): a link to a folder
/// or an archive is reported instead, so that the walk never leaves the
/// tree it was given and never drops a node unseen.
pub fn discover(roots: &[PathBuf]) -> (Vec<Node>, Vec<WalkProblem>) {
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        if !root.exists() {
            problems.push(WalkProblem::unreadable(root, "no such file or directory"));
            continue;
        }
        if archive::is_archive(root) {
            discover_archive(root, root, &mut nodes, &mut problems);
            continue;
        }
        let (found, trouble) = discover_folder(root);
        nodes.extend(found);
        problems.extend(trouble);
    }
    crate::facts::shared_exports::attach(&mut nodes);
    (nodes, problems)
}

/// The nodes under a folder, in the order of a walk sorted by name. The
/// folder's entries are walked in parallel, each one's subtree on its own,
/// and the results joined in the entries' order: the same nodes and
/// problems, in the same order, as one walk of the whole folder.
fn discover_folder(root: &Path) -> (Vec<Node>, Vec<WalkProblem>) {
    let is_node =
        root.join(crate::snapshot::sos::MARKER).is_dir() || root.join(NODE_MARKER).is_file();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) if !is_node => entries.collect::<Result<Vec<_>, _>>().ok(),
        _ => None,
    };
    // A node at the root, or a folder that cannot be listed: one walk,
    // which reports what went wrong as it always has.
    let Some(mut entries) = entries else {
        return walk(WalkDir::new(root).sort_by_file_name(), root, 0);
    };
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let parts: Vec<(Vec<Node>, Vec<WalkProblem>)> = entries
        .par_iter()
        .map(|e| {
            let subtree = WalkDir::new(e.path())
                .sort_by_file_name()
                .follow_root_links(false);
            walk(subtree, root, 1)
        })
        .collect();
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    for (found, trouble) in parts {
        nodes.extend(found);
        problems.extend(trouble);
    }
    (nodes, problems)
}

/// One walk: every node (a folder holding `sos_commands/` or `node.json`,
/// or an archive), never looking inside a node. `depth` is how far below
/// `root` the walk starts: links below the root are not followed.
fn walk(walk: WalkDir, root: &Path, depth: usize) -> (Vec<Node>, Vec<WalkProblem>) {
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    let mut walk = walk.into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                problems.push(WalkProblem::unreadable(&path, err.to_string()));
                continue;
            }
        };
        if entry.path_is_symlink() && depth + entry.depth() > 0 {
            problems.extend(link_not_followed(entry.path()));
            continue;
        }
        if entry.file_type().is_file() && archive::is_archive(entry.path()) {
            discover_archive(entry.path(), root, &mut nodes, &mut problems);
            continue;
        }
        if !entry.file_type().is_dir() {
            continue;
        }
        let dir = entry.path();
        if dir.join(crate::snapshot::sos::MARKER).is_dir() {
            nodes.push(read_sos(dir, root));
            walk.skip_current_dir();
        } else if dir.join(NODE_MARKER).is_file() {
            nodes.push(read_native(dir, root));
            walk.skip_current_dir();
        }
    }
    (nodes, problems)
}

/// A link met while walking a fleet: reported when it names a folder or an
/// archive (it could hold nodes); links to other files are no nodes.
fn link_not_followed(path: &Path) -> Option<WalkProblem> {
    let target = std::fs::read_link(path).ok()?;
    let meta = std::fs::metadata(path).ok()?;
    let what = if meta.is_dir() {
        "a folder"
    } else if archive::is_archive(path) {
        "an archive"
    } else {
        return None;
    };
    Some(WalkProblem {
        path: path.to_path_buf(),
        message: format!(
            "link to {what} ({}): discovery does not follow links; give the target on the command line to check it",
            target.display()
        ),
        code: crate::model::tool_codes::LINK_REFUSED,
    })
}

/// The nodes of an archive: every shallowest folder in it holding
/// `sos_commands/` or `node.json`. An archive that cannot be listed is one
/// node that cannot be read, so the run goes on without it.
fn discover_archive(
    path: &Path,
    root: &Path,
    nodes: &mut Vec<Node>,
    problems: &mut Vec<WalkProblem>,
) {
    let archive = match Archive::open(path) {
        Ok(a) => Arc::new(a),
        Err(message) => {
            nodes.push(Node {
                dir: path.to_path_buf(),
                layout: Layout::Native,
                root: root.to_path_buf(),
                identity: Map::new(),
                identity_error: Some(message.to_string()),
                archive: None,
                shared: Arc::default(),
                folder_index: IndexSlot::default(),
            });
            return;
        }
    };
    for refused in &archive.refused {
        problems.push(WalkProblem::unreadable(path, refused.clone()));
    }
    let mut folders = vec![String::new()];
    folders.extend(archive.dirs());
    let mut found: Vec<String> = Vec::new();
    for folder in folders {
        let inside = |f: &String| f.is_empty() || folder.starts_with(&format!("{f}/"));
        if found.iter().any(inside) {
            continue;
        }
        let under = |name: &str| {
            if folder.is_empty() {
                name.to_string()
            } else {
                format!("{folder}/{name}")
            }
        };
        let layout = if archive.is_dir(&under(crate::snapshot::sos::MARKER)) {
            Layout::Sos
        } else if archive.is_file(&under(NODE_MARKER), &folder) {
            Layout::Native
        } else {
            continue;
        };
        let dir = if folder.is_empty() {
            path.to_path_buf()
        } else {
            path.join(&folder)
        };
        nodes.push(read_node(&dir, root, layout, Some(archive.clone())));
        found.push(folder);
    }
    if found.is_empty() {
        problems.push(WalkProblem::unreadable(
            path,
            format!(
                "no node snapshot in the archive: no folder holds {NODE_MARKER} or {}/",
                crate::snapshot::sos::MARKER
            ),
        ));
    }
}

fn read_sos(dir: &Path, root: &Path) -> Node {
    read_node(dir, root, Layout::Sos, None)
}

fn read_native(dir: &Path, root: &Path) -> Node {
    read_node(dir, root, Layout::Native, None)
}

/// A node's identity: node.json for the native layout; for a sosreport,
/// what the report says, with the fields of a node.json placed beside it
/// (site, cluster, role…) laid over it.
fn read_node(dir: &Path, root: &Path, layout: Layout, archive: Option<Arc<Archive>>) -> Node {
    // The folder listed once, here: its identity and the fleet's shared
    // exports are looked up in the listing, and its facts read through it.
    let folder_index = match archive {
        Some(_) => IndexSlot::default(),
        None => IndexSlot::listed(FolderIndex::build(dir)),
    };
    let mut node = Node {
        dir: dir.to_path_buf(),
        layout,
        root: root.to_path_buf(),
        identity: Map::new(),
        identity_error: None,
        archive,
        shared: Arc::default(),
        folder_index,
    };
    if layout == Layout::Sos {
        let read = |rel: &str| node.read(&dir.join(rel)).ok();
        let identity = crate::snapshot::sos::identity(&read, &folder_name(dir));
        node.identity = identity;
    }
    let marker = dir.join(NODE_MARKER);
    if layout == Layout::Native || node.is_file(&marker) {
        let (given, error) = parse_identity(&marker, node.read(&marker));
        if given.contains_key("collected_at") && !given.contains_key("collected_at_clock") {
            // A collected_at written beside a sosreport is the collector's.
            node.identity.remove("collected_at_clock");
        }
        node.identity.extend(given);
        node.identity_error = error;
    }
    node.folder_index.set_aside();
    node
}

/// node.json as read, or why it cannot be used.
fn parse_identity(
    marker: &Path,
    text: Result<String, ReadError>,
) -> (Map<String, Value>, Option<String>) {
    match text {
        Err(e) => (Map::new(), Some(format!("{}: {e}", marker.display()))),
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => (map, None),
            Ok(_) => (
                Map::new(),
                Some(format!("{}: expected a JSON object", marker.display())),
            ),
            Err(e) => (
                Map::new(),
                Some(format!(
                    "{}:{}: invalid JSON: {e}",
                    marker.display(),
                    e.line()
                )),
            ),
        },
    }
}
