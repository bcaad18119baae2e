//! A node folder listed once, when discovery finds it, and kept until its
//! facts are built: every entry's path and kind, so that looking an input
//! up (node.json, the fleet's shared exports, every fact's input, the
//! staged images) costs no system call, and a
//! regular file reached through no link opens with one `openat2` that
//! refuses any link on the way.
//!
//! The index only answers what it can vouch for: an entry that is a link,
//! a path through one, and anything in a folder the walk could not list
//! take confined.rs's path (by hand, one component at a time), which
//! follows links inside the node's folder and reports every refusal as it
//! always has. Should the folder change after it was listed, the open
//! still follows no link and opens no FIFO, and whatever it refuses is
//! read again by hand.

use std::borrow::Cow;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// What an entry of the folder is, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Link,
    /// A FIFO, socket or device: never opened.
    Other,
}

/// What the index says of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Found(Kind),
    /// Not there: no entry, and no link on the way that could lead to one.
    Absent,
    /// Through a link, or not a plain relative path: only the slow path
    /// can tell.
    Unsure,
}

/// Every entry under a node folder, by path relative to it (`/`
/// separators), sorted as [`crate::snapshot::Node::files`] lists them.
#[derive(Debug)]
pub struct FolderIndex {
    entries: Vec<(Box<str>, Kind)>,
    /// The folder, open while its files are read: they are opened
    /// beneath it. A listing kept from discovery holds no open folder.
    folder: OnceLock<Option<OwnedFd>>,
}

impl FolderIndex {
    /// Lists `dir`; `None` when any folder of it cannot be listed or any
    /// name is no UTF-8 (then every lookup takes the slow path).
    pub fn build(dir: &Path) -> Option<FolderIndex> {
        Listing::read(dir).ok()?.into_index()
    }

    /// Opens `dir`, the folder listed, if it is not open: its files are
    /// opened beneath it.
    fn open_folder(&self, dir: &Path) {
        use rustix::fs::{Mode, OFlags};
        self.folder.get_or_init(|| {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            rustix::fs::open(dir, flags, Mode::empty()).ok()
        });
    }

    /// Every entry, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, Kind)> {
        self.entries.iter().map(|(name, kind)| (&**name, *kind))
    }

    fn kind(&self, key: &str) -> Option<Kind> {
        let at = self
            .entries
            .binary_search_by(|(name, _)| (**name).cmp(key))
            .ok()?;
        Some(self.entries[at].1)
    }

    /// What the entry `key` (see [`key_under`]) is.
    pub fn lookup(&self, key: &str) -> Lookup {
        if key.is_empty() {
            return Lookup::Unsure;
        }
        if let Some(kind) = self.kind(key) {
            return Lookup::Found(kind);
        }
        // The walk does not descend links: a path through one is unknown.
        for (at, _) in key.match_indices('/') {
            match self.kind(&key[..at]) {
                Some(Kind::Dir) => {}
                Some(Kind::Link) => return Lookup::Unsure,
                _ => return Lookup::Absent,
            }
        }
        Lookup::Absent
    }

    /// The entries directly in the folder `key`, when the index vouches
    /// for it: a folder reached through no link.
    pub fn children(&self, key: &str) -> Option<Vec<(&str, Kind)>> {
        if self.lookup(key) != Lookup::Found(Kind::Dir) {
            return None;
        }
        let prefix = format!("{key}/");
        let from = self.entries.partition_point(|(name, _)| **name < *prefix);
        let under = self.entries[from..]
            .iter()
            .take_while(|(name, _)| name.starts_with(&prefix));
        let children = under
            .map(|(name, kind)| (&name[prefix.len()..], *kind))
            .filter(|(name, _)| !name.contains('/'));
        Some(children.collect())
    }

    /// Opens the entry `key` when the index lists it as a regular file, with one
    /// `openat2` beneath the folder that follows no link, and it is still
    /// a regular file once open. Returns the file and the size it claims;
    /// `None` sends the caller to the slow path, which says why.
    pub fn open(&self, key: &str) -> Option<(File, u64)> {
        if self.lookup(key) != Lookup::Found(Kind::File) {
            return None;
        }
        open_file_beneath(self.folder.get()?.as_ref()?, key)
    }
}

/// Opens `path`, a regular file under `dir` reached through no link,
/// without a listing of `dir`: with one `openat2` beneath the folder,
/// opened for it, that follows no link (a snapshot read before or after
/// its node's index is held: the shared exports discovery splits by NE).
/// `None` sends the caller to the slow path, which says why.
pub fn open_unlisted(dir: &Path, path: &Path) -> Option<(File, u64)> {
    use rustix::fs::{Mode, OFlags};
    let rel = plain_rest(dir, path)?;
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let folder = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
    open_file_beneath(&folder, rel)
}

/// `rel` opened beneath `folder` (see [`open_beneath`]) when it is still a
/// regular file once open, with the size it claims.
fn open_file_beneath(folder: &OwnedFd, rel: &str) -> Option<(File, u64)> {
    let file = File::from(open_beneath(folder, Path::new(rel))?);
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta.len()))
}

/// Whether openat2 was refused as such (an old kernel, a seccomp filter):
/// then it is not tried again.
static OPENAT2_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `rel` opened for reading beneath `folder`, no link followed (not even
/// the last component) and a FIFO not waited on.
fn open_beneath(folder: &OwnedFd, rel: &Path) -> Option<OwnedFd> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use std::sync::atomic::Ordering;
    if OPENAT2_REFUSED.load(Ordering::Relaxed) {
        return None;
    }
    let opened = rustix::fs::openat2(
        folder,
        rel,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    );
    match opened {
        Ok(fd) => Some(fd),
        Err(e) => {
            if e == rustix::io::Errno::NOSYS || e == rustix::io::Errno::PERM {
                OPENAT2_REFUSED.store(true, Ordering::Relaxed);
            }
            None
        }
    }
}

/// An entry of a [`Listing`]: its name, and its kind or why it is unknown.
pub type Listed = (Box<[u8]>, std::io::Result<Kind>);

/// The entries directly in a folder, listed once with the folder kept
/// open: discovery tells a node folder by them (node.json,
/// sos_commands/) and walks on through the others, and a node's index
/// starts from them, so that no folder of a fleet is listed twice.
pub struct Listing {
    pub(super) folder: OwnedFd,
    /// Each entry's name and kind, in the order listed; the kind fails for
    /// an entry that went away before a file system that does not say it
    /// could be asked.
    pub(super) entries: Vec<Listed>,
    /// Why the listing stopped early, if it did.
    pub(super) broken: Option<std::io::Error>,
}

impl Listing {
    /// Lists `dir`; an error when it cannot be opened as a folder.
    pub fn read(dir: &Path) -> std::io::Result<Listing> {
        Listing::read_in(None, dir)
    }

    /// Lists `dir`, opened beneath `parent`, the open folder it is in
    /// (without the path walked again, and no link followed), if given.
    pub fn read_in(parent: Option<&OwnedFd>, dir: &Path) -> std::io::Result<Listing> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let folder = match (parent, dir.file_name()) {
            (Some(parent), Some(name)) => {
                rustix::fs::openat(parent, name, flags | OFlags::NOFOLLOW, Mode::empty())?
            }
            _ => rustix::fs::open(dir, flags, Mode::empty())?,
        };
        Ok(Listing::of(folder))
    }

    fn of(folder: OwnedFd) -> Listing {
        let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
        let mut entries = Vec::new();
        let mut broken = None;
        let mut dir = rustix::fs::RawDir::new(&folder, buf.spare_capacity_mut());
        while let Some(entry) = dir.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    broken = Some(e.into());
                    break;
                }
            };
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let kind = match entry.file_type() {
                rustix::fs::FileType::Unknown => kind_at(&folder, name).map_err(Into::into),
                known => Ok(kind_of(known)),
            };
            entries.push((name.into(), kind));
        }
        Listing {
            folder,
            entries,
            broken,
        }
    }

    /// What the entry `name` is, when it is listed and its kind known.
    pub fn kind(&self, name: &str) -> Option<Kind> {
        let (_, kind) = self.entries.iter().find(|(n, _)| **n == *name.as_bytes())?;
        kind.as_ref().ok().copied()
    }

    /// Sorts the entries as walkdir's walk sorted by name gives them: those
    /// whose kind is unknown first, then the others by name.
    pub fn sort(&mut self) {
        self.entries.sort_by(|(a, ka), (b, kb)| match (ka, kb) {
            (Ok(_), Ok(_)) => a.cmp(b),
            (Err(_), Err(_)) => std::cmp::Ordering::Equal,
            (Ok(_), Err(_)) => std::cmp::Ordering::Greater,
            (Err(_), Ok(_)) => std::cmp::Ordering::Less,
        });
    }

    /// The index of the folder: these entries and every one beneath them;
    /// `None` as for [`FolderIndex::build`].
    pub fn into_index(self) -> Option<FolderIndex> {
        if self.broken.is_some() {
            return None;
        }
        let folder = Rc::new(self.folder);
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut todo = Vec::new();
        for (name, kind) in self.entries {
            let name = String::from_utf8(name.into_vec()).ok()?;
            let kind = kind.ok()?;
            if kind == Kind::Dir {
                todo.push((folder.clone(), name.clone()));
            }
            entries.push((name.into_boxed_str(), kind));
        }
        list_beneath(todo, &mut entries)?;
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        entries.shrink_to_fit();
        let folder = Rc::into_inner(folder)?;
        Some(FolderIndex {
            entries,
            folder: OnceLock::from(Some(folder)),
        })
    }
}

/// Every entry under the folders `todo` (each an open parent and the
/// folder's path relative to the listed folder), by path relative to the
/// listed folder: each folder opened beneath its parent's descriptor, no
/// link followed (a folder swapped for a link after it was read fails the
/// listing), one folder open per level of depth at most.
fn list_beneath(
    mut todo: Vec<(Rc<OwnedFd>, String)>,
    entries: &mut Vec<(Box<str>, Kind)>,
) -> Option<()> {
    use rustix::fs::{Mode, OFlags};
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    while let Some((folder, prefix)) = todo.pop() {
        let name_at = prefix.rfind('/').map_or(0, |at| at + 1);
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd =
            Rc::new(rustix::fs::openat(&*folder, &prefix[name_at..], flags, Mode::empty()).ok()?);
        drop(folder);
        let mut dir = rustix::fs::RawDir::new(&*fd, buf.spare_capacity_mut());
        while let Some(entry) = dir.next() {
            let entry = entry.ok()?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = std::str::from_utf8(name).ok()?;
            let kind = match entry.file_type() {
                rustix::fs::FileType::Unknown => kind_at(&fd, name.as_bytes()).ok()?,
                known => kind_of(known),
            };
            let key = format!("{prefix}/{name}");
            if kind == Kind::Dir {
                todo.push((fd.clone(), key.clone()));
            }
            entries.push((key.into_boxed_str(), kind));
        }
    }
    Some(())
}

fn kind_of(t: rustix::fs::FileType) -> Kind {
    use rustix::fs::FileType;
    match t {
        FileType::Symlink => Kind::Link,
        FileType::Directory => Kind::Dir,
        FileType::RegularFile => Kind::File,
        _ => Kind::Other,
    }
}

/// What `name` in the folder `fd` is, for a file system whose listing does
/// not say.
fn kind_at(fd: &OwnedFd, name: &[u8]) -> rustix::io::Result<Kind> {
    use rustix::fs::{AtFlags, FileType};
    let name = std::ffi::OsStr::from_bytes(name);
    let stat = rustix::fs::statat(fd, name, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(kind_of(FileType::from_raw_mode(stat.st_mode)))
}

/// `path` as the index of `dir` names it: relative to `dir`, its
/// components joined with `/`; `None` for a path outside `dir` and for
/// anything but plain names in UTF-8 (`..`, an absolute path).
pub fn key_under<'a>(dir: &Path, path: &'a Path) -> Option<Cow<'a, str>> {
    // Nearly every path looked up is the folder joined with plain names:
    // those names are the key, found without comparing the folder's
    // components one by one or building a string.
    if let Some(rest) = plain_rest(dir, path) {
        return Some(Cow::Borrowed(rest));
    }
    key_of(path.strip_prefix(dir).ok()?).map(Cow::Owned)
}

/// What follows `dir` and a `/` in `path`, when it is plain names in UTF-8
/// (no empty name, `.` or `..`): then it is what `path.strip_prefix(dir)`
/// gives, and its key.
pub fn plain_rest<'a>(dir: &Path, path: &'a Path) -> Option<&'a str> {
    let rest = (path.as_os_str().as_bytes())
        .strip_prefix(dir.as_os_str().as_bytes())?
        .strip_prefix(b"/")?;
    let rest = std::str::from_utf8(rest).ok()?;
    is_plain(rest).then_some(rest)
}

/// Whether `rel` is plain names joined with `/` (no empty name, `.` or
/// `..`): then it is its own key.
pub fn is_plain(rel: &str) -> bool {
    rel.split('/').all(|name| !matches!(name, "" | "." | ".."))
}

/// `rel` as the index names it: its components joined with `/`; `None`
/// for anything but plain names in UTF-8 (`..`, an absolute path).
fn key_of(rel: &Path) -> Option<String> {
    let mut key = String::new();
    for c in rel.components() {
        let Component::Normal(name) = c else {
            return None;
        };
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str(name.to_str()?);
    }
    Some(key)
}

/// The most entries of a node's listing kept from discovery until its
/// facts are built (a native snapshot holds a few dozen).
const KEPT_ENTRIES: usize = 64;

/// A node's index: listed by discovery (or on first use), its folder
/// opened while something builds the node's facts, and dropped when the
/// last holder is done, so that a fleet holds the open folders of the
/// nodes being read only and, once a node is read, no listing of it.
/// Without a holder, lookups use the listing if discovery kept one, and
/// every read takes the slow path.
#[derive(Default)]
pub struct IndexSlot(Mutex<Slot>);

#[derive(Default)]
struct Slot {
    holders: usize,
    /// Listed yet; `Some(None)`: the folder cannot be indexed.
    index: Option<Option<Arc<FolderIndex>>>,
}

impl Slot {
    fn set_aside(&mut self) {
        if self.holders > 0 {
            return;
        }
        if let Some(Some(index)) = &mut self.index
            && let Some(index) = Arc::get_mut(index)
            && index.entries.len() <= KEPT_ENTRIES
        {
            index.folder = OnceLock::new();
        } else {
            self.index = None;
        }
    }
}

impl IndexSlot {
    /// The slot of a node discovery listed: `index` as built, its folder
    /// open until [`IndexSlot::set_aside`].
    pub fn listed(index: Option<FolderIndex>) -> IndexSlot {
        IndexSlot(Mutex::new(Slot {
            holders: 0,
            index: Some(index.map(Arc::new)),
        }))
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the listed folder of a node no one holds (discovery lists
    /// thousands of nodes), and keeps its listing until its facts are
    /// built when it is small: a large one (a sosreport) is dropped and
    /// listed again then, so that a fleet's listings stay a few KiB a node.
    pub fn set_aside(&self) {
        self.slot().set_aside();
    }

    pub fn hold(&self) {
        self.slot().holders += 1;
    }

    /// Holds the slot when discovery kept the folder's listing, and says
    /// whether it did: a folder listed again for a few reads would be
    /// listed twice.
    pub fn hold_listed(&self) -> bool {
        let mut slot = self.slot();
        let listed = matches!(slot.index, Some(Some(_)));
        if listed {
            slot.holders += 1;
        }
        listed
    }

    /// Ends a hold taken before the node's facts are built (discovery's
    /// reads): as [`IndexSlot::set_aside`] once no one holds it.
    pub fn set_down(&self) {
        let mut slot = self.slot();
        slot.holders = slot.holders.saturating_sub(1);
        slot.set_aside();
    }

    pub fn release(&self) {
        let mut slot = self.slot();
        slot.holders = slot.holders.saturating_sub(1);
        if slot.holders == 0 {
            slot.index = None;
        }
    }

    /// The index of `dir`: while held, listed now if it was not, with its
    /// folder open; without a holder, the listing discovery kept, if any.
    pub fn get(&self, dir: &Path) -> Option<Arc<FolderIndex>> {
        let mut slot = self.slot();
        if slot.holders == 0 {
            return slot.index.clone().flatten();
        }
        let index = (slot.index)
            .get_or_insert_with(|| FolderIndex::build(dir).map(Arc::new))
            .clone()?;
        index.open_folder(dir);
        Some(index)
    }
}

/// A copy of a node lists its folder again when it needs to.
impl Clone for IndexSlot {
    fn clone(&self) -> Self {
        IndexSlot::default()
    }
}

impl std::fmt::Debug for IndexSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexSlot")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tool_codes::{INPUT_NOT_REGULAR, LINK_REFUSED};
    use crate::snapshot::Node;
    use std::os::unix::fs::symlink;
    use std::path::PathBuf;

    /// A fleet of one node with a link inside it, links out of it, a
    /// folder that is a link, a loop, a dangling link and a FIFO.
    fn hostile_node() -> (tempfile::TempDir, Node) {
        let fleet = tempfile::tempdir().unwrap();
        let dir = fleet.path().join("node1");
        let mk = |rel: &str| std::fs::create_dir_all(dir.join(rel)).unwrap();
        let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).unwrap();
        mk("etc/pam.d");
        mk("real/conf");
        write("node.json", r#"{"hostname": "n1"}"#);
        write("etc/pam.d/system-auth-ac", "auth required pam_unix.so\n");
        write("real/conf/ntp.conf", "server 10.0.0.1\n");
        symlink("system-auth-ac", dir.join("etc/pam.d/system-auth")).unwrap();
        symlink("../real/conf", dir.join("etc/conf")).unwrap();
        symlink("/etc/passwd", dir.join("etc/passwd")).unwrap();
        symlink("../../..", dir.join("etc/out")).unwrap();
        symlink("loop", dir.join("loop")).unwrap();
        symlink("nowhere", dir.join("dangling")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.join("etc/shadow"))
            .status()
            .unwrap();
        assert!(status.success());
        let (mut nodes, problems) = crate::snapshot::discover(&[fleet.path().to_path_buf()]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(nodes.len(), 1);
        (fleet, nodes.remove(0))
    }

    const PATHS: &[&str] = &[
        "node.json",
        "etc",
        "etc/pam.d",
        "etc/pam.d/system-auth",
        "etc/pam.d/system-auth-ac",
        "etc/pam.d/missing",
        "etc/conf",
        "etc/conf/ntp.conf",
        "etc/conf/missing",
        "etc/passwd",
        "etc/out",
        "etc/out/etc/passwd",
        "etc/shadow",
        "etc/shadow/x",
        "node.json/x",
        "loop",
        "dangling",
        "missing/x",
        "etc/../node.json",
        "./node.json",
        "",
    ];

    /// What every lookup and read of the node answers.
    fn answers(node: &Node) -> Vec<String> {
        let mut out = vec![format!("files {:?}", node.files())];
        for rel in PATHS {
            let path = node.dir.join(rel);
            out.push(format!(
                "{rel}: exists {} file {} dir {} read {:?}",
                node.exists(&path),
                node.is_file(&path),
                node.is_dir(&path),
                node.read(&path)
            ));
        }
        out
    }

    #[test]
    fn the_index_answers_as_the_slow_path_does() {
        let (_fleet, node) = hostile_node();
        // A copy keeps no listing: every answer by hand.
        let unlisted = node.clone();
        assert!(unlisted.folder_index.get(&node.dir).is_none());
        let slow = answers(&unlisted);
        // Discovery's listing, without and with the folder open.
        assert!(node.folder_index.get(&node.dir).is_some());
        assert_eq!(answers(&node), slow);
        node.hold_index();
        assert_eq!(answers(&node), slow);
        node.release_index();
        assert!(node.folder_index.get(&node.dir).is_none());
        assert_eq!(answers(&node), slow);
        node.hold_index();
        assert_eq!(answers(&node), slow);
    }

    #[test]
    fn a_file_opened_without_a_listing_reads_as_the_slow_path_reads_it() {
        use crate::snapshot::confined::{read_file, read_opened};
        let (_fleet, node) = hostile_node();
        let limit = 1 << 20;
        let mut opened = Vec::new();
        for rel in PATHS {
            let path = node.dir.join(rel);
            let slow = read_file(&node.dir, &path, limit).ok();
            if let Some((file, claimed)) = open_unlisted(&node.dir, &path) {
                assert_eq!(read_opened(file, claimed, limit).ok(), slow, "{rel}");
                opened.push(*rel);
            }
        }
        // Links on the way, FIFOs, folders, missing files and paths that
        // are not plain names are left to the slow path.
        assert_eq!(opened, ["node.json", "etc/pam.d/system-auth-ac"]);
    }

    #[test]
    fn links_inside_are_followed_and_links_out_refused_with_an_index() {
        let (_fleet, node) = hostile_node();
        node.hold_index();
        let read = |rel: &str| node.read(&node.dir.join(rel));
        assert_eq!(
            read("etc/pam.d/system-auth").unwrap(),
            "auth required pam_unix.so\n"
        );
        // A file under a folder that is a link is reached through it.
        assert!(node.is_file(&node.dir.join("etc/conf/ntp.conf")));
        assert_eq!(read("etc/conf/ntp.conf").unwrap(), "server 10.0.0.1\n");
        assert_eq!(read("etc/passwd").unwrap_err().code, LINK_REFUSED);
        assert_eq!(read("etc/out/etc/passwd").unwrap_err().code, LINK_REFUSED);
        // A FIFO named like an input is reported, never opened.
        let fifo = read("etc/shadow").unwrap_err();
        assert_eq!(fifo.code, INPUT_NOT_REGULAR);
        assert!(fifo.reason.contains("FIFO"), "{fifo}");
    }

    #[test]
    fn the_index_vouches_only_for_paths_without_links() {
        let (_fleet, node) = hostile_node();
        let index = FolderIndex::build(&node.dir).unwrap();
        let look = |rel: &str| {
            key_under(&node.dir, &node.dir.join(rel)).map_or(Lookup::Unsure, |k| index.lookup(&k))
        };
        assert_eq!(look("etc/pam.d/system-auth-ac"), Lookup::Found(Kind::File));
        assert_eq!(look("etc/pam.d/system-auth"), Lookup::Found(Kind::Link));
        assert_eq!(look("etc/pam.d"), Lookup::Found(Kind::Dir));
        assert_eq!(look("etc/shadow"), Lookup::Found(Kind::Other));
        assert_eq!(look("etc/pam.d/missing"), Lookup::Absent);
        assert_eq!(look("node.json/x"), Lookup::Absent);
        assert_eq!(look("etc/conf/ntp.conf"), Lookup::Unsure);
        assert_eq!(look("etc/../node.json"), Lookup::Unsure);
        assert_eq!(look("/etc/passwd"), Lookup::Unsure);
        assert!(index.open("etc/pam.d/system-auth").is_none());
        assert!(index.open("etc/shadow").is_none());
        let (_, size) = index.open("real/conf/ntp.conf").unwrap();
        assert_eq!(size, 16);
    }

    /// The key found by bytes is the one found component by component.
    #[test]
    fn a_key_by_bytes_is_the_key_by_components() {
        let dirs = ["/f/n1", "f/./n1", "./n1", "/f/n1/", "n1", "/"];
        let rests = [
            "etc/pam.d/system-auth",
            "node.json",
            "etc//shadow",
            "etc/./shadow",
            "etc/../node.json",
            "etc/",
            "",
            "/etc/passwd",
        ];
        for dir in dirs.map(Path::new) {
            for rest in rests {
                let path = dir.join(rest);
                let by_components = path.strip_prefix(dir).ok();
                assert_eq!(
                    key_under(dir, &path).map(Cow::into_owned),
                    by_components.and_then(key_of),
                    "{dir:?} {rest:?}"
                );
                if let Some(plain) = plain_rest(dir, &path) {
                    assert_eq!(Some(Path::new(plain)), by_components, "{dir:?} {rest:?}");
                }
            }
        }
        for rest in rests {
            let path = Path::new("/f/n1").join(rest);
            let key = key_under(Path::new("/f/n1"), &path);
            assert!(!is_plain(rest) || key.as_deref() == Some(rest), "{rest:?}");
        }
        let dir = Path::new("/f/n1");
        assert_eq!(plain_rest(dir, &dir.join("etc/shadow")), Some("etc/shadow"));
        assert_eq!(plain_rest(dir, Path::new("/f/n10/etc")), None);
    }

    #[test]
    fn a_file_swapped_for_a_link_after_listing_is_refused_as_before() {
        let (_fleet, node) = hostile_node();
        node.hold_index();
        let conf = node.dir.join("real/conf/ntp.conf");
        assert!(node.is_file(&conf));
        std::fs::remove_file(&conf).unwrap();
        symlink("/etc/passwd", &conf).unwrap();
        let refused = node.read(&conf).unwrap_err();
        assert_eq!(refused.code, LINK_REFUSED);
        assert_eq!(refused, {
            node.release_index();
            node.read(&conf).unwrap_err()
        });
    }

    #[test]
    fn a_folder_s_children_come_from_the_index_only_without_links() {
        let (_fleet, node) = hostile_node();
        let children = |rel: &str| node.listed_children(&node.dir.join(rel));
        let etc = children("etc").unwrap();
        let names: Vec<(&str, Kind)> = etc.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        assert_eq!(
            names,
            [
                ("conf", Kind::Link),
                ("out", Kind::Link),
                ("pam.d", Kind::Dir),
                ("passwd", Kind::Link),
                ("shadow", Kind::Other),
            ]
        );
        assert_eq!(children("etc/pam.d").unwrap().len(), 2);
        // Through a link, or not a folder: the slow path says.
        assert!(children("etc/conf").is_none());
        assert!(children("node.json").is_none());
        assert!(children("missing").is_none());
        assert!(
            node.clone()
                .listed_children(&node.dir.join("etc"))
                .is_none()
        );
    }

    #[test]
    fn a_large_listing_is_not_kept_from_discovery() {
        let (fleet, node) = hostile_node();
        assert!(node.folder_index.get(&node.dir).is_some());
        for i in 0..KEPT_ENTRIES {
            std::fs::write(node.dir.join(format!("f{i}")), "x").unwrap();
        }
        let (nodes, _) = crate::snapshot::discover(&[fleet.path().to_path_buf()]);
        let node = &nodes[0];
        assert!(node.folder_index.get(&node.dir).is_none());
        let slow = answers(node);
        node.hold_index();
        assert!(node.folder_index.get(&node.dir).is_some());
        assert_eq!(answers(node), slow);
    }

    #[test]
    fn a_hold_before_the_facts_keeps_the_listing_and_closes_the_folder() {
        let (fleet, node) = hostile_node();
        let listing = node.folder_index.get(&node.dir).unwrap();
        assert!(listing.folder.get().is_none());
        drop(listing);
        assert!(node.hold_listed_index());
        let held = node.folder_index.get(&node.dir).unwrap();
        assert!(held.folder.get().is_some_and(Option::is_some));
        assert_eq!(
            node.read(&node.dir.join("node.json")).unwrap(),
            r#"{"hostname": "n1"}"#
        );
        drop(held);
        node.set_index_down();
        let kept = node.folder_index.get(&node.dir).unwrap();
        assert!(kept.folder.get().is_none());
        assert_eq!(answers(&node), answers(&node.clone()));
        // A listing not kept from discovery is not made for a few reads.
        for i in 0..KEPT_ENTRIES {
            std::fs::write(node.dir.join(format!("f{i}")), "x").unwrap();
        }
        let (nodes, _) = crate::snapshot::discover(&[fleet.path().to_path_buf()]);
        assert!(!nodes[0].hold_listed_index());
        assert!(nodes[0].folder_index.get(&nodes[0].dir).is_none());
    }

    #[test]
    fn the_index_lists_what_a_walk_lists() {
        let (_fleet, node) = hostile_node();
        std::fs::create_dir_all(node.dir.join("a/b/c/d/e")).unwrap();
        std::fs::write(node.dir.join("a/b/c/d/e/f"), "x").unwrap();
        std::fs::write(node.dir.join("a/b/g"), "x").unwrap();
        let index = FolderIndex::build(&node.dir).unwrap();
        let listed: Vec<(String, Kind)> = (index.entries())
            .map(|(name, kind)| (name.to_string(), kind))
            .collect();
        let mut walked: Vec<(String, Kind)> = walkdir::WalkDir::new(&node.dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let t = e.file_type();
                let kind = match () {
                    () if t.is_symlink() => Kind::Link,
                    () if t.is_dir() => Kind::Dir,
                    () if t.is_file() => Kind::File,
                    () => Kind::Other,
                };
                let rel = e.path().strip_prefix(&node.dir).unwrap();
                (rel.to_str().unwrap().to_string(), kind)
            })
            .collect();
        walked.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(listed, walked);
    }

    #[test]
    fn a_folder_with_a_name_not_in_utf8_is_not_indexed() {
        let dir = tempfile::tempdir().unwrap();
        use std::os::unix::ffi::OsStringExt;
        let name = PathBuf::from(std::ffi::OsString::from_vec(vec![0xff]));
        std::fs::write(dir.path().join(name), "x").unwrap();
        assert!(FolderIndex::build(dir.path()).is_none());
    }
}
