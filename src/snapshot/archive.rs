//! Snapshot and sosreport archives (.tar.xz, .tar.gz, .tgz, .tar) read in
//! place, decompressed once: opening an archive streams it one time, lists
//! its entries and copies every file small enough to be an input (at most
//! [`MAX_INPUT_BYTES`]) into one unnamed temporary file, the spill, that
//! the operating system removes when the archive is dropped (or the process
//! ends). A fact's read is then a positioned read of the spill. Streaming
//! to each entry again instead would decompress the archive once per input
//! read: quadratic in its size.
//!
//! An archive may expand to at most [`MAX_EXPANDED_BYTES`] (a small
//! archive can expand to many gigabytes); past it, it is not read and its
//! node says so, and the run goes on.
//!
//! Entries whose path is absolute or holds `..` are refused: they are listed
//! in `refused` and never read. Links are resolved as in a folder snapshot
//! (crate::snapshot::confined): inside the node's folder only, with the same messages
//! for loops and dangling links; FIFOs and devices are never inputs.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::ops::Bound;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::snapshot::confined::{MAX_INPUT_BYTES, MAX_LINKS, OverLimit, ReadError, ReadFailure};

/// The bytes one archive may expand to (its tar stream, decompressed),
/// files not read included: 4 GiB, the default of the bytes of input a
/// whole run may hold (`--max-input-mib`).
pub const MAX_EXPANDED_BYTES: u64 = 4096 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Xz,
}

fn compression_of(path: &Path) -> Option<Compression> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".tar.xz") || name.ends_with(".txz") {
        Some(Compression::Xz)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some(Compression::Gzip)
    } else if name.ends_with(".tar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// Whether `path` is named like an archive upcheck reads (the name first:
/// no system call for the files of a fleet that are none).
pub fn is_archive(path: &Path) -> bool {
    compression_of(path).is_some() && path.is_file()
}

#[derive(Debug, Clone)]
enum Entry {
    Dir,
    /// Its size, and where its bytes start in the spill (`None` for a
    /// file larger than any input may be, which is not kept).
    File {
        size: u64,
        at: Option<u64>,
    },
    /// A link: its target as written, and made relative to the archive
    /// root (`None` when it leads out of the archive).
    Link {
        raw: String,
        target: Option<String>,
    },
    /// A FIFO or device: never read.
    Special(&'static str),
}

/// The listing of one archive.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    compression: Compression,
    entries: BTreeMap<String, Entry>,
    /// "entry: why" for every entry refused.
    pub refused: Vec<String>,
    /// The bytes of the files kept, one after the other.
    spill: File,
}

/// How many times each archive was streamed by this process: one pass
/// each, which tests check.
static STREAMS: Mutex<BTreeMap<PathBuf, usize>> = Mutex::new(BTreeMap::new());

/// How many times the archive at `path` was decompressed (streamed) by
/// this process.
pub fn streams_of(path: &Path) -> usize {
    let streams = STREAMS.lock().unwrap_or_else(PoisonError::into_inner);
    streams.get(path).copied().unwrap_or(0)
}

/// A reader that fails once more than `limit` bytes came through it.
struct Bounded<R> {
    inner: R,
    read: u64,
    limit: u64,
}

/// The error a [`Bounded`] reader fails with.
#[derive(Debug)]
struct PastLimit;

impl std::fmt::Display for PastLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("past the limit on expanded bytes")
    }
}

impl std::error::Error for PastLimit {}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(PastLimit));
        }
        Ok(n)
    }
}

/// Why an archive cannot be listed; discovery makes it a node that cannot
/// be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: not a .tar, .tar.gz, .tgz or .tar.xz", path.display())]
    NotAnArchive { path: PathBuf },
    #[error(
        "{}: expands to more than {limit} bytes, the limit for one archive: not read; \
         extract it, or split the fleet into several archives",
        path.display()
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{}: corrupt or truncated archive: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The temporary file the archive's inputs are kept in.
    #[error(
        "{}: cannot keep the archive's files in a temporary file ({}): {source}",
        path.display(),
        std::env::temp_dir().display()
    )]
    Spill {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Archive {
    /// Lists the archive and keeps its inputs, in one pass. A truncated or
    /// corrupt archive, or one expanding past [`MAX_EXPANDED_BYTES`], is an
    /// error that names the archive and what broke.
    pub fn open(path: &Path) -> Result<Archive, ArchiveError> {
        Archive::open_within(path, MAX_EXPANDED_BYTES)
    }

    /// [`Archive::open`], with at most `limit` bytes expanded.
    pub fn open_within(path: &Path, limit: u64) -> Result<Archive, ArchiveError> {
        let compression = compression_of(path).ok_or_else(|| ArchiveError::NotAnArchive {
            path: path.to_path_buf(),
        })?;
        let spill = tempfile::tempfile().map_err(|e| spill_error(path, e))?;
        let mut archive = Archive {
            path: path.to_path_buf(),
            compression,
            entries: BTreeMap::new(),
            refused: Vec::new(),
            spill,
        };
        let fail = |source: std::io::Error| {
            let path = path.to_path_buf();
            if matches!(source.get_ref(), Some(inner) if inner.is::<PastLimit>()) {
                ArchiveError::TooLarge { path, limit }
            } else {
                ArchiveError::Corrupt { path, source }
            }
        };
        let stream = Bounded {
            inner: archive.stream().map_err(fail)?,
            read: 0,
            limit,
        };
        let spill_file = archive
            .spill
            .try_clone()
            .map_err(|e| spill_error(path, e))?;
        let mut spill = Spill {
            out: BufWriter::with_capacity(256 * 1024, spill_file),
            at: 0,
        };
        let mut tar = tar::Archive::new(stream);
        for entry in tar.entries().map_err(fail)? {
            let entry = entry.map_err(fail)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = clean(&raw) else {
                archive
                    .refused
                    .push(format!("{raw}: absolute path or `..`: refused"));
                continue;
            };
            let Some(item) = archive.entry_of(&name, entry, &mut spill, &fail)? else {
                continue;
            };
            archive.entries.insert(name, item);
        }
        // A truncated xz or gzip stream can end at an entry boundary
        // without an error from the listing; drain it to be sure.
        let mut rest = tar.into_inner();
        std::io::copy(&mut rest, &mut std::io::sink()).map_err(fail)?;
        spill.out.flush().map_err(|e| spill_error(path, e))?;
        Ok(archive)
    }

    /// What the listing keeps of one entry (a file's bytes go to the
    /// spill); `None` for kinds that are never inputs.
    fn entry_of(
        &self,
        name: &str,
        mut entry: tar::Entry<impl Read>,
        spill: &mut Spill,
        fail: &impl Fn(std::io::Error) -> ArchiveError,
    ) -> Result<Option<Entry>, ArchiveError> {
        let kind = entry.header().entry_type();
        Ok(Some(if kind.is_dir() {
            Entry::Dir
        } else if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            // A hard link names its target from the archive root.
            let base = if kind.is_hard_link() {
                ""
            } else {
                parent(name)
            };
            Entry::Link {
                target: join(base, &target),
                raw: target,
            }
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            let size = entry.size();
            if size > MAX_INPUT_BYTES {
                return Ok(Some(Entry::File { size, at: None }));
            }
            let at = spill.at;
            // The entry's reader yields its bytes and no more; a short one
            // is a truncated archive.
            let copied = std::io::copy(&mut entry, &mut spill.out).map_err(|e| {
                if is_write_error(&e) {
                    spill_error(&self.path, e)
                } else {
                    fail(e)
                }
            })?;
            spill.at += copied;
            Entry::File {
                size: copied,
                at: Some(at),
            }
        } else if let Some(what) = special(kind) {
            Entry::Special(what)
        } else {
            return Ok(None);
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn stream(&self) -> std::io::Result<Box<dyn Read>> {
        let mut streams = STREAMS.lock().unwrap_or_else(PoisonError::into_inner);
        *streams.entry(self.path.clone()).or_default() += 1;
        drop(streams);
        let file = BufReader::new(File::open(&self.path)?);
        Ok(match self.compression {
            Compression::None => Box::new(file),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(file)),
        })
    }

    /// Follows links to the entry `name` finally names; a link whose target
    /// leaves the folder `within` (a node's folder, "" for the whole
    /// archive) is refused.
    fn resolve(&self, name: &str, within: &str) -> Result<(String, &Entry), ReadError> {
        let mut name = name.trim_end_matches('/').to_string();
        let mut last_link: Option<(String, String)> = None;
        for _ in 0..=MAX_LINKS {
            match self.entries.get(&name) {
                Some(Entry::Link { raw, target }) => {
                    let inside = target
                        .as_deref()
                        .filter(|t| within.is_empty() || t.starts_with(&format!("{within}/")));
                    let Some(target) = inside else {
                        let link = name.strip_prefix(&format!("{within}/")).unwrap_or(&name);
                        let what = if within.is_empty() {
                            "the archive"
                        } else {
                            "the node's folder"
                        };
                        return Err(ReadError::escapes(link, raw, what));
                    };
                    let link = name.strip_prefix(&format!("{within}/")).unwrap_or(&name);
                    last_link = Some((link.to_string(), raw.clone()));
                    name = target.to_string();
                }
                Some(entry) => return Ok((name, entry)),
                None => {
                    return Err(match last_link {
                        Some((link, raw)) => ReadError::dangling(&link, &raw),
                        None => ReadError::unreadable("no such file in the archive"),
                    });
                }
            }
        }
        Err(ReadError::link_loop())
    }

    /// Whether the archive has an entry `name` of any kind (a broken link
    /// too: reading it says why).
    pub fn has_entry(&self, name: &str) -> bool {
        self.entries.contains_key(name.trim_end_matches('/'))
    }

    /// Whether `name` is a file, links followed inside the folder `within`.
    pub fn is_file(&self, name: &str, within: &str) -> bool {
        matches!(self.resolve(name, within), Ok((_, Entry::File { .. })))
    }

    /// A folder: listed as one, or the parent of some entry.
    pub fn is_dir(&self, name: &str) -> bool {
        let name = name.trim_end_matches('/');
        if matches!(self.resolve(name, ""), Ok((_, Entry::Dir))) {
            return true;
        }
        let prefix = format!("{name}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// Every folder of the archive, implied ones included, sorted.
    pub fn dirs(&self) -> Vec<String> {
        let mut dirs: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for (name, entry) in &self.entries {
            if matches!(entry, Entry::Dir) {
                dirs.insert(name.clone());
            }
            let mut p = parent(name);
            while !p.is_empty() {
                dirs.insert(p.to_string());
                p = parent(p);
            }
        }
        dirs.into_iter().collect()
    }

    /// The entries under `dir` that are not folders, relative to it,
    /// sorted: files, links to files, and the entries reading refuses
    /// (links leading out of `dir`, FIFOs, devices), so that they are
    /// reported where a fact asks for them. Dangling and looping links are
    /// left out, as on disk.
    pub fn files_under(&self, dir: &str) -> Vec<String> {
        let dir = dir.trim_end_matches('/');
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // The entries are sorted by name: those under `dir` are one run.
        (self
            .entries
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded)))
        .map(|(k, _)| k)
        .take_while(|k| k.starts_with(&prefix))
        .filter(|k| match self.resolve(k, dir) {
            Ok((_, entry)) => matches!(entry, Entry::File { .. } | Entry::Special(_)),
            Err(e) => e.code != crate::model::tool_codes::INPUT_UNREADABLE,
        })
        .map(|k| k[prefix.len()..].to_string())
        .collect()
    }

    /// The bytes of the file `name`, links followed inside the folder
    /// `within`, from the spill; at most `limit` bytes.
    pub fn read(&self, name: &str, within: &str, limit: u64) -> Result<Vec<u8>, ReadFailure> {
        let (size, at) = match *self.resolve(name, within)?.1 {
            Entry::File { size, at } => (size, at),
            Entry::Dir => return Err(ReadError::unreadable("is a folder, not a file").into()),
            Entry::Special(what) => return Err(ReadError::not_regular(what).into()),
            Entry::Link { .. } => return Err(ReadError::link_loop().into()),
        };
        let at = match at {
            Some(at) if size <= limit => at,
            _ => {
                return Err(ReadFailure::Over(OverLimit {
                    claimed: Some(size),
                }));
            }
        };
        let mut bytes = vec![0; size as usize];
        self.spill.read_exact_at(&mut bytes, at).map_err(|e| {
            ReadError::unreadable(format!("the archive's temporary copy is unreadable: {e}"))
        })?;
        Ok(bytes)
    }
}

/// Where the files of an archive being listed are copied.
struct Spill {
    out: BufWriter<File>,
    /// The bytes written so far: where the next file starts.
    at: u64,
}

/// Whether an error of copying an entry came from writing the spill
/// (reading the archive fails otherwise).
fn is_write_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

fn spill_error(path: &Path, source: std::io::Error) -> ArchiveError {
    ArchiveError::Spill {
        path: path.to_path_buf(),
        source,
    }
}

/// The kind of a FIFO or device entry.
fn special(kind: tar::EntryType) -> Option<&'static str> {
    match kind {
        tar::EntryType::Fifo => Some("a FIFO (named pipe)"),
        tar::EntryType::Char => Some("a character device"),
        tar::EntryType::Block => Some("a block device"),
        _ => None,
    }
}

/// An entry name made relative and `/`-separated, or `None` when it is
/// absolute or climbs with `..`.
fn clean(raw: &str) -> Option<String> {
    if raw.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn parent(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(p, _)| p)
}

/// `target` read from folder `base`; `None` when it leaves the archive.
fn join(base: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A .tar.gz of `files` (name, bytes).
    fn tar_gz(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join("t.tar.gz");
        let gz = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::default(),
        );
        let mut builder = tar::Builder::new(gz);
        for (name, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *bytes).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap();
        path
    }

    #[test]
    fn every_file_is_read_from_the_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(String, Vec<u8>)> = (0..50)
            .map(|i| (format!("n{i}/f"), format!("file {i}").into_bytes()))
            .collect();
        let listed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let path = tar_gz(dir.path(), &listed);
        let archive = Archive::open(&path).unwrap();
        for (name, bytes) in &files {
            assert_eq!(&archive.read(name, "", 100).unwrap(), bytes);
        }
        assert_eq!(streams_of(&path), 1);
        // A read past its limit is refused with the size the entry has.
        assert!(matches!(
            archive.read("n1/f", "", 3),
            Err(ReadFailure::Over(OverLimit { claimed: Some(6) }))
        ));
    }

    #[test]
    fn an_archive_expanding_past_its_limit_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        // 1 MiB of zeros compresses to about a kilobyte.
        let zeros = vec![0u8; 1024 * 1024];
        let path = tar_gz(dir.path(), &[("n/node.json", b"{}"), ("n/big", &zeros)]);
        assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
        let error = Archive::open_within(&path, 512 * 1024)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("expands to more than 524288 bytes, the limit for one archive"),
            "{error}"
        );
        assert!(Archive::open_within(&path, 2 * 1024 * 1024).is_ok());
    }

    #[test]
    fn names_are_cleaned_or_refused() {
        assert_eq!(clean("./a/b/").as_deref(), Some("a/b"));
        assert_eq!(clean("/etc/shadow"), None);
        assert_eq!(clean("a/../../b"), None);
        assert_eq!(
            join("r", "sos_commands/host/hostname").as_deref(),
            Some("r/sos_commands/host/hostname")
        );
        assert_eq!(join("r/etc/pam.d", "../../x").as_deref(), Some("r/x"));
        assert_eq!(join("r", "../../etc/shadow"), None);
        assert_eq!(join("r", "/etc/shadow"), None);
    }
}
