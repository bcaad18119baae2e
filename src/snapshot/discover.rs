//! Discovery: the node snapshots under the paths given to `check`, each
//! with its layout and identity (node.json, or what a sosreport says), the
//! problems met on the way, and the nodes a fleet cannot tell apart.

use super::archive::{self, Archive};
use super::confined::ReadError;
use super::folder_index::{FolderIndex, IndexSlot, Kind, Listing};
use super::{Layout, NODE_MARKER, Node, folder_name};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    // A file system call per node, and the grouping by name: in parallel,
    // each name's nodes kept in the nodes' order (the sort is stable).
    let mut identities: Vec<(String, PathBuf)> = nodes
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
    identities.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut by_name: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for (name, file) in identities {
        match by_name.last_mut() {
            Some((last, files)) if *last == name => files.push(file),
            _ => by_name.push((name, vec![file])),
        }
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

/// The names in each folder a walk went through that is no node, by
/// path: what is not there needs no system call to be found missing.
pub struct ListedFolders(std::collections::HashMap<PathBuf, Vec<Box<[u8]>>>);

impl ListedFolders {
    /// Whether `rel` may be under `folder`: not when the walk listed the
    /// folder and no entry of it is named as `rel`'s first component.
    pub fn may_hold(&self, folder: &Path, rel: &str) -> bool {
        let first = rel.split('/').next().unwrap_or(rel).as_bytes();
        self.0
            .get(folder)
            .is_none_or(|names| names.binary_search_by(|n| (**n).cmp(first)).is_ok())
    }
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
    let mut folders = std::collections::HashMap::new();
    for root in roots {
        if !root.exists() {
            problems.push(WalkProblem::unreadable(root, "no such file or directory"));
            continue;
        }
        if archive::is_archive(root) {
            discover_archive(root, root, &mut nodes, &mut problems);
            continue;
        }
        let mut found = Found::default();
        discover_folder(root, &mut found);
        nodes.extend(found.nodes);
        problems.extend(found.problems);
        folders.extend(found.folders);
    }
    crate::facts::shared_exports::attach(&mut nodes, &ListedFolders(folders));
    (nodes, problems)
}

/// The nodes under a folder, in the order of a walk sorted by name. The
/// folder's entries are walked in parallel, each one's subtree on its own,
/// and the results joined in the entries' order: the same nodes and
/// problems, in the same order, as one walk of the whole folder.
fn discover_folder(root: &Path, found: &mut Found) {
    // A path given on the command line is followed if it is a link.
    if let Some(layout) = layout_by_stat(root) {
        found.nodes.push(read_node(root, root, layout, None, None));
        return;
    }
    if !root.is_dir() {
        return;
    }
    let Some(entries) = walked_through(root, Listing::read(root), root, found) else {
        return;
    };
    // One entry a task, so that a thread left idle takes the next entry
    // instead of waiting for the other's run of entries.
    let parts: Vec<Found> = entries
        .into_par_iter()
        .with_max_len(1)
        .map(|pending| {
            let mut found = Found::default();
            walk(pending, root, &mut found);
            found
        })
        .collect();
    for part in parts {
        found.nodes.extend(part.nodes);
        found.problems.extend(part.problems);
        found.folders.extend(part.folders);
    }
}

/// What a walk found: the nodes, the problems met on the way, and the
/// names in each folder it went through that is no node.
#[derive(Default)]
struct Found {
    nodes: Vec<Node>,
    problems: Vec<WalkProblem>,
    folders: Vec<(PathBuf, Vec<Box<[u8]>>)>,
}

/// An entry still to walk: its path, its kind, and the open folder it is
/// in (while the walk is shallow enough to keep a folder open per level).
struct Pending {
    path: PathBuf,
    kind: std::io::Result<Kind>,
    parent: Option<Arc<OwnedFd>>,
    depth: usize,
}

/// The most folders a walk keeps open, one per level; deeper folders are
/// opened by path.
const OPEN_LEVELS: usize = 16;

/// Walks the entry `pending` below the root, in name order: every node (a
/// folder holding `sos_commands/` or `node.json`, or an archive), never
/// looking inside a node. Each folder is listed once: its listing tells a
/// node, and is the start of the node's index. Links are not followed.
fn walk(pending: Pending, root: &Path, found: &mut Found) {
    let mut todo = vec![pending];
    while let Some(Pending {
        path,
        kind,
        parent,
        depth,
    }) = todo.pop()
    {
        let kind = match kind {
            Ok(kind) => kind,
            Err(err) => {
                found.problems.push(io_problem(&path, &err));
                continue;
            }
        };
        match kind {
            Kind::Link => found.problems.extend(link_not_followed(&path)),
            Kind::File if archive::is_archive(&path) => {
                discover_archive(&path, root, &mut found.nodes, &mut found.problems);
            }
            Kind::Dir => {
                let listing = Listing::read_in(parent.as_deref(), &path);
                drop(parent);
                let layout = match &listing {
                    Ok(listing) => layout_listed(&path, listing),
                    Err(_) => layout_by_stat(&path),
                };
                if let Some(layout) = layout {
                    let node = read_node(&path, root, layout, None, listing.ok());
                    found.nodes.push(node);
                    continue;
                }
                if let Some(mut entries) = walked_through(&path, listing, root, found) {
                    for entry in &mut entries {
                        entry.depth += depth;
                        if entry.depth > OPEN_LEVELS {
                            entry.parent = None;
                        }
                    }
                    todo.extend(entries.into_iter().rev());
                }
            }
            Kind::File | Kind::Other => {}
        }
    }
}

/// The entries of `dir`, a folder that is no node, to walk next in name
/// order (one level below it), its names kept for the fleet's shared
/// exports; `None`, with the problem reported, when it cannot be listed.
fn walked_through(
    dir: &Path,
    listing: std::io::Result<Listing>,
    root: &Path,
    found: &mut Found,
) -> Option<Vec<Pending>> {
    let mut listing = match listing {
        Ok(listing) => listing,
        Err(err) => {
            found.problems.push(io_problem(dir, &err));
            return None;
        }
    };
    listing.sort();
    let Listing {
        folder,
        entries,
        broken,
    } = listing;
    // A listing that stopped early reports why, without a path.
    let broken = broken.map(|err| WalkProblem::unreadable(root, err.to_string()));
    found.problems.extend(broken);
    let mut names: Vec<Box<[u8]>> = entries.iter().map(|(name, _)| name.clone()).collect();
    names.sort_unstable();
    found.folders.push((dir.to_path_buf(), names));
    let folder = Arc::new(folder);
    let pending = entries.into_iter().map(|(name, kind)| Pending {
        path: dir.join(OsStr::from_bytes(&name)),
        kind,
        parent: Some(folder.clone()),
        depth: 1,
    });
    Some(pending.collect())
}

/// The layout of the folder `dir` as its listing tells it: sos_commands/
/// or node.json, links followed.
fn layout_listed(dir: &Path, listing: &Listing) -> Option<Layout> {
    let is = |name: &str, kind: Kind| match listing.kind(name) {
        Some(Kind::Link) => {
            let target = dir.join(name).metadata();
            target.is_ok_and(|m| {
                if kind == Kind::Dir {
                    m.is_dir()
                } else {
                    m.is_file()
                }
            })
        }
        found => found == Some(kind),
    };
    if is(crate::snapshot::sos::MARKER, Kind::Dir) {
        Some(Layout::Sos)
    } else if is(NODE_MARKER, Kind::File) {
        Some(Layout::Native)
    } else {
        None
    }
}

/// The layout of the folder `dir`, asking the file system (links followed).
fn layout_by_stat(dir: &Path) -> Option<Layout> {
    if dir.join(crate::snapshot::sos::MARKER).is_dir() {
        Some(Layout::Sos)
    } else if dir.join(NODE_MARKER).is_file() {
        Some(Layout::Native)
    } else {
        None
    }
}

/// A folder or entry that could not be read, worded as the walk always
/// worded it.
fn io_problem(path: &Path, err: &std::io::Error) -> WalkProblem {
    let message = format!("IO error for operation on {}: {err}", path.display());
    WalkProblem::unreadable(path, message)
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
    let mut found: HashSet<String> = HashSet::new();
    for folder in folders {
        // Inside a node found already: one of the folder's ancestors is one.
        let ancestors = (folder.match_indices('/')).map(|(i, _)| &folder[..i]);
        if found.contains("") || ancestors.into_iter().any(|a| found.contains(a)) {
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
        nodes.push(read_node(&dir, root, layout, Some(archive.clone()), None));
        found.insert(folder);
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

/// A node's identity: node.json for the native layout; for a sosreport,
/// what the report says, with the fields of a node.json placed beside it
/// (site, cluster, role…) laid over it.
fn read_node(
    dir: &Path,
    root: &Path,
    layout: Layout,
    archive: Option<Arc<Archive>>,
    listing: Option<Listing>,
) -> Node {
    // The folder listed once, by the walk that found it: its identity and
    // the fleet's shared exports are looked up in the listing, and its
    // facts read through it.
    let folder_index = match (&archive, listing) {
        (Some(_), _) => IndexSlot::default(),
        (None, Some(listing)) => IndexSlot::listed(listing.into_index()),
        (None, None) => IndexSlot::listed(FolderIndex::build(dir)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tool_codes::LINK_REFUSED;
    use std::os::unix::fs::symlink;

    /// A fleet with what a walk must get right: nodes at several depths, a
    /// node inside a node, markers that are links or FIFOs, a link to a
    /// folder, a broken archive, a name not in UTF-8 and a deep folder.
    fn hostile_fleet() -> tempfile::TempDir {
        let fleet = tempfile::tempdir().unwrap();
        let at = |rel: &str| fleet.path().join(rel);
        let mk = |rel: &str| std::fs::create_dir_all(at(rel)).unwrap();
        let write = |rel: &str, text: &str| std::fs::write(at(rel), text).unwrap();
        mk("a/n1/sub/inner");
        write("a/n1/node.json", r#"{"hostname": "n1"}"#);
        write("a/n1/sub/inner/node.json", r#"{"hostname": "inner"}"#);
        mk("b/sos1/sos_commands");
        mk("b/sos2");
        symlink("../sos1/sos_commands", at("b/sos2/sos_commands")).unwrap();
        mk("c/linked");
        write("c/linked/real.json", r#"{"hostname": "linked"}"#);
        symlink("real.json", at("c/linked/node.json")).unwrap();
        mk("c/fifo/deeper");
        let status = std::process::Command::new("mkfifo")
            .arg(at("c/fifo/node.json"))
            .status()
            .unwrap();
        assert!(status.success());
        symlink(at("a"), at("d")).unwrap();
        mk("e");
        write("e/notes.txt", "no node");
        write("e/broken.tar.gz", "no archive");
        let odd = at("f").join(OsStr::from_bytes(b"\xff"));
        std::fs::create_dir_all(odd.join("n2")).unwrap();
        std::fs::write(odd.join("n2/node.json"), r#"{"hostname": "n2"}"#).unwrap();
        let deep: PathBuf = (0..200).map(|_| "g").collect();
        mk(deep.join("n3").to_str().unwrap());
        write(deep.join("n3/node.json").to_str().unwrap(), "[]");
        fleet
    }

    #[test]
    fn the_walk_finds_every_node_once_in_path_order() {
        let fleet = hostile_fleet();
        let (nodes, problems) = discover(&[fleet.path().to_path_buf()]);
        let found: Vec<(String, Layout, Option<String>)> = nodes
            .iter()
            .map(|n| {
                let rel = n.dir.strip_prefix(fleet.path()).unwrap();
                let error = n.identity_error.clone();
                (rel.to_string_lossy().into_owned(), n.layout, error)
            })
            .collect();
        let deep: String = (0..200).map(|_| "g/").collect();
        assert_eq!(found.len(), 7, "{found:?}");
        assert_eq!(found[0], ("a/n1".into(), Layout::Native, None));
        assert_eq!(found[1], ("b/sos1".into(), Layout::Sos, None));
        assert_eq!(found[2], ("b/sos2".into(), Layout::Sos, None));
        assert_eq!(found[3], ("c/linked".into(), Layout::Native, None));
        assert_eq!(found[4].0, "e/broken.tar.gz");
        assert!(found[4].2.is_some());
        assert_eq!(found[5], ("f/\u{fffd}/n2".into(), Layout::Native, None));
        assert_eq!(found[6].0, format!("{deep}n3"));
        assert!(
            found[6]
                .2
                .as_ref()
                .unwrap()
                .contains("expected a JSON object")
        );
        assert_eq!(nodes[0].name(), "n1");
        assert_eq!(nodes[3].name(), "linked");
        // Listed by the walk that found them: no second listing.
        assert!(nodes[0].folder_index.get(&nodes[0].dir).is_some());
        let codes: Vec<(PathBuf, u32)> = problems
            .iter()
            .map(|p| {
                (
                    p.path.strip_prefix(fleet.path()).unwrap().to_path_buf(),
                    p.code,
                )
            })
            .collect();
        assert_eq!(codes, [(PathBuf::from("d"), LINK_REFUSED)]);
    }

    #[test]
    fn a_node_at_the_root_or_a_file_as_the_root() {
        let fleet = hostile_fleet();
        let node = fleet.path().join("a/n1");
        let (nodes, problems) = discover(std::slice::from_ref(&node));
        assert!(problems.is_empty());
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].dir, node);
        let file = fleet.path().join("e/notes.txt");
        let (nodes, problems) = discover(&[file]);
        assert!(nodes.is_empty() && problems.is_empty());
    }
}
