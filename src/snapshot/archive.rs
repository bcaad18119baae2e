//! Snapshot and sosreport archives (.tar.xz, .tar.gz, .tgz, .tar) read in
//! place. Opening an archive streams it once to list its entries; an
//! entry's bytes are read only when a fact asks for the file, by streaming
//! to it again. Nothing is extracted to disk.
//!
//! Entries whose path is absolute or holds `..` are refused: they are listed
//! in `refused` and never read. Links are resolved as in a folder snapshot
//! (crate::snapshot::confined): inside the node's folder only, with the same messages
//! for loops and dangling links; FIFOs and devices are never inputs.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::snapshot::confined::{self, MAX_LINKS, OverLimit, ReadError, ReadFailure};

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

/// Whether `path` is named like an archive upcheck reads.
pub fn is_archive(path: &Path) -> bool {
    path.is_file() && compression_of(path).is_some()
}

#[derive(Debug, Clone)]
enum Entry {
    Dir,
    /// The entry's position in the stream, and its size.
    File {
        index: usize,
        size: u64,
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
}

impl Archive {
    /// Lists the archive. A truncated or corrupt archive is an error that
    /// names the archive and what broke.
    pub fn open(path: &Path) -> Result<Archive, String> {
        let compression = compression_of(path)
            .ok_or_else(|| format!("{}: not a .tar, .tar.gz, .tgz or .tar.xz", path.display()))?;
        let mut archive = Archive {
            path: path.to_path_buf(),
            compression,
            entries: BTreeMap::new(),
            refused: Vec::new(),
        };
        let fail =
            |e: std::io::Error| format!("{}: corrupt or truncated archive: {e}", path.display());
        let mut tar = tar::Archive::new(archive.stream().map_err(fail)?);
        for (index, entry) in tar.entries().map_err(fail)?.enumerate() {
            let entry = entry.map_err(fail)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = clean(&raw) else {
                archive
                    .refused
                    .push(format!("{raw}: absolute path or `..`: refused"));
                continue;
            };
            let kind = entry.header().entry_type();
            let item = if kind.is_dir() {
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
                    parent(&name)
                };
                Entry::Link {
                    target: join(base, &target),
                    raw: target,
                }
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                Entry::File {
                    index,
                    size: entry.size(),
                }
            } else if let Some(what) = special(kind) {
                Entry::Special(what)
            } else {
                continue;
            };
            archive.entries.insert(name, item);
        }
        // A truncated xz or gzip stream can end at an entry boundary
        // without an error from the listing; drain it to be sure.
        let mut rest = tar.into_inner();
        std::io::copy(&mut rest, &mut std::io::sink()).map_err(fail)?;
        Ok(archive)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn stream(&self) -> std::io::Result<Box<dyn Read>> {
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
        self.entries
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .filter(|k| match self.resolve(k, dir) {
                Ok((_, entry)) => matches!(entry, Entry::File { .. } | Entry::Special(_)),
                Err(e) => e.code != crate::model::tool_codes::INPUT_UNREADABLE,
            })
            .map(|k| k[prefix.len()..].to_string())
            .collect()
    }

    /// The bytes of the file `name`, links followed inside the folder
    /// `within`, read by streaming to it; at most `limit` bytes, whatever
    /// the entry's header claims.
    pub fn read(&self, name: &str, within: &str, limit: u64) -> Result<Vec<u8>, ReadFailure> {
        let (index, size) = match *self.resolve(name, within)?.1 {
            Entry::File { index, size } => (index, size),
            Entry::Dir => return Err(ReadError::unreadable("is a folder, not a file").into()),
            Entry::Special(what) => return Err(ReadError::not_regular(what).into()),
            Entry::Link { .. } => return Err(ReadError::link_loop().into()),
        };
        if size > limit {
            return Err(ReadFailure::Over(OverLimit {
                claimed: Some(size),
            }));
        }
        let fail =
            |e: std::io::Error| ReadError::unreadable(format!("corrupt or truncated archive: {e}"));
        let mut tar = tar::Archive::new(self.stream().map_err(fail)?);
        let entry = tar
            .entries()
            .map_err(fail)?
            .nth(index)
            .ok_or_else(|| ReadError::unreadable("the archive changed since it was listed"))?
            .map_err(fail)?;
        confined::read_limited(entry, size, limit)
            .map_err(fail)?
            .map_err(ReadFailure::Over)
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
