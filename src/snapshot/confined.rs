//! Reading a snapshot folder as untrusted data: links are resolved by hand,
//! inside the node's own folder only; only regular files are opened; no
//! read goes past its byte limit, whatever the file's size claims.
//!
//! A snapshot is made by a collector on another host, or by anyone who can
//! write to the share it sits on. A link in it to `/`, `/etc/shadow` or
//! `/dev/zero` names the host upcheck runs on, not the node, and a FIFO
//! named like an input would block `open()` forever; so nothing of a
//! snapshot is ever followed or opened by the operating system's rules.

use crate::model::tool_codes::{INPUT_NOT_REGULAR, INPUT_UNREADABLE, LINK_REFUSED};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Inputs larger than this are refused rather than read into memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Links followed in one resolution before it is called a loop (Linux's
/// own limit).
pub const MAX_LINKS: usize = 40;

/// Why a file of a snapshot was not read: the tool code that reports it,
/// and the reason shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ReadError {
    pub code: u32,
    pub reason: String,
}

impl ReadError {
    pub fn unreadable(reason: impl Into<String>) -> ReadError {
        ReadError {
            code: INPUT_UNREADABLE,
            reason: reason.into(),
        }
    }

    /// A link whose target leaves the folder it must stay in.
    pub fn escapes(link: &str, target: &str, within: &str) -> ReadError {
        ReadError {
            code: LINK_REFUSED,
            reason: format!("link {link} -> {target} leads out of {within}: not followed"),
        }
    }

    /// The same loop message for folders and archives.
    pub fn link_loop() -> ReadError {
        ReadError::unreadable(format!("link loop: more than {MAX_LINKS} links followed"))
    }

    /// The same dangling-link message for folders and archives.
    pub fn dangling(link: &str, target: &str) -> ReadError {
        ReadError::unreadable(format!(
            "dangling link: {link} -> {target}, which does not exist in the snapshot"
        ))
    }

    pub fn not_regular(what: &str) -> ReadError {
        ReadError {
            code: INPUT_NOT_REGULAR,
            reason: format!("is {what}, not a regular file: not opened"),
        }
    }
}

/// What a non-regular file is, for messages.
pub fn kind_of(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a link"
    } else {
        "a regular file"
    }
}

/// `path` (under `root`) with every link resolved inside `root`: the
/// result holds no link, so the operating system follows none. A link that
/// is absolute or climbs out of `root` is refused; a loop or a dangling
/// link is unreadable.
pub fn resolve(root: &Path, path: &Path) -> Result<PathBuf, ReadError> {
    let within = "the node's folder";
    let rel = path
        .strip_prefix(root)
        .map_err(|_| ReadError::escapes(&path.display().to_string(), "", within))?;
    let mut todo: VecDeque<OsString> = VecDeque::new();
    push_front(&mut todo, rel).map_err(|()| ReadError::unreadable("not a relative path"))?;
    let mut parts: Vec<OsString> = Vec::new();
    let mut links = 0;
    // The last link followed, for the dangling-link message.
    let mut last_link: Option<(String, String)> = None;
    while let Some(part) = todo.pop_front() {
        if part == ".." {
            if parts.pop().is_none() {
                let (link, target) =
                    last_link.unwrap_or_else(|| (rel.display().to_string(), "..".into()));
                return Err(ReadError::escapes(&link, &target, within));
            }
            continue;
        }
        let here = join(root, &parts).join(&part);
        let meta = match here.symlink_metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(match last_link {
                    Some((link, target)) => ReadError::dangling(&link, &target),
                    None => ReadError::unreadable(e.to_string()),
                });
            }
            Err(e) => return Err(ReadError::unreadable(e.to_string())),
        };
        if !meta.file_type().is_symlink() {
            if !todo.is_empty() && !meta.is_dir() {
                return Err(ReadError::unreadable(format!(
                    "{} is not a folder",
                    here.display()
                )));
            }
            parts.push(part);
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(ReadError::link_loop());
        }
        let target = std::fs::read_link(&here).map_err(|e| ReadError::unreadable(e.to_string()))?;
        let link = relative_name(root, &here);
        let shown = target.display().to_string();
        if push_front(&mut todo, &target).is_err() {
            return Err(ReadError::escapes(&link, &shown, within));
        }
        last_link = Some((link, shown));
    }
    Ok(join(root, &parts))
}

/// Puts the parts of a relative path at the front of `todo`; an absolute
/// path is an error.
fn push_front(todo: &mut VecDeque<OsString>, path: &Path) -> Result<(), ()> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_os_string()),
            Component::ParentDir => parts.push("..".into()),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err(()),
        }
    }
    for p in parts.into_iter().rev() {
        todo.push_front(p);
    }
    Ok(())
}

fn join(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(parts);
    p
}

fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Opens the file `path` names under `root` if, links resolved inside
/// `root`, it is a regular file; a FIFO, socket or device is never opened.
/// Returns the file and the size it claims.
pub fn open_regular(root: &Path, path: &Path) -> Result<(File, u64), ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let real = resolve(root, path)?;
    let meta = real
        .symlink_metadata()
        .map_err(|e| ReadError::unreadable(e.to_string()))?;
    if meta.is_dir() {
        return Err(ReadError::unreadable("is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(ReadError::not_regular(kind_of(&meta)));
    }
    // Should the file be swapped between the check and the open: no link
    // is followed, and a FIFO does not block the open.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&real)
        .map_err(|e| ReadError::unreadable(e.to_string()))?;
    let meta = file
        .metadata()
        .map_err(|e| ReadError::unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::not_regular(kind_of(&meta)));
    }
    Ok((file, meta.len()))
}

/// Why a read gave no bytes: refused, or over its limit.
#[derive(Debug)]
pub enum ReadFailure {
    Refused(ReadError),
    Over(OverLimit),
}

impl From<ReadError> for ReadFailure {
    fn from(e: ReadError) -> Self {
        ReadFailure::Refused(e)
    }
}

/// Reads the regular file `path` names under `root` (see [`open_regular`]),
/// at most `limit` bytes.
pub fn read_file(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    let (file, claimed) = open_regular(root, path)?;
    read_opened(file, claimed, limit)
}

/// Reads at most `limit` bytes of a regular file opened as
/// [`open_regular`] opens it, which claims `claimed` bytes.
pub fn read_opened(file: File, claimed: u64, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    read_limited(file, claimed, limit)
        .map_err(|e| ReadError::unreadable(e.to_string()))?
        .map_err(ReadFailure::Over)
}

/// Why a read stopped at its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// The size the file claimed, when that is what was over.
    pub claimed: Option<u64>,
}

/// Reads at most `limit` bytes of `reader`: one more byte than that is an
/// error, whatever size the file claimed (`claimed` is refused at once
/// when it is over).
///
/// A file that gives the bytes it claims, asked for one more, has ended:
/// the read that would only confirm its end is skipped, which was half
/// the system calls of reading a fleet's small files. A file that gives
/// more (it grew, or claims nothing, as `/proc` files do) is read on to
/// its end or the limit.
pub fn read_limited(
    mut reader: impl Read,
    claimed: u64,
    limit: u64,
) -> Result<Result<Vec<u8>, OverLimit>, std::io::Error> {
    if claimed > limit {
        return Ok(Err(OverLimit {
            claimed: Some(claimed),
        }));
    }
    let mut bytes = vec![0; claimed as usize + 1];
    let mut filled = 0;
    while filled < bytes.len() {
        let n = match reader.read(&mut bytes[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += n;
        if n == 0 || filled as u64 == claimed {
            bytes.truncate(filled);
            return Ok(Ok(bytes));
        }
    }
    reader
        .take(limit + 1 - filled as u64)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(OverLimit { claimed: None }));
    }
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_reader_is_never_read_past_its_limit_whatever_its_claimed_size() {
        // /dev/zero or a /proc file claims 0 bytes and never ends.
        let endless = std::io::repeat(b'x');
        assert_eq!(
            read_limited(endless, 0, 1000).unwrap(),
            Err(OverLimit { claimed: None })
        );
        assert_eq!(
            read_limited(&b"abc"[..], 3, 3).unwrap(),
            Ok(b"abc".to_vec())
        );
        assert_eq!(
            read_limited(&b"abc"[..], 4, 3).unwrap(),
            Err(OverLimit { claimed: Some(4) })
        );
    }

    /// A reader of `rest`, `chunk` bytes a call at most, counting its calls.
    struct Counted<'a> {
        rest: &'a [u8],
        chunk: usize,
        calls: usize,
    }

    impl Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            let n = buf.len().min(self.rest.len()).min(self.chunk);
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_file_is_read_whole_and_one_that_gives_what_it_claims_in_one_call() {
        let read = |text: &'static str, chunk: usize, claimed: u64| {
            let mut reader = Counted {
                rest: text.as_bytes(),
                chunk,
                calls: 0,
            };
            let bytes = read_limited(&mut reader, claimed, 100).unwrap().unwrap();
            (String::from_utf8(bytes).unwrap(), reader.calls)
        };
        assert_eq!(read("abc", 64, 3), ("abc".into(), 1));
        // Short reads, a file that grew, one that shrank, one claiming nothing.
        assert_eq!(read("abcdef", 2, 6), ("abcdef".into(), 3));
        assert_eq!(read("abcdef", 64, 3).0, "abcdef");
        assert_eq!(read("abc", 64, 5), ("abc".into(), 2));
        assert_eq!(read("abc", 64, 0).0, "abc");
        assert_eq!(read("", 64, 0), (String::new(), 1));
    }

    #[test]
    fn links_resolve_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("node");
        std::fs::create_dir_all(root.join("etc/pam.d")).unwrap();
        std::fs::write(root.join("etc/pam.d/system-auth-ac"), "x").unwrap();
        symlink("system-auth-ac", root.join("etc/pam.d/system-auth")).unwrap();
        symlink("../etc", root.join("etc/up")).unwrap();
        symlink("/etc/passwd", root.join("passwd")).unwrap();
        symlink("../../..", root.join("etc/out")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        symlink("nowhere", root.join("dangling")).unwrap();
        assert_eq!(
            resolve(&root, &root.join("etc/up/pam.d/system-auth")).unwrap(),
            root.join("etc/pam.d/system-auth-ac")
        );
        let refused = |p: &str| resolve(&root, &root.join(p)).unwrap_err();
        assert_eq!(
            refused("passwd"),
            ReadError::escapes("passwd", "/etc/passwd", "the node's folder")
        );
        assert_eq!(refused("etc/out/x").code, LINK_REFUSED);
        assert_eq!(refused("loop"), ReadError::link_loop());
        assert_eq!(
            refused("dangling"),
            ReadError::dangling("dangling", "nowhere")
        );
    }
}
