//! Finding node snapshots under the paths given, reading their identity, and
//! resolving a logical input name to the first file of its candidate list
//! (the candidates per layout come from the input table, [`crate::inputs`]).

pub mod archive;
pub mod collect;
pub mod confined;
mod discover;
pub mod folder_index;
pub mod fuzz;
pub mod sos;

use crate::inputs::Input;
use crate::model::tool_codes::{INPUT_UNREADABLE, NODE_INPUT_LIMIT};
use crate::snapshot::archive::Archive;
use crate::snapshot::confined::{OverLimit, ReadError, ReadFailure};
use crate::snapshot::folder_index::{FolderIndex, IndexSlot, Kind, Lookup};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// The marker file of the native layout.
pub const NODE_MARKER: &str = "node.json";
/// The optional maintenance plan at a fleet root.
pub const PLAN_FILE: &str = "plan.toml";
pub use crate::snapshot::confined::MAX_INPUT_BYTES;
// Discovery is its own file; its entry points stay `snapshot::discover`,
// `snapshot::name_clashes`, as the pipeline's callers name them.
pub use discover::{ListedFolders, NameClash, WalkProblem, discover, name_clashes};

/// How a snapshot folder is organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Native,
    /// A sosreport (`sos_commands/` marks it), see crate::snapshot::sos.
    Sos,
}

/// Whether `dir` is a node snapshot: it holds node.json or sos_commands/.
pub fn is_node_dir(dir: &Path) -> bool {
    dir.join(NODE_MARKER).is_file() || dir.join(crate::snapshot::sos::MARKER).is_dir()
}

/// The plan.toml for the nodes under `checked`, which is the path `given`
/// on the command line or its pre/ or post/ folder: in `checked`, else in
/// `given`; for an archive, the one beside it. The plan is the operator's:
/// one inside a node snapshot belongs to the snapshot and is never read,
/// and the lookup never climbs above the path given.
pub fn plan_file(checked: &Path, given: &Path) -> Option<PathBuf> {
    if archive::is_archive(given) {
        let beside = given.parent().unwrap_or(Path::new("")).join(PLAN_FILE);
        return beside.is_file().then_some(beside);
    }
    [checked, given]
        .into_iter()
        .filter(|dir| dir.is_dir() && !is_node_dir(dir))
        .map(|dir| dir.join(PLAN_FILE))
        .find(|file| file.is_file())
}

/// A path to check, and the pre snapshot to compare it with, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRoot {
    pub checked: PathBuf,
    pub baseline: Option<PathBuf>,
    /// The path given on the command line.
    pub given: PathBuf,
}

/// Pre/post pairs: a folder holding `pre/` and `post/` is checked as its
/// `post/` with `pre/` as the baseline (as its `pre/` alone in the pre
/// phase); a folder named `post` beside a `pre` folder gets that baseline.
pub fn checked_roots(paths: &[PathBuf], pre_phase: bool) -> Vec<CheckedRoot> {
    paths
        .iter()
        .map(|path| {
            let (pre, post) = (path.join("pre"), path.join("post"));
            if pre.is_dir() && post.is_dir() && !path.join(NODE_MARKER).exists() {
                return if pre_phase {
                    CheckedRoot {
                        checked: pre,
                        baseline: None,
                        given: path.clone(),
                    }
                } else {
                    CheckedRoot {
                        checked: post,
                        baseline: Some(pre),
                        given: path.clone(),
                    }
                };
            }
            let sibling = (path.file_name().is_some_and(|n| n == "post"))
                .then(|| path.with_file_name("pre"))
                .filter(|p| p.is_dir());
            CheckedRoot {
                checked: path.clone(),
                baseline: sibling,
                given: path.clone(),
            }
        })
        .collect()
}

/// The built-in input `name`. Built-in facts read built-in inputs only (a
/// site input may not take a built-in name); a site table's fact reads the
/// paths of its own input file (`facts::tables`).
pub fn input_spec(name: &str) -> Option<&'static Input> {
    crate::inputs::builtin().get(name)
}

/// Why the input `name` is not read inside an archive, as its input file
/// says (`paths.archive_note`).
pub fn archive_note(name: &str) -> String {
    input_spec(name)
        .and_then(|i| i.paths.archive_note.clone())
        .unwrap_or_else(|| format!("{name} is not read inside an archive: extract it"))
}

/// One node snapshot found on disk.
#[derive(Debug, Clone)]
pub struct Node {
    pub dir: PathBuf,
    pub layout: Layout,
    /// The fleet root this node was found under (where plan.toml may live).
    pub root: PathBuf,
    /// node.json as read, with `hostname` filled from the folder name when absent.
    pub identity: Map<String, Value>,
    /// Why node.json could not be used, if it could not.
    pub identity_error: Option<String>,
    /// The archive the node is read from in place; `dir` is then the
    /// archive's path joined with the node's folder inside it.
    pub archive: Option<Arc<Archive>>,
    /// The fleet's exports that cover many NEs, split by NE.
    pub shared: Arc<crate::facts::shared_exports::SharedIndex>,
    /// The folder's entries while its facts are built (see
    /// [`Node::hold_index`]).
    pub folder_index: IndexSlot,
}

impl Node {
    /// The name reports use: the hostname, else the folder name.
    pub fn name(&self) -> String {
        self.field("hostname")
            .map_or_else(|| folder_name(&self.dir), str::to_string)
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.identity.get(key).and_then(Value::as_str)
    }

    /// The first existing candidate for `input`, and the paths looked for.
    /// A candidate that exists but is no readable file (a folder, a FIFO, a
    /// dangling, looping or escaping link) is taken too, so that reading it
    /// reports why instead of the input passing for missing; folders and
    /// archives alike.
    pub fn resolve(&self, input: &Input) -> Result<PathBuf, Vec<String>> {
        let (candidates, note) = match self.layout {
            Layout::Native => (&input.paths.native, None),
            Layout::Sos => (&input.paths.sos, input.paths.sos_note.as_deref()),
        };
        if candidates.is_empty() {
            return Err(vec!["nothing: a sosreport never holds it".into()]);
        }
        candidates
            .iter()
            .find(|c| self.holds(c))
            .map(|c| self.dir.join(c))
            .ok_or_else(|| {
                let mut looked: Vec<String> = candidates.clone();
                if let (Some(note), Some(last)) = (note, looked.last_mut()) {
                    *last = format!("{last} ({note})");
                }
                looked
            })
    }

    /// Lists the node's folder on its next lookup and keeps the list until
    /// [`Node::release_index`]: lookups then cost no system call, and
    /// reads of regular files one `openat2`. For whoever builds the node's
    /// facts (archives have their own index).
    pub fn hold_index(&self) {
        self.folder_index.hold();
    }

    pub fn release_index(&self) {
        self.folder_index.release();
    }

    /// Holds the index for a few reads before the node's facts are built
    /// (the shared exports' split), when discovery kept the folder's
    /// listing: its files then open beneath the folder, opened once for
    /// them all. Returns whether it holds; end a hold with
    /// [`Node::set_index_down`].
    pub fn hold_listed_index(&self) -> bool {
        self.archive.is_none() && self.folder_index.hold_listed()
    }

    /// Ends a hold of [`Node::hold_listed_index`]: the folder is closed
    /// and the listing kept for the node's facts.
    pub fn set_index_down(&self) {
        self.folder_index.set_down();
    }

    /// The folder's index, while held, and the key of `path` in it.
    fn indexed<'a>(&self, path: &'a Path) -> Option<(Arc<FolderIndex>, Cow<'a, str>)> {
        if self.archive.is_some() {
            return None;
        }
        let key = folder_index::key_under(&self.dir, path)?;
        Some((self.folder_index.get(&self.dir)?, key))
    }

    /// What the index says of `path`: `Unsure` without one.
    fn lookup(&self, path: &Path) -> Lookup {
        self.indexed(path)
            .map_or(Lookup::Unsure, |(index, key)| index.lookup(&key))
    }

    /// The archive entry `path` names, when the node is in an archive.
    fn entry<'a>(&'a self, path: &Path) -> Option<(&'a Archive, String)> {
        let archive = self.archive.as_deref()?;
        let rel = path.strip_prefix(archive.path()).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some((archive, parts.join("/")))
    }

    /// The node's folder inside its archive ("" for the whole archive):
    /// the folder links must stay in.
    fn archive_folder(&self) -> String {
        self.entry(&self.dir)
            .map(|(_, name)| name)
            .unwrap_or_default()
    }

    /// Whether `rel` (relative to the folder) exists at all, a broken link
    /// too: a plain relative name is its own key in the index, looked up
    /// without joining it to the folder first.
    fn holds(&self, rel: &str) -> bool {
        if self.archive.is_none()
            && folder_index::is_plain(rel)
            && let Some(index) = self.folder_index.get(&self.dir)
        {
            match index.lookup(rel) {
                Lookup::Found(_) => return true,
                Lookup::Absent => return false,
                Lookup::Unsure => {}
            }
        }
        self.exists(&self.dir.join(rel))
    }

    /// Whether `path` exists at all, a broken link too.
    fn exists(&self, path: &Path) -> bool {
        match self.entry(path) {
            Some((archive, name)) => archive.has_entry(&name),
            None if self.archive.is_some() => false,
            None => match self.lookup(path) {
                Lookup::Found(_) => true,
                Lookup::Absent => false,
                Lookup::Unsure => path.symlink_metadata().is_ok(),
            },
        }
    }

    /// Whether `path` (under the node's `dir`) is a file, links followed
    /// inside the node's folder.
    pub fn is_file(&self, path: &Path) -> bool {
        match self.entry(path) {
            Some((archive, name)) => archive.is_file(&name, &self.archive_folder()),
            None if self.archive.is_some() => false,
            None => self.is_kind(path, Kind::File),
        }
    }

    /// Whether `path` (under the node's `dir`) is a folder, links followed
    /// inside the node's folder.
    pub fn is_dir(&self, path: &Path) -> bool {
        match self.entry(path) {
            Some((archive, name)) => archive.is_dir(&name),
            None if self.archive.is_some() => false,
            None => self.is_kind(path, Kind::Dir),
        }
    }

    /// Whether `path` (in the node's folder) is a `kind` (a file or a
    /// folder), links followed inside the node's folder.
    fn is_kind(&self, path: &Path, kind: Kind) -> bool {
        match self.lookup(path) {
            Lookup::Found(Kind::Link) | Lookup::Unsure => confined::resolve(&self.dir, path)
                .is_ok_and(|p| {
                    p.symlink_metadata().is_ok_and(|m| match kind {
                        Kind::Dir => m.is_dir(),
                        _ => m.is_file(),
                    })
                }),
            Lookup::Found(found) => found == kind,
            Lookup::Absent => false,
        }
    }

    /// The names and kinds of the entries of the folder `path` (in the
    /// node's folder), from the listing, when it vouches for the folder:
    /// one reached through no link. `None` sends the caller to the slow
    /// path.
    pub fn listed_children(&self, path: &Path) -> Option<Vec<(String, Kind)>> {
        let (index, key) = self.indexed(path)?;
        let children = index.children(&key)?;
        Some(
            children
                .into_iter()
                .map(|(n, k)| (n.to_string(), k))
                .collect(),
        )
    }

    /// Reads a file of the node as text, at most [`MAX_INPUT_BYTES`].
    pub fn read(&self, path: &Path) -> Result<String, ReadError> {
        self.read_within(path, MAX_INPUT_BYTES)
    }

    /// Reads a file of the node as text (see [`text_of`]): only a regular
    /// file, links resolved inside the node's folder, and at most `budget`
    /// bytes (what the node may still hold) or the limit for one input,
    /// whichever is lower, whatever size the file claims.
    pub fn read_within(&self, path: &Path, budget: u64) -> Result<String, ReadError> {
        let limit = budget.min(MAX_INPUT_BYTES);
        let bytes = match self.entry(path) {
            Some((archive, name)) => archive.read(&name, &self.archive_folder(), limit),
            None if self.archive.is_some() => {
                return Err(ReadError::unreadable("not inside the node's archive"));
            }
            None => {
                let opened = match self.indexed(path) {
                    Some((index, key)) => index.open(&key),
                    None => folder_index::open_unlisted(&self.dir, path),
                };
                match opened {
                    Some((file, claimed)) => confined::read_opened(file, claimed, limit),
                    None => confined::read_file(&self.dir, path, limit),
                }
            }
        };
        match bytes {
            Ok(bytes) => Ok(text_of(bytes)),
            Err(ReadFailure::Refused(e)) => Err(e),
            Err(ReadFailure::Over(over)) => Err(over_limit(over, budget)),
        }
    }

    /// Every file under the node, relative to `dir` with `/` separators,
    /// sorted. Links are not descended; a link to a file inside the node
    /// is listed, and so are the entries reading refuses (links leading out
    /// of the node's folder, FIFOs, devices), so that they are reported
    /// where a fact asks for them.
    pub fn files(&self) -> Vec<String> {
        if let Some((archive, name)) = self.entry(&self.dir) {
            return archive.files_under(&name);
        }
        if let Some(index) = self.folder_index.get(&self.dir) {
            return (index.entries())
                .filter(|(rel, kind)| match kind {
                    Kind::Dir => false,
                    Kind::Link => self.link_listed(&self.dir.join(rel)),
                    Kind::File | Kind::Other => true,
                })
                .map(|(rel, _)| rel.to_string())
                .collect();
        }
        let mut files: Vec<String> = WalkDir::new(&self.dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| self.listed(e))
            .filter_map(|e| {
                let rel = e.path().strip_prefix(&self.dir).ok()?;
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                Some(parts.join("/"))
            })
            .collect();
        files.sort();
        files
    }

    /// Whether [`Node::files`] lists the walked entry `e`.
    fn listed(&self, e: &walkdir::DirEntry) -> bool {
        if e.file_type().is_dir() {
            return false;
        }
        !e.path_is_symlink() || self.link_listed(e.path())
    }

    /// Whether [`Node::files`] lists the link `path`: when it leads to no
    /// folder.
    fn link_listed(&self, path: &Path) -> bool {
        match confined::resolve(&self.dir, path) {
            Ok(real) => real.symlink_metadata().is_ok_and(|m| !m.is_dir()),
            // Dangling and looping links are left out, as in an archive.
            Err(err) => err.code != INPUT_UNREADABLE,
        }
    }

    /// `path` relative to the node folder, for evidence.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        match folder_index::plain_rest(&self.dir, path) {
            Some(rest) => Path::new(rest),
            None => path.strip_prefix(&self.dir).unwrap_or(path),
        }
    }
}

fn folder_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads a file named on the command line (`upcheck parse`) as text:
/// only a regular file, at most [`MAX_INPUT_BYTES`]. The operator chose
/// the path, so links in it are followed.
pub fn read_input(path: &Path) -> Result<String, ReadError> {
    let real = (path.canonicalize()).map_err(|e| ReadError::unreadable(e.to_string()))?;
    let folder = real.parent().unwrap_or(Path::new("/"));
    match confined::read_file(folder, &real, MAX_INPUT_BYTES) {
        Ok(bytes) => Ok(text_of(bytes)),
        Err(ReadFailure::Refused(e)) => Err(e),
        Err(ReadFailure::Over(over)) => Err(over_limit(over, MAX_INPUT_BYTES)),
    }
}

/// The error of a read stopped at its limit: the limit for one input
/// (90003), or what the node may still hold (90009).
fn over_limit(over: OverLimit, budget: u64) -> ReadError {
    let past_input_limit = over.claimed.is_some_and(|n| n > MAX_INPUT_BYTES);
    let (code, limit, what) = if budget < MAX_INPUT_BYTES && !past_input_limit {
        (
            NODE_INPUT_LIMIT,
            budget,
            "bytes the node's inputs may still hold (--max-node-input-mib)",
        )
    } else {
        (
            INPUT_UNREADABLE,
            MAX_INPUT_BYTES,
            "byte limit for one input",
        )
    };
    let size = match over.claimed {
        Some(n) => format!("file is {n} bytes"),
        None => "file is longer than its size said".to_string(),
    };
    ReadError {
        code,
        reason: format!("{size}, more than the {limit} {what}"),
    }
}

fn text_of(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}
