//! Snapshot and sosreport archives (.tar.xz, .tar.gz, .tgz, .tar) read in
//! place. Opening an archive streams it once to list its entries; an
//! entry's bytes are read only when a fact asks for the file, by streaming
//! to it again. Nothing is extracted to disk.
//!
//! Entries whose path is absolute or holds `..`, and links that lead out of
//! the archive, are refused: they are listed in `refused` and never read.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::snapshot::MAX_INPUT_BYTES;

/// Links followed in a row before giving up (a loop).
const MAX_LINK_DEPTH: usize = 16;

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
    /// A symbolic link's target, already made relative to the archive root.
    Link(String),
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
                match join(base, &target) {
                    Some(t) => Entry::Link(t),
                    None => {
                        archive.refused.push(format!(
                            "{name}: link to {target} leads out of the archive: refused"
                        ));
                        continue;
                    }
                }
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                Entry::File {
                    index,
                    size: entry.size(),
                }
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

    /// Follows links to the entry `name` finally names.
    fn resolve(&self, name: &str) -> Result<(String, &Entry), String> {
        let mut name = name.trim_end_matches('/').to_string();
        for _ in 0..MAX_LINK_DEPTH {
            match self.entries.get(&name) {
                Some(Entry::Link(target)) => name = target.clone(),
                Some(entry) => return Ok((name, entry)),
                None => return Err("no such file in the archive".into()),
            }
        }
        Err("too many levels of links".into())
    }

    pub fn is_file(&self, name: &str) -> bool {
        matches!(self.resolve(name), Ok((_, Entry::File { .. })))
    }

    /// A folder: listed as one, or the parent of some entry.
    pub fn is_dir(&self, name: &str) -> bool {
        let name = name.trim_end_matches('/');
        if matches!(self.resolve(name), Ok((_, Entry::Dir))) {
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

    /// Files (and links to files) under `dir`, relative to it, sorted.
    pub fn files_under(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        self.entries
            .keys()
            .filter(|k| k.starts_with(&prefix) && self.is_file(k))
            .map(|k| k[prefix.len()..].to_string())
            .collect()
    }

    /// The bytes of the file `name`, links followed, read by streaming to it.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        let (_, entry) = self.resolve(name)?;
        let Entry::File { index, size } = *entry else {
            return Err("not a file".into());
        };
        if size > MAX_INPUT_BYTES {
            return Err(format!(
                "file is {size} bytes, more than the {MAX_INPUT_BYTES} byte limit for one input"
            ));
        }
        let fail = |e: std::io::Error| format!("corrupt or truncated archive: {e}");
        let mut tar = tar::Archive::new(self.stream().map_err(fail)?);
        let entry = tar
            .entries()
            .map_err(fail)?
            .nth(index)
            .ok_or("the archive changed since it was listed")?;
        let mut bytes = Vec::with_capacity(size as usize);
        entry.map_err(fail)?.read_to_end(&mut bytes).map_err(fail)?;
        Ok(bytes)
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
